"""The ASGI app of one worker of `kompetanse serve --workers N` (`uvicorn --factory`).

Each worker process builds its own services from the environment (the server set
`KOMPETANSE_PROJECTIONS=external`: one follower process serves them all) and closes
them when it stops, or when the server process is gone.
"""

from __future__ import annotations

import threading

from fastapi import FastAPI

from api.app import create_app
from api.observability import configure_logging
from api.settings import Settings
from kompetanse.bootstrap import build_services, close_services
from kompetanse.demo import demo_people
from kompetanse.private_files import keep_new_files_private
from kompetanse.workers import exit_with_parent, stop_this_process
from web.app import install as install_pages


def worker_app() -> FastAPI:
    keep_new_files_private()
    configure_logging()
    services = build_services(Settings.from_env())
    stopped = threading.Event()
    exit_with_parent(stopped, stop_this_process)

    def shutdown() -> None:
        stopped.set()
        close_services(services)

    return install_pages(create_app(services, on_shutdown=shutdown), demo_users=demo_people())
