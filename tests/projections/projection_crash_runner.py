"""Run by test_projection_exactly_once in a subprocess: follow a store until killed.

    python projection_crash_runner.py DATABASE_URL BATCH_SIZE

Prints "ready" once following; slows every batch commit a little so the test can
kill it with SIGKILL half-way through the backlog.
"""

from __future__ import annotations

import sys
import time

from kompetanse_domain.application import KompetanseApplication
from kompetanse_store.urls import event_store_env, views_database_url
from projections.service import ProjectionService


def main() -> None:
    url, batch_size = sys.argv[1], int(sys.argv[2])
    app = KompetanseApplication(env=event_store_env(url))
    service = ProjectionService(app, views_database_url(url), batch_size=batch_size)
    service.follower.before_commit = lambda name, position: time.sleep(0.005)
    print("ready", flush=True)
    service.catch_up()
    print("done", flush=True)


if __name__ == "__main__":
    main()
