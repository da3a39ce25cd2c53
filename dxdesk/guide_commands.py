"""``dxdesk guide --out FILE.pdf``: the printable 操作の手引き (:mod:`dxdesk.report.guide`).

Needs no database: the guide's pages and screenshots ship with the application."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from dxdesk.cli_support import EXIT_OK, EXIT_USAGE, err, ng, out

__all__ = ["add_commands", "cmd_guide"]


def cmd_guide(args: argparse.Namespace) -> int:
    from dxdesk.report.errors import PrintError
    from dxdesk.report.guide import make_guide_pdf

    target = Path(args.out)
    if target.suffix.lower() != ".pdf":
        ng(f"出力ファイル「{target.name}」の拡張子を .pdf にしてください。")
        return EXIT_USAGE
    try:
        result = make_guide_pdf(target, args.font)
    except PrintError as exc:
        ng(exc)
        return EXIT_USAGE
    for name in result.missing_shots:
        err(f"注意 画面の画像「{name}」がありません（scripts/make_guide.py で作成してください）")
    out(f"OK {target} pages={result.pages} images={result.images}")
    return EXIT_OK


def add_commands(subparsers: Any) -> None:
    s = subparsers.add_parser(
        "guide",
        help="操作の手引きを印刷用のPDFで書き出す（画面の画像付き）",
        description="課の入力担当と中央の担当課のための操作の手引きを、A4のPDF（日本語フォント埋め込み）にします。",
    )
    s.add_argument("--out", required=True, help="出力するPDFファイル")
    s.add_argument("--font", help="埋め込む日本語TrueTypeフォント（.ttf / .ttc）。省略時は自動検出")
    s.set_defaults(func=cmd_guide)
