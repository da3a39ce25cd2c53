"""Every command that takes ``--db`` opens an existing database: a mistyped path is a Japanese
message and exit 2, and no empty database appears. Only ``init-db``, ``demo-db`` (and ``demo``, which
takes a folder) create one; ``import-kit`` creates the section's database from its first kit."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dxdesk.cli import build_parser, main

pytestmark = pytest.mark.usefixtures("cli_workdir")

CREATE = {"init-db", "demo-db", "import-kit"}

DATASET = {
    "format": "dxdesk/dataset/1",
    "plan": {"code": "p", "name": "計画", "current_fy": 2026},
    "sections": [{"code": "S1", "name": "情報政策課"}],
    "measures": [],
}


def _args(command: str, db: str, tmp: Path) -> list[str]:
    dataset = tmp / "計画.json"
    dataset.write_text(json.dumps(DATASET, ensure_ascii=False), encoding="utf-8")
    rest = {
        "load-dataset": [str(dataset)],
        "dump-dataset": ["--out", str(tmp / "out.json")],
        "check": [],
        "verify": [str(dataset)],
        "issue-kits": ["--out", str(tmp / "kits")],
        "export-submission": ["--out", str(tmp / "out"), "--author", "山田太郎", "--chief", "佐藤花子"],
        "plan-template": ["--out", str(tmp / "計画マスタ.xlsx")],
        "import-plan": [str(tmp / "計画マスタ.xlsx")],
        "print": ["--out", str(tmp / "シート.pdf")],
        "merge": [str(tmp)],
        "export": ["--out", str(tmp / "全庁集計.xlsx")],
        "status": [],
        "review": ["--measure", "088", "--decision", "accepted"],
        "review-export": ["--out", str(tmp / "review")],
        "import-review": [str(tmp / "R08_審査結果.xlsx")],
        "conflicts": [],
        "resolve": ["--conflict", "1", "--keep", "2"],
        "export-ca": ["--out", str(tmp / "ca.pem")],
        "import-list": [str(tmp / "施策一覧.xlsx")],
    }[command]
    return [command, "--db", db, *rest]


def _commands_with_db() -> set[str]:
    sub = build_parser()._subparsers._group_actions[0]  # type: ignore[union-attr]
    return {name for name, p in sub.choices.items() if "--db" in p._option_string_actions}


OPENING = sorted(_commands_with_db() - CREATE)


def test_the_table_covers_every_command_with_a_db_option():
    assert len(OPENING) >= 17
    assert "merge" in OPENING and "check" in OPENING and "init-db" not in OPENING


@pytest.mark.parametrize("command", OPENING)
def test_a_database_path_that_does_not_exist_is_a_message(command, tmp_path, cli_workdir, capsys):
    missing = tmp_path / "centrall.sqlite"  # a typo
    assert main(_args(command, str(missing), tmp_path)) == 2
    err = capsys.readouterr().err
    assert f"NG データベース「{missing}」がありません" in err
    assert not missing.exists()
    assert list(cli_workdir.iterdir()) == []


@pytest.mark.parametrize("command", ["check", "print", "plan-template"])
def test_a_relative_typo_creates_nothing_in_the_working_folder(command, tmp_path, cli_workdir, capsys):
    assert main(_args(command, "None", tmp_path)) == 2
    assert "データベース「None」がありません" in capsys.readouterr().err
    assert list(cli_workdir.iterdir()) == []


@pytest.mark.parametrize("command", ["init-db", "demo-db"])
def test_the_creating_commands_still_create(command, tmp_path, capsys):
    new = tmp_path / "新しい.sqlite"
    assert main([command, "--db", str(new)]) == 0
    assert new.is_file()
    assert capsys.readouterr().out.startswith("OK ")


def test_every_package_error_is_a_dxdesk_error():
    from dxdesk.central.errors import CentralError
    from dxdesk.central.plan_master.cells import CellError
    from dxdesk.domain.fiscal import FiscalYearError
    from dxdesk.errors import DxdeskError
    from dxdesk.exchange.errors import ExchangeError
    from dxdesk.report.errors import PrintError
    from dxdesk.store.backup import BackupError
    from dxdesk.store.database import DatabaseError
    from dxdesk.store.dataset import DatasetError
    from dxdesk.store.editing import EditError

    for cls in (CentralError, CellError, FiscalYearError, ExchangeError, PrintError, BackupError):
        assert issubclass(cls, DxdeskError), cls
    for cls in (DatabaseError, DatasetError, EditError):
        assert issubclass(cls, DxdeskError), cls


def test_a_package_error_a_command_lets_through_is_one_ng_line(tmp_path, capsys):
    db = tmp_path / "c.sqlite"
    assert main(["init-db", "--db", str(db)]) == 0
    capsys.readouterr()
    assert main(["merge", "--db", str(db), str(tmp_path), "--fy", "令和99年度x"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("NG ")
