"""江苏省级's own text (issue 13, "jurisdiction profiles"): 第一部分 概况, 第二部分 the twelve tables, 第三部分 情况说明 一至十二
and 第四部分 名词解释, on samples/jiangsu-dept-2019 rendered to HTML and read back. The figures below were worked out by
hand from the sample's YAML (amounts in 万元; shares and changes to two decimals, rounded half up):

- 一般公共预算 this year 9391.80 = 厅机关 basic 4348.80 + 717.30 + reserve 60.00, 学院 basic 1824.70 + 238.00 + reserve
  20.00, projects 420.00 + 980.00 + 370.00 + 263.00 + 150.00; 上年结转 80.00 (产品质量监督抽查); 财政专户管理资金
  96.00 + 184.00 = 280.00; 事业收入 120.00 + 45.00 = 165.00; 当年收入 9836.80; 收入、支出总计 9916.80.
- last year 5986.40 + 1436.80 + 1980.00 = 9403.20: +513.60, 513.60 / 9403.20 = 5.46%; 基本支出 7573.80 against
  7423.20: +150.60, 2.03%; 项目支出 2263.00 against 1980.00: +283.00, 14.29%.
- “三公” (一般公共预算) 38.00 + 32.00 + 15.00 = 85.00 against 42.00 + 36.50 + 18.00 = 96.50: −11.50, 11.92%;
  会议费 26.00; 培训费 45.00 + 12.00 + 150.00 = 207.00; with them 318.00.
- 机关运行经费: 厅机关's 302 款 = 717.30. 政府采购: 货物 150.00 + 168.00, 工程 95.00, 服务 180.00 + 860.00 + 220.00.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

from budgetgen.cli import main
from budgetgen.document import Heading, Paragraph, Table
from budgetgen.fmt import money
from budgetgen.pipeline import prepare, validate
from render_util import SAMPLES

SAMPLE = SAMPLES / "jiangsu-dept-2019"
NAME = "江苏省质量和标准化厅"
Y = 2019

PART_THREE = ["一、收支预算总体情况说明", "二、收入预算情况说明", "三、支出预算情况说明", "四、财政拨款收支预算总体情况说明",
              "五、一般公共预算当年拨款支出预算情况说明", "六、一般公共预算财政拨款基本支出预算情况说明",
              "七、一般公共预算财政拨款“三公”经费预算情况说明", "八、政府性基金预算支出预算情况说明",
              "九、一般公共预算机关运行经费支出预算情况说明", "十、政府采购预算情况说明",
              "十一、部门国有资产占用情况及新增资产配置预算情况", "十二、部门预算绩效目标情况说明"]
ORDER = ([f"第一部分 {NAME}概况", "一、部门主要职责", "二、部门预算单位构成", f"第二部分 {NAME}{Y}年部门预算表"]
         + [f"公开 {n:02d} 表" for n in range(1, 13)]
         + [f"第三部分 {NAME}{Y}年部门预算情况说明"] + PART_THREE[:5]
         + ["（一）一般公共预算当年拨款规模变化情况", "（二）一般公共预算当年拨款结构情况", "（三）一般公共预算当年拨款具体使用情况"]
         + PART_THREE[5:] + ["第四部分 名词解释"])


class _Reader(HTMLParser):
    """The body of the HTML in order, outside the 目录: headings (h1–h6) and table labels as ("h", text), paragraphs
    as ("p", text); and the 目录's entries."""

    def __init__(self) -> None:
        super().__init__()
        self.items: list[tuple[str, str]] = []
        self.toc: list[str] = []
        self._open: str | None = None
        self._text: list[str] = []
        self._nav = 0

    def handle_starttag(self, tag, attrs):
        cls = dict(attrs).get("class") or ""
        if tag == "nav":
            self._nav += 1
        elif tag in ("h1", "h2", "h3", "h4", "h5", "h6") or tag == "p" and "table-label" in cls:
            self._open, self._text = "h", []
        elif tag == "p" and not self._nav:
            self._open, self._text = "p", []
        elif tag == "a" and self._nav:
            self._open, self._text = "toc", []

    def handle_endtag(self, tag):
        if tag == "nav":
            self._nav -= 1
        elif self._open is not None and tag in ("h1", "h2", "h3", "h4", "h5", "h6", "p", "a"):
            text = "".join(self._text).strip()
            if self._open == "toc":
                self.toc.append(text)
            elif not self._nav:
                self.items.append((self._open, text))
            self._open = None

    def handle_data(self, data):
        if self._open is not None:
            self._text.append(data)


