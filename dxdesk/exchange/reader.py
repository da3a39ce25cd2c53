"""A small, safe reader of .xlsx files: the hidden payload sheet and the bound cells, nothing else.

Verification must be fast (the central office merges hundreds of files) and must survive hostile
input, so it does not load the workbook with openpyxl. It reads the zip directly:
- the file size, the number of parts and every part's size are capped (:class:`Limits`); parts are
  decompressed in a stream that stops at the cap whatever the zip header claims, so a decompression
  bomb costs at most the cap in memory;
- every XML part is refused if it declares a DTD (entity bombs, external entities) or is not UTF-8;
  the declared encoding must be UTF-8; then the C parser reads the part as it is;
- cell values are read by python-calamine (Rust, about ten times faster than parsing the sheet XML in
  Python) from an in-memory copy made only of the parts that passed those checks, each exactly as
  long as the zip said — so calamine never sees a part that could expand further.

Cells are returned as the text a person sees (shared and inline strings with phonetic runs left out and
Excel's ``_xHHHH_`` escapes decoded; numbers as their text).
"""

from __future__ import annotations

import datetime as dt
import functools
import io
import os
import posixpath
import re
import stat
import struct
import xml.etree.ElementTree as ET
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any
from xml.etree.ElementTree import Element, ParseError

from dxdesk.exchange.errors import ReasonCode, UnreadableWorkbook
from dxdesk.exchange.limits import DEFAULT_LIMITS, Limits

if TYPE_CHECKING:
    from python_calamine import CalamineWorkbook

__all__ = [
    "DEFAULT_LIMITS",
    "Cell",
    "Limits",
    "SheetInfo",
    "XlsxReader",
    "cell_of",
    "column_index",
    "display_path",
    "file_type",
    "split_ref",
]


@dataclass(frozen=True)
class SheetInfo:
    name: str
    state: str  # visible | hidden | veryHidden
    part: str  # zip member name


@dataclass(frozen=True)
class Cell:
    value: str | None  # what is shown (numbers as XML text); None for an empty cell
    is_number: bool = False
    has_formula: bool = False  # calamine reports cached values only; kept for other readers


_NUM_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_REF = re.compile(r"^([A-Z]{1,3})(\d+)$")
_DECLARED_ENCODING = re.compile(rb"""(?:\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']*)["']""")
_UNSAFE_XML = re.compile(rb"<!\s*(?i:doctype|entity)")
# every reference a sheet part can make: cells and rows (r=), dimension / merges / selections (ref=,
# sqref=, topLeftCell=); the ranges are found from a plain byte search for the attribute name
_RANGE_NAMES = (b"ref", b"topLeftCell")
_RANGE_VALUE = {n: re.compile(n + rb'\s*=\s*["\']([^"\']*)["\']') for n in _RANGE_NAMES}
_XML_SPACE = frozenset(b" \t\n\r\f\v")
_R_ATTR = re.compile(rb'\sr\s*=\s*["\']([^"\']*)["\']')
_R_DIGITS = re.compile(rb"[0-9]+")
_R_LETTERS = re.compile(rb"[A-Za-z]+")
_MAIN_NS = (
    "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
    "http://purl.oclc.org/ooxml/spreadsheetml/main",
)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def unescape_excel(text: str) -> str:
    """Decode Excel's ``_xHHHH_`` escapes (used for control characters and literal ``_x`` text)."""
    if "_x" not in text:
        return text
    return _NUM_ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), text)


def escape_excel(text: str) -> str:
    """Protect literal ``_xHHHH_`` in a text so Excel shows it as typed (inverse of :func:`unescape_excel`)."""
    if "_x" not in text:
        return text
    return _NUM_ESCAPE.sub(lambda m: "_x005F" + m.group(0), text)


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ord(ch) - 64)
    return n


def column_letters(index: int) -> str:
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


@functools.lru_cache(maxsize=1 << 16)
def split_ref(ref: str) -> tuple[int, int]:
    """``"E14"`` → (row 14, column 5). Cached: the same layouts' references repeat in every file."""
    m = _REF.match(ref)
    if not m:
        raise ValueError(f"bad cell reference {ref!r}")
    return int(m.group(2)), column_index(m.group(1))


