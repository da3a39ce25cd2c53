"""Pre-submission and audit-readiness checks, as data.

Each check has a stable identifier, a severity (error blocks export; warning and info do not), a
Japanese message that says what to do, and a switch: the central office can turn any check off per plan
(``PlanSettings.audit_checks``). ``CHECKS`` is the table; the functions below it find the cases.

Two families:
- ``REQ``/``VAL`` — entry checks on one sheet (required texts, override reasons, limits, sums);
- ``AUD`` — the mechanical findings external auditors of these plans raise (docs/evaluation-rules.md).

A :class:`Finding` names the sheet field it is about (``field``), so the pre-submission list can jump to
it: ``texts.result``, ``self_grade``, ``direction_reason``, ``indicators[0].actual``, ``milestones``,
``costs[2025]``, ``perspectives.needs``, ``stage``.
"""

from __future__ import annotations

import difflib
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal

from dxdesk.domain.enums import (
    Direction,
    EvaluationScheme,
    Grade,
    GradingRule,
    IndicatorKind,
    MilestoneStatus,
    Severity,
    Stage,
)
from dxdesk.domain.fiscal import fy_short
from dxdesk.domain.grading import KPI_STAGES, SCHEDULE_STAGES, GradeSuggestion, suggest_grade
from dxdesk.domain.rates import is_better, reached
from dxdesk.domain.settings import PlanSettings
from dxdesk.domain.sheet import IndicatorData, MeasureSnapshot
from dxdesk.domain.values import format_decimal

__all__ = [
    "CHECKS",
    "CheckDef",
    "Finding",
    "check_by_id",
    "check_measure",
    "check_plan",
    "has_errors",
]


@dataclass(frozen=True)
class CheckDef:
    id: str
    severity: Severity
    title: str  # short Japanese name, for the settings screen and the review list
    message: str  # Japanese, says what to do; ``{placeholders}`` filled per finding
    scope: str = "measure"  # "measure" or "plan" (needs all measures)
    default_enabled: bool = True


@dataclass(frozen=True)
class Finding:
    check_id: str
    severity: Severity
    message: str
    measure_code: str
    fiscal_year: int
    field: str = ""

    @property
    def title(self) -> str:
        return check_by_id(self.check_id).title


