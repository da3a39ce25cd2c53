"""The read side of a signed workbook: :func:`read_signed` opens a file on the safe zip reader and
returns its payload, signature and certificate, with the package scanned for what a person sees —
without loading openpyxl (the merge imports only this side; the writing side is
:mod:`dxdesk.exchange.workbook`)."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509

from dxdesk.exchange.appearance import Package, scan_package
from dxdesk.exchange.canonical import parse_canonical, payload_hash
from dxdesk.exchange.certificates import cert_from_pem
from dxdesk.exchange.errors import ReasonCode, UnreadableWorkbook
from dxdesk.exchange.limits import DEFAULT_LIMITS, Limits
from dxdesk.exchange.reader import XlsxReader

__all__ = ["CHUNK", "CONTAINER", "PAYLOAD_SHEET", "SignedFile", "read_signed"]

PAYLOAD_SHEET = "_dxdesk"
CONTAINER = "signed-workbook/1"
CHUNK = 16_000  # characters; ≤ 32,000 UTF-16 units even if every character is outside the BMP


@dataclass(frozen=True)
class SignedFile:
    """What a signed workbook holds, read without trusting it yet."""

    path: Path
    kind: str
    payload_bytes: bytes
    payload: dict[str, Any]
    signature: bytes
    certificate: x509.Certificate
    reader: XlsxReader
    package: Package

    @property
    def hash(self) -> str:
        return payload_hash(self.payload_bytes)


def _corrupt(detail: str) -> UnreadableWorkbook:
    return UnreadableWorkbook(ReasonCode.CORRUPT, f"ファイルが壊れています（{detail}）")


def read_signed(path: Path, limits: Limits = DEFAULT_LIMITS, *, data: bytes | None = None) -> SignedFile:
    """Open a signed workbook and read its payload sheet. Raises :class:`UnreadableWorkbook`.

    ``data``: the file's bytes, when already read. The returned reader stays open for the cell check;
    close it with ``signed.reader.close()``."""
    reader = XlsxReader(path, limits, data)
    try:
        info = reader.sheet(PAYLOAD_SHEET)
        if info is None or not info.part:
            raise UnreadableWorkbook(
                ReasonCode.NOT_DXDESK,
                "dxdesk のファイルではありません（署名データのシートがありません。"
                "dxdesk で作成したファイルではないか、シートが削除されています）",
            )
        package = scan_package(reader)
        scan = package.scans.get(PAYLOAD_SHEET)
        cells = scan.cells if scan is not None else {}
        values: dict[str, list[str]] = {}
        row = 1
        while f"A{row}" in cells:
            b = cells.get(f"B{row}")
            values.setdefault(cells[f"A{row}"].text, []).append(b.text if b else "")
            row += 1
        if values.get("dxdesk") != [CONTAINER]:
            raise UnreadableWorkbook(
                ReasonCode.NOT_DXDESK, "dxdesk のファイルではありません（署名データの形式が違います）"
            )
        try:
            kind = values["kind"][0]
            signature = base64.b64decode(values["signature"][0], validate=True)
            cert = cert_from_pem(values["certificate"][0])
            n = int(values["chunks"][0])
            chunks = values.get("payload", [])
        except (KeyError, IndexError, ValueError) as exc:
            raise _corrupt("署名データが読み取れません") from exc
        if n != len(chunks):
            raise _corrupt("署名データの一部が欠けています")
        data = "".join(chunks).encode("utf-8")
        try:
            payload = parse_canonical(data, max_depth=limits.max_json_depth)
        except (ValueError, RecursionError) as exc:
            raise _corrupt("署名データが読み取れません") from exc
        if not isinstance(payload, dict):
            raise _corrupt("署名データが読み取れません")
        return SignedFile(path, kind, data, payload, signature, cert, reader, package)
    except BaseException:
        reader.close()
        raise
