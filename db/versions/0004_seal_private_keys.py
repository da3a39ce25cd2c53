"""Seal the private keys that earlier versions stored in plaintext — in the database and in its copies.

- ``central_ca.private_key_pem``: sealed under the central office's passphrase, taken from
  ``DXDESK_CA_PASSPHRASE`` (or, for a demo database, the published demo passphrase). Without one the
  upgrade stops with a message saying how to give it; nothing is changed (the upgrade is one
  transaction, and a copy of the file was taken before it).
- ``section_credential.private_key_pem`` of the credential in use: sealed with DPAPI on Windows, else
  under ``DXDESK_PASSPHRASE`` (the kit passphrase) when it is set; otherwise the key is erased and the
  next export asks to import the kit again, which puts it back. Keys of replaced credentials are erased
  (they never sign again).
- The same is done in the SQLite copies beside the file — the rotating backups (``backups/``) and the
  copies taken before upgrades (``<name>.before-*``), this upgrade's included — each compacted afterwards
  (VACUUM) so no page keeps the old text; in the database itself SQLite's ``secure_delete`` zeroes the
  replaced text. A copy restored later opens with its keys sealed.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-05 04:40:00
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger(__name__)

Rows = Callable[[str], list[tuple[Any, ...]]]
Run = Callable[[str, dict[str, Any]], None]


def _seal(rows: Rows, run: Run, *, ca_secret: str | None, tables: set[str] | None = None) -> int:
    """Seal (or erase) every plaintext key reachable through ``rows``/``run``; returns how many changed."""
    from dxdesk.exchange.credentials_store import (
        SECTION_PASSPHRASE_ENV,
        KeyLockedError,
        protection,
        seal_section_key,
        seal_with_passphrase,
    )
    from dxdesk.exchange.signing import key_from_pem
    from dxdesk.store.database import DatabaseError

    changed = 0
    if tables is None or "central_ca" in tables:
        for ca_id, fp, pem in rows("SELECT id, fingerprint, private_key_pem FROM central_ca"):
            if protection(pem) != "plain":
                continue
            if not ca_secret:
                raise DatabaseError(
                    "このデータベースの中央認証局の鍵を暗号化して保存し直す必要があります。"
                    "中央のパスワード（8文字以上）を環境変数 DXDESK_CA_PASSPHRASE に設定して、"
                    "「dxdesk init-db --db ファイル」を実行してから開いてください。"
                )
            sealed = seal_with_passphrase(key_from_pem(pem), ca_secret, purpose=f"ca:{fp}")
            run("UPDATE central_ca SET private_key_pem = :k WHERE id = :i", {"k": sealed, "i": ca_id})
            changed += 1
    if tables is None or "section_credential" in tables:
        for cred_id, serial, pem, superseded in rows(
            "SELECT id, serial, private_key_pem, superseded_at FROM section_credential"
        ):
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
            run(
                "UPDATE section_credential SET private_key_pem = :k WHERE id = :i",
                {"k": sealed, "i": cred_id},
            )
            changed += 1
    return changed


def _copies(db_file: Path) -> list[Path]:
    from dxdesk.store.backup import list_backups

    out = [b.path for b in list_backups(db_file)]
    out += sorted(p for p in db_file.parent.glob(f"{db_file.stem}.before-*{db_file.suffix}") if p.is_file())
    backups = db_file.parent / "backups"
    if backups.is_dir():
        out += sorted(p for p in backups.glob(f"{db_file.stem}.before-*{db_file.suffix}") if p.is_file())
    return list(dict.fromkeys(out))


def _seal_copy(path: Path, ca_secret: str | None) -> None:
    con = sqlite3.connect(str(path))
    try:

        def rows(sql: str) -> list[tuple[Any, ...]]:
            return con.execute(sql).fetchall()

        tables = {r[0] for r in rows("SELECT name FROM sqlite_master WHERE type = 'table'")}
        with con:
            changed = _seal(
                rows,
                lambda sql, params: con.execute(sql, params) and None,
                ca_secret=ca_secret,
                tables=tables,
            )
        if changed:
            con.execute("VACUUM")
            log.info("sealed %d plaintext key(s) in the copy %s", changed, path)
    finally:
        con.close()


def upgrade() -> None:
    from dxdesk.exchange.credentials_store import CA_PASSPHRASE_ENV, DEMO_CA_PASSPHRASE
    from dxdesk.store.database import DatabaseError

    conn = op.get_bind()
    demo = conn.execute(sa.text("SELECT value FROM app_setting WHERE key = 'demo'")).scalar() == "1"
    ca_secret = os.environ.get(CA_PASSPHRASE_ENV) or (DEMO_CA_PASSPHRASE if demo else None)

    def rows(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in conn.execute(sa.text(sql)).fetchall()]

    if conn.dialect.name == "sqlite":
        conn.execute(sa.text("PRAGMA secure_delete = ON"))  # the replaced text is zeroed, not left in a page
    _seal(rows, lambda sql, params: conn.execute(sa.text(sql), params) and None, ca_secret=ca_secret)

    database = conn.engine.url.database if conn.dialect.name == "sqlite" else None
    if database and database != ":memory:":
        for copy in _copies(Path(database)):
            try:
                _seal_copy(copy, ca_secret)
            except (sqlite3.Error, DatabaseError) as exc:  # a damaged copy, or no passphrase for it: say so
                log.warning("could not seal the keys in %s: %s", copy, exc)


def downgrade() -> None:
    # Sealed keys stay sealed: writing them back in plaintext is exactly what this revision removes.
    pass
