"""The review workbook (central → section): ``dxdesk/review/1``, signed by the central CA.

One per section and fiscal year, numbered 第1版, 第2版… Visible sheets: 表紙 (what the file is, the
revision reviewed, the counts of 受理 / 差戻し / 未審査, how to import it) and 審査結果 (one row per
comment — a measure without comments has one row — with code, name, decision, the field the comment
is about and the comment). Every data cell is bound, so the section's import refuses an edited file.

Payload (besides the common keys of docs/exchange-format.md): ``version``, ``revision`` (the
submission revision reviewed), ``submission_hash`` (its payload hash), ``reviewer``, ``ca``, and
``measures``: ``[{code, name, decision, decided_by, decided_at, comments: [{field, label, text, author,
created_at}]}]`` in the plan's order.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dxdesk import __version__
from dxdesk.central.errors import ReviewError
from dxdesk.central.review import Decision, MeasureReview, section_reviews
from dxdesk.domain.fiscal import FiscalYear, fy_label
from dxdesk.exchange.authority import ensure_ca
from dxdesk.exchange.certificates import format_fingerprint
from dxdesk.exchange.layout import C, Form, draw_cover, text_units
from dxdesk.exchange.submission import JST, safe_file_name
from dxdesk.exchange.verify import KIND_REVIEW
from dxdesk.exchange.workbook import WorkbookBuilder
from dxdesk.store.database import Database
from dxdesk.store.models import ReceivedSubmission, ReviewIssue, utcnow
from dxdesk.store.queries import newest_number, plan_and_year, plan_identity, section_names

__all__ = ["ReviewExport", "export_review_workbook", "export_review_workbooks", "review_file_name"]

Progress = Callable[[int, int, str], None]

NOTICE = (
    "このファイルは中央の担当課が電子署名した審査結果です。dxdesk の「ファイル」→「審査結果ファイルを読み込む」で"
    "取り込むと、差戻しの施策が「要確認」になり、コメントがシートに表示されます。"
    "セルを書き換えて保存すると取り込めなくなります。"
)


@dataclass(frozen=True)
class ReviewExport:
    path: Path
    section_code: str
    version: int
    revision: int
    accepted: int
    returned: int
    pending: int
    payload_hash: str


def review_file_name(fiscal_year: int, section_code: str, section_name: str, version: int) -> str:
    """「R08_S011_情報政策課_審査結果_第1版.xlsx」."""
    fy = FiscalYear(fiscal_year).short2()
    return safe_file_name(f"{fy}_{section_code}_{section_name}_審査結果_第{version}版") + ".xlsx"


def _iso(at: dt.datetime | None) -> str | None:
    return at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if at else None


def _draw_list(book: WorkbookBuilder, reviews: Sequence[MeasureReview], fy: int, section: str) -> None:
    code_w = max(8.0, max((text_units(r.measure_code) for r in reviews), default=6.0) + 2.0)
    widths = [code_w, 26.0, 9.0, 18.0, 60.0, 12.0]
    f = Form(
        book, "審査結果", widths, landscape=True, title_rows="1:2", header=(section, "審査結果", fy_label(fy))
    )
    f.title(f"{fy_label(fy)}　審査結果（{section}）", bind="表題", height=28)
    f.line(
        *(C(h, 1, "label") for h in ("コード", "施策名", "審査結果", "項目", "コメント", "記入者")),
        min_lines=2,
    )
    for r in reviews:
        c = r.measure_code
        items = r.comments or (None,)
        for i, cm in enumerate(items):
            tag = f"{c} コメント{i + 1}"
            f.line(
                C(c, 1, "top_center", f"{tag} コード"),
                C(r.measure_name, 1, "top", f"{tag} 施策名"),
                C(r.decision.label, 1, "top_center", f"{tag} 審査結果"),
                C(cm.field_label if cm else "", 1, "top", f"{tag} 項目"),
                C(cm.text if cm else "", 1, "top", f"{tag} 本文"),
                C(cm.author if cm else r.decided_by, 1, "top_center", f"{tag} 記入者"),
            )
    f.gap(6)
    counts = {d: sum(1 for r in reviews if r.decision is d) for d in Decision}
    f.line(
        C(
            f"施策数 {len(reviews)}件（受理 {counts[Decision.ACCEPTED]}件・差戻し {counts[Decision.RETURNED]}件・"
            f"未審査 {counts[Decision.PENDING]}件）",
            len(widths),
            "note",
        )
    )


def export_review_workbook(
    db: Database,
    section_code: str,
    out_dir: Path,
    *,
    fiscal_year: int | None = None,
    user: str = "",
    now: dt.datetime | None = None,
) -> ReviewExport:
    """Write the section's next review workbook into ``out_dir`` and record it. Raises ReviewError."""
    now = (now or utcnow()).replace(microsecond=0)
    with db.session() as s:
        plan, fy = plan_and_year(s, fiscal_year, ReviewError)
        reviews = section_reviews(s, section_code, fy)
        sid = reviews[0].submission_id
        if sid is None:
            raise ReviewError(
                f"課所室「{section_code}」からの提出がまだ受理されていないため、審査結果を作成できません。"
            )
        reviews = [r for r in reviews if r.submission_id == sid and r.revision is not None]
        sub = s.get(ReceivedSubmission, sid)
        assert sub is not None
        ca = ensure_ca(s, plan)
        version = 1 + (newest_number(s, ReviewIssue.version, plan.code, fy, section_code) or 0)
        section_name = section_names(s, fy).get(section_code, section_code)
        counts = {d: sum(1 for r in reviews if r.decision is d) for d in Decision}
        payload: dict[str, Any] = {
            "app_version": __version__,
            "created_at": _iso(now),
            "plan": plan_identity(plan),
            "fiscal_year": fy,
            "section": {"code": section_code, "name": section_name},
            "version": version,
            "revision": sub.revision,
            "submission_hash": sub.payload_hash,
            "reviewer": user,
            "ca": {"name": ca.name, "fingerprint": ca.fingerprint},
            "measures": [
                {
                    "code": r.measure_code,
                    "name": r.measure_name,
                    "decision": r.decision.value,
                    "decided_by": r.decided_by,
                    "decided_at": _iso(r.decided_at),
                    "comments": [
                        {
                            "field": c.field,
                            "label": c.field_label,
                            "text": c.text,
                            "author": c.author,
                            "created_at": _iso(c.created_at),
                        }
                        for c in r.comments
                    ],
                }
                for r in reviews
            ],
        }
        book = WorkbookBuilder()
        label = fy_label(fy)
        cover = [
            ("計画", plan.name),
            ("課所室", f"{section_code}　{section_name}"),
            ("年度", label),
            ("版", f"第{version}版"),
            ("審査した提出ファイル", f"第{sub.revision}版（{sub.file_name}）"),
            (
                "審査結果",
                f"受理 {counts[Decision.ACCEPTED]}件・差戻し {counts[Decision.RETURNED]}件・"
                f"未審査 {counts[Decision.PENDING]}件",
            ),
            ("審査者", user),
            ("作成日時", now.astimezone(JST).strftime("%Y年%m月%d日 %H:%M")),
            ("発行元", ca.name),
            ("中央認証局の指紋", format_fingerprint(ca.fingerprint, 16)),
        ]
        draw_cover(book, f"{label}　施策評価シート　審査結果", "審査結果ファイル", cover, NOTICE, label)
        _draw_list(book, reviews, fy, f"{section_code} {section_name}")
        path = Path(out_dir) / review_file_name(fy, section_code, section_name, version)
        _data, digest = book.finish(path, KIND_REVIEW, payload, ca.key, ca.certificate)
        try:
            s.add(
                ReviewIssue(
                    plan_code=plan.code,
                    fiscal_year=fy,
                    section_code=section_code,
                    version=version,
                    submission_id=sid,
                    revision=sub.revision,
                    accepted=counts[Decision.ACCEPTED],
                    returned=counts[Decision.RETURNED],
                    pending=counts[Decision.PENDING],
                    payload_hash=digest,
                    file_name=path.name,
                    issued_by=user[:100],
                    issued_at=now,
                )
            )
            s.flush()
        except BaseException:
            path.unlink(missing_ok=True)
            raise
        return ReviewExport(
            path,
            section_code,
            version,
            sub.revision,
            counts[Decision.ACCEPTED],
            counts[Decision.RETURNED],
            counts[Decision.PENDING],
            digest,
        )


def export_review_workbooks(
    db: Database,
    out_dir: Path,
    *,
    section_codes: Sequence[str] | None = None,
    fiscal_year: int | None = None,
    progress: Progress | None = None,
    user: str = "",
) -> list[ReviewExport]:
    """A review workbook for each section given (default: every section with an accepted revision)."""
    report = progress or (lambda _i, _n, _m: None)
    if section_codes is None:
        from dxdesk.central.status import SectionState, status_board

        with db.session() as s:
            board = status_board(s, fiscal_year)
        section_codes = [r.section_code for r in board.rows if r.state is not SectionState.MISSING]
    out = []
    for i, code in enumerate(section_codes):
        report(i, len(section_codes), f"審査結果ファイルを作成しています（{i + 1}/{len(section_codes)}）")
        out.append(export_review_workbook(db, code, out_dir, fiscal_year=fiscal_year, user=user))
    report(len(section_codes), len(section_codes), "完了しました")
    return out
