"""The roadmap boxes (texts roadmap_1, roadmap_2 …) are named after the measure's own 主な取組 (its
attribute ``initiatives``, one per line, as 基本情報 shows them), and keep the plan's numbered label
where the measure has no such 取組."""

from __future__ import annotations

import json

from sqlalchemy import select

from dxdesk.store.dataset import import_dataset
from dxdesk.store.models import Measure
from dxdesk.store.sheet_store import load_sheet
from tests.report.conftest import SAMPLES


def test_roadmap_labels_name_the_measures_own_initiatives(db):
    data = json.loads((SAMPLES / "shizuoka_action_plan.json").read_text(encoding="utf-8"))
    first = data["measures"][0]
    first["attributes"]["initiatives"] = "オンライン申請手続数の拡大\n\n  窓口予約の導入  \n"
    with db.session(audit=False) as s:
        plan = import_dataset(s, data)
        fy = plan.current_fy
        mid = s.scalar(select(Measure.id).where(Measure.code == first["code"]))
        sheet = load_sheet(s, mid, fy)
    assert sheet.info.initiatives == ("オンライン申請手続数の拡大", "窓口予約の導入")
    assert (
        sheet.text_label("roadmap_1") == "1. オンライン申請手続数の拡大のロードマップ（1行に1つの取組内容）"
    )
    assert sheet.text_label("roadmap_2") == "2. 窓口予約の導入のロードマップ（1行に1つの取組内容）"
    # no third 取組: the plan's own label
    assert sheet.text_label("roadmap_3") == "主な取組3のロードマップ（1行に1つの取組内容）"
    # the undo menu and messages name the box the same way
    assert sheet.label("texts.roadmap_2") == sheet.text_label("roadmap_2")
    # other texts keep their label
    assert sheet.text_label("as_is") == sheet.settings.text_field("as_is").label
