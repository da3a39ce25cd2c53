"""Command-line subcommands of the exchange: ``demo`` and ``verify`` (the contract of
docs/architecture.md), plus ``issue-kits``, ``import-kit``, ``export-submission``, ``export-ca`` and
``import-ca`` for batch use.

``dxdesk verify [--db URL | --ca FILE] FILE...`` prints one line per file, ``OK <file> <what it is>`` or
``NG <file> <reason>``, each ending with the authority it was checked against
(``認証局: <name> (SHA-256 <fingerprint>…)``), and exits 1 if any file is NG. The authority is the one
given (``--db``: a central or section database; ``--ca``: a CA certificate written by ``export-ca``), else
the one configured for this installation (``import-ca``, else the application's own database) — never a
database found beside the file.

The central CA key signs only with the office's passphrase: ``DXDESK_CA_PASSPHRASE`` (a demo database
uses the published demo passphrase). A section key kept under the kit passphrase (where there is no
DPAPI) is opened with ``DXDESK_PASSPHRASE`` or a prompt.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from dxdesk.cli_support import (
    EXIT_ACT,
    EXIT_OK,
    EXIT_USAGE,
    central_office,
    check_exists,
    desk,
    err,
    ng,
    open_existing,
    out,
    progress,
    section_desk,
)

__all__ = ["add_commands"]


def cmd_demo(args: argparse.Namespace) -> int:
    from dxdesk.exchange.demo import build_demo
    from dxdesk.exchange.errors import ExchangeError

    for name in ("sections", "measures_per_section"):
        value = getattr(args, name)
        if value is not None and not 1 <= value <= 2000:
            err(f"NG --{name.replace('_', '-')} は1〜2000で指定してください")
            return EXIT_USAGE
    try:
        s = build_demo(
            Path(args.dir),
            sections=args.sections,
            measures_per_section=args.measures_per_section,
            seed=args.seed,
            workers=args.workers,
            progress=progress(not args.quiet),
        )
    except ExchangeError as exc:
        ng(exc)
        return EXIT_USAGE
    out(f"OK 中央 {s.central}")
    out(
        f"OK 配布ファイル {len(s.kits)}件 {s.root / 'kits'}（パスワード通知書 {s.slips.name if s.slips else 'なし'}）"
    )
    out(f"OK 課所室のデータベース {len(s.sections)}件 {s.root / 'sections'}")
    out(f"OK 提出ファイル {len(s.submissions)}件 {s.root / 'submissions'}")
    t = s.timings
    out(
        f"時間 中央={t.get('central', 0):.1f}s 配布={t.get('kits', 0):.1f}s "
        f"課所室={t.get('sections', 0):.1f}s 合計={t.get('total', 0):.1f}s"
    )
    return EXIT_OK


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


def _authority(trust: Any, v: Any) -> str:
    """「認証局: name (SHA-256 …)」: the CA the file was checked against (the one that signed or issued
    its certificate; all configured ones when none did)."""
    from dxdesk.exchange.certificates import authority_label, fingerprint, is_issued_by

    cas = list(trust.cas.values())
    if not cas:
        return "認証局: 設定なし"
    used = None
    if v.signer is not None:
        fp = fingerprint(v.signer)
        used = trust.cas.get(fp) or next((ca for ca in cas if is_issued_by(v.signer, ca)), None)
    return "認証局: " + "、".join(authority_label(c) for c in ([used] if used is not None else cas))


def cmd_verify(args: argparse.Namespace) -> int:
    from dxdesk.exchange.authority import database_trust, installation_trust, load_ca_certificate
    from dxdesk.exchange.errors import ExchangeError, ReasonCode
    from dxdesk.exchange.reader import display_path
    from dxdesk.exchange.submission import check_submission_content
    from dxdesk.exchange.verify import Trust, Verification, verify_file
    from dxdesk.store.database import DatabaseError

    if args.db and args.ca:
        ng("--db と --ca は同時に指定できません")
        return EXIT_USAGE
    files = _files(args.files)
    if not files:
        ng("確認するファイルがありません")
        return EXIT_USAGE
    if args.db:
        check_exists(args.db)  # a mistyped --db is a message and exit 2, not a line per file
    trust = Trust()
    problem = ""
    try:
        if args.ca:
            trust = Trust.of([load_ca_certificate(Path(args.ca))])
        elif args.db:
            db = open_existing(args.db)
            try:
                trust = database_trust(db)
            finally:
                db.dispose()
        else:
            configured = installation_trust()
            if configured is None:
                problem = (
                    "照合する認証局が設定されていません（--db で中央のデータベースか --ca で認証局の証明書を"
                    "指定するか、dxdesk import-ca で登録してください）"
                )
            else:
                trust = configured[0]
    except (DatabaseError, ExchangeError) as exc:
        problem = f"照合する認証局を読み込めません（{exc}）"
    bad = 0
    for path in files:
        if problem:
            v = Verification(path)
            v.add(ReasonCode.NO_TRUST, problem)
        elif not path.exists():
            v = Verification(path)
            v.add(ReasonCode.CORRUPT, "ファイルがありません")
        else:
            v = verify_file(path, trust)
            check_submission_content(v)
        shown = display_path(path)
        if v.ok:
            out(f"OK {shown} {v.summary()} {_authority(trust, v)}")
        else:
            bad += 1
            out(f"NG {shown} {v.message} {_authority(trust, v)}")
    return EXIT_ACT if bad else EXIT_OK


def cmd_export_ca(args: argparse.Namespace) -> int:
    from dxdesk.exchange.certificates import authority_label, cert_from_pem, fingerprint, format_fingerprint
    from dxdesk.files import write_bytes_atomic

    with desk(args.db) as d:
        pem = d.ca_certificate_pem()
    if pem is None:
        ng("このデータベースには中央の認証局がありません（配布ファイルを作成すると作られます）")
        return EXIT_USAGE
    cert = cert_from_pem(pem)
    write_bytes_atomic(Path(args.out), cert.public_bytes(_pem_encoding()))
    out(f"OK {args.out} 認証局: {authority_label(cert)}")
    out(f"指紋 SHA-256 {format_fingerprint(fingerprint(cert), 16)}")
    return EXIT_OK


def _pem_encoding() -> Any:
    from cryptography.hazmat.primitives.serialization import Encoding

    return Encoding.PEM


def cmd_import_ca(args: argparse.Namespace) -> int:
    from dxdesk.exchange.authority import import_ca_certificate, installation_ca_path
    from dxdesk.exchange.certificates import authority_label, fingerprint, format_fingerprint
    from dxdesk.exchange.errors import ExchangeError

    try:
        cert = import_ca_certificate(Path(args.file))
    except ExchangeError as exc:
        ng(exc)
        return EXIT_USAGE
    out(f"OK {installation_ca_path()} 認証局: {authority_label(cert)}")
    out(
        f"指紋 SHA-256 {format_fingerprint(fingerprint(cert), 16)}（中央から届いた通知の指紋と同じか確かめてください）"
    )
    return 0


def cmd_issue_kits(args: argparse.Namespace) -> int:
    from dxdesk.domain.fiscal import parse_fiscal_year
    from dxdesk.exchange.errors import ExchangeError

    with central_office(args.db) as office:
        try:
            plan = office.plan_years()
            current = plan.declared_fy if plan else None
            fy = parse_fiscal_year(args.fy) if args.fy else current
            if fy is None:
                ng("年度がわかりません（--fy で指定してください）")
                return EXIT_USAGE
            batch = office.issue_kits(
                fy, Path(args.out), section_codes=args.section or None, progress=progress(True)
            )
        except ExchangeError as exc:
            ng(exc)
            return EXIT_USAGE
    for k in batch.kits:
        out(f"OK {k.path} 第{k.version}版")
    if batch.slips_path:
        out(f"OK {batch.slips_path}（パスワード通知書：印刷して各課に手渡し、ファイルは送らないでください）")
    return EXIT_OK


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
        ng(f"{args.file} {exc}")
        return EXIT_USAGE
    what = "取込済み（変更なし）" if r.already else ("新規作成" if r.created else "更新")
    out(f"OK {args.file} {r.section_code} {r.section_name} 第{r.version}版 → {r.db_path}（{what}）")
    for w in r.warnings:
        err(f"注意 {w}")
    return EXIT_OK


def cmd_export_submission(args: argparse.Namespace) -> int:
    from dxdesk.domain.fiscal import parse_fiscal_year
    from dxdesk.exchange.credentials_store import KeyLockedError
    from dxdesk.exchange.errors import ExchangeError, ExportBlocked

    with section_desk(args.db) as d:
        try:
            plan = d.plan_years()
            section = args.section or d.setting("section_code")
            fy_default = plan.declared_fy if plan else None
            fy = parse_fiscal_year(args.fy) if args.fy else fy_default
            if fy is None or not section:
                ng("年度と課所室がわかりません（--fy と --section で指定してください）")
                return EXIT_USAGE
            try:
                r = d.export_submission(fy, section, args.author, args.chief, Path(args.out))
            except KeyLockedError:
                if not sys.stdin.isatty():
                    raise
                passphrase = getpass.getpass("パスワード（パスワード通知書の16文字）：")
                r = d.export_submission(
                    fy, section, args.author, args.chief, Path(args.out), passphrase=passphrase
                )
        except ExportBlocked as exc:
            ng(exc)
            for f in exc.findings:
                err(f"エラー\t{f.measure_code}\t{f.check_id}\t{f.message}")
            return EXIT_ACT
        except ExchangeError as exc:
            ng(exc)
            return EXIT_USAGE
    out(f"OK {r.path} 第{r.revision}版 施策={r.measure_count}")
    return EXIT_OK


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
    s.add_argument(
        "--db",
        help="照合する中央（または課所室）のデータベース（省略時はこのコンピューターに設定された認証局）",
    )
    s.add_argument("--ca", help="照合する認証局の証明書（dxdesk export-ca で書き出したファイル）")
    s.set_defaults(func=cmd_verify)

    s = sub.add_parser(
        "export-ca", help="中央の認証局の証明書を書き出す（各課・監査人に配る。秘密鍵は含まない）"
    )
    s.add_argument("--db", required=True, help="中央のデータベース")
    s.add_argument("--out", required=True, help="書き出すファイル（.pem）")
    s.set_defaults(func=cmd_export_ca)

    s = sub.add_parser("import-ca", help="このコンピューターで verify が信頼する認証局の証明書を登録する")
    s.add_argument("file", help="dxdesk export-ca で書き出した証明書")
    s.set_defaults(func=cmd_import_ca)

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

    s = sub.add_parser(
        "export-submission",
        help="提出ファイルを書き出す（課所室。鍵がパスワードで保護されていれば DXDESK_PASSPHRASE か入力）",
    )
    s.add_argument("--db", required=True)
    s.add_argument("--out", required=True, help="出力先のフォルダ")
    s.add_argument("--author", required=True, help="作成者")
    s.add_argument("--chief", required=True, help="所属長確認（所属長の氏名）")
    s.add_argument("--fy", help="年度（省略時は計画の調査年度）")
    s.add_argument("--section", help="課所室コード（省略時はこのデータベースの課）")
    s.set_defaults(func=cmd_export_submission)
