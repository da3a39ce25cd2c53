"""No private key at rest in plaintext: the CA key under the central office's passphrase, a section's key
with DPAPI (Windows, tested with a stand-in for crypt32) or under the kit passphrase; owner-only files;
the upgrade that seals the keys earlier versions stored in plaintext."""

from __future__ import annotations

import contextlib
import ctypes
import hashlib
import hmac
import shutil
import sqlite3
import stat
from collections.abc import Iterator
from itertools import cycle
from pathlib import Path

import pytest
from sqlalchemy import select

from dxdesk.cli import main
from dxdesk.exchange import credentials_store as cs
from dxdesk.exchange.authority import ensure_ca, section_signing_key
from dxdesk.exchange.credentials_store import Dpapi, KeyLockedError, open_key, protection, seal_with_dpapi
from dxdesk.exchange.errors import CredentialError, PassphraseError
from dxdesk.exchange.kit import issue_kits
from dxdesk.exchange.kit_import import import_kit
from dxdesk.exchange.signing import key_to_pem, new_key
from dxdesk.exchange.submission import export_submission
from dxdesk.store.backup import create_backup
from dxdesk.store.database import DatabaseError, open_database
from dxdesk.store.dataset import import_dataset
from dxdesk.store.models import CentralCA, SectionCredential
from dxdesk.store.settings_store import set_setting
from dxdesk.store.synthetic import synthetic_dataset

FY = 2026
PLAINTEXT = b"-----BEGIN PRIVATE KEY-----"
OFFICE = "中央のパスワード2026"


def forget(monkeypatch):
    """What a new session of the application starts with."""
    monkeypatch.setattr(cs, "_CA_PASSPHRASE", [])
    monkeypatch.setattr(cs, "_SECTION_PASSPHRASES", {})
    monkeypatch.setattr(cs, "_UNLOCKED", {})


# --- a stand-in for Windows' crypt32/kernel32 ------------------------------------------------------


class FakeWindowsUser:
    """CryptProtectData / CryptUnprotectData / LocalFree of one Windows user, called through the same
    ctypes DATA_BLOB structures as the real DLLs: the data is bound to the user's secret and to the
    entropy, and every buffer handed out must be freed."""

    def __init__(self, secret: bytes):
        self.secret = secret
        self.live: dict[int, ctypes.Array[ctypes.c_char]] = {}
        self.calls: list[int] = []

    @staticmethod
    def _read(p) -> bytes:
        blob = p.contents
        return ctypes.string_at(blob.pbData, blob.cbData)

    def _give(self, p, data: bytes) -> None:
        buf = ctypes.create_string_buffer(data, len(data))
        self.live[ctypes.addressof(buf)] = buf
        p.contents.cbData = len(data)
        p.contents.pbData = ctypes.cast(buf, ctypes.POINTER(ctypes.c_char))

    def _xor(self, data: bytes) -> bytes:
        return bytes(b ^ k for b, k in zip(data, cycle(self.secret), strict=False))

    def CryptProtectData(self, p_in, _descr, p_entropy, _res, _prompt, flags, p_out):
        self.calls.append(flags)
        data, entropy = self._read(p_in), self._read(p_entropy)
        mac = hmac.new(self.secret, entropy + data, hashlib.sha256).digest()
        self._give(p_out, mac + self._xor(data))
        return 1

    def CryptUnprotectData(self, p_in, _descr, p_entropy, _res, _prompt, flags, p_out):
        self.calls.append(flags)
        blob, entropy = self._read(p_in), self._read(p_entropy)
        data = self._xor(blob[32:])
        if not hmac.compare_digest(blob[:32], hmac.new(self.secret, entropy + data, hashlib.sha256).digest()):
            return 0
        self._give(p_out, data)
        return 1

    def LocalFree(self, pointer):
        address = ctypes.cast(pointer, ctypes.c_void_p).value
        assert address in self.live, "LocalFree of a buffer DPAPI did not hand out"
        del self.live[address]
        return 0


def windows_user(secret: bytes) -> tuple[Dpapi, FakeWindowsUser]:
    fake = FakeWindowsUser(secret)
    return Dpapi(fake, fake), fake


