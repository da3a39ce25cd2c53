"""The trust kept in a database: the central CA and issued credentials (central), the trusted CA and the
section's own credential (section), and :func:`load_trust` for verification.

The central CA is created on demand the first time a credential is issued. Re-issuing a section's
credential for a plan and fiscal year revokes the one issued before (``issued_credential.revoked_at``),
so a submission signed with the old key is rejected with 「この課の資格情報は失効しています」.
The CA's private key lives in the central database sealed under the central office's passphrase
(:mod:`dxdesk.exchange.credentials_store`); every signature with it — kits, the section certificates in
them, review workbooks — first unlocks it with that passphrase (given, remembered for the session,
``DXDESK_CA_PASSPHRASE``, or the published demo passphrase for a demo database).
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from dxdesk.exchange.certificates import (
    cert_from_pem,
    cert_to_pem,
    fingerprint,
    is_issued_by,
    issue_section_certificate,
    make_ca_certificate,
)
from dxdesk.exchange.credentials_store import (
    CA_PASSPHRASE_ENV,
    DEMO_CA_PASSPHRASE,
    MIN_CA_PASSPHRASE,
    SECTION_PASSPHRASE_ENV,
    KeyLockedError,
    normalize_ca_passphrase,
    open_key,
    protection,
    remember_ca_passphrase,
    remember_section_passphrase,
    remember_unlocked,
    seal_with_passphrase,
    session_ca_passphrase,
    session_section_passphrase,
    unlocked,
)
from dxdesk.exchange.errors import CredentialError, ExchangeError, PassphraseError
from dxdesk.exchange.signing import new_key
from dxdesk.exchange.verify import Trust
from dxdesk.store.database import Database
from dxdesk.store.models import (
    CentralCA,
    IssuedCredential,
    Plan,
    SectionCredential,
    TrustedCA,
    utcnow,
)
from dxdesk.store.queries import current_plan
from dxdesk.store.settings_store import get_setting

__all__ = [
    "Authority",
    "IssuedKey",
    "active_credential",
    "ca_state",
    "ensure_ca",
    "import_ca_certificate",
    "installation_ca_path",
    "installation_trust",
    "issue_credential",
    "load_ca_certificate",
    "load_trust",
    "section_key_state",
    "section_signing_key",
]


@dataclass(frozen=True)
class Authority:
    """The central CA, loaded: its row id, key and certificate."""

    id: int
    key: Ed25519PrivateKey
    certificate: x509.Certificate
    fingerprint: str
    name: str


@dataclass(frozen=True)
class IssuedKey:
    """A credential just issued (the private key exists only here and, encrypted, in the kit)."""

    credential_id: int
    key: Ed25519PrivateKey
    certificate: x509.Certificate
    serial: str
    fingerprint: str


CA_LOCKED = (
    "中央の認証局の鍵はパスワードで保護されています。署名するには中央のパスワードが必要です"
    f"（コマンドでは環境変数 {CA_PASSPHRASE_ENV} に設定してください）。"
)
CA_WRONG = (
    "中央の認証局のパスワードが違います。中央で決めたパスワードを確認してください"
    f"（コマンドでは環境変数 {CA_PASSPHRASE_ENV}）。"
)
CA_NEW = (
    f"中央の認証局を作成するには、中央のパスワード（{MIN_CA_PASSPHRASE}文字以上）を決めてください"
    f"（コマンドでは環境変数 {CA_PASSPHRASE_ENV} に設定します）。"
)


def _active_row(session: Session) -> CentralCA | None:
    return session.scalar(select(CentralCA).where(CentralCA.active.is_(True)).order_by(CentralCA.id.desc()))


def _candidates(session: Session, passphrase: str | None) -> list[str]:
    """Passphrases to try: the one given, else remembered this session, the environment, the demo one."""
    if passphrase:
        return [passphrase]
    out = [
        p
        for p in (session_ca_passphrase(), os.environ.get(CA_PASSPHRASE_ENV))
        if p and normalize_ca_passphrase(p)
    ]
    if get_setting(session, "demo") == "1":
        out.append(DEMO_CA_PASSPHRASE)
    return list(dict.fromkeys(out))


def _purpose(fp: str) -> str:
    return f"ca:{fp}"


def ca_state(session: Session) -> str:
    """``new`` (no CA yet, none can be made without a passphrase), ``locked`` (a passphrase is needed)
    or ``ready`` (signing works without asking)."""
    row = _active_row(session)
    if row is None:
        return "ready" if _candidates(session, None) else "new"
    try:
        _unlock(session, row, None)
    except (KeyLockedError, PassphraseError):
        return "locked"
    return "ready"


def _unlock(session: Session, row: CentralCA, passphrase: str | None) -> Ed25519PrivateKey:
    purpose = _purpose(row.fingerprint)
    if passphrase is None and (key := unlocked(purpose)) is not None:
        return key
    tried = False
    for candidate in _candidates(session, passphrase):
        tried = True
        try:
            key = open_key(row.private_key_pem, candidate, purpose=purpose)
        except PassphraseError:
            continue
        if candidate != DEMO_CA_PASSPHRASE:
            remember_ca_passphrase(candidate)
        remember_unlocked(purpose, key)
        return key
    if tried:
        raise PassphraseError(CA_WRONG)
    raise KeyLockedError(CA_LOCKED)


def ensure_ca(session: Session, plan: Plan | None = None, *, passphrase: str | None = None) -> Authority:
    """The active central CA with its key unlocked, created on first use (named after the
    municipality and sealed under the passphrase). Raises :class:`KeyLockedError` without a passphrase
    and :class:`PassphraseError` with a wrong one (both with what to do, in Japanese)."""
    row = _active_row(session)
    if row is None:
        candidates = _candidates(session, passphrase)
        if not candidates:
            raise KeyLockedError(CA_NEW)
        secret = candidates[0]
        if secret != DEMO_CA_PASSPHRASE and len(normalize_ca_passphrase(secret)) < MIN_CA_PASSPHRASE:
            raise PassphraseError(f"中央のパスワードは{MIN_CA_PASSPHRASE}文字以上にしてください。")
        municipality = (plan.municipality if plan else "") or "dxdesk"
        name = f"dxdesk 中央認証局（{municipality}）"
        key = new_key()
        cert = make_ca_certificate(key, name, municipality)
        fp = fingerprint(cert)
        row = CentralCA(
            name=name,
            fingerprint=fp,
            certificate_pem=cert_to_pem(cert),
            private_key_pem=seal_with_passphrase(key, secret, purpose=_purpose(fp)),
            active=True,
            created_at=utcnow(),
        )
        session.add(row)
        session.flush()
        if secret != DEMO_CA_PASSPHRASE:
            remember_ca_passphrase(secret)
        remember_unlocked(_purpose(fp), key)
    return Authority(
        id=row.id,
        key=_unlock(session, row, passphrase),
        certificate=cert_from_pem(row.certificate_pem),
        fingerprint=row.fingerprint,
        name=row.name,
    )


def issue_credential(
    session: Session,
    ca: Authority,
    plan: Plan,
    fiscal_year: int,
    section_code: str,
    section_name: str,
    *,
    now: dt.datetime | None = None,
) -> IssuedKey:
    """A new key and certificate for the section and year; earlier ones for the same are revoked.
    ``now``: the time of issue (default: the clock), for the records and the certificate alike."""
    now = now or utcnow()
    for old in session.scalars(
        select(IssuedCredential).where(
            IssuedCredential.plan_code == plan.code,
            IssuedCredential.fiscal_year == fiscal_year,
            IssuedCredential.section_code == section_code,
            IssuedCredential.revoked_at.is_(None),
        )
    ):
        old.revoked_at = now
        old.revoked_reason = "再発行"
    key = new_key()
    cert = issue_section_certificate(
        ca.key,
        ca.certificate,
        key.public_key(),
        plan_code=plan.code,
        fiscal_year=fiscal_year,
        section_code=section_code,
        section_name=section_name,
        organisation=plan.municipality,
        now=now,
    )
    row = IssuedCredential(
        ca_id=ca.id,
        plan_code=plan.code,
        fiscal_year=fiscal_year,
        section_code=section_code,
        serial=format(cert.serial_number, "x"),
        fingerprint=fingerprint(cert),
        certificate_pem=cert_to_pem(cert),
        issued_at=now,
        revoked_reason="",
    )
    session.add(row)
    session.flush()
    return IssuedKey(row.id, key, cert, row.serial, row.fingerprint)


def active_credential(
    session: Session, plan_code: str, fiscal_year: int, section_code: str
) -> SectionCredential:
    """This section's signing credential for the year; :class:`CredentialError` when there is none."""
    row = session.scalar(
        select(SectionCredential)
        .where(
            SectionCredential.plan_code == plan_code,
            SectionCredential.fiscal_year == fiscal_year,
            SectionCredential.section_code == section_code,
            SectionCredential.superseded_at.is_(None),
        )
        .order_by(SectionCredential.id.desc())
    )
    if row is None:
        raise CredentialError(
            "この年度の署名用の資格情報がありません。中央の担当課から届いた配布ファイルを取り込んでから書き出してください。"
        )
    return row


