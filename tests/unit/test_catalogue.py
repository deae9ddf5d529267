"""Specs of the plan catalogue (ADR 0005): shipped plans, validation, CSV import, CLI."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError
from typer.testing import CliRunner

from kompetanse.cli_catalogue import catalogue_app
from kompetanse_domain.catalogue import (
    COLUMNS,
    COMPETENCE_LEVELS,
    CatalogueImportError,
    GoalDefinition,
    PlanDefinition,
    PlanVersionConflictError,
    RecommendedActivity,
    UnknownGoalError,
    UnknownPlanError,
    import_plan_csv,
    load_catalogue,
    parse_plan_csv,
    save_imported_plan,
    shipped_plans,
)
from kompetanse_domain.errors import InvalidInputError, NotFoundError

API_PLAN_CODES = ("LIS1-KLK", "LIS1-FKM", "FKM", "ALM", "SAM", "ARB")


# --------------------------------------------------------------------------- helpers


def plan_rows(plan: PlanDefinition) -> list[dict[str, str]]:
    """The plan as rows of the official spreadsheet export."""
    rows = []
    for goal in plan.goals:
        base = {
            "plan_code": plan.code,
            "plan_title": plan.title,
            "version": plan.version,
            "goal_code": goal.code,
            "goal_title": goal.title,
            "competence_level": goal.competence_level,
            "arena": goal.arena or "",
        }
        activities = goal.recommended_activities or (None,)
        for activity in activities:
            rows.append(
                base
                | {
                    "activity_kind": activity.kind if activity else "",
                    "activity_title": activity.title if activity else "",
                    "recommended_minimum": str(activity.recommended_minimum or "")
                    if activity
                    else "",
                }
            )
    return rows


def csv_bytes(rows: list[dict[str, str]], *, delimiter: str = ",", bom: bool = False) -> bytes:
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=COLUMNS, delimiter=delimiter, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + out.getvalue().encode("utf-8")


def small_rows(version: str = "2027.1", goals: int = 8) -> list[dict[str, str]]:
    """One row per goal of a small ARB plan; goal 1 also has a procedure row."""
    rows = [
        {
            "plan_code": "ARB",
            "plan_title": "Arbeidsmedisin (ARB)",
            "version": version,
            "goal_code": f"ARB-{number:03d}",
            "goal_title": f"Ha kunnskap om arbeidsmiljø, tema {number}",
            "competence_level": "ha kunnskap om",
            "arena": "",
            "activity_kind": "",
            "activity_title": "",
            "recommended_minimum": "",
        }
        for number in range(1, goals + 1)
    ]
    rows.insert(
        1,
        rows[0]
        | {
            "activity_kind": "procedure",
            "activity_title": "Audiometri",
            "recommended_minimum": "20",
        },
    )
    return rows


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path


def cli() -> typer.Typer:
    app = typer.Typer()
    app.add_typer(catalogue_app, name="catalogue")
    return app


runner = CliRunner()


# --------------------------------------------------------------------------- shipped plans


@pytest.mark.parametrize("code", API_PLAN_CODES)
def test_every_plan_code_named_in_the_api_loads_from_the_shipped_catalogue(code: str) -> None:
    plan = load_catalogue().plan(code)

    assert plan.code == code
    assert plan.goals[0].code == f"{code}-001"


def test_the_shipped_catalogue_holds_exactly_the_six_plans_sorted_by_code() -> None:
    assert load_catalogue().plan_codes == tuple(sorted(API_PLAN_CODES))


def test_lis1_fkm_has_24_goals_done_in_hospital_and_26_in_the_municipality() -> None:
    plan = load_catalogue().plan("LIS1-FKM")

    arenas = [goal.arena for goal in plan.goals]
    assert plan.title == "DEL 1 - Felles kompetansemål"
    assert len(plan.goals) == 50
    assert arenas.count("hospital") == 24
    assert arenas.count("municipality") == 26
    assert load_catalogue().goal("LIS1-FKM-024").arena == "hospital"


def test_lis1_klk_carries_the_plan_name_of_the_municipal_portal() -> None:
    plan = load_catalogue().plan("LIS1-KLK")

    assert plan.title == "DEL1 - Kliniske læringsmål - kommunehelsetjenesten"
    assert plan.part == "part1"


def test_alm_has_about_one_hundred_goals_and_two_are_done_in_hospital() -> None:
    catalogue = load_catalogue()

    assert 90 <= len(catalogue.plan("ALM").goals) <= 110
    assert catalogue.goal("ALM-055").arena == "hospital"
    assert catalogue.goal("ALM-085").arena == "hospital"


def test_part3_plans_are_fkm_and_the_three_municipal_specialties() -> None:
    catalogue = load_catalogue()

    part3 = {plan.code for plan in catalogue.plans if plan.part == "part3"}
    assert part3 == {"FKM", "ALM", "SAM", "ARB"}
    assert catalogue.plan("ALM").specialty == "ALM"
    assert catalogue.plan("FKM").specialty is None


@pytest.mark.parametrize("plan", shipped_plans(), ids=lambda plan: plan.code)
def test_shipped_goals_are_numbered_from_001_without_gaps(plan: PlanDefinition) -> None:
    expected = [f"{plan.code}-{number:03d}" for number in range(1, len(plan.goals) + 1)]
    assert list(plan.goal_codes) == expected


@pytest.mark.parametrize("plan", shipped_plans(), ids=lambda plan: plan.code)
def test_shipped_plans_flag_their_sample_titles_and_name_their_source(
    plan: PlanDefinition,
) -> None:
    assert plan.sample_titles is True
    assert "sample" in plan.source.lower()
    assert plan.version == "2026.1"


@pytest.mark.parametrize("plan", shipped_plans(), ids=lambda plan: plan.code)
def test_only_procedures_carry_a_recommended_minimum(plan: PlanDefinition) -> None:
    for goal in plan.goals:
        for activity in goal.recommended_activities:
            if activity.recommended_minimum is not None:
                assert activity.kind == "procedure"


def test_shipped_plans_are_read_once_and_cached() -> None:
    assert shipped_plans() is shipped_plans()


def test_an_unknown_plan_is_not_found_and_the_message_lists_the_known_plans() -> None:
    with pytest.raises(UnknownPlanError) as caught:
        load_catalogue().plan("XYZ")

    assert isinstance(caught.value, NotFoundError)
    assert str(caught.value) == (
        "Plan 'XYZ' is not in the catalogue; known plans: ALM, ARB, FKM, LIS1-FKM, LIS1-KLK, SAM"
    )


def test_an_unknown_goal_is_not_found() -> None:
    with pytest.raises(UnknownGoalError):
        load_catalogue().goal("ALM-999")


# --------------------------------------------------------------------------- validation


def goal_doc(code: str, **changes: object) -> dict[str, object]:
    return {
        "code": code,
        "title": "Ha kunnskap om noe viktig",
        "competence_level": "ha kunnskap om",
        "arena": None,
        "recommended_activities": [],
    } | changes


def plan_doc(*goals: dict[str, object], code: str = "ALM") -> dict[str, object]:
    return {
        "code": code,
        "title": "Allmennmedisin",
        "version": "2026.1",
        "part": "part3",
        "sample_titles": True,
        "source": "test",
        "goals": list(goals),
    }


def test_a_goal_code_not_matching_its_plan_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        PlanDefinition.model_validate(plan_doc(goal_doc("ALM-001"), goal_doc("SAM-002")))

    (error,) = caught.value.errors()
    assert error["loc"] == ("goals",)
    assert "goals[1].code 'SAM-002' must be 'ALM-'" in error["msg"]


def test_duplicate_goal_codes_in_a_plan_are_refused() -> None:
    with pytest.raises(ValidationError, match=r"goals\[1\]\.code 'ALM-001' duplicates goals\[0\]"):
        PlanDefinition.model_validate(plan_doc(goal_doc("ALM-001"), goal_doc("ALM-001")))


def test_a_goal_code_that_is_not_numbered_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        PlanDefinition.model_validate(plan_doc(goal_doc("ALM-1")))

    assert caught.value.errors()[0]["loc"] == ("goals", 0, "code")


def test_an_unknown_competence_level_is_refused_naming_the_field() -> None:
    with pytest.raises(ValidationError) as caught:
        GoalDefinition.model_validate(goal_doc("ALM-001", competence_level="beherske"))

    assert caught.value.errors()[0]["loc"] == ("competence_level",)


def test_a_recommended_minimum_on_a_course_is_refused() -> None:
    with pytest.raises(ValidationError, match="only for kind 'procedure'"):
        RecommendedActivity(kind="course", title="Grunnkurs", recommended_minimum=3)


def test_catalogue_models_are_frozen() -> None:
    goal = load_catalogue().goal("ALM-001")

    with pytest.raises(ValidationError):
        goal.title = "Endret"


@given(
    levels=st.lists(st.sampled_from(COMPETENCE_LEVELS), min_size=1, max_size=30),
    arena=st.sampled_from([None, "hospital", "municipality"]),
)
def test_any_numbered_plan_with_known_levels_validates(
    levels: list[str], arena: str | None
) -> None:
    goals = [
        goal_doc(f"SAM-{number:03d}", competence_level=level, arena=arena)
        for number, level in enumerate(levels, start=1)
    ]

    plan = PlanDefinition.model_validate(plan_doc(*goals, code="SAM"))

    assert len(plan.goals) == len(levels)


# --------------------------------------------------------------------------- CSV import


def test_a_valid_csv_export_round_trips_into_the_same_plan(tmp_path: Path) -> None:
    shipped = load_catalogue().plan("ALM")

    imported = import_plan_csv(write(tmp_path / "alm.csv", csv_bytes(plan_rows(shipped))))

    assert imported.goals == shipped.goals
    assert (imported.code, imported.title, imported.version) == ("ALM", shipped.title, "2026.1")
    assert (imported.part, imported.specialty) == ("part3", "ALM")
    assert imported.sample_titles is False
    assert "alm.csv" in imported.source


def test_lis1_fkm_round_trips_with_its_arenas(tmp_path: Path) -> None:
    shipped = load_catalogue().plan("LIS1-FKM")

    imported = import_plan_csv(write(tmp_path / "fkm.csv", csv_bytes(plan_rows(shipped))))

    assert imported.goals == shipped.goals
    assert imported.part == "part1"


def test_an_excel_file_with_bom_and_semicolons_imports(tmp_path: Path) -> None:
    data = csv_bytes(small_rows(), delimiter=";", bom=True)

    plan = import_plan_csv(write(tmp_path / "arb.csv", data))

    assert plan.code == "ARB"
    assert len(plan.goals) == 8
    assert plan.goals[0].recommended_activities == (
        RecommendedActivity(kind="procedure", title="Audiometri", recommended_minimum=20),
    )


def test_a_bad_competence_level_in_row_7_is_reported_with_row_and_column() -> None:
    rows = small_rows()
    rows[5]["competence_level"] = "beherske"  # header is row 1, so rows[5] is row 7

    with pytest.raises(CatalogueImportError) as caught:
        parse_plan_csv(csv_bytes(rows))

    assert isinstance(caught.value, InvalidInputError)
    assert [(p.row, p.column) for p in caught.value.problems] == [(7, "competence_level")]
    assert str(caught.value.problems[0]).startswith("row 7, column competence_level: 'beherske'")


def test_every_bad_row_is_reported_not_only_the_first() -> None:
    rows = small_rows()
    rows[2]["goal_code"] = "SAM-003"
    rows[4]["recommended_minimum"] = "5"
    rows[4]["activity_kind"] = "course"
    rows[4]["activity_title"] = "Grunnkurs"
    rows[6]["version"] = "2027.2"

    with pytest.raises(CatalogueImportError) as caught:
        parse_plan_csv(csv_bytes(rows))

    assert [(p.row, p.column) for p in caught.value.problems] == [
        (4, "goal_code"),
        (6, "recommended_minimum"),
        (8, "version"),
    ]


def test_a_missing_column_is_reported_on_the_header_row() -> None:
    text = "plan_code,plan_title,version,goal_code,goal_title\nARB,Arb,1,ARB-001,Tittel\n"

    with pytest.raises(CatalogueImportError) as caught:
        parse_plan_csv(text.encode())

    assert {(p.row, p.column) for p in caught.value.problems} == {
        (1, "competence_level"),
        (1, "arena"),
        (1, "activity_kind"),
        (1, "activity_title"),
        (1, "recommended_minimum"),
    }


def test_rows_of_one_goal_that_disagree_on_its_title_are_refused() -> None:
    rows = small_rows()
    rows[1]["goal_title"] = "En annen tittel"

    with pytest.raises(CatalogueImportError) as caught:
        parse_plan_csv(csv_bytes(rows))

    (problem,) = caught.value.problems
    assert (problem.row, problem.column) == (3, "goal_title")
    assert "row 2" in problem.reason


def test_a_file_that_is_not_utf8_is_refused_with_its_row() -> None:
    data = csv_bytes(small_rows()).replace(b"tema 3", "tema æ".encode("latin-1"))

    with pytest.raises(CatalogueImportError) as caught:
        parse_plan_csv(data)

    assert caught.value.problems[0].row == 5  # ARB-003 is rows[3]: goal 1 has two rows
    assert "UTF-8" in caught.value.problems[0].reason


# --------------------------------------------------------------------------- imported plans


def test_an_imported_newer_version_replaces_the_shipped_plan(tmp_path: Path) -> None:
    newer = parse_plan_csv(csv_bytes(small_rows(version="2027.1")))

    save_imported_plan(newer, tmp_path)
    catalogue = load_catalogue(tmp_path)

    assert catalogue.plan("ARB") == newer
    assert len(catalogue.plan("ARB").goals) == 8
    assert len(catalogue.plan("ALM").goals) == len(load_catalogue().plan("ALM").goals)


def test_an_imported_older_version_does_not_replace_the_shipped_plan(tmp_path: Path) -> None:
    older = parse_plan_csv(csv_bytes(small_rows(version="2025.9")))
    (tmp_path / "ARB@2025.9.json").write_text(older.model_dump_json(), encoding="utf-8")

    assert load_catalogue(tmp_path).plan("ARB").version == "2026.1"


def test_a_plan_version_already_in_the_catalogue_cannot_be_changed(tmp_path: Path) -> None:
    changed = parse_plan_csv(csv_bytes(small_rows(version="2026.1")))

    with pytest.raises(PlanVersionConflictError):
        save_imported_plan(changed, tmp_path)
    assert list(tmp_path.iterdir()) == []


def test_saving_an_imported_plan_leaves_one_json_file_and_no_temporary_file(
    tmp_path: Path,
) -> None:
    plan = parse_plan_csv(csv_bytes(small_rows()))

    path = save_imported_plan(plan, tmp_path / "catalogue")

    assert [p.name for p in (tmp_path / "catalogue").iterdir()] == ["ARB@2027.1.json"]
    assert PlanDefinition.model_validate_json(path.read_text(encoding="utf-8")) == plan


# --------------------------------------------------------------------------- CLI


def test_catalogue_list_json_prints_plans_with_code_and_goals(tmp_path: Path) -> None:
    result = runner.invoke(cli(), ["catalogue", "list", "--json", "--data-dir", str(tmp_path)])

    assert result.exit_code == 0, result.output
    plans = json.loads(result.stdout)
    assert [plan["code"] for plan in plans] == sorted(API_PLAN_CODES)
    fkm = next(plan for plan in plans if plan["code"] == "LIS1-FKM")
    assert len(fkm["goals"]) == 50
    assert fkm["goals"][0]["code"] == "LIS1-FKM-001"
    assert {"title", "version"} <= fkm.keys()


def test_catalogue_list_prints_a_table_of_plans_then_their_goals(tmp_path: Path) -> None:
    result = runner.invoke(cli(), ["catalogue", "list", "--data-dir", str(tmp_path)])

    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["PLAN", "VERSION", "GOALS", "TITLE"]
    assert lines[1].split()[:3] == ["ALM", "2026.1", "100"]
    assert any(line.strip().startswith("LIS1-FKM-024") for line in lines)


def test_catalogue_import_saves_the_plan_under_the_data_dir(tmp_path: Path) -> None:
    source = write(tmp_path / "arb.csv", csv_bytes(small_rows(), delimiter=";", bom=True))
    data_dir = tmp_path / "var"

    result = runner.invoke(cli(), ["catalogue", "import", str(source), "--data-dir", str(data_dir)])

    assert result.exit_code == 0, result.output
    assert "Imported ARB version 2027.1" in result.stdout
    assert "replaces ARB version 2026.1" in result.stdout
    assert (data_dir / "catalogue" / "ARB@2027.1.json").is_file()
    assert load_catalogue(data_dir / "catalogue").plan("ARB").version == "2027.1"


def test_catalogue_import_reads_the_data_dir_from_the_environment(tmp_path: Path) -> None:
    source = write(tmp_path / "arb.csv", csv_bytes(small_rows()))

    result = runner.invoke(
        cli(), ["catalogue", "import", str(source)], env={"KOMPETANSE_DATA_DIR": str(tmp_path)}
    )

    assert result.exit_code == 0, result.output
    assert (tmp_path / "catalogue" / "ARB@2027.1.json").is_file()


def test_catalogue_import_of_a_bad_file_reports_row_7_and_loads_nothing(tmp_path: Path) -> None:
    rows = small_rows()
    rows[5]["competence_level"] = "kjenner litt"
    source = write(tmp_path / "arb.csv", csv_bytes(rows))
    data_dir = tmp_path / "var"

    result = runner.invoke(cli(), ["catalogue", "import", str(source), "--data-dir", str(data_dir)])

    assert result.exit_code == 2
    assert "row 7, column competence_level: 'kjenner litt'" in result.stderr
    assert not (data_dir / "catalogue").exists() or not any((data_dir / "catalogue").iterdir())
    assert load_catalogue(data_dir / "catalogue").plan("ARB").version == "2026.1"


# --------------------------------------------------------------------------- boundaries


def test_the_catalogue_imports_no_web_sql_or_entrypoint_code() -> None:
    probe = (
        "import sys, kompetanse_domain.catalogue\n"
        "bad = ('fastapi', 'sqlalchemy', 'starlette', 'api', 'projections', 'kompetanse')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in bad))\n"
    )

    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout

    assert out.strip() == "[]"
