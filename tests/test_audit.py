"""Pre-submission and audit-readiness checks: each fires on its case, stays quiet otherwise, can be switched off."""

from decimal import Decimal

import pytest

from dxdesk.domain.audit import CHECKS, check_by_id, check_measure, check_plan, has_errors
from dxdesk.domain.enums import Direction, Grade, IndicatorKind, MilestoneStatus, Severity, Stage
from dxdesk.domain.settings import PlanSettings
from dxdesk.domain.sheet import (
    CostData,
    IndicatorData,
    IndicatorYear,
    MeasureSnapshot,
    MilestoneData,
    SheetData,
)
from dxdesk.domain.values import Value, normalize_value

FY = 2025
ALL_PARTS = [
    "basic",
    "overview",
    "costs",
    "citizen",
    "indicators",
    "schedule",
    "results",
    "evaluation",
    "perspectives",
    "direction",
]
SETTINGS = PlanSettings.from_dict({"sheet_parts": ALL_PARTS})


def n(x):
    return normalize_value(x) if x is not None else Value.blank()


def indicator(
    name="指標",
    *,
    kind=IndicatorKind.OUTCOME,
    direction=Direction.UP,
    baseline="10",
    cumulative=False,
    years=None,
    final=None,
):
    return IndicatorData(
        name=name,
        kind=kind,
        direction=direction,
        baseline=n(baseline),
        cumulative=cumulative,
        final_target=n(final),
        years={fy: IndicatorYear(n(t), n(a)) for fy, (t, a) in (years or {FY: ("20", "21")}).items()},
    )


def complete_sheet(**kw):
    base = dict(
        fiscal_year=FY,
        stage=Stage.EXPAND,
        texts={"result": "実施した。"},
        direction="継続",
        perspective_scores={"needs": 3, "progress": 4, "involvement": 4, "priority": 3},
    )
    base.update(kw)
    return SheetData(**base)


def measure(code="001", sheet=None, indicators=None, costs=None, owner="S1", name="施策", summary=""):
    return MeasureSnapshot(
        code=code,
        name=name,
        sheet=sheet or complete_sheet(),
        owner_section_code=owner,
        summary=summary,
        indicators=tuple(indicators if indicators is not None else [indicator()]),
        costs=costs or {},
    )


def ids(findings):
    return {f.check_id for f in findings}


def test_a_complete_good_sheet_has_no_findings():
    assert check_measure(measure(), SETTINGS) == []


def test_check_table_is_well_formed():
    seen = set()
    for c in CHECKS:
        assert c.id not in seen
        seen.add(c.id)
        assert c.message and c.title
        assert isinstance(c.severity, Severity)
    assert check_by_id("REQ-OVERRIDE-REASON").severity is Severity.ERROR


