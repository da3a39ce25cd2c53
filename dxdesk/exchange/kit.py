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
from dxdesk.domain.fiscal import FiscalYear, fy_label
from dxdesk.domain.sheet import MeasureSnapshot
from dxdesk.exchange.authority import Authority, ensure_ca, issue_credential
from dxdesk.exchange.certificates import cert_from_pem, cert_to_pem, format_fingerprint
from dxdesk.exchange.credentials import CredentialBundle, encrypt_credential, new_passphrase
from dxdesk.exchange.errors import ExchangeError
from dxdesk.exchange.kit_sheets import draw_kit_cover, draw_kit_list
from dxdesk.exchange.parallel import map_in_processes
from dxdesk.exchange.signing import key_from_pem, key_to_pem
from dxdesk.exchange.slips import Slip, write_passphrase_slips
from dxdesk.exchange.submission import JST, safe_file_name
from dxdesk.exchange.verify import KIND_KIT
from dxdesk.exchange.workbook import WorkbookBuilder
from dxdesk.store.database import Database, make_private, open_database
from dxdesk.store.dataset import export_dataset
from dxdesk.store.models import KitIssue, Measure, MeasureYear, Plan, utcnow
from dxdesk.store.queries import current_plan, section_names
from dxdesk.store.snapshot import measure_load_options, snapshot

__all__ = [
    "IssuedKit",
    "KitBatch",
    "KitOrder",
    "build_kit_file",
    "issue_kit",
    "issue_kits",
    "kit_file_name",
    "owned_measures",
    "sections_with_measures",
]

Progress = Callable[[int, int, str], None]


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


def owned_measures(session: Session, plan: Plan, fiscal_year: int, section_code: str) -> list[Measure]:
    """The measures a section owns in a fiscal year (the year's owner where it changed), loaded for
    snapshots, in the plan's order."""
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

    def owner(m: Measure) -> str:
        my = next((y for y in m.years if y.fiscal_year == fiscal_year), None)
        return my.section_code if my is not None and my.section_code else m.owner_section_code

    return [m for m in measures if owner(m) == section_code]


def _owned_snapshots(
    session: Session, plan: Plan, fiscal_year: int, section_code: str
) -> list[MeasureSnapshot]:
    return [snapshot(m, fiscal_year) for m in owned_measures(session, plan, fiscal_year, section_code)]


@dataclass(frozen=True)
class KitOrder:
    """Everything needed to write one kit once the database work (credential, version) is done.

    Plain strings only, so that kits can be written in worker processes."""

    db_url: str
    plan_code: str
    fiscal_year: int
    section_code: str
    section_name: str
    version: int
    passphrase: str
    key_pem: str
    certificate_pem: str
    serial: str
    ca_key_pem: str
    ca_certificate_pem: str
    ca_name: str
    ca_fingerprint: str
    path: str
    created_at: str  # ISO 8601, UTC


def _order(
    session: Session,
    plan: Plan,
    fiscal_year: int,
    section_code: str,
    out_dir: Path,
    ca: Authority,
    passphrase: str | None,
    now: dt.datetime,
    db_url: str,
) -> tuple[KitOrder, int]:
    names = section_names(session, fiscal_year)
    if section_code not in names:
        raise ExchangeError(f"課所室「{section_code}」は{fy_label(fiscal_year)}の組織にありません。")
    section_name = names[section_code]
    issued = issue_credential(session, ca, plan, fiscal_year, section_code, section_name, now=now)
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
    order = KitOrder(
        db_url=db_url,
        plan_code=plan.code,
        fiscal_year=fiscal_year,
        section_code=section_code,
        section_name=section_name,
        version=version,
        passphrase=passphrase or new_passphrase(),
        key_pem=key_to_pem(issued.key),
        certificate_pem=cert_to_pem(issued.certificate),
        serial=issued.serial,
        ca_key_pem=key_to_pem(ca.key),
        ca_certificate_pem=cert_to_pem(ca.certificate),
        ca_name=ca.name,
        ca_fingerprint=ca.fingerprint,
        path=str(Path(out_dir) / kit_file_name(fiscal_year, section_code, section_name, version)),
        created_at=now.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
    )
    return order, issued.credential_id


def build_kit_file(session: Session, order: KitOrder) -> str:
    """Write the kit described by ``order`` (reads the plan, writes nothing to the database).
    Returns the payload hash. Raises :class:`ExchangeError` when the section has no measures."""
    plan = session.scalar(select(Plan).where(Plan.code == order.plan_code))
    if plan is None:
        raise ExchangeError(f"計画「{order.plan_code}」がありません。")
    fy, code = order.fiscal_year, order.section_code
    snaps = _owned_snapshots(session, plan, fy, code)
    if not snaps:
        raise ExchangeError(f"課所室「{code} {order.section_name}」には{fy_label(fy)}の施策がありません。")
    sealed = encrypt_credential(
        CredentialBundle(
            plan_code=plan.code,
            fiscal_year=fy,
            section_code=code,
            private_key_pem=order.key_pem,
            certificate_pem=order.certificate_pem,
            ca_fingerprint=order.ca_fingerprint,
        ),
        order.passphrase,
    )
    payload: dict[str, Any] = {
        "app_version": __version__,
        "created_at": order.created_at,
        "plan": {
            "code": plan.code,
            "name": plan.name,
            "municipality": plan.municipality,
            "version_label": plan.version_label,
        },
        "fiscal_year": fy,
        "section": {"code": code, "name": order.section_name},
        "version": order.version,
        "ca": {"name": order.ca_name, "fingerprint": order.ca_fingerprint},
        "credential": sealed,
        "credential_serial": order.serial,
        "data": export_dataset(session, plan.code, section_codes=[code]),
    }
    created = dt.datetime.fromisoformat(order.created_at.replace("Z", "+00:00"))
    book = WorkbookBuilder()
    draw_kit_cover(
        book,
        {
            "plan": plan.name,
            "section": f"{code}　{order.section_name}",
            "fiscal_year": fy_label(fy),
            "version": f"第{order.version}版",
            "issued_at": created.astimezone(JST).strftime("%Y年%m月%d日 %H:%M"),
            "measures": f"{len(snaps)}件",
            "ca": order.ca_name,
            "fingerprint": format_fingerprint(order.ca_fingerprint, 16),
        },
        fy,
    )
    draw_kit_list(book, snaps, fy, f"{code} {order.section_name}")
    _data, digest = book.finish(
        Path(order.path),
        KIND_KIT,
        payload,
        key_from_pem(order.ca_key_pem),
        cert_from_pem(order.ca_certificate_pem),
    )
    return digest


