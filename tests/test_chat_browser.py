"""The chat in a real browser: `budgetqa chat` on loopback, Debian's chromium driven by Playwright,
at desktop (1280×900) and phone (390×844) sizes.

The server's data directory holds the bundled sample (fact store and chunk index) and one real PDF
budget (fact store only), whose original file is found through BUDGETQA_ORIGINALS, so an answer
from it shows the page itself. What a user sees is checked in the page: the question echoed at
once with a “正在查找…” bubble (Enter → echo measured, target < 100 ms; Enter → figure reported),
the figure in the document's own unit, the citation card above the page crop on a phone, the
page's visible text free of English, `lang="zh-CN"`, no red in normal states, a reload that keeps
the conversation and a delete that removes it. Screenshots of both sizes and the timings are saved
as test artifacts (test-artifacts/, or $BUDGETQA_ARTIFACTS). That the screenshots show Chinese and
not boxes is checked twice: a CJK font is installed, and two different characters drawn by the
same page come out as different images (missing glyphs all draw as the same box).
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.chat_support import copy_home, sample_home
from tests.conftest import CORPUS, ROOT, parsed_corpus_file

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run", "--disable-sync"]
ARTIFACTS = Path(os.environ.get("BUDGETQA_ARTIFACTS") or ROOT / "test-artifacts")
START_TIMEOUT = 60  # seconds for Streamlit to answer its health check
WARM_LIMIT = 3.0  # seconds; the limit only catches a page that has gone slow
ECHO_LIMIT = 3.0  # seconds; the target is 100 ms (measured and reported): this only catches an echo that
# waits for the answer on a loaded machine (2 cores shared by parallel test runs)
PDF = "shanghai-putuo-wanli-subdistrict-2024-dept-budget.pdf"
DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}
# Words a reader may meet that are names, not English: file types and size units of the uploader.
ALLOWED = {"PDF", "TXT", "HTML", "XLS", "XLSX", "MB", "KB"}
# The page's visible text: icons aside (Material Symbols draw a glyph from a word such as "delete"),
# and text no one sees (a screen reader's 1-pixel label of an icon-only button).
VISIBLE_TEXT = """() => {
  const unseen = e => { const r = e.getBoundingClientRect(); return e.getClientRects().length && r.width <= 1 && r.height <= 1; };
  const icons = [...document.querySelectorAll('body *')].filter(e =>
      getComputedStyle(e).fontFamily.includes('Material Symbols') || e.matches('[data-testid^="stChatMessageAvatar"]')
      || unseen(e));
  const kept = icons.map(e => e.style.display);
  icons.forEach(e => e.style.display = 'none');
  const text = document.body.innerText;
  icons.forEach((e, i) => e.style.display = kept[i]);
  return text;
}"""
# Saturated reds on anything drawn in the page's normal state (text, backgrounds, borders).
REDS = """() => {
  const red = c => { const m = c.match(/rgba?\\((\\d+), (\\d+), (\\d+)(?:, ([\\d.]+))?/);
    return m && (m[4] === undefined || +m[4] > 0.3) && +m[1] > 170 && +m[2] < 90 && +m[3] < 90; };
  const out = [];
  for (const e of document.querySelectorAll('body *')) {
    if (!e.getClientRects().length) continue;
    const s = getComputedStyle(e);
    for (const p of ['color', 'backgroundColor', 'borderTopColor', 'outlineColor'])
      if (red(s[p]) && (p !== 'borderTopColor' || parseFloat(s.borderTopWidth) > 0)
          && (p !== 'outlineColor' || s.outlineStyle !== 'none')) out.push(e.tagName + '.' + p + ' ' + s[p]);
  }
  return out;
}"""
# Enter → the question on screen, and Enter → a new figure on screen, timed inside the page.
WATCH = """(question) => {
  window.__t = {};
  const box = document.querySelector('[data-testid="stChatInputTextArea"]');
  box.addEventListener('keydown', e => { if (e.key === 'Enter' && !window.__t.enter) window.__t.enter = performance.now(); },
                       {capture: true, once: true});
  const figures = document.querySelectorAll('[data-testid="stMetricValue"]').length;
  const seen = () => {
    const now = performance.now();
    const users = [...document.querySelectorAll('[data-testid="stChatMessage"]')].map(m => m.innerText);
    if (!window.__t.echo && users.some(t => t.includes(question))) window.__t.echo = now;
    if (!window.__t.bubble && document.body.innerText.includes('正在查找…')) window.__t.bubble = now;
    if (!window.__t.figure && document.querySelectorAll('[data-testid="stMetricValue"]').length > figures)
      window.__t.figure = now;
  };
  if (window.__watch) window.__watch.disconnect();
  window.__watch = new MutationObserver(seen);
  window.__watch.observe(document.body, {childList: true, subtree: true, characterData: true});
}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def chat_server(tmp_path_factory):
    if not CHROMIUM.exists() or shutil.which("fc-list") is None:
        pytest.fail("Debian's chromium and fontconfig are needed: bash scripts/setup.sh installs them")
    from index.facts import FactStore

    folder = tmp_path_factory.mktemp("chat-browser")
    home = copy_home(sample_home(tmp_path_factory), folder / "home")
    assert FactStore(home).add(parsed_corpus_file(PDF))  # a real PDF, its original in the corpus folder
    (home / "chat.sqlite3").unlink(missing_ok=True)  # no conversations from other tests on the shared sample
    port = free_port()
    exe = ROOT / ".venv" / "bin" / "budgetqa"
    command = [str(exe)] if exe.exists() else [sys.executable, "-m", "app.cli"]
    log = (folder / "chat.log").open("w+", encoding="utf-8")
    env = dict(os.environ, HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False",
               BUDGETQA_ORIGINALS=str(CORPUS))
    server = subprocess.Popen([*command, "chat", "--home", str(home), "--port", str(port)],
                              stdout=log, stderr=subprocess.STDOUT, env=env, cwd=folder)
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
        yield url, log, home
    finally:
        server.terminate()  # our own child, by its pid
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=15)
        log.close()


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


