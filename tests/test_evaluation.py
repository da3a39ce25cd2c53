"""The one evaluation: what a measure's sheet shows under each of the plan's schemes.

Grades themselves are tested line by line in test_rates_grades.py; here: that :func:`evaluate` applies
them only where the plan's scheme grades, with the wording of the rule that applies, 「未入力」 for a
sheet nobody has started, and each scheme's own distribution.
"""

import pytest

from dxdesk.domain.enums import EntryStatus, EvaluationScheme, Grade, GradingRule, MilestoneStatus, Stage
from dxdesk.domain.evaluation import distribution_keys, distribution_text, evaluate, stage_label
from dxdesk.domain.grading import suggest_grade
from dxdesk.domain.settings import PlanSettings
from dxdesk.domain.sheet import IndicatorData, IndicatorYear, MeasureSnapshot, MilestoneData, SheetData
from dxdesk.domain.values import Value, normalize_value

FY = 2025
LIFECYCLE = PlanSettings.default()
PERSPECTIVE = PlanSettings.from_dict({"evaluation_scheme": "perspective", "stages_enabled": False})
RATE_ONLY = PlanSettings.from_dict({"evaluation_scheme": "rate_only", "stages_enabled": False})
PDCA = PlanSettings.from_dict({"evaluation_scheme": "pdca", "stages_enabled": False})


def v(x):
    return normalize_value(x) if x is not None else Value.blank()


def rate_indicator(years, baseline="21.1%", name="オンライン申請利用率"):
    return IndicatorData(
        name=name,
        unit="%",
        baseline=v(baseline),
        years={fy: IndicatorYear(v(t), v(a)) for fy, (t, a) in years.items()},
    )


def snap(stage=None, indicators=(), milestones=(), **sheet):
    return MeasureSnapshot(
        code="0101",
        name="行政手続のオンライン化",
        sheet=SheetData(fiscal_year=FY, stage=stage, milestones=tuple(milestones), **sheet),
        owner_section_code="S01",
        indicators=tuple(indicators),
    )


def ms(text, due, status):
    return MilestoneData(text=text, due_fy=due, status=MilestoneStatus(status))


# (id, settings, snapshot, grade_display, wording, rule)
CASES = [
    (
        "kpi-reached",
        LIFECYCLE,
        snap(Stage.EXPAND, [rate_indicator({FY: ("30%", "31.5%")})]),
        "A",
        "目標値を達成",
        GradingRule.KPI,
    ),
    (
        "kpi-flat-wording",
        LIFECYCLE,
        snap(Stage.ADAPT, [rate_indicator({FY: ("30%", "21.1%")})]),
        "C",
        "基準値から横ばい又は着手",
        GradingRule.KPI,
    ),
    (
        "schedule-late-wording",
        LIFECYCLE,
        snap(
            Stage.BUILD,
            milestones=[ms("電子申請基盤の構築", FY - 1, "done"), ms("戸籍手続の電子化", FY, "in_progress")],
        ),
        "C",
        "構築中・計画より遅れ",
        GradingRule.SCHEDULE,
    ),
    (
        "schedule-on-track-wording",
        LIFECYCLE,
        snap(Stage.STABLE_REVIEW, milestones=[ms("要件定義", FY, "done"), ms("移行", FY + 1, "in_progress")]),
        "B",
        "構築中・おおむね計画どおり",
        GradingRule.SCHEDULE,
    ),
    (
        "schedule-done-wording",
        LIFECYCLE,
        snap(Stage.BUILD, milestones=[ms("要件定義", FY, "done"), ms("構築", FY, "done")]),
        "A",
        "構築完了",
        GradingRule.SCHEDULE,
    ),
    (
        "stage-3-not-evaluated",
        LIFECYCLE,
        snap(Stage.STABLE, [rate_indicator({FY: ("100%", "100%")}, baseline="100%")]),
        "対象外",
        "対象外",
        GradingRule.NOT_EVALUATED,
    ),
    (
        "stage-5-not-evaluated",
        LIFECYCLE,
        snap(Stage.NEXT, [rate_indicator({FY: ("30%", None)})]),
        "対象外",
        "対象外",
        GradingRule.NOT_EVALUATED,
    ),
    (
        "not-started-is-not-D",
        LIFECYCLE,
        snap(Stage.EXPAND, [rate_indicator({FY: ("30%", None)})]),
        "未入力",
        "未入力",
        GradingRule.KPI,
    ),
    (
        "schedule-not-started-sheet-is-not-D",
        LIFECYCLE,
        snap(Stage.BUILD, milestones=[ms("要件定義", FY, "not_started")]),
        "未入力",
        "未入力",
        GradingRule.SCHEDULE,
    ),
    (
        "perspective-no-grade",
        PERSPECTIVE,
        snap(None, [rate_indicator({FY: ("30%", "10%")})], direction="継続"),
        "",
        "",
        GradingRule.KPI,
    ),
    (
        "rate-only-no-grade",
        RATE_ONLY,
        snap(None, [rate_indicator({FY: ("30%", "10%")})], direction="改善", direction_reason="手順を見直す"),
        "",
        "",
        GradingRule.KPI,
    ),
    (
        "pdca-no-actuals-is-not-D",
        PDCA,
        snap(None, [rate_indicator({FY: ("30%", None)})], texts={"result": "庁内PMOの伴走支援を開始した。"}),
        "",
        "",
        GradingRule.KPI,
    ),
]


