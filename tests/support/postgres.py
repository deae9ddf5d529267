"""A throwaway PostgreSQL cluster for the test suite.

`ThrowawayPostgres` runs `initdb` into a temporary directory and starts the server
on a free local port with durability switched off (fsync, synchronous_commit,
full_page_writes). The directory is in memory (/dev/shm) when that tmpfs has room,
which makes the per-test CREATE DATABASE (a copy of template1) several times cheaper
than on a busy disk. When the tests run as root the cluster is owned by, and the
binaries run as, the `postgres` user (`runuser -u postgres --`), because the
server refuses to run as root.

`ExternalPostgres` wraps an already-running server (KOMPETANSE_TEST_POSTGRES_URL)
with the same database helpers and never starts or stops it.
"""

from __future__ import annotations

import atexit
import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

__all__ = [
    "ExternalPostgres",
    "PostgresNotAvailableError",
    "ThrowawayPostgres",
    "database_url_for",
    "find_postgres_bindir",
]

_SERVER_SETTINGS = (
    "-c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off "
    "-c full_page_writes=off -c max_connections=200"
)


# Room the cluster needs in memory: initdb's ~40 MB plus the tests' databases alive at
# once (~8 MB each). Docker's default /dev/shm (64 MB) is too small: then a disk is used.
_MEMORY_DIR = "/dev/shm"
_MEMORY_DIR_MIN_FREE = 1 << 30


def _cluster_parent_dir(as_postgres: bool) -> str | None:
    """Where to create the cluster: /dev/shm when roomy, else /tmp (as root: the postgres
    user must reach it) or the default temporary directory."""
    with contextlib.suppress(OSError):
        usage = shutil.disk_usage(_MEMORY_DIR)
        if usage.free >= _MEMORY_DIR_MIN_FREE and os.access(_MEMORY_DIR, os.W_OK):
            return _MEMORY_DIR
    return "/tmp" if as_postgres else None


class PostgresNotAvailableError(RuntimeError):
    """PostgreSQL server binaries (initdb, pg_ctl) cannot be found."""


def _version_key(bindir: str) -> tuple[int, ...]:
    version = Path(bindir).parent.name
    return tuple(int(part) for part in version.split(".") if part.isdigit()) or (0,)


def find_postgres_bindir() -> Path:
    """Directory holding initdb and pg_ctl: the highest /usr/lib/postgresql/*/bin, else PATH."""
    candidates = [
        d
        for d in glob.glob("/usr/lib/postgresql/*/bin")
        if os.access(os.path.join(d, "initdb"), os.X_OK)
        and os.access(os.path.join(d, "pg_ctl"), os.X_OK)
    ]
    if candidates:
        return Path(max(candidates, key=_version_key))
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl", path=str(Path(initdb).parent)):
        return Path(initdb).parent
    raise PostgresNotAvailableError(
        "PostgreSQL server binaries (initdb, pg_ctl) not found in /usr/lib/postgresql/*/bin "
        "or on PATH"
    )


def database_url_for(server_url: str, dbname: str) -> str:
    """`server_url` with its database replaced by `dbname`."""
    parts = urlsplit(server_url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + dbname, parts.query, parts.fragment))


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _connect_url(url: str) -> str:
    """psycopg wants a plain libpq URL (no SQLAlchemy driver suffix)."""
    scheme, rest = url.split("://", 1)
    if scheme in ("postgresql+psycopg", "postgres"):
        scheme = "postgresql"
    return f"{scheme}://{rest}"


class _DatabaseAdmin:
    """CREATE/DROP DATABASE through the maintenance database at `url`."""

    @property
    def url(self) -> str:
        """URL of the maintenance database (`postgres`) on the server."""
        raise NotImplementedError

    def database_url(self, name: str) -> str:
        return database_url_for(self.url, name)

    def create_database(self, name: str) -> str:
        with psycopg.connect(_connect_url(self.url), autocommit=True, connect_timeout=10) as conn:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.database_url(name)

    def drop_database(self, name: str) -> None:
        with psycopg.connect(_connect_url(self.url), autocommit=True, connect_timeout=10) as conn:
            conn.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )

    def database_names(self) -> set[str]:
        with psycopg.connect(_connect_url(self.url), autocommit=True, connect_timeout=10) as conn:
            rows = conn.execute("SELECT datname FROM pg_database").fetchall()
        return {str(row[0]) for row in rows}


class ExternalPostgres(_DatabaseAdmin):
    """A server someone else runs; `url` must point at a database we may connect to."""

    def __init__(self, url: str) -> None:
        self._url = url

    @property
    def url(self) -> str:
        return self._url

    def close(self) -> None:
        """Nothing to stop: the server is not ours."""


