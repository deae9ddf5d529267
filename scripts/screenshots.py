"""Save screenshots of the main pages at desktop and phone width into docs/screenshots/.

Not a test: builds a small world in a temporary SQLite store (the web tests' team),
serves the pages on loopback and drives the system Chromium (`chromium`,
`chromium-driver`; `scripts/test` installs them). Run: `.venv/bin/python scripts/screenshots.py`.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "web"))  # the web tests' world and browsing helpers

from browsing import sign_in_as  # noqa: E402
from web_world import (  # noqa: E402
    CANDIDATE,
    GOAL,
    LEADER,
    SUPERVISOR,
    YESTERDAY,
    LiveServer,
    build_team,
    chromium,
    real_services,
    wait_for_views,
    web_app,
)

from kompetanse_domain.application import CommandContext  # noqa: E402

WIDTHS = {"desktop": (1280, 900), "phone": (375, 812)}
QUEUED = 70  # goals sent for approval besides WEB-A-002: two pages in the queue


def main() -> None:
    target = ROOT / "docs" / "screenshots"
    target.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as folder:
        store = f"sqlite:///{folder}/kompetanse.db"
        with real_services(store, Path(folder) / "data") as services:
            cid = build_team(services.application)
            as_candidate = CommandContext(identity=CANDIDATE.identity)
            activity = services.application.register_activity(
                as_candidate,
                cid,
                GOAL,
                title="Kurs i akuttmedisin",
                kind="course",
                fulfilled_on=YESTERDAY,
            ).value["activity_id"]
            services.application.send_activity_for_signing(
                as_candidate, cid, GOAL, activity, signer_sub=SUPERVISOR.sub
            )
            approved = "WEB-A-002"  # its basis: a signed activity (the approval page's shot)
            signed = services.application.register_activity(
                as_candidate,
                cid,
                approved,
                title="Hospitering i akuttmottaket",
                kind="other",
                fulfilled_on=YESTERDAY,
            ).value["activity_id"]
            services.application.send_activity_for_signing(
                as_candidate, cid, approved, signed, signer_sub=SUPERVISOR.sub
            )
            services.application.sign_activity(
                CommandContext(identity=SUPERVISOR.identity), cid, approved, signed
            )
            services.application.send_goal_for_approval(
                as_candidate, cid, approved, completed_on=YESTERDAY
            )
            # A queue longer than a page (50): the paged approvals queue's shots.
            services.application.assign_plan(
                CommandContext(identity=LEADER.identity), cid, plan_code="ALM"
            )
            for goal in services.application.catalogue.plan("ALM").goals[:QUEUED]:
                services.application.send_goal_for_approval(
                    as_candidate, cid, goal.code, completed_on=YESTERDAY
                )
            wait_for_views(services)
            pages = [
                (None, "/logg-inn", "sign-in"),
                (CANDIDATE, f"/kandidater/{cid}", "candidate-plans"),
                (CANDIDATE, f"/kandidater/{cid}/mal/{GOAL}", "goal"),
                (SUPERVISOR, "/signering", "supervisor-signing"),
                (LEADER, "/leder/godkjenninger", "leader-approvals"),
                (LEADER, "/leder/godkjenninger?side=2#sider", "leader-approvals-paged"),
                (LEADER, f"/kandidater/{cid}/mal/{approved}/grunnlag", "leader-approval-basis"),
            ]
            with LiveServer(web_app(services)) as server:
                driver = chromium()
                try:
                    for person, path, name in pages:
                        if person is not None:
                            sign_in_as(driver, server, person)
                        for width_name, (width, height) in WIDTHS.items():
                            driver.set_window_size(width, height)
                            driver.get(server.url + path)
                            driver.save_screenshot(str(target / f"{name}-{width_name}.png"))
                finally:
                    driver.quit()
    print(f"screenshots in {target}")


if __name__ == "__main__":
    main()
