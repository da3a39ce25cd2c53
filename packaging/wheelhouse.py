"""Offline wheelhouse: exactly the versions of constraints.txt as wheel files, for installing without internet.

On a machine with internet access (any OS; only Python 3.11+ and pip are needed):

    python packaging/wheelhouse.py download --target win_amd64      # for the LGWAN Windows PCs (CPython 3.11 x64)
    python packaging/wheelhouse.py download --target native         # for this machine's platform

writes ``wheelhouse/<platform>-cp311/``: one wheel per line of constraints.txt that applies to the
target (environment markers are evaluated for the target, not for the machine downloading), dxdesk's
own wheel (built offline from the wheels just downloaded, so the build needs nothing else either), and
``requirements.txt`` listing each wheel with its SHA-256. It then checks that the folder is complete:
every dependency of every wheel is in it at a version that fits. Copy the folder to the target
machine, then there:

    python packaging\\wheelhouse.py install wheelhouse\\win_amd64-cp311 --venv C:\\dxdesk-build\\venv

which creates the virtual environment, installs with ``pip --no-index --require-hashes`` (nothing is
fetched from anywhere; a damaged or swapped file is refused) and checks the result: ``pip check``,
``dxdesk --version``, and a database created, filled with the demo data and checked.
The same can be done by hand: ``pip install --no-index --find-links DIR --require-hashes -r DIR/requirements.txt``.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from email.parser import Parser
from pathlib import Path

try:
    from packaging.markers import default_environment
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # a bare Python: pip carries its own copy
    from pip._vendor.packaging.markers import default_environment  # type: ignore[no-redef]
    from pip._vendor.packaging.requirements import Requirement  # type: ignore[no-redef]
    from pip._vendor.packaging.utils import canonicalize_name  # type: ignore[no-redef]

ROOT = Path(__file__).resolve().parent.parent
CONSTRAINTS = ROOT / "constraints.txt"
EXTRAS = ("dev",)  # dxdesk is installed with its dev extra: PyInstaller and the test tools come along

TARGETS = {
    "win_amd64": {
        "platforms": ["win_amd64"],
        "environment": {
            "os_name": "nt",
            "sys_platform": "win32",
            "platform_system": "Windows",
            "platform_machine": "AMD64",
            "platform_release": "10",
            "platform_version": "10.0.19045",
            "implementation_name": "cpython",
            "platform_python_implementation": "CPython",
        },
    },
}


class WheelhouseError(Exception):
    pass


def target_environment(target: str, python: str) -> dict[str, str]:
    if target == "native":
        env = dict(default_environment())
        if python != env["python_version"]:
            raise WheelhouseError(
                f"native target: run this with Python {python} (this is {env['python_version']})"
            )
        return env
    if target not in TARGETS:
        raise WheelhouseError(f"unknown target {target!r}: native or {', '.join(TARGETS)}")
    env = dict(TARGETS[target]["environment"])  # type: ignore[call-overload]
    full = python if python.count(".") == 2 else f"{python}.0"
    env.update(python_version=python, python_full_version=full, implementation_version=full)
    return env


def folder_name(target: str, python: str) -> str:
    plat = target
    if target == "native":
        plat = f"{sys.platform}_{platform.machine().lower()}"
    return f"{plat}-cp{python.replace('.', '')}"


def pins(env: dict[str, str], constraints: Path = CONSTRAINTS) -> list[Requirement]:
    """The lines of constraints.txt that apply to ``env``, each an exact ``name==version``."""
    found = []
    for raw in constraints.read_text(encoding="utf-8").splitlines():
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        req = Requirement(line)
        spec = list(req.specifier)
        if len(spec) != 1 or spec[0].operator != "==":
            raise WheelhouseError(f"constraints.txt must pin exact versions: {line!r}")
        if req.marker is None or req.marker.evaluate(env):
            found.append(req)
    return found


QUIET: list[str] = []  # ["--quiet"] with --quiet


def _pip(python: str, *args: str, offline: bool = False) -> None:
    """Run pip. ``offline``: ignore every pip configuration (pip.ini / pip.conf, PIP_* variables) so
    that only the wheelhouse folder given on the command line is used, whatever the machine says."""
    env = None
    if offline:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
        env["PIP_CONFIG_FILE"] = os.devnull
    subprocess.run([python, "-m", "pip", "--disable-pip-version-check", *QUIET, *args], check=True, env=env)


def _wheel_metadata(path: Path) -> tuple[str, str, list[str]]:
    """Name, version and Requires-Dist lines of a wheel file."""
    with zipfile.ZipFile(path) as zf:
        meta_name = next(n for n in zf.namelist() if re.match(r"[^/]+\.dist-info/METADATA$", n))
        meta = Parser().parsestr(zf.read(meta_name).decode("utf-8"))
    return str(meta["Name"]), str(meta["Version"]), list(meta.get_all("Requires-Dist") or [])


def check_complete(folder: Path, env: dict[str, str]) -> list[Path]:
    """Every dependency of every wheel in ``folder`` (dxdesk with its extras) is there at a fitting
    version. Returns the wheels; raises WheelhouseError listing what is missing."""
    wheels = sorted(folder.glob("*.whl"))
    have = {}
    for path in wheels:
        name, version, _ = _wheel_metadata(path)
        have[canonicalize_name(name)] = (version, path)
    missing = []
    for path in wheels:
        name, _, requires = _wheel_metadata(path)
        extras = EXTRAS if canonicalize_name(name) == "dxdesk" else ()
        for line in requires:
            req = Requirement(line)
            if req.marker is not None and not any(
                req.marker.evaluate({**env, "extra": e}) for e in ("", *extras)
            ):
                continue
            got = have.get(canonicalize_name(req.name))
            if got is None or not req.specifier.contains(got[0], prereleases=True):
                missing.append(f"{name} needs {req} (wheelhouse has {got[0] if got else 'nothing'})")
    if missing:
        raise WheelhouseError("the wheelhouse is incomplete:\n  " + "\n  ".join(missing))
    return wheels


def write_requirements(folder: Path, wheels: list[Path]) -> Path:
    lines = []
    for path in wheels:
        name, version, _ = _wheel_metadata(path)
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        extras = f"[{','.join(EXTRAS)}]" if canonicalize_name(name) == "dxdesk" else ""
        lines.append(f"{name}{extras}=={version} --hash=sha256:{digest}")
    out = folder / "requirements.txt"
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out


def download(target: str, python: str, dest: Path | None) -> Path:
    env = target_environment(target, python)
    folder = (dest or ROOT / "wheelhouse" / folder_name(target, python)).resolve()
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.whl"):  # exactly what constraints.txt says now, nothing left from before
        old.unlink()
    wanted = pins(env)
    args = ["download", "--no-deps", "--only-binary=:all:", "--dest", str(folder)]
    if target != "native":
        for plat in TARGETS[target]["platforms"]:  # type: ignore[union-attr]
            args += ["--platform", str(plat)]
        tag = python.replace(".", "")
        args += ["--python-version", python, "--implementation", "cp"]
        args += ["--abi", f"cp{tag}", "--abi", "abi3", "--abi", "none"]
    # markers already evaluated for the target; pip would evaluate them for this machine instead
    _pip(sys.executable, *args, *(f"{r.name}{r.specifier}" for r in wanted))
    # dxdesk itself, built without any index: the build tools come from the folder too. setuptools keeps
    # its staging copy in build/lib between builds; a module deleted since must not come back from there.
    shutil.rmtree(ROOT / "build" / "lib", ignore_errors=True)
    _pip(
        sys.executable,
        "wheel",
        "--no-deps",
        "--no-index",
        "--find-links",
        str(folder),
        "-w",
        str(folder),
        str(ROOT),
    )
    wheels = check_complete(folder, env)
    names = {canonicalize_name(_wheel_metadata(w)[0]) for w in wheels}
    unexpected = names - {canonicalize_name(r.name) for r in wanted} - {"dxdesk"}
    if unexpected:
        raise WheelhouseError(f"wheels not in constraints.txt: {', '.join(sorted(unexpected))}")
    write_requirements(folder, wheels)
    size = sum(w.stat().st_size for w in wheels)
    print(f"{folder}: {len(wheels)} wheels ({len(wanted)} pins + dxdesk), {size / 1e6:.0f} MB, complete")
    return folder


def _venv_python(venv: Path) -> Path:
    return venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def install(folder: Path, venv: Path | None, check: bool = True) -> None:
    folder = folder.resolve()
    requirements = folder / "requirements.txt"
    if not requirements.is_file():
        raise WheelhouseError(f"{requirements} is missing: run 'download' first")
    python = sys.executable
    if venv is not None:
        if not _venv_python(venv).exists():
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        python = str(_venv_python(venv))
    _pip(
        python,
        "install",
        "--no-index",
        "--find-links",
        str(folder),
        "--require-hashes",
        "-r",
        str(requirements),
    )
    if check:
        verify_install(python)


def verify_install(python: str) -> None:
    """pip check, then the installed ``dxdesk`` command creates, fills and checks a database."""
    _pip(python, "check")
    scripts = Path(python).parent
    dxdesk = str(scripts / ("dxdesk.exe" if os.name == "nt" else "dxdesk"))
    out = subprocess.run([dxdesk, "--version"], check=True, capture_output=True, text=True).stdout.strip()
    with tempfile.TemporaryDirectory() as tmp:
        db = str(Path(tmp) / "check.sqlite")
        env = {**os.environ, "DXDESK_DATA_DIR": tmp}
        subprocess.run([dxdesk, "init-db", "--db", db], check=True, env=env, capture_output=True)
        subprocess.run([dxdesk, "demo-db", "--db", db], check=True, env=env, capture_output=True)
        res = subprocess.run(
            [dxdesk, "check", "--db", db], env=env, capture_output=True, text=True, encoding="utf-8"
        )
        if res.returncode not in (0, 1) or "施策=" not in res.stdout:
            raise WheelhouseError(f"dxdesk check failed after installing:\n{res.stdout}\n{res.stderr}")
    print(f"installed and checked: {out} ({python})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quiet", action="store_true", help="pip prints only warnings and errors")
    sub = parser.add_subparsers(dest="command", required=True)
    d = sub.add_parser("download", help="download the wheels of constraints.txt and build dxdesk's wheel")
    d.add_argument("--target", default="win_amd64", help="win_amd64 (default) or native")
    d.add_argument("--python", default="3.11", help="Python version of the target (default 3.11)")
    d.add_argument("--dest", type=Path, help="folder (default wheelhouse/<platform>-cp311)")
    i = sub.add_parser("install", help="install from a wheelhouse folder without network")
    i.add_argument("folder", type=Path)
    i.add_argument("--venv", type=Path, help="create (if needed) and install into this virtual environment")
    i.add_argument("--no-check", action="store_true", help="skip the checks after installing")
    c = sub.add_parser("check", help="check that a wheelhouse folder is complete")
    c.add_argument("folder", type=Path)
    c.add_argument("--target", default="win_amd64")
    c.add_argument("--python", default="3.11")
    args = parser.parse_args(argv)
    QUIET[:] = ["--quiet"] if args.quiet else []
    try:
        if args.command == "download":
            download(args.target, args.python, args.dest)
        elif args.command == "install":
            install(args.folder, args.venv, check=not args.no_check)
        else:
            wheels = check_complete(args.folder, target_environment(args.target, args.python))
            print(f"{args.folder}: {len(wheels)} wheels, complete")
    except (WheelhouseError, subprocess.CalledProcessError) as exc:
        print(f"wheelhouse: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
