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
from dxdesk.domain.sheet import IndicatorData, MeasureSnapshot, MilestoneData
from dxdesk.domain.values import format_decimal

__all__ = [
    "ACTIVITY_WORDS",
    "CHECKS",
    "OUTCOME_WORDS",
    "CheckDef",
    "Finding",
    "KindJudgement",
    "at_ceiling",
    "check_by_id",
    "check_cost_items",
    "check_measure",
    "check_plan",
    "effective_kind",
    "has_errors",
    "implausible_jump",
    "infer_kind",
    "plausible_range",
]


@dataclass(frozen=True)
class CheckDef:
    id: str
    severity: Severity
    title: str  # short Japanese name, for the settings screen and the review list
    message: str  # Japanese, says what to do; ``{placeholders}`` filled per finding
    scope: str = "measure"  # "measure", "plan" (needs all measures) or "input" (typed text kept unread)
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
        "REQ-UNREAD",
        Severity.ERROR,
        "読み取れない入力",
        "「{label}」の入力「{typed}」：{reason}",
        scope="input",  # what was typed, kept until fixed; not a setting that can be switched off
        default_enabled=True,
    ),
    CheckDef(
        "REQ-TEXT-MAX",
        Severity.ERROR,
        "Excelのセルに入らない長さ",
        "{message}",  # fields.too_long_message: 「…」が32,767字を超えています（n字超過）。短くしてください
        scope="input",  # the whole text is kept as typed until it is shortened
        default_enabled=True,
    ),
    CheckDef(
        "REQ-STAGE",
        Severity.ERROR,
        "ライフサイクルの未選択",
        "ライフサイクル（段階）が選ばれていません。評価の方法が決まらないため選択してください。",
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
        "VAL-COST-ITEM-NAME",
        Severity.WARNING,
        "事業費内訳の名称なし",
        "事業費内訳（{table}）の{row}行目に金額がありますが、{name}が空です。{name}を入力してください。",
        scope="items",  # the year's 事業費内訳 lines (check_cost_items)
    ),
    CheckDef(
        "VAL-COST-ITEM-SUM",
        Severity.WARNING,
        "事業費内訳の合計の不一致",
        "事業費内訳の{column}：財源別の合計（{funding}）が費目別の合計（{expense}）と一致しません。"
        "内訳を見直してください。",
        scope="items",
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
        "KPIで管理する施策ですが、指標がすべて活動指標（アウトプット）です{detail}。成果（アウトカム）を測る指標"
        "（利用率・満足度・削減時間など）を設定してください。区分の判断が違う場合は、指標の「活動/成果」を確定してください。",
    ),
    CheckDef(
        "AUD-SCHEDULE-BY-KPI",
        Severity.WARNING,
        "構築期なのに管理方法なし",
        "段階{stage}（{stage_label}）の施策は日付のあるマイルストーンで管理します。スケジュールにマイルストーンを登録してください。",
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
        "指標「{indicator}」は記録のある{years}年とも目標を達成し、実績が安定しています。安定期（段階3）への移行を検討してください（ライフサイクル）。",
    ),
    CheckDef(
        "AUD-STABLE-BELOW-TARGET",
        Severity.WARNING,
        "安定期なのに目標未達",
        "安定期（段階3）ですが、指標「{indicator}」が{year}の目標を下回っています。環境変化対応期（段階4）への移行を検討してください（ライフサイクル）。",
    ),
    CheckDef(
        "AUD-GRADE-OPTIMISTIC",
        Severity.WARNING,
        "データより良い自己評価",
        "自己評価 {grade} は、データから算出される評価（{suggested}）より良くなっています。{detail}根拠を確認し、「自己評価」か「評価を変更した理由」を見直してください。",
    ),
    CheckDef(
        "AUD-LOW-EXECUTION",
        Severity.WARNING,
        "執行率が低い",
        "{year}の執行率が{rate}%（予算 {budget} に対し決算 {settlement}）です。不用額が生じた理由を事業費の説明欄に記入してください。",
    ),
    CheckDef(
        "AUD-SCHEDULE-ACTIVE-KPI",
        Severity.WARNING,
        "構築・見直し中の施策をKPIで管理",
        "段階{stage}（{stage_label}）の施策は日付のあるマイルストーンで管理しますが、指標「{indicator}」に{year}の"
        "{what}が入力されています。KPIで管理するなら段階（ライフサイクル）を見直し、構築・見直し中なら"
        "スケジュールにマイルストーンを登録して指標は参考指標にしてください。",
    ),
    CheckDef(
        "AUD-GRADE-A-UNFINISHED",
        Severity.WARNING,
        "未完了があるのにA評価",
        "評価が A（{wording}）ですが、{detail}が未完了です。すべて完了するまでは A にせず、"
        "「自己評価」と「評価を変更した理由」を見直してください。",
    ),
    CheckDef(
        "AUD-PLAUSIBLE-RANGE",
        Severity.WARNING,
        "ありえない値",
        "指標「{indicator}」の{year}の{role} {value} は{range}の範囲外です。単位は正しいですか。"
        "値と単位（{unit}）を確認してください。",
    ),
    CheckDef(
        "AUD-PLAUSIBLE-JUMP",
        Severity.WARNING,
        "桁違いの値",
        "指標「{indicator}」の{year}の実績 {value} は{why}。単位は正しいですか。桁や単位（{unit}）を確認してください。",
    ),
    CheckDef(
        "AUD-SPLIT-GROUP",
        Severity.INFO,
        "同じ取組が複数課で別施策になっている",
        "{reason}施策が{count}課に分かれています：{members}。同じ取組なら、複数課で担う一つの施策に"
        "まとめることを検討してください（施策名・関連課所室）。",
        scope="plan",
    ),
    CheckDef(
        "AUD-SPLIT-MEASURE",
        Severity.INFO,
        "同じ内容の施策が複数課に分かれている",
        "「{name}」は{other_section}の「{other_code} {other_name}」と同じ内容のようです。複数課で担う一つの施策にまとめることを検討してください（施策名・関連課所室）。",
        scope="plan",
    ),
)

