"""Suggested grades A–D, exactly as docs/evaluation-rules.md defines them.

The application computes, never guesses: :func:`suggest_grade` returns the grade, the rule that
decided it and a one-line Japanese explanation (「実績 22.6% は目標 30.0% に未達、基準値 21.1% より改善 → B」).
Staff may choose another grade, but only with a reason (checked in ``dxdesk.domain.audit``).

Where the rules leave room, the choices made here are written down in docs/decisions.md:
- qualitative indicators: 達成 → A, 未達成 → C (着手), no actual → D;
- reference indicators (flagged, or target 0 on a higher-is-better indicator), 「—」 cells and
  indicators not active that year are left out; if nothing is left the grade is None with the reason;
- schedule rule: A only when every milestone of the year's list is done; D when none has started;
  C when one due by the evaluated year is not done; otherwise B;
- a measure with no stage is graded by KPI when it has gradable indicators, else by schedule.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from dxdesk.domain.enums import Direction, Grade, GradingRule, MilestoneStatus, Stage
from dxdesk.domain.fiscal import fy_short
from dxdesk.domain.rates import RateResult, achievement_rate, is_better
from dxdesk.domain.sheet import IndicatorData, MilestoneData
from dxdesk.domain.values import Value, ValueKind

__all__ = [
    "KPI_STAGES",
    "NOT_EVALUATED_STAGES",
    "SCHEDULE_STAGES",
    "GradeSuggestion",
    "IndicatorAssessment",
    "assess_indicator",
    "grade_by_schedule",
    "rule_for_stage",
    "suggest_grade",
]

KPI_STAGES = frozenset({Stage.EXPAND, Stage.ADAPT})
SCHEDULE_STAGES = frozenset({Stage.BUILD, Stage.STABLE_REVIEW})
NOT_EVALUATED_STAGES = frozenset({Stage.STABLE, Stage.NEXT})


@dataclass(frozen=True)
class IndicatorAssessment:
    name: str
    grade: Grade | None  # None: left out of grading (see ``explanation``)
    rate: RateResult
    target: Value
    actual: Value
    explanation: str


@dataclass(frozen=True)
class GradeSuggestion:
    grade: Grade | None
    rule: GradingRule
    explanation: str
    indicators: tuple[IndicatorAssessment, ...] = ()


def _show(v: Value, unit: str) -> str:
    if v.kind is ValueKind.TEXT:
        return f"「{v.text}」"
    return v.display(unit)


def _equal_within(a: Decimal, b: Decimal, tolerance_percent: Decimal) -> bool:
    if tolerance_percent <= 0:
        return a == b
    return abs(a - b) <= abs(b) * tolerance_percent / Decimal(100)


def assess_indicator(
    ind: IndicatorData, fy: int, tolerance_percent: Decimal = Decimal(0)
) -> IndicatorAssessment:
    """Grade one indicator for fiscal year ``fy`` (target reached / vs baseline)."""
    year = ind.year(fy)
    target = ind.target_for(fy)
    actual = year.actual
    rate = achievement_rate(ind.direction, target, actual, ind.baseline)
    u = ind.unit
    label = "実績（累計）" if ind.cumulative else "実績"

    def out(grade: Grade | None, text: str) -> IndicatorAssessment:
        return IndicatorAssessment(ind.name, grade, rate, target, actual, text)

    if not ind.active_in(fy):
        return out(None, f"{fy_short(fy)}は対象外の指標（評価に含めない）")
    if ind.is_reference(fy):
        return out(None, "参考指標（目標値0）のため評価に含めない")
    if target.is_na or actual.is_na:
        return out(None, "対象外（—）のため評価に含めない")
    if target.is_blank:
        return out(None, "目標値が未設定のため評価できない")

    if actual.kind is ValueKind.ACHIEVED:
        return out(Grade.A, f"目標{_show(target, u)}を達成 → A")
    if actual.kind is ValueKind.NOT_ACHIEVED:
        return out(Grade.C, f"目標{_show(target, u)}は未達成（着手） → C")
    if actual.is_blank:
        return out(Grade.D, f"{label}が未入力 → D")
    if not (actual.is_number and target.is_number):
        return out(None, "数値でない値があるため評価できない")

    a, t = actual.number, target.number
    assert a is not None and t is not None
    head = f"{label} {_show(actual, u)} は目標 {_show(target, u)}"
    if rate.achieved:
        return out(Grade.A, f"{head} を達成 → A")
    head += " に未達"
    base = ind.baseline
    if not base.is_number:
        return out(Grade.C, f"{head}、基準値なし（着手） → C")
    b = base.number
    assert b is not None
    shown_b = _show(base, u)
    if _equal_within(a, b, tolerance_percent):
        return out(Grade.C, f"{head}、基準値 {shown_b} から横ばい → C")
    if is_better(ind.direction if ind.direction is not Direction.KEEP else Direction.UP, a, b):
        return out(Grade.B, f"{head}、基準値 {shown_b} より改善 → B")
    return out(Grade.D, f"{head}、基準値 {shown_b} より悪化 → D")


def _combine(graded: Sequence[IndicatorAssessment]) -> Grade:
    grades = [a.grade for a in graded if a.grade is not None]
    if all(g is Grade.A for g in grades):
        return Grade.A
    if any(g in (Grade.A, Grade.B) for g in grades):
        return Grade.B  # some indicators reached, or better than the baseline
    if any(g is Grade.C for g in grades):
        return Grade.C
    return Grade.D


def grade_by_kpi(
    indicators: Sequence[IndicatorData], fy: int, tolerance_percent: Decimal = Decimal(0)
) -> GradeSuggestion:
    assessments = tuple(
        assess_indicator(ind, fy, tolerance_percent) for ind in sorted(indicators, key=lambda i: i.order)
    )
    graded = [a for a in assessments if a.grade is not None]
    if not graded:
        why = "、".join(sorted({a.explanation for a in assessments})) or "指標が登録されていない"
        return GradeSuggestion(None, GradingRule.KPI, f"評価できる指標がありません（{why}）", assessments)
    grade = _combine(graded)
    if len(graded) == 1:
        return GradeSuggestion(grade, GradingRule.KPI, graded[0].explanation, assessments)
    n_a = sum(1 for a in graded if a.grade is Grade.A)
    parts = "；".join(f"{a.name}：{a.explanation.rsplit(' → ', 1)[0]}" for a in graded)
    summary = f"指標{len(graded)}件中{n_a}件が目標達成 → {grade.value}"
    return GradeSuggestion(grade, GradingRule.KPI, f"{parts}（{summary}）", assessments)


def grade_by_schedule(milestones: Sequence[MilestoneData], fy: int) -> GradeSuggestion:
    ms = list(milestones)
    if not ms:
        return GradeSuggestion(None, GradingRule.SCHEDULE, "マイルストーンが未登録のため評価できません")
    done = [m for m in ms if m.status is MilestoneStatus.DONE]
    if len(done) == len(ms):
        return GradeSuggestion(
            Grade.A, GradingRule.SCHEDULE, f"マイルストーン{len(ms)}件すべて完了（構築完了） → A"
        )
    if all(m.status is MilestoneStatus.NOT_STARTED for m in ms):
        return GradeSuggestion(Grade.D, GradingRule.SCHEDULE, "マイルストーンがすべて未着手 → D")
    overdue = [
        m for m in ms if m.due_fy is not None and m.due_fy <= fy and m.status is not MilestoneStatus.DONE
    ]
    if overdue:
        m = overdue[0]
        more = f"ほか{len(overdue) - 1}件" if len(overdue) > 1 else ""
        due = fy_short(m.due_fy) if m.due_fy is not None else ""
        return GradeSuggestion(
            Grade.C, GradingRule.SCHEDULE, f"「{m.text}」（{due}予定）{more}が未完了（計画より遅れ） → C"
        )
    return GradeSuggestion(
        Grade.B,
        GradingRule.SCHEDULE,
        f"マイルストーン{len(ms)}件中{len(done)}件完了、遅れなし（おおむね計画どおり） → B",
    )


def rule_for_stage(stage: Stage | None) -> GradingRule | None:
    """The grading rule a lifecycle stage calls for; None when the stage is not set."""
    if stage is None:
        return None
    if stage in KPI_STAGES:
        return GradingRule.KPI
    if stage in SCHEDULE_STAGES:
        return GradingRule.SCHEDULE
    return GradingRule.NOT_EVALUATED


def suggest_grade(
    stage: Stage | None,
    indicators: Sequence[IndicatorData],
    milestones: Sequence[MilestoneData],
    fy: int,
    tolerance_percent: Decimal = Decimal(0),
) -> GradeSuggestion:
    """The suggested grade of a measure for fiscal year ``fy``, with the rule and the reason."""
    rule = rule_for_stage(stage)
    if rule is GradingRule.NOT_EVALUATED:
        assert stage is not None
        assessments = tuple(assess_indicator(i, fy, tolerance_percent) for i in indicators)
        return GradeSuggestion(
            None,
            GradingRule.NOT_EVALUATED,
            f"ステージ{stage.short}（{stage.label}）のため評価対象外",
            assessments,
        )
    if rule is GradingRule.SCHEDULE:
        return grade_by_schedule(milestones, fy)
    if rule is GradingRule.KPI:
        return grade_by_kpi(indicators, fy, tolerance_percent)
    # no stage recorded: KPI when there is something to grade, else schedule
    by_kpi = grade_by_kpi(indicators, fy, tolerance_percent)
    if by_kpi.grade is not None or not milestones:
        if by_kpi.grade is None and not indicators:
            return GradeSuggestion(
                None, GradingRule.NONE, "指標もマイルストーンも登録されていないため評価できません"
            )
        return by_kpi
    return grade_by_schedule(milestones, fy)
