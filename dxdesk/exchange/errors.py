"""Errors at the exchange boundary (files that travel). ``str(error)`` is Japanese for the user.

One hierarchy: :class:`ExchangeError` for everything a person can act on — a wrong passphrase, a file
that is not ours, an export blocked by the pre-submission check. Verification failures are not
exceptions but :class:`dxdesk.exchange.verify.Reason` values, because a merge reports them per file
and goes on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from dxdesk.errors import DxdeskError

if TYPE_CHECKING:
    from dxdesk.domain.audit import Finding

__all__ = [
    "CredentialError",
    "ExchangeError",
    "ExportBlocked",
    "KitImportError",
    "PassphraseError",
    "ReasonCode",
    "UnreadableWorkbook",
]


class ReasonCode:
    """Stable identifiers of why a file is not accepted (docs/exchange-format.md lists them)."""

    NOT_XLSX = "not_xlsx"  # not a zip / not an Excel workbook
    NOT_DXDESK = "not_dxdesk"  # a workbook without dxdesk's signature sheet
    CORRUPT = "corrupt"  # truncated, broken zip or XML, unreadable payload
    TOO_LARGE = "too_large"  # beyond the size limits (decompression bomb)
    UNSAFE_XML = "unsafe_xml"  # DTD / entity declarations (entity bomb)
    WRONG_KIND = "wrong_kind"  # e.g. a kit given where a submission is expected
    BAD_SIGNATURE = "bad_signature"  # payload or signature changed
    UNTRUSTED = "untrusted"  # certificate not issued by a trusted central CA
    REVOKED = "revoked"  # credential re-issued / revoked
    SECTION_MISMATCH = "section_mismatch"  # certificate's section ≠ payload's section
    YEAR_MISMATCH = "year_mismatch"  # certificate's fiscal year ≠ payload's
    PLAN_MISMATCH = "plan_mismatch"  # another plan than the trusting database's (or the certificate's)
    EDITED_CELL = "edited_cell"  # a bound visible cell no longer shows its payload value
    NO_TRUST = "no_trust"  # no central CA known to check against
    APPEARANCE = "appearance"  # what a person sees differs: format, hidden cell, extra sheet or cell
    ACTIVE_CONTENT = "active_content"  # formula, macro, link, drawing, comment, OLE/ActiveX
    OLD_FORMAT = "old_format"  # a signed workbook without the layout this version checks


class ExchangeError(DxdeskError):
    """Base class; the message is Japanese and says what to do."""


class UnreadableWorkbook(ExchangeError):
    """Not a dxdesk workbook, or a damaged / oversized one. ``code`` is a :class:`ReasonCode` value."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


class PassphraseError(ExchangeError):
    """The passphrase does not open the credential in the kit."""


class CredentialError(ExchangeError):
    """No usable signing credential (no kit imported for the year, or it was replaced)."""


class KitImportError(ExchangeError):
    """A kit that cannot be imported into this database (wrong section, older version, other CA…)."""


class ExportBlocked(ExchangeError):
    """The pre-submission check has errors; ``findings`` lists them (errors first)."""

    def __init__(self, message: str, findings: Sequence[Finding]):
        super().__init__(message)
        self.findings = list(findings)
