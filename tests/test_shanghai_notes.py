"""上海区级's explanatory text (issue 13): 七 项目经费情况说明 (department document only), 预算编制说明 item by item
with the clerk's words and the 财政拨款 change against last year, and 六（五）国有资产 unit by unit — on
samples/shanghai-street-2025 rendered to HTML and read back. Every figure below is computed by hand from the
sample's YAML (in 元; the notes print 万元) and written as a literal; the wording follows ../shared/profiles.md
("Shanghai district"). Also: the warnings a clerk gets for a half-described project and for a 项 code the document
does not list (file and line), and that the Hebei profile's output does not change with the new fields."""

from __future__ import annotations

import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from budgetgen.cli import main
from budgetgen.errors import Severity
from budgetgen.pipeline import validate
from render_util import SAMPLES

SAMPLE = SAMPLES / "shanghai-street-2025"
NAME = "上海市普陀区人民政府澄溪街道办事处"


class _Text(HTMLParser):
    """The headings (h1–h6) and paragraphs of a rendered disclosure, in order, as (tag, text); tables skipped."""

    def __init__(self):
        super().__init__()
        self.blocks: list[tuple[str, str]] = []
        self._open: str | None = None
        self._text: list[str] = []
        self._tables = 0

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._tables += 1
        elif not self._tables and tag in ("p", "h1", "h2", "h3", "h4", "h5", "h6"):
            self._open, self._text = tag, []

    def handle_endtag(self, tag):
        if tag == "table":
            self._tables -= 1
        elif tag == self._open:
            self.blocks.append((tag, "".join(self._text).strip()))
            self._open = None

    def handle_data(self, data):
        if self._open:
            self._text.append(data)


def render_html(folder: Path, out: Path) -> list[tuple[str, str]]:
    assert main(["render", str(folder), "--format", "html", "--out", str(out)]) == 0
    parser = _Text()
    parser.feed((out / f"{folder.name}.html").read_text(encoding="utf-8"))
    return parser.blocks


def texts(blocks: list[tuple[str, str]]) -> list[str]:
    return [text for _, text in blocks]


def section(blocks: list[tuple[str, str]], title: str) -> list[str]:
    """The texts after the heading `title` up to the next heading of the same tag (or the end)."""
    tags = [tag for tag, text in blocks if text == title]
    assert tags, f"no heading {title}"
    start = texts(blocks).index(title)
    out = []
    for tag, text in blocks[start + 1:]:
        if tag == tags[0]:
            break
        out.append(text)
    return out


@pytest.fixture(scope="module")
def department(tmp_path_factory) -> list[tuple[str, str]]:
    return render_html(SAMPLE, tmp_path_factory.mktemp("sh-html"))


def copy_sample(tmp_path: Path) -> Path:
    folder = tmp_path / SAMPLE.name
    shutil.copytree(SAMPLE, folder)
    return folder


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def line_of(path: Path, start: str) -> int:
    """The 1-based number of the line of `path` that starts (after its indentation) with `start`."""
    lines = path.read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, start=1) if line.strip().startswith(start))


def warnings(folder: Path, code: str) -> list:
    budget, findings = validate(folder)
    assert budget is not None and not [f for f in findings if f.severity is Severity.error]
    return [f for f in findings if f.code == code]


# --- 四 预算编制说明 ---------------------------------------------------------------------------------------------

# 财政拨款收入 = every 一般公共预算 line (no fund or state-capital money in the sample): basic lines of the three units
# 26,925,000.00 + 7,165,300.00 + 4,009,500.00 = 38,099,800.00 … plus projects 3,450,000 + 2,860,000 + 1,680,000
# + 220,000 + 180,000 + 1,050,000 + 1,860,000 + 2,350,000 = 13,650,000 → 40,554,900.00 元 = 4055.49 万元; 事业收入
# 120,000 + 60,000 + 200,000 = 380,000 元 = 38.00 万元. last_year.appropriation 39,298,800.00 元 = 3929.88 万元:
# 增加 125.61 万元, for 收入 and 支出 alike (no 上年结转).
INCOME = (f"2025年，{NAME}收入预算4093.49万元，其中：财政拨款收入4055.49万元，比2024年预算增加125.61万元；"
          "事业收入38.00万元；事业单位经营收入0.00万元；其他收入0.00万元。")
SPENDING = ("支出预算4093.49万元，其中：财政拨款支出预算4055.49万元，比2024年预算增加125.61万元。财政拨款支出预算中，"
            "一般公共预算拨款支出预算4055.49万元；政府性基金拨款支出预算0.00万元；国有资本经营预算拨款支出预算0.00万元。")
REASON = ("财政拨款收入支出增加的主要原因是居民区工作经费标准提高、新增执法执勤用车更新，以及城市网格化管理运行经费按实际"
          "需要调整。")