def load_trust(session: Session) -> Trust:
    """The trust of a database: its CA(s), the serials it knows are revoked, and its plan."""
    cas = [cert_from_pem(r.certificate_pem) for r in session.scalars(select(CentralCA))]
    cas += [cert_from_pem(r.certificate_pem) for r in session.scalars(select(TrustedCA))]
    revoked = set(
        session.scalars(select(IssuedCredential.serial).where(IssuedCredential.revoked_at.is_not(None)))
    )
    revoked |= set(
        session.scalars(select(SectionCredential.serial).where(SectionCredential.superseded_at.is_not(None)))
    )
    plan = current_plan(session)
    return Trust.of(cas, revoked, plan.code if plan else None)


SECTION_LOCKED = (
    "署名用の鍵はパスワードで保護されています。この課のパスワード通知書に印刷された16文字を入力してください"
    f"（コマンドでは環境変数 {SECTION_PASSPHRASE_ENV}）。"
)
SECTION_WRONG = (
    "パスワードが違います。この年度の配布ファイルと一緒に届いたパスワード通知書の16文字を入力してください。"
)
SECTION_MISSING = (
    "この課の署名用の鍵が保存されていません。中央から届いた配布ファイルを、"
    "パスワード通知書のパスワードでもう一度取り込んでください。"
)


