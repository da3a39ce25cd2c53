"""The trust kept in a database: the central CA and issued credentials (central), the trusted CA and the
section's own credential (section), and :func:`load_trust` for verification.

The central CA is created on demand the first time a credential is issued. Re-issuing a section's
credential for a plan and fiscal year revokes the one issued before (``issued_credential.revoked_at``),
so a submission signed with the old key is rejected with 「この課の資格情報は失効しています」.
The CA's private key lives in the central database; protect that file as the office's key store.
"""

from __future__ import annotations

from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from dxdesk.exchange.certificates import (
    cert_from_pem,
    cert_to_pem,
    fingerprint,
    issue_section_certificate,
    make_ca_certificate,
)
from dxdesk.exchange.errors import CredentialError
from dxdesk.exchange.signing import key_from_pem, key_to_pem, new_key
from dxdesk.exchange.verify import Trust
from dxdesk.store.models import (
    CentralCA,
    IssuedCredential,
    Plan,
    SectionCredential,
    TrustedCA,
    utcnow,
)
from dxdesk.store.queries import current_plan

__all__ = [
    "Authority",
    "IssuedKey",
    "active_credential",
    "ensure_ca",
    "issue_credential",
    "load_trust",
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


def ensure_ca(session: Session, plan: Plan | None = None) -> Authority:
    """The active central CA, created on first use (named after the municipality)."""
    row = session.scalar(select(CentralCA).where(CentralCA.active.is_(True)).order_by(CentralCA.id.desc()))
    if row is None:
        municipality = (plan.municipality if plan else "") or "dxdesk"
        name = f"dxdesk 中央認証局（{municipality}）"
        key = new_key()
        cert = make_ca_certificate(key, name, municipality)
        row = CentralCA(
            name=name,
            fingerprint=fingerprint(cert),
            certificate_pem=cert_to_pem(cert),
            private_key_pem=key_to_pem(key),
            active=True,
            created_at=utcnow(),
        )
        session.add(row)
        session.flush()
    return Authority(
        id=row.id,
        key=key_from_pem(row.private_key_pem),
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
) -> IssuedKey:
    """A new key and certificate for the section and year; earlier ones for the same are revoked."""
    now = utcnow()
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