def test_dpapi_path_through_ctypes_with_a_stand_in():
    dpapi, fake = windows_user(b"user-S-1-5-21-1001")
    key = new_key()
    sealed = seal_with_dpapi(key, purpose="section:1a2b", dpapi=dpapi)
    assert protection(sealed) == "dpapi" and PLAINTEXT.decode() not in sealed
    opened = open_key(sealed, None, purpose="section:1a2b", dpapi=dpapi)
    assert key_to_pem(opened) == key_to_pem(key)
    assert fake.calls == [cs.CRYPTPROTECT_UI_FORBIDDEN] * 2  # never a Windows prompt
    assert fake.live == {}  # every output buffer was given back with LocalFree
    other_user, _ = windows_user(b"user-S-1-5-21-1002")
    with pytest.raises(PassphraseError, match="別のWindowsのユーザー"):
        open_key(sealed, None, purpose="section:1a2b", dpapi=other_user)
    with pytest.raises(PassphraseError):  # the entropy binds the key to its row
        open_key(sealed, None, purpose="section:9f9f", dpapi=dpapi)


def test_section_key_with_dpapi_never_asks(copy_world, tmp_path, fresh_session, monkeypatch):
    dpapi, fake = windows_user(b"clerk")
    monkeypatch.setattr(cs, "_BACKEND", [dpapi])
    kit = copy_world.kits["S002"]
    r = import_kit(kit.path, kit.passphrase, tmp_path / "data", db_path=tmp_path / "new" / "S002.sqlite")
    forget(monkeypatch)  # the next day: a new session, nothing typed
    db = open_database(r.db_path)
    try:
        with db.session() as s:
            cred = s.scalars(select(SectionCredential)).one()
            assert protection(cred.private_key_pem) == "dpapi"
        from dxdesk.exchange.demo import complete_for_submission

        with db.session(user="テスト") as s:
            complete_for_submission(s, FY, "S002", seed="t")
        out = export_submission(db, FY, "S002", "山田 太郎", "佐藤 一郎", tmp_path / "out")
    finally:
        db.dispose()
    assert out.path.is_file() and fake.live == {}
    assert PLAINTEXT not in r.db_path.read_bytes()


def test_section_key_under_the_kit_passphrase_without_dpapi(copy_world, fresh_session, monkeypatch, capsys):
    """Linux/macOS: asked once per session at the first export; the command line reads DXDESK_PASSPHRASE."""
    kit = copy_world.kits["S001"]
    db = open_database(copy_world.section_db)
    try:
        with db.session() as s:
            cred = s.scalars(select(SectionCredential).where(SectionCredential.superseded_at.is_(None))).one()
            assert protection(cred.private_key_pem) == "passphrase"
            with pytest.raises(KeyLockedError, match="パスワード通知書"):
                section_signing_key(cred)
            with pytest.raises(PassphraseError, match="パスワードが違います"):
                section_signing_key(cred, "AAAA-BBBB-CCCC-DDDD")
        out = copy_world.root / "out"
        with pytest.raises(KeyLockedError):
            export_submission(db, FY, "S001", "山田 太郎", "佐藤 一郎", out)
        first = export_submission(
            db, FY, "S001", "山田 太郎", "佐藤 一郎", out, passphrase=kit.passphrase.lower()
        )
        second = export_submission(
            db, FY, "S001", "山田 太郎", "佐藤 一郎", out
        )  # remembered: not asked again
        assert (first.revision + 1, second.path.is_file()) == (second.revision, True)
    finally:
        db.dispose()

    forget(monkeypatch)
    args = ["export-submission", "--db", str(copy_world.section_db), "--out", str(out)]
    args += ["--author", "山田 太郎", "--chief", "佐藤 一郎"]
    assert main(args) == 2
    assert "DXDESK_PASSPHRASE" in capsys.readouterr().err
    monkeypatch.setenv("DXDESK_PASSPHRASE", "AAAA-BBBB-CCCC-DDDD")
    assert main(args) == 2
    assert "パスワードが違います" in capsys.readouterr().err
    monkeypatch.setenv("DXDESK_PASSPHRASE", kit.passphrase)
    assert main(args) == 0
    assert f"第{second.revision + 1}版" in capsys.readouterr().out


def _central(tmp_path: Path, *, demo: bool = False) -> Path:
    path = tmp_path / "central.sqlite"
    db = open_database(path)
    try:
        with db.session(audit=False) as s:
            plan = import_dataset(s, synthetic_dataset(2, 2, seed=3))
            set_setting(s, "role", "central")
            set_setting(s, "plan_code", plan.code)
            if demo:
                set_setting(s, "demo", "1")
    finally:
        db.dispose()
    return path


