"""Private keys at rest: sealed with Windows DPAPI or under a passphrase, never stored in plaintext.

Two keys live in databases: the central CA's key (central database) and a section's signing key
(section database). Both are stored as an armoured text block in their ``private_key_pem`` column:

``-----BEGIN DXDESK PASSPHRASE PRIVATE KEY-----``
    the PKCS#8 key encrypted with AES-256-GCM under a key derived from a passphrase with scrypt
    (N=2^15, r=8, p=1, random salt); the associated data names what the key is for (``ca:<fingerprint>``,
    ``section:<serial>``), so a sealed key cannot be moved to another row.
``-----BEGIN DXDESK DPAPI PRIVATE KEY-----``
    the PKCS#8 key protected with ``CryptProtectData`` for the current Windows user (no prompt; the
    same purpose string is the DPAPI entropy).

Which is used (docs/decisions.md):

- The central CA key is always under the central office's passphrase, asked once per session in the
  central window and read from ``DXDESK_CA_PASSPHRASE`` on the command line. A demo database
  (``app_setting.demo = 1``) uses the published demo passphrase :data:`DEMO_CA_PASSPHRASE` when no other
  is given.
- A section's key is sealed with DPAPI on Windows (the clerk is never asked); elsewhere, and when DPAPI
  fails, under the kit passphrase printed on the section's slip, asked once per session at the first
  export (``DXDESK_PASSPHRASE`` on the command line). Importing a kit remembers its passphrase for the
  session.

Unlocked keys and passphrases are kept only in this process's memory (:func:`forget_session_secrets`).
"""

from __future__ import annotations

import base64
import ctypes
import json
import os
import sys
import unicodedata
from typing import Any, Literal

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from dxdesk.exchange.errors import ExchangeError, PassphraseError

__all__ = [
    "CA_PASSPHRASE_ENV",
    "DEMO_CA_PASSPHRASE",
    "MIN_CA_PASSPHRASE",
    "SECTION_PASSPHRASE_ENV",
    "Dpapi",
    "KeyLockedError",
    "Protection",
    "dpapi_backend",
    "forget_session_secrets",
    "normalize_ca_passphrase",
    "open_key",
    "protection",
    "remember_ca_passphrase",
    "remember_section_passphrase",
    "seal_section_key",
    "seal_with_dpapi",
    "seal_with_passphrase",
    "session_ca_passphrase",
    "session_section_passphrase",
    "set_dpapi_backend",
]

CA_PASSPHRASE_ENV = "DXDESK_CA_PASSPHRASE"
SECTION_PASSPHRASE_ENV = "DXDESK_PASSPHRASE"
DEMO_CA_PASSPHRASE = "dxdesk-demo-ca"  # published (docs/decisions.md): demo data only
MIN_CA_PASSPHRASE = 8

_ARMOR_PASSPHRASE = "DXDESK PASSPHRASE PRIVATE KEY"
_ARMOR_DPAPI = "DXDESK DPAPI PRIVATE KEY"
_PLAIN_MARK = "-----BEGIN PRIVATE KEY-----"
_SCRYPT = {"n": 2**15, "r": 8, "p": 1}
_MAX_SCRYPT_N = 2**17

Protection = Literal["passphrase", "dpapi", "plain", "none"]


class KeyLockedError(ExchangeError):
    """The key is sealed under a passphrase and none was given (ask for it)."""


# --- session memory -------------------------------------------------------------------------------

_CA_PASSPHRASE: list[str] = []
_SECTION_PASSPHRASES: dict[str, str] = {}  # certificate serial → kit passphrase
_UNLOCKED: dict[str, Ed25519PrivateKey] = {}  # purpose → key opened in this process


def remember_ca_passphrase(passphrase: str) -> None:
    _CA_PASSPHRASE[:] = [passphrase]


def session_ca_passphrase() -> str | None:
    return _CA_PASSPHRASE[0] if _CA_PASSPHRASE else None


def remember_section_passphrase(serial: str, passphrase: str) -> None:
    _SECTION_PASSPHRASES[serial] = passphrase


def session_section_passphrase(serial: str) -> str | None:
    return _SECTION_PASSPHRASES.get(serial)


def remember_unlocked(purpose: str, key: Ed25519PrivateKey) -> None:
    _UNLOCKED[purpose] = key


def unlocked(purpose: str) -> Ed25519PrivateKey | None:
    return _UNLOCKED.get(purpose)