def test_appropriation_against_last_year(department):
    body = section(department, "四、预算编制说明")
    assert body[:3] == [INCOME, SPENDING, REASON]


def test_items_with_the_clerks_words_and_generated_ones(department):
    body = section(department, "四、预算编制说明")
    items = body[body.index("财政拨款支出主要内容如下：") + 1:]
    assert len(items) == 17  # the sample's 17 function 项 with appropriated money
    # 2010301 行政运行: the 本级's basic lines, 人员 11,742,300 + 公用 1,721,900 = 13,464,200 元 = 1346.42 万元
    assert items[0] == ("1.“一般公共服务支出（类）政府办公厅（室）及相关机构事务（款）行政运行（项）”科目1346.42万元，"
                        "主要用于保障街道办事处机关在职人员工资福利、社会保障缴费，以及办公、水电、物业管理等日常运转支出。")
    # 2010302: no words written, the generated ones (the project 执法执勤用车更新, 220,000 元)
    assert items[1] == ("2.“一般公共服务支出（类）政府办公厅（室）及相关机构事务（款）一般行政管理事务（项）”科目22.00万元，"
                        "主要用于执法执勤用车更新等项目支出。")
    # 2080208: 居民区工作经费 3,450,000 + 社区综合治理经费 2,860,000 = 6,310,000 元
    assert items[4] == ("5.“社会保障和就业支出（类）民政管理事务（款）基层政权建设和社区治理（项）”科目631.00万元，"
                        "主要用于居民区工作经费和社区综合治理经费，保障居民区自治共治和群租整治、物业纠纷调解等社区治理工作。")
    # 2120501: 街面环境综合整治 2,350,000 元 (before 2210201 住房公积金, the last)
    assert items[15] == ("16.“城乡社区支出（类）城乡社区环境卫生（款）城乡社区环境卫生（项）”科目235.00万元，"
                         "主要用于背街小巷和沿街商铺的环境保洁，以及乱设摊、违规户外广告的整治。")


def test_without_last_years_appropriation_the_total_is_compared(tmp_path):
    folder = copy_sample(tmp_path)
    edit(folder / "department.yaml", "    appropriation: 39298800.00", "    # appropriation: 39298800.00")
    body = section(render_html(folder, tmp_path / "out"), "四、预算编制说明")
    # last year 24,186,500 + 2,512,300 + 12,960,000 = 39,658,800 元; this year 40,934,900 元: 增加 127.61 万元
    assert body[0] == (f"2025年，{NAME}收入预算4093.49万元，其中：财政拨款收入4055.49万元；事业收入38.00万元；"
                       "事业单位经营收入0.00万元；其他收入0.00万元。")
    assert body[1].startswith("支出预算4093.49万元，比2024年预算增加127.61万元，其中：财政拨款支出预算4055.49万元。")
    assert body[2].startswith("增加的主要原因是居民区工作经费标准提高")


def test_a_change_of_the_appropriation_without_a_reason_is_a_warning(tmp_path):
    folder = copy_sample(tmp_path)
    edit(folder / "department.yaml", "    total: 居民区工作经费标准提高、新增执法执勤用车更新，以及城市网格化管理运行经费按实际需要调整\n",
         "")
    found = [f for f in warnings(folder, "change-without-reason") if "财政拨款" in f.message]
    assert [f.message for f in found] == ["财政拨款支出比上年增加125.61万元，但没有说明原因"]
    assert "reasons.total" in found[0].fix


def test_a_use_for_a_code_the_document_does_not_list_is_a_positioned_warning(tmp_path):
    folder = copy_sample(tmp_path)
    department_file = folder / "department.yaml"
    # 2120502 has no money in the sample; 2010350 事业运行 does (the 受理中心): only the first is found
    edit(department_file, '    "2120501":', '    "2120502": 城市管理\n    "2010350": 受理中心的运转\n    "2120501":')
    found = warnings(folder, "use-not-listed")
    assert len(found) == 1
    finding = found[0]
    assert Path(finding.file).name == "department.yaml"
    assert finding.line == line_of(department_file, '"2120502"')
    assert finding.path == "department.uses.2120502"
    assert "2120502" in finding.message and "不会印出" in finding.message
    assert finding.fix.startswith("是否为 2120501 城乡社区环境卫生")


# --- 七 项目经费情况说明 -----------------------------------------------------------------------------------------

# The described projects (an overview written), in the sample's order (project_order: 编码): 01, 06, 08.
PROJECTS = ["（一）居民区工作经费", "（二）社区事务受理窗口运行维护", "（三）街面环境综合整治"]
LABELS = ["项目概述", "立项依据", "实施主体", "实施方案", "实施周期", "年度预算安排", "绩效目标"]


