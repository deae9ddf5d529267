"""Raw SQL on the stored events and the views, as an attacker with write access has.

Shared by the tamper matrix (tests/integration/test_audit_tamper.py) and the audit
view's tests (tests/audit).
"""

from __future__ import annotations

import sqlite3
from contextlib import closing
from typing import Any

import psycopg

from kompetanse_store.urls import is_sqlite, sqlite_path, views_database_url


class RawStore:
    def __init__(self, url: str) -> None:
        self.url = url
        self.sqlite = is_sqlite(url)

    def run(self, sql: str, params: tuple[Any, ...] = (), *, views: bool = False) -> list[Any]:
        if self.sqlite:
            path = sqlite_path(views_database_url(self.url) if views else self.url)
            with closing(sqlite3.connect(path)) as db, db:
                return db.execute(sql.replace("%s", "?"), params).fetchall()
        with psycopg.connect(self.url, autocommit=True) as db:
            cursor = db.execute(sql, params)  # type: ignore[arg-type]
            return cursor.fetchall() if cursor.description else []

    @property
    def table(self) -> str:
        if self.sqlite:
            return "stored_events"
        (name,) = self.run("SELECT tablename FROM pg_tables WHERE tablename LIKE '%%_events'")[0]
        return str(name)

    @property
    def pos(self) -> str:
        return "rowid" if self.sqlite else "notification_id"

    def rows(self) -> list[tuple[int, str, int, str, bytes]]:
        return [
            (int(p), str(o), int(v), str(t), bytes(s))
            for p, o, v, t, s in self.run(
                f"SELECT {self.pos}, originator_id, originator_version, topic, state "
                f"FROM {self.table} ORDER BY {self.pos}"
            )
        ]

    def set_state(self, position: int, state: bytes) -> None:
        self.run(f"UPDATE {self.table} SET state=%s WHERE {self.pos}=%s", (state, position))

    def delete_event(self, position: int) -> None:
        self.run(f"DELETE FROM {self.table} WHERE {self.pos}=%s", (position,))

    def delete_audit_rows(self, position: int) -> None:
        """Remove the audit view's record of the event too (every generation)."""
        names = (
            self.run(
                "SELECT name FROM sqlite_master WHERE name LIKE 'view_audit_event_g%%'", views=True
            )
            if self.sqlite
            else self.run(
                "SELECT tablename FROM pg_tables WHERE tablename LIKE 'view_audit_event_g%%'"
            )
        )
        for (name,) in names:
            self.run(f"DELETE FROM {name} WHERE position=%s", (position,), views=True)

    def open_hole(self, width: int) -> None:
        """Leave unused positions, as rolled-back inserts do (closed by `close_hole`)."""
        if self.sqlite:
            top = self.run("SELECT MAX(rowid) FROM stored_events")[0][0]
            self.run(
                "INSERT INTO stored_events (rowid, originator_id, originator_version, topic, state)"
                " VALUES (%s, 'hole', 1, 'hole', x'00')",
                (top + width,),
            )
        else:
            seq = f"{self.table}_notification_id_seq"
            self.run(
                f"SELECT setval('{seq}', (SELECT MAX(notification_id) FROM {self.table}) + {width})"
            )

    def close_hole(self) -> None:
        if self.sqlite:
            self.run("DELETE FROM stored_events WHERE originator_id='hole'")
