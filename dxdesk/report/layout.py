"""The ruled-box layout of a management sheet: cells in rows, rows in titled parts, flowing over pages.

A :class:`Row` is one band of ruled cells across the page (a label cell and a text cell, or a line of a
table). Texts are broken into lines once, when the row is made (:mod:`dxdesk.report.linebreak`), so a
row knows its height. :class:`Flow` puts rows on pages from the top:

- a row that does not fit is split between its lines when it holds text (at least two lines on each
  side where possible); the rest continues on the next page under the part's heading marked 「（続き）」
  and, inside a table, the table's header row repeated;
- a row marked ``keep_with_next`` moves to the next page with the rows it belongs to (an indicator's
  name, year header, target and actual rows stay together);
- a part's heading never stays alone at the bottom of a page.

The same code counts pages without drawing (a :class:`~dxdesk.report.pages.PageSink` without canvas),
which is how a table of contents learns its page numbers.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any, Protocol

from reportlab.lib.colors import Color, black, white

from dxdesk.report.fonts import PrintFont
from dxdesk.report.linebreak import break_lines
from dxdesk.report.pages import (
    CONTENT_BOTTOM,
    MARGIN_X,
    PageSink,
    RunningHeader,
)

__all__ = ["CONT", "Cell", "Flow", "Graphic", "Row", "Style", "TextBox"]

CONT = "（続き）"
LABEL_FILL = Color(0.92, 0.92, 0.92)
HEAD_FILL = Color(0.84, 0.86, 0.89)
MUTED_FILL = Color(0.96, 0.96, 0.96)
RULE = Color(0.25, 0.25, 0.25)
LINE_FACTOR = 1.38  # leading = size × factor


class Graphic(Protocol):
    """Anything drawn inside a cell (a chart)."""

    width: float
    height: float

    def draw_on(self, canvas: Any, x: float, y: float) -> None: ...


@dataclass(frozen=True)
class Style:
    size: float = 8.0
    align: str = "left"  # left | right | center
    valign: str = "top"  # top | middle
    fill: Color | None = None
    bold: bool = False
    pad: float = 2.6
    color: Color = black

    @property
    def leading(self) -> float:
        return self.size * LINE_FACTOR


@dataclass
class Cell:
    width: float
    lines: list[str] = field(default_factory=list)
    style: Style = Style()
    graphic: Graphic | None = None
    # shown in the continuation part when all lines were used before the page break (labels)
    cont_lines: list[str] | None = None
    span: bool = False  # no border on the left (continues the cell before it visually)
    joined_above: bool = False  # no rule on top: continues the cell above (a merged cell in a workbook)
    # what the workbook renderer (dxdesk.exchange.measure_sheet) needs beyond the broken lines: the
    # whole text, and for a number the value shown and its place in the measure's dataset entry
    # (("indicators", 0, "values", "2026", "actual")), so the cell can be bound to the payload
    text: str | None = None
    number: Decimal | None = None
    path: tuple[str | int, ...] | None = None

    def height(self) -> float:
        s = self.style
        if self.graphic is not None:
            return self.graphic.height + 2 * s.pad
        return max(1, len(self.lines)) * s.leading + 2 * s.pad


@dataclass
class Row:
    cells: list[Cell]
    header: Row | None = None  # the table's header row, repeated when this row continues on a new page
    keep_with_next: bool = False
    min_height: float = 0.0
    border: bool = True

    def height(self) -> float:
        h: float | None = self.__dict__.get("_height")
        if h is None:
            h = max([self.min_height, *(c.height() for c in self.cells)])
            self.__dict__["_height"] = h
        return h

    def splittable(self) -> bool:
        return all(c.graphic is None for c in self.cells) and any(len(c.lines) > 1 for c in self.cells)

    def split(self, avail: float, min_lines: int = 2) -> tuple[Row, Row] | None:
        """Cut the row so that the first part fits ``avail`` points; None when it cannot be cut there."""
        if not self.splittable():
            return None
        longest = max(self.cells, key=lambda c: len(c.lines))
        s = longest.style
        fit = int((avail - 2 * s.pad) // s.leading)
        total = len(longest.lines)
        if total - fit < min_lines:  # keep at least two lines for the next page
            fit = total - min_lines
        if fit < min_lines or fit >= total:
            return None
        first_cells: list[Cell] = []
        rest_cells: list[Cell] = []
        for c in self.cells:
            k = int((fit * s.leading) // c.style.leading) if c.style.leading != s.leading else fit
            head, tail = c.lines[:k], c.lines[k:]
            first_cells.append(replace(c, lines=head))
            if not tail:
                tail = list(c.cont_lines) if c.cont_lines is not None else []
            rest_cells.append(replace(c, lines=tail))
        first = Row(first_cells, header=self.header, border=self.border)
        rest = Row(rest_cells, header=self.header, keep_with_next=self.keep_with_next, border=self.border)
        return first, rest


class TextBox:
    """Makes cells: breaks text into lines for a cell width, with the font's widths."""

    def __init__(self, font: PrintFont, missing: set[str] | None = None):
        self.font = font
        self.missing = missing if missing is not None else set()
        self._cache: dict[tuple[str, float, float], list[str]] = {}

    def lines(self, text: str, width: float, style: Style) -> list[str]:
        inner = width - 2 * style.pad
        key = (text, inner, style.size)
        got = self._cache.get(key)
        if got is None:
            printable = self.font.printable(text or "", self.missing)
            got = break_lines(printable, inner, self.font.widths(style.size))
            if len(text) < 200:  # short texts repeat (labels, years, values); long ones do not
                if len(self._cache) > 20_000:
                    self._cache.clear()
                self._cache[key] = got
        return list(got)

    def cell(self, text: str, width: float, style: Style, *, cont: bool = False) -> Cell:
        lines = self.lines(text, width, style)
        return Cell(
            width,
            lines,
            style,
            cont_lines=[*lines[:1], CONT][: 2 if lines else 0] if cont else None,
            text=text,
        )