_BY_ID = {c.id: c for c in CHECKS}


def check_by_id(check_id: str) -> CheckDef:
    return _BY_ID[check_id]


def has_errors(findings: Iterable[Finding]) -> bool:
    return any(f.severity is Severity.ERROR for f in findings)


# --- indicator kind, ceilings, plausibility -------------------------------------------------------

# Words that make an indicator an output (活動) or an outcome (成果) when the plan does not say which.
# Outcome words win: 「ソフト導入率」 is a rate, 「導入による削減時間」 a reduction.
ACTIVITY_WORDS = (
    "件数",
    "回数",
    "開催",
    "実施数",
    "実施回数",
    "配布",
    "導入数",
    "導入件数",
    "導入",
    "設置",
    "台数",
    "作成数",
    "発行",
    "受講者数",
    "参加者数",
    "研修",
    "説明会",
    "講座",
    "提案数",
    "改修",
    "整備数",
    "ロボット数",
    "掲載",
)
OUTCOME_WORDS = (
    "割合",
    "率",
    "満足度",
    "削減",
    "短縮",
    "利用者数",
    "利用件数",
    "利用団体",
    "アクセス数",
    "解消",
    "改善",
    "効果",
    "待ち時間",
    "処理時間",
    "時間数",
    "人口",
    "認知度",
)


@dataclass(frozen=True)
class KindJudgement:
    kind: IndicatorKind
    reason: str  # Japanese: 「「件数」から活動指標と判断」, 「活動指標として設定」, 「中央で活動指標と確定」
    inferred: bool


def infer_kind(name: str) -> tuple[IndicatorKind | None, tuple[str, ...]]:
    """活動 / 成果 from an indicator's wording, with the words that decided; None when nothing does."""
    text = unicodedata.normalize("NFKC", name)
    outcome = tuple(w for w in OUTCOME_WORDS if w in text)
    if outcome:
        return IndicatorKind.OUTCOME, outcome
    activity = tuple(w for w in ACTIVITY_WORDS if w in text)
    if activity:
        # 「導入件数」 also contains 「件数」「導入」: name the longest words only
        shown = [w for w in activity if not any(w != o and w in o for o in activity)]
        return IndicatorKind.ACTIVITY, tuple(sorted(shown, key=text.find))
    return None, ()


