"""The database: its tables (``models``), its connections (``engine``) and its schema's
migrations (``migrate``, the scripts in ``migrations/``)."""