def open_page(browser, url: str, viewport: dict):
    from playwright.sync_api import expect

    page = browser.new_page(viewport=viewport, locale="zh-CN")
    page.goto(url)
    expect(page.get_by_test_id("stChatInputTextArea")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("猜你想问")).to_be_visible(timeout=30_000)  # the first run has finished
    return page


def ask(page, question: str, figure: bool = False) -> dict:
    """Types the question and presses Enter; returns the in-page timings (ms) once the answer is drawn
    (and its figure, when one is expected)."""
    from playwright.sync_api import expect

    page.evaluate(WATCH, question)
    box = page.get_by_test_id("stChatInputTextArea")
    box.fill(question)
    box.press("Enter")
    page.wait_for_function("() => window.__t.echo", timeout=30_000)
    # every answer closes with its time (用时 … 毫秒), a clarify with its choices
    page.wait_for_function("""() => { const m = [...document.querySelectorAll('[data-testid="stChatMessage"]')].pop();
        return m && !m.innerText.includes('正在查找…') && /用时|请说明/.test(m.innerText); }""", timeout=30_000)
    if figure:
        page.wait_for_function("() => window.__t.figure", timeout=30_000)
    page.wait_for_timeout(400)  # the rest of the run (sidebar) settles
    return page.evaluate("() => window.__t")


def english_words(page) -> set[str]:
    """English words on screen, each with the element that shows it (for the failure message)."""
    words = set(re.findall(r"[A-Za-z]{2,}", page.evaluate(VISIBLE_TEXT))) - ALLOWED
    return {w + " in " + page.evaluate("""w => { const e = [...document.querySelectorAll('body *')].find(e =>
        [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.includes(w)));
        return e ? e.outerHTML.slice(0, 160) : '?'; }""", w) for w in words}


def test_desktop_echo_figure_sources_text_and_colours(chat_server, browser):
    from PIL import Image
    from playwright.sync_api import expect

    url, log, _ = chat_server
    log.seek(0)
    assert f"BudgetQA 聊天：{url}" in log.read()  # the command says where the chat is
    fonts = subprocess.run(["fc-list", ":lang=zh", "family"], capture_output=True, text=True).stdout
    assert fonts.strip(), "no font with Chinese glyphs is installed (fonts-wqy-microhei)"

    page = open_page(browser, url, DESKTOP)
    assert page.evaluate("document.documentElement.lang") == "zh-CN"
    assert page.title() == "预算问答"
    expect(page.get_by_test_id("stFileUploader")).to_be_in_viewport()  # uploads near the top, not below the fold
    upload = page.get_by_test_id("stFileUploaderDropzone").locator("button").first
    expect(upload).to_be_visible()
    assert upload.evaluate("b => getComputedStyle(b, '::after').content") == '"选择文件"'  # the button in Chinese
    page.get_by_test_id("stChatInputTextArea").focus()
    assert page.evaluate(REDS) == [], "the focus ring is no red"
    first = ask(page, "外事办今年出国经费多少？", figure=True)
    figures = page.get_by_test_id("stMetricValue")
    expect(figures).to_have_count(1)
    expect(figures.nth(0)).to_have_text("1,000,000.00元")  # 表十: 2024年 因公出国（境）费, printed in 元
    warm = ask(page, "那2023年呢？", figure=True)
    expect(figures).to_have_count(2)
    expect(figures.nth(1)).to_have_text("2,000,000.00元")
    expect(page.get_by_text("已核验").last).to_be_visible()
    expect(page.get_by_text("沿用：", exact=False).filter(visible=True)).to_have_count(1)  # the context chip
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.get_by_test_id("stChatMessage").nth(-2).scroll_into_view_if_needed()  # the follow-up and its answer
    shot = ARTIFACTS / "chat-desktop-1280x900.png"
    page.screenshot(path=str(shot))
    # the page's own words are Chinese: open every expander, then read what is on screen
    for summary in page.locator("[data-testid='stExpander'] summary").all():
        summary.click()
    page.wait_for_timeout(500)
    assert english_words(page) == set(), english_words(page)
    assert page.evaluate(REDS) == [], "red is for errors only"
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
    page.close()

    timings = {"enter_to_echo_ms": round(warm["echo"] - warm["enter"], 1),
               "enter_to_figure_ms": round(warm["figure"] - warm["enter"], 1),
               "first_enter_to_echo_ms": round(first["echo"] - first["enter"], 1),
               "first_enter_to_figure_ms": round(first["figure"] - first["enter"], 1)}
    (ARTIFACTS / "chat-latency.json").write_text(json.dumps(timings, indent=1))
    print("browser timings:", timings)
    assert timings["enter_to_echo_ms"] < ECHO_LIMIT * 1000, timings
    assert timings["enter_to_figure_ms"] < WARM_LIMIT * 1000, timings
    assert glyphs[0] != glyphs[1], "two different Chinese characters render identically: boxes, not glyphs"
    image = Image.open(shot).convert("RGB")
    assert image.size == (1280, 900) and len(image.getcolors(maxcolors=1 << 24)) > 64
    for probe in glyphs:  # each probe is ink on paper: some dark pixels, mostly light, not a flat box
        histogram = Image.open(io.BytesIO(probe)).convert("L").histogram()
        dark = sum(histogram[:128]) / sum(histogram)
        assert 0.03 < dark < 0.6, dark


