"""Read models for screens and commands: the plan tree with measure rows, section lists, year lists.

Screens never compose SQL or compute grades themselves; they call these functions and show the result.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session

from dxdesk.domain.enums import EntryStatus, Grade, Stage
from dxdesk.domain.evaluation import Evaluation, entry_status, evaluate
from dxdesk.domain.grading import GradeSuggestion
from dxdesk.domain.settings import PlanSettings
from dxdesk.domain.sheet import MeasureSnapshot
from dxdesk.store.models import Measure, MeasureYear, Plan, PlanNode, Section
from dxdesk.store.settings_store import get_setting
from dxdesk.store.snapshot import measure_load_options, plan_settings, snapshot

__all__ = [
    "MeasureRow",
    "TreeNode",
    "current_plan",
    "entry_status",
    "measure_rows",
    "plan_tree",
    "section_names",
    "sections_for_year",
]


@dataclass(frozen=True)
class MeasureRow:
    id: int
    code: str
    name: str
    kind: str
    node_id: int | None
    section_code: str
    section_name: str
    stage: Stage | None
    suggestion: GradeSuggestion
    self_grade: Grade | None
    status: EntryStatus
    errors: int
    warnings: int
    snapshot: MeasureSnapshot
    evaluation: Evaluation

    @property
    def grade(self) -> Grade | None:
        """The grade reported under the plan's scheme (None: not graded, 対象外 or 未入力)."""
        return self.evaluation.grade


@dataclass
class TreeNode:
    id: int
    code: str
    name: str
    depth: int
    level_name: str
    children: list[TreeNode] = field(default_factory=list)
    measures: list[MeasureRow] = field(default_factory=list)

    def measure_count(self) -> int:
        return len(self.measures) + sum(c.measure_count() for c in self.children)


def current_plan(session: Session) -> Plan | None:
    """The plan this database works on (``app_setting.plan_code``, else the only/first plan)."""
    code = get_setting(session, "plan_code")
    if code:
        plan = session.scalar(select(Plan).where(Plan.code == code))
        if plan is not None:
            return plan
    return session.scalar(select(Plan).order_by(Plan.id))


def plan_identity(plan: Plan) -> dict[str, str]:
    """The plan as every signed file names it (the payload's ``plan`` object: kit, submission, review)."""
    return {
        "code": plan.code,
        "name": plan.name,
        "municipality": plan.municipality,
        "version_label": plan.version_label,
    }


def plan_and_year(
    session: Session, fiscal_year: int | None, error: Callable[[str], Exception]
) -> tuple[Plan, int]:
    """The plan this database works on and ``fiscal_year`` (else the plan's survey year); raises
    ``error`` with a Japanese message when there is no plan or no year."""
    plan = current_plan(session)
    if plan is None:
        raise error("計画が登録されていません。")
    fy = fiscal_year or plan.current_fy
    if fy is None:
        raise error("年度がわかりません（年度を指定してください）。")
    return plan, fy


def newest_number(
    session: Session, column: InstrumentedAttribute[int], plan_code: str, fiscal_year: int, section_code: str
) -> int | None:
    """The highest ``column`` (a version or revision) of a section's year, None when there is none."""
    model: Any = column.class_
    return session.scalar(
        select(func.max(column)).where(
            model.plan_code == plan_code,
            model.fiscal_year == fiscal_year,
            model.section_code == section_code,
        )
    )


def section_names(session: Session, fy: int | None = None) -> dict[str, str]:
    """Section code → name valid in ``fy`` (or the newest name when ``fy`` is None), in the
    organisation's order (the same on every database backend)."""
    out: dict[str, str] = {}
    for s in session.scalars(
        select(Section).order_by(Section.valid_from_fy, Section.sort_order, Section.code)
    ):
        if fy is None or (s.valid_from_fy <= fy and (s.valid_to_fy is None or fy <= s.valid_to_fy)):
            out[s.code] = s.name
        else:
            out.setdefault(s.code, s.name)
    return out


