"""What a printed sheet shows, read from the database in batches: :class:`SheetModel`.

A sheet needs more than the rules' snapshot (``dxdesk.store.snapshot``): the plan tree path, section
and bureau names of that year, the measure's 予算科目, SDGs, attributes, every year's roadmap text,
milestone months and the itemised costs. :func:`iter_sheet_models` loads measures a batch at a time
with eager loading and forgets each batch before the next (``expunge_all``), so printing 1,000
measures never holds 1,000 measures in memory.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from sqlalchemy import and_, select
from sqlalchemy.orm import Session, selectinload

from dxdesk.domain.audit import Finding
from dxdesk.domain.enums import Grade, MilestoneStatus, Stage
from dxdesk.domain.evaluation import Evaluation, evaluate
from dxdesk.domain.grading import GradeSuggestion
from dxdesk.domain.settings import PlanSettings
from dxdesk.domain.sheet import MeasureSnapshot
from dxdesk.report.errors import NothingToPrintError, PrintError
from dxdesk.store.models import Bureau, Measure, MeasureYear, Plan, PlanNode, Section
from dxdesk.store.queries import current_plan, section_names
from dxdesk.store.snapshot import measure_load_options, plan_settings, snapshot

__all__ = [
    "NodeRef",
    "PrintContext",
    "SheetModel",
    "iter_sheet_models",
    "load_context",
    "select_measures",
    "sheet_model",
]


@dataclass(frozen=True)
class NodeRef:
    level: str
    code: str
    name: str


@dataclass(frozen=True)
class YearInfo:
    stage: Stage | None
    roadmap_mark: str
    texts: Mapping[str, str]


@dataclass(frozen=True)
class MilestoneRow:
    text: str
    due_fy: int | None
    due_month: int | None
    status: MilestoneStatus


@dataclass(frozen=True)
class CostItemRow:
    fiscal_year: int
    category: str
    label: str
    budget: Decimal | None
    settlement: Decimal | None


@dataclass(frozen=True)
class SheetModel:
    measure_id: int
    snapshot: MeasureSnapshot
    kind_label: str
    section_name: str
    bureau_name: str
    related_names: tuple[str, ...]
    path: tuple[NodeRef, ...]
    budget_item: str
    legal_basis: str
    sdgs: tuple[int, ...]
    start_fy: int | None
    end_fy: int | None
    period_label: str
    is_leading: bool
    attributes: Mapping[str, Any]
    years: Mapping[int, YearInfo]
    milestones: tuple[MilestoneRow, ...]
    cost_items: tuple[CostItemRow, ...]
    evaluation: Evaluation

    @property
    def code(self) -> str:
        return self.snapshot.code

    @property
    def name(self) -> str:
        return self.snapshot.name

    @property
    def fiscal_year(self) -> int:
        return self.snapshot.fiscal_year

    @property
    def suggestion(self) -> GradeSuggestion:
        return self.evaluation.suggestion

    @property
    def findings(self) -> tuple[Finding, ...]:
        return self.evaluation.findings

    @property
    def grade(self) -> Grade | None:
        """The grade under the plan's scheme (None: not graded, 対象外 or 未入力)."""
        return self.evaluation.grade


@dataclass
class PrintContext:
    """Plan-wide facts every sheet of one print job needs (plain values, no ORM objects)."""

    plan_id: int
    plan_code: str
    plan_name: str
    municipality: str
    version_label: str
    period: tuple[int | None, int | None]
    fiscal_year: int
    settings: PlanSettings
    section_names: dict[str, str]
    section_bureau: dict[str, str]
    bureau_names: dict[str, str]
    node_paths: dict[int, tuple[NodeRef, ...]]
    node_order: dict[int, int]
    section_order: dict[str, int] = field(default_factory=dict)


def load_context(session: Session, fiscal_year: int | None = None) -> PrintContext:
    plan = current_plan(session)
    if plan is None:
        raise NothingToPrintError(
            "データベースに計画が登録されていません。計画データを読み込んでから印刷してください。"
        )
    return context_for(session, plan, fiscal_year)


