"""Where a sheet stands with the central office: one table of cases for the rule, and the section's line."""

from datetime import UTC, datetime

import pytest

from dxdesk.domain.submission_state import (
    SectionSubmission,
    SheetSubmission,
    SubmissionState,
    sheet_submission,
)

AT = datetime(2026, 12, 5, 5, 30, tzinfo=UTC)  # 14:30 in Japan
S = SubmissionState

# revision, changed since, reviewed revision, decision, comments → state, label
CASES = [
    (None, False, None, None, 0, S.NOT_SUBMITTED, "未提出"),
    (None, True, None, None, 0, S.NOT_SUBMITTED, "未提出"),  # typing before the first export
    (1, False, None, None, 0, S.SUBMITTED, "提出済み 第1版（12/5 14:30）"),
    (2, False, 1, "returned", 2, S.SUBMITTED, "提出済み 第2版（12/5 14:30）"),  # review of an older revision
    (1, True, None, None, 0, S.CHANGED, "提出後に変更あり"),
    (1, False, 1, "returned", 2, S.RETURNED, "差戻し（コメント2件）"),
    (1, False, 1, "returned", 0, S.RETURNED, "差戻し（コメント0件）"),
    (1, True, 1, "returned", 2, S.CHANGED, "提出後に変更あり"),  # fixed after it was returned
    (1, False, 1, "accepted", 1, S.ACCEPTED, "受理"),
    (1, True, 1, "accepted", 0, S.CHANGED, "提出後に変更あり"),
    (1, False, 1, "pending", 0, S.SUBMITTED, "提出済み 第1版（12/5 14:30）"),
]


@pytest.mark.parametrize(("revision", "changed", "reviewed", "decision", "comments", "state", "label"), CASES)
def test_sheet_state(revision, changed, reviewed, decision, comments, state, label):
    got = sheet_submission(
        revision=revision,
        submitted_at=AT if revision else None,
        changed_since=changed,
        reviewed_revision=reviewed,
        decision=decision,
        comments=comments,
    )
    assert got.state is state
    assert got.label == label


def test_section_line_counts_the_sheets():
    sheets = {
        1: SheetSubmission(S.ACCEPTED, 2, AT),
        2: SheetSubmission(S.ACCEPTED, 2, AT),
        3: SheetSubmission(S.RETURNED, 2, AT, 3),
        4: SheetSubmission(S.CHANGED, 2, AT),
    }
    line = SectionSubmission(2, AT, sheets).label
    assert line == "提出：第2版（12/5 14:30）　受理 2・差戻し 1・提出後に変更あり 1"
    assert SectionSubmission(None, None, {1: SheetSubmission(S.NOT_SUBMITTED)}).label == "提出：未提出"