def sections_for_year(session: Session, plan: Plan, fy: int) -> list[tuple[str, str]]:
    """(code, name) of sections that own a measure in ``fy``, in the organisation's order."""
    q = (
        select(Measure.owner_section_code, MeasureYear.section_code)
        .outerjoin(MeasureYear, (MeasureYear.measure_id == Measure.id) & (MeasureYear.fiscal_year == fy))
        .where(Measure.plan_id == plan.id)
    )
    owners = {year_owner or owner for owner, year_owner in session.execute(q)}
    names = section_names(session, fy)
    order = {s.code: i for i, s in enumerate(session.scalars(select(Section).order_by(Section.sort_order)))}
    return sorted(((c, names.get(c, c)) for c in owners), key=lambda cn: (order.get(cn[0], 1_000_000), cn[0]))


def measure_rows(
    session: Session,
    plan: Plan,
    fy: int,
    *,
    section_code: str | None = None,
    settings: PlanSettings | None = None,
    measures: Sequence[Measure] | None = None,
) -> list[MeasureRow]:
    """One row per measure (of one section, or all) with its suggested grade, status and finding counts
    (of ``measures`` when the caller has loaded them with ``measure_load_options``)."""
    settings = settings or plan_settings(plan)
    q = select(Measure).where(Measure.plan_id == plan.id).order_by(Measure.sort_order, Measure.id)
    if section_code is not None:
        # filtered in SQL first (a central database holds every section's measures); the year's owner
        # decides below
        year_owned = select(MeasureYear.measure_id).where(
            MeasureYear.fiscal_year == fy, MeasureYear.section_code == section_code
        )
        q = q.where(or_(Measure.owner_section_code == section_code, Measure.id.in_(year_owned)))
    if measures is None:
        measures = session.scalars(q.options(*measure_load_options())).all()  # type: ignore[arg-type]
    names = section_names(session, fy)
    rows: list[MeasureRow] = []
    for m in measures:
        snap = snapshot(m, fy)
        owner = snap.owner_section_code
        if section_code is not None and owner != section_code:
            continue
        sheet = snap.sheet
        my = next((y for y in m.years if y.fiscal_year == fy), None)
        ev = evaluate(snap, settings, fy, stored_status=my.entry_status if my else None)
        rows.append(
            MeasureRow(
                id=m.id,
                code=m.code,
                name=m.name,
                kind=m.kind,
                node_id=m.node_id,
                section_code=owner,
                section_name=names.get(owner, owner),
                stage=sheet.stage,
                suggestion=ev.suggestion,
                self_grade=sheet.self_grade,
                status=ev.status,
                errors=ev.errors,
                warnings=ev.warnings,
                snapshot=snap,
                evaluation=ev,
            )
        )
    return rows


def plan_tree(
    session: Session, plan: Plan, rows: Sequence[MeasureRow], *, prune_empty: bool = True
) -> list[TreeNode]:
    """The plan tree with ``rows`` hung under their nodes; empty branches pruned when asked."""
    settings = plan_settings(plan)
    nodes = session.scalars(
        select(PlanNode).where(PlanNode.plan_id == plan.id).order_by(PlanNode.sort_order)
    ).all()
    by_id = {n.id: TreeNode(n.id, n.code, n.name, n.depth, settings.level_name(n.depth)) for n in nodes}
    roots: list[TreeNode] = []
    for n in nodes:
        tn = by_id[n.id]
        if n.parent_id is None:
            roots.append(tn)
        elif n.parent_id in by_id:
            by_id[n.parent_id].children.append(tn)
    orphans = TreeNode(0, "", "（体系未設定）", 0, settings.level_name(0))
    for r in rows:
        target = by_id.get(r.node_id) if r.node_id is not None else None
        (target or orphans).measures.append(r)
    if orphans.measures:
        roots.append(orphans)

    def prune(items: list[TreeNode]) -> list[TreeNode]:
        kept = []
        for t in items:
            t.children = prune(t.children)
            if t.measure_count() or not prune_empty:
                kept.append(t)
        return kept

    return prune(roots)
