"""The central merge on SQLite and PostgreSQL: accepted / duplicate / stale / conflict / rejected with the
rules of docs/architecture.md, what reaches the central plan, and the command line contract."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import func, select

from dxdesk.central.merge import MergeReport, Outcome, merge_paths
from dxdesk.central.status import SectionState, status_board
from dxdesk.cli import main as cli_main
from dxdesk.store.database import Database, open_database
from dxdesk.store.models import MergeLog, ReceivedSubmission, SubmissionHead
from dxdesk.store.queries import current_plan
from dxdesk.store.snapshot import year_snapshots
from tests.central.conftest import FY, Scenario
from tests.central.hostile_files import range_bomb

pytestmark = pytest.mark.usefixtures("cli_workdir")  # nothing is ever written to the repository root


def sheet_text(db: Database, measure: str, key: str = "result") -> str:
    with db.session() as s:
        plan = current_plan(s)
        assert plan is not None
        snap = next(x for _i, _n, x in year_snapshots(s, plan, FY) if x.code == measure)
        return snap.sheet.text(key)


def stored(db: Database) -> list[tuple[str, int, str]]:
    """(section, revision, status) of every file kept, in the order received."""
    with db.session() as s:
        return [
            (r.section_code, r.revision, r.status)
            for r in s.scalars(select(ReceivedSubmission).order_by(ReceivedSubmission.id))
        ]


def merge_into_copy(demo: Path, tmp_path: Path, inbox: Path, *, workers: int) -> MergeReport:
    """``inbox`` merged into a fresh copy of the demo's central database."""
    shutil.copyfile(demo / "central.sqlite", tmp_path / "central.sqlite")
    db = open_database(tmp_path / "central.sqlite")
    try:
        return merge_paths(db, [inbox], workers=workers)
    finally:
        db.dispose()


def folder(tmp_path: Path, *files: Path, name: str = "inbox") -> Path:
    d = tmp_path / name
    d.mkdir()
    for f in files:
        shutil.copy2(f, d / f.name)
    return d


def test_a_folder_of_submissions_is_accepted_and_reaches_the_central_plan(
    scenario: Scenario, central: Database, tmp_path: Path
) -> None:
    inbox = folder(tmp_path, *scenario.r1.values())
    report = merge_paths(central, [inbox])
    assert [f.outcome for f in report.files] == [Outcome.ACCEPTED] * 3
    assert report.summary_line() == "accepted=3 duplicate=0 stale=0 conflict=0 rejected=0"
    line = report.files[0].line()
    assert line.startswith(f"accepted {inbox / scenario.r1['S001'].name} 提出ファイル S001 ")
    assert "令和8年度 第1版" in line
    # what the section wrote is in the central plan
    section = open_database(scenario.section_dbs["S002"])
    try:
        with section.session() as s:
            plan = current_plan(s)
            assert plan is not None
            mine = {x.code: x for _i, _n, x in year_snapshots(s, plan, FY) if x.owner_section_code == "S002"}
    finally:
        section.dispose()
    with central.session() as s:
        plan = current_plan(s)
        assert plan is not None
        merged = {x.code: x for _i, _n, x in year_snapshots(s, plan, FY)}
        board = status_board(s)
    for code, snap in mine.items():
        assert merged[code].sheet.texts == snap.sheet.texts
        assert merged[code].sheet.stage == snap.sheet.stage
        assert [i.year(FY).actual for i in merged[code].indicators] == [
            i.year(FY).actual for i in snap.indicators
        ]
    states = {r.section_code: r.state for r in board.rows}
    assert states == {
        "S001": SectionState.SUBMITTED,
        "S002": SectionState.SUBMITTED,
        "S003": SectionState.SUBMITTED,
        "S004": SectionState.MISSING,
    }


def test_merging_the_same_folder_again_changes_nothing(
    scenario: Scenario, central: Database, tmp_path: Path
) -> None:
    inbox = folder(tmp_path, *scenario.r1.values())
    merge_paths(central, [inbox])
    before = stored(central)
    again = merge_paths(central, [inbox])
    assert again.summary_line() == "accepted=0 duplicate=3 stale=0 conflict=0 rejected=0"
    assert all("受信済み" in f.message for f in again.files)
    assert stored(central) == before
    # the same submission under another name (re-saved copy) is a duplicate too, after verification
    copy = tmp_path / "コピー.xlsx"
    shutil.copyfile(scenario.r1["S001"], copy)
    with open(copy, "ab") as fh:  # a different file (hash), the same workbook
        fh.write(b"")
    assert merge_paths(central, [copy]).files[0].outcome is Outcome.DUPLICATE
    with central.session() as s:
        assert s.scalar(select(func.count()).select_from(MergeLog)) == 7


