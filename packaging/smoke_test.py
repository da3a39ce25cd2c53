"""Smoke test of a built bundle (dist/dxdesk): does what was built start, find its files and keep data?

    python packaging/smoke_test.py [dist/dxdesk]

Runs the bundle's own executable (``dxdesk-cli`` — on Windows the console one), never the source tree,
with a fresh, empty data folder, and checks what a person would:

1. ``--version`` says pyproject's version (the package metadata is in the bundle);
2. first run: ``dxdesk`` with no data folder yet creates the folder and the database and draws the
   main window (offscreen); ``dxdesk --demo`` opens the demo data (resources found) and draws the main
   window with a Japanese font, the stylesheet and the window icon; the drawing is saved as
   smoke-window.png to look at;
3. command line: ``init-db`` (migrations found, at the head revision of db/versions), ``demo-db``,
   ``check``, ``print`` (a PDF with an embedded Japanese font), ``demo`` and ``verify`` (a complete
   demo scenario, built with worker processes, whose signed workbooks all verify — once more with the
   workers started as on Windows, by running the executable again); a subcommand run by the windowed
   program, which has no console to print to, still works; the central office's ``merge`` (workers
   forked and spawned; the same folder again gives duplicates) and ``export`` (the merged workbook);
4. the licence notices for the About dialog are in the bundle (Qt's LGPL text among them);
5. upgrade: a database at the previous migration revision holding the demo plan is opened by the
   bundle; every row is still there and the automatic backup copy was written next to it.

The data folder is redirected (XDG_DATA_HOME on Linux, so the platform's own rule is used;
DXDESK_DATA_DIR on Windows), and so is the output: ``--work DIR`` (default: a temporary folder).
Exit status 0 when everything passed; the first failure is printed and exits 1.
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

IS_WIN = sys.platform.startswith("win")
TIMEOUT = 300


class SmokeTestFailed(Exception):
    pass


class Runner:
    def __init__(self, bundle: Path, work: Path):
        self.exe = bundle / ("dxdesk-cli.exe" if IS_WIN else "dxdesk-cli")
        if not self.exe.exists():
            raise SmokeTestFailed(
                f"no executable at {self.exe}: build the bundle first (packaging/build_dist.py)"
            )
        self.bundle = bundle
        self.work = work
        self.data = work / "userdata"
        self.env = {k: v for k, v in os.environ.items() if k not in ("DXDESK_DATA_DIR", "PYTHONPATH")}
        self.env["QT_QPA_PLATFORM"] = "offscreen"
        if IS_WIN:
            self.env["DXDESK_DATA_DIR"] = str(self.data / "dxdesk")
        else:
            self.env["XDG_DATA_HOME"] = str(self.data)
        self.steps: list[tuple[str, float]] = []

    @property
    def data_folder(self) -> Path:
        return self.data / "dxdesk"

    def run(self, *args: str, ok: tuple[int, ...] = (0,), env: dict[str, str] | None = None) -> str:
        started = time.perf_counter()
        proc = subprocess.run(
            [str(self.exe), *args],
            capture_output=True,
            text=True,
            encoding="utf-8",
            errors="replace",
            env={**self.env, **(env or {})},
            cwd=self.work,
            timeout=TIMEOUT,
        )
        self.steps.append((" ".join(["dxdesk", *args])[:70], time.perf_counter() - started))
        if proc.returncode not in ok:
            raise SmokeTestFailed(
                f"dxdesk {' '.join(args)} exited with {proc.returncode}\n--- stdout\n{proc.stdout[-3000:]}"
                f"\n--- stderr\n{proc.stderr[-3000:]}"
            )
        return proc.stdout


def expect(condition: bool, message: str) -> None:
    if not condition:
        raise SmokeTestFailed(message)


def check_version(r: Runner) -> None:
    from version_info import project_version

    out = r.run("--version").strip()
    expect(
        out == f"dxdesk {project_version()}", f"--version printed {out!r}, pyproject says {project_version()}"
    )


def check_gui(r: Runner) -> Path:
    expect(not r.data_folder.exists(), f"{r.data_folder} exists before the first run")
    out = r.run(env={"DXDESK_SMOKE_TEST": "1"})
    expect("SMOKE-TEST OK window=MainWindow" in out, f"the main window was not drawn:\n{out}")
    db = r.data_folder / "dxdesk.sqlite"
    expect(db.is_file(), f"first run did not create {db}:\n{out}")
    shot = r.work / "smoke-window.png"
    out = r.run("--demo", env={"DXDESK_SMOKE_TEST": str(shot)})
    line = next((ln for ln in out.splitlines() if ln.startswith("SMOKE-TEST OK")), "")
    expect("window=MainWindow" in line, f"the demo did not open in the main window:\n{out}")
    expect("stylesheet=yes" in line, f"the stylesheet (resources/style.qss) was not found: {line}")
    expect("icon=yes" in line, f"the window icon (resources/dxdesk.png) was not found: {line}")
    font = re.search(r"font='([^']*)'", line)
    japanese_fonts = ("Yu Gothic UI", "Meiryo UI", "Meiryo", "MS UI Gothic", "IPAexGothic", "IPAPGothic")
    expect(bool(font and font.group(1) in japanese_fonts), f"no Japanese UI font was picked: {line}")
    expect((r.data_folder / "demo" / "demo.sqlite").is_file(), "the demo database was not created")
    expect(shot.is_file() and shot.stat().st_size > 20_000, f"no window drawing at {shot}")
    return shot


def check_cli(r: Runner) -> None:
    from dxdesk.store.migrate import head_revision

    db = r.work / "cli.sqlite"
    out = r.run("init-db", "--db", str(db))
    expect(f"revision={head_revision()}" in out, f"init-db did not reach {head_revision()}: {out}")
    r.run("demo-db", "--db", str(db))
    out = r.run("check", "--db", str(db), ok=(0, 1))
    expect(bool(re.search(r"施策=\d+", out)), f"check printed no summary: {out[-500:]}")
    pdf = r.work / "sheets.pdf"
    r.run("print", "--db", str(db), "--out", str(pdf))
    data = pdf.read_bytes()
    expect(data.startswith(b"%PDF") and b"/FontFile2" in data, "print wrote no PDF with an embedded font")


def check_without_console(r: Runner) -> None:
    """A subcommand run with the windowed program (no console: stdout and stderr are None) still works.
    On Windows that is dxdesk.exe itself; elsewhere the same is had by closing both file descriptors."""
    db = r.work / "no-console.sqlite"
    gui = r.bundle / ("dxdesk.exe" if IS_WIN else "dxdesk")
    cmd = [str(gui), "init-db", "--db", str(db)]
    if not IS_WIN:
        cmd = ["sh", "-c", 'exec "$0" "$@" >&- 2>&-', *cmd]
    proc = subprocess.run(cmd, env=r.env, cwd=r.work, timeout=TIMEOUT)
    expect(proc.returncode == 0 and db.is_file(), f"init-db without a console exited {proc.returncode}")


def check_notices(r: Runner) -> str:
    """The About dialog's licence list was collected into the bundle (a bundle has no package metadata)."""
    import json

    path = r.bundle / "_internal" / "resources" / "licenses" / "third_party.json"
    expect(path.is_file(), f"no licence notices at {path}")
    notices = {n["name"]: n for n in json.loads(path.read_text(encoding="utf-8"))}
    for name in ("Python", "PySide6_Essentials", "SQLAlchemy", "cryptography", "pyinstaller"):
        expect(name in notices and notices[name]["text"].strip() != "", f"no licence notice for {name}")
    expect(
        "GNU LESSER GENERAL PUBLIC LICENSE" in notices["PySide6_Essentials"]["text"], "Qt's LGPL text missing"
    )
    return f"licence notices: {len(notices)} components"


