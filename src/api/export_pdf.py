"""The applicant's export as a PDF in Norwegian (bokmål), rendered from the JSON document.

Made with fpdf2 (a maintained PDF library) from the same document `export.json` serves
(`api.export_document`), so both say the same. The text is set in DejaVu Sans,
embedded (subset) from `api/fonts/` (licence beside it), so æøå and the Sámi letters
of a name print and are extracted as text (ADR 0024).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONTS = Path(__file__).parent / "fonts"
FAMILY = "DejaVu"
OSLO = ZoneInfo("Europe/Oslo")
NONE = "\u2013"  # an en dash where a value is absent
SPECIALTIES = {
    "LIS1": "LIS1 (første del av spesialiseringen)",
    "ALM": "Allmennmedisin",
    "SAM": "Samfunnsmedisin",
    "ARB": "Arbeidsmedisin",
}
PLAN_STATES = {"active": "aktiv", "archived": "arkivert (fullført)"}
GOAL_STATES = {
    "approved": "godkjent",
    "sent_for_approval": "sendt til godkjenning",
    "rejected": "avvist",
    "not_started": "ikke startet",
    "not_assigned": "planen er ikke tildelt",
}
TARGETS = {
    "specialist_approval": "godkjenning som spesialist",
    "part1_complete": "del 1 (LIS1) fullført",
}
KINDS = {
    "course": "kurs",
    "procedure": "prosedyre",
    "supervision": "veiledning",
    "clinical": "klinisk tjeneste",
    "other": "annet",
}


def _date(value: object) -> str:
    """`dd.mm.åååå` of an ISO date, or of an instant in Oslo time; a dash when absent."""
    if not isinstance(value, str) or not value:
        return NONE
    try:
        if "T" in value:
            return datetime.fromisoformat(value).astimezone(OSLO).strftime("%d.%m.%Y")
        return date.fromisoformat(value).strftime("%d.%m.%Y")
    except ValueError:
        return value


def _name(person: object) -> str:
    if isinstance(person, Mapping):
        return str(person.get("name") or person.get("sub") or NONE)
    return NONE


def _number(value: object) -> str:
    if isinstance(value, float):
        return f"{value:.1f}".replace(".", ",")
    return NONE if value is None else str(value)


class _Pdf(FPDF):
    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(FAMILY, size=8)
        self.cell(0, 6, f"Side {self.page_no()} av {{nb}}", align="C")


LINE = 4.6  # a table line, in mm
PAD = 1.0  # a table cell's inner margin, in mm


class _Writer:
    def __init__(self) -> None:
        pdf = _Pdf(format="A4")
        pdf.add_font(FAMILY, "", FONTS / "DejaVuSans.ttf")
        pdf.add_font(FAMILY, "B", FONTS / "DejaVuSans-Bold.ttf")
        pdf.set_lang("nb")
        pdf.set_auto_page_break(auto=True, margin=16)
        pdf.add_page()
        self.pdf = pdf

    def heading(self, text: str, size: int = 13) -> None:
        self.pdf.ln(3)
        self.pdf.set_font(FAMILY, "B", size)
        self.pdf.multi_cell(0, 7, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.pdf.set_font(FAMILY, size=10)

    def line(self, text: str) -> None:
        self.pdf.set_font(FAMILY, size=10)
        self.pdf.multi_cell(0, 5.5, text, align="L", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def table(
        self, header: Sequence[str], rows: Sequence[Sequence[str]], widths: Sequence[int]
    ) -> None:
        """A ruled table, the header again at the top of each page. Drawn row by row with
        each cell's text wrapped once: fpdf2's own `table()` wraps every cell twice and
        took most of a 200-goal export's time (docs/benchmarks.md)."""
        if not rows:
            self.line("Ingen.")
            return
        pdf = self.pdf
        scale = pdf.epw / sum(widths)
        columns = [width * scale for width in widths]
        self._row(header, columns, bold=True)
        for values in rows:
            self._row(values, columns, bold=False, header=header)
        pdf.ln(2)
        pdf.set_font(FAMILY, size=10)

    def _row(
        self,
        values: Sequence[str],
        columns: Sequence[float],
        *,
        bold: bool,
        header: Sequence[str] | None = None,
    ) -> None:
        pdf = self.pdf
        pdf.set_font(FAMILY, "B" if bold else "", 9)
        wrapped = [
            self._wrap(str(value), width - 2 * PAD)
            for value, width in zip(values, columns, strict=True)
        ]
        height = max(len(lines) for lines in wrapped) * LINE + 2 * PAD
        if pdf.will_page_break(height):
            pdf.add_page()
            if header is not None:
                self._row(header, columns, bold=True)
                pdf.set_font(FAMILY, "", 9)
        x, y = pdf.l_margin, pdf.get_y()
        for lines, width in zip(wrapped, columns, strict=True):
            pdf.rect(x, y, width, height)
            for number, text in enumerate(lines):
                pdf.set_xy(x + PAD, y + PAD + number * LINE)
                pdf.cell(width - 2 * PAD, LINE, text)
            x += width
        pdf.set_xy(pdf.l_margin, y + height)

    def _wrap(self, text: str, width: float) -> list[str]:
        """Greedy word wrap at `width` (a word longer than a line is cut)."""
        measure = self.pdf.get_string_width
        lines: list[str] = []
        current = ""
        for word in text.split():
            candidate = f"{current} {word}" if current else word
            if measure(candidate) <= width:
                current = candidate
                continue
            if current:
                lines.append(current)
            while measure(word) > width and len(word) > 1:
                cut = len(word) - 1
                while cut > 1 and measure(word[:cut]) > width:
                    cut -= 1
                lines.append(word[:cut])
                word = word[cut:]
            current = word
        lines.append(current)
        return lines


