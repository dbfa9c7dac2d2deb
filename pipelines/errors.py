"""Errors a user can cause and fix.

Anything raised as a `WorkforceError` is shown to the user as its message alone, never
as a traceback: the message must say what is wrong and what to do, and must never carry
personal data (no national ids, no employee numbers).
"""


class WorkforceError(Exception):
    """A problem the user can act on; its message is shown as is."""


class SettingsError(WorkforceError):
    """The environment is missing or contradicts a setting."""


class DeliveryError(WorkforceError):
    """A delivered file cannot be taken in as a whole (the reason goes into the ledger)."""
