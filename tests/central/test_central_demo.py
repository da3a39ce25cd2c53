"""The central office's demo (dxdesk --central-demo): built once, most sections merged, kept afterwards,
rebuilt when a build was stopped half-way; the launcher opens the central window on it."""

from __future__ import annotations

from pathlib import Path

import pytest

from dxdesk.central.demo import HELD_BACK, ensure_central_demo
from dxdesk.central.merge import merge_paths
from dxdesk.central.status import SectionState, status_board
from dxdesk.store.database import open_database


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("central-demo") / "central-demo"
    steps: list[str] = []
    central = ensure_central_demo(folder, progress=lambda _i, _n, m: steps.append(m))
    assert steps[-1] == "完了しました"
    return central


def test_most_sections_are_merged_and_the_rest_can_be_dropped_in(built: Path, tmp_path: Path) -> None:
    db = open_database(built)
    try:
        with db.session() as s:
            board = status_board(s)
        counts = board.counts()
        assert counts[SectionState.MISSING] == HELD_BACK
        assert counts[SectionState.SUBMITTED] == board.total_sections - HELD_BACK >= 10
        # what a newcomer tries next: drop the submissions folder into the inbox (on a copy here)
    finally:
        db.dispose()
    copy = tmp_path / "central.sqlite"
    copy.write_bytes(built.read_bytes())
    db = open_database(copy)
    try:
        report = merge_paths(db, [built.parent / "submissions"], workers=1)
        assert report.summary_line() == (
            f"accepted={HELD_BACK} duplicate={board.total_sections - HELD_BACK} stale=0 conflict=0 rejected=0"
        )
    finally:
        db.dispose()


def test_kept_afterwards_and_rebuilt_after_a_stopped_build(built: Path) -> None:
    folder = built.parent
    before = built.stat().st_mtime_ns
    assert ensure_central_demo(folder) == built
    assert built.stat().st_mtime_ns == before  # opened as it is, not rebuilt
    (folder / "ready.txt").unlink()  # as if the first build had been stopped half-way
    (folder / "half-written.tmp").write_text("x", encoding="utf-8")
    assert ensure_central_demo(folder) == built
    assert (folder / "ready.txt").is_file() and not (folder / "half-written.tmp").exists()


def test_launcher_opens_the_central_window_on_it(built: Path, qtbot, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import dxdesk.central.demo as demo_module
    from tests.gui.conftest import launch

    monkeypatch.setattr(demo_module, "central_demo_folder", lambda: built.parent)
    # the central window, and no progress dialog left open
    assert launch(monkeypatch, ["--central-demo"]) == ["CentralWindow"]
