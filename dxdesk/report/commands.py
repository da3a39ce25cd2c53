"""``dxdesk print``: PDF of sheets, a section's booklet or the organisation report, from the command line.

    dxdesk print --db URL --out FILE.pdf [--section CODE] [--measure CODE ...]
                 [--fy R8] [--font FILE] [--kind sheets|booklet|report]

Without ``--section`` / ``--measure`` every sheet of the plan is printed. ``--kind booklet`` adds a
cover and contents (with ``--section``); ``--kind report`` is the organisation report. Prints
``OK <file> pages=N sheets=M font=…`` and exits 0; a Japanese message and exit 2 on bad input (unknown
section or code, no Japanese font, unreadable database), leaving any existing file untouched.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from dxdesk.cli_support import EXIT_OK, EXIT_USAGE, desk, err, ng, out

__all__ = ["add_commands", "cmd_print"]


def cmd_print(args: argparse.Namespace) -> int:
    from dxdesk.domain.fiscal import parse_fiscal_year
    from dxdesk.report.documents import PrintJob
    from dxdesk.report.errors import PrintError

    fy = parse_fiscal_year(args.fy) if args.fy else None
    target = Path(args.out)
    if target.suffix.lower() != ".pdf":
        ng(f"出力ファイル「{target.name}」の拡張子を .pdf にしてください。")
        return EXIT_USAGE
    job = PrintJob(
        kind=args.kind,
        fiscal_year=fy,
        section_code=args.section,
        measure_codes=tuple(args.measure or ()),
        font_path=args.font,
    )
    with desk(args.db) as d:
        try:
            result = d.make_pdf(target, job)
        except PrintError as exc:
            ng(exc)
            return EXIT_USAGE
    for note in result.notes:
        err(f"注意 {note}")
    out(
        f"OK {target} pages={result.pages} sheets={result.sheets} font={result.font} seconds={result.seconds:.1f}"
    )
    return EXIT_OK


def add_commands(subparsers: Any) -> None:
    s = subparsers.add_parser(
        "print",
        help="シート・冊子・報告書をPDFで出力する（日本語フォント埋め込み）",
        description="施策評価シートをA4のPDFにします。日本語フォントはPDFに埋め込みます。",
    )
    s.add_argument("--db", required=True, help="SQLiteファイルのパス、またはSQLAlchemy URL")
    s.add_argument("--out", required=True, help="出力するPDFファイル")
    s.add_argument("--section", help="課所室コード（その課所室のシートだけ）")
    s.add_argument("--measure", action="append", metavar="CODE", help="施策コード（複数指定できます）")
    s.add_argument("--fy", help="年度（例：R8、令和8年度、2026）。省略時は計画の調査年度")
    s.add_argument("--font", help="埋め込む日本語TrueTypeフォント（.ttf / .ttc）。省略時は設定または自動検出")
    s.add_argument(
        "--kind",
        choices=("sheets", "booklet", "report"),
        default="sheets",
        help="sheets=シートのみ（既定）、booklet=表紙・目次付きの冊子、report=全庁の評価結果報告書",
    )
    s.set_defaults(func=cmd_print)