def read_html(path: Path) -> _Reader:
    reader = _Reader()
    reader.feed(path.read_text(encoding="utf-8"))
    return reader


def render_html(folder: Path, out: Path) -> _Reader:
    assert main(["render", str(folder), "--format", "html", "--out", str(out)]) == 0
    return read_html(out / f"{folder.name}.html")


@pytest.fixture(scope="module")
def html(tmp_path_factory) -> _Reader:
    return render_html(SAMPLE, tmp_path_factory.mktemp("js-notes"))


@pytest.fixture(scope="module")
def sections(html) -> dict[str, list[str]]:
    """The paragraphs under each heading."""
    out: dict[str, list[str]] = {}
    current = ""
    for kind, text in html.items:
        if kind == "h":
            current = text
            out.setdefault(current, [])
        else:
            out.setdefault(current, []).append(text)
    return out


def test_parts_and_sections_in_order(html):
    headings = [text for kind, text in html.items if kind == "h"]
    wanted = [h for h in headings if h in ORDER]
    assert wanted == ORDER
    # the 目录 lists the four parts and 一至十二 in the same order (the tables by their titles)
    toc = [t for t in html.toc if t in ORDER]
    assert toc == [h for h in ORDER if not h.startswith("公开") and not h.startswith("（")]


def test_part_one(sections):
    duties = sections["一、部门主要职责"]
    assert duties[0].startswith("（一）贯彻执行国家质量发展、标准化工作的方针政策")
    assert duties[-1] == "（六）完成省委、省政府交办的其他任务。"
    units = sections["二、部门预算单位构成"]
    assert units[0].startswith("厅机关内设办公室、法规处")  # the clerk's 机构 description
    assert units[-3:] == ["纳入2019年部门预算编制范围的二级预算单位包括：", "1．江苏省质量和标准化厅（本级）",
                          "2．江苏省质量技术培训学院"]


def test_totals_and_change(sections):
    first = sections["一、收支预算总体情况说明"]
    assert first[0] == (f"{NAME}2019年部门预算收入、支出预算总计9916.80万元，与上年相比收、支预算总计各增加513.60万元，"
                        "增长5.46%。主要是新增产品质量安全风险监测项目，以及地方标准制修订经费按工作计划增加。")
    assert first[1] == ("（一）收入预算总计9916.80万元，包括当年收入9836.80万元和上年结转资金80.00万元。当年收入中，"
                        "一般公共预算收入9391.80万元，政府性基金预算收入0.00万元，财政专户管理资金收入280.00万元，"
                        "其他资金收入165.00万元。")
    assert first[2] == "（二）支出预算总计9916.80万元，包括当年支出9916.80万元和结转下年资金0.00万元。"


def test_income_shares(sections):
    assert sections["二、收入预算情况说明"] == [
        f"{NAME}2019年收入预算总计9916.80万元，其中：一般公共预算收入9391.80万元，占收入总计的94.71%；"
        "政府性基金预算收入0.00万元，占收入总计的0.00%；财政专户管理资金收入280.00万元，占收入总计的2.82%；"
        "其他资金收入165.00万元，占收入总计的1.66%；上年结转资金80.00万元，占收入总计的0.81%。"]


