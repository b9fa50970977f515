"""`budgetgen preview`: the disclosure on localhost, reloaded in the browser whenever a YAML file is saved.

Standard library only. A watcher thread polls the department's YAML files (and the --templates folder) for
changes and bumps a version; GET / renders the disclosure again only when the version moved; every page
carries a small script that listens on GET /events (Server-Sent Events) and reloads itself when the server's
version differs from the one the page was rendered at. When the data has errors, / shows them (HTTP 200) with
the same script, so saving the fixed file brings the disclosure back by itself.
"""

from __future__ import annotations

import errno
import html
import ipaddress
import os
import socket
import sys
import threading
import time
import webbrowser
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

from .errors import Finding, InputError, Severity, UsageError, describe_failure, summary

POLL_SECONDS = 0.5
KEEPALIVE_SECONDS = 15.0
# A connection that sends no request (or stops reading) within this time is closed, so idle or stalled clients
# cannot hold the server's threads; the event stream writes every KEEPALIVE_SECONDS, well within it.
REQUEST_TIMEOUT = 30.0
LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1"}

# The page listens for the server's version and reloads when it differs from the one it was rendered at.
# It records what it saw on <html data-preview-version="…"> (tests and curious users can read it).
_RELOAD_SCRIPT = """<script>
(function () {
  var rendered = "%(version)s";
  document.documentElement.setAttribute("data-preview-version", rendered);
  if (!window.EventSource) { return; }
  var events = new EventSource("/events");
  events.addEventListener("version", function (e) {
    document.documentElement.setAttribute("data-preview-server-version", e.data);
    if (e.data !== rendered) { events.close(); location.reload(); }
  });
})();
</script>
"""

_ERROR_PAGE = """<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>%(title)s</title>
<style>
body { font-family: "Noto Sans CJK SC", "Microsoft YaHei", "PingFang SC", sans-serif; margin: 2em auto;
       max-width: 60em; padding: 0 1em; color: #222; line-height: 1.6; }
h1 { font-size: 1.4em; color: #b00020; }
.hint { background: #fff8e1; border-left: 4px solid #f0b400; padding: .5em 1em; }
ol { padding-left: 1.5em; }
li { margin: .8em 0; }
.where { font-family: monospace; color: #555; }
.sev-错误 { color: #b00020; font-weight: bold; }
.sev-警告 { color: #a05a00; font-weight: bold; }
.path { font-family: monospace; color: #555; }
.fix { color: #1b5e20; }
</style>
</head>
<body>
<h1>%(title)s</h1>
<p class="hint">%(hint)s</p>
%(body)s
</body>
</html>
"""


def _escape(text: object) -> str:
    return html.escape(str(text), quote=True)


def inject_reload_script(page: str, version: str) -> str:
    """The page with the reload script just before its last </body> (appended when there is none)."""
    script = _RELOAD_SCRIPT % {"version": _escape(version)}
    at = page.lower().rfind("</body>")
    if at < 0:
        return page + script
    return page[:at] + script + page[at:]


def _finding_items(findings: list[Finding]) -> str:
    items = []
    for f in findings:
        parts = [f'<span class="sev-{_escape(f.severity.value)}">{_escape(f.severity.value)}</span>']
        if f.where():
            parts.append(f' <span class="where">{_escape(f.where())}</span>')
        if f.path:
            parts.append(f' <span class="path">[{_escape(f.path)}]</span>')
        parts.append(f"<br>{_escape(f.message)}")
        if f.fix:
            parts.append(f'<br><span class="fix">建议：{_escape(f.fix)}</span>')
        items.append(f"<li>{''.join(parts)}</li>")
    return f"<ol>\n{chr(10).join(items)}\n</ol>"


def findings_page(findings: list[Finding], source: str) -> str:
    """Every finding (file:line, message, fix), HTML-escaped, errors first in file order."""
    body = _finding_items(findings) if findings else "<p>数据无法使用，但没有给出具体原因。</p>"
    return _ERROR_PAGE % {
        "title": _escape(f"{source}：数据有错误（{summary(findings)}）"),
        "hint": "公开文件暂不能生成。请按下面的提示修改 YAML 文件；保存后本页会自动刷新。",
        "body": body,
    }


