"""Passphrases and the section credential travelling inside a kit, encrypted under the passphrase.

The central office prints one passphrase per section (a slip handed over on paper); the kit carries the
section's Ed25519 key and certificate encrypted with it. A passphrase is 16 symbols from an alphabet
without look-alikes (no 0/O, 1/I), about 80 bits, shown as ``K7QM-4XPT-9HWC-3RFD``. Typing is forgiving:
full-width characters, lower case, spaces and any kind of hyphen are accepted.

Encryption: scrypt (N=2^15, r=8, p=1) derives a 256-bit key from the passphrase and a random salt;
AES-256-GCM encrypts the credential, with the plan, fiscal year and section as associated data so a
credential cannot be moved to another section's kit. The encrypted credential also names the CA's
fingerprint: opening it with the paper passphrase is what makes a section trust the CA of its first
kit.
"""

from __future__ import annotations

import base64
import json
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from dxdesk.exchange.errors import PassphraseError

__all__ = [
    "PASSPHRASE_ALPHABET",
    "CredentialBundle",
    "decrypt_credential",
    "encrypt_credential",
    "format_passphrase",
    "new_passphrase",
    "normalize_passphrase",
]

PASSPHRASE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
PASSPHRASE_LENGTH = 16
CREDENTIAL_FORMAT = "dxdesk/credential/1"
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}
_MAX_SCRYPT_N = 2**17  # a kit asking for more is refused (memory)
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ー－_]+")


@dataclass(frozen=True)
class CredentialBundle:
    """A section's signing credential as it travels (PEM texts) and what it is for."""

    plan_code: str
    fiscal_year: int
    section_code: str
    private_key_pem: str
    certificate_pem: str
    ca_fingerprint: str


def new_passphrase() -> str:
    """A fresh passphrase in display form (``XXXX-XXXX-XXXX-XXXX``)."""
    raw = "".join(secrets.choice(PASSPHRASE_ALPHABET) for _ in range(PASSPHRASE_LENGTH))
    return format_passphrase(raw)


def format_passphrase(raw: str) -> str:
    return "-".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def normalize_passphrase(text: str) -> str:
    """The 16 symbols of a typed passphrase; raises :class:`PassphraseError` with what to fix."""
    s = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or "")).upper()
    if not s:
        raise PassphraseError("パスワードを入力してください（通知書に印刷された16文字です）。")
    bad = sorted({c for c in s if c not in PASSPHRASE_ALPHABET})
    if bad:
        shown = "」「".join(bad[:3])
        hint = ""
        if any(c in "01IO" for c in bad):
            hint = "パスワードには数字の0・1と英字のI・Oは使われていません。"
        raise PassphraseError(
            f"パスワードに使われない文字「{shown}」が含まれています。{hint}通知書を確認してください。"
        )
    if len(s) != PASSPHRASE_LENGTH:
        raise PassphraseError(
            f"パスワードは{PASSPHRASE_LENGTH}文字です（入力は{len(s)}文字）。通知書のとおり入力してください。"
        )
    return s


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def _unb64(s: Any) -> bytes:
    return base64.b64decode(str(s), validate=True)


def _aad(plan_code: str, fiscal_year: int, section_code: str) -> bytes:
    return f"{CREDENTIAL_FORMAT}|{plan_code}|{fiscal_year}|{section_code}".encode()


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(
        normalize_passphrase(passphrase).encode("ascii")
    )


def encrypt_credential(bundle: CredentialBundle, passphrase: str) -> dict[str, Any]:
    """The encrypted credential as a JSON-ready dict (goes into the kit payload)."""
    salt, nonce = os.urandom(16), os.urandom(12)
    key = _derive(passphrase, salt, **_SCRYPT)
    plain = json.dumps(
        {
            "format": CREDENTIAL_FORMAT,
            "key": bundle.private_key_pem,
            "certificate": bundle.certificate_pem,
            "ca_fingerprint": bundle.ca_fingerprint,
        },
        sort_keys=True,
    ).encode("utf-8")
    aad = _aad(bundle.plan_code, bundle.fiscal_year, bundle.section_code)
    return {
        "alg": "scrypt+aes-256-gcm",
        **_SCRYPT,
        "salt": _b64(salt),
        "nonce": _b64(nonce),
        "ciphertext": _b64(AESGCM(key).encrypt(nonce, plain, aad)),
    }


def decrypt_credential(
    sealed: dict[str, Any], passphrase: str, *, plan_code: str, fiscal_year: int, section_code: str
) -> CredentialBundle:
    """Open the credential; :class:`PassphraseError` when the passphrase is wrong."""
    try:
        n, r, p = int(sealed["n"]), int(sealed["r"]), int(sealed["p"])
        if sealed.get("alg") != "scrypt+aes-256-gcm" or not (2 <= n <= _MAX_SCRYPT_N and r <= 16 and p <= 4):
            raise ValueError("unsupported parameters")
        salt, nonce, ct = _unb64(sealed["salt"]), _unb64(sealed["nonce"]), _unb64(sealed["ciphertext"])
    except (KeyError, TypeError, ValueError) as exc:
        raise PassphraseError(
            "配布ファイルの資格情報が読み取れません。中央の担当課に再発行を依頼してください。"
        ) from exc
    key = _derive(passphrase, salt, n, r, p)
    try:
        plain = AESGCM(key).decrypt(nonce, ct, _aad(plan_code, fiscal_year, section_code))
    except InvalidTag as exc:
        raise PassphraseError(
            "パスワードが違います。この課の通知書に印刷されたパスワードか確認して、もう一度入力してください。"
        ) from exc
    data = json.loads(plain.decode("utf-8"))
    return CredentialBundle(
        plan_code=plan_code,
        fiscal_year=fiscal_year,
        section_code=section_code,
        private_key_pem=data["key"],
        certificate_pem=data["certificate"],
        ca_fingerprint=data["ca_fingerprint"],
    )