def test_spending_by_function_and_use(sections):
    text = sections["三、支出预算情况说明"]
    # 201: 厅机关 行政运行 3683.00 + reserve 60.00 + projects 420.00 + 1060.00 + 370.00 = 5593.00 (56.40%);
    # 205: 学院 basic 1504.60 + 445.00 (专户, 事业收入) + 20.00 + 263.00 + 150.00 = 2382.60 (24.03%)
    assert text[1] == ("按支出功能分类：一般公共服务支出5593.00万元，占支出总计的56.40%；教育支出2382.60万元，占支出总计的"
                       "24.03%；社会保障和就业支出1116.80万元，占支出总计的11.26%；卫生健康支出333.60万元，占支出总计的"
                       "3.36%；住房保障支出490.80万元，占支出总计的4.95%。")
    assert text[2] == ("按支出用途：基本支出7573.80万元，占支出总计的76.37%，与上年相比增加150.60万元，增长2.03%，"
                       "主要是按规定调整工资标准和机关事业单位基本养老保险、职业年金缴费基数；项目支出2263.00万元，"
                       "占支出总计的22.82%，与上年相比增加283.00万元，增长14.29%，主要是新增产品质量安全风险监测项目；"
                       "单位预留机动经费80.00万元，占支出总计的0.81%；结转下年资金0.00万元。")


def test_appropriation_totals(sections):
    text = sections["四、财政拨款收支预算总体情况说明"]
    assert text[0] == (f"{NAME}2019年财政拨款收、支总预算9471.80万元。收入包括：一般公共预算当年拨款9391.80万元，"
                       "政府性基金预算当年拨款0.00万元，上年结转资金80.00万元。")


def test_general_budget_this_year(sections):
    # last year's 一般公共预算当年拨款 by 项 (department.yaml last_year.functions) add up to 9000.00:
    # 9391.80 − 9000.00 = +391.80, 391.80 / 9000.00 = 4.35%
    assert sections["（一）一般公共预算当年拨款规模变化情况"] == [
        f"{NAME}2019年一般公共预算当年拨款支出9391.80万元，与上年相比增加391.80万元，增长4.35%。"
        "另安排一般公共预算上年结转资金80.00万元，一般公共预算支出合计9471.80万元。"]
    # 201 this year 5593.00 − 80.00 = 5513.00, 5513.00 / 9391.80 = 58.70%
    structure = sections["（二）一般公共预算当年拨款结构情况"][0]
    assert structure.startswith("一般公共服务（类）支出5513.00万元，占58.70%；教育（类）支出1937.60万元，占20.63%；")
    items = sections["（三）一般公共预算当年拨款具体使用情况"]
    assert len(items) == 15
    # 3683.00 against 3600.00: +83.00, 2.31%; no reason written for it
    assert items[0] == "1．“一般公共服务（类）市场监督管理事务（款）行政运行（项）”支出3683.00万元，与上年相比增加83.00万元，增长2.31%。"
    assert items[1] == "2．“一般公共服务（类）市场监督管理事务（款）一般行政管理事务（项）”支出60.00万元，与上年持平。"
    # 当年拨款 980.00 (the 80.00 carried over apart) against 830.00: +150.00, 18.07%; its reason replaces 主要用于
    assert items[4] == ("5．“一般公共服务（类）市场监督管理事务（款）质量安全监管（项）”支出980.00万元，与上年相比增加150.00万元，"
                        "增长18.07%。主要原因是新增产品质量安全风险监测任务。该科目另安排上年结转资金80.00万元。")
    # 1787.60 against 1800.00: −12.40, 12.40 / 1800.00 = 0.69%
    assert items[5] == ("6．“教育（类）职业教育（款）高等职业教育（项）”支出1787.60万元，与上年相比减少12.40万元，下降0.69%。"
                        "主要原因是学院按在校生人数调整生均拨款。")
    # unchanged with no reason: the project it pays for, as without last year's figures
    assert items[6] == ("7．“教育（类）进修及培训（款）培训支出（项）”支出150.00万元，与上年持平。"
                        "主要用于质量和标准化专业技术人员培训项目。")