CHECKS: tuple[CheckDef, ...] = (
    # --- entry checks ---------------------------------------------------------------------------
    CheckDef("REQ-TEXT", Severity.ERROR, "必須項目の未入力", "「{label}」が未入力です。入力してください。"),
    CheckDef(
        "REQ-TEXT-LIMIT",
        Severity.ERROR,
        "文字数の超過",
        "「{label}」が{length}文字で、上限の{limit}文字を超えています。{limit}文字以内にまとめてください。",
    ),
    CheckDef(
        "REQ-STAGE",
        Severity.ERROR,
        "ライフサイクルの未選択",
        "ライフサイクル（ステージ）が選ばれていません。評価の方法が決まらないため選択してください。",
    ),
    CheckDef(
        "REQ-OVERRIDE-REASON",
        Severity.ERROR,
        "評価変更の理由なし",
        "自己評価 {grade} は算出結果（{suggested}）と異なります。変更した理由を入力してください。",
    ),
    CheckDef(
        "REQ-DIRECTION", Severity.ERROR, "方向性の未選択", "方向性が選ばれていません。選択してください。"
    ),
    CheckDef(
        "REQ-DIRECTION-REASON",
        Severity.ERROR,
        "方向性の理由なし",
        "方向性「{direction}」には理由が必要です。理由を入力してください。",
    ),
    CheckDef(
        "REQ-PERSPECTIVE",
        Severity.ERROR,
        "観点別評価の未入力",
        "観点別評価「{label}」が未入力です。1〜5から選んでください。",
    ),
    CheckDef(
        "VAL-FUNDING-SUM",
        Severity.WARNING,
        "財源内訳の不一致",
        "{year}の財源内訳の合計（{funding}）が決算額（{settlement}）と一致しません。内訳を見直してください。",
    ),
    CheckDef(
        "VAL-CUMULATIVE-DECREASE",
        Severity.WARNING,
        "累計値の減少",
        "累計の指標「{indicator}」の実績が{year}に前年度（{prev}）より減っています。累計値になっているか確認してください。",
    ),
    # --- audit-readiness checks -------------------------------------------------------------------
    CheckDef(
        "AUD-MISSING-ACTUAL",
        Severity.WARNING,
        "実績の未入力",
        "指標「{indicator}」の{year}の実績が未入力です。実績を入力するか、該当しない場合は「—」を入力してください。",
    ),
    CheckDef(
        "AUD-OUTPUT-ONLY",
        Severity.WARNING,
        "成果指標なし",
        "KPIで管理する施策ですが、指標がすべて活動指標（アウトプット）です。成果（アウトカム）を測る指標を設定してください。",
    ),
    CheckDef(
        "AUD-SCHEDULE-BY-KPI",
        Severity.WARNING,
        "構築期なのにKPI管理",
        "ステージ{stage}（{stage_label}）の施策は日付のあるマイルストーンで管理します。マイルストーンを登録してください。",
    ),
    CheckDef(
        "AUD-KPI-NO-TARGET",
        Severity.WARNING,
        "目標値なし",
        "KPIで管理する指標「{indicator}」に{year}の目標値も最終目標値もありません。目標値を設定してください。",
    ),
    CheckDef(
        "AUD-KPI-NO-BASELINE",
        Severity.INFO,
        "基準値なし",
        "KPIで管理する指標「{indicator}」に基準値がありません。改善か悪化かを判断できるよう基準値と基準年度を設定してください。",
    ),
    CheckDef(
        "AUD-TARGET-NOT-TARGET",
        Severity.WARNING,
        "目標値が基準値以下",
        "指標「{indicator}」の目標値（{target}）が基準値（{baseline}）を{relation}います。改善を目指す目標値か確認してください。",
    ),
    CheckDef(
        "AUD-STABLE-CANDIDATE",
        Severity.INFO,
        "安定期への移行候補",
        "指標「{indicator}」は{years}年連続で目標を達成し、実績が安定しています。安定期（ステージ3）への移行を検討してください。",
    ),
    CheckDef(
        "AUD-STABLE-BELOW-TARGET",
        Severity.WARNING,
        "安定期なのに目標未達",
        "安定期（ステージ3）ですが、指標「{indicator}」が{year}の目標を下回っています。環境変化対応期（ステージ4）への移行を検討してください。",
    ),
    CheckDef(
        "AUD-GRADE-OPTIMISTIC",
        Severity.WARNING,
        "データより良い自己評価",
        "自己評価 {grade} は、データから算出される評価（{suggested}）より良くなっています。{detail}根拠を確認してください。",
    ),
    CheckDef(
        "AUD-LOW-EXECUTION",
        Severity.WARNING,
        "執行率が低い",
        "{year}の執行率が{rate}%（予算 {budget} に対し決算 {settlement}）です。不用額が生じた理由を事業費の説明欄に記入してください。",
    ),
    CheckDef(
        "AUD-SPLIT-MEASURE",
        Severity.INFO,
        "同じ内容の施策が複数課に分かれている",
        "「{name}」は{other_section}の「{other_code} {other_name}」と同じ内容のようです。複数課で担う一つの施策にまとめることを検討してください。",
        scope="plan",
    ),
)

_BY_ID = {c.id: c for c in CHECKS}


def check_by_id(check_id: str) -> CheckDef:
    return _BY_ID[check_id]


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


# --- helpers ------------------------------------------------------------------------------------


class _Ctx:
    def __init__(self, m: MeasureSnapshot, settings: PlanSettings, suggestion: GradeSuggestion):
        self.m = m
        self.s = settings
        self.fy = m.fiscal_year
        self.suggestion = suggestion

    def finding(self, check_id: str, field: str = "", **values: object) -> Finding:
        c = _BY_ID[check_id]
        return Finding(c.id, c.severity, c.message.format(**values), self.m.code, self.fy, field)

    def uses(self, part: str) -> bool:
        return self.s.uses(part, self.m.kind)

    @property
    def kpi_managed(self) -> bool:
        stage = self.m.sheet.stage
        if stage is not None:
            return stage in KPI_STAGES
        return self.suggestion.rule is GradingRule.KPI

    def graded_indicators(self) -> list[tuple[int, IndicatorData]]:
        return [
            (i, ind)
            for i, ind in enumerate(self.m.indicators)
            if ind.active_in(self.fy) and not ind.is_reference(self.fy)
        ]


