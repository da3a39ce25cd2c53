"""The layout the user fixed (docs/architecture.md), and the dependency direction: dxdesk never imports Qt or ui."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FORBIDDEN = ("PySide6", "PyQt5", "PyQt6", "shiboken6", "ui")


@pytest.mark.parametrize("folder", ["dxdesk", "ui", "resources", "db", "tests", "packaging"])
def test_top_level_folders_exist(folder):
    assert (ROOT / folder).is_dir()


def test_pyproject_and_readme_exist():
    assert (ROOT / "pyproject.toml").is_file()
    assert (ROOT / "README.md").is_file()
    assert (ROOT / ".ci" / "run").is_file()


def _imports(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) in (
            "import_module",
            "__import__",
        ):
            for arg in node.args[:1]:
                if isinstance(arg, ast.Constant) and isinstance(arg.value, str):
                    found.append((node.lineno, arg.value))
    return found


def test_core_never_imports_qt_or_ui():
    offenders = []
    for path in sorted((ROOT / "dxdesk").rglob("*.py")):
        for lineno, module in _imports(path):
            if module.split(".")[0] in FORBIDDEN:
                offenders.append(f"{path.relative_to(ROOT)}:{lineno} imports {module}")
    assert offenders == []


def test_checker_would_catch_an_offender(tmp_path):
    """The check above is not vacuous: it sees plain, from- and dynamic imports."""
    bad = tmp_path / "bad.py"
    bad.write_text(
        "import PySide6\nfrom ui.app import run\nimport importlib\nimportlib.import_module('ui.x')\n"
    )
    modules = [m for _, m in _imports(bad)]
    assert {"PySide6", "ui.app", "ui.x"} <= set(modules)


def test_command_line_does_not_load_qt(tmp_path):
    """Batch jobs (dxdesk init-db/verify/merge …) go through ui.launcher without importing PySide6."""
    import subprocess
    import sys

    code = (
        "import sys, contextlib, io\n"
        "from ui.launcher import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    rc = main(['init-db', '--db', {str(tmp_path / 'x.sqlite')!r}])\n"
        "print(rc, 'PySide6' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert out.stdout.strip() == "0 False"


# ui/ speaks to the core through its façades (dxdesk.section_desk, dxdesk.central.office, dxdesk.desk)
# and domain types: storage — SQLAlchemy, the store package and its ORM models — stays inside dxdesk/.
UI_FORBIDDEN = ("sqlalchemy", "dxdesk.store")


def _storage_imports(path: Path) -> list[str]:
    found = []
    for lineno, module in _imports(path):
        if any(module == f or module.startswith(f + ".") for f in UI_FORBIDDEN):
            found.append(f"{path.name}:{lineno} imports {module}")
    text = path.read_text(encoding="utf-8")
    for needle in (".session(", "select("):
        for lineno, line in enumerate(text.splitlines(), 1):
            if needle in line and not line.lstrip().startswith("#"):
                found.append(f"{path.name}:{lineno} calls {needle}")
    return found


def test_ui_never_touches_storage():
    offenders = []
    for path in sorted((ROOT / "ui").rglob("*.py")):
        offenders += [f"{path.parent.relative_to(ROOT)}/{o}" for o in _storage_imports(path)]
    assert offenders == []


def test_storage_checker_would_catch_an_offender(tmp_path):
    """The check above is not vacuous: ORM models, a store module, SQLAlchemy, a session, a query."""
    bad = tmp_path / "page.py"
    bad.write_text(
        "from sqlalchemy import select\n"
        "from dxdesk.store.models import Measure\n"
        "import dxdesk.store.queries\n"
        "def load(db):\n"
        "    from dxdesk.store.settings_store import get_setting\n"
        "    with db.session() as s:\n"
        "        return s.scalar(select(Measure.id))\n"
    )
    found = _storage_imports(bad)
    assert any("imports sqlalchemy" in f for f in found)
    assert any("imports dxdesk.store.models" in f for f in found)
    assert any("imports dxdesk.store.queries" in f for f in found)
    assert any("imports dxdesk.store.settings_store" in f for f in found)
    assert any("calls .session(" in f for f in found)
    assert any("calls select(" in f for f in found)
    ok = tmp_path / "fine.py"
    ok.write_text("from dxdesk.section_desk import SectionDesk\nfrom dxdesk.domain.fiscal import fy_label\n")
    assert _storage_imports(ok) == []
