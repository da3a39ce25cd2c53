"""The tamper corpus: every way a submission can be damaged or forged is detected, with the right reason.

Each case starts from a genuine signed submission (tests/exchange/conftest.py) and changes it the way a
person or a program would; verification must name what is wrong in plain Japanese.
"""

from __future__ import annotations

import base64
import json
import shutil
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from dxdesk.exchange.authority import section_signing_key
from dxdesk.exchange.canonical import canonical_bytes, parse_canonical
from dxdesk.exchange.certificates import cert_to_pem, issue_section_certificate, make_ca_certificate
from dxdesk.exchange.errors import ReasonCode
from dxdesk.exchange.reader import Limits
from dxdesk.exchange.signing import new_key, sign
from dxdesk.exchange.submission import verify_submission
from dxdesk.exchange.verify import KIND_SUBMISSION
from dxdesk.exchange.workbook import CHUNK, PAYLOAD_SHEET
from dxdesk.store.database import open_database
from dxdesk.store.models import SectionCredential


def copy(src: Path, tmp_path: Path, name: str = "copy.xlsx") -> Path:
    dst = tmp_path / name
    shutil.copyfile(src, dst)
    return dst


def hidden(ws) -> dict[str, list]:
    """Rows of the payload sheet by key: {key: [row numbers]}."""
    rows: dict[str, list] = {}
    for r in range(1, ws.max_row + 1):
        rows.setdefault(ws.cell(r, 1).value, []).append(r)
    return rows


def payload_of(wb) -> dict:
    ws = wb[PAYLOAD_SHEET]
    rows = hidden(ws)
    return parse_canonical("".join(ws.cell(r, 2).value for r in rows["payload"]))


def write_payload(wb, payload: dict, *, signature: bytes | None = None, cert_pem: str | None = None) -> None:
    ws = wb[PAYLOAD_SHEET]
    rows = hidden(ws)
    text = canonical_bytes(payload).decode("utf-8")
    chunks = [text[i : i + CHUNK] for i in range(0, len(text), CHUNK)]
    assert len(chunks) == len(rows["payload"]), "test helper keeps the chunk count"
    for r, c in zip(rows["payload"], chunks, strict=True):
        ws.cell(r, 2).value = c
    if signature is not None:
        ws.cell(rows["signature"][0], 2).value = base64.b64encode(signature).decode("ascii")
    if cert_pem is not None:
        ws.cell(rows["certificate"][0], 2).value = cert_pem


def first_binding(payload: dict, kind: str, label_part: str = "") -> tuple[str, str, str, str]:
    for sheet, entries in payload["bindings"].items():
        for ref, t, value, label, *_display in entries:
            if t == kind and value and label_part in label:
                return sheet, ref, value, label
    raise AssertionError("no such binding")


def reasons(path: Path, trust, **kw) -> set[str]:
    v = verify_submission(path, trust, **kw)
    assert not v.ok
    return v.codes


def test_genuine_submission_verifies(world):
    v = verify_submission(world.submission, world.trust)
    assert v.ok, v.message
    assert v.payload["section"]["code"] == "S001"
    assert "提出ファイル S001" in v.summary() and "第1版" in v.summary()


def test_visible_number_changed(world, tmp_path):
    path = copy(world.submission, tmp_path)
    wb = openpyxl.load_workbook(path)
    sheet, ref, value, label = first_binding(payload_of(wb), "n", "実績")
    wb[sheet][ref].value = float(value) + 2
    wb.save(path)
    v = verify_submission(path, world.trust)
    assert v.codes == {ReasonCode.EDITED_CELL}
    assert "表示セルが変更されています" in v.message
    assert f"{sheet}!{ref}：{label}" in v.message and "→" in v.message


def test_visible_text_changed(world, tmp_path):
    path = copy(world.submission, tmp_path)
    wb = openpyxl.load_workbook(path)
    sheet, ref, value, _label = first_binding(payload_of(wb), "s", "取組結果")
    wb[sheet][ref].value = value + "（追記）"
    wb.save(path)
    v = verify_submission(path, world.trust)
    assert v.codes == {ReasonCode.EDITED_CELL}
    assert f"{sheet}!{ref}：取組結果" in v.message


