"""The plan master workbook's layout: sheet names, columns, headers, help texts and cell kinds.

One table read by the template writer, the importer and the tests (which check that
docs/plan-master.md names every column), so the three never disagree. Columns are found by their
header text when a file is read, so people may reorder columns or add their own notes columns
(reported as 注意 and ignored); headers marked （参考） are written for reading and ignored on import.
"""

from __future__ import annotations

from dataclasses import dataclass

from dxdesk.domain.enums import EvaluationScheme, IndicatorKind, MilestoneStatus, Stage
from dxdesk.domain.fiscal import fy_short
from dxdesk.report.options import BASIC_FIELDS, DEFAULT_LABELS
from dxdesk.store.models import Bureau, Indicator, Measure, Plan, PlanNode, Section

__all__ = [
    "ACTUAL_SUFFIX",
    "BASIC_FIELD_WORDS",
    "BOOL_FALSE",
    "BOOL_TRUE",
    "COST_COLUMNS",
    "DIRECTION_WORDS",
    "INDICATOR_CHECKS",
    "INDICATOR_YEARS_WORDS",
    "NOT_SET",
    "PLAN_ITEMS",
    "PRINT_DEFAULTS",
    "REFERENCE_SUFFIX",
    "SHEETS",
    "SHEET_ACTUALS",
    "SHEET_ATTRIBUTES",
    "SHEET_BUREAUS",
    "SHEET_COVER",
    "SHEET_INDICATORS",
    "SHEET_KINDS",
    "SHEET_MEASURES",
    "SHEET_MILESTONES",
    "SHEET_PLAN",
    "SHEET_SECTIONS",
    "SHEET_TREE",
    "SHEET_YEARS",
    "TARGET_SUFFIX",
    "VALUE_TYPE_WORDS",
    "YEAR_PLACEHOLDER",
    "Column",
    "PlanItem",
    "SheetSpec",
    "actual_header",
    "reference_header",
    "target_header",
]

SHEET_COVER = "説明"
SHEET_PLAN = "基本設定"
SHEET_KINDS = "種別"
SHEET_ATTRIBUTES = "属性"
SHEET_BUREAUS = "部局"
SHEET_SECTIONS = "課所室"
SHEET_TREE = "計画体系"
SHEET_MEASURES = "施策"
SHEET_INDICATORS = "指標"
SHEET_ACTUALS = "過去の実績"
SHEET_MILESTONES = "マイルストーン"
SHEET_YEARS = "年度別"

TARGET_SUFFIX = "目標"
ACTUAL_SUFFIX = "実績"
REFERENCE_SUFFIX = "参考値"

BOOL_TRUE = frozenset(
    {"○", "〇", "◯", "●", "はい", "有", "あり", "1", "TRUE", "true", "True", "Y", "y", "yes"}
)
BOOL_FALSE = frozenset(
    {"", "×", "✕", "いいえ", "無", "なし", "0", "FALSE", "false", "False", "N", "n", "no", "-", "—"}
)
DIRECTION_WORDS = {"up": "増加", "down": "減少", "keep": "維持"}
# the print settings of the 基本設定 sheet (docs/plan-settings.md)
NOT_SET = "なし"  # a print setting's row: the setting is not used (the printed form's own default)
INDICATOR_YEARS_WORDS = {"all": "表示年度すべて", "entered": "値のある年度だけ"}
BASIC_FIELD_WORDS = {k: DEFAULT_LABELS[k] for k in BASIC_FIELDS}  # related → 関連課所室 …
YEAR_PLACEHOLDER = "{year}"
PRINT_DEFAULTS = {"rate_decimals": 1, "indicator_years": "all"}  # what a plan that does not set them prints
VALUE_TYPE_WORDS = {"numeric": "数値", "qualitative": "定性"}


def target_header(fy: int) -> str:
    """「R8目標」: the header of an indicator's target column for a fiscal year."""
    return f"{fy_short(fy)}{TARGET_SUFFIX}"


def reference_header(fy: int) -> str:
    """「R6参考値」: the header of a past 参考値 column."""
    return f"{fy_short(fy)}{REFERENCE_SUFFIX}"


def actual_header(fy: int) -> str:
    """「R7実績」: the header of a past actual column."""
    return f"{fy_short(fy)}{ACTUAL_SUFFIX}"


