"""Command-line subcommands of the central office (docs/central.md, ../shared/docs/architecture.md).

    dxdesk merge --db URL PATH... [--fy R8] [--workers N] [--user NAME]
        one line per file "<outcome> <file> <message>", then
        "accepted=N duplicate=N stale=N conflict=N rejected=N"; exit 0 if none rejected, else 1
    dxdesk export --db URL --out FILE.xlsx [--fy R8]      the merged workbook (全庁集計)
    dxdesk status --db URL [--fy R8] [--state S ...] [--sort KEY] [--reminder]
    dxdesk review --db URL --measure CODE [--decision D] [--comment TEXT] [--field PATH] [--user NAME]
    dxdesk review-export --db URL --out DIR [--section CODE ...] [--fy R8] [--user NAME]
    dxdesk import-review FILE [--db PATH]                 section side
    dxdesk conflicts --db URL [--fy R8]
    dxdesk resolve --db URL --conflict ID --keep ID [--user NAME]

Exit codes: 0 done, 1 something the user must act on (a rejected file, a conflict left), 2 bad usage
or input that cannot be used at all.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from dxdesk.central.errors import CentralError
from dxdesk.central.user import current_user
from dxdesk.cli_support import (
    EXIT_ACT,
    EXIT_OK,
    EXIT_USAGE,
    central_office,
    err,
    existing_database,
    fiscal_year,
    ng,
    out,
    section_desk,
)
from dxdesk.domain.fiscal import FiscalYearError
from dxdesk.paths import default_database_path

__all__ = ["add_commands"]

# Each command imports its work inside the function: signing, workbooks and the ORM add 200–260 ms to every
# `dxdesk` start, `--help` and `merge` included, since the parser loads every command module (-X importtime).


def cmd_merge(args: argparse.Namespace) -> int:
    from dxdesk.store.database import check_in_background

    check_in_background(args.db)  # on another core while the merge's modules are imported
    from dxdesk.central.merge import merge_paths

    missing = [p for p in args.paths if not Path(p).exists()]
    fy = fiscal_year(args.fy)
    with existing_database(args.db) as db:
        report = merge_paths(
            db, args.paths, fiscal_year=fy, workers=args.workers, user=args.user or current_user()
        )
    for f in report.files:
        out(f.line())
    out(report.summary_line())
    if not report.files and not missing:
        err("注意 取り込むファイルがありませんでした")
    return EXIT_OK if report.ok else EXIT_ACT


def cmd_export(args: argparse.Namespace) -> int:
    fy = fiscal_year(args.fy)
    with central_office(args.db) as office:
        r = office.export_merged_workbook(Path(args.out), fiscal_year=fy)
    out(
        f"OK {r.path} 行={r.rows} 施策={r.measures} 課所室={r.sections} 指摘={r.findings} seconds={r.seconds:.1f}"
    )
    return EXIT_OK


def cmd_status(args: argparse.Namespace) -> int:
    from dxdesk.central.status import SectionState, reminder_text

    try:
        fy = fiscal_year(args.fy)
        states = [SectionState(s) for s in args.state] if args.state else None
    except (FiscalYearError, ValueError) as exc:
        ng(exc)
        return EXIT_USAGE
    with central_office(args.db) as office:
        board = office.status_board(fy, states=states, text=args.text, sort=args.sort, descending=args.desc)
    if args.reminder:
        text = reminder_text(board, deadline=args.deadline or "", sender=args.sender or "")
        out(text.rstrip("\n") if text else "未提出の課所室はありません")
        return EXIT_OK
    for r in board.rows:
        out(
            "\t".join(
                [
                    r.section_code,
                    r.section_name,
                    r.state.label,
                    f"第{r.revision}版" if r.revision else "",
                    r.received_at_text,
                    f"受理{r.reviewed_accepted}/差戻し{r.reviewed_returned}/施策{r.measures}",
                    f"競合{r.conflicts}" if r.conflicts else "",
                ]
            )
        )
    if states or args.text:  # the counts below are of the rows shown: say how many there are in all
        shown = f"{len(board.rows)}課所室" if board.rows else "該当する課所室はありません"
        out(f"絞り込み：{shown}（全{board.total_sections}課所室）")
    counts = board.counts()
    out(" ".join(f"{s.value}={counts[s]}" for s in SectionState))
    return EXIT_OK


def cmd_review(args: argparse.Namespace) -> int:
    from dxdesk.central.review import Decision

    with central_office(args.db) as office:
        try:
            r = office.review(
                args.measure,
                decision=Decision(args.decision) if args.decision else None,
                comment=args.comment or "",
                field=args.field or "",
                user=args.user or current_user(),
            )
        except (CentralError, ValueError) as exc:
            ng(exc)
            return EXIT_USAGE
    out(
        f"OK {r.measure_code} {r.measure_name} {r.decision.label} 第{r.revision or 0}版 コメント{len(r.comments)}件"
    )
    for c in r.comments:
        out(f"\t{c.field_label}\t{c.text}")
    for f in r.findings:
        out(f"\t{f.severity.label}\t{f.check_id}\t{f.message}")
    return EXIT_OK


def cmd_review_export(args: argparse.Namespace) -> int:
    with central_office(args.db) as office:
        written = office.export_review_workbooks(
            Path(args.out),
            section_codes=args.section or None,
            fiscal_year=fiscal_year(args.fy),
            user=args.user or current_user(),
        )
    for r in written:
        out(f"OK {r.path} 第{r.version}版 受理={r.accepted} 差戻し={r.returned} 未審査={r.pending}")
    return EXIT_OK


def cmd_import_review(args: argparse.Namespace) -> int:
    with section_desk(args.db or str(default_database_path())) as desk:
        try:
            r = desk.import_review(Path(args.file), user=args.user or current_user())
        except CentralError as exc:
            ng(f"{args.file} {exc}")
            return EXIT_USAGE
    out(f"OK {args.file} {r.summary()}")
    for code in r.returned:
        out(f"差戻し\t{code}")
    return EXIT_OK


def cmd_conflicts(args: argparse.Namespace) -> int:
    with central_office(args.db) as office:
        items = office.conflicts(fiscal_year(args.fy))
    for c in items:
        out(
            f"競合 {c.id} {c.other.section_code} {c.other.section_name} 第{c.other.revision}版 "
            f"受理済み={c.current.id}（{c.current.file_name}） 別のファイル={c.other.id}（{c.other.file_name}） "
            f"違い={len(c.differences)}件"
        )
        for d in c.differences[:20]:
            out(f"\t{d.measure_code}\t{d.label}\t{d.current} → {d.other}")
    out(f"conflicts={len(items)}")
    return EXIT_ACT if items else EXIT_OK


def cmd_resolve(args: argparse.Namespace) -> int:
    with central_office(args.db) as office:
        kept = office.resolve_conflict(args.conflict, args.keep, user=args.user or current_user())
    out(f"OK 採用 {kept.id} {kept.section_code} 第{kept.revision}版 {kept.file_name}")
    return EXIT_OK


def add_commands(sub: Any) -> None:
    s = sub.add_parser("merge", help="提出ファイルを検証して中央のデータベースに取り込む")
    s.add_argument("--db", required=True, help="中央のデータベース（SQLiteファイルまたはSQLAlchemy URL）")
    s.add_argument("paths", nargs="+", metavar="PATH", help="提出ファイルまたはフォルダ")
    s.add_argument("--fy", help="受け付ける年度（省略時は計画の調査年度）")
    s.add_argument("--workers", type=int, help="検証に使うプロセス数（省略時はCPU数）")
    s.add_argument("--user", help="取り込んだ人（取込記録に残る。既定はログオン名）")
    s.set_defaults(func=cmd_merge)

    s = sub.add_parser("export", help="全庁集計（Excel）を出力する")
    s.add_argument("--db", required=True)
    s.add_argument("--out", required=True, help="出力する .xlsx ファイル（フォルダなら R08_全庁集計.xlsx）")
    s.add_argument("--fy", help="年度（省略時は計画の調査年度）")
    s.set_defaults(func=cmd_export)

    s = sub.add_parser("status", help="提出状況（未提出・提出済・差戻し中・受理）を表示する")
    s.add_argument("--db", required=True)
    s.add_argument("--fy")
    s.add_argument("--state", action="append", help="missing / submitted / returned / accepted（複数指定可）")
    s.add_argument("--text", help="課所室コード・課名・部局で絞り込む")
    s.add_argument(
        "--sort", default="section", help="section / state / revision / received_at / bureau / name"
    )
    s.add_argument("--desc", action="store_true", help="逆順に並べる")
    s.add_argument("--reminder", action="store_true", help="未提出の課所室への督促メールの文面を出力する")
    s.add_argument("--deadline", help="督促メールに書く提出期限（例：5月31日（金））")
    s.add_argument("--sender", help="督促メールの差出人（署名）")
    s.set_defaults(func=cmd_status)

    s = sub.add_parser("review", help="施策を審査する（受理・差戻し・コメント）")
    s.add_argument("--db", required=True)
    s.add_argument("--measure", required=True, help="施策コード")
    s.add_argument("--decision", choices=["accepted", "returned", "pending"])
    s.add_argument("--comment", help="コメント")
    s.add_argument("--field", help="コメントの対象欄（例：texts.result、indicators[0].actual）")
    s.add_argument("--user", help="審査者（既定はログオン名）")
    s.set_defaults(func=cmd_review)

    s = sub.add_parser("review-export", help="審査結果ファイル（課所室ごと・署名付き）を作成する")
    s.add_argument("--db", required=True)
    s.add_argument("--out", required=True, help="出力先のフォルダ")
    s.add_argument("--section", action="append", help="課所室コード（省略時は提出のあった全課）")
    s.add_argument("--fy")
    s.add_argument("--user", help="審査者（既定はログオン名）")
    s.set_defaults(func=cmd_review_export)

    s = sub.add_parser("import-review", help="審査結果ファイルを取り込む（課所室）")
    s.add_argument("file")
    s.add_argument("--db", help="課所室のデータベース（省略時はデータフォルダ）")
    s.add_argument("--user")
    s.set_defaults(func=cmd_import_review)

    s = sub.add_parser("conflicts", help="競合（同じ版で内容が異なるファイル）を一覧する")
    s.add_argument("--db", required=True)
    s.add_argument("--fy")
    s.set_defaults(func=cmd_conflicts)

    s = sub.add_parser("resolve", help="競合を解決する（採用するファイルを選ぶ）")
    s.add_argument("--db", required=True)
    s.add_argument("--conflict", type=int, required=True, help="競合の番号（dxdesk conflicts の表示）")
    s.add_argument("--keep", type=int, required=True, help="採用するファイルの番号")
    s.add_argument("--user")
    s.set_defaults(func=cmd_resolve)
