"""Content-addressed storage of uploaded course certificates (R9, ADR 0009).

An upload is streamed into a temporary file in the store while it is hashed, and
refused as soon as it passes the size limit. Its type is decided by its content
(magic bytes, `filetype`), never by its name. Accepted files are moved atomically
to `<root>/ab/cd/<sha256>`: the same content is stored once, and a file is never
changed after it is named. The root lies outside anything the API serves. Files are
0600 and folders 0700: only the server's user reads them.

The route asks the domain whether the caller may attach before it stores anything,
yet a file can still outlive a failed command (a stale `If-Match`, the store gone
between storing and saving). `sweep` removes the files no event refers to once they
are older than a grace period (`kompetanse attachments sweep`).
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
import uuid
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import filetype

ALLOWED_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})
CHUNK = 64 * 1024
SNIFF_BYTES = 262
PRIVATE_DIR = 0o700
STAGING = "tmp"
_BLOB_NAME = re.compile(r"^[0-9a-f]{64}$")
_LEFT_OVERS = ("upload-", "sweep-")  # of an interrupted upload, or of an interrupted sweep


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
        staging = self._folder(self.root / STAGING)
        handle, temp_name = tempfile.mkstemp(dir=staging, prefix="upload-")  # mode 0600
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
            self._folder(target.parent.parent)
            self._folder(target.parent)
            os.replace(temp_name, target)  # a new file, so its age counts from now (sweep)
            return StoredBlob(sha256=digest, size=size, media_type=media_type)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temp_name)

    def _folder(self, folder: Path) -> Path:
        self.root.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)
        return folder

    def sweep(
        self,
        referenced: Callable[[], Collection[str]],
        *,
        grace: float,
        dry_run: bool = False,
        now: float | None = None,
    ) -> Sweep:
        """Remove the files no event refers to that are older than `grace` seconds.

        `referenced()` gives the hashes the events name; it is asked after the old
        files are listed, so an event saved meanwhile still protects its file (and its
        upload, stored just before, is younger than the grace anyway). Left-over
        staging files of interrupted uploads go too. Before a file is removed it is
        moved aside and its age looked at again: an upload of the same content that
        replaced it meanwhile is put back, never lost.
        """
        cutoff = (time.time() if now is None else now) - grace
        result = Sweep()
        old: list[SweptFile] = []
        for found in self._files():
            if found.modified > cutoff:
                result.kept_fresh += 1
            else:
                old.append(found)
        keep = set(referenced())
        for found in old:
            if found.sha256 is not None and found.sha256 in keep:
                result.kept_referenced += 1
            elif dry_run or self._remove(found, cutoff):
                result.removed.append(found)
            else:
                result.kept_fresh += 1
        return result

    def _files(self) -> list[SweptFile]:
        """The stored blobs and staging files, with their size and age."""
        found: list[SweptFile] = []
        if not self.root.is_dir():
            return found
        for first in _folders(self.root):
            if first.name == STAGING:
                for entry in _entries(first):
                    if entry.name.startswith(_LEFT_OVERS) and entry.is_file(follow_symlinks=False):
                        found.append(_swept(Path(entry.path), None, entry.stat()))
                continue
            for second in _folders(first):
                for entry in _entries(second):
                    name = entry.name
                    if (
                        _BLOB_NAME.match(name)
                        and (first.name, second.name) == (name[:2], name[2:4])
                        and entry.is_file(follow_symlinks=False)
                    ):
                        found.append(_swept(Path(entry.path), name, entry.stat()))
        return found

    def _remove(self, found: SweptFile, cutoff: float) -> bool:
        aside = self._folder(self.root / STAGING) / f"sweep-{uuid.uuid4().hex}"
        try:
            os.rename(found.path, aside)
        except FileNotFoundError:
            return False
        if aside.stat().st_mtime > cutoff:  # stored again meanwhile: the same content
            os.replace(aside, found.path)
            return False
        aside.unlink()
        return True


@dataclass(frozen=True)
class SweptFile:
    path: Path
    sha256: str | None  # None: a staging file an interrupted upload left
    size: int
    modified: float


@dataclass
class Sweep:
    removed: list[SweptFile] = field(default_factory=list)
    kept_referenced: int = 0
    kept_fresh: int = 0


def _swept(path: Path, sha256: str | None, status: os.stat_result) -> SweptFile:
    return SweptFile(path=path, sha256=sha256, size=status.st_size, modified=status.st_mtime)


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    with os.scandir(folder) as entries:
        return list(entries)


def _folders(folder: Path) -> list[Path]:
    return sorted(
        Path(entry.path) for entry in _entries(folder) if entry.is_dir(follow_symlinks=False)
    )


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
