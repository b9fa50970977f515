"""`budgetgen preview`: the server over real HTTP (urllib), and the reload in a real browser (headless Chromium).

The browser is driven through the DevTools protocol over `--remote-debugging-pipe` (JSON messages separated by
NUL on file descriptors 3 and 4), so no WebSocket client and no debugging port are needed. The reload is
proved by a marker the test sets on `window` before saving a YAML file: a reloaded page has lost it, and it
shows the saved content.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from budgetgen.errors import Finding, Severity, UsageError
from budgetgen.preview import PreviewServer, findings_page, inject_reload_script, serve
from render_util import SAMPLES

NAME = "中国共产党魏县委员会办公室"
TITLE = f"{NAME}2021年部门预算"
DEPARTMENT = "department.yaml"

# No proxy, ever: the server is on loopback.
_opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def get(url: str, headers: dict | None = None, timeout: float = 10) -> tuple[int, str, str]:
    """(status, content type, body) of a real HTTP GET."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with _opener.open(request, timeout=timeout) as response:
            return response.status, response.headers.get("Content-Type", ""), response.read().decode("utf-8")
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.headers.get("Content-Type", ""), exc.read().decode("utf-8")


def save(path: Path, text: str) -> None:
    """Save as editors do: whole file at once (write a temporary file, then rename)."""
    tmp = path.with_name(path.name + ".saving")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def wait_until(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what}")
        time.sleep(0.05)


@pytest.fixture
def dept(tmp_path) -> Path:
    target = tmp_path / "wei-2021"
    shutil.copytree(SAMPLES / "wei-2021", target)
    return target


@pytest.fixture
def server(dept):
    messages: list[str] = []
    with PreviewServer(dept, port=0, interval=0.1, log=messages.append).start() as running:
        running.messages = messages
        yield running


def shows_disclosure(body: str, server: PreviewServer, title: str = TITLE) -> None:
    """The page is the disclosure; when not, the failure says what the server printed."""
    assert f"<title>{title}</title>" in body and "<table" in body, \
        "not the disclosure; the server said:\n" + "\n".join(server.messages[-10:])


def broken_text(text: str) -> tuple[str, int]:
    """department.yaml with an unclosed quote in the department code, and the line it is on."""
    old = 'code: "201"'
    assert old in text
    line = next(i for i, l in enumerate(text.splitlines(), 1) if old in l)
    return text.replace(old, 'code: "201', 1), line


# -- HTTP ------------------------------------------------------------------------------------------------

def test_index_is_the_disclosure_with_the_reload_script(server):
    status, kind, body = get(server.url)
    assert status == 200 and kind == "text/html; charset=utf-8"
    shows_disclosure(body, server)
    assert 'new EventSource("/events")' in body
    assert body.index("new EventSource") < body.rindex("</body>")
    assert f'var rendered = "{server.version}"' in body


def test_only_three_routes(server, dept):
    assert get(server.url + "nope")[0] == 404
    assert get(server.url + DEPARTMENT)[0] == 404  # no file serving
    assert get(server.url + "projects/")[0] == 404  # no directory listing
    assert get(server.url + "../" + DEPARTMENT)[0] == 404
    status, _, body = get(server.url + "favicon.ico")
    assert status == 204 and body == ""
    status, _, body = get(server.url + "?from=bookmark")
    assert status == 200
    shows_disclosure(body, server)
    status, _, body = get(server.url + "nope")
    assert "没有这个页面" in body


def test_binds_to_loopback_and_refuses_other_host_names(server):
    assert server._http.server_address[0] == "127.0.0.1"
    assert server.url.startswith("http://127.0.0.1:")
    status, _, body = get(server.url, headers={"Host": f"evil.example:{server.port}"})
    assert status == 403 and "localhost" in body
    assert get(server.url, headers={"Host": f"localhost:{server.port}"})[0] == 200


def read_event(stream) -> str:
    """The data of the next `version` event of an SSE stream (keep-alive comments skipped)."""
    event = data = None
    while True:
        line = stream.readline().decode("utf-8")
        assert line, "event stream closed"
        line = line.rstrip("\n")
        if line.startswith("event:"):
            event = line.split(":", 1)[1].strip()
        elif line.startswith("data:"):
            data = line.split(":", 1)[1].strip()
        elif line == "" and event == "version":
            return data


def test_event_stream_reports_a_new_version_when_a_yaml_file_is_saved(server, dept):
    with _opener.open(server.url + "events", timeout=10) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        first = read_event(stream)
        assert first == server.version
        target = dept / "projects" / "01-值班系统保障服务费.yaml"
        save(target, target.read_text(encoding="utf-8") + "\n# 保存一次\n")
        second = read_event(stream)
        assert second != first and second == server.version
        new = dept / "units" / "新文件.yml"  # a new file counts too
        save(new, "# 空文件\n")
        third = read_event(stream)
        assert third not in (first, second)


