"""Build the distributable artefacts: the PyInstaller bundle, the portable zip and (on Windows) the installer.

    python packaging/build_dist.py [--clean] [--no-zip] [--installer auto|yes|no]

Run from an environment where dxdesk and its pinned dependencies are installed (on Linux:
scripts/bootstrap.sh; on Windows: the offline wheelhouse, see packaging/README.md). Writes:

    dist/dxdesk/                                 the one-folder bundle (dxdesk[.exe], dxdesk-cli[.exe], _internal/)
    dist/dxdesk-<version>-<platform>-portable.zip  the same folder zipped, with a short Japanese read-me
    dist/dxdesk-<version>-setup.exe              Windows only, when Inno Setup's ISCC.exe is found

and prints how long each step took and how big each artefact is. The version comes from pyproject.toml.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import stat
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

from version_info import numeric_version, project_version  # noqa: E402

IS_WIN = sys.platform.startswith("win")
DIST = ROOT / "dist"
WORK = ROOT / "build" / "pyinstaller"
BUNDLE = DIST / "dxdesk"

PORTABLE_README = """dxdesk {version}（ポータブル版）

■ 起動
  このフォルダの「dxdesk{exe}」をダブルクリックします。インストールや管理者権限は要りません。
  フォルダはどこに置いても動きます（例：ドキュメント、デスクトップ）。中のファイルを動かしたり
  消したりしないでください。

■ データの保存場所
  入力したデータはこのフォルダではなく、利用者ごとのデータフォルダに保存されます。
    Windows：%LOCALAPPDATA%\\dxdesk（例：C:\\Users\\利用者名\\AppData\\Local\\dxdesk）
  新しいバージョンのフォルダに置き換えても、データはそのまま引き継がれます。
  初めて新しいバージョンを起動したとき、データベースは自動で更新され、更新前のコピーが
  同じフォルダに「dxdesk.before-….sqlite」として残ります。

■ バックアップ
  ファイル → バックアップを作成／バックアップから復元 を使うか、上のデータフォルダごと
  コピーしてください（dxdesk を閉じてから）。

■ コマンドライン
  「dxdesk-cli{exe}」はコマンドプロンプトから使う版です（例：dxdesk-cli{exe} --help）。
"""


def _size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() or p.is_symlink())


def _mb(n: int) -> str:
    return f"{n / 1_000_000:.0f} MB"


def platform_tag() -> str:
    machine = platform.machine().lower()
    if IS_WIN:
        return "windows-x64" if machine in ("amd64", "x86_64") else f"windows-{machine}"
    return f"{sys.platform}-{machine}"


def build_bundle(clean: bool) -> None:
    cmd = [sys.executable, "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN"]
    cmd += ["--distpath", str(DIST), "--workpath", str(WORK)]
    if clean:
        cmd.append("--clean")
    subprocess.run([*cmd, str(HERE / "dxdesk.spec")], check=True, cwd=ROOT)


def make_portable_zip(bundle: Path, out: Path, version: str) -> Path:
    """Zip ``bundle`` as a folder named dxdesk-<version>, with the read-me; symbolic links (Linux) stay
    links and executables stay executable. Written to a temporary name, then renamed."""
    top = f"dxdesk-{version}"
    tmp = out.with_name(out.name + ".tmp")
    exe = ".exe" if IS_WIN else ""
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        readme = zipfile.ZipInfo(f"{top}/はじめにお読みください.txt", date_time=time.localtime()[:6])
        readme.external_attr = (stat.S_IFREG | 0o644) << 16
        text = PORTABLE_README.format(version=version, exe=exe)
        zf.writestr(readme, text.replace("\n", "\r\n").encode("utf-8-sig"), zipfile.ZIP_DEFLATED)
        for path in sorted(bundle.rglob("*")):
            name = f"{top}/{path.relative_to(bundle).as_posix()}"
            if path.is_symlink():
                info = zipfile.ZipInfo(name, date_time=time.localtime(path.lstat().st_mtime)[:6])
                info.create_system = 3  # Unix, so that unzip restores the link
                info.external_attr = (stat.S_IFLNK | 0o777) << 16
                zf.writestr(info, os.readlink(path))
            elif path.is_file():
                zf.write(path, name)
    tmp.replace(out)
    return out


def find_iscc() -> Path | None:
    found = shutil.which("ISCC") or shutil.which("iscc")
    if found:
        return Path(found)
    places = [os.environ.get("PROGRAMFILES(X86)", ""), os.environ.get("PROGRAMFILES", "")]
    local = os.environ.get("LOCALAPPDATA")
    if local:
        places.append(str(Path(local) / "Programs"))
    for base in filter(None, places):
        candidate = Path(base) / "Inno Setup 6" / "ISCC.exe"
        if candidate.is_file():
            return candidate
    return None


def build_installer(iscc: Path, version: str) -> Path:
    numeric = ".".join(str(n) for n in numeric_version(version))
    subprocess.run(
        [
            str(iscc),
            "/Q",
            f"/DAppVersion={version}",
            f"/DAppVersionNumeric={numeric}",
            f"/DBundleDir={BUNDLE}",
            f"/DOutputDir={DIST}",
            str(HERE / "dxdesk.iss"),
        ],
        check=True,
    )
    return DIST / f"dxdesk-{version}-setup.exe"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clean", action="store_true", help="discard PyInstaller's cache first")
    parser.add_argument("--no-zip", action="store_true", help="skip the portable zip")
    parser.add_argument("--installer", choices=("auto", "yes", "no"), default="auto")
    args = parser.parse_args(argv)
    version = project_version()
    timings = []

    started = time.perf_counter()
    build_bundle(args.clean)
    timings.append(("PyInstaller bundle", time.perf_counter() - started, BUNDLE))

    if not args.no_zip:
        started = time.perf_counter()
        out = make_portable_zip(BUNDLE, DIST / f"dxdesk-{version}-{platform_tag()}-portable.zip", version)
        timings.append(("portable zip", time.perf_counter() - started, out))

    if args.installer != "no":
        iscc = find_iscc() if IS_WIN else None
        if iscc:
            started = time.perf_counter()
            out = build_installer(iscc, version)
            timings.append(("Inno Setup installer", time.perf_counter() - started, out))
        elif args.installer == "yes":
            print("Inno Setup (ISCC.exe) not found: install Inno Setup 6 (Windows only)", file=sys.stderr)
            return 1

    for label, seconds, path in timings:
        print(f"{label:22s} {seconds:6.1f} s  {_mb(_size(path)):>7s}  {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
