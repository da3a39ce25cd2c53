"""The small closed vocabularies of the domain, each with the Japanese label users see.

Stored values are the enum values (short ASCII strings); labels are for display only. Parsing from a
label (as found in an Excel plan master) goes through ``from_label``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class _Labelled(StrEnum):
    """A StrEnum whose members have a Japanese label (``_LABELS``) and optional aliases."""

    @property
    def label(self) -> str:
        return _LABELS[type(self).__name__][self.value]

    @classmethod
    def from_label(cls, text: str) -> Self:
        """Accept the value, the label or a known alias (「増加」「↑」…)."""
        t = (text or "").strip()
        for member in cls:
            if t in (member.value, member.label):
                return member
        alias = _ALIASES.get(cls.__name__, {}).get(t)
        if alias is not None:
            return cls(alias)
        choices = "・".join(m.label for m in cls)
        raise ValueError(f"「{t[:20]}」は選択肢にありません（{choices}）。")


class Direction(_Labelled):
    UP = "up"
    DOWN = "down"
    KEEP = "keep"


class IndicatorKind(_Labelled):
    ACTIVITY = "activity"
    OUTCOME = "outcome"


class Stage(_Labelled):
    """ライフサイクル (lifecycle stage) of a measure in a given year."""

    BUILD = "1"
    EXPAND = "2"
    STABLE = "3"
    STABLE_REVIEW = "3_4"
    ADAPT = "4"
    NEXT = "5"

    @property
    def short(self) -> str:
        return "3・4" if self is Stage.STABLE_REVIEW else self.value


class Grade(_Labelled):
    A = "A"
    B = "B"
    C = "C"
    D = "D"

    @property
    def rank(self) -> int:
        """A=4 … D=1: higher is better."""
        return {"A": 4, "B": 3, "C": 2, "D": 1}[self.value]


class GradingRule(_Labelled):
    """Which rule decided the suggested grade."""

    KPI = "kpi"
    SCHEDULE = "schedule"
    NOT_EVALUATED = "not_evaluated"
    NONE = "none"


class MilestoneStatus(_Labelled):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    DONE = "done"


class EntryStatus(_Labelled):
    """Sheet status in the section application's list."""

    EMPTY = "empty"
    IN_PROGRESS = "in_progress"
    COMPLETE = "complete"
    NEEDS_CHECK = "needs_check"


class Severity(_Labelled):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        return {"error": 3, "warning": 2, "info": 1}[self.value]


class EvaluationScheme(_Labelled):
    LIFECYCLE = "lifecycle"  # grades A–D by lifecycle stage (default)
    PERSPECTIVE = "perspective"  # 観点別評価 1–5 (management-sheet style)
    RATE_ONLY = "rate_only"  # 目標・実績・達成率 only (prefecture style)
    PDCA = "pdca"  # qualitative PDCA text (action-plan style): no grade


_LABELS: dict[str, dict[str, str]] = {
    "Direction": {"up": "増加が望ましい", "down": "減少が望ましい", "keep": "維持"},
    "IndicatorKind": {"activity": "活動指標", "outcome": "成果指標"},
    "Stage": {
        "1": "構築期",
        "2": "拡大期",
        "3": "安定期",
        "3_4": "安定期（見直し）",
        "4": "環境変化対応期",
        "5": "次期システム等検討期",
    },
    "Grade": {
        "A": "目標値を達成",
        "B": "基準値より改善又は一部達成",
        "C": "基準値から横ばい又は着手",
        "D": "基準値より悪化又は未着手",
    },
    "GradingRule": {
        "kpi": "KPIによる評価",
        "schedule": "スケジュールによる評価",
        "not_evaluated": "評価対象外",
        "none": "評価できない",
    },
    "MilestoneStatus": {"not_started": "未着手", "in_progress": "実施中", "done": "完了"},
    "EntryStatus": {
        "empty": "未入力",
        "in_progress": "入力中",
        "complete": "入力完了",
        "needs_check": "要確認",
    },
    "Severity": {"error": "エラー", "warning": "警告", "info": "情報"},
    "EvaluationScheme": {
        "lifecycle": "ライフサイクル別A〜D評価",
        "perspective": "観点別評価（1〜5）",
        "rate_only": "達成率の表示のみ",
        "pdca": "PDCAによる定性的な振り返り",
    },
}

_ALIASES: dict[str, dict[str, str]] = {
    "Direction": {
        "増加": "up",
        "上昇": "up",
        "↑": "up",
        "高": "up",
        "higher": "up",
        "減少": "down",
        "低下": "down",
        "↓": "down",
        "低": "down",
        "lower": "down",
        "維持が望ましい": "keep",
        "→": "keep",
        "横ばい": "keep",
    },
    "IndicatorKind": {
        "活動": "activity",
        "活動結果指標": "activity",
        "アウトプット": "activity",
        "output": "activity",
        "成果": "outcome",
        "アウトカム": "outcome",
        "KPI": "outcome",
    },
    "Stage": {
        "3・4": "3_4",
        "3-4": "3_4",
        "１": "1",
        "２": "2",
        "３": "3",
        "４": "4",
        "５": "5",
        "ステージ1": "1",
        "ステージ2": "2",
        "ステージ3": "3",
        "ステージ4": "4",
        "ステージ5": "5",
    },
    "MilestoneStatus": {
        "未": "not_started",
        "着手": "in_progress",
        "実施中": "in_progress",
        "進行中": "in_progress",
        "済": "done",
        "実施済": "done",
        "完了済": "done",
    },
}
