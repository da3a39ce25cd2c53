"""Bad input in the inbox: each file gets its own clear line, nothing of a bad file is merged,
and the next file is still processed."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import time
from pathlib import Path

import openpyxl
from sqlalchemy import select

from dxdesk.central.inbox import probe
from dxdesk.central.merge import Outcome, merge_paths
from dxdesk.central.review import set_decision
from dxdesk.central.review_sheets import export_review_workbook
from dxdesk.store.database import Database
from dxdesk.store.models import ReceivedSubmission
from tests.central.conftest import Scenario
from tests.central.test_merge import sheet_text


def _edited(src: Path, dest: Path) -> None:
    """The file opened in Excel (openpyxl here), one measure's name changed in the list, saved."""
    wb = openpyxl.load_workbook(src)
    ws = wb["一覧"]
    for cell in ws["B"]:
        if cell.row > 3 and isinstance(cell.value, str) and cell.value:
            cell.value = cell.value + "（改）"
            wb.save(dest)
            return
    raise AssertionError("no measure name to change")


def _review_workbook(scenario: Scenario, tmp_path: Path) -> Path:
    other = scenario.new_central(tmp_path)
    try:
        merge_paths(other, [scenario.r1["S003"]])
        with other.session() as s:
            from dxdesk.central.review import section_reviews

            for r in section_reviews(s, "S003"):
                set_decision(s, r.measure_code, "accepted", user="中央")
        return export_review_workbook(other, "S003", tmp_path / "reviews").path
    finally:
        other.dispose()


