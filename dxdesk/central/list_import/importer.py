"""Importing a plan from the office's own Excel list (last year's, in its own layout).

``import_list`` reads the sheet, finds the header, maps the columns (:mod:`.mapping`), reads every
row with the same cell readers as the plan master (values as published: 「累計 3,210 人」「12.5%/年」),
lists every problem as シート・行・列・内容, and — when none is an error and it is not a dry run —
imports the plan through ``dxdesk.store.dataset.import_dataset``, by codes:

- a measure is matched by its code; a list without a code column gets codes that stay the same next
  year (an existing measure of the same name keeps its code; a new one gets ``L`` + a short hash of
  its name);
- sections are matched by code or name; an unknown name becomes a new section (code ``K`` + hash);
  the tree columns (分野, 重点課題 …) become tree levels, matched by name;
- a row without a measure (merged cells, or a per-indicator list) continues the measure above;
- indicators are matched by name within the measure; the ones the list does not name stay;
- 実績 columns are actuals of years before the survey year (a plain 「実績」 is the year before it);
  段階 and 評価 are those of that year too (the list is last year's);
- other columns become the plan's own measure attributes (注意).
"""

from __future__ import annotations

import copy
import functools
import hashlib
import re
import time
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from dxdesk.central.list_import.mapping import (
    FIELDS,
    Header,
    Mapping,
    field_label,
    find_header,
    propose_mapping,
)
from dxdesk.central.plan_master import cells as C
from dxdesk.central.plan_master.apply_measures import _canon
from dxdesk.central.plan_master.formats import percent_cells, show_percentages
from dxdesk.central.plan_master.importer import finish_import, import_session, mark_central, write_dataset
from dxdesk.central.plan_master.read import FILE, Problem, ProblemList
from dxdesk.domain.enums import IndicatorKind
from dxdesk.domain.fiscal import FiscalYearError, fy_label, parse_fiscal_year
from dxdesk.domain.quantity import Quantity, QuantityError, read_quantity
from dxdesk.domain.settings import default_settings_dict
from dxdesk.domain.values import Value
from dxdesk.exchange.errors import UnreadableWorkbook
from dxdesk.exchange.reader import SheetInfo, XlsxReader, column_letters
from dxdesk.exchange.workbook import PAYLOAD_SHEET
from dxdesk.store.dataset import (
    FORMAT,
    DatasetError,
    DatasetProblems,
    export_dataset,
)
from dxdesk.store.models import Section
from dxdesk.store.queries import current_plan
from dxdesk.store.settings_store import get_setting

if TYPE_CHECKING:
    from dxdesk.store.database import Database

__all__ = ["ListResult", "import_list", "read_list_rows"]

PREVIEW_ROWS = 10
_GRADES = {"A", "B", "C", "D"}


@dataclass
class ListResult(ProblemList):
    path: Path
    sheet: str = ""
    sheets: list[str] = field(default_factory=list)
    header: Header | None = None
    mapping: Mapping | None = None
    problems: list[Problem] = field(default_factory=list)
    preview_columns: list[str] = field(default_factory=list)
    preview: list[tuple[int, list[str]]] = field(default_factory=list)  # (row, shown values)
    measures: int = 0
    indicators: int = 0
    values: int = 0
    new_measures: int = 0
    survey_fy: int | None = None
    dataset: dict[str, Any] | None = None
    applied: bool = False
    unchanged: bool = False  # the database already holds what the list says
    dry_run: bool = False
    seconds: float = 0.0

    def summary(self) -> str:
        if self.errors:
            return f"エラーが{len(self.errors):,}件あります。直してからもう一度読み込んでください（何も読み込んでいません）。"
        if self.unchanged:
            head = "変更はありません："
        else:
            head = (
                "確認のみ（読み込んでいません）：" if self.dry_run or not self.applied else "読み込みました："
            )
        return (
            f"{head}施策 {self.measures:,}件（新規 {self.new_measures:,}件）・指標 {self.indicators:,}件・"
            f"値 {self.values:,}件"
        )

    def error(self, row: int | None, column: str, message: str) -> None:
        self.problems.append(Problem(self.sheet or FILE, row, column, message))

    def warn(self, row: int | None, column: str, message: str) -> None:
        self.problems.append(Problem(self.sheet or FILE, row, column, message, "warning"))