def test_a_newer_revision_is_accepted_and_the_older_kept_as_history(
    scenario: Scenario, central: Database, tmp_path: Path
) -> None:
    merge_paths(central, [scenario.r1["S001"]])
    r = merge_paths(central, [scenario.s001_r2]).files[0]
    assert r.outcome is Outcome.ACCEPTED and r.revision == 2
    assert "第1版は履歴として保存" in r.message
    assert stored(central) == [("S001", 1, "superseded"), ("S001", 2, "accepted")]
    assert sheet_text(central, scenario.changed_text["measure"]) == scenario.changed_text["r2"]


def test_an_old_revision_after_a_newer_one_is_stale_and_changes_nothing(
    scenario: Scenario, central: Database
) -> None:
    merge_paths(central, [scenario.s001_r2])
    r = merge_paths(central, [scenario.r1["S001"]]).files[0]
    assert r.outcome is Outcome.STALE
    assert "受理済みの第2版より古い版です" in r.message
    assert sheet_text(central, scenario.changed_text["measure"]) == scenario.changed_text["r2"]
    assert stored(central) == [("S001", 2, "accepted"), ("S001", 1, "stale")]


def test_one_folder_with_both_revisions_keeps_both_whatever_the_order(
    scenario: Scenario, central: Database, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    # names that sort the newer revision first
    shutil.copyfile(scenario.s001_r2, inbox / "R08_S001_a_提出_第2版.xlsx")
    shutil.copyfile(scenario.r1["S001"], inbox / "R08_S001_b_提出_第1版.xlsx")
    report = merge_paths(central, [inbox])
    assert [f.outcome for f in report.files] == [Outcome.ACCEPTED, Outcome.ACCEPTED]
    assert stored(central) == [("S001", 1, "superseded"), ("S001", 2, "accepted")]


def test_same_revision_other_content_is_a_conflict_a_person_resolves(
    scenario: Scenario, central: Database
) -> None:
    from dxdesk.central.conflicts import pending_conflicts, resolve_conflict

    merge_paths(central, [scenario.s001_r2])
    r = merge_paths(central, [scenario.s001_r2_conflict]).files[0]
    assert r.outcome is Outcome.CONFLICT
    assert "版番号が同じで、内容が異なります" in r.message
    measure = scenario.changed_text["measure"]
    assert sheet_text(central, measure) == scenario.changed_text["r2"]  # nothing applied yet
    with central.session() as s:
        conflicts = pending_conflicts(s)
        board = status_board(s)
    assert len(conflicts) == 1
    c = conflicts[0]
    assert c.current.revision == c.other.revision == 2
    diff = {(d.measure_code, d.label): (d.current, d.other) for d in c.differences}
    assert diff[(measure, "取組結果")] == (scenario.changed_text["r2"], scenario.changed_text["conflict"])
    assert next(x for x in board.rows if x.section_code == "S001").conflicts == 1
    kept = resolve_conflict(central, c.id, c.other.id, user="中央 花子")
    assert kept.id == c.other.id and kept.status == "accepted"
    assert sheet_text(central, measure) == scenario.changed_text["conflict"]
    with central.session() as s:
        assert pending_conflicts(s) == []
        head = s.scalar(select(SubmissionHead).where(SubmissionHead.section_code == "S001"))
        assert head is not None and head.accepted_id == c.other.id
    assert stored(central) == [("S001", 2, "discarded"), ("S001", 2, "accepted")]


def test_keeping_the_accepted_file_discards_the_other(scenario: Scenario, central: Database) -> None:
    from dxdesk.central.conflicts import pending_conflicts, resolve_conflict
    from dxdesk.central.errors import ConflictError

    merge_paths(central, [scenario.s001_r2, scenario.s001_r2_conflict])
    with central.session() as s:
        c = pending_conflicts(s)[0]
    resolve_conflict(central, c.id, c.current.id, user="中央 花子")
    assert sheet_text(central, scenario.changed_text["measure"]) == scenario.changed_text["r2"]
    try:
        resolve_conflict(central, c.id, c.other.id)
    except ConflictError as exc:
        assert "すでに解決されています" in str(exc)
    else:  # pragma: no cover - the test fails here
        raise AssertionError("a resolved conflict was resolved again")


def test_a_newer_revision_settles_a_waiting_conflict(
    scenario: Scenario, central: Database, tmp_path: Path
) -> None:
    from dxdesk.central.conflicts import pending_conflicts
    from tests.central.conftest import export, set_result_text

    merge_paths(central, [scenario.s001_r2, scenario.s001_r2_conflict])
    db = tmp_path / "S001.sqlite"
    shutil.copyfile(scenario.section_dbs["S001"], db)
    set_result_text(db, scenario.changed_text["measure"], "第3版の取組結果。")
    r3 = export(db, "S001", tmp_path / "r3")
    assert merge_paths(central, [r3]).files[0].outcome is Outcome.ACCEPTED
    with central.session() as s:
        assert pending_conflicts(s) == []


def test_cli_merge_lines_summary_and_exit_code(
    scenario: Scenario, central: Database, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    inbox = folder(tmp_path, *scenario.r1.values())
    url = central.url
    central.dispose()
    assert cli_main(["merge", "--db", url, str(inbox)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == 4 and all(x.startswith("accepted ") for x in out[:3])
    assert out[-1] == "accepted=3 duplicate=0 stale=0 conflict=0 rejected=0"
    (inbox / "メモ.txt").write_text("提出ファイルの一覧", encoding="utf-8")
    assert cli_main(["merge", "--db", url, str(inbox)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out[-1] == "accepted=0 duplicate=3 stale=0 conflict=0 rejected=1"
    assert any(
        x.startswith(f"rejected {inbox / 'メモ.txt'} 提出ファイル（.xlsx）ではありません") for x in out
    )


def test_merge_refuses_a_database_that_is_not_central(scenario: Scenario, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    section = tmp_path / "section.sqlite"
    shutil.copyfile(scenario.section_dbs["S003"], section)
    assert cli_main(["merge", "--db", str(section), str(scenario.r1["S001"])]) == 2
    assert "中央の認証局がありません" in capsys.readouterr().err


def test_cli_merge_into_a_damaged_database_is_the_restore_message(
    scenario: Scenario, tmp_path: Path, capsys
) -> None:  # type: ignore[no-untyped-def]
    """The merge command checks the database file while it imports (on another core): a damaged file is
    still the one-line message naming what to do, exit 2, and nothing is verified or written."""
    db = tmp_path / "central.sqlite"
    shutil.copyfile(scenario.section_dbs["S003"], db)
    data = db.read_bytes()
    db.write_bytes(data[: len(data) // 3])
    assert cli_main(["merge", "--db", str(db), str(scenario.r1["S001"])]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("NG ") and "バックアップから復元してください" in captured.err
    assert db.read_bytes() == data[: len(data) // 3]


def test_cli_refuses_a_database_path_that_does_not_exist(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    missing = tmp_path / "centrall.sqlite"  # a typo
    assert cli_main(["merge", "--db", str(missing), str(tmp_path)]) == 2
    assert "がありません" in capsys.readouterr().err
    assert not missing.exists()  # no empty database created by mistake


# --- no file can take the inbox down ----------------------------------------------------------------

import ctypes  # noqa: E402
import faulthandler  # noqa: E402
import os  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import pytest  # noqa: E402

import dxdesk.central.merge as merge_module  # noqa: E402
from dxdesk.central.intake import MergeCode  # noqa: E402
from dxdesk.exchange.errors import ReasonCode  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def demo50(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``dxdesk demo`` with 50 sections of one measure: 50 valid submissions and their central database."""
    from dxdesk.exchange.demo import build_demo

    root = tmp_path_factory.mktemp("demo50") / "demo"
    build_demo(root, sections=50, measures_per_section=1, seed=3, workers=2)
    return root


def test_one_range_bomb_among_fifty_valid_files(demo50: Path, tmp_path: Path) -> None:
    """The whole ``dxdesk merge`` command: 50 accepted, the bomb 不受理 with its reason, summary printed."""
    inbox = tmp_path / "inbox"
    shutil.copytree(demo50 / "submissions", inbox)
    files = sorted(inbox.glob("*.xlsx"))
    assert len(files) == 50
    range_bomb(files[7], inbox / "R08_S999_細工_提出_第1版.xlsx")
    shutil.copyfile(demo50 / "central.sqlite", tmp_path / "central.sqlite")
    r = subprocess.run(
        [sys.executable, "-m", "dxdesk", "merge", "--db", str(tmp_path / "central.sqlite"), str(inbox)],
        capture_output=True,
        timeout=300,
        cwd=ROOT,
    )
    out = r.stdout.decode("utf-8").splitlines()
    assert r.returncode == 1, r.stderr[-2000:]
    assert out[-1] == "accepted=50 duplicate=0 stale=0 conflict=0 rejected=1"
    bomb = next(line for line in out if "S999" in line)
    assert bomb.startswith("rejected ") and "セル範囲が上限を超えます" in bomb, bomb
    assert sum(1 for line in out if line.startswith("accepted ")) == 50


def _dying_intake(real):  # type: ignore[no-untyped-def]
    """``intake_file`` that kills its process on files named …_abort / …_segv (a crashing library)."""

    def intake(path, file_hash, trust, fy):  # type: ignore[no-untyped-def]
        if "_abort" in path or "_segv" in path:
            # the crash is the test's own: no "Fatal Python error" dump from pytest's faulthandler in the
            # log, which would look like a real crash to whoever reads CI's output
            faulthandler.disable()
        if "_abort" in path:
            os.abort()
        if "_segv" in path:
            ctypes.string_at(0)
        return real(path, file_hash, trust, fy)

    return intake


@pytest.mark.parametrize("workers", [1, 2])
def test_a_worker_that_dies_costs_only_its_own_file(
    demo50: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, workers: int
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    files = sorted((demo50 / "submissions").glob("*.xlsx"))[:12]
    for f in files:
        shutil.copyfile(f, inbox / f.name)
    shutil.copyfile(files[12 - 1], inbox / "R08_S901_x_提出_第1版_abort.xlsx")
    shutil.copyfile(files[12 - 2], inbox / "R08_S002_x_提出_第1版_segv.xlsx")
    monkeypatch.setattr(merge_module, "intake_file", _dying_intake(merge_module.intake_file))
    report = merge_into_copy(demo50, tmp_path, inbox, workers=workers)
    by_name = {f.path.name: f for f in report.files}
    assert len(report.files) == 14
    for name in ("R08_S901_x_提出_第1版_abort.xlsx", "R08_S002_x_提出_第1版_segv.xlsx"):
        r = by_name[name]
        assert r.outcome is Outcome.REJECTED
        assert r.reason_codes == (MergeCode.WORKER_DIED,)
        assert "異常終了" in r.message
    assert report.count(Outcome.ACCEPTED) == 12
    assert report.summary_line() == "accepted=12 duplicate=0 stale=0 conflict=0 rejected=2"


def test_a_file_whose_verification_raises_is_a_line_not_a_traceback(
    demo50: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = sorted((demo50 / "submissions").glob("*.xlsx"))[:2]
    inbox = folder(tmp_path, *files)

    def boom(path, file_hash, trust, fy):  # type: ignore[no-untyped-def]
        raise RecursionError("maximum recursion depth exceeded")

    monkeypatch.setattr(merge_module, "intake_file", boom)
    # verified in this process (a forkserver worker, used once threads run, would not see the patch)
    monkeypatch.setattr(merge_module, "_start_method", lambda: None)
    report = merge_into_copy(demo50, tmp_path, inbox, workers=1)
    assert [f.outcome for f in report.files] == [Outcome.REJECTED] * 2
    assert all(
        f.reason_codes == (ReasonCode.CORRUPT,) and "RecursionError" in f.message for f in report.files
    )


def test_the_files_verified_first_are_written_while_the_last_one_is_verified(
    demo50: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """When every file has been handed out, the merge writes what is waiting instead of waiting for the
    last verifications (the command's tail is one file, not a batch). Twelve quick files and one whose
    verification takes seconds: the twelve are in the database before the slow one is verified."""
    import time

    files = sorted((demo50 / "submissions").glob("*.xlsx"))[:12]
    inbox = folder(tmp_path, *files)
    shutil.copyfile(files[0], inbox / "R08_S999_x_提出_第1版_slow.xlsx")  # last in name order
    slow_done = tmp_path / "slow-verified"
    real_intake = merge_module.intake_file

    def intake(path, file_hash, trust, fy):  # type: ignore[no-untyped-def]
        if "_slow" not in path:
            return real_intake(path, file_hash, trust, fy)
        time.sleep(3)
        result = real_intake(path, file_hash, trust, fy)
        slow_done.touch()
        return result

    written: list[tuple[int, bool]] = []  # (files in the batch, slow file verified by then)
    real_batch = merge_module.merge_batch

    def spy(db, ctx, items):  # type: ignore[no-untyped-def]
        written.append((len(items), slow_done.exists()))
        return real_batch(db, ctx, items)

    monkeypatch.setattr(merge_module, "intake_file", intake)
    monkeypatch.setattr(merge_module, "merge_batch", spy)
    monkeypatch.setattr(merge_module, "EARLY_WRITE", 1)
    report = merge_into_copy(demo50, tmp_path, inbox, workers=2)
    assert report.summary_line() == "accepted=12 duplicate=1 stale=0 conflict=0 rejected=0"
    assert sum(n for n, slow_verified in written if not slow_verified) == 12, written
    assert written[-1] == (1, True)


def test_the_windows_way_spawned_workers_merge_every_file(
    demo50: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Where there is no fork (Windows), the workers are spawned (fresh interpreters that import the
    verification themselves): every file still gets its line and reaches the database."""
    files = sorted((demo50 / "submissions").glob("*.xlsx"))[:10]
    inbox = folder(tmp_path, *files)
    (inbox / "R08_S998_x_提出_第1版.xlsx").write_bytes(b"PK\x03\x04 not a workbook")
    monkeypatch.setattr(merge_module, "_start_method", lambda: None)
    shutil.copyfile(demo50 / "central.sqlite", tmp_path / "central.sqlite")
    db = open_database(tmp_path / "central.sqlite")
    try:
        report = merge_paths(db, [inbox], workers=2)
        with db.engine.connect() as conn:
            stored = conn.execute(select(func.count()).select_from(ReceivedSubmission)).scalar()
    finally:
        db.dispose()
    assert report.summary_line() == "accepted=10 duplicate=0 stale=0 conflict=0 rejected=1"
    assert [f.path.name for f in report.files] == sorted(p.name for p in inbox.iterdir())
    assert stored == 10


def test_cancel_stops_between_files_and_keeps_what_was_merged(demo50: Path, tmp_path: Path) -> None:
    """中止 in the central window: asked between files; what was verified by then is merged and has its
    line, nothing else is written, and the progress ends with 完了しました."""
    inbox = folder(tmp_path, *sorted((demo50 / "submissions").glob("*.xlsx"))[:20])
    shutil.copyfile(demo50 / "central.sqlite", tmp_path / "central.sqlite")
    seen: list[tuple[int, int, str]] = []
    db = open_database(tmp_path / "central.sqlite")
    try:
        report = merge_paths(
            db,
            [inbox],
            progress=lambda done, total, message: seen.append((done, total, message)),
            cancel=lambda: any(done >= 10 for done, _t, _m in seen[1:]),
            workers=2,
        )
        with db.engine.connect() as conn:
            kept = conn.execute(select(func.count()).select_from(ReceivedSubmission)).scalar()
            logged = conn.execute(select(func.count()).select_from(MergeLog)).scalar()
    finally:
        db.dispose()
    assert report.cancelled
    assert 10 <= len(report.files) < 20
    assert {f.outcome for f in report.files} == {Outcome.ACCEPTED}
    assert kept == logged == len(report.files)
    assert seen[0] == (0, 20, "20件のファイルを確認しています")
    assert (10, 20, "ファイルを検証して取り込んでいます（10/20）") in seen
    assert seen[-1] == (20, 20, "完了しました")


def test_the_first_files_are_verified_while_the_others_are_still_read(
    demo50: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The workers get the first files as soon as they are hashed, not after the whole folder is: the
    first file is handed out before the last is read, every file still gets its line, in name order."""
    inbox = folder(tmp_path, *sorted((demo50 / "submissions").glob("*.xlsx"))[:12])
    (inbox / "R08_S0065_x_提出_第1版.xlsx").write_bytes(b"")  # rejected at once, between the others
    events: list[str] = []
    real_probe = merge_module.probe
    real_pool = merge_module._pool

    def probe(path):  # type: ignore[no-untyped-def]
        events.append("read")
        return real_probe(path)

    def pool(ctx, method, workers):  # type: ignore[no-untyped-def]
        executor = real_pool(ctx, method, workers)
        real_submit = executor.submit

        def submit(fn, job):  # type: ignore[no-untyped-def]
            events.append("hand out")
            return real_submit(fn, job)

        executor.submit = submit  # type: ignore[method-assign]
        return executor

    monkeypatch.setattr(merge_module, "probe", probe)
    monkeypatch.setattr(merge_module, "_pool", pool)
    report = merge_into_copy(demo50, tmp_path, inbox, workers=2)
    assert events.count("read") == 13 and events.count("hand out") == 12
    assert events.index("hand out") < len(events) - 1 - events[::-1].index("read")
    assert report.summary_line() == "accepted=12 duplicate=0 stale=0 conflict=0 rejected=1"
    assert [f.path.name for f in report.files] == sorted(p.name for p in inbox.iterdir())
