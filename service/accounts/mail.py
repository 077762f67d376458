"""Invitation emails, when an SMTP server is configured (``SOHOSOLO_SMTP_HOST``); without one
the link is handed over by the person who invited (the API and the command line print it)."""

import smtplib
from email.message import EmailMessage

from features.i18n import text
from service.config import Settings

SMTP_TIMEOUT_SECONDS = 15


def send_invitation(settings: Settings, to: str, name: str, url: str) -> bool:
    """Send the invitation link; False when no server is configured or it refused (the
    caller still has the link)."""
    if not settings.smtp_host:
        return False
    message = EmailMessage()
    message["Subject"] = text("fr", "intranet.mail_subject")
    message["From"] = settings.smtp_sender
    message["To"] = to
    message.set_content(text("fr", "intranet.mail_body", name=name, url=url))
    try:
        with smtplib.SMTP(
            settings.smtp_host, settings.smtp_port, timeout=SMTP_TIMEOUT_SECONDS
        ) as smtp:
            if settings.smtp_starttls:
                smtp.starttls()
            if settings.smtp_user and settings.smtp_password is not None:
                smtp.login(settings.smtp_user, settings.smtp_password.get_secret_value())
            smtp.send_message(message)
    except (OSError, smtplib.SMTPException):
        return False
    return True
