"""One printable sheet per measure, in a management-sheet layout (A4 portrait, fit to width).

The parts follow the plan's settings (``PlanSettings.parts_for(kind)``), in the plan's order: 基本情報,
事業の概要, 事業費 (years across, like Tsukuba's コストの推移), 市民参加, 指標 (one block per indicator:
years across with 目標・実績・達成率, 基準値 and 最終目標 beside), スケジュール, ロードマップ, 成果と課題,
自己評価 (suggested grade, reported grade, reason), 観点別評価 with the descriptor sentences, 方向性,
見直し. Every data cell is bound (see ``dxdesk.exchange.workbook``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from dxdesk.domain.fiscal import fy_label, fy_short
from dxdesk.domain.rates import achievement_rate
from dxdesk.domain.settings import PlanSettings
from dxdesk.domain.sheet import IndicatorData, MeasureSnapshot
from dxdesk.domain.values import Value
from dxdesk.exchange.layout import C, Form
from dxdesk.exchange.workbook import WorkbookBuilder
from dxdesk.store.queries import MeasureRow

__all__ = ["SheetContext", "cell_value", "draw_measure_sheet", "sheet_name_for"]

_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_RESERVED = {"表紙", "一覧", "施策一覧", "_dxdesk"}
_COST_ROWS = (
    ("budget", "予算額"),
    ("settlement", "決算額"),
    ("fund_general", "一般財源"),
    ("fund_national", "国庫支出金"),
    ("fund_prefecture", "県支出金"),
    ("fund_bonds", "地方債"),
    ("fund_other", "その他"),
    ("personnel_cost", "人件費計"),
    ("staff_ratio", "正職員従事割合（人）"),
    ("overtime_hours", "時間外勤務（時間）"),
)
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


@dataclass(frozen=True)
class SheetContext:
    plan_name: str
    fiscal_year: int
    settings: PlanSettings
    section_names: Mapping[str, str]
    node_paths: Mapping[str, str]  # measure code → 「分野 ＞ 重点課題」
    measures: Mapping[str, Mapping[str, Any]]  # measure code → dataset dict (basic information)
    # measure code → its place in the payload (("data", "measures", 3)): bound numbers point there
    payload_paths: Mapping[str, tuple[str | int, ...]] = field(default_factory=dict)


def sheet_name_for(code: str, taken: set[str]) -> str:
    """A valid, unique worksheet name for a measure code (Excel: ≤ 31 characters, no []:*?/\\)."""
    base = _BAD_SHEET_CHARS.sub("_", code).strip("'") or "施策"
    base = base[:31]
    name, n = base, 2
    while name in taken or name in _RESERVED:
        suffix = f"({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def cell_value(v: Value) -> str | Decimal | None:
    """What a sheet cell shows for a value: a number, 「—」, a text, or nothing."""
    if v.is_blank:
        return None
    if v.is_number:
        return v.number
    return v.display()


def _years(ctx: SheetContext) -> list[int]:
    n = max(1, ctx.settings.display_years)
    return list(range(ctx.fiscal_year - n + 1, ctx.fiscal_year + 1))


def _widths(ctx: SheetContext) -> list[float]:
    n = len(_years(ctx))
    year_w = max(7.5, 58.0 / n)
    return [15.0, *([year_w] * n), 10.5, 10.5]


def _basic(f: Form, ctx: SheetContext, row: MeasureRow, md: Mapping[str, Any]) -> None:
    m = row.snapshot
    n = f.ncols
    f.head("基本情報")
    f.line(
        C("コード", 1, "label"),
        C(m.code, 2, "center", "コード"),
        C("名称", 1, "label"),
        C(m.name, n - 4, "value", "名称"),
    )
    related = "、".join(ctx.section_names.get(c, c) for c in m.related_section_codes)
    f.line(
        C("担当課", 1, "label"),
        C(f"{row.section_name}（{row.section_code}）", 3, "value", "担当課"),
        C("関連課", 1, "label"),
        C(related, n - 5, "value", "関連課"),
    )
    f.line(C("計画体系", 1, "label"), C(ctx.node_paths.get(m.code, ""), n - 1, "value", "計画体系"))
    kind = ctx.settings.measure_kinds.get(m.kind, m.kind)
    stage = f"{m.sheet.stage.short}　{m.sheet.stage.label}" if m.sheet.stage else ""
    f.line(
        C("種別", 1, "label"),
        C(kind, 2, "center", "種別"),
        C("ライフサイクル", 1, "label"),
        C(stage, 2, "center", "ライフサイクル"),
        C("事業期間", 1, "label"),
        C(str(md.get("period_label", "")), n - 7, "center", "事業期間"),
    )
    sdgs = "・".join(str(g) for g in md.get("sdgs", []))
    f.line(
        C("予算科目", 1, "label"),
        C(str(md.get("budget_item", "")), 3, "value", "予算科目"),
        C("SDGs", 1, "label"),
        C(sdgs, 2, "center", "SDGs"),
        C("リーディング", 1, "label"),
        C("○" if md.get("leading") else "", n - 7, "center", "リーディング"),
    )
    if md.get("legal_basis"):
        f.line(C("根拠法令等", 1, "label"), C(str(md["legal_basis"]), n - 1, "value", "根拠法令等"))
    attrs = md.get("attributes") or {}
    for key, label in ctx.settings.measure_attributes:
        if attrs.get(key) not in (None, ""):
            f.line(C(label, 1, "label"), C(str(attrs[key]), n - 1, "value", label))


def _overview(f: Form, m: MeasureSnapshot) -> None:
    f.head("事業の概要")
    for label, text in (("対象", m.target_group), ("目的", m.purpose), ("概要", m.summary)):
        f.long_text(text, bind=label, label_span=1, label=label)


def _costs(f: Form, ctx: SheetContext, m: MeasureSnapshot, years: list[int]) -> None:
    unit = ctx.settings.cost_unit
    f.head(f"事業費（単位：{unit}）")
    pad = f.ncols - 1 - len(years)
    f.line(C("区分", 1, "label"), *(C(fy_short(y), 1, "label") for y in years), C(None, pad, "label"))
    for key, label in _COST_ROWS:
        cells = []
        for y in years:
            cost = m.costs.get(y)
            v = getattr(cost, key) if cost is not None else None
            path = _path(ctx, m.code, "costs", str(y), key) if isinstance(v, Decimal) else None
            cells.append(C(v, 1, "num", f"{fy_short(y)} {label}", path=path))
        if any(c.value is not None for c in cells):
            f.line(C(label, 1, "label"), *cells, C(None, pad, "value"))
    staff = [m.costs[y].part_time_staff if y in m.costs else None for y in years]
    if any(staff):
        f.line(
            C("会計年度任用職員", 1, "label"),
            *(
                C(s or "", 1, "center", f"{fy_short(y)} 会計年度任用職員")
                for y, s in zip(years, staff, strict=True)
            ),
            C(None, pad, "value"),
        )
    notes = [(y, m.costs[y].execution_note) for y in years if y in m.costs and m.costs[y].execution_note]
    for y, note in notes:
        f.long_text(note, bind=f"{fy_short(y)} 執行の説明", label_span=1, label=f"{fy_short(y)} 執行の説明")


def _path(ctx: SheetContext, code: str, *rest: str | int) -> tuple[str | int, ...] | None:
    base = ctx.payload_paths.get(code)
    return (*base, *rest) if base is not None else None


def _indicator_index(ctx: SheetContext, code: str, ind: IndicatorData) -> int | None:
    """The indicator's position in the payload's measure (matched by name and unit; None if unsure)."""
    items = (ctx.measures.get(code) or {}).get("indicators") or []
    found = [
        k for k, d in enumerate(items) if d.get("name") == ind.name and (d.get("unit") or "") == ind.unit
    ]
    return found[0] if len(found) == 1 else None


def _num(ctx: SheetContext, code: str, k: int | None, value: Any, *rest: str | int) -> C:
    """A bound number cell of indicator ``k``, pointing at ``rest`` in the payload when it is a number."""
    v = cell_value(value)
    path = _path(ctx, code, "indicators", k, *rest) if k is not None and isinstance(v, Decimal) else None
    return C(v, 1, "num", path=path)


def _indicator(
    f: Form, ctx: SheetContext, i: int, ind: IndicatorData, years: list[int], code: str = ""
) -> None:
    fy = ctx.fiscal_year
    k = _indicator_index(ctx, code, ind)
    mark = _CIRCLED[i] if i < len(_CIRCLED) else f"({i + 1})"
    tags = [ind.kind.label, ind.direction.label]
    if ind.cumulative:
        tags.append("累計")
    if ind.reference_only:
        tags.append("参考指標")
    unit = f"（{ind.unit}）" if ind.unit else ""
    n = f.ncols
    f.line(
        C(f"指標{mark}", 1, "label"),
        C(f"{ind.name}{unit}", n - 3, "value", f"指標{mark} 名称"),
        C("・".join(tags), 2, "center", f"指標{mark} 区分"),
    )
    base = f"基準値（{fy_short(ind.baseline_fy)}）" if ind.baseline_fy else "基準値"
    final = f"最終目標（{fy_short(ind.final_target_fy)}）" if ind.final_target_fy else "最終目標"
    f.line(
        C("年度", 1, "label"),
        *(C(fy_short(y), 1, "label") for y in years),
        C(base, 1, "label"),
        C(final, 1, "label"),
    )
    targets = [
        replace(
            _num(ctx, code, k, ind.year(y).target, "values", str(y), "target"),
            bind=f"指標{mark} {fy_short(y)} 目標",
        )
        for y in years
    ]
    f.line(
        C("目標", 1, "label"),
        *targets,
        replace(_num(ctx, code, k, ind.baseline, "baseline"), bind=f"指標{mark} 基準値"),
        replace(_num(ctx, code, k, ind.final_target, "final_target"), bind=f"指標{mark} 最終目標"),
    )
    actuals = [
        replace(
            _num(ctx, code, k, ind.year(y).actual, "values", str(y), "actual"),
            bind=f"指標{mark} {fy_short(y)} 実績",
        )
        for y in years
    ]
    f.line(C("実績（累計）" if ind.cumulative else "実績", 1, "label"), *actuals, C(None, 2, "value"))
    rates = []
    for y in years:
        yr = ind.year(y)
        shown = (
            ""
            if yr.actual.is_blank
            else achievement_rate(ind.direction, ind.target_for(y), yr.actual, ind.baseline).display
        )
        rates.append(C(shown, 1, "num", f"指標{mark} {fy_short(y)} 達成率"))
    f.line(C("達成率", 1, "label"), *rates, C(None, 2, "value"))
    if ind.rationale:
        f.long_text(
            ind.rationale, bind=f"指標{mark} 算出式・設定根拠", label_span=1, label="算出式・設定根拠"
        )
    if ind.note:
        f.long_text(ind.note, bind=f"指標{mark} 指標の概要", label_span=1, label="指標の概要")
    note = ind.year(fy).note
    if note:
        f.long_text(note, bind=f"指標{mark} {fy_short(fy)} 進捗状況", label_span=1, label="進捗状況")


def _schedule(f: Form, m: MeasureSnapshot) -> None:
    f.head("スケジュール（マイルストーン）")
    n = f.ncols
    f.line(
        C("No.", 1, "label"),
        C("マイルストーン", n - 3, "label"),
        C("期限", 1, "label"),
        C("状況", 1, "label"),
    )
    if not m.sheet.milestones:
        f.line(C("", 1, "center"), C("（登録なし）", n - 3, "value"), C("", 1, "center"), C("", 1, "center"))
    for k, ms in enumerate(m.sheet.milestones, start=1):
        due = fy_short(ms.due_fy) if ms.due_fy else ""
        f.line(
            C(str(k), 1, "center"),
            C(ms.text, n - 3, "value", f"マイルストーン{k}"),
            C(due, 1, "center", f"マイルストーン{k} 期限"),
            C(ms.status.label, 1, "center", f"マイルストーン{k} 状況"),
        )


def _texts(f: Form, ctx: SheetContext, m: MeasureSnapshot, part: str, heading: str) -> None:
    specs = [s for s in ctx.settings.text_fields if s.part == part]
    if not specs:
        return
    f.head(heading)
    for spec in specs:
        f.long_text(m.sheet.text(spec.key), bind=spec.label, label_span=1, label=spec.label)


def _evaluation(f: Form, row: MeasureRow) -> None:
    n = f.ncols
    sheet = row.snapshot.sheet
    f.head("自己評価")
    ev = row.evaluation
    suggested = ev.suggested.value if ev.suggested else "—"
    final = ev.grade_display or "—"
    f.line(
        C("算出評価", 1, "label"),
        C(suggested, 1, "big", "算出評価"),
        C(row.suggestion.explanation, n - 4, "value", "算出の根拠"),
        C("評価", 1, "label"),
        C(final, 1, "big", "評価"),
        min_lines=2,
    )
    if sheet.self_grade is not None and sheet.self_grade != row.suggestion.grade:
        f.long_text(
            sheet.override_reason, bind="評価を変更した理由", label_span=1, label="評価を変更した理由"
        )


def _perspectives(f: Form, ctx: SheetContext, m: MeasureSnapshot) -> None:
    f.head("観点別評価")
    n = f.ncols
    for p in ctx.settings.perspectives:
        score = m.sheet.perspective_scores.get(p.key)
        f.line(
            C(p.label, 1, "label"),
            C(Decimal(score) if score is not None else None, 1, "center", f"{p.label} 評点"),
            C(p.descriptor(score), n - 2, "value", f"{p.label} 説明"),
        )


def _direction(f: Form, m: MeasureSnapshot) -> None:
    f.head("今後の方向性")
    n = f.ncols
    f.line(
        C("方向性", 1, "label"),
        C(m.sheet.direction or "", 2, "center", "方向性"),
        C("理由", 1, "label"),
        C(m.sheet.direction_reason, n - 4, "value", "方向性の理由"),
    )


def draw_measure_sheet(
    book: WorkbookBuilder, ctx: SheetContext, row: MeasureRow, sheet_name: str, header_left: str
) -> None:
    """Draw the yearly sheet of one measure on a new worksheet ``sheet_name``."""
    m = row.snapshot
    md = ctx.measures.get(m.code, {})
    years = _years(ctx)
    title = ctx.settings.sheet_title.replace("{fy}", fy_label(ctx.fiscal_year))
    f = Form(
        book,
        sheet_name,
        _widths(ctx),
        title_rows="1:2",
        header=(header_left, f"{m.code}　{m.name}"[:60], fy_label(ctx.fiscal_year)),
    )
    f.title(title, bind="表題")
    f.line(C(f"{ctx.plan_name}　{m.code}　{m.name}", f.ncols, "subtitle", "見出し"))
    for part in ctx.settings.parts_for(m.kind):
        if part == "indicators":
            _indicators(f, ctx, m, years)
            continue
        with f.keep_together():  # a part that fits on a page is not split across two
            if part == "basic":
                _basic(f, ctx, row, md)
            elif part == "overview":
                _overview(f, m)
            elif part == "costs":
                _costs(f, ctx, m, years[-5:])
            elif part == "citizen":
                _texts(f, ctx, m, "citizen", "市民参加の取組状況")
            elif part == "schedule":
                _schedule(f, m)
            elif part == "roadmap":
                _texts(f, ctx, m, "roadmap", "ロードマップ")
            elif part == "results":
                _texts(f, ctx, m, "results", "事業の成果と課題")
            elif part == "evaluation":
                _evaluation(f, row)
            elif part == "perspectives":
                _perspectives(f, ctx, m)
            elif part == "direction":
                _direction(f, m)
            elif part == "review":
                _texts(f, ctx, m, "review", "見直し")


def _indicators(f: Form, ctx: SheetContext, m: MeasureSnapshot, years: list[int]) -> None:
    """One block per indicator, each kept on one page (the heading stays with the first)."""
    active = [ind for ind in m.indicators if ind.active_in(ctx.fiscal_year)]
    with f.keep_together():
        f.head("指標")
        if not active:
            f.line(C("（指標なし）", f.ncols, "value"))
        else:
            _indicator(f, ctx, 0, active[0], years, m.code)
    for i, ind in enumerate(active[1:], start=1):
        with f.keep_together():
            _indicator(f, ctx, i, ind, years, m.code)
