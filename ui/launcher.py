"""The ``dxdesk`` console entry point: the desktop application, or a headless subcommand.

``dxdesk`` (optionally ``--demo``, ``--central-demo``, ``--reset-demo``, ``--db PATH``) opens the application; anything else
(``dxdesk verify …``, ``dxdesk --help``) goes to :mod:`dxdesk.cli` without importing Qt, so batch jobs
on the central office's machine never load a GUI library. This module itself imports Qt only when
the application is opened.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

GUI_FLAGS = ("--demo", "--reset-demo", "--central-demo", "--db")


def _gui_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="dxdesk", description="dxdesk デスクトップアプリを開く")
    p.add_argument("--demo", action="store_true", help="デモデータ（デモ市）で開く")
    p.add_argument("--reset-demo", action="store_true", help="デモデータを初期状態に戻して開く")
    p.add_argument(
        "--central-demo",
        action="store_true",
        help="中央（計画の所管課）の画面をデモデータで開く（--reset-demo と一緒に指定すると作り直す）",
    )
    p.add_argument("--db", help="開くデータベース（SQLite のファイル、または postgresql+psycopg://… の URL）")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    if args and not any(a == f or a.startswith(f + "=") for a in args[:1] for f in GUI_FLAGS):
        from dxdesk.cli import main as cli_main

        return cli_main(args)
    opts = _gui_parser().parse_args(args)
    from ui.app import run

    return run(
        db_path=opts.db,
        demo=opts.demo or opts.reset_demo,
        reset_demo=opts.reset_demo,
        central_demo=opts.central_demo,
    )


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
