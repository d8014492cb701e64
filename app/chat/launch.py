"""`budgetqa chat`: Streamlit's command line for the page, on loopback, offline, no telemetry.

The process is replaced by Streamlit (exec), so whoever started `budgetqa chat` can stop the
server by its process id. The data directory reaches the page as BUDGETQA_HOME.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
from pathlib import Path

from app.chat.uploads import UPLOAD_LIMIT_MB
from app.settings import Settings
from ingest.errors import BudgetQAError

HOST = "127.0.0.1"
DEFAULT_PORT = 8501
PAGE = Path(__file__).with_name("page.py")


def streamlit_command(port: int) -> list[str]:
    return [
        sys.executable, "-m", "streamlit", "run", str(PAGE),
        "--server.address", HOST,
        "--server.port", str(port),
        "--server.headless", "true",
        "--browser.gatherUsageStats", "false",
        "--browser.serverAddress", HOST,
        "--browser.serverPort", str(port),
        "--server.showEmailPrompt", "false",
        "--server.maxUploadSize", str(UPLOAD_LIMIT_MB),
        "--server.fileWatcherType", "none",
        "--server.runOnSave", "false",
        "--client.toolbarMode", "minimal",
        "--global.developmentMode", "false",
        "--client.disableDataExport", "true",
        # a calm theme: Streamlit's default primary colour is red, which reads as an error on focus
        # rings, progress bars and selected items
        "--theme.base", "light",
        "--theme.primaryColor", "#2f6fb2",
        "--theme.redColor", "#b4542e",
    ]


def streamlit_environment(settings: Settings) -> dict[str, str]:
    env = dict(os.environ)
    env.update(BUDGETQA_HOME=str(settings.home), STREAMLIT_BROWSER_GATHER_USAGE_STATS="false",
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ANONYMIZED_TELEMETRY="False")
    return env


def check_port(port: int) -> None:
    """Fail in Chinese before Streamlit does in English: the port must be free on loopback."""
    if not 0 < port < 65536:
        raise BudgetQAError(f"端口 {port} 无效，请给出 1–65535 之间的端口。", f"invalid port {port}")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        # as the server binds: connections of a stopped server lingering in TIME_WAIT do not count
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((HOST, port))
        except OSError as exc:
            if exc.errno in (errno.EADDRINUSE, errno.EACCES):
                raise BudgetQAError(f"端口 {port} 已被占用（或无权使用），请用 --port 换一个端口。",
                                    f"{HOST}:{port}: {exc}") from exc
            raise


def run_chat(settings: Settings, port: int, say) -> int:
    """Replace this process with the Streamlit server (never returns unless exec fails)."""
    check_port(port)
    settings.home.mkdir(parents=True, exist_ok=True)
    say(f"BudgetQA 聊天：http://{HOST}:{port}  （数据目录 {settings.home}；按 Ctrl+C 停止）")
    sys.stdout.flush()
    sys.stderr.flush()
    command = streamlit_command(port)
    os.execve(command[0], command, streamlit_environment(settings))
    return 1  # not reached