def test_page_is_cached_until_a_file_changes(server, dept):
    body1 = get(server.url)[2]
    shows_disclosure(body1, server)
    body2 = get(server.url)[2]
    assert body1 == body2
    assert sum("已生成预览" in m for m in server.messages) == 1  # rendered once
    target = dept / DEPARTMENT  # saved in place this time (truncate, then write), as some editors do
    target.write_text(target.read_text(encoding="utf-8").replace(f"name: {NAME}", "name: 魏县县委办公室", 1),
                      encoding="utf-8")
    body3 = get(server.url)[2]  # fresh at once, without waiting for the watcher
    shows_disclosure(body3, server, "魏县县委办公室2021年部门预算")
    assert sum("已生成预览" in m for m in server.messages) == 2


def test_errors_are_shown_in_chinese_and_fixing_the_file_brings_the_disclosure_back(server, dept):
    target = dept / DEPARTMENT
    good = target.read_text(encoding="utf-8")
    bad, line = broken_text(good)
    save(target, bad)
    status, kind, body = get(server.url)
    assert status == 200 and kind.startswith("text/html")
    assert "数据有错误" in body and "Traceback" not in body
    assert re.search(rf"department\.yaml:{line}:\d+", body), body
    assert "建议：" in body  # the fix is shown
    assert 'new EventSource("/events")' in body  # the error page reloads itself too
    assert any("数据有错误" in m for m in server.messages)
    save(target, good)
    status, _, body = get(server.url)
    assert status == 200 and "数据有错误" not in body
    shows_disclosure(body, server)


def test_every_finding_is_listed_and_escaped(server, dept):
    target = dept / "projects" / "01-值班系统保障服务费.yaml"
    text = target.read_text(encoding="utf-8")
    fn = re.search(r'function: "(\d+)"', text)
    assert fn
    save(target, text.replace(fn.group(0), 'function: "99x"', 1))
    other = dept / "projects" / "02-专项公用经费.yaml"
    text2 = other.read_text(encoding="utf-8")
    fn2 = re.search(r'function: "(\d+)"', text2)
    save(other, text2.replace(fn2.group(0), 'function: "<b>9999998"', 1))
    body = get(server.url)[2]
    assert "01-值班系统保障服务费.yaml:" in body and "02-专项公用经费.yaml:" in body
    assert "99x" in body
    assert "<b>9999998" not in body and "&lt;b&gt;9999998" in body


def test_findings_page_escapes_everything():
    f = Finding(Severity.error, "<script>alert(1)</script>", "a<b>.yaml", 3, 4, "x[0].<i>", "用 & 代替")
    page = findings_page([f], "<dept>")
    assert "<script>alert" not in page and "<b>" not in page and "<i>" not in page and "<dept>" not in page
    assert "a&lt;b&gt;.yaml:3:4" in page and "建议：用 &amp; 代替" in page


def test_unexpected_failures_become_a_chinese_page(dept, tmp_path):
    templates = tmp_path / "templates"
    (templates / "html").mkdir(parents=True)
    (templates / "html" / "disclosure.html.j2").write_text("<html><body>{% if %}</body></html>", encoding="utf-8")
    messages: list[str] = []
    with PreviewServer(dept, port=0, templates=templates, interval=0.1, log=messages.append).start() as s:
        status, _, body = get(s.url)
        assert status == 200
        assert "生成预览时出错" in body and "disclosure.html.j2" in body and "语法错误" in body
        assert "Traceback" not in body and 'new EventSource("/events")' in body
        # a template change is watched too: fixing it brings the disclosure back
        (templates / "html" / "disclosure.html.j2").unlink()
        status, _, body = get(s.url)
        assert status == 200
        s.messages = messages
        shows_disclosure(body, s)


def test_a_template_added_while_previewing_overrides_the_shipped_one(dept, tmp_path):
    templates = tmp_path / "templates"
    (templates / "html").mkdir(parents=True)
    messages: list[str] = []
    with PreviewServer(dept, port=0, templates=templates, interval=0.1, log=messages.append).start() as s:
        s.messages = messages
        shows_disclosure(get(s.url)[2], s)  # the shipped template, found while the folder was empty
        # a new file, not a changed one: what was found before must not hide it until a restart
        (templates / "html" / "disclosure.html.j2").write_text("<html><body><p>本地模板：{{ doc.title }}</p></body></html>",
                                                               encoding="utf-8")
        status, _, body = get(s.url)
        assert status == 200 and f"本地模板：{TITLE}" in body, "\n".join(messages[-5:])


