"""Reports: printed sheets and reports as PDF (and the merged Excel workbook).

PDF printing: :func:`dxdesk.report.documents.make_pdf` writes A4 management sheets, a section's
booklet or the organisation report. The PDFs embed a Japanese TrueType font (:mod:`.fonts`), break
Japanese lines with 禁則 (:mod:`.linebreak`), lay sheets out in ruled boxes that continue over pages
(:mod:`.layout`, :mod:`.sheet`) with the parts and labels the plan's settings choose (:mod:`.options`),
and stream pages so that a 1,000-measure report stays within bounded memory. ``dxdesk print`` is in
:mod:`.commands`; the GUI dialog is ``ui/print_dialog.py``.

This file imports nothing, so that loading one report module does not load the others.
"""