def test_major_projects_after_six(department):
    headings = [text for tag, text in department if tag.startswith("h")]
    assert headings.index("七、项目经费情况说明") > headings.index("（五）国有资产占有使用及新增资产配置预算情况")
    body = section(department, "七、项目经费情况说明")
    assert [text for text in body if text.startswith("（")] == PROJECTS
    for project in PROJECTS:
        items = section(department, project)
        assert [item.split("：", 1)[0] for item in items] == [f"{n}.{label}" for n, label in enumerate(LABELS, 1)]


def test_a_major_projects_seven_items(department):
    items = section(department, "（二）社区事务受理窗口运行维护")
    # implementer not written: the project's unit (147002)
    assert items[2] == "3.实施主体：上海市普陀区澄溪街道社区事务受理服务中心。"
    assert items[4] == "5.实施周期：2025年1月至12月。"
    # amounts: 1,050,000 元 一般公共预算 + 200,000 元 事业收入 = 1,250,000 元: two sources, each named
    assert items[5] == "6.年度预算安排：2025年安排125.00万元，其中：一般公共预算拨款105.00万元，事业收入20.00万元。"
    assert items[6] == "7.绩效目标：保障社区事务受理窗口和自助终端正常运行，“一网通办”事项全覆盖。"
    items = section(department, "（一）居民区工作经费")
    assert items[2] == f"3.实施主体：{NAME}（本级）。"
    assert items[5] == "6.年度预算安排：2025年安排345.00万元。"  # one source: no split
    assert items[6] == ("7.绩效目标：保障辖区23个居民区正常运转，居民区工作经费按标准足额拨付；"
                        "支持居民区开展自治共治项目，提升社区治理水平。")
    items = section(department, "（三）街面环境综合整治")
    assert items[2] == "3.实施主体：上海市普陀区澄溪街道城市运行管理中心（会同街道社区管理办公室）。"  # written
    assert items[5] == "6.年度预算安排：2025年安排235.00万元。"


def test_no_major_project_is_one_sentence(tmp_path):
    folder = copy_sample(tmp_path)
    for path in (folder / "projects").glob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        path.write_text("\n".join(line for line in text.split("\n") if not line.startswith("    overview:")),
                        encoding="utf-8")
    blocks = render_html(folder, tmp_path / "out")
    assert section(blocks, "七、项目经费情况说明") == [f"2025年{NAME}无需要单独说明的重大项目经费。"]


def test_a_unit_document_has_no_seven(tmp_path):
    """社区事务受理服务中心 published alone (单位预算), with its described project: no 七."""
    folder = tmp_path / "受理中心"
    (folder / "units").mkdir(parents=True)
    (folder / "projects").mkdir()
    text = (SAMPLE / "department.yaml").read_text(encoding="utf-8")
    text = text.replace("    profile: 上海区级\n", "    profile: 上海区级\n    document: 单位预算\n")
    (folder / "department.yaml").write_text(text, encoding="utf-8")
    shutil.copy(SAMPLE / "units" / "02-社区事务受理服务中心.yaml", folder / "units")
    shutil.copy(SAMPLE / "projects" / "06-社区事务受理窗口运行维护.yaml", folder / "projects")
    blocks = render_html(folder, tmp_path / "out")
    headings = [text for tag, text in blocks if tag.startswith("h")]
    assert "六、其他相关情况说明" in headings
    assert not [text for text in texts(blocks) if "七、" in text or "项目经费情况说明" in text or "项目概述" in text]
    # one unit: no per-unit asset lines either
    assert "其中，各预算单位情况如下：" not in texts(blocks)


def test_a_half_described_project_is_a_positioned_warning(tmp_path):
    folder = copy_sample(tmp_path)
    grid = folder / "projects" / "07-城市网格化管理运行经费.yaml"  # basis and period, no overview, no approach
    edit(grid, "    purpose: 网格巡查", "    basis: 《上海市城市网格化管理办法》\n    period: 2025年1月至12月\n    purpose: 网格巡查")
    elderly = folder / "projects" / "03-为老服务补贴.yaml"  # an overview only
    edit(elderly, "    purpose: 为辖区", "    overview: 为高龄独居老人提供助餐和居家养老服务补贴\n    purpose: 为辖区")
    found = {Path(f.file).name: f for f in warnings(folder, "project-half-described")}
    assert set(found) == {grid.name, elderly.name}
    first = found[grid.name]
    assert first.line == line_of(grid, "basis:") and first.path == "projects[0].basis"
    assert "项目概述（overview）、实施方案（approach）" in first.message and "不列入" in first.message
    second = found[elderly.name]
    assert second.line == line_of(elderly, "overview:")
    assert "立项依据（basis）、实施方案（approach）、实施周期（period）" in second.message
    assert "implementer" not in second.message  # the unit's name stands in for it
    # the described one is printed with what it has; the other not at all
    blocks = render_html(folder, tmp_path / "out")
    projects = [text for text in section(blocks, "七、项目经费情况说明") if text.startswith("（")]
    assert projects == ["（一）居民区工作经费", "（二）为老服务补贴", "（三）社区事务受理窗口运行维护", "（四）街面环境综合整治"]
    assert [item.split("：", 1)[0] for item in section(blocks, "（二）为老服务补贴")] == [
        "1.项目概述", "2.实施主体", "3.年度预算安排", "4.绩效目标"]


