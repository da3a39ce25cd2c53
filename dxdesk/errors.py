"""The root of dxdesk's errors.

Every package's error base derives from :class:`DxdeskError` — ``ExchangeError`` (exchange/errors.py,
with reason codes), ``CentralError`` (central/errors.py), ``PrintError`` (report/errors.py),
``DatabaseError`` and ``BackupError`` (store), ``DatasetError``, ``EditError``, the plan master's
``CellError`` and the domain's input errors (``FiscalYearError``, ``ValueInputError``, ``FieldError``,
``SettingsError``). ``str(error)`` is always Japanese and says what to do, so the two places that catch
them all — ``dxdesk.cli.main`` (``NG <message>``, exit 2) and ``ui.app`` (a message box) — show it as is.

This module imports nothing from dxdesk: every layer may derive from it.
"""

from __future__ import annotations

__all__ = ["DxdeskError"]


class DxdeskError(Exception):
    """An error the user can act on; the message is Japanese and says what to do."""
