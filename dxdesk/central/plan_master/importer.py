"""Importing a plan master workbook into the central database: read, check everything, then one
transaction through the dataset import.

1. :func:`~dxdesk.central.plan_master.read.read_master` reads every sheet and locates every problem;
2. the file is laid over the plan as the database has it (``export_dataset``), which finds the
   problems that need the database (codes, indicators holding actuals, the survey year …);
3. only when no error remains, the changed part goes through ``dxdesk.store.dataset.import_dataset`` —
   the one path into the database — in the same transaction as the small steps the dataset format has
   no words for (the measures' order, tree nodes the file no longer lists, the database's role).

Nothing is written while any error remains, and a dry run rolls everything back. Warnings (注意) do not
stop the import; they say what was left as it was.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from dxdesk.central.plan_master.apply_measures import measures_part
from dxdesk.central.plan_master.apply_org import check_bureaus, org_part, plan_part, tree_part
from dxdesk.central.plan_master.changes import Changes
from dxdesk.central.plan_master.context import Context, empty_dataset
from dxdesk.central.plan_master.layout import (
    INDICATOR_CHECKS,
    SHEET_BUREAUS,
    SHEET_MEASURES,
    SHEET_PLAN,
    SHEET_SECTIONS,
    SHEET_TREE,
)
from dxdesk.central.plan_master.read import FILE, MasterFile, Problem, ProblemList, read_master
from dxdesk.store.database import Database
from dxdesk.store.dataset import FORMAT, DatasetError, export_dataset, import_dataset
from dxdesk.store.models import Indicator, KitIssue, Measure, Plan, PlanNode, Section
from dxdesk.store.queries import current_plan
from dxdesk.store.settings_store import get_setting, set_setting

__all__ = [
    "ImportResult",
    "finish_import",
    "import_plan_master",
    "import_session",
    "indicator_checks",
    "mark_central",
]

Progress = Callable[[int, int, str], None]


@dataclass
class ImportResult(ProblemList):
    path: Path
    problems: list[Problem] = field(default_factory=list)
    changes: Changes = field(default_factory=Changes)
    applied: bool = False  # written to the database (never on a dry run or with errors)
    dry_run: bool = False
    plan_code: str = ""
    plan_name: str = ""
    seconds: float = 0.0

    def summary(self) -> str:
        """One Japanese sentence for the status line / the CLI's last line."""
        if self.errors:
            return f"エラーが{len(self.errors):,}件あります。直してからもう一度読み込んでください（何も読み込んでいません）。"
        head = (
            "確認のみ（読み込んでいません）："
            if self.dry_run
            else ("読み込みました：" if self.changes.any else "")
        )
        return head + self.changes.summary()


def _prepare(session: Session, mf: MasterFile) -> tuple[Context, dict[str, Any] | None, list[str], bool]:
    """The dataset to import (None when errors remain), the measures' order, whether it changed."""
    role = get_setting(session, "role")
    if role == "section":
        mf.error(
            FILE,
            None,
            "",
            "このデータベースは課所室用です。計画マスタは中央（計画の所管課）のデータベースに読み込んでください。",
        )
        return Context(mf, empty_dataset()), None, [], False
    plan = current_plan(session)
    file_code = mf.plan.get("code")
    if plan is not None and file_code and file_code != plan.code:
        mf.error(
            SHEET_PLAN,
            mf.plan_rows.get("code"),
            "B（値）",
            f"このデータベースの計画は「{plan.code}」（{plan.name}）です。別の計画「{file_code}」は読み込めません。計画コードを確かめてください。",
        )
        return Context(mf, empty_dataset()), None, [], False
    current = export_dataset(session, plan.code) if plan is not None else empty_dataset()
    ctx = Context(mf, current, db_sections=set(session.scalars(select(Section.code))))
    if plan is not None:
        ctx.stored_checks = indicator_checks(session, plan)
    new_plan = plan_part(ctx)
    bureaus = org_part(ctx, "bureaus", SHEET_BUREAUS)
    sections = org_part(ctx, "sections", SHEET_SECTIONS)
    check_bureaus(ctx, sections, bureaus)
    ctx.section_codes = {s["code"] for s in sections} | ctx.db_sections
    tree = tree_part(ctx)
    measures = measures_part(ctx)
    if any(p.is_error for p in mf.problems):
        return ctx, None, [], False
    dataset = {
        "format": FORMAT,
        "plan": new_plan,
        "bureaus": bureaus,
        "sections": sections,
        "tree": tree,
        "measures": measures.entries,
    }
    return ctx, dataset, measures.order, measures.order_changed


def indicator_checks(session: Session, plan: Plan) -> dict[tuple[str, str], dict[str, str | None]]:
    """The central office's checks of the plan's indicators that have any, by (measure, indicator)."""
    rows = session.execute(
        select(Measure.code, Indicator.code, *(getattr(Indicator, k) for k in INDICATOR_CHECKS))
        .join(Indicator, Indicator.measure_id == Measure.id)
        .where(Measure.plan_id == plan.id)
        .where(or_(*(getattr(Indicator, k).is_not(None) for k in INDICATOR_CHECKS)))
    )
    return {(m, i): dict(zip(INDICATOR_CHECKS, rest, strict=True)) for m, i, *rest in rows}


