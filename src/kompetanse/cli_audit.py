"""`kompetanse audit ...`: signed checkpoints, verification and export (R24, ADR 0011).

- `checkpoint [--key FILE] [--out FILE]`: sign every candidate's chain head (position,
  hash, count, recomputed from the store) with an Ed25519 key kept outside the
  database (default `<data dir>/audit-keys/checkpoint.pem`, created 0600 if absent).
  The auditor keeps the written file, and the printed public key, elsewhere.
- `verify [--candidate ID | --all] [--checkpoint FILE] [--public-key B64]`: recompute
  the chains from the stored events and compare them with the audit view's recorded
  chain; with a checkpoint, also check its signature and that the stored history still
  reaches every signed head. Exit 0 when all is well, 1 with the first bad position.
- `export CID [--out DIR]`: `<cid>.jsonl` (the history) and `<cid>.html` (a Norwegian
  summary of the approved goals to attach to the application for approval, R20).
- `verify-export FILE [--key URL|FILE]`: check an applicant's signed `export.json`
  offline (ADR 0024): exit 0 "valid", 1 naming the first field changed, a bad signature
  or an unknown key_id, 2 for a file or key source that cannot be read.

Settings come from the environment like the server's; the services are built by
`kompetanse.bootstrap` (projections not started: the read side is caught up once, in
this process, unless `--no-catch-up`). Mounted as `kompetanse audit`.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated
from uuid import UUID

import httpx
import typer
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from eventsourcing.persistence import Notification
from tqdm import tqdm

from api.deps import Services
from api.export_keys import checkpoint_key_path, published_keys
from kompetanse.audit_export import export_candidate
from kompetanse.bootstrap import build_services, close_services
from kompetanse.cli_support import command_group, refuse, settings_from_env
from kompetanse_domain.application.audit import AuditService
from kompetanse_domain.audit.checkpoint import (
    CheckpointError,
    load_or_create_key,
    public_key_b64,
    read_checkpoint,
    sign_checkpoint,
)
from kompetanse_domain.audit.export_signature import (
    ExportSignatureError,
    key_id,
    keys_from_jwks,
    verify_export,
)
from kompetanse_domain.audit.recompute import UnattributedEventError
from kompetanse_domain.errors import DomainError

EXIT_FAILED = 1

audit_app = command_group(
    "Audit (R24): sign checkpoints of the hash chains, verify them, export a history."
)

CatchUp = Annotated[
    bool,
    typer.Option(
        "--catch-up/--no-catch-up", help="Project pending events into the audit view first."
    ),
]


@contextmanager
def _services(catch_up: bool = True) -> Iterator[Services]:
    settings = settings_from_env()
    services = build_services(dataclasses.replace(settings, projections="external"))
    try:
        if catch_up:
            services.projections.catch_up()  # type: ignore[attr-defined]
        yield services
    finally:
        close_services(services)


class ProgressAudit(AuditService):
    """`AuditService` with a tqdm bar over the stored events it reads (on stderr)."""

    def __init__(self, services: Services, desc: str) -> None:
        super().__init__(services.application)
        self.desc = desc

    def stored_events(self, after: int = 0, upto: int | None = None) -> Iterator[Notification]:
        total = upto if upto is not None else self.application.recorder.max_notification_id()
        with tqdm(total=total or 0, desc=self.desc, unit="event", leave=False) as bar:
            seen = after
            for notification in super().stored_events(after, upto):
                bar.update(notification.id - seen)
                seen = notification.id
                yield notification


# -- checkpoint ----------------------------------------------------------------------------


@audit_app.command("checkpoint")
def checkpoint(
    key: Annotated[
        Path | None,
        typer.Option(
            help="Ed25519 private key (PEM); default <data dir>/audit-keys/checkpoint.pem"
        ),
    ] = None,
    out: Annotated[
        Path | None,
        typer.Option(help="Where to write the checkpoint (default <data dir>/audit-checkpoints/)."),
    ] = None,
) -> None:
    """Sign every candidate's chain head; keep the file (and the public key) elsewhere."""
    with _services(catch_up=False) as services:
        data_dir = services.settings.data_dir
        key_path = key if key is not None else data_dir / "audit-keys" / "checkpoint.pem"
        if not key_path.exists():
            key_path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            private = load_or_create_key(key_path)
        except (CheckpointError, ValueError) as error:
            raise refuse(f"{key_path}: {error}") from None
        upto = services.application.recorder.max_notification_id() or 0
        try:
            heads = ProgressAudit(services, "checkpoint").heads(upto=upto)
        except UnattributedEventError as error:
            typer.echo(f"FAILED at position {error.position}: {error}", err=True)
            raise typer.Exit(EXIT_FAILED) from None
        signed = sign_checkpoint(heads, upto=upto, portal=services.settings.portal_id, key=private)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    target = out if out is not None else data_dir / "audit-checkpoints" / f"checkpoint-{stamp}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(signed, indent=2) + "\n", encoding="utf-8")
    typer.echo(f"Public key (Ed25519, base64): {public_key_b64(private.public_key())}")
    typer.echo(f"Signing key: {key_path}")
    typer.echo(f"Checkpoint of {len(heads)} candidate(s) up to position {upto} written to {target}")


