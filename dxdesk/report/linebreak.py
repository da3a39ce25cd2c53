"""Japanese line breaking with 禁則処理 (kinsoku), for text drawn into the ruled boxes of a sheet.

Japanese text may break between almost any two characters, except:
- a line never starts with closing brackets, 。、 and other punctuation, small kana, 々, ー, …
  (行頭禁則: :data:`NO_START`);
- a line never ends with an opening bracket (行末禁則: :data:`NO_END`);
- Latin words and numbers (``LGWAN``, ``1,234.5``, ``R5``) are not split; they break at spaces;
- 「……」「——」 stay together.

The method is 追い出し (push the offending character to the next line together with the character
before it): characters that must stay together are glued into a cluster before lines are filled, so
a line is never wider than the box. Only a cluster wider than a whole line (a 200-character URL, a
run of 。。。) is cut where it must.

Nothing is lost: ``"".join(break_lines(t, …)) == t`` with line feeds removed (and CR LF read as one
line feed); spaces at a break stay at the end of the line, where they are invisible.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

__all__ = ["NO_END", "NO_START", "break_lines", "clusters"]

NO_START = frozenset(
    "、。，．,.・：；:;？！?!‼⁇⁈⁉゛゜ヽヾゝゞ々〻ー"
    "―‐–—…‥〜～"
    ")]}）］｝〕〉》」』】〙〗〟’”｠»"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ"
    "%％‰℃°′″¢￠"
)
NO_END = frozenset("([{（［｛〔〈《「『【〘〖〝‘“｟«￥＄$£￡#＃№")

_SPACES = frozenset(" \u3000")


_WORD = "0-9A-Za-z\uff10-\uff19\uff21-\uff3a\uff41-\uff5a\u00c0-\u024f"
_JOIN = re.escape(".,:/-_'’@&+=#~?%")
# A Latin word or number with inner joiners (「1,234.5」「R5」「https://a.jp/x」), or any one character;
# either followed by the spaces after it (a space is where a line may break).
_ATOM = re.compile(f"(?:[{_WORD}]+(?:[{_JOIN}]+[{_WORD}]+)*|.)[ \u3000]*", re.S)


def _atoms(text: str) -> list[str]:
    """Smallest unbreakable pieces: a Latin word or number, or a single character, each with the
    spaces that follow it."""
    return _ATOM.findall(text)


def clusters(text: str) -> list[str]:
    """Pieces between which a line may break, after 禁則: a piece that may not start a line is glued to
    the one before, a piece after one that may not end a line is glued to it."""
    out: list[str] = []
    for atom in _atoms(text):
        # glue even across a space: 「「 」 followed by a space still may not end a line
        if out and (atom[0] in NO_START or out[-1].rstrip(" \u3000")[-1:] in NO_END):
            out[-1] += atom
            continue
        out.append(atom)
    return out


def _cut(piece: str, max_width: float, cw: Callable[[str], float]) -> list[str]:
    """Cut a piece wider than a line into lines, preferring cuts that keep 禁則."""
    lines: list[str] = []
    line = ""
    width = 0.0
    for ch in piece:
        w = cw(ch)
        if line and width + w > max_width and ch not in _SPACES:
            # move a character back if the next line would start with a forbidden character
            # (never a space: the next line would start with it)
            if ch in NO_START and len(line) > 1 and line[-1] not in NO_START and line[-1] not in _SPACES:
                lines.append(line[:-1])
                line = line[-1]
                width = cw(line)
            else:
                lines.append(line)
                line, width = "", 0.0
        line += ch
        width += w
    if line:
        lines.append(line)
    return lines


def _paragraph(text: str, max_width: float, cw: Callable[[str], float]) -> list[str]:
    lines: list[str] = []
    line = ""
    width = 0.0
    for piece in clusters(text):
        visible = piece.rstrip(" \u3000")
        vw = sum(map(cw, visible))
        pw = vw + sum(map(cw, piece[len(visible) :])) if len(visible) < len(piece) else vw
        if width + vw <= max_width + 1e-6:
            line += piece
            width += pw
            continue
        if line:
            lines.append(line)
            line, width = "", 0.0
        if vw <= max_width + 1e-6:
            line, width = piece, pw
            continue
        parts = _cut(piece, max_width, cw)
        lines.extend(parts[:-1])
        line = parts[-1]
        width = sum(map(cw, line))
    lines.append(line)
    return lines


def break_lines(
    text: str, max_width: float, char_width: Callable[[str], float] | Mapping[str, float]
) -> list[str]:
    """Lines of ``text`` no wider than ``max_width`` (a single character wider than that gets a line
    of its own). Line feeds in the text start new lines; empty text gives no lines. ``char_width``
    gives a character's width, as a function or a mapping."""
    if not text:
        return []
    if isinstance(char_width, Mapping):
        char_width = char_width.__getitem__
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    lines: list[str] = []
    for para in text.split("\n"):
        if para == "":
            lines.append("")
        else:
            lines.extend(_paragraph(para, max_width, char_width))
    return lines