def test_without_last_year_by_item_no_comparison(tmp_path):
    source = tmp_path / "js"
    shutil.copytree(SAMPLE, source)
    path = source / "department.yaml"
    text = path.read_text(encoding="utf-8")
    start, end = text.index("    functions:   # 上年"), text.index("  reasons:")
    path.write_text(text[:start] + text[end:], encoding="utf-8")
    assert main(["render", str(source), "--format", "html", "--out", str(tmp_path / "out")]) == 0
    page = (tmp_path / "out" / "js.html").read_text(encoding="utf-8")
    assert "一般公共预算当年拨款支出9391.80万元。另安排" in page
    assert "行政运行（项）”支出3683.00万元。" in page and "与上年相比增加83.00万元" not in page
    _, findings = validate(source)
    (found,) = [f for f in findings if f.code == "reason-without-last-year"]
    assert found.file.endswith("department.yaml") and found.line


def test_basic_spending(sections):
    assert sections["六、一般公共预算财政拨款基本支出预算情况说明"][:3] == [
        f"{NAME}2019年一般公共预算财政拨款基本支出7128.80万元，其中：",
        "人员经费6173.50万元，主要包括：基本工资、津贴补贴、奖金、绩效工资、机关事业单位基本养老保险缴费、职业年金缴费、"
        "职工基本医疗保险缴费、其他社会保障缴费、住房公积金、其他工资福利支出、退休费；",
        "公用经费955.30万元，主要包括：办公费、水费、电费、邮电费、差旅费、因公出国（境）费用、维修（护）费、会议费、"
        "培训费、公务接待费、工会经费、福利费、公务用车运行维护费、其他交通费用、其他商品和服务支出。"]


def test_sangong_meeting_training(sections):
    text = sections["七、一般公共预算财政拨款“三公”经费预算情况说明"]
    assert text[0] == f"{NAME}2019年一般公共预算财政拨款安排的“三公”经费、会议费、培训费预算合计318.00万元。"
    assert text[1] == (f"{NAME}2019年一般公共预算财政拨款“三公”经费预算85.00万元，与上年相比减少11.50万元，下降11.92%。"
                       "主要原因是因公出国（境）费按年度出访计划安排；公务用车运行维护费和公务接待费按厉行节约要求压减。"
                       "其中：因公出国（境）费38.00万元，与上年相比减少4.00万元，下降9.52%；公务用车购置及运行维护费"
                       "32.00万元（其中：公务用车购置费0.00万元，公务用车运行维护费32.00万元），与上年相比减少4.50万元，"
                       "下降12.33%；公务接待费15.00万元，与上年相比减少3.00万元，下降16.67%。")
    assert text[2] == f"{NAME}2019年一般公共预算财政拨款安排的会议费预算26.00万元。"
    assert text[3] == f"{NAME}2019年一般公共预算财政拨款安排的培训费预算207.00万元。"


def test_fund_running_procurement_assets(sections):
    assert sections["八、政府性基金预算支出预算情况说明"] == [f"{NAME}2019年无使用政府性基金预算拨款安排的支出。"]
    assert sections["九、一般公共预算机关运行经费支出预算情况说明"][0].startswith(
        "2019年本部门一般公共预算机关运行经费预算支出717.30万元，主要用于办公费、水费、电费、")
    assert sections["十、政府采购预算情况说明"] == [
        "2019年度本部门政府采购预算总额1673.00万元，其中：拟采购货物支出318.00万元、拟采购工程支出95.00万元、"
        "拟购买服务支出1260.00万元。",
        # 集中采购 860.00 + 150.00; 部门集中采购 220.00; 分散采购 180.00 + 168.00 + 95.00
        "按采购组织形式：集中采购1010.00万元，部门集中采购220.00万元，分散采购443.00万元。"]
    assert sections["十一、部门国有资产占用情况及新增资产配置预算情况"] == [
        "截至2018年12月31日，本部门共有车辆17辆，其中：主要领导干部用车2辆、机要通信用车2辆、应急保障用车3辆、"
        "执法执勤用车7辆、特种专业技术用车2辆、其他用车1辆；单价20万元（含）以上的设备25台（套），"
        "其中单位价值100万元（含）以上的设备1台（套）。",
        "2019年部门预算安排新增资产配置（拟购置固定资产）318.00万元。"]