def effective_kind(ind: IndicatorData) -> KindJudgement:
    """The indicator's kind for the checks: the central office's confirmation first, then a kind the
    plan set (活動 — 成果 is also what a blank means), then the wording."""
    if ind.kind_confirmed is not None:
        return KindJudgement(ind.kind_confirmed, f"中央で{ind.kind_confirmed.label}と確定", False)
    if ind.kind is IndicatorKind.ACTIVITY:
        return KindJudgement(IndicatorKind.ACTIVITY, "活動指標として設定", False)
    kind, words = infer_kind(ind.name)
    if kind is None:
        return KindJudgement(IndicatorKind.OUTCOME, "成果指標として扱う", True)
    quoted = "・".join(f"「{w}」" for w in words)
    return KindJudgement(kind, f"{quoted}から{kind.label}と判断", True)


_HUNDRED = Decimal(100)


def at_ceiling(ind: IndicatorData, value: Decimal) -> bool:
    """A value that cannot be improved: 100 % of a whole (higher is better or 維持), or 0 where lower is
    better and nothing can be below zero."""
    if ind.direction is Direction.DOWN:
        return value == 0 and _never_negative(ind)
    return value == _HUNDRED and _is_percent(ind)


def _is_percent(ind: IndicatorData) -> bool:
    return ind.unit.strip() in ("%", "％", "パーセント")


_NON_NEGATIVE_UNITS = (
    "件",
    "回",
    "人",
    "者",
    "団体",
    "台",
    "箇所",
    "か所",
    "時間",
    "分",
    "日",
    "円",
    "千円",
    "本",
    "校",
    "社",
    "枚",
    "ページ",
    "部",
    "冊",
    "ロボット",
    "事業者",
    "世帯",
    "店",
)


def _never_negative(ind: IndicatorData) -> bool:
    unit = unicodedata.normalize("NFKC", ind.unit).strip()
    return _is_percent(ind) or any(unit.endswith(u) for u in _NON_NEGATIVE_UNITS)


def _share_of_whole(ind: IndicatorData) -> bool:
    """A percentage the indicator's wording says is a share of a whole (利用率, 割合 …): within 0–100."""
    if not _is_percent(ind):
        return False
    text = unicodedata.normalize("NFKC", ind.name)
    return any(w in text for w in ("割合", "率", "カバー", "普及")) and not any(
        w in text for w in ("増加率", "伸び率", "成長率", "達成率", "前年比", "前年度比", "削減率", "増減")
    )


def plausible_range(ind: IndicatorData) -> tuple[Decimal | None, Decimal | None]:
    """The indicator's plausible range: set per indicator, else by unit (counts, 人, 件, 時間, 分 … never
    negative; a percentage that is a share of a whole within 0–100)."""
    lo, hi = ind.plausible_min, ind.plausible_max
    if lo is None and _never_negative(ind):
        lo = Decimal(0)
    if hi is None and _share_of_whole(ind):
        hi = _HUNDRED
    return lo, hi


def implausible_jump(ind: IndicatorData, fy: int) -> str:
    """Why the year's actual looks like a wrong unit (rate above 300 %, tenfold jump); empty when fine."""
    actual = ind.year(fy).actual
    if not actual.is_number:
        return ""
    assert actual.number is not None
    target = ind.target_for(fy)
    if ind.direction is not Direction.DOWN and target.is_number and target.number and target.number > 0:
        rate = actual.number / target.number * _HUNDRED
        if rate > 300:
            return f"目標 {target.display(ind.unit)} の{format_decimal(rate.quantize(Decimal('1')))}%です"
    prev = ind.year(fy - 1).actual
    if prev.is_number and prev.number and not ind.cumulative:
        a, p = abs(actual.number), abs(prev.number)
        if p > 0 and (a >= p * 10 or (a > 0 and a * 10 <= p)):
            return f"前年度の実績 {prev.display(ind.unit)} から10倍以上変わっています"
    return ""


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
        if not _records_breakdown(c) and total <= cost.settlement:
            continue  # only うち一般財源 recorded (the format's choice): the sum is not the whole
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
    if not (c.kpi_managed and graded):
        return
    kinds = [effective_kind(ind) for _, ind in graded]
    if all(k.kind is IndicatorKind.ACTIVITY for k in kinds):
        reasons = [f"「{ind.name}」は{k.reason}" for (_, ind), k in zip(graded, kinds, strict=True)]
        yield c.finding("AUD-OUTPUT-ONLY", "indicators", detail="（" + "、".join(reasons) + "）")


