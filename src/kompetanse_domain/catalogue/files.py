"""The catalogue's JSON files (plans and mappings): read with refusals that name the
file and the field, written atomically and readable by the server user only."""

from __future__ import annotations

import json
import os
import tempfile
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from kompetanse_domain.catalogue.errors import CatalogueFileError

M = TypeVar("M", bound=BaseModel)


def parse_json_file(model: type[M], text: str, origin: str) -> M:
    """A file's text (`origin` names the file), validated as `model`."""
    try:
        return model.model_validate_json(text)
    except ValidationError as error:
        details = "; ".join(
            f"{'.'.join(str(part) for part in item['loc']) or '(file)'}: {item['msg']}"
            for item in error.errors(include_url=False)
        )
        raise CatalogueFileError(origin, details) from None


def read_json_folder(model: type[M], folder: Traversable, origin: str) -> tuple[M, ...]:
    """Every `*.json` file in `folder` (a package's or the data directory's; none when it
    is missing) validated as `model`, in file-name order; `origin` names the folder."""
    if not folder.is_dir():
        return ()
    return tuple(
        parse_json_file(model, entry.read_text(encoding="utf-8"), f"{origin}/{entry.name}")
        for entry in sorted(folder.iterdir(), key=lambda item: item.name)
        if entry.name.endswith(".json") and entry.is_file()
    )


def write_json_file(document: BaseModel, folder: Path, name: str) -> Path:
    """Write `document` as `folder/name` atomically (made in a temporary file, then
    renamed); returns the file written."""
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    target = folder / name
    text = json.dumps(document.model_dump(mode="json"), ensure_ascii=False, indent=2) + "\n"
    handle, temp_name = tempfile.mkstemp(dir=folder, prefix=".import-", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(temp_name, 0o600)  # the data directory's files are the server user's only
        os.replace(temp_name, target)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return target
