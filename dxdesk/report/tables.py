"""Parts of a sheet that are tables of figures — 事業費, 指標 and the indicator charts — and what every
part builder shares: cell styles, label/text pairs, the table base class.

Columns appear where the data has something to show (a 基準値 column only when an indicator has a
baseline, a 県支出金 row only when one is entered), so one builder fits every seed format. Rates come
from ``dxdesk.domain.rates``; nothing is computed here.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal

from reportlab.lib.colors import Color

from dxdesk.domain.enums import Direction, IndicatorKind
from dxdesk.domain.fiscal import fy_label
from dxdesk.domain.rates import achievement_rate
from dxdesk.domain.sheet import CostData, IndicatorData
from dxdesk.domain.values import NA_MARK, Value, ValueKind, format_decimal, format_rate, format_value
from dxdesk.report.charts import IndicatorChart, chartable
from dxdesk.report.layout import (
    HEAD_FILL,
    MUTED_FILL,
    Cell,
    Row,
    Style,
    TextBox,
    head_style,
    label_style,
)
from dxdesk.report.model import SheetModel
from dxdesk.report.options import PrintOptions, year_short
from dxdesk.report.pages import CONTENT_WIDTH

__all__ = ["LABEL_W", "TableParts"]

W = CONTENT_WIDTH
TEXT = Style(size=8.2)
SMALL = Style(size=7.6)
NUM = Style(size=7.8, align="right", valign="middle")
CENTER = Style(size=7.8, align="center", valign="middle")
LABEL = label_style()
HEAD = head_style()
CURRENT_FILL = Color(1.0, 0.97, 0.84)  # the evaluated year's column
CURRENT_HEAD = Style(size=7.6, align="center", valign="middle", fill=Color(0.97, 0.89, 0.62))
LABEL_W = 78.0


def _amount(d: Decimal | None) -> str:
    return "" if d is None else format_decimal(d)


MAX_YEAR_W = 80.0  # widest year column of an indicator table that shows a few years


class TableParts:
    """Cells and pairs for every part; the 事業費 and 指標 parts and the charts."""

    def __init__(self, options: PrintOptions, text: TextBox, period: tuple[int | None, int | None]):
        self.o = options
        self.t = text
        self.period = period

    # --- helpers ------------------------------------------------------------------------------
    def cell(self, text: str, width: float, style: Style = TEXT, *, cont: bool = False) -> Cell:
        return self.t.cell(text, width, style, cont=cont)

    def pair(self, label: str, value: str, *, label_w: float = LABEL_W, style: Style = TEXT) -> Row:
        """A label cell and a text cell across the whole width (splits over pages)."""
        return Row([self.cell(label, label_w, LABEL, cont=True), self.cell(value, W - label_w, style)])

    # --- 事業費 ---------------------------------------------------------------------------------
    _COST_ROWS: tuple[tuple[str, bool, str], ...] = (
        ("budget", True, ""),
        ("settlement", True, ""),
        ("fund_general", True, "　うち"),
        ("fund_national", True, "　うち"),
        ("fund_prefecture", True, "　うち"),
        ("fund_bonds", True, "　うち"),
        ("fund_other", True, "　うち"),
        ("personnel_cost", True, ""),
        ("staff_ratio", False, ""),
        ("overtime_hours", False, ""),
        ("part_time_staff", False, ""),
    )

    def costs(self, m: SheetModel) -> list[Row]:
        o = self.o
        fy = m.fiscal_year
        costs = m.snapshot.costs
        years = o.cost_years(fy, set(costs))
        rows: list[Row] = []
        unit = o.settings.cost_unit
        if years:
            label_w = 150.0
            col = (W - label_w) / len(years)
            by_kind = o.cost_year_labels
            header = Row(
                [self.cell("区分", label_w, HEAD)]
                + [
                    self.cell(
                        by_kind[y > fy].replace("{year}", year_short(y)) if by_kind else fy_label(y),
                        col,
                        (CURRENT_HEAD if y == fy else HEAD),
                    )
                    for y in years
                ]
            )
            rows.append(header)
            for key, money, prefix in self._COST_ROWS:
                if not o.shown(key) or (by_kind and key == "budget"):
                    continue
                if by_kind and key == "settlement":
                    # one 事業費 row: the settlement of a past year, the budget (計画) of a coming one
                    keys = ["budget" if y > fy else "settlement" for y in years]
                else:
                    keys = [key] * len(years)
                values = [getattr(costs.get(y, CostData(y)), k) for y, k in zip(years, keys, strict=True)]
                if all(v is None for v in values):
                    continue
                label = f"{prefix}{o.label(key)}" + (f"（{unit}）" if money else "")
                cells = [self.cell(label, label_w, LABEL)]
                for y, v, k in zip(years, values, keys, strict=True):
                    text = v if isinstance(v, str) else _amount(v)
                    style = NUM if not isinstance(v, str) else CENTER
                    if y == fy:
                        style = Style(size=style.size, align=style.align, valign="middle", fill=CURRENT_FILL)
                    cells.append(self.cell(text or "", col, style))
                    if isinstance(v, Decimal):
                        cells[-1].number, cells[-1].path = v, ("costs", str(y), k)
                rows.append(Row(cells, header=header))
            note = costs.get(fy, CostData(fy)).execution_note
            if note and o.shown("execution_note"):
                rows.append(self.pair(o.label("execution_note"), note, label_w=label_w))
        items = [i for i in m.cost_items if not years or years[0] <= i.fiscal_year <= years[-1]] or list(
            m.cost_items
        )
        if items and o.shown("cost_items"):
            widths = (60.0, 50.0, W - 60 - 50 - 2 * 90, 90.0, 90.0)
            header = Row(
                [
                    self.cell(t, w, HEAD)
                    for t, w in zip(
                        (
                            "年度",
                            "区分",
                            o.label("cost_items"),
                            f"{o.label('budget')}（{unit}）",
                            f"{o.label('settlement')}（{unit}）",
                        ),
                        widths,
                        strict=True,
                    )
                ]
            )
            rows.append(header)
            for it in items:
                kind = {"expense": "支出", "funding": "財源"}.get(it.category, it.category)
                rows.append(
                    Row(
                        [
                            self.cell(fy_label(it.fiscal_year), widths[0], CENTER),
                            self.cell(kind, widths[1], CENTER),
                            self.cell(it.label, widths[2]),
                            self.cell(_amount(it.budget), widths[3], NUM),
                            self.cell(_amount(it.settlement), widths[4], NUM),
                        ],
                        header=header,
                    )
                )
        return rows

    # --- 指標 -----------------------------------------------------------------------------------
    def _years(self, m: SheetModel) -> list[int]:
        return self.o.indicator_years(m.fiscal_year, self.period)

    def _shown_indicators(self, m: SheetModel) -> list[IndicatorData]:
        fy = m.fiscal_year
        inds = sorted(m.snapshot.indicators, key=lambda i: i.order)
        # an indicator replaced before the window (KPI変更) is history, not part of this sheet
        years = self._years(m)
        return [i for i in inds if i.active_in(fy) or any(i.active_in(y) for y in years)]

    def _value(self, v: Value, ind: IndicatorData, style_num: Style = NUM) -> tuple[str, Style]:
        if v.kind is ValueKind.NUMBER:
            return format_value(v, ind.decimals, ind.unit), style_num
        if v.kind in (ValueKind.NA, ValueKind.ACHIEVED, ValueKind.NOT_ACHIEVED):
            return v.display(), CENTER
        return v.display(), SMALL

    def _with_year(self, v: Value, ind: IndicatorData, fy: int | None, *, with_unit: bool = False) -> str:
        if not v.is_entered:
            return ""
        text = format_value(v, ind.decimals, ind.unit, with_unit=with_unit)
        return f"{text}（{year_short(fy)}）" if fy else text

    def indicators(self, m: SheetModel) -> list[Row]:
        inds = self._shown_indicators(m)
        if not inds:
            return []
        years = self._years(m)
        yearly = any(
            i.years.get(y) and (i.years[y].target.is_entered or i.years[y].actual.is_entered)
            for i in inds
            for y in years
        )
        if not yearly:
            return self._indicators_compact(m, inds)
        o = self.o
        fy = m.fiscal_year
        has_base = o.shown("baseline") and any(i.baseline.is_entered for i in inds)
        has_final = o.shown("final_target") and any(i.final_target.is_entered for i in inds)
        label_w = 50.0
        extra_w = 64.0
        extras = int(has_base) + int(has_final)
        col = (W - label_w - extras * extra_w) / len(years)
        rows: list[Row] = []
        # note labels span the label column and the first year, so the rules line up with the table
        for n, ind in enumerate(inds, start=1):
            ind_years = self._entered_years(ind, years, fy) if o.entered_years_only else years
            col = (W - label_w - extras * extra_w) / len(ind_years)
            filler = 0.0
            if col > MAX_YEAR_W:  # a few years: columns of the usual width, the rest left blank
                filler = (col - MAX_YEAR_W) * len(ind_years)
                col = MAX_YEAR_W
            note_w = label_w + col if label_w + col <= 130 else label_w + 30
            unit = f"（{ind.unit}）" if ind.unit else ""
            flags = []
            if ind.reference_only or ind.is_reference(fy):
                flags.append("参考指標")
            if ind.cumulative:
                flags.append("累計")
            if not ind.active_in(fy):
                flags.append(f"{year_short(fy)}は対象外（KPI変更）")
            # the indicator's place in the measure (its payload path in a submission workbook)
            k = next((i for i, x in enumerate(m.snapshot.indicators) if x is ind), None)
            kind = o.indicator_kind(IndicatorKind(ind.kind).value)
            direction = Direction(ind.direction).label
            name = f"{ind.name}{unit}" + (f"　［{'・'.join(flags)}］" if flags else "")
            title = Row(
                [
                    self.cell(str(n), 18, Style(size=8, align="center", valign="middle", fill=HEAD_FILL)),
                    self.cell(o.label("indicator"), label_w - 18 + 14, LABEL),
                    self.cell(name, W - label_w - 14 - 132, Style(size=8.4, valign="middle")),
                    self.cell(kind, 56, CENTER),
                    self.cell(direction, 76, CENTER),
                ],
                keep_with_next=True,
            )
            header_cells = [self.cell("区分", label_w, HEAD)]
            for y in ind_years:
                header_cells.append(
                    self.cell(f"{year_short(y)}年度", col, (CURRENT_HEAD if y == fy else HEAD))
                )
            if filler:
                header_cells.append(Cell(filler, [], Style(fill=MUTED_FILL)))
            if has_base:
                header_cells.append(self.cell(o.label("baseline"), extra_w, HEAD))
            if has_final:
                header_cells.append(self.cell(o.label("final_target"), extra_w, HEAD))
            header = Row(header_cells, keep_with_next=True)
            body: list[Row] = [title, header]
            for kind_key in o.indicator_rows:
                cells = [self.cell(o.label(kind_key), label_w, LABEL)]
                for y in ind_years:
                    iy = ind.year(y)
                    if kind_key == "rate":
                        target = (
                            iy.target
                            if (iy.target.is_entered or o.settings.yearly_targets)
                            else ind.final_target
                        )
                        text = ""
                        if iy.actual.is_entered and ind.active_in(y):
                            r = achievement_rate(ind.direction, target, iy.actual, ind.baseline)
                            text = format_rate(r.rate, o.rate_decimals) if r.rate is not None else NA_MARK
                        style = NUM
                    else:
                        value = iy.target if kind_key == "target" else iy.actual
                        text, style = self._value(value, ind)
                    fill = MUTED_FILL if not ind.active_in(y) else CURRENT_FILL if y == fy else None
                    if fill is not None:
                        style = Style(size=style.size, align=style.align, valign=style.valign, fill=fill)
                    cells.append(self.cell(text, col, style))
                    if kind_key != "rate" and value.is_number and k is not None:
                        cells[-1].number = value.number
                        cells[-1].path = ("indicators", k, "values", str(y), kind_key)
                if filler:
                    cells.append(Cell(filler, [], Style(fill=MUTED_FILL)))
                first = kind_key == o.indicator_rows[0]
                if has_base:
                    cells.append(
                        self.cell(
                            self._with_year(ind.baseline, ind, ind.baseline_fy) if first else "",
                            extra_w,
                            SMALL if first else Style(fill=MUTED_FILL),
                        )
                    )
                if has_final:
                    cells.append(
                        self.cell(
                            self._with_year(ind.final_target, ind, ind.final_target_fy) if first else "",
                            extra_w,
                            SMALL if first else Style(fill=MUTED_FILL),
                        )
                    )
                body.append(Row(cells, header=header, keep_with_next=True))
            notes = [
                self.pair(o.label(key), text, label_w=note_w, style=SMALL)
                for key, text in (
                    ("indicator_note", ind.note),
                    ("rationale", ind.rationale),
                    ("value_note", ind.year(fy).note),
                )
                if text and o.shown(key)
            ]
            if body:
                body[-1].keep_with_next = bool(notes)  # the first note stays with its table
            if n > 1:
                rows.append(Row([], min_height=5, border=False, keep_with_next=True))
            rows += body + notes
        return rows

    @staticmethod
    def _entered_years(ind: IndicatorData, years: Sequence[int], fy: int) -> list[int]:
        """The years of ``years`` in which the indicator has a target or an actual, and the sheet's."""
        entered = [
            y
            for y in years
            if y == fy
            or (ind.years.get(y) and (ind.years[y].target.is_entered or ind.years[y].actual.is_entered))
        ]
        return entered or list(years)

    def _indicators_compact(self, m: SheetModel, inds: Sequence[IndicatorData]) -> list[Row]:
        """Baseline and target only (a plan without yearly figures: 現状（R5）→ 目標値（R8））."""
        o = self.o
        widths = (18.0, W - 18 - 3 * 110, 110.0, 110.0, 110.0)
        header = Row(
            [
                self.cell(t, w, HEAD)
                for t, w in zip(
                    (
                        "No",
                        o.label("indicator"),
                        o.label("baseline"),
                        o.label("final_target"),
                        o.label("actual"),
                    ),
                    widths,
                    strict=True,
                )
            ]
        )
        rows = [header]
        fy = m.fiscal_year
        for n, ind in enumerate(inds, start=1):
            actual = ind.year(fy).actual
            rows.append(
                Row(
                    [
                        self.cell(str(n), widths[0], CENTER),
                        self.cell(ind.name, widths[1]),
                        self.cell(
                            self._with_year(ind.baseline, ind, ind.baseline_fy, with_unit=True),
                            widths[2],
                            SMALL,
                        ),
                        self.cell(
                            self._with_year(ind.final_target, ind, ind.final_target_fy, with_unit=True),
                            widths[3],
                            SMALL,
                        ),
                        self.cell(
                            self._with_year(actual, ind, fy if actual.is_entered else None, with_unit=True),
                            widths[4],
                            SMALL,
                        ),
                    ],
                    header=header,
                )
            )
            for key, text in (("indicator_note", ind.note), ("rationale", ind.rationale)):
                if text and o.shown(key):
                    rows.append(self.pair(o.label(key), text, label_w=96, style=SMALL))
        return rows

    def charts(self, m: SheetModel) -> list[Row]:
        years = self._years(m)
        inds = [i for i in self._shown_indicators(m) if chartable(i, years)]
        if not inds:
            return []
        per_row = 3
        cw = W / per_row
        rows = []
        for k in range(0, len(inds), per_row):
            cells = []
            for n, ind in enumerate(inds[k : k + per_row], start=k + 1):
                chart = IndicatorChart(
                    self.t.font,
                    f"{n}. {ind.name}",
                    years,
                    ind,
                    m.fiscal_year,
                    target_label=self.o.label("target"),
                    actual_label=self.o.label("actual"),
                    width=cw - 8,
                )
                cells.append(Cell(cw, [], Style(pad=3), graphic=chart))
            while len(cells) < per_row:
                cells.append(Cell(cw, [], Style(pad=3)))
            rows.append(Row(cells, border=False))
        return rows
