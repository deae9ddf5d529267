"""`projection_tracking`: each view's live generation and applied position (ADR 0004).

The follower writes a view's rows and its new position in one transaction, after
locking the view's tracking row and checking that nobody (another process, a
rebuild) moved it meanwhile; so an event is applied exactly once, crash or not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import (
    BigInteger,
    Column,
    Connection,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    bindparam,
    inspect,
    select,
)

from projections.engine.tables import UTCDateTime

metadata = MetaData()

projection_tracking = Table(
    "projection_tracking",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("generation", Integer, nullable=False),
    Column("position", BigInteger, nullable=False),
    Column("updated_at", UTCDateTime, nullable=True),
    Column("heartbeat_at", UTCDateTime, nullable=True),
    Column("error", Text, nullable=True),
    # fingerprint of the view's table definitions that built this generation (`schema`)
    Column("shape", String(64), nullable=True),
)


@dataclass(frozen=True)
class TrackingRow:
    name: str
    generation: int
    position: int
    updated_at: datetime | None
    heartbeat_at: datetime | None
    error: str | None
    shape: str | None


def _row(values: object) -> TrackingRow:
    return TrackingRow(*values)  # type: ignore[misc]


def read_all(conn: Connection) -> dict[str, TrackingRow]:
    rows = conn.execute(select(projection_tracking)).all()
    return {row.name: _row(row) for row in rows}


def ensure(conn: Connection, name: str, shape: str | None = None) -> TrackingRow:
    """The view's row, created at generation 1, position 0 (built by `shape`) when new."""
    row = conn.execute(
        select(projection_tracking).where(projection_tracking.c.name == name)
    ).first()
    if row is not None:
        return _row(row)
    conn.execute(
        projection_tracking.insert().values(name=name, generation=1, position=0, shape=shape)
    )
    return TrackingRow(name, 1, 0, None, None, None, shape)


def add_missing_columns(conn: Connection) -> None:
    """Bring a tracking table of an older release up to date (it had no `shape`)."""
    present = {column["name"] for column in inspect(conn).get_columns(projection_tracking.name)}
    if "shape" not in present:
        conn.exec_driver_sql("ALTER TABLE projection_tracking ADD COLUMN shape VARCHAR(64)")


# Built once: the follower locks and advances each view's row in every step, and building
# these statements each time cost more than running them (issue 7).
_ADVANCE = (
    projection_tracking.update()
    .where(projection_tracking.c.name == bindparam("view_name"))
    .values(
        generation=bindparam("generation"),
        position=bindparam("position"),
        updated_at=bindparam("updated_at"),
        error=None,
    )
)
_ADVANCE_WITH_SHAPE = _ADVANCE.values(shape=bindparam("shape"))
# several rows at once, in the order of their names (a rebuild's swap takes its rows
# in that order too), so that two transactions locking overlapping sets never dead-lock
_LOCK_MANY = (
    select(projection_tracking)
    .where(projection_tracking.c.name.in_(bindparam("view_names", expanding=True)))
    .order_by(projection_tracking.c.name)
    .with_for_update()
)


def lock(conn: Connection, name: str) -> TrackingRow:
    """The view's row, locked until the transaction ends (SQLite: the writer lock does it)."""
    return lock_many(conn, [name])[name]


def lock_many(conn: Connection, names: list[str]) -> dict[str, TrackingRow]:
    """The views' rows, locked until the transaction ends, taken in the order of names."""
    rows = conn.execute(_LOCK_MANY, {"view_names": names}).all()
    return {row.name: _row(row) for row in rows}


def _position(name: str, generation: int, position: int, now: datetime) -> dict[str, object]:
    return {"view_name": name, "generation": generation, "position": position, "updated_at": now}


def advance_many(conn: Connection, positions: dict[str, tuple[int, int]], *, now: datetime) -> None:
    """Record several views' applied positions: name -> (generation, position)."""
    conn.execute(
        _ADVANCE,
        [
            _position(name, generation, position, now)
            for name, (generation, position) in positions.items()
        ],
    )


def advance(
    conn: Connection,
    name: str,
    *,
    generation: int,
    position: int,
    now: datetime,
    shape: str | None = None,
) -> None:
    """Record the applied position (and, after a rebuild, the new generation's shape)."""
    values = _position(name, generation, position, now)
    if shape is None:
        conn.execute(_ADVANCE, values)
    else:
        conn.execute(_ADVANCE_WITH_SHAPE, {**values, "shape": shape})


def beat(conn: Connection, names: list[str], now: datetime) -> None:
    """The runner is alive: stamp the views it follows."""
    conn.execute(
        projection_tracking.update()
        .where(projection_tracking.c.name.in_(names))
        .values(heartbeat_at=now)
    )


def record_error(conn: Connection, name: str, error: str) -> None:
    conn.execute(
        projection_tracking.update()
        .where(projection_tracking.c.name == name)
        .values(error=error[:4000])
    )


def clear_errors(conn: Connection, names: list[str]) -> list[str]:
    """Let stopped views resume (a follower looks for this); returns those cleared."""
    rows = read_all(conn)
    stopped = [name for name in names if name in rows and rows[name].error is not None]
    if stopped:
        conn.execute(
            projection_tracking.update()
            .where(projection_tracking.c.name.in_(stopped))
            .values(error=None)
        )
    return stopped
