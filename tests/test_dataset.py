"""Plan datasets: import validates with a located Japanese message; export gives the same data back."""

import copy

import pytest

from dxdesk.store.database import open_database
from dxdesk.store.dataset import DatasetError, export_dataset, import_dataset

BASE = {
    "format": "dxdesk/dataset/1",
    "plan": {
        "code": "p",
        "name": "計画",
        "current_fy": 2026,
        "settings": {
            "level_names": ["分野", "施策"],
            "measure_attributes": [{"key": "team", "label": "係名"}],
        },
    },
    "bureaus": [{"code": "B1", "name": "総務部"}],
    "sections": [
        {"code": "S1", "name": "情報政策課", "bureau": "B1"},
        {"code": "S2", "name": "旧課", "bureau": "B1", "valid_from_fy": 2019, "valid_to_fy": 2023},
    ],
    "tree": [{"code": "1", "name": "行政経営", "children": [{"code": "1-1", "name": "業務効率化"}]}],
    "measures": [
        {
            "code": "088",
            "name": "情報通信ネットワーク運営業務",
            "node": "1-1",
            "owner": "S1",
            "related": ["S2"],
            "sdgs": [9, 16, 17],
            "attributes": {"team": "情報システム係"},
            "period_label": "毎年度",
            "indicators": [
                {
                    "name": "年間のネットワーク停止時間",
                    "unit": "分",
                    "kind": "活動指標",
                    "direction": "減少",
                    "decimals": 1,
                    "values": {"2021": {"target": "280.0", "actual": "0.0"}, "2026": {"target": "280.0"}},
                },
                {
                    "name": "次期サービスへの移行",
                    "value_type": "qualitative",
                    "values": {
                        "2026": {"target": "移行完了", "actual": "未達成"},
                        "2025": {"target": "—", "actual": "—"},
                    },
                },
            ],
            "years": {
                "2026": {
                    "stage": "3・4",
                    "texts": {"result": "実施"},
                    "self_grade": "B",
                    "override_reason": "理由",
                    "perspectives": {"needs": 3},
                    "direction": "拡大・拡充",
                    "milestones": [{"text": "要件定義", "due_fy": 2026, "status": "着手"}],
                }
            },
            "costs": {
                "2023": {
                    "budget": "129,129",
                    "settlement": "133,348",
                    "staff_ratio": "1.50",
                    "part_time_staff": "無",
                }
            },
            "cost_items": [{"fy": 2023, "label": "委託料", "budget": "100", "settlement": "90"}],
        }
    ],
}


def fresh(tmp_path, name):
    return open_database(tmp_path / f"{name}.sqlite")


def roundtrip(tmp_path, data):
    db = fresh(tmp_path, "a")
    with db.session(audit=False) as s:
        import_dataset(s, data)
    with db.session() as s:
        out = export_dataset(s, data["plan"]["code"])
    db.dispose()
    return out


def test_export_of_import_is_stable(tmp_path):
    first = roundtrip(tmp_path / "1", BASE)
    second = roundtrip(tmp_path / "2", first)
    assert first == second
    m = first["measures"][0]
    assert m["indicators"][0]["values"]["2021"] == {"target": "280.0", "actual": "0.0"}
    assert m["indicators"][0]["kind"] == "activity" and m["indicators"][0]["direction"] == "down"
    assert m["indicators"][1]["values"]["2025"] == {"target": "—", "actual": "—"}
    assert m["years"]["2026"]["stage"] == "3_4"
    assert m["years"]["2026"]["milestones"] == [{"text": "要件定義", "due_fy": 2026, "status": "in_progress"}]
    assert m["costs"]["2023"]["budget"] == "129129" and m["costs"]["2023"]["staff_ratio"] == "1.50"
    assert first["sections"][1]["valid_to_fy"] == 2023


def test_import_twice_changes_nothing(tmp_path):
    db = fresh(tmp_path, "twice")
    with db.session(audit=False) as s:
        import_dataset(s, BASE)
    with db.session() as s:
        once = export_dataset(s, "p")
    with db.session(audit=False) as s:
        import_dataset(s, BASE)
    with db.session() as s:
        assert export_dataset(s, "p") == once


def test_reimport_replaces_a_years_texts(tmp_path):
    db = fresh(tmp_path, "re")
    with db.session(audit=False) as s:
        import_dataset(s, _with(("measures", 0, "years", "2026", "texts"), {"result": "a", "outcome": "b"}))
    with db.session(audit=False) as s:
        import_dataset(s, _with(("measures", 0, "years", "2026", "texts"), {"result": "a2"}))
    with db.session() as s:
        assert export_dataset(s, "p")["measures"][0]["years"]["2026"]["texts"] == {"result": "a2"}


def test_section_filter(tmp_path):
    data = copy.deepcopy(BASE)
    other = copy.deepcopy(data["measures"][0])
    other.update(code="999", owner="S9", related=[], name="他課の施策")
    data["sections"].append({"code": "S9", "name": "他課"})
    data["measures"].append(other)
    db = fresh(tmp_path, "f")
    with db.session(audit=False) as s:
        import_dataset(s, data)
    with db.session() as s:
        only = export_dataset(s, "p", section_codes=["S1"], years=[2026])
    assert [m["code"] for m in only["measures"]] == ["088"]
    assert "2021" not in only["measures"][0]["indicators"][0].get("values", {})