def _length(column: object) -> int | None:
    """The length of a String column of the schema (PostgreSQL enforces it; we check it first)."""
    return getattr(getattr(column, "type", None), "length", None)


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    kind: str  # code | text | year | month | int | bool | enum | value | number | codes | sdgs | ref
    required: bool = False
    width: float = 12
    help: str = ""
    choices: tuple[str, ...] = ()  # a drop-down list in the template
    list_from: str | None = None  # a drop-down list from another sheet's column, e.g. "課所室!A"
    max_len: int | None = None

    @property
    def is_reference(self) -> bool:
        return self.kind == "ref"


@dataclass(frozen=True)
class SheetSpec:
    name: str
    purpose: str  # one line for the cover sheet
    columns: tuple[Column, ...]
    freeze: str = "A2"
    dynamic: str = ""  # attributes | targets | actuals: columns beyond the fixed ones

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


@dataclass(frozen=True)
class PlanItem:
    """A row of the 基本設定 sheet (項目 / 値 / 説明)."""

    key: str
    label: str
    kind: str  # text | year | enum | bool | names | json | one of the print settings' keys
    required: bool = False
    help: str = ""
    choices: tuple[str, ...] = ()
    max_len: int | None = None


YEAR_HELP = "「R8」「令和8年度」「2026」のどれでも入力できます。"

PLAN_ITEMS: tuple[PlanItem, ...] = (
    PlanItem(
        "code",
        "計画コード",
        "text",
        True,
        "計画を区別する記号（半角英数字）。読み込むたびに同じコードを使います。",
        max_len=_length(Plan.code),
    ),
    PlanItem("name", "計画名", "text", True, "例：デモ市DX推進計画", max_len=_length(Plan.name)),
    PlanItem("municipality", "自治体名", "text", False, "例：デモ市", max_len=_length(Plan.municipality)),
    PlanItem("version_label", "版", "text", False, "例：第2.1版", max_len=_length(Plan.version_label)),
    PlanItem("period_start_fy", "計画期間の開始年度", "year", False, YEAR_HELP),
    PlanItem("period_end_fy", "計画期間の終了年度", "year", False, YEAR_HELP),
    PlanItem("current_fy", "調査年度", "year", True, "各課が実績を入力する年度。" + YEAR_HELP),
    PlanItem(
        "level_names",
        "計画体系の階層名",
        "names",
        False,
        "上の階層から「、」で区切って入力します（例：分野、重点課題、施策）。",
    ),
    PlanItem(
        "evaluation_scheme",
        "評価方式",
        "enum",
        False,
        "シートの評価の付け方。",
        tuple(s.label for s in EvaluationScheme),
    ),
    PlanItem(
        "yearly_targets",
        "年度別の目標値",
        "bool",
        False,
        "年度ごとに目標値を設定する計画は「あり」。",
        ("あり", "なし"),
    ),
    PlanItem("cost_unit", "事業費の単位", "text", False, "例：千円"),
    PlanItem(
        "rate_decimals",
        "達成率の小数点以下の桁数",
        "rate_decimals",
        False,
        "印刷する達成率の小数点以下の桁数（0〜3）。「240%」と印刷する様式は0、「33.4%」は1。空欄のときは今の設定のままです。",
    ),
    PlanItem(
        "indicator_years",
        "指標表の年度",
        "indicator_years",
        False,
        "印刷する指標の表に並べる年度。「値のある年度だけ」は、指標ごとに値のある年度（と調査年度）だけを印刷します。空欄のときは今の設定のままです。",
        tuple(INDICATOR_YEARS_WORDS.values()),
    ),
    PlanItem(
        "basic_fields",
        "基本情報に必ず印刷する項目",
        "basic_fields",
        False,
        f"様式にある行を「、」で区切って入力します（{'、'.join(BASIC_FIELD_WORDS.values())}）。"
        f"書いた行は空欄でも枠を印刷し、書かない行は印刷しません。「{NOT_SET}」は記入のある行だけを印刷します。空欄のときは今の設定のままです。",
    ),
    PlanItem(
        "cost_year_labels",
        "事業費の列見出し",
        "cost_year_labels",
        False,
        "事業費を「R2実績」「R3計画」のように見出す様式は「{year}実績、{year}計画」（決算の年度、予算の年度の順。"
        f"{{year}} が年度になります）。「{NOT_SET}」は年度を見出しにして予算額と決算額の行を印刷します。"
        "空欄のときは今の設定のままです。",
    ),
    PlanItem(
        "other_settings",
        "その他の設定（JSON）",
        "json",
        False,
        "記述欄・方向性の選択肢・シートの構成など（docs/plan-settings.md）。空欄のときは今の設定のままです。",
    ),
)

