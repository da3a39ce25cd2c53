"""The pieces of packaging/ that can be checked without building: the Windows version resource, which
Qt files go into the bundle, the offline wheelhouse's pins and completeness check, the portable zip,
and the licence notices a bundle carries. The bundle itself is built and run by `make bundle-test`."""

import stat
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "packaging"))

import build_dist  # noqa: E402
import bundle_filter  # noqa: E402
import version_info  # noqa: E402
import wheelhouse  # noqa: E402

from dxdesk.licenses import NOTICES_FILE, Notice, bundled_notices, collect_notices, write_notices  # noqa: E402

# --- VERSIONINFO ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "numbers"),
    [("0.1.0", (0, 1, 0, 0)), ("1.2.3.4", (1, 2, 3, 4)), ("2.0", (2, 0, 0, 0)), ("1.2.0rc1", (1, 2, 0, 0))],
)
def test_windows_version_numbers(text, numbers):
    assert version_info.numeric_version(text) == numbers


def test_a_version_windows_cannot_hold_is_refused():
    with pytest.raises(ValueError):
        version_info.numeric_version("2026.70000")
    with pytest.raises(ValueError):
        version_info.numeric_version("latest")


def _pyinstaller_versioninfo(monkeypatch):
    """PyInstaller's own VERSIONINFO code. It imports the Windows API module at the top, which only its
    Windows functions use; the structures and the text reader run anywhere."""
    import PyInstaller.compat

    monkeypatch.setattr(PyInstaller.compat, "win32api", None, raising=False)
    monkeypatch.delitem(sys.modules, "PyInstaller.utils.win32.versioninfo", raising=False)
    from PyInstaller.utils.win32 import versioninfo

    return versioninfo


def test_pyinstaller_reads_the_version_resource_with_pyprojects_version(tmp_path, monkeypatch):
    versioninfo = _pyinstaller_versioninfo(monkeypatch)
    version = version_info.project_version()
    path = version_info.write_version_info(tmp_path / "v.txt", exe_name="dxdesk.exe")
    info = versioninfo.load_version_info_from_text_file(str(path))
    # (toRaw/fromRaw pack with the platform's C long: 4 bytes only on Windows, so not compared here)
    nums = version_info.numeric_version(version)
    assert (info.ffi.fileVersionMS, info.ffi.fileVersionLS) == (
        (nums[0] << 16) | nums[1],
        (nums[2] << 16) | nums[3],
    )
    assert (info.ffi.productVersionMS, info.ffi.productVersionLS) == (
        info.ffi.fileVersionMS,
        info.ffi.fileVersionLS,
    )
    table = info.kids[0].kids[0]
    strings = {s.name: s.val for s in table.kids}
    assert strings["ProductVersion"] == version
    assert strings["OriginalFilename"] == "dxdesk.exe"
    assert strings["FileDescription"].startswith("dxdesk")


# --- what goes into the bundle -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/plugins/platforms/qwindows.dll",
        "PySide6\\Qt\\plugins\\platforms\\qoffscreen.dll",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/styles/qmodernwindowsstyle.dll",
        "PySide6/Qt/plugins/imageformats/qico.dll",
        "PySide6/Qt/plugins/platforminputcontexts/libibusplatforminputcontextplugin.so",
        "PySide6/Qt/translations/qtbase_ja.qm",
        "PySide6/Qt6Widgets.dll",
        "resources/demo/demo_city.json",
        "db/versions/0001_initial_schema.py",
    ],
)
def test_kept_in_the_bundle(dest):
    assert bundle_filter.wanted(dest)


@pytest.mark.parametrize(
    "dest",
    [
        "PySide6/Qt/plugins/platforms/qdirect2d.dll",
        "PySide6/Qt/plugins/platforms/libqwayland-egl.so",
        "PySide6/Qt/plugins/platforms/libqeglfs.so",
        "PySide6/Qt/plugins/platformthemes/libqgtk3.so",
        "PySide6/Qt/plugins/imageformats/qjpeg.dll",
        "PySide6/Qt/plugins/tls/qschannelbackend.dll",
        "PySide6/Qt/plugins/networkinformation/qnetworklistmanager.dll",
        "PySide6/Qt/translations/qtbase_de.qm",
        "PySide6/opengl32sw.dll",
        "dxdesk.egg-info/PKG-INFO",
    ],
)
def test_left_out_of_the_bundle(dest):
    assert not bundle_filter.wanted(dest)


def test_libraries_only_dropped_plugins_needed_are_left_out():
    links = {
        "gtk3-theme.so": ["libgtk.so", "libQt6Gui.so"],
        "libgtk.so": ["libcairo.so", "libglib.so"],
        "QtGui.abi3.so": ["libQt6Gui.so"],
        "libQt6Gui.so": ["libglib.so"],
        "xcb.so": ["libQt6Gui.so"],
    }
    kept = ["QtGui.abi3.so", "libQt6Gui.so", "xcb.so", "libglib.so", "libcairo.so", "libgtk.so", "libEGL.dll"]
    orphans = bundle_filter.orphaned_libraries(kept, ["gtk3-theme.so"], lambda p: links.get(p, []))
    assert orphans == {
        "libgtk.so",
        "libcairo.so",
    }  # glib and Qt are still needed; libEGL was added on purpose


