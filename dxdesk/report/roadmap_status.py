"""The 実施年度 of a project with its status per year and the status legend (Sasebo's 「重点課題の進捗状況」:
凡例 実施済 / 当年度実施 / 今後予定 / 検討).

Per fiscal year of the roadmap the 実施年度 mark (○ starts, ⇒ continues) and, below it, the status the
mark has in the sheet's year: 実施済 before it, 当年度実施 in it, 今後予定 after it, 検討 where the mark
says so (「検討」「△」). The status cells are shaded as on the published roadmap and a legend row
explains the shades. Words are the plan's (``print_labels`` ``status.done`` …).

Only plain rows and cells: the submission workbook renders the same parts.
"""

from __future__ import annotations

from reportlab.lib.colors import Color

from dxdesk.report.layout import Row, Style
from dxdesk.report.model import SheetModel
from dxdesk.report.options import year_short
from dxdesk.report.tables import CURRENT_HEAD, HEAD, LABEL, TableParts

__all__ = ["STATUS_FILLS", "roadmap_status", "year_status"]

CONSIDERING_MARKS = frozenset({"検討", "△"})
STATUS_FILLS = {
    "status.done": Color(0.72, 0.72, 0.72),
    "status.current": Color(0.98, 0.78, 0.45),
    "status.planned": Color(0.74, 0.85, 0.95),
    "status.considering": Color(1.0, 1.0, 1.0),
}
LABEL_W = 70.0
MARK = Style(size=10, align="center", valign="middle")


def year_status(mark: str, year: int, fy: int) -> str | None:
    """The status key of a year's 実施年度 mark seen from the sheet's year (None: nothing planned)."""
    if not mark:
        return None
    if mark in CONSIDERING_MARKS:
        return "status.considering"
    if year < fy:
        return "status.done"
    return "status.current" if year == fy else "status.planned"


def roadmap_status(b: TableParts, m: SheetModel) -> list[Row]:
    o = b.o
    fy = m.fiscal_year
    width = o.content_width(m.snapshot.kind)
    marked = sorted(y for y, info in m.years.items() if info.roadmap_mark)
    if not marked:
        return []
    years = list(range(min(marked[0], fy), max(marked[-1], fy) + 1))
    col = (width - LABEL_W) / len(years)
    header = Row(
        [b.cell("区分", LABEL_W, HEAD)]
        + [b.cell(year_short(y), col, CURRENT_HEAD if y == fy else HEAD) for y in years]
    )
    marks = [m.years[y].roadmap_mark if y in m.years else "" for y in years]
    status = [year_status(mark, y, fy) for mark, y in zip(marks, years, strict=True)]
    rows = [
        header,
        Row(
            [b.cell(o.label("roadmap_mark"), LABEL_W, LABEL)] + [b.cell(mark, col, MARK) for mark in marks],
            header=header,
        ),
        Row(
            [b.cell(o.label("roadmap_status"), LABEL_W, LABEL)]
            + [
                b.cell(
                    o.label(key) if key else "",
                    col,
                    Style(size=7.4, align="center", valign="middle", fill=STATUS_FILLS[key] if key else None),
                )
                for key in status
            ],
            header=header,
        ),
    ]
    keys = list(STATUS_FILLS)
    legend_w = (width - LABEL_W) / len(keys)
    rows.append(
        Row(
            [b.cell("凡例", LABEL_W, LABEL)]
            + [
                b.cell(o.label(key), legend_w, Style(size=7.4, align="center", valign="middle", fill=fill))
                for key, fill in STATUS_FILLS.items()
            ]
        )
    )
    return rows