def _hash(text: str, n: int = 6) -> str:
    return hashlib.sha1(unicodedata.normalize("NFKC", text).strip().encode("utf-8")).hexdigest()[:n].upper()


def _key(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace(" ", "").replace("\u3000", "").strip()


def read_list_rows(path: Path, sheet: str | None = None) -> tuple[str, list[str], list[list[Any]]]:
    """(sheet name, all visible sheet names, rows) of a list workbook; raises ``UnreadableWorkbook``
    or ``ValueError`` with a Japanese message."""
    path = Path(path)
    if path.suffix.lower() not in (".xlsx", ".xlsm"):
        raise ValueError(
            f"「{path.name}」は Excel ブック（.xlsx）ではありません。.xlsx で保存し直してください。"
        )
    with XlsxReader(path) as reader:
        infos = [s for s in reader.sheets() if s.state == "visible"]
        names = [s.name for s in infos]
        if any(s.name == PAYLOAD_SHEET for s in reader.sheets()):
            raise ValueError(
                "配布ファイル・提出ファイルなど署名付きのファイルです。施策の一覧のブックを選んでください。"
            )
        if sheet:
            info = next((s for s in infos if s.name == sheet), None)
            if info is None:
                raise ValueError(f"シート「{sheet}」がありません（{'、'.join(names)}）。")
        else:
            best: tuple[int, SheetInfo] | None = None
            for candidate in infos:
                header = find_header(reader.rows(candidate))
                score = 0 if header is None else sum(1 for t in header.texts if t)
                if best is None or score > best[0]:
                    best = (score, candidate)
            if best is None:
                raise ValueError("表示されているシートがありません。")
            info = best[1]
        rows = [list(r) for r in reader.rows(info)]
        show_percentages(rows, percent_cells(reader, info))  # 「30.0%」 typed, 0.3 stored
        return info.name, names, rows


@dataclass
class _Ctx:
    result: ListResult
    header: Header
    mapping: Mapping
    survey: int
    current: dict[str, Any]
    sections_by_code: dict[str, str]
    sections_by_name: dict[str, str]
    new_sections: dict[str, dict[str, Any]] = field(default_factory=dict)
    new_bureaus: dict[str, dict[str, Any]] = field(default_factory=dict)
    attributes: dict[str, str] = field(default_factory=dict)  # header → attribute key
    shown: dict[int, str] = field(default_factory=dict)  # this row's cells as read, for the preview

    def where(self, i: int) -> str:
        text = self.header.texts[i] if i < len(self.header.texts) else ""
        return f"{column_letters(i + 1)}（{text}）" if text else column_letters(i + 1)


def import_list(
    db: Database,
    path: Path,
    *,
    sheet: str | None = None,
    saved: dict[str, Any] | None = None,
    columns: dict[int, str] | None = None,
    fy: int | None = None,
    dry_run: bool = False,
    user: str = "",
    progress: Callable[[int, int, str], None] | None = None,
) -> ListResult:
    """Check a plan list and, with no errors and not ``dry_run``, import it. ``saved`` is a mapping
    read by :func:`~dxdesk.central.list_import.mapping.load_mapping`; ``columns`` (column index →
    field) overrides the proposed mapping (the dialog's choices)."""
    report = progress or (lambda _i, _n, _m: None)
    t0 = time.perf_counter()
    result = ListResult(Path(path), dry_run=dry_run)
    report(0, 4, "ファイルを読み込んでいます")
    try:
        name, names, rows = read_list_rows(Path(path), sheet or (saved or {}).get("sheet") or None)
    except ValueError as exc:
        if sheet is None and saved and saved.get("sheet"):
            try:
                name, names, rows = read_list_rows(Path(path), None)
            except (ValueError, UnreadableWorkbook) as exc2:
                result.error(None, "", str(exc2))
                return result
        else:
            result.error(None, "", str(exc))
            return result
    except UnreadableWorkbook as exc:
        result.error(
            None, "", f"Excel ブックとして読めません（{exc}）。Excel で開けるか確かめ、保存し直してください。"
        )
        return result
    result.sheet, result.sheets = name, names
    header = find_header(rows)
    if header is None:
        result.error(
            None,
            "",
            "見出しの行（施策名・指標名・目標値など）が見つかりません。表の見出しを確かめてください。",
        )
        return result
    mapping = propose_mapping(header, (saved or {}).get("columns"), rows)
    mapping.sheet = name
    if columns:
        mapping.columns = {i: k for i, k in columns.items() if k}
    result.header, result.mapping = header, mapping
    report(1, 4, "内容を確認しています")
    with import_session(db, user or f"施策一覧（{Path(path).name}）", result, t0) as session:
        if get_setting(session, "role") == "section":
            result.error(
                None,
                "",
                "このデータベースは課所室用です。施策の一覧は中央のデータベースに読み込んでください。",
            )
            return result
        plan = current_plan(session)
        current = export_dataset(session, plan.code) if plan is not None else _empty(path, saved)
        survey = current["plan"].get("current_fy") or fy or (saved or {}).get("current_fy")
        if survey is None:
            years = [int(k.partition("@")[2]) for k in mapping.columns.values() if k.startswith("actual@")]
            if years:
                survey = max(years) + 1
                result.warn(
                    None,
                    "",
                    f"調査年度を実績の列から{fy_label(survey)}としました。違うときは調査年度を指定してください。",
                )
            else:
                result.error(
                    None, "", "調査年度がわかりません。調査年度を指定してください（コマンドでは --fy R8）。"
                )
                return result
        result.survey_fy = int(survey)
        current["plan"]["current_fy"] = int(survey)
        sections = list(session.scalars(select(Section)))
        ctx = _Ctx(
            result,
            header,
            mapping,
            int(survey),
            current,
            {s.code: s.code for s in sections} | {s["code"]: s["code"] for s in current.get("sections", [])},
            {_key(s.name): s.code for s in sections},
        )
        _check_mapping(ctx)
        dataset = _build(ctx, rows)
        result.dataset = dataset
        if result.errors:
            session.rollback()
            return result
        same = not dataset["measures"] and all(
            _plain(dataset.get(k)) == _plain(current.get(k)) for k in ("plan", "bureaus", "sections", "tree")
        )
        if same and plan is not None and get_setting(session, "role") == "central":
            session.rollback()  # the same list again: nothing to write
            result.unchanged = True
            report(4, 4, "変更はありません")
            return result
        try:
            plan = write_dataset(session, dataset, dry_run, report)
        except DatasetProblems as exc:  # every problem the import's own checks find (check_dataset)
            session.rollback()
            for problem in exc.problems:
                result.error(None, "", f"読み込めない内容があります：{problem}")
            return result
        except DatasetError as exc:
            session.rollback()
            result.error(None, "", f"読み込めませんでした：{exc}")
            return result
        mark_central(session, plan.code)
        finish_import(session, result, dry_run, report)
        return result


def _plain(obj: Any) -> Any:
    """``obj`` without empty containers (the export leaves out empty settings and children)."""
    if isinstance(obj, dict):
        return {k: _plain(v) for k, v in obj.items() if v not in ({}, [], None)}
    if isinstance(obj, list):
        return [_plain(v) for v in obj]
    return obj


def _empty(path: Path, saved: dict[str, Any] | None) -> dict[str, Any]:
    plan = dict((saved or {}).get("plan") or {})
    plan.setdefault("code", "plan")
    plan.setdefault("name", Path(path).stem)
    return {"format": FORMAT, "plan": plan, "bureaus": [], "sections": [], "tree": [], "measures": []}


def _check_mapping(ctx: _Ctx) -> None:
    keys = set(ctx.mapping.columns.values())
    r = ctx.result
    row = ctx.header.rows[0]
    nodes = [i for i, k in sorted(ctx.mapping.columns.items()) if k == "node"]
    if "measure_name" not in keys and "measure_code" not in keys and nodes:
        # 分野 → 重点課題 → 課題 with one KPI per row: the deepest level is the measure
        ctx.mapping.columns[nodes[-1]] = "measure_name"
        r.warn(
            row,
            ctx.where(nodes[-1]),
            "施策名の列がないため、計画体系のいちばん下の列を施策名として読みます。",
        )
        keys = set(ctx.mapping.columns.values())
    if "measure_name" not in keys and "measure_code" not in keys:
        r.error(row, "", "施策名（事業名・取組名）の列がありません。どの列が施策名か指定してください。")
    for i, key in ctx.mapping.columns.items():
        if key.startswith("actual@") and int(key.partition("@")[2]) >= ctx.survey:
            r.warn(
                row,
                ctx.where(i),
                f"{fy_label(ctx.survey)}（調査年度）以降の実績は各課が入力します。この列は読み込みません。",
            )
        if key == "grade" or key == "stage":
            r.warn(
                row,
                ctx.where(i),
                f"{field_label(key)}は{fy_label(ctx.survey - 1)}のものとして読み込みます（前年度の一覧として読みます）。",
            )
        if key.startswith("attr:"):
            r.warn(
                row, ctx.where(i), f"列「{key[5:][:30]}」を施策の属性（計画独自の項目）として読み込みます。"
            )
        if key == "ignore":
            r.warn(row, ctx.where(i), "この列は読み込みません（達成率などは目標と実績から計算します）。")


def _cell(row: list[Any], i: int | None) -> Any:
    if i is None or i >= len(row):
        return None
    v = row[i]
    return None if v == "" else v


def _read_cell(
    ctx: _Ctx, row: list[Any], rn: int, col: dict[str, int | None], key: str, reader: Callable[[Any], Any]
) -> Any:
    """The cell of column ``key`` read with ``reader``; None for a blank cell, or after saying why it is
    unreadable."""
    i = col[key]
    raw = _cell(row, i)
    if raw is None:
        return None
    try:
        return reader(raw)
    except C.CellError as exc:
        ctx.result.error(rn, ctx.where(i or 0), str(exc))
        return None


def _build(ctx: _Ctx, rows: list[list[Any]]) -> dict[str, Any]:
    r = ctx.result
    m = ctx.mapping
    data = copy.deepcopy(ctx.current)
    settings_raw = data["plan"].get("settings") or {}
    by_code = {md["code"]: md for md in data["measures"]}
    for md in data["measures"]:
        for p, ind in enumerate(md.get("indicators", [])):
            ind["code"] = str(ind.get("code") or p + 1)  # the export leaves out positional codes
    originals = copy.deepcopy(by_code)
    by_name = {_key(md["name"]): md["code"] for md in data["measures"]}
    node_cols = [i for i, k in sorted(m.columns.items()) if k == "node"]
    attr_cols = {i: k[5:] for i, k in m.columns.items() if k.startswith("attr:")}
    if attr_cols:
        attrs = list(settings_raw.get("measure_attributes") or default_settings_dict()["measure_attributes"])
        known = {a["label"]: a["key"] for a in attrs} | {a["key"]: a["key"] for a in attrs}
        for label in attr_cols.values():
            if label not in known:
                attrs.append({"key": label, "label": label})
                known[label] = label
            ctx.attributes[label] = known[label]
        settings_raw["measure_attributes"] = attrs
        data["plan"]["settings"] = settings_raw
    col = {k: m.column_of(k) for k in (f.key for f in FIELDS)}
    year_cols = sorted(
        ((int(k.partition("@")[2]), k.partition("@")[0], i) for i, k in m.columns.items() if "@" in k),
        key=lambda t: (t[0], t[1]),
    )
    tree_index = _tree_index(data["tree"])
    listed: list[str] = []
    current_md: dict[str, Any] | None = None
    carried: dict[int, Any] = {}  # merged cells: a blank tree/部局 cell repeats the one above
    carry_cols = node_cols + [i for i in (col["bureau"],) if i is not None]
    seen_inds: dict[str, set[str]] = {}
    preview_keys = [(i, k) for i, k in sorted(m.columns.items()) if k != "ignore"]
    r.preview_columns = [field_label(k) if not k.startswith("attr:") else k[5:] for _i, k in preview_keys]
    for ri in range(ctx.header.first_data_row - 1, len(rows)):
        row = rows[ri]
        rn = ri + 1
        filled = [v for v in row if v not in ("", None)]
        if not filled:
            continue
        if len(filled) == 1 and isinstance(filled[0], str) and filled[0].strip()[:1] in ("※", "注", "*"):
            continue  # a note under the table
        if carry_cols:
            row = list(row) + [""] * (max(carry_cols) + 1 - len(row))
            starts = any(_cell(row, i) is not None for i in (col["measure_code"], col["measure_name"]))
            for i in carry_cols:
                if _cell(row, i) is not None:
                    carried[i] = row[i]
                    for j in node_cols[node_cols.index(i) + 1 :] if i in node_cols else []:
                        carried.pop(j, None)
                elif starts and i in carried:
                    row[i] = carried[i]
        code = C.read_code(_cell(row, col["measure_code"])) if col["measure_code"] is not None else ""
        name = C.read_text(_cell(row, col["measure_name"])) if col["measure_name"] is not None else ""
        if not code and not name:
            if current_md is None:
                r.error(rn, "", "施策名がありません（上の行の施策の続きとしても読めません）。")
                continue
            md = current_md
        else:
            if not code:
                code = by_name.get(_key(name)) or f"L{_hash(name)}"
            found = by_code.get(code)
            if found is None:
                if not name:
                    r.error(
                        rn, ctx.where(col["measure_name"] or 0), f"施策コード「{code}」の施策名が空欄です。"
                    )
                    continue
                found = {"code": code, "name": name, "indicators": []}
                by_code[code] = found
                r.new_measures += 1
            elif name and found.get("name") != name:
                found["name"] = name
            md = found
            if code not in seen_inds:
                listed.append(code)
                seen_inds[code] = set()
            current_md = md
            _measure_cells(ctx, md, row, rn, col, node_cols, attr_cols, tree_index, data)
        _indicator_cells(ctx, md, row, rn, col, year_cols, seen_inds.setdefault(md["code"], set()))
        if len(r.preview) < PREVIEW_ROWS:
            r.preview.append((rn, [ctx.shown.get(i, _shown(row, i)) for i, _k in preview_keys]))
        ctx.shown = {}
    r.measures = len(listed)
    r.indicators = sum(len(v) for v in seen_inds.values())
    data["sections"] = list(data.get("sections", [])) + list(ctx.new_sections.values())
    data["bureaus"] = list(data.get("bureaus", [])) + list(ctx.new_bureaus.values())
    # only the listed measures that change are written (the others stay as they are)
    data["measures"] = [by_code[c] for c in listed if _changed(by_code[c], originals.get(c))]
    for md in data["measures"]:
        if not md.get("owner"):
            r.error(
                None,
                "",
                f"施策「{md['code']}　{md.get('name', '')}」の所管課がありません。所管課の列を指定してください。",
            )
    return data


def _changed(md: dict[str, Any], old: dict[str, Any] | None) -> bool:
    """Whether the import would write anything for this measure (compared as the import reads it)."""
    if old is None:
        return True
    if (md.get("years") or {}) != (old.get("years") or {}) or md.get("attributes") != old.get("attributes"):
        return True
    try:
        return bool(_canon(md) != _canon(old))
    except DatasetError:
        return True


def _shown(row: list[Any], i: int) -> str:
    v = _cell(row, i)
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return str(v).replace("\n", " ")[:40]


def _tree_index(tree: list[dict[str, Any]]) -> dict[tuple[str, ...], dict[str, Any]]:
    out: dict[tuple[str, ...], dict[str, Any]] = {}

    def walk(items: list[dict[str, Any]], path: tuple[str, ...]) -> None:
        for n in items:
            p = (*path, _key(n["name"]))
            out[p] = n
            walk(n.setdefault("children", []), p)

    walk(tree, ())
    return out


def _section_code(ctx: _Ctx, text: str, rn: int, where: str, bureau: str | None) -> str | None:
    t = unicodedata.normalize("NFKC", text).strip()
    if t in ctx.sections_by_code:
        return t
    code = ctx.sections_by_name.get(_key(t))
    if code:
        return code
    # 「政策イノベーション部情報政策課」 for the known 「情報政策課」: the name with its bureau in front
    suffix = max(
        (n for n in ctx.sections_by_name if len(n) >= 3 and _key(t).endswith(n)), key=len, default=None
    )
    if suffix is not None:
        code = ctx.sections_by_name[suffix]
        ctx.sections_by_name[_key(t)] = code
        ctx.result.warn(rn, where, f"「{t}」を課所室「{suffix}」（{code}）として読みます。")
        return code
    code = f"K{_hash(t, 5)}"
    if code not in ctx.new_sections:
        entry: dict[str, Any] = {"code": code, "name": t}
        if bureau:
            entry["bureau"] = bureau
        ctx.new_sections[code] = entry
        ctx.sections_by_name[_key(t)] = code
        ctx.result.warn(rn, where, f"課所室「{t}」を新しく登録します（課所室コード {code}）。")
    return code


def _measure_cells(
    ctx: _Ctx,
    md: dict[str, Any],
    row: list[Any],
    rn: int,
    col: dict[str, int | None],
    node_cols: list[int],
    attr_cols: dict[int, str],
    tree_index: dict[tuple[str, ...], dict[str, Any]],
    data: dict[str, Any],
) -> None:
    r = ctx.result

    read = functools.partial(_read_cell, ctx, row, rn, col)

    bureau = None
    btext = read("bureau", C.read_text)
    if btext:
        bureau = next((b["code"] for b in data.get("bureaus", []) if _key(b["name"]) == _key(btext)), None)
        if bureau is None:
            bureau = f"B{_hash(btext, 5)}"
            ctx.new_bureaus.setdefault(bureau, {"code": bureau, "name": btext.strip()})
    stext = read("section", C.read_text)
    if stext:
        where = ctx.where(col["section"] or 0)
        names = [n.strip() for n in re.split(r"[、,，\n]+", stext) if n.strip()]
        codes = [c for c in (_section_code(ctx, n, rn, where, bureau) for n in names) if c]
        if codes:
            md["owner"] = codes[0]
            related = [c for c in codes[1:] if c != codes[0]]
            if related:
                md["related"] = list(dict.fromkeys(related))
            ctx.shown[col["section"] or 0] = "、".join(
                f"{n}（{c}）" for n, c in zip(names, codes, strict=False)
            )
    for key, target in (
        ("summary", "summary"),
        ("purpose", "purpose"),
        ("period", "period_label"),
        ("budget_item", "budget_item"),
    ):
        text = read(key, C.read_text)
        if text:
            md[target] = text
    leading = read("leading", C.read_bool)
    if leading is not None and col["leading"] is not None:
        md["leading"] = bool(leading)
    if node_cols:
        path: tuple[str, ...] = ()
        parent: list[dict[str, Any]] = data["tree"]
        for i in node_cols:
            raw = _cell(row, i)
            if raw is None:
                break
            text = C.read_text(raw)
            path = (*path, _key(text))
            node = tree_index.get(path)
            if node is None:
                node = {"code": f"T{_hash('/'.join(path), 6)}", "name": text.strip(), "children": []}
                parent.append(node)
                tree_index[path] = node
            parent = node.setdefault("children", [])
            md["node"] = node["code"]
    prev = str(ctx.survey - 1)
    for key in ("budget", "settlement", "fund_general", "personnel_cost"):
        amount = read(key, C.read_amount)
        ci = col[key]
        if amount is not None and ci is not None:
            header = ctx.header.texts[ci] if ci < len(ctx.header.texts) else ""
            cost_fy = _header_year(header) or _leading_year(header) or ctx.survey - 1
            md.setdefault("costs", {}).setdefault(str(cost_fy), {})[key] = amount
    stage = read("stage", C.read_stage)
    if stage:
        md.setdefault("years", {}).setdefault(prev, {})["stage"] = stage
    grade = read("grade", lambda raw: unicodedata.normalize("NFKC", str(raw)).strip().upper()[:1])
    if grade:
        if grade in _GRADES:
            md.setdefault("years", {}).setdefault(prev, {})["self_grade"] = grade
        else:
            r.error(
                rn,
                ctx.where(col["grade"] or 0),
                f"評価「{_cell(row, col['grade'])}」はA〜Dで入力してください。",
            )
    for i, label in attr_cols.items():
        raw = _cell(row, i)
        if raw is not None:
            md.setdefault("attributes", {})[ctx.attributes[label]] = C.read_text(raw)


def _indicator_cells(
    ctx: _Ctx,
    md: dict[str, Any],
    row: list[Any],
    rn: int,
    col: dict[str, int | None],
    year_cols: list[tuple[int, str, int]],
    seen: set[str],
) -> None:
    r = ctx.result
    iname_raw = _cell(row, col["indicator_name"])
    has_values = any(
        _cell(row, col[k]) is not None for k in ("baseline", "final_target", "actual", "reference")
    ) or any(_cell(row, i) is not None for _fy, _k, i in year_cols)
    if iname_raw is None:
        if has_values:
            r.error(
                rn,
                ctx.where(col["indicator_name"] or 0) if col["indicator_name"] is not None else "",
                "値がありますが指標名がありません。",
            )
        return
    iname = C.read_text(iname_raw)
    inds: list[dict[str, Any]] = md.setdefault("indicators", [])
    ind = next((x for x in inds if _key(x.get("name", "")) == _key(iname)), None)
    if ind is None:
        ind = {"code": str(_next_code(inds)), "name": iname}
        inds.append(ind)
    if ind["code"] in seen:
        r.error(
            rn,
            ctx.where(col["indicator_name"] or 0),
            f"施策「{md['code']}」に指標「{iname}」の行が2つあります。",
        )
        return
    seen.add(ind["code"])

    read = functools.partial(_read_cell, ctx, row, rn, col)

    unit = read("unit", C.read_text)
    if unit is not None:
        ind["unit"] = unit.strip()
    kind = read("indicator_kind", C.read_indicator_kind)
    if kind:
        ind["kind"] = kind
    elif col["indicator_kind"] is None and ctx.header.texts[col["indicator_name"] or 0].startswith("活動"):
        ind["kind"] = IndicatorKind.ACTIVITY.value
    direction = read("direction", C.read_direction)
    if direction:
        ind["direction"] = direction
    cumulative = read("cumulative", C.read_bool)
    if cumulative:
        ind["cumulative"] = True
    rationale = read("rationale", C.read_text)
    if rationale:
        ind["rationale"] = rationale
    note = read("indicator_note", C.read_text)
    if note:
        ind["note"] = note
    for key in ("baseline_fy", "final_target_fy"):
        y = read(key, C.read_year)
        if y:
            ind[key] = y
    vt = ind.get("value_type") or "numeric"
    unit_now = ind.get("unit", "")
    seen_q: list[Quantity] = []
    numbers = 0
    pending: list[
        tuple[Any, str, str, str, int | None, str, int]
    ] = []  # raw, role, where, slot, fy, message, column

    def value(raw: Any, role: str, i: int, slot: str, fy: int | None) -> str | None:
        where = ctx.where(i)
        nonlocal numbers
        if raw is None:
            return None
        try:
            v = C.read_value(raw, vt, role, unit_now, ind.get("decimals"), seen_q)
        except C.CellError as exc:
            if vt == "numeric" and isinstance(raw, str) and not any(ch.isdigit() for ch in raw):
                pending.append((raw, role, where, slot, fy, str(exc), i))  # 「移行完了」: maybe qualitative
            else:
                r.error(rn, where, str(exc))
            return None
        if v is not None and v != "—":
            numbers += 1
        return v

    def put(slot: str, fy: int | None, role: str, v: str, i: int) -> None:
        if fy is None:
            ind[slot] = v
        else:
            values.setdefault(str(fy), {})[role] = v
        r.values += 1
        ctx.shown[i] = Value.from_storage(v, ind.get("value_type") or "numeric").display()

    values = ind.setdefault("values", {})
    for key in ("baseline", "final_target"):
        i = col[key]
        if i is not None:
            raw = _cell(row, i)
            v = value(raw, "target", i, key, None)
            if v is not None:
                put(key, None, "target", v, i)
                year = _year_after(raw) or _header_year(
                    ctx.header.texts[i] if i < len(ctx.header.texts) else ""
                )
                if year and not ind.get(f"{key}_fy"):
                    ind[f"{key}_fy"] = year
    actual_cols = list(year_cols)
    for key in ("actual", "reference"):
        i = col[key]
        if i is not None:
            actual_cols.append((ctx.survey - 1, key, i))
    for fy, role, i in actual_cols:
        raw = _cell(row, i)
        if raw is None:
            continue
        if role == "actual" and fy >= ctx.survey:
            continue  # the column was reported once (注意): sections enter these
        if role == "reference":
            try:
                v = C.read_value(raw, "numeric", "target", "", None, [])
            except C.CellError as exc:
                r.error(rn, ctx.where(i), str(exc))
                continue
        else:
            v = value(raw, role, i, role, fy)
        if v is not None:
            put(role, fy, role, v, i)
    if pending and (numbers or vt != "numeric"):
        for _raw, _role, where, _slot, _fy, message, _i in pending:
            r.error(rn, where, message)
    elif pending:
        ind["value_type"] = "qualitative"
        for raw, role, where, slot, p_fy, _message, pi in pending:
            try:
                v = C.read_value(raw, "qualitative", role, "", None)
            except C.CellError as exc:
                r.error(rn, where, str(exc))
                continue
            if v is not None:
                put(slot if p_fy is None else role, p_fy, role, v, pi)
        r.warn(
            rn,
            ctx.where(col["indicator_name"] or 0),
            f"指標「{iname}」は値が文章のため、定性的な指標（目標は文章、実績は達成・未達成）として読み込みます。",
        )
    if seen_q:
        new_unit, cum, notes = C.quantity_notes(seen_q, unit_now, bool(ind.get("cumulative")))
        ind["unit"], ind["cumulative"] = new_unit, cum
        for note in notes:
            r.warn(rn, ctx.where(col["indicator_name"] or 0), note)
    if col["unit"] is not None:
        ctx.shown[col["unit"]] = (ind.get("unit") or "") + ("（累計）" if ind.get("cumulative") else "")


_HEADER_YEAR = re.compile(
    r"[(（]((?:R|H|令和|平成)(?:\d{1,2}|元)(?:年度|年)?|(?:19|20)\d\d(?:年度|年)?)(?:末)?[)）]"
)


def _header_year(text: str) -> int | None:
    """The year of a header such as 「現状（R5）」."""
    m = _HEADER_YEAR.search(unicodedata.normalize("NFKC", text))
    try:
        return parse_fiscal_year(m.group(1)) if m else None
    except (FiscalYearError, ValueError):
        return None


def _leading_year(text: str) -> int | None:
    """The year of a header such as 「R6決算額」「令和6年度 予算額」."""
    m = re.match(
        r"((?:R|H|令和|平成)(?:\d{1,2}|元)(?:年度|年)?|(?:19|20)\d\d(?:年度)?)",
        unicodedata.normalize("NFKC", text),
    )
    try:
        return parse_fiscal_year(m.group(1)) if m else None
    except (FiscalYearError, ValueError):
        return None


def _year_after(raw: Any) -> int | None:
    """The year of 「16団体(R7)」."""
    if not isinstance(raw, str):
        return None
    try:
        q = read_quantity(raw)
        return parse_fiscal_year(q.year) if q.year else None
    except (QuantityError, FiscalYearError, ValueError):
        return None


def _next_code(inds: list[dict[str, Any]]) -> int:
    used = {str(x.get("code")) for x in inds}
    n = len(inds) + 1
    while str(n) in used:
        n += 1
    return n