def test_every_bad_file_gets_its_own_line_and_nothing_of_it_is_merged(
    scenario: Scenario, central: Database, tmp_path: Path, foreign_submission: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    good = scenario.r1["S001"]
    shutil.copyfile(good, inbox / good.name)
    shutil.copyfile(good, inbox / "R08_S001_コピー.xlsx")  # the same file twice
    (inbox / "メモ.txt").write_text("提出状況のメモ", encoding="utf-8")
    (inbox / "古い様式.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\0" * 500)
    (inbox / "空.xlsx").write_bytes(b"")
    (inbox / ("~$" + scenario.r1["S002"].name)).write_bytes(
        b"\x0a" + "山田 太郎".encode("utf-16-le") + b"\0" * 100
    )
    (inbox / f".{scenario.r1['S002'].name}.0123456789ab.tmp").write_bytes(good.read_bytes()[:5000])
    (inbox / "R08_S002_途中まで.xlsx").write_bytes(
        scenario.r1["S002"].read_bytes()[:20000]
    )  # still being copied
    kit = scenario.kits["S003"].path
    shutil.copyfile(kit, inbox / kit.name)
    review = _review_workbook(scenario, tmp_path)
    shutil.copyfile(review, inbox / review.name)
    slips = next((scenario.root / "kits").glob("R08_パスワード通知書_*.xlsx"))
    shutil.copyfile(slips, inbox / slips.name)
    shutil.copyfile(scenario.s002_previous_year, inbox / scenario.s002_previous_year.name)
    shutil.copyfile(foreign_submission, inbox / ("他市_" + foreign_submission.name))
    _edited(scenario.r1["S003"], inbox / "R08_S003_書き換え.xlsx")
    s003_text_before = sheet_text(central, "003-01")

    report = merge_paths(central, [inbox])
    by_name = {f.path.name: f for f in report.files}
    assert len(by_name) == len(list(inbox.iterdir()))

    def expect(name: str, outcome: Outcome, code: str, *words: str) -> None:
        r = by_name[name]
        assert r.outcome is outcome, (name, r.outcome, r.message)
        if code:
            assert code in r.reason_codes, (name, r.reason_codes, r.message)
        for w in words:
            assert w in r.message, (name, w, r.message)

    twins = sorted((by_name[good.name], by_name["R08_S001_コピー.xlsx"]), key=lambda r: r.outcome.value)
    assert [r.outcome for r in twins] == [Outcome.ACCEPTED, Outcome.DUPLICATE]  # one or the other first
    assert "受信済み" in twins[1].message
    expect(
        "メモ.txt",
        Outcome.REJECTED,
        "not_xlsx",
        "提出ファイル（.xlsx）ではありません",
        "受付フォルダから移動",
    )
    expect("古い様式.xls", Outcome.REJECTED, "not_xlsx", "古い形式")
    expect("空.xlsx", Outcome.REJECTED, "empty", "空のファイルです（0バイト）")
    expect("~$" + scenario.r1["S002"].name, Outcome.REJECTED, "lock_file", "Excel", "閉じてから")
    expect(f".{scenario.r1['S002'].name}.0123456789ab.tmp", Outcome.REJECTED, "temporary", "書き込み中")
    expect("R08_S002_途中まで.xlsx", Outcome.REJECTED, "corrupt", "壊れています", "書き込み中のおそれ")
    expect(
        kit.name,
        Outcome.REJECTED,
        "wrong_kind",
        "提出ファイルではありません（配布ファイルです）",
        "各課に送るファイル",
    )
    expect(review.name, Outcome.REJECTED, "wrong_kind", "審査結果ファイルです", "各課に返すファイル")
    expect(slips.name, Outcome.REJECTED, "not_dxdesk", "dxdesk のファイルではありません")
    expect(
        scenario.s002_previous_year.name,
        Outcome.REJECTED,
        "other_year",
        "令和7年度の提出ファイルです",
        "令和8年度",
    )
    expect("他市_" + foreign_submission.name, Outcome.REJECTED, "untrusted", "別の計画のファイルです")
    expect("R08_S003_書き換え.xlsx", Outcome.REJECTED, "edited_cell", "表示セルが変更されています", "一覧!")
    assert report.summary_line() == "accepted=1 duplicate=1 stale=0 conflict=0 rejected=12"
    # nothing of the bad files reached the database
    with central.session() as s:
        kept = s.scalars(select(ReceivedSubmission)).all()
    assert [(k.section_code, k.revision, k.status) for k in kept] == [("S001", 1, "accepted")]
    assert sheet_text(central, "003-01") == s003_text_before


def _probe_as_nobody(path: str, queue: multiprocessing.Queue) -> None:  # type: ignore[type-arg]
    os.setgid(65534)
    os.setuid(65534)
    r = probe(Path(path))
    queue.put((r.code, r.message))


def test_a_file_that_cannot_be_opened_is_named_with_what_to_do(scenario: Scenario, tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    os.chmod(tmp_path, 0o755)
    locked = folder / scenario.r1["S001"].name
    shutil.copyfile(scenario.r1["S001"], locked)
    os.chmod(locked, 0o000)  # like a file another program holds open exclusively
    if os.geteuid() == 0:  # root reads anything: look at it as an ordinary user would
        ctx = multiprocessing.get_context("fork")
        queue = ctx.Queue()
        p = ctx.Process(target=_probe_as_nobody, args=(str(locked), queue))
        p.start()
        code, message = queue.get(timeout=30)
        p.join()
    else:
        r = probe(locked)
        code, message = r.code, r.message
    assert code == "unreadable"
    assert "ファイルを開けません（読み取りの権限がないか、他のプログラムが使用中です）" in message
    assert "閉じてから、もう一度取り込んでください" in message


def test_a_file_changing_while_it_is_read_is_not_merged(
    scenario: Scenario, central: Database, tmp_path: Path
) -> None:
    """The merge verifies the bytes it hashed: a file replaced between listing and verification is
    reported as still being written, and nothing of it is merged."""
    from dxdesk.central.intake import intake_file
    from dxdesk.exchange.authority import load_trust

    path = tmp_path / scenario.r1["S002"].name
    shutil.copyfile(scenario.r1["S002"], path)
    listed = probe(path)
    assert listed.code is None and listed.file_hash
    time.sleep(0.01)
    shutil.copyfile(scenario.r1["S003"], path)  # the copy tool writes another file over it
    with central.session() as s:
        trust = load_trust(s)
    it = intake_file(str(path), listed.file_hash, trust, 2026)
    assert not it.ok and it.codes == ("temporary",)
    assert "読み込み中にファイルが変わりました" in it.message


def test_missing_paths_and_empty_folders(central: Database, tmp_path: Path) -> None:
    report = merge_paths(central, [tmp_path / "ない.xlsx"])
    assert report.files[0].outcome is Outcome.REJECTED
    assert "ファイルがありません" in report.files[0].message
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "Thumbs.db").write_bytes(b"x")  # Windows leaves these; never anybody's input
    assert merge_paths(central, [empty]).files == []


def test_a_submission_signed_with_a_revoked_credential_is_rejected(
    scenario: Scenario, central: Database, tmp_path: Path
) -> None:
    from dxdesk.exchange.kit import issue_kits

    issue_kits(central, 2026, tmp_path / "new-kits", section_codes=["S003"])  # a new kit revokes the old key
    r = merge_paths(central, [scenario.r1["S003"]]).files[0]
    assert r.outcome is Outcome.REJECTED and "revoked" in r.reason_codes
    assert "失効しています" in r.message and "新しい配布ファイルを取り込んで" in r.message
    with central.session() as s:
        assert s.scalars(select(ReceivedSubmission)).all() == []
