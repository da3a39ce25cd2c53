"""Command-line subcommands of the exchange: ``demo`` and ``verify`` (the contract of
docs/architecture.md), plus ``issue-kits``, ``import-kit`` and ``export-submission`` for batch use.

``dxdesk verify FILE...`` prints one line per file, ``OK <file> <what it is>`` or ``NG <file> <reason>``,
and exits 1 if any file is NG. The central CA to trust comes from ``--db``; without it, from a
``central.sqlite`` in the file's folder or the two folders above it (the layout ``dxdesk demo`` writes),
else from the user's own database.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

__all__ = ["add_commands"]


def _out(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def _err(text: str) -> None:
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def _progress(verbose: bool) -> Any:
    last = [""]

    def report(_i: int, _n: int, message: str) -> None:
        if verbose and message != last[0]:
            _err(message)
            last[0] = message

    return report


def cmd_demo(args: argparse.Namespace) -> int:
    from dxdesk.exchange.demo import build_demo
    from dxdesk.exchange.errors import ExchangeError

    for name in ("sections", "measures_per_section"):
        value = getattr(args, name)
        if value is not None and not 1 <= value <= 2000:
            _err(f"NG --{name.replace('_', '-')} は1〜2000で指定してください")
            return 2
    try:
        s = build_demo(
            Path(args.dir),
            sections=args.sections,
            measures_per_section=args.measures_per_section,
            seed=args.seed,
            workers=args.workers,
            progress=_progress(not args.quiet),
        )
    except ExchangeError as exc:
        _err(f"NG {exc}")
        return 2
    _out(f"OK 中央 {s.central}")
    _out(
        f"OK 配布ファイル {len(s.kits)}件 {s.root / 'kits'}（パスワード通知書 {s.slips.name if s.slips else 'なし'}）"
    )
    _out(f"OK 課所室のデータベース {len(s.sections)}件 {s.root / 'sections'}")
    _out(f"OK 提出ファイル {len(s.submissions)}件 {s.root / 'submissions'}")
    t = s.timings
    _out(
        f"時間 中央={t.get('central', 0):.1f}s 配布={t.get('kits', 0):.1f}s "
        f"課所室={t.get('sections', 0):.1f}s 合計={t.get('total', 0):.1f}s"
    )
    return 0


def _discover_db(path: Path) -> Path | None:
    folder = path.resolve().parent
    for candidate in (folder, *list(folder.parents)[:2]):
        db = candidate / "central.sqlite"
        if db.is_file():
            return db
    from dxdesk.paths import default_database_path

    default = default_database_path()
    return default if default.is_file() else None


def _files(items: list[str]) -> list[Path]:
    out: list[Path] = []
    for item in items:
        p = Path(item)
        if p.is_dir():
            # every entry but sub-folders gets a line (a FIFO or a folder named x.xlsx is refused by name)
            out += sorted(
                x
                for x in p.iterdir()
                if not x.name.startswith((".", "~$")) and (x.suffix.lower() == ".xlsx" or not x.is_dir())
            )
        else:
            out.append(p)
    return out


def cmd_verify(args: argparse.Namespace) -> int:
    from dxdesk.exchange.authority import load_trust
    from dxdesk.exchange.errors import ReasonCode
    from dxdesk.exchange.reader import display_path
    from dxdesk.exchange.submission import check_submission_content
    from dxdesk.exchange.verify import Trust, Verification, verify_file
    from dxdesk.store.database import DatabaseError, open_database

    trusts: dict[str, Trust] = {}

    def trust_for(path: Path) -> Trust:
        source = args.db or _discover_db(path)
        if source is None:
            return Trust()
        key = str(source)
        if key not in trusts:
            db = open_database(source)
            try:
                with db.session() as s:
                    trusts[key] = load_trust(s)
            finally:
                db.dispose()
        return trusts[key]

    files = _files(args.files)
    if not files:
        _err("NG 確認するファイルがありません")
        return 2
    bad = 0
    for path in files:
        try:
            trust = trust_for(path)
        except DatabaseError as exc:
            v = Verification(path)
            v.add(ReasonCode.NO_TRUST, f"照合用のデータベースを開けません（{exc}）")
        else:
            if not path.exists():
                v = Verification(path)
                v.add(ReasonCode.CORRUPT, "ファイルがありません")
            else:
                v = verify_file(path, trust)
                check_submission_content(v)
        shown = display_path(path)
        if v.ok:
            _out(f"OK {shown} {v.summary()}")
        else:
            bad += 1
            _out(f"NG {shown} {v.message}")
    return 1 if bad else 0


def cmd_issue_kits(args: argparse.Namespace) -> int:
    from dxdesk.domain.fiscal import FiscalYearError, parse_fiscal_year
    from dxdesk.exchange.errors import ExchangeError
    from dxdesk.exchange.kit import issue_kits
    from dxdesk.store.database import open_database
    from dxdesk.store.queries import current_plan

    db = open_database(args.db)
    try:
        with db.session() as s:
            plan = current_plan(s)
            current = plan.current_fy if plan else None
        try:
            fy = parse_fiscal_year(args.fy) if args.fy else current
        except FiscalYearError as exc:
            _err(f"NG {exc}")
            return 2
        if fy is None:
            _err("NG 年度がわかりません（--fy で指定してください）")
            return 2
        batch = issue_kits(
            db, fy, Path(args.out), section_codes=args.section or None, progress=_progress(True)
        )
    except ExchangeError as exc:
        _err(f"NG {exc}")
        return 2
    finally:
        db.dispose()
    for k in batch.kits:
        _out(f"OK {k.path} 第{k.version}版")
    if batch.slips_path:
        _out(f"OK {batch.slips_path}（パスワード通知書：印刷して各課に手渡し、ファイルは送らないでください）")
    return 0


def cmd_import_kit(args: argparse.Namespace) -> int:
    from dxdesk.exchange.errors import ExchangeError
    from dxdesk.exchange.kit_import import import_kit
    from dxdesk.paths import data_dir

    passphrase = os.environ.get("DXDESK_PASSPHRASE") or getpass.getpass("パスワード：")
    try:
        r = import_kit(
            Path(args.file),
            passphrase,
            Path(args.data_dir) if args.data_dir else data_dir(),
            db_path=Path(args.db) if args.db else None,
        )
    except ExchangeError as exc:
        _err(f"NG {args.file} {exc}")
        return 2
    what = "取込済み（変更なし）" if r.already else ("新規作成" if r.created else "更新")
    _out(f"OK {args.file} {r.section_code} {r.section_name} 第{r.version}版 → {r.db_path}（{what}）")
    for w in r.warnings:
        _err(f"注意 {w}")
    return 0


def cmd_export_submission(args: argparse.Namespace) -> int:
    from dxdesk.domain.fiscal import FiscalYearError, parse_fiscal_year
    from dxdesk.exchange.errors import ExchangeError, ExportBlocked
    from dxdesk.exchange.submission import export_submission
    from dxdesk.store.database import open_database
    from dxdesk.store.queries import current_plan
    from dxdesk.store.settings_store import get_setting

    db = open_database(args.db)
    try:
        with db.session() as s:
            plan = current_plan(s)
            section = args.section or get_setting(s, "section_code")
            fy_default = plan.current_fy if plan else None
        try:
            fy = parse_fiscal_year(args.fy) if args.fy else fy_default
        except FiscalYearError as exc:
            _err(f"NG {exc}")
            return 2
        if fy is None or not section:
            _err("NG 年度と課所室がわかりません（--fy と --section で指定してください）")
            return 2
        r = export_submission(db, fy, section, args.author, args.chief, Path(args.out))
    except ExportBlocked as exc:
        _err(f"NG {exc}")
        for f in exc.findings:
            _err(f"エラー\t{f.measure_code}\t{f.check_id}\t{f.message}")
        return 1
    except ExchangeError as exc:
        _err(f"NG {exc}")
        return 2
    finally:
        db.dispose()
    _out(f"OK {r.path} 第{r.revision}版 施策={r.measure_count}")
    return 0


def add_commands(sub: Any) -> None:
    s = sub.add_parser(
        "demo", help="デモの一式（中央・配布ファイル・各課のデータベース・提出ファイル）を作成する"
    )
    s.add_argument("dir", help="作成先のフォルダ（空か、存在しないこと）")
    s.add_argument("--sections", type=int, help="合成データの課所室の数")
    s.add_argument("--measures-per-section", type=int, help="合成データの1課あたりの施策数")
    s.add_argument("--seed", type=int, help="合成データの乱数の種（同じ値なら同じデータ）")
    s.add_argument("--workers", type=int, help="並列に処理するプロセス数（省略時はCPU数）")
    s.add_argument("-q", "--quiet", action="store_true", help="進み具合を表示しない")
    s.set_defaults(func=cmd_demo)

    s = sub.add_parser("verify", help="署名付きのファイル（提出・配布・審査結果）を検証する")
    s.add_argument("files", nargs="+", metavar="FILE", help="ファイルまたはフォルダ")
    s.add_argument("--db", help="照合する中央のデータベース（省略時は central.sqlite を探す）")
    s.set_defaults(func=cmd_verify)

    s = sub.add_parser("issue-kits", help="配布ファイルとパスワード通知書を作成する（中央）")
    s.add_argument("--db", required=True)
    s.add_argument("--out", required=True, help="出力先のフォルダ")
    s.add_argument("--fy", help="年度（例：R8）。省略時は計画の調査年度")
    s.add_argument("--section", action="append", help="課所室コード（複数指定可。省略時は施策のある全課）")
    s.set_defaults(func=cmd_issue_kits)

    s = sub.add_parser(
        "import-kit", help="配布ファイルを取り込む（パスワードは入力を求めるか DXDESK_PASSPHRASE）"
    )
    s.add_argument("file")
    s.add_argument("--db", help="取り込み先のデータベース（省略時はデータフォルダ）")
    s.add_argument("--data-dir", help="データフォルダ")
    s.set_defaults(func=cmd_import_kit)

    s = sub.add_parser("export-submission", help="提出ファイルを書き出す（課所室）")
    s.add_argument("--db", required=True)
    s.add_argument("--out", required=True, help="出力先のフォルダ")
    s.add_argument("--author", required=True, help="作成者")
    s.add_argument("--chief", required=True, help="所属長確認（所属長の氏名）")
    s.add_argument("--fy", help="年度（省略時は計画の調査年度）")
    s.add_argument("--section", help="課所室コード（省略時はこのデータベースの課）")
    s.set_defaults(func=cmd_export_submission)