def _valid(row: Section | Bureau, fy: int) -> bool:
    return row.valid_from_fy <= fy and (row.valid_to_fy is None or fy <= row.valid_to_fy)


def context_for(session: Session, plan: Plan, fiscal_year: int | None) -> PrintContext:
    fy = fiscal_year or plan.current_fy
    if fy is None:
        raise PrintError("印刷する年度が決まりません。年度を指定してください（例：--fy R8）。")
    try:
        settings = plan_settings(plan)
    except ValueError as exc:
        raise PrintError(str(exc)) from exc
    bureau_names: dict[str, str] = {}
    for b in session.scalars(select(Bureau).order_by(Bureau.valid_from_fy)):
        if _valid(b, fy) or b.code not in bureau_names:
            bureau_names[b.code] = b.name
    section_bureau: dict[str, str] = {}
    section_order: dict[str, int] = {}
    for i, s in enumerate(
        session.scalars(select(Section).order_by(Section.sort_order, Section.valid_from_fy))
    ):
        if s.bureau_code and (_valid(s, fy) or s.code not in section_bureau):
            section_bureau[s.code] = s.bureau_code
        section_order.setdefault(s.code, i)
    nodes = session.scalars(
        select(PlanNode).where(PlanNode.plan_id == plan.id).order_by(PlanNode.depth, PlanNode.sort_order)
    ).all()
    by_id = {n.id: n for n in nodes}
    paths: dict[int, tuple[NodeRef, ...]] = {}

    def path(nid: int) -> tuple[NodeRef, ...]:
        got = paths.get(nid)
        if got is None:
            n = by_id[nid]
            parent = path(n.parent_id) if n.parent_id in by_id else ()
            got = (*parent, NodeRef(settings.level_name(n.depth), n.code, n.name))
            paths[nid] = got
        return got

    for n in nodes:
        path(n.id)
    # pre-order position of each node, so sheets print in the order of the plan tree
    children: dict[int | None, list[PlanNode]] = {}
    for n in sorted(nodes, key=lambda n: n.sort_order):
        children.setdefault(n.parent_id if n.parent_id in by_id else None, []).append(n)
    order: dict[int, int] = {}

    def walk(parent: int | None) -> None:
        for n in children.get(parent, []):
            order[n.id] = len(order)
            walk(n.id)

    walk(None)
    return PrintContext(
        plan_id=plan.id,
        plan_code=plan.code,
        plan_name=plan.name,
        municipality=plan.municipality,
        version_label=plan.version_label,
        period=(plan.period_start_fy, plan.period_end_fy),
        fiscal_year=fy,
        settings=settings,
        section_names=section_names(session, fy),
        section_bureau=section_bureau,
        bureau_names=bureau_names,
        node_paths=paths,
        node_order=order,
        section_order=section_order,
    )


@dataclass(frozen=True)
class Selected:
    id: int
    code: str
    owner: str


