"""Invitation emails through an SMTP server (a local aiosmtpd one here)."""

from collections.abc import Iterator
from email import message_from_bytes
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from service.app import create_app
from tests.service.conftest import free_port, make_settings
from tests.service.people import invite

controller_module = pytest.importorskip("aiosmtpd.controller")


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: object, session: object, envelope: Any) -> str:
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def inbox() -> Iterator[tuple[Inbox, int]]:
    handler = Inbox()
    port = free_port()
    controller = controller_module.Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield handler, port
    finally:
        controller.stop()


def test_an_invitation_is_emailed_when_smtp_is_configured(
    tmp_path: Path, inbox: tuple[Inbox, int]
) -> None:
    handler, port = inbox
    settings = make_settings(tmp_path, smtp_host="127.0.0.1", smtp_port=port, smtp_starttls=False)
    with TestClient(create_app(settings)) as client:
        invited = invite(client, "jeanne@example.org")
    assert invited["emailed"] is True
    (message,) = handler.messages
    assert message["To"] == "jeanne@example.org"
    assert invited["url"] in message.get_payload(decode=True).decode()


def test_without_smtp_the_link_is_only_answered(client: TestClient) -> None:
    assert invite(client, "jeanne@example.org")["emailed"] is False
