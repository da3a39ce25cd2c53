"""What the steps of a plan master import share: the file read, the plan as the database has it (as a
``dxdesk/dataset/1`` document), the settings the plan will have, and the counts of changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dxdesk.central.plan_master.changes import Changes
from dxdesk.central.plan_master.read import MasterFile
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

    @property
    def is_new(self) -> bool:
        return not self.current.get("plan")

    def error(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.mf.error(sheet, row, column, message)

    def warn(self, sheet: str, row: int | None, column: str, message: str) -> None:
        self.mf.warn(sheet, row, column, message)
