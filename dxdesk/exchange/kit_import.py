"""Importing a kit into a section's database: verify, open the credential, create or update the plan.

Trust on first use, anchored on paper: the kit is signed by the central CA, and the credential inside
is encrypted under the passphrase printed on the slip; the encrypted credential names the CA's
fingerprint, so opening it with the right passphrase proves the CA. Later kits must come from the CA
the database already trusts.

Updating never touches what the section entered: for every fiscal year this database has a kit for,
the local sheet (stage, texts, grade, direction, milestones, perspective scores, sign-off), the
indicators' actuals and notes, and the costs of that year are kept; everything else — measures,
indicators, targets, baselines, history of other years, settings, organisation — comes from the kit.
A kit for a new fiscal year adds that year.

The section's signing key is stored sealed (``credentials_store.seal_section_key``: DPAPI on Windows,
else under the kit passphrase just typed, which is remembered for the session). Keys of credentials a
newer kit replaced are erased: they never sign again. Importing the same kit again puts back a key the
database lost (an upgrade that could not seal a plaintext key erases it).
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from dxdesk.domain.fiscal import fy_label
from dxdesk.exchange.certificates import (
    cert_from_pem,
    cert_to_pem,
    fingerprint,
    format_fingerprint,
    is_issued_by,
    section_identity,
)
from dxdesk.exchange.credentials import decrypt_credential
from dxdesk.exchange.credentials_store import protection, remember_section_passphrase, seal_section_key
from dxdesk.exchange.errors import KitImportError, ReasonCode, UnreadableWorkbook
from dxdesk.exchange.signing import key_from_pem, verify_signature
from dxdesk.exchange.submission import safe_file_name
from dxdesk.exchange.verify import KIND_KIT, KIND_LABELS, Verification, check_bindings
from dxdesk.exchange.workbook import SignedFile, read_signed
from dxdesk.store.database import Database, DatabaseError, open_database
from dxdesk.store.dataset import DatasetError, export_dataset, import_dataset
from dxdesk.store.models import KitImport, Plan, SectionCredential, TrustedCA, utcnow
from dxdesk.store.settings_store import get_setting, set_setting

__all__ = ["KitImportResult", "KitInfo", "import_kit", "merge_kit_data", "read_kit_info"]

Progress = Callable[[int, int, str], None]


@dataclass(frozen=True)
class KitInfo:
    """What a kit says about itself, before the passphrase (for the import dialog)."""

    path: Path
    plan_name: str
    section_code: str
    section_name: str
    fiscal_year: int
    version: int
    ca_fingerprint: str

    @property
    def summary(self) -> str:
        return f"{self.plan_name}\n{self.section_code}　{self.section_name}　{fy_label(self.fiscal_year)}　第{self.version}版"


@dataclass(frozen=True)
class KitImportResult:
    db_path: Path
    plan_code: str
    section_code: str
    section_name: str
    fiscal_year: int
    version: int
    created: bool  # a new database was made
    already: bool  # this very kit was imported before (nothing changed)
    warnings: list[str] = field(default_factory=list)


def _open_kit(path: Path) -> SignedFile:
    try:
        signed = read_signed(Path(path))
    except UnreadableWorkbook as exc:
        if exc.code in (ReasonCode.NOT_XLSX, ReasonCode.NOT_DXDESK):
            raise KitImportError(f"配布ファイルではありません。{exc}") from exc
        raise KitImportError(
            f"配布ファイルを読み込めません。{exc}。中央の担当課に再送を依頼してください。"
        ) from exc
    if signed.kind != KIND_KIT:
        signed.reader.close()
        what = KIND_LABELS.get(signed.kind, "dxdesk のファイル")
        raise KitImportError(
            f"配布ファイルではありません（{what}です）。中央の担当課から届いた配布ファイルを選んでください。"
        )
    return signed


def _kit_fields(signed: SignedFile) -> tuple[str, str, int, str, str, int]:
    p = signed.payload
    try:
        plan_code = str(p["plan"]["code"])
        plan_name = str(p["plan"].get("name", plan_code))
        fy = int(p["fiscal_year"])
        section_code = str(p["section"]["code"])
        section_name = str(p["section"].get("name", section_code))
        version = int(p["version"])
    except (KeyError, TypeError, ValueError) as exc:
        raise KitImportError(
            "配布ファイルが壊れています（内容が読み取れません）。中央の担当課に再送を依頼してください。"
        ) from exc
    return plan_code, plan_name, fy, section_code, section_name, version


def read_kit_info(path: Path) -> KitInfo:
    """The kit's cover data (unverified), for showing before the passphrase is asked."""
    signed = _open_kit(path)
    try:
        _plan, plan_name, fy, code, name, version = _kit_fields(signed)
        return KitInfo(Path(path), plan_name, code, name, fy, version, fingerprint(signed.certificate))
    finally:
        signed.reader.close()


