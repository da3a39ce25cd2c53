"""How a sheet prints — paper, orientation, scaling, margins, centring, headings and grid lines — as
the exporter signs it (``layout.sheets[].print`` of the payload) and the verifier reads it back.

Both sides reduce the attributes of ``<pageSetup>``, ``<sheetPr><pageSetUpPr>``, ``<pageMargins>`` and
``<printOptions>`` to the same plain form with the defaults of ECMA-376 applied, so that a program that
writes a default out, or leaves it out, prints the same and still verifies: a scale is ignored where
the sheet is fitted to pages (Excel writes its own), ``default`` orientation is portrait, margins are
compared to 0.01 inch (LibreOffice keeps them in hundredths of a millimetre).

A sheet printed at 10 %, fitted onto one page, on a post card, with margins of seven inches or
without its centring prints something else than the 所属長 approved: the verifier refuses it."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = ["LABELS", "effective_print"]

_MARGINS = ("left", "right", "top", "bottom", "header", "footer")
# what a person calls each part, in the verifier's reasons
LABELS = {
    "paper": "用紙",
    "orientation": "向き",
    "fit": "ページに合わせる",
    "scale": "拡大・縮小",
    "margins": "余白",
    "centered": "中央寄せ",
    "headings": "行列番号",
    "gridlines": "枠線",
}


def _flag(value: str | None) -> bool:
    return value in ("1", "true")


def _whole(value: str | None, default: str) -> str:
    text = default if value is None else value
    try:
        return str(int(text))
    except ValueError:
        return text  # (the layout check refuses a value that is not a number)


def _inches(value: str | None) -> str | None:
    if value is None:
        return None
    try:
        return str(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))
    except (InvalidOperation, ValueError):
        return value


def effective_print(
    page_setup: Mapping[str, str],
    page_setup_pr: Mapping[str, str],
    margins: Mapping[str, str],
    options: Mapping[str, str],
) -> dict[str, object]:
    """The print settings of a sheet from the attributes of its four elements (empty where absent)."""
    fitted = _flag(page_setup_pr.get("fitToPage"))
    return {
        "paper": _whole(page_setup.get("paperSize"), "1"),
        "orientation": "landscape" if page_setup.get("orientation") == "landscape" else "portrait",
        "fit": (
            [_whole(page_setup.get("fitToWidth"), "1"), _whole(page_setup.get("fitToHeight"), "1")]
            if fitted
            else None
        ),
        "scale": None if fitted else _whole(page_setup.get("scale"), "100"),
        "margins": [_inches(margins.get(side)) for side in _MARGINS],
        "centered": [_flag(options.get("horizontalCentered")), _flag(options.get("verticalCentered"))],
        "headings": _flag(options.get("headings")),
        "gridlines": _flag(options.get("gridLines")),
    }
