"""The hostile corpus (tests/exchange/hostile.py) on ``verify`` and on ``merge``: every file gets its
own line with the reason it must get, nothing stops half-way, and the merge always prints its summary.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import openpyxl
import pytest

from dxdesk.central.merge import merge_paths
from dxdesk.central.receive import Outcome
from dxdesk.exchange.errors import ReasonCode
from dxdesk.exchange.submission import verify_submission
from dxdesk.exchange.workbook import read_signed
from dxdesk.store.database import open_database
from tests.exchange.hostile import BAD_NAME, Case, cases, find_target

FY = 2026
CASES = cases()
ROOT = Path(__file__).resolve().parents[2]


def test_the_corpus_is_large_and_covers_every_category():
    assert len(CASES) >= 60
    assert len({c.name for c in CASES}) == len(CASES)
    by = {
        cat: sum(1 for c in CASES if c.category == cat) for cat in ("appearance", "structure", "bomb", "odd")
    }
    assert by["appearance"] >= 30 and by["structure"] >= 10 and by["bomb"] >= 6 and by["odd"] >= 8, by


@pytest.fixture(scope="module")
def target(world):
    signed = read_signed(world.submission)
    signed.reader.close()
    return find_target(signed.payload)


def build(folder: Path, src: Path, target) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for case in CASES:
        case.build(src, folder / f"R08_S001_{case.name}.xlsx", target)
    return folder


@pytest.fixture(scope="module")
def corpus(world, target, tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("hostile"), world.submission, target)


def _path(corpus: Path, case: Case) -> Path:
    return corpus / f"R08_S001_{case.name}.xlsx"


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_verify_names_the_reason(corpus, world, case):
    v = verify_submission(_path(corpus, case), world.trust)
    assert not v.ok
    assert case.verify in v.codes, v.message
    assert case.fragment in v.message, v.message


def test_verify_cli_of_the_whole_folder_gives_every_file_a_line(world, target, tmp_path):
    """``dxdesk verify FOLDER``: one line per entry (a FIFO, a socket, a folder named .xlsx, a file
    name that is not UTF-8 included), never a traceback, exit 1."""
    folder = build(tmp_path / "inbox", world.submission, target)
    shutil.copyfile(world.submission, folder / BAD_NAME)
    cmd = [sys.executable, "-m", "dxdesk", "verify", str(folder), "--db", str(world.central)]
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, timeout=300, cwd=ROOT)
    seconds = time.perf_counter() - t
    out = r.stdout.decode("utf-8")
    assert "Traceback" not in r.stderr.decode("utf-8", "replace"), r.stderr[-2000:]
    assert r.returncode == 1
    lines = out.splitlines()
    assert len(lines) == len(CASES) + 1, out[-3000:]
    for case in CASES:
        line = next(x for x in lines if f"R08_S001_{case.name}.xlsx " in x)
        assert line.startswith("NG "), line
    bad = next(x for x in lines if "_bad.xlsx" in x)
    assert bad.startswith("OK ") and "\\xff\\xfe" in bad, bad
    assert seconds < 120


@pytest.fixture(scope="module")
def merged(world, target, tmp_path_factory):
    """The whole corpus and one genuine file with a name that is not UTF-8, merged in one run."""
    root = tmp_path_factory.mktemp("hostile-merge")
    inbox = build(root / "inbox", world.submission, target)
    shutil.copyfile(world.submission, inbox / BAD_NAME)
    shutil.copyfile(world.central, root / "central.sqlite")
    db = open_database(root / "central.sqlite")
    try:
        report = merge_paths(db, [inbox], fiscal_year=FY, workers=2)
    finally:
        db.dispose()
    return report


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_merge_rejects_with_the_reason(merged, case):
    r = next(f for f in merged.files if f.path.name == f"R08_S001_{case.name}.xlsx")
    assert r.outcome is Outcome.REJECTED, r.line()
    assert (case.merge or case.verify) in r.reason_codes, r.line()


def test_merge_accepts_the_genuine_file_with_an_undecodable_name_and_counts_everything(merged):
    assert len(merged.files) == len(CASES) + 1
    bad = next(f for f in merged.files if "_bad.xlsx" in str(f.path))
    assert bad.outcome is Outcome.ACCEPTED, bad.line()
    assert "\\xff\\xfe" in bad.line()
    bad.line().encode("utf-8")  # printable
    assert merged.summary_line() == f"accepted=1 duplicate=0 stale=0 conflict=0 rejected={len(CASES)}"


def test_range_bomb_is_refused_fast_and_small(corpus, world, target, tmp_path):
    """A1 and XFD1048576 in one sheet: refused within a second and far below 200 MB."""
    path = _path(corpus, next(c for c in CASES if c.name == "range_bomb_cell_at_xfd1048576"))
    tracemalloc.start()
    t = time.perf_counter()
    v = verify_submission(path, world.trust)
    seconds = time.perf_counter() - t
    _cur, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert v.codes == {ReasonCode.TOO_LARGE}
    assert seconds < 1.0
    assert peak < 50 * 2**20


def test_unchanged_openpyxl_round_trip_still_verifies_with_all_labels_bound(world, tmp_path):
    path = tmp_path / "saved.xlsx"
    shutil.copyfile(world.submission, path)
    openpyxl.load_workbook(path).save(path)
    v = verify_submission(path, world.trust)
    assert v.ok, v.message
