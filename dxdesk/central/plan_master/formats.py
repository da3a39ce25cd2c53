"""Cells Excel shows as percentages: a person types 「30.0%」 and Excel stores 0.3 with a percent format.

python-calamine gives the stored number (0.3); this module finds the cells whose number format is a
percentage (styles.xml → the cells' style indices in the sheet XML) so the readers see what the person
saw and typed: 「30.0%」, with the decimals the format shows.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from dxdesk.exchange.reader import SheetInfo, XlsxReader, column_index

__all__ = ["percent_cells", "show_percentages"]

_BUILTIN_PERCENT = {9: 0, 10: 2}  # 0% and 0.00%
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)/?>")
_ATTR = re.compile(rb'\b(r|s|t)="([^"]*)"')


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def _decimals(code: str) -> int | None:
    """Decimals a percent format shows (「0.0%」 → 1), None when it is not a percent format."""
    plain = re.sub(r'"[^"]*"|\\.', "", code)
    if "%" not in plain:
        return None
    m = re.search(r"\.(0+)", plain.split(";")[0])
    return len(m.group(1)) if m else 0


def _percent_styles(reader: XlsxReader) -> dict[int, int]:
    if not reader.has("xl/styles.xml"):
        return {}
    root = reader.xml("xl/styles.xml")
    custom: dict[int, int | None] = {}
    xfs: list[int] = []
    for el in root:
        tag = _local(el.tag)
        if tag == "numFmts":
            for f in el:
                try:
                    custom[int(f.get("numFmtId", "-1"))] = _decimals(f.get("formatCode", ""))
                except ValueError:
                    continue
        elif tag == "cellXfs":
            for xf in el:
                try:
                    xfs.append(int(xf.get("numFmtId", "0")))
                except ValueError:
                    xfs.append(0)
    out: dict[int, int] = {}
    for i, fmt in enumerate(xfs):
        dec = _BUILTIN_PERCENT.get(fmt) if fmt not in custom else custom[fmt]
        if dec is not None:
            out[i] = dec
    return out


def percent_cells(reader: XlsxReader, info: SheetInfo) -> dict[tuple[int, int], int]:
    """(row, column) from 0 → decimals shown, for the numeric cells of ``info`` shown as percentages."""
    styles = _percent_styles(reader)
    if not styles or not info.part or not reader.has(info.part):
        return {}
    wanted = {str(i).encode() for i in styles}
    out: dict[tuple[int, int], int] = {}
    for m in _CELL.finditer(reader.read(info.part)):
        attrs = dict(_ATTR.findall(m.group(1)))
        s = attrs.get(b"s")
        if s not in wanted or attrs.get(b"t", b"n") != b"n" or b"r" not in attrs:
            continue
        ref = attrs[b"r"].decode()
        letters = ref.rstrip("0123456789")
        try:
            out[(int(ref[len(letters) :]) - 1, column_index(letters) - 1)] = styles[int(s)]
        except ValueError:
            continue
    return out


def show_percentages(rows: list[list[Any]], cells: dict[tuple[int, int], int]) -> None:
    """Replace the numbers of percent cells by the text Excel shows (0.3 in 「0.0%」 → 「30.0%」)."""
    for (r, c), decimals in cells.items():
        if r < len(rows) and c < len(rows[r]):
            v = rows[r][c]
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                d = Decimal(format(v, ".15g")) * 100
                rows[r][c] = f"{d.quantize(Decimal(1).scaleb(-decimals))}%"