def test_the_ca_signs_only_with_the_office_passphrase(tmp_path, fresh_session, monkeypatch, capsys):
    central = _central(tmp_path)
    kits = tmp_path / "kits"
    args = ["issue-kits", "--db", str(central), "--out", str(kits)]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "中央のパスワード（8文字以上）を決めてください" in err and "DXDESK_CA_PASSPHRASE" in err
    monkeypatch.setenv("DXDESK_CA_PASSPHRASE", "short")
    assert main(args) == 2
    assert "8文字以上" in capsys.readouterr().err
    monkeypatch.setenv("DXDESK_CA_PASSPHRASE", OFFICE)
    assert main(args) == 0
    capsys.readouterr()
    slips = next(kits.glob("*パスワード通知書*"))
    assert stat.S_IMODE(slips.stat().st_mode) == 0o600
    assert stat.S_IMODE(central.stat().st_mode) == 0o600
    con = sqlite3.connect(central)
    (stored,) = con.execute("select private_key_pem from central_ca").fetchone()
    con.close()
    assert protection(stored) == "passphrase"

    forget(monkeypatch)  # another day, a colleague with the wrong passphrase
    monkeypatch.setenv("DXDESK_CA_PASSPHRASE", "中央のパスワード2025")
    assert main(args) == 2
    assert "中央の認証局のパスワードが違います" in capsys.readouterr().err
    monkeypatch.delenv("DXDESK_CA_PASSPHRASE")
    assert main(args) == 2
    assert "パスワードで保護されています" in capsys.readouterr().err
    monkeypatch.setenv("DXDESK_CA_PASSPHRASE", f"  {OFFICE}  ")  # typed with spaces around
    assert main(args) == 0


def test_a_demo_database_uses_the_published_demo_passphrase(tmp_path, fresh_session):
    central = open_database(_central(tmp_path, demo=True))
    try:
        batch = issue_kits(central, FY, tmp_path / "kits")
        with central.session() as s:
            row = s.scalars(select(CentralCA)).one()
            key = open_key(row.private_key_pem, cs.DEMO_CA_PASSPHRASE, purpose=f"ca:{row.fingerprint}")
            assert key_to_pem(key) == key_to_pem(ensure_ca(s).key)
    finally:
        central.dispose()
    assert len(batch.kits) == 2


def test_no_plaintext_key_in_databases_and_backups(world, tmp_path):
    for db_path in (world.central, world.section_db):
        assert PLAINTEXT not in db_path.read_bytes()
        backup = create_backup(db_path, tmp_path / "backups")
        assert PLAINTEXT not in backup.read_bytes()
        assert stat.S_IMODE(backup.stat().st_mode) == 0o600
    assert stat.S_IMODE(world.section_db.stat().st_mode) == 0o600


def test_a_replaced_section_key_is_erased(copy_world, tmp_path, fresh_session, monkeypatch):
    monkeypatch.setenv("DXDESK_CA_PASSPHRASE", "テスト用の中央パスワード")
    central = open_database(copy_world.central)
    try:
        batch = issue_kits(central, FY, tmp_path / "kits2", section_codes=["S001"])
    finally:
        central.dispose()
    (kit,) = batch.kits
    import_kit(kit.path, kit.passphrase, tmp_path, db_path=copy_world.section_db)
    con = sqlite3.connect(copy_world.section_db)
    rows = con.execute("select private_key_pem, superseded_at is not null from section_credential").fetchall()
    con.close()
    assert sorted((protection(k), old) for k, old in rows) == [("none", 1), ("passphrase", 0)]


# --- the upgrade from the version that stored keys in plaintext -------------------------------------


def _as_previous_release(path: Path, plaintext: dict[int, str], table: str) -> None:
    """Rewrite a database copy as the previous release left it: revision 0003, keys in plaintext (the
    revisions after 0004 undone with their own downgrades, so their columns are not there yet)."""
    from alembic import command
    from sqlalchemy import create_engine

    from dxdesk.store.migrate import alembic_config

    engine = create_engine(f"sqlite:///{path}")
    cfg = alembic_config()
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004")
    engine.dispose()
    con = sqlite3.connect(path)
    with con:
        con.execute("update alembic_version set version_num = '0003'")
        for row_id, pem in plaintext.items():
            con.execute(f"update {table} set private_key_pem = ? where id = ?", (pem, row_id))
    con.close()


