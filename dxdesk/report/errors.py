"""Errors of the printing boundary (PDF output). ``str(error)`` is Japanese and says what to do."""

from __future__ import annotations

from dxdesk.errors import DxdeskError

__all__ = ["FontError", "NothingToPrintError", "PrintCancelled", "PrintError"]


class PrintError(DxdeskError):
    """A PDF could not be made. The message is for the person who asked for it."""


class FontError(PrintError):
    """No usable Japanese font (none found, or the chosen file cannot be embedded)."""


class NothingToPrintError(PrintError):
    """The selection (section, measure codes, year) matched no sheet."""


class PrintCancelled(PrintError):
    """The person cancelled; the target file was left as it was."""

    def __init__(self) -> None:
        super().__init__("印刷を中止しました。ファイルは作成していません。")
