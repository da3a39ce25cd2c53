"""What the merged workbook (全庁集計) shows, as plain rows: one row per measure × indicator with every
field, the grade distribution by 分野 and 部局, the audit-readiness findings and the submission status.

Read once from the central database with :func:`dxdesk.store.snapshot.year_snapshots` (one query per
table), graded and checked with the domain rules; :mod:`dxdesk.central.workbook` writes the rows.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dxdesk.central.review import Decision, field_label
from dxdesk.central.status import JST, status_board
from dxdesk.domain.audit import Finding, check_plan
from dxdesk.domain.enums import IndicatorKind
from dxdesk.domain.evaluation import distribution_keys, evaluate
from dxdesk.domain.fields import COST_DECIMALS, COST_NUMBER_FIELDS
from dxdesk.domain.fiscal import fy_short
from dxdesk.domain.glossary import RECEIVED_AT
from dxdesk.domain.rates import achievement_rate
from dxdesk.domain.settings import PlanSettings
from dxdesk.domain.sheet import IndicatorData, MeasureSnapshot, SheetData
from dxdesk.domain.values import Value, with_decimals
from dxdesk.exchange.parallel import fork_is_safe
from dxdesk.report.model import PrintContext, context_for
from dxdesk.report.options import PrintOptions
from dxdesk.report.summary import GRADE_COLUMNS
from dxdesk.store.models import (
    Measure,
    MeasureReview,
    MeasureSection,
    Plan,
    ReviewComment,
    SubmissionHead,
)
from dxdesk.store.snapshot import year_snapshots

__all__ = ["Column", "MergedData", "collect"]

Progress = Callable[[int, int, str], None]
Cell = str | Decimal | int | None


@dataclass(frozen=True)
class Column:
    """A column of 全庁一覧. ``kind`` says how its numbers print: ``value`` an indicator's value (its
    own decimals; 「%」 after it when the indicator's unit is %), ``rate`` a 達成率 in percent,
    ``amount`` a cost figure (``decimals`` fixed), ``count`` a whole number. Texts wrap within
    ``max_width`` (Japanese characters count double)."""

    header: str
    numeric: bool = False
    max_width: float = 12.0
    kind: str = ""
    decimals: int = 0


@dataclass
class MergedData:
    fiscal_year: int
    plan_name: str
    municipality: str
    columns: list[Column]
    rows: list[tuple[Cell, ...]]  # 全庁一覧, in the plan's order
    section_of_row: list[str]  # section code of each row
    sections: list[tuple[str, str]]  # (code, name) in the organisation's order, those with measures
    by_field: dict[str, dict[str, int]] = field(default_factory=dict)
    by_bureau: dict[str, dict[str, int]] = field(default_factory=dict)
    # the plan's own distribution buckets: A–D … or its 方向性 / 見直し区分 options
    dist_columns: tuple[str, ...] = GRADE_COLUMNS
    status: Sequence[tuple[Cell, ...]] = field(default_factory=list)
    measures: int = 0
    measure_findings: list[tuple[tuple[int, int], tuple[Cell, ...]]] = field(default_factory=list)
    plan_check: PlanCheck | None = None
    measure_info: dict[str, tuple[int, str, str]] = field(default_factory=dict)  # code → (order, name, owner)
    _findings: list[tuple[Cell, ...]] | None = None
    _context: PrintContext | None = None

    def findings(self) -> list[tuple[Cell, ...]]:
        """Every finding, most severe first, then in the plan's order. Waits for the plan-wide check
        (running in another process while the rows were made and written)."""
        if self._findings is None:
            items = list(self.measure_findings)
            if self.plan_check is not None and self._context is not None:
                settings = self._context.settings
                for f in self.plan_check.result():
                    k, name, owner = self.measure_info.get(f.measure_code, (1_000_000, "", ""))
                    items.append(_finding_row(f, k, name, owner, self._context, settings))
            items.sort(key=lambda item: item[0])
            self._findings = [row for _key, row in items]
        return self._findings


def _value(v: Value, decimals: int | None = None) -> Cell:
    """A number as a number (Excel can sort and filter it) with the indicator's decimals where it
    has them, anything else as its text."""
    if v.is_number:
        assert v.number is not None
        return v.number if decimals is None else with_decimals(v.number, decimals)
    return v.display() or None


def _reviews(session: Session, plan: Plan, fy: int) -> dict[str, tuple[str, str]]:
    """measure code → (decision label, comments) of the accepted revisions."""
    accepted = select(SubmissionHead.accepted_id).where(
        SubmissionHead.plan_code == plan.code,
        SubmissionHead.fiscal_year == fy,
        SubmissionHead.accepted_id.is_not(None),
    )
    out: dict[str, tuple[str, list[str]]] = {}
    ids: dict[int, str] = {}
    for rid, code, decision in session.execute(
        select(MeasureReview.id, MeasureReview.measure_code, MeasureReview.decision).where(
            MeasureReview.submission_id.in_(accepted)
        )
    ):
        out[code] = (Decision(decision).label, [])
        ids[rid] = code
    from dxdesk.store.snapshot import plan_settings

    settings = plan_settings(plan)
    if ids:
        for rid, fld, text in session.execute(
            select(ReviewComment.review_id, ReviewComment.field, ReviewComment.text)
            .where(ReviewComment.review_id.in_(list(ids)))
            .order_by(ReviewComment.id)
        ):
            out[ids[rid]][1].append(f"【{field_label(settings, fld)}】{text}")
    return {k: (label, "\n".join(comments)) for k, (label, comments) in out.items()}


def collect(session: Session, plan: Plan, fy: int, progress: Progress | None = None) -> MergedData:
    report = progress or (lambda _i, _n, _m: None)
    ctx = context_for(session, plan, fy)
    settings = ctx.settings
    report(0, 4, "データを読み込んでいます")
    snaps = year_snapshots(session, plan, fy)
    extra = {
        mid: (budget_item, period, leading, sdgs, legal)
        for mid, budget_item, period, leading, sdgs, legal in session.execute(
            select(
                Measure.id,
                Measure.budget_item,
                Measure.period_label,
                Measure.is_leading,
                Measure.sdgs,
                Measure.legal_basis,
            ).where(Measure.plan_id == plan.id)
        )
    }
    related: dict[int, list[str]] = {}
    for mid, code in session.execute(
        select(MeasureSection.measure_id, MeasureSection.section_code)
        .join(Measure, Measure.id == MeasureSection.measure_id)
        .where(Measure.plan_id == plan.id)
        .order_by(MeasureSection.measure_id, MeasureSection.sort_order, MeasureSection.id)
    ):
        related.setdefault(mid, []).append(code)
    board = status_board(session, fy)
    state = {r.section_code: r for r in board.rows}
    reviews = _reviews(session, plan, fy)
    report(1, 4, "評価と監査対応チェックを計算しています")
    plan_check = PlanCheck([s for _i, _n, s in snaps], settings, ctx.section_names)

    texts = list(settings.text_fields)
    perspectives = list(settings.perspectives)
    cost_fy = fy_short(fy)
    cost_keys = _cost_keys(settings, [s for _i, _n, s in snaps], fy)
    opts = PrintOptions.of(settings)
    kind_words = {k: opts.indicator_kind(k.value) for k in IndicatorKind}
    cost_columns = [
        (k, opts.label(k), f"（{settings.cost_unit}）" if k not in COST_DECIMALS else "") for k in cost_keys
    ]
    columns = [
        Column("分野"),
        Column("体系", max_width=24),
        Column("部局"),
        Column("課所室コード"),
        Column("課所室"),
        Column("施策コード"),
        Column("施策名", max_width=24),
        Column("種別"),
        Column("重点"),
        Column("提出状況"),
        Column("版", numeric=True, kind="count"),
        Column(RECEIVED_AT),
        Column("審査"),
        Column("ステージ"),
        Column("算出評価"),
        Column("評価"),
        Column("評価の根拠", max_width=24),
        Column("評価を変更した理由", max_width=24),
        Column("方向性"),
        Column("方向性の理由", max_width=24),
        Column("指標No", numeric=True, kind="count"),
        Column("指標名", max_width=24),
        Column("単位"),
        Column("活動/成果"),
        Column("方向"),
        Column("累計"),
        Column("参考指標"),
        Column("基準値", numeric=True, kind="value"),
        Column("基準年度"),
        Column("最終目標", numeric=True, kind="value"),
        Column("目標年度"),
        Column(f"{fy_short(fy - 1)} 実績", numeric=True, kind="value"),
        Column(f"{cost_fy} 目標", numeric=True, kind="value"),
        Column(f"{cost_fy} 実績", numeric=True, kind="value"),
        Column("達成率（%）", numeric=True, kind="rate", decimals=opts.rate_decimals),
        Column("指標の備考", max_width=24),
        *(Column(t.label, max_width=24) for t in texts),
        *(Column(f"観点別評価：{p.label}", numeric=True, max_width=20, kind="count") for p in perspectives),
        Column("スケジュール", max_width=24),
        *(
            Column(
                f"{cost_fy} {label}{unit}", numeric=True, kind="amount", decimals=COST_DECIMALS.get(key, 0)
            )
            for key, label, unit in cost_columns
        ),
        Column("目的", max_width=24),
        Column("概要", max_width=24),
        Column("対象", max_width=24),
        Column("予算科目", max_width=24),
        Column("根拠法令等", max_width=24),
        Column("関連課所室", max_width=24),
        Column("事業期間"),
        Column("SDGs"),
        Column("作成者"),
        Column("所属長確認"),
        Column("審査コメント", max_width=24),
    ]
    rows: list[tuple[Cell, ...]] = []
    section_of_row: list[str] = []
    findings_rows: list[tuple[tuple[int, int], tuple[Cell, ...]]] = []
    measure_info: dict[str, tuple[int, str, str]] = {}
    by_field: dict[str, dict[str, int]] = {}
    by_bureau: dict[str, dict[str, int]] = {}
    sections_seen: set[str] = set()
    dist_columns = list(distribution_keys(settings))
    ordered = sorted(snaps, key=lambda t: (ctx.node_order.get(t[1], 1_000_000) if t[1] else 1_000_000,))
    for k, (mid, node_id, snap) in enumerate(ordered):
        if k % 200 == 199:
            report(1, 4, f"評価と監査対応チェックを計算しています（{k + 1}/{len(ordered)}）")
        sheet = snap.sheet
        ev = evaluate(snap, settings, fy)
        suggestion = ev.suggestion
        findings = ev.findings
        owner = snap.owner_section_code
        measure_info[snap.code] = (k, snap.name, owner)
        sections_seen.add(owner)
        path = ctx.node_paths.get(node_id, ()) if node_id else ()
        field_name = path[0].name if path else "（体系未設定）"
        bureau = ctx.bureau_names.get(ctx.section_bureau.get(owner, ""), "") or "（部局未設定）"
        column = ev.distribution_key
        if column not in dist_columns:
            dist_columns.append(column)
        by_field.setdefault(field_name, {})
        by_field[field_name][column] = by_field[field_name].get(column, 0) + 1
        by_bureau.setdefault(bureau, {})
        by_bureau[bureau][column] = by_bureau[bureau].get(column, 0) + 1
        st = state.get(owner)
        budget_item, period, leading, sdgs, legal = extra.get(mid, ("", "", False, [], ""))
        cost = snap.costs.get(fy)
        rv = reviews.get(snap.code)
        head: tuple[Cell, ...] = (
            field_name,
            " ＞ ".join(n.name for n in path),
            bureau,
            owner,
            ctx.section_names.get(owner, owner),
            snap.code,
            snap.name,
            settings.measure_kinds.get(snap.kind, snap.kind),
            "○" if leading else None,
            st.state.label if st else "未提出",
            st.revision if st and st.revision else None,
            st.received_at.astimezone(JST).strftime("%Y/%m/%d %H:%M") if st and st.received_at else None,
            rv[0] if rv else None,
            sheet.stage.short if sheet.stage else None,
            ev.suggested.value if ev.suggested else None,
            ev.grade_display or None,
            (suggestion.explanation or None) if ev.grades and ev.started else None,
            sheet.override_reason or None,
            sheet.direction,
            sheet.direction_reason or None,
        )
        tail: tuple[Cell, ...] = (
            *(sheet.text(t.key) or None for t in texts),
            *(sheet.perspective_scores.get(p.key) for p in perspectives),
            "\n".join(
                f"{ms.text}（{fy_short(ms.due_fy) if ms.due_fy else ''} {ms.status.label}）"
                for ms in sheet.milestones
            )
            or None,
            *(getattr(cost, k) if cost else None for k in cost_keys),
            snap.purpose or None,
            snap.summary or None,
            snap.target_group or None,
            budget_item or None,
            legal or None,
            "・".join(ctx.section_names.get(c, c) for c in related.get(mid, [])) or None,
            period or None,
            "・".join(str(g) for g in sdgs or []) or None,
            sheet.author or None,
            sheet.chief_confirmed_by or None,
            (rv[1] or None) if rv else None,
        )
        inds: list[IndicatorData | None] = [i for i in snap.indicators if i.active_in(fy)] or [None]
        for n, ind in enumerate(inds, start=1):
            rows.append(head + _indicator_cells(ind, n, fy, opts.rate_decimals, kind_words) + tail)
            section_of_row.append(owner)
        findings_rows += [_finding_row(f, k, snap.name, owner, ctx, settings) for f in findings]
    report(2, 4, "提出状況をまとめています")
    status_rows = [
        (
            r.section_code,
            r.section_name,
            r.bureau_name or None,
            r.state.label,
            r.revision,
            r.received_at_text or None,
            r.author or None,
            r.chief or None,
            r.measures,
            r.reviewed_accepted,
            r.reviewed_returned,
            r.conflicts or None,
        )
        for r in board.rows
    ]
    sections = [(c, ctx.section_names.get(c, c)) for c in _section_order(ctx, sections_seen)]
    out = MergedData(
        fiscal_year=fy,
        plan_name=plan.name,
        municipality=plan.municipality,
        columns=columns,
        rows=rows,
        section_of_row=section_of_row,
        sections=sections,
        by_field=by_field,
        by_bureau=by_bureau,
        dist_columns=tuple(dist_columns),
        measure_findings=findings_rows,
        plan_check=plan_check,
        measure_info=measure_info,
        status=status_rows,
        measures=len(snaps),
    )
    out._context = ctx
    return out


def _finding_row(
    f: Finding, order: int, name: str, owner: str, ctx: PrintContext, settings: PlanSettings
) -> tuple[tuple[int, int], tuple[Cell, ...]]:
    place = (
        field_label(settings, f.field)
        if f.field and not f.field.startswith(("costs[", "basic"))
        else f.field or None
    )
    row: tuple[Cell, ...] = (
        f.severity.label,
        f.check_id,
        f.title,
        f.message,
        f.measure_code,
        name,
        owner,
        ctx.section_names.get(owner, owner),
        place,
    )
    return (-f.severity.rank, order), row


def _plan_check(
    light: list[tuple[str, str, str, str]], fy: int, settings: PlanSettings, names: dict[str, str]
) -> list[Finding]:
    snaps = [
        MeasureSnapshot(code=c, name=n, sheet=SheetData(fiscal_year=fy), owner_section_code=o, summary=s)
        for c, n, s, o in light
    ]
    return check_plan(snaps, settings, names)


class PlanCheck:
    """The plan-wide check (the same measure split over sections: compares every pair of measures),
    started in a forked process so that it runs while the rows are made and written; computed here
    when forking is not safe (a threaded program, Windows) or the plan is small."""

    def __init__(self, snaps: Sequence[MeasureSnapshot], settings: PlanSettings, names: dict[str, str]):
        fy = snaps[0].fiscal_year if snaps else 0
        self._args = ([(m.code, m.name, m.summary, m.owner_section_code) for m in snaps], fy, settings, names)
        self._pool: ProcessPoolExecutor | None = None
        self._future: Future[list[Finding]] | None = None
        if len(snaps) >= 200 and fork_is_safe():
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
            self._future = self._pool.submit(_plan_check, *self._args)

    def result(self) -> list[Finding]:
        if self._future is None:
            return _plan_check(*self._args)
        try:
            return self._future.result()
        finally:
            assert self._pool is not None
            self._pool.shutdown()


def _cost_keys(settings: PlanSettings, snaps: Sequence[MeasureSnapshot], fy: int) -> list[str]:
    """The cost figures the merged workbook shows, in the plan's words: none when no sheet of the plan
    has 事業費; 予算額 and 決算額 when one has (unless the plan's print labels hide them); any other
    figure (財源, 人件費 …) when some measure entered it for the year."""
    kinds = [settings.sheet_parts, *settings.parts_by_kind.values()]
    if not any("costs" in parts for parts in kinds):
        return []
    opts = PrintOptions.of(settings)
    entered = {
        k for s in snaps if (c := s.costs.get(fy)) for k in COST_NUMBER_FIELDS if getattr(c, k) is not None
    }
    return [
        k for k in COST_NUMBER_FIELDS if opts.shown(k) and (k in ("budget", "settlement") or k in entered)
    ]


def _indicator_cells(
    ind: IndicatorData | None, n: int, fy: int, rate_decimals: int, kind_words: dict[IndicatorKind, str]
) -> tuple[Cell, ...]:
    if ind is None:
        return (None,) * 16
    target, actual = ind.target_for(fy), ind.year(fy).actual
    rate = achievement_rate(ind.direction, target, actual, ind.baseline) if not actual.is_blank else None
    return (
        n,
        ind.name,
        ind.unit or None,
        kind_words[IndicatorKind(ind.kind)],
        ind.direction.label,
        "○" if ind.cumulative else None,
        "○" if ind.is_reference(fy) else None,
        _value(ind.baseline, ind.decimals),
        fy_short(ind.baseline_fy) if ind.baseline_fy else None,
        _value(ind.final_target, ind.decimals),
        fy_short(ind.final_target_fy) if ind.final_target_fy else None,
        _value(ind.year(fy - 1).actual, ind.decimals),
        _value(target, ind.decimals),
        _value(actual, ind.decimals),
        with_decimals(rate.rate, rate_decimals) if rate is not None and rate.rate is not None else None,
        ind.year(fy).note or ind.note or None,
    )


def _section_order(ctx: PrintContext, codes: set[str]) -> list[str]:
    return sorted(codes, key=lambda c: (ctx.section_order.get(c, 1_000_000), c))
