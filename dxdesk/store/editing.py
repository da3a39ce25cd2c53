"""The sheet editing model lives in :mod:`dxdesk.domain.editing` (it is pure domain logic: normalising,
validating and evaluating a sheet in memory); the storage side is :mod:`dxdesk.store.sheet_store`.
This module keeps the old import path working."""

from dxdesk.domain.editing import (
    BasicInfo,
    EditableSheet,
    EditError,
    FieldChange,
    SheetEvaluation,
    TextCount,
)

__all__ = ["BasicInfo", "EditError", "EditableSheet", "FieldChange", "SheetEvaluation", "TextCount"]
