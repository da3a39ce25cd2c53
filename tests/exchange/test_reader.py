"""The safe xlsx reader and the workbook writer's cell rules."""

from __future__ import annotations

import zipfile
from decimal import Decimal

import pytest

from dxdesk.exchange.certificates import make_ca_certificate
from dxdesk.exchange.errors import ReasonCode, UnreadableWorkbook
from dxdesk.exchange.layout import C, Form, text_units, wrap_spans
from dxdesk.exchange.reader import Limits, XlsxReader, escape_excel, split_ref, unescape_excel
from dxdesk.exchange.signing import new_key
from dxdesk.exchange.workbook import WorkbookBuilder, number_format_for, read_signed, safe_text


def test_cell_references():
    assert split_ref("E14") == (14, 5)
    assert split_ref("AB3") == (3, 28)
    with pytest.raises(ValueError):
        split_ref("14E")


def test_excel_escapes_round_trip():
    for text in ("x_x0041_y", "_x005F_", "plain", "_x12G4_"):
        assert unescape_excel(escape_excel(text)) == text


def test_safe_text_keeps_what_a_cell_can_hold():
    assert safe_text("a\r\nb\rc") == "a\nb\nc"
    assert safe_text("ok\x01\ufffe") == "ok\ufffd\ufffd"


def test_number_formats_keep_typed_decimals():
    assert number_format_for(Decimal("280.0")) == "#,##0.0"
    assert number_format_for(Decimal("1570")) == "#,##0"
    assert number_format_for(Decimal("1.25")) == "#,##0.00"


def test_wrapping_counts_full_width_characters_twice():
    assert text_units("ABC") == pytest.approx(3.15)
    assert text_units("施策") == 4.0
    spans = wrap_spans("あいうえお" * 4, 10.0)  # 5 full-width characters per line
    assert [e - s for s, e in spans] == [5, 5, 5, 5]
    assert wrap_spans("一行目\n二行目", 100) == [(0, 3), (4, 7)]


def _book(tmp_path, n_parts: int = 0, big: int = 0):
    b = WorkbookBuilder()
    f = Form(b, "表紙", [10, 10])
    f.line(C("実績", 1, "label"), C(Decimal("12.50"), 1, "num", "実績"))
    key = new_key()
    path = tmp_path / "t.xlsx"
    b.finish(path, "dxdesk/test/1", {"x": 1}, key, make_ca_certificate(key, "ca", "org"))
    if n_parts or big:
        with zipfile.ZipFile(path, "a") as z:
            for i in range(n_parts):
                z.writestr(f"xl/extra{i}.xml", "<x/>")
            if big:
                z.writestr("xl/big.xml", b" " * big, compress_type=zipfile.ZIP_DEFLATED)
    return path


def test_reader_reads_the_signed_sheet(tmp_path):
    s = read_signed(_book(tmp_path))
    try:
        assert s.kind == "dxdesk/test/1" and s.payload["x"] == 1
        cells = s.reader.cells(s.reader.sheet("表紙"))
        assert cells["B1"].value == "12.5" and cells["B1"].is_number
        assert cells["A1"].value == "実績" and not cells["A1"].is_number
    finally:
        s.reader.close()


def test_too_many_parts(tmp_path):
    path = _book(tmp_path, n_parts=30)
    with pytest.raises(UnreadableWorkbook) as info:
        XlsxReader(path, Limits(max_parts=20))
    assert info.value.code == ReasonCode.TOO_LARGE


def test_a_part_too_large(tmp_path):
    path = _book(tmp_path, big=2 * 2**20)
    with pytest.raises(UnreadableWorkbook) as info:
        XlsxReader(path, Limits(max_part_bytes=2**20))
    assert info.value.code == ReasonCode.TOO_LARGE


def test_total_limit_counts_every_part_read(tmp_path):
    path = _book(tmp_path, big=900_000)
    with zipfile.ZipFile(path, "a") as z:
        z.writestr("xl/big2.xml", b" " * 900_000, compress_type=zipfile.ZIP_DEFLATED)
    r = XlsxReader(path, Limits(max_total_bytes=2**20))
    assert len(r.read("xl/big.xml")) == 900_000
    assert len(r.read("xl/big.xml")) == 900_000  # read again: kept, not decompressed and counted twice
    with pytest.raises(UnreadableWorkbook) as info:
        r.read("xl/big2.xml")
    assert info.value.code == ReasonCode.TOO_LARGE


def test_file_too_large(tmp_path):
    path = _book(tmp_path)
    with pytest.raises(UnreadableWorkbook) as info:
        XlsxReader(path, Limits(max_file_bytes=100))
    assert info.value.code == ReasonCode.TOO_LARGE
    assert "大きすぎます" in str(info.value)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.xlsx"
    path.write_bytes(b"")
    with pytest.raises(UnreadableWorkbook) as info:
        XlsxReader(path)
    assert info.value.code == ReasonCode.CORRUPT and "空のファイル" in str(info.value)


def test_missing_file(tmp_path):
    with pytest.raises(UnreadableWorkbook) as info:
        XlsxReader(tmp_path / "nothing.xlsx")
    assert info.value.code == ReasonCode.CORRUPT


def _zip_of(tmp_path, data: bytes, *, stored: bool = False):
    path = tmp_path / "part.xlsx"
    kind = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("xl/worksheets/sheet1.xml", data, compress_type=kind)
    return path


def _patched(path, old: bytes, new: bytes, *, count: int = -1):
    raw = path.read_bytes()
    assert old in raw
    path.write_bytes(raw.replace(old, new, count))
    return path


@pytest.mark.parametrize("stored", [False, True])
def test_a_part_read_straight_from_the_file_is_what_the_zip_module_reads(tmp_path, stored):
    text = '<worksheet xmlns="x"><sheetData><row r="1"/></sheetData>達成率</worksheet>'.encode()
    path = _zip_of(tmp_path, text * 50, stored=stored)
    r = XlsxReader(path)
    try:
        assert r.read("xl/worksheets/sheet1.xml") == r.zip.read("xl/worksheets/sheet1.xml") == text * 50
    finally:
        r.close()


def test_a_part_whose_crc_does_not_match_is_a_damaged_file(tmp_path):
    """A changed byte inside a stored part: the direct read declines it and the zip module's check
    says the file is damaged, as for any other reader of it."""
    path = _zip_of(tmp_path, b"<worksheet>" + "実績".encode() * 20 + b"</worksheet>", stored=True)
    _patched(path, "実績".encode(), "目標".encode(), count=1)
    r = XlsxReader(path)
    try:
        with pytest.raises(UnreadableWorkbook) as info:
            r.read("xl/worksheets/sheet1.xml")
        assert info.value.code == ReasonCode.CORRUPT
    finally:
        r.close()


def test_a_part_that_expands_beyond_its_declared_size_is_refused(tmp_path):
    """The central directory says 10 bytes; the stream holds more: never more than declared is read."""
    path = _zip_of(tmp_path, b"<a>" + b" " * 5000 + b"</a>")
    r = XlsxReader(path)
    try:
        info = r._infos["xl/worksheets/sheet1.xml"]
        info.file_size = 10  # what a crafted central directory would claim
        with pytest.raises(UnreadableWorkbook) as err:
            r.read("xl/worksheets/sheet1.xml")
        assert err.value.code == ReasonCode.CORRUPT
    finally:
        r.close()
