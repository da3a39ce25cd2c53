"""A measure's sheet in a workbook, drawn from the very parts that print it (:mod:`dxdesk.report.sheet`).

The printed sheet is a list of :class:`~dxdesk.report.layout.Part` of ruled rows of cells, built by
``SheetBuilder`` from the plan's settings (labels, parts and their order, year window, units, rate
decimals). :func:`draw_parts` lays the same parts on a worksheet, so the PDF and the workbook cannot
show different labels, years or values:

- the columns are the union of every cell edge of every row (edges closer than a narrow column are
  joined), so a cell spans the columns between its edges as one merged range;
- a cell keeps its fill, bold, alignment and font size; text wraps, rows are as high as their text
  needs in Excel's font (a text taller than a row can be continues on the next rows, cut at line
  ends, with the label marked 「（続き）」);
- a number the PDF prints as the typed value (「1,234」) is a numeric cell with its number format, bound
  to its place in the payload (``data.measures[i].costs.2026.settlement``); a number shown otherwise
  (with a unit, with the indicator's decimals, a rate) is the printed text;
- every cell with content is bound (see :mod:`dxdesk.exchange.workbook`): values under a label made of
  the nearest label to their left and their column's heading (else the part's heading), labels,
  headings and the sign-off boxes (the cover's 作成者 / 所属長確認 again) as shown text;
- a cell that continues the one above (``Cell.joined_above``) over the same columns is one range
  merged down with it: the top cell shows all their texts, each row takes its share of the height;
- charts are left out (a signed workbook carries no drawings);
- A4 fitted to the page width, portrait or landscape as the PDF prints the measure kind, title and
  sign-off boxes repeated on every page, a part's rows that belong together kept on one page, a table
  continued on a new page under its heading marked 「（続き）」 and its header row again.

Any part a ``SheetBuilder`` makes is drawn this way: nothing here knows which parts exist.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Sequence
from copy import copy
from dataclasses import dataclass
from decimal import Decimal

from openpyxl.cell.cell import Cell as OpenpyxlCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from reportlab.lib.colors import Color

from dxdesk.domain.values import Value
from dxdesk.exchange.appearance import number_format_of, render_number
from dxdesk.exchange.layout import FONT, MAX_ROW_PT, PAD_PT, Form, wrap_spans
from dxdesk.exchange.workbook import WorkbookBuilder, safe_text
from dxdesk.report.layout import CONT, HEAD_FILL, LABEL_FILL, Cell, Part, Row, Style, TextBox
from dxdesk.report.pages import CONTENT_WIDTH, LANDSCAPE_CONTENT_WIDTH

__all__ = ["SheetPage", "UnbrokenText", "cell_value", "draw_parts", "sheet_name_for"]

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_RESERVED = {"表紙", "一覧", "施策一覧", "_dxdesk"}
_NUMBER = re.compile(r"^-?[0-9][0-9,]*(\.[0-9]+)?$")
MIN_COL_PT = 18.0  # edges closer than this are joined: fewer columns, a lighter workbook
MIN_COL_PT_FLOOR = 7.0  # a narrower column could not be shown (Excel hides columns under half a digit)
LINE = 1.65  # Excel's line height for a font size (游ゴシック: 16.5 pt for 10 pt)
TITLE = Style(size=13.5, bold=True, valign="middle")
HEADING = Style(size=9.5, bold=True, valign="middle")


def sheet_name_for(code: str, taken: set[str]) -> str:
    """A valid, unique worksheet name for a measure code (Excel: ≤ 31 characters, no []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub("_", code).strip("'") or "施策"
    base = base[:31]
    name, n = base, 2
    while name in taken or name in _RESERVED:
        suffix = f"({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def cell_value(v: Value) -> str | Decimal | None:
    """What a sheet cell shows for a value: a number, 「—」, a text, or nothing."""
    if v.is_blank:
        return None
    if v.is_number:
        return v.number
    return v.display()


@dataclass(frozen=True)
class SheetPage:
    """One measure's sheet: title, sign-off boxes, the parts, the running header and where the
    measure is in the payload (its bound numbers point below it)."""

    title: str
    sign_off: Row | None
    parts: Sequence[Part]
    header: tuple[str, str, str]
    payload_path: tuple[str | int, ...] | None = None
    landscape: bool = False  # an A4 landscape page, as the PDF prints this measure kind

    @property
    def width(self) -> float:
        return LANDSCAPE_CONTENT_WIDTH if self.landscape else CONTENT_WIDTH


class UnbrokenText(TextBox):
    """Cells for a worksheet: the text is not broken into the PDF's lines (Excel wraps it itself),
    which spares the font measuring a printed sheet needs."""

    def lines(self, text: str, width: float, style: Style) -> list[str]:
        return (text or "").split("\n") if text else []


def _hex(c: Color | None) -> str | None:
    return None if c is None else c.hexval()[2:].upper()


_LABEL_FILLS = {_hex(LABEL_FILL), _hex(HEAD_FILL)}


def _is_label(cell: Cell) -> bool:
    return _hex(cell.style.fill) in _LABEL_FILLS


def cell_text(cell: Cell) -> str:
    """What a cell shows: its whole text (the printed lines joined when it was not made from one)."""
    return cell.text if cell.text is not None else "\n".join(cell.lines)


def _drawn(row: Row) -> bool:
    """A row a worksheet can show: a row of charts is left out (a signed workbook has no drawings)."""
    return all(c.graphic is None for c in row.cells)


class _Grid:
    """The columns of a sheet: every cell edge of every row, narrow gaps joined."""

    def __init__(
        self, rows: Sequence[tuple[float, Row]], min_col: float = MIN_COL_PT, width: float = CONTENT_WIDTH
    ):
        raw = {0.0, round(width, 1)}
        for x0, row in rows:
            x = x0
            for c in row.cells:
                raw.add(round(x, 1))
                x += c.width
                raw.add(round(x, 1))
        kept: list[float] = []
        for e in sorted(raw):
            if not kept or e - kept[-1] >= min_col:
                kept.append(e)
            elif e >= width - 0.5:
                kept[-1] = e  # the right edge always stays
        self.edges = kept
        # Excel: a column of width w is 7w + 5 pixels of 0.75 pt (the default font's digit)
        self.widths = [max(0.6, ((b - a) / 0.75 - 5) / 7) for a, b in itertools.pairwise(kept)]

    def col(self, x: float) -> int:
        """The 1-based column starting nearest to ``x``."""
        i = bisect.bisect_left(self.edges, x)
        if i > 0 and (i == len(self.edges) or x - self.edges[i - 1] <= self.edges[i] - x):
            i -= 1
        return i + 1

    def units(self, col: int, end: int) -> float:
        return sum(self.widths[col - 1 : end - 1])

    def fits(self, rows: Sequence[tuple[float, Row]]) -> bool:
        """Every cell of every row keeps a column of its own."""
        for x0, row in rows:
            x, last = x0, 0
            for c in row.cells:
                col, end = self.col(x), self.col(x + c.width)
                if col <= last or end <= col:
                    return False
                x, last = x + c.width, col
        return True


def _spans(grid: _Grid, x0: float, row: Row) -> list[tuple[int, int, Cell]]:
    """The columns [col, end) of each cell of ``row`` that keeps a column of its own."""
    spans: list[tuple[int, int, Cell]] = []
    x = x0
    for cell in row.cells:
        col, end = grid.col(x), grid.col(x + cell.width)
        x += cell.width
        if end <= col:
            end = col + 1
        if spans and col < spans[-1][1]:  # joined into the cell before it
            continue
        spans.append((col, end, cell))
    return spans


_Key = tuple[int, int]  # (id of the row, first column): a cell where it stands in the part


class _Joins:
    """Cells that continue the cell above (``Cell.joined_above``) over the same columns: one merged
    range from the first of them (the anchor, which shows all their texts) down to the last."""

    def __init__(self, grid: _Grid, rows: Sequence[Row]):
        self.anchor_of: dict[_Key, _Key] = {}  # a joined cell -> the cell at the top of its range
        self.texts: dict[_Key, list[str]] = {}  # an anchor -> the texts of its range, top down
        above: dict[tuple[int, int], _Key] = {}
        for row in rows:
            here: dict[tuple[int, int], _Key] = {}
            for col, end, cell in _spans(grid, 0.0, row) if row.cells else []:
                key = (id(row), col)
                anchor = above.get((col, end)) if cell.joined_above and row.border else None
                if anchor is None:
                    anchor = key
                    self.texts[key] = [cell_text(cell)]
                else:
                    self.anchor_of[key] = anchor
                    self.texts[anchor].append(cell_text(cell))
                here[(col, end)] = anchor
            above = here
        self.texts = {k: v for k, v in self.texts.items() if len(v) > 1}

    def text(self, key: _Key, cell: Cell) -> str:
        got = self.texts.get(key)
        return cell_text(cell) if got is None else "\n".join(t for t in got if t)

    def rows(self, key: _Key) -> int:
        """How many rows the range of an anchor covers (1 for a cell on its own)."""
        return len(self.texts.get(key, ())) or 1


def _grid(rows: Sequence[tuple[float, Row]], width: float = CONTENT_WIDTH) -> _Grid:
    """The coarsest grid on which no cell loses its column (a narrow cell, a part with many
    columns: finer)."""
    for min_col in (MIN_COL_PT, 12.0, MIN_COL_PT_FLOOR):
        grid = _Grid(rows, min_col, width)
        if grid.fits(rows):
            return grid
    return grid  # a cell narrower than Excel can show joins its neighbour


class _Drawer:
    def __init__(self, book: WorkbookBuilder, form: Form, grid: _Grid, base: tuple[str | int, ...] | None):
        self.book = book
        self.f = form
        self.ws = form.ws
        self.grid = grid
        self.base = base
        self.joins = _Joins(grid, [])
        self.merges: dict[_Key, tuple[int, int, int]] = {}  # an anchor -> its top row and columns
        self.shares: dict[_Key, int] = {}  # an anchor -> the lines of its text each of its rows holds

    def style(self, s: Style, *, number: bool, border: bool) -> object:
        fill = _hex(s.fill)
        if fill == "FFFFFF":
            fill = None
        valign = "center" if s.valign == "middle" else "top"
        name = f"grid:{s.size}:{s.bold}:{s.align}:{valign}:{number}:{fill}:{border}"
        return self.book.style_array(
            name,
            lambda: (
                Font(name=FONT, size=s.size, bold=s.bold),
                Alignment(horizontal=s.align, vertical=valign, wrap_text=not number),
                PatternFill("solid", fgColor=fill) if fill else None,
                border,
            ),
        )

    def box(
        self,
        col: int,
        end: int,
        text: str,
        s: Style,
        *,
        border: bool,
        label: str | None,
        number: Decimal | None = None,
        path: tuple[str | int, ...] | None = None,
    ) -> None:
        """Write one cell over columns [col, end) and bind it (``label`` None: a label or heading)."""
        r = self.f.row
        value: str | Decimal | None = text
        bound_path = None
        if number is not None and _NUMBER.match(text):
            shown = Decimal(text.replace(",", ""))
            if shown == number:
                value = shown  # the decimals as printed (「1,570.0」 stays 1570.0 with one place)
                if path is not None and render_number(number, number_format_of(number)) == text:
                    bound_path = (*self.base, *path) if self.base is not None else None
        arr = self.style(s, number=isinstance(value, Decimal), border=border)
        # the covered cells of a merged box carry its rules and fill (Excel draws them per cell)
        last = end if border or s.fill is not None else col + 1
        cells = self.ws._cells  # made here directly: ws.cell() costs a tenth of the export
        self.ws._current_row = max(self.ws._current_row, r)
        for c in range(col, last):
            cell = cells.get((r, c))
            if cell is None:
                cell = cells[(r, c)] = OpenpyxlCell(self.ws, row=r, column=c)
            # the first cell gets its own copy (writing a number sets its format in place); the
            # covered cells share one, nobody writes to them
            cell._style = copy(arr) if c == col else arr
        if end - col > 1:
            # openpyxl writes a merge as str(range): its text is all it needs, and making thousands
            # of CellRange objects costs a tenth of the export
            self.ws.merged_cells.ranges.add(f"{get_column_letter(col)}{r}:{get_column_letter(end - 1)}{r}")
        self.book.put(
            self.ws, r, col, None if value == "" else value, label=label, path=bound_path, widen=False
        )

    def lines_needed(self, text: str, col: int, end: int, size: float) -> int:
        if not text:
            return 0
        return len(wrap_spans(safe_text(text), (self.grid.units(col, end) - 0.6) * 10.0 / size))

    def _plan(
        self, x0: float, row: Row
    ) -> tuple[
        list[tuple[int, int, Cell]],
        list[_Key],
        list[_Key | None],
        list[list[str]],
        list[float],
        list[int],
    ]:
        """How ``row`` is written, without writing it: its cells' columns and keys, the anchor each
        joined cell continues, the texts of each worksheet row it takes, their heights, and the
        lines each cell needs."""
        spans = _spans(self.grid, x0, row)
        joins = self.joins
        keys = [(id(row), col) for col, _, _ in spans]
        covered = [joins.anchor_of.get(k) for k in keys]
        texts = [
            "" if c.graphic is not None or under is not None else safe_text(joins.text(k, c))
            for (_, _, c), k, under in zip(spans, keys, covered, strict=True)
        ]
        # a merged range's text shares the height of its rows (each row as tall as its part of it)
        need = [
            self.shares.get(under, 0)
            if under is not None
            else -(-self.lines_needed(t, a, b, c.style.size) // joins.rows(k))
            for (a, b, c), t, k, under in zip(spans, texts, keys, covered, strict=True)
        ]
        line_pt = [LINE * c.style.size for _, _, c in spans]
        height = max(
            [row.min_height, 6.0, *(lp + PAD_PT for lp in line_pt)]
            + [n * lp + PAD_PT for n, lp in zip(need, line_pt, strict=True)]
        )
        if height <= MAX_ROW_PT:
            return spans, keys, covered, [texts], [height], need
        merged = {i for i, k in enumerate(keys) if covered[i] is not None or joins.rows(k) > 1}
        chunks, heights = self._split(spans, texts, need, line_pt, merged)
        return spans, keys, covered, chunks, heights, need

    def height(self, row: Row) -> float:
        """The points ``row`` takes on the worksheet."""
        return sum(self._plan(0.0, row)[4]) if row.cells else max(6.0, row.min_height)

    def row(
        self,
        x0: float,
        row: Row,
        heading: str,
        header: dict[int, str] | None,
        is_header: bool,
        *,
        data: bool = True,
    ) -> None:
        """One printed row as one worksheet row (or several when its text is taller than a row); its
        values are bound under the nearest label to their left and their column's heading (else the
        part's heading), or all its cells as shown text when not ``data``."""
        spans, keys, covered, chunks, heights, need = self._plan(x0, row)
        joins = self.joins
        for i, k in enumerate(keys):
            if joins.rows(k) > 1:
                self.shares[k] = need[i]
        # a value's label: the nearest label to its left (and the heading of its column, below)
        row_labels: list[str] = []
        last = ""
        for _, _, c in spans:
            row_labels.append(last)
            if _is_label(c):
                last = cell_text(c).replace("\n", "")
        for part_no, (chunk, h) in enumerate(zip(chunks, heights, strict=True)):
            for (col, end, cell), text, row_label, key, under in zip(
                spans, chunk, row_labels, keys, covered, strict=True
            ):
                if under is not None and under not in self.merges:
                    # its range was closed by a page break (a header row repeated between): this
                    # cell starts the range again, empty (the text is at the top of the first)
                    self.box(col, end, "", cell.style, border=row.border, label=None)
                    self.merges[under] = (self.f.row, col, end)
                    continue
                if under is not None or (part_no > 0 and joins.rows(key) > 1):
                    self.extend(under or key, cell.style, border=row.border)
                    continue
                label = None
                if data and not is_header and not _is_label(cell):
                    col_head = header.get(col, "") if header else ""
                    label = " ".join(t for t in (row_label, col_head) if t) or heading
                    if len(chunks) > 1:
                        label += f"（{part_no + 1}/{len(chunks)}）"
                self.box(
                    col,
                    end,
                    text,
                    cell.style,
                    border=row.border,
                    label=label,
                    number=cell.number if part_no == 0 else None,
                    path=cell.path,
                )
                if joins.rows(key) > 1:
                    self.merges[key] = (self.f.row, col, end)
            self.f.advance(h)

    def extend(self, anchor: _Key, s: Style, *, border: bool) -> None:
        """Continue the merged range of ``anchor`` down to this row (its cells carry the rules)."""
        top, col, end = self.merges[anchor]
        r = self.f.row
        arr = self.style(s, number=False, border=border)
        for c in range(col, end):
            cell = self.ws._cells.get((r, c))
            if cell is None:
                cell = self.ws._cells[(r, c)] = OpenpyxlCell(self.ws, row=r, column=c)
            cell._style = arr
        self.ws._current_row = max(self.ws._current_row, r)
        ranges = self.ws.merged_cells.ranges
        left, right = get_column_letter(col), get_column_letter(end - 1)
        for prev in (f"{left}{top}:{right}{top}", f"{left}{top}:{right}{r - 1}"):
            ranges.discard(prev)
        ranges.add(f"{left}{top}:{right}{r}")

    def _split(
        self,
        spans: list[tuple[int, int, Cell]],
        texts: list[str],
        need: list[int],
        line_pt: list[float],
        merged: set[int],
    ) -> tuple[list[list[str]], list[float]]:
        """A row too tall for one worksheet row: its tallest text over several rows, cut at line ends;
        the other cells in the first row (a label again, marked 「（続き）」, on the next; a merged
        range's text stays whole in its range, which grows down these rows)."""
        k = max(
            [i for i in range(len(spans)) if i not in merged] or range(len(spans)),
            key=lambda i: need[i] * line_pt[i],
        )
        col, end, cell = spans[k]
        per_row = max(1, int((MAX_ROW_PT - PAD_PT) // line_pt[k]))
        lines = wrap_spans(texts[k], (self.grid.units(col, end) - 0.6) * 10.0 / cell.style.size)
        groups = [lines[i : i + per_row] for i in range(0, len(lines), per_row)]
        chunks: list[list[str]] = []
        heights: list[float] = []
        for gi, group in enumerate(groups):
            row_texts = []
            for i, (_, _, c) in enumerate(spans):
                if i == k:
                    row_texts.append(texts[k][group[0][0] : group[-1][1]])
                elif gi == 0:
                    row_texts.append(texts[i])
                else:
                    cont = c.cont_lines
                    row_texts.append(f"{cont[0]}{CONT}" if cont else "")
            chunks.append(row_texts)
            heights.append(min(MAX_ROW_PT, len(group) * line_pt[k] + PAD_PT))
        return chunks, heights

    def band(self, text: str, s: Style, *, label: str | None, height: float) -> None:
        self.box(1, len(self.grid.widths) + 1, text, s, border=False, label=label)
        self.f.advance(height)


def _header_map(grid: _Grid, row: Row) -> dict[int, str]:
    out: dict[int, str] = {}
    x = 0.0
    for cell in row.cells:
        out[grid.col(x)] = cell_text(cell).replace("\n", "")
        x += cell.width
    return out


def _chains(rows: Sequence[Row]) -> list[list[Row]]:
    """Rows in groups that stay on one page: a row marked keep_with_next with the rows after it, a
    table's header row with its first row."""
    out: list[list[Row]] = []
    current: list[Row] = []
    for i, row in enumerate(rows):
        current.append(row)
        heads_next = i + 1 < len(rows) and rows[i + 1].header is row
        if not row.keep_with_next and not heads_next:
            out.append(current)
            current = []
    if current:
        out.append(current)
    return out


def draw_parts(book: WorkbookBuilder, sheet_name: str, page: SheetPage) -> None:
    """Draw ``page`` on a new worksheet ``sheet_name``."""
    sign = page.sign_off
    sign_x = page.width - sum(c.width for c in sign.cells) if sign is not None else 0.0
    parts = [(p.heading, [r for r in p.rows if _drawn(r)]) for p in page.parts]
    parts = [(h, rows) for h, rows in parts if any(r.cells for r in rows)]
    placed = [(0.0, r) for _, rows in parts for r in rows]
    if sign is not None:
        placed.append((sign_x, sign))
    grid = _grid(placed, page.width)
    form = Form(book, sheet_name, grid.widths, landscape=page.landscape, title_rows="1:2", header=page.header)
    d = _Drawer(book, form, grid, page.payload_path)
    d.band(page.title, TITLE, label="表題", height=30)
    if sign is not None:  # the cover's 作成者 / 所属長確認 again, bound as shown text
        d.row(sign_x, sign, "", None, False, data=False)
    else:
        form.advance(6)
    for heading, rows in parts:
        headers = {id(r.header): _header_map(grid, r.header) for r in rows if r.header is not None}
        header_ids = {id(r.header) for r in rows if r.header is not None}
        d.joins = _Joins(grid, rows)
        form.advance(8)
        for n, chain in enumerate(_chains(rows)):
            top = chain[0].header
            if n > 0 and top is not None and all(r is not top for r in chain):
                block = sum(d.height(r) for r in chain)
                if form.breaks_before(block):
                    # a table continued on a new page: its heading marked 「（続き）」 and its
                    # header row again, as on the printed sheet (print titles are the same on
                    # every page of a worksheet, so they cannot do this)
                    form.page_break()
                    d.merges.clear()
                    d.band(heading + CONT, HEADING, label=None, height=20)
                    d.row(0.0, top, heading, None, True)
            with form.keep_together():
                if n == 0:
                    d.band(heading, HEADING, label=None, height=20)
                for row in chain:
                    if not row.cells:
                        form.advance(max(6.0, row.min_height))
                        continue
                    hdr = headers.get(id(row.header)) if row.header is not None else None
                    d.row(0.0, row, heading, hdr, id(row) in header_ids)