def test_phone_shows_title_whole_placeholder_card_before_page(chat_server, browser):
    from playwright.sync_api import expect

    url, _, _ = chat_server
    page = open_page(browser, url, PHONE)
    title = page.get_by_text("预算问答", exact=True).first
    expect(title).to_be_in_viewport()
    # the placeholder fits its box (not cut off): its drawn width against the box's inner width
    fits = page.evaluate("""() => {
        const box = document.querySelector('[data-testid="stChatInputTextArea"]');
        const s = getComputedStyle(box);
        const ctx = document.createElement('canvas').getContext('2d');
        ctx.font = s.font;
        return ctx.measureText(box.placeholder).width <= box.clientWidth - parseFloat(s.paddingLeft) - parseFloat(s.paddingRight);
    }""")
    assert fits, "the input's placeholder is cut off on a phone"
    ask(page, "万里街道2024年财政拨款收入是多少？")
    answer = page.get_by_test_id("stChatMessage").last
    expect(answer.get_by_test_id("stMetricValue")).to_contain_text("元")
    card = answer.get_by_text("单位：元", exact=False).first  # the citation card: document, table, unit, cell
    crop = answer.get_by_test_id("stImage").first
    expect(crop).to_be_visible()
    assert card.bounding_box()["y"] < crop.bounding_box()["y"], "the citation card comes before the page"
    picture = crop.locator("img").first.bounding_box()
    assert picture["x"] >= 0 and picture["x"] + picture["width"] <= PHONE["width"], "the page crop fits the phone"
    assert english_words(page) == set(), english_words(page)
    answer.get_by_test_id("stMetricValue").scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "chat-phone-390x844.png"))  # the figure and its sentence
    crop.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    page.screenshot(path=str(ARTIFACTS / "chat-phone-390x844-evidence.png"))  # the card, then the page
    page.close()


def test_reload_keeps_the_conversation_and_delete_removes_it(chat_server, browser):
    from playwright.sync_api import expect

    url, _, home = chat_server
    page = open_page(browser, url, DESKTOP)
    ask(page, "外事办2024年公务接待费是多少？")
    assert "c=" in page.url  # the conversation is named in the address
    page.reload()
    messages = page.get_by_test_id("stChatMessage")
    expect(messages.first).to_contain_text("外事办2024年公务接待费是多少？", timeout=30_000)
    expect(page.get_by_test_id("stMetricValue")).to_have_count(1)
    conversation = page.url.split("c=")[1].split("&")[0]
    sidebar = page.get_by_test_id("stSidebar")
    entry = sidebar.locator(f".st-key-conv-del-{conversation} button").first
    expect(entry).to_be_visible()
    entry.click()
    expect(page.get_by_text("外事办2024年公务接待费是多少？")).to_have_count(0, timeout=30_000)
    page.reload()
    expect(page.get_by_text("猜你想问")).to_be_visible(timeout=30_000)
    expect(page.get_by_text("外事办2024年公务接待费是多少？")).to_have_count(0)
    from app.chat.history import ChatHistory

    assert conversation not in [c.id for c in ChatHistory(home).conversations()]
    page.close()
