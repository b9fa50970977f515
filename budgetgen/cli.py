"""Command line: budgetgen validate | render | check | init | new-year | import | preview | profile | schema. Messages are in Chinese."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import NoReturn

from . import __version__, writers
from .errors import Finding, InputError, Severity, UsageError, summary


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:  # argparse exits 2 on bad usage; say it in Chinese
        self.print_usage(sys.stderr)
        raise UsageError(f"命令用法有误：{message}。运行 budgetgen {self.prog.split()[-1]} --help 查看用法")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="budgetgen", description="部门预算公开文件生成工具：由 YAML 预算数据计算各表并生成公开文件。")
    p.add_argument("--version", action="version", version=f"budgetgen {__version__}")
    sub = p.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)

    v = sub.add_parser("validate", help="检查部门预算数据，列出全部错误和警告")
    v.add_argument("paths", nargs="+", type=Path, metavar="路径", help="部门目录或 YAML 文件")
    v.add_argument("--format", choices=["text", "json"], default="text", help="输出格式（默认 text）")
    v.add_argument("--templates", type=Path, default=None, metavar="目录",
                   help="同时检查将用于生成的自定义模板目录（符号链接、语法、§ 结构行）")
    v.add_argument("--profile", default=None, metavar="格式",
                   help="按这个公开格式检查：内置格式名称或格式目录（代替部门数据和 公开格式.yaml 所指的格式）")

    r = sub.add_parser("render", help="生成部门预算公开文件（可一次处理多个部门）")
    r.add_argument("paths", nargs="+", type=Path, metavar="路径",
                   help="部门目录或 YAML 文件；也可以是包含多个部门目录的上级目录")
    r.add_argument("--format", default=None, metavar="格式",
                   help=f"逗号分隔，可选 {','.join(writers.available())}；省略则生成 {','.join(writers.defaults())}")
    r.add_argument("--out", type=Path, default=Path("out"), metavar="目录", help="输出目录（默认 out/）")
    r.add_argument("--templates", type=Path, default=None, metavar="目录",
                   help="自定义模板目录，按文件覆盖内置模板（notes/、html/）")
    r.add_argument("--profile", default=None, metavar="格式",
                   help="公开格式：内置格式名称（如 河北县级）或格式目录；代替部门数据和 公开格式.yaml 所指的格式")
    r.add_argument("--pdf-variant", default=None, metavar="变体",
                   help="PDF 归档/无障碍变体，如 pdf/a-3b、pdf/ua-1（交给 WeasyPrint）")
    r.add_argument("--jobs", type=int, default=None, metavar="N", help="同时处理的部门数（默认等于 CPU 核数）")
    r.add_argument("--units", action="store_true",
                   help="另为每个所属单位生成本单位的单位预算（文件名为 部门目录名-单位编码-单位名称）")

    c = sub.add_parser("check", help="检查多个部门，生成汇总报告（HTML、CSV、JSON）")
    c.add_argument("paths", nargs="+", type=Path, metavar="路径", help="部门目录，或包含多个部门目录的上级目录")
    c.add_argument("--out", type=Path, default=Path("out"), metavar="目录", help="报告输出目录（默认 out/）")
    c.add_argument("--format", default="html,csv,json", metavar="格式", help="报告格式，逗号分隔：html,csv,json")
    c.add_argument("--jobs", type=int, default=None, metavar="N", help="同时检查的部门数（默认等于 CPU 核数）")

    i = sub.add_parser("init", help="新建一个部门目录（带注释的示例数据，可直接通过检查）")
    i.add_argument("path", type=Path, metavar="目录", help="新部门目录（不存在或为空）")
    i.add_argument("--year", type=int, default=None, metavar="年度", help="预算年度（默认：下半年为明年，上半年为今年）")
    i.add_argument("--code", default="101", metavar="编码", help="部门编码（默认 101）")
    i.add_argument("--name", default="某某部门", metavar="名称", help="部门名称")

    n = sub.add_parser("new-year", help="由今年的部门目录生成下一年度的目录，今年的数字转入上年对比")
    n.add_argument("path", type=Path, metavar="目录", help="今年的部门目录")
    n.add_argument("--out", type=Path, default=None, metavar="目录", help="新目录（默认在旁边，名称中的年份加一）")

    pv = sub.add_parser("preview", help="在本机浏览器中预览公开文件，保存 YAML 后页面自动刷新")
    pv.add_argument("path", type=Path, metavar="路径", help="部门目录或 YAML 文件")
    pv.add_argument("--port", type=int, default=8000, metavar="端口", help="端口（默认 8000；0 表示任选空闲端口）")
    pv.add_argument("--host", default="127.0.0.1", metavar="地址", help="监听地址（默认 127.0.0.1，只有本机能访问）")
    pv.add_argument("--templates", type=Path, default=None, metavar="目录", help="自定义模板目录，修改后页面也会自动刷新")
    pv.add_argument("--open", action="store_true", help="启动后用默认浏览器打开预览页面")

    im = sub.add_parser("import", help="由预算系统导出的明细表（XLSX、CSV）生成或更新部门目录")
    im.add_argument("files", nargs="+", type=Path, metavar="文件", help="导出的 .xlsx 或 .csv 文件（可多个）")
    im.add_argument("--out", type=Path, required=True, metavar="目录",
                    help="部门目录：不存在时新建；已存在时只更新金额，手写的文字保留")
    im.add_argument("--unit", choices=["元", "千元", "万元"], default=None, help="表中金额的单位（表中未写明时必须指定）")
    im.add_argument("--year", type=int, default=None, metavar="年度", help="预算年度（表中未写明时指定）")
    im.add_argument("--code", default=None, metavar="编码", help="部门编码（新建目录且表中未写明时指定）")
    im.add_argument("--name", default=None, metavar="名称", help="部门名称（新建目录且表中未写明时指定）")
    im.add_argument("--level", default="县级", choices=["乡镇级", "县级", "区级", "市级", "省级"],
                    help="政府层级（新建目录时使用，默认县级）")
    im.add_argument("--map", type=Path, default=None, metavar="文件", help="列名映射文件（YAML），用于表头写法特殊的导出表")

    pf = sub.add_parser("profile", help="复制一个内置公开格式（表式、措辞），供本地修改；不带参数则列出内置格式")
    pf.add_argument("name", nargs="?", default=None, metavar="格式", help="内置格式名称，如 河北县级")
    pf.add_argument("--out", type=Path, default=None, metavar="目录", help="新格式目录（不存在或为空）")

    s = sub.add_parser("schema", help="输出 YAML 数据（或公开格式 profile.yaml）的 JSON Schema")
    s.add_argument("--out", type=Path, default=None, metavar="文件", help="写入文件（默认打印到屏幕）")
    s.add_argument("--profile", action="store_true", help="输出公开格式文件 profile.yaml 的 Schema（默认：部门数据）")
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.command is None:
            _parser().print_help()
            return 2
        commands = {"validate": cmd_validate, "render": cmd_render, "schema": cmd_schema, "check": cmd_check,
                    "init": cmd_init, "new-year": cmd_new_year, "profile": cmd_profile, "preview": cmd_preview, "import": cmd_import}
        return commands[args.command](args)
    except UsageError as exc:
        print(f"budgetgen: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("budgetgen: 已中断，未写出不完整的文件。", file=sys.stderr)
        return 130
    except OSError as exc:  # e.g. a full disk while `schema --out` or `init` writes: named, not a traceback
        from .errors import describe_os_error

        print(f"budgetgen: {describe_os_error(exc)}", file=sys.stderr)
        return 1


def _print_findings(findings: list[Finding]) -> None:
    for f in findings:
        print(f.render(), file=sys.stderr)


def cmd_validate(args) -> int:
    from .pipeline import validate

    all_findings: list[Finding] = []
    if args.templates is not None:
        if not args.templates.is_dir():
            raise UsageError(f"模板目录不存在：{args.templates}")
        from .compose.notes import template_findings

        all_findings.extend(template_findings(args.templates))
    profile = _profile(args.profile)
    for path in args.paths:
        _, findings = validate(path, profile)
        all_findings.extend(findings)
    failed = any(f.severity is Severity.error for f in all_findings)
    if args.format == "json":
        json.dump({"ok": not failed, "findings": [f.as_dict() for f in all_findings]}, sys.stdout,
                  ensure_ascii=False, indent=1)
        print()
    else:
        _print_findings(all_findings)
        names = "、".join(str(p) for p in args.paths)
        verdict = "未通过检查" if failed else "检查通过"
        print(f"{names}：{verdict}（{summary(all_findings)}）")
    return 1 if failed else 0


def _profile(text: str | None) -> Path | None:
    """--profile: a built-in profile's name or a profile folder (UsageError, with the built-in names, when neither)."""
    from . import profiles

    if text is None:
        return None
    folder = profiles.locate(text)
    if not (folder / profiles.DATA_FILE).is_file():
        raise UsageError(f"--profile {text}：不是内置公开格式，也不是含 {profiles.DATA_FILE} 的格式目录。"
                         f"内置格式有：{'、'.join(profiles.builtins())}")
    return folder