def merge_kit_data(kit: dict[str, Any], local: dict[str, Any] | None, keep_years: set[int]) -> dict[str, Any]:
    """The kit's dataset with the section's own entries of ``keep_years`` put back (pure function)."""
    out = copy.deepcopy(kit)
    if not local or not keep_years:
        return out
    keep = {str(y) for y in keep_years}
    by_code = {m["code"]: m for m in local.get("measures", [])}
    for m in out.get("measures", []):
        lm = by_code.get(m["code"])
        if lm is None:
            continue
        years = m.setdefault("years", {})
        for y in keep:
            if lm.get("years", {}).get(y):  # a non-empty local sheet wins
                years[y] = lm["years"][y]
        local_inds = {str(i.get("code") or k + 1): i for k, i in enumerate(lm.get("indicators", []))}
        for k, ind in enumerate(m.get("indicators", [])):
            code = str(ind.get("code") or k + 1)
            ind["code"] = code
            li = local_inds.pop(code, None)
            if li is None:
                continue
            values = ind.setdefault("values", {})
            for y in keep:
                lv = li.get("values", {}).get(y) or {}
                cell = dict(values.get(y, {}))
                for key in ("actual", "note"):
                    if key in lv:
                        cell[key] = lv[key]
                    else:
                        cell.pop(key, None)
                if cell:
                    values[y] = cell
                else:
                    values.pop(y, None)
        for code, li in local_inds.items():  # dropped by the kit but holding entered actuals: keep
            if any((li.get("values", {}).get(y) or {}).get("actual") for y in keep):
                m.setdefault("indicators", []).append(dict(li, code=code))
        costs = m.setdefault("costs", {})
        for y in keep:
            if y in lm.get("costs", {}):
                costs[y] = lm["costs"][y]
        if any(str(it.get("fy")) in keep for it in lm.get("cost_items", [])):
            m["cost_items"] = [it for it in m.get("cost_items", []) if str(it.get("fy")) not in keep] + [
                it for it in lm.get("cost_items", []) if str(it.get("fy")) in keep
            ]
    return out


def _target_database(data_dir: Path, plan_code: str, section_code: str) -> Path:
    """``dxdesk.sqlite`` in the data folder, unless it already belongs to another plan or section."""
    default = Path(data_dir) / "dxdesk.sqlite"
    if not default.exists():
        return default
    try:
        db = open_database(default)
    except DatabaseError:
        return Path(data_dir) / (safe_file_name(f"dxdesk_{plan_code}_{section_code}") + ".sqlite")
    try:
        with db.session() as s:
            plan = get_setting(s, "plan_code")
            section = get_setting(s, "section_code")
            has_plan = s.scalar(select(Plan.id).limit(1)) is not None
    finally:
        db.dispose()
    if (not has_plan and section is None) or (plan in (None, plan_code) and section == section_code):
        return default
    return Path(data_dir) / (safe_file_name(f"dxdesk_{plan_code}_{section_code}") + ".sqlite")


def _check_signature(signed: SignedFile) -> x509.Certificate:
    ca = signed.certificate
    key = ca.public_key()
    if not isinstance(key, Ed25519PublicKey) or not verify_signature(
        key, signed.kind, signed.payload_bytes, signed.signature
    ):
        raise KitImportError(
            "配布ファイルの署名が一致しません（作成後に内容が変更されています）。中央の担当課に再送を依頼してください。"
        )
    if signed.payload.get("format") != KIND_KIT or (signed.payload.get("ca") or {}).get(
        "fingerprint"
    ) != fingerprint(ca):
        raise KitImportError(
            "配布ファイルの署名データが正しくありません。中央の担当課に再送を依頼してください。"
        )
    return ca


