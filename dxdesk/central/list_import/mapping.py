"""Which column of a municipality's own Excel list is which: the header row, and a proposed mapping.

A plan list is one row per measure (or per indicator) in whatever layout the office uses: a title
above the table, a header of one or two rows (「令和6年度」 merged over 「目標」「実績」), columns named
施策名 or 事業名 or 取組, 所管課 or 担当課. :func:`find_header` finds the header rows by how many cells
look like headers; :func:`propose_mapping` gives each column a field from its header words. The
mapping is a plain ``{column letter: field}`` dict that a person may correct and save (JSON, keyed by
the header text so next year's list with the same headers maps in one step).
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dxdesk.domain.fiscal import FiscalYearError, parse_fiscal_year
from dxdesk.exchange.reader import column_letters
from dxdesk.files import write_text_atomic

__all__ = [
    "FIELDS",
    "MAPPING_FORMAT",
    "Field",
    "Header",
    "Mapping",
    "field_label",
    "find_header",
    "load_mapping",
    "propose_mapping",
    "save_mapping",
]

MAPPING_FORMAT = "dxdesk/list-mapping/1"
MAX_HEADER_SCAN = 30  # the header is among the first rows


@dataclass(frozen=True)
class Field:
    key: str
    label: str
    level: str  # measure | indicator
    words: tuple[str, ...]  # header words, most specific first


FIELDS: tuple[Field, ...] = (
    Field(
        "measure_code",
        "施策コード",
        "measure",
        (
            "施策コード",
            "事業コード",
            "施策番号",
            "事業番号",
            "取組番号",
            "プロジェクトID",
            "PID",
            "項番",
            "番号",
            "No",
            "NO",
            "No.",
            "コード",
        ),
    ),
    Field(
        "measure_name",
        "施策名",
        "measure",
        (
            "施策名",
            "事業名",
            "事務事業名",
            "取組名",
            "プロジェクト名",
            "施策・事業名",
            "主な取組",
            "取組",
            "施策",
            "事業",
            "プロジェクト",
            "事務事業",
        ),
    ),
    Field(
        "section",
        "所管課",
        "measure",
        (
            "所管課",
            "担当課",
            "所管課(室)",
            "担当部課",
            "担当課所室",
            "課所室",
            "主管課",
            "所管",
            "担当",
            "所属",
        ),
    ),
    Field("bureau", "部局", "measure", ("部局", "担当部", "主体部局", "所管部", "部名")),
    Field(
        "node",
        "計画体系",
        "measure",
        (
            "体系",
            "施策体系",
            "分野",
            "基本目標",
            "政策",
            "重点項目",
            "重点課題",
            "DX重点課題",
            "取組項目",
            "課題",
        ),
    ),
    Field("summary", "概要", "measure", ("概要", "事業概要", "取組内容", "施策概要", "事業内容", "内容")),
    Field("purpose", "目的", "measure", ("目的", "事業目的")),
    Field("budget_item", "予算科目", "measure", ("予算科目", "関連事業名", "予算事業名")),
    Field("period", "事業期間", "measure", ("事業期間", "期間", "実施期間")),
    Field("leading", "重点", "measure", ("リーディング", "中核事業", "重点")),
    Field("budget", "予算額", "measure", ("予算額", "当初予算額", "予算", "予算額(千円)")),
    Field("settlement", "決算額", "measure", ("決算額", "決算", "事業費", "決算額(千円)", "事業費実績")),
    Field("fund_general", "一般財源", "measure", ("一般財源", "うち一般財源")),
    Field("personnel_cost", "人件費", "measure", ("人件費", "人件費(参考)")),
    Field("stage", "段階", "measure", ("段階", "ライフサイクル", "ステージ", "ライフサイクルの段階")),
    Field("grade", "評価", "measure", ("評価", "進捗評価", "自己評価", "評価結果", "総合評価")),
    Field(
        "indicator_name",
        "指標名",
        "indicator",
        (
            "指標名",
            "KPI",
            "KPI名",
            "評価指標",
            "評価指標(KPI)",
            "成果指標",
            "活動指標",
            "効果・KPI",
            "指標",
            "成果指標名",
            "活動指標名",
            "目標指標",
        ),
    ),
    Field("indicator_kind", "指標の区分", "indicator", ("指標の種類", "指標区分", "区分", "指標の区分")),
    Field("unit", "単位", "indicator", ("単位",)),
    Field("baseline", "基準値", "indicator", ("基準値", "現状値", "現状", "基準")),
    Field("baseline_fy", "基準年度", "indicator", ("基準年度", "基準年", "現状値の年度")),
    Field("final_target", "最終目標", "indicator", ("最終目標", "目標値", "最終目標値", "目標", "計画目標")),
    Field("final_target_fy", "最終目標年度", "indicator", ("最終目標年度", "目標年度")),
    Field("actual", "実績（調査年度の前年度）", "indicator", ("実績", "実績値", "前年度実績")),
    Field("indicator_note", "指標の概要", "indicator", ("指標の概要", "指標の説明", "指標の内容")),
    Field("reference", "参考値（調査年度の前年度）", "indicator", ("参考値",)),
    Field("direction", "方向", "indicator", ("方向", "目指す方向")),
    Field("cumulative", "累計", "indicator", ("累計", "累計値")),
    Field(
        "rationale",
        "算出式・設定根拠",
        "indicator",
        ("算出式", "設定根拠", "算出式・設定根拠", "目標値の考え方", "算出方法"),
    ),
    Field("ignore", "（読み込まない）", "measure", ("達成率", "達成度", "達成率②/①", "進捗率", "順位")),
)
_BY_KEY = {f.key: f for f in FIELDS}
TARGET_WORDS = ("目標値", "目標", "予定", "計画値", "計画")
ACTUAL_WORDS = ("実績値", "実績", "実績見込")
REFERENCE_WORDS = ("参考値",)
_YEAR = re.compile(r"^(令和|平成|R|H)?(元|\d{1,4})(年度|年)?")


def _norm(text: Any) -> str:
    s = unicodedata.normalize("NFKC", "" if text is None else str(text))
    return re.sub(r"[\s※]+", "", s)


def field_label(key: str) -> str:
    """「R6目標」 for ``target@2024``, the field's label otherwise."""
    kind, _, fy = key.partition("@")
    if fy:
        from dxdesk.domain.fiscal import fy_short

        return f"{fy_short(int(fy))}{ {'target': '目標', 'actual': '実績'}.get(kind, '参考値') }"
    f = _BY_KEY.get(key)
    return f.label if f else key


