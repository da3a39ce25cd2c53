"""Totals and checks of a year of 事業費 for the cost grid: funding total, execution rate, total cost.

The grid shows these live while a person types; the pre-submission check reports the same facts as
VAL-FUNDING-SUM and AUD-LOW-EXECUTION (dxdesk.domain.audit), so both say the same thing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from dxdesk.domain.sheet import CostData
from dxdesk.domain.values import format_decimal

__all__ = ["CostSummary", "summarize_cost"]

_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class CostSummary:
    fiscal_year: int
    funding_total: Decimal | None  # 財源内訳の合計
    execution_rate: Decimal | None  # 決算額 ÷ 予算額 × 100, one decimal
    total_cost: Decimal | None  # 決算額（未確定なら予算額）＋ 人件費計
    funding_matches: bool | None  # None: nothing to compare yet
    message: str = ""  # Japanese, empty when the breakdown adds up

    @property
    def execution_rate_display(self) -> str:
        return "" if self.execution_rate is None else f"{format_decimal(self.execution_rate)}%"


def summarize_cost(cost: CostData) -> CostSummary:
    total = cost.funding_total()
    rate = None
    if cost.budget is not None and cost.settlement is not None and cost.budget > 0:
        rate = (cost.settlement / cost.budget * _HUNDRED).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    spent = cost.settlement if cost.settlement is not None else cost.budget
    if spent is None and cost.personnel_cost is None:
        total_cost = None
    else:
        total_cost = (spent or Decimal(0)) + (cost.personnel_cost or Decimal(0))
    matches = None
    message = ""
    if total is not None and cost.settlement is not None:
        matches = total == cost.settlement
        if not matches:
            diff = total - cost.settlement
            message = (
                f"財源内訳の合計 {format_decimal(total)} が決算額 {format_decimal(cost.settlement)} と"
                f" {format_decimal(abs(diff))} {'多く' if diff > 0 else '少なく'}なっています。"
            )
    return CostSummary(cost.fiscal_year, total, rate, total_cost, matches, message)
