"""Read models for the central office's plan screen and kit screen: the plan at a glance (tree with
measure counts, measures per section, settings in words) and which sections have kits for a year.

Light queries (no grades or checks): the screens open instantly on a city's 1,000 measures.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dxdesk.domain.fiscal import fy_label
from dxdesk.domain.settings import SHEET_PARTS
from dxdesk.exchange.kit import sections_with_measures
from dxdesk.store.models import Bureau, Indicator, KitIssue, Measure, MeasureYear, Plan, PlanNode, Section
from dxdesk.store.queries import current_plan, section_names
from dxdesk.store.snapshot import plan_settings

__all__ = [
    "KitSection",
    "MeasureItem",
    "NodeItem",
    "PlanOverview",
    "SectionCount",
    "kit_sections",
    "plan_overview",
]


@dataclass(frozen=True)
class MeasureItem:
    id: int
    code: str
    name: str
    kind_label: str
    section_code: str
    section_name: str
    indicators: int


@dataclass
class NodeItem:
    code: str
    name: str
    level_name: str
    children: list[NodeItem] = field(default_factory=list)
    measures: list[MeasureItem] = field(default_factory=list)

    def measure_count(self) -> int:
        return len(self.measures) + sum(c.measure_count() for c in self.children)


@dataclass(frozen=True)
class SectionCount:
    code: str
    name: str
    bureau: str
    measures: int
    indicators: int


@dataclass
class PlanOverview:
    code: str
    name: str
    municipality: str
    version_label: str
    period: str
    current_fy: int | None
    tree: list[NodeItem]
    sections: list[SectionCount]
    settings_lines: list[tuple[str, str]]  # (項目, 内容)
    measure_count: int
    indicator_count: int


def _settings_lines(plan: Plan) -> list[tuple[str, str]]:
    s = plan_settings(plan)
    lines = [
        ("評価方式", s.evaluation_scheme.label),
        ("計画体系の階層", " → ".join(s.level_names)),
        ("施策の種別", "、".join(s.measure_kinds.values())),
        ("年度別の目標値", "あり" if s.yearly_targets else "なし（最終目標で評価）"),
        ("シートの構成", "・".join(SHEET_PARTS.get(p, p) for p in s.sheet_parts)),
        ("記述欄", "、".join(f"{f.label}（{f.limit:,}字）" if f.limit else f.label for f in s.text_fields)),
        ("方向性の選択肢", "、".join(o.key for o in s.direction_options)),
    ]
    if s.measure_attributes:
        lines.append(("施策の属性", "、".join(label for _k, label in s.measure_attributes)))
    if s.parts_by_kind:
        for kind, parts in s.parts_by_kind.items():
            lines.append(
                (
                    f"シートの構成（{s.measure_kinds.get(kind, kind)}）",
                    "・".join(SHEET_PARTS.get(p, p) for p in parts),
                )
            )
    lines.append(("事業費の単位", s.cost_unit))
    return lines


def plan_overview(session: Session) -> PlanOverview | None:
    plan = current_plan(session)
    if plan is None:
        return None
    settings = plan_settings(plan)
    fy = plan.current_fy
    names = section_names(session, fy)
    counts = dict(
        session.execute(
            select(Indicator.measure_id, func.count(Indicator.id))
            .join(Measure, Measure.id == Indicator.measure_id)
            .where(Measure.plan_id == plan.id)
            .group_by(Indicator.measure_id)
        ).all()
    )
    year_owner = (
        dict(
            session.execute(
                select(MeasureYear.measure_id, MeasureYear.section_code)
                .join(Measure, Measure.id == MeasureYear.measure_id)
                .where(
                    Measure.plan_id == plan.id,
                    MeasureYear.fiscal_year == fy,
                    MeasureYear.section_code.is_not(None),
                )
            ).all()
        )
        if fy is not None
        else {}
    )
    rows = session.execute(
        select(
            Measure.id, Measure.code, Measure.name, Measure.kind, Measure.owner_section_code, Measure.node_id
        )
        .where(Measure.plan_id == plan.id)
        .order_by(Measure.sort_order, Measure.id)
    ).all()
    nodes = session.scalars(
        select(PlanNode).where(PlanNode.plan_id == plan.id).order_by(PlanNode.sort_order)
    ).all()
    by_id = {n.id: NodeItem(n.code, n.name, settings.level_name(n.depth)) for n in nodes}
    roots: list[NodeItem] = []
    for n in nodes:
        if n.parent_id is None or n.parent_id not in by_id:
            roots.append(by_id[n.id])
        else:
            by_id[n.parent_id].children.append(by_id[n.id])
    orphans = NodeItem("", "（体系未設定）", settings.level_name(0))
    per_section: dict[str, list[int]] = {}
    for mid, code, name, kind, owner, node_id in rows:
        owner = year_owner.get(mid) or owner
        item = MeasureItem(
            mid,
            code,
            name,
            settings.measure_kinds.get(kind, kind),
            owner,
            names.get(owner, owner),
            counts.get(mid, 0),
        )
        target = by_id.get(node_id) if node_id is not None else None
        (target or orphans).measures.append(item)
        stats = per_section.setdefault(owner, [0, 0])
        stats[0] += 1
        stats[1] += counts.get(mid, 0)
    if orphans.measures:
        roots.append(orphans)
    bureau_of = _section_bureaus(session, fy)
    order = {
        code: sort
        for code, sort in session.execute(
            select(Section.code, Section.sort_order).order_by(Section.valid_from_fy)
        )
    }
    sections = [  # the organisation's order, the same on SQLite and PostgreSQL
        SectionCount(code, names.get(code, code), bureau_of.get(code, ""), m, i)
        for code, (m, i) in sorted(per_section.items(), key=lambda kv: (order.get(kv[0], 1_000_000), kv[0]))
    ]
    start, end = plan.period_start_fy, plan.period_end_fy
    period = f"{fy_label(start)}〜{fy_label(end)}" if start and end else ""
    return PlanOverview(
        code=plan.code,
        name=plan.name,
        municipality=plan.municipality,
        version_label=plan.version_label,
        period=period,
        current_fy=fy,
        tree=roots,
        sections=sections,
        settings_lines=_settings_lines(plan),
        measure_count=len(rows),
        indicator_count=sum(counts.values()),
    )


def _section_bureaus(session: Session, fy: int | None) -> dict[str, str]:
    """Section code → its bureau's name (valid in ``fy``)."""
    from dxdesk.store.models import Section

    bureaus: dict[str, str] = {}
    for b in session.scalars(select(Bureau).order_by(Bureau.valid_from_fy)):
        if fy is None or b.valid_from_fy <= fy:
            bureaus[b.code] = b.name
    out: dict[str, str] = {}
    for s in session.scalars(select(Section).order_by(Section.valid_from_fy)):
        if fy is None or s.valid_from_fy <= fy:
            out[s.code] = bureaus.get(s.bureau_code or "", s.bureau_code or "")
    return out


@dataclass(frozen=True)
class KitSection:
    code: str
    name: str
    bureau: str
    measures: int
    issued_version: int | None  # the newest kit issued for the year, None if none
    issued_at: object | None  # datetime (UTC) of that kit


def kit_sections(session: Session, fiscal_year: int) -> list[KitSection]:
    """Sections with measures in the year, with the newest kit issued to each."""
    plan = current_plan(session)
    if plan is None:
        return []
    codes = sections_with_measures(session, plan, fiscal_year)
    names = section_names(session, fiscal_year)
    bureau = _section_bureaus(session, fiscal_year)
    overview = plan_overview(session)
    counts = {s.code: s.measures for s in overview.sections} if overview else {}
    issued: dict[str, tuple[int, object]] = {}
    for code, version, at in session.execute(
        select(KitIssue.section_code, KitIssue.version, KitIssue.issued_at).where(
            KitIssue.plan_code == plan.code, KitIssue.fiscal_year == fiscal_year
        )
    ):
        if code not in issued or version > issued[code][0]:
            issued[code] = (version, at)
    return [
        KitSection(c, names.get(c, c), bureau.get(c, ""), counts.get(c, 0), *(issued.get(c) or (None, None)))
        for c in codes
    ]
