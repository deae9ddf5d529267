"""`kompetanse audit checkpoint | verify | export` (R20, R24, ADR 0011), on both stores."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from audit_support import AuditWorld, Journey, Store
from typer.testing import CliRunner

from kompetanse.cli import app as cli


@pytest.fixture
def run(world: AuditWorld, tmp_path: Path) -> Any:
    runner = CliRunner()
    env = {
        "KOMPETANSE_DATABASE_URL": world.url,
        "KOMPETANSE_DATA_DIR": str(tmp_path / "data"),
        "KOMPETANSE_PROJECTIONS": "external",
    }

    def invoke(*args: str) -> Any:
        return runner.invoke(cli, ["audit", *args], env=env)

    return invoke


def test_checkpoint_then_verify_with_it(
    run: Any, tmp_path: Path, story: tuple[Journey, Journey]
) -> None:
    out = tmp_path / "auditor" / "cp.json"
    made = run("checkpoint", "--out", str(out))
    assert made.exit_code == 0, made.output
    key = tmp_path / "data" / "audit-keys" / "checkpoint.pem"
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    public = json.loads(out.read_text())["public_key"]
    assert f"Public key (Ed25519, base64): {public}" in made.output
    assert str(out) in made.output
    assert len(json.loads(out.read_text())["checkpoint"]["heads"]) == 2

    checked = run("verify", "--all", "--checkpoint", str(out), "--public-key", public)
    assert checked.exit_code == 0, checked.output
    assert "OK: the stored history extends all 2 signed head(s)" in checked.output
    one = run("verify", "--candidate", str(story[0].candidate_id), "--checkpoint", str(out))
    assert one.exit_code == 0, one.output

    again = run("checkpoint", "--out", str(tmp_path / "cp2.json"))  # the same key is reused
    assert again.exit_code == 0 and f"base64): {public}" in again.output


def test_truncated_tail_is_caught_only_by_the_checkpoint(
    run: Any, world: AuditWorld, tmp_path: Path, story: tuple[Journey, Journey]
) -> None:
    out = tmp_path / "cp.json"
    assert run("checkpoint", "--out", str(out)).exit_code == 0
    store = Store(world.url)
    tail = store.rows()[-1][0]
    store.delete_event(tail)

    recorded = run("verify")  # the audit view still records the deleted event
    assert recorded.exit_code == 1
    assert f"FAILED at position {tail}" in recorded.output

    store.delete_audit_rows(tail)  # the attacker removes the recorded link too
    plain = run("verify", "--all")
    assert plain.exit_code == 0, plain.output

    caught = run("verify", "--all", "--checkpoint", str(out))
    assert caught.exit_code == 1, caught.output
    assert f"FAILED at position {tail}: the stored history no longer reaches" in caught.output


def test_forged_or_foreign_checkpoint_is_refused(
    run: Any, tmp_path: Path, story: tuple[Journey, Journey]
) -> None:
    out = tmp_path / "cp.json"
    assert run("checkpoint", "--out", str(out)).exit_code == 0
    other = run("checkpoint", "--key", str(tmp_path / "other.pem"), "--out", str(tmp_path / "x"))
    foreign_key = json.loads((tmp_path / "x").read_text())["public_key"]
    pinned = run("verify", "--checkpoint", str(out), "--public-key", foreign_key)
    assert other.exit_code == 0 and pinned.exit_code == 1
    assert "signature does not verify" in pinned.output
    data = json.loads(out.read_text())
    data["checkpoint"]["upto_position"] += 1
    out.write_text(json.dumps(data))
    assert run("verify", "--checkpoint", str(out)).exit_code == 1


def test_verify_refuses_both_scopes(run: Any, story: tuple[Journey, Journey]) -> None:
    result = run("verify", "--all", "--candidate", str(story[0].candidate_id))
    assert result.exit_code == 2
    assert run("verify", "--candidate", "not-a-uuid").exit_code == 2


def test_export_writes_history_and_norwegian_summary(
    run: Any, world: AuditWorld, tmp_path: Path, story: tuple[Journey, Journey]
) -> None:
    first, _ = story
    cid = first.candidate_id
    out = tmp_path / "export"
    result = run("export", str(cid), "--out", str(out))
    assert result.exit_code == 0, result.output

    lines = (out / f"{cid}.jsonl").read_text(encoding="utf-8").splitlines()
    history = world.q.list_history(cid)
    assert [json.loads(line)["position"] for line in lines] == [i["position"] for i in history]
    assert json.loads(lines[-1])["hash"] == history[-1]["hash"]

    html = (out / f"{cid}.html").read_text(encoding="utf-8")
    assert "Dokumentasjon av oppnådde læringsmål" in html
    assert "Lise Lege" in html and "Allmennmedisin (ALM)" in html
    for code in (*first.approved, first.imported):
        assert f"<td>{code}</td>" in html
    assert first.rejected not in html
    assert html.count("<td>Leif Leder</td>") == 2
    assert "Hanne Sykehusleder" in html and "Importert fra hospital-hso" in html
    assert history[-1]["hash"] in html
    assert '<span class="ok">OK</span>' in html
    assert "3 approved goal(s)" in result.output
