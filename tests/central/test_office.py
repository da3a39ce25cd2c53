"""The central office's façade: what the review and status screens call, in plain values."""

from __future__ import annotations

import pytest

from dxdesk.central.errors import ReviewError
from dxdesk.central.merge import merge_paths
from dxdesk.central.office import CentralOffice
from dxdesk.central.review import Decision
from dxdesk.central.status import SectionState
from dxdesk.store.database import Database
from tests.central.conftest import FY, Scenario


def test_return_with_a_comment_is_one_step(scenario: Scenario, central: Database) -> None:
    merge_paths(central, [*scenario.r1.values()])
    office = CentralOffice(central)
    sections = office.review_sections(FY)
    assert sections is not None
    submitted = [r.section_code for r in sections.board.rows if r.state is not SectionState.MISSING]
    assert "S001" in submitted
    review = office.section_review("S001", FY)
    first = review.reviews[0]
    assert first.measure_code in review.rows and review.names["S001"]

    office.decide(
        first.measure_code,
        Decision.RETURNED,
        FY,
        user="中央 花子",
        comment="実績の集計方法を書いてください。",
        field="texts.result",
    )
    after = office.section_review("S001", FY).reviews[0]
    assert after.decision is Decision.RETURNED
    assert [(c.field_label, c.text) for c in after.comments] == [
        ("取組結果", "実績の集計方法を書いてください。")
    ]

    office.decide(first.measure_code, Decision.ACCEPTED, FY, user="中央 花子", comment="使われない")
    accepted = office.section_review("S001", FY).reviews[0]
    assert accepted.decision is Decision.ACCEPTED and len(accepted.comments) == 1  # 受理 writes no comment

    full, shown = office.status_boards(FY, states=[SectionState.MISSING])
    assert len(full.rows) == full.total_sections and all(r.state is SectionState.MISSING for r in shown.rows)


def test_a_measure_not_submitted_cannot_be_decided(scenario: Scenario, central: Database) -> None:
    office = CentralOffice(central)  # nothing merged yet
    with pytest.raises(ReviewError):
        office.decide("999", Decision.RETURNED, FY, user="中央 花子", comment="書いてください")
    assert office.conflicts(FY) == []