_KIND_CHOICES = tuple(k.label for k in IndicatorKind)
_STATUS_CHOICES = tuple(s.label for s in MilestoneStatus)
_STAGE_CHOICES = tuple(s.label for s in Stage)
# the 年度別 sheet's amounts: dataset cost field → header (in the plan's 事業費の単位)
COST_COLUMNS = (
    ("budget", "予算額"),
    ("settlement", "決算額"),
    ("fund_national", "国庫支出金"),
    ("fund_prefecture", "県支出金"),
    ("fund_bonds", "市債"),
    ("fund_other", "その他特定財源"),
    ("fund_general", "一般財源"),
    ("personnel_cost", "人件費"),
)
_BOOL = ("○",)

# the 指標 sheet's columns of the central office's checks, kept on the indicator beside the plan
INDICATOR_CHECKS = ("kind_confirmed", "plausible_min", "plausible_max")
# the first columns of the sheets whose rows belong to a measure (指標・過去の実績・マイルストーン・年度別)
_MEASURE = Column("measure", "施策コード", "code", True, 14, "", list_from=f"{SHEET_MEASURES}!A", max_len=80)
_MEASURE_NAME = Column("measure_name", "施策名（参考）", "ref", False, 24, "読み込みでは使いません。")

SHEETS: tuple[SheetSpec, ...] = (
    SheetSpec(
        SHEET_KINDS,
        "施策の種別（施策・事務事業など）。種別ごとにシートの構成を変えられます。",
        (
            Column("key", "種別コード", "code", True, 14, "半角英数字（例：measure、jimu）。", max_len=40),
            Column(
                "label",
                "種別名",
                "text",
                True,
                20,
                "シートに表示する名前（例：施策、事務事業）。",
                max_len=40,
            ),
        ),
    ),
    SheetSpec(
        SHEET_ATTRIBUTES,
        "施策に付ける計画独自の項目（市長公約、事業分類など）。施策シートに同じ名前の列を作ります。",
        (
            Column("key", "属性コード", "code", True, 16, "半角英数字（例：pledge）。", max_len=40),
            Column("label", "属性名", "text", True, 20, "施策シートの列見出しになります。", max_len=40),
            Column(
                "kinds",
                "対象の種別",
                "codes",
                False,
                24,
                "この属性を使う種別のコード（「、」区切り）。空欄はすべての種別。",
            ),
        ),
    ),
    SheetSpec(
        SHEET_BUREAUS,
        "部局の一覧。組織改正で名前が変わったときは、同じコードで有効開始年度の違う行を追加します。",
        (
            Column("code", "部局コード", "code", True, 12, "", max_len=_length(Bureau.code)),
            Column("name", "部局名", "text", True, 24, "", max_len=_length(Bureau.name)),
            Column(
                "valid_from_fy", "有効開始年度", "year", False, 14, "空欄は「ずっと前から」。" + YEAR_HELP
            ),
            Column("valid_to_fy", "有効終了年度", "year", False, 14, "空欄は「今も有効」。"),
        ),
    ),
    SheetSpec(
        SHEET_SECTIONS,
        "課所室の一覧。配布ファイルは課所室ごとに作られます。",
        (
            Column("code", "課所室コード", "code", True, 14, "", max_len=_length(Section.code)),
            Column("name", "課所室名", "text", True, 24, "", max_len=_length(Section.name)),
            Column(
                "bureau",
                "部局コード",
                "code",
                False,
                12,
                "部局シートのコード。",
                list_from=f"{SHEET_BUREAUS}!A",
                max_len=40,
            ),
            Column(
                "valid_from_fy", "有効開始年度", "year", False, 14, "空欄は「ずっと前から」。" + YEAR_HELP
            ),
            Column("valid_to_fy", "有効終了年度", "year", False, 14, "空欄は「今も有効」。"),
        ),
    ),
    SheetSpec(
        SHEET_TREE,
        "計画体系（分野 → 重点課題 → …）。上位コードで親子をつなぎます。上の行ほど先に表示されます。",
        (
            Column(
                "code", "体系コード", "code", True, 14, "例：1、1-1、1-1-1", max_len=_length(PlanNode.code)
            ),
            Column("name", "名称", "text", True, 40, "", max_len=_length(PlanNode.name)),
            Column(
                "parent",
                "上位コード",
                "code",
                False,
                12,
                "一番上の階層は空欄。",
                max_len=_length(PlanNode.code),
            ),
            Column(
                "level", "階層", "text", False, 12, "確認用。入力するときは基本設定の階層名と一致させます。"
            ),
            Column("description", "説明", "text", False, 50, "目指す姿など。"),
        ),
        freeze="C2",
    ),
    SheetSpec(
        SHEET_MEASURES,
        "施策（事業・取組）の一覧。施策コードで既存の施策と照合し、新しいコードは追加します。",
        (
            Column(
                "code",
                "施策コード",
                "code",
                True,
                14,
                "施策を区別するコード。変えると別の施策として扱われます。",
                max_len=_length(Measure.code),
            ),
            Column("name", "施策名", "text", True, 40, "", max_len=_length(Measure.name)),
            Column(
                "node",
                "体系コード",
                "code",
                False,
                12,
                "計画体系シートのコード。",
                list_from=f"{SHEET_TREE}!A",
                max_len=80,
            ),
            Column(
                "kind",
                "種別",
                "enum",
                False,
                12,
                "種別シートの種別名（空欄は最初の種別）。",
                list_from=f"{SHEET_KINDS}!B",
            ),
            Column(
                "owner",
                "担当課コード",
                "code",
                True,
                14,
                "課所室シートのコード。",
                list_from=f"{SHEET_SECTIONS}!A",
                max_len=40,
            ),
            Column("related", "関連課コード", "codes", False, 18, "複数のときは「、」で区切ります。"),
            Column(
                "purpose",
                "目的",
                "text",
                False,
                30,
                "課が入力できる設定の項目は、空欄のとき今の内容を残します。",
            ),
            Column("summary", "概要（取組内容）", "text", False, 40),
            Column("target_group", "対象", "text", False, 16),
            Column("budget_item", "予算科目", "text", False, 24, "", max_len=_length(Measure.budget_item)),
            Column("legal_basis", "根拠法令等", "text", False, 20),
            Column("sdgs", "SDGs", "sdgs", False, 12, "ゴールの番号（1〜17）を「、」で区切ります。"),
            Column("start_fy", "開始年度", "year", False, 10, YEAR_HELP),
            Column("end_fy", "終了年度", "year", False, 10),
            Column(
                "period_label",
                "事業期間（表示）",
                "text",
                False,
                14,
                "シートに表示する事業期間（例：毎年度、R2-7）。",
                max_len=_length(Measure.period_label),
            ),
            Column("leading", "重点", "bool", False, 8, "重点事業・リーディング事業は「○」。", choices=_BOOL),
        ),
        freeze="C2",
        dynamic="attributes",
    ),
    SheetSpec(
        SHEET_INDICATORS,
        "指標。施策コードと指標コードで照合します。右側の「R8目標」のような列に年度別の目標値を入れます。",
        (
            Column(
                "measure",
                "施策コード",
                "code",
                True,
                14,
                "施策シートのコード。",
                list_from=f"{SHEET_MEASURES}!A",
                max_len=80,
            ),
            Column(
                "code",
                "指標コード",
                "code",
                False,
                10,
                "施策の中で指標を区別するコード。空欄は施策の中の順番（1、2…）。",
                max_len=_length(Indicator.code),
            ),
            _MEASURE_NAME,
            Column("name", "指標名", "text", True, 36, "", max_len=_length(Indicator.name)),
            Column("unit", "単位", "text", False, 8, "例：件、%、分", max_len=_length(Indicator.unit)),
            Column(
                "kind",
                "区分",
                "enum",
                False,
                10,
                "活動指標か成果指標か（空欄は成果指標）。",
                choices=_KIND_CHOICES,
            ),
            Column(
                "direction",
                "方向",
                "enum",
                False,
                8,
                "増加・減少・維持（空欄は増加）。",
                choices=tuple(DIRECTION_WORDS.values()),
            ),
            Column("cumulative", "累計", "bool", False, 6, "実績が累計値の指標は「○」。", choices=_BOOL),
            Column(
                "value_type",
                "値の種類",
                "enum",
                False,
                9,
                "数値か定性（「移行完了」のような文言の目標）か（空欄は数値）。",
                choices=tuple(VALUE_TYPE_WORDS.values()),
            ),
            Column(
                "decimals",
                "小数桁数",
                "int",
                False,
                8,
                "実績に入力できる小数点以下の桁数（空欄は制限なし）。",
            ),
            Column("baseline", "基準値", "value", False, 10),
            Column("baseline_fy", "基準年度", "year", False, 9),
            Column("final_target", "最終目標", "value", False, 10),
            Column("final_target_fy", "最終目標年度", "year", False, 11),
            Column("rationale", "算出式・設定根拠", "text", False, 30),
            Column("note", "指標の概要", "text", False, 30),
            Column(
                "reference_only",
                "参考指標",
                "bool",
                False,
                8,
                "評価に使わない参考指標は「○」。",
                choices=_BOOL,
            ),
            Column(
                "valid_from_fy", "使用開始年度", "year", False, 11, "指標を途中から使うとき（KPIの変更）。"
            ),
            Column(
                "valid_to_fy",
                "使用終了年度",
                "year",
                False,
                11,
                "使わなくなった指標は削除せず、この欄に最後の年度を入れます。",
            ),
            Column(
                "kind_confirmed",
                "区分（中央確定）",
                "enum",
                False,
                12,
                "中央で確定した活動指標・成果指標（審査画面の確定と同じ）。点検はこの区分で判定します。"
                "空欄のときは今の確定のままです。",
                choices=_KIND_CHOICES,
            ),
            Column(
                "plausible_min",
                "値の下限",
                "number",
                False,
                9,
                "実績としてありうる値の下限（点検で範囲外を知らせます）。空欄のときは今の設定のまま（未設定は単位から判断）。",
            ),
            Column("plausible_max", "値の上限", "number", False, 9, "実績としてありうる値の上限。"),
        ),
        freeze="E2",
        dynamic="targets",
    ),
    SheetSpec(
        SHEET_ACTUALS,
        "調査年度より前の実績（前年度までの実績値）と参考値（「R6参考値」の列）。空欄のセルは今の値を変えません。",
        (
            _MEASURE,
            Column("indicator", "指標コード", "code", True, 10, "指標シートの指標コード。", max_len=40),
            _MEASURE_NAME,
            Column("indicator_name", "指標名（参考）", "ref", False, 30, "読み込みでは使いません。"),
            Column("unit", "単位（参考）", "ref", False, 8, "読み込みでは使いません。"),
        ),
        freeze="F2",
        dynamic="actuals",
    ),
    SheetSpec(
        SHEET_MILESTONES,
        "スケジュール管理の施策のマイルストーン。施策と年度ごとに、書かれた行がその年度の一覧になります。",
        (
            _MEASURE,
            _MEASURE_NAME,
            Column("fy", "年度", "year", True, 8, "どの年度のシートのマイルストーンか。" + YEAR_HELP),
            Column("text", "内容", "text", True, 36, "例：要件定義"),
            Column("due_fy", "期限年度", "year", False, 9),
            Column("due_month", "期限月", "month", False, 7, "1〜12"),
            Column(
                "status",
                "状況",
                "enum",
                False,
                9,
                "未着手・実施中・完了（空欄は今の状況のまま、新しい行は未着手）。",
                choices=_STATUS_CHOICES,
            ),
        ),
        freeze="C2",
    ),
    SheetSpec(
        SHEET_YEARS,
        "施策の年度ごとの段階（ライフサイクル）と事業費（予算額・決算額と財源内訳）。施策と年度で1行です。空欄のセルは今の値を変えません。",
        (
            _MEASURE,
            _MEASURE_NAME,
            Column("fy", "年度", "year", True, 8, YEAR_HELP),
            Column(
                "stage",
                "段階",
                "enum",
                False,
                16,
                "ライフサイクルの段階（構築期・拡大期・安定期…）。段階で評価の方法（KPI・スケジュール）が決まります。",
                choices=_STAGE_CHOICES,
            ),
            Column(
                "management",
                "管理区分（参考）",
                "ref",
                False,
                12,
                "段階から決まる評価の方法（KPI・スケジュール）。読み込みでは使いません。",
            ),
            *(
                Column(
                    key,
                    header,
                    "cost",
                    False,
                    11,
                    "事業費の単位（基本設定）で入力します。「1,234千円」も読めます。",
                )
                for key, header in COST_COLUMNS
            ),
        ),
        freeze="D2",
    ),
)


def sheet_spec(name: str) -> SheetSpec:
    return next(s for s in SHEETS if s.name == name)
