"""What a plan's settings say about its printed sheet: labels, indicator rows, years shown.

Most of the printed form follows settings that already exist (``sheet_title``, ``sheet_parts`` /
``parts_by_kind``, ``text_fields``, ``perspectives``, ``direction_options``, ``measure_attributes``,
``display_years``, ``cost_unit``, ``charts``). Two print settings were added for the seed formats
(docs/plan-settings.md):

- ``print_labels``: the words a format prints for a measure field or a part heading (Tsukuba's
  「予算科目」 is Akita's 「関連事業名」; Nagasaki's 「目標値①」 is Sasebo's 「予定」). An empty label
  hides the field. Keys and defaults: :data:`DEFAULT_LABELS`.
- ``indicator_rows``: which rows the indicator table has, of ``target``, ``actual``, ``rate``
  (Tsukuba prints 目標値 and 実績 only; a prefecture prints 達成率 as well).
- ``basic_fields``: the 基本情報 rows the format has, of :data:`BASIC_FIELDS`: each is always printed
  (an empty box when empty, so the form keeps its shape) and the others never are. Without it a row
  prints when it has a value or the plan names it in ``print_labels``.
- ``cost_year_labels``: ``{"actual": "{year}実績", "plan": "{year}計画"}`` where a format heads its
  事業費 columns by what they hold (Nagasaki's R元実績 / R2実績 / R3計画): the years up to the sheet's
  show the 決算額, the years after it the 予算額, in one row labelled as ``settlement``.
- ``indicator_years``: ``"entered"`` where a format prints per indicator only the years it has figures
  for (Nagasaki's 事業 indicators: the evaluated year), instead of every display year.
- ``rate_decimals``: the decimals of a printed 達成率 (1 unless the format prints 240%, then 0).
- ``part_tags``: a tag printed after a part's heading (Shizuoka's PDCA steps: 「内容　［PLAN/DO］」,
  「効果・課題等　［CHECK］」).
- ``sheet_title_by_kind``: a title per measure kind, where one plan prints different forms (Shizuoka's
  様式① for 重点項目 and 様式② for systems); other kinds keep ``sheet_title``.

- ``basic_fields_by_kind``: ``basic_fields`` for a measure kind whose form has other rows (Nagasaki's
  事業群 sheet has 事業期間 but not the 事業's ○ for 中核事業; its 中核事業 box names the group's core 事業).
- ``landscape_kinds``: the measure kinds whose sheets print on A4 landscape (Sasebo's 課題 KPI sheet,
  whose table has 予定/実績 for R3–R9 beside 算出式・設定根拠 and 進捗状況・評価).
- ``kpi_table_kinds``: the measure kinds whose 指標 part prints as one table with every indicator in
  it (:mod:`dxdesk.report.kpi_table`) instead of a block per indicator.
- ``legends``: fixed explanations a format prints on its sheets (Nagasaki's 【事業構築の視点】 ①–⑩,
  Sasebo's status legend 実施済 / 当年度実施 / 今後予定 / 検討): ``title``, ``items`` as
  ``[mark, text]`` pairs, optional ``kinds`` and ``key``; printed by the ``legend`` part.

They are read from the plan's stored overrides (``PlanSettings.raw``) so that the settings module
needs no change; unknown values are reported in Japanese.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dxdesk.domain.enums import GradingRule
from dxdesk.domain.fields import COST_NUMBER_FIELDS
from dxdesk.domain.fiscal import FiscalYear, fy_label
from dxdesk.domain.settings import SHEET_PARTS, PlanSettings
from dxdesk.report.errors import PrintError
from dxdesk.report.pages import CONTENT_WIDTH, LANDSCAPE_CONTENT_WIDTH

__all__ = [
    "BASIC_FIELDS",
    "DEFAULT_LABELS",
    "INDICATOR_ROWS",
    "SDG_NAMES",
    "Legend",
    "PrintOptions",
    "year_short",
]


def year_short(fy: int) -> str:
    """「R8」, with 元 for the first year of an era as printed sheets write it (「R元」, 「H元」)."""
    f = FiscalYear(fy)
    return f"{f.era.initial}{'元' if f.era_year == 1 else f.era_year}"


INDICATOR_ROWS = ("target", "actual", "rate")
BASIC_FIELDS = ("related", "budget_item", "period", "legal_basis", "sdgs", "leading")

DEFAULT_LABELS: dict[str, str] = {
    # 基本情報
    "name": "{kind}名",
    "tree": "計画体系",
    "owner": "担当課",
    "related": "関連課所室",
    "budget_item": "予算科目",
    "legal_basis": "根拠法令等",
    "period": "事業期間",
    "sdgs": "SDGs",
    "leading": "重点事業",
    # 事業の概要
    "target_group": "対象",
    "purpose": "目的",
    "summary": "概要（取組内容）",
    # 指標
    "indicator": "指標名",
    "target": "目標値",
    "actual": "実績",
    "rate": "達成率",
    "baseline": "基準値",
    "final_target": "最終目標",
    "rationale": "算出式・設定根拠",
    "indicator_note": "指標の概要",
    "kind.activity": "活動指標",
    "kind.outcome": "成果指標",
    "value_note": "進捗状況",
    "chart": "指標の推移（グラフ）",
    # 事業費
    **COST_NUMBER_FIELDS,
    "part_time_staff": "会計年度任用職員の有無",
    "execution_note": "執行状況の説明",
    "cost_items": "事業費の内訳",
    # 評価
    "stage": "ライフサイクル",
    # how the stage is managed, printed after it: 「段階2（拡大期）（KPIによる評価）」; a plan names it
    # its own way (Akita: 評価指標管理対象 / スケジュール管理対象)
    "rule.kpi": GradingRule.KPI.label,
    "rule.schedule": GradingRule.SCHEDULE.label,
    "rule.not_evaluated": GradingRule.NOT_EVALUATED.label,
    "grade": "自己評価",
    "suggested": "算出した評価",
    "override": "評価を変更した理由",
    "direction": "方向性",
    "direction_reason": "理由",
    "roadmap_mark": "実施年度",
    "roadmap_status": "状況",
    "status.done": "実施済",
    "status.current": "当年度実施",
    "status.planned": "今後予定",
    "status.considering": "検討",
    # 署名欄
    "author": "作成者",
    "chief": "所属長確認",
}
# Part headings: key "part.<part>" (e.g. "part.basic": 「事業の基本情報」).
for _part, _heading in SHEET_PARTS.items():
    DEFAULT_LABELS[f"part.{_part}"] = _heading

SDG_NAMES = {
    1: "貧困をなくそう",
    2: "飢餓をゼロに",
    3: "すべての人に健康と福祉を",
    4: "質の高い教育をみんなに",
    5: "ジェンダー平等を実現しよう",
    6: "安全な水とトイレを世界中に",
    7: "エネルギーをみんなに そしてクリーンに",
    8: "働きがいも経済成長も",
    9: "産業と技術革新の基盤をつくろう",
    10: "人や国の不平等をなくそう",
    11: "住み続けられるまちづくりを",
    12: "つくる責任 つかう責任",
    13: "気候変動に具体的な対策を",
    14: "海の豊かさを守ろう",
    15: "陸の豊かさも守ろう",
    16: "平和と公正をすべての人に",
    17: "パートナーシップで目標を達成しよう",
}


def _indicator_years(value: object) -> bool:
    if value is None or value == "all":
        return False
    if value == "entered":
        return True
    raise PrintError(
        "計画の設定「indicator_years」は all（表示年度すべて）か entered（値のある年度）で指定してください。"
    )


@dataclass(frozen=True)
class Legend:
    """A fixed explanation printed on a format's sheets: a title and (mark, text) items."""

    title: str
    items: tuple[tuple[str, str], ...]
    kinds: tuple[str, ...] | None = None  # the measure kinds it is printed on (None: all)
    key: str = ""  # names it for a part that looks marks up (``items``: the 取組項目 numerals)

    def applies_to(self, kind: str) -> bool:
        return self.kinds is None or kind in self.kinds