class XlsxReader:
    """Open an .xlsx file for reading within :class:`Limits`. Raises :class:`UnreadableWorkbook`."""

    def __init__(self, path: Path, limits: Limits = DEFAULT_LIMITS, data: bytes | None = None):
        """``data``: the file's bytes when the caller has read them already (the merge hashes and
        verifies the same bytes, so a file changed in between cannot slip through)."""
        self.path = Path(path)
        self.limits = limits
        self._total = 0
        if data is not None:
            size, head = len(data), data[:4]
        else:
            data = read_regular_file(self.path, limits)
            size, head = len(data), data[:4]
        if size > limits.max_file_bytes:
            raise UnreadableWorkbook(
                ReasonCode.TOO_LARGE,
                f"ファイルが大きすぎます（{size / 2**20:.0f}MB、上限 {limits.max_file_bytes // 2**20}MB）",
            )
        if head != b"PK\x03\x04":
            if size == 0:
                raise UnreadableWorkbook(ReasonCode.CORRUPT, "ファイルが壊れています（空のファイルです）")
            raise UnreadableWorkbook(
                ReasonCode.NOT_XLSX, "dxdesk のファイルではありません（Excel ブック（.xlsx）ではありません）"
            )
        self._raw: bytes | None = data
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError) as exc:
            raise UnreadableWorkbook(
                ReasonCode.CORRUPT, "ファイルが壊れています（途中で切れているか、zip として読めません）"
            ) from exc
        infos = self.zip.infolist()
        if len(infos) > limits.max_parts:
            self.close()
            raise UnreadableWorkbook(
                ReasonCode.TOO_LARGE, f"ファイルの構成要素が多すぎます（{len(infos)}個）"
            )
        self._infos = {i.filename: i for i in infos}
        folded = {i.filename.lower() for i in infos}
        if len(folded) != len(infos):
            self.close()
            dup = sorted(
                n for n in self._infos if sum(1 for i in infos if i.filename.lower() == n.lower()) > 1
            )
            raise UnreadableWorkbook(
                ReasonCode.CORRUPT,
                f"ファイルが壊れています（同じ名前の構成要素「{(dup or ['?'])[0][:60]}」が複数あります）",
            )
        for info in infos:
            if info.file_size > limits.max_part_bytes or (
                info.file_size > 2**20 and info.file_size > limits.max_ratio * max(1, info.compress_size)
            ):
                self.close()
                raise UnreadableWorkbook(
                    ReasonCode.TOO_LARGE,
                    f"ファイルが壊れているか、大きすぎます（「{info.filename[:40]}」の展開後のサイズが上限を超えます）",
                )
        self._cache: dict[str, bytes] = {}
        self._sheets: list[SheetInfo] | None = None
        self._book: CalamineWorkbook | None = None
        self._rows: dict[str, list[list[Any]]] = {}

    # --- plumbing -----------------------------------------------------------------------------
    def close(self) -> None:
        self.zip.close()

    def __enter__(self) -> XlsxReader:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def names(self) -> list[str]:
        return list(self._infos)

    def has(self, name: str) -> bool:
        return name in self._infos

    def read(self, name: str) -> bytes:
        """A part, decompressed in a stream that never exceeds the limits (kept: parts are read twice,
        for their references and for their XML)."""
        cached = self._cache.get(name)
        if cached is not None:
            return cached
        info = self._infos.get(name)
        if info is None:
            raise UnreadableWorkbook(ReasonCode.CORRUPT, f"ファイルが壊れています（「{name}」がありません）")
        cap = min(self.limits.max_part_bytes, self.limits.max_total_bytes - self._total)
        direct = self._inflate(info, cap)
        if direct is not None:
            self._total += len(direct)
            return self._checked(name, direct)
        chunks: list[bytes] = []
        got = 0
        try:
            with self.zip.open(info) as fh:
                while True:
                    block = fh.read(min(1 << 20, cap + 1 - got))
                    if not block:
                        break
                    got += len(block)
                    if got > cap:
                        raise UnreadableWorkbook(
                            ReasonCode.TOO_LARGE,
                            "ファイルが壊れているか、大きすぎます（展開後のサイズが上限を超えます）",
                        )
                    chunks.append(block)
        except (zipfile.BadZipFile, EOFError, OSError, ValueError, NotImplementedError) as exc:
            raise UnreadableWorkbook(
                ReasonCode.CORRUPT, f"ファイルが壊れています（{name} が読めません）"
            ) from exc
        except RuntimeError as exc:  # encrypted member
            raise UnreadableWorkbook(ReasonCode.NOT_DXDESK, "パスワード付きのファイルは読めません") from exc
        self._total += got
        return self._checked(name, b"".join(chunks))

    def _checked(self, name: str, data: bytes) -> bytes:
        if name.endswith((".xml", ".rels")) and unsafe_xml(data):
            raise UnreadableWorkbook(
                ReasonCode.UNSAFE_XML,
                "ファイルが壊れています（XML に許されない構造（DTD・エンティティ）があります）",
            )
        self._cache[name] = data
        return data

    def _inflate(self, info: zipfile.ZipInfo, cap: int) -> bytes | None:
        """A part taken straight from the file's bytes when it is plainly stored or deflated and whole:
        its local header names it, it expands to exactly the size the zip declares (never more: the
        decompressor is told where to stop) within ``cap``, and its CRC matches. None for anything
        else — the zip module then reads it and says what is wrong, as it always has."""
        if (
            self._raw is None
            or info.flag_bits & ~0x80E  # only the deflate option bits, a data descriptor, UTF-8 names
            or info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)
            or info.file_size > cap
        ):
            return None
        raw = self._raw
        at = info.header_offset
        header = raw[at : at + 30]
        if len(header) != 30 or header[:4] != b"PK\x03\x04":
            return None
        name_len, extra_len = struct.unpack("<HH", header[26:30])
        if raw[at + 30 : at + 30 + name_len] != info.orig_filename.encode(
            "utf-8" if info.flag_bits & 0x800 else "cp437", "replace"
        ):
            return None
        start = at + 30 + name_len + extra_len
        packed = raw[start : start + info.compress_size]
        if len(packed) != info.compress_size:
            return None
        if info.compress_type == zipfile.ZIP_STORED:
            data = packed
        else:
            inflater = zlib.decompressobj(-15)
            try:
                data = inflater.decompress(packed, info.file_size + 1)
            except zlib.error:
                return None
            if not inflater.eof:
                return None
        if len(data) != info.file_size or zlib.crc32(data) != info.CRC:
            return None
        return data

    def xml(self, name: str, data: bytes | None = None) -> Element:
        """A part parsed. :meth:`read` has refused any DTD or entity declaration, and the declared
        encoding must be UTF-8 (an 8-bit encoding could spell ``<!DOCTYPE`` in other bytes), so the
        C parser is used as it is — defusedxml's Python-level callbacks cost three times as much.

        ``data``: the part's bytes as :meth:`read` returned them, rewritten by the caller in a way
        that does not change what the caller reads (the appearance check drops empty cells)."""
        if data is None:
            data = self.read(name)
        decl = _DECLARED_ENCODING.match(data)
        if decl is not None and decl.group(1).lower().replace(b"_", b"-") not in (b"utf-8", b"utf8"):
            raise UnreadableWorkbook(
                ReasonCode.UNSAFE_XML,
                "ファイルが壊れています（XML の文字コードが UTF-8 ではありません）",
            )
        try:
            root: Element = ET.fromstring(data)
        except (ParseError, ValueError) as exc:
            raise UnreadableWorkbook(
                ReasonCode.CORRUPT, f"ファイルが壊れています（{name} の XML が読めません）"
            ) from exc
        return root

    # --- workbook structure ---------------------------------------------------------------------
    def sheets(self) -> list[SheetInfo]:
        if self._sheets is not None:
            return self._sheets
        if not self.has("xl/workbook.xml"):
            raise UnreadableWorkbook(
                ReasonCode.NOT_XLSX, "dxdesk のファイルではありません（Excel ブックではありません）"
            )
        rels: dict[str, str] = {}
        if self.has("xl/_rels/workbook.xml.rels"):
            for rel in self.xml("xl/_rels/workbook.xml.rels"):
                rid, target = rel.get("Id"), rel.get("Target")
                if rid and target:
                    if target.startswith("/"):
                        part = target.lstrip("/")
                    else:
                        part = posixpath.normpath(posixpath.join("xl", target))
                    rels[rid] = part
        out: list[SheetInfo] = []
        for el in self.xml("xl/workbook.xml").iter():
            if _local(el.tag) != "sheet":
                continue
            rid = next((v for k, v in el.attrib.items() if _local(k) == "id" and "relationships" in k), None)
            name = el.get("name") or ""
            part = rels.get(rid or "", "")
            out.append(SheetInfo(name=name, state=el.get("state") or "visible", part=part))
        self._sheets = out
        return out

    def sheet(self, name: str) -> SheetInfo | None:
        return next((s for s in self.sheets() if s.name == name), None)

    def _calamine(self) -> CalamineWorkbook:
        """calamine on a stored (uncompressed) copy of the checked XML parts."""
        from python_calamine import CalamineError, CalamineWorkbook  # only for unsigned workbooks

        if self._book is None:
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as out:
                for name in self._infos:
                    if name.endswith((".xml", ".rels")):
                        out.writestr(name, self.read(name))
            buf.seek(0)
            try:
                self._book = CalamineWorkbook.from_filelike(buf)
            except (CalamineError, ValueError, OSError) as exc:
                raise UnreadableWorkbook(
                    ReasonCode.CORRUPT, "ファイルが壊れています（シートが読めません）"
                ) from exc
        return self._book

    def rows(self, sheet: SheetInfo) -> list[list[Any]]:
        """The sheet's cell values as calamine gives them (``""`` for an empty cell), row by row from A1."""
        return self._sheet_rows(sheet.name)

    def _sheet_rows(self, name: str) -> list[list[Any]]:
        from python_calamine import CalamineError

        rows = self._rows.get(name)
        if rows is None:
            info = self.sheet(name)
            if info is not None and info.part and self.has(info.part):
                check_sheet_refs(info.name, self.read(info.part), self.limits)
            try:
                rows = self._calamine().get_sheet_by_name(name).to_python(skip_empty_area=False)
            except (CalamineError, ValueError, OSError) as exc:
                raise UnreadableWorkbook(
                    ReasonCode.CORRUPT, f"ファイルが壊れています（シート「{name[:31]}」が読めません）"
                ) from exc
            self._rows[name] = rows
        return rows

    def cells(self, sheet: SheetInfo, wanted: Iterable[str] | None = None) -> dict[str, Cell]:
        """The sheet's non-empty cells (only ``wanted`` references when given), keyed by reference."""
        rows = self._sheet_rows(sheet.name)
        out: dict[str, Cell] = {}
        if wanted is None:
            refs = [
                (f"{column_letters(c + 1)}{r + 1}", r, c)
                for r, row in enumerate(rows)
                for c, v in enumerate(row)
                if v != ""
            ]
        else:
            refs = []
            for ref in wanted:
                r, c = split_ref(ref)
                refs.append((ref, r - 1, c - 1))
        for ref, r, c in refs:
            v = rows[r][c] if r < len(rows) and c < len(rows[r]) else ""
            cell = _cell(v)
            if cell is not None:
                out[ref] = cell
        return out