@dataclass
class Header:
    """The header of a list: its rows (1-based) and one text per column (two-row headers joined)."""

    rows: tuple[int, ...]
    texts: list[str]  # per column, as shown: 「令和6年度 目標」

    @property
    def first_data_row(self) -> int:
        return self.rows[-1] + 1


@dataclass
class Mapping:
    """Column index → field key (``target@2024``, ``actual@2023`` for year columns)."""

    columns: dict[int, str] = field(default_factory=dict)
    sheet: str = ""
    header_rows: tuple[int, ...] = ()

    def column_of(self, key: str) -> int | None:
        return next((i for i, k in self.columns.items() if k == key), None)

    def describe(self, header: Header) -> list[tuple[str, str, str]]:
        """(column letter, header text, field label) for each column, for a person to check."""
        return [
            (column_letters(i + 1), header.texts[i] if i < len(header.texts) else "", field_label(k))
            for i, k in sorted(self.columns.items())
        ]


def _score(texts: Sequence[str]) -> int:
    score = 0
    for t in texts:
        n = _norm(t)
        if not n or len(n) > 30:
            continue
        if (
            _match_field(n) is not None
            or _year_kind(n) is not None
            or n in TARGET_WORDS + ACTUAL_WORDS + REFERENCE_WORDS
        ):
            score += 1
    return score


