"""`serve --workers N` gives a starting worker time to import the stack (uvicorn's ping).

uvicorn's supervisor pings every worker and kills one that does not answer within
`timeout_worker_healthcheck` (5 s by default), then starts another. A new worker can
answer only after it has imported the whole stack; on a busy machine (CI running two
test processes, a host under load) that took longer than 5 s, and the server log showed
"Child process [...] died" again and again before a worker ever served.
"""

from __future__ import annotations

import os
from typing import Any

import pytest
import uvicorn

from api.observability import MULTIPROCESS_DIR
from kompetanse import workers


def test_uvicorn_waits_well_over_a_busy_start_before_it_replaces_a_worker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for name in (MULTIPROCESS_DIR, "KOMPETANSE_PROJECTIONS", workers.PARENT_ENV):
        monkeypatch.setenv(name, os.environ.get(name, ""))  # restored after the test
    given: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: given.update(kwargs))

    workers.serve_workers(host="127.0.0.1", port=1, workers=2, follow=False)

    assert given["workers"] == 2
    assert given["timeout_worker_healthcheck"] >= 30
