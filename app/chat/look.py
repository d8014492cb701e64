"""The page's look: Chinese throughout, calm colours, a layout that works on a phone.

Streamlit draws a few English strings of its own (the uploader's button and its size line, the
status widget) and marks the page `<html lang="en">`; this sets the language to zh-CN and puts
Chinese in place of those strings. The theme's colours (no red for normal states) are set by the
launcher (app/chat/launch.py). Only our own fixed CSS and script are written here: no document
text ever reaches this HTML.
"""

from __future__ import annotations

import streamlit as st

LANG_SCRIPT = """<script>
document.documentElement.lang = 'zh-CN';
(() => {
  const fix = () => document.querySelectorAll('[data-testid="stSkipToContent"], .stSkipToContent').forEach(a => {
    if (a.textContent !== '跳到正文') a.textContent = '跳到正文';
  });
  fix();
  if (!window.__budgetqaChinese) {  // Streamlit draws its skip link again after a rerun
    window.__budgetqaChinese = new MutationObserver(fix);
    window.__budgetqaChinese.observe(document.body, {childList: true, subtree: true});
  }
})();
</script>"""
STYLE = """
<style>
/* the uploader in Chinese: our label says the types and the size limit */
[data-testid="stFileUploaderDropzoneInstructions"] { display: none; }
[data-testid="stFileUploaderDropzone"] button { font-size: 0; }
[data-testid="stFileUploaderDropzone"] button * { display: none; }
[data-testid="stFileUploaderDropzone"] button::after { content: "选择文件"; font-size: 0.875rem; }
/* Streamlit's own English status line ("Running…") and toolbar */
[data-testid="stStatusWidget"], [data-testid="stToolbar"], [data-testid="stDecoration"] { display: none; }
/* saved conversations read as a list: titles from the left */
[class*="st-key-conv-"] button { justify-content: flex-start; text-align: left; }
/* the user's avatar is drawn in the theme's red: a question is no error */
[data-testid="stChatMessageAvatarUser"] { background-color: #5b7fa6 !important; }
/* long chart labels and table headers wrap instead of being cut */
[data-testid="stTable"] th { white-space: normal; }
/* the page crop never runs off a phone's screen */
[data-testid="stImage"] img { max-width: min(100%, 640px) !important; height: auto !important; }
/* a phone: the answer's figure and the page crop use the whole width */
@media (max-width: 640px) {
  [data-testid="stMetricValue"] { font-size: 1.6rem; }
  [data-testid="stChatMessage"] { padding-left: 0.25rem; padding-right: 0.25rem; }
}
</style>
"""


def apply_look() -> None:
    st.html(STYLE)
    st.html(LANG_SCRIPT, unsafe_allow_javascript=True)