def import_kit(
    path: Path,
    passphrase: str,
    data_dir: Path,
    *,
    db_path: Path | None = None,
    progress: Progress | None = None,
) -> KitImportResult:
    """Verify the kit, open its credential with ``passphrase``, and create or update the section's
    database (``db_path``, or the data folder's database). Raises :class:`PassphraseError` for a wrong
    passphrase (ask again) and :class:`KitImportError` for anything else, with a Japanese message."""
    report = progress or (lambda _i, _n, _m: None)
    report(0, 4, "配布ファイルを確認しています")
    signed = _open_kit(Path(path))
    try:
        plan_code, _plan_name, fy, section_code, section_name, version = _kit_fields(signed)
        ca = _check_signature(signed)
        ca_fp = fingerprint(ca)
        check = Verification(signed.path)
        check_bindings(signed, check)
        warnings = [r.message for r in check.reasons]
    finally:
        signed.reader.close()

    report(1, 4, "パスワードを確認しています")
    bundle = decrypt_credential(
        signed.payload.get("credential") or {},
        passphrase,
        plan_code=plan_code,
        fiscal_year=fy,
        section_code=section_code,
    )
    if bundle.ca_fingerprint != ca_fp:
        raise KitImportError("配布ファイルの認証局が資格情報と一致しません。中央の担当課に確認してください。")
    cert = cert_from_pem(bundle.certificate_pem)
    ident = section_identity(cert)
    if (
        not is_issued_by(cert, ca)
        or ident is None
        or (ident.plan_code, ident.fiscal_year, ident.section_code)
        != (
            plan_code,
            fy,
            section_code,
        )
    ):
        raise KitImportError(
            "配布ファイルの資格情報がこの課・年度のものではありません。中央の担当課に確認してください。"
        )
    key = key_from_pem(bundle.private_key_pem)  # must load
    sealed_key = seal_section_key(key, passphrase, serial=ident.serial)
    remember_section_passphrase(ident.serial, passphrase)

    report(2, 4, "データベースを準備しています")
    target = (
        Path(db_path) if db_path is not None else _target_database(Path(data_dir), plan_code, section_code)
    )
    created = not target.exists()
    try:
        db = open_database(target)
    except DatabaseError as exc:
        raise KitImportError(f"取り込み先のデータベースを開けません。{exc}") from exc
    try:
        report(3, 4, "計画と過年度のデータを取り込んでいます")
        already = _apply(
            db,
            signed,
            plan_code,
            fy,
            section_code,
            version,
            ca,
            bundle.certificate_pem,
            sealed_key,
            ident.serial,
            Path(path).name,
        )
    finally:
        db.dispose()
    report(4, 4, "取り込みました")
    return KitImportResult(
        target, plan_code, section_code, section_name, fy, version, created, already, warnings
    )


