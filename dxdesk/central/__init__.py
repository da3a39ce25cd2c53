"""The central office's year, headless: merge, submission status, review and return, conflicts.

- ``inbox``: which files a selection of files and folders holds, and the checks made before reading
  (Excel's lock files, temporary and empty files, other file types, files that cannot be opened);
- ``intake``: verification of one file and its data made ready to merge (runs in worker processes);
- ``apply``: writing a submission's data into the central plan tables;
- ``merge``: ``merge_paths`` — list, verify (in worker processes) and merge files;
- ``receive``: one verified file into the database in one transaction, safe when two processes merge
  the same folder;
- ``status``: the status board (未提出 / 提出済 / 差戻し中 / 受理) and the reminder text;
- ``review``, ``review_sheets``: the review per measure and the signed review workbook;
- ``conflicts``: same revision, different content — listing and resolving;
- ``commands``: ``dxdesk merge``, ``export``, ``status``, ``review``, ``review-export``,
  ``import-review``, ``conflicts``, ``resolve``;
- ``plan_master``: the plan master workbook (template and import, docs/plan-master.md), with its
  commands ``plan-template`` and ``import-plan`` in ``plan_commands``.

The plan master (Excel template and import) is ``plan_master`` (its own package); the merged workbook
is ``dxdesk.central.workbook``; the section's import of a review workbook is ``dxdesk.section_review``
(section side, used through ``dxdesk.section_desk.SectionDesk.import_review``); the office's façade
for the screens is ``office`` (docs/core-api.md). API reference: docs/central.md.
"""