CASES = {
    "REQ-TEXT": measure(sheet=complete_sheet(texts={})),
    "REQ-TEXT-LIMIT": measure(sheet=complete_sheet(texts={"result": "あ" * 40_000})),
    "REQ-STAGE": measure(sheet=complete_sheet(stage=None)),
    "REQ-OVERRIDE-REASON": measure(sheet=complete_sheet(self_grade=Grade.B)),
    "REQ-DIRECTION": measure(sheet=complete_sheet(direction=None)),
    "REQ-DIRECTION-REASON": measure(sheet=complete_sheet(direction="拡大・拡充")),
    "REQ-PERSPECTIVE": measure(sheet=complete_sheet(perspective_scores={"needs": 3})),
    "VAL-FUNDING-SUM": measure(
        costs={
            FY: CostData(
                FY,
                budget=Decimal(100),
                settlement=Decimal(90),
                fund_general=Decimal(80),
                fund_national=Decimal(5),
            )
        }
    ),
    "VAL-CUMULATIVE-DECREASE": measure(
        indicators=[indicator(cumulative=True, years={FY - 1: ("15", "18"), FY: ("20", "17")})]
    ),
    "AUD-MISSING-ACTUAL": measure(indicators=[indicator(years={FY: ("20", None)})]),
    "AUD-OUTPUT-ONLY": measure(indicators=[indicator(kind=IndicatorKind.ACTIVITY)]),
    "AUD-SCHEDULE-BY-KPI": measure(sheet=complete_sheet(stage=Stage.BUILD), indicators=[]),
    "AUD-SCHEDULE-ACTIVE-KPI": measure(
        sheet=complete_sheet(
            stage=Stage.BUILD, milestones=(MilestoneData("基盤構築", FY, MilestoneStatus.DONE),)
        )
    ),
    "AUD-GRADE-A-UNFINISHED": measure(
        sheet=complete_sheet(milestones=(MilestoneData("全課への展開", FY, MilestoneStatus.IN_PROGRESS),))
    ),
    "AUD-PLAUSIBLE-RANGE": measure(
        indicators=[
            IndicatorData(
                name="窓口の平均処理時間",
                unit="分",
                direction=Direction.DOWN,
                baseline=n("25"),
                years={FY: IndicatorYear(n("15"), n("-5"))},
            )
        ]
    ),
    "AUD-PLAUSIBLE-JUMP": measure(
        indicators=[indicator(baseline="1,500", years={FY - 1: ("3,500", "3,420"), FY: ("3,726", "123,456")})]
    ),
    "AUD-KPI-NO-TARGET": measure(indicators=[indicator(years={FY: (None, "5")})]),
    "AUD-KPI-NO-BASELINE": measure(indicators=[indicator(baseline=None)]),
    "AUD-TARGET-NOT-TARGET": measure(indicators=[indicator(baseline="30", years={FY: ("20", "21")})]),
    "AUD-STABLE-CANDIDATE": measure(
        indicators=[
            indicator(
                baseline="90", years={FY - 2: ("100", "100"), FY - 1: ("100", "100"), FY: ("100", "100")}
            )
        ]
    ),
    "AUD-STABLE-BELOW-TARGET": measure(
        sheet=complete_sheet(stage=Stage.STABLE), indicators=[indicator(years={FY: ("20", "12")})]
    ),
    "AUD-GRADE-OPTIMISTIC": measure(
        sheet=complete_sheet(self_grade=Grade.A, override_reason="実感として達成"),
        indicators=[indicator(years={FY: ("20", "15")})],
    ),
    "AUD-LOW-EXECUTION": measure(costs={FY: CostData(FY, budget=Decimal(1000), settlement=Decimal(500))}),
}


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_each_check_fires_on_its_case(check_id):
    findings = check_measure(CASES[check_id], SETTINGS)
    assert check_id in ids(findings)
    f = next(f for f in findings if f.check_id == check_id)
    assert f.severity is check_by_id(check_id).severity
    assert f.field  # the pre-submission list can jump to it
    assert "{" not in f.message  # every placeholder filled


@pytest.mark.parametrize("check_id", sorted(CASES))
def test_each_check_can_be_switched_off(check_id):
    off = PlanSettings.from_dict({"sheet_parts": ALL_PARTS, "audit_checks": {check_id: False}})
    assert check_id not in ids(check_measure(CASES[check_id], off))


def test_every_measure_check_has_a_case():
    measure_checks = {c.id for c in CHECKS if c.scope == "measure"}
    assert measure_checks == set(CASES)


def test_errors_block_and_warnings_do_not():
    assert has_errors(check_measure(CASES["REQ-OVERRIDE-REASON"], SETTINGS))
    assert not has_errors(check_measure(CASES["AUD-LOW-EXECUTION"], SETTINGS))


def test_override_with_reason_is_not_an_error():
    m = measure(sheet=complete_sheet(self_grade=Grade.B, override_reason="指標外の成果を考慮した"))
    assert "REQ-OVERRIDE-REASON" not in ids(check_measure(m, SETTINGS))


def test_grade_equal_to_suggestion_needs_no_reason():
    assert "REQ-OVERRIDE-REASON" not in ids(
        check_measure(measure(sheet=complete_sheet(self_grade=Grade.A)), SETTINGS)
    )


