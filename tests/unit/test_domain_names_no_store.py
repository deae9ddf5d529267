"""The domain names no store (issue 23, ADR 0001): no SQL driver, no SQLAlchemy and no
store module of the library appear in `src/kompetanse_domain`, not even in a comment;
the store's adapters live in `src/kompetanse_store`. (import-linter's contract "Domain
imports no store code" guards the imports; this guards the text, as the issue's grep.)"""

from __future__ import annotations

import re
from pathlib import Path

import kompetanse_domain

STORE_WORDS = re.compile(r"psycopg|sqlalchemy|eventsourcing\.(postgres|sqlite)")


def test_no_module_of_the_domain_names_a_store_driver_or_store_module() -> None:
    domain = Path(kompetanse_domain.__file__).parent
    found = [
        f"{path.relative_to(domain.parent)}:{number}: {line.strip()}"
        for path in sorted(domain.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if STORE_WORDS.search(line)
    ]
    assert found == []
