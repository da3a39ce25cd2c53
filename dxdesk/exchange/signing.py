"""Ed25519 signatures over a domain-separated message: the kind string, a newline, the payload.

Binding the kind into the message means a signature made for a kit can never be replayed as a
submission (or a review workbook), even if the payload bytes were the same.
"""

from __future__ import annotations

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

__all__ = [
    "key_from_pem",
    "key_to_pem",
    "new_key",
    "sign",
    "signing_message",
    "verify_signature",
]


def new_key() -> Ed25519PrivateKey:
    return Ed25519PrivateKey.generate()


def key_to_pem(key: Ed25519PrivateKey) -> str:
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode("ascii")


def key_from_pem(pem: str | bytes) -> Ed25519PrivateKey:
    key = serialization.load_pem_private_key(pem.encode("ascii") if isinstance(pem, str) else pem, None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError("not an Ed25519 private key")
    return key


def signing_message(kind: str, payload: bytes) -> bytes:
    if "\n" in kind:
        raise ValueError("a kind string has no newline")
    return kind.encode("utf-8") + b"\n" + payload


def sign(key: Ed25519PrivateKey, kind: str, payload: bytes) -> bytes:
    return key.sign(signing_message(kind, payload))


def verify_signature(public_key: Ed25519PublicKey, kind: str, payload: bytes, signature: bytes) -> bool:
    try:
        public_key.verify(signature, signing_message(kind, payload))
    except InvalidSignature:
        return False
    return True