def test_direction_without_required_reason_is_fine():
    assert "REQ-DIRECTION-REASON" not in ids(
        check_measure(measure(sheet=complete_sheet(direction="現状維持")), SETTINGS)
    )


def test_low_execution_with_explanation_is_fine():
    m = measure(
        costs={FY: CostData(FY, budget=Decimal(1000), settlement=Decimal(500), execution_note="入札差金")}
    )
    assert "AUD-LOW-EXECUTION" not in ids(check_measure(m, SETTINGS))


def test_optimistic_grade_names_the_unfinished_milestone():
    sheet = complete_sheet(
        stage=Stage.BUILD,
        self_grade=Grade.A,
        override_reason="x",
        milestones=(
            MilestoneData("要件定義", FY, MilestoneStatus.DONE),
            MilestoneData("本番移行", FY + 1, MilestoneStatus.IN_PROGRESS),
        ),
    )
    f = next(
        f
        for f in check_measure(measure(sheet=sheet, indicators=[]), SETTINGS)
        if f.check_id == "AUD-GRADE-OPTIMISTIC"
    )
    assert "本番移行" in f.message


def test_parts_not_used_are_not_checked():
    minimal = PlanSettings.from_dict({"sheet_parts": ["basic", "indicators", "results"]})
    m = measure(sheet=complete_sheet(direction=None, perspective_scores={}))
    assert not ({"REQ-DIRECTION", "REQ-PERSPECTIVE", "REQ-STAGE"} & ids(check_measure(m, minimal)))


def test_parts_by_kind():
    s = PlanSettings.from_dict({"sheet_parts": ["basic", "results"], "parts_by_kind": {"jimu": ALL_PARTS}})
    jimu = MeasureSnapshot(code="1", name="x", kind="jimu", sheet=complete_sheet(direction=None))
    plain = MeasureSnapshot(code="2", name="y", sheet=complete_sheet(direction=None))
    assert "REQ-DIRECTION" in ids(check_measure(jimu, s))
    assert "REQ-DIRECTION" not in ids(check_measure(plain, s))


def test_split_measure_across_sections():
    a = measure("010", owner="S1", name="RPAによる定型業務の自動化")
    b = measure("020", owner="S2", name="ＲＰＡによる定型業務の自動化")
    c = measure("030", owner="S3", name="オープンデータの推進")
    findings = check_plan([a, b, c], SETTINGS, {"S1": "情報政策課", "S2": "行政改革推進課"})
    assert {(f.measure_code, f.check_id) for f in findings} == {
        ("010", "AUD-SPLIT-MEASURE"),
        ("020", "AUD-SPLIT-MEASURE"),
    }
    assert "行政改革推進課" in next(f.message for f in findings if f.measure_code == "010")


def test_same_section_is_not_a_split():
    a = measure("010", owner="S1", name="RPAによる定型業務の自動化")
    b = measure("020", owner="S1", name="RPAによる定型業務の自動化")
    assert check_plan([a, b], SETTINGS) == []


def test_split_check_switch():
    off = PlanSettings.from_dict({"audit_checks": {"AUD-SPLIT-MEASURE": False}})
    a = measure("010", owner="S1", name="RPAによる定型業務の自動化")
    b = measure("020", owner="S2", name="RPAによる定型業務の自動化")
    assert check_plan([a, b], off) == []


def test_errors_sort_first():
    m = measure(
        sheet=complete_sheet(texts={}, self_grade=Grade.B),
        indicators=[indicator(kind=IndicatorKind.ACTIVITY)],
    )
    sev = [f.severity.rank for f in check_measure(m, SETTINGS)]
    assert sev == sorted(sev, reverse=True)


