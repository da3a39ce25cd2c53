"""Importing a plan from the office's own Excel list: header detection, a proposed column mapping,
every problem as シート・行・列・内容, import by codes, and the mapping saved for next year
(docs/list-import.md)."""

from __future__ import annotations

from dxdesk.central.list_import.importer import ListResult, import_list, read_list_rows
from dxdesk.central.list_import.mapping import (
    FIELDS,
    MAPPING_FORMAT,
    Header,
    Mapping,
    field_label,
    find_header,
    load_mapping,
    propose_mapping,
    save_mapping,
)

__all__ = [
    "FIELDS",
    "MAPPING_FORMAT",
    "Header",
    "ListResult",
    "Mapping",
    "field_label",
    "find_header",
    "import_list",
    "load_mapping",
    "propose_mapping",
    "read_list_rows",
    "save_mapping",
]
