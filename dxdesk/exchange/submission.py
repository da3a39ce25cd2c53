"""The submission workbook (section → central): export with a revision chain, and verification.

``export_submission`` refuses while the pre-submission check has errors (:class:`ExportBlocked` lists
them), records 作成者 and 所属長確認 on the year's sheets, builds the payload — the section's measures
for the year as a ``dxdesk/dataset/1`` document (indicator values and costs of the displayed years),
the computed grades and rates, and the revision chained to the previous one by its hash — draws the
cover, the list and one sheet per measure, signs with the section's credential and writes
``R08_<課コード>_<課名>_提出_第N版.xlsx`` atomically. Each export is a new revision.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from dxdesk import __version__
from dxdesk.domain.audit import Finding
from dxdesk.domain.enums import Severity
from dxdesk.domain.evaluation import distribution_text
from dxdesk.domain.fiscal import JST, FiscalYear, fy_label
from dxdesk.exchange.authority import active_credential, section_signing_key
from dxdesk.exchange.certificates import cert_from_pem, format_fingerprint
from dxdesk.exchange.errors import ExchangeError, ExportBlocked
from dxdesk.exchange.measure_sheet import SheetContext, draw_measure_sheet, sheet_name_for
from dxdesk.exchange.reader import DEFAULT_LIMITS, Limits
from dxdesk.exchange.submission_sheets import draw_list, draw_submission_cover
from dxdesk.exchange.verify import KIND_SUBMISSION, Trust, Verification, check_submission_content, verify_file
from dxdesk.exchange.workbook import WorkbookBuilder
from dxdesk.store.database import Database
from dxdesk.store.dataset import export_dataset
from dxdesk.store.models import Measure, MeasureYear, Plan, PlanNode, SubmissionExport, utcnow
from dxdesk.store.presubmit import presubmission_check
from dxdesk.store.queries import MeasureRow, current_plan, measure_rows, section_names
from dxdesk.store.snapshot import plan_settings

__all__ = [
    "JST",
    "SubmissionResult",
    "check_submission_content",
    "export_submission",
    "last_revision",
    "presubmission_findings",
    "safe_file_name",
    "submission_file_name",
    "verify_submission",
]

Progress = Callable[[int, int, str], None]
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


@dataclass(frozen=True)
class SubmissionResult:
    path: Path
    revision: int
    payload_hash: str
    previous_hash: str | None
    measure_count: int


def safe_file_name(name: str, limit: int = 120) -> str:
    """A file name every Windows folder accepts (no reserved characters, no trailing dot/space)."""
    name = _UNSAFE_NAME.sub("_", unicodedata.normalize("NFC", name)).strip().rstrip(". ")
    return name[:limit] or "dxdesk"


def submission_file_name(fiscal_year: int, section_code: str, section_name: str, revision: int) -> str:
    """「R08_S011_情報政策課_提出_第2版.xlsx」."""
    fy = FiscalYear(fiscal_year).short2()
    return safe_file_name(f"{fy}_{section_code}_{section_name}_提出_第{revision}版") + ".xlsx"


def presubmission_findings(session: Session, plan: Plan, fy: int, section_code: str) -> list[Finding]:
    """The pre-submission check of a section's year (the same as F8 and ``dxdesk check``), errors first."""
    return presubmission_check(session, plan, fy, section_code=section_code).findings


def _node_paths(session: Session, plan: Plan) -> dict[int, str]:
    nodes = {n.id: n for n in session.scalars(select(PlanNode).where(PlanNode.plan_id == plan.id))}
    paths: dict[int, str] = {}
    for nid, node in nodes.items():
        names: list[str] = []
        cur: PlanNode | None = node
        while cur is not None and len(names) < 20:
            names.append(f"{cur.code} {cur.name}")
            cur = nodes.get(cur.parent_id) if cur.parent_id is not None else None
        paths[nid] = " ＞ ".join(reversed(names))
    return paths


def _results(rows: list[MeasureRow], fy: int) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for r in rows:
        out[r.code] = {
            "stage": r.stage.value if r.stage else None,
            "suggested_grade": r.evaluation.suggested.value if r.evaluation.suggested else None,
            "grade": r.grade.value if r.grade else None,
            "rule": r.suggestion.rule.value,
            "explanation": r.suggestion.explanation,
            "rates": [
                {"name": a.name, "rate": a.rate.display, "achieved": a.rate.achieved}
                for a in r.suggestion.indicators
            ],
        }
    return out