def test_split_check_finds_near_duplicates_among_many_measures():
    """The k-gram index must not lose a real pair among hundreds of unrelated measures."""
    from dxdesk.store.synthetic import synthetic_dataset

    others = [
        measure(f"{i:04d}", owner=m["owner"], name=m["name"], summary=m["summary"])
        for i, m in enumerate(synthetic_dataset(30, 10, seed=5)["measures"])
    ]
    a = measure(
        "A-1",
        owner="S901",
        name="RPAによる定型業務の自動化",
        summary="定型的な入力作業をRPAで自動化し、職員の事務負担を軽減する。",
    )
    b = measure("B-1", owner="S902", name="ＲＰＡによる定型業務の自動化推進", summary="全く別の説明")
    c = measure(
        "C-1",
        owner="S903",
        name="窓口キャッシュレス",
        summary="定型的な入力作業をRPAで自動化し、職員の事務負担を軽減する。",
    )
    found = {
        (f.measure_code, f.message.split("の「")[1].split(" ")[0])
        for f in check_plan([*others, a, b, c], SETTINGS)
        if f.measure_code in ("A-1", "B-1", "C-1")
    }
    assert ("A-1", "B-1") in found  # same name but for one word
    assert ("A-1", "C-1") in found  # same summary
    assert ("B-1", "C-1") not in found


# --- the auditor's patterns: positive and negative cases per new check --------------------------------
def ms_(text, due, status):
    return MilestoneData(text, due, MilestoneStatus(status))


def numeric(name, unit="", baseline=None, years=None, direction=Direction.UP, kind=IndicatorKind.OUTCOME):
    return IndicatorData(
        name=name,
        unit=unit,
        kind=kind,
        direction=direction,
        baseline=n(baseline),
        years={fy: IndicatorYear(n(t), n(a)) for fy, (t, a) in (years or {}).items()},
    )


