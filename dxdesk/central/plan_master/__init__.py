"""The plan master (計画マスタ): the plan as an Excel workbook the central office can fill in, and its
import into the central database.

    write_template(path, plan=None)      the template, empty or holding a plan (a dataset document)
    export_template(db, path)            the database's plan as a template (export → edit → import)
    read_master(path)                    read and check a file (no database): records and problems
    import_plan_master(db, path, dry_run=False) -> ImportResult
                                         check against the database; import when no error remains

Problems are :class:`Problem` 「シート・行・列・内容」 in Japanese. The import ends in
``dxdesk.store.dataset.import_dataset``: one path into the database. The template's columns are
documented in docs/plan-master.md; the modules: ``layout`` (sheets and columns), ``cells`` (reading a
cell), ``read`` (a file → records), ``apply_org`` / ``apply_measures`` / ``apply_values`` (records laid
over the plan as the database has it), ``importer`` (the transaction), ``template`` (writing),
``overview`` (read models of the central office's plan and kit screens).
"""

from __future__ import annotations

from pathlib import Path

from dxdesk.central.plan_master.changes import Changes
from dxdesk.central.plan_master.importer import ImportResult, import_plan_master, indicator_checks
from dxdesk.central.plan_master.read import MasterFile, Problem, read_master
from dxdesk.central.plan_master.template import write_template
from dxdesk.store.database import Database
from dxdesk.store.dataset import export_dataset
from dxdesk.store.queries import current_plan

__all__ = [
    "Changes",
    "ImportResult",
    "MasterFile",
    "Problem",
    "export_template",
    "import_plan_master",
    "read_master",
    "template_file_name",
    "write_template",
]


def template_file_name(plan_name: str | None = None) -> str:
    """「デモ市DX推進計画_計画マスタ.xlsx」, or 「計画マスタ_ひな形.xlsx」 without a plan."""
    from dxdesk.exchange.submission import safe_file_name

    return safe_file_name(f"{plan_name}_計画マスタ" if plan_name else "計画マスタ_ひな形") + ".xlsx"


def export_template(db: Database, path: Path) -> Path:
    """Write the database's plan (or the empty template when it has none) as a plan master workbook."""
    with db.session() as s:
        plan = current_plan(s)
        data = export_dataset(s, plan.code) if plan is not None else None
        checks = indicator_checks(s, plan) if plan is not None else {}
    for md in (data or {}).get("measures", []):  # the central office's checks, written beside the plan
        for p, ind in enumerate(md.get("indicators", [])):
            ind.update(
                {k: v for k, v in checks.get((md["code"], str(ind.get("code") or p + 1)), {}).items() if v}
            )
    return write_template(Path(path), data)