def _plaintext_keys(path: Path, table: str, passphrase: str, purpose_of) -> dict[int, str]:
    con = sqlite3.connect(path)
    rows = con.execute(f"select * from {table}").fetchall()
    names = [d[0] for d in con.execute(f"select * from {table}").description]
    con.close()
    out = {}
    for row in rows:
        r = dict(zip(names, row, strict=True))
        out[r["id"]] = key_to_pem(open_key(r["private_key_pem"], passphrase, purpose=purpose_of(r)))
    return out


def test_upgrade_seals_the_ca_key_of_a_previous_release(world, tmp_path, fresh_session, monkeypatch):
    old = tmp_path / "central.sqlite"
    shutil.copyfile(world.central, old)
    keys = _plaintext_keys(old, "central_ca", "テスト用の中央パスワード", lambda r: f"ca:{r['fingerprint']}")
    _as_previous_release(old, keys, "central_ca")
    assert PLAINTEXT in old.read_bytes()
    kept = create_backup(old)  # an automatic backup the previous release made
    assert PLAINTEXT in kept.read_bytes()

    with pytest.raises(DatabaseError, match="DXDESK_CA_PASSPHRASE"):
        open_database(old)
    con = sqlite3.connect(old)  # refused: nothing changed, still the previous release's file
    assert con.execute("select version_num from alembic_version").fetchone() == ("0003",)
    assert (
        con.execute("select private_key_pem from central_ca").fetchone()[0].startswith("-----BEGIN PRIVATE")
    )
    con.close()

    monkeypatch.setenv("DXDESK_CA_PASSPHRASE", OFFICE)
    db = open_database(old)
    try:
        with db.session() as s:
            row = s.scalars(select(CentralCA)).one()
            assert protection(row.private_key_pem) == "passphrase"
            forget(monkeypatch)
            assert key_to_pem(ensure_ca(s).key) == keys[row.id]  # the same key, now under the passphrase
    finally:
        db.dispose()
    copies = [kept, *(p for p in tmp_path.iterdir() if p.name.startswith("central.before-0003-"))]
    assert len(copies) >= 2  # the backup, and the copy taken before this upgrade
    for path in (old, *copies):
        assert PLAINTEXT not in path.read_bytes(), path  # not even in a freed page
    con = sqlite3.connect(kept)  # a backup restored later holds the same key, sealed
    (stored,) = con.execute("select private_key_pem from central_ca").fetchone()
    con.close()
    fp = next(iter(world.trust.cas))
    assert key_to_pem(open_key(stored, OFFICE, purpose=f"ca:{fp}")) == next(iter(keys.values()))


@contextlib.contextmanager
def _section_credential(path: Path) -> Iterator[SectionCredential]:
    """The section database's one signing credential, read in a session that is closed afterwards."""
    db = open_database(path)
    try:
        with db.session() as s:
            yield s.scalars(select(SectionCredential)).one()
    finally:
        db.dispose()


def test_upgrade_of_a_section_database_without_dpapi(world, copy_world, tmp_path, fresh_session, monkeypatch):
    """No DPAPI and no DXDESK_PASSPHRASE: the key is erased, the export says to import the kit again,
    and importing the same kit puts it back."""
    old = copy_world.section_db
    kit = copy_world.kits["S001"]
    keys = _plaintext_keys(old, "section_credential", kit.passphrase, lambda r: f"section:{r['serial']}")
    _as_previous_release(old, keys, "section_credential")
    with _section_credential(old) as cred:
        assert protection(cred.private_key_pem) == "none"
        with pytest.raises(CredentialError, match="もう一度取り込んでください"):
            section_signing_key(cred)
    again = import_kit(kit.path, kit.passphrase, tmp_path, db_path=old)
    assert again.already
    with _section_credential(old) as cred:
        assert key_to_pem(section_signing_key(cred)) == keys[cred.id]


def test_upgrade_of_a_section_database_on_windows(copy_world, fresh_session, monkeypatch):
    dpapi, _fake = windows_user(b"clerk")
    monkeypatch.setattr(cs, "_BACKEND", [dpapi])
    old = copy_world.section_db
    kit = copy_world.kits["S001"]
    keys = _plaintext_keys(old, "section_credential", kit.passphrase, lambda r: f"section:{r['serial']}")
    _as_previous_release(old, keys, "section_credential")
    with _section_credential(old) as cred:
        assert protection(cred.private_key_pem) == "dpapi"
        assert key_to_pem(section_signing_key(cred)) == keys[cred.id]