def check_exchange(r: Runner) -> str:
    scenario = r.work / "scenario"
    r.run("demo", str(scenario), "--sections", "3", "--measures-per-section", "4")
    books = sorted((scenario / "submissions").glob("*.xlsx"))
    expect(len(books) == 3, f"dxdesk demo made {len(books)} submissions, expected 3")
    out = r.run("verify", "--db", str(scenario / "central.sqlite"), *map(str, books))
    lines = [ln for ln in out.splitlines() if ln.strip()]
    expect(len(lines) == 3 and all(ln.startswith("OK ") for ln in lines), f"verify:\n{out}")
    # Windows has no fork: workers are started by running the executable again (freeze_support in
    # packaging/entry.py). DXDESK_SMOKE_SPAWN makes the bundle do the same here.
    spawned = r.work / "scenario-spawn"
    r.run(
        "demo",
        str(spawned),
        "--sections",
        "2",
        "--measures-per-section",
        "2",
        env={"DXDESK_SMOKE_SPAWN": "1"},
    )
    books = sorted((spawned / "submissions").glob("*.xlsx"))
    expect(len(books) == 2, f"dxdesk demo with spawned workers made {len(books)} submissions, expected 2")
    out = r.run("verify", "--db", str(spawned / "central.sqlite"), *map(str, books))
    expect(out.count("OK ") == 2, f"verify (spawned workers):\n{out}")
    return "demo + verify: 3 signed submissions verified (workers forked), 2 more with spawned workers"