# -- verify --------------------------------------------------------------------------------


@audit_app.command("verify")
def verify(
    candidate: Annotated[
        str | None, typer.Option("--candidate", help="Verify one candidate's chain.")
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="Verify every chain (the default).")] = False,
    checkpoint_file: Annotated[
        Path | None,
        typer.Option("--checkpoint", help="Also check a signed checkpoint file.", exists=True),
    ] = None,
    public_key: Annotated[
        str | None,
        typer.Option(help="Pinned public key (base64) instead of the one in the checkpoint."),
    ] = None,
    catch_up: CatchUp = True,
) -> None:
    """Recompute the chains from the stored events; exit 1 at the first bad position."""
    if candidate is not None and all_:
        raise refuse("give --candidate ID or --all, not both")
    cid = _candidate_id(candidate) if candidate is not None else None
    heads = None
    if checkpoint_file is not None:
        try:
            heads = read_checkpoint(
                checkpoint_file.read_text(encoding="utf-8"), public_key=public_key
            )
        except CheckpointError as error:
            typer.echo(f"FAILED: {checkpoint_file}: {error}", err=True)
            raise typer.Exit(EXIT_FAILED) from None
        if cid is not None:
            heads = {key: head for key, head in heads.items() if key == str(cid)}
    with _services(catch_up) as services:
        queries = services.projections.queries
        upto = queries.audit_position()
        result = ProgressAudit(services, "verify").verify(
            queries.iter_recorded_links(cid, upto=upto), candidate_id=cid, upto=upto
        )
        broken = (
            ProgressAudit(services, "checkpoint").first_break_of_checkpoint(heads)
            if heads is not None
            else None
        )
    scope = f"candidate {cid}" if cid is not None else "every candidate"
    failed = False
    if result.ok:
        typer.echo(f"OK: {result.events} event(s) of {scope} verified up to position {upto}")
    else:
        typer.echo(f"FAILED at position {result.first_bad_position}: {result.reason}")
        failed = True
    if heads is not None:
        if broken is None:
            typer.echo(f"OK: the stored history extends all {len(heads)} signed head(s)")
        else:
            typer.echo(
                f"FAILED at position {broken}: the stored history no longer reaches the "
                "head signed in the checkpoint (truncated or rewritten)"
            )
            failed = True
    if failed:
        raise typer.Exit(EXIT_FAILED)


def _candidate_id(value: str) -> UUID:
    try:
        return UUID(value)
    except ValueError:
        raise refuse(f"{value!r} is not a candidate id (a UUID)") from None


# -- export --------------------------------------------------------------------------------


