"""The Streamlit chat (`budgetqa chat`): ask in Chinese, see the verified answer and its source.

    page.py       the Streamlit script itself: thin (DESIGN style 8), run by `streamlit run`
    launch.py     the `budgetqa chat` command line for Streamlit (loopback, headless, no telemetry)
    service.py    one per process (st.cache_resource): the fact store, engines per sidebar filter,
                  the chunk index for uploads, suggested questions
    uploads.py    uploaded files: safe names under HOME/uploads, size and type limits, ingest
    sources.py    an answer's sources as data: the table excerpt with the used cells, the
                  paragraph with the quoted sentence, Markdown escaping of document text
    charts.py     Altair charts: the structure of a breakdown, year-on-year bars
    suggest.py    suggested questions for a first visit, drawn from the ingested documents
    history.py    saved conversations and 👍/👎 feedback in SQLite in the data directory
    figures.py    an answer's figure in the document's own unit and precision, its direction and name
    pagecrop.py   the original PDF page region with the cell or sentence outlined (pypdfium2)
    look.py       Chinese for Streamlit's own strings, lang="zh-CN", CSS for a phone
    answer_view.py, sidebar_view.py   the Streamlit calls that draw an answer and the sidebar

Only page.py and the *_view.py modules call Streamlit; the rest is plain Python with its own tests.
Document text reaches the page only as escaped Markdown or as table cells, never as HTML.
"""
