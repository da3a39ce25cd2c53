"""The Japanese font embedded in every PDF: find it, check it, register it with reportlab.

A PDF read on another PC (the council's, an auditor's) must show the same characters, so the font is
always embedded, as a subset (reportlab embeds TrueType fonts as subsets). Which font:

1. the file the person chose (``dxdesk print --font FILE`` or the ``print_font_path`` setting kept in
   the database with :mod:`dxdesk.store.settings_store`), else the ``DXDESK_PRINT_FONT`` environment
   variable;
2. otherwise the first usable font of the machine: on Windows (LGWAN PCs) 游ゴシック, BIZ UDゴシック,
   メイリオ, ＭＳ ゴシック; on Linux IPAexゴシック from fonts-ipaexfont, then other common Japanese
   TrueType fonts.

reportlab embeds only TrueType outlines (.ttf and .ttc). An OpenType/CFF file (Noto Sans CJK .otf),
a font whose licence forbids embedding, or a font without Japanese glyphs is refused with a Japanese
message saying what to do, never silently replaced: a font without kana would print □ (tofu).
Characters the chosen font lacks (rare kanji, emoji) are printed as 〓 and reported, never as tofu.
"""

from __future__ import annotations

import hashlib
import os
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFError, TTFont

from dxdesk.report.errors import FontError

__all__ = [
    "ENV_VAR",
    "SETTING_KEY",
    "PrintFont",
    "candidate_fonts",
    "find_font",
    "load_font",
]

ENV_VAR = "DXDESK_PRINT_FONT"
SETTING_KEY = "print_font_path"  # key in app_setting (dxdesk.store.settings_store)

# Characters every Japanese sheet uses; a font lacking any of them would print tofu.
_PROBE = "あいうアイウ漢字年度施策評価目標実績達成率。、「」（）—〓"
MISSING_MARK = "〓"  # 下駄記号: the Japanese printer's mark for a character the typeface lacks

# (file name, subfont index of a .ttc, name people know). Windows first: that is where users are.
_WINDOWS_FONTS = (
    ("YuGothM.ttc", 0, "游ゴシック Medium"),
    ("YuGothR.ttc", 0, "游ゴシック"),
    ("BIZ-UDGothicR.ttc", 0, "BIZ UDゴシック"),
    ("meiryo.ttc", 0, "メイリオ"),
    ("msgothic.ttc", 0, "ＭＳ ゴシック"),
)
_UNIX_FONTS = (
    ("/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf", 0, "IPAexゴシック"),
    ("/usr/share/fonts/truetype/ipaexfont-gothic/ipaexg.ttf", 0, "IPAexゴシック"),
    ("/usr/share/fonts/truetype/fonts-japanese-gothic.ttf", 0, "IPAexゴシック"),
    ("/usr/share/fonts/ipa-exgothic/ipaexg.ttf", 0, "IPAexゴシック"),
    ("/usr/share/fonts/opentype/ipafont-gothic/ipag.ttf", 0, "IPAゴシック"),
    ("/usr/share/fonts/truetype/takao-gothic/TakaoGothic.ttf", 0, "Takaoゴシック"),
    ("/usr/share/fonts/truetype/vlgothic/VL-Gothic-Regular.ttf", 0, "VLゴシック"),
)
_USER_FONT_NAMES = ("ipaexg.ttf", "ipag.ttf")

NOT_FOUND_MESSAGE = (
    "PDFに埋め込む日本語フォントが見つかりません。"
    "Windowsでは「游ゴシック」「メイリオ」「ＭＳ ゴシック」のいずれかを、"
    "Linuxでは fonts-ipaexfont パッケージ（IPAexゴシック）をインストールしてください。"
    "または、印刷の設定（dxdesk print --font ファイル）で日本語のTrueTypeフォント（.ttf / .ttc）を指定してください。"
)


@dataclass(frozen=True)
class FontCandidate:
    path: Path
    subfont: int = 0
    label: str = ""


