#!/usr/bin/env python3
"""The applicant's export of a candidate with 200 goals: export.json and export.pdf.

    .venv/bin/python scripts/bench/export.py [--store sqlite|postgres|both] [--runs 10]

Issue 27: "a candidate with 200 goals gives a PDF in under a second". The candidate is
built as `generate_dataset.py` builds one (real domain events under a simulated clock:
staff, activities signed and sometimes rejected, goals sent, approved or rejected,
40-72 finalised meetings), on the shipped plans LIS1-KLK (20 goals), ALM (100), ARB
(40) and SAM (40): 200 goals, about 90 % of them started. Both files are asked for over
HTTP in process (starlette's TestClient, signed in with a dev token as the candidate),
alternating, `--runs` times each; the JSON is the baseline (same read, same document,
same signature; only the rendering differs). The time of each step of one export is
printed too (read, document and signature, PDF). When the PDF misses its target, one
request of it is profiled (cProfile, top 15 by cumulative time).
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime

from common import fresh_database, line, load_average, on_stores, percentile, summary_ms
from eventsourcing.domain import Aggregate
from generate_dataset import CandidateHistory
from pages import profile_endpoint, serving, timed_get

from api.export_document import build_document
from api.export_keys import checkpoint_key
from api.export_pdf import render_pdf
from kompetanse.devkeys import mint_dev_token
from kompetanse.simulated_clock import simulated_clock
from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.audit.export_signature import sign_export
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.identity import candidate_id_for
from kompetanse_store.urls import event_store_env

PLANS = ("LIS1-KLK", "ALM", "ARB", "SAM")  # 20 + 100 + 40 + 40 goals


class TwoHundredGoals(CandidateHistory):
    """The generator's candidate, on plans that hold 200 goals together."""

    def build(self) -> list[Aggregate]:
        with simulated_clock(self.clock):
            candidate = Candidate.register(
                self.lis,
                name="Åse Ødegård Bjørnæs",
                email=f"{self.lis.sub}@example.no",
                specialty="ALM",
                organisation_id="0301",
                organisation_name="Oslo kommune",
                hpr_number=self.hpr,
            )
            self._staff(candidate)
            self.changed.append(candidate)
            for code in PLANS:
                self._train(candidate, self.catalogue.plan(code))
            self._meetings(candidate)
        return self.changed


def measure(store: str, server: str | None, runs: int, profile: bool) -> None:
    with fresh_database(store, server) as url:
        app = KompetanseApplication(env=event_store_env(url))
        events = len(app.save(*TwoHundredGoals(0, random.Random(1), app.catalogue).build()))
        app.close()
        cid = candidate_id_for("lis-000000")
        with serving(url) as (client, data):
            token = mint_dev_token(data, sub="lis-000000", name="Åse Ødegård Bjørnæs")
            bearer = {"Authorization": f"Bearer {token}"}
            paths = {
                "export.json (baseline)": f"/v1/candidates/{cid}/export.json",
                "export.pdf": f"/v1/candidates/{cid}/export.pdf",
            }
            document = client.get(paths["export.json (baseline)"], headers=bearer).json()
            pdf = client.get(paths["export.pdf"], headers=bearer).content
            goals = sum(plan["goal_count"] for plan in document["plans"])
            achieved = sum(plan["achieved_count"] for plan in document["plans"])
            line(
                f"[{store}] candidate with {goals} goals in {len(document['plans'])} plans",
                f"{achieved} approved; {events:,} events; "
                f"{len(document['signed_activities']):,} signed activities; "
                f"PDF {len(pdf) / 1000:,.0f} KB, {pdf.count(b'/Type /Page') - 1} pages",
            )
            samples: dict[str, list[float]] = {name: [] for name in paths}
            for _ in range(runs):
                for name, path in paths.items():
                    samples[name].append(timed_get(client, path, bearer))
            line(f"[{store}] {load_average()}", "")
            for name, taken in samples.items():
                target = name == "export.pdf"
                p95 = percentile(taken, 95)
                line(
                    f"[{store}] {name}",
                    summary_ms(taken),
                    "p95 < 1 s" if target else "",
                    p95 < 1.0 if target else None,
                )
            json95, pdf95 = (percentile(taken, 95) for taken in samples.values())
            line(f"[{store}] export.pdf / export.json (p95)", f"{pdf95 / json95:.2f}")
            steps(store, client, cid)
            if pdf95 >= 1.0 and profile:
                print(f"[{store}] where export.pdf's time goes (1 request)")
                print(profile_endpoint(client, paths["export.pdf"], bearer, count=1), flush=True)


def steps(store: str, client: object, cid: object) -> None:
    """One export's steps timed apart, through the same functions the route calls."""
    services = client.app.state.services  # type: ignore[attr-defined]
    began = time.perf_counter()
    content = services.projections.queries.get_export_content(cid)
    read = time.perf_counter()
    document = build_document(
        content, portal=services.settings.portal_id, generated_at=datetime.now(UTC)
    )
    signed = sign_export(document, checkpoint_key(services.settings.data_dir))
    built = time.perf_counter()
    render_pdf(signed)
    rendered = time.perf_counter()
    line(
        f"[{store}] one export's steps",
        f"read {(read - began) * 1000:.0f} ms, document and signature "
        f"{(built - read) * 1000:.0f} ms, PDF {(rendered - built) * 1000:.0f} ms",
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--store", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--runs", type=int, default=10, help="requests of each file")
    parser.add_argument("--no-profile", action="store_true", help="no cProfile when missed")
    args = parser.parse_args()
    on_stores(
        args.store, lambda store, server: measure(store, server, args.runs, not args.no_profile)
    )


if __name__ == "__main__":
    main()