def _formats(text: str | None) -> list[str]:
    if text is None:
        return writers.defaults()
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in writers.available()]
    if unknown or not names:
        raise UsageError(f"未知的输出格式 {'、'.join(unknown) or '（空）'}；可选：{','.join(writers.available())}")
    return list(dict.fromkeys(names))


def cmd_render(args) -> int:
    formats = _formats(args.format)
    if args.templates is not None and not args.templates.is_dir():
        raise UsageError(f"模板目录不存在：{args.templates}")
    if args.pdf_variant is not None and "pdf" not in formats:
        raise UsageError("--pdf-variant 只用于 PDF 输出，请同时指定 --format pdf")
    # before anything is read or written: a format's own needs (PDF: a Chinese font, a known variant)
    writers.preflight(formats, writers.Options(templates=args.templates, pdf_variant=args.pdf_variant))
    from functools import partial

    from . import batch
    from .writers import output_stem

    profile = _profile(args.profile)
    departments = _departments(args.paths)
    work = partial(batch.render_one, out=args.out, formats=formats, templates=args.templates,
                   pdf_variant=args.pdf_variant, stem_of=output_stem, profile=profile, units=args.units)
    single = len(departments) == 1
    outcomes = batch.run_unique(departments, work, args.jobs or batch.default_jobs(),
                                (lambda o: None) if single else _progress(departments, "生成"))
    if single:
        return _report_one(departments[0], outcomes[0])
    failed = [o for o in outcomes if o.failed]
    warned = sum(len(o.warnings) for o in outcomes)
    print(f"共 {len(outcomes)} 个部门：成功 {len(outcomes) - len(failed)} 个，失败 {len(failed)} 个；警告 {warned} 条。"
          f"输出目录：{args.out}")
    for o in failed:
        print(f"  失败：{o.path}：{o.failure}", file=sys.stderr)
    for o in outcomes:  # the year's list stood in for by another: every department that it concerns, by name
        for f in o.findings:
            if f.code in YEAR_WARNINGS:
                print(f"  注意：{o.name or o.path}：{f.message}", file=sys.stderr)
    # which departments to look at, not just how many warnings (the year's-list ones are named just above)
    warned_outcomes = [o for o in outcomes if not o.failed and any(f.code not in YEAR_WARNINGS for f in o.warnings)]
    for o in warned_outcomes:
        first = next(f for f in o.warnings if f.code not in YEAR_WARNINGS)
        print(f"  警告 {len(o.warnings)} 条：{o.name or o.path}（首条：{first.render()}）", file=sys.stderr)
    if warned_outcomes:
        paths = " ".join(str(p) for p in args.paths)
        print(f"  各部门的全部警告：budgetgen validate <部门目录>，或全县汇总报告：budgetgen check {paths}",
              file=sys.stderr)
    return 1 if failed else 0