def _apply(
    db: Database,
    signed: SignedFile,
    plan_code: str,
    fy: int,
    section_code: str,
    version: int,
    ca: x509.Certificate,
    cert_pem: str,
    key_pem: str,
    serial: str,
    file_name: str,
) -> bool:
    """Write the kit into the database in one transaction. Returns True if it was imported before."""
    ca_fp = fingerprint(ca)
    with db.session(audit=False) as s:
        _check_database(s, plan_code, section_code, ca_fp)
        imports = s.scalars(
            select(KitImport).where(KitImport.plan_code == plan_code, KitImport.section_code == section_code)
        ).all()
        same_year = [k for k in imports if k.fiscal_year == fy]
        newest = max(same_year, key=lambda k: k.version, default=None)
        if newest is not None and newest.version > version:
            raise KitImportError(
                f"より新しい配布ファイル（第{newest.version}版）を取り込み済みです。第{version}版は取り込めません。"
            )
        if newest is not None and newest.version == version:
            if newest.payload_hash == signed.hash:
                own = s.scalar(select(SectionCredential).where(SectionCredential.serial == serial))
                if (
                    own is not None
                    and own.superseded_at is None
                    and protection(own.private_key_pem) == "none"
                ):
                    own.private_key_pem = key_pem  # the key an upgrade had to erase comes back
                return True
            raise KitImportError(
                f"同じ版（第{version}版）の別の配布ファイルを取り込み済みです。中央の担当課に確認してください。"
            )
        keep_years = {k.fiscal_year for k in imports}
        local = None
        plan_row = s.scalar(select(Plan).where(Plan.code == plan_code))
        if plan_row is not None and keep_years:
            local = export_dataset(s, plan_code, years=keep_years)
        previous_fy = plan_row.current_fy if plan_row is not None else None
        data = merge_kit_data(signed.payload.get("data") or {}, local, keep_years)
        try:
            plan = import_dataset(s, data)
        except DatasetError as exc:
            raise KitImportError(
                f"配布ファイルの内容を取り込めません（{exc}）。中央の担当課に確認してください。"
            ) from exc
        plan.current_fy = max(fy, previous_fy or fy)
        if s.scalar(select(TrustedCA).where(TrustedCA.fingerprint == ca_fp)) is None:
            name = (signed.payload.get("ca") or {}).get("name") or "dxdesk 中央認証局"
            s.add(TrustedCA(fingerprint=ca_fp, name=str(name), certificate_pem=cert_to_pem(ca)))
        now = utcnow()
        for old in s.scalars(
            select(SectionCredential).where(
                SectionCredential.plan_code == plan_code,
                SectionCredential.fiscal_year == fy,
                SectionCredential.section_code == section_code,
                SectionCredential.superseded_at.is_(None),
            )
        ):
            old.superseded_at = now
            old.private_key_pem = ""  # a replaced key never signs again: do not keep it
        if s.scalar(select(SectionCredential).where(SectionCredential.serial == serial)) is None:
            s.add(
                SectionCredential(
                    plan_code=plan_code,
                    fiscal_year=fy,
                    section_code=section_code,
                    serial=serial,
                    fingerprint=fingerprint(cert_from_pem(cert_pem)),
                    certificate_pem=cert_pem,
                    private_key_pem=key_pem,
                    ca_fingerprint=ca_fp,
                    imported_at=now,
                )
            )
        created_at = str(signed.payload.get("created_at") or "")
        s.add(
            KitImport(
                plan_code=plan_code,
                fiscal_year=fy,
                section_code=section_code,
                version=version,
                payload_hash=signed.hash,
                file_name=file_name[:300],
                issued_at=_parse_time(created_at) or now,
                imported_at=now,
            )
        )
        set_setting(s, "role", "section")
        set_setting(s, "plan_code", plan_code)
        set_setting(s, "section_code", section_code)
    return False


def _check_database(s: Session, plan_code: str, section_code: str, ca_fp: str) -> None:
    role = get_setting(s, "role")
    if role == "central":
        raise KitImportError(
            "中央のデータベースには配布ファイルを取り込めません。課所室のデータベースを選んでください。"
        )
    own = get_setting(s, "section_code")
    if own is not None and own != section_code:
        raise KitImportError(
            f"このデータベースは課所室「{own}」のものです。課所室「{section_code}」の配布ファイルは取り込めません。"
        )
    plan = get_setting(s, "plan_code")
    if get_setting(s, "demo") == "1" or (plan is not None and plan != plan_code and own is not None):
        raise KitImportError(
            "このデータベースには別の計画が入っています。配布ファイルは新しいデータベースに取り込んでください。"
        )
    trusted = set(s.scalars(select(TrustedCA.fingerprint)))
    if trusted and ca_fp not in trusted:
        raise KitImportError(
            "この配布ファイルは、これまでと別の中央認証局で署名されています"
            f"（指紋 {format_fingerprint(ca_fp, 4)}）。中央の担当課に確認してください。"
        )


def _parse_time(text: str) -> dt.datetime | None:
    try:
        value = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return value if value.tzinfo is not None else None
