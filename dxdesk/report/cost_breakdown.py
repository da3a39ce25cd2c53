"""Itemised cost parts of single formats, as plain ruled rows, from the measure's cost items
(``CostItem``: fiscal year, category ``expense`` | ``funding``, label, 予算額, 決算額).

- ``cost_lines`` (Shizuoka 様式② 経費): one line per kind of cost the plan names in its setting
  ``cost_lines`` (``[{"label": "導入経費"}, {"label": "運用経費", "per_year": true}]``): the amount of
  the latest expense item of that label (決算額, else 予算額) with the unit — 「13,365千円」,
  「3,888千円/年（R8）」. An item label may carry a note in brackets after the line's label
  (「運用経費（R8.3～）」): it is printed instead of the year. A line without an item stays, empty.
- ``cost_breakdown`` (Akita-style 事業費内訳): two tables side by side for the sheet's year — by
  expense item with 事業費計, and by funding source (特定財源 国 / 県 / 市債 / その他, 一般財源, 計) —
  then the texts 主な内容 (``cost_content``) and 特定財源の内訳 (``funding_note``). Funding items are
  read by their label (国庫支出金 is 国, 地方債 is 市債, an unknown source counts as その他); without
  funding items the year's 財源内訳 (settlement) of the 事業費 table is shown.

Totals are sums of the printed lines (Decimal), the only arithmetic here.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from dxdesk.domain.sheet import CostData
from dxdesk.domain.values import format_decimal
from dxdesk.report.errors import PrintError
from dxdesk.report.layout import Cell, Row, Style
from dxdesk.report.model import CostItemRow, SheetModel
from dxdesk.report.options import year_short
from dxdesk.report.tables import HEAD, LABEL, LABEL_W, NUM, TEXT, W

if TYPE_CHECKING:
    from dxdesk.report.sheet import SheetBuilder

__all__ = ["FUNDING_SOURCES", "cost_breakdown", "cost_lines", "funding_source"]

# printed source -> labels a funding item may have
FUNDING_SOURCES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("国", ("国", "国庫支出金", "国庫補助金", "国庫")),
    ("県", ("県", "県支出金", "県補助金")),
    ("市債", ("市債", "地方債")),
    ("その他", ("その他",)),
    ("一般財源", ("一般財源",)),
)
_COST_DATA_FIELD = {
    "国": "fund_national",
    "県": "fund_prefecture",
    "市債": "fund_bonds",
    "その他": "fund_other",
    "一般財源": "fund_general",
}
TOTAL_FILL = Style(size=NUM.size, align="right", valign="middle", bold=True)


def _amount(d: Decimal | None) -> str:
    return "" if d is None else format_decimal(d)


def _money(
    b: SheetBuilder, d: Decimal | None, width: float, style: Style, path: tuple[str | int, ...] | None = None
) -> Cell:
    """An amount as typed (「1,234」): in a submission workbook a numeric cell, bound to ``path`` in the
    measure's entry when the amount is one stored value (not a sum of items)."""
    cell = b.cell(_amount(d), width, style)
    if d is not None:
        cell.number, cell.path = d, path
    return cell


def _sum(values: Sequence[Decimal | None]) -> Decimal | None:
    got = [v for v in values if v is not None]
    return sum(got, Decimal(0)) if got else None


def funding_source(label: str) -> str:
    """The printed source of a funding item's label (「国庫支出金」 → 「国」)."""
    plain = label.strip()
    for source, names in FUNDING_SOURCES:
        if plain in names:
            return source
    return "その他"


# --- 経費 lines (Shizuoka 様式②) ---------------------------------------------------------------------
def _line_specs(raw: Any) -> list[tuple[str, bool]]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(x, Mapping) and x.get("label") for x in raw):
        raise PrintError(
            '計画の設定「cost_lines」は経費の行の一覧で指定してください（例：[{"label": "導入経費"}, '
            '{"label": "運用経費", "per_year": true}]）。'
        )
    return [(str(x["label"]), bool(x.get("per_year", False))) for x in raw]


def _matches(item: CostItemRow, label: str) -> str | None:
    """The note of ``item`` when it is a line of ``label`` (「運用経費（R8.3～）」 → 「R8.3～」), else None."""
    if item.category != "expense":
        return None
    if item.label == label:
        return ""
    if item.label.startswith(label + "（") and item.label.endswith("）"):
        return item.label[len(label) + 1 : -1]
    return None


def cost_lines(b: SheetBuilder, m: SheetModel) -> list[Row]:
    unit = b.o.settings.cost_unit
    specs = _line_specs(b.o.settings.raw.get("cost_lines"))
    if not specs:  # no lines named: every expense item is a line of its own
        specs = [(it.label, False) for it in m.cost_items if it.category == "expense"]
    rows: list[Row] = []
    for label, per_year in specs:
        found = [(it, note) for it in m.cost_items if (note := _matches(it, label)) is not None]
        text = ""
        if found:
            item, note = max(found, key=lambda x: x[0].fiscal_year)
            amount = item.settlement if item.settlement is not None else item.budget
            if amount is not None:
                text = f"{_amount(amount)}{unit}" + ("/年" if per_year else "")
                if note:
                    text += f"（{note}）"
                elif per_year:
                    text += f"（{year_short(item.fiscal_year)}）"
        rows.append(b.pair(label, text))
    return rows