def unsafe_xml(data: bytes) -> bool:
    """A DTD or entity declaration in any case (``<!DOCTYPE``, ``<!doctype``, ``<!ENTITY``), or NUL
    bytes (UTF-16/32, where a declaration hides from a byte search). ``<!`` is rare in workbook XML
    (comments, CDATA), so each is looked at with a plain byte search."""
    if b"\x00" in data:
        return True
    i = data.find(b"<!") if b"!" in data else -1  # (a one-byte search first: ``!`` is rarer than ``<``)
    while i >= 0:
        if _UNSAFE_XML.match(data, i):
            return True
        i = data.find(b"<!", i + 2)
    return False


def display_path(path: object) -> str:
    """A path as text that can always be printed, logged and stored: bytes of a file name that are not
    valid UTF-8 (kept by Python as lone surrogates) are shown as ``\\xNN``."""
    text = str(path)
    try:
        text.encode("utf-8")
        return text
    except UnicodeEncodeError:
        pass
    try:
        return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")
    except UnicodeEncodeError:  # lone surrogates that were never bytes
        return text.encode("utf-8", "backslashreplace").decode("utf-8")


def read_regular_file(path: Path, limits: Limits = DEFAULT_LIMITS) -> bytes:
    """The bytes of a regular file within the size limit. A FIFO, device, socket or folder is refused
    before it is opened (opening a FIFO would wait for a writer for ever), and the file is opened
    non-blocking in case it was swapped for one in between."""
    try:
        st = os.stat(path)
    except OSError as exc:
        raise UnreadableWorkbook(
            ReasonCode.CORRUPT, f"ファイルを開けません（{exc.strerror or exc}）"
        ) from exc
    if not stat.S_ISREG(st.st_mode):
        raise UnreadableWorkbook(
            ReasonCode.NOT_XLSX, f"通常のファイルではありません（{file_type(st.st_mode)}）"
        )
    if st.st_size > limits.max_file_bytes:
        raise UnreadableWorkbook(
            ReasonCode.TOO_LARGE,
            f"ファイルが大きすぎます（{st.st_size / 2**20:.0f}MB、上限 {limits.max_file_bytes // 2**20}MB）",
        )
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
        try:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                raise UnreadableWorkbook(ReasonCode.NOT_XLSX, "通常のファイルではありません")
            with os.fdopen(fd, "rb", closefd=False) as fh:
                data = fh.read(min(st.st_size, limits.max_file_bytes) + 1)
        finally:
            os.close(fd)
    except OSError as exc:
        raise UnreadableWorkbook(
            ReasonCode.CORRUPT, f"ファイルを開けません（{exc.strerror or exc}）"
        ) from exc
    if len(data) > limits.max_file_bytes:
        raise UnreadableWorkbook(
            ReasonCode.TOO_LARGE, f"ファイルが大きすぎます（上限 {limits.max_file_bytes // 2**20}MB）"
        )
    return data