# --- entry checks -------------------------------------------------------------------------------


def _req_texts(c: _Ctx) -> Iterator[Finding]:
    for spec in c.s.text_fields:
        if not c.uses(spec.part):
            continue
        text = c.m.sheet.text(spec.key)
        if spec.required and not text.strip():
            yield c.finding("REQ-TEXT", f"texts.{spec.key}", label=spec.label)
        if spec.limit is not None and len(text) > spec.limit:
            yield c.finding(
                "REQ-TEXT-LIMIT",
                f"texts.{spec.key}",
                label=spec.label,
                length=f"{len(text):,}",
                limit=f"{spec.limit:,}",
            )


def _req_stage(c: _Ctx) -> Iterator[Finding]:
    if (
        c.s.evaluation_scheme is EvaluationScheme.LIFECYCLE
        and c.s.stages_enabled
        and c.uses("evaluation")
        and c.m.sheet.stage is None
    ):
        yield c.finding("REQ-STAGE", "stage")


def _req_override(c: _Ctx) -> Iterator[Finding]:
    sheet = c.m.sheet
    if sheet.self_grade is None or c.s.evaluation_scheme is not EvaluationScheme.LIFECYCLE:
        return
    if not c.uses("evaluation"):
        return
    suggested = c.suggestion.grade
    if sheet.self_grade != suggested and not sheet.override_reason.strip():
        yield c.finding(
            "REQ-OVERRIDE-REASON",
            "override_reason",
            grade=sheet.self_grade.value,
            suggested=suggested.value if suggested else "算出なし",
        )


def _req_direction(c: _Ctx) -> Iterator[Finding]:
    if not c.uses("direction"):
        return
    sheet = c.m.sheet
    if not sheet.direction:
        yield c.finding("REQ-DIRECTION", "direction")
        return
    opt = c.s.direction_option(sheet.direction)
    needs_reason = opt.reason_required if opt is not None else True
    if needs_reason and not sheet.direction_reason.strip():
        yield c.finding("REQ-DIRECTION-REASON", "direction_reason", direction=sheet.direction)


def _req_perspectives(c: _Ctx) -> Iterator[Finding]:
    if not c.uses("perspectives"):
        return
    for p in c.s.perspectives:
        if c.m.sheet.perspective_scores.get(p.key) is None:
            yield c.finding("REQ-PERSPECTIVE", f"perspectives.{p.key}", label=p.label)


def _val_funding(c: _Ctx) -> Iterator[Finding]:
    if not c.uses("costs"):
        return
    # Only the evaluated year: earlier years were explained (or not) on their own sheets, which are
    # read-only now.
    for fy in [c.fy] if c.fy in c.m.costs else []:
        cost = c.m.costs[fy]
        total = cost.funding_total()
        if total is None or cost.settlement is None or total == cost.settlement:
            continue
        yield c.finding(
            "VAL-FUNDING-SUM",
            f"costs[{fy}]",
            year=fy_short(fy),
            funding=format_decimal(total),
            settlement=format_decimal(cost.settlement),
        )


def _val_cumulative(c: _Ctx) -> Iterator[Finding]:
    for i, ind in enumerate(c.m.indicators):
        if not ind.cumulative:
            continue
        prev = None
        for fy in sorted(y for y in ind.years if y <= c.fy):
            a = ind.years[fy].actual
            if not a.is_number:
                continue
            assert a.number is not None
            if prev is not None and a.number < prev:
                yield c.finding(
                    "VAL-CUMULATIVE-DECREASE",
                    f"indicators[{i}].actual",
                    indicator=ind.name,
                    year=fy_short(fy),
                    prev=format_decimal(prev),
                )
            prev = a.number


# --- audit-readiness checks -----------------------------------------------------------------------


