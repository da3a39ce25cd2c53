"""指標の活動/成果の確定: the central office confirms or corrects how each indicator of a measure counts.

The output-only check guesses 活動 / 成果 from an indicator's wording when the plan does not say, and
names the words. Here the central office sees that guess per indicator and chooses 「推定のまま」,
「活動指標」 or 「成果指標」; the choice is stored on the indicator
(``dxdesk.store.indicator_review.confirm_indicator_kind``) and the checks use it from then on.
"""

from __future__ import annotations

from PySide6.QtWidgets import QComboBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from dxdesk.domain.audit import effective_kind
from dxdesk.domain.enums import IndicatorKind
from dxdesk.domain.sheet import IndicatorData

__all__ = ["IndicatorKindDialog"]

UNCONFIRMED = ""


class IndicatorKindDialog(QDialog):
    def __init__(
        self, measure_label: str, indicators: tuple[IndicatorData, ...], parent: QWidget | None = None
    ):
        super().__init__(parent)
        self.setWindowTitle("指標の活動/成果を確定")
        self.setObjectName("indicatorKindDialog")
        layout = QVBoxLayout(self)
        intro = QLabel(
            f"{measure_label}\n指標が活動指標（アウトプット）か成果指標（アウトカム）かを確定します。"
            "確定した区分は監査対応チェック（成果指標なし）で使われ、計画の再取込でも変わりません。"
        )
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.combos: list[QComboBox] = []
        for i, ind in enumerate(indicators):
            judged = effective_kind(ind)
            combo = QComboBox(objectName=f"kindCombo{i}")
            guess = (
                judged.kind.label
                if ind.kind_confirmed is None
                else effective_kind(IndicatorData(name=ind.name, kind=ind.kind)).kind.label
            )
            combo.addItem(f"確定しない（推定：{guess}）", UNCONFIRMED)
            for kind in IndicatorKind:
                combo.addItem(kind.label, kind.value)
            combo.setCurrentIndex(
                max(0, combo.findData(ind.kind_confirmed.value if ind.kind_confirmed else ""))
            )
            combo.setToolTip(judged.reason)
            form.addRow(QLabel(f"{i + 1}. {ind.name}"), combo)
            self.combos.append(combo)
        layout.addLayout(form)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.button(QDialogButtonBox.StandardButton.Ok).setText("確定する")
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("キャンセル")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def choices(self) -> list[IndicatorKind | None]:
        """The chosen kind per indicator (None: not confirmed, the wording decides)."""
        return [IndicatorKind(c.currentData()) if c.currentData() else None for c in self.combos]