_NOTICE_STYLE = ("margin:0 0 1em;padding:.6em 1em;border:2px solid #a05a00;background:#fff8e6;"
                 "font:14px/1.5 sans-serif;color:#333")


def inject_warnings(page: str, findings: list[Finding]) -> str:
    """The preview page with its warnings (the stand-in catalog year among them) in a box at the top.

    Only the preview shows it: the rendered files stay as published.
    """
    if not findings:
        return page
    box = (f'<aside class="preview-warnings" style="{_NOTICE_STYLE}"><strong>预览提示：{len(findings)} 个警告'
           f"（正式文件中不显示）</strong>{_finding_items(findings)}</aside>")
    at = page.lower().find("<body")
    end = page.find(">", at) + 1 if at >= 0 else 0
    return page[:end] + box + page[end:]


def failure_page(message: str, source: str) -> str:
    return _ERROR_PAGE % {
        "title": _escape(f"{source}：生成预览时出错"),
        "hint": "修改数据或模板并保存后，本页会自动刷新。",
        "body": f"<p>{_escape(message)}</p>",
    }


def _watched_files(path: Path, templates: Path | None) -> list[Path]:
    from .model.loader import yaml_files

    from .model.additions import catalog_files

    files: list[Path] = []
    if path.exists():
        files.extend(yaml_files(path))
        files.extend(f for f in catalog_files(path) if f not in files)
    if templates is not None and templates.is_dir():
        files.extend(p for p in templates.rglob("*") if p.is_file()
                     and not any(part.startswith(".") for part in p.relative_to(templates).parts))
    return files


def _snapshot(files: list[Path]) -> tuple:
    """What changes when a file is saved: the set of files, their sizes, modification times and inodes."""
    state = []
    for p in files:
        try:
            st = p.stat()
        except OSError:  # removed between listing and stat: the next poll sees the new set
            continue
        state.append((str(p), st.st_mtime_ns, st.st_size, st.st_ino))
    return tuple(state)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    preview: PreviewServer

    def handle_error(self, request, client_address) -> None:
        exc = sys.exc_info()[1]
        assert exc is not None  # socketserver calls handle_error from inside its except clause
        if isinstance(exc, (ConnectionError, TimeoutError)):
            return  # the browser went away (reload, tab closed): nothing to say
        self.preview.log(f"预览服务处理请求时出错：{describe_failure(exc)}")


class _HTTPServer6(_HTTPServer):
    address_family = socket.AF_INET6


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "budgetgen-preview"
    timeout = REQUEST_TIMEOUT  # socket timeout for each connection (StreamRequestHandler.setup)
    sys_version = ""
    error_content_type = "text/html; charset=utf-8"
    error_message_format = ('<!DOCTYPE html><html lang="zh-CN"><meta charset="utf-8"><title>%(code)d</title>'
                            "<p>%(code)d %(message)s</p></html>\n")

    def log_message(self, format: str, *args) -> None:  # no per-request noise in the clerk's terminal
        pass

    def do_GET(self) -> None:
        preview = self.server.preview
        if not preview.host_allowed(self.headers.get("Host")):
            self._send(403, "text/plain; charset=utf-8",
                       "403 只接受通过 localhost 或 127.0.0.1 访问的预览请求。\n".encode())
            return
        route = urlsplit(self.path).path
        if route == "/":
            self._send(200, "text/html; charset=utf-8", preview.page().encode("utf-8"))
        elif route == "/events":
            self._events(preview)
        elif route == "/favicon.ico":
            self._send(204, None, b"")
        else:
            self._send(404, "text/plain; charset=utf-8", "404 没有这个页面。预览只提供首页 /。\n".encode())

    def _send(self, code: int, content_type: str | None, body: bytes) -> None:
        self.send_response(code)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if body:
            self.wfile.write(body)

    def _events(self, preview: PreviewServer) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.close_connection = True
        try:
            self.wfile.write(b"retry: 1000\n\n")
            seen = None
            preview.refresh()  # a change saved before this connection is seen at once
            while True:
                version = preview.wait_for_change(seen, KEEPALIVE_SECONDS)
                if version is None:
                    return  # the server is stopping
                if version != seen:
                    self.wfile.write(f"event: version\ndata: {version}\n\n".encode())
                    seen = version
                else:
                    self.wfile.write(b": keepalive\n\n")  # also finds out when the browser went away
        except (ConnectionError, TimeoutError):
            return