# --- drawing --------------------------------------------------------------------------------------


def _draw_text(c: Any, font: PrintFont, cell: Cell, x: float, top: float, height: float) -> None:
    s = cell.style
    if not cell.lines:
        return
    size = s.size
    lead = s.leading
    ascent = size * 0.88
    block = len(cell.lines) * lead
    if s.valign == "middle":
        y = top - (height - block) / 2 - (lead - size) / 2 - ascent
    else:
        y = top - s.pad - (lead - size) / 2 - ascent
    if s.bold:  # faux bold (fill and stroke); the state is restored so later text stays regular
        c.saveState()
        c.setLineWidth(size * 0.035)
        c.setStrokeColor(s.color)
    t = c.beginText()
    t.setFont(font.name, size, lead)
    if s.color is not black:
        t.setFillColor(s.color)
    if s.bold:
        t.setTextRenderMode(2)
    if s.align == "left":
        # one origin, then line feeds: a few bytes per line instead of a text matrix
        t.setTextOrigin(x + s.pad, y)
        for line in cell.lines:
            t.textLine(line)
    else:
        inner = cell.width - 2 * s.pad
        for line in cell.lines:
            w = font.width(line.rstrip(), size)
            t.setTextOrigin(x + s.pad + (inner - w if s.align == "right" else (inner - w) / 2), y)
            t.textOut(line)
            y -= lead
    c.drawText(t)
    if s.bold:
        c.restoreState()


def draw_row(c: Any, font: PrintFont, row: Row, x: float, top: float, height: float) -> None:
    cx = x
    for cell in row.cells:
        if cell.style.fill is not None:
            c.setFillColor(cell.style.fill)
            c.rect(cx, top - height, cell.width, height, stroke=0, fill=1)
        if cell.joined_above and row.border:  # paint over the rule the row above drew at its foot
            c.setFillColor(cell.style.fill or white)
            c.rect(cx + 0.4, top - 0.6, cell.width - 0.8, 1.2, stroke=0, fill=1)
        cx += cell.width
    c.setFillColor(black)
    cx = x
    for cell in row.cells:
        if cell.graphic is not None:
            g = cell.graphic
            gx = cx + (cell.width - g.width) / 2
            g.draw_on(c, gx, top - cell.style.pad - g.height)
        else:
            _draw_text(c, font, cell, cx, top, height)
        cx += cell.width
    if row.border:
        c.setStrokeColor(RULE)
        c.setLineWidth(0.45)
        right = x + sum(cell.width for cell in row.cells)
        bottom = top - height
        rules = [(x, bottom, right, bottom), (right, top, right, bottom)]
        joined = any(cell.joined_above for cell in row.cells)
        if not joined:
            rules.append((x, top, right, top))
        cx = x
        for cell in row.cells:
            if not cell.span:
                rules.append((cx, top, cx, bottom))
            if joined and not cell.joined_above:
                rules.append((cx, top, cx + cell.width, top))
            cx += cell.width
        c.lines(rules)