def forget_session_secrets() -> None:
    """Drop every passphrase and unlocked key this process holds."""
    _CA_PASSPHRASE.clear()
    _SECTION_PASSPHRASES.clear()
    _UNLOCKED.clear()


# --- DPAPI ----------------------------------------------------------------------------------------


class _DataBlob(ctypes.Structure):
    _fields_ = [("cbData", ctypes.c_uint32), ("pbData", ctypes.POINTER(ctypes.c_char))]


def _blob(data: bytes) -> tuple[_DataBlob, Any]:
    buf = ctypes.create_string_buffer(data, len(data))
    return _DataBlob(len(data), ctypes.cast(buf, ctypes.POINTER(ctypes.c_char))), buf


CRYPTPROTECT_UI_FORBIDDEN = 0x1


class Dpapi:
    """``CryptProtectData`` / ``CryptUnprotectData`` for the current user, through ctypes.

    ``crypt32`` and ``kernel32`` are the loaded DLLs (``ctypes.WinDLL``); tests pass stand-ins with the
    same functions."""

    def __init__(self, crypt32: Any, kernel32: Any):
        self.crypt32 = crypt32
        self.kernel32 = kernel32

    @classmethod
    def system(cls) -> Dpapi | None:
        if sys.platform != "win32":
            return None
        try:
            windll = ctypes.WinDLL  # type: ignore[attr-defined,unused-ignore]
            return cls(windll("crypt32", use_last_error=True), windll("kernel32", use_last_error=True))
        except OSError:
            return None

    def _call(self, func: Any, data: bytes, entropy: bytes) -> bytes:
        blob_in, keep_in = _blob(data)
        blob_entropy, keep_entropy = _blob(entropy)
        blob_out = _DataBlob()
        ok = func(
            ctypes.pointer(blob_in),
            None,
            ctypes.pointer(blob_entropy),
            None,
            None,
            CRYPTPROTECT_UI_FORBIDDEN,
            ctypes.pointer(blob_out),
        )
        del keep_in, keep_entropy
        if not ok:
            raise OSError("DPAPI call failed")
        try:
            return ctypes.string_at(blob_out.pbData, blob_out.cbData)
        finally:
            self.kernel32.LocalFree(blob_out.pbData)

    def protect(self, data: bytes, entropy: bytes) -> bytes:
        return self._call(self.crypt32.CryptProtectData, data, entropy)

    def unprotect(self, data: bytes, entropy: bytes) -> bytes:
        return self._call(self.crypt32.CryptUnprotectData, data, entropy)


_BACKEND: list[Dpapi | None] = []


def dpapi_backend() -> Dpapi | None:
    """The DPAPI of this machine (None off Windows), or the one set by :func:`set_dpapi_backend`."""
    if not _BACKEND:
        _BACKEND.append(Dpapi.system())
    return _BACKEND[0]


def set_dpapi_backend(backend: Dpapi | None) -> None:
    """Use ``backend`` for DPAPI from now on (tests: a stand-in; None: no DPAPI)."""
    _BACKEND[:] = [backend]


# --- sealing --------------------------------------------------------------------------------------


def _armor(label: str, body: dict[str, Any]) -> str:
    text = base64.b64encode(json.dumps(body, sort_keys=True).encode("utf-8")).decode("ascii")
    lines = [text[i : i + 64] for i in range(0, len(text), 64)]
    return "\n".join([f"-----BEGIN {label}-----", *lines, f"-----END {label}-----", ""])


def _unarmor(text: str, label: str) -> dict[str, Any]:
    head, tail = f"-----BEGIN {label}-----", f"-----END {label}-----"
    inner = text.strip()
    if not inner.startswith(head) or not inner.endswith(tail):
        raise ValueError("not a sealed key")
    body = "".join(inner[len(head) : -len(tail)].split())
    data = json.loads(base64.b64decode(body, validate=True).decode("utf-8"))
    if not isinstance(data, dict):
        raise ValueError("not a sealed key")
    return data