def find_header(rows: list[list[Any]]) -> Header | None:
    """The header rows of a list: the row among the first ones with the most header words, joined with
    the row below when that one holds 「目標」「実績」 under merged year cells (or vice versa)."""
    best, best_score = -1, 1
    for r, row in enumerate(rows[:MAX_HEADER_SCAN]):
        sc = _score([str(v) for v in row])
        if sc > best_score:
            best, best_score = r, sc
    if best < 0:
        return None
    top = [_text(v) for v in rows[best]]
    width = max(len(top), max((len(r) for r in rows[best : best + 2]), default=0))
    top += [""] * (width - len(top))
    below = [_text(v) for v in rows[best + 1]] if best + 1 < len(rows) else []
    below += [""] * (width - len(below))
    two_rows = sum(1 for t in below if _norm(t) in TARGET_WORDS + ACTUAL_WORDS) >= 2 or (
        sum(1 for t in below if _norm(t)) >= 2
        and _score(below) >= max(2, sum(1 for t in below if _norm(t)) // 2)
        and any(not _norm(t) for t in top)
    )
    if not two_rows:
        return Header((best + 1,), top)
    # merged cells: the top text spans the empty cells to its right that have a text below
    filled = list(top)
    for i in range(1, width):
        if not _norm(filled[i]) and _norm(below[i]) and _norm(filled[i - 1]) and _norm(below[i - 1]):
            filled[i] = filled[i - 1]
    texts = []
    for i in range(width):
        a, b = filled[i].strip(), below[i].strip()
        texts.append(f"{a} {b}".strip() if a and b and a != b else (a or b))
    return Header((best + 1, best + 2), texts)


def _text(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).replace("\n", " ").strip()


def _year_kind(n: str) -> str | None:
    """``target@2024`` for 「R6目標」「令和6年度目標値」「2024 実績」, else None."""
    for words, kind in ((TARGET_WORDS, "target"), (ACTUAL_WORDS, "actual"), (REFERENCE_WORDS, "reference")):
        for w in words:
            if n.startswith(w) and len(n) > len(w):  # 「目標値(R7)」「実績(令和6年度)」
                tail = n[len(w) :].strip("()（）[]【】・-_ ")
                if _YEAR.match(tail) and tail[:1] not in ("年",):
                    try:
                        return f"{kind}@{parse_fiscal_year(tail.removesuffix('末'))}"
                    except (FiscalYearError, ValueError, TypeError):
                        pass
            if n.endswith(w) and len(n) > len(w):
                head = n[: -len(w)].strip("()（）・-_ ")
                if not _YEAR.match(head):
                    continue
                try:
                    fy = parse_fiscal_year(head)
                except (FiscalYearError, ValueError, TypeError):
                    continue
                return f"{kind}@{fy}"
    return None


def _match_field(n: str) -> str | None:
    for f in FIELDS:
        if n in (_norm(w) for w in f.words):
            return f.key
    return None


def _contains_field(n: str) -> str | None:
    best: tuple[int, str] | None = None
    for f in FIELDS:
        for w in f.words:
            wn = _norm(w)
            if len(wn) >= 2 and wn in n and (best is None or len(wn) > best[0]):
                best = (len(wn), f.key)
    return best[1] if best else None


_CODE_LIKE = re.compile(r"^[A-Za-z]{0,4}[0-9]+(?:[-‐－ー.・_][0-9A-Za-z]+)*$")


def _looks_like_codes(rows: list[list[Any]], start: int, i: int) -> bool:
    """The column's first cells are all codes (「1-1-2」「088」「観光1-1-4」 is not: it has words)."""
    seen = 0
    for row in rows[start : start + 30]:
        v = row[i] if i < len(row) else ""
        if v in ("", None):
            continue
        text = unicodedata.normalize("NFKC", str(v)).strip()
        if isinstance(v, float) and v.is_integer():
            text = str(int(v))
        if not _CODE_LIKE.match(text):
            return False
        seen += 1
    return seen > 0


def propose_mapping(
    header: Header, saved: dict[str, str] | None = None, rows: list[list[Any]] | None = None
) -> Mapping:
    """A field for each column from its header text (saved choices by header text first). With the
    sheet's ``rows``, a 施策名 column that holds only codes (「取組」 with 「1-1-2」) is the 施策コード and
    the next 施策名-like column (「取組名」) the name."""
    m = Mapping(header_rows=header.rows)
    used: set[str] = set()
    wanted: dict[int, str] = {}
    for i, text in enumerate(header.texts):
        n = _norm(text)
        if not n:
            continue
        key = (saved or {}).get(n) or _year_kind(n) or _match_field(n) or _contains_field(n)
        if key is None:
            key = f"attr:{text.strip()}"
        wanted[i] = key
        if key in used and key not in ("ignore", "node") and not key.startswith("attr:"):
            key = f"attr:{text.strip()}"
        used.add(key)
        m.columns[i] = key
    name_col = m.column_of("measure_name")
    if (
        rows is not None
        and not (saved or {})
        and name_col is not None
        and "measure_code" not in used
        and _looks_like_codes(rows, header.first_data_row - 1, name_col)
    ):
        other = next((i for i, k in sorted(wanted.items()) if k == "measure_name" and i != name_col), None)
        if other is not None:
            m.columns[name_col] = "measure_code"
            m.columns[other] = "measure_name"
    return m


def save_mapping(path: Path, header: Header, mapping: Mapping, extra: dict[str, Any] | None = None) -> Path:
    """The mapping as JSON keyed by header text, for next year's list."""
    columns = {
        _norm(header.texts[i]): key
        for i, key in sorted(mapping.columns.items())
        if i < len(header.texts) and _norm(header.texts[i])
    }
    data = {"format": MAPPING_FORMAT, "sheet": mapping.sheet, "columns": columns, **(extra or {})}
    write_text_atomic(Path(path), json.dumps(data, ensure_ascii=False, indent=2) + "\n")
    return Path(path)


def load_mapping(path: Path) -> dict[str, Any]:
    """A saved mapping (``{"sheet", "columns": {header: field}, ...}``); raises ``ValueError``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"対応表を読み込めません（{exc}）。") from exc
    if not isinstance(data, dict) or data.get("format") != MAPPING_FORMAT:
        raise ValueError(f"対応表の形式ではありません（{MAPPING_FORMAT} が必要です）。")
    columns = data.get("columns")
    if not isinstance(columns, dict):
        raise ValueError("対応表に「columns」がありません。")
    for key in columns.values():
        base = str(key).partition("@")[0]
        if not (base in _BY_KEY or base in ("target", "actual", "reference") or str(key).startswith("attr:")):
            raise ValueError(f"対応表の項目「{key}」は使えません。")
    data["columns"] = {_norm(k): str(v) for k, v in columns.items()}
    return data
