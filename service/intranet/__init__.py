"""The intranet's pages (``/intranet/``) for welcome committees and staff: HTML forms read and
checked here (``forms``), their errors in the reader's language (``messages``), pages rendered
under a strict Content-Security-Policy (``render``), and what a village page shows (``views``,
``insight``). The routes are in ``service/routes/intranet_*.py``."""
