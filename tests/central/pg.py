"""A throw-away PostgreSQL server for the tests: initdb in a temporary folder, listening on loopback
only, on a free port, stopped and removed at the end of the session — whatever way it ends:

- ``stop()`` runs ``pg_ctl stop`` and checks that the postmaster is gone; if it is not (or pg_ctl
  fails), it kills the postmaster by the pid in ``postmaster.pid``, then removes the folder. It is
  idempotent, so the fixture's teardown, ``atexit`` and the signal handlers can all call it.
- ``start()`` registers ``stop`` with ``atexit`` and on SIGTERM / SIGHUP (then lets the signal do what
  it did before); Ctrl+C (SIGINT) unwinds through the fixture and ``atexit``.
- a test process killed with SIGKILL runs nothing, so each folder records the pid of the process that
  started it (``owner.pid``) and the next ``start()`` stops and removes the servers of owners that no
  longer run. Servers of live processes (another test session) are left alone.

PostgreSQL refuses to run as root (CI runs as root), so when this process is root the server runs as
the ``postgres`` user the Debian package creates, in a folder owned by it. Debian installs the
programs in ``/usr/lib/postgresql/<version>/bin`` (not on PATH); ``scripts/apt-packages.extra`` lists
the package.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import pwd
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

__all__ = ["PgServer", "find_bin", "sweep_orphans"]

PREFIX = "dxdesk-pg-"


def find_bin() -> Path:
    """The folder with initdb / pg_ctl (newest version first)."""
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"), key=lambda p: int(p.parent.parent.name))
    if found:
        return found[-1].parent
    which = shutil.which("initdb")
    if which:
        return Path(which).parent
    raise RuntimeError(
        "PostgreSQL が見つかりません。scripts/bootstrap.sh（make test）で Debian パッケージ postgresql を"
        "インストールしてください。"
    )


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class PgServer:
    """``with PgServer() as pg: pg.url("dbname")``."""

    def __init__(self) -> None:
        self.bin = find_bin()
        self.port = _free_port()
        self.dir = Path(tempfile.mkdtemp(prefix=PREFIX))
        self.owner = os.getpid()
        (self.dir / "owner.pid").write_text(str(self.owner))
        self._stopped = False
        self.data = self.dir / "data"
        self.user: str | None = None
        if os.geteuid() == 0:
            self.user = "postgres"
            pw = pwd.getpwnam(self.user)
            os.chown(self.dir, pw.pw_uid, pw.pw_gid)

    def _run(self, *args: str) -> subprocess.CompletedProcess[str]:
        kwargs: dict[str, object] = {}
        if self.user is not None:
            kwargs = {"user": self.user, "group": pwd.getpwnam(self.user).pw_gid}
        return subprocess.run(
            [str(a) for a in args],
            check=True,
            capture_output=True,
            text=True,
            cwd=self.dir,
            **kwargs,  # type: ignore[call-overload]
        )

    def start(self) -> PgServer:
        sweep_orphans(exclude=self.dir)
        atexit.register(self.stop)
        _stop_on_signals(self)
        try:
            return self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> PgServer:
        self._run(
            str(self.bin / "initdb"),
            "-D",
            str(self.data),
            "-U",
            "dxdesk",
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        )
        options = (
            f"-c listen_addresses=127.0.0.1 -p {self.port} -c unix_socket_directories='' "
            "-c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50"
        )
        self._run(
            str(self.bin / "pg_ctl"),
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.dir / "log"),
            "-w",
            "start",
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return self
            time.sleep(0.1)
        raise RuntimeError("PostgreSQL did not start: " + (self.dir / "log").read_text(errors="replace"))

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://dxdesk@127.0.0.1:{self.port}/{database}"

    def execute(self, sql: str) -> None:
        """Run a statement outside a transaction (CREATE / DROP DATABASE)."""
        import psycopg

        with psycopg.connect(
            f"host=127.0.0.1 port={self.port} user=dxdesk dbname=postgres", autocommit=True
        ) as c:
            c.execute(sql)  # type: ignore[arg-type]

    def create_database(self, name: str, template: str | None = None) -> str:
        self.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))
        return self.url(name)

    def postmaster_pid(self) -> int | None:
        """The server's pid from ``postmaster.pid`` (None when there is no running server)."""
        return _postmaster_pid(self.data)

    def stop(self) -> None:
        """Stop the server (checked), kill it by pid if it is still there, remove its folder. Only the
        process that started it does (a forked child inherits the object, atexit and signal handlers)."""
        if self._stopped or os.getpid() != self.owner:
            return
        self._stopped = True
        _stop_server(self.bin, self.data, self._run if self.data.exists() else None)
        shutil.rmtree(self.dir, ignore_errors=True)
        atexit.unregister(self.stop)
        _servers.discard(self)

    def __enter__(self) -> PgServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def _postmaster_pid(data: Path) -> int | None:
    try:
        first = (data / "postmaster.pid").read_text().splitlines()[0]
        return int(first)
    except (OSError, ValueError, IndexError):
        return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie child counts as gone
        return Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0] != "Z"
    except OSError:
        return True


def _stop_server(bin_dir: Path, data: Path, run: Callable[..., object] | None) -> None:
    pid = _postmaster_pid(data)
    if pid is None:
        return
    if run is not None:
        with contextlib.suppress(subprocess.CalledProcessError, OSError):
            run(str(bin_dir / "pg_ctl"), "-D", str(data), "-m", "immediate", "-w", "-t", "20", "stop")
    deadline = time.monotonic() + 10
    while _alive(pid) and time.monotonic() < deadline:
        time.sleep(0.05)
    if _alive(pid):  # pg_ctl failed or timed out: the fallback
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.kill(pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)


def sweep_orphans(exclude: Path | None = None) -> list[Path]:
    """Stop and remove the test servers whose starting process no longer runs; returns their folders."""
    removed = []
    for folder in Path(tempfile.gettempdir()).glob(PREFIX + "*"):
        if folder == exclude:
            continue
        try:
            owner = int((folder / "owner.pid").read_text())
        except (OSError, ValueError):
            continue  # not one of ours, or still being created
        if _alive(owner):
            continue
        pid = _postmaster_pid(folder / "data")
        if pid is not None and _alive(pid):
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


_servers: set[PgServer] = set()
_previous: dict[int, object] = {}


def _on_signal(signum: int, frame: object) -> None:
    # A process forked from the test process (the merge's verification workers) inherits this handler;
    # when its pool ends it with SIGTERM it must not stop the test process's server.
    for server in list(_servers):
        if server.owner == os.getpid():
            server.stop()
    previous = _previous.get(signum, signal.SIG_DFL)
    if callable(previous):
        previous(signum, frame)
    else:
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)


def _stop_on_signals(server: PgServer) -> None:
    _servers.add(server)
    for signum in (signal.SIGTERM, signal.SIGHUP):
        if signum not in _previous:
            with contextlib.suppress(ValueError):  # not the main thread: atexit and the fixture remain
                _previous[signum] = signal.signal(signum, _on_signal)