def render_pdf(document: Mapping[str, Any]) -> bytes:
    """The document as a Norwegian PDF for the application for specialist approval."""
    w = _Writer()
    doctor = document["doctor"]
    specialty = str(document["specialty"])
    w.heading("Dokumentasjon av spesialistutdanning", 16)
    w.line("Vedlegg til søknad om godkjenning som spesialist")
    w.heading("Lege")
    w.line(f"Navn: {doctor['name']}")
    w.line(f"HPR-nummer: {doctor.get('hpr_number') or NONE}")
    organisation = doctor.get("organisation") or {}
    w.line(f"Arbeidssted: {organisation.get('name') or NONE}")
    w.line(f"Spesialitet: {SPECIALTIES.get(specialty, specialty)}")
    for plan in document["plans"]:
        w.heading(f"Utdanningsplan {plan['plan_code']}: {plan['title']}")
        w.line(
            f"Versjon {plan['catalogue_version']}, {PLAN_STATES.get(plan['state'], plan['state'])}"
            f"; {plan['achieved_count']} av {plan['goal_count']} læringsmål oppnådd."
        )
        w.table(
            ("Kode", "Læringsmål", "Fullført", "Godkjent", "Godkjent av"),
            [
                (
                    goal["code"],
                    goal["title"] + _carried_or_imported(goal),
                    _date(goal["completed_on"]),
                    _date(goal["approved_at"]),
                    _name(goal["approver"]),
                )
                for goal in plan["achieved_goals"]
            ],
            (26, 74, 22, 22, 36),
        )
    w.heading("Signerte læringsaktiviteter")
    w.table(
        ("Læringsmål", "Aktivitet", "Type", "Dato", "Signert av"),
        [
            (
                act["goal_code"],
                act["title"] + (f" ({act['count']} stk.)" if act.get("count") else ""),
                KINDS.get(act["kind"], act["kind"]),
                _date(act["fulfilled_on"]),
                _name(act["signer"]),
            )
            for act in document["signed_activities"]
        ],
        (26, 66, 24, 22, 42),
    )
    w.heading("Prosedyrer mot anbefalt minimum")
    w.table(
        ("Læringsmål", "Prosedyre", "Registrert", "Signert", "Anbefalt minimum", "Gjenstår"),
        [
            (
                p["goal_code"],
                str(p["title"]),
                _number(p.get("count")),
                _number(p.get("signed")),
                _number(p.get("recommended_minimum")),
                _number(p.get("remaining")),
            )
            for p in document["procedures"]
        ],
        (26, 58, 22, 20, 30, 24),
    )
    _supervision(w, document["supervision"])
    _readiness(w, document["readiness"])
    w.heading("Om dokumentet", 11)
    w.line(
        f"Laget {_date(document.get('generated_at'))} fra kompetanseportalen "
        f"({document.get('portal')}), hendelsesposisjon {document.get('position')}. "
        "Den signerte JSON-utgaven (export.json) har samme innhold og kan kontrolleres "
        "mot portalens offentlige nøkler (GET /v1/audit/keys) med "
        "«kompetanse audit verify-export»."
    )
    if document.get("key_id"):
        w.line(f"Nøkkel-ID: {document['key_id']}")
    return bytes(w.pdf.output())


