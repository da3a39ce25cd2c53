"""Undo and redo of committed field changes, one history per sheet.

A step is a list of :class:`~dxdesk.domain.editing.FieldChange` made together (one typed field, a
changed grade with its reason, a pasted block). Undoing a step yields the inverse changes, newest
first, for the caller to apply to the sheet and save; redoing yields the original changes again.

Steps of the same field can be *coalesced*: while a person types a long text, the text is saved every
few seconds, and all those saves form one step until the field is left (:meth:`EditHistory.seal`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from dxdesk.domain.editing import FieldChange

__all__ = ["EditHistory"]


@dataclass
class _Step:
    changes: list[FieldChange]
    open: bool = False  # still accepting coalesced changes of the same field

    @property
    def label(self) -> str:
        labels = list(dict.fromkeys(c.label for c in self.changes))
        if len(labels) == 1:
            return labels[0]
        return f"{labels[0]} ほか{len(labels) - 1}件"


@dataclass
class EditHistory:
    limit: int = 200
    _undo: list[_Step] = field(default_factory=list)
    _redo: list[_Step] = field(default_factory=list)

    def record(self, changes: Sequence[FieldChange], *, coalesce: bool = False) -> None:
        """Add a step. With ``coalesce``, a single-field change joins the open step of that field."""
        if not changes:
            return
        self._redo.clear()
        top = self._undo[-1] if self._undo else None
        if (
            coalesce
            and top is not None
            and top.open
            and len(changes) == 1
            and len(top.changes) == 1
            and top.changes[0].path == changes[0].path
        ):
            first = top.changes[0]
            merged = FieldChange(first.path, first.old, changes[0].new, first.label)
            if (merged.old or "") == (merged.new or ""):
                self._undo.pop()  # typed and then deleted again: nothing to undo
            else:
                top.changes[0] = merged
            return
        self.seal()
        self._undo.append(_Step(list(changes), open=coalesce))
        del self._undo[: -self.limit]

    def seal(self) -> None:
        """Close the open step: the next change of the same field is a new step."""
        if self._undo:
            self._undo[-1].open = False

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    @property
    def undo_label(self) -> str:
        return self._undo[-1].label if self._undo else ""

    @property
    def redo_label(self) -> str:
        return self._redo[-1].label if self._redo else ""

    def undo(self) -> list[FieldChange]:
        """The inverse changes of the newest step (to apply in this order); [] when there is none."""
        if not self._undo:
            return []
        step = self._undo.pop()
        step.open = False
        self._redo.append(step)
        return [c.inverse() for c in reversed(step.changes)]

    def redo(self) -> list[FieldChange]:
        if not self._redo:
            return []
        step = self._redo.pop()
        self._undo.append(step)
        return list(step.changes)

    def clear(self) -> None:
        self._undo.clear()
        self._redo.clear()