# --- 事業費内訳 (Akita-style) -------------------------------------------------------------------------
def _funding(m: SheetModel) -> dict[str, tuple[Decimal | None, Decimal | None]]:
    """Per printed source its 予算額 and 決算額: the sums of the year's funding items, else the
    settlement of the 事業費 table."""
    fy = m.fiscal_year
    items = [it for it in m.cost_items if it.category == "funding" and it.fiscal_year == fy]
    out: dict[str, tuple[Decimal | None, Decimal | None]] = {}
    if items:
        for source, _names in FUNDING_SOURCES:
            mine = [it for it in items if funding_source(it.label) == source]
            out[source] = (_sum([it.budget for it in mine]), _sum([it.settlement for it in mine]))
        return out
    cd = m.snapshot.costs.get(fy, CostData(fy))
    return {source: (None, getattr(cd, name)) for source, name in _COST_DATA_FIELD.items()}


def cost_breakdown(b: SheetBuilder, m: SheetModel) -> list[Row]:
    o = b.o
    fy = m.fiscal_year
    unit = o.settings.cost_unit
    expenses = [it for it in m.cost_items if it.category == "expense" and it.fiscal_year == fy]
    funding = _funding(m)
    money_w = 54.0
    group_w, source_w = 44.0, 46.0
    right_w = group_w + source_w + 2 * money_w
    item_w = W - right_w - 2 * money_w
    money = (f"予算額\n（{unit}）", f"決算額\n（{unit}）")
    header = Row(
        [
            b.cell(o.label("cost_items"), item_w, HEAD),
            *(b.cell(t, money_w, HEAD) for t in money),
            b.cell("財源", group_w + source_w, HEAD),
            *(b.cell(t, money_w, HEAD) for t in money),
        ],
        keep_with_next=True,
    )
    left: list[list[Cell]] = [
        [
            b.cell(it.label, item_w, TEXT),
            _money(b, it.budget, money_w, NUM),
            _money(b, it.settlement, money_w, NUM),
        ]
        for it in expenses
    ]
    total = (_sum([it.budget for it in expenses]), _sum([it.settlement for it in expenses]))
    left.append(
        [
            b.cell("事業費計", item_w, LABEL),
            _money(b, total[0], money_w, TOTAL_FILL),
            _money(b, total[1], money_w, TOTAL_FILL),
        ]
    )
    special = [s for s, _ in FUNDING_SOURCES if s != "一般財源"]
    from_items = any(it.category == "funding" and it.fiscal_year == fy for it in m.cost_items)

    def settled(source: str) -> tuple[str | int, ...] | None:
        """Where a settlement read from the 事業費 table is in the measure's entry (a sum: nowhere)."""
        return None if from_items else ("costs", str(fy), _COST_DATA_FIELD[source])

    right: list[list[Cell]] = []
    for k, source in enumerate(special):
        budget, settlement = funding[source]
        right.append(
            [
                b.cell("特定財源" if k == 0 else "", group_w, LABEL),
                b.cell(source, source_w, LABEL),
                _money(b, budget, money_w, NUM),
                _money(b, settlement, money_w, NUM, settled(source)),
            ]
        )
    general = funding["一般財源"]
    right.append(
        [
            b.cell("一般財源", group_w + source_w, LABEL),
            _money(b, general[0], money_w, NUM),
            _money(b, general[1], money_w, NUM, settled("一般財源")),
        ]
    )
    sums = (_sum([v[0] for v in funding.values()]), _sum([v[1] for v in funding.values()]))
    right.append(
        [
            b.cell("計", group_w + source_w, LABEL),
            _money(b, sums[0], money_w, TOTAL_FILL),
            _money(b, sums[1], money_w, TOTAL_FILL),
        ]
    )
    # the 事業費計 row faces the 計 row; blank item rows fill the left table above it
    height = max(len(left), len(right))
    blank = [b.cell("", item_w, TEXT), b.cell("", money_w, NUM), b.cell("", money_w, NUM)]
    left = left[:-1] + [list(blank) for _ in range(height - len(left))] + left[-1:]
    right_blank = [b.cell("", right_w, TEXT)]
    right = [list(right_blank) for _ in range(height - len(right))] + right
    rows = [header]
    for k in range(height):
        rows.append(Row(left[k] + right[k], header=header, keep_with_next=k + 1 < height))
    settings = o.settings
    for key in ("cost_content", "funding_note"):
        spec = settings.text_field(key)
        text = m.snapshot.sheet.text(key)
        if spec is not None or text:
            label = (
                spec.label if spec else {"cost_content": "主な内容", "funding_note": "特定財源の内訳"}[key]
            )
            rows.append(b.pair(label, text, label_w=LABEL_W))
    return rows
