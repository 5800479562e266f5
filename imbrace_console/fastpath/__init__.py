"""Every place the console replaces or subclasses a piece of Django, and nothing else.

Each module here stands in for Django code named in its docstring; what each
buys, the Django version checked and its equivalence test are listed in
``docs/overrides.md``. ``stock.py`` switches every one back to Django's own
(``imbrace_console.settings.stock``, or ``CONSOLE_STOCK_DJANGO=1`` in any
environment), and ``tests/fastpath/test_upgrade_canary.py`` fails when the
Django code they copy or rely on changes.
"""
