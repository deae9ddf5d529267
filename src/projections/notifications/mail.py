"""The e-mail of a notification: Norwegian, plain text and HTML, who/what/link only."""

from __future__ import annotations

import html
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

FOOTER = (
    "Denne e-posten er sendt automatisk fra Kompetanseportalen. Den sier bare hvem og hva; "
    "innholdet leser du i portalen."
)


def build_message(
    *,
    kind: str,
    subject: str,
    link: str,
    message_id: str,
    created_at: datetime,
    sender: str,
    recipient: str,
) -> EmailMessage:
    action = "Godta invitasjonen" if kind == "invitation" else "Åpne i Kompetanseportalen"
    text = f"Hei,\n\n{subject}.\n\n{action}: {link}\n\n{FOOTER}\n"
    if kind == "invitation":
        text += "\nLenken er personlig: ikke del den med andre.\n"
    body_html = (
        '<!DOCTYPE html><html lang="nb"><body>'
        f"<p>Hei,</p><p>{html.escape(subject)}.</p>"
        f'<p><a href="{html.escape(link, quote=True)}">{html.escape(action)}</a></p>'
        f"<p><small>{html.escape(FOOTER)}</small></p></body></html>"
    )
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = recipient
    message["Message-ID"] = message_id
    message["Date"] = format_datetime(created_at)
    message["Content-Language"] = "nb"
    message["X-Kompetanse-Kind"] = kind
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text)
    message.add_alternative(body_html, subtype="html")
    return message
