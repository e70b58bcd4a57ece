"""JSON Schemas: committed schemas match the models; --check catches stale, missing, extra."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from pydantic import Field

from pystocksharp import schemas
from pystocksharp.artifacts.models import Manifest
from pystocksharp.cli import main


def test_committed_schemas_match_the_models() -> None:
    # Fails when a model changed without `pystocksharp schemas` being run and committed.
    assert schemas.stale_schemas(schemas.DEFAULT_DIR) == []


def test_every_schema_has_its_schema_version() -> None:
    for name, model in schemas.registry().items():
        data = json.loads((schemas.DEFAULT_DIR / f"{name}.schema.json").read_text())
        assert data["schemaVersion"] == schemas.schema_version(model)
        assert data["$schema"].endswith("2020-12/schema")


def test_check_reports_stale_missing_and_extra(tmp_path: Path) -> None:
    schemas.generate_schemas(tmp_path)
    assert schemas.stale_schemas(tmp_path) == []
    (tmp_path / "trades.schema.json").write_text("{}\n")
    (tmp_path / "manifest.schema.json").unlink()
    (tmp_path / "gone.schema.json").write_text("{}\n")
    problems = schemas.stale_schemas(tmp_path)
    assert len(problems) == 3
    assert "manifest.schema.json: missing" in problems[0]
    assert "trades.schema.json: stale" in problems[1]
    assert "gone.schema.json: no model" in problems[2]


def test_a_changed_model_makes_its_schema_stale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    shutil.copytree(schemas.DEFAULT_DIR, tmp_path, dirs_exist_ok=True)

    class ManifestV2(Manifest):
        comment: str = Field(default="", description="a new field")

    monkeypatch.setitem(schemas._OWN, "manifest", ManifestV2)
    assert [p.split("/")[-1] for p in schemas.stale_schemas(tmp_path)] == [
        "manifest.schema.json: stale, its model changed (run `pystocksharp schemas`)"
    ]


def test_cli_schemas_check_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    wrote = runner.invoke(main, ["schemas", "--dir", str(tmp_path), "--json"])
    assert wrote.exit_code == 0 and len(json.loads(wrote.output)["written"]) == len(schemas.registry())
    ok = runner.invoke(main, ["schemas", "--check", "--dir", str(tmp_path)])
    assert ok.exit_code == 0 and "up to date" in ok.output
    (tmp_path / "trades.schema.json").write_text("{}\n")
    stale = runner.invoke(main, ["schemas", "--check", "--dir", str(tmp_path), "--json"])
    assert stale.exit_code == 1 and json.loads(stale.output)["ok"] is False