YEAR_WARNINGS = ("catalog-fallback", "catalog-provisional")


def _report_one(department, outcome) -> int:
    """One department: its findings and files in full, as `render` of a single folder always printed them."""
    _print_findings(outcome.findings)
    for path in outcome.written:
        print(f"已生成 {path}")
    if outcome.failed:
        if outcome.errors:
            print(f"{department.path}：数据有错误，未生成任何文件（{summary(outcome.findings)}）", file=sys.stderr)
        else:
            print(f"budgetgen: {outcome.failure}", file=sys.stderr)
        return 1
    return 0


def _departments(paths: list[Path]) -> list:
    """The departments under the given paths; none at all is a usage error."""
    from . import batch

    skipped: list[batch.Skipped] = []
    departments = batch.discover(paths, skipped)
    for item in skipped:  # a symlink loop or a second way into a folder: said, and each department done once
        print(f"注意：{item.render()}", file=sys.stderr)
    if not departments:
        raise UsageError("在给定路径下没有找到任何部门（含 .yaml 文件的目录）")
    return departments


def _progress(departments: list, label: str):
    """A callback that steps a progress line as each department's outcome comes back."""
    from .progress import Progress

    progress = Progress(len(departments), label)
    return lambda o: progress.step(o.name or o.path, o.failed)


def cmd_check(args) -> int:
    from . import batch
    from .report import write_report

    formats = [f.strip() for f in args.format.split(",") if f.strip()]
    if not formats or set(formats) - {"html", "csv", "json"}:
        raise UsageError(f"报告格式只能是 html、csv、json，实际为 {args.format}")
    departments = _departments(args.paths)
    outcomes = batch.run(departments, batch.check_one, args.jobs or batch.default_jobs(), _progress(departments, "检查"))
    batch.duplicate_departments(outcomes)
    try:
        report = write_report(outcomes, args.out, formats)
    except writers.CommitError as exc:
        print(f"budgetgen: 检查报告未生成：{batch.commit_failure(exc, args.out)}", file=sys.stderr)
        return 1
    except OSError as exc:
        from .errors import describe_os_error

        print(f"budgetgen: 检查报告未生成：{describe_os_error(exc)}；{batch.UNCHANGED.format(target=args.out)}",
              file=sys.stderr)
        return 1
    for path in report:
        print(f"已生成 {path}")
    failed = [o for o in outcomes if o.failed]
    print(f"共 {len(outcomes)} 个部门：通过 {len(outcomes) - len(failed)} 个，未通过 {len(failed)} 个；"
          f"错误 {sum(len(o.errors) for o in outcomes)} 条，警告 {sum(len(o.warnings) for o in outcomes)} 条。")
    return 1 if failed else 0