# (id, check, measure, fires?)
AUDITOR_CASES = [
    # 構築期・3・4 with an active KPI, whether or not milestones exist
    (
        "schedule-kpi-with-milestones",
        "AUD-SCHEDULE-ACTIVE-KPI",
        measure(
            sheet=complete_sheet(stage=Stage.BUILD, milestones=(ms_("移行計画", FY, "done"),)),
            indicators=[numeric("標準準拠システム移行率", "%", "0", {FY: ("50", "40")})],
        ),
        True,
    ),
    (
        "schedule-kpi-3-4-without-milestones",
        "AUD-SCHEDULE-ACTIVE-KPI",
        measure(
            sheet=complete_sheet(stage=Stage.STABLE_REVIEW),
            indicators=[numeric("電子申請件数", "件", "100", {FY: ("150", None)})],
        ),
        True,
    ),
    (
        "schedule-stage-reference-indicator-only",
        "AUD-SCHEDULE-ACTIVE-KPI",
        measure(
            sheet=complete_sheet(stage=Stage.BUILD, milestones=(ms_("構築", FY, "in_progress"),)),
            indicators=[numeric("参考：アクセス数", "件", None, {FY: ("0", "1,200")})],
        ),
        False,
    ),
    (
        "kpi-stage-with-kpi",
        "AUD-SCHEDULE-ACTIVE-KPI",
        measure(indicators=[numeric("オンライン申請利用率", "%", "21.1", {FY: ("30", "31.5")})]),
        False,
    ),
    # output-only, inferred from wording when the kind is not set
    (
        "output-only-inferred",
        "AUD-OUTPUT-ONLY",
        measure(indicators=[numeric("出前講座の実施回数", "回", "10", {FY: ("20", "25")})]),
        True,
    ),
    (
        "output-with-rate-word-is-outcome",
        "AUD-OUTPUT-ONLY",
        measure(indicators=[numeric("タブレット導入率", "%", "10", {FY: ("50", "55")})]),
        False,
    ),
    (
        "output-beside-outcome",
        "AUD-OUTPUT-ONLY",
        measure(
            indicators=[
                numeric("研修の開催回数", "回", "2", {FY: ("4", "4")}),
                numeric("研修受講後の業務時間の削減", "時間", "0", {FY: ("500", "620")}),
            ]
        ),
        False,
    ),
    (
        "output-only-switched-off-for-the-format",
        "AUD-OUTPUT-ONLY",
        (
            measure(indicators=[numeric("デジタル化されたプロモーション件数", "件", "0", {FY: ("5", "6")})]),
            PlanSettings.from_dict({"sheet_parts": ALL_PARTS, "audit_checks": {"AUD-OUTPUT-ONLY": False}}),
        ),
        False,
    ),
    (
        "output-only-corrected-by-the-central-office",
        "AUD-OUTPUT-ONLY",
        measure(
            indicators=[
                IndicatorData(
                    name="マイナポータル連携手続の件数",
                    unit="件",
                    baseline=n("10"),
                    kind_confirmed=IndicatorKind.OUTCOME,
                    years={FY: IndicatorYear(n("30"), n("32"))},
                )
            ]
        ),
        False,
    ),
    # stable candidate
    (
        "stable-at-100-from-the-baseline",
        "AUD-STABLE-CANDIDATE",
        measure(indicators=[numeric("無線LAN整備率", "%", "100", {FY: ("100", "100")})]),
        True,
    ),
    (
        "one-year-at-target-not-at-ceiling",
        "AUD-STABLE-CANDIDATE",
        measure(indicators=[numeric("電子入札の利用率", "%", "80", {FY: ("90", "92")})]),
        False,
    ),
    (
        "target-equal-to-baseline-at-ceiling-is-a-target",
        "AUD-TARGET-NOT-TARGET",
        measure(indicators=[numeric("無線LAN整備率", "%", "100", {FY: ("100", "100")})]),
        False,
    ),
    (
        "target-equal-to-baseline-below-ceiling",
        "AUD-TARGET-NOT-TARGET",
        measure(indicators=[numeric("電子申請利用率", "%", "40", {FY: ("40", "42")})]),
        True,
    ),
    # grade A while something is unfinished
    (
        "computed-a-with-open-milestone",
        "AUD-GRADE-A-UNFINISHED",
        measure(
            sheet=complete_sheet(milestones=(ms_("全課展開", FY, "in_progress"),)),
            indicators=[numeric("利用率", "%", "10", {FY: ("20", "25")})],
        ),
        True,
    ),
    (
        "a-with-later-milestone-open",
        "AUD-GRADE-A-UNFINISHED",
        measure(
            sheet=complete_sheet(milestones=(ms_("次期更新", FY + 2, "not_started"),)),
            indicators=[numeric("利用率", "%", "10", {FY: ("20", "25")})],
        ),
        False,
    ),
    (
        "b-with-open-milestone",
        "AUD-GRADE-A-UNFINISHED",
        measure(
            sheet=complete_sheet(milestones=(ms_("全課展開", FY, "in_progress"),)),
            indicators=[numeric("利用率", "%", "10", {FY: ("20", "15")})],
        ),
        False,
    ),
    # 「—」 target on a KPI stage
    (
        "dash-target-on-kpi-stage",
        "AUD-KPI-NO-TARGET",
        measure(indicators=[numeric("交付率", "%", "60", {FY: ("—", "75")})]),
        True,
    ),
    (
        "dash-target-on-stage-3",
        "AUD-KPI-NO-TARGET",
        measure(
            sheet=complete_sheet(stage=Stage.STABLE),
            indicators=[numeric("交付率", "%", "60", {FY: ("—", "75")})],
        ),
        False,
    ),
    # low execution whatever the layout; funding sum only where the breakdown is recorded
    (
        "low-execution-without-costs-part",
        "AUD-LOW-EXECUTION",
        (
            measure(costs={FY: CostData(FY, budget=Decimal(1000), settlement=Decimal(400))}),
            PlanSettings.default(),
        ),
        True,
    ),
    (
        "general-fund-only-recorded",
        "VAL-FUNDING-SUM",
        measure(
            costs={FY: CostData(FY, budget=Decimal(700), settlement=Decimal(658), fund_general=Decimal(85))}
        ),
        False,
    ),
    (
        "general-fund-above-settlement",
        "VAL-FUNDING-SUM",
        measure(
            costs={FY: CostData(FY, budget=Decimal(700), settlement=Decimal(658), fund_general=Decimal(700))}
        ),
        True,
    ),
    (
        "general-only-format-setting",
        "VAL-FUNDING-SUM",
        (
            measure(
                costs={
                    FY: CostData(
                        FY, settlement=Decimal(658), fund_general=Decimal(85), fund_national=Decimal(10)
                    )
                }
            ),
            PlanSettings.from_dict({"sheet_parts": ALL_PARTS, "funding_breakdown": "general_only"}),
        ),
        False,
    ),
    # plausibility
    (
        "negative-minutes",
        "AUD-PLAUSIBLE-RANGE",
        measure(indicators=[numeric("平均処理時間", "分", "25", {FY: ("15", "-5")}, Direction.DOWN)]),
        True,
    ),
    (
        "share-above-100",
        "AUD-PLAUSIBLE-RANGE",
        measure(indicators=[numeric("オンライン申請の割合", "%", "20", {FY: ("30", "130")})]),
        True,
    ),
    (
        "growth-rate-above-100-is-fine",
        "AUD-PLAUSIBLE-RANGE",
        measure(indicators=[numeric("電子申請件数の前年比増加率", "%", "100", {FY: ("110", "130")})]),
        False,
    ),
    (
        "rate-above-300",
        "AUD-PLAUSIBLE-JUMP",
        measure(indicators=[numeric("講座の参加者数", "人", "1,500", {FY: ("3,726", "123,456")})]),
        True,
    ),
    (
        "tenfold-jump",
        "AUD-PLAUSIBLE-JUMP",
        measure(
            indicators=[numeric("削減時間", "時間", "0", {FY - 1: ("1,000", "1,200"), FY: ("500", "15,000")})]
        ),
        True,
    ),
    (
        "steady-growth",
        "AUD-PLAUSIBLE-JUMP",
        measure(
            indicators=[
                numeric("削減時間", "時間", "0", {FY - 1: ("1,000", "1,200"), FY: ("2,000", "2,600")})
            ]
        ),
        False,
    ),
]


