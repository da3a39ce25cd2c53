"""The central office's word on an indicator: its 活動/成果 kind and its plausible range.

Real plans rarely label indicators, so the output-only check infers the kind from the wording
(``dxdesk.domain.audit.effective_kind``) and says which words led there. When the central office
confirms or corrects it, :func:`confirm_indicator_kind` stores the kind on the indicator; the checks
use it from then on, and re-importing the plan (by indicator code) keeps it. :func:`set_plausible_range`
stores the range a value must lie in where the unit's default (never negative, 0–100 % for a share)
is not enough.
"""

from __future__ import annotations

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dxdesk.domain.enums import IndicatorKind
from dxdesk.store.models import Indicator, Measure, Plan

__all__ = ["IndicatorNotFound", "confirm_indicator_kind", "set_plausible_range"]


class IndicatorNotFound(LookupError):
    """No such measure or indicator (the message is Japanese)."""


def _indicator(session: Session, plan: Plan, measure_code: str, indicator: int | str) -> Indicator:
    m = session.scalar(select(Measure).where(Measure.plan_id == plan.id, Measure.code == measure_code))
    if m is None:
        raise IndicatorNotFound(f"施策コード「{measure_code}」はこの計画にありません。")
    ordered = sorted(m.indicators, key=lambda i: (i.sort_order, i.id))
    if isinstance(indicator, int):
        if not 0 <= indicator < len(ordered):
            raise IndicatorNotFound(f"施策「{m.name}」に{indicator + 1}番目の指標はありません。")
        return ordered[indicator]
    found = next((i for i in ordered if i.code == indicator), None)
    if found is None:
        raise IndicatorNotFound(f"施策「{m.name}」に指標コード「{indicator}」はありません。")
    return found


def confirm_indicator_kind(
    session: Session, plan: Plan, measure_code: str, indicator: int | str, kind: IndicatorKind | None
) -> None:
    """Confirm or correct an indicator's 活動/成果 (None: back to the plan's kind and the wording)."""
    _indicator(session, plan, measure_code, indicator).kind_confirmed = kind.value if kind else None


def set_plausible_range(
    session: Session,
    plan: Plan,
    measure_code: str,
    indicator: int | str,
    minimum: Decimal | None,
    maximum: Decimal | None,
) -> None:
    """The range an indicator's values must lie in (None: the unit's default on that side)."""
    if minimum is not None and maximum is not None and minimum > maximum:
        raise ValueError("下限が上限より大きくなっています。")
    ind = _indicator(session, plan, measure_code, indicator)
    ind.plausible_min = str(minimum) if minimum is not None else None
    ind.plausible_max = str(maximum) if maximum is not None else None