def _aud_missing_actual(c: _Ctx) -> Iterator[Finding]:
    if c.m.sheet.stage is Stage.NEXT:
        return  # replacement under study: nothing is measured any more
    for i, ind in enumerate(c.m.indicators):
        if not ind.active_in(c.fy):
            continue
        if ind.year(c.fy).actual.is_blank:
            yield c.finding(
                "AUD-MISSING-ACTUAL", f"indicators[{i}].actual", indicator=ind.name, year=fy_short(c.fy)
            )


def _aud_output_only(c: _Ctx) -> Iterator[Finding]:
    graded = c.graded_indicators()
    if c.kpi_managed and graded and all(ind.kind is IndicatorKind.ACTIVITY for _, ind in graded):
        yield c.finding("AUD-OUTPUT-ONLY", "indicators")


def _aud_schedule_by_kpi(c: _Ctx) -> Iterator[Finding]:
    stage = c.m.sheet.stage
    if stage in SCHEDULE_STAGES and not c.m.sheet.milestones:
        assert stage is not None
        yield c.finding("AUD-SCHEDULE-BY-KPI", "milestones", stage=stage.short, stage_label=stage.label)


def _aud_kpi_targets(c: _Ctx) -> Iterator[Finding]:
    if not c.kpi_managed:
        return
    for i, ind in c.graded_indicators():
        target = ind.target_for(c.fy)
        if target.is_blank:
            yield c.finding(
                "AUD-KPI-NO-TARGET", f"indicators[{i}].target", indicator=ind.name, year=fy_short(c.fy)
            )
        if ind.value_type.value == "numeric" and ind.kind is IndicatorKind.OUTCOME and ind.baseline.is_blank:
            yield c.finding("AUD-KPI-NO-BASELINE", f"indicators[{i}].baseline", indicator=ind.name)


def _aud_target_not_target(c: _Ctx) -> Iterator[Finding]:
    for i, ind in c.graded_indicators():
        if ind.direction is Direction.KEEP or not ind.baseline.is_number:
            continue
        target = ind.target_for(c.fy)
        if not target.is_number:
            continue
        assert target.number is not None and ind.baseline.number is not None
        if not is_better(ind.direction, target.number, ind.baseline.number):
            relation = "下回って" if target.number < ind.baseline.number else "上回って"
            if target.number == ind.baseline.number:
                relation = "超えずに同じ値になって"
            yield c.finding(
                "AUD-TARGET-NOT-TARGET",
                f"indicators[{i}].target",
                indicator=ind.name,
                target=target.display(ind.unit),
                baseline=ind.baseline.display(ind.unit),
                relation=relation,
            )


def _aud_stable(c: _Ctx) -> Iterator[Finding]:
    stage = c.m.sheet.stage
    n = c.s.stable_years
    for i, ind in c.graded_indicators():
        if stage is Stage.STABLE:
            target = ind.target_for(c.fy)
            actual = ind.year(c.fy).actual
            if target.is_number and actual.is_number:
                assert target.number is not None and actual.number is not None
                if not reached(ind.direction, target.number, actual.number):
                    yield c.finding(
                        "AUD-STABLE-BELOW-TARGET",
                        f"indicators[{i}].actual",
                        indicator=ind.name,
                        year=fy_short(c.fy),
                    )
            continue
        if stage not in KPI_STAGES or ind.cumulative:
            continue
        actuals: list[Decimal] = []
        for fy in range(c.fy - n + 1, c.fy + 1):
            t, a = ind.target_for(fy), ind.year(fy).actual
            if not (t.is_number and a.is_number):
                break
            assert t.number is not None and a.number is not None
            if not reached(ind.direction, t.number, a.number):
                break
            actuals.append(a.number)
        else:
            lo, hi = min(actuals), max(actuals)
            spread_ok = hi == lo or (hi != 0 and (hi - lo) / abs(hi) * 100 <= c.s.stable_variation_percent)
            if spread_ok:
                yield c.finding(
                    "AUD-STABLE-CANDIDATE", f"indicators[{i}].actual", indicator=ind.name, years=n
                )


