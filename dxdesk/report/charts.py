"""A small target-versus-actual chart per indicator, drawn with reportlab graphics.

Bars are the actuals (grey, so they print well in black and white), the line with square markers is the
target; the evaluated year is marked under its axis label. Only numeric values are drawn: 「—」, blank
and qualitative cells leave gaps, never zeros. The chart is built from plain shapes rather than
reportlab's chart classes: the organisation report draws thousands of them, and the shapes render
about ten times faster with the same result.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from reportlab.graphics import renderPDF
from reportlab.graphics.shapes import Drawing, Line, PolyLine, Rect, String
from reportlab.lib.colors import Color

from dxdesk.domain.sheet import IndicatorData
from dxdesk.domain.values import format_decimal
from dxdesk.report.fonts import PrintFont
from dxdesk.report.options import year_short

__all__ = ["IndicatorChart", "chartable", "nice_ticks"]

BAR = Color(0.62, 0.66, 0.72)
TARGET = Color(0.12, 0.25, 0.45)
AXIS = Color(0.3, 0.3, 0.3)
GRID = Color(0.85, 0.85, 0.85)


def nice_ticks(lo: float, hi: float, count: int = 4, *, integer: bool = False) -> list[float]:
    """Round axis ticks from at or below ``lo`` to at or above ``hi`` (steps of 1, 2, 2.5, 5 × 10ⁿ;
    whole steps only when the values are counts)."""
    if hi <= lo:
        hi = lo + (abs(lo) or 1.0)
    raw = (hi - lo) / count
    base = 10 ** math.floor(math.log10(raw))
    step = base
    for m in (1, 2, 2.5, 5, 10):
        step = m * base
        if (integer and step < 1) or (integer and step != int(step)):
            continue
        if step * count >= hi - lo - 1e-12:
            break
    start = math.floor(lo / step + 1e-9) * step
    end = math.ceil(hi / step - 1e-9) * step
    n = max(1, round((end - start) / step))
    return [round(start + i * step, 10) for i in range(n + 1)]


def _num(v: Any) -> float | None:
    if v is not None and v.is_number:
        return float(v.number)
    return None


def chartable(ind: IndicatorData, years: Sequence[int]) -> bool:
    """Worth a chart: at least two numbers among the years' targets and actuals."""
    nums = [_num(ind.year(y).target) for y in years] + [_num(ind.year(y).actual) for y in years]
    return sum(1 for n in nums if n is not None) >= 2


def _tick_label(v: float) -> str:
    d = Decimal(str(v)).normalize()
    if d == d.to_integral():
        d = d.quantize(Decimal(1))
    return format_decimal(d)


@dataclass
class IndicatorChart:
    """A chart cell: ``draw_on(canvas, x, y)`` draws it with its lower left corner at (x, y)."""

    font: PrintFont
    title: str
    years: Sequence[int]
    ind: IndicatorData
    fiscal_year: int
    target_label: str = "目標"
    actual_label: str = "実績"
    width: float = 162.0
    height: float = 96.0

    def drawing(self) -> Drawing:
        f = self.font
        d = Drawing(self.width, self.height, initialFontName=f.name, initialFontSize=6.2)
        d.add(Rect(0, 0, self.width, self.height, fillColor=None, strokeColor=AXIS, strokeWidth=0.45))
        size = 6.2
        title = f.printable(self.title)
        while title and f.width(title, size + 0.4) > self.width - 4:
            title = title[:-2] + "…"
        d.add(String(2, self.height - 8, title, fontName=f.name, fontSize=size + 0.4))
        targets = [_num(self.ind.year(y).target) for y in self.years]
        actuals = [_num(self.ind.year(y).actual) for y in self.years]
        # without yearly targets the plan-end target is drawn as a dashed level
        final = _num(self.ind.final_target) if all(t is None for t in targets) else None
        values = [v for v in [*targets, *actuals, final] if v is not None]
        lo = min(0.0, *values) if values else 0.0
        hi = max(values) if values else 1.0
        ticks = nice_ticks(lo, hi, integer=all(v == int(v) for v in values))
        lo, hi = ticks[0], ticks[-1]
        labels = [_tick_label(t) for t in ticks]
        left = 4 + max(f.width(s, size) for s in labels)
        bottom = 20.0
        top = self.height - 14
        right = self.width - 4
        span = hi - lo or 1.0

        def y_of(v: float) -> float:
            return bottom + (v - lo) / span * (top - bottom)

        for t, s in zip(ticks, labels, strict=True):
            y = y_of(t)
            d.add(Line(left, y, right, y, strokeColor=GRID, strokeWidth=0.3))
            d.add(String(left - 2, y - 2, s, fontName=f.name, fontSize=size, textAnchor="end"))
        n = len(self.years)
        slot = (right - left) / max(n, 1)
        for i, y in enumerate(self.years):
            cx = left + slot * (i + 0.5)
            a = actuals[i]
            if a is not None:
                bw = slot * 0.5
                y0 = y_of(max(lo, 0.0))
                d.add(
                    Rect(
                        cx - bw / 2, min(y0, y_of(a)), bw, abs(y_of(a) - y0), fillColor=BAR, strokeColor=None
                    )
                )
            label = year_short(y)
            d.add(String(cx, bottom - 8, label, fontName=f.name, fontSize=size, textAnchor="middle"))
            if y == self.fiscal_year:
                d.add(
                    Line(
                        cx - slot * 0.35,
                        bottom - 10,
                        cx + slot * 0.35,
                        bottom - 10,
                        strokeColor=TARGET,
                        strokeWidth=0.8,
                    )
                )
        d.add(Line(left, bottom, right, bottom, strokeColor=AXIS, strokeWidth=0.5))
        run: list[float] = []
        for i, tv in enumerate(targets):
            cx = left + slot * (i + 0.5)
            if tv is None:
                if len(run) >= 4:
                    d.add(PolyLine(run, strokeColor=TARGET, strokeWidth=0.9))
                run = []
                continue
            run += [cx, y_of(tv)]
            d.add(Rect(cx - 1.4, y_of(tv) - 1.4, 2.8, 2.8, fillColor=TARGET, strokeColor=None))
        if len(run) >= 4:
            d.add(PolyLine(run, strokeColor=TARGET, strokeWidth=0.9))
        if final is not None:
            d.add(
                Line(
                    left,
                    y_of(final),
                    right,
                    y_of(final),
                    strokeColor=TARGET,
                    strokeWidth=0.9,
                    strokeDashArray=[3, 2],
                )
            )
        # legend
        ly = 3.0
        d.add(Rect(left, ly, 6, 4, fillColor=BAR, strokeColor=None))
        actual = f.printable(self.actual_label)
        d.add(String(left + 8, ly, actual, fontName=f.name, fontSize=size))
        lx = left + 12 + f.width(actual, size)
        d.add(Line(lx, ly + 2, lx + 8, ly + 2, strokeColor=TARGET, strokeWidth=0.9))
        d.add(Rect(lx + 2.6, ly + 0.6, 2.8, 2.8, fillColor=TARGET, strokeColor=None))
        d.add(String(lx + 10, ly, f.printable(self.target_label), fontName=f.name, fontSize=size))
        if self.ind.unit:
            d.add(
                String(
                    right,
                    ly,
                    f"単位：{f.printable(self.ind.unit)}",
                    fontName=f.name,
                    fontSize=size,
                    textAnchor="end",
                )
            )
        return d

    def draw_on(self, canvas: Any, x: float, y: float) -> None:
        renderPDF.draw(self.drawing(), canvas, x, y)
