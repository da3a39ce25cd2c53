"""The generic signed workbook: visible sheets whose data cells are bound, plus a very hidden payload.

Every kind (kit, submission, review) is built the same way:

1. draw the visible sheets with :class:`WorkbookBuilder` — every data cell goes through
   :meth:`WorkbookBuilder.put`, which writes it safely (text never becomes a formula; numbers keep their
   decimals through the number format) and records a *binding*: sheet, cell, type, the value shown and
   a label for messages;
2. :meth:`WorkbookBuilder.finish` puts the bindings into the payload, makes the canonical JSON, signs
   ``kind + "\\n" + payload`` with Ed25519 and writes the very hidden sheet ``_dxdesk``:

   ====  =================  ==========================================
   row   A                  B
   ====  =================  ==========================================
   1     dxdesk             signed-workbook/1
   2     kind               e.g. ``dxdesk/submission/1``
   3     signature          base64 Ed25519 signature
   4     certificate        signer's X.509 certificate (PEM)
   5     chunks             number N of payload chunks
   6…    payload            canonical JSON, split in chunks of 16,000 characters
   ====  =================  ==========================================

3. the file is written atomically.

:func:`read_signed` is the inverse, on the safe zip reader (no openpyxl load).
"""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import column_index_from_string, coordinate_to_tuple, get_column_letter, range_boundaries
from openpyxl.worksheet.worksheet import Worksheet

from dxdesk.exchange.appearance import LAYOUT_VERSION, normalise_header, number_format_of, render_number
from dxdesk.exchange.canonical import canonical_bytes, payload_hash
from dxdesk.exchange.certificates import cert_to_pem
from dxdesk.exchange.print_setup import effective_print
from dxdesk.exchange.reader import escape_excel
from dxdesk.exchange.signed import CHUNK, CONTAINER, PAYLOAD_SHEET, SignedFile, read_signed
from dxdesk.exchange.signing import sign
from dxdesk.files import atomic_path

__all__ = [
    "CONTAINER",
    "PAYLOAD_SHEET",
    "Binding",
    "SignedFile",
    "WorkbookBuilder",
    "number_format_for",
    "read_signed",
    "safe_text",
]

