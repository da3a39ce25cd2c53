"""The inbox: which files a selection holds, and what can be said about each before verifying it.

:func:`collect_files` expands folders (their files, not sub-folders, in name order). Operating-system
files that are never anybody's input (``Thumbs.db``, ``desktop.ini``, ``.DS_Store``) are left out
silently; every other file gets its own result line.

:func:`probe` looks at one file without trusting it: Excel's ``~$`` owner files (the workbook is open
somewhere), temporary files of a copy or save still running, other file types, empty files, files that
cannot be opened (no permission, locked by another program), and files that change while being read.
A file that passes is read once and hashed (SHA-256): a file whose bytes were received before is a
duplicate without being verified again — its content is exactly what was verified then.
"""

from __future__ import annotations

import hashlib
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from dxdesk.central.intake import MergeCode
from dxdesk.exchange.errors import ReasonCode
from dxdesk.exchange.reader import DEFAULT_LIMITS, file_type

__all__ = ["Probe", "collect_files", "probe"]

SYSTEM_FILES = frozenset({"thumbs.db", "desktop.ini", ".ds_store", "ehthumbs.db"})
# our own atomic writes (dxdesk.files.atomic_path), browsers' and copy tools' partial files
_TEMPORARY = re.compile(r"^\..+\.[0-9a-f]{12}\.tmp$|\.(tmp|crdownload|part|partial|download)$", re.IGNORECASE)
_OTHER_TYPES = {
    ".xls": "古い形式の Excel ファイル（.xls）です。提出ファイルは dxdesk が作成した .xlsx ファイルです",
    ".xlsm": "マクロ付きのブック（.xlsm）は受け付けません。dxdesk が作成した .xlsx ファイルを使ってください",
    ".csv": "CSV ファイルです。提出ファイルは dxdesk が作成した .xlsx ファイルです",
    ".pdf": "PDF ファイルです。提出ファイルは dxdesk が作成した .xlsx ファイルです",
    ".zip": "zip ファイルです。展開してから、中の提出ファイル（.xlsx）を取り込んでください",
}


def collect_files(paths: Iterable[Path | str]) -> list[Path]:
    """Files named and the files of folders named, in order, each once."""
    out: list[Path] = []
    seen: set[Path] = set()
    for item in paths:
        p = Path(item)
        if p.is_dir():
            # sub-folders are not entered, but one named like a workbook gets its own line
            children = sorted(
                (
                    c
                    for c in p.iterdir()
                    if c.name.lower() not in SYSTEM_FILES and (c.suffix.lower() == ".xlsx" or not c.is_dir())
                ),
                key=lambda c: c.name,
            )
        else:
            children = [p]
        for c in children:
            key = c.absolute()
            if key not in seen:
                seen.add(key)
                out.append(c)
    return out


@dataclass(frozen=True)
class Probe:
    path: Path
    file_hash: str | None = None
    code: str | None = None  # set when the file is not worth verifying
    message: str = ""


def _problem(path: Path, code: str, message: str) -> Probe:
    return Probe(path, None, code, message)


def probe(path: Path) -> Probe:
    """What can be said about ``path`` before verification. Never raises."""
    name = path.name
    if name.startswith("~$"):
        original = name[2:]
        return _problem(
            path,
            MergeCode.LOCK_FILE,
            f"Excel がブックを開いている間に作る一時ファイルです（取り込みません）。「…{original}」を"
            "Excel で開いている場合は閉じてから、もう一度取り込んでください",
        )
    if _TEMPORARY.search(name):
        return _problem(
            path,
            MergeCode.TEMPORARY,
            "書き込み中の一時ファイルです（取り込みません）。コピーや保存が終わってから、もう一度取り込んでください",
        )
    try:
        st = path.stat()
    except FileNotFoundError:
        return _problem(
            path, MergeCode.MISSING, "ファイルがありません（移動または削除されたおそれがあります）"
        )
    except OSError as exc:
        return _unreadable(path, exc)
    if not stat.S_ISREG(st.st_mode):
        return _problem(
            path,
            ReasonCode.NOT_XLSX,
            f"通常のファイルではありません（{file_type(st.st_mode)}。取り込めません）",
        )
    suffix = path.suffix.lower()
    if suffix != ".xlsx":
        message = _OTHER_TYPES.get(suffix) or (
            f"提出ファイル（.xlsx）ではありません（{suffix or '拡張子のない'}ファイル）。受付フォルダから移動してください"
        )
        return _problem(path, ReasonCode.NOT_XLSX, message)
    if st.st_size == 0:
        return _problem(
            path,
            MergeCode.EMPTY,
            "空のファイルです（0バイト）。コピーが途中で失敗したおそれがあります。提出元にもう一度送ってもらってください",
        )
    if st.st_size > DEFAULT_LIMITS.max_file_bytes:
        return _problem(
            path,
            ReasonCode.TOO_LARGE,
            f"ファイルが大きすぎます（{st.st_size / 2**20:.0f}MB、上限 {DEFAULT_LIMITS.max_file_bytes // 2**20}MB）",
        )
    try:
        with path.open("rb") as fh:
            data = fh.read()
        after = path.stat()
    except OSError as exc:
        return _unreadable(path, exc)
    if len(data) != st.st_size or after.st_size != st.st_size or after.st_mtime_ns != st.st_mtime_ns:
        return _problem(
            path,
            MergeCode.TEMPORARY,
            "読み込み中にファイルが変わりました（書き込み中です）。コピーや保存が終わってから、もう一度取り込んでください",
        )
    return Probe(path, hashlib.sha256(data).hexdigest())


def _unreadable(path: Path, exc: OSError) -> Probe:
    if isinstance(exc, PermissionError):
        message = (
            "ファイルを開けません（読み取りの権限がないか、他のプログラムが使用中です）。"
            "Excel などで開いている場合は閉じてから、もう一度取り込んでください"
        )
    else:
        message = f"ファイルを開けません（{exc.strerror or exc}）"
    return _problem(path, MergeCode.UNREADABLE, message)
