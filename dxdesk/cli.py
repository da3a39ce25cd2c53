"""The ``dxdesk`` command line (headless subcommands).

``dxdesk`` with no subcommand opens the desktop application; that dispatch lives in ``ui.launcher``
(the console entry point) so that this module never imports Qt. Subcommands defined here:

    dxdesk init-db --db URL                     create or upgrade a database
    dxdesk demo-db --db URL                     load the embedded demo data (デモ市) into a database
    dxdesk load-dataset --db URL FILE.json      import a plan dataset (docs/dataset-format.md)
    dxdesk dump-dataset --db URL [--plan CODE] [--section CODE] --out FILE.json
    dxdesk check --db URL [--fy R8] [--section CODE]
                                                pre-submission and audit-readiness findings
    dxdesk guide --out FILE.pdf                 the printable 操作の手引き (no database)

The contract subcommands of docs/architecture.md (demo, verify, merge, print, export) are added by
the features that implement them; ``dxdesk --help`` lists what this build has.

Exit codes (dxdesk.cli_support): 0 success, 1 findings/failures the user must act on, 2 bad usage or
unreadable input. Commands open an existing database; only ``init-db``, ``demo-db`` and ``demo`` create
one, so a mistyped ``--db`` is a message and exit 2, never an empty database.
A database damaged inside its records (found only when a row is read) ends any command with the
「データベースが壊れています」 line naming its backups, exit 2, never a traceback.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import importlib
import json
import logging
from collections.abc import Sequence
from pathlib import Path

from dxdesk import __version__
from dxdesk.cli_support import EXIT_ACT, EXIT_OK, EXIT_USAGE, desk, err, ng, open_or_create, out, section_desk
from dxdesk.domain.fiscal import FiscalYearError, fy_label, parse_fiscal_year
from dxdesk.errors import DxdeskError
from dxdesk.files import write_text_atomic
from dxdesk.store.database import damaged, is_damage

log = logging.getLogger("dxdesk")

# Feature modules that add subcommands; each defines ``add_commands(subparsers) -> None``.
COMMAND_MODULES: tuple[str, ...] = (
    "dxdesk.exchange.commands",
    "dxdesk.report.commands",
    "dxdesk.central.commands",
    "dxdesk.central.plan_commands",
    "dxdesk.guide_commands",
)


def cmd_init_db(args: argparse.Namespace) -> int:
    # here, not at the top: alembic and the ORM models add ~90 ms to every start of `dxdesk` (-X importtime)
    from dxdesk.store.migrate import current_revision

    db = open_or_create(args.db)
    out(f"OK {args.db} revision={current_revision(db)}")
    db.dispose()
    return EXIT_OK


def cmd_demo_db(args: argparse.Namespace) -> int:
    # here, not at the top: alembic and the ORM models add ~90 ms to every start of `dxdesk` (-X importtime)
    from dxdesk.store.demo import load_demo

    db = open_or_create(args.db)
    load_demo(db)
    db.dispose()
    out(f"OK デモデータを読み込みました: {args.db}")
    return EXIT_OK


def cmd_load_dataset(args: argparse.Namespace) -> int:
    # here, not at the top: alembic and the ORM models add ~90 ms to every start of `dxdesk` (-X importtime)
    from dxdesk.store.dataset import DatasetError, DatasetProblems, load_dataset_file

    try:
        data = load_dataset_file(Path(args.file))
        with desk(args.db) as d:
            code = d.import_dataset(data)
    except DatasetProblems as exc:
        for problem in exc.problems:
            err(f"エラー\t{problem}")
        ng(f"{args.file} エラー{len(exc.problems)}件（何も読み込んでいません）")
        return EXIT_USAGE
    except DatasetError as exc:
        ng(f"{args.file} {exc}")
        return EXIT_USAGE
    out(f"OK {args.file} plan={code}")
    return EXIT_OK


def cmd_dump_dataset(args: argparse.Namespace) -> int:
    # here, not at the top: alembic and the ORM models add ~90 ms to every start of `dxdesk` (-X importtime)
    from dxdesk.store.dataset import DatasetError

    with desk(args.db) as d:
        try:
            data = d.export_dataset(args.plan or None, section_codes=[args.section] if args.section else None)
        except DatasetError as exc:
            ng(exc)
            return EXIT_USAGE
    write_text_atomic(Path(args.out), json.dumps(data, ensure_ascii=False, indent=1))
    out(f"OK {args.out}")
    return EXIT_OK


def cmd_check(args: argparse.Namespace) -> int:
    with section_desk(args.db) as d:
        plan = d.plan_years()
        if plan is None:
            ng("計画が登録されていません")
            return EXIT_USAGE
        try:
            fy = parse_fiscal_year(args.fy) if args.fy else (plan.declared_fy or 0)
        except FiscalYearError as exc:
            ng(exc)
            return EXIT_USAGE
        # the same check as F8 and the submission export (scope: one section or the whole plan)
        report = d.presubmission_check(plan.plan_id, fy, args.section)
    errors = 0
    for f in report.findings:
        errors += f.severity.value == "error"
        out(f"{f.severity.label}\t{f.measure_code}\t{f.check_id}\t{f.message}")
    out(f"{fy_label(fy)} 施策={report.measures} エラー={errors} 件数={len(report.findings)}")
    return EXIT_ACT if errors else EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dxdesk", description="dxdesk — 施策評価シートの入力・署名・集約")
    p.add_argument("--version", action="version", version=f"dxdesk {__version__}")
    p.add_argument("-v", "--verbose", action="store_true", help="詳細なログを表示する")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")

    s = sub.add_parser("init-db", help="データベースを作成・更新する")
    s.add_argument("--db", required=True, help="SQLiteファイルのパス、またはSQLAlchemy URL")
    s.set_defaults(func=cmd_init_db)

    s = sub.add_parser("demo-db", help="デモデータ（デモ市）をデータベースに読み込む")
    s.add_argument("--db", required=True)
    s.set_defaults(func=cmd_demo_db)

    s = sub.add_parser("load-dataset", help="計画データセット(JSON)を読み込む")
    s.add_argument("--db", required=True)
    s.add_argument("file")
    s.set_defaults(func=cmd_load_dataset)

    s = sub.add_parser("dump-dataset", help="計画データセット(JSON)を書き出す")
    s.add_argument("--db", required=True)
    s.add_argument("--plan")
    s.add_argument("--section")
    s.add_argument("--out", required=True)
    s.set_defaults(func=cmd_dump_dataset)

    s = sub.add_parser("check", help="提出前チェック・監査対応チェックを実行する")
    s.add_argument("--db", required=True)
    s.add_argument("--fy", help="年度（例：R8、令和8年度、2026）。省略時は計画の調査年度")
    s.add_argument("--section", help="課所室コード")
    s.set_defaults(func=cmd_check)

    for module in COMMAND_MODULES:
        importlib.import_module(module).add_commands(sub)
    return p


_freeze_at_exit = False


def _leave_quickly() -> None:
    """At exit, Python's last garbage collection walks every object SQLAlchemy, the ORM models and the
    exchange created: 0.1–0.3 s after the last line is printed (measured on the 2-core machine).
    Frozen, they are left to the operating system; everything else of the exit (atexit handlers,
    logging's flush, closing files) runs as before."""
    global _freeze_at_exit
    if not _freeze_at_exit:
        atexit.register(gc.freeze)
        _freeze_at_exit = True


def main(argv: Sequence[str] | None = None) -> int:
    _leave_quickly()
    parser = build_parser()
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.verbose else logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    if not getattr(args, "func", None):
        parser.print_help()
        return EXIT_USAGE
    try:
        return int(args.func(args))
    except Exception as exc:
        if not is_damage(exc):
            if isinstance(exc, DxdeskError):  # every package's errors: Japanese, says what to do
                ng(exc)
                return EXIT_USAGE
            raise
        log.info("damaged database", exc_info=True)  # the details with -v
        target = getattr(args, "db", None)
        path = Path(target) if target and "://" not in str(target) else None
        ng(damaged(exc, path))
        return EXIT_USAGE


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
