"""The passphrase prompts before a key signs: once per session, never again until the application ends.

- :func:`unlock_ca` before the central office signs (kits, review workbooks): asks the office's
  passphrase, or, when the database has no CA yet, asks to choose one (twice). A demo database and
  ``DXDESK_CA_PASSPHRASE`` need no prompt.
- :func:`unlock_section_key` before a section exports a submission, where its key is kept under the
  kit passphrase (no DPAPI): asks the 16 symbols of the passphrase slip.

What was typed is checked by opening the key and then remembered for the session by
``dxdesk.exchange.credentials_store``; nothing is written anywhere.
"""

from __future__ import annotations

from PySide6.QtWidgets import QInputDialog, QLineEdit, QMessageBox, QWidget

from dxdesk.desk import Database, Desk
from dxdesk.exchange.credentials_store import MIN_CA_PASSPHRASE, KeyLockedError, normalize_ca_passphrase
from dxdesk.exchange.errors import PassphraseError

__all__ = ["ask_secret", "unlock_ca", "unlock_section_key"]

TRIES = 5


def ask_secret(parent: QWidget | None, title: str, label: str) -> str | None:
    """A one-line password field; None when cancelled."""
    text, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Password)
    return text if ok else None


def _choose_ca_passphrase(parent: QWidget | None, db: Database) -> bool:
    title = "中央のパスワードを決める"
    note = ""
    for _ in range(TRIES):
        first = ask_secret(
            parent,
            title,
            f"{note}配布ファイルと審査結果ファイルに署名する中央の認証局を作ります。\n"
            f"認証局の鍵を守るパスワード（{MIN_CA_PASSPHRASE}文字以上）を決めてください。\n"
            "署名するたびに必要です。中央の担当者だけで共有し、紙に控えて保管してください。",
        )
        if first is None:
            return False
        if len(normalize_ca_passphrase(first)) < MIN_CA_PASSPHRASE:
            note = f"パスワードは{MIN_CA_PASSPHRASE}文字以上にしてください。\n\n"
            continue
        again = ask_secret(parent, title, "確認のため、同じパスワードをもう一度入力してください。")
        if again is None:
            return False
        if normalize_ca_passphrase(again) != normalize_ca_passphrase(first):
            note = "2回の入力が一致しませんでした。もう一度決めてください。\n\n"
            continue
        Desk(db).unlock_ca(first)
        return True
    return False


def unlock_ca(parent: QWidget | None, db: Database) -> bool:
    """True when the central CA can sign now (asking the passphrase if needed); False when cancelled."""
    state = Desk(db).ca_state()
    if state == "ready":
        return True
    if state == "new":
        return _choose_ca_passphrase(parent, db)
    note = ""
    for _ in range(TRIES):
        typed = ask_secret(
            parent,
            "中央のパスワード",
            f"{note}署名には中央の認証局のパスワードが必要です（この画面を閉じるまで覚えておきます）。",
        )
        if typed is None:
            return False
        try:
            Desk(db).unlock_ca(typed)
        except PassphraseError:
            note = "パスワードが違います。中央で決めたパスワードを確認してください。\n\n"
            continue
        return True
    QMessageBox.warning(parent, "中央のパスワード", "パスワードが確認できませんでした。署名は行いません。")
    return False


def unlock_section_key(parent: QWidget | None, db: Database, fiscal_year: int, section_code: str) -> bool:
    """True when the section's key can sign now (asking the slip's passphrase if needed); False when
    cancelled. Without a credential it returns True and the export says what is missing."""
    desk = Desk(db)
    if not desk.section_key_locked(fiscal_year, section_code):
        return True
    note = ""
    for _ in range(TRIES):
        typed = ask_secret(
            parent,
            "署名用のパスワード",
            f"{note}提出ファイルに署名するため、この課のパスワード通知書に印刷された"
            "16文字のパスワードを入力してください（dxdesk を閉じるまで覚えておきます）。",
        )
        if typed is None:
            return False
        try:
            desk.unlock_section_key(fiscal_year, section_code, typed)
        except (PassphraseError, KeyLockedError) as exc:
            note = f"{exc}\n\n"
            continue
        return True
    return False