def test_internal_errors_are_a_chinese_page_not_a_traceback(server, monkeypatch):
    import budgetgen.writers.html as writer

    def boom(*args, **kwargs):
        raise ZeroDivisionError("division by zero")

    monkeypatch.setattr(writer, "render_html", boom)
    status, _, body = get(server.url)
    assert status == 200 and "程序内部错误" in body and "ZeroDivisionError" in body and "Traceback" not in body
    assert 'new EventSource("/events")' in body
    monkeypatch.undo()  # such a failure is not kept: the next request (F5) tries again
    shows_disclosure(get(server.url)[2], server)


def test_reload_script_goes_before_the_last_body_tag():
    page = inject_reload_script("<html><body><p>&lt;/body&gt;</p></body></html>", "ab-1")
    assert page.endswith("</script>\n</body></html>")
    assert inject_reload_script("<p>bare</p>", "ab-2").startswith("<p>bare</p><script>")


def test_usage_errors_are_chinese(tmp_path, dept):
    with pytest.raises(UsageError, match="找不到部门目录"):
        PreviewServer(tmp_path / "missing", port=0)
    with pytest.raises(UsageError, match="模板目录不存在"):
        PreviewServer(dept, port=0, templates=tmp_path / "nope")
    with pytest.raises(UsageError, match="端口 70000 不在"):
        PreviewServer(dept, port=70000)
    with PreviewServer(dept, port=0) as taken:
        with pytest.raises(UsageError, match=f"端口 {taken.port} 已被占用"):
            PreviewServer(dept, port=taken.port)


def test_serve_prints_the_chinese_address_and_stops(dept, capsys):
    started: list[PreviewServer] = []
    thread = threading.Thread(target=serve, args=(dept,), kwargs={"port": 0, "ready": started.append}, daemon=True)
    thread.start()
    server = wait_until(lambda: started and started[0], 30, "the preview server to start")
    try:
        assert get(server.url)[0] == 200
    finally:
        server.stop()
    thread.join(10)
    assert not thread.is_alive()
    out = capsys.readouterr().out
    assert f"预览地址：{server.url} ，保存 YAML 文件后页面自动刷新；按 Ctrl+C 结束" in out


def test_stop_ends_open_event_streams(dept):
    server = PreviewServer(dept, port=0, interval=0.1, log=lambda m: None).start()
    stream = _opener.open(server.url + "events", timeout=10)
    try:
        read_event(stream)
        started = time.monotonic()
        server.stop()
        assert time.monotonic() - started < 5
        rest = stream.read()  # the server closed the stream
        assert b"event: version" not in rest
    finally:
        stream.close()
    with pytest.raises(urllib.error.URLError):
        get(server.url, timeout=2)


# -- headless Chromium -----------------------------------------------------------------------------------

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# Runs in a tiny Python process: put our two pipe ends on fd 3 (commands in) and fd 4 (answers out), then
# become Chromium. Going through F_DUPFD ≥ 10 first means the two ends can never clobber each other.
_EXEC_ON_FDS = (
    "import fcntl, os, sys\n"
    "r, w = (fcntl.fcntl(int(fd), fcntl.F_DUPFD, 10) for fd in sys.argv[1:3])\n"
    "os.dup2(r, 3); os.dup2(w, 4)\n"
    "os.execv(sys.argv[3], sys.argv[3:])\n"
)


class Chromium:
    """Headless Chromium driven through the DevTools protocol over --remote-debugging-pipe."""

    def __init__(self, profile: Path):
        commands_r, self._commands = os.pipe()
        self._answers, answers_w = os.pipe()
        args = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--no-default-browser-check", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--no-proxy-server", "--disable-extensions", "--mute-audio",
                f"--user-data-dir={profile}", "--remote-debugging-pipe", "about:blank"]
        self._log = open(profile.parent / "chromium.log", "wb")
        self.process = subprocess.Popen(
            [sys.executable, "-c", _EXEC_ON_FDS, str(commands_r), str(answers_w), *args],
            pass_fds=(commands_r, answers_w), stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log,
            start_new_session=True)  # its own process group: stopped with it, by its id
        os.close(commands_r)
        os.close(answers_w)
        self._next_id = 0
        self._inbox: queue.Queue = queue.Queue()
        self._events: list[dict] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buffer = b""
        while True:
            try:
                chunk = os.read(self._answers, 1 << 16)
            except OSError:
                chunk = b""
            if not chunk:
                self._inbox.put(None)
                return
            buffer += chunk
            *messages, buffer = buffer.split(b"\0")
            for m in messages:
                self._inbox.put(json.loads(m))

    def _receive(self, deadline: float) -> dict:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError
        try:
            message = self._inbox.get(timeout=remaining)
        except queue.Empty:
            raise TimeoutError from None
        if message is None:
            log = Path(self._log.name).read_text(errors="replace")[-2000:]
            raise RuntimeError(f"Chromium closed the DevTools pipe; its log ends with:\n{log}")
        return message

    def call(self, method: str, params: dict | None = None, session: str | None = None,
             timeout: float = 15) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._commands, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            try:
                answer = self._receive(deadline)
            except TimeoutError:
                pytest.fail(f"Chromium did not answer {method} within {timeout} s")
            if answer.get("id") == self._next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            if "method" in answer:
                self._events.append(answer)

    def wait_event(self, method: str, session: str, timeout: float) -> dict | None:
        """The next event `method` of the session (earlier ones first), or None after `timeout`."""
        deadline = time.monotonic() + timeout
        while True:
            for i, event in enumerate(self._events):
                if event["method"] == method and event.get("sessionId") == session:
                    return self._events.pop(i)
            try:
                answer = self._receive(deadline)
            except TimeoutError:
                return None
            if "method" in answer:
                self._events.append(answer)

    def drop_events(self) -> None:
        self._events.clear()

    def close(self) -> None:
        try:
            if self.process.poll() is None:
                try:
                    os.write(self._commands, json.dumps({"id": 0, "method": "Browser.close"}).encode() + b"\0")
                except OSError:
                    pass
                try:
                    self.process.wait(timeout=5)
                except subprocess.TimeoutExpired:
                    pass
        finally:
            try:  # whatever is left of the group Chromium started (renderers, helpers), by its id
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait(timeout=10)
            for fd in (self._commands, self._answers):
                try:
                    os.close(fd)
                except OSError:
                    pass
            self._log.close()


