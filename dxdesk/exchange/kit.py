"""The kit workbook (central → section): issuing kits and the passphrase slips.

A kit carries, in its very hidden payload, the section's part of the plan as a ``dxdesk/dataset/1``
document (measures the section owns or shares, all their years, the plan's settings and option lists,
the organisation), the central CA certificate, and the section's credential — a fresh Ed25519 key and
certificate for the fiscal year — encrypted under a passphrase (``dxdesk.exchange.credentials``). It is
signed by the central CA itself. The visible sheets are a cover with instructions in Japanese and the
list of the section's measures with last year's values.

Issuing a kit issues a new credential, which revokes the section's previous one for that year; each
kit for a section and year gets the next version number. The passphrases are never stored: they go
on the printable slips (``dxdesk.exchange.slips``) and nowhere else.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dxdesk import __version__
from dxdesk.domain.fiscal import FiscalYear, fy_label, fy_short
from dxdesk.domain.rates import achievement_rate
from dxdesk.domain.sheet import MeasureSnapshot
from dxdesk.exchange.authority import Authority, ensure_ca, issue_credential
from dxdesk.exchange.certificates import cert_to_pem, format_fingerprint
from dxdesk.exchange.credentials import CredentialBundle, encrypt_credential, new_passphrase
from dxdesk.exchange.errors import ExchangeError
from dxdesk.exchange.layout import C, Form
from dxdesk.exchange.measure_sheet import cell_value
from dxdesk.exchange.signing import key_to_pem
from dxdesk.exchange.slips import Slip, write_passphrase_slips
from dxdesk.exchange.submission import JST, safe_file_name
from dxdesk.exchange.verify import KIND_KIT
from dxdesk.exchange.workbook import WorkbookBuilder
from dxdesk.store.database import Database
from dxdesk.store.dataset import export_dataset
from dxdesk.store.models import KitIssue, Measure, MeasureYear, Plan, utcnow
from dxdesk.store.queries import current_plan, section_names
from dxdesk.store.snapshot import measure_load_options, snapshot

__all__ = [
    "INSTRUCTIONS",
    "IssuedKit",
    "KitBatch",
    "issue_kit",
    "issue_kits",
    "kit_file_name",
    "sections_with_measures",
]

Progress = Callable[[int, int, str], None]

INSTRUCTIONS = (
    "【このファイルの使い方】\n"
    "1. dxdesk を起動し、最初の画面の「配布ファイルを開く」（2回目以降は「ファイル」メニューの"
    "「配布ファイルを取り込む」）を選びます。\n"
    "2. このファイルを選び、中央の担当課から届いた「パスワード通知書」のパスワード（16文字）を入力します。\n"
    "3. 取り込みが終わると、この課の施策の入力画面が開きます。入力を終えたら「提出ファイルを書き出す」で"
    "提出ファイルを作り、中央の担当課へ送ってください。\n"
    "・新しい版の配布ファイルを取り込んでも、入力済みの内容は消えません。\n"
    "・このファイルは dxdesk で電子署名されています。Excel で書き換えても取り込む内容は変わりません。"
    "パスワードはこのファイルには含まれていません。"
)


@dataclass(frozen=True)
class IssuedKit:
    path: Path
    section_code: str
    section_name: str
    version: int
    passphrase: str
    credential_serial: str
    payload_hash: str


@dataclass(frozen=True)
class KitBatch:
    kits: list[IssuedKit]
    slips_path: Path | None


def kit_file_name(fiscal_year: int, section_code: str, section_name: str, version: int) -> str:
    """「R08_S011_情報政策課_配布.xlsx」, later versions 「…_配布_第2版.xlsx」."""
    suffix = "" if version == 1 else f"_第{version}版"
    return (
        safe_file_name(f"{FiscalYear(fiscal_year).short2()}_{section_code}_{section_name}_配布{suffix}")
        + ".xlsx"
    )


def sections_with_measures(session: Session, plan: Plan, fiscal_year: int) -> list[str]:
    """Codes of the sections that own a measure in the year (the year's owner where it changed)."""
    owners = set(
        session.scalars(select(Measure.owner_section_code).where(Measure.plan_id == plan.id).distinct())
    )
    owners |= set(
        session.scalars(
            select(MeasureYear.section_code)
            .join(Measure, Measure.id == MeasureYear.measure_id)
            .where(
                Measure.plan_id == plan.id,
                MeasureYear.fiscal_year == fiscal_year,
                MeasureYear.section_code.is_not(None),
            )
            .distinct()
        )
    )
    owners.discard("")
    names = section_names(session, fiscal_year)
    order = {c: i for i, c in enumerate(names)}
    return sorted(owners, key=lambda c: (order.get(c, 1_000_000), c))


def _owned_snapshots(
    session: Session, plan: Plan, fiscal_year: int, section_code: str
) -> list[MeasureSnapshot]:
    year_owned = select(MeasureYear.measure_id).where(
        MeasureYear.fiscal_year == fiscal_year, MeasureYear.section_code == section_code
    )
    measures = session.scalars(
        select(Measure)
        .where(
            Measure.plan_id == plan.id,
            or_(Measure.owner_section_code == section_code, Measure.id.in_(year_owned)),
        )
        .order_by(Measure.sort_order, Measure.id)
        .options(*measure_load_options())  # type: ignore[arg-type]
    ).all()
    snaps = [snapshot(m, fiscal_year) for m in measures]
    return [s for s in snaps if s.owner_section_code == section_code]


def _draw_cover(book: WorkbookBuilder, info: dict[str, str], fiscal_year: int) -> None:
    f = Form(book, "表紙", [18.0, 22.0, 22.0, 22.0], header=("", "", fy_label(fiscal_year)))
    f.gap(20)
    f.title(f"{fy_label(fiscal_year)}　施策評価シート", bind="表題", height=36)
    f.title("配布ファイル", style="subtitle", height=24)
    f.gap(16)
    for label, key in (
        ("計画", "plan"),
        ("課所室", "section"),
        ("年度", "fiscal_year"),
        ("版", "version"),
        ("発行日時", "issued_at"),
        ("施策数", "measures"),
        ("発行元", "ca"),
        ("中央認証局の指紋", "fingerprint"),
    ):
        f.line(C(label, 1, "label"), C(info[key], 3, "value", label))
    f.gap(16)
    f.line(C(INSTRUCTIONS, 4, "notice"))


def _draw_list(
    book: WorkbookBuilder, snaps: Sequence[MeasureSnapshot], fiscal_year: int, section: str
) -> None:
    prev = fiscal_year - 1
    widths = [9.0, 28.0, 30.0, 7.0, 11.0, 11.0, 9.0, 11.0]
    f = Form(
        book,
        "施策一覧",
        widths,
        landscape=True,
        title_rows="1:2",
        header=(section, "施策一覧", fy_label(fiscal_year)),
    )
    f.title(
        f"{fy_label(fiscal_year)}　この課の施策と前年度（{fy_label(prev)}）の実績", bind="表題", height=28
    )
    heads = (
        "コード",
        "施策名",
        "指標",
        "単位",
        f"{fy_short(prev)} 目標",
        f"{fy_short(prev)} 実績",
        "達成率",
        f"{fy_short(fiscal_year)} 目標",
    )
    f.line(*(C(h, 1, "label") for h in heads), min_lines=2)
    for m in snaps:
        active = [i for i in m.indicators if i.active_in(fiscal_year) or i.active_in(prev)]
        if not active:
            f.line(
                C(m.code, 1, "center", f"{m.code} コード"),
                C(m.name, 1, "value", f"{m.code} 施策名"),
                C("（指標なし）", 6, "value"),
            )
            continue
        for k, ind in enumerate(active, start=1):
            y = ind.year(prev)
            rate = (
                ""
                if y.actual.is_blank
                else achievement_rate(ind.direction, ind.target_for(prev), y.actual, ind.baseline).display
            )
            tag = f"{m.code} 指標{k}"
            f.line(
                C(m.code if k == 1 else "", 1, "center", f"{m.code} コード" if k == 1 else None),
                C(m.name if k == 1 else "", 1, "value", f"{m.code} 施策名" if k == 1 else None),
                C(ind.name, 1, "value", f"{tag} 名称"),
                C(ind.unit, 1, "center", f"{tag} 単位"),
                C(cell_value(y.target), 1, "num", f"{tag} {fy_short(prev)} 目標"),
                C(cell_value(y.actual), 1, "num", f"{tag} {fy_short(prev)} 実績"),
                C(rate, 1, "num", f"{tag} 達成率"),
                C(cell_value(ind.target_for(fiscal_year)), 1, "num", f"{tag} {fy_short(fiscal_year)} 目標"),
            )
    f.gap(6)
    f.line(C(f"施策数 {len(snaps)}件", len(widths), "note"))


def issue_kit(
    session: Session,
    plan: Plan,
    fiscal_year: int,
    section_code: str,
    out_dir: Path,
    *,
    ca: Authority | None = None,
    passphrase: str | None = None,
    now: dt.datetime | None = None,
) -> IssuedKit:
    """Issue a credential and write the section's kit into ``out_dir``. The caller commits."""
    now = (now or utcnow()).replace(microsecond=0)
    ca = ca or ensure_ca(session, plan)
    names = section_names(session, fiscal_year)
    if section_code not in names:
        raise ExchangeError(f"課所室「{section_code}」は{fy_label(fiscal_year)}の組織にありません。")
    section_name = names[section_code]
    snaps = _owned_snapshots(session, plan, fiscal_year, section_code)
    if not snaps:
        raise ExchangeError(
            f"課所室「{section_code} {section_name}」には{fy_label(fiscal_year)}の施策がありません。"
        )
    issued = issue_credential(session, ca, plan, fiscal_year, section_code, section_name)
    passphrase = passphrase or new_passphrase()
    sealed = encrypt_credential(
        CredentialBundle(
            plan_code=plan.code,
            fiscal_year=fiscal_year,
            section_code=section_code,
            private_key_pem=key_to_pem(issued.key),
            certificate_pem=cert_to_pem(issued.certificate),
            ca_fingerprint=ca.fingerprint,
        ),
        passphrase,
    )
    version = 1 + int(
        session.scalar(
            select(func.max(KitIssue.version)).where(
                KitIssue.plan_code == plan.code,
                KitIssue.fiscal_year == fiscal_year,
                KitIssue.section_code == section_code,
            )
        )
        or 0
    )
    data = export_dataset(session, plan.code, section_codes=[section_code])
    payload: dict[str, Any] = {
        "app_version": __version__,
        "created_at": now.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "plan": {
            "code": plan.code,
            "name": plan.name,
            "municipality": plan.municipality,
            "version_label": plan.version_label,
        },
        "fiscal_year": fiscal_year,
        "section": {"code": section_code, "name": section_name},
        "version": version,
        "ca": {"name": ca.name, "fingerprint": ca.fingerprint},
        "credential": sealed,
        "credential_serial": issued.serial,
        "data": data,
    }
    book = WorkbookBuilder()
    _draw_cover(
        book,
        {
            "plan": plan.name,
            "section": f"{section_code}　{section_name}",
            "fiscal_year": fy_label(fiscal_year),
            "version": f"第{version}版",
            "issued_at": now.astimezone(JST).strftime("%Y年%m月%d日 %H:%M"),
            "measures": f"{len(snaps)}件",
            "ca": ca.name,
            "fingerprint": format_fingerprint(ca.fingerprint, 16),
        },
        fiscal_year,
    )
    _draw_list(book, snaps, fiscal_year, f"{section_code} {section_name}")
    name = kit_file_name(fiscal_year, section_code, section_name, version)
    path = Path(out_dir) / name
    _data, digest = book.finish(path, KIND_KIT, payload, ca.key, ca.certificate)
    session.add(
        KitIssue(
            plan_code=plan.code,
            fiscal_year=fiscal_year,
            section_code=section_code,
            version=version,
            credential_id=issued.credential_id,
            file_name=name,
            payload_hash=digest,
            issued_at=now,
        )
    )
    session.flush()
    return IssuedKit(path, section_code, section_name, version, passphrase, issued.serial, digest)


def issue_kits(
    db: Database,
    fiscal_year: int,
    out_dir: Path,
    *,
    section_codes: Sequence[str] | None = None,
    progress: Progress | None = None,
    slips: bool = True,
    now: dt.datetime | None = None,
) -> KitBatch:
    """Issue kits for the sections (default: every section with measures in the year) and write the
    passphrase slips beside them. Each kit is committed on its own: a failure keeps those done."""
    report = progress or (lambda _i, _n, _m: None)
    now = (now or utcnow()).replace(microsecond=0)
    with db.session(audit=False) as s:
        plan = current_plan(s)
        if plan is None:
            raise ExchangeError("計画が登録されていません。")
        codes = (
            list(section_codes) if section_codes is not None else sections_with_measures(s, plan, fiscal_year)
        )
        ca = ensure_ca(s, plan)
        plan_name, plan_id = plan.name, plan.id
    kits: list[IssuedKit] = []
    for i, code in enumerate(codes):
        report(i, len(codes) + 1, f"配布ファイルを作成しています（{i + 1}/{len(codes)}）{code}")
        with db.session(audit=False) as s:
            plan = s.get(Plan, plan_id)
            assert plan is not None
            kits.append(issue_kit(s, plan, fiscal_year, code, out_dir, ca=ca, now=now))
    slips_path = None
    if slips and kits:
        report(len(codes), len(codes) + 1, "パスワード通知書を作成しています")
        stamp = now.astimezone(JST).strftime("%Y%m%d-%H%M%S")
        name = f"{FiscalYear(fiscal_year).short2()}_パスワード通知書_{stamp}"
        slips_path = Path(out_dir) / (safe_file_name(name) + ".xlsx")
        write_passphrase_slips(
            slips_path,
            [Slip(k.section_code, k.section_name, k.passphrase, k.path.name, k.version) for k in kits],
            plan_name=plan_name,
            fiscal_year=fiscal_year,
            ca_fingerprint=ca.fingerprint,
            issued_at=now,
        )
    report(len(codes) + 1, len(codes) + 1, "完了しました")
    return KitBatch(kits, slips_path)