def check_central(r: Runner) -> str:
    """The central office's batch jobs with the bundled CLI: merge (verification in worker processes,
    forked and — as on Windows — spawned) and the merged workbook."""
    import shutil
    import zipfile

    scenario = r.work / "central"
    r.run("demo", str(scenario), "--sections", "8", "--measures-per-section", "2")
    inbox = scenario / "submissions"
    expect(len(list(inbox.glob("*.xlsx"))) == 8, "dxdesk demo did not make 8 submissions")
    spawned = scenario / "central-spawn.sqlite"
    shutil.copyfile(scenario / "central.sqlite", spawned)
    for db, env in ((scenario / "central.sqlite", None), (spawned, {"DXDESK_SMOKE_SPAWN": "1"})):
        out = r.run("merge", "--db", str(db), str(inbox), env=env)
        expect("accepted=8 duplicate=0 stale=0 conflict=0 rejected=0" in out, f"merge into {db.name}:\n{out}")
    out = r.run("merge", "--db", str(scenario / "central.sqlite"), str(inbox))
    expect("accepted=0 duplicate=8" in out, f"merging the same folder again:\n{out}")
    book = r.work / "全庁集計.xlsx"
    r.run("export", "--db", str(scenario / "central.sqlite"), "--out", str(book))
    with zipfile.ZipFile(book) as z:
        workbook_xml = z.read("xl/workbook.xml").decode("utf-8")
    expect("全庁一覧" in workbook_xml, "the merged workbook has no 全庁一覧 sheet")
    return "central: 8 submissions merged (workers forked, and spawned), again as duplicates, merged workbook"


def check_upgrade(r: Runner) -> str:
    from upgrade_check import assert_rows_kept, make_old_database, previous_head, table_rows

    from dxdesk.store.migrate import head_revision

    old = previous_head()
    expect(old is not None, "db/versions has a single migration: nothing an old database could upgrade from")
    db = r.work / "upgrade" / "old.sqlite"
    db.parent.mkdir(parents=True)
    make_old_database(db, old, r.work / "upgrade-scratch")
    before = table_rows(db)
    out = r.run("init-db", "--db", str(db))
    expect(f"revision={head_revision()}" in out, f"upgrade did not reach {head_revision()}: {out}")
    rows = assert_rows_kept(before, db)
    backups = list(db.parent.glob(f"old.before-{old}-*.sqlite"))
    expect(len(backups) == 1, f"no automatic backup before the upgrade in {db.parent}")
    assert_rows_kept(before, backups[0])
    return f"upgrade {old} -> {head_revision()}: {rows} rows kept, backup {backups[0].name}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("bundle", nargs="?", type=Path, default=ROOT / "dist" / "dxdesk")
    parser.add_argument("--work", type=Path, help="folder for the test's files (default: a temporary one)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="dxdesk-smoke-") as tmp:
        work = (args.work or Path(tmp)).resolve()
        work.mkdir(parents=True, exist_ok=True)
        notes = []
        try:
            r = Runner(args.bundle.resolve(), work)
            check_version(r)
            shot = check_gui(r)
            notes.append(f"window drawing: {shot}" if args.work else "window drawn")
            check_cli(r)
            check_without_console(r)
            notes.append(check_notices(r))
            notes.append(check_exchange(r))
            notes.append(check_central(r))
            notes.append(check_upgrade(r))
        except (SmokeTestFailed, AssertionError, subprocess.TimeoutExpired) as exc:
            print(f"SMOKE TEST FAILED: {exc}", file=sys.stderr)
            return 1
        for step, seconds in r.steps:
            print(f"  {seconds:6.1f} s  {step}")
        for note in notes:
            print(f"  {note}")
        print(f"smoke test passed: {args.bundle}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
