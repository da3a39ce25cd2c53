"""Review and return: decisions and comments per measure, the status board, the signed review workbook,
its import in the section database (comments kept, returned sheets reopened), and 受理 carried over to
an unchanged measure of the next revision."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest
from sqlalchemy import select

from dxdesk.central.errors import ReviewError, ReviewImportError
from dxdesk.central.merge import merge_paths
from dxdesk.central.review import (
    Decision,
    add_comment,
    delete_comment,
    section_reviews,
    set_decision,
    update_comment,
)
from dxdesk.central.review_sheets import export_review_workbook
from dxdesk.central.status import SectionState, reminder_text, status_board
from dxdesk.domain.enums import EntryStatus
from dxdesk.exchange.authority import load_trust
from dxdesk.exchange.verify import KIND_REVIEW, verify_file
from dxdesk.section_review import import_review, received_comments, review_decisions
from dxdesk.store.database import Database, open_database
from dxdesk.store.queries import current_plan, measure_rows
from tests.central.conftest import FY, Scenario

pytestmark = pytest.mark.usefixtures("cli_workdir")  # nothing is ever written to the repository root


def _section_copy(scenario: Scenario, code: str, tmp_path: Path) -> Database:
    path = tmp_path / f"{code}.sqlite"
    shutil.copyfile(scenario.section_dbs[code], path)
    return open_database(path)


def test_review_decisions_comments_and_the_status_board(scenario: Scenario, central: Database) -> None:
    merge_paths(central, [*scenario.r1.values()])
    with central.session() as s:
        reviews = section_reviews(s, "S001")
        assert [r.decision for r in reviews] == [Decision.PENDING] * len(reviews)
        assert all(r.revision == 1 for r in reviews)
        first, *rest = reviews
        set_decision(s, first.measure_code, "returned", user="中央 花子")
        c = add_comment(
            s,
            first.measure_code,
            "実績の根拠（集計方法）を書いてください。",
            user="中央 花子",
            field="texts.result",
        )
        assert c.field_label == "取組結果"
        for r in rest:
            set_decision(s, r.measure_code, Decision.ACCEPTED, user="中央 花子")
        for r in section_reviews(s, "S002"):
            set_decision(s, r.measure_code, Decision.ACCEPTED, user="中央 花子")
    with central.session() as s:
        board = status_board(s)
        states = {r.section_code: r.state for r in board.rows}
        assert states == {
            "S001": SectionState.RETURNED,
            "S002": SectionState.ACCEPTED,
            "S003": SectionState.SUBMITTED,
            "S004": SectionState.MISSING,
        }
        s001 = next(r for r in board.rows if r.section_code == "S001")
        assert (s001.reviewed_returned, s001.reviewed_accepted, s001.measures) == (1, len(rest), len(reviews))
        # filtering and sorting as the board does
        assert [r.section_code for r in status_board(s, states=["missing", "returned"]).rows] == [
            "S001",
            "S004",
        ]
        assert [r.state for r in status_board(s, sort="state").rows] == [
            SectionState.MISSING,
            SectionState.RETURNED,
            SectionState.SUBMITTED,
            SectionState.ACCEPTED,
        ]
        assert [r.section_code for r in status_board(s, text="ｓ００２").rows] == ["S002"]
        text = reminder_text(status_board(s), deadline="5月31日（金）", sender="行政経営課")
        assert "・S004" in text and "S001" not in text and "5月31日（金）までに" in text
        assert "未提出 1課所室／全4課所室" in text
        again = section_reviews(s, "S001")[0]
        assert again.decision is Decision.RETURNED and again.decided_by == "中央 花子"
        assert [x.text for x in again.comments] == ["実績の根拠（集計方法）を書いてください。"]
        updated = update_comment(s, again.comments[0].id, "集計方法を書いてください。", user="中央 次郎")
        assert updated.text == "集計方法を書いてください。"
        with pytest.raises(ReviewError, match="コメントを入力してください"):
            add_comment(s, first.measure_code, "　 ", user="x")
        with pytest.raises(ReviewError, match="2000文字以内"):
            add_comment(s, first.measure_code, "長" * 2001, user="x")
        with pytest.raises(ReviewError, match="まだ受理されていない"):
            set_decision(s, "004-01", "accepted", user="x")
        extra = add_comment(s, first.measure_code, "消すコメント", user="x")
        delete_comment(s, extra.id)
        assert len(section_reviews(s, "S001")[0].comments) == 1


def test_the_review_workbook_goes_back_and_reopens_the_returned_sheets(
    scenario: Scenario, central: Database, tmp_path: Path
) -> None:
    merge_paths(central, [scenario.r1["S001"]])
    with central.session() as s:
        reviews = section_reviews(s, "S001")
        returned = reviews[0].measure_code
        set_decision(s, returned, "returned", user="中央 花子")
        add_comment(
            s, returned, "=目標値の根拠を記載してください", user="中央 花子", field="indicators[0].target"
        )
        add_comment(s, returned, "取組結果が前年と同じ文章です。", user="中央 花子", field="texts.result")
        set_decision(s, reviews[1].measure_code, "accepted", user="中央 花子")
    out = export_review_workbook(central, "S001", tmp_path / "out", user="中央 花子")
    assert out.path.name == "R08_S001_電子申請推進課_審査結果_第1版.xlsx"
    assert (out.version, out.returned, out.accepted, out.pending) == (1, 1, 1, len(reviews) - 2)
    # what a person sees in Excel
    wb = openpyxl.load_workbook(out.path)
    assert wb.sheetnames[:2] == ["表紙", "審査結果"]
    cells = [c.value for row in wb["審査結果"].iter_rows() for c in row if c.value]
    assert "=目標値の根拠を記載してください" in cells and "差戻し" in cells and "指標1の目標" in cells
    assert wb["審査結果"]["E4"].data_type == "s"  # text, not a formula

    section = _section_copy(scenario, "S001", tmp_path)
    try:
        with section.session() as s:
            v = verify_file(out.path, load_trust(s), expected_kind=KIND_REVIEW)
        assert v.ok, v.message
        result = import_review(section, out.path)
        assert result.returned == (returned,) and len(result.accepted) == 1 and result.comments == 2
        assert not result.already
        with section.session() as s:
            plan = current_plan(s)
            assert plan is not None
            rows = {r.code: r for r in measure_rows(s, plan, FY, section_code="S001")}
            assert rows[returned].status is EntryStatus.NEEDS_CHECK
            assert rows[reviews[1].measure_code].status is not EntryStatus.NEEDS_CHECK
            notes = received_comments(s, FY, returned)
            assert [(n.field_label, n.text) for n in notes] == [
                ("指標1の目標", "=目標値の根拠を記載してください"),
                ("取組結果", "取組結果が前年と同じ文章です。"),
            ]
            assert review_decisions(s, FY)[returned] is Decision.RETURNED
        # importing the same file again changes nothing
        assert import_review(section, out.path).already
    finally:
        section.dispose()


def test_review_workbooks_that_must_not_be_imported(
    scenario: Scenario, central: Database, tmp_path: Path
) -> None:
    merge_paths(central, [scenario.r1["S001"], scenario.r1["S002"]])
    first = export_review_workbook(central, "S001", tmp_path / "out")
    second = export_review_workbook(central, "S001", tmp_path / "out")
    other = export_review_workbook(central, "S002", tmp_path / "out")
    assert second.version == 2
    edited = tmp_path / "edited.xlsx"
    wb = openpyxl.load_workbook(second.path)
    wb["審査結果"]["C4"] = "受理" if wb["審査結果"]["C4"].value != "受理" else "差戻し"
    wb.save(edited)
    section = _section_copy(scenario, "S001", tmp_path)
    try:
        with pytest.raises(ReviewImportError, match="別の課所室の審査結果です"):
            import_review(section, other.path)
        with pytest.raises(ReviewImportError, match="表示セルが変更されています"):
            import_review(section, edited)
        with pytest.raises(ReviewImportError, match="審査結果ファイルではありません（提出ファイルです）"):
            import_review(section, scenario.r1["S001"])
        import_review(section, second.path)
        with pytest.raises(ReviewImportError, match="古い審査結果です"):
            import_review(section, first.path)
    finally:
        section.dispose()
    with pytest.raises(ReviewImportError, match="中央のデータベースには"):
        import_review(central, second.path)


def test_accepted_measures_unchanged_in_the_next_revision_stay_accepted(
    scenario: Scenario, central: Database
) -> None:
    merge_paths(central, [scenario.r1["S001"]])
    changed = scenario.changed_text["measure"]
    with central.session() as s:
        for r in section_reviews(s, "S001"):
            set_decision(s, r.measure_code, "accepted", user="中央 花子")
        add_comment(s, changed, "よくまとまっています。", user="中央 花子")
    merge_paths(central, [scenario.s001_r2])
    with central.session() as s:
        reviews = {r.measure_code: r for r in section_reviews(s, "S001")}
        board = {r.section_code: r for r in status_board(s).rows}
    assert reviews[changed].decision is Decision.PENDING  # its 取組結果 changed in 第2版
    assert reviews[changed].revision == 2
    assert [c.text for c in reviews[changed].earlier_comments] == ["よくまとまっています。"]
    assert reviews[changed].comments == ()
    others = [r for code, r in reviews.items() if code != changed]
    assert others and all(r.decision is Decision.ACCEPTED and r.carried_over for r in others)
    assert board["S001"].state is SectionState.SUBMITTED and board["S001"].revision == 2


def test_cli_review_status_and_review_export(
    scenario: Scenario, central: Database, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    from dxdesk.cli import main

    merge_paths(central, [scenario.r1["S001"]])
    url = central.url
    central.dispose()
    code = scenario.changed_text["measure"]
    assert (
        main(
            [
                "review",
                "--db",
                url,
                "--measure",
                code,
                "--decision",
                "returned",
                "--comment",
                "根拠を書いてください",
                "--field",
                "texts.result",
                "--user",
                "中央",
            ]
        )
        == 0
    )
    out = capsys.readouterr().out
    assert f"OK {code}" in out and "差戻し" in out and "取組結果\t根拠を書いてください" in out
    assert main(["status", "--db", url]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "missing=3 submitted=0 returned=1 accepted=0"
    assert main(["status", "--db", url, "--state", "accepted"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "絞り込み：該当する課所室はありません（全4課所室）",
        "missing=0 submitted=0 returned=0 accepted=0",
    ]
    assert main(["status", "--db", url, "--state", "returned"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 3 and "差戻し中" in out[0] and out[1] == "絞り込み：1課所室（全4課所室）"
    assert main(["status", "--db", url, "--reminder", "--deadline", "6月1日"]) == 0
    assert "6月1日までに" in capsys.readouterr().out
    assert main(["review-export", "--db", url, "--out", str(tmp_path / "r")]) == 0
    assert "審査結果_第1版.xlsx 第1版 受理=0 差戻し=1" in capsys.readouterr().out
    section = tmp_path / "S001.sqlite"
    shutil.copyfile(scenario.section_dbs["S001"], section)
    review = next((tmp_path / "r").glob("*.xlsx"))
    # written without --user: the cover names the login that made it
    import getpass

    import openpyxl

    cover = openpyxl.load_workbook(review).worksheets[0]
    assert any("審査者" in row and getpass.getuser() in row for row in cover.iter_rows(values_only=True))
    assert main(["import-review", str(review), "--db", str(section)]) == 0
    assert f"差戻し\t{code}" in capsys.readouterr().out
    db = open_database(section)
    try:
        with db.session() as s:
            from dxdesk.store.models import ReceivedReview

            assert len(s.scalars(select(ReceivedReview)).all()) == 1
    finally:
        db.dispose()