def _sign_off(
    session: Session, rows: list[MeasureRow], fy: int, author: str, chief: str, now: dt.datetime
) -> None:
    """Record 作成者 and 所属長確認 on each sheet of the year (the audit trail notes the change)."""
    ids = [r.id for r in rows]
    years = {
        y.measure_id: y
        for y in session.scalars(
            select(MeasureYear).where(MeasureYear.measure_id.in_(ids), MeasureYear.fiscal_year == fy)
        )
    }
    for mid in ids:
        my = years.get(mid)
        if my is None:
            my = MeasureYear(measure_id=mid, fiscal_year=fy)
            session.add(my)
        if my.author != author:
            my.author = author
        if my.chief_confirmed_by != chief:
            my.chief_confirmed_by = chief
            my.chief_confirmed_at = now
    session.flush()


def _check_person(value: str, what: str) -> str:
    v = " ".join(unicodedata.normalize("NFKC", value or "").split())
    if not v:
        raise ExchangeError(f"{what}を入力してください。")
    if len(v) > 100:
        raise ExchangeError(f"{what}は100文字以内で入力してください。")
    return v


def export_submission(
    db: Database,
    fiscal_year: int,
    section_code: str,
    author: str,
    chief: str,
    out_dir: Path,
    *,
    progress: Progress | None = None,
    now: dt.datetime | None = None,
    passphrase: str | None = None,
) -> SubmissionResult:
    """Write the next revision of the section's signed submission into ``out_dir``.

    Raises :class:`ExportBlocked` (with the findings) while the pre-submission check has errors,
    :class:`CredentialError` without a kit's credential for the year, :class:`KeyLockedError` /
    :class:`PassphraseError` when the signing key needs the kit passphrase (``passphrase``, see
    ``authority.section_signing_key``), :class:`ExchangeError` on bad input."""
    author = _check_person(author, "作成者")
    chief = _check_person(chief, "所属長確認（所属長の氏名）")
    report = progress or (lambda _i, _n, _m: None)
    now = (now or utcnow()).replace(microsecond=0)
    session = db.new_session(user=author)
    written: Path | None = None
    try:
        report(0, 4, "提出前チェックを実行しています")
        plan = current_plan(session)
        if plan is None:
            raise ExchangeError("計画が登録されていません。配布ファイルを取り込んでください。")
        settings = plan_settings(plan)
        rows = measure_rows(session, plan, fiscal_year, section_code=section_code, settings=settings)
        if not rows:
            raise ExchangeError(f"{fy_label(fiscal_year)}に課所室「{section_code}」の施策がありません。")
        errors = [
            f
            for f in presubmission_findings(session, plan, fiscal_year, section_code)
            if f.severity is Severity.ERROR
        ]
        if errors:
            raise ExportBlocked(
                f"提出前チェックでエラーが{len(errors)}件あります。修正してから書き出してください。", errors
            )
        cred = active_credential(session, plan.code, fiscal_year, section_code)
        signing_key = section_signing_key(cred, passphrase)
        _sign_off(session, rows, fiscal_year, author, chief, now)

        report(1, 4, "提出データを作成しています")
        last = session.scalar(
            select(SubmissionExport)
            .where(
                SubmissionExport.plan_code == plan.code,
                SubmissionExport.fiscal_year == fiscal_year,
                SubmissionExport.section_code == section_code,
            )
            .order_by(SubmissionExport.revision.desc())
        )
        revision = (last.revision + 1) if last else 1
        previous = last.payload_hash if last else None
        names = section_names(session, fiscal_year)
        section_name = names.get(section_code, section_code)
        years = range(fiscal_year - max(settings.display_years, 5) + 1, fiscal_year + 1)
        data = export_dataset(session, plan.code, section_codes=[section_code], years=years)
        codes = {r.code for r in rows}
        data["measures"] = [m for m in data["measures"] if m["code"] in codes]
        for m in data["measures"]:
            m["years"] = {k: v for k, v in m.get("years", {}).items() if k == str(fiscal_year)}
        wanted_sections = {section_code} | {c for m in data["measures"] for c in m.get("related", [])}
        data["sections"] = [s for s in data["sections"] if s["code"] in wanted_sections]
        cert = cert_from_pem(cred.certificate_pem)
        payload: dict[str, Any] = {
            "app_version": __version__,
            "created_at": now.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
            "plan": {
                "code": plan.code,
                "name": plan.name,
                "municipality": plan.municipality,
                "version_label": plan.version_label,
            },
            "fiscal_year": fiscal_year,
            "section": {"code": section_code, "name": section_name},
            "revision": revision,
            "previous_hash": previous,
            "author": author,
            "chief": chief,
            "signer": {"serial": cred.serial, "fingerprint": cred.fingerprint},
            "data": data,
            "results": _results(rows, fiscal_year),
        }

        report(2, 4, "シートを作成しています")
        node_by_measure = dict(
            session.execute(select(Measure.code, Measure.node_id).where(Measure.plan_id == plan.id)).all()
        )
        paths = _node_paths(session, plan)
        ctx = SheetContext(
            plan_name=plan.name,
            fiscal_year=fiscal_year,
            settings=settings,
            section_names=names,
            node_paths={c: paths.get(n, "") for c, n in node_by_measure.items() if n is not None},
            measures={m["code"]: m for m in data["measures"]},
            payload_paths={m["code"]: ("data", "measures", i) for i, m in enumerate(data["measures"])},
        )
        book = WorkbookBuilder()
        cover = {
            "plan": plan.name,
            "section": f"{section_code}　{section_name}",
            "fiscal_year": fy_label(fiscal_year),
            "revision": f"第{revision}版",
            "author": author,
            "chief": chief,
            "created_at": now.astimezone(JST).strftime("%Y年%m月%d日 %H:%M"),
            "measures": f"{len(rows)}件",
            "grades": distribution_text([r.evaluation for r in rows], settings),
            "fingerprint": format_fingerprint(cred.fingerprint, 16),
            "serial": cred.serial.upper(),
            "previous": previous[:16].upper() if previous else "（初版）",
        }
        draw_submission_cover(book, cover, fiscal_year)
        taken: set[str] = set()
        sheet_names = {r.code: sheet_name_for(r.code, taken) for r in rows}
        draw_list(book, ctx, rows, sheet_names, f"{section_code} {section_name}")
        for i, r in enumerate(rows):
            draw_measure_sheet(book, ctx, r, sheet_names[r.code], section_name)
            if i % 10 == 9:
                report(2, 4, f"シートを作成しています（{i + 1}/{len(rows)}）")

        report(3, 4, "署名して保存しています")
        file_name = submission_file_name(fiscal_year, section_code, section_name, revision)
        path = Path(out_dir) / file_name
        _payload, digest = book.finish(path, KIND_SUBMISSION, payload, signing_key, cert)
        written = path
        session.add(
            SubmissionExport(
                plan_code=plan.code,
                fiscal_year=fiscal_year,
                section_code=section_code,
                revision=revision,
                payload_hash=digest,
                previous_hash=previous,
                credential_serial=cred.serial,
                author=author,
                chief=chief,
                file_name=file_name,
                measure_count=len(rows),
                created_at=now,
            )
        )
        session.commit()
        report(4, 4, "書き出しました")
        return SubmissionResult(path, revision, digest, previous, len(rows))
    except BaseException:
        session.rollback()
        if written is not None:
            written.unlink(missing_ok=True)
        raise
    finally:
        session.close()


def last_revision(session: Session, plan_code: str, fiscal_year: int, section_code: str) -> int:
    """The newest revision this database has exported (0 when none)."""
    n = session.scalar(
        select(func.max(SubmissionExport.revision)).where(
            SubmissionExport.plan_code == plan_code,
            SubmissionExport.fiscal_year == fiscal_year,
            SubmissionExport.section_code == section_code,
        )
    )
    return int(n or 0)


def verify_submission(
    path: Path, trust: Trust, *, limits: Limits = DEFAULT_LIMITS, data: bytes | None = None
) -> Verification:
    """Verify a submission workbook: signature, chain to the central CA, revocation, section / year /
    plan, every bound visible cell, and the content check above. Used by ``dxdesk verify`` and the merge
    (which passes the bytes it has hashed as ``data``)."""
    v = verify_file(path, trust, expected_kind=KIND_SUBMISSION, limits=limits, data=data)
    check_submission_content(v)
    return v
