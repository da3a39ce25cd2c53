"""One trust anchor, named: `verify` trusts only the authority given or configured for this installation
(never a central.sqlite lying beside the file), and every line says which authority it used."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dxdesk.cli import main
from dxdesk.exchange.certificates import (
    cert_to_pem,
    fingerprint,
    format_fingerprint,
    make_ca_certificate,
)
from dxdesk.exchange.signing import new_key
from dxdesk.store.database import open_database


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, list[str], str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out.splitlines(), out.err


def genuine_ca(tmp_path: Path) -> tuple[Path, str]:
    """Another municipality's central CA certificate (the one this installation should trust)."""
    cert = make_ca_certificate(new_key(), "dxdesk 中央認証局（長崎県）", "長崎県")
    path = tmp_path / "nagasaki-ca.pem"
    path.write_text(cert_to_pem(cert), encoding="ascii")
    return path, fingerprint(cert)


def world_fp(world) -> str:
    return next(iter(world.trust.cas))


def test_a_central_sqlite_beside_the_file_is_not_trusted(world, tmp_path, capsys):
    """The attacker's submission next to the attacker's own central.sqlite (and one folder up)."""
    inbox = tmp_path / "inbox" / "R08"
    inbox.mkdir(parents=True)
    shutil.copyfile(world.central, inbox / "central.sqlite")
    shutil.copyfile(world.central, inbox.parent / "central.sqlite")
    sub = inbox / world.submission.name
    shutil.copyfile(world.submission, sub)

    code, lines, _ = run(capsys, "verify", str(sub))
    assert code == 1
    assert lines == [
        f"NG {sub} 照合する認証局が設定されていません（--db で中央のデータベースか --ca で認証局の証明書を"
        "指定するか、dxdesk import-ca で登録してください） 認証局: 設定なし"
    ]

    ca_file, ca_fp = genuine_ca(tmp_path)
    code, lines, _ = run(capsys, "import-ca", str(ca_file))
    assert code == 0 and "dxdesk 中央認証局（長崎県）" in lines[0]
    assert format_fingerprint(ca_fp, 16) in lines[1]
    code, lines, _ = run(capsys, "verify", str(sub))
    assert code == 1
    (line,) = lines
    assert line.startswith(f"NG {sub} この中央の認証局が発行した証明書で署名されていません")
    assert line.endswith(f"認証局: dxdesk 中央認証局（長崎県） (SHA-256 {format_fingerprint(ca_fp, 4)}…)")


def test_the_applications_own_database_is_the_default_anchor(world, tmp_path, capsys, _isolated_data_dir):
    """A central office whose dxdesk opens central.sqlite as its database verifies without options."""
    _isolated_data_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(world.central, _isolated_data_dir / "dxdesk.sqlite")
    code, lines, _ = run(capsys, "verify", str(world.submission), str(world.other_submission))
    assert code == 0, lines
    fp = format_fingerprint(world_fp(world), 4)
    assert all(line.endswith(f"認証局: dxdesk 中央認証局（合成市） (SHA-256 {fp}…)") for line in lines)
    assert "提出ファイル S001" in lines[0] and "提出ファイル S002" in lines[1]


def test_export_ca_then_verify_with_ca_file(world, tmp_path, capsys):
    kits = [k.path for k in world.kits.values()]
    out = tmp_path / "ca.pem"
    code, lines, _ = run(capsys, "export-ca", "--db", str(world.central), "--out", str(out))
    assert code == 0
    assert lines[1] == f"指紋 SHA-256 {format_fingerprint(world_fp(world), 16)}"
    assert b"PRIVATE KEY" not in out.read_bytes()
    code, lines, _ = run(capsys, "verify", "--ca", str(out), str(world.submission), *map(str, kits))
    assert code == 0, lines
    assert len(lines) == 1 + len(kits)
    assert all("認証局: dxdesk 中央認証局（合成市） (SHA-256 " in line for line in lines)

    other, other_fp = genuine_ca(tmp_path)
    code, lines, _ = run(capsys, "verify", "--ca", str(other), str(kits[0]))
    assert code == 1
    assert "この中央の認証局は信頼されていません" in lines[0]
    assert lines[0].endswith(f"(SHA-256 {format_fingerprint(other_fp, 4)}…)")


def test_bad_options_and_files(world, tmp_path, capsys):
    code, _, err = run(capsys, "verify", "--db", str(world.central), "--ca", "x.pem", str(world.submission))
    assert code == 2 and "同時に指定できません" in err

    not_ca = tmp_path / "submission.pem"
    not_ca.write_bytes(world.submission.read_bytes()[:2000])
    code, _, err = run(capsys, "import-ca", str(not_ca))
    assert code == 2 and "認証局の証明書ではありません" in err

    empty = open_database(tmp_path / "empty.sqlite")
    empty.dispose()
    code, _, err = run(
        capsys, "export-ca", "--db", str(tmp_path / "empty.sqlite"), "--out", str(tmp_path / "x.pem")
    )
    assert code == 2 and "中央の認証局がありません" in err
    assert not (tmp_path / "x.pem").exists()
