"""Content-addressed storage of uploaded course certificates (R9, ADR 0009).

An upload is streamed into a temporary file in the store while it is hashed, and
refused as soon as it passes the size limit. Its type is decided by its content
(magic bytes, `filetype`), never by its name. Accepted files are moved atomically
to `<root>/ab/cd/<sha256>`: the same content is stored once, and a file is never
changed after it is named. The root lies outside anything the API serves.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

import filetype

ALLOWED_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})
CHUNK = 64 * 1024
SNIFF_BYTES = 262


class AttachmentRefusedError(Exception):
    """Raised when an upload is refused before it is stored; `status` is its HTTP status."""

    status = 400


class AttachmentTooLargeError(AttachmentRefusedError):
    """Raised when an upload is larger than the limit."""

    status = 413


class UnsupportedAttachmentError(AttachmentRefusedError):
    """Raised when an upload's content is not a PDF, PNG or JPEG."""

    status = 415


@dataclass(frozen=True)
class StoredBlob:
    sha256: str
    size: int
    media_type: str


class AttachmentStore:
    """Files by SHA-256 under one root directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256[2:4] / sha256

    def save(self, source: BinaryIO, *, limit: int) -> StoredBlob:
        """Copy `source` into the store; refuses over `limit` bytes or a wrong type."""
        staging = self.root / "tmp"
        staging.mkdir(parents=True, exist_ok=True)
        handle, temp_name = tempfile.mkstemp(dir=staging, prefix="upload-")
        try:
            digest, size, head = _copy(source, handle, limit)
            kind = filetype.guess(head) if head else None
            media_type = kind.mime if kind is not None else None
            if media_type not in ALLOWED_TYPES:
                raise UnsupportedAttachmentError(
                    "R9: attach a PDF, PNG or JPEG file; the content of this file is "
                    f"{media_type or 'not recognised'}"
                )
            target = self.path_of(digest)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.chmod(temp_name, 0o640)
            os.replace(temp_name, target)
            return StoredBlob(sha256=digest, size=size, media_type=media_type)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)


def _copy(source: BinaryIO, handle: int, limit: int) -> tuple[str, int, bytes]:
    hasher = hashlib.sha256()
    size = 0
    head = b""
    with os.fdopen(handle, "wb") as out:
        while chunk := source.read(CHUNK):
            size += len(chunk)
            if size > limit:
                raise AttachmentTooLargeError(
                    f"R9: the file is larger than the limit of {limit} bytes"
                )
            if len(head) < SNIFF_BYTES:
                head += chunk[: SNIFF_BYTES - len(head)]
            hasher.update(chunk)
            out.write(chunk)
        out.flush()
        os.fsync(out.fileno())
    return hasher.hexdigest(), size, head
