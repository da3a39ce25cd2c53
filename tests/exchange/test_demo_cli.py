"""`dxdesk demo` and `dxdesk verify`, run as the central office's batch jobs run them (subprocesses)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

pytestmark = pytest.mark.usefixtures("cli_workdir")  # nothing is ever written to the repository root

ROOT = Path(__file__).resolve().parents[2]


def dxdesk(*args: str, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ui.launcher", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture(scope="module")
def synthetic(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cli") / "scenario"
    out = dxdesk("demo", str(root), "--sections", "4", "--measures-per-section", "3", "--seed", "5", "-q")
    assert out.returncode == 0, out.stderr
    assert "OK 提出ファイル 4件" in out.stdout
    return root


def test_demo_layout(synthetic):
    assert (synthetic / "central.sqlite").is_file()
    kits = sorted(p.name for p in (synthetic / "kits").iterdir())
    assert [k for k in kits if k.endswith("_配布.xlsx")] == [
        f"R08_S00{i}_{n}_配布.xlsx"
        for i, n in zip(
            range(1, 5),
            ("電子申請推進課", "窓口推進課", "庁内ネットワーク推進課", "基幹系システム推進課"),
            strict=True,
        )
    ]
    assert any(k.startswith("R08_パスワード通知書_") for k in kits)
    assert sorted(p.name for p in (synthetic / "sections").iterdir()) == [
        f"S00{i}.sqlite" for i in range(1, 5)
    ]
    subs = sorted(p.name for p in (synthetic / "submissions").iterdir())
    assert len(subs) == 4 and all(s.endswith("_提出_第1版.xlsx") for s in subs)
    con = sqlite3.connect(synthetic / "central.sqlite")
    try:
        assert con.execute("select count(*) from central_ca").fetchone() == (1,)
        assert con.execute("select count(*) from issued_credential where revoked_at is null").fetchone() == (
            4,
        )
        assert con.execute("select value from app_setting where key='role'").fetchone() == ("central",)
    finally:
        con.close()


def test_verify_all_ok_exit_0(synthetic):
    central = str(synthetic / "central.sqlite")
    out = dxdesk("verify", "--db", central, *map(str, sorted((synthetic / "submissions").iterdir())))
    assert out.returncode == 0, out.stdout + out.stderr
    lines = out.stdout.splitlines()
    assert len(lines) == 4 and all(line.startswith("OK ") for line in lines)
    assert (
        "提出ファイル S001 電子申請推進課 令和8年度 第1版 認証局: dxdesk 中央認証局（合成市） (SHA-256 "
        in lines[0]
    )


def test_verify_reports_ng_with_reason_and_exit_1(synthetic, tmp_path):
    sub = sorted((synthetic / "submissions").iterdir())[0]
    edited = synthetic / "submissions" / "edited.xlsx"
    try:
        shutil.copyfile(sub, edited)
        wb = openpyxl.load_workbook(edited)
        wb["表紙"]["B9"] = "別の人"
        wb.save(edited)
        broken = tmp_path / "broken.xlsx"
        broken.write_bytes(b"not a workbook")
        out = dxdesk("verify", str(sub), str(edited), str(broken), "--db", str(synthetic / "central.sqlite"))
    finally:
        edited.unlink()
    assert out.returncode == 1
    ok, ng1, ng2 = out.stdout.splitlines()
    assert ok.startswith(f"OK {sub}")
    assert ng1.startswith(f"NG {edited} 表示セルが変更されています（表紙!B9：")
    assert ng2.startswith(
        f"NG {broken} dxdesk のファイルではありません（Excel ブック（.xlsx）ではありません） 認証局: "
    )


def test_verify_a_folder(synthetic):
    out = dxdesk("verify", "--db", str(synthetic / "central.sqlite"), str(synthetic / "submissions"))
    assert out.returncode == 0 and len(out.stdout.splitlines()) == 4


def test_section_databases_hold_complete_sheets(synthetic):
    out = dxdesk("check", "--db", str(synthetic / "sections" / "S002.sqlite"), "--section", "S002")
    assert out.returncode == 0, out.stdout
    assert "エラー=0" in out.stdout


def test_same_seed_same_data(synthetic, tmp_path):
    again = tmp_path / "again"
    assert (
        dxdesk(
            "demo", str(again), "--sections", "4", "--measures-per-section", "3", "--seed", "5", "-q"
        ).returncode
        == 0
    )
    for name in ("central.sqlite", "sections/S003.sqlite"):
        dumps = []
        for root in (synthetic, again):
            out = tmp_path / f"{root.name}-{name.replace('/', '_')}.json"
            assert dxdesk("dump-dataset", "--db", str(root / name), "--out", str(out)).returncode == 0
            dumps.append(json.loads(out.read_text(encoding="utf-8")))
        assert dumps[0] == dumps[1], name


def test_demo_refuses_a_folder_with_files(tmp_path):
    (tmp_path / "keep.txt").write_text("大事なファイル")
    out = dxdesk("demo", str(tmp_path), "--sections", "2")
    assert out.returncode == 2
    assert "空ではありません" in out.stderr
    assert (tmp_path / "keep.txt").read_text() == "大事なファイル"


@pytest.mark.slow
def test_demo_city_scenario(tmp_path):
    """Without options: the デモ市 plan, every section with measures gets a kit and a submission."""
    out = dxdesk("demo", str(tmp_path / "city"), "-q")
    assert out.returncode == 0, out.stderr
    subs = sorted((tmp_path / "city" / "submissions").iterdir())
    assert len(subs) >= 10 and any("情報政策課" in s.name for s in subs)
    verify = dxdesk(
        "verify", "--db", str(tmp_path / "city" / "central.sqlite"), str(tmp_path / "city" / "submissions")
    )
    assert verify.returncode == 0, verify.stdout
    # the application's own demo data is untouched: its demo still shows work left to do
    check = dxdesk("demo-db", "--db", str(tmp_path / "app-demo.sqlite"))
    assert check.returncode == 0
    assert dxdesk("check", "--db", str(tmp_path / "app-demo.sqlite")).returncode == 1