def _aud_grade_optimistic(c: _Ctx) -> Iterator[Finding]:
    sheet = c.m.sheet
    suggested = c.suggestion.grade
    if sheet.self_grade is None or suggested is None or sheet.self_grade.rank <= suggested.rank:
        return
    detail = ""
    if sheet.self_grade is Grade.A:
        open_ms = [m for m in sheet.milestones if m.status is not MilestoneStatus.DONE]
        below = [a.name for a in c.suggestion.indicators if a.grade is not None and a.grade is not Grade.A]
        if open_ms:
            detail = f"未完了のマイルストーン（「{open_ms[0].text}」）があります。"
        elif below:
            detail = f"指標「{below[0]}」が目標に届いていません。"
    yield c.finding(
        "AUD-GRADE-OPTIMISTIC",
        "self_grade",
        grade=sheet.self_grade.value,
        suggested=suggested.value,
        detail=detail,
    )


def _aud_low_execution(c: _Ctx) -> Iterator[Finding]:
    if not c.uses("costs"):
        return
    threshold = c.s.low_execution_rate_percent
    # Only the evaluated year: earlier years were explained (or not) on their own sheets, which are
    # read-only now.
    for fy in [c.fy] if c.fy in c.m.costs else []:
        cost = c.m.costs[fy]
        if cost.budget is None or cost.settlement is None or cost.budget <= 0:
            continue
        if cost.execution_note.strip():
            continue
        rate = cost.settlement / cost.budget * 100
        if rate < threshold:
            yield c.finding(
                "AUD-LOW-EXECUTION",
                f"costs[{fy}]",
                year=fy_short(fy),
                rate=format_decimal(rate.quantize(Decimal("0.1"))),
                budget=format_decimal(cost.budget),
                settlement=format_decimal(cost.settlement),
            )


_MEASURE_RUNNERS: dict[str, Callable[[_Ctx], Iterator[Finding]]] = {
    "REQ-TEXT": _req_texts,  # also yields REQ-TEXT-LIMIT
    "REQ-STAGE": _req_stage,
    "REQ-OVERRIDE-REASON": _req_override,
    "REQ-DIRECTION": _req_direction,  # also yields REQ-DIRECTION-REASON
    "REQ-PERSPECTIVE": _req_perspectives,
    "VAL-FUNDING-SUM": _val_funding,
    "VAL-CUMULATIVE-DECREASE": _val_cumulative,
    "AUD-MISSING-ACTUAL": _aud_missing_actual,
    "AUD-OUTPUT-ONLY": _aud_output_only,
    "AUD-SCHEDULE-BY-KPI": _aud_schedule_by_kpi,
    "AUD-KPI-NO-TARGET": _aud_kpi_targets,  # also yields AUD-KPI-NO-BASELINE
    "AUD-TARGET-NOT-TARGET": _aud_target_not_target,
    "AUD-STABLE-CANDIDATE": _aud_stable,  # also yields AUD-STABLE-BELOW-TARGET
    "AUD-GRADE-OPTIMISTIC": _aud_grade_optimistic,
    "AUD-LOW-EXECUTION": _aud_low_execution,
}


def check_measure(
    m: MeasureSnapshot, settings: PlanSettings, suggestion: GradeSuggestion | None = None
) -> list[Finding]:
    """All enabled measure-scope findings for one sheet, errors first."""
    if suggestion is None:
        suggestion = suggest_grade(
            m.sheet.stage, m.indicators, m.sheet.milestones, m.fiscal_year, settings.grade_tolerance_percent
        )
    ctx = _Ctx(m, settings, suggestion)
    findings = [
        f
        for runner in _MEASURE_RUNNERS.values()
        for f in runner(ctx)
        if settings.check_enabled(f.check_id, _BY_ID[f.check_id].default_enabled)
    ]
    findings.sort(key=lambda f: -f.severity.rank)
    return findings


def _norm_text(s: str) -> str:
    s = unicodedata.normalize("NFKC", s)
    return "".join(ch for ch in s if ch.isalnum())


class _Text:
    """A normalised text with what the cheap upper bounds of difflib's ratio need."""

    __slots__ = ("chars", "n", "text")

    def __init__(self, raw: str):
        self.text = _norm_text(raw)
        self.n = len(self.text)
        self.chars = Counter(self.text)