def _with(path, value):
    data = copy.deepcopy(BASE)
    target = data
    *head, last = path
    for key in head:
        target = target[key]
    target[last] = value
    return data


@pytest.mark.parametrize(
    ("path", "value", "where", "words"),
    [
        (
            ("measures", 0, "indicators", 0, "values", "2021", "actual"),
            "abc",
            "measures[0].indicators[0].values.2021.actual",
            "数値",
        ),
        (
            ("measures", 0, "indicators", 1, "values", "2026", "actual"),
            "たぶん",
            "measures[0].indicators[1].values.2026.actual",
            "達成",
        ),
        (("measures", 0, "node"), "9-9", "measures[0].node", "計画体系"),
        (("measures", 0, "sdgs"), [18], "measures[0].sdgs", "1〜17"),
        (("measures", 0, "years", "2026", "stage"), "6", "measures[0].years.2026.stage", "選択肢"),
        (("measures", 0, "years", "2026", "perspectives"), {"needs": 7}, "perspectives.needs", "1〜5"),
        (
            ("measures", 0, "indicators", 0, "direction"),
            "斜め",
            "measures[0].indicators[0].direction",
            "選択肢",
        ),
        (("measures", 0, "costs", "2023", "budget"), "１２万", "measures[0].costs.2023.budget", "数値"),
        (("measures", 0, "owner"), "", "measures[0]", "owner"),
        (("format",), "other/1", "format", "対応していません"),
        (("measures", 0, "owner"), "S404", "measures[0].owner", "課所室一覧にありません"),
        (("measures", 0, "related"), ["S404"], "measures[0].related", "課所室一覧にありません"),
        (("measures", 0, "kind"), "mystery", "measures[0].kind", "measure_kinds"),
        (
            ("measures", 0, "years", "2026", "texts"),
            {"reslt": "typo"},
            "measures[0].years.2026.texts",
            "reslt",
        ),
        (("measures", 0, "years", "2026", "direction"), "前進", "measures[0].years.2026.direction", "選択肢"),
        (("measures", 0, "years", "2026", "entry_status"), "done?", "entry_status", "使えません"),
        (("measures", 0, "attributes"), {"colour": "red"}, "measures[0].attributes", "colour"),
        (("plan", "settings"), {"evaluation_scheme": "dice"}, "plan.settings", "評価方式"),
    ],
)
def test_bad_input_names_the_place(tmp_path, path, value, where, words):
    db = fresh(tmp_path, "bad")
    with pytest.raises(DatasetError) as err, db.session(audit=False) as s:
        import_dataset(s, _with(path, value))
    assert where in str(err.value)
    assert words in str(err.value)
    with db.session() as s:  # nothing half-imported
        from sqlalchemy import select

        from dxdesk.store.models import Plan

        assert s.scalars(select(Plan)).all() == []


def test_duplicate_tree_code(tmp_path):
    data = _with(("tree",), [{"code": "1", "name": "a"}, {"code": "1", "name": "b"}])
    db = fresh(tmp_path, "dup")
    with pytest.raises(DatasetError, match="重複"), db.session(audit=False) as s:
        import_dataset(s, data)


def test_forty_thousand_character_text_survives(tmp_path):
    long_text = "取組結果。" * 8_000
    data = _with(("measures", 0, "years", "2026", "texts"), {"result": long_text})
    out = roundtrip(tmp_path, data)
    assert out["measures"][0]["years"]["2026"]["texts"]["result"] == long_text


def test_every_problem_is_listed_not_only_the_first(tmp_path):
    from dxdesk.store.dataset import DatasetProblems, check_dataset

    data = copy.deepcopy(BASE)
    m = data["measures"][0]
    m["owner"] = "S404"
    m["sdgs"] = [18]
    m["indicators"][0]["direction"] = "斜め"
    m["years"]["2026"]["stage"] = "6"
    m.setdefault("costs", {})["2023"] = {"budget": "１２万"}
    data["measures"].append(dict(copy.deepcopy(m), code="second", kind="mystery"))
    db = fresh(tmp_path, "all")
    with pytest.raises(DatasetProblems) as err, db.session(audit=False) as s:
        import_dataset(s, data)
    found = [str(p) for p in err.value.problems]
    for where, words in (
        ("measures[0].owner", "S404"),
        ("measures[0].sdgs", "1〜17"),
        ("measures[0].indicators[0].direction", "選択肢"),
        ("measures[0].years.2026.stage", "選択肢"),
        ("measures[0].costs.2023.budget", "桁の呼び方"),
        ("measures[1].kind", "mystery"),
        ("measures[1].owner", "S404"),
    ):
        assert any(f.startswith(where) and words in f for f in found), (where, found)
    assert "ほか" in str(err.value)  # the short message says there are more
    with db.session() as s:
        assert check_dataset(s, BASE) == []  # a good dataset has none
        from sqlalchemy import select

        from dxdesk.store.models import Plan

        assert s.scalars(select(Plan)).all() == []  # nothing half-imported
