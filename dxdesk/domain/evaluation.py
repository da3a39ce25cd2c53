"""One evaluation of a measure: everything the application derives from a sheet, in one place.

:func:`evaluate` takes a measure's data (:class:`~dxdesk.domain.sheet.MeasureSnapshot`), the plan's
settings and the fiscal year, and returns an :class:`Evaluation`: 達成率 per indicator-year, the
suggested grade under the plan's scheme (or none where the scheme does not grade), the wording for
it, the findings of the checks (``dxdesk.domain.audit``) and the sheet's entry status. The sheet
editor, the F8 panel, the submission export and its cover, the CLI ``check``, the central review list,
the printed sheets and summaries and the merged workbook all call it; nothing else computes a grade.

What the plan's scheme (``PlanSettings.evaluation_scheme``) means here:
- ``lifecycle`` — A–D by lifecycle stage (docs/evaluation-rules.md), with the KPI wording for the
  KPI stages, the schedule wording (「構築中・計画より遅れ」…) for the schedule stages and 対象外 for
  stages 3 and 5;
- ``perspective`` — 観点別評価 1–5 and 方向性: no A–D grade; summaries count 方向性 and average scores;
- ``rate_only`` — 目標・実績・達成率 and 進捗/見直し区分: no grade; summaries count 見直し区分;
- ``pdca`` — qualitative PDCA text: no grade, no rate-based verdict.

A sheet nobody has started is 「未入力」, never a grade.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal
from functools import cached_property

from dxdesk.domain.audit import Finding, check_measure
from dxdesk.domain.enums import EntryStatus, EvaluationScheme, Grade, GradingRule, Severity, Stage
from dxdesk.domain.grading import (
    GradeSuggestion,
    IndicatorAssessment,
    assess_indicator,
    grade_by_kpi,
    suggest_grade,
)
from dxdesk.domain.rates import RateResult, achievement_rate
from dxdesk.domain.settings import PlanSettings
from dxdesk.domain.sheet import IndicatorData, MeasureSnapshot

__all__ = [
    "GRADING_SCHEMES",
    "KPI_WORDING",
    "NOT_ENTERED",
    "NOT_EVALUATED",
    "NO_GRADE",
    "SCHEDULE_WORDING",
    "Evaluation",
    "distribution_keys",
    "distribution_text",
    "distribution_title",
    "entry_status",
    "evaluate",
    "indicator_rates",
    "is_started",
    "stage_label",
]

GRADING_SCHEMES = frozenset({EvaluationScheme.LIFECYCLE})

NOT_ENTERED = "未入力"
NOT_EVALUATED = "対象外"
NO_GRADE = "評価なし"

KPI_WORDING: Mapping[Grade, str] = {g: g.label for g in Grade}
SCHEDULE_WORDING: Mapping[Grade, str] = {
    Grade.A: "構築完了",
    Grade.B: "構築中・おおむね計画どおり",
    Grade.C: "構築中・計画より遅れ",
    Grade.D: "未着手",
}


def stage_label(stage: Stage | None) -> str:
    """「段階2（拡大期）」 as the published formats print a lifecycle stage; 「（未選択）」 when unset."""
    if stage is None:
        return "（未選択）"
    label = stage.label.replace("（", "・").replace("）", "")  # 安定期（見直し） → 安定期・見直し
    return f"段階{stage.short}（{label}）"


def is_started(m: MeasureSnapshot, fy: int | None = None) -> bool:
    """Has anything of the year been entered (texts, grade, direction, actuals, milestones, scores)?"""
    fy = m.fiscal_year if fy is None else fy
    sheet = m.sheet
    return (
        any(t.strip() for t in sheet.texts.values())
        or sheet.self_grade is not None
        or bool(sheet.direction)
        or any(i.year(fy).actual.is_entered for i in m.indicators)
        or any(ms.status.value != "not_started" for ms in sheet.milestones)
        or bool(sheet.perspective_scores)
    )


def entry_status(m: MeasureSnapshot, findings: Sequence[Finding], stored: str | None) -> EntryStatus:
    """未入力 / 入力中 / 入力完了 / 要確認 for the list.

    要確認 when a 「入力完了」 sheet still has errors (or was returned: stored ``needs_check``);
    入力完了 when the person marked it so; otherwise 入力中 once anything of the year is entered.
    """
    if stored == EntryStatus.NEEDS_CHECK.value:
        return EntryStatus.NEEDS_CHECK
    has_errors = any(f.severity is Severity.ERROR for f in findings)
    if stored == EntryStatus.COMPLETE.value:
        return EntryStatus.NEEDS_CHECK if has_errors else EntryStatus.COMPLETE
    return EntryStatus.IN_PROGRESS if is_started(m) else EntryStatus.EMPTY


def indicator_rates(ind: IndicatorData, years: Sequence[int]) -> dict[int, RateResult]:
    """達成率 of one indicator for each of ``years`` (the year's target, else the plan-end target)."""
    return {
        fy: achievement_rate(ind.direction, ind.target_for(fy), ind.year(fy).actual, ind.baseline)
        for fy in years
    }


@dataclass(frozen=True)
class Evaluation:
    """Everything derived from one measure's sheet for one fiscal year under the plan's scheme."""

    scheme: EvaluationScheme
    fiscal_year: int
    suggestion: GradeSuggestion
    findings: tuple[Finding, ...]
    status: EntryStatus
    self_grade: Grade | None
    started: bool
    direction: str | None = None
    perspective_scores: Mapping[str, int] = field(default_factory=dict)
    indicators: tuple[IndicatorData, ...] = ()
    tolerance_percent: Decimal = Decimal(0)
    bucket: str = ""  # the plan's own distribution bucket (see :func:`distribution_keys`)

    @property
    def grades(self) -> bool:
        """Does the plan's scheme grade A–D at all?"""
        return self.scheme in GRADING_SCHEMES

    @property
    def errors(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.findings if f.severity is Severity.WARNING)

    @property
    def grade(self) -> Grade | None:
        """The grade reported: the section's choice where it made one, else the suggestion; None where
        the scheme does not grade, the stage is not evaluated, or nothing has been entered yet."""
        if not self.grades:
            return None
        if self.self_grade is not None:
            return self.self_grade
        if not self.started:
            return None
        return self.suggestion.grade

    @property
    def suggested(self) -> Grade | None:
        """The computed grade (None where the scheme does not grade or the sheet is not started)."""
        if not self.grades or not self.started:
            return None
        return self.suggestion.grade

    @property
    def is_override(self) -> bool:
        return self.self_grade is not None and self.self_grade != self.suggestion.grade

    @property
    def grade_display(self) -> str:
        """「A」…「D」, 「対象外」, 「未入力」 or 「評価なし」; empty where the scheme has no grade."""
        if not self.grades:
            return ""
        g = self.grade
        if g is not None:
            return g.value
        if self.suggestion.rule is GradingRule.NOT_EVALUATED:
            return NOT_EVALUATED
        if not self.started:
            return NOT_ENTERED
        return NO_GRADE

    @property
    def wording(self) -> str:
        """The grade's sentence under the rule that applies (schedule wording for schedule stages)."""
        g = self.grade
        if g is None:
            return "" if not self.grades else self.grade_display
        return wording_for(g, self.suggestion.rule)

    @property
    def distribution_key(self) -> str:
        """The bucket this measure counts in for the plan's own distribution (see :func:`distribution_keys`)."""
        return self.grade_display if self.grades else self.bucket

    def rate(self, index: int, fy: int | None = None) -> RateResult | None:
        return self.rates.get((index, self.fiscal_year if fy is None else fy))

    @cached_property
    def rates(self) -> Mapping[tuple[int, int], RateResult]:
        """達成率 per (indicator index, fiscal year), for every year on record up to the evaluated one."""
        fy = self.fiscal_year
        years = sorted({fy, *(y for ind in self.indicators for y in ind.years if y <= fy)})
        return {
            (i, y): r for i, ind in enumerate(self.indicators) for y, r in indicator_rates(ind, years).items()
        }

    @cached_property
    def assessments(self) -> tuple[IndicatorAssessment, ...]:
        """How each indicator (in the sheet's order) counts for the suggested grade."""
        out = tuple(
            assess_indicator(ind, self.fiscal_year, self.tolerance_percent) for ind in self.indicators
        )
        if not self.grades:
            out = tuple(replace(a, grade=None, explanation=a.explanation.rsplit(" → ", 1)[0]) for a in out)
        return out

    def findings_for(self, prefix: str) -> list[Finding]:
        return [f for f in self.findings if f.field == prefix or f.field.startswith(prefix)]

    def assessment(self, index: int) -> IndicatorAssessment:
        """How indicator ``index`` counts for the suggested grade, with a one-line explanation; under a
        scheme without grades the explanation stops before the grade (「… に未達」)."""
        return self.assessments[index]


def wording_for(grade: Grade, rule: GradingRule) -> str:
    """「目標値を達成」 for a KPI grade, 「構築完了」 for a schedule grade."""
    return (SCHEDULE_WORDING if rule is GradingRule.SCHEDULE else KPI_WORDING)[grade]


ACHIEVEMENT_KEYS = ("目標達成", "一部達成", "未達成", "実績未入力", "指標なし")
NO_DIRECTION = "未選択"


def _counts_directions(settings: PlanSettings) -> bool:
    return "direction" in settings.sheet_parts


def distribution_keys(settings: PlanSettings) -> tuple[str, ...]:
    """The buckets of the plan's own distribution, in print order: A–D (+ 対象外・未入力・評価なし) for a
    grading scheme; else the 方向性 / 見直し区分 options (+ 未選択・未入力・対象外) where the plan's sheets
    choose one; else the achievement of the indicators (目標達成・一部達成・未達成・実績未入力・指標なし)."""
    if settings.evaluation_scheme in GRADING_SCHEMES:
        return ("A", "B", "C", "D", NOT_EVALUATED, NOT_ENTERED, NO_GRADE)
    if _counts_directions(settings):
        return (*(o.label for o in settings.direction_options), NO_DIRECTION, NOT_ENTERED, NOT_EVALUATED)
    return ACHIEVEMENT_KEYS


def distribution_title(settings: PlanSettings, direction_label: str = "方向性") -> str:
    """What the plan's distribution counts: 評価, its 方向性 / 見直し区分 (``direction_label``) or 達成状況."""
    if settings.evaluation_scheme in GRADING_SCHEMES:
        return "評価"
    return direction_label if _counts_directions(settings) else "達成状況"


def _bucket(m: MeasureSnapshot, settings: PlanSettings, fy: int, started: bool) -> str:
    """The non-grading bucket of a measure (see :func:`distribution_keys`)."""
    if _counts_directions(settings):
        if not settings.uses("direction", m.kind):
            return NOT_EVALUATED
        if m.sheet.direction:
            return m.sheet.direction
        return NO_DIRECTION if started else NOT_ENTERED
    measured = [
        r
        for ind in m.indicators
        if ind.active_in(fy) and not ind.is_reference(fy)
        for r in [achievement_rate(ind.direction, ind.target_for(fy), ind.year(fy).actual, ind.baseline)]
        if r.achieved is not None
    ]
    if not measured:
        return "実績未入力" if any(ind.active_in(fy) for ind in m.indicators) else "指標なし"
    reached = sum(1 for r in measured if r.achieved)
    if reached == len(measured):
        return "目標達成"
    return "一部達成" if reached else "未達成"


def distribution_text(evaluations: Sequence[Evaluation], settings: PlanSettings) -> str:
    """One line of the plan's own distribution for a cover: 「A：3件　B：2件　C：0件　D：0件　対象外：1件」
    for an A–D plan; 「継続：4件　改善：1件」 (and the average of each 観点別評価) otherwise."""
    counts: dict[str, int] = {}
    for ev in evaluations:
        counts[ev.distribution_key] = counts.get(ev.distribution_key, 0) + 1
    always = ("A", "B", "C", "D", NOT_EVALUATED) if settings.evaluation_scheme in GRADING_SCHEMES else ()
    keys = [k for k in distribution_keys(settings) if k in always or counts.get(k)]
    keys += [k for k in counts if k not in keys]
    text = "　".join(f"{k}：{counts.get(k, 0)}件" for k in keys) or "（なし）"
    if settings.evaluation_scheme is EvaluationScheme.PERSPECTIVE and settings.perspectives:
        averages = []
        for p in settings.perspectives:
            scores = [ev.perspective_scores[p.key] for ev in evaluations if p.key in ev.perspective_scores]
            if scores:
                averages.append(f"{p.label} {Decimal(sum(scores)) / len(scores):.1f}")
        if averages:
            text += "（観点別評価の平均：" + "・".join(averages) + "）"
    return text


def _suggestion(m: MeasureSnapshot, settings: PlanSettings, fy: int) -> GradeSuggestion:
    tolerance: Decimal = settings.grade_tolerance_percent
    if settings.evaluation_scheme in GRADING_SCHEMES:
        return suggest_grade(m.sheet.stage, m.indicators, m.sheet.milestones, fy, tolerance)
    # no grade under this scheme: keep the per-indicator assessments (達成 / 未達) for the summaries
    by_kpi = grade_by_kpi(m.indicators, fy, tolerance)
    why = f"評価方式「{settings.evaluation_scheme.label}」のためA〜Dの評価はしない"
    # the rule stays KPI where there are indicators to compare, so the KPI checks still apply
    return GradeSuggestion(None, by_kpi.rule, why, by_kpi.indicators)


def evaluate(
    m: MeasureSnapshot,
    settings: PlanSettings,
    fy: int | None = None,
    *,
    stored_status: str | None = None,
) -> Evaluation:
    """The evaluation of measure ``m`` for fiscal year ``fy`` (default: the snapshot's year)."""
    fy = m.fiscal_year if fy is None else fy
    suggestion = _suggestion(m, settings, fy)
    findings = tuple(check_measure(m, settings, suggestion))
    started = is_started(m, fy)
    return Evaluation(
        scheme=settings.evaluation_scheme,
        fiscal_year=fy,
        suggestion=suggestion,
        findings=findings,
        status=entry_status(m, findings, stored_status),
        self_grade=m.sheet.self_grade,
        started=started,
        direction=m.sheet.direction,
        perspective_scores=dict(m.sheet.perspective_scores),
        indicators=m.indicators,
        tolerance_percent=settings.grade_tolerance_percent,
        bucket="" if settings.evaluation_scheme in GRADING_SCHEMES else _bucket(m, settings, fy, started),
    )