def test_cover_author_changed(world, tmp_path):
    path = copy(world.submission, tmp_path)
    wb = openpyxl.load_workbook(path)
    sheet, ref, _value, _label = first_binding(payload_of(wb), "s", "作成者")
    wb[sheet][ref].value = "別の人"
    wb.save(path)
    v = verify_submission(path, world.trust)
    assert v.codes == {ReasonCode.EDITED_CELL}
    assert "表紙!" in v.message and "作成者 山田 太郎 → 別の人" in v.message


def test_payload_changed(world, tmp_path):
    path = copy(world.submission, tmp_path)
    wb = openpyxl.load_workbook(path)
    p = payload_of(wb)
    p["author"] = "改ざん者"
    write_payload(wb, p)
    wb.save(path)
    v = verify_submission(path, world.trust)
    assert v.codes == {ReasonCode.BAD_SIGNATURE}
    assert "署名が一致しません" in v.message


def test_signature_of_another_section_pasted_in(world, tmp_path):
    path = copy(world.submission, tmp_path)
    other = openpyxl.load_workbook(world.other_submission)
    o_rows = hidden(other[PAYLOAD_SHEET])
    wb = openpyxl.load_workbook(path)
    ws = wb[PAYLOAD_SHEET]
    rows = hidden(ws)
    for key in ("signature", "certificate"):
        ws.cell(rows[key][0], 2).value = other[PAYLOAD_SHEET].cell(o_rows[key][0], 2).value
    wb.save(path)
    assert reasons(path, world.trust) == {ReasonCode.BAD_SIGNATURE}


def test_other_sections_whole_payload_pasted_in(world, tmp_path):
    """The hidden sheet of S002 (consistent in itself) under S001's visible sheets."""
    path = copy(world.submission, tmp_path)
    other = openpyxl.load_workbook(world.other_submission)
    wb = openpyxl.load_workbook(path)
    del wb[PAYLOAD_SHEET]
    ws = wb.create_sheet(PAYLOAD_SHEET)
    for row in other[PAYLOAD_SHEET].iter_rows(values_only=True):
        ws.append(list(row))
    ws.sheet_state = "veryHidden"
    wb.save(path)
    assert ReasonCode.EDITED_CELL in reasons(path, world.trust)


def test_resigned_with_a_self_made_key_and_certificate(world, tmp_path):
    path = copy(world.submission, tmp_path)
    wb = openpyxl.load_workbook(path)
    p = payload_of(wb)
    p["author"] = "改ざん者"
    fake_ca_key = new_key()
    fake_ca = make_ca_certificate(fake_ca_key, "dxdesk 中央認証局（デモ市）", "デモ市")
    key = new_key()
    cert = issue_section_certificate(
        fake_ca_key,
        fake_ca,
        key.public_key(),
        plan_code=p["plan"]["code"],
        fiscal_year=2026,
        section_code="S001",
        section_name="電子申請推進課",
        organisation="デモ市",
    )
    sig = sign(key, KIND_SUBMISSION, canonical_bytes(p))
    write_payload(wb, p, signature=sig, cert_pem=cert_to_pem(cert))
    wb.save(path)
    v = verify_submission(path, world.trust)
    assert ReasonCode.UNTRUSTED in v.codes
    assert "この中央の認証局が発行した証明書で署名されていません" in v.message


def _section_key(world) -> Ed25519PrivateKey:
    """Section S001's own signing key: what a section (or its program) could sign anything with."""
    db = open_database(world.section_db)
    try:
        with db.session() as s:
            return section_signing_key(s.query(SectionCredential).one(), world.kits["S001"].passphrase)
    finally:
        db.dispose()


def test_fiscal_year_changed(world, tmp_path):
    path = copy(world.submission, tmp_path)
    wb = openpyxl.load_workbook(path)
    p = payload_of(wb)
    p["fiscal_year"] = 2027
    write_payload(wb, p)
    wb.save(path)
    assert reasons(path, world.trust) == {ReasonCode.BAD_SIGNATURE}


