"""Key/value settings kept in the database (``app_setting``): role, own section, last choices."""

from __future__ import annotations

from sqlalchemy.orm import Session

from dxdesk.store.models import AppSetting

__all__ = ["get_setting", "set_setting"]


def get_setting(session: Session, key: str, default: str | None = None) -> str | None:
    row = session.get(AppSetting, key)
    return row.value if row is not None else default


def set_setting(session: Session, key: str, value: str) -> None:
    row = session.get(AppSetting, key)
    if row is None:
        session.add(AppSetting(key=key, value=value))
    else:
        row.value = value