def file_type(mode: int) -> str:
    """What a file that is not a regular file is, in Japanese (フォルダです、名前付きパイプです…)."""
    if stat.S_ISDIR(mode):
        return "フォルダです"
    if stat.S_ISFIFO(mode):
        return "名前付きパイプです"
    if stat.S_ISSOCK(mode):
        return "ソケットです"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "デバイスです"
    return "特殊なファイルです"


def too_large_range(sheet: str, max_row: int, max_col: int) -> UnreadableWorkbook:
    return UnreadableWorkbook(
        ReasonCode.TOO_LARGE,
        f"ファイルが壊れているか、大きすぎます（シート「{sheet[:31]}」のセル範囲が上限を超えます："
        f"{column_letters(min(max_col, 16384))}{min(max_row, 10**7)} まで）",
    )


def check_sheet_refs(
    sheet: str,
    data: bytes,
    limits: Limits = DEFAULT_LIMITS,
    *,
    cells: bool = True,
    beyond: tuple[int, int] = (0, 0),
) -> None:
    """Refuse a sheet part that names a cell beyond the row / column limits (``A1:XFD1048576``): a
    reader that sizes its grid from the references would allocate rows × columns cells.

    Cell and row references (``r=``, thousands of them) are checked with C-level scans: every run of
    digits and of letters in them; ranges (``ref=``, ``sqref=``, ``topLeftCell=``) one by one.
    ``cells=False``: only the ranges (a reader that parses the cells itself checks them as it goes).
    ``beyond``: the highest row and column of references the caller read from the part itself."""
    found = _R_ATTR.findall(data) if cells else []
    found += _range_values(data)
    refs = b" ".join(found)
    digits = set(_R_DIGITS.findall(refs))
    letters = {x.upper() for x in _R_LETTERS.findall(refs)}
    max_row = max(map(int, digits), default=0) if all(len(d) <= 8 for d in digits) else 10**9
    longest = max(map(len, letters), default=0)
    if longest > 3:
        max_col = 10**6
    else:
        max_col = max((column_index(x.decode("ascii")) for x in letters if len(x) == longest), default=0)
    max_row, max_col = max(max_row, beyond[0]), max(max_col, beyond[1])
    if max_row > limits.max_row or max_col > limits.max_col or max_row * max_col > limits.max_cells:
        raise too_large_range(sheet, max_row, max_col)


