"""What an import of the plan master changes, counted per kind of row, for the person to read."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

__all__ = ["ADDED", "CHANGED", "REMOVED", "UNCHANGED", "Changes"]

ADDED = "added"
CHANGED = "changed"
UNCHANGED = "unchanged"
REMOVED = "removed"
_LABELS = {ADDED: "追加", CHANGED: "変更", REMOVED: "削除", UNCHANGED: "変更なし"}
# the kinds of rows, in the order the summary lists them
KINDS = ("基本設定", "部局", "課所室", "計画体系", "施策", "指標", "過去の実績", "マイルストーン")


@dataclass
class Changes:
    counts: dict[str, Counter[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # e.g. 「施策の並び順を変更」

    def add(self, kind: str, outcome: str, n: int = 1) -> None:
        self.counts.setdefault(kind, Counter())[outcome] += n

    def count(self, kind: str, outcome: str) -> int:
        return self.counts.get(kind, Counter())[outcome]

    @property
    def any(self) -> bool:
        return bool(self.notes) or any(c[ADDED] or c[CHANGED] or c[REMOVED] for c in self.counts.values())

    def lines(self) -> list[str]:
        """「施策：追加 2件・変更 3件・変更なし 41件」 per kind of row that the file had."""
        out = []
        for kind in [*KINDS, *sorted(set(self.counts) - set(KINDS))]:
            c = self.counts.get(kind)
            if not c:
                continue
            parts = [f"{_LABELS[o]} {c[o]:,}件" for o in (ADDED, CHANGED, REMOVED, UNCHANGED) if c[o]]
            out.append(f"{kind}：{'・'.join(parts)}")
        return out + self.notes

    def summary(self) -> str:
        if not self.any:
            return "変更はありません（データベースの内容とファイルの内容は同じです）。"
        return "／".join(self.lines())