# --- 六（五）国有资产 ----------------------------------------------------------------------------------------------

def test_assets_unit_by_unit(department):
    body = section(department, "（五）国有资产占有使用及新增资产配置预算情况")
    # vehicles by use: 本级 1 + 1 + 3, 城运中心 2 特种; equipment ≥ 100 万元: 城运中心 1, 1,280,000 元
    assert body[:5] == [
        f"截至2024年8月31日，{NAME}及所属各预算单位共有车辆7辆，其中：主要领导干部用车1辆，应急保障用车1辆，执法执勤用车3辆，"
        "特种专业技术用车2辆；单位价值100万元（含）以上设备1台（套），价值128.00万元。",
        "其中，各预算单位情况如下：",
        f"1.{NAME}（本级）共有车辆5辆，其中：主要领导干部用车1辆，应急保障用车1辆，执法执勤用车3辆；"
        "单位价值100万元（含）以上设备0台（套）。",
        "2.上海市普陀区澄溪街道社区事务受理服务中心共有车辆0辆；单位价值100万元（含）以上设备0台（套）。",
        "3.上海市普陀区澄溪街道城市运行管理中心共有车辆2辆，其中：特种专业技术用车2辆；"
        "单位价值100万元（含）以上设备1台（套），价值128.00万元。",
    ]
    assert body[5] == f"2025年{NAME}拟新购置固定资产22.00万元。"


# --- the Hebei profile --------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["julu-2023", "hebei-township-2025"])
def test_the_new_fields_change_nothing_in_the_hebei_profiles(name, tmp_path):
    """The seeds' sample (and the 2025 township) with every new field written renders byte for byte as without."""
    folder = tmp_path / "new" / name
    shutil.copytree(SAMPLES / name, folder)
    department = folder / "department.yaml"
    text = department.read_text(encoding="utf-8")
    assert "\n  options:" in text or "\n  reasons:" in text
    anchor = "\n  options:" if "\n  options:" in text else "\n  reasons:"
    text = text.replace(anchor, '\n  uses: {"2013101": 保障机关运转}' + anchor, 1)
    if "\n  last_year:\n" in text:
        text = text.replace("\n  last_year:\n", "\n  last_year:\n    appropriation: 100.00\n", 1)
    department.write_text(text, encoding="utf-8")
    project = sorted((folder / "projects").glob("*.yaml"))[0]
    text = project.read_text(encoding="utf-8")
    head, rest = text.split("  - name: ", 1)
    name_line, after = rest.split("\n", 1)
    project.write_text(head + "  - name: " + name_line + "\n    overview: 概述\n    basis: 依据\n    implementer: 主体\n"
                       "    approach: 方案\n    period: 2025年\n" + after, encoding="utf-8")
    before = tmp_path / "before"
    after_out = tmp_path / "after"
    assert main(["render", str(SAMPLES / name), "--format", "html,json", "--out", str(before)]) == 0
    assert main(["render", str(folder), "--format", "html,json", "--out", str(after_out)]) == 0
    for ext in ("html", "json"):
        assert (after_out / f"{name}.{ext}").read_bytes() == (before / f"{name}.{ext}").read_bytes(), ext


# --- new-year -------------------------------------------------------------------------------------------------------

def test_new_year_carries_the_appropriation_where_it_is_written(tmp_path):
    """This year's 财政拨款收入 (40,554,900.00 元, as typed) becomes next year's last_year.appropriation; a department
    that never wrote one (巨鹿) is not given one."""
    assert main(["new-year", str(SAMPLE), "--out", str(tmp_path / "sh")]) == 0
    text = (tmp_path / "sh" / "department.yaml").read_text(encoding="utf-8")
    block = text.split("  last_year:", 1)[1].split("  reasons:", 1)[0]
    assert "    appropriation: 40554900.00\n" in block
    assert main(["new-year", str(SAMPLES / "julu-2023"), "--out", str(tmp_path / "julu")]) == 0
    assert "appropriation" not in (tmp_path / "julu" / "department.yaml").read_text(encoding="utf-8")