def test_fiscal_year_changed_and_signed_with_the_sections_own_key(world, tmp_path):
    """A section (or its program) signing a payload for a year its certificate is not for."""
    path = copy(world.submission, tmp_path)
    key = _section_key(world)
    wb = openpyxl.load_workbook(path)
    p = payload_of(wb)
    p["fiscal_year"] = 2027
    write_payload(wb, p, signature=sign(key, KIND_SUBMISSION, canonical_bytes(p)))
    wb.save(path)
    v = verify_submission(path, world.trust)
    assert ReasonCode.YEAR_MISMATCH in v.codes
    assert "年度が一致しません（証明書は令和8年度、ファイルは令和9年度）" in v.message


def test_hidden_sheet_removed(world, tmp_path):
    path = copy(world.submission, tmp_path)
    wb = openpyxl.load_workbook(path)
    del wb[PAYLOAD_SHEET]
    wb.save(path)
    v = verify_submission(path, world.trust)
    assert v.codes == {ReasonCode.NOT_DXDESK}
    assert "dxdesk のファイルではありません" in v.message


def test_visible_sheet_removed(world, tmp_path):
    path = copy(world.submission, tmp_path)
    wb = openpyxl.load_workbook(path)
    name = wb.sheetnames[2]
    del wb[name]
    wb.save(path)
    v = verify_submission(path, world.trust)
    assert v.codes == {ReasonCode.EDITED_CELL}
    assert f"表示シート「{name}」が削除" in v.message


@pytest.mark.parametrize("fraction", [0.0, 0.3, 0.9, 0.999])
def test_truncated_file(world, tmp_path, fraction):
    data = world.submission.read_bytes()
    path = tmp_path / "cut.xlsx"
    path.write_bytes(data[: int(len(data) * fraction)])
    v = verify_submission(path, world.trust)
    assert v.codes == {ReasonCode.CORRUPT}
    assert "壊れています" in v.message


@pytest.mark.parametrize(
    "content", [b"just some text, not a workbook", "氏名,実績\n山田,3\n".encode("cp932")]
)
def test_not_a_zip(tmp_path, world, content):
    path = tmp_path / "notes.xlsx"
    path.write_bytes(content)
    v = verify_submission(path, world.trust)
    assert v.codes == {ReasonCode.NOT_XLSX}
    assert "dxdesk のファイルではありません" in v.message


def test_a_zip_that_is_not_a_workbook(tmp_path, world):
    path = tmp_path / "archive.xlsx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("readme.txt", "hello")
    assert reasons(path, world.trust) == {ReasonCode.NOT_XLSX}


def test_a_workbook_not_made_by_dxdesk(tmp_path, world):
    path = tmp_path / "plain.xlsx"
    wb = openpyxl.Workbook()
    wb.active["A1"] = "実績"
    wb.save(path)
    assert reasons(path, world.trust) == {ReasonCode.NOT_DXDESK}


def _rewrite(src: Path, dst: Path, replace: dict[str, bytes], add: dict[str, bytes] | None = None) -> None:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info, replace.get(info.filename, zin.read(info)))
        for name, data in (add or {}).items():
            zout.writestr(name, data)


BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>
<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row></sheetData></worksheet>"""


def _verify_measuring_memory(path: Path, trust: object, **kwargs: object) -> tuple[object, int]:
    """The verification and the most memory Python allocated for it (tracemalloc's peak)."""
    tracemalloc.start()
    try:
        v = verify_submission(path, trust, **kwargs)
        return v, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize(
    "member", ["xl/workbook.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet3.xml"]
)
def test_xml_entity_bomb(world, tmp_path, member):
    path = tmp_path / "bomb.xlsx"
    _rewrite(world.submission, path, {member: BILLION_LAUGHS})
    v, peak = _verify_measuring_memory(path, world.trust)
    assert v.codes == {ReasonCode.UNSAFE_XML}
    assert "DTD" in v.message
    assert peak < 50 * 2**20


def test_xml_entity_bomb_in_utf16_is_refused_too(world, tmp_path):
    path = tmp_path / "bomb16.xlsx"
    _rewrite(
        world.submission,
        path,
        {
            "xl/workbook.xml": BILLION_LAUGHS.replace(b'version="1.0"', b'version="1.0" encoding="UTF-16"')
            .decode()
            .encode("utf-16")
        },
    )
    assert reasons(path, world.trust) == {ReasonCode.UNSAFE_XML}


def _bomb(path: Path, src: Path, megabytes: int) -> None:
    shutil.copyfile(src, path)
    with (
        zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z,
        z.open("xl/media/zeros.bin", "w", force_zip64=True) as fh,
    ):
        block = bytes(2**20)
        for _ in range(megabytes):
            fh.write(block)


def test_decompression_bomb_is_refused_by_its_declared_size(world, tmp_path):
    path = tmp_path / "zbomb.xlsx"
    _bomb(path, world.submission, 300)
    assert path.stat().st_size < 2 * 2**20  # small on disk
    v, peak = _verify_measuring_memory(path, world.trust)
    assert v.codes == {ReasonCode.TOO_LARGE}
    assert "大きすぎます" in v.message
    assert peak < 50 * 2**20


def test_decompression_bomb_lying_about_its_size_is_cut_at_the_limit(world, tmp_path):
    """The zip headers claim a small part; reading stops at the limit whatever the stream holds."""
    path = tmp_path / "liar.xlsx"
    xml_like = b"<worksheet>" + b" " * (200 * 2**20)
    with zipfile.ZipFile(world.submission) as zin, zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "xl/worksheets/sheet3.xml":
                data = xml_like
            zout.writestr(info.filename, data)
    raw = bytearray(path.read_bytes())
    # patch the declared size and CRC (local header and central directory) to those of the first 4 KB
    with zipfile.ZipFile(path) as z:
        info = z.getinfo("xl/worksheets/sheet3.xml")
    small = 4096
    crc = zlib.crc32(xml_like[:small])
    lh = info.header_offset
    raw[lh + 14 : lh + 18] = crc.to_bytes(4, "little")
    raw[lh + 22 : lh + 26] = small.to_bytes(4, "little")
    name = b"xl/worksheets/sheet3.xml"
    pos = raw.find(b"PK\x01\x02")
    while pos != -1:
        n = int.from_bytes(raw[pos + 28 : pos + 30], "little")
        if raw[pos + 46 : pos + 46 + n] == name:
            raw[pos + 16 : pos + 20] = crc.to_bytes(4, "little")
            raw[pos + 24 : pos + 28] = small.to_bytes(4, "little")
        pos = raw.find(b"PK\x01\x02", pos + 4)
    path.write_bytes(bytes(raw))
    with zipfile.ZipFile(path) as z:
        assert z.getinfo("xl/worksheets/sheet3.xml").file_size == small  # the lie is in place
    v, peak = _verify_measuring_memory(path, world.trust, limits=Limits(max_total_bytes=32 * 2**20))
    # only the declared 4 KB were read: an empty or unfinished sheet, never 200 MB
    assert v.codes and v.codes <= {ReasonCode.CORRUPT, ReasonCode.EDITED_CELL}
    assert peak < 50 * 2**20


def test_revoked_credential(copy_world, tmp_path):
    """A kit re-issued for S001 revokes the credential its earlier submission was signed with."""
    from dxdesk.exchange.authority import load_trust
    from dxdesk.exchange.kit import issue_kits

    central = open_database(copy_world.central)
    try:
        issue_kits(central, 2026, tmp_path / "kits2", section_codes=["S001"], slips=False)
        with central.session() as s:
            trust = load_trust(s)
    finally:
        central.dispose()
    v = verify_submission(copy_world.submission, trust)
    assert v.codes == {ReasonCode.REVOKED}
    assert "この課の資格情報は失効しています" in v.message
    assert verify_submission(copy_world.other_submission, trust).ok


def test_wrong_plan_is_named(world, tmp_path):
    from dataclasses import replace

    v = verify_submission(world.submission, replace(world.trust, plan_code="another-plan"))
    assert v.codes == {ReasonCode.PLAN_MISMATCH}
    assert "別の計画のファイルです" in v.message


def test_no_trust_is_a_reason_not_a_pass(world):
    from dxdesk.exchange.verify import Trust

    v = verify_submission(world.submission, Trust())
    assert ReasonCode.NO_TRUST in v.codes


def test_a_kit_is_not_a_submission(world):
    v = verify_submission(world.kits["S001"].path, world.trust)
    assert v.codes == {ReasonCode.WRONG_KIND}
    assert v.message == "提出ファイルではありません（配布ファイルです）"


def test_openpyxl_load_and_save_unchanged_still_verifies(world, tmp_path):
    path = copy(world.submission, tmp_path)
    wb = openpyxl.load_workbook(path)
    wb.save(path)
    assert verify_submission(path, world.trust).ok


@pytest.mark.slow
def test_libreoffice_round_trip_still_verifies(world, tmp_path):
    """Open and save in LibreOffice (headless): numbers lose their trailing zeros, strings become
    shared strings, the very hidden sheet becomes hidden — and the file still verifies."""
    import subprocess

    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is needed (scripts/apt-packages.extra lists libreoffice-calc-nogui)"
    out = tmp_path / "lo"
    profile = tmp_path / "lo-profile"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            str(world.submission),
        ],
        check=True,
        capture_output=True,
        timeout=180,
    )
    saved = out / world.submission.name
    assert saved.read_bytes() != world.submission.read_bytes()
    with zipfile.ZipFile(saved) as z:
        assert "xl/sharedStrings.xml" in z.namelist()
    v = verify_submission(saved, world.trust)
    assert v.ok, v.message


