"""Passphrases, the encrypted credential, the central CA and section certificates."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from dxdesk.exchange.authority import active_credential, ensure_ca, issue_credential, load_trust
from dxdesk.exchange.certificates import is_issued_by, section_identity
from dxdesk.exchange.credentials import (
    CredentialBundle,
    decrypt_credential,
    encrypt_credential,
    new_passphrase,
    normalize_passphrase,
)
from dxdesk.exchange.errors import CredentialError, PassphraseError
from dxdesk.exchange.signing import key_to_pem, new_key
from dxdesk.store.dataset import import_dataset
from dxdesk.store.models import IssuedCredential
from dxdesk.store.synthetic import synthetic_dataset


def test_new_passphrases_are_grouped_and_unambiguous():
    seen = {new_passphrase() for _ in range(50)}
    assert len(seen) == 50
    for p in seen:
        assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}(-[2-9A-HJ-NP-Z]{4}){3}", p)


@pytest.mark.parametrize(
    "typed",
    [
        "K7QM-4XPT-9HWC-3RFD",
        "k7qm4xpt9hwc3rfd",
        "Ｋ７ＱＭ－４ＸＰＴ－９ＨＷＣ－３ＲＦＤ",
        " K7QM 4XPT　9HWC ー 3RFD ",
    ],
)
def test_typing_is_forgiving(typed):
    assert normalize_passphrase(typed) == "K7QM4XPT9HWC3RFD"


@pytest.mark.parametrize(
    ("typed", "words"),
    [
        ("", "入力してください"),
        ("K7QM-4XPT", "16文字"),
        ("K7QM-4XPT-9HWC-3RF0", "「0」"),
        ("K7QM-4XPT-9HWC-3RFI", "I・O"),
    ],
)
def test_bad_passphrases_say_what_is_wrong(typed, words):
    with pytest.raises(PassphraseError, match=words):
        normalize_passphrase(typed)


def _bundle(section="S001"):
    return CredentialBundle("p", 2026, section, "KEY", "CERT", "ab" * 32)


def test_credential_round_trip_and_wrong_passphrase():
    pw = new_passphrase()
    sealed = encrypt_credential(_bundle(), pw)
    assert (
        decrypt_credential(sealed, pw.lower(), plan_code="p", fiscal_year=2026, section_code="S001")
        == _bundle()
    )
    with pytest.raises(PassphraseError, match="パスワードが違います"):
        decrypt_credential(sealed, new_passphrase(), plan_code="p", fiscal_year=2026, section_code="S001")


def test_a_credential_cannot_be_moved_to_another_section_or_year():
    pw = new_passphrase()
    sealed = encrypt_credential(_bundle(), pw)
    for plan, fy, section in (("p", 2026, "S002"), ("p", 2027, "S001"), ("q", 2026, "S001")):
        with pytest.raises(PassphraseError):
            decrypt_credential(sealed, pw, plan_code=plan, fiscal_year=fy, section_code=section)


def test_absurd_kdf_parameters_are_refused():
    pw = new_passphrase()
    sealed = encrypt_credential(_bundle(), pw) | {"n": 2**24}
    with pytest.raises(PassphraseError, match="読み取れません"):
        decrypt_credential(sealed, pw, plan_code="p", fiscal_year=2026, section_code="S001")


def test_ca_is_created_once_and_certificates_name_the_section(db):
    with db.session(audit=False) as s:
        plan = import_dataset(s, synthetic_dataset(2, 1, seed=1))
        ca = ensure_ca(s, plan)
        assert ensure_ca(s, plan).fingerprint == ca.fingerprint
        issued = issue_credential(s, ca, plan, 2026, "S001", "電子申請推進課")
        ident = section_identity(issued.certificate)
        assert ident is not None
        assert (ident.plan_code, ident.fiscal_year, ident.section_code, ident.section_name) == (
            plan.code,
            2026,
            "S001",
            "電子申請推進課",
        )
        assert is_issued_by(issued.certificate, ca.certificate)
        assert ca.name == "dxdesk 中央認証局（合成市）"


def test_reissuing_revokes_the_previous_credential(db):
    with db.session(audit=False) as s:
        plan = import_dataset(s, synthetic_dataset(2, 1, seed=1))
        ca = ensure_ca(s, plan)
        first = issue_credential(s, ca, plan, 2026, "S001", "a")
        second = issue_credential(s, ca, plan, 2026, "S001", "a")
        other_year = issue_credential(s, ca, plan, 2027, "S001", "a")
    with db.session() as s:
        rows = {r.serial: r for r in s.scalars(select(IssuedCredential))}
        assert rows[first.serial].revoked_at is not None and rows[first.serial].revoked_reason == "再発行"
        assert rows[second.serial].revoked_at is None
        assert rows[other_year.serial].revoked_at is None
        trust = load_trust(s)
    assert first.serial in trust.revoked and second.serial not in trust.revoked
    assert trust.plan_code == plan.code and len(trust.cas) == 1


def test_no_credential_for_the_year_is_a_clear_message(db):
    with db.session() as s, pytest.raises(CredentialError, match="配布ファイルを取り込んでから"):
        active_credential(s, "p", 2026, "S001")


def test_keys_serialise():
    assert key_to_pem(new_key()).startswith("-----BEGIN PRIVATE KEY-----")
