"""The classification catalogs 2019–2027: structure of every year's list, each year's changes, and sample codes
with their names as the official lists print them (written here from the lists, not read from our data)."""

from __future__ import annotations

import re

import pytest

from budgetgen import catalog
from budgetgen.catalog import Catalog

YEARS = list(range(2019, 2028))
FUNDS = {"一般公共预算", "政府性基金预算", "国有资本经营预算", "社会保险基金预算"}
# The 类 of the year's list, in the order of the 收支总表 (domain.md §2 for 2023).
CLASSES_2023 = ["201", "202", "203", "204", "205", "206", "207", "208", "209", "210", "211", "212", "213", "214",
                "215", "216", "217", "219", "220", "221", "222", "223", "224", "227", "229", "230", "231", "232",
                "233", "234"]


def test_years_2019_to_2027_are_available_and_2027_is_provisional():
    assert catalog.available_years() == YEARS
    assert catalog.load(2027).provisional and "暂定" in catalog.load(2027).label()
    assert not any(catalog.load(y).provisional for y in YEARS[:-1])


@pytest.mark.parametrize("year", YEARS)
def test_every_year_is_a_tree_without_duplicates(year):
    cat = catalog.load(year)  # applying the changes raises CatalogDataError when they do not apply cleanly
    for table, lengths in ((cat.function, (3, 5, 7)), (cat.economic, (3, 5)), (cat.government_economic, (3, 5))):
        assert table, year
        for code, name in table.items():
            assert re.fullmatch(r"[0-9]+", code) and len(code) in lengths, code
            if len(code) > 3:
                assert code[:-2] in table, f"{year}: {code} without its parent"
            # names as printed: full-width brackets, no spaces
            assert name and not re.search(r"[()\s]", name), f"{year}: {code} {name!r}"
    assert set(cat.fund.values()) <= FUNDS
    assert all(code in cat.fund for code in cat.function)
    assert cat.classes[-1] == ("", "人行科目")
    assert [c for c, _ in cat.classes[:-1]] == sorted(c for c in cat.function if len(c) == 3)
    # every 款 has at least one 项 except where the official list leaves the 款 alone (预备费 has no 款 at all)
    assert sum(len(c) == 7 for c in cat.function) > 1000


def test_2023_classes_are_the_domain_list():
    cat = catalog.load(2023)
    assert [c for c, _ in cat.classes[:-1]] == CLASSES_2023
    assert dict(cat.classes)["210"] == "卫生健康支出"
    assert dict(cat.classes)["224"] == "灾害防治及应急管理支出"


# Codes and names written from the official lists (and the seeds), one or more per 类.
SAMPLE_2023 = {
    "2013101": "行政运行", "2013105": "专项业务", "2013150": "事业运行", "20131": "党委办公厅（室）及相关机构事务",
    "2012601": "行政运行", "20103": "政府办公厅（室）及相关机构事务", "2010302": "一般行政管理事务",
    "2019999": "其他一般公共服务支出",
    "2040399": "其他国家安全支出", "20406": "司法", "2040607": "公共法律服务",
    "20502": "普通教育", "2050201": "学前教育", "2050202": "小学教育", "2050203": "初中教育", "2050204": "高中教育",
    "2050303": "技校教育", "2050305": "高等职业教育", "2050804": "退役士兵能力提升",
    "20601": "科学技术管理事务", "2060101": "行政运行",
    "20701": "文化和旅游", "2070109": "群众文化",
    "2080501": "行政单位离退休", "2080505": "机关事业单位基本养老保险缴费支出", "2080999": "其他退役安置支出",
    "2082701": "财政对失业保险基金的补助", "20828": "退役军人管理事务", "2080208": "基层政权建设和社区治理",
    "2089999": "其他社会保障和就业支出",
    "2101101": "行政单位医疗", "2101103": "公务员医疗补助", "2109999": "其他卫生健康支出",
    "21103": "污染防治",
    "21201": "城乡社区管理事务", "2129999": "其他城乡社区支出", "21208": "国有土地使用权出让收入安排的支出",
    "2130153": "农田建设", "21305": "巩固脱贫衔接乡村振兴", "2139999": "其他农林水支出",
    "21401": "公路水路运输", "2140101": "行政运行",
    "21602": "商业流通事务",
    "2210201": "住房公积金", "22102": "住房改革支出",
    "22401": "应急管理事务", "2240101": "行政运行",
    "2296002": "用于社会福利的彩票公益金支出",
}


