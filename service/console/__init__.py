"""The staff console: the intranet's pages for the chamber's staff (``/intranet/prospects``,
``/intranet/funnel``, ``/intranet/partners``, ``/intranet/accounts``), built on the intranet's
sessions, forms and rendering (``service.intranet``). ``qualify`` reads the qualification
form, ``compare`` puts villages side by side, ``funnel`` counts the programme's families,
``load`` weighs each committee's load against its capacity. The routes are in
``service/routes/console_*.py``."""
