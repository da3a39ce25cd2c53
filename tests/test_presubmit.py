"""提出前チェック across a section's sheets, and field paths that lead to the field."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dxdesk.domain.enums import Severity
from dxdesk.domain.fields import FieldError, FieldPath, jump_target, normalize_month
from dxdesk.domain.settings import PlanSettings
from dxdesk.store.dataset import import_dataset
from dxdesk.store.presubmit import presubmission_check
from dxdesk.store.queries import current_plan
from dxdesk.store.sheet_store import load_sheet
from dxdesk.store.synthetic import synthetic_dataset

FY = 2026


@pytest.fixture
def sdb(db):
    with db.session(audit=False) as s:
        import_dataset(s, synthetic_dataset(3, 8, seed=11, indicators_per_measure=2))
    return db


def test_report_lists_errors_first_and_only_the_section(sdb):
    with sdb.session() as s:
        report = presubmission_check(s, current_plan(s), FY, section_code="S002")
    assert report.measures == 8
    assert report.items, "synthetic data has open items"
    severities = [i.severity.rank for i in report.items]
    assert severities == sorted(severities, reverse=True)
    assert all(i.finding.measure_code.startswith("002-") for i in report.items)
    assert report.can_export is (report.errors == 0)
    assert report.summary.startswith("令和8年度 施策8件：エラー ")


def test_open_sheets_count_as_the_person_sees_them(sdb):
    with sdb.session() as s:
        plan = current_plan(s)
        before = presubmission_check(s, plan, FY, section_code="S001")
        item = next(i for i in before.items if i.finding.check_id == "REQ-TEXT")
        sheet = load_sheet(s, item.measure_id, FY)
    sheet.set("texts.result", "実施した。")
    with sdb.session() as s:
        after = presubmission_check(s, plan, FY, section_code="S001", sheets={sheet.key: sheet})
    assert after.errors == before.errors - 1
    assert not [
        i for i in after.items if i.measure_id == item.measure_id and i.finding.check_id == "REQ-TEXT"
    ]


def test_every_finding_leads_to_a_part_of_its_sheet(sdb):
    with sdb.session() as s:
        plan = current_plan(s)
        report = presubmission_check(s, plan, FY)
        for item in report.items:
            sheet = load_sheet(s, item.measure_id, FY)
            assert item.target.part in sheet.parts or item.target.part == "basic", item.finding
            if item.target.path and item.finding.severity is Severity.ERROR:
                # errors are always about something the section can fix in its sheet
                assert sheet.editable(item.target.path), item.finding


def test_jump_targets():
    s = PlanSettings.default()
    assert jump_target("texts.result", FY, s).part == "results"
    t = jump_target("indicators[1].actual", FY, s)
    assert (t.part, t.path, t.indicator) == ("indicators", "indicators[1].actual@2026", 1)
    assert jump_target("indicators[0].baseline", FY, s).indicator == 0
    c = jump_target("costs[2025]", FY, s)
    assert (c.part, c.cost_year) == ("costs", 2025)
    assert jump_target("override_reason", FY, s).part == "evaluation"
    assert jump_target("perspectives.needs", FY, s).path == "perspectives.needs"
    assert jump_target("milestones", FY, s).part == "schedule"
    assert jump_target("basic", FY, s).part == "basic"


paths = st.one_of(
    st.sampled_from(["stage", "self_grade", "override_reason", "direction", "milestones", "entry_status"]),
    st.builds(lambda k: f"texts.{k}", st.sampled_from(["result", "outcome", "issue_org"])),
    st.builds(
        lambda i, c, y: f"indicators[{i}].{c}@{y}",
        st.integers(0, 9),
        st.sampled_from(["target", "actual", "note"]),
        st.integers(2000, 2100),
    ),
    st.builds(lambda i, c: f"milestones[{i}].{c}", st.integers(0, 9), st.sampled_from(["text", "status"])),
    st.builds(
        lambda y, c: f"costs[{y}].{c}", st.integers(2000, 2100), st.sampled_from(["budget", "fund_other"])
    ),
)


@given(paths)
def test_paths_round_trip(path):
    assert str(FieldPath.parse(path)) == path


@pytest.mark.parametrize(
    "bad", ["", "texts", "indicators[x].actual", "costs[2026].salary", "basic.name", "drop table"]
)
def test_unknown_paths_are_refused(bad):
    with pytest.raises(FieldError):
        FieldPath.parse(bad)


def test_months():
    assert normalize_month("１２月") == 12
    assert normalize_month("") is None
    with pytest.raises(FieldError, match="1〜12"):
        normalize_month("13")


def test_f8_export_and_cli_see_the_same_findings(sdb, tmp_path, capsys):
    """One pre-submission check: the F8 panel, the export's refusal and ``dxdesk check`` agree."""
    from dxdesk.cli import main
    from dxdesk.exchange.submission import presubmission_findings

    with sdb.session() as s:
        plan = current_plan(s)
        f8 = presubmission_check(s, plan, FY, section_code="S002")
        export = presubmission_findings(s, plan, FY, "S002")
    assert [(f.measure_code, f.check_id, f.message) for f in export] == [
        (f.measure_code, f.check_id, f.message) for f in f8.findings
    ]
    url = str(sdb.engine.url).removeprefix("sqlite:///")
    code = main(["check", "--db", url, "--fy", "R8", "--section", "S002"])
    lines = capsys.readouterr().out.splitlines()
    cli = [tuple(line.split("\t")[1:4]) for line in lines if "\t" in line]
    assert cli == [(f.measure_code, f.check_id, f.message) for f in f8.findings]
    assert lines[-1] == f"令和8年度 施策=8 エラー={f8.errors} 件数={len(f8.items)}"
    assert code == (1 if f8.errors else 0)