def _similar(a: _Text, b: _Text, threshold: float) -> bool:
    """difflib ratio >= threshold, skipping the expensive match when an upper bound already fails."""
    if not a.n or not b.n:
        return False
    if a.text == b.text:
        return True
    total = a.n + b.n
    if 2 * min(a.n, b.n) < threshold * total:  # length bound (real_quick_ratio)
        return False
    # multiset intersection size, over the smaller counter (Counter.__and__ builds a new Counter: slow)
    small, large = (a.chars, b.chars) if len(a.chars) <= len(b.chars) else (b.chars, a.chars)
    get = large.get
    common = 0
    for ch, n in small.items():
        m = get(ch)
        if m:
            common += n if n < m else m
    if 2 * common < threshold * total:  # multiset bound (quick_ratio)
        return False
    return difflib.SequenceMatcher(None, a.text, b.text, autojunk=False).ratio() >= threshold


def _candidate_pairs(texts: Sequence[str], k: int = 3, min_shared: float = 0.3) -> set[tuple[int, int]]:
    """Index pairs worth comparing: texts sharing at least ``min_shared`` of the smaller one's
    character k-grams. k-grams found in more than a tenth of the texts (boilerplate) are not counted,
    so the work stays near-linear; identical texts are always paired."""
    grams: list[set[str]] = []
    index: dict[str, list[int]] = {}
    exact: dict[str, list[int]] = {}
    for i, t in enumerate(texts):
        g = {t[p : p + k] for p in range(len(t) - k + 1)} if len(t) >= k else ({t} if t else set())
        grams.append(g)
        if t:
            exact.setdefault(t, []).append(i)
        for gram in g:
            index.setdefault(gram, []).append(i)
    cap = max(20, len(texts) // 10)
    shared: Counter[tuple[int, int]] = Counter()
    for posting in index.values():
        if len(posting) > cap:
            continue
        for x in range(len(posting)):
            for y in range(x + 1, len(posting)):
                shared[(posting[x], posting[y])] += 1
    pairs = {(i, j) for (i, j), n in shared.items() if n >= min_shared * min(len(grams[i]), len(grams[j]))}
    for same in exact.values():
        pairs.update((same[x], same[y]) for x in range(len(same)) for y in range(x + 1, len(same)))
    return pairs


def check_plan(
    measures: Sequence[MeasureSnapshot],
    settings: PlanSettings,
    section_names: dict[str, str] | None = None,
    name_threshold: float = 0.9,
    summary_threshold: float = 0.85,
) -> list[Finding]:
    """Plan-scope findings: the same measure split across several sections (AUD-SPLIT-MEASURE).

    Two measures of different sections are "the same" when their names (or summaries of 20+
    characters) match with a difflib ratio of at least the threshold on normalised text. A k-gram
    index picks the pairs worth comparing, so a thousand measures take well under a second."""
    if not settings.check_enabled("AUD-SPLIT-MEASURE"):
        return []
    names = section_names or {}
    name_texts = [_Text(m.name) for m in measures]
    summary_texts = [_Text(m.summary) for m in measures]
    pairs = _candidate_pairs([t.text for t in name_texts]) | _candidate_pairs(
        [t.text if t.n >= 20 else "" for t in summary_texts]
    )
    check = _BY_ID["AUD-SPLIT-MEASURE"]
    findings: list[Finding] = []
    for i, j in sorted(pairs):
        a, b = measures[i], measures[j]
        if a.owner_section_code == b.owner_section_code or a.code == b.code:
            continue
        same = _similar(name_texts[i], name_texts[j], name_threshold) or (
            summary_texts[i].n >= 20 and _similar(summary_texts[i], summary_texts[j], summary_threshold)
        )
        if not same:
            continue
        for x, y in ((a, b), (b, a)):
            message = check.message.format(
                name=x.name,
                other_section=names.get(y.owner_section_code, y.owner_section_code),
                other_code=y.code,
                other_name=y.name,
            )
            findings.append(Finding(check.id, check.severity, message, x.code, x.fiscal_year, "basic"))
    return findings
