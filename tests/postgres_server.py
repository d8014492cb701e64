"""A real PostgreSQL server for tests: initdb and pg_ctl in a temporary folder, on a loopback port.

PostgreSQL refuses to run as root, and CI runs as root: the server then runs as an unprivileged
user (`budgetqa`, made by scripts/setup.sh, else `nobody`) through `runuser`. Each test gets its
own database on the one server (`fresh_database`), so tests never see each other's documents.
"""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from contextlib import contextmanager
from pathlib import Path

BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
SUPERUSER = "budgetqa"


def binaries() -> Path | None:
    """The folder holding initdb and pg_ctl (Debian's `postgresql` package), or None."""
    for folder in BIN_DIRS:
        if (folder / "initdb").exists() and (folder / "pg_ctl").exists():
            return folder
    found = shutil.which("initdb")
    return Path(found).parent if found and shutil.which("pg_ctl") else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _run_as() -> str | None:
    """The user the server runs as when we are root (None: ourselves)."""
    if os.geteuid() != 0:
        return None
    for name in ("budgetqa", "nobody"):
        try:
            pwd.getpwnam(name)
            return name
        except KeyError:
            continue
    raise RuntimeError("running as root and no unprivileged user (budgetqa or nobody) to run PostgreSQL")


class PostgresServer:
    def __init__(self, folder: Path, port: int, user: str | None, bin_dir: Path):
        self.folder, self.port, self.user, self.bin_dir = folder, port, user, bin_dir

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def fresh_database(self) -> str:
        """A new empty database on this server; its URL."""
        import psycopg

        name = "t_" + uuid.uuid4().hex[:12]
        with psycopg.connect(self.url(), autocommit=True) as db:
            db.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def _cmd(self, *args: str) -> list[str]:
        return (["runuser", "-u", self.user, "--"] if self.user else []) + list(args)

    def pg_ctl(self, *args: str) -> None:
        subprocess.run(self._cmd(str(self.bin_dir / "pg_ctl"), "-D", str(self.folder / "data"), *args),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)


@contextmanager
def running_postgres():
    """Start a server for the duration of the block; raises RuntimeError when it cannot start."""
    bin_dir = binaries()
    if bin_dir is None:
        raise FileNotFoundError("PostgreSQL binaries (initdb, pg_ctl) not found: install Debian's postgresql package")
    user = _run_as()
    folder = Path(tempfile.mkdtemp(prefix="budgetqa-pg-"))
    if user:
        info = pwd.getpwnam(user)
        os.chown(folder, info.pw_uid, info.pw_gid)
    server = PostgresServer(folder, _free_port(), user, bin_dir)
    try:
        subprocess.run(server._cmd(str(bin_dir / "initdb"), "-D", str(folder / "data"), "-U", SUPERUSER,
                                   "--auth=trust", "-E", "UTF8", "--no-locale"),
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, timeout=120)
        # loopback TCP only (no Unix socket), no fsync: a throwaway server for tests
        server.pg_ctl("-l", str(folder / "server.log"), "-w", "-t", "60",
                      "-o", f"-h 127.0.0.1 -p {server.port} -k '' -F", "start")
        try:
            yield server
        finally:
            server.pg_ctl("-m", "fast", "-w", "stop")
    except subprocess.CalledProcessError as exc:
        log = (folder / "server.log")
        detail = log.read_text(errors="replace")[-2000:] if log.exists() else ""
        raise RuntimeError(f"{exc.cmd[-1]} failed: {exc.stderr.decode(errors='replace')[-2000:]}\n{detail}") from exc
    finally:
        shutil.rmtree(folder, ignore_errors=True)