def test_performance_under_twelve(html, sections):
    text = sections["十二、部门预算绩效目标情况说明"]
    assert text[0].startswith("2019年本部门实行绩效目标管理的项目5个，涉及项目预算资金合计2263.00万元。部门整体绩效目标：")
    headings = [text for kind, text in html.items if kind == "h"]
    at, end = headings.index("十二、部门预算绩效目标情况说明"), headings.index("第四部分 名词解释")
    assert len([h for h in headings[at:end] if h.endswith("绩效目标表")]) == 5


def test_glossary_provincial(sections):
    glossary = sections["第四部分 名词解释"]
    assert glossary[0] == "1．财政拨款：是指省级财政当年拨付的资金，包括一般公共预算拨款和政府性基金预算拨款。"
    terms = [p.split("：", 1)[0].split("．", 1)[1] for p in glossary]
    for term in ("财政专户管理资金", "其他资金", "上年结转资金", "基本支出", "项目支出", "单位预留机动经费", "结转下年资金",
                 "“三公”经费", "机关运行经费"):
        assert term in terms


def test_text_figures_are_the_tables():
    """The figures of the text, read against the cells of the tables they come from (same rounding)."""
    doc = prepare(SAMPLE)[0]
    tables = {t.kind: t for t in doc.tables() if t.label}
    text = "\n".join(b.text for b in doc.blocks if isinstance(b, Paragraph))

    def cells(kind: str, row: int) -> list[str]:
        return [money(c.value) if isinstance(c.value, Decimal) else str(c.value or "") for c in tables[kind].rows[row].cells]

    t1_total = cells("t1", -1)
    assert f"收入、支出预算总计{t1_total[1]}万元" in text
    assert f"一般公共预算当年拨款{cells('t4', 0)[1]}万元" in text  # T4 一、一般公共预算
    assert f"财政拨款收、支总预算{cells('t4', -1)[1]}万元" in text  # T4 收入合计
    t8 = cells("t8", 0)
    assert f"基本支出{t8[2]}万元" in text and f"人员经费{t8[3]}万元" in text and f"公用经费{t8[4]}万元" in text
    t9 = cells("t9", 0)
    assert f"合计{t9[0]}万元" in text and f"“三公”经费预算{t9[1]}万元" in text
    assert f"会议费预算{t9[7]}万元" in text and f"培训费预算{t9[8]}万元" in text
    assert f"机关运行经费预算支出{cells('t11', 0)[2]}万元" in text
    t12 = {r.cells[0].value: r.cells[2].value for r in tables["t12"].rows}
    assert f"拟采购货物支出{money(t12['一、货物'])}万元" in text and f"拟购买服务支出{money(t12['三、服务'])}万元" in text


def test_item_change_when_last_year_given(tmp_path):
    """A decrease, with a reason worded as 主要是…: 质量基础 last year 450.00 instead of the sample's 400.00, so
    420.00 is −30.00, 30.00 / 450.00 = 6.67%; the 当年拨款 last year 9000.00 + 50.00 = 9050.00, so 9391.80 is +341.80,
    341.80 / 9050.00 = 3.78%."""
    folder = tmp_path / "jiangsu"
    shutil.copytree(SAMPLE, folder)
    path = folder / "department.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count('      "2013808": 400.00\n') == 1 and text.count('      "2013808": 地方标准制修订按工作计划增加\n') == 1
    text = text.replace('      "2013808": 400.00\n', '      "2013808": 450.00\n')
    text = text.replace('      "2013808": 地方标准制修订按工作计划增加\n', '      "2013808": 主要是部分标准项目已于上年完成\n')
    path.write_text(text, encoding="utf-8")
    doc = prepare(folder)[0]
    paragraphs = [b.text for b in doc.blocks if isinstance(b, Paragraph)]
    assert ("4．“一般公共服务（类）市场监督管理事务（款）质量基础（项）”支出420.00万元，与上年相比减少30.00万元，"
            "下降6.67%。主要是部分标准项目已于上年完成。") in paragraphs
    assert any(t.startswith(f"{NAME}2019年一般公共预算当年拨款支出9391.80万元，与上年相比增加341.80万元，增长3.78%。")
               for t in paragraphs)


