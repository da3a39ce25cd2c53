"""The test PostgreSQL server never outlives the tests: a checked stop, a kill by pid when pg_ctl does
not do it, a signal handler, and a sweep of servers whose test process was killed outright."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from tests.central.pg import PgServer, _alive, sweep_orphans

ROOT = Path(__file__).resolve().parents[2]


def _gone(pid: int, folder: Path, seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if not _alive(pid) and not folder.exists():
            return True
        time.sleep(0.1)
    return False


def test_stop_ends_the_server_and_removes_its_folder():
    server = PgServer().start()
    pid = server.postmaster_pid()
    assert pid is not None and _alive(pid)
    server.execute("SELECT 1")
    server.stop()
    assert _gone(pid, server.dir, seconds=1)
    server.stop()  # teardown, atexit and a signal may all call it


def test_a_failing_pg_ctl_falls_back_to_killing_the_postmaster(tmp_path):
    server = PgServer().start()
    pid = server.postmaster_pid()
    assert pid is not None
    server.bin = tmp_path  # no pg_ctl here: the checked stop fails
    server.stop()
    assert _gone(pid, server.dir, seconds=1)


def _child(body: str) -> subprocess.Popen[str]:
    code = (
        "import os, signal, sys, time\n"
        "from tests.central.pg import PgServer\n"
        "s = PgServer().start()\n"
        "print(s.dir, s.postmaster_pid(), flush=True)\n" + body
    )
    return subprocess.Popen([sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, text=True)


def test_sigterm_to_the_test_process_stops_the_server():
    child = _child("time.sleep(60)\n")
    assert child.stdout is not None
    folder, pid = child.stdout.readline().split()
    child.send_signal(signal.SIGTERM)
    assert child.wait(timeout=30) == -signal.SIGTERM  # the signal still ends the process
    assert _gone(int(pid), Path(folder))


def test_a_killed_test_process_leaves_a_server_the_next_start_removes():
    child = _child("os.kill(os.getpid(), signal.SIGKILL)\n")
    assert child.stdout is not None
    folder, pid = child.stdout.readline().split()
    child.wait(timeout=30)
    assert _alive(int(pid)) and Path(folder).is_dir()  # nothing could run in the killed process
    assert Path(folder) in sweep_orphans()
    assert _gone(int(pid), Path(folder))