_LEGENDS_MESSAGE = "計画の設定「legends」は、title（見出し）と items（[記号, 説明] の一覧）を持つ項目の一覧で指定してください。"


def _legends(value: object) -> tuple[Legend, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        raise PrintError(_LEGENDS_MESSAGE)
    out = []
    for entry in value:
        if not isinstance(entry, Mapping) or not isinstance(entry.get("title"), str):
            raise PrintError(_LEGENDS_MESSAGE)
        items = entry.get("items")
        if not isinstance(items, list) or not all(
            isinstance(i, list) and len(i) == 2 and all(isinstance(x, str) for x in i) for i in items
        ):
            raise PrintError(_LEGENDS_MESSAGE)
        kinds = entry.get("kinds")
        if kinds is not None and not (isinstance(kinds, list) and all(isinstance(k, str) for k in kinds)):
            raise PrintError(_LEGENDS_MESSAGE)
        out.append(
            Legend(
                title=entry["title"],
                items=tuple((i[0], i[1]) for i in items),
                kinds=tuple(kinds) if kinds is not None else None,
                key=str(entry.get("key") or ""),
            )
        )
    return tuple(out)


def _kinds(raw: Mapping[str, Any], key: str, what: str) -> frozenset[str]:
    value = raw.get(key)
    if value is None:
        return frozenset()
    if not isinstance(value, list) or not all(isinstance(k, str) for k in value):
        raise PrintError(f"計画の設定「{key}」は{what}施策の種別の一覧で指定してください。")
    return frozenset(value)


@dataclass(frozen=True)
class PrintOptions:
    settings: PlanSettings
    labels: Mapping[str, str]
    indicator_rows: tuple[str, ...]
    titles_by_kind: Mapping[str, str]
    rate_decimals: int = 1
    basic_fields: tuple[str, ...] | None = None
    cost_year_labels: tuple[str, str] | None = None  # (up to the sheet's year, after it)
    entered_years_only: bool = False
    basic_fields_by_kind: Mapping[str, tuple[str, ...]] | None = None
    landscape_kinds: frozenset[str] = frozenset()
    kpi_table_kinds: frozenset[str] = frozenset()
    legends: tuple[Legend, ...] = ()

    @classmethod
    def of(cls, settings: PlanSettings) -> PrintOptions:
        raw: Mapping[str, Any] = settings.raw
        labels = dict(DEFAULT_LABELS)
        custom = raw.get("print_labels") or {}
        if not isinstance(custom, Mapping):
            raise PrintError("計画の設定「print_labels」は「項目: 表示名」の形で指定してください。")
        unknown = [k for k in custom if k not in DEFAULT_LABELS]
        if unknown:
            raise PrintError(
                f"計画の設定「print_labels」に不明な項目があります：{', '.join(map(str, unknown))}"
            )
        labels.update({str(k): str(v) for k, v in custom.items()})
        rows = tuple(raw.get("indicator_rows") or INDICATOR_ROWS)
        bad = [r for r in rows if r not in INDICATOR_ROWS]
        if bad:
            raise PrintError(
                f"計画の設定「indicator_rows」に不明な行があります：{', '.join(map(str, bad))}（target / actual / rate）"
            )
        titles = raw.get("sheet_title_by_kind") or {}
        if not isinstance(titles, Mapping):
            raise PrintError("計画の設定「sheet_title_by_kind」は「種別: 表題」の形で指定してください。")
        rate_decimals = raw.get("rate_decimals", 1)
        if (
            not isinstance(rate_decimals, int)
            or isinstance(rate_decimals, bool)
            or not 0 <= rate_decimals <= 3
        ):
            raise PrintError("計画の設定「rate_decimals」は 0〜3 の整数で指定してください。")
        basic = raw.get("basic_fields")
        if basic is not None:
            if not isinstance(basic, list) or any(k not in BASIC_FIELDS for k in basic):
                raise PrintError(
                    f"計画の設定「basic_fields」は次の項目の一覧で指定してください：{', '.join(BASIC_FIELDS)}"
                )
            basic = tuple(str(k) for k in basic)
        by_kind = raw.get("basic_fields_by_kind")
        if by_kind is not None:
            if not isinstance(by_kind, Mapping) or any(
                not isinstance(v, list) or any(k not in BASIC_FIELDS for k in v) for v in by_kind.values()
            ):
                raise PrintError(
                    "計画の設定「basic_fields_by_kind」は「種別: 項目の一覧」の形で指定してください"
                    f"（項目：{', '.join(BASIC_FIELDS)}）。"
                )
            by_kind = {str(k): tuple(str(x) for x in v) for k, v in by_kind.items()}
        year_labels = raw.get("cost_year_labels")
        cost_year_labels: tuple[str, str] | None = None
        if year_labels is not None:
            if not (
                isinstance(year_labels, Mapping)
                and set(year_labels) == {"actual", "plan"}
                and all(isinstance(v, str) and v for v in year_labels.values())
            ):
                raise PrintError(
                    "計画の設定「cost_year_labels」は actual と plan の表示名で指定してください"
                    '（例：{"actual": "{year}実績", "plan": "{year}計画"}）。'
                )
            cost_year_labels = (str(year_labels["actual"]), str(year_labels["plan"]))
        return cls(
            settings=settings,
            labels=labels,
            indicator_rows=rows,
            titles_by_kind={str(k): str(v) for k, v in titles.items()},
            rate_decimals=rate_decimals,
            basic_fields=basic,
            basic_fields_by_kind=by_kind,
            cost_year_labels=cost_year_labels,
            entered_years_only=_indicator_years(raw.get("indicator_years")),
            landscape_kinds=_kinds(raw, "landscape_kinds", "横向きに印刷する"),
            kpi_table_kinds=_kinds(raw, "kpi_table_kinds", "指標を1つのKPI表に印刷する"),
            legends=_legends(raw.get("legends")),
        )

    def landscape(self, kind: str | None) -> bool:
        """Whether a sheet of this measure kind prints on A4 landscape."""
        return kind is not None and kind in self.landscape_kinds

    def kpi_table(self, kind: str | None) -> bool:
        """Whether the 指標 part of this measure kind prints as one multi-row KPI table."""
        return kind is not None and kind in self.kpi_table_kinds

    def content_width(self, kind: str | None) -> float:
        """The width between the margins of a sheet of this measure kind."""
        return LANDSCAPE_CONTENT_WIDTH if self.landscape(kind) else CONTENT_WIDTH

    def label(self, key: str, **fmt: str) -> str:
        text = self.labels.get(key, key)
        return text.format(**fmt) if fmt and "{" in text else text

    def shown(self, key: str) -> bool:
        return self.labels.get(key, key) != ""

    def indicator_kind(self, kind: str) -> str:
        """「活動指標」「成果指標」 in the format's words (Tsukuba's 「活動結果指標」)."""
        return self.label(f"kind.{kind}")

    def basic_row(self, key: str, value: str, kind: str | None = None) -> bool:
        """Whether a 基本情報 row prints: the format's rows always (``basic_fields``, or
        ``basic_fields_by_kind`` for a measure kind with a form of its own), others never; without
        the setting, when it has a value or the plan names it."""
        if not self.shown(key):
            return False
        if self.basic_fields_by_kind is not None and kind is not None and kind in self.basic_fields_by_kind:
            return key in self.basic_fields_by_kind[kind]
        if self.basic_fields is not None:
            return key in self.basic_fields
        custom = self.settings.raw.get("print_labels") or {}
        return bool(value) or key in custom

    def attributes_for(self, kind: str) -> list[tuple[str, str]]:
        """The plan's measure attributes (key, label) for a measure kind: an attribute may name the
        ``kinds`` it belongs to (Shizuoka's 構成・導入年度 only on 様式②)."""
        raw = self.settings.raw.get("measure_attributes")
        kinds: dict[str, list[str]] = {}
        if isinstance(raw, list):
            for a in raw:
                if isinstance(a, Mapping) and isinstance(a.get("kinds"), list):
                    kinds[str(a.get("key"))] = [str(k) for k in a["kinds"]]
        return [
            (k, label) for k, label in self.settings.measure_attributes if k not in kinds or kind in kinds[k]
        ]

    def part_heading(self, part: str) -> str:
        """The part's heading, with the plan's tag for it (``part_tags``: 「内容　［PLAN/DO］」)."""
        heading = self.labels.get(f"part.{part}", SHEET_PARTS.get(part, part))
        tags = self.settings.raw.get("part_tags") or {}
        tag = tags.get(part) if isinstance(tags, Mapping) else None
        return f"{heading}　［{tag}］" if tag else heading

    def sheet_title(self, fy: int, kind: str | None = None) -> str:
        title = self.titles_by_kind.get(kind or "", self.settings.sheet_title)
        return title.replace("{fy}", fy_label(fy)).replace("{year}", year_short(fy))

    def indicator_years(self, fy: int, period: tuple[int | None, int | None]) -> list[int]:
        """Fiscal years of the indicator table: the plan period when it fits ``display_years``,
        else ``display_years`` years ending the year after the sheet's year (the published sheets
        show the next year's target)."""
        n = max(1, self.settings.display_years)
        start, end = period
        if start is not None and end is not None and 0 < end - start + 1 <= n and start <= fy <= end:
            return list(range(start, end + 1))
        last = fy + 1
        if end is not None and start is not None and start <= fy <= end:
            last = min(last, end)
        return list(range(last - n + 1, last + 1))

    def cost_years(self, fy: int, have: set[int]) -> list[int]:
        """Years of the 事業費 table: two before to two after the sheet's year, where any is entered."""
        window = [y for y in range(fy - 2, fy + 3)]
        if not have & set(window):
            return []
        lo = min(min(have & set(window)), fy)
        hi = max(max(have & set(window)), fy)
        return list(range(lo, hi + 1))
