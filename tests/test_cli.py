"""The command line, run as a user would run it (a subprocess of the installed entry point)."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import one_measure_dataset

pytestmark = pytest.mark.usefixtures("cli_workdir")  # nothing is ever written to the repository root

ROOT = Path(__file__).resolve().parent.parent
SMALL = one_measure_dataset(
    {
        "name": "利用率",
        "unit": "%",
        "baseline": "21.1",
        "values": {"2026": {"target": "30.0", "actual": "22.6"}},
    },
    years={"2026": {"stage": "2", "self_grade": "A"}},
)


def dxdesk(*args, cwd=None):
    return subprocess.run(
        [sys.executable, "-m", "ui.launcher", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=120,
    )


def test_help_lists_commands():
    out = dxdesk("--help")
    assert out.returncode == 0
    for cmd in ("init-db", "load-dataset", "dump-dataset", "check"):
        assert cmd in out.stdout


def test_load_check_dump(tmp_path):
    db = tmp_path / "c.sqlite"
    src = tmp_path / "in.json"
    src.write_text(json.dumps(SMALL, ensure_ascii=False), encoding="utf-8")
    assert dxdesk("init-db", "--db", str(db)).returncode == 0  # only init-db / demo-db create a database
    assert dxdesk("load-dataset", "--db", str(db), str(src)).returncode == 0
    check = dxdesk("check", "--db", str(db), "--fy", "R8")
    assert check.returncode == 1  # an error: grade A chosen without a reason
    assert "REQ-OVERRIDE-REASON" in check.stdout
    assert "令和8年度 施策=1" in check.stdout
    out = tmp_path / "out.json"
    assert dxdesk("dump-dataset", "--db", str(db), "--out", str(out)).returncode == 0
    dumped = json.loads(out.read_text(encoding="utf-8"))
    assert dumped["measures"][0]["indicators"][0]["values"]["2026"] == {"target": "30.0", "actual": "22.6"}


def test_a_command_ends_with_its_database_closed(tmp_path):
    """The command leaves its objects to the operating system at exit (no last garbage collection),
    and still closes what it opened: SQLite's -wal beside the database is gone (the last connection
    was closed, the log checkpointed into the file)."""
    db = tmp_path / "c.sqlite"
    assert dxdesk("init-db", "--db", str(db)).returncode == 0
    src = tmp_path / "in.json"
    src.write_text(json.dumps(SMALL, ensure_ascii=False), encoding="utf-8")
    out = dxdesk("load-dataset", "--db", str(db), str(src))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"OK {src} plan=")
    assert sorted(p.name for p in tmp_path.glob("c.sqlite*")) == ["c.sqlite"]


def test_bad_dataset_gives_a_located_message(tmp_path):
    bad = dict(SMALL, measures=[dict(SMALL["measures"][0], owner="")])
    src = tmp_path / "bad.json"
    src.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    assert dxdesk("init-db", "--db", str(tmp_path / "x.sqlite")).returncode == 0
    assert dxdesk("init-db", "--db", str(tmp_path / "x.sqlite")).returncode == 0
    out = dxdesk("load-dataset", "--db", str(tmp_path / "x.sqlite"), str(src))
    assert out.returncode == 2
    assert "measures[0]" in out.stderr and "owner" in out.stderr


def test_wrong_year_is_a_message(tmp_path):
    db = tmp_path / "c.sqlite"
    assert dxdesk("init-db", "--db", str(db)).returncode == 0
    src = tmp_path / "in.json"
    src.write_text(json.dumps(SMALL, ensure_ascii=False), encoding="utf-8")
    dxdesk("load-dataset", "--db", str(db), str(src))
    out = dxdesk("check", "--db", str(db), "--fy", "平成32年度")
    assert out.returncode == 2
    assert "令和2年度" in out.stderr


def test_corrupt_database_is_a_message(tmp_path):
    bad = tmp_path / "corrupt.sqlite"
    bad.write_bytes(b"garbage" * 100)
    out = dxdesk("check", "--db", str(bad))
    assert out.returncode == 2
    assert "壊れて" in out.stderr
    assert bad.read_bytes() == b"garbage" * 100


def test_load_dataset_lists_every_problem(tmp_path):
    bad = dict(
        SMALL,
        measures=[
            dict(SMALL["measures"][0], owner="S404"),
            dict(SMALL["measures"][0], code="m2", owner="S405", sdgs=[99]),
        ],
    )
    src = tmp_path / "bad.json"
    src.write_text(json.dumps(bad, ensure_ascii=False), encoding="utf-8")
    assert dxdesk("init-db", "--db", str(tmp_path / "x.sqlite")).returncode == 0
    out = dxdesk("load-dataset", "--db", str(tmp_path / "x.sqlite"), str(src))
    assert out.returncode == 2
    lines = out.stderr.splitlines()
    assert any(line.startswith("エラー\tmeasures[0].owner") and "S404" in line for line in lines)
    assert any(line.startswith("エラー\tmeasures[1].owner") and "S405" in line for line in lines)
    assert any(line.startswith("エラー\tmeasures[1].sdgs") for line in lines)
    assert lines[-1].startswith("NG ") and "エラー3件" in lines[-1]


# The commands speak to the façades (docs/core-api.md): no command opens a session or builds a query.
# `merge` calls dxdesk.central.merge.merge_paths itself rather than CentralOffice.merge_paths: the
# façade's imports add about 0.3 s to the command's start-up (measured), the function is the same.
COMMAND_MODULES = (
    "dxdesk/cli.py",
    "dxdesk/exchange/commands.py",
    "dxdesk/central/commands.py",
    "dxdesk/central/plan_commands.py",
    "dxdesk/report/commands.py",
    "dxdesk/guide_commands.py",
)


def _storage_uses(source: str) -> list[str]:
    import ast

    found = []
    for fn in ast.walk(ast.parse(source)):
        if not isinstance(fn, ast.FunctionDef):
            continue
        for node in ast.walk(fn):
            if isinstance(node, ast.Call):
                f = node.func
                name = f.attr if isinstance(f, ast.Attribute) else getattr(f, "id", "")
                if name in ("session", "select"):
                    found.append(f"{fn.name}: {name}()")
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                ("sqlalchemy", "dxdesk.store.models")
            ):
                found.append(f"{fn.name}: from {node.module} import …")
    return found


def test_commands_use_the_facades_not_sessions():
    offenders = {m: _storage_uses((ROOT / m).read_text(encoding="utf-8")) for m in COMMAND_MODULES}
    assert {m: o for m, o in offenders.items() if o} == {}


def test_the_facade_check_would_catch_a_session():
    bad = (
        "def cmd_x(args):\n"
        "    from sqlalchemy import select\n"
        "    with db.session() as s:\n"
        "        s.scalar(select(1))\n"
        "def cmd_merge(args):\n"
        "    with db.session() as s:\n"
        "        pass\n"
    )
    assert _storage_uses(bad) == [
        "cmd_x: from sqlalchemy import …",
        "cmd_x: session()",
        "cmd_x: select()",
        "cmd_merge: session()",
    ]