def _active_kpi(c: _Ctx) -> tuple[int, IndicatorData, str] | None:
    """The first indicator managed as a KPI this year: the year's own target entered, or an actual
    against a target (the year's or the plan-end one); 「—」 and reference indicators do not count."""
    for i, ind in c.graded_indicators():
        year = ind.year(c.fy)
        target, actual = ind.target_for(c.fy), year.actual
        if target.is_entered and not target.is_na and actual.is_entered and not actual.is_na:
            return i, ind, "目標値と実績"
        if year.target.is_entered and not year.target.is_na:
            return i, ind, "目標値"
    return None


def _aud_schedule_by_kpi(c: _Ctx) -> Iterator[Finding]:
    """Schedule stage with neither milestones nor a KPI: nothing says how the work is managed."""
    stage = c.m.sheet.stage
    if stage in SCHEDULE_STAGES and not c.m.sheet.milestones and _active_kpi(c) is None:
        assert stage is not None
        yield c.finding("AUD-SCHEDULE-BY-KPI", "milestones", stage=stage.short, stage_label=stage.label)


def _aud_schedule_active_kpi(c: _Ctx) -> Iterator[Finding]:
    """Schedule stage (構築期, 3・4) managed by an active KPI, with or without milestones."""
    stage = c.m.sheet.stage
    if stage not in SCHEDULE_STAGES:
        return
    assert stage is not None
    active = _active_kpi(c)
    if active is None:
        return
    _i, ind, what = active
    yield c.finding(
        "AUD-SCHEDULE-ACTIVE-KPI",
        "stage",
        stage=stage.short,
        stage_label=stage.label,
        indicator=ind.name,
        year=fy_short(c.fy),
        what=what,
    )


