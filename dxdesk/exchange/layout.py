"""Printable form layout for the visible sheets of exchange workbooks (openpyxl).

A :class:`Form` is a worksheet laid out on a fixed grid of columns, filled row by row with labelled
boxes, tables and long texts, and set up to print on A4 (fit to width, print titles, header with the
section and measure, footer with page x of y).

Excel and LibreOffice do not size rows to wrapped text in merged cells, so row heights are computed
here from the text: full-width characters count two width units, others one, lines wrap greedily
within the box's width. Long texts are split over several rows at line boundaries (a row is at most
409 points high); no text is ever cut or shown as ####.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from copy import copy
from dataclasses import dataclass
from decimal import Decimal

from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import CellRange
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

from dxdesk.exchange.workbook import WorkbookBuilder, safe_text

__all__ = ["C", "Form", "draw_cover", "text_units", "wrap_spans"]

FONT = "游ゴシック"
LINE_PT = 16.5  # one line of 10 pt text (Yu Gothic in Excel needs about this; LibreOffice less)
PAD_PT = 5.0
MAX_ROW_PT = 409.0
MAX_LINES = int((MAX_ROW_PT - PAD_PT) // LINE_PT)
PAPER_W, PAPER_H = 595.3, 841.9  # A4 in points
MARGIN_LR = (0.5 + 0.5) * 72.0
MARGIN_TB = (0.75 + 0.7) * 72.0

FILL_LABEL = PatternFill("solid", fgColor="F2F2F2")
FILL_HEAD = PatternFill("solid", fgColor="DCE6F1")
FILL_NOTICE = PatternFill("solid", fgColor="FFF2CC")

# name: (font size, bold, horizontal, vertical, wrap, fill, bordered) — a table, not code
_STYLE_TABLE: dict[str, tuple[float, bool, str, str, bool, PatternFill | None, bool]] = {
    "title": (14, True, "center", "center", False, None, False),
    "subtitle": (10, False, "center", "center", True, None, False),
    "head": (10, True, "left", "center", True, FILL_HEAD, True),
    "label": (9, False, "center", "center", True, FILL_LABEL, True),
    "value": (10, False, "left", "top", True, None, True),
    "value_mid": (10, False, "left", "center", True, None, True),
    "top": (10, False, "left", "top", True, None, True),  # like value, but stays at the top
    "center": (10, False, "center", "center", True, None, True),
    "top_center": (10, False, "center", "top", True, None, True),
    "num": (10, False, "right", "center", False, None, True),
    "top_num": (10, False, "right", "top", True, None, True),
    "big": (16, True, "center", "center", False, None, True),
    "note": (9, False, "left", "top", True, None, False),
    "notice": (10, True, "left", "center", True, FILL_NOTICE, True),
    "mono": (18, True, "center", "center", False, None, True),
}
STYLES: dict[str, tuple[Font, Alignment, PatternFill | None, bool]] = {
    name: (
        Font(name="BIZ UDゴシック" if name == "mono" else FONT, size=size, bold=bold),
        Alignment(horizontal=h, vertical=v, wrap_text=wrap),
        fill,
        bordered,
    )
    for name, (size, bold, h, v, wrap, fill, bordered) in _STYLE_TABLE.items()
}
_SIZES = {name: float(spec[0]) for name, spec in _STYLE_TABLE.items() if spec[0] != 10}


def text_units(text: str) -> float:
    """Width of a text in Excel column units (a digit of the default font is one unit)."""
    n = 0.0
    for ch in text:
        n += 2.0 if unicodedata.east_asian_width(ch) in "WFA" else 1.05
    return n


def wrap_spans(text: str, width: float) -> list[tuple[int, int]]:
    """The visual lines of ``text`` in a box ``width`` units wide, as (start, end) offsets.

    A line ends at a newline (not included) or where the next character would not fit."""
    spans: list[tuple[int, int]] = []
    start = 0
    used = 0.0
    width = max(width, 2.0)
    for i, ch in enumerate(text):
        if ch == "\n":
            spans.append((start, i))
            start, used = i + 1, 0.0
            continue
        w = 2.0 if unicodedata.east_asian_width(ch) in "WFA" else 1.05
        if used + w > width and i > start:
            spans.append((start, i))
            start, used = i, 0.0
        used += w
    spans.append((start, len(text)))
    return spans


@dataclass(frozen=True)
class C:
    """One box of a form row: a value spanning ``span`` grid columns in a style; ``bind`` labels data."""

    value: str | Decimal | int | None
    span: int = 1
    style: str = "value"
    bind: str | None = None
    fmt: str | None = None
    path: tuple[str | int, ...] | None = None  # where a bound number is in the payload


class Form:
    """A worksheet on a grid of columns, written top to bottom."""

    def __init__(
        self,
        book: WorkbookBuilder,
        title: str,
        widths: Sequence[float],
        *,
        landscape: bool = False,
        title_rows: str | None = None,
        header: tuple[str, str, str] = ("", "", ""),
    ):
        self.book = book
        self.ws: Worksheet = book.sheet(title)
        self.widths = list(widths)
        self.row = 1
        for i, w in enumerate(self.widths, start=1):
            self.ws.column_dimensions[get_column_letter(i)].width = w
        self._print_setup(landscape, title_rows, header)
        # Page tracking for keep_together(): the printed page's height in sheet points, given the
        # fit-to-width scale (Excel: a column of width w is about 7w + 5 pixels, 0.75 pt each).
        paper_w, paper_h = (PAPER_H, PAPER_W) if landscape else (PAPER_W, PAPER_H)
        grid_pt = sum(w * 7 + 5 for w in self.widths) * 0.75
        scale = min(1.0, (paper_w - MARGIN_LR) / grid_pt)
        self._title_rows = int(title_rows.split(":")[1]) if title_rows else 0
        self._page_height = (paper_h - MARGIN_TB) / scale
        self._used = 0.0

    @property
    def ncols(self) -> int:
        return len(self.widths)

    def _print_setup(self, landscape: bool, title_rows: str | None, header: tuple[str, str, str]) -> None:
        ws = self.ws
        ws.page_setup.paperSize = ws.PAPERSIZE_A4
        ws.page_setup.orientation = "landscape" if landscape else "portrait"
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        ws.page_setup.fitToWidth = 1
        ws.page_setup.fitToHeight = 0
        ws.print_options.horizontalCentered = True
        ws.page_margins = PageMargins(left=0.5, right=0.5, top=0.75, bottom=0.7, header=0.3, footer=0.3)
        if title_rows:
            ws.print_title_rows = title_rows
        left, center, right = (h.replace("&", "&&") for h in header)
        ws.oddHeader.left.text = left
        ws.oddHeader.center.text = center
        ws.oddHeader.right.text = right
        for part in (ws.oddHeader.left, ws.oddHeader.center, ws.oddHeader.right):
            part.size = 9
        ws.oddFooter.center.text = "&P / &N ページ"
        ws.oddFooter.center.size = 9
        ws.sheet_view.showGridLines = False

    def width_of(self, col: int, span: int) -> float:
        return sum(self.widths[col - 1 : col - 1 + span])

    def _style(self, row: int, col: int, span: int, style: str) -> None:
        """Apply a named style to a box (cached style arrays: openpyxl's style setters are slow)."""
        arr = self.book.style_array(style, STYLES[style])
        for c in range(col, col + span):
            self.ws.cell(row=row, column=c)._style = copy(arr)
        if span > 1:  # the cells are styled already, so openpyxl's merge formatting is not needed
            self.ws.merged_cells.ranges.add(
                CellRange(min_col=col, min_row=row, max_col=col + span - 1, max_row=row)
            )

    def line(self, *items: C, height: float | None = None, min_lines: int = 1) -> int:
        """Write one row of boxes left to right; the height fits the box needing the most room.

        A one-line text in a ``value`` box is centred vertically beside taller boxes; several lines
        start at the top."""
        r = self.row
        col = 1
        needed = min_lines * LINE_PT
        for it in items:
            span = min(it.span, self.ncols - col + 1)
            if span <= 0:
                raise ValueError(f"row {r}: more boxes than grid columns")
            style = it.style
            if isinstance(it.value, str) and it.value:
                scale = _SIZES.get(style, 10.0) / 10.0
                n = len(wrap_spans(safe_text(it.value), (self.width_of(col, span) - 1.0) / scale))
                needed = max(needed, n * LINE_PT * scale)
                if style == "value" and n == 1:
                    style = "value_mid"
            elif style in _SIZES:
                needed = max(needed, LINE_PT * _SIZES[style] / 10.0)
            self._style(r, col, span, style)
            self.book.put(self.ws, r, col, it.value, label=it.bind, number_format=it.fmt, path=it.path)
            col += span
        if col <= self.ncols:  # close the row's border to the grid's right edge
            self._style(r, col, self.ncols - col + 1, "value")
        self.advance(height or min(MAX_ROW_PT, needed + PAD_PT))
        return r

    def advance(self, height: float) -> None:
        self.ws.row_dimensions[self.row].height = height
        if self.row <= self._title_rows:
            self._page_height -= height  # repeated on every page
        elif self._used + height > self._page_height:
            self._used = height  # the printer starts a new page here
        else:
            self._used += height
        self.row += 1

    def breaks_before(self, block: float) -> bool:
        """Whether rows ``block`` points high written next would start a new page (a block taller
        than a page starts where it is)."""
        return self._used > 0 and self._used + block > self._page_height and block <= self._page_height

    @contextmanager
    def keep_together(self) -> Iterator[None]:
        """Rows written inside stay on one page: a page break goes before them if they would not fit."""
        start, used = self.row, self._used
        yield
        block = sum(self.ws.row_dimensions[r].height or 15.0 for r in range(start, self.row))
        if used > 0 and used + block > self._page_height and block <= self._page_height:
            self.ws.row_breaks.append(Break(id=start - 1))
            self._used = block

    def gap(self, points: float = 8.0) -> None:
        self.advance(points)

    def title(self, text: str, *, bind: str | None = None, style: str = "title", height: float = 30) -> None:
        self.line(C(text, self.ncols, style, bind), height=height)

    def head(self, text: str) -> None:
        self.line(C(text, self.ncols, "head"))

    def long_text(self, text: str, *, bind: str, label_span: int = 0, label: str = "") -> None:
        """A text over the full width (or beside a label box), split over rows at line boundaries."""
        text = safe_text(text)
        col = 1 + label_span
        usable = self.width_of(col, self.ncols - label_span) - 1.0
        spans = wrap_spans(text, usable)
        groups = [spans[i : i + MAX_LINES] for i in range(0, len(spans), MAX_LINES)] or [[(0, 0)]]
        for gi, group in enumerate(groups):
            start, end = group[0][0], group[-1][1]
            tag = bind if len(groups) == 1 else f"{bind}（{gi + 1}/{len(groups)}）"
            items = [C(label if gi == 0 else f"{label}（続き）", label_span, "label")] if label_span else []
            items.append(C(text[start:end], self.ncols - label_span, "value", tag))
            self.line(*items, min_lines=len(group))

    def page_break(self) -> None:
        self.ws.row_breaks.append(Break(id=self.row - 1))
        self._used = 0.0


def draw_cover(
    book: WorkbookBuilder,
    title: str,
    kind_label: str,
    rows: Sequence[tuple[str, str]],
    notice: str,
    header_right: str,
) -> None:
    """The 表紙 of a workbook that travels: title, what kind of file it is, label/value rows (each
    value bound under its label), and a highlighted notice."""
    f = Form(book, "表紙", [18.0, 22.0, 22.0, 22.0], header=("", "", header_right))
    f.gap(20)
    f.title(title, bind="表題", height=36)
    f.title(kind_label, style="subtitle", height=24)
    f.gap(16)
    for label, value in rows:
        f.line(C(label, 1, "label"), C(value, 3, "value", label))
    f.gap(16)
    f.line(C(notice, 4, "notice"), min_lines=3)