@pytest.mark.parametrize(
    ("settings", "m", "shown", "wording", "rule"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_evaluation_under_the_plans_scheme(settings, m, shown, wording, rule):
    ev = evaluate(m, settings, FY)
    assert ev.grade_display == shown
    assert ev.wording == wording
    assert ev.suggestion.rule is rule
    if not ev.grades:
        assert ev.grade is None and ev.suggested is None


def test_lifecycle_grade_is_exactly_the_rules_grade():
    """The one evaluation does not change a grade where it applies (numeric KPI measures)."""
    m = snap(Stage.EXPAND, [rate_indicator({FY: ("30.0%", "22.6%")})])
    ev = evaluate(m, LIFECYCLE, FY)
    rules = suggest_grade(m.sheet.stage, m.indicators, (), FY)
    assert ev.grade is rules.grade is Grade.B
    assert ev.suggestion.explanation == rules.explanation


def test_self_grade_counts_even_before_actuals():
    m = snap(
        Stage.EXPAND, [rate_indicator({FY: ("30%", None)})], self_grade=Grade.B, override_reason="見込み"
    )
    ev = evaluate(m, LIFECYCLE, FY)
    assert ev.grade is Grade.B and ev.is_override


def test_rates_per_indicator_year():
    m = snap(Stage.EXPAND, [rate_indicator({FY - 1: ("25%", "20%"), FY: ("30%", "33%")})])
    ev = evaluate(m, LIFECYCLE, FY)
    assert ev.rate(0, FY - 1).display == "80.0%"
    assert ev.rate(0).display == "110.0%"
    assert ev.rate(0, FY + 1) is None  # later years are not evaluated yet


def test_status_of_a_sheet_nobody_started():
    ev = evaluate(snap(Stage.EXPAND, [rate_indicator({FY: ("30%", None)})]), LIFECYCLE, FY)
    assert ev.status is EntryStatus.EMPTY and not ev.started


def test_stage_label_as_the_format_prints_it():
    assert stage_label(Stage.EXPAND) == "段階2（拡大期）"
    assert stage_label(Stage.STABLE_REVIEW) == "段階3・4（安定期・見直し）"
    assert stage_label(None) == "（未選択）"


def test_distributions_are_the_plans_own():
    assert distribution_keys(LIFECYCLE)[:4] == ("A", "B", "C", "D")
    keys = distribution_keys(RATE_ONLY)
    assert "A" not in keys and "継続" in keys and "休止・廃止" in keys


def test_distribution_text_for_an_a_to_d_plan():
    evs = [
        evaluate(snap(Stage.EXPAND, [rate_indicator({FY: ("30%", "31%")})]), LIFECYCLE, FY),
        evaluate(snap(Stage.STABLE, [rate_indicator({FY: ("30%", "31%")})]), LIFECYCLE, FY),
        evaluate(snap(Stage.EXPAND, [rate_indicator({FY: ("30%", None)})]), LIFECYCLE, FY),
    ]
    assert distribution_text(evs, LIFECYCLE) == "A：1件　B：0件　C：0件　D：0件　対象外：1件　未入力：1件"


def test_distribution_text_for_a_perspective_plan_counts_directions_and_averages_scores():
    scores = [{"needs": 3, "progress": 4}, {"needs": 4, "progress": 2}]
    evs = [
        evaluate(snap(None, direction=d, perspective_scores=sc), PERSPECTIVE, FY)
        for d, sc in zip(("継続", "改善"), scores, strict=True)
    ]
    text = distribution_text(evs, PERSPECTIVE)
    assert text.startswith("継続：1件　改善：1件")
    assert "A：" not in text
    assert "市民ニーズ 3.5" in text and "進捗状況 3.0" in text


def test_pdca_is_a_plan_setting():
    assert PDCA.evaluation_scheme is EvaluationScheme.PDCA
    assert EvaluationScheme.from_label("PDCAによる定性的な振り返り") is EvaluationScheme.PDCA


def test_the_section_list_shows_what_the_evaluation_says():
    from ui.measure_tree import grade_text

    empty = evaluate(snap(Stage.EXPAND, [rate_indicator({FY: ("30%", None)})]), LIFECYCLE, FY)
    changed = evaluate(
        snap(
            Stage.EXPAND, [rate_indicator({FY: ("30%", "22%")})], self_grade=Grade.A, override_reason="見込み"
        ),
        LIFECYCLE,
        FY,
    )
    stable = evaluate(snap(Stage.STABLE, [rate_indicator({FY: ("30%", "31%")})]), LIFECYCLE, FY)
    scored = evaluate(snap(None, [rate_indicator({FY: ("30%", None)})], direction="継続"), PERSPECTIVE, FY)
    assert [grade_text(e) for e in (empty, changed, stable, scored)] == ["未入力", "A*", "対象外", "—"]
