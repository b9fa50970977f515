"""Command line: budgetgen validate | render | schema. Messages for clerks are in Chinese."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

from . import __version__, writers
from .errors import Finding, InputError, Severity, UsageError


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse exits 2 on bad usage; say it in Chinese
        self.print_usage(sys.stderr)
        raise UsageError(f"命令用法有误：{message}。运行 budgetgen {self.prog.split()[-1]} --help 查看用法")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="budgetgen", description="部门预算公开文件生成工具：由 YAML 预算数据计算各表并生成公开文件。")
    p.add_argument("--version", action="version", version=f"budgetgen {__version__}")
    sub = p.add_subparsers(dest="command", metavar="命令", parser_class=_Parser)

    v = sub.add_parser("validate", help="检查部门预算数据，列出全部错误和警告")
    v.add_argument("paths", nargs="+", type=Path, metavar="路径", help="部门目录或 YAML 文件")
    v.add_argument("--format", choices=["text", "json"], default="text", help="输出格式（默认 text）")

    r = sub.add_parser("render", help="生成部门预算公开文件")
    r.add_argument("path", type=Path, metavar="路径", help="部门目录或 YAML 文件")
    r.add_argument("--format", default=None, metavar="格式",
                   help=f"逗号分隔，可选 {','.join(writers.available())}；省略则全部生成")
    r.add_argument("--out", type=Path, default=Path("out"), metavar="目录", help="输出目录（默认 out/）")
    r.add_argument("--templates", type=Path, default=None, metavar="目录",
                   help="自定义模板目录，按文件覆盖内置模板（notes/、html/）")
    r.add_argument("--pdf-variant", default=None, metavar="变体",
                   help="PDF 归档/无障碍变体，如 pdf/a-3b、pdf/ua-1（交给 WeasyPrint）")

    s = sub.add_parser("schema", help="输出 YAML 数据的 JSON Schema")
    s.add_argument("--out", type=Path, default=None, metavar="文件", help="写入文件（默认打印到屏幕）")
    return p


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
        if args.command is None:
            _parser().print_help()
            return 2
        return {"validate": cmd_validate, "render": cmd_render, "schema": cmd_schema}[args.command](args)
    except UsageError as exc:
        print(f"budgetgen: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("budgetgen: 已中断，未写出不完整的文件。", file=sys.stderr)
        return 130


def _print_findings(findings: list[Finding]) -> None:
    for f in findings:
        print(f.render(), file=sys.stderr)


def _summary(findings: list[Finding]) -> str:
    errors = sum(f.severity is Severity.error for f in findings)
    warnings = len(findings) - errors
    return f"{errors} 个错误，{warnings} 个警告"


def cmd_validate(args) -> int:
    from .pipeline import validate

    all_findings: list[Finding] = []
    for path in args.paths:
        _, findings = validate(path)
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
        print(f"{names}：{verdict}（{_summary(all_findings)}）")
    return 1 if failed else 0


def _formats(text: str | None) -> list[str]:
    if text is None:
        return writers.available()
    names = [n.strip().lower() for n in text.split(",") if n.strip()]
    unknown = [n for n in names if n not in writers.available()]
    if unknown or not names:
        raise UsageError(f"未知的输出格式 {'、'.join(unknown) or '（空）'}；可选：{','.join(writers.available())}")
    return list(dict.fromkeys(names))


def cmd_render(args) -> int:
    from .pipeline import prepare

    formats = _formats(args.format)
    if args.templates is not None and not args.templates.is_dir():
        raise UsageError(f"模板目录不存在：{args.templates}")
    if args.pdf_variant is not None:
        from .writers.pdf import variants

        if args.pdf_variant not in variants():
            raise UsageError(f"未知的 PDF 变体 {args.pdf_variant}；可选：{'、'.join(variants())}")
        if "pdf" not in formats:
            raise UsageError("--pdf-variant 只用于 PDF 输出，请同时指定 --format pdf")
    if "pdf" in formats:
        from .writers.pdf import NoChineseFont, require_cjk_font

        try:
            require_cjk_font()  # before anything is written: no half set of outputs
        except NoChineseFont as exc:
            print(f"budgetgen: {exc}", file=sys.stderr)
            return 1
    try:
        doc, findings = prepare(args.path, args.templates)
    except InputError as exc:
        _print_findings(exc.findings)
        print(f"{args.path}：数据有错误，未生成任何文件（{_summary(exc.findings)}）", file=sys.stderr)
        return 1
    except Exception as exc:  # a user's template folder may hold anything
        return _render_failure(exc)
    _print_findings(findings)
    stem = output_stem(doc.source_name)
    written = []
    try:
        for name in formats:
            write = writers.get(name)
            kwargs = {"templates": args.templates} if name in ("html", "pdf", "docx") else {}
            if name == "pdf":
                kwargs["variant"] = args.pdf_variant
            written.extend(write(doc, args.out, stem, **kwargs))
    except Exception as exc:
        for path in written:
            print(f"已生成 {path}")
        return _render_failure(exc)
    for path in written:
        print(f"已生成 {path}")
    return 0


def output_stem(name: str) -> str:
    """A file name made from the department's folder name that cannot leave --out (no separators, no dots first)."""
    cleaned = re.sub(r"[\\/:*?\"<>|\x00-\x1f]", "_", name).lstrip(". ")
    return cleaned or "disclosure"


def _render_failure(exc: Exception) -> int:
    """Template and file-system failures, said plainly; nothing half-written is left (writers are atomic)."""
    import jinja2

    if isinstance(exc, jinja2.TemplateSyntaxError):
        message = f"模板 {exc.filename or exc.name} 第 {exc.lineno} 行有语法错误：{exc.message}"
    elif isinstance(exc, jinja2.exceptions.SecurityError):
        message = f"模板试图访问不允许的内容，已被安全沙箱阻止：{exc}"
    elif isinstance(exc, jinja2.UndefinedError):
        message = f"模板引用了不存在的数据：{exc.message}"
    elif isinstance(exc, jinja2.TemplateNotFound):
        message = f"找不到模板文件：{exc.name}"
    elif isinstance(exc, OSError):
        message = f"无法写入输出文件：{exc.filename or ''} {exc.strerror or exc}"
    else:
        raise exc
    print(f"budgetgen: {message}；未生成该文件，已有的旧文件保持不变。", file=sys.stderr)
    return 1


def cmd_schema(args) -> int:
    from .schema import schema_text

    text = schema_text()
    if args.out is None:
        sys.stdout.write(text)
    else:
        from .writers import atomic

        with atomic(args.out) as handle:
            handle.write(text)
        print(f"已写入 {args.out}")
    return 0
