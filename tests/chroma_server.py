"""A real Chroma server for tests: `chroma run` on a free loopback port, stopped afterwards."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMA = Path(sys.executable).with_name("chroma")  # the environment's own chroma command


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def chroma_server(data: Path):
    """The URL of a `chroma run` server storing in `data`; its output goes to data/../chroma.log."""
    if not CHROMA.exists():
        pytest.fail("the chroma command is part of the environment (.venv/bin/chroma)")
    port, log_path = free_port(), Path(data).parent / f"chroma-{Path(data).name}.log"
    with log_path.open("w") as log:
        server = subprocess.Popen([str(CHROMA), "run", "--path", str(data), "--host", "127.0.0.1", "--port", str(port)],
                                  stdout=log, stderr=subprocess.STDOUT, env=dict(os.environ, ANONYMIZED_TELEMETRY="False"))
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    with urllib.request.urlopen(f"{url}/api/v2/heartbeat", timeout=2) as reply:
                        if reply.status == 200:
                            break
                except OSError:
                    if server.poll() is not None or time.monotonic() > deadline:
                        pytest.fail(f"chroma run did not answer on {url} (exit {server.poll()}): {log_path.read_text()}")
                    time.sleep(0.2)
            yield url
        finally:
            server.terminate()  # our own child, by its pid
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=10)
