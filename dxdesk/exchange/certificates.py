"""X.509 certificates: the central office's CA and the section certificates it issues.

A section certificate names the section code (CN), the plan (OU) and, in a dxdesk extension, the
plan code, fiscal year and section code as JSON — the verifier reads them from there rather than parsing
names. The extension's OID is under the UUID arc 2.25 (no registration needed). Keys are Ed25519.

Validity dates are deliberately generous and not checked against the clock at verification time: an
auditor re-verifies old submissions years later. Compromise is handled by revocation (re-issuing a
credential revokes the previous one; the central database knows which).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.x509.oid import NameOID

__all__ = [
    "DXDESK_OID",
    "SectionIdentity",
    "authority_label",
    "ca_name",
    "cert_from_pem",
    "cert_to_pem",
    "fingerprint",
    "format_fingerprint",
    "is_issued_by",
    "issue_section_certificate",
    "make_ca_certificate",
    "section_identity",
]

DXDESK_OID = x509.ObjectIdentifier("2.25.320215785133315138196270049692990026781")


@dataclass(frozen=True)
class SectionIdentity:
    """What a section certificate says about its holder."""

    plan_code: str
    fiscal_year: int
    section_code: str
    section_name: str
    serial: str  # hex
    fingerprint: str  # SHA-256 hex of the DER certificate


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def cert_to_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def cert_from_pem(pem: str | bytes) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem.encode("ascii") if isinstance(pem, str) else pem)


def fingerprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex()


def format_fingerprint(fp: str, groups: int = 8) -> str:
    """「3F2A 91C0 …」: the first ``groups`` groups of four, upper case, for covers and slips."""
    fp = fp.upper()
    return " ".join(fp[i : i + 4] for i in range(0, min(len(fp), groups * 4), 4))


def ca_name(cert: x509.Certificate) -> str:
    """The common name of a CA certificate (「dxdesk 中央認証局（デモ市）」)."""
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    value = names[0].value if names else ""
    return value if isinstance(value, str) and value else "（名前のない認証局）"


def authority_label(cert: x509.Certificate) -> str:
    """「dxdesk 中央認証局（デモ市） (SHA-256 3F2A 91C0 77AB 1C2D…)」: what a person compares with the slip."""
    return f"{ca_name(cert)} (SHA-256 {format_fingerprint(fingerprint(cert), 4)}…)"


def make_ca_certificate(key: Ed25519PrivateKey, name: str, organisation: str) -> x509.Certificate:
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, name[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, (organisation or "dxdesk")[:64]),
        ]
    )
    now = _now()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=365 * 30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, None)
    )


def issue_section_certificate(
    ca_key: Ed25519PrivateKey,
    ca_cert: x509.Certificate,
    public_key: Ed25519PublicKey,
    *,
    plan_code: str,
    fiscal_year: int,
    section_code: str,
    section_name: str,
    organisation: str,
    now: dt.datetime | None = None,
) -> x509.Certificate:
    """A section's certificate under the central CA, valid from a day before ``now`` (default: the
    clock) to the end of the fiscal year three years on."""
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COMMON_NAME, section_code[:64]),
            x509.NameAttribute(NameOID.ORGANIZATIONAL_UNIT_NAME, plan_code[:64]),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, (organisation or "dxdesk")[:64]),
        ]
    )
    identity = json.dumps(
        {"fy": fiscal_year, "plan": plan_code, "section": section_code, "section_name": section_name},
        ensure_ascii=False,
        sort_keys=True,
        separators=(",", ":"),
    ).encode("utf-8")
    now = now or _now()
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca_cert.subject)
        .public_key(public_key)
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(dt.datetime(fiscal_year + 4, 3, 31, tzinfo=dt.UTC))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=True,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=False,
                crl_sign=False,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False
        )
        .add_extension(x509.UnrecognizedExtension(DXDESK_OID, identity), critical=False)
        .sign(ca_key, None)
    )


def section_identity(cert: x509.Certificate) -> SectionIdentity | None:
    """The dxdesk identity in a section certificate, or None if it has none (not one of ours)."""
    try:
        ext = cert.extensions.get_extension_for_oid(DXDESK_OID)
    except x509.ExtensionNotFound:
        return None
    value = ext.value
    if not isinstance(value, x509.UnrecognizedExtension):
        return None
    try:
        data = json.loads(value.value.decode("utf-8"))
        return SectionIdentity(
            plan_code=str(data["plan"]),
            fiscal_year=int(data["fy"]),
            section_code=str(data["section"]),
            section_name=str(data.get("section_name", "")),
            serial=format(cert.serial_number, "x"),
            fingerprint=fingerprint(cert),
        )
    except (ValueError, KeyError, TypeError):
        return None


def is_issued_by(cert: x509.Certificate, ca_cert: x509.Certificate) -> bool:
    """True when ``ca_cert``'s key signed ``cert`` (and the issuer name matches)."""
    try:
        cert.verify_directly_issued_by(ca_cert)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True
