"""The CLI through its real entry point."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT, run_cli


def test_help_imports_no_document_library() -> None:
    code = (
        "import sys, qbrgen.cli;"
        "heavy = [m for m in ('pptx', 'weasyprint', 'openpyxl', 'pydantic', 'qbrgen.models') if m in sys.modules];"
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
    assert run_cli("--help").returncode == 0


def test_kpis_json_shape(sample_workspace: Path) -> None:
    result = run_cli("kpis", "--json", cwd=sample_workspace)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) >= {"as_of", "quarter", "portfolio", "accounts"}
    assert data["as_of"] == "2026-10-15" and data["quarter"] == "2026-Q3"
    for key in (
        "grr",
        "nrr",
        "logo_churn_rate",
        "renewal_rate_revenue",
        "gross_revenue_churn",
        "clv",
        "arpa",
        "qbr_completion_rate",
    ):
        assert key in data["portfolio"], key
    first = next(iter(data["accounts"].values()))
    for key in (
        "grr",
        "nrr",
        "health_score",
        "health_band",
        "seat_utilisation",
        "stakeholder_coverage",
        "single_threaded",
        "warning_list",
    ):
        assert key in first, key
    grr = data["portfolio"]["grr"]
    assert grr is None or 0 <= grr <= 1  # a fraction, not a percentage


def test_kpis_table_shows_every_definition(sample_workspace: Path) -> None:
    from qbrgen.kpis.definitions import DEFINITIONS

    result = run_cli("kpis", "--detail", cwd=sample_workspace)
    assert result.returncode == 0, result.stderr
    for definition in DEFINITIONS:
        assert definition.label in result.stdout, definition.label
    assert "n/a" in result.stdout


def test_kpis_unknown_account_is_a_usage_error(sample_workspace: Path) -> None:
    result = run_cli("kpis", "no-such-account", cwd=sample_workspace)
    assert result.returncode == 2
    assert "no account with id 'no-such-account'" in result.stderr


def test_schema_is_json_schema_with_descriptions() -> None:
    result = run_cli("schema")
    schema = json.loads(result.stdout)
    assert schema["title"] == "qbrgen account file"
    contract = schema["$defs"]["Contract"]["properties"]["renewal_date"]
    assert "renewal" in contract["description"].lower()
    config = json.loads(run_cli("schema", "--config").stdout)
    assert "gross_margin" in config["properties"]


def test_demo_data_is_deterministic(tmp_path: Path) -> None:
    for name in ("a", "b"):
        assert (
            run_cli("demo-data", "--accounts", "5", "--seed", "11", str(tmp_path / name)).returncode
            == 0
        )
    files = sorted(p.name for p in (tmp_path / "a" / "accounts").iterdir())
    assert len(files) == 5
    for name in files:
        assert (tmp_path / "a" / "accounts" / name).read_bytes() == (
            tmp_path / "b" / "accounts" / name
        ).read_bytes()
    assert run_cli("validate", cwd=tmp_path / "a").returncode == 0


def test_templates_lists_origin(tmp_path: Path) -> None:
    (tmp_path / "qbrgen.yaml").write_text("")
    (tmp_path / "templates" / "extra").mkdir(parents=True)
    (tmp_path / "templates" / "extra" / "mine.html").write_text("<p>mine</p>")
    result = run_cli("templates", cwd=tmp_path)
    assert result.returncode == 0
    line = next(line for line in result.stdout.splitlines() if "extra/mine.html" in line)
    assert "workspace" in line
    assert (ROOT / "src" / "qbrgen" / "templates").is_dir()
