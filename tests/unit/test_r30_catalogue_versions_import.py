"""R30: `kompetanse catalogue import PLAN.csv --mapping MAPPING.csv` loads a new plan
version with its mapping from the previous one, all or nothing (ADR 0026).

The plan is a new ARB 2027.1 of 41 goals: ARB-001..040 as in 2026.1 but ARB-040
removed, ARB-039 split into ARB-039 and ARB-041, ARB-037 and ARB-038 merged into
ARB-037, so the previous version is the shipped ARB 2026.1 (40 goals).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from kompetanse.cli_catalogue import catalogue_app
from kompetanse_domain.catalogue import COLUMNS, load_catalogue
from kompetanse_domain.catalogue.versions import resolve

HEADER = ",".join(COLUMNS)
NEW_GOALS = [n for n in range(1, 42) if n != 40]
GOOD_LINKS = [
    ("ARB-037", "ARB-037"),
    ("ARB-038", "ARB-037"),
    ("ARB-039", "ARB-039"),
    ("ARB-039", "ARB-041"),
    ("ARB-040", ""),
]


def plan_csv(folder: Path) -> Path:
    lines = [HEADER] + [
        f"ARB,Arbeidsmedisin (ARB),2027.1,ARB-{n:03d},Tema {n},ha kunnskap om,,,,"
        for n in NEW_GOALS
    ]
    path = folder / "arb-2027.1.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def mapping_csv(folder: Path, links: list[tuple[str, str]]) -> Path:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["plan_code", "from_version", "to_version", "from_goal", "to_goal"])
    writer.writerows(["ARB", "2026.1", "2027.1", source, target] for source, target in links)
    path = folder / "arb-mapping.csv"
    path.write_text(out.getvalue(), encoding="utf-8")
    return path


def cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(catalogue_app, name="catalogue")
    return app


def run_import(tmp_path: Path, links: list[tuple[str, str]]) -> tuple[int, str]:
    data = tmp_path / "data"
    args = [
        "catalogue",
        "import",
        str(plan_csv(tmp_path)),
        "--mapping",
        str(mapping_csv(tmp_path, links)),
        "--data-dir",
        str(data),
    ]
    result = CliRunner().invoke(cli(), args)
    return result.exit_code, result.output


def test_r30_import_loads_a_new_version_with_its_mapping(tmp_path: Path) -> None:
    code, output = run_import(tmp_path, GOOD_LINKS)

    assert code == 0, output
    assert "With its mapping from version 2026.1 (5 rows)" in output
    catalogue = load_catalogue(tmp_path / "data" / "catalogue")
    assert catalogue.plan("ARB").version == "2027.1"
    assert [p.version for p in catalogue.all_versions() if p.code == "ARB"] == ["2026.1", "2027.1"]
    mapping = catalogue.mapping("ARB", "2026.1", "2027.1")
    assert mapping is not None and mapping.sample is False
    old = catalogue.plan_version("ARB", "2026.1")
    assert old is not None
    resolved = resolve(mapping, old, catalogue.plan("ARB"))
    assert resolved.sources["ARB-037"] == ("ARB-037", "ARB-038")
    assert resolved.sources["ARB-041"] == ("ARB-039",)
    assert resolved.sources["ARB-001"] == ("ARB-001",)
    assert resolved.removed == ("ARB-040",)


@pytest.mark.parametrize(
    ("links", "expected"),
    [
        (
            [*GOOD_LINKS, ("ARB-077", "ARB-041")],
            "row 7, column from_goal: unknown goal code 'ARB-077'",
        ),
        (
            [*GOOD_LINKS, ("ARB-039", "ARB-041")],
            "row 7, column from_goal: mapped twice (row 5)",
        ),
        (
            [*GOOD_LINKS[:4], ("ARB-040", ""), ("ARB-040", "ARB-041")],
            "row 7, column from_goal: ARB-040 mapped twice: mapped here, removed in row 6",
        ),
        (
            [*GOOD_LINKS[:4], ("ARB-040", "ARB-040")],
            "row 6, column to_goal: 'ARB-040' is not a goal of the new version ARB 2027.1",
        ),
        (
            GOOD_LINKS[:4],
            "row 1, column from_goal: goal ARB-040 of version 2026.1 is neither mapped nor removed",
        ),
    ],
    ids=["unknown goal", "mapped twice", "removed and mapped", "not in new version", "forgotten"],
)
def test_r30_import_refuses_a_bad_mapping_by_row_and_column_and_loads_nothing(
    tmp_path: Path, links: list[tuple[str, str]], expected: str
) -> None:
    code, output = run_import(tmp_path, links)

    assert code == 2, output
    assert "arb-mapping.csv: refused, nothing was loaded:" in output
    assert expected in output
    folder = tmp_path / "data" / "catalogue"
    assert not folder.exists() or not any(
        folder.rglob("*.json")
    )  # neither the plan nor the mapping
    assert load_catalogue(folder).plan("ARB").version == "2026.1"


def test_r30_the_shipped_sample_second_version_of_sam_has_a_sample_mapping() -> None:
    catalogue = load_catalogue()

    assert [p.version for p in catalogue.all_versions() if p.code == "SAM"] == ["2026.1", "2026.2"]
    mapping = catalogue.mapping("SAM", "2026.1", "2026.2")
    assert mapping is not None and mapping.sample is True
    newest = catalogue.plan("SAM")
    assert newest.sample_titles is True and "sample revision" in newest.source
