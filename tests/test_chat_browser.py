"""The chat in a real browser: `budgetqa chat` on loopback, Debian's chromium driven by Playwright.

Two questions are typed into the page (a figure, then a follow-up); the figures the page shows
are checked against the sample's 三公 table (表十), and a screenshot is saved as a test artifact
(test-artifacts/, or $BUDGETQA_ARTIFACTS), with the warm answer's latency as seen in the browser. That the screenshot shows Chinese and not boxes is
checked twice: a CJK font is installed, and two different characters drawn by the same page
come out as different images (missing glyphs all draw as the same box).
"""

from __future__ import annotations

import io
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.chat_support import sample_home
from tests.conftest import ROOT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
ARTIFACTS = Path(os.environ.get("BUDGETQA_ARTIFACTS") or ROOT / "test-artifacts")
START_TIMEOUT = 60  # seconds for Streamlit to answer its health check
WARM_LIMIT = 3.0  # seconds; measured ~0.3 s here — the limit only catches a page that has gone slow


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chat_server(tmp_path_factory, tmp_path):
    if not CHROMIUM.exists() or shutil.which("fc-list") is None:
        pytest.fail("Debian's chromium and fontconfig are needed: bash scripts/setup.sh installs them")
    home = sample_home(tmp_path_factory)
    port = free_port()
    exe = ROOT / ".venv" / "bin" / "budgetqa"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "app.cli"]
    log = (tmp_path / "chat.log").open("w+", encoding="utf-8")
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    server = subprocess.Popen([*command, "chat", "--home", str(home), "--port", str(port)],
                              stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp_path)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"budgetqa chat did not start (exit {server.poll()}):\n{log.read()}")
            time.sleep(0.3)
        yield url, log
    finally:
        server.terminate()  # our own child, by its pid
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
        log.close()


def test_two_questions_typed_in_chromium_show_their_figures_in_chinese(chat_server):
    from PIL import Image
    from playwright.sync_api import expect, sync_playwright

    url, log = chat_server
    log.seek(0)
    assert f"BudgetQA 聊天：{url}" in log.read()  # the command says where the chat is

    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    assert fonts.strip(), "no font with Chinese glyphs is installed (fonts-wqy-microhei)"

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "chat-two-questions.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
            page.goto(url)
            box = page.get_by_test_id("stChatInputTextArea")
            expect(box).to_be_visible(timeout=30_000)

            box.fill("外事办今年出国经费多少？")
            box.press("Enter")
            figures = page.get_by_test_id("stMetricValue")
            expect(figures).to_have_count(1, timeout=30_000)
            expect(figures.nth(0)).to_have_text("1,000,000.00 元")  # 表十: 2024年 因公出国（境）费

            box.fill("那2023年呢？")
            start = time.monotonic()
            box.press("Enter")
            expect(figures).to_have_count(2, timeout=30_000)
            warm = time.monotonic() - start  # Enter to the figure on screen, the app warm
            expect(figures.nth(1)).to_have_text("2,000,000.00 元")  # 表十: 2023年 因公出国（境）费
            expect(page.get_by_text("已核验").last).to_be_visible()
            expect(page.get_by_text("2023年因公出国（境）费预算数为", exact=False).last).to_be_visible()

            page.screenshot(path=str(shot), full_page=True)

            # the same page draws two different characters: real glyphs differ, boxes do not
            glyphs = []
            for ch in ("预", "算"):
                page.evaluate("""ch => {
                    const s = document.createElement('span');
                    s.id = 'glyph-probe'; s.textContent = ch;
                    s.style.cssText = 'position:fixed;top:40%;left:50%;font-size:48px;background:#fff;color:#000;z-index:2147483647';
                    document.body.appendChild(s);
                }""", ch)
                glyphs.append(page.locator("#glyph-probe").screenshot())
                page.evaluate("document.getElementById('glyph-probe').remove()")
        finally:
            browser.close()

    (ARTIFACTS / "chat-latency.json").write_text(json.dumps({"warm_figure_seconds": round(warm, 3)}))
    assert warm < WARM_LIMIT, f"a warm figure answer took {warm:.2f} s in the browser"
    assert glyphs[0] != glyphs[1], "two different Chinese characters render identically: boxes, not glyphs"
    image = Image.open(shot).convert("RGB")
    assert image.size[0] >= 1280 and image.size[1] >= 900
    colours = image.getcolors(maxcolors=1 << 24)
    assert len(colours) > 64, "the screenshot is nearly blank"
    for probe in glyphs:  # each probe is ink on paper: some dark pixels, mostly light, not a flat box
        histogram = Image.open(io.BytesIO(probe)).convert("L").histogram()
        dark = sum(histogram[:128]) / sum(histogram)
        assert 0.03 < dark < 0.6, dark