@pytest.mark.parametrize(
    ("check_id", "case", "fires"), [c[1:] for c in AUDITOR_CASES], ids=[c[0] for c in AUDITOR_CASES]
)
def test_auditor_pattern(check_id, case, fires):
    m, settings = case if isinstance(case, tuple) else (case, SETTINGS)
    findings = [f for f in check_measure(m, settings) if f.check_id == check_id]
    assert bool(findings) is fires, [f.message for f in findings]
    for f in findings:
        assert f.field and "{" not in f.message
        assert f.message.endswith("。")


def test_every_new_check_has_positive_and_negative_cases():
    by_check: dict[str, set[bool]] = {}
    for _id, check_id, _m, fires in AUDITOR_CASES:
        by_check.setdefault(check_id, set()).add(fires)
    for check_id in (
        "AUD-SCHEDULE-ACTIVE-KPI",
        "AUD-OUTPUT-ONLY",
        "AUD-STABLE-CANDIDATE",
        "AUD-GRADE-A-UNFINISHED",
        "AUD-KPI-NO-TARGET",
        "VAL-FUNDING-SUM",
        "AUD-PLAUSIBLE-RANGE",
        "AUD-PLAUSIBLE-JUMP",
    ):
        assert by_check[check_id] == {True, False}, check_id


def test_split_group_by_indicator_wording_and_not_by_a_short_stem():
    a = measure(
        "A1", owner="S1", name="窓口業務の改善", indicators=[indicator("住民票の写し等のオンライン申請件数")]
    )
    b = measure(
        "B1",
        owner="S2",
        name="証明書交付の見直し",
        indicators=[indicator("住民票の写し等のオンライン申請件数")],
    )
    c = measure("C1", owner="S3", name="行政手続のオンライン化", indicators=[indicator("電子申請利用率")])
    d = measure(
        "D1", owner="S4", name="介護認定審査会のオンライン化", indicators=[indicator("審査会の開催方法")]
    )
    found = [
        f
        for f in check_plan([a, b, c, d], SETTINGS, {"S1": "市民課", "S2": "戸籍課"})
        if f.check_id == "AUD-SPLIT-GROUP"
    ]
    assert sorted(f.measure_code for f in found) == ["A1", "B1"]
    assert "同じ指標「住民票の写し等のオンライン申請件数」で測る施策が2課に分かれています" in found[0].message
