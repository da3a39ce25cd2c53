"""Hostile copies of a valid submission, shared by the merge tests and scripts/bench_merge.py."""

from __future__ import annotations

import zipfile
from pathlib import Path


def range_bomb(src: Path, out: Path) -> None:
    """A copy of ``src`` whose first measure sheet also has a cell at XFD1048576 (a 1.4 KB change)."""
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet3.xml":
                data = data.replace(
                    b"</sheetData>",
                    b'<row r="1048576"><c r="XFD1048576" t="inlineStr"><is><t>x</t></is></c></row></sheetData>',
                )
            zout.writestr(info, data)
