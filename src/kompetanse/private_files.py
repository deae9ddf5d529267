"""Data files 0600 and folders 0700: only the server's user reads the data directory.

The data directory holds personal data (the SQLite store and its views, uploaded
certificates) and keys. At start-up (`build_application`, which every command and the
server go through) this makes the data directory 0700 and every file and folder in
its known sub-folders private, so what an earlier release left readable (0644/0755)
is closed too. The SQLite files of the store and of the views are created here,
empty and 0600, before the library opens them (an empty file is an empty database
to SQLite, and SQLite gives its `-wal`, `-shm` and `-journal` files the mode of the
database file); the writers' lock file likewise. The server's processes also set the
umask to 077 (`keep_new_files_private`), so whatever else they create is private.

Only known names are touched: a data directory pointed at a shared folder by mistake
keeps its other files as they are, and so does the folder of a database given
elsewhere by `KOMPETANSE_DATABASE_URL`. A file another user owns is left with a
warning instead of stopping the start.
"""

from __future__ import annotations

import logging
import os
import stat
from pathlib import Path

from api.settings import DEV_KEYS_DIR, Settings
from kompetanse_domain.errors import InvalidInputError
from kompetanse_store.sqlite_turns import writers_lock_path
from kompetanse_store.urls import is_sqlite, sqlite_path, views_database_url

PRIVATE_FILE = 0o600
PRIVATE_DIR = 0o700
PRIVATE_UMASK = 0o077
# folders of the data directory whose whole content is private
PRIVATE_TREES = (DEV_KEYS_DIR, "attachments", "catalogue", "audit-keys", "audit-checkpoints")
SQLITE_COMPANIONS = ("-wal", "-shm", "-journal")

log = logging.getLogger("kompetanse.files")


def keep_new_files_private() -> None:
    """The process's umask 077: files it creates from now on are 0600, folders 0700."""
    os.umask(PRIVATE_UMASK)


def make_data_private(settings: Settings) -> None:
    """The data directory, its known sub-folders and the SQLite files: 0700 and 0600."""
    data_dir = settings.data_dir
    data_dir.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    _chmod(data_dir, PRIVATE_DIR)
    for name in PRIVATE_TREES:
        _tighten_tree(data_dir / name)
    if is_sqlite(settings.database_url):
        _private_sqlite_files(settings.database_url)


def _private_sqlite_files(database_url: str) -> None:
    try:
        store = sqlite_path(database_url)
        views = sqlite_path(views_database_url(database_url))
    except InvalidInputError:
        return  # the store refuses such a URL itself, with its own message
    if store.name == ":memory:":
        return
    store.parent.mkdir(mode=PRIVATE_DIR, parents=True, exist_ok=True)
    for database in (store, views):
        _private_file(database)
        for suffix in SQLITE_COMPANIONS:
            companion = database.with_name(database.name + suffix)
            if companion.exists():
                _chmod(companion, PRIVATE_FILE)
    lock = writers_lock_path(str(store))
    if lock is not None:
        _private_file(lock)


def _private_file(path: Path) -> None:
    """Create the file empty and 0600 unless it exists; an existing one becomes 0600."""
    try:
        handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW, PRIVATE_FILE)
    except OSError as error:
        log.warning("cannot make %s private: %s", path, error.strerror)
        return
    os.close(handle)
    _chmod(path, PRIVATE_FILE)


def _tighten_tree(folder: Path) -> None:
    if folder.is_symlink() or not folder.is_dir():
        return
    _chmod(folder, PRIVATE_DIR)
    for parent, folders, files in os.walk(folder):  # does not follow symbolic links
        for name in folders:
            path = Path(parent, name)
            if not path.is_symlink():
                _chmod(path, PRIVATE_DIR)
        for name in files:
            path = Path(parent, name)
            if not path.is_symlink():
                _chmod(path, PRIVATE_FILE)


def _chmod(path: Path, mode: int) -> None:
    try:
        if stat.S_IMODE(path.stat().st_mode) != mode:
            path.chmod(mode)
    except FileNotFoundError:
        pass  # gone meanwhile (a -wal the last connection removed)
    except PermissionError:
        log.warning("cannot make %s private (mode %o): it belongs to another user", path, mode)
