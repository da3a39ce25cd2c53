"""Errors of the central office's functions. ``str(error)`` is Japanese and says what to do.

A merge does not raise for a bad file (each file gets its own result line); these are for situations
the whole operation cannot go on with — not a central database, no plan, an unknown measure code, a
review workbook that does not belong to this section.
"""

from __future__ import annotations

from dxdesk.errors import DxdeskError

__all__ = [
    "CentralError",
    "ConflictError",
    "ExportError",
    "MergeError",
    "ReviewError",
    "ReviewImportError",
]


class CentralError(DxdeskError):
    """Base class; the message is Japanese for the user."""


class MergeError(CentralError):
    """The merge cannot start (no plan, no central certificate authority, bad fiscal year)."""


class ReviewError(CentralError):
    """A review action that cannot be done (unknown measure, nothing submitted yet, empty comment)."""


class ReviewImportError(CentralError):
    """A review workbook that cannot be imported into this section database."""


class ConflictError(CentralError):
    """A conflict that cannot be resolved as asked (already resolved, wrong file chosen)."""


class ExportError(CentralError):
    """The merged workbook cannot be written (no plan, nothing to export, file in use)."""