def test_no_change_sentences_without_last_year(tmp_path):
    """Without last year's figures, the text gives this year's figures and no comparison."""
    folder = tmp_path / "jiangsu"
    shutil.copytree(SAMPLE, folder)
    path = folder / "department.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    del data["department"]["last_year"], data["department"]["reasons"]
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    html = render_html(folder, tmp_path / "out")
    paragraphs = [text for kind, text in html.items if kind == "p"]
    assert f"{NAME}2019年部门预算收入、支出预算总计9916.80万元。" in paragraphs
    assert not any("与上年" in p for p in paragraphs)
    assert f"{NAME}2019年一般公共预算财政拨款“三公”经费预算85.00万元。其中：因公出国（境）费38.00万元；" \
           "公务用车购置及运行维护费32.00万元（其中：公务用车购置费0.00万元，公务用车运行维护费32.00万元）；" \
           "公务接待费15.00万元。" in paragraphs


def test_other_sections_are_not_hebei(html):
    headings = [text for kind, text in html.items if kind == "h"]
    assert not any("信息公开情况说明" in h or h == "九、其他需要说明的事项" for h in headings)
    assert not any(isinstance(b, Table) and b.kind in ("units", "procurement", "assets")
                   for b in prepare(SAMPLE)[0].blocks)
    assert not [b for b in prepare(SAMPLE)[0].blocks if isinstance(b, Heading) and b.level == 1]


def test_fund_spending(tmp_path):
    """With 质量安全风险监测信息系统 (370.00) paid by 政府性基金预算: 八 lists it by 项; 一般公共预算当年拨款 is
    9391.80 − 370.00 = 9021.80, its 201 5513.00 − 370.00 = 5143.00 (5143.00 / 9021.80 = 57.01%); 财政拨款 still 9471.80."""
    folder = tmp_path / "jiangsu"
    shutil.copytree(SAMPLE, folder)
    path = folder / "projects" / "03-质量安全风险监测信息系统.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["projects"][0]["source"] = "政府性基金预算"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    paragraphs = [text for kind, text in render_html(folder, tmp_path / "out").items if kind == "p"]
    assert (f"{NAME}2019年政府性基金预算支出370.00万元，其中：“一般公共服务（类）市场监督管理事务（款）信息化建设（项）”"
            "支出370.00万元。") in paragraphs
    assert (f"{NAME}2019年财政拨款收、支总预算9471.80万元。收入包括：一般公共预算当年拨款9021.80万元，"
            "政府性基金预算当年拨款370.00万元，上年结转资金80.00万元。") in paragraphs
    assert any(p.startswith("一般公共服务（类）支出5143.00万元，占57.01%；") for p in paragraphs)


def test_a_reason_for_an_item_without_general_money_is_named(tmp_path):
    source = tmp_path / "js"
    shutil.copytree(SAMPLE, source)
    path = source / "department.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace('      "2050305": 学院按在校生人数调整生均拨款\n',
                        '      "2050305": 学院按在校生人数调整生均拨款\n      "2013899": 其他支出调整\n')
    path.write_text(text, encoding="utf-8")
    _, findings = validate(source)
    (found,) = [f for f in findings if f.code == "reason-not-listed"]
    line = text.splitlines().index('      "2013899": 其他支出调整') + 1
    assert found.file.endswith("department.yaml") and found.line == line and "2013899" in found.message


