"""The HTTP service and the ``sohosolo`` command line, the project's two front ends."""