def _carried_or_imported(goal: Mapping[str, Any]) -> str:
    carried = goal.get("carried_over_from")
    if isinstance(carried, Mapping):
        return f" (overført fra {carried.get('goal_code')}, versjon {carried.get('version')})"
    if goal.get("imported_from"):
        return " (importert fra annen portal)"
    return ""


def _supervision(w: _Writer, supervision: Mapping[str, Any]) -> None:
    w.heading("Veiledning")
    rule = supervision.get("rule") or {}
    if rule.get("hours_per_month") is not None:
        w.line(f"Krav: {_number(rule['hours_per_month'])} timer veiledning per måned.")
    w.line(
        f"Totalt {_number(supervision.get('total_hours'))} timer over "
        f"{_number(supervision.get('months_counted'))} måned(er); gjennomsnitt "
        f"{_number(supervision.get('average_hours_per_month'))} timer per måned. "
        f"I rute: {'ja' if supervision.get('on_track') else 'nei'}."
    )
    w.table(
        ("Avholdt", "Varighet (minutter)", "Veileder"),
        [
            (_date(m["held_on"]), _number(m["duration_minutes"]), _name(m["veileder"]))
            for m in supervision.get("meetings", [])
        ],
        (40, 50, 100),
    )


def _readiness(w: _Writer, readiness: Mapping[str, Any]) -> None:
    w.heading("Klar til å søke om spesialistgodkjenning?")
    target = str(readiness.get("target") or "")
    specialty = str(readiness.get("specialty") or "")
    answer = "Ja" if readiness.get("ready") else "Nei"
    w.line(
        f"{answer}. Mål: {TARGETS.get(target, target)} ({SPECIALTIES.get(specialty, specialty)})."
    )
    duration = readiness.get("minimum_duration") or {}
    if duration:
        w.line(
            f"Minste utdanningstid ({_number(duration.get('years'))} år) regnet fra "
            f"{_date(duration.get('counted_from'))}: tidligst {_date(duration.get('earliest_on'))}"
            f" ({'oppfylt' if duration.get('met') else 'ikke oppfylt'}). Registrering i "
            "portalen er utgangspunktet; tid før den er ikke kjent her."
        )
    missing = readiness.get("missing") or []
    if missing:
        w.line("Dette mangler:")
        w.table(
            ("Regel", "Plan", "Læringsmål", "Status"),
            [
                (
                    str(item.get("rule")),
                    str(item.get("plan_code")),
                    str(item.get("goal_code") or NONE),
                    GOAL_STATES.get(str(item.get("state")), str(item.get("state"))),
                )
                for item in missing
            ],
            (20, 40, 50, 80),
        )
