"""The submission workbook (section → central): export with a revision chain, and verification.

``export_submission`` refuses while the pre-submission check has errors (:class:`ExportBlocked` lists
them), records 作成者 and 所属長確認 on the year's sheets, and reads the section's measures once: from
each loaded measure come its payload entry — a ``dxdesk/dataset/1`` document with the indicator values
and costs of every year the sheet shows, and the year's sheet — and its printed sheet
(``SheetBuilder``'s parts, drawn on a worksheet by :mod:`dxdesk.exchange.measure_sheet`), with the
computed grades and rates and the revision chained to the previous one by its hash. It draws the
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

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dxdesk import __version__
from dxdesk.domain.audit import Finding
from dxdesk.domain.enums import Severity
from dxdesk.domain.evaluation import distribution_text
from dxdesk.domain.fiscal import JST, FiscalYear, fy_label, years_up_to
from dxdesk.exchange.authority import active_credential, section_signing_key
from dxdesk.exchange.certificates import cert_from_pem, format_fingerprint
from dxdesk.exchange.errors import ExchangeError, ExportBlocked
from dxdesk.exchange.measure_sheet import SheetPage, UnbrokenText, draw_parts, sheet_name_for
from dxdesk.exchange.reader import DEFAULT_LIMITS, Limits
from dxdesk.exchange.submission_sheets import draw_list, draw_submission_cover
from dxdesk.exchange.verify import KIND_SUBMISSION, Trust, Verification, check_submission_content, verify_file
from dxdesk.exchange.workbook import WorkbookBuilder
from dxdesk.report.errors import PrintError
from dxdesk.report.fonts import SETTING_KEY, find_font
from dxdesk.report.model import context_for, sheet_model
from dxdesk.report.options import PrintOptions
from dxdesk.report.sheet import SheetBuilder
from dxdesk.store.database import Database
from dxdesk.store.dataset import dataset_document, measure_entry, measure_loads
from dxdesk.store.models import Measure, MeasureYear, Plan, SubmissionExport, utcnow
from dxdesk.store.presubmit import presubmission_check
from dxdesk.store.queries import MeasureRow, current_plan, measure_rows
from dxdesk.store.settings_store import get_setting
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


def _load_measures(session: Session, plan: Plan, fy: int, section_code: str) -> list[Measure]:
    """The measures the section owns in ``fy`` (and those it owned before a reorganisation, which
    ``measure_rows`` sorts out), loaded once with everything the payload and the sheets read."""
    year_owned = select(MeasureYear.measure_id).where(
        MeasureYear.fiscal_year == fy, MeasureYear.section_code == section_code
    )
    q = (
        select(Measure)
        .where(Measure.plan_id == plan.id)
        .where(or_(Measure.owner_section_code == section_code, Measure.id.in_(year_owned)))
        .order_by(Measure.sort_order, Measure.id)
        .options(*measure_loads())
    )
    return list(session.scalars(q).all())


def _payload_years(options: PrintOptions, fy: int, period: tuple[int | None, int | None]) -> set[int]:
    """The fiscal years whose indicator values and costs travel: every year the sheet can show."""
    shown = max(options.settings.display_years, 5)
    return (
        set(years_up_to(fy, shown))
        | set(options.indicator_years(fy, period))
        | set(range(fy - 2, fy + 3))  # the 事業費 table's window
    )


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
    measures: list[Measure], rows: list[MeasureRow], fy: int, author: str, chief: str, now: dt.datetime
) -> None:
    """Record 作成者 and 所属長確認 on each sheet of the year (the audit trail notes the change); the
    loaded measures hold the change, so the payload and the sheets show it."""
    by_id = {m.id: m for m in measures}
    for r in rows:
        m = by_id[r.id]
        my = next((y for y in m.years if y.fiscal_year == fy), None)
        if my is None:
            my = MeasureYear(fiscal_year=fy)
            m.years.append(my)
        if my.author != author:
            my.author = author
        if my.chief_confirmed_by != chief:
            my.chief_confirmed_by = chief
            my.chief_confirmed_at = now


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
        measures = _load_measures(session, plan, fiscal_year, section_code)
        rows = measure_rows(
            session, plan, fiscal_year, section_code=section_code, settings=settings, measures=measures
        )
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
        _sign_off(measures, rows, fiscal_year, author, chief, now)
        session.flush()
        # the same loaded measures, now signed off: every sheet, list line and payload entry below
        # comes from these rows' snapshots and measures
        rows = measure_rows(
            session, plan, fiscal_year, section_code=section_code, settings=settings, measures=measures
        )

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
        ctx = context_for(session, plan, fiscal_year)
        section_name = ctx.section_names.get(section_code, section_code)
        options = PrintOptions.of(settings)
        keep = _payload_years(options, fiscal_year, ctx.period)
        by_id = {m.id: m for m in measures}
        submitted = [by_id[r.id] for r in rows]
        entries = [measure_entry(m, keep.__contains__, fiscal_year.__eq__) for m in submitted]
        wanted_sections = {section_code} | {c for e in entries for c in e.get("related", [])}
        data = dataset_document(
            session, plan, submitted, entries, whole_tree=False, section_codes=wanted_sections
        )
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
        try:
            font = find_font(get_setting(session, SETTING_KEY) or None)
        except PrintError as exc:
            raise ExchangeError(str(exc)) from exc
        builder = SheetBuilder(options, UnbrokenText(font), ctx.period)
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
        draw_submission_cover(book, cover, fiscal_year, options.sheet_title(fiscal_year))
        taken: set[str] = set()
        sheet_names = {r.code: sheet_name_for(r.code, taken) for r in rows}
        draw_list(book, fiscal_year, rows, sheet_names, f"{section_code} {section_name}")
        for i, (r, m) in enumerate(zip(rows, submitted, strict=True)):
            model = sheet_model(m, ctx, r.snapshot, r.evaluation)
            page = SheetPage(
                title=options.sheet_title(fiscal_year, m.kind),
                sign_off=builder.sign_off(model),
                parts=builder.parts(model),
                header=(section_name, f"{r.code}　{r.name}"[:60], fy_label(fiscal_year)),
                payload_path=("data", "measures", i),
                landscape=options.landscape(m.kind),
            )
            draw_parts(book, sheet_names[r.code], page)
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
