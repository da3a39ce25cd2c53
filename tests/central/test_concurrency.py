"""Two processes merging the same folder at the same time never accept anything twice (SQLite and
PostgreSQL): the section's row is locked per file and a payload is stored once."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from sqlalchemy import select

from dxdesk.store.database import Database
from dxdesk.store.models import MergeLog, ReceivedSubmission
from tests.central.conftest import Scenario

ROOT = Path(__file__).resolve().parents[2]
SUMMARY = ("accepted", "duplicate", "stale", "conflict", "rejected")


def _summary(line: str) -> dict[str, int]:
    parts = dict(p.split("=") for p in line.split())
    assert tuple(parts) == SUMMARY, line
    return {k: int(v) for k, v in parts.items()}


def test_two_processes_merging_one_folder_accept_each_file_once(
    scenario: Scenario, central: Database, tmp_path: Path
) -> None:
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    files = [*scenario.r1.values(), scenario.s001_r2]
    for f in files:
        shutil.copyfile(f, inbox / f.name)
    shutil.copyfile(scenario.s001_r2_conflict, inbox / "R08_S001_別PC_提出_第2版.xlsx")
    url = central.url
    central.dispose()
    go = tmp_path / "go"
    # both wait for the same moment, then merge with their own verification workers
    code = (
        "import os, sys, time\n"
        f"while not os.path.exists({str(go)!r}): time.sleep(0.005)\n"
        "from dxdesk.cli import main\n"
        f"sys.exit(main(['merge', '--db', {url!r}, {str(inbox)!r}, '--workers', '2']))\n"
    )
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        for _ in range(2)
    ]
    go.write_text("go")
    outs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outs, strict=True):
        assert p.returncode == 0, (out, err)
        assert "Traceback" not in err
    totals = Counter[str]()
    for out, _err in outs:
        lines = out.strip().splitlines()
        assert len(lines) == len(files) + 2  # one line per file and the summary
        totals.update(_summary(lines[-1]))
    # five distinct payloads: each accepted (or kept as conflict) by exactly one of the two processes
    assert totals["accepted"] == 4
    assert totals["conflict"] == 1
    assert totals["duplicate"] == 5
    assert totals["rejected"] == totals["stale"] == 0
    from dxdesk.store.database import open_database

    db = open_database(url)
    try:
        with db.session() as s:
            kept = s.scalars(select(ReceivedSubmission)).all()
            accepted_lines = Counter(
                s.scalars(select(MergeLog.submission_id).where(MergeLog.outcome == "accepted")).all()
            )
    finally:
        db.dispose()
    assert len(kept) == 5
    assert len({k.payload_hash for k in kept}) == 5
    by_section = Counter(k.section_code for k in kept if k.status == "accepted")
    assert by_section == {"S001": 1, "S002": 1, "S003": 1}
    assert all(n == 1 for n in accepted_lines.values()) and len(accepted_lines) == 4
