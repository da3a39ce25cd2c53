"""達成率 (achievement rate), exactly as docs/evaluation-rules.md defines it.

- Higher is better (and 維持): actual ÷ target × 100.
- Lower is better with a baseline: (baseline − actual) ÷ (baseline − target) × 100; without a baseline:
  target ÷ actual × 100, and an actual of 0 against a positive target counts as achieved.
- Not capped (240.0% is real). Undefined cases (target 0 on a higher-is-better reference indicator,
  missing values, 「—」) give ``rate=None``, shown as 「—」, never an error or 0.

Cumulative indicators hold running totals in their yearly cells (as the published sheets print them),
so the same formulas compare running totals; annual ones compare the year's value.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from dxdesk.domain.enums import Direction
from dxdesk.domain.values import Value, ValueKind, format_rate

__all__ = ["RateResult", "achievement_rate", "is_better", "reached"]

_HUNDRED = Decimal(100)


@dataclass(frozen=True)
class RateResult:
    rate: Decimal | None  # percent, unrounded; format with :func:`format_rate`
    achieved: bool | None  # None: cannot tell (missing, 「—」, reference)
    reason: str = ""  # Japanese, why there is no rate (empty when there is one)

    @property
    def display(self) -> str:
        return format_rate(self.rate)


def reached(direction: Direction, target: Decimal, actual: Decimal) -> bool:
    """Has the actual reached the target in the indicator's direction?"""
    return actual <= target if direction is Direction.DOWN else actual >= target


def is_better(direction: Direction, a: Decimal, b: Decimal) -> bool:
    """Is ``a`` strictly better than ``b`` in the indicator's direction?"""
    return a < b if direction is Direction.DOWN else a > b


def _div(a: Decimal, b: Decimal) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = 28
        return a / b * _HUNDRED


def achievement_rate(
    direction: Direction,
    target: Value,
    actual: Value,
    baseline: Value | None = None,
) -> RateResult:
    """The rate for one indicator-year. Qualitative actuals (達成 / 未達成) give achieved without a rate."""
    baseline = baseline or Value.blank()
    if actual.kind is ValueKind.ACHIEVED:
        return RateResult(None, True, "定性的な指標（達成）")
    if actual.kind is ValueKind.NOT_ACHIEVED:
        return RateResult(None, False, "定性的な指標（未達成）")
    if target.is_na or actual.is_na:
        return RateResult(None, None, "対象外（—）")
    if actual.is_blank:
        return RateResult(None, None, "実績が未入力")
    if target.is_blank:
        return RateResult(None, None, "目標値が未設定")
    if not (target.is_number and actual.is_number):
        return RateResult(None, None, "数値でないため達成率なし")
    t, a = target.number, actual.number
    assert t is not None and a is not None

    if direction is not Direction.DOWN:
        if t == 0:
            return RateResult(None, None, "目標値が0（参考指標）のため達成率なし")
        if t < 0:
            return RateResult(None, reached(direction, t, a), "目標値が負のため達成率なし")
        return RateResult(_div(a, t), reached(direction, t, a))

    # lower is better
    if baseline.is_number:
        b = baseline.number
        assert b is not None
        denominator = b - t
        if denominator == 0:
            return RateResult(None, reached(direction, t, a), "基準値と目標値が同じため達成率なし")
        if denominator < 0:
            return RateResult(None, reached(direction, t, a), "目標値が基準値より大きいため達成率なし")
        return RateResult(_div(b - a, denominator), reached(direction, t, a))
    if a == 0:
        return RateResult(None, t >= 0, "実績0のため達成（達成率は算出しない）" if t >= 0 else "")
    if a < 0:
        return RateResult(None, reached(direction, t, a), "実績が負のため達成率なし")
    return RateResult(_div(t, a), reached(direction, t, a))