def _range_values(data: bytes) -> list[bytes]:
    """The values of every ``ref=``, ``sqref=`` and ``topLeftCell=`` attribute (a name preceded by
    white space). Each occurrence of the name is looked at, none hides another (a regular expression
    scanning for white space + name costs ten times as much on a sheet of 20 KB)."""
    out: list[bytes] = []
    for name in _RANGE_NAMES:
        value = _RANGE_VALUE[name]
        i = data.find(name)
        while i >= 0:
            start = i - 2 if name == b"ref" and data[i - 2 : i] == b"sq" else i
            if start > 0 and data[start - 1] in _XML_SPACE:
                m = value.match(data, i)
                if m is not None:
                    out.append(m.group(1))
            i = data.find(name, i + 1)
    return out


def cell_of(v: Any) -> Cell | None:
    """A calamine value as a :class:`Cell` (None for an empty cell)."""
    return _cell(v)


def _cell(v: Any) -> Cell | None:
    if v is None or v == "":
        return None
    if isinstance(v, bool):
        return Cell("TRUE" if v else "FALSE")
    if isinstance(v, int):
        return Cell(str(v), True)
    if isinstance(v, float):
        return Cell(repr(v), True)
    if isinstance(v, (dt.date, dt.time, dt.timedelta)):
        return Cell(str(v))
    return Cell(str(v))