class Tab:
    def __init__(self, browser: Chromium):
        self.browser = browser
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        self.session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        browser.call("Page.enable", session=self.session)

    def evaluate(self, expression: str):
        result = self.browser.call("Runtime.evaluate", {"expression": expression, "returnByValue": True},
                                   session=self.session)
        return result["result"].get("value")

    def goto(self, url: str) -> None:
        self.browser.drop_events()
        self.browser.call("Page.navigate", {"url": url}, session=self.session)
        assert self.browser.wait_event("Page.loadEventFired", self.session, 20), f"{url} did not load"

    def wait_for_reload(self, done: str, timeout: float, what: str) -> None:
        """Wait for page loads until the JavaScript `done` is true in the loaded page."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.browser.wait_event("Page.loadEventFired", self.session, deadline - time.monotonic()):
                if self.evaluate(done):
                    return
        pytest.fail(f"the page did not reload within {timeout} s to show {what}; it shows: "
                    f"{self.evaluate('document.body.innerText.slice(0, 500)')!r}")


@pytest.fixture
def chromium(tmp_path):
    if CHROMIUM is None:
        pytest.skip("chromium is not installed (Debian: apt-get install -y chromium); "
                    "the browser reload test needs a real browser")
    browser = Chromium(tmp_path / "chromium-profile")
    try:
        browser.call("Browser.getVersion", timeout=30)
        yield browser
    finally:
        browser.close()


MARK = "window.__budgetgenNotReloaded"


@pytest.mark.chromium
def test_browser_reloads_on_save_shows_errors_and_recovers(server, dept, chromium):
    tab = Tab(chromium)
    tab.goto(server.url)
    assert tab.evaluate("document.title") == TITLE, "\n".join(server.messages[-10:])
    assert tab.evaluate("document.querySelectorAll('table').length") > 0
    version = tab.evaluate("document.documentElement.dataset.previewVersion")
    assert version == server.version
    # the page's EventSource is connected and has seen the server's version
    wait_until(lambda: tab.evaluate("document.documentElement.dataset.previewServerVersion") == version, 10,
               "the page to receive the server's version over /events")

    target = dept / DEPARTMENT
    good = target.read_text(encoding="utf-8")

    # 1. a saved change reloads the page by itself, with the new content
    tab.evaluate(f"{MARK} = true")
    save(target, good.replace(f"name: {NAME}", "name: 魏县县委办公室", 1))
    tab.wait_for_reload(f"typeof {MARK} === 'undefined' && document.title === '魏县县委办公室2021年部门预算'",
                        20, "the renamed department")
    assert tab.evaluate("document.documentElement.dataset.previewVersion") not in (None, version)

    # 2. a mistake: the page reloads into the Chinese error list, with file and line
    bad, line = broken_text(good)
    tab.evaluate(f"{MARK} = true")
    save(target, bad)
    tab.wait_for_reload(f"typeof {MARK} === 'undefined' && document.body.innerText.includes('数据有错误')",
                        20, "the error page")
    text = tab.evaluate("document.body.innerText")
    assert re.search(rf"department\.yaml:{line}:\d+", text), text

    # 3. the fix: the error page reloads itself back into the disclosure
    tab.evaluate(f"{MARK} = true")
    save(target, good)
    tab.wait_for_reload(f"typeof {MARK} === 'undefined' && document.title === '{TITLE}'", 20,
                        "the disclosure again")
    assert tab.evaluate("document.querySelectorAll('table').length") > 0