class ThrowawayPostgres(_DatabaseAdmin):
    """A private PostgreSQL cluster in a temporary directory.

    Use as a context manager, or call `start()` and `close()`. `stop()`/`start()`
    and `restart()` keep the data and the port, for fault-injection tests.
    """

    def __init__(self, bindir: Path | None = None, *, start_attempts: int = 5) -> None:
        self.bindir = bindir or find_postgres_bindir()
        self._as_postgres = os.geteuid() == 0
        self._start_attempts = start_attempts
        self.base_dir: Path | None = None
        self.port: int | None = None
        self._initialised = False
        self._running = False

    # -- paths and URL -------------------------------------------------------------

    @property
    def data_dir(self) -> Path:
        assert self.base_dir is not None, "cluster not created yet"
        return self.base_dir / "data"

    @property
    def socket_dir(self) -> Path:
        assert self.base_dir is not None, "cluster not created yet"
        return self.base_dir / "sock"

    @property
    def log_file(self) -> Path:
        assert self.base_dir is not None, "cluster not created yet"
        return self.base_dir / "postgres.log"

    @property
    def url(self) -> str:
        assert self.port is not None, "server never started"
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def running(self) -> bool:
        return self._running

    # -- lifecycle -----------------------------------------------------------------

    def __enter__(self) -> ThrowawayPostgres:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def start(self) -> None:
        """Create the cluster on first use, then start the server (same port after a stop)."""
        if self._running:
            return
        if not self._initialised:
            self._create_cluster()
            atexit.register(self.close)
        if self.port is not None:
            self._pg_ctl_start()
        else:
            # A port found free may be taken by another process (pytest-xdist
            # workers start clusters concurrently); retry with a fresh one.
            last_error: RuntimeError | None = None
            for _ in range(self._start_attempts):
                self.port = _free_port()
                try:
                    self._pg_ctl_start()
                    break
                except RuntimeError as error:
                    last_error = error
                    self.port = None
            else:
                assert last_error is not None
                raise last_error
        self._running = True

    def stop(self) -> None:
        """Stop the server at once (`-m immediate`), keeping the data directory and port."""
        if not self._running:
            return
        self._run(
            [str(self.bindir / "pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"]
        )
        self._running = False

    def restart(self) -> None:
        self.stop()
        self.start()

    def close(self) -> None:
        """Stop the server and delete the cluster directory."""
        with contextlib.suppress(Exception):
            self.stop()
        if self.base_dir is not None:
            shutil.rmtree(self.base_dir, ignore_errors=True)
            self.base_dir = None
        self._initialised = False
        with contextlib.suppress(Exception):
            atexit.unregister(self.close)

    # -- internals -----------------------------------------------------------------

    def _create_cluster(self) -> None:
        # Under /dev/shm or /tmp (mode 1777) so the postgres user can reach it when we
        # are root; TMPDIR may point somewhere private.
        parent = _cluster_parent_dir(self._as_postgres)
        self.base_dir = Path(tempfile.mkdtemp(prefix="kompetanse-pg-", dir=parent))
        try:
            self.base_dir.chmod(0o755)
            self.socket_dir.mkdir()
            if self._as_postgres:
                pw = pwd.getpwnam("postgres")
                for path in (self.base_dir, self.socket_dir):
                    os.chown(path, pw.pw_uid, pw.pw_gid)
            self._run(
                [
                    str(self.bindir / "initdb"),
                    "-D",
                    str(self.data_dir),
                    "-U",
                    "postgres",
                    "--auth=trust",
                    "-E",
                    "UTF8",
                    "--no-locale",
                ]
            )
        except BaseException:
            shutil.rmtree(self.base_dir, ignore_errors=True)
            self.base_dir = None
            raise
        self._initialised = True

    def _pg_ctl_start(self) -> None:
        options = f"-k {self.socket_dir} -p {self.port} {_SERVER_SETTINGS}"
        self._run(
            [
                str(self.bindir / "pg_ctl"),
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-o",
                options,
                "-w",
                "-t",
                "60",
                "start",
            ]
        )

    def _run(self, argv: list[str]) -> None:
        if self._as_postgres:
            argv = ["runuser", "-u", "postgres", "--", *argv]
        assert self.base_dir is not None
        result = subprocess.run(
            argv,
            cwd=self.base_dir,  # postgres may not be able to read the caller's cwd
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            log = ""
            with contextlib.suppress(OSError):
                log = self.log_file.read_text(errors="replace")[-4000:]
            raise RuntimeError(
                f"{' '.join(argv)} failed with exit {result.returncode}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}\nserver log (tail):\n{log}"
            )