def select_measures(
    session: Session,
    ctx: PrintContext,
    *,
    section_code: str | None = None,
    measure_codes: Sequence[str] | None = None,
    measure_ids: Sequence[int] | None = None,
) -> list[Selected]:
    """The measures to print, in the order of the plan tree (then the plan's own order).

    A measure belongs to the section that owns it in the printed year. Unknown codes are an error
    naming them, so a typo in a batch job does not silently print less."""
    fy = ctx.fiscal_year
    q = (
        select(
            Measure.id,
            Measure.code,
            Measure.owner_section_code,
            Measure.node_id,
            Measure.sort_order,
            MeasureYear.section_code,
        )
        .outerjoin(MeasureYear, and_(MeasureYear.measure_id == Measure.id, MeasureYear.fiscal_year == fy))
        .where(Measure.plan_id == ctx.plan_id)
    )
    rows = session.execute(q).all()
    out = []
    for mid, code, owner, node_id, sort_order, year_owner in rows:
        out.append(
            (
                ctx.node_order.get(node_id, 1_000_000) if node_id else 1_000_000,
                sort_order,
                mid,
                code,
                year_owner or owner,
            )
        )
    out.sort()
    selected = [Selected(mid, code, owner) for _, _, mid, code, owner in out]
    if measure_ids is not None:
        wanted_ids = set(measure_ids)
        selected = [s for s in selected if s.id in wanted_ids]
    if measure_codes:
        wanted = list(dict.fromkeys(measure_codes))
        known = {s.code for s in selected}
        missing = [c for c in wanted if c not in known]
        if missing:
            raise NothingToPrintError(
                f"施策コード「{'」「'.join(missing)}」は計画にありません。コードを確かめてください。"
            )
        codes = set(wanted)
        selected = [s for s in selected if s.code in codes]
    if section_code is not None:
        if section_code not in ctx.section_names:
            raise NothingToPrintError(
                f"課所室コード「{section_code}」は登録されていません。コードを確かめてください。"
            )
        selected = [s for s in selected if s.owner == section_code]
        if not selected:
            name = ctx.section_names.get(section_code, section_code)
            raise NothingToPrintError(f"{name}（{section_code}）が担当する施策はありません。")
    if not selected:
        raise NothingToPrintError("印刷する施策がありません。")
    return selected


def sheet_model(
    m: Measure, ctx: PrintContext, snap: MeasureSnapshot | None = None, evaluation: Evaluation | None = None
) -> SheetModel:
    """The sheet of a loaded measure (``snap`` and ``evaluation``: the ones the caller made of it)."""
    fy = ctx.fiscal_year
    settings = ctx.settings
    snap = snap or snapshot(m, fy)
    owner = snap.owner_section_code
    bureau = ctx.section_bureau.get(owner, "")
    my = next((y for y in m.years if y.fiscal_year == fy), None)
    return SheetModel(
        measure_id=m.id,
        snapshot=snap,
        kind_label=settings.measure_kinds.get(m.kind, "施策"),
        section_name=ctx.section_names.get(owner, owner),
        bureau_name=ctx.bureau_names.get(bureau, ""),
        related_names=tuple(ctx.section_names.get(c, c) for c in snap.related_section_codes),
        path=ctx.node_paths.get(m.node_id, ()) if m.node_id else (),
        budget_item=m.budget_item,
        legal_basis=m.legal_basis,
        sdgs=tuple(int(g) for g in (m.sdgs or [])),
        start_fy=m.start_fy,
        end_fy=m.end_fy,
        period_label=m.period_label,
        is_leading=m.is_leading,
        attributes=dict(m.attributes or {}),
        years={
            y.fiscal_year: YearInfo(
                stage=Stage(y.stage) if y.stage else None,
                roadmap_mark=y.roadmap_mark,
                texts={t.field: t.text for t in y.texts},
            )
            for y in m.years
        },
        milestones=tuple(
            MilestoneRow(ms.text, ms.due_fy, ms.due_month, MilestoneStatus(ms.status))
            for ms in (my.milestones if my else [])
        ),
        cost_items=tuple(
            CostItemRow(ci.fiscal_year, ci.category, ci.label, ci.budget, ci.settlement)
            for ci in m.cost_items
        ),
        evaluation=evaluation or evaluate(snap, settings, fy),
    )


def iter_sheet_models(
    session: Session, ctx: PrintContext, ids: Sequence[int], *, batch: int = 40
) -> Iterator[SheetModel]:
    """Sheet models of ``ids`` in that order, loaded ``batch`` measures at a time."""
    for start in range(0, len(ids), batch):
        chunk = list(ids[start : start + batch])
        q = (
            select(Measure)
            .where(Measure.id.in_(chunk))
            .options(*measure_load_options(), selectinload(Measure.cost_items))  # type: ignore[arg-type]
        )
        measures = {m.id: m for m in session.scalars(q)}
        models = [sheet_model(measures[i], ctx) for i in chunk if i in measures]
        session.expunge_all()
        del measures
        yield from models
