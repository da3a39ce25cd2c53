"""Turn ORM rows into the domain's read-only snapshots (``dxdesk.domain.sheet``).

Rules, checks, reports and exchange files work on snapshots, never on ORM objects, so they stay pure
and testable without a database.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from dxdesk.domain.enums import Direction, Grade, IndicatorKind, MilestoneStatus, Stage
from dxdesk.domain.settings import PlanSettings
from dxdesk.domain.sheet import (
    CostData,
    IndicatorData,
    IndicatorYear,
    MeasureSnapshot,
    MilestoneData,
    SheetData,
)
from dxdesk.domain.values import Value, ValueType
from dxdesk.store.models import Indicator, Measure, MeasureYear, Plan

__all__ = ["indicator_data", "load_snapshots", "measure_load_options", "plan_settings", "snapshot"]


def plan_settings(plan: Plan) -> PlanSettings:
    return PlanSettings.from_json(plan.settings_json)


def indicator_data(ind: Indicator) -> IndicatorData:
    vt = ValueType(ind.value_type)
    return IndicatorData(
        name=ind.name,
        unit=ind.unit,
        kind=IndicatorKind(ind.kind),
        direction=Direction(ind.direction),
        cumulative=ind.cumulative,
        value_type=vt,
        decimals=ind.decimals,
        baseline=Value.from_storage(ind.baseline, vt),
        baseline_fy=ind.baseline_fy,
        final_target=Value.from_storage(ind.final_target, vt),
        final_target_fy=ind.final_target_fy,
        reference_only=ind.reference_only,
        rationale=ind.rationale,
        note=ind.note,
        order=ind.sort_order,
        valid_from_fy=ind.valid_from_fy,
        valid_to_fy=ind.valid_to_fy,
        years={
            v.fiscal_year: IndicatorYear(
                target=Value.from_storage(v.target, vt), actual=Value.from_storage(v.actual, vt), note=v.note
            )
            for v in ind.values
        },
    )


def _sheet(my: MeasureYear | None, fy: int) -> SheetData:
    if my is None:
        return SheetData(fiscal_year=fy)
    return SheetData(
        fiscal_year=fy,
        stage=Stage(my.stage) if my.stage else None,
        texts={t.field: t.text for t in my.texts},
        self_grade=Grade(my.self_grade) if my.self_grade else None,
        override_reason=my.grade_override_reason,
        direction=my.direction,
        direction_reason=my.direction_reason,
        perspective_scores={p.perspective: p.score for p in my.perspective_scores},
        milestones=tuple(
            MilestoneData(text=m.text, due_fy=m.due_fy, status=MilestoneStatus(m.status), order=m.sort_order)
            for m in my.milestones
        ),
        author=my.author,
        chief_confirmed_by=my.chief_confirmed_by,
    )


def snapshot(m: Measure, fy: int) -> MeasureSnapshot:
    """The measure as of fiscal year ``fy`` (its sheet for that year and all indicator years)."""
    my = next((y for y in m.years if y.fiscal_year == fy), None)
    return MeasureSnapshot(
        code=m.code,
        name=m.name,
        sheet=_sheet(my, fy),
        owner_section_code=(my.section_code if my and my.section_code else m.owner_section_code),
        related_section_codes=tuple(r.section_code for r in m.related_sections),
        kind=m.kind,
        purpose=m.purpose,
        summary=m.summary,
        target_group=m.target_group,
        indicators=tuple(indicator_data(i) for i in m.indicators),
        costs={
            c.fiscal_year: CostData(
                fiscal_year=c.fiscal_year,
                budget=c.budget,
                settlement=c.settlement,
                fund_general=c.fund_general,
                fund_national=c.fund_national,
                fund_prefecture=c.fund_prefecture,
                fund_bonds=c.fund_bonds,
                fund_other=c.fund_other,
                personnel_cost=c.personnel_cost,
                staff_ratio=c.staff_ratio,
                overtime_hours=c.overtime_hours,
                part_time_staff=c.part_time_staff,
                execution_note=c.execution_note,
            )
            for c in m.cost_rows
        },
    )


def measure_load_options() -> Sequence[object]:
    """Eager-loading options that make :func:`snapshot` issue no further queries."""
    return (
        selectinload(Measure.indicators).selectinload(Indicator.values),
        selectinload(Measure.years).selectinload(MeasureYear.texts),
        selectinload(Measure.years).selectinload(MeasureYear.milestones),
        selectinload(Measure.years).selectinload(MeasureYear.perspective_scores),
        selectinload(Measure.cost_rows),
        selectinload(Measure.related_sections),
    )


def load_snapshots(
    session: Session, plan: Plan, fy: int, *, section_code: str | None = None
) -> list[MeasureSnapshot]:
    """Snapshots of every measure of the plan (or of one section) for fiscal year ``fy``."""
    q = select(Measure).where(Measure.plan_id == plan.id).order_by(Measure.sort_order, Measure.id)
    measures = session.scalars(q.options(*measure_load_options())).all()  # type: ignore[arg-type]
    snaps = [snapshot(m, fy) for m in measures]
    # the owner of the year (a reorganised section) decides, not the measure's current owner
    return [s for s in snaps if section_code is None or s.owner_section_code == section_code]
