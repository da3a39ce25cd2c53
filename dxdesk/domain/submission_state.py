"""Where a sheet stands with the central office: 未提出, 提出済み 第N版（日時）, 提出後に変更あり,
差戻し（コメントn件） or 受理 — from the section's own submission history and the newest review
workbook it imported.

:func:`sheet_submission` is the rule (one table of cases in tests/test_submission_state.py); the
section's façade (``SectionDesk.submission_states``) gathers the facts from the database.

- Never exported: 未提出.
- Changed after the newest export (a field typed, an unread input kept): 提出後に変更あり — whatever
  the review said, what the central office has is no longer what is on screen.
- The newest review is of the newest export: 差戻し（コメントn件） or 受理 as it decided.
- Otherwise (no review yet, or a review of an older revision): 提出済み 第N版（日時）.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from dxdesk.domain.fiscal import JST

__all__ = ["SectionSubmission", "SheetSubmission", "SubmissionState", "sheet_submission"]


class SubmissionState(StrEnum):
    NOT_SUBMITTED = "not_submitted"
    SUBMITTED = "submitted"
    CHANGED = "changed"
    RETURNED = "returned"
    ACCEPTED = "accepted"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    SubmissionState.NOT_SUBMITTED: "未提出",
    SubmissionState.SUBMITTED: "提出済み",
    SubmissionState.CHANGED: "提出後に変更あり",
    SubmissionState.RETURNED: "差戻し",
    SubmissionState.ACCEPTED: "受理",
}


def _when(at: datetime | None) -> str:
    if at is None:
        return ""
    local = at.astimezone(JST) if at.tzinfo else at
    return f"{local.month}/{local.day} {local:%H:%M}"


@dataclass(frozen=True)
class SheetSubmission:
    """One sheet's state; ``revision`` and ``submitted_at`` are of the newest export (None if never)."""

    state: SubmissionState
    revision: int | None = None
    submitted_at: datetime | None = None
    comments: int = 0

    @property
    def label(self) -> str:
        """「提出済み 第2版（12/5 14:30）」「差戻し（コメント2件）」「受理」…"""
        match self.state:
            case SubmissionState.SUBMITTED:
                return f"提出済み 第{self.revision}版（{_when(self.submitted_at)}）"
            case SubmissionState.RETURNED:
                return f"差戻し（コメント{self.comments}件）"
            case _:
                return self.state.label

    @property
    def short(self) -> str:
        """For the sheet list's narrow column (the full label is its tooltip): 「第2版」「変更あり」…"""
        match self.state:
            case SubmissionState.SUBMITTED:
                return f"第{self.revision}版"
            case SubmissionState.CHANGED:
                return "変更あり"
            case _:
                return self.state.label


def sheet_submission(
    *,
    revision: int | None,
    submitted_at: datetime | None,
    changed_since: bool,
    reviewed_revision: int | None,
    decision: str | None,
    comments: int = 0,
) -> SheetSubmission:
    """The rule (see the module docstring). ``decision``: ``accepted``, ``returned``, ``pending`` or None."""
    if revision is None:
        return SheetSubmission(SubmissionState.NOT_SUBMITTED)
    if changed_since:
        return SheetSubmission(SubmissionState.CHANGED, revision, submitted_at)
    if reviewed_revision == revision and decision == "returned":
        return SheetSubmission(SubmissionState.RETURNED, revision, submitted_at, comments)
    if reviewed_revision == revision and decision == "accepted":
        return SheetSubmission(SubmissionState.ACCEPTED, revision, submitted_at)
    return SheetSubmission(SubmissionState.SUBMITTED, revision, submitted_at)


@dataclass(frozen=True)
class SectionSubmission:
    """The section's line: its newest export and how its sheets stand, by measure id."""

    revision: int | None
    submitted_at: datetime | None
    sheets: Mapping[int, SheetSubmission] = field(default_factory=dict)

    def count(self, state: SubmissionState) -> int:
        return Counter(s.state for s in self.sheets.values())[state]

    @property
    def label(self) -> str:
        """「提出：第2版（12/5 14:30）　受理 10・差戻し 2・提出後に変更あり 1」 or 「提出：未提出」."""
        if self.revision is None:
            return "提出：未提出"
        counts = "・".join(
            f"{st.label} {self.count(st)}"
            for st in (
                SubmissionState.ACCEPTED,
                SubmissionState.RETURNED,
                SubmissionState.CHANGED,
                SubmissionState.SUBMITTED,
                SubmissionState.NOT_SUBMITTED,
            )
            if self.count(st)
        )
        return f"提出：第{self.revision}版（{_when(self.submitted_at)}）" + (f"　{counts}" if counts else "")
