"""``dxdesk print`` run as the central office's batch job runs it (a subprocess of the entry point)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.report.conftest import SAMPLES, pdf_pages, pdf_text, squeeze

pytestmark = pytest.mark.usefixtures("cli_workdir")  # nothing is ever written to the repository root


def dxdesk(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [sys.executable, "-m", "ui.launcher", *args],
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture
def sample_db(tmp_path: Path) -> Path:
    db = tmp_path / "tsukuba.sqlite"
    assert dxdesk("init-db", "--db", str(db)).returncode == 0  # only init-db / demo-db create a database
    out = dxdesk("load-dataset", "--db", str(db), str(SAMPLES / "tsukuba_management_sheet.json"))
    assert out.returncode == 0, out.stderr
    return db


def test_help_lists_print():
    out = dxdesk("print", "--help")
    assert out.returncode == 0
    for option in ("--db", "--out", "--section", "--measure", "--fy", "--font", "--kind"):
        assert option in out.stdout


def test_print_all_sheets(sample_db, tmp_path):
    pdf = tmp_path / "all.pdf"
    out = dxdesk("print", "--db", str(sample_db), "--out", str(pdf))
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith(f"OK {pdf} pages=")
    assert "sheets=3" in out.stdout
    assert pdf_pages(pdf) == int(out.stdout.split("pages=")[1].split()[0])


def test_print_one_measure_and_one_section(sample_db, tmp_path):
    pdf = tmp_path / "one.pdf"
    out = dxdesk("print", "--db", str(sample_db), "--out", str(pdf), "--measure", "098")
    assert out.returncode == 0, out.stderr
    text = squeeze(pdf_text(pdf))
    assert "業務改善推進事業" in text and "情報通信ネットワーク運営業務" not in text
    pdf2 = tmp_path / "section.pdf"
    out = dxdesk(
        "print", "--db", str(sample_db), "--out", str(pdf2), "--section", "S-JOHO", "--kind", "booklet"
    )
    assert out.returncode == 0, out.stderr
    assert "目次" in pdf_text(pdf2, 2, 2)


def test_bad_input_exits_2_with_a_japanese_message_and_writes_nothing(sample_db, tmp_path):
    pdf = tmp_path / "x.pdf"
    out = dxdesk("print", "--db", str(sample_db), "--out", str(pdf), "--section", "NOPE")
    assert out.returncode == 2
    assert "NOPE" in out.stderr and "登録されていません" in out.stderr
    out = dxdesk("print", "--db", str(sample_db), "--out", str(pdf), "--fy", "平成40年度")
    assert out.returncode == 2 and "存在しません" in out.stderr
    out = dxdesk("print", "--db", str(sample_db), "--out", str(tmp_path / "x.txt"))
    assert out.returncode == 2 and ".pdf" in out.stderr
    out = dxdesk("print", "--db", str(sample_db), "--out", str(pdf), "--font", str(tmp_path / "none.ttf"))
    assert out.returncode == 2 and "フォント" in out.stderr
    assert not pdf.exists()


def test_no_japanese_font_on_the_machine_is_a_clear_message(sample_db, tmp_path):
    pdf = tmp_path / "x.pdf"
    out = dxdesk(
        "print",
        "--db",
        str(sample_db),
        "--out",
        str(pdf),
        env={"DXDESK_PRINT_FONT": str(tmp_path / "gone.ttf")},
    )
    assert out.returncode == 2
    assert "gone.ttf" in out.stderr and "見つかりません" in out.stderr
    assert not pdf.exists()


def test_a_corrupt_database_is_refused(tmp_path):
    bad = tmp_path / "bad.sqlite"
    bad.write_bytes(b"this is not a database" * 50)
    out = dxdesk("print", "--db", str(bad), "--out", str(tmp_path / "x.pdf"))
    assert out.returncode == 2
    assert "データベース" in out.stderr or "dxdesk" in out.stderr