def candidate_fonts() -> Iterator[FontCandidate]:
    """Fonts to try, in order of preference, that exist on this machine."""
    seen: set[Path] = set()

    def emit(path: Path, subfont: int, label: str) -> Iterator[FontCandidate]:
        if path.is_file() and path not in seen:
            seen.add(path)
            yield FontCandidate(path, subfont, label)

    if sys.platform.startswith("win"):
        folders = [Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts"]
        local = os.environ.get("LOCALAPPDATA")
        if local:
            folders.append(Path(local) / "Microsoft" / "Windows" / "Fonts")
        for folder in folders:
            for name, sub, label in _WINDOWS_FONTS:
                yield from emit(folder / name, sub, label)
            for name in _USER_FONT_NAMES:
                yield from emit(folder / name, 0, name)
    for path, sub, label in _UNIX_FONTS:
        yield from emit(Path(path), sub, label)
    for folder in (Path.home() / ".local/share/fonts", Path.home() / ".fonts"):
        for name in _USER_FONT_NAMES:
            yield from emit(folder / name, 0, name)


class CharWidths(dict[str, float]):
    """Widths of characters at one size, measured on first use."""

    def __init__(self, ttf: TTFont, size: float):
        super().__init__()
        self.ttf = ttf
        self.size = size

    def __missing__(self, ch: str) -> float:
        w: float = self.ttf.stringWidth(ch, self.size)
        self[ch] = w
        return w


@dataclass
class PrintFont:
    """A registered, embeddable Japanese font and what it can print."""

    name: str  # reportlab font name
    path: Path
    label: str
    ttf: TTFont = field(repr=False)
    _ok: set[str] = field(default_factory=lambda: {"\n"}, repr=False)
    _tables: dict[float, CharWidths] = field(default_factory=dict, repr=False)

    def covers(self, ch: str) -> bool:
        return ord(ch) in self.ttf.face.charToGlyph

    def widths(self, size: float) -> CharWidths:
        """Character → width at ``size``, filled on first use (a dict: fast in tight loops)."""
        table = self._tables.get(size)
        if table is None:
            table = self._tables[size] = CharWidths(self.ttf, size)
        return table

    def width(self, text: str, size: float) -> float:
        return sum(map(self.widths(size).__getitem__, text))

    def printable(self, text: str, missing: set[str] | None = None) -> str:
        """``text`` with every character the font can draw: tabs become spaces, control characters go,
        a character the font lacks becomes its compatibility form (NFKC) when the font has that, else
        〓; lacking characters are added to ``missing`` for the person to be told."""
        ok = self._ok
        if all(ch in ok for ch in text):
            return text
        out: list[str] = []
        for ch in text:
            if ch in ok:
                out.append(ch)
                continue
            if ch == "\t":
                out.append(" ")
                continue
            if unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") and ch not in "\u3000":
                continue
            if self.covers(ch):
                ok.add(ch)
                out.append(ch)
                continue
            alt = unicodedata.normalize("NFKC", ch)
            if alt and alt != ch and all(self.covers(a) for a in alt):
                out.append(alt)
            else:
                out.append(MISSING_MARK)
            if missing is not None:
                missing.add(ch)
        return "".join(out)


_LOADED: dict[tuple[str, int, int], PrintFont] = {}


def _explain(exc: Exception) -> str:
    text = str(exc)
    if "postscript outlines" in text.lower():
        return "OpenType（CFF）形式のフォントは埋め込めません。TrueType形式（.ttf / .ttc）のフォントを指定してください"
    if "embedding" in text.lower():
        return "このフォントはライセンスでPDFへの埋め込みが許可されていません。別のフォントを指定してください"
    if "can't open" in text.lower() or isinstance(exc, OSError):
        return "ファイルを開けません"
    return "フォントファイルとして読み取れません"


def load_font(path: Path | str, subfont: int = 0, label: str = "") -> PrintFont:
    """Register the TrueType font at ``path`` with reportlab, checking it can print Japanese."""
    p = Path(path).expanduser()
    if not p.is_file():
        raise FontError(
            f"フォントファイル「{p}」が見つかりません。ファイルの場所を確認するか、別のフォントを指定してください。"
        )
    stat = p.stat()
    key = (str(p.resolve()), subfont, int(stat.st_mtime))
    cached = _LOADED.get(key)
    if cached is not None:
        return cached
    digest = hashlib.sha1(f"{key}".encode()).hexdigest()[:10]
    name = f"DXJP-{digest}"
    try:
        ttf = TTFont(name, str(p), subfontIndex=subfont)
    except (TTFError, OSError, ValueError, IndexError, KeyError) as exc:
        raise FontError(f"フォント「{p.name}」は使えません：{_explain(exc)}。") from exc
    lacking = [ch for ch in _PROBE if ord(ch) not in ttf.face.charToGlyph]
    if lacking:
        raise FontError(
            f"フォント「{p.name}」には日本語の文字（{''.join(lacking[:8])}）が含まれていないため、"
            "PDFで文字が□になります。日本語フォントを指定してください。"
        )
    pdfmetrics.registerFont(ttf)
    font = PrintFont(name=name, path=p, label=label or p.stem, ttf=ttf)
    _LOADED[key] = font
    return font


def find_font(chosen: Path | str | None = None, *, extra: Iterable[Path | str] = ()) -> PrintFont:
    """The font to print with: ``chosen`` if given (errors are not hidden), else the environment
    variable, else the first usable font of the machine. Raises :class:`FontError`."""
    if chosen:
        return load_font(chosen)
    env = os.environ.get(ENV_VAR, "").strip()
    if env:
        return load_font(env)
    problems: list[str] = []
    candidates = [FontCandidate(Path(p)) for p in extra] + list(candidate_fonts())
    for c in candidates:
        try:
            return load_font(c.path, c.subfont, c.label)
        except FontError as exc:
            problems.append(str(exc))
    detail = f"（試したフォント：{' / '.join(problems)}）" if problems else ""
    raise FontError(NOT_FOUND_MESSAGE + detail)
