"""Salesforce object files as Data Loader writes them (Account, Contract, Opportunity, Contact,
AccountContactRelation, User), written from `qbrgen demo-data` accounts, import in one
command into accounts whose KPIs match the source data."""

from __future__ import annotations

import json
from pathlib import Path

import yaml

from conftest import run_cli
from salesforce_objects import project, write_objects

CRM_KPIS = (
    "pipeline",
    "pipeline_by_stage",
    "upsell_conversion_rate",
    "stakeholder_coverage",
    "stakeholder_roles_covered",
    "active_stakeholders",
    "single_threaded",
    "days_to_renewal",
)


def _kpis(root: Path) -> dict:
    result = run_cli("kpis", "--json", "-w", str(root), check=True)
    return json.loads(result.stdout)


def test_fifty_accounts_from_salesforce_object_files(tmp_path: Path) -> None:
    demo = tmp_path / "demo"
    run_cli("demo-data", "--accounts", "50", str(demo), check=True)
    source = [yaml.safe_load(p.read_text()) for p in sorted((demo / "accounts").glob("*.yaml"))]
    files = write_objects(source, tmp_path / "export")

    imported = tmp_path / "imported"
    (imported / "accounts").mkdir(parents=True)
    (imported / "qbrgen.yaml").write_text("as_of: 2026-10-15\nlocale: de_DE\n", encoding="utf-8")
    result = run_cli("import", "--from", "salesforce", *map(str, files), "-w", str(imported))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "50 account(s): 50 created, 0 updated, 0 unchanged; 0 error(s)" in result.stdout
    assert "Salesforce User object (API names)" in result.stdout
    validate = run_cli("validate", "-w", str(imported))
    assert "51 files checked: 51 valid, 0 invalid; 50 accounts ready to build; 0 errors" in (
        validate.stdout
    )

    by_name = {}
    for path in (imported / "accounts").glob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        by_name[data["name"]] = data["id"]
    expected = tmp_path / "expected"
    (expected / "accounts").mkdir(parents=True)
    (expected / "qbrgen.yaml").write_text("as_of: 2026-10-15\nlocale: de_DE\n", encoding="utf-8")
    for account in source:
        data = project(account, by_name[account["name"]])
        (expected / "accounts" / f"{data['id']}.yaml").write_text(
            yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
    got, want = _kpis(imported), _kpis(expected)
    assert got["portfolio"] == want["portfolio"]
    assert got["accounts"] == want["accounts"]
    assert want["portfolio"]["pipeline"] > 0 and want["portfolio"]["arr"] > 0

    # The KPIs the CRM data determines equal those of the full source accounts.
    full = _kpis(demo)
    for account in source:
        mine = got["accounts"][by_name[account["name"]]]
        theirs = full["accounts"][account["id"]]
        for name in CRM_KPIS:
            if name == "days_to_renewal" and theirs["status"] == "churned":
                continue  # a churned account has no renewal ahead; the CRM copy still has a date
            assert mine[name] == theirs[name], (account["name"], name)

    # A second import changes nothing.
    again = run_cli("import", "--from", "salesforce", *map(str, files), "-w", str(imported))
    assert "50 account(s): 0 created, 0 updated, 50 unchanged; 0 error(s)" in again.stdout