StyleParts = tuple[Font, Alignment, PatternFill | None, bool]
MAX_CELL_TEXT = 32_000  # Excel holds 32,767 characters per cell
_thin = Side(style="thin", color="808080")
BORDER = Border(left=_thin, right=_thin, top=_thin, bottom=_thin)
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def safe_text(text: str) -> str:
    """Text as a cell can hold it: line ends as ``\\n``, characters XML cannot carry replaced."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _ILLEGAL.sub("\ufffd", text)


def number_format_for(d: Decimal) -> str:
    """Thousands separators and exactly the decimals typed (280.0 shows 280.0)."""
    return number_format_of(d)


@dataclass(frozen=True)
class Binding:
    sheet: str
    ref: str
    type: str  # "n" number, "s" text, "l" a label or heading (not data)
    value: str  # number as canonical decimal text, or the text shown
    label: str
    display: str | None = None  # a number as Excel shows it through its number format ("11,891")
    path: tuple[str | int, ...] | None = None  # where the number is in the payload

    def entry(self) -> list[Any]:
        out: list[Any] = [self.ref, self.type, self.value, self.label]
        if self.display is not None:
            out.append(self.display)
            if self.path is not None:
                out.append(list(self.path))
        return out


def _merges(ws: Worksheet) -> list[list[int]]:
    """The merged ranges: ``[[first row, first column, last row, last column], …]`` (the sheet
    builders add some as text, some as ranges)."""
    out = []
    for r in ws.merged_cells.ranges:
        min_col, min_row, max_col, max_row = range_boundaries(r if isinstance(r, str) else r.coord)
        out.append([min_row, min_col, max_row, max_col])
    return sorted(out)


def _cell_order(ref: str) -> tuple[int, int]:
    row, col = coordinate_to_tuple(ref)
    return row, col


def _widths(ws: Worksheet) -> list[list[Any]]:
    """The column widths the sheet sets: ``[[first, last, width], …]`` (columns numbered from 1)."""
    out: list[list[Any]] = []
    for key, dim in ws.column_dimensions.items():
        if dim.width is None or not dim.customWidth:
            continue
        first = dim.min or column_index_from_string(key)
        last = dim.max or first
        out.append([first, last, f"{dim.width:.2f}"])
    return sorted(out)


@dataclass
class WorkbookBuilder:
    """Visible sheets under construction; :meth:`put` writes and binds a data cell."""

    wb: Workbook = field(default_factory=lambda: Workbook())
    bindings: list[Binding] = field(default_factory=list)
    _numeric_widths: dict[tuple[str, int], int] = field(default_factory=dict)
    _styles: dict[str, StyleArray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        default = self.wb.active
        if default is not None:
            self.wb.remove(default)

    def style_array(
        self,
        name: str,
        parts: StyleParts | Callable[[], StyleParts],
    ) -> StyleArray:
        """The workbook's style array for a named style, registered once (``parts`` may be a function
        making them, called only the first time: openpyxl's style objects are slow to make)."""
        arr = self._styles.get(name)
        if arr is None:
            font, align, fill, bordered = parts() if callable(parts) else parts
            arr = StyleArray()
            arr.fontId = self.wb._fonts.add(font)
            arr.alignmentId = self.wb._alignments.add(align)
            if fill is not None:
                arr.fillId = self.wb._fills.add(fill)
            if bordered:
                arr.borderId = self.wb._borders.add(BORDER)
            self._styles[name] = arr
        return arr

    def sheet(self, title: str) -> Worksheet:
        return self.wb.create_sheet(title)

    def put(
        self,
        ws: Worksheet,
        row: int,
        col: int,
        value: str | Decimal | int | None,
        *,
        label: str | None = None,
        number_format: str | None = None,
        path: tuple[str | int, ...] | None = None,
        widen: bool = True,
    ) -> Cell:
        """Write ``value`` at (row, col) and bind it: with ``label`` as data, without as a label or
        heading (type ``l``). Every cell with content is bound, so verification can refuse any other.

        Text is always text, never a formula, whatever it starts with (= + - @); it is shown with
        Excel's quote prefix so that editing the cell in Excel keeps it text. Text longer than a cell
        can hold is cut with a note (the payload keeps the whole text)."""
        cell: Cell = ws.cell(row=row, column=col)
        display: str | None = None
        if value is None or value == "":
            cell.value = None
            shown, kind = "", "s"
        elif isinstance(value, bool):
            raise TypeError("booleans are shown as words (はい/いいえ), not written as cells")
        elif isinstance(value, (Decimal, int)):
            d = Decimal(value)
            cell.value = d
            fmt = number_format or number_format_for(d)
            cell.number_format = fmt
            shown, kind = format(d, "f"), "n"
            display = render_number(d, fmt)
            if display is None:
                raise ValueError(f"number format {fmt!r} cannot be checked by verification")
            if widen:  # a column of a drawn grid keeps its width (the number spans merged columns)
                digits = len(format(d, ",f"))
                key = (ws.title, col)
                self._numeric_widths[key] = max(self._numeric_widths.get(key, 0), digits)
        else:
            text = safe_text(str(value))
            if len(text) > MAX_CELL_TEXT:
                text = text[: MAX_CELL_TEXT - 40] + "…（以下省略：全文は dxdesk で確認できます）"
            cell.value = escape_excel(text)
            cell.data_type = "s"  # never a formula
            if text[:1] in ("=", "+", "-", "@"):
                cell.quotePrefix = True
            shown, kind = text, "s"
        if label is not None:
            self.bindings.append(
                Binding(ws.title, cell.coordinate, kind, shown, label, display, path if kind == "n" else None)
            )
        elif shown != "":
            self.bindings.append(
                Binding(ws.title, cell.coordinate, "l" if kind == "s" else kind, shown, "", display)
            )
        return cell

    def ensure_number_widths(self, min_extra: float = 2.5) -> None:
        """Widen columns holding numbers so Excel never shows ####."""
        for (title, col), digits in self._numeric_widths.items():
            ws = self.wb[title]
            dim = ws.column_dimensions[get_column_letter(col)]
            need = digits * 1.15 + min_extra
            if (dim.width or 8.43) < need:
                dim.width = need

    def binding_payload(self) -> dict[str, list[list[Any]]]:
        """Bindings grouped by sheet: ``{sheet: [[ref, type, value, label(, display)], …]}``; a cell
        written twice keeps its last value."""
        last: dict[tuple[str, str], Binding] = {}
        for b in self.bindings:
            last.pop((b.sheet, b.ref), None)
            last[(b.sheet, b.ref)] = b
        out: dict[str, list[list[Any]]] = {}
        for b in last.values():
            if b.value == "" and b.type == "l":
                continue
            out.setdefault(b.sheet, []).append(b.entry())
        return out

    def layout_payload(self) -> dict[str, Any]:
        """The visible sheets in order with what they print besides their cells (header, footer,
        print titles, page setup): ``{"version": 2, "sheets": [{name, header, footer, print_titles,
        print}, …]}`` (``print``: :func:`dxdesk.exchange.print_setup.effective_print`; a verifier
        compares it where a file carries it)."""
        sheets = []
        for ws in self.wb.worksheets:
            sheets.append(
                {
                    "name": ws.title,
                    "header": normalise_header(str(ws.oddHeader)),
                    "footer": normalise_header(str(ws.oddFooter)),
                    "print_titles": (ws.print_title_rows or "").replace("$", ""),
                    "widths": _widths(ws),
                    "merges": _merges(ws),
                    "wrapped": sorted(
                        (
                            c.coordinate
                            for c in ws._cells.values()
                            if c.value not in (None, "") and c.alignment.wrap_text
                        ),
                        key=_cell_order,
                    ),
                    "heights": [
                        [r, f"{dim.height:.2f}"]
                        for r, dim in sorted(ws.row_dimensions.items())
                        if dim.height is not None
                    ],
                    "print": effective_print(
                        dict(ws.page_setup),
                        dict(ws.sheet_properties.pageSetUpPr or {}),
                        dict(ws.page_margins),
                        dict(ws.print_options),
                    ),
                }
            )
        return {"version": LAYOUT_VERSION, "sheets": sheets}

    def save_unsigned(self, path: Path) -> None:
        """Write a workbook that carries no payload (e.g. the passphrase slips), atomically."""
        self.ensure_number_widths()
        with atomic_path(path) as tmp:
            self.wb.save(tmp)

    def finish(
        self,
        path: Path,
        kind: str,
        payload: dict[str, Any],
        key: Ed25519PrivateKey,
        certificate: x509.Certificate,
        *,
        before_save: Callable[[], None] | None = None,
    ) -> tuple[bytes, str]:
        """Bind, sign and write atomically. Returns (canonical payload bytes, payload hash)."""
        self.ensure_number_widths()
        payload = dict(payload)
        payload["format"] = kind
        payload["bindings"] = self.binding_payload()
        payload["layout"] = self.layout_payload()
        data = canonical_bytes(payload)
        signature = sign(key, kind, data)
        text = data.decode("utf-8")
        ws = self.wb.create_sheet(PAYLOAD_SHEET)
        ws.sheet_state = "veryHidden"
        chunks = [text[i : i + CHUNK] for i in range(0, len(text), CHUNK)] or [""]
        rows: list[tuple[str, str]] = [
            ("dxdesk", CONTAINER),
            ("kind", kind),
            ("signature", base64.b64encode(signature).decode("ascii")),
            ("certificate", cert_to_pem(certificate)),
            ("chunks", str(len(chunks))),
            *(("payload", c) for c in chunks),
        ]
        for r, (k, v) in enumerate(rows, start=1):
            for col, val in ((1, k), (2, v)):
                cell = ws.cell(row=r, column=col)
                cell.value = escape_excel(val)
                cell.data_type = "s"
        if before_save is not None:
            before_save()
        with atomic_path(path) as tmp:
            self.wb.save(tmp)
        return data, payload_hash(data)