def test_every_kind_of_bound_cell_is_checked(world, tmp_path):
    """Change one cell of each sheet (cover, list, a measure sheet): each is reported."""
    wb0 = openpyxl.load_workbook(world.submission)
    bindings = payload_of(wb0)["bindings"]
    for sheet in list(bindings)[:3]:
        ref, t, value, _label, *_display = next(e for e in reversed(bindings[sheet]) if e[1] != "l")
        path = copy(world.submission, tmp_path, f"{sheet}.xlsx")
        wb = openpyxl.load_workbook(path)
        wb[sheet][ref].value = (float(value) + 1) if t == "n" else (value + "x")
        wb.save(path)
        v = verify_submission(path, world.trust)
        assert v.codes == {ReasonCode.EDITED_CELL}, sheet
        assert f"{sheet}!{ref}" in v.message


def test_json_in_payload_is_the_signed_bytes(world):
    """The hidden sheet holds exactly the canonical JSON that was signed (readable, not encoded)."""
    wb = openpyxl.load_workbook(world.submission)
    p = payload_of(wb)
    assert p["format"] == KIND_SUBMISSION
    text = canonical_bytes(p).decode()
    assert json.loads(text)["revision"] == 1


def test_sheet_and_payload_data_that_disagree_are_refused_even_when_signed(world, tmp_path):
    """A faulty exporter (or a section with its own valid key) whose sheet shows another number than the
    data merged: every bound number points at its place in the payload and must show that value."""
    path = copy(world.submission, tmp_path)
    key = _section_key(world)
    wb = openpyxl.load_workbook(path)
    p = payload_of(wb)
    sheet, entry = next(
        (sheet, e) for sheet, entries in p["bindings"].items() for e in entries if e[1] == "n" and len(e) > 5
    )
    node = p
    for k in entry[5][:-1]:
        node = node[k]
    node[entry[5][-1]] = "99999"  # the data merged says 99999; the sheet still shows the signed number
    chunks = len(hidden(wb[PAYLOAD_SHEET])["payload"])
    text = canonical_bytes(p).decode("utf-8")
    assert len([text[i : i + CHUNK] for i in range(0, len(text), CHUNK)]) == chunks, "helper keeps the chunks"
    write_payload(wb, p, signature=sign(key, KIND_SUBMISSION, canonical_bytes(p)))
    wb.save(path)
    v = verify_submission(path, world.trust)
    assert ReasonCode.EDITED_CELL in v.codes
    assert f"表示セルが提出データと一致しません（{sheet}!{entry[0]}：{entry[3]}" in v.message


def test_bound_numbers_point_into_the_payload(world):
    """Indicator targets, actuals and costs on the measure sheets carry their payload path."""
    from dxdesk.exchange.workbook import read_signed

    s = read_signed(world.submission)
    s.reader.close()
    numbers = [e for entries in s.payload["bindings"].values() for e in entries if e[1] == "n" and e[3]]
    with_path = [e for e in numbers if len(e) > 5]
    assert with_path and len(with_path) >= len(numbers) // 2
    assert any(e[5][-1] == "actual" for e in with_path) and any(
        e[5][-2:] == [e[5][-2], "budget"] for e in with_path
    )