def cmd_init(args) -> int:
    from . import catalog
    from .pipeline import validate
    from .scaffold import ScaffoldError, init

    year = args.year or _budget_year_now(catalog.available_years())
    try:
        files = init(args.path, year, args.code, args.name)
    except ScaffoldError as exc:
        raise UsageError(str(exc)) from None
    for path in files:
        print(f"已创建 {path}")
    if not args.year:
        print(f"预算年度：{year}（如不对，请改 department.yaml 中的 budget_year，或用 --year 重新创建）")
    _, findings = validate(args.path)
    _print_findings(findings)
    print(f"下一步：修改 {args.path} 中的数据，然后运行 budgetgen validate {args.path}")
    return 1 if any(f.severity is Severity.error for f in findings) else 0


def _budget_year_now(years: list[int]) -> int:
    """The year a clerk is most likely preparing: next year's budget from July on (budgets are drawn up in the
    second half of the year before), within the years budgetgen has lists for."""
    import datetime

    today = datetime.date.today()
    return max(years[0], min(today.year + (today.month >= 7), years[-1]))


def cmd_new_year(args) -> int:
    from .scaffold import ScaffoldError, new_year

    try:
        target, notes = new_year(args.path, args.out)
    except InputError as exc:
        _print_findings(exc.findings)
        print(f"{args.path}：今年的数据有错误，请先改正再生成下一年度目录", file=sys.stderr)
        return 1
    except ScaffoldError as exc:
        raise UsageError(str(exc)) from None
    except OSError as exc:  # built beside the target and moved in at the end: a failure leaves nothing behind
        from .errors import describe_os_error

        print(f"budgetgen: 未能生成下一年度目录：{describe_os_error(exc)}；没有留下任何文件，处理后可直接重试",
              file=sys.stderr)
        return 1
    print(f"已创建 {target}")
    for note in notes:
        print(f"  {note}")
    return 0


def cmd_import(args) -> int:
    from .importer import Request, run

    try:
        result = run(Request(args.files, args.out, args.unit, args.year, args.code, args.name, args.level, args.map))
    except InputError as exc:
        _print_findings(exc.findings)
        print(f"未导入：有 {summary(exc.findings)}，{args.out} 没有任何改动", file=sys.stderr)
        return 1
    warnings = [f for f in result.findings if f.code.startswith("import-")]
    _print_findings(warnings)
    for note in result.notes:
        print(f"  {note}")
    print(f"已导入 {args.out}：{result.lines} 笔明细，{result.units} 个单位，{result.projects} 个项目。"
          f"检查结果：{summary(result.findings)}（运行 budgetgen validate {args.out} 查看全部，补写标有“待填写”的文字）")
    return 0


def cmd_preview(args) -> int:
    from .preview import serve

    serve(args.path, host=args.host, port=args.port, templates=args.templates, open_browser=args.open)
    return 0


def cmd_profile(args) -> int:
    """List the built-in profiles, or copy one (with budgetgen's notes templates in notes/) to edit."""
    from . import profiles

    if args.name is None:
        for name in profiles.builtins():
            found, _ = profiles.load(profiles.BUILTIN / name, builtin=True)
            print(f"{name}\t{found.profile.description if found else ''}")
        return 0
    if args.name not in profiles.builtins():
        raise UsageError(f"没有名为“{args.name}”的内置公开格式；内置格式有：{'、'.join(profiles.builtins())}")
    if args.out is None:
        raise UsageError("请用 --out 指定新格式目录，例如 --out 公开格式/我县格式")
    written = profiles.copy(args.name, args.out)
    print(f"已复制公开格式 {args.name} 到 {args.out}（{len(written)} 个文件）。修改其中的 profile.yaml 和 notes/ 中的措辞后，"
          f"在部门数据的 options 中写 profile: <目录路径>，或在全县目录放一个 公开格式.yaml 写 profile: <目录路径>，"
          "或生成时加 --profile <目录>")
    return 0


def cmd_schema(args) -> int:
    from .schema import schema_text

    text = schema_text("profile" if args.profile else "budget")
    if args.out is None:
        sys.stdout.write(text)
    else:
        from .writers import atomic

        with atomic(args.out) as handle:
            handle.write(text)
        print(f"已写入 {args.out}")
    return 0