def _aud_kpi_targets(c: _Ctx) -> Iterator[Finding]:
    if not c.kpi_managed:
        return
    kpi_stage = c.m.sheet.stage in KPI_STAGES
    for i, ind in c.graded_indicators():
        target = ind.target_for(c.fy)
        if target.is_blank or (kpi_stage and target.is_na):
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
        if target.number == ind.baseline.number and at_ceiling(ind, target.number):
            continue  # holding 100 % is a target (the stable-stage check speaks to it)
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
        for fy in range(c.fy, c.fy - n, -1):
            t, a = ind.target_for(fy), ind.year(fy).actual
            if not (t.is_number and a.is_number):
                break
            assert t.number is not None and a.number is not None
            if not reached(ind.direction, t.number, a.number):
                break
            actuals.append(a.number)
        if not actuals:
            continue
        lo, hi = min(actuals), max(actuals)
        spread_ok = hi == lo or (hi != 0 and (hi - lo) / abs(hi) * 100 <= c.s.stable_variation_percent)
        # at target every year on record: n years, or a value held at its ceiling from the baseline on
        # (baseline = target = actual = 100 %: nothing left to improve)
        goal = ind.target_for(c.fy).number
        held = (
            ind.baseline.is_number
            and goal is not None
            and ind.baseline.number == goal == hi == lo
            and at_ceiling(ind, goal)
        )
        if spread_ok and (len(actuals) >= n or held):
            yield c.finding(
                "AUD-STABLE-CANDIDATE", f"indicators[{i}].actual", indicator=ind.name, years=len(actuals)
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


def _records_breakdown(c: _Ctx) -> bool:
    """Does the plan record the whole 財源内訳 (not only うち一般財源)?"""
    if c.s.funding_breakdown == "general_only":
        return False
    return any(
        v is not None
        for cost in c.m.costs.values()
        for v in (cost.fund_national, cost.fund_prefecture, cost.fund_bonds, cost.fund_other)
    )


def _aud_grade_a_unfinished(c: _Ctx) -> Iterator[Finding]:
    """Grade A (self-chosen or computed) while a milestone of the measure, or — under the schedule
    rule — one of its indicators, is not done. (A self-grade above a KPI grade is AUD-GRADE-OPTIMISTIC.)"""
    sheet = c.m.sheet
    grade = sheet.self_grade if sheet.self_grade is not None else c.suggestion.grade
    if grade is not Grade.A or c.s.evaluation_scheme is not EvaluationScheme.LIFECYCLE:
        return
    open_ms = [m for m in sheet.milestones if m.status is not MilestoneStatus.DONE and _due_by(m, c.fy)]
    below: list[str] = []
    if c.suggestion.rule is GradingRule.SCHEDULE:
        for _i, ind in c.graded_indicators():
            t, a = ind.target_for(c.fy), ind.year(c.fy).actual
            if t.is_number and a.is_number:
                assert t.number is not None and a.number is not None
                if not reached(ind.direction, t.number, a.number):
                    below.append(ind.name)
    parts = []
    if open_ms:
        more = f"ほか{len(open_ms) - 1}件" if len(open_ms) > 1 else ""
        parts.append(f"マイルストーン「{open_ms[0].text}」{more}")
    if below:
        parts.append(f"指標「{below[0]}」の目標")
    if not parts:
        return
    wording = "構築完了" if c.suggestion.rule is GradingRule.SCHEDULE else "目標値を達成"
    yield c.finding(
        "AUD-GRADE-A-UNFINISHED",
        "milestones" if open_ms else "self_grade",
        wording=wording,
        detail="と".join(parts),
    )


def _due_by(m: MilestoneData, fy: int) -> bool:
    """A milestone that belongs to the evaluated year or before (undated ones always do)."""
    return m.due_fy is None or m.due_fy <= fy


def _aud_plausible(c: _Ctx) -> Iterator[Finding]:
    """Values outside the indicator's plausible range, rates above 300 % and tenfold jumps."""
    for i, ind in enumerate(c.m.indicators):
        if not ind.active_in(c.fy):
            continue
        lo, hi = plausible_range(ind)
        year = ind.year(c.fy)
        for role, label, value in (("actual", "実績", year.actual), ("target", "目標値", year.target)):
            if not value.is_number:
                continue
            assert value.number is not None
            x = value.number
            if (lo is not None and x < lo) or (hi is not None and x > hi):
                yield c.finding(
                    "AUD-PLAUSIBLE-RANGE",
                    f"indicators[{i}].{role}",
                    indicator=ind.name,
                    year=fy_short(c.fy),
                    role=label,
                    value=value.display(ind.unit),
                    range=_range_text(lo, hi, ind.unit),
                    unit=ind.unit or "単位なし",
                )
                break
        else:
            why = implausible_jump(ind, c.fy)
            if why:
                yield c.finding(
                    "AUD-PLAUSIBLE-JUMP",
                    f"indicators[{i}].actual",
                    indicator=ind.name,
                    year=fy_short(c.fy),
                    value=year.actual.display(ind.unit),
                    why=why,
                    unit=ind.unit or "単位なし",
                )


def _range_text(lo: Decimal | None, hi: Decimal | None, unit: str) -> str:
    if lo is not None and hi is not None:
        return f"{format_decimal(lo)}〜{format_decimal(hi)}{unit}"
    if lo is not None:
        return f"{format_decimal(lo)}{unit}以上"
    assert hi is not None
    return f"{format_decimal(hi)}{unit}以下"


def _aud_low_execution(c: _Ctx) -> Iterator[Finding]:
    # whenever the year's cost data exists, whatever parts the sheet layout shows
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
    "AUD-SCHEDULE-ACTIVE-KPI": _aud_schedule_active_kpi,
    "AUD-GRADE-A-UNFINISHED": _aud_grade_a_unfinished,
    "AUD-PLAUSIBLE-RANGE": _aud_plausible,  # also yields AUD-PLAUSIBLE-JUMP
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
    """Plan-scope findings: the same measure split across several sections.

    AUD-SPLIT-MEASURE: two measures of different sections whose names (or summaries of 20+ characters)
    match with a difflib ratio of at least the threshold on normalised text. A k-gram index picks the
    pairs worth comparing, so a thousand measures take well under a second.
    AUD-SPLIT-GROUP: measures of several sections that share an indicator's wording, or a long stem of
    their names behind a section-specific prefix (「戸籍業務のペーパーレス化」「税務業務のペーパーレス化」):
    one finding per measure naming the whole group."""
    names = section_names or {}
    findings: list[Finding] = []
    if settings.check_enabled("AUD-SPLIT-MEASURE"):
        findings += _split_pairs(measures, names, name_threshold, summary_threshold)
    if settings.check_enabled("AUD-SPLIT-GROUP"):
        paired = {f.measure_code for f in findings}
        findings += [f for f in _split_groups(measures, names) if f.measure_code not in paired]
    return findings


def _split_pairs(
    measures: Sequence[MeasureSnapshot],
    names: dict[str, str],
    name_threshold: float,
    summary_threshold: float,
) -> list[Finding]:
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


# A name's stem starts at one of these (the part before it is the section's own: 「戸籍」「税務」).
_STEM_MARKERS = (
    "業務の",
    "事務の",
    "窓口の",
    "手続の",
    "手続きの",
    "における",
    "での",
    "に係る",
    "にかかる",
    "の",
)
# characters after the marker: behind 「業務の」 a short core will do (「業務のペーパーレス化」), behind a
# bare 「の」 it must be long — 「行政手続のオンライン化」 and 「介護認定審査会のオンライン化」 are not one measure
_MIN_STEM_CORE = 5
_MIN_BARE_STEM_CORE = 8
_MIN_INDICATOR = 6  # an indicator wording shorter than this (「満足度」) says nothing about sameness
_MAX_SPLIT_SECTIONS = 6  # a wording shared by more sections (and a fifth of them) is the plan's phrase
_LISTED_MEMBERS = 6


def name_stems(name: str) -> list[str]:
    """The stems of a measure's name behind a prefix, longest first: 「戸籍業務のペーパーレス化」 →
    「業務のペーパーレス化」, 「のペーパーレス化」."""
    text = _norm_text(name)
    out: list[str] = []
    for p in range(1, len(text)):
        for marker in _STEM_MARKERS:
            if text.startswith(marker, p):
                need = _MIN_BARE_STEM_CORE if marker == "の" else _MIN_STEM_CORE
                if len(text) - p - len(marker) >= need:
                    out.append(text[p:])
                break
    return out


def _split_groups(measures: Sequence[MeasureSnapshot], names: dict[str, str]) -> list[Finding]:
    """Groups of measures of several sections that look like one measure split up (see check_plan).

    A wording or stem shared by more than ``cap`` sections is a common phrase of the plan (「電子申請の
    利用件数」 measured by every section), not a split measure, and links nothing."""
    n_sections = len({m.owner_section_code for m in measures})
    cap = max(_MAX_SPLIT_SECTIONS, n_sections // 5)
    parent = list(range(len(measures)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    reasons: dict[int, str] = {}  # first member → why its group was linked

    def sections_of(members: Iterable[int]) -> set[str]:
        return {measures[i].owner_section_code for i in members}

    def link(members: Sequence[int], reason: str) -> None:
        if not 2 <= len(sections_of(members)) <= cap:
            return
        root = find(members[0])
        for i in members[1:]:
            other = find(i)
            if other != root:
                parent[other] = root
        reasons.setdefault(members[0], reason)

    # shared stems of names, longest first (the longest one at least two sections share names the group)
    by_stem: dict[str, list[int]] = {}
    for i, m in enumerate(measures):
        for stem in name_stems(m.name):
            by_stem.setdefault(stem, []).append(i)
    taken: set[int] = set()
    for stem in sorted(by_stem, key=len, reverse=True):
        members = by_stem[stem]
        if set(members) <= taken or len(sections_of(members)) < 2:
            continue
        link(members, f"名前に「{stem}」を共通に持つ")
        taken.update(members)

    # the same indicator wording (exactly, then near-same among the distinct wordings)
    by_text: dict[str, list[int]] = {}
    shown: dict[str, str] = {}
    for i, m in enumerate(measures):
        for ind in m.indicators:
            t = _norm_text(ind.name)
            if len(t) >= _MIN_INDICATOR:
                by_text.setdefault(t, []).append(i)
                shown.setdefault(t, ind.name)
    texts = list(by_text)
    for t in texts:
        link(sorted(set(by_text[t])), f"同じ指標「{shown[t]}」で測る")
    wrapped = [_Text(t) for t in texts]
    for x, y in sorted(_candidate_pairs(texts)):
        if _similar(wrapped[x], wrapped[y], 0.9):
            link(
                sorted(set(by_text[texts[x]]) | set(by_text[texts[y]])),
                f"同じ指標「{shown[texts[x]]}」で測る",
            )

    groups: dict[int, list[int]] = {}
    for i in range(len(measures)):
        groups.setdefault(find(i), []).append(i)
    check = _BY_ID["AUD-SPLIT-GROUP"]
    findings: list[Finding] = []
    for members in groups.values():
        sections = sections_of(members)
        if len(members) < 2 or not 2 <= len(sections) <= cap:
            continue  # a chain of links that grew into a plan-wide phrase says nothing
        reason = next((reasons[i] for i in members if i in reasons), "同じ内容とみられる")
        listed = "、".join(
            f"{measures[i].code}「{measures[i].name}」（"
            f"{names.get(measures[i].owner_section_code, measures[i].owner_section_code)}）"
            for i in members[:_LISTED_MEMBERS]
        )
        if len(members) > _LISTED_MEMBERS:
            listed += f"ほか{len(members) - _LISTED_MEMBERS}件"
        message = check.message.format(reason=reason, count=len(sections), members=listed)
        for i in members:
            m = measures[i]
            findings.append(Finding(check.id, check.severity, message, m.code, m.fiscal_year, "basic"))
    return findings


# a line of the year's 事業費内訳: (category "expense"|"funding", label, budget, settlement)
CostItemLine = tuple[str, str, Decimal | None, Decimal | None]
_ITEM_TABLE = {"expense": ("費目別", "費目"), "funding": ("財源別", "財源")}
_ITEM_COLUMNS = (("budget", "予算額"), ("settlement", "決算額"))


def check_cost_items(
    items: Sequence[CostItemLine], settings: PlanSettings, measure_code: str, fiscal_year: int
) -> list[Finding]:
    """Warnings on the year's 事業費内訳 lines (the sheet's ``cost_items``): a line with an amount but
    no 費目/財源, and a 財源別 total that differs from the 費目別 total (per column, when both are given)."""
    out: list[Finding] = []
    if settings.check_enabled("VAL-COST-ITEM-NAME"):
        rows = {"expense": 0, "funding": 0}
        for i, (category, label, budget, settlement) in enumerate(items):
            table, name = _ITEM_TABLE.get(category, _ITEM_TABLE["expense"])
            rows[category if category in rows else "expense"] += 1
            if not label.strip() and (budget is not None or settlement is not None):
                message = check_by_id("VAL-COST-ITEM-NAME").message.format(
                    table=table, row=rows[category if category in rows else "expense"], name=name
                )
                out.append(
                    Finding(
                        "VAL-COST-ITEM-NAME",
                        Severity.WARNING,
                        message,
                        measure_code,
                        fiscal_year,
                        f"cost_items[{i}].label",
                    )
                )
    if settings.check_enabled("VAL-COST-ITEM-SUM"):
        for key, title in _ITEM_COLUMNS:
            amounts: dict[str, list[tuple[int, Decimal]]] = {"expense": [], "funding": []}
            for i, (category, _label, budget, settlement) in enumerate(items):
                amount = budget if key == "budget" else settlement
                if amount is not None and category in amounts:
                    amounts[category].append((i, amount))
            if not amounts["expense"] or not amounts["funding"]:
                continue
            expense = sum((a for _i, a in amounts["expense"]), Decimal(0))
            funding = sum((a for _i, a in amounts["funding"]), Decimal(0))
            if expense == funding:
                continue
            message = check_by_id("VAL-COST-ITEM-SUM").message.format(
                column=title, funding=format_decimal(funding), expense=format_decimal(expense)
            )
            first = amounts["funding"][0][0]
            out.append(
                Finding(
                    "VAL-COST-ITEM-SUM",
                    Severity.WARNING,
                    message,
                    measure_code,
                    fiscal_year,
                    f"cost_items[{first}].{key}",
                )
            )
    return out