@pytest.mark.parametrize("code,name", list(SAMPLE_2023.items()))
def test_sample_codes_2023(code, name):
    assert catalog.load(2023).function.get(code) == name


def test_economic_samples():
    cat = catalog.load(2023)
    for code, name in {"30101": "基本工资", "30108": "机关事业单位基本养老保险缴费", "30212": "因公出国（境）费用",
                       "30231": "公务用车运行维护费", "30311": "代缴社会保险费", "31013": "公务用车购置",
                       "30913": "公务用车购置", "39999": "其他支出"}.items():
        assert cat.economic[code] == name
    assert cat.government_economic["501"] == "机关工资福利支出"
    assert cat.government_economic["50101"] == "工资奖金津补贴"


def test_year_changes_apply():
    # 2021: 扶贫 became 巩固脱贫衔接乡村振兴; 2020: 抗疫特别国债 added; 2019 already had 灾害防治及应急管理.
    assert catalog.load(2019).function["21305"] == "扶贫"
    assert catalog.load(2020).function["21305"] == "扶贫"
    assert catalog.load(2021).function["21305"] == "巩固脱贫衔接乡村振兴"
    assert "234" not in catalog.load(2019).function
    assert "234" in catalog.load(2020).function
    assert "224" in catalog.load(2019).function
    assert catalog.load(2027).function == catalog.load(2026).function  # the provisional year is the latest list


def test_before_the_first_year_is_unknown_and_later_years_fall_back():
    with pytest.raises(catalog.UnknownYear):
        catalog.for_year(2018)
    assert catalog.for_year(2030).year == 2027


def test_suggestions_prefer_the_same_kuan_and_fund():
    cat: Catalog = catalog.load(2023)
    # a mistyped 项 under 21208 (a 政府性基金 款) for 一般公共预算 money: the same 款 comes first all the same
    near = cat.nearest_function("2120898", "政府性基金预算")
    assert near and near[0].startswith("21208")
    # a slip in the 款 digit: among codes two keys away, those of the line's fund come first
    near = cat.nearest_function("2129998", "一般公共预算")
    assert near[0] == "2129999"


def test_changes_that_do_not_apply_are_refused():
    from budgetgen.catalog import Change, CatalogDataError, _apply

    base = {"213": ("农林水支出", "一般公共预算"), "21305": ("巩固脱贫衔接乡村振兴", "一般公共预算")}
    renamed = Change(2021, "=", "21305", "巩固脱贫衔接乡村振兴", "扶贫", "", "x.tsv:1")
    table = dict(base)
    _apply(table, [renamed], 2020)
    assert table["21305"][0] == "扶贫"
    added_twice = Change(2024, "+", "21305", "重复", "", "一般公共预算", "x.tsv:2")
    with pytest.raises(CatalogDataError, match="x.tsv:2"):
        _apply(dict(base), [added_twice], 2024)
    removed_missing = Change(2022, "-", "21399", "其他农林水支出", "", "一般公共预算", "x.tsv:3")
    with pytest.raises(CatalogDataError, match="x.tsv:3"):  # a 2022 removal of a code the base still lists
        _apply(dict(base) | {"21399": ("其他", "一般公共预算")}, [removed_missing], 2021)
    orphan = Change(2024, "+", "2139901", "孤儿", "", "一般公共预算", "x.tsv:4")
    with pytest.raises(CatalogDataError, match="缺少上级科目 21399"):
        _apply(dict(base), [orphan], 2024)