def _is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _bind_error(host: str, port: int, exc: OSError) -> UsageError:
    if exc.errno == errno.EADDRINUSE:
        return UsageError(f"端口 {port} 已被占用，请用 --port 换一个端口（例如 --port {port + 1 if port else 8001}）")
    if exc.errno == errno.EACCES:
        return UsageError(f"没有权限使用端口 {port}，请用 --port 换一个大于 1024 的端口")
    if isinstance(exc, socket.gaierror) or exc.errno == errno.EADDRNOTAVAIL:
        return UsageError(f"无法使用地址 {host}，请检查 --host（默认 127.0.0.1）")
    return UsageError(f"无法在 {host}:{port} 启动预览服务：{exc.strerror or exc}")


class PreviewServer:
    """The preview of one department: bound on creation (port 0 picks a free port), start()/stop() for tests.

    In tests:  with PreviewServer(dept, port=0, log=messages.append).start() as server: … server.url …
    """

    def __init__(self, path: Path, host: str = "127.0.0.1", port: int = 8000, templates: Path | None = None,
                 *, interval: float = POLL_SECONDS, log: Callable[[str], None] | None = None):
        self.path = Path(path)
        self.templates = Path(templates) if templates is not None else None
        self.host = host
        self.interval = interval
        self.log = log or (lambda message: print(message, flush=True))
        if not self.path.exists():
            raise UsageError(f"找不到部门目录或 YAML 文件：{self.path}")
        if self.templates is not None and not self.templates.is_dir():
            raise UsageError(f"模板目录不存在：{self.templates}")
        from .model.loader import display_name

        self.source = display_name(self.path)
        self._boot = os.urandom(3).hex()  # a page from an earlier run of the server is always reloaded
        self._changed = threading.Condition()
        self._state: tuple | None = None
        self._count = 0
        self._stopping = False
        self._render_lock = threading.Lock()
        self._cache: tuple[str, str] | None = None
        self._threads: list[threading.Thread] = []
        if not 0 <= port <= 65535:
            raise UsageError(f"端口 {port} 不在 0～65535 之间，请用 --port 指定一个有效端口（如 8000）")
        server_class = _HTTPServer6 if ":" in host.strip("[]") else _HTTPServer
        try:
            self._http = server_class((host.strip("[]"), port), _Handler)
        except OSError as exc:
            raise _bind_error(host, port, exc) from None
        self._http.preview = self
        self.refresh()

    # -- addresses -------------------------------------------------------------------------------------
    @property
    def port(self) -> int:
        return self._http.server_address[1]

    @property
    def url(self) -> str:
        host = self.host.strip("[]")
        if host in ("", "0.0.0.0", "::"):
            host = "127.0.0.1" if host != "::" else "::1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}/"

    def host_allowed(self, header: str | None) -> bool:
        """On loopback, only requests addressed to a loopback name (no DNS rebinding from a web page)."""
        if not _is_loopback(self.host.strip("[]")) or not header:
            return True
        name = header.strip().lower()
        if name.startswith("["):
            name = name[1:name.find("]")] if "]" in name else name[1:]
        elif name.count(":") == 1:
            name = name.split(":", 1)[0]
        return name in LOOPBACK_NAMES or name == self.host.strip("[]").lower()

    # -- watching --------------------------------------------------------------------------------------
    @property
    def version(self) -> str:
        with self._changed:
            return f"{self._boot}-{self._count}"

    def refresh(self) -> str:
        """Look at the files now; bump the version when anything changed. Returns the current version."""
        with self._changed:
            state = _snapshot(_watched_files(self.path, self.templates))
            if state != self._state:
                self._state = state
                self._count += 1
                self._changed.notify_all()
            return f"{self._boot}-{self._count}"

    def wait_for_change(self, seen: str | None, timeout: float) -> str | None:
        """The current version once it differs from `seen` or after `timeout`; None when stopping."""
        with self._changed:
            self._changed.wait_for(lambda: self._stopping or f"{self._boot}-{self._count}" != seen, timeout)
            return None if self._stopping else f"{self._boot}-{self._count}"

    def _watch(self) -> None:
        while True:
            with self._changed:
                if self._changed.wait_for(lambda: self._stopping, self.interval):
                    return
            try:
                self.refresh()
            except Exception as exc:  # pragma: no cover - a vanished folder must not end the watcher
                self.log(f"检查文件变化时出错：{describe_failure(exc)}")

    # -- rendering -------------------------------------------------------------------------------------
    def page(self) -> str:
        """The disclosure (or the error page) at the current version, rendered again only after a change."""
        with self._render_lock:
            version = self.refresh()
            if self._cache is not None and self._cache[0] == version:
                return self._cache[1]
            page, keep = self._render()
            page = inject_reload_script(page, version)
            # a failure of the program itself is tried again on the next request (F5), not kept until a save
            self._cache = (version, page) if keep else None
            return page

    def _render(self) -> tuple[str, bool]:
        """The page and whether it may be kept until the next change."""
        from .pipeline import prepare
        from .writers.html import render_html

        stamp = time.strftime("%H:%M:%S")
        try:
            doc, findings = prepare(self.path, self.templates)
            page = inject_warnings(render_html(doc, self.templates), findings)
        except InputError as exc:
            self.log(f"[{stamp}] {self.source}：数据有错误（{summary(exc.findings)}），浏览器中列出了全部问题：")
            for f in exc.findings:
                if f.severity is Severity.error:
                    self.log(f"  {f.render()}")
            return findings_page(exc.findings, self.source), True
        except Exception as exc:  # never a traceback page
            message = describe_failure(exc)
            self.log(f"[{stamp}] {self.source}：生成预览时出错：{message}")
            return failure_page(message, self.source), False
        note = f"，{len(findings)} 个警告（运行 budgetgen validate 查看）" if findings else ""
        self.log(f"[{stamp}] 已生成预览：{doc.title}{note}")
        return page, True

    # -- life cycle ------------------------------------------------------------------------------------
    def start(self) -> PreviewServer:
        """Serve and watch in background threads (returns at once)."""
        for target, name in ((self._watch, "watch"), (self._http.serve_forever, "http")):
            thread = threading.Thread(target=target, name=f"budgetgen-preview-{name}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self) -> None:
        """Stop serving and watching; open event streams end. Safe to call twice."""
        with self._changed:
            if self._stopping:
                return
            self._stopping = True
            self._changed.notify_all()
        if self._threads:
            self._http.shutdown()
        self._http.server_close()
        for thread in self._threads:
            thread.join(timeout=5)

    @property
    def stopped(self) -> bool:
        with self._changed:
            return self._stopping

    def __enter__(self) -> PreviewServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def serve(path: Path, host: str = "127.0.0.1", port: int = 8000, templates: Path | None = None,
          open_browser: bool = False, ready: Callable[[PreviewServer], None] | None = None) -> None:
    """Serve the preview until Ctrl+C (or until `stop()` is called on the server handed to `ready`).

    Raises UsageError (Chinese message) when the path or templates folder is missing or the port is taken.
    """
    server = PreviewServer(path, host, port, templates)
    server.start()
    try:
        server.log(f"预览地址：{server.url} ，保存 YAML 文件后页面自动刷新；按 Ctrl+C 结束")
        if not _is_loopback(host.strip("[]")):
            server.log(f"注意：预览服务监听 {host}，同一网络中的其他电脑也能看到这份尚未公开的预算。")
        server.page()  # render once now: errors show in the terminal at once and the first page is quick
        if ready is not None:
            ready(server)
        if open_browser:
            threading.Thread(target=webbrowser.open, args=(server.url,), daemon=True).start()
        while not server.stopped:
            time.sleep(0.2)
    except KeyboardInterrupt:
        server.log("预览已结束。")
    finally:
        server.stop()


__all__ = ["PreviewServer", "serve", "inject_reload_script", "inject_warnings", "findings_page", "describe_failure"]
