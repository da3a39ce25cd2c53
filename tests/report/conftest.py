"""Fixtures for the printing tests: sample databases and the poppler tools a person would use to
check a PDF (pdffonts, pdftotext, pdfinfo)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLES = ROOT / "resources" / "samples"

for tool in ("pdftotext", "pdffonts", "pdfinfo", "pdftoppm"):
    if shutil.which(tool) is None:  # installed by scripts/bootstrap.sh (poppler-utils)
        raise RuntimeError(
            f"{tool} is missing: run `make test` (scripts/bootstrap.sh installs poppler-utils)"
        )


def pdf_text(path: Path, first: int | None = None, last: int | None = None, *, layout: bool = False) -> str:
    cmd = ["pdftotext", "-enc", "UTF-8"]
    if layout:
        cmd.append("-layout")
    if first is not None:
        cmd += ["-f", str(first)]
    if last is not None:
        cmd += ["-l", str(last)]
    out = subprocess.run([*cmd, str(path), "-"], capture_output=True, text=True, check=True)
    return out.stdout


def pdf_page_texts(path: Path) -> list[str]:
    """Text of every page, from one pdftotext run (pages are separated by form feeds)."""
    pages = pdf_text(path).split("\f")
    return pages[:-1] if pages and pages[-1].strip() == "" else pages


def pdf_pages(path: Path) -> int:
    out = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    m = re.search(r"^Pages:\s+(\d+)", out, re.M)
    assert m, out
    return int(m.group(1))


def pdf_fonts(path: Path) -> list[dict[str, str]]:
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()[2:]
    fonts = []
    for line in lines:
        parts = line.split()
        # name type… encoding emb sub uni id gen: read from the right
        fonts.append({"name": parts[0], "emb": parts[-5], "sub": parts[-4], "uni": parts[-3]})
    return fonts


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


@pytest.fixture
def load_dataset(tmp_path: Path) -> Callable[..., Any]:
    """Load a dataset dict or a sample file name into a fresh database."""
    from dxdesk.store.database import open_database
    from dxdesk.store.dataset import import_dataset
    from dxdesk.store.settings_store import set_setting

    opened = []

    def load(data: dict[str, Any] | str, name: str = "print.sqlite") -> Any:
        if isinstance(data, str):
            data = json.loads((SAMPLES / data).read_text(encoding="utf-8"))
        db = open_database(tmp_path / name)
        opened.append(db)
        with db.session(audit=False) as s:
            plan = import_dataset(s, data)
            set_setting(s, "plan_code", plan.code)
        return db

    yield load
    for db in opened:
        db.dispose()
