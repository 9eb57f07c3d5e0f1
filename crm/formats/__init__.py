"""Django format modules per locale (FORMAT_MODULE_PATH): each is two lines asking
:func:`crm.locales.number_formats` for its locale, so separators come from CLDR as Babel
writes them, and dates are day first. Written by ``scripts/format_modules.py``."""
