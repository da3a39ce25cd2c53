"""What the steps of a plan master import share: the file read, the plan as the database has it (as a
``dxdesk/dataset/1`` document), the settings the plan will have, and the counts of changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dxdesk.central.plan_master.changes import Changes
from dxdesk.central.plan_master.read import MasterFile, Record
from dxdesk.domain.settings import PlanSettings
from dxdesk.store.dataset import FORMAT

__all__ = ["Context", "empty_dataset"]


def empty_dataset() -> dict[str, Any]:
    return {"format": FORMAT, "plan": {}, "bureaus": [], "sections": [], "tree": [], "measures": []}


@dataclass
class Context:
    mf: MasterFile
    current: dict[str, Any]  # the plan in the database, exported (empty_dataset() for a new plan)
    db_sections: set[str] = field(default_factory=set)  # section codes the database knows
    settings: PlanSettings = field(default_factory=PlanSettings.default)  # the plan's settings after import
    current_fy: int | None = None  # the survey year after import
    section_codes: set[str] = field(default_factory=set)  # sections known after import
    node_codes: set[str] = field(default_factory=set)  # tree nodes after import
    changes: Changes = field(default_factory=Changes)
    # the central office's checks of each indicator (kind_confirmed, plausible_min/max), by (measure,
    # indicator code): as the database has them, and what the file sets (blank cells left out)
    stored_checks: dict[tuple[str, str], dict[str, str | None]] = field(default_factory=dict)
    file_checks: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)

    @property
    def is_new(self) -> bool:
        return not self.current.get("plan")

    def error(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.mf.error(sheet, row, column, message)

    def warn(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.mf.warn(sheet, row, column, message)

    def measure_of(self, rec: Record, new: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
        """The measure a row names in its 施策コード column, or None after saying that it is unknown."""
        code = rec.values["measure"]
        md = new.get(code)
        if md is None:
            self.error(
                rec.sheet,
                rec.row,
                rec.where("measure"),
                f"施策コード「{code}」が施策シートにも登録済みの施策にもありません。",
            )
        return md

    def repeats(self, rec: Record, key: Any, seen: dict[Any, int], column: str, what: str) -> bool:
        """Whether ``rec`` repeats a row seen before under ``key`` (said as an error naming ``what``);
        otherwise the row is remembered."""
        if key in seen:
            self.error(
                rec.sheet,
                rec.row,
                rec.where(column),
                f"{what}の行が{seen[key]}行目にもあります。1行にしてください。",
            )
            return True
        seen[key] = rec.row
        return False
