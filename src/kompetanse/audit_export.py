"""`kompetanse audit export`: a candidate's history as JSON lines and a Norwegian summary.

ADR 0011, R20, R24. `<cid>.jsonl` holds the history from the audit view, one event per
line, with its recorded chain link. `<cid>.html` is what a candidate attaches to the
application for specialist approval: per plan the approved goals with completion date,
approval date and approver (approvals imported from another portal say from which),
rebuilt from the stored events, plus the chain head hash and the result of verifying
the chain against the stored events.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime
from html import escape
from pathlib import Path
from typing import Any
from uuid import UUID
from zoneinfo import ZoneInfo

from kompetanse_domain.application import KompetanseApplication
from kompetanse_domain.application.audit import AuditService
from kompetanse_domain.audit.verify import VerifyResult
from kompetanse_domain.catalogue import Catalogue
from kompetanse_domain.errors import NotFoundError
from kompetanse_domain.model.candidate import Candidate
from kompetanse_domain.model.learning_goal import GoalState, LearningGoal
from kompetanse_domain.model.values import in_zone
from kompetanse_domain.model.vocabulary import PlanState
from projections.queries.port import HistoryRow, ReadPort

OSLO = ZoneInfo("Europe/Oslo")
DASH = "&ndash;"
SPECIALTY_NAMES = {
    "LIS1": "LIS1 (første del av spesialiseringen)",
    "ALM": "Allmennmedisin",
    "SAM": "Samfunnsmedisin",
    "ARB": "Arbeidsmedisin",
}
PLAN_STATES: dict[str, str] = {
    PlanState.ACTIVE: "aktiv",
    PlanState.ARCHIVED: "arkivert (fullført)",
    PlanState.REMOVED: "fjernet",
}


@dataclass(frozen=True)
class ApprovedGoal:
    code: str
    title: str
    completed_on: date | None
    approved_on: date | None
    approver: str
    source_portal: str | None


@dataclass(frozen=True)
class PlanSummary:
    code: str
    title: str
    version: str
    state: str
    goal_count: int
    approved: list[ApprovedGoal]


@dataclass(frozen=True)
class Exported:
    jsonl: Path
    html: Path
    events: int
    approved: int
    verified: VerifyResult


def export_candidate(
    application: KompetanseApplication, queries: ReadPort, cid: UUID, out_dir: Path
) -> Exported:
    """Write `<cid>.jsonl` and `<cid>.html` into `out_dir`; the chain is verified first."""
    upto = queries.audit_position()
    verified = AuditService(application).verify(
        queries.iter_recorded_links(cid, upto=upto), candidate_id=cid, upto=upto
    )
    history = queries.list_history(cid)
    now = datetime.now(UTC)
    aggregates = AuditService(application).state_as_of(queries.versions_as_of(cid, now))
    candidate = next((a for a in aggregates if isinstance(a, Candidate)), None)
    if candidate is None:
        raise NotFoundError(f"Candidate {cid} has no recorded history")
    goals = [a for a in aggregates if isinstance(a, LearningGoal)]
    plans = summarise_plans(candidate, goals, history, application.catalogue)
    out_dir.mkdir(parents=True, exist_ok=True)
    jsonl = out_dir / f"{cid}.jsonl"
    with jsonl.open("w", encoding="utf-8", newline="\n") as handle:
        for item in history:
            handle.write(json.dumps(item, ensure_ascii=False, default=_json_default) + "\n")
    html = out_dir / f"{cid}.html"
    html.write_text(
        render_html(candidate, plans, history, verified, generated_at=now), encoding="utf-8"
    )
    approved = sum(len(plan.approved) for plan in plans)
    return Exported(jsonl, html, len(history), approved, verified)


def _json_default(value: Any) -> str:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _text(value: object) -> str | None:
    """A text of an event's data (the JSON the view stored), or None."""
    return value if isinstance(value, str) else None


def _oslo_date(instant: datetime | None) -> date | None:
    return in_zone(instant, OSLO).date() if instant is not None else None


def summarise_plans(
    candidate: Candidate,
    goals: list[LearningGoal],
    history: list[HistoryRow],
    catalogue: Catalogue,
) -> list[PlanSummary]:
    """Per plan (not removed) the approved goals, from the rebuilt aggregates."""
    imported_from = {
        item["aggregate_id"]: _text(item["data"].get("source_portal"))
        for item in history
        if item["type"] == "LearningGoal.ApprovalImported"
    }
    summaries = []
    for plan in sorted(candidate.plans.values(), key=lambda p: p["code"]):
        if plan["state"] == PlanState.REMOVED:
            continue
        approved = [
            ApprovedGoal(
                code=goal.code,
                title=catalogue.goal_title(goal.code, ""),
                completed_on=goal.completed_on,
                approved_on=_oslo_date(goal.decided_at),
                approver=goal.decided_by_name or goal.decided_by_sub or "",
                source_portal=imported_from.get(str(goal.id)) if goal.imported_from else None,
            )
            for goal in sorted(goals, key=lambda g: g.code)
            if goal.plan_code == plan["code"]
            and goal.state == GoalState.APPROVED
            and not goal.withdrawn
        ]
        summaries.append(
            PlanSummary(
                code=plan["code"],
                title=catalogue.plan_title(plan["code"], plan["code"]),
                version=plan["version"],
                state=PLAN_STATES.get(plan["state"], plan["state"]),
                goal_count=len(plan["goal_codes"]),
                approved=approved,
            )
        )
    return summaries


