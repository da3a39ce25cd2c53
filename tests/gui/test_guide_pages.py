"""The guide's pages show the screens of this version (made from the application by scripts/make_guide.py),
a screenshot opens at full size, and the central office writes the printable guide from ヘルプ."""

from __future__ import annotations

import re
import subprocess

import pytest
from PySide6.QtCore import Qt, QUrl
from PySide6.QtWidgets import QApplication

pytestmark = pytest.mark.gui


def _open(name: str):  # type: ignore[no-untyped-def]
    return [w for w in QApplication.topLevelWidgets() if w.objectName() == name and w.isVisible()]


def test_a_clerk_sees_the_screen_on_the_page_and_can_enlarge_it(qtbot, window):
    qtbot.keyClick(window.tree, Qt.Key.Key_F1)
    guide = _open("guideDialog")[0]
    titles = [guide.list.item(i).text() for i in range(guide.list.count())]
    guide.list.setCurrentRow(titles.index("提出前チェック（F8）"))
    html = guide.view.toHtml()
    assert "section-check.png" in html
    assert "提出前チェック：下に未入力や誤りの一覧が出ます" in guide.view.toPlainText()
    # the image is loaded (not a broken-image box): Qt's document has it as a resource
    url = re.search(r'src="([^"]+section-check\.png)"', html).group(1)  # type: ignore[union-attr]
    image = guide.view.document().resource(2, QUrl(url))  # QTextDocument.ImageResource
    assert image is not None and not image.isNull()
    # 「拡大して見る」 shows it at its full size
    shot = guide.open_shot(QUrl("shot:section-check.png"))
    assert shot is not None and shot.isVisible()
    assert shot.image.pixmap().width() == 1366 and shot.image.pixmap().height() == 768
    shot.close()
    # pages without screens still read (キー操作 has its table)
    guide.list.setCurrentRow(titles.index("キー操作"))
    assert "Ctrl+PgDown" in guide.view.toPlainText()
    guide.close()


def test_the_central_office_writes_the_printable_guide_from_help(
    qtbot, tmp_path, monkeypatch, empty_central_window
):
    from PySide6.QtWidgets import QFileDialog

    from ui.notice import Notice

    window = empty_central_window
    target = tmp_path / "配布用" / "手引き"
    target.parent.mkdir()
    monkeypatch.setattr(QFileDialog, "getSaveFileName", staticmethod(lambda *a, **k: (str(target), "")))
    try:
        assert window.actionGuidePdf.text() == "操作の手引きをPDFで書き出す(&P)…"
        window.actionGuidePdf.trigger()
        written = target.with_suffix(".pdf")
        assert written.is_file()
        pages = subprocess.run(["pdfinfo", str(written)], capture_output=True, text=True, check=True).stdout
        assert int(re.search(r"Pages:\s+(\d+)", pages).group(1)) >= 8  # type: ignore[union-attr]
        notice = window.findChild(Notice, "notice")
        assert notice is not None and notice.isVisible()
        assert notice.text.text().startswith("操作の手引きをPDFで書き出しました（手引き.pdf：")
        assert notice.folder == target.parent and notice.open_button.isVisible()
        assert window.status_label.text() == notice.text.text()
    finally:
        window.close()
