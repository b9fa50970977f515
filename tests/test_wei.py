"""The 魏县 2021 sample reproduces what its seed publishes: totals, the classified project, the 17 project tables."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from render_util import SEEDS, row, table

SEED = SEEDS / "004_74d00500ad72514a.txt"  # the 魏县 original
needs_seed = pytest.mark.usefixtures("wei_seed")


@pytest.fixture
def wei_seed(require_seed):
    require_seed(SEED)


@pytest.fixture(scope="module")
def doc(wei):
    return wei.data


@pytest.fixture(scope="module")
def html(wei):
    return wei.html


def seed_projects() -> list[dict]:
    """The seed's 17 items: number, code, name, 预算数 and quarterly plan (one cell per line in the text)."""
    lines = [l.strip() for l in SEED.read_text(encoding="utf-8").splitlines()]
    items = []
    for i, line in enumerate(lines):
        m = re.match(r"^(\d+)\.\s*此项涉密$", line)
        if m:
            items.append({"n": int(m.group(1)), "classified": True})
        if line == "项目编码":
            code, name, budget = lines[i + 1], lines[i + 3], lines[i + 7]
            j = lines.index("资金支出计划（%）", i)
            plan = [v for v in lines[j + 5:j + 12] if v.endswith("%")][:4]
            title = next(l for l in reversed(lines[:i]) if re.match(r"^\d+\.", l))
            items.append({"n": int(title.split(".")[0]), "code": code, "name": name, "budget": budget, "plan": plan})
    return sorted(items, key=lambda x: x["n"])


def test_totals_match_the_seed(doc):
    t1 = table(doc, "d201-t1")
    assert row(t1, "本年支出合计", 3)[4] == "994.08"
    assert row(t1, "一、一般公共预算拨款收入", 1)[2] == "994.08"
    t3 = table(doc, "d201-t3")
    total = t3["rows"][0]
    assert total[2] == "合计" and total[3:6] == ["994.08", "319.88", "674.20"]
    t6 = table(doc, "d201-t6")
    assert t6["rows"][0][3:6] == ["319.88", "286.88", "33.00"]


def test_sangong_is_all_reception(doc):
    t9 = table(doc, "d201-t9")
    assert row(t9, "“三公”经费小计", 1)[2:4] == ["54.50", "54.50"]
    assert row(t9, "三、公务接待费", 1)[2:4] == ["54.50", "54.50"]
    assert row(t9, "二、公务用车购置及运维费", 1)[2] == "0.00"


def test_classified_project_counts_but_publishes_nothing(doc, html):
    perf = [t for t in doc["tables"] if t["kind"] == "performance" and t["id"].startswith("d201-")]
    assert len(perf) == 16  # 17 projects, one classified
    assert [t["title"].split("、")[0] for t in perf] == [str(n) for n in range(1, 18) if n != 12]
    assert "12、此项涉密" in html
    assert "涉密项目99.20万元" in html  # its money is in the 支出说明 list and in 项目支出 674.20


@needs_seed
def test_seventeen_project_tables_with_codes_and_plans(doc):
    published = [p for p in seed_projects() if not p.get("classified")]
    assert len(published) == 16
    perf = {t["title"].split("、")[0]: t for t in doc["tables"]
            if t["kind"] == "performance" and t["id"].startswith("d201-")}
    for item in published:
        t = perf[str(item["n"])]
        lead = t["lead"]
        assert lead[0][1] == item["code"], item["n"]
        assert lead[0][4] == item["name"]
        assert t["title"] == f"{item['n']}、{item['name']}绩效目标表"
        assert Decimal(lead[1][2]) == Decimal(item["budget"])
        assert lead[4][1:5] == ["3月底", "6月底", "10月底", "12月底"]
        assert lead[5][1:5] == item["plan"], item["n"]  # the first column is the merged 资金支出计划 label
        assert t["banner"]["code"] == "201001" and t["banner"]["name"] == "中国共产党魏县委员会办公室本级"


def test_change_against_last_year_is_computed(html):
    # seed: 2021年财政拨款预算比2020年减少198.84万元，人员经费增加57.35万元，日常公用经费减少216万元、项目经费减少40.19万元
    text = re.sub(r"<[^>]+>", "", html)
    assert "较2020年预算1192.92万元减少198.84万元" in text
    assert "人员经费增加57.35万元" in text and "公用经费减少216.00万元" in text and "项目支出减少40.19万元" in text
    assert "“三公”经费较2020年持平" in text
    assert "机关运行经费共计安排33.00万元" in text
