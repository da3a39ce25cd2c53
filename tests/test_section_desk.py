"""The section's façade, as the section application calls it (on the demo data, デモ市)."""

from __future__ import annotations

from dxdesk.section_desk import SectionDesk


def test_start_state_and_the_remembered_choices(demo_db):
    desk = SectionDesk(demo_db)
    state = desk.start_state()
    assert state is not None
    assert state.plan.survey_fy == 2026 and state.plan.years[0] == 2026
    assert state.fiscal_year == 2026 and state.last_measure is None
    sections = desk.sections_for_year(state.plan.plan_id, 2026)
    code = sections[0][0]
    rows, roots = desk.measure_list(state.plan.plan_id, 2026, code, state.plan.settings)
    assert rows and roots and {r.section_code for r in rows} == {code}
    desk.save_window_state(2025, code, rows[0].id)
    again = desk.start_state()
    assert again is not None
    assert (again.fiscal_year, again.last_section, again.last_measure) == (2025, code, rows[0].id)
    desk.save_window_state(1999, None, None)  # a year the plan no longer offers: the survey year
    assert desk.start_state().fiscal_year == 2026  # type: ignore[union-attr]


def test_check_and_a_measure_by_code(demo_db):
    desk = SectionDesk(demo_db)
    state = desk.start_state()
    assert state is not None
    rows, _roots = desk.measure_list(state.plan.plan_id, 2026, None, state.plan.settings)
    assert desk.measure_id(state.plan.plan_id, rows[0].code) == rows[0].id
    assert desk.measure_id(state.plan.plan_id, "存在しない") is None
    report = desk.presubmission_check(state.plan.plan_id, 2026, rows[0].section_code)
    assert report.summary
    assert desk.received_notes(state.plan.plan_id, 2026) is None  # no review workbook imported


def test_an_empty_database_has_no_start_state(db):
    assert SectionDesk(db).start_state() is None
    assert SectionDesk(db).role is None