def _der(key: Ed25519PrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.DER, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _from_der(der: bytes) -> Ed25519PrivateKey:
    key = serialization.load_der_private_key(der, None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def normalize_ca_passphrase(text: str) -> str:
    """The office's passphrase as it is used: NFKC (full-width typing is the same), outer spaces off."""
    return unicodedata.normalize("NFKC", text or "").strip()


def _secret(passphrase: str) -> bytes:
    from dxdesk.exchange.credentials import normalize_passphrase

    try:  # a kit passphrase is typed forgivingly (hyphens, spaces, lower case)
        return normalize_passphrase(passphrase).encode("ascii")
    except PassphraseError:
        return normalize_ca_passphrase(passphrase).encode("utf-8")


def _b64(b: bytes) -> str:
    return base64.b64encode(b).decode("ascii")


def seal_with_passphrase(key: Ed25519PrivateKey, passphrase: str, *, purpose: str) -> str:
    if not _secret(passphrase):
        raise PassphraseError("パスワードを入力してください。")
    salt, nonce = os.urandom(16), os.urandom(12)
    derived = Scrypt(salt=salt, length=32, **_SCRYPT).derive(_secret(passphrase))
    ct = AESGCM(derived).encrypt(nonce, _der(key), purpose.encode("utf-8"))
    return _armor(
        _ARMOR_PASSPHRASE,
        {
            "alg": "scrypt+aes-256-gcm",
            **_SCRYPT,
            "salt": _b64(salt),
            "nonce": _b64(nonce),
            "ciphertext": _b64(ct),
        },
    )


def seal_with_dpapi(key: Ed25519PrivateKey, *, purpose: str, dpapi: Dpapi | None = None) -> str:
    backend = dpapi or dpapi_backend()
    if backend is None:
        raise OSError("DPAPI is not available")
    blob = backend.protect(_der(key), purpose.encode("utf-8"))
    return _armor(_ARMOR_DPAPI, {"alg": "dpapi-user", "blob": _b64(blob)})


def seal_section_key(key: Ed25519PrivateKey, passphrase: str | None, *, serial: str) -> str:
    """A section key sealed with DPAPI where there is one, else under the kit passphrase."""
    purpose = f"section:{serial}"
    if dpapi_backend() is not None:
        try:
            return seal_with_dpapi(key, purpose=purpose)
        except OSError:
            pass  # a roaming profile without its master key, a locked-down machine: use the passphrase
    if not passphrase:
        raise KeyLockedError("署名用の鍵を保護するパスワードがありません。")
    return seal_with_passphrase(key, passphrase, purpose=purpose)


def protection(text: str | None) -> Protection:
    """How a stored key is protected (``none``: no key stored)."""
    s = (text or "").strip()
    if not s:
        return "none"
    if s.startswith(f"-----BEGIN {_ARMOR_PASSPHRASE}-----"):
        return "passphrase"
    if s.startswith(f"-----BEGIN {_ARMOR_DPAPI}-----"):
        return "dpapi"
    return "plain"


def open_key(
    text: str, passphrase: str | None, *, purpose: str, dpapi: Dpapi | None = None
) -> Ed25519PrivateKey:
    """The key in ``text``. Raises :class:`KeyLockedError` when a passphrase is needed and none was
    given, :class:`PassphraseError` when it is wrong, ``ValueError`` when the text is not a key."""
    kind = protection(text)
    if kind == "plain":
        from dxdesk.exchange.signing import key_from_pem

        return key_from_pem(text)
    if kind == "dpapi":
        body = _unarmor(text, _ARMOR_DPAPI)
        backend = dpapi or dpapi_backend()
        if backend is None:
            raise PassphraseError(
                "この鍵は別のWindowsのユーザーで保護されているため、このコンピューターでは開けません。"
                "配布ファイルをもう一度取り込んでください。"
            )
        try:
            return _from_der(backend.unprotect(base64.b64decode(body["blob"]), purpose.encode("utf-8")))
        except OSError as exc:
            raise PassphraseError(
                "この鍵は別のWindowsのユーザーで保護されているため開けません。配布ファイルをもう一度取り込んでください。"
            ) from exc
    if kind == "none":
        raise ValueError("no key stored")
    body = _unarmor(text, _ARMOR_PASSPHRASE)
    if not passphrase:
        raise KeyLockedError("鍵を開くパスワードが必要です。")
    try:
        n, r, p = int(body["n"]), int(body["r"]), int(body["p"])
        if body.get("alg") != "scrypt+aes-256-gcm" or not (2 <= n <= _MAX_SCRYPT_N and r <= 16 and p <= 4):
            raise ValueError("unsupported parameters")
        salt, nonce = base64.b64decode(body["salt"]), base64.b64decode(body["nonce"])
        ct = base64.b64decode(body["ciphertext"])
    except (KeyError, TypeError, ValueError) as exc:
        raise ValueError("unreadable sealed key") from exc
    derived = Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(_secret(passphrase))
    try:
        der = AESGCM(derived).decrypt(nonce, ct, purpose.encode("utf-8"))
    except InvalidTag as exc:
        raise PassphraseError("パスワードが違います。") from exc
    return _from_der(der)
