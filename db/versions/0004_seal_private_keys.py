"""Seal the private keys that earlier versions stored in plaintext.

- ``central_ca.private_key_pem``: sealed under the central office's passphrase, taken from
  ``DXDESK_CA_PASSPHRASE`` (or, for a demo database, the published demo passphrase). Without one the
  upgrade stops with a message saying how to give it; nothing is changed (the upgrade is one
  transaction, and a copy of the file was taken before it).
- ``section_credential.private_key_pem`` of the credential in use: sealed with DPAPI on Windows, else
  under ``DXDESK_PASSPHRASE`` (the kit passphrase) when it is set; otherwise
  the key is erased and the next export asks to import the kit again, which puts it back. Keys of
  replaced credentials are erased (they never sign again).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 04:40:00
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    from dxdesk.exchange.credentials_store import (
        CA_PASSPHRASE_ENV,
        DEMO_CA_PASSPHRASE,
        SECTION_PASSPHRASE_ENV,
        KeyLockedError,
        protection,
        seal_section_key,
        seal_with_passphrase,
    )
    from dxdesk.exchange.signing import key_from_pem
    from dxdesk.store.database import DatabaseError

    conn = op.get_bind()
    demo = conn.execute(sa.text("SELECT value FROM app_setting WHERE key = 'demo'")).scalar() == "1"

    for ca_id, fp, pem in conn.execute(
        sa.text("SELECT id, fingerprint, private_key_pem FROM central_ca")
    ).fetchall():
        if protection(pem) != "plain":
            continue
        secret = os.environ.get(CA_PASSPHRASE_ENV) or (DEMO_CA_PASSPHRASE if demo else "")
        if not secret:
            raise DatabaseError(
                "このデータベースの中央認証局の鍵を暗号化して保存し直す必要があります。"
                f"中央のパスワード（8文字以上）を環境変数 {CA_PASSPHRASE_ENV} に設定して、"
                "「dxdesk init-db --db ファイル」を実行してから開いてください。"
            )
        sealed = seal_with_passphrase(key_from_pem(pem), secret, purpose=f"ca:{fp}")
        conn.execute(
            sa.text("UPDATE central_ca SET private_key_pem = :k WHERE id = :i"), {"k": sealed, "i": ca_id}
        )

    for cred_id, serial, pem, superseded in conn.execute(
        sa.text("SELECT id, serial, private_key_pem, superseded_at FROM section_credential")
    ).fetchall():
        if protection(pem) != "plain":
            continue
        sealed = ""
        if superseded is None:
            try:
                sealed = seal_section_key(
                    key_from_pem(pem), os.environ.get(SECTION_PASSPHRASE_ENV), serial=serial
                )
            except KeyLockedError:
                sealed = ""  # no way to seal it here: erased; importing the kit again restores it
        conn.execute(
            sa.text("UPDATE section_credential SET private_key_pem = :k WHERE id = :i"),
            {"k": sealed, "i": cred_id},
        )


def downgrade() -> None:
    # Sealed keys stay sealed: writing them back in plaintext is exactly what this revision removes.
    pass
