"""Shared fixtures. GUI tests run offscreen; every test gets its own data folder."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# The central CA key is sealed under the office's passphrase: central databases the tests build outside
# the demo use this one (the tests of a missing or wrong passphrase remove it).
os.environ.setdefault("DXDESK_CA_PASSPHRASE", "テスト用の中央パスワード")

ROOT = Path(__file__).resolve().parent.parent


def one_measure_dataset(indicator: dict[str, Any], **measure: Any) -> dict[str, Any]:
    """A ``dxdesk/dataset/1`` plan 「計画」 (code p, survey year R8) with one section, 情報政策課, and one
    measure of it, 088 ネットワーク, with ``indicator`` and the other measure fields given."""
    return {
        "format": "dxdesk/dataset/1",
        "plan": {"code": "p", "name": "計画", "current_fy": 2026},
        "sections": [{"code": "S1", "name": "情報政策課"}],
        "measures": [
            {"code": "088", "name": "ネットワーク", "owner": "S1", "indicators": [indicator], **measure}
        ],
    }


@pytest.fixture(autouse=True)
def _isolated_data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    data = tmp_path / "userdata"
    monkeypatch.setenv("DXDESK_DATA_DIR", str(data))
    return data


@pytest.fixture
def db(tmp_path: Path):
    from dxdesk.store.database import open_database

    database = open_database(tmp_path / "test.sqlite")
    yield database
    database.dispose()


@pytest.fixture(scope="session")
def demo_dataset() -> dict:
    from dxdesk.store.demo import demo_dataset as load

    return load()


@pytest.fixture
def demo_db(tmp_path: Path):
    from dxdesk.store.demo import create_demo_database

    database = create_demo_database(tmp_path / "demo.sqlite")
    yield database
    database.dispose()


@pytest.fixture
def cli_workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Run in an empty working folder of the test's own, so a command given a relative or mistyped
    path can never leave a file at the repository root. Command-line test modules use it for every
    test (``pytestmark = pytest.mark.usefixtures("cli_workdir")``)."""
    work = tmp_path / "cwd"
    work.mkdir()
    monkeypatch.chdir(work)
    return work