# --- flowing rows over pages ----------------------------------------------------------------------


@dataclass
class Part:
    """A titled part of a sheet: heading and rows."""

    heading: str
    rows: Sequence[Row]


class Flow:
    """Puts parts on pages of a :class:`PageSink`, from top to bottom."""

    HEADING_SIZE = 9.5
    HEADING_GAP = 4.0
    PART_GAP = 7.0

    def __init__(self, sink: PageSink, font: PrintFont, header: RunningHeader):
        self.sink = sink
        self.font = font
        self.header = header
        self.y = sink.content_top
        self.x = MARGIN_X
        self.on_new_page: Callable[[], None] | None = None

    @property
    def room(self) -> float:
        return self.y - CONTENT_BOTTOM

    def new_page(self) -> None:
        self.sink.new_page(self.header)
        self.y = self.sink.content_top
        if self.on_new_page is not None:
            self.on_new_page()

    def space(self, points: float) -> None:
        self.y -= points

    def heading_height(self) -> float:
        return self.HEADING_SIZE * 1.5 + self.HEADING_GAP

    def draw_heading(self, text: str) -> None:
        c = self.sink.canvas
        h = self.heading_height()
        if c is not None:
            size = self.HEADING_SIZE
            base = self.y - size * 1.15
            c.setFillColor(Color(0.18, 0.29, 0.45))
            c.rect(self.x, base - 1.2, 3.2, size + 1.6, stroke=0, fill=1)
            c.saveState()
            t = c.beginText()
            t.setFont(self.font.name, size)
            t.setFillColor(black)
            t.setTextRenderMode(2)
            c.setLineWidth(0.3)
            c.setStrokeColor(black)
            t.setTextOrigin(self.x + 7, base)
            t.textOut(self.font.printable(text))
            c.drawText(t)
            c.restoreState()
        self.y -= h

    def draw(self, row: Row) -> None:
        h = row.height()
        if self.sink.canvas is not None:
            draw_row(self.sink.canvas, self.font, row, self.x, self.y, h)
        self.y -= h

    def _chain_height(self, rows: Sequence[Row], i: int) -> float:
        """Height of row i and the rows it is kept with (the last of them only up to two lines)."""
        total = 0.0
        j = i
        while j < len(rows):
            r = rows[j]
            if r.keep_with_next and j + 1 < len(rows):
                total += r.height()
                j += 1
                continue
            s = max((c.style.leading for c in r.cells), default=0)
            total += min(r.height(), 2 * s + 6) if r.splittable() else r.height()
            break
        return total

    def part(self, part: Part) -> None:
        rows = list(part.rows)
        if not rows:
            return
        need = self.heading_height() + self._chain_height(rows, 0)
        if self.room < need and self.y < self.sink.content_top - 1:
            self.new_page()
        self.draw_heading(part.heading)
        fresh = False  # only the continuation heading (and header row) drawn on this page so far
        i = 0
        while i < len(rows):
            row = rows[i]
            chain = self._chain_height(rows, i)
            if not fresh and chain > self.room and row.height() <= self.room:
                self._continue(part.heading, row.header)
                fresh = True
                continue
            if row.height() <= self.room + 0.01:
                self.draw(row)
                fresh = False
                i += 1
                continue
            pieces = row.split(self.room)
            if pieces is not None:
                first, rest = pieces
                self.draw(first)
                rows[i] = rest
            elif fresh or self.y >= self.sink.content_top - 1:
                # taller than a whole page and cannot be split (a huge chart): draw it clipped
                self.draw(row)
                fresh = False
                i += 1
                continue
            self._continue(part.heading, rows[i].header)
            fresh = True

    def _continue(self, heading: str, header_row: Row | None) -> None:
        self.new_page()
        self.draw_heading(heading + CONT)
        if header_row is not None:
            self.draw(header_row)


def label_style(size: float = 7.8) -> Style:
    return Style(size=size, fill=LABEL_FILL, valign="middle")


def head_style(size: float = 7.6, align: str = "center") -> Style:
    return Style(size=size, fill=HEAD_FILL, align=align, valign="middle")


WHITE = white