def test_new_year_carries_this_year_by_item_forward(tmp_path):
    target = tmp_path / "js-2020"
    assert main(["new-year", str(SAMPLE), "--out", str(target)]) == 0
    last = yaml.safe_load((target / "department.yaml").read_text(encoding="utf-8"))["department"]["last_year"]
    # this year's 一般公共预算当年拨款 by 项, as (三) lists them above (980.00 without the 80.00 carried over)
    assert {k: Decimal(str(v)) for k, v in last["functions"].items()} == {
        k: Decimal(v) for k, v in {
            "2013801": "3683.00", "2013802": "60.00", "2013806": "370.00", "2013808": "420.00", "2013815": "980.00",
            "2050305": "1787.60", "2050803": "150.00", "2080501": "126.00", "2080502": "58.00", "2080504": "38.50",
            "2080505": "638.80", "2080506": "255.50", "2101101": "236.80", "2101102": "96.80",
            "2210201": "490.80"}.items()}


def test_last_year_by_item_typed_in_yuan_is_read_in_wan(tmp_path):
    from budgetgen.pipeline import load

    (tmp_path / "d.yaml").write_text(
        'budget_year: 2019\namount_unit: 元\ndepartment:\n  code: "305"\n  name: 某局\n  duties: [负责]\n'
        '  last_year: {project: 0, basic: 1234500.00, functions: {"2010101": 1234500.00}}\n'
        'units:\n  - code: "305001"\n    name: 某局本级\n    nature: 行政\n'
        '    basic: [{function: "2010101", economic: "30101", amount: 1300000.00}]\n', encoding="utf-8")
    budget = load(tmp_path)
    assert budget.department.last_year.functions == {"2010101": Decimal("123.45")}


def test_a_new_department_under_the_profile_reads_right(tmp_path):
    """`budgetgen init` then `profile: 江苏省级`: validates clean and renders; its one project, named 示例项目, is not
    printed as “示例项目项目”."""
    folder = tmp_path / "dept"
    assert main(["init", str(folder), "--year", "2024", "--code", "201", "--name", "某某局"]) == 0
    path = folder / "department.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("\n  options:\n") == 1
    path.write_text(text.replace("\n  options:\n", "\n  options:\n    profile: 江苏省级\n"), encoding="utf-8")
    _, findings = validate(folder)
    assert not findings
    assert main(["render", str(folder), "--format", "html", "--out", str(tmp_path / "out")]) == 0
    page = (tmp_path / "out" / "dept.html").read_text(encoding="utf-8")
    assert "主要用于示例项目。" in page and "示例项目项目" not in page
    assert "第三部分 某某局2024年部门预算情况说明" in page


def test_texts_a_profile_does_not_print_are_named():
    """The Shanghai sample's uses and 项目经费情况说明 under 江苏省级 (which prints uses but has no 七), and the Jiangsu
    sample's reasons by 项 under 河北县级 (which prints neither): each named once, at its line; under their own
    profiles, nothing."""
    from budgetgen import profiles

    shanghai = SAMPLES / "shanghai-street-2025"
    _, findings = validate(shanghai, profiles.BUILTIN / "江苏省级")
    found = [f for f in findings if f.code == "text-not-printed"]
    assert len(found) == 1 and "项目经费情况说明" in found[0].message and "江苏省级" in found[0].message
    assert found[0].file.endswith(".yaml") and found[0].line
    _, findings = validate(SAMPLE, profiles.BUILTIN / "河北县级")
    found = [f for f in findings if f.code == "text-not-printed"]
    assert len(found) == 1 and "reasons.functions" in found[0].message and found[0].file.endswith("department.yaml")
    for sample in (shanghai, SAMPLE):
        _, findings = validate(sample)
        assert not [f for f in findings if f.code == "text-not-printed"]
