"""Blocks of cells copied from or to Excel: tab-separated text with Excel's quoting.

Excel puts a copied range on the clipboard as lines of tab-separated cells, ending with a line break;
a cell holding a tab, a line break or a double quote is wrapped in double quotes with inner quotes
doubled. :func:`parse_block` reads that (and plain text typed elsewhere); :func:`format_block` writes it,
so a block copied from the indicator grid pastes into Excel cell by cell.
"""

from __future__ import annotations

from collections.abc import Sequence

__all__ = ["MAX_BLOCK_CELLS", "format_block", "parse_block"]

MAX_BLOCK_CELLS = 10_000  # more than any sheet has; protects against pasting a whole document


def parse_block(text: str) -> list[list[str]]:
    """Rows of cells. A single trailing line break is not an extra row; an empty text is no rows."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    rows: list[list[str]] = []
    row: list[str] = []
    cell: list[str] = []
    i, n = 0, len(text)
    at_cell_start = True
    while i < n:
        ch = text[i]
        if at_cell_start and ch == '"':
            # quoted cell: read to the closing quote, "" is a quote
            j = i + 1
            buf: list[str] = []
            closed = False
            while j < n:
                if text[j] == '"':
                    if j + 1 < n and text[j + 1] == '"':
                        buf.append('"')
                        j += 2
                        continue
                    closed = True
                    j += 1
                    break
                buf.append(text[j])
                j += 1
            if closed and (j == n or text[j] in "\t\n"):
                cell = buf
                i = j
                at_cell_start = False
                continue
            # not a well-formed quoted cell: take the quote literally
        if ch == "\t":
            row.append("".join(cell))
            cell = []
            at_cell_start = True
        elif ch == "\n":
            row.append("".join(cell))
            rows.append(row)
            row, cell = [], []
            at_cell_start = True
        else:
            cell.append(ch)
            at_cell_start = False
        i += 1
    if cell or row or (text and not text.endswith("\n")):
        row.append("".join(cell))
        rows.append(row)
    return rows


def _quote(cell: str) -> str:
    if any(c in cell for c in '\t\n"'):
        return '"' + cell.replace('"', '""') + '"'
    return cell


def format_block(rows: Sequence[Sequence[str]]) -> str:
    """The clipboard text Excel expects for ``rows`` (each line ends with CRLF)."""
    return "".join("\t".join(_quote(c) for c in row) + "\r\n" for row in rows)
