"""`kompetanse keys ...`: the key that encrypts stored events at rest (ADR 0010).

`cipher` prints a new AES-256 key (base64) for `KOMPETANSE_CIPHER_KEY`; `check` decodes
the first and the last stored event with the key in the environment, so an operator
can try a key before starting the server. The main CLI mounts this app with
`app.add_typer(keys_app, name="keys")`.
"""

from __future__ import annotations

import typer
from eventsourcing.cryptography import AESCipher

from kompetanse.bootstrap import build_application
from kompetanse.cli_support import command_group, refuse, settings_from_env
from kompetanse_store.check import StoreUnreadableError, check_store_readable

KEY_BYTES = 32

keys_app = command_group("Encryption at rest: make a cipher key, check that a key reads the store.")


@keys_app.command("cipher")
def cipher() -> None:
    """Print a new AES-256 key for KOMPETANSE_CIPHER_KEY (keep it outside the database)."""
    typer.echo(AESCipher.create_key(KEY_BYTES))


@keys_app.command("check")
def check() -> None:
    """Decode the first and the last stored event with KOMPETANSE_CIPHER_KEY (or none)."""
    settings = settings_from_env()
    application = build_application(settings, check=False)
    try:
        checked = check_store_readable(application)
    except StoreUnreadableError as error:
        raise refuse(str(error)) from None
    finally:
        application.close()
    mode = "encrypted" if settings.cipher_key else "not encrypted"
    typer.echo(f"The store is readable ({mode}; {checked} stored events decoded).")