@audit_app.command("export")
def export(
    candidate_id: Annotated[str, typer.Argument(metavar="CID", help="The candidate's id.")],
    out: Annotated[Path, typer.Option(help="Directory to write into.")] = Path("."),
    catch_up: CatchUp = True,
) -> None:
    """Write <cid>.jsonl (the history) and <cid>.html (approved goals, in Norwegian)."""
    cid = _candidate_id(candidate_id)
    with _services(catch_up) as services:
        try:
            done = export_candidate(services.application, services.projections.queries, cid, out)
        except DomainError as error:
            raise refuse(str(error)) from None
    typer.echo(f"{done.jsonl}: {done.events} event(s)")
    typer.echo(f"{done.html}: {done.approved} approved goal(s)")
    if not done.verified.ok:
        typer.echo(f"FAILED at position {done.verified.first_bad_position}: {done.verified.reason}")
        raise typer.Exit(EXIT_FAILED)
    typer.echo(f"Chain verified: {done.verified.events} event(s)")


# -- verify-export -------------------------------------------------------------------------


def _export_keys(source: str | None) -> dict[str, Ed25519PublicKey]:
    """`{kid: key}` from a URL or file (JWK set, one JWK, or a PEM key), or by default
    the keys of this portal's data directory; refuses (exit 2) what cannot be read."""
    try:
        if source is None:
            data_dir = settings_from_env().data_dir
            if not checkpoint_key_path(data_dir).exists():
                raise refuse(
                    f"no --key given and this portal has no checkpoint key at "
                    f"{checkpoint_key_path(data_dir)}; pass --key URL|FILE (the portal's "
                    "GET /v1/audit/keys)"
                )
            return keys_from_jwks({"keys": published_keys(data_dir)})
        if source.startswith(("https://", "http://")):
            token = os.environ.get("KOMPETANSE_TOKEN")
            headers = {"Authorization": f"Bearer {token}"} if token else {}
            response = httpx.get(source, headers=headers, timeout=15, follow_redirects=True)
            if response.status_code != 200:
                raise refuse(
                    f"{source} answered {response.status_code}; the keys need a signed-in "
                    "user: set KOMPETANSE_TOKEN, or save the JWK set and pass the file"
                )
            return keys_from_jwks(response.json())
        data = Path(source).read_bytes()
        if data.lstrip().startswith(b"-----BEGIN"):
            loaded: object = serialization.load_pem_public_key(data)
            if not isinstance(loaded, Ed25519PublicKey):
                raise refuse(f"{source} is not an Ed25519 public key")
            return {key_id(loaded): loaded}
        return keys_from_jwks(json.loads(data))
    except ExportSignatureError as error:
        raise refuse(f"{source}: {error}") from None
    except (OSError, ValueError, httpx.HTTPError) as error:
        raise refuse(f"cannot read the keys from {source}: {error}") from None


@audit_app.command("verify-export")
def verify_export_file(
    file: Annotated[Path, typer.Argument(metavar="FILE", help="An export.json to check.")],
    key: Annotated[
        str | None,
        typer.Option(
            "--key",
            metavar="URL|FILE",
            help="The portal's public keys: GET /v1/audit/keys (URL, with KOMPETANSE_TOKEN "
            "if set) or a saved JWK set, one JWK, or a PEM public key. Default: the keys "
            "in this portal's data directory.",
        ),
    ] = None,
) -> None:
    """Check a signed export offline: exit 0 "valid", 1 naming the first field changed
    (or the bad signature, or an unknown key_id), 2 for a file or key that cannot be read."""
    try:
        document = json.loads(file.read_bytes())
    except OSError as error:
        raise refuse(f"cannot read {file}: {error.strerror or error}") from None
    except ValueError as error:
        raise refuse(f"{file} is not a JSON export (malformed JSON: {error})") from None
    keys = _export_keys(key)
    try:
        verified = verify_export(document, keys)
    except ExportSignatureError as error:
        typer.echo(f"FAILED: {file}: {error}")
        raise typer.Exit(EXIT_FAILED) from None
    typer.echo(f"valid: {file} is unaltered, signed by key {verified.key_id}")
