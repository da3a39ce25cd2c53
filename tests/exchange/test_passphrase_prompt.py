"""The passphrase prompts of the application: asked once per session, checked by opening the key."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from dxdesk.exchange import credentials_store as cs
from dxdesk.exchange.credentials_store import protection
from dxdesk.store.database import open_database
from dxdesk.store.dataset import import_dataset
from dxdesk.store.models import CentralCA
from dxdesk.store.settings_store import set_setting
from dxdesk.store.synthetic import synthetic_dataset


@pytest.fixture
def typed(monkeypatch):
    """What the person types into the successive prompts (None: 「キャンセル」); records the labels."""
    import ui.passphrase_prompt

    answers: list[str | None] = []
    labels: list[str] = []

    def get_text(_parent, _title, label, _echo):
        labels.append(label)
        answer = answers.pop(0)
        return ("", False) if answer is None else (answer, True)

    monkeypatch.setattr(ui.passphrase_prompt.QInputDialog, "getText", get_text)
    monkeypatch.setattr(ui.passphrase_prompt.QMessageBox, "warning", lambda *_a: None)
    return answers, labels


def _central(tmp_path):
    db = open_database(tmp_path / "central.sqlite")
    with db.session(audit=False) as s:
        plan = import_dataset(s, synthetic_dataset(2, 2, seed=4))
        set_setting(s, "role", "central")
        set_setting(s, "plan_code", plan.code)
    return db


def test_choosing_the_office_passphrase_then_never_asked_again(
    tmp_path, fresh_session, typed, qapp, monkeypatch
):
    from ui.passphrase_prompt import unlock_ca

    answers, labels = typed
    db = _central(tmp_path)
    try:
        answers += ["short", "長崎県DX推進2026", "長崎県DX推進2025", "長崎県DX推進2026", "長崎県DX推進2026"]
        assert unlock_ca(None, db)
        assert "8文字以上" in labels[1] and "一致しませんでした" in labels[3]
        assert answers == []
        with db.session() as s:
            row = s.scalars(select(CentralCA)).one()
            assert protection(row.private_key_pem) == "passphrase"
        assert unlock_ca(None, db)  # the same session: no prompt
        assert len(labels) == 5

        monkeypatch.setattr(cs, "_CA_PASSPHRASE", [])  # the next session
        monkeypatch.setattr(cs, "_UNLOCKED", {})
        answers += ["長崎県DX推進2025", "長崎県DX推進2026"]
        assert unlock_ca(None, db)
        assert "パスワードが違います" in labels[-1]
        monkeypatch.setattr(cs, "_CA_PASSPHRASE", [])
        monkeypatch.setattr(cs, "_UNLOCKED", {})
        answers.append(None)
        assert not unlock_ca(None, db)  # cancelled: nothing is signed
    finally:
        db.dispose()


def test_the_section_is_asked_its_slip_passphrase_once(copy_world, fresh_session, typed, qapp):
    from ui.passphrase_prompt import unlock_section_key

    answers, labels = typed
    db = open_database(copy_world.section_db)
    try:
        answers += ["AAAA-BBBB-CCCC-DDDD", copy_world.kits["S001"].passphrase]
        assert unlock_section_key(None, db, 2026, "S001")
        assert "パスワード通知書" in labels[0] and "パスワードが違います" in labels[1]
        assert unlock_section_key(None, db, 2026, "S001")
        assert len(labels) == 2
    finally:
        db.dispose()


def test_a_demo_central_database_is_never_asked(tmp_path, fresh_session, typed, qapp):
    from ui.passphrase_prompt import unlock_ca

    db = _central(tmp_path)
    try:
        with db.session() as s:
            set_setting(s, "demo", "1")
        assert unlock_ca(None, db)
        assert typed[1] == []
    finally:
        db.dispose()