def _write_checks(session: Session, plan: Plan, checks: dict[tuple[str, str], dict[str, str]]) -> None:
    """The checks the file sets (区分（中央確定）, 値の下限・上限), on the indicators as imported."""
    if not checks:
        return
    rows = session.execute(
        select(Measure.code, Indicator)
        .join(Indicator, Indicator.measure_id == Measure.id)
        .where(Measure.plan_id == plan.id)
    )
    for mcode, ind in rows:
        for key, value in checks.get((mcode, ind.code), {}).items():
            if getattr(ind, key) != value:
                setattr(ind, key, value)


def _after_import(
    session: Session, plan: Plan, mf: MasterFile, order: list[str], node_codes: set[str]
) -> None:
    """What the dataset format does not say: the measures' order and the nodes removed."""
    if SHEET_MEASURES in mf.sheets and order:
        position = {code: i for i, code in enumerate(order)}
        for m in session.scalars(select(Measure).where(Measure.plan_id == plan.id)):
            wanted = position.get(m.code)
            if wanted is not None and m.sort_order != wanted:
                m.sort_order = wanted
    if SHEET_TREE in mf.sheets:
        used = set(session.scalars(select(Measure.node_id).where(Measure.plan_id == plan.id)))
        for node in session.scalars(select(PlanNode).where(PlanNode.plan_id == plan.id)):
            if node.code not in node_codes and node.id not in used:
                session.delete(node)


def _role_missing(session: Session, ctx: Context) -> bool:
    """The database is not marked as the central one for this plan yet (a first import, or a database
    loaded some other way): worth a write even when the plan is the same."""
    code = (ctx.current.get("plan") or {}).get("code")
    return get_setting(session, "role") != "central" or get_setting(session, "plan_code") != code


def mark_central(session: Session, plan_code: str) -> None:
    """Mark the database as the central office's database of ``plan_code`` (app_setting), once."""
    if get_setting(session, "role") != "central":
        set_setting(session, "role", "central")
    if get_setting(session, "plan_code") != plan_code:
        set_setting(session, "plan_code", plan_code)


@contextmanager
def import_session(db: Database, user: str, result: Any, t0: float) -> Iterator[Session]:
    """The session of a plan import (plan master or list): rolled back on any exception, always
    closed, and the time since ``t0`` noted in ``result.seconds``."""
    session = db.new_session(user=user)
    try:
        yield session
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()
        result.seconds = time.perf_counter() - t0


def write_dataset(
    session: Session, dataset: dict[str, Any], dry_run: bool, report: Callable[[int, int, str], None]
) -> Plan:
    """The write step of a plan import (plan master or list): the dataset import, flushed so that its
    problems surface here. Raises the dataset import's errors."""
    report(2, 4, "データベースに書き込んでいます" if not dry_run else "書き込みを試しています")
    plan = import_dataset(session, dataset)
    session.flush()
    return plan


def finish_import(
    session: Session, result: Any, dry_run: bool, report: Callable[[int, int, str], None]
) -> None:
    """The end of a plan import (plan master or list): commit what was written and mark the result
    applied, or roll everything back for a dry run."""
    if dry_run:
        session.rollback()
    else:
        session.commit()
        result.applied = True
    report(4, 4, "完了しました")


def import_plan_master(
    db: Database,
    path: Path,
    *,
    dry_run: bool = False,
    user: str = "",
    progress: Progress | None = None,
) -> ImportResult:
    """Check a plan master workbook and, when it has no errors (and not ``dry_run``), import it."""
    report = progress or (lambda _i, _n, _m: None)
    t0 = time.perf_counter()
    result = ImportResult(Path(path), dry_run=dry_run)
    report(0, 4, "ファイルを読み込んでいます")
    mf = read_master(Path(path))
    result.problems = mf.problems
    if any(p.is_error and p.sheet == FILE for p in mf.problems):
        result.seconds = time.perf_counter() - t0
        return result
    report(1, 4, "内容を確認しています")
    with import_session(db, user or f"計画マスタ（{Path(path).name}）", result, t0) as session:
        ctx, dataset, order, _order_changed = _prepare(session, mf)
        result.changes = ctx.changes
        if dataset is None:
            session.rollback()
            return result
        if not ctx.changes.any and not _role_missing(session, ctx):
            session.rollback()  # nothing to write: the same file again
            result.plan_code, result.plan_name = (
                dataset["plan"].get("code", ""),
                dataset["plan"].get("name", ""),
            )
            report(4, 4, "変更はありません")
            return result
        try:
            plan = write_dataset(session, dataset, dry_run, report)
            _after_import(session, plan, mf, order, ctx.node_codes)
            _write_checks(session, plan, ctx.file_checks)
            mark_central(session, plan.code)
            session.flush()
        except DatasetError as exc:
            session.rollback()
            mf.error(FILE, None, "", f"読み込めませんでした（{exc}）。何も変更していません。")
            return result
        result.plan_code, result.plan_name = plan.code, plan.name
        if ctx.changes.any and not dry_run:
            issued = session.scalar(
                select(func.count(KitIssue.id)).where(
                    KitIssue.plan_code == plan.code, KitIssue.fiscal_year == plan.current_fy
                )
            )
            if issued:
                mf.warn(
                    FILE,
                    None,
                    "",
                    "配布ファイルを作成済みの課があります。変更を各課に届けるには、配布ファイルを作り直してください。",
                )
        finish_import(session, result, dry_run, report)
        return result
