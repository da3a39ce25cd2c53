"""One file of the inbox, verified and made ready to merge: :func:`intake_file`.

Runs in worker processes (the merge spreads files over the CPUs), so its input and output are plain,
picklable values: the trust as PEM text, the result as :class:`Intake` with the canonical payload bytes
and the section's data already validated and reduced to what a section may change
(:class:`MeasureDelta`). The merging process then only writes to the database.

The bytes verified are the bytes hashed: the file is read once, its SHA-256 compared with what the
merge saw when it listed the inbox (a file changed in between is "still being written"), and the
verifier works on those bytes.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dxdesk.domain.fiscal import fy_label
from dxdesk.domain.values import ValueType
from dxdesk.exchange.certificates import cert_from_pem, cert_to_pem
from dxdesk.exchange.errors import ReasonCode, UnreadableWorkbook
from dxdesk.exchange.reader import display_path
from dxdesk.exchange.signed import read_signed
from dxdesk.exchange.verify import (
    KIND_KIT,
    KIND_REVIEW,
    KIND_SUBMISSION,
    Trust,
    Verification,
    check_submission_content,
    collector_paused,
    verify_signed,
)
from dxdesk.store.dataset import (
    DatasetError,
    cost_fields,
    cost_item_fields,
    value_fields,
    year_fields,
)

__all__ = ["Intake", "MeasureDelta", "MergeCode", "TrustSpec", "display_path", "intake_file"]


class MergeCode:
    """Reason codes of the merge itself (besides :class:`dxdesk.exchange.errors.ReasonCode`)."""

    MISSING = "missing"  # the path does not exist (any more)
    LOCK_FILE = "lock_file"  # Excel's ~$ owner file: the workbook is open somewhere
    TEMPORARY = "temporary"  # a file still being written
    UNREADABLE = "unreadable"  # cannot be opened (permission, in use)
    EMPTY = "empty"  # 0 bytes
    OTHER_YEAR = "other_year"  # not the fiscal year being collected
    UNKNOWN_MEASURE = "unknown_measure"  # a measure or indicator the central plan does not have
    BAD_DATA = "bad_data"  # data that cannot be imported
    WORKER_DIED = "worker_died"  # the process verifying the file died (abort, crash, out of memory)


# Sheet columns of ``measure_year`` a section fills in (dxdesk.domain.fields.SHEET_FIELDS).
YEAR_COLUMNS = (
    "stage",
    "self_grade",
    "grade_override_reason",
    "direction",
    "direction_reason",
    "author",
    "chief_confirmed_by",
    "entry_status",
)
BASIC_COLUMNS = ("purpose", "summary", "target_group", "budget_item", "legal_basis", "period_label")


@dataclass(frozen=True)
class TrustSpec:
    """A :class:`Trust` as plain text, to hand to worker processes."""

    ca_pems: tuple[str, ...]
    revoked: tuple[str, ...]
    plan_code: str | None

    @classmethod
    def of(cls, trust: Trust) -> TrustSpec:
        return cls(
            tuple(cert_to_pem(c) for c in trust.cas.values()), tuple(sorted(trust.revoked)), trust.plan_code
        )

    def trust(self) -> Trust:
        return Trust.of([cert_from_pem(p) for p in self.ca_pems], self.revoked, self.plan_code)


@dataclass
class MeasureDelta:
    """What one measure of a submission changes in the central plan: the year's sheet, the year's
    indicator values and costs (everything else of a measure is the central office's)."""

    code: str
    content_hash: str  # of the measure's submitted content, sign-off names left out
    year: dict[str, Any]  # YEAR_COLUMNS
    texts: dict[str, str]
    perspectives: dict[str, int]
    milestones: list[dict[str, Any]] | None  # None: the submission says nothing about milestones
    values: list[tuple[str, str | None, str | None, str]]  # (indicator code, target, actual, note)
    cost: dict[str, Any] | None
    cost_items: list[dict[str, Any]]
    basic: dict[str, str]  # BASIC_COLUMNS present in the submission


@dataclass
class Intake:
    path: str
    file_hash: str | None = None
    codes: tuple[str, ...] = ()
    reasons: tuple[str, ...] = ()  # Japanese, one per code
    kind: str | None = None
    plan_code: str | None = None
    fiscal_year: int | None = None
    section_code: str | None = None
    section_name: str | None = None
    revision: int | None = None
    previous_hash: str | None = None
    payload_hash: str | None = None
    author: str = ""
    chief: str = ""
    signer_serial: str = ""
    created_at: str | None = None
    payload_z: bytes | None = None  # the canonical payload, zlib-compressed (as stored)
    signature: str = ""
    certificate_pem: str = ""
    measures: list[MeasureDelta] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.codes and self.payload_z is not None

    @property
    def message(self) -> str:
        return "／".join(self.reasons)

    def reject(self, code: str, message: str) -> Intake:
        self.codes = (*self.codes, code)
        self.reasons = (*self.reasons, message)
        return self


_WRONG_KIND_HINT = {
    KIND_KIT: "配布ファイルは各課に送るファイルです。受付フォルダには各課からの提出ファイルだけを置いてください",
    KIND_REVIEW: "審査結果ファイルは各課に返すファイルです。受付フォルダには各課からの提出ファイルだけを置いてください",
}


def intake_file(path: str, expected_hash: str, trust: Trust, fiscal_year: int) -> Intake:
    """Read, verify and prepare one file. Never raises for a bad file."""
    with collector_paused():
        return _intake_file(path, expected_hash, trust, fiscal_year)


def _intake_file(path: str, expected_hash: str, trust: Trust, fiscal_year: int) -> Intake:
    out = Intake(path)
    p = Path(path)
    try:
        data = p.read_bytes()
    except OSError as exc:
        return out.reject(
            MergeCode.UNREADABLE,
            f"ファイルを開けません（{exc.strerror or exc}）。Excel などで開いている場合は閉じてから、もう一度取り込んでください",
        )
    out.file_hash = hashlib.sha256(data).hexdigest()
    if out.file_hash != expected_hash:
        return out.reject(
            MergeCode.TEMPORARY,
            "読み込み中にファイルが変わりました（書き込み中です）。コピーや保存が終わってから、もう一度取り込んでください",
        )
    try:
        signed = read_signed(p, data=data)
    except UnreadableWorkbook as exc:
        return out.reject(exc.code, str(exc))
    try:
        v = verify_signed(signed, trust, expected_kind=KIND_SUBMISSION)
        check_submission_content(v)
    except UnreadableWorkbook as exc:
        v = Verification(p, signed.kind, signed.payload, signed.hash, signed.certificate)
        v.add(exc.code, str(exc))
    except (TypeError, ValueError, AttributeError, KeyError, IndexError):
        # a signed payload of unexpected shape (made by a modified program): not ours to merge
        v = Verification(p, signed.kind, signed.payload, signed.hash, signed.certificate)
        v.add(ReasonCode.CORRUPT, "ファイルが壊れています（署名データの形式が違います）")
    finally:
        signed.reader.close()
    payload = signed.payload
    out.kind = signed.kind
    section = _dict(payload.get("section"))
    plan = _dict(payload.get("plan"))
    out.plan_code = _str_or_none(plan.get("code"))
    fy = payload.get("fiscal_year")
    out.fiscal_year = fy if isinstance(fy, int) and not isinstance(fy, bool) else None
    out.section_code = _str_or_none(section.get("code"))
    out.section_name = _str_or_none(section.get("name"))
    rev = payload.get("revision")
    out.revision = rev if isinstance(rev, int) and not isinstance(rev, bool) else None
    if not v.ok:
        for r in v.reasons:
            msg = r.message
            if r.code == ReasonCode.WRONG_KIND and signed.kind in _WRONG_KIND_HINT:
                msg = f"{msg}。{_WRONG_KIND_HINT[signed.kind]}"
            out.reject(r.code, msg)
        return out
    if out.fiscal_year != fiscal_year:
        shown = (
            fy_label(out.fiscal_year) if out.fiscal_year and 1926 <= out.fiscal_year <= 2200 else "不明な年度"
        )
        return out.reject(
            MergeCode.OTHER_YEAR,
            f"{shown}の提出ファイルです（受け付けているのは{fy_label(fiscal_year)}です）",
        )
    if out.revision is None or out.revision < 1 or not out.section_code:
        return out.reject(ReasonCode.CORRUPT, "ファイルが壊れています（版番号または課所室がありません）")
    out.payload_hash = v.payload_hash  # signed.hash, computed once by the verification
    out.previous_hash = _str_or_none(payload.get("previous_hash"))
    out.author = str(payload.get("author") or "")[:100]
    out.chief = str(payload.get("chief") or "")[:100]
    signer = _dict(payload.get("signer"))
    out.signer_serial = str(signer.get("serial") or "")[:40]
    out.created_at = _str_or_none(payload.get("created_at"))
    try:
        out.measures = measure_deltas(payload, fiscal_year)
    except DatasetError as exc:
        return out.reject(MergeCode.BAD_DATA, f"提出データを取り込めません（{exc}）")
    except (TypeError, ValueError, AttributeError) as exc:
        return out.reject(MergeCode.BAD_DATA, f"提出データを取り込めません（形式が違います：{exc}）")
    if not out.measures:
        return out.reject(MergeCode.BAD_DATA, "提出データに施策がありません")
    out.payload_z = zlib.compress(signed.payload_bytes, 1)  # here, in the worker: 5× smaller to store
    out.signature = base64.b64encode(signed.signature).decode("ascii")
    out.certificate_pem = cert_to_pem(signed.certificate)
    return out


def _dict(v: Any) -> dict[str, Any]:
    return v if isinstance(v, dict) else {}


def _str_or_none(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


def _content_hash(d: MeasureDelta) -> str:
    """What a section submitted for a measure — everything the merge writes — without the sign-off
    (作成者・所属長確認 and the entry status change at every export): equal hashes mean nothing to
    review again."""
    year = {k: v for k, v in d.year.items() if k not in ("author", "chief_confirmed_by", "entry_status")}
    content = (
        sorted(year.items()),
        sorted(d.texts.items()),
        sorted(d.perspectives.items()),
        d.milestones,
        d.values,
        sorted(d.cost.items()) if d.cost else None,
        d.cost_items,
        sorted(d.basic.items()),
    )
    return hashlib.sha256(repr(content).encode("utf-8", "surrogatepass")).hexdigest()


def measure_deltas(payload: dict[str, Any], fiscal_year: int) -> list[MeasureDelta]:
    """The submission's measures reduced to what a section changes, validated with the dataset's field
    readers (the same normalisation as a person's typing). Raises :class:`DatasetError`."""
    data = payload.get("data")
    if not isinstance(data, dict):
        raise DatasetError("data", "提出データがありません")
    fy = str(fiscal_year)
    out: list[MeasureDelta] = []
    seen: set[str] = set()
    for i, md in enumerate(data.get("measures") or []):
        where = f"measures[{i}]"
        if not isinstance(md, dict) or not md.get("code"):
            raise DatasetError(where, "施策コードがありません")
        code = str(md["code"])
        if code in seen:
            raise DatasetError(where, f"施策「{code}」が重複しています")
        seen.add(code)
        yd = (md.get("years") or {}).get(fy) or {}
        yf = year_fields(fy, yd, f"{where}.years")
        values: list[tuple[str, str | None, str | None, str]] = []
        for j, idd in enumerate(md.get("indicators") or []):
            w = f"{where}.indicators[{j}]"
            vd = (idd.get("values") or {}).get(fy)
            if vd is None:
                continue
            vt = idd.get("value_type", "numeric")
            try:
                ValueType(vt)
            except ValueError as exc:
                raise DatasetError(f"{w}.value_type", f"「{vt}」は numeric か qualitative です") from exc
            icode = str(idd.get("code") or j + 1)  # as dxdesk.store.dataset.indicator_fields names it
            _fy, cols = value_fields(fy, vd, {"value_type": vt, "unit": str(idd.get("unit", ""))}, w)
            values.append((icode, cols["target"], cols["actual"], cols["note"]))
        cost = None
        cd = (md.get("costs") or {}).get(fy)
        if cd is not None:
            _fy, cost = cost_fields(fy, cd, where)
        items = [
            cost_item_fields(it, k, where)
            for k, it in enumerate(md.get("cost_items") or [])
            if str(it.get("fy")) == fy
        ]
        for k, it in enumerate(items):
            it["sort_order"] = k
        out.append(
            MeasureDelta(
                code=code,
                content_hash="",
                year={c: yf.columns[c] for c in YEAR_COLUMNS},
                texts={k: v for k, v in yf.texts.items() if v},
                perspectives=dict(yf.perspectives),
                milestones=yf.milestones,
                values=values,
                cost=cost,
                cost_items=items,
                basic={c: str(md.get(c) or "") for c in BASIC_COLUMNS},
            )
        )
    for d in out:
        d.content_hash = _content_hash(d)
    return out
