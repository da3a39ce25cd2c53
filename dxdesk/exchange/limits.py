"""Fixed limits for every size a workbook can claim, checked before anything is allocated.

A file from outside can claim anything: a sheet dimension of ``A1:XFD1048576``, a cell at
``XFD1048576``, a shared-string count of four billion, a part that expands a thousandfold, a payload
nested 200,000 levels deep. Each of those is compared with a limit here before a reader builds
anything of that size; a file beyond a limit is refused with ``too_large`` (docs/exchange-format.md).

The limits are far above what dxdesk writes (a submission of 60 measures uses about 300 rows and 12
columns per sheet, and a payload about 10 levels deep) and far below what would hurt the machine.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["DEFAULT_LIMITS", "Limits"]


@dataclass(frozen=True)
class Limits:
    max_file_bytes: int = 64 * 2**20
    max_parts: int = 4000
    max_part_bytes: int = 64 * 2**20  # uncompressed, one part
    max_total_bytes: int = 256 * 2**20  # uncompressed, all parts read
    max_ratio: int = 200  # uncompressed / compressed size of one part (XML compresses 10–50×)
    max_row: int = 100_000  # highest row number of any reference (Excel allows 1,048,576)
    max_col: int = 1024  # highest column (AMJ; LibreOffice writes column widths up to here)
    max_sheets: int = 1000
    max_shared_strings: int = 1_000_000
    max_json_depth: int = 64  # nesting of the payload's JSON (dxdesk writes about 10)
    max_cells: int = 2_000_000  # cells of one sheet a reader may hold (rows × columns for calamine)


DEFAULT_LIMITS = Limits()
