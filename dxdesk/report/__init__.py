"""Printing: A4 management sheets, section booklets and the organisation report as PDF.

The PDFs embed a Japanese TrueType font (:mod:`dxdesk.report.fonts`), break Japanese lines with 禁則
(:mod:`dxdesk.report.linebreak`), lay sheets out in ruled boxes that continue over pages
(:mod:`dxdesk.report.layout`, :mod:`dxdesk.report.sheet`) with the parts and labels the plan's
settings choose (:mod:`dxdesk.report.options`), and stream pages so that a 1,000-measure report stays
within bounded memory (:mod:`dxdesk.report.documents`). ``dxdesk print`` is in
:mod:`dxdesk.report.commands`; the GUI dialog is ``ui/print_dialog.py``.

The merged Excel workbook (``dxdesk export``) will live beside this in ``dxdesk/report/workbook.py``.
"""

from dxdesk.report.documents import KINDS, PrintJob, PrintResult, default_file_name, make_pdf
from dxdesk.report.errors import FontError, NothingToPrintError, PrintCancelled, PrintError

__all__ = [
    "KINDS",
    "FontError",
    "NothingToPrintError",
    "PrintCancelled",
    "PrintError",
    "PrintJob",
    "PrintResult",
    "default_file_name",
    "make_pdf",
]
