"""System checks (run by ``manage.py check`` and ``check --deploy``)."""
