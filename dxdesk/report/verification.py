"""Nagasaki's 「3. 実績の検証及び解決すべき課題と解決に向けた方向性」 for a 事業's 取組項目.

The first row names the 取組項目 the measure serves: the measure attribute ``items`` (「i ii iii iv
vii」), each numeral with its name from the plan's legend keyed ``items`` (``legends``), so the box
reads as on the published sheet. Below it the plan's text fields of the ``verification`` part
(実績の検証及び解決すべき課題, 課題解決に向けた方向性) side by side, one column each, as the
published sheet prints them; the clerk types them every year (SheetText).

Only plain rows and cells: the submission workbook renders the same parts.
"""

from __future__ import annotations

from dxdesk.report.layout import Row
from dxdesk.report.model import SheetModel
from dxdesk.report.tables import HEAD, LABEL, TableParts

__all__ = ["ITEMS_KEY", "items_text", "verification"]

ITEMS_KEY = "items"  # the measure attribute and the legend that name a measure's 取組項目
LABEL_W = 78.0


def items_text(b: TableParts, m: SheetModel) -> str:
    """「i ながさきSociety5.0推進プラットフォームによるICT利活用の推進」 per line, for the numerals of
    the measure's ``items`` attribute; a numeral the legend does not name prints alone."""
    raw = m.attributes.get(ITEMS_KEY)
    if not raw:
        return ""
    names = {}
    for legend in b.o.legends:
        if legend.key == ITEMS_KEY:
            names = dict(legend.items)
    return "\n".join(f"{n}　{names[n]}" if n in names else n for n in str(raw).split())


def verification(b: TableParts, m: SheetModel) -> list[Row]:
    o = b.o
    fields = [f for f in o.settings.text_fields if f.part == "verification"]
    width = o.content_width(m.snapshot.kind)
    rows: list[Row] = []
    label = dict(o.settings.measure_attributes).get(ITEMS_KEY, "取組項目")
    items = items_text(b, m)
    if items or ITEMS_KEY in m.attributes:
        rows.append(Row([b.cell(label, LABEL_W, LABEL), b.cell(items, width - LABEL_W)]))
    if not fields:
        return rows
    col = width / len(fields)
    header = Row([b.cell("●" + f.label, col, HEAD) for f in fields], keep_with_next=True)
    rows.append(header)
    rows.append(Row([b.cell(m.snapshot.sheet.text(f.key), col) for f in fields], header=header))
    return rows
