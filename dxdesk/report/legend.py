"""Fixed explanations a format prints on its sheets (``legends`` in the plan settings): Nagasaki's
【事業構築の視点】 ①–⑩ under the 見直し, Sasebo's status legend 実施済 / 当年度実施 / 今後予定 / 検討 under the
実施年度. A legend may be limited to some measure kinds; one with ``kinds: []`` is never printed (it
only names things, e.g. the 取組項目 numerals :mod:`dxdesk.report.verification` expands).

Only plain rows and cells: the submission workbook renders the same parts.
"""

from __future__ import annotations

from dxdesk.report.layout import Row
from dxdesk.report.model import SheetModel
from dxdesk.report.tables import CENTER, HEAD, SMALL, TableParts

__all__ = ["legends"]

MIN_MARK_W = 28.0


def legends(b: TableParts, m: SheetModel) -> list[Row]:
    width = b.o.content_width(m.snapshot.kind)
    rows: list[Row] = []
    for legend in b.o.legends:
        if not legend.applies_to(m.snapshot.kind):
            continue
        header = Row([b.cell(f"【{legend.title}】", width, HEAD)], keep_with_next=True)
        rows.append(header)
        mark_w = max(
            MIN_MARK_W, *(b.t.font.width(mark, CENTER.size) + 2 * CENTER.pad + 4 for mark, _ in legend.items)
        )
        for mark, text in legend.items:
            rows.append(
                Row([b.cell(mark, mark_w, CENTER), b.cell(text, width - mark_w, SMALL)], header=header)
            )
    return rows