# --- offline wheelhouse ------------------------------------------------------------------------------


def test_pins_are_evaluated_for_the_target_platform():
    win = {r.name for r in wheelhouse.pins(wheelhouse.target_environment("win_amd64", "3.11"))}
    linux = {
        r.name
        for r in wheelhouse.pins(
            {**wheelhouse.target_environment("win_amd64", "3.11"), "sys_platform": "linux"}
        )
    }
    assert {"pywin32-ctypes", "colorama", "pefile", "pyinstaller", "PySide6-Essentials"} <= win
    assert "pywin32-ctypes" not in linux and "colorama" not in linux
    assert "pyinstaller" in linux


def test_constraints_must_pin_exact_versions(tmp_path):
    loose = tmp_path / "c.txt"
    loose.write_text("alembic>=1.13\n", encoding="utf-8")
    with pytest.raises(wheelhouse.WheelhouseError, match="exact"):
        wheelhouse.pins({}, loose)


def _fake_wheel(folder: Path, name: str, version: str, requires: list[str]) -> None:
    meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
        f"Requires-Dist: {r}\n" for r in requires
    )
    with zipfile.ZipFile(folder / f"{name}-{version}-py3-none-any.whl", "w") as zf:
        zf.writestr(f"{name}-{version}.dist-info/METADATA", meta)


def test_an_incomplete_wheelhouse_is_reported(tmp_path):
    env = wheelhouse.target_environment("win_amd64", "3.11")
    _fake_wheel(tmp_path, "dxdesk", "0.1.0", ["alembic>=1.13", 'pytest>=8; extra == "dev"'])
    _fake_wheel(tmp_path, "alembic", "1.20.1", ["Mako", 'tomli; python_version < "3.11"'])
    _fake_wheel(tmp_path, "Mako", "1.4.3", [])
    with pytest.raises(wheelhouse.WheelhouseError, match=r"dxdesk needs pytest>=8"):
        wheelhouse.check_complete(tmp_path, env)
    _fake_wheel(tmp_path, "pytest", "7.4.0", ['colorama; sys_platform == "win32"'])
    with pytest.raises(wheelhouse.WheelhouseError, match=r"has 7\.4\.0") as caught:
        wheelhouse.check_complete(tmp_path, env)
    assert "colorama" in str(caught.value)  # the Windows-only dependency counts for a Windows wheelhouse
    (tmp_path / "pytest-7.4.0-py3-none-any.whl").unlink()
    _fake_wheel(tmp_path, "pytest", "9.2.0", ['colorama; sys_platform == "win32"'])
    _fake_wheel(tmp_path, "colorama", "0.4.6", [])
    assert len(wheelhouse.check_complete(tmp_path, env)) == 5
    requirements = wheelhouse.write_requirements(tmp_path, sorted(tmp_path.glob("*.whl"))).read_text()
    assert "dxdesk[dev]==0.1.0 --hash=sha256:" in requirements
    assert requirements.count("--hash=sha256:") == 5


# --- portable zip ------------------------------------------------------------------------------------


def test_portable_zip_keeps_links_and_executables_and_says_where_data_lives(tmp_path):
    bundle = tmp_path / "dxdesk"
    (bundle / "_internal" / "lib").mkdir(parents=True)
    (bundle / "dxdesk").write_bytes(b"\x7fELF")
    (bundle / "dxdesk").chmod(0o755)
    (bundle / "_internal" / "lib" / "libQt6Core.so.6").write_bytes(b"qt")
    (bundle / "_internal" / "libQt6Core.so.6").symlink_to("lib/libQt6Core.so.6")
    out = build_dist.make_portable_zip(bundle, tmp_path / "p.zip", "9.8.7")
    with zipfile.ZipFile(out) as zf:
        infos = {i.filename: i for i in zf.infolist()}
        readme = zf.read("dxdesk-9.8.7/はじめにお読みください.txt").decode("utf-8-sig")
        link = infos["dxdesk-9.8.7/_internal/libQt6Core.so.6"]
        assert stat.S_ISLNK(link.external_attr >> 16)
        assert zf.read(link) == b"lib/libQt6Core.so.6"
        assert (infos["dxdesk-9.8.7/dxdesk"].external_attr >> 16) & 0o111
    assert "%LOCALAPPDATA%\\dxdesk" in readme and "9.8.7" in readme
    assert not (tmp_path / "p.zip.tmp").exists()


# --- licence notices in a bundle --------------------------------------------------------------------


def test_a_bundle_reads_the_notices_collected_at_build_time(tmp_path, monkeypatch):
    collected = collect_notices(extra=["pyinstaller"])
    bundle = tmp_path / "_internal"
    write_notices(bundle / "resources" / Path(*NOTICES_FILE), collected)
    monkeypatch.setattr(sys, "_MEIPASS", str(bundle), raising=False)
    shipped = bundled_notices()
    assert shipped == collected
    names = [n.name for n in shipped]
    assert names[0] == "Python" and "pyinstaller" in names
    assert all(isinstance(n, Notice) and n.text.strip() for n in shipped), "every component has a text"
