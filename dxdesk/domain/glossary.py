"""One name for each thing a person reads, in both windows, the printouts and the workbooks.

The stored values (``complete``, ``in_progress``, ``not_started`` …) are the program's; a person sees
the labels here. docs/glossary.md lists the same words with what they mean. Enumerations keep their own
labels (:mod:`dxdesk.domain.enums`, ``.label``); this module adds the words that are not an enumeration
and the labels of stored values shown outside their enumeration (a conflict's list of differences).
"""

from __future__ import annotations

from dxdesk.domain.enums import Direction, EntryStatus, Grade, GradingRule, MilestoneStatus, Stage

__all__ = [
    "NOT_EVALUATED",
    "NO_GRADE",
    "RECEIVED_AT",
    "grade_label",
    "stored_value_label",
]

RECEIVED_AT = "受信日時"  # when the central office received a submission file (never 受付日時)
NOT_EVALUATED = "対象外"  # a measure the plan does not grade (評価対象外)
NO_GRADE = "—"  # a graded measure whose grade cannot be worked out yet (nothing entered)

# What the 「入力完了」 check box stored: unchecked is the same to a person whether it was never ticked
# (empty) or ticked and cleared (in_progress); the list's 入力中 / 未入力 comes from the content instead.
ENTRY_MARK = {
    EntryStatus.EMPTY.value: "入力完了の印なし",
    EntryStatus.IN_PROGRESS.value: "入力完了の印なし",
    EntryStatus.COMPLETE.value: "入力完了",
    EntryStatus.NEEDS_CHECK.value: "要確認",
}


def grade_label(grade: Grade | None, rule: GradingRule, override: bool = False) -> str:
    """A grade as the lists show it: 「B」, 「D*」 when the section changed it, 「対象外」, 「—」."""
    if grade is None:
        return NOT_EVALUATED if rule is GradingRule.NOT_EVALUATED else NO_GRADE
    return f"{grade.value}*" if override else grade.value


def _label(enum: type, value: object) -> str | None:
    try:
        return str(enum(value).label)
    except ValueError:
        return None


def stored_value_label(column: str, value: object) -> str:
    """A stored sheet value (a year column such as ``entry_status``, ``stage``, ``direction``, or a
    milestone's ``status``) in the words a person reads; anything else as it is."""
    if value is None:
        return ""
    text = str(value)
    if column == "entry_status":
        return ENTRY_MARK.get(text, text)
    enum = {"stage": Stage, "milestone_status": MilestoneStatus, "indicator_direction": Direction}.get(column)
    if enum is not None:
        return _label(enum, text) or text
    return text
