"""Command-line subcommands of the plan master: ``plan-template``, ``import-plan`` and ``import-list``.

``dxdesk import-plan --db URL FILE.xlsx [--dry-run]`` prints one line per problem —
``エラー<TAB>シート<TAB>行<TAB>列<TAB>内容`` (注意 for warnings) — then a summary line, and exits 1 if
any error was found (nothing is imported then), 0 otherwise.
"""

from __future__ import annotations

import argparse
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dxdesk.central.user import current_user
from dxdesk.cli_support import EXIT_ACT, EXIT_OK, EXIT_USAGE, central_office, ng, out
from dxdesk.domain.fiscal import FiscalYearError, parse_fiscal_year

if TYPE_CHECKING:
    from dxdesk.central.plan_master import Problem

__all__ = ["add_commands"]

# Each command imports its work inside the function: workbooks and the ORM add ~200 ms to every
# `dxdesk` start, `--help` and `merge` included, since the parser loads every command module (-X importtime).


def cmd_plan_template(args: argparse.Namespace) -> int:
    target = Path(args.out)
    if target.suffix.lower() != ".xlsx":
        ng(f"出力ファイルは .xlsx にしてください：{target}")
        return EXIT_USAGE
    with central_office(args.db) as office:
        try:
            office.export_template(target)
        except OSError as exc:
            ng(f"ファイルを書き込めません（{exc.strerror or exc}）：{target}")
            return EXIT_USAGE
    out(f"OK {target}")
    return EXIT_OK


def cmd_import_plan(args: argparse.Namespace) -> int:
    with central_office(args.db) as office:
        result = office.import_plan_master(
            Path(args.file), dry_run=args.dry_run, user=args.user or current_user()
        )
    _problem_lines(result.problems)
    for line in result.changes.lines() if result.ok else []:
        out(f"変更\t{line}")
    return _summary(args.file, result.errors, result.summary())


def cmd_import_list(args: argparse.Namespace) -> int:
    from dxdesk.central.list_import import load_mapping, save_mapping

    saved = None
    if args.mapping and Path(args.mapping).exists():
        try:
            saved = load_mapping(Path(args.mapping))
        except ValueError as exc:
            ng(f"{args.mapping} {exc}")
            return EXIT_USAGE
    fy = None
    if args.fy:
        try:
            fy = parse_fiscal_year(args.fy)
        except FiscalYearError as exc:
            ng(f"--fy {exc}")
            return EXIT_USAGE
    with central_office(args.db) as office:
        result = office.import_list(
            Path(args.file),
            sheet=args.sheet,
            saved=saved,
            fiscal_year=fy,
            dry_run=args.dry_run,
            user=args.user or current_user(),
        )
    if result.mapping is not None and result.header is not None:
        for letter, text, label in result.mapping.describe(result.header):
            out(f"対応\t{letter}\t{text}\t{label}")
    _problem_lines(result.problems)
    if args.mapping and result.ok and result.header is not None and result.mapping is not None:
        extra = {"current_fy": result.survey_fy} if result.survey_fy else {}
        save_mapping(Path(args.mapping), result.header, result.mapping, extra)
        out(f"対応表\t{args.mapping}")
    return _summary(args.file, result.errors, result.summary())


def _problem_lines(problems: Iterable[Problem]) -> None:
    """One line per problem of a workbook: 区分 シート 行 列 内容 (the plan master's and the list's)."""
    for p in problems:
        out("\t".join([p.severity_label, p.sheet, "" if p.row is None else str(p.row), p.column, p.message]))


def _summary(file: str, errors: Sequence[Problem], summary: str) -> int:
    """The last line, ``OK|NG <file> <summary>``, and the exit code: 1 when the workbook had errors."""
    out(f"{'NG' if errors else 'OK'} {file} {summary}")
    return EXIT_ACT if errors else EXIT_OK


def add_commands(sub: Any) -> None:
    s = sub.add_parser(
        "plan-template",
        help="計画マスタのひな形（Excel）を書き出す（計画があればその内容入り）",
        description="計画マスタのひな形を書き出します。データベースに計画があれば、その内容を入れて書き出します（編集して import-plan で読み込めます）。",
    )
    s.add_argument("--db", required=True, help="SQLiteファイルのパス、またはSQLAlchemy URL")
    s.add_argument("--out", required=True, help="書き出す .xlsx ファイル")
    s.set_defaults(func=cmd_plan_template)

    s = sub.add_parser(
        "import-plan",
        help="計画マスタ（Excel）を中央のデータベースに読み込む",
        description="計画マスタを検査し、エラーがなければ読み込みます。問題は1行に1件「区分 シート 行 列 内容」で表示します。",
    )
    s.add_argument("--db", required=True, help="SQLiteファイルのパス、またはSQLAlchemy URL")
    s.add_argument("file", help="計画マスタの .xlsx ファイル")
    s.add_argument("--dry-run", action="store_true", help="検査だけ行い、読み込まない")
    s.add_argument("--user", help="変更履歴に記録する名前（省略時はログイン名）")
    s.set_defaults(func=cmd_import_plan)

    s = sub.add_parser(
        "import-list",
        help="既存のExcel一覧（施策・指標の一覧表）から計画を読み込む（中央）",
        description="施策・指標の一覧表（1行に1施策または1指標）の見出しを見つけて列の対応を推定し、問題を「区分 シート 行 列 内容」で表示し、エラーがなければ施策コードで読み込みます。--mapping のファイルがあればその対応を使い、読み込めたら対応を保存します（翌年の一覧をそのまま読み込めます）。",
    )
    s.add_argument("--db", required=True, help="SQLiteファイルのパス、またはSQLAlchemy URL")
    s.add_argument("file", help="一覧表の .xlsx ファイル")
    s.add_argument("--sheet", help="読み込むシート名（省略時は見出しのあるシートを探します）")
    s.add_argument("--mapping", help="列の対応表（JSON）。あれば使い、読み込めたら保存します")
    s.add_argument("--fy", help="調査年度（計画がまだないとき。例：R8）")
    s.add_argument("--dry-run", action="store_true", help="検査だけ行い、読み込まない")
    s.add_argument("--user", help="変更履歴に記録する名前（省略時はログイン名）")
    s.set_defaults(func=cmd_import_list)