def _record(
    session: Session, order: KitOrder, credential_id: int, digest: str, now: dt.datetime
) -> IssuedKit:
    session.add(
        KitIssue(
            plan_code=order.plan_code,
            fiscal_year=order.fiscal_year,
            section_code=order.section_code,
            version=order.version,
            credential_id=credential_id,
            file_name=Path(order.path).name,
            payload_hash=digest,
            issued_at=now,
        )
    )
    return IssuedKit(
        Path(order.path),
        order.section_code,
        order.section_name,
        order.version,
        order.passphrase,
        order.serial,
        digest,
    )


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
    """Issue a credential and write the section's kit into ``out_dir``. The caller commits (and
    should delete the file if it rolls back)."""
    now = (now or utcnow()).replace(microsecond=0)
    ca = ca or ensure_ca(session, plan)
    order, credential_id = _order(session, plan, fiscal_year, section_code, out_dir, ca, passphrase, now, "")
    digest = build_kit_file(session, order)
    kit = _record(session, order, credential_id, digest, now)
    session.flush()
    return kit


_WORKER_DBS: dict[str, Database] = {}


def _build_in_worker(order: KitOrder) -> str:
    db = _WORKER_DBS.get(order.db_url)
    if db is None:
        db = _WORKER_DBS[order.db_url] = open_database(order.db_url, migrate=False)
    with db.session() as s:
        return build_kit_file(s, order)


def issue_kits(
    db: Database,
    fiscal_year: int,
    out_dir: Path,
    *,
    section_codes: Sequence[str] | None = None,
    progress: Progress | None = None,
    slips: bool = True,
    workers: int = 1,
    now: dt.datetime | None = None,
) -> KitBatch:
    """Issue kits for the sections (default: every section with measures in the year) and write the
    passphrase slips beside them.

    All or nothing: the credentials (revoking the previous ones) and the kit records are committed only
    when every kit file is written; on failure the files written so far are removed. With ``workers``
    > 1 the files are written by that many processes (the database must be a file or server, not
    in-memory)."""
    report = progress or (lambda _i, _n, _m: None)
    now = (now or utcnow()).replace(microsecond=0)
    written: list[Path] = []  # removed again if anything fails
    session = db.new_session(audit=False)
    try:
        plan = current_plan(session)
        if plan is None:
            raise ExchangeError("計画が登録されていません。")
        codes = (
            list(section_codes)
            if section_codes is not None
            else sections_with_measures(session, plan, fiscal_year)
        )
        if not codes:
            raise ExchangeError(f"{fy_label(fiscal_year)}に施策のある課所室がありません。")
        ca = ensure_ca(session, plan)
        session.commit()  # the CA exists from now on, whatever happens to the kits
        total = len(codes) + 1
        report(0, total, "資格情報を発行しています")
        orders = [_order(session, plan, fiscal_year, c, out_dir, ca, None, now, db.url) for c in codes]
        session.flush()
        written += [Path(o.path) for o, _ in orders]
        Path(out_dir).mkdir(parents=True, exist_ok=True)
        digests: list[str] = []
        if workers > 1 and db.path is not None:
            # the write transaction stays open here; the workers only read (SQLite WAL allows it)
            for i, digest in enumerate(map_in_processes(_build_in_worker, [o for o, _ in orders], workers)):
                digests.append(digest)
                report(i + 1, total, f"配布ファイルを作成しています（{i + 1}/{len(codes)}）")
        else:
            for i, (order, _cid) in enumerate(orders):
                report(i, total, f"配布ファイルを作成しています（{i + 1}/{len(codes)}）{order.section_code}")
                digests.append(build_kit_file(session, order))
        kits = [_record(session, o, cid, d, now) for (o, cid), d in zip(orders, digests, strict=True)]
        slips_path = None
        if slips:
            report(len(codes), total, "パスワード通知書を作成しています")
            stamp = now.astimezone(JST).strftime("%Y%m%d-%H%M%S")
            name = f"{FiscalYear(fiscal_year).short2()}_パスワード通知書_{stamp}"
            slips_path = Path(out_dir) / (safe_file_name(name) + ".xlsx")
            write_passphrase_slips(
                slips_path,
                [Slip(k.section_code, k.section_name, k.passphrase, k.path.name, k.version) for k in kits],
                plan_name=plan.name,
                fiscal_year=fiscal_year,
                ca_fingerprint=ca.fingerprint,
                issued_at=now,
            )
            make_private(slips_path, create=False)  # the passphrases: owner-only until printed
            written.append(slips_path)
        session.commit()
        report(total, total, "完了しました")
        return KitBatch(kits, slips_path)
    except BaseException:
        session.rollback()
        for p in written:
            p.unlink(missing_ok=True)
        raise
    finally:
        session.close()
