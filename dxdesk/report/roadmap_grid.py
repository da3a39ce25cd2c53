"""Parts of an action-plan sheet (Shizuoka 様式①) as plain ruled rows.

- ``situation`` (現状と目指す姿): the texts ``as_is`` / ``gap`` / ``to_be`` side by side, three columns
  headed with the plan's labels of those text fields.
- ``initiatives`` (主な取組とロードマップ): one block of rows per 取組 — 取組, 効果・KPI, 現状／目標値,
  then a column per fiscal year of the plan with that year's roadmap cell.

Where the data lives (no table of its own):

- the 取組 are the measure attribute ``initiatives``: one 取組 per line (「行政手続のオンライン化（1-1-2）」),
  numbered on the sheet in that order; the n-th 取組's 効果・KPI is the measure's n-th indicator (its
  name, 基準値 and 最終目標 with their years); a 取組 without an indicator has empty KPI cells;
- the roadmap cell of 取組 n in a year is that year's text ``roadmap_n`` (declared in the plan's
  ``text_fields``, typed in the section application's ロードマップ tab). One line per activity: the
  k-th lines of the years form one band of the grid, and the same activity in consecutive years is
  printed once across those years (one cell as wide as the years), as the published roadmap draws
  a bar.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from dxdesk.report.layout import Cell, Row
from dxdesk.report.model import SheetModel
from dxdesk.report.options import year_short
from dxdesk.report.tables import CENTER, CURRENT_HEAD, HEAD, SMALL, TEXT, W

if TYPE_CHECKING:
    from dxdesk.report.sheet import SheetBuilder

__all__ = ["initiative_names", "initiatives", "roadmap_lanes", "situation"]

SITUATION_FIELDS = ("as_is", "gap", "to_be")
INITIATIVE_W = 112.0
KPI_W = 104.0
VALUE_W = 80.0


def situation(b: SheetBuilder, m: SheetModel) -> list[Row]:
    """現状 (As-Is) | 課題 (Gap) | 目指す姿 (To-Be), three columns of one row."""
    settings = b.o.settings
    specs = [settings.text_field(k) for k in SITUATION_FIELDS]
    labels = [s.label if s else k for s, k in zip(specs, SITUATION_FIELDS, strict=True)]
    col = W / 3
    header = Row([b.cell(label, col, HEAD) for label in labels], keep_with_next=True)
    body = Row([b.cell(m.snapshot.sheet.text(k), col, TEXT) for k in SITUATION_FIELDS], header=header)
    return [header, body]


def initiative_names(m: SheetModel) -> list[str]:
    raw = m.attributes.get("initiatives") or ""
    return [line.strip() for line in str(raw).splitlines() if line.strip()]


def roadmap_lanes(m: SheetModel, n: int, years: list[int]) -> list[list[str]]:
    """The bands of 取組 n: per band, the activity text of each year ("" where none)."""
    texts = [m.years[y].texts.get(f"roadmap_{n}", "") if y in m.years else "" for y in years]
    split = [t.rstrip().split("\n") if t.strip() else [] for t in texts]
    depth = max((len(s) for s in split), default=0)
    return [[(s[k].strip() if k < len(s) else "") for s in split] for k in range(depth)]


def _band_cells(b: SheetBuilder, lane: list[str], col: float) -> list[Cell]:
    """One band: consecutive years with the same activity become one cell across them."""
    cells: list[Cell] = []
    i = 0
    while i < len(lane):
        j = i + 1
        while lane[i] and j < len(lane) and lane[j] == lane[i]:
            j += 1
        cells.append(b.cell(lane[i], col * (j - i), SMALL))
        i = j
    return cells


def initiatives(b: SheetBuilder, m: SheetModel) -> list[Row]:
    """取組 | 効果・KPI | 現状／目標値 | R6年度 | R7年度 | R8年度 …, a block of rows per 取組."""
    names = initiative_names(m)
    inds = sorted(m.snapshot.indicators, key=lambda i: i.order)
    if not names and not inds:
        return []
    if not names:  # no 取組 listed: the indicators stand for them
        names = [i.name for i in inds]
    o = b.o
    fy = m.fiscal_year
    years = o.indicator_years(fy, b.period)
    col = (W - INITIATIVE_W - KPI_W - VALUE_W) / len(years)
    header = Row(
        [
            b.cell("取組", INITIATIVE_W, HEAD),
            b.cell("効果・KPI", KPI_W, HEAD),
            b.cell(f"{o.label('baseline')}\n{o.label('final_target')}", VALUE_W, HEAD),
        ]
        + [b.cell(f"{year_short(y)}年度\n（{y}）", col, CURRENT_HEAD if y == fy else HEAD) for y in years],
        keep_with_next=True,
    )
    rows = [header]
    for n, name in enumerate(names, start=1):
        ind = inds[n - 1] if n - 1 < len(inds) else None
        kpi = ind.name if ind else ""
        values = ""
        if ind is not None:
            values = "\n".join(
                v
                for v in (
                    b._with_year(ind.baseline, ind, ind.baseline_fy, with_unit=True),
                    b._with_year(ind.final_target, ind, ind.final_target_fy, with_unit=True),
                )
                if v
            )
        lanes = roadmap_lanes(m, n, years) or [[""] * len(years)]
        for k, lane in enumerate(lanes):
            first = k == 0
            left = [
                b.cell(f"{n}. {name}" if first else "", INITIATIVE_W, TEXT),
                b.cell(kpi if first else "", KPI_W, SMALL),
                b.cell(values if first else "", VALUE_W, CENTER if not first else SMALL),
            ]
            row = Row(
                left + _band_cells(b, lane, col),
                header=header,
                keep_with_next=k + 1 < len(lanes),
            )
            rows.append(row)
    return rows