def _specialty(code: str) -> str:
    name = SPECIALTY_NAMES.get(code)
    return f"{name} ({code})" if name else code


def _d(value: date | None) -> str:
    return value.strftime("%d.%m.%Y") if value is not None else DASH


STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em; color: #222; }
table { border-collapse: collapse; width: 100%; margin-bottom: 1.5em; }
th, td { border: 1px solid #bbb; padding: 0.3em 0.5em; text-align: left; vertical-align: top; }
th { background: #eee; }
.ok { color: #06602a; font-weight: bold; } .bad { color: #a00; font-weight: bold; }
code { word-break: break-all; }
"""


def render_html(
    candidate: Candidate,
    plans: list[PlanSummary],
    history: list[HistoryRow],
    verified: VerifyResult,
    *,
    generated_at: datetime,
) -> str:
    """The Norwegian summary (bokmål); every value is escaped."""
    e = escape
    head = history[-1] if history else None
    hpr = e(candidate.hpr_number) if candidate.hpr_number else DASH
    lines = [
        "<!DOCTYPE html>",
        '<html lang="nb"><head><meta charset="utf-8">',
        f"<title>Oppnådde læringsmål {DASH} {e(candidate.name)}</title>",
        f"<style>{STYLE}</style></head><body>",
        "<h1>Dokumentasjon av oppnådde læringsmål</h1>",
        "<p>Vedlegg til søknad om godkjenning som spesialist.</p>",
        "<table>",
        f"<tr><th>Kandidat</th><td>{e(candidate.name)}</td></tr>",
        f"<tr><th>HPR-nummer</th><td>{hpr}</td></tr>",
        f"<tr><th>Spesialitet</th><td>{e(_specialty(candidate.specialty))}</td></tr>",
        f"<tr><th>Arbeidssted</th><td>{e(candidate.organisation_name)}</td></tr>",
        f"<tr><th>Kandidat-ID</th><td><code>{e(str(candidate.id))}</code></td></tr>",
        "</table>",
    ]
    for plan in plans:
        lines += [
            f"<h2>{e(plan.title)} ({e(plan.code)}, versjon {e(plan.version)})</h2>",
            f"<p>Status: {e(plan.state)}. Godkjente læringsmål: {len(plan.approved)} av "
            f"{plan.goal_count}.</p>",
        ]
        if not plan.approved:
            lines.append("<p>Ingen læringsmål er godkjent ennå.</p>")
            continue
        lines.append(
            "<table><tr><th>Læringsmål</th><th>Beskrivelse</th><th>Fullført</th>"
            "<th>Godkjent</th><th>Godkjent av</th><th>Merknad</th></tr>"
        )
        for goal in plan.approved:
            note = f"Importert fra {e(goal.source_portal)}" if goal.source_portal else ""
            lines.append(
                f"<tr><td>{e(goal.code)}</td><td>{e(goal.title)}</td>"
                f"<td>{_d(goal.completed_on)}</td><td>{_d(goal.approved_on)}</td>"
                f"<td>{e(goal.approver)}</td><td>{note}</td></tr>"
            )
        lines.append("</table>")
    lines += ["<h2>Sporbarhet</h2>", "<table>"]
    if head is not None:
        lines += [
            f"<tr><th>Hendelser i historikken</th><td>{len(history)}</td></tr>",
            f"<tr><th>Kjedehode (SHA-256)</th><td><code>{e(head['hash'])}</code></td></tr>",
            f"<tr><th>Siste posisjon</th><td>{head['position']}</td></tr>",
        ]
    if verified.ok:
        result = f'<span class="ok">OK</span> ({verified.events} hendelser kontrollert)'
    else:
        result = (
            f'<span class="bad">AVVIK</span> ved posisjon {verified.first_bad_position}: '
            f"{e(verified.reason or '')}"
        )
    stamp = generated_at.astimezone(OSLO).strftime("%d.%m.%Y %H:%M")
    lines += [
        f"<tr><th>Verifisering av hash-kjeden</th><td>{result}</td></tr>",
        f"<tr><th>Laget</th><td>{stamp} (norsk tid)</td></tr>",
        "</table>",
        "<p>Hele historikken ligger i den tilhørende JSONL-filen, én hendelse per linje "
        "med hash og forrige hash (ADR 0011).</p>",
        "</body></html>",
    ]
    return "\n".join(lines) + "\n"
