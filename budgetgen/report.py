"""A county's check report: every department's findings and headline figures, as HTML, CSV and JSON."""

from __future__ import annotations

import csv
import io
import json
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

from . import fmt
from .batch import Outcome
from .writers import OutputSet, atomic
from .writers.data import csv_row

# Finding codes a finance bureau asks about first, with the question they answer.
HEADLINES = [
    ("missing-indicators", "缺少绩效指标的项目"),
    ("missing-level1", "绩效指标缺少一级指标"),
    ("cost-mismatch", "成本指标与项目预算不符"),
    ("cost-without-amount", "成本指标未写明金额"),
    ("change-without-reason", "预算增减未说明原因（含“三公”经费）"),
    ("quoted-figure", "文字中的数字与计算结果不符"),
    ("placeholder", "残留模板占位文字"),
    ("percent-over-100", "百分比超过 100%"),
    ("missing-last-year", "缺少上年预算数据"),
    ("catalog-fallback", "当年科目表暂缺，按最近年度科目表检查"),
    ("catalog-provisional", "当年科目尚未正式公布（暂定科目表）"),
    ("unknown-function-code", "功能分类科目不在 budgetgen 科目表中"),
    ("amount-looks-like-yuan", "金额疑似按元填写（文件为万元）"),
    ("duplicate-department", "部门编码与其他部门重复"),
]
FIGURES = [("total", "支出合计"), ("basic", "基本支出"), ("project", "项目支出"), ("sangong", "“三公”经费"),
           ("running", "机关运行经费")]


def report_data(outcomes: list[Outcome]) -> dict:
    passed = [o for o in outcomes if not o.failed and o.figures]
    sums = {key: fmt.money(sum((Decimal(o.figures[key]) for o in passed), Decimal(0))) for key, _ in FIGURES}
    by_code: dict[str, list[str]] = defaultdict(list)
    for o in outcomes:
        for f in o.findings:
            label = o.name or o.path
            if label not in by_code[f.code]:
                by_code[f.code].append(label)
    return {
        "departments": [{
            "path": o.path, "code": o.code, "name": o.name, "profile": o.profile, "status": "失败" if o.failed else "通过",
            "errors": len(o.errors), "warnings": len(o.warnings), "first_error": o.failure, "figures": o.figures,
            "findings": [f.as_dict() for f in o.findings],
        } for o in outcomes],
        "headlines": [{"code": code, "question": question, "departments": by_code.get(code, [])}
                      for code, question in HEADLINES],
        # counts over every department; figures over those that passed, whose own counts are given too, so that
        # the report's 合计 rows each say whom they add up (a failed department's figures are not trusted)
        "totals": {"departments": len(outcomes), "failed": sum(o.failed for o in outcomes),
                   "errors": sum(len(o.errors) for o in outcomes), "warnings": sum(len(o.warnings) for o in outcomes),
                   "passed_with_figures": len(passed), "figures": sums,
                   "passed_errors": sum(len(o.errors) for o in passed),
                   "passed_warnings": sum(len(o.warnings) for o in passed)},
    }


def write_report(outcomes: list[Outcome], out: Path, formats: list[str]) -> list[Path]:
    """The report in the given formats, replacing an earlier report as a whole (OutputSet) or not at all."""
    data = report_data(outcomes)
    with OutputSet(out) as staged:
        try:
            written = _write(data, staged.folder, formats)
        except OSError as exc:
            if exc.filename:
                exc.filename = str(staged.final(exc.filename))  # the file as the clerk knows it
            raise
        return staged.commit(written)


def _write(data: dict, out: Path, formats: list[str]) -> list[Path]:
    written = []
    if "json" in formats:
        path = out / "check-report.json"
        with atomic(path) as handle:
            json.dump(data, handle, ensure_ascii=False, indent=1)
        written.append(path)
    if "csv" in formats:
        path = out / "check-report.csv"
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(["部门编码", "部门名称", "目录", "级别", "文件", "行", "列", "位置", "问题", "建议", "类别"])
        for d in data["departments"]:  # names and messages quote the data: no cell may run as a formula
            for f in d["findings"]:
                writer.writerow(csv_row([d["code"], d["name"], d["path"], "错误" if f["severity"] == "error" else "警告",
                                         f["file"], f["line"], f["column"], f["path"], f["message"], f["fix"],
                                         f["code"]]))
            if d["first_error"] and not d["findings"]:
                writer.writerow(csv_row([d["code"], d["name"], d["path"], "错误", "", "", "", "", d["first_error"],
                                         "", ""]))
        with atomic(path, "wb") as handle:
            handle.write(buffer.getvalue().encode("utf-8-sig"))  # BOM: Excel opens it as UTF-8
        written.append(path)
    if "html" in formats:
        from .templating import environment

        env = environment("html", None, autoescape=True)
        html = env.get_template("report.html.j2").render(data=data, figures=FIGURES)
        path = out / "check-report.html"
        with atomic(path) as handle:
            handle.write(html)
        written.append(path)
    return written