def section_key_state(cred: SectionCredential) -> str:
    """``ready`` (signing works without asking), ``locked`` (the kit passphrase is needed) or
    ``missing`` (no key stored: import the kit again)."""
    try:
        section_signing_key(cred)
    except KeyLockedError:
        return "locked"
    except PassphraseError:  # a key of another Windows user cannot be opened by typing anything
        return "locked" if protection(cred.private_key_pem) == "passphrase" else "missing"
    except CredentialError:
        return "missing"
    return "ready"


def section_signing_key(cred: SectionCredential, passphrase: str | None = None) -> Ed25519PrivateKey:
    """The section's signing key, unlocked with DPAPI or the kit passphrase (the one given, else the one
    remembered this session, else ``DXDESK_PASSPHRASE``). Raises :class:`KeyLockedError` when the
    passphrase is needed, :class:`PassphraseError` when it is wrong, :class:`CredentialError` when no
    key is stored."""
    purpose = f"section:{cred.serial}"
    kind = protection(cred.private_key_pem)
    if kind == "none":
        raise CredentialError(SECTION_MISSING)
    if passphrase is None and (key := unlocked(purpose)) is not None:
        return key
    if kind != "passphrase":
        try:
            key = open_key(cred.private_key_pem, None, purpose=purpose)
        except ValueError as exc:
            raise CredentialError(SECTION_MISSING) from exc
        remember_unlocked(purpose, key)
        return key
    candidates = (
        [passphrase]
        if passphrase
        else [
            p for p in (session_section_passphrase(cred.serial), os.environ.get(SECTION_PASSPHRASE_ENV)) if p
        ]
    )
    for candidate in candidates:
        try:
            key = open_key(cred.private_key_pem, candidate, purpose=purpose)
        except PassphraseError:
            continue
        except ValueError as exc:
            raise CredentialError(SECTION_MISSING) from exc
        remember_section_passphrase(cred.serial, candidate)
        remember_unlocked(purpose, key)
        return key
    if candidates:
        raise PassphraseError(SECTION_WRONG)
    raise KeyLockedError(SECTION_LOCKED)


# --- the trust anchor of an installation ------------------------------------------------------------


def installation_ca_path() -> Path:
    """Where ``dxdesk import-ca`` keeps the central CA certificate this installation trusts."""
    from dxdesk.paths import data_dir

    return data_dir() / "trusted-ca.pem"


def load_ca_certificate(path: Path) -> x509.Certificate:
    """A central CA certificate from a PEM file exported by ``dxdesk export-ca``; :class:`ExchangeError`
    when the file is not one."""
    try:
        data = Path(path).read_bytes()[:65536]
        cert = cert_from_pem(data)
    except (OSError, ValueError) as exc:
        raise ExchangeError(
            f"「{Path(path).name}」は認証局の証明書ではありません（中央の dxdesk export-ca で書き出したファイルを指定してください）。"
        ) from exc
    try:
        ca = cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    except x509.ExtensionNotFound:
        ca = False
    if not ca or not is_issued_by(cert, cert):
        raise ExchangeError(
            f"「{Path(path).name}」は中央の認証局の証明書ではありません（課所室の証明書や別の種類の証明書です）。"
        )
    return cert


def import_ca_certificate(path: Path) -> x509.Certificate:
    """Make the CA certificate in ``path`` the trust anchor of this installation (replacing any)."""
    from dxdesk.files import write_bytes_atomic

    cert = load_ca_certificate(path)
    write_bytes_atomic(installation_ca_path(), cert_to_pem(cert).encode("ascii"))
    return cert


def database_trust(db: Database) -> Trust:
    """:func:`load_trust` of an open database, in a session of its own (for callers without one)."""
    with db.session() as s:
        return load_trust(s)


def installation_trust() -> tuple[Trust, str] | None:
    """The trust configured for this installation and where it comes from: the CA certificate imported
    with ``dxdesk import-ca`` if there is one, else the application's own database (the central office's
    CA in a central database, the CA proved by the kit passphrase in a section's). Never a database
    found beside a file. None when neither exists."""
    from dxdesk.paths import default_database_path
    from dxdesk.store.database import open_database

    imported = installation_ca_path()
    if imported.is_file():
        return Trust.of([load_ca_certificate(imported)]), str(imported)
    default = default_database_path()
    if not default.is_file():
        return None
    db = open_database(default)
    try:
        return database_trust(db), str(default)
    finally:
        db.dispose()
