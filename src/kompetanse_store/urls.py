"""Maps one database URL to the `eventsourcing` persistence settings (ADR 0002).

`sqlite:///path/to/file.db` selects the library's SQLite recorder (its writers taking
turns across processes, ADR 0018);
`postgresql://user:pass@host:port/db` selects its PostgreSQL recorder (psycopg 3).
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

from kompetanse_domain.errors import InvalidInputError

DEFAULT_DATA_DIR = "./var"
# the library's SQLite store, its writers of all processes taking turns (ADR 0018)
SQLITE_FACTORY = "kompetanse_store.sqlite_turns:TurnTakingSQLiteFactory"
# the library's PostgreSQL store, its tables created by one process at a time
POSTGRES_FACTORY = "kompetanse_store.postgres_schema:SchemaInTurnPostgresFactory"


def default_database_url(data_dir: str | Path = DEFAULT_DATA_DIR) -> str:
    """The embedded default: a SQLite file in the data directory."""
    path = Path(data_dir).resolve() / "kompetanse.db"
    return f"sqlite:///{path}"


def is_sqlite(database_url: str) -> bool:
    return database_url.startswith("sqlite:")


def sqlite_path(database_url: str) -> Path:
    """The file of a `sqlite:///...` URL."""
    rest = database_url.split(":", 1)[1]
    if not rest.startswith("///"):
        raise InvalidInputError(
            f"KOMPETANSE_DATABASE_URL {database_url!r}: write sqlite:///relative.db "
            "or sqlite:////absolute/path.db"
        )
    return Path(rest[3:])


def event_store_env(
    database_url: str,
    *,
    lock_timeout_s: int = 5,
    cipher_key: str | None = None,
    aggregate_cache: int = 0,
) -> dict[str, str]:
    """Environment for `eventsourcing.application.Application(env=...)`.

    `cipher_key` (from `KOMPETANSE_CIPHER_KEY`, made by `kompetanse keys cipher`) turns on
    AES-GCM encryption of stored event payloads and snapshots (ADR 0010).
    `lock_timeout_s` bounds, in whole seconds, how long a PostgreSQL insert waits for the
    events table's lock before it gives up (ADR 0002).
    """
    env = _persistence_env(database_url, lock_timeout_s)
    if cipher_key:
        env["CIPHER_TOPIC"] = "eventsourcing.cryptography:AESCipher"
        env["CIPHER_KEY"] = cipher_key
    if aggregate_cache > 0:
        env["AGGREGATE_CACHE_MAXSIZE"] = str(aggregate_cache)
    return env


def _persistence_env(database_url: str, lock_timeout_s: int) -> dict[str, str]:
    if is_sqlite(database_url):
        path = sqlite_path(database_url)
        path.parent.mkdir(parents=True, exist_ok=True)
        return {
            "PERSISTENCE_MODULE": SQLITE_FACTORY,
            "SQLITE_DBNAME": str(path),
            "SQLITE_LOCK_TIMEOUT": "10",
        }
    parts = urlsplit(database_url)
    if parts.scheme not in ("postgresql", "postgres", "postgresql+psycopg"):
        raise InvalidInputError(
            f"KOMPETANSE_DATABASE_URL scheme {parts.scheme!r} is not supported: "
            "use sqlite:///file.db or postgresql://user:pass@host:port/db"
        )
    return {
        "PERSISTENCE_MODULE": POSTGRES_FACTORY,
        "POSTGRES_DBNAME": unquote(parts.path.lstrip("/")),
        "POSTGRES_HOST": unquote(parts.hostname or "localhost"),
        "POSTGRES_PORT": str(parts.port or 5432),
        "POSTGRES_USER": unquote(parts.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parts.password or ""),
        # whole seconds: the library writes `SET LOCAL lock_timeout = '<n>s'`
        "POSTGRES_LOCK_TIMEOUT": str(lock_timeout_s),
        "POSTGRES_PRE_PING": "y",
        "POSTGRES_POOL_SIZE": "5",
        "POSTGRES_MAX_OVERFLOW": "10",
        # The library retries a failed statement 10 times (0.2 s apart): a short connect
        # timeout keeps an outage's 503 within seconds rather than a minute.
        "POSTGRES_CONNECT_TIMEOUT": "2",
    }


def views_database_url(database_url: str) -> str:
    """SQLAlchemy URL of the read side (ADR 0004).

    SQLite: a sibling file `<name>-views.db` so view writes never contend with the
    event store's writer lock. PostgreSQL: the same database, psycopg 3 driver.
    """
    if is_sqlite(database_url):
        path = sqlite_path(database_url)
        return f"sqlite:///{path.with_name(path.stem + '-views.db')}"
    parts = urlsplit(database_url)
    return (
        "postgresql+psycopg://" + database_url.split("://", 1)[1] if parts.scheme else database_url
    )
