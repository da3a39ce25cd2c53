"""The central office confirms an indicator's 活動/成果 and sets a plausible range; both stick."""

from decimal import Decimal

import pytest

from dxdesk.domain.enums import IndicatorKind
from dxdesk.store.dataset import import_dataset
from dxdesk.store.indicator_review import IndicatorNotFound, confirm_indicator_kind, set_plausible_range
from dxdesk.store.presubmit import presubmission_check
from dxdesk.store.queries import current_plan

FY = 2026


def plan_data() -> dict:
    return {
        "format": "dxdesk/dataset/1",
        "plan": {
            "code": "minato",
            "name": "みなと市DX推進計画",
            "municipality": "みなと市",
            "current_fy": FY,
        },
        "bureaus": [{"code": "B1", "name": "こども未来部"}],
        "sections": [{"code": "S1", "name": "子育て支援課", "bureau": "B1"}],
        "measures": [
            {
                "code": "05",
                "name": "子育て講座のオンライン配信",
                "owner": "S1",
                "indicators": [
                    {
                        "code": "1",
                        "name": "オンライン子育て講座の視聴件数",
                        "unit": "件",
                        "baseline": "1,200",
                        "values": {
                            "2025": {"target": "2,000", "actual": "2,150"},
                            "2026": {"target": "3,000", "actual": "3,400"},
                        },
                    }
                ],
                "years": {
                    "2026": {
                        "stage": "2",
                        "texts": {"result": "配信を月2回に増やした。"},
                        "direction": "継続",
                    }
                },
            }
        ],
    }


def ids(db) -> set[str]:
    with db.session() as s:
        return {i.finding.check_id for i in presubmission_check(s, current_plan(s), FY).items}


@pytest.fixture
def pdb(db):
    with db.session(audit=False) as s:
        import_dataset(s, plan_data())
    return db


def test_the_central_offices_kind_sticks_over_the_wording_and_a_reimport(pdb):
    assert "AUD-OUTPUT-ONLY" in ids(pdb)  # 「件数」 reads as an output
    with pdb.session() as s:
        confirm_indicator_kind(s, current_plan(s), "05", 0, IndicatorKind.OUTCOME)  # viewing is the outcome
    assert "AUD-OUTPUT-ONLY" not in ids(pdb)
    with pdb.session(audit=False) as s:
        import_dataset(s, plan_data())  # the plan master imported again
    assert "AUD-OUTPUT-ONLY" not in ids(pdb)
    with pdb.session() as s:
        confirm_indicator_kind(s, current_plan(s), "05", "1", None)
    assert "AUD-OUTPUT-ONLY" in ids(pdb)


def test_a_plausible_range_is_checked(pdb):
    assert "AUD-PLAUSIBLE-RANGE" not in ids(pdb)
    with pdb.session() as s:
        set_plausible_range(s, current_plan(s), "05", 0, Decimal(0), Decimal(3000))
    with pdb.session() as s:
        report = presubmission_check(s, current_plan(s), FY)
    f = next(i.finding for i in report.items if i.finding.check_id == "AUD-PLAUSIBLE-RANGE")
    assert "実績 3,400件 は0〜3,000件の範囲外です。単位は正しいですか。" in f.message
    assert f.field == "indicators[0].actual"


def test_unknown_indicators_are_refused_in_japanese(pdb):
    with pdb.session() as s, pytest.raises(IndicatorNotFound, match="2番目の指標はありません"):
        confirm_indicator_kind(s, current_plan(s), "05", 1, IndicatorKind.OUTCOME)
    with pdb.session() as s, pytest.raises(IndicatorNotFound, match="施策コード「99」"):
        confirm_indicator_kind(s, current_plan(s), "99", 0, IndicatorKind.OUTCOME)
