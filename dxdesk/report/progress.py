"""The 進捗評価 part of an Akita-style sheet: the 自己評価 rows with the year's 【実績値】 and
【参考値】 printed in the grade's line, as the city's sheet has them (「B　…　【実績値】46.2%（R5）」).

The 参考値 is the indicator's note of the sheet's year (``values[fy].note``; a value computed on
another denominator), labelled with the plan's ``print_labels`` ``value_note``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from dxdesk.report.layout import Row
from dxdesk.report.model import SheetModel

if TYPE_CHECKING:
    from dxdesk.report.sheet import SheetBuilder

__all__ = ["progress", "progress_values"]


def progress_values(b: SheetBuilder, m: SheetModel) -> str:
    """「【実績値】46.2%（R5）　【参考値】…」 for the indicators shown on the sheet."""
    fy = m.fiscal_year
    inds = b._shown_indicators(m)
    ref = b.o.label("value_note")
    parts: list[str] = []
    for ind in inds:
        y = ind.year(fy)
        named = f"{ind.name}：" if len(inds) > 1 else ""
        if y.actual.is_entered:
            parts.append(f"【{b.o.label('actual')}】{named}{b._with_year(y.actual, ind, fy, with_unit=True)}")
        if y.note and b.o.shown("value_note"):
            parts.append(f"【{ref}】{y.note}")
    return "　".join(parts)


def progress(b: SheetBuilder, m: SheetModel) -> list[Row]:
    rows = b.evaluation(m)
    values = progress_values(b, m)
    if not values:
        return rows
    grade_label = b.o.label("grade")
    for i, row in enumerate(rows):
        if len(row.cells) == 3 and "".join(row.cells[0].lines) == grade_label:
            meaning = row.cells[2]
            extra = b.t.lines(values, meaning.width, meaning.style)
            # the whole text too: the submission workbook shows a cell's text, not its printed lines
            text = "\n".join(t for t in (meaning.text if meaning.text is not None else "", values) if t)
            cells = [*row.cells[:2], replace(meaning, lines=[*meaning.lines, *extra], text=text)]
            rows[i] = Row(cells, header=row.header, min_height=row.min_height)
            break
    return rows
