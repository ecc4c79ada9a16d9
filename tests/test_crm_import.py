"""`qbrgen import`: Salesforce and HubSpot exports into account files, re-imports that keep
hand edits, user mappings."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml

from conftest import FIXTURES, run_cli
from qbrgen.loading import load_portfolio, open_workspace

EXPORTS = FIXTURES / "import"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "accounts").mkdir(parents=True)
    (root / "qbrgen.yaml").write_text("locale: en_US\nas_of: 2026-10-15\n", encoding="utf-8")
    return root


def _import(root: Path, system: str, export: Path, *more: str, ok: bool = True):
    result = run_cli("import", "--from", system, str(export), "-w", str(root), *more)
    if ok:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


def _valid_accounts(root: Path) -> dict[str, object]:
    portfolio = load_portfolio(open_workspace(root))
    assert [str(p) for p in portfolio.problems.errors] == []
    return {a.account.id: a.account for a in portfolio.accounts}


def _fill_in(path: Path, **values: str) -> None:
    """Fill placeholders by hand, as a user would: `field:  # ... fill in by hand` → value."""
    text = path.read_text(encoding="utf-8")
    for name, value in values.items():
        text, n = re.subn(
            rf"(?m)^(\s*(?:- )?{name}):\s*#[^\n]*fill in by hand", rf"\1: {value}", text, 1
        )
        assert n == 1, name
    path.write_text(text, encoding="utf-8")


def test_salesforce_accounts_with_opportunities_and_contacts(workspace: Path) -> None:
    result = _import(
        workspace,
        "salesforce",
        EXPORTS / "salesforce-report-accounts-with-opportunities.csv",
        ok=False,
    )
    out = result.stdout
    assert "mapping: Salesforce opportunities report" in out
    assert "encoding Windows-1252 (detected)" in out
    assert "dates in 'Contract Start Date' read month first like the file's other dates" in out
    assert "created   accounts/acme-logistics.yaml" in out
    assert "3 account(s): 3 created, 0 updated, 0 unchanged; 1 error(s)" in out
    # Celeste's opportunity has no Type in the CRM: left empty, located, not invented.
    assert "accounts/celeste-hotels.yaml:21:5: opportunities[0].type: expected one of" in out
    assert result.returncode == 1
    celeste = workspace / "accounts" / "celeste-hotels.yaml"
    assert re.search(r"type: *# no value in the CRM .*: fill in by hand", celeste.read_text())
    _fill_in(celeste, type="services")
    accounts = _valid_accounts(workspace)
    assert sorted(accounts) == ["acme-logistics", "brightwater-clinics", "celeste-hotels"]
    acme = accounts["acme-logistics"]
    assert acme.contract.arr == 240000 and acme.owner == "Dana Whitfield"
    assert acme.segment == "enterprise"  # 2,400 employees
    assert acme.contract.start_date.isoformat() == "2025-11-01"  # 11/1/2025, US like the file
    assert acme.contract.renewal_date.isoformat() == "2026-10-31"
    assert [(o.title, o.stage, o.outcome, o.value, o.next_step) for o in acme.opportunities] == [
        ("Acme - Analytics seats", "proposal", "open", 36000, "Send quote"),
        ("Acme - Renewal 2025", "closed", "won", 240000, None),
    ]
    assert accounts["celeste-hotels"].name == "Céleste Hôtels"  # the export is Windows-1252
    assert accounts["celeste-hotels"].opportunities[0].outcome == "lost"

    result = _import(workspace, "salesforce", EXPORTS / "salesforce-report-contacts.csv", ok=False)
    out = result.stdout
    assert "mapping: Salesforce contacts report" in out
    assert "missing   accounts/acme-logistics.yaml: stakeholders['Maria Lopez'].role" in out
    text = (workspace / "accounts" / "acme-logistics.yaml").read_text()
    assert (
        "role:  # no value in the CRM (salesforce-report-contacts.csv has no column for it)" in text
    )
    validate = run_cli("validate", "-w", str(workspace))
    assert validate.returncode == 1
    line = text.splitlines().index(next(t for t in text.splitlines() if "role:" in t)) + 1
    assert f"accounts/acme-logistics.yaml:{line}:5: stakeholders[0].role:" in validate.stderr
    path = workspace / "accounts" / "acme-logistics.yaml"
    _fill_in(path, role="champion")
    _fill_in(path, role="user")
    _fill_in(workspace / "accounts" / "brightwater-clinics.yaml", role="executive_sponsor")
    people = _valid_accounts(workspace)["acme-logistics"].stakeholders
    assert [(p.name, p.title, p.role) for p in people] == [
        ("Maria Lopez", "VP Operations", "champion"),
        ("Tom Becker", "Fleet Analytics Lead", "user"),
    ]
    # Re-importing keeps the roles filled in by hand.
    out = _import(workspace, "salesforce", EXPORTS / "salesforce-report-contacts.csv").stdout
    assert "unchanged accounts/acme-logistics.yaml" in out
    assert _valid_accounts(workspace)["acme-logistics"].stakeholders[0].role == "champion"


def test_hubspot_companies_then_deals(workspace: Path) -> None:
    out = _import(workspace, "hubspot", EXPORTS / "hubspot-companies.csv").stdout
    assert "missing" not in out
    _import(workspace, "hubspot", EXPORTS / "hubspot-deals.csv")
    accounts = _valid_accounts(workspace)
    assert sorted(accounts) == ["lumen-studio", "northpeak-robotics"]
    northpeak = accounts["northpeak-robotics"]
    assert northpeak.segment == "enterprise" and northpeak.region == "Germany"
    assert [(o.title, o.stage, o.outcome, o.owner) for o in northpeak.opportunities] == [
        ("Northpeak - Vision add-on", "negotiation", "open", "Sam Ortega"),
        ("Northpeak - Training", "closed", "won", "Sam Ortega"),
    ]
    assert accounts["lumen-studio"].segment == "smb"
    state = json.loads((workspace / ".qbrgen-import.json").read_text())
    assert state["keys"]["hubspot:9001"] == "northpeak-robotics"


def test_reimport_updates_crm_fields_and_keeps_hand_edits(workspace: Path, tmp_path: Path) -> None:
    export = EXPORTS / "salesforce-report-accounts-with-opportunities.csv"
    _import(workspace, "salesforce", export, ok=False)
    _fill_in(workspace / "accounts" / "celeste-hotels.yaml", type="services")
    path = workspace / "accounts" / "acme-logistics.yaml"
    text = path.read_text()
    text = text.replace("owner: Dana Whitfield", "owner: Jamie Chen  # took over in Q3")
    text += "# Hand-written below this line\nnotes: Champion moves to finance in January.\n"
    path.write_text(text)

    changed = tmp_path / "export2.csv"
    content = export.read_bytes().decode("cp1252")
    content = content.replace('"$240,000.00","11/1/2025"', '"$264,000.00","11/1/2025"')
    content = content.replace(
        '"Proposal/Price Quote","$36,000.00"', '"Negotiation/Review","$36,000.00"'
    )
    changed.write_bytes(content.encode("cp1252"))
    out = _import(workspace, "salesforce", changed).stdout
    assert "updated   accounts/acme-logistics.yaml: contract.arr (240000 → 264000); " in out
    assert "opportunities['Acme - Analytics seats'].stage (proposal → negotiation)" in out
    assert (
        "kept      accounts/acme-logistics.yaml: owner (edited by hand; --overwrite replaces)"
        in out
    )
    assert "unchanged accounts/brightwater-clinics.yaml" in out

    text = path.read_text()
    assert "owner: Jamie Chen  # took over in Q3" in text
    assert "# Hand-written below this line\nnotes: Champion moves to finance in January.\n" in text
    assert text.startswith("# Created by `qbrgen import --from salesforce`")
    account = _valid_accounts(workspace)["acme-logistics"]
    assert account.contract.arr == 264000
    assert account.opportunities[0].stage == "negotiation"
    assert account.notes == "Champion moves to finance in January."

    out = _import(workspace, "salesforce", changed, "--overwrite").stdout
    assert "owner (Jamie Chen → Dana Whitfield)" in out
    assert _valid_accounts(workspace)["acme-logistics"].owner == "Dana Whitfield"
    assert "notes: Champion moves to finance in January." in path.read_text()


def test_existing_hand_written_file_is_not_overwritten_on_first_import(workspace: Path) -> None:
    path = workspace / "accounts" / "lumen-studio.yaml"
    path.write_text(
        "# our own file\nid: lumen-studio\nname: Lumen Studio\nindustry: Film\nsegment: smb\n"
        "owner: Kim\ncontract:\n  arr: 30000\n  start_date: 2026-01-01\n  renewal_date: 2026-12-31\n",
        encoding="utf-8",
    )
    out = _import(workspace, "hubspot", EXPORTS / "hubspot-companies.csv").stdout
    assert "kept      accounts/lumen-studio.yaml: industry; owner; contract.arr" in out
    text = path.read_text()
    assert text.startswith("# our own file\n") and "arr: 30000" in text
    assert "region: Canada" in text  # a field the file did not have is added


def test_user_mapping_for_any_csv(workspace: Path, tmp_path: Path) -> None:
    export = tmp_path / "pipedrive.csv"
    export.write_text(
        "Organization;Owner;Sector;Tier;Value;Contract from;Contract to\n"
        "Zeta Labs;Ana;Biotech;Enterprise;50.000,00;01.02.2026;31.01.2027\n",
        encoding="utf-8",
    )
    (workspace / "qbrgen.yaml").write_text("locale: de_DE\nas_of: 2026-10-15\n", encoding="utf-8")
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "name: Pipedrive organizations\nsystem: pipedrive\naccount:\n  key: [Organization]\n"
        "  fields:\n    name: Organization\n    owner: Owner\n    industry: Sector\n"
        "    segment: {columns: [Tier], values: {Enterprise: enterprise, '*': smb}}\n"
        "    contract.arr: Value\n    contract.start_date: Contract from\n"
        "    contract.renewal_date: Contract to\n",
        encoding="utf-8",
    )
    out = _import(workspace, "csv", export, "--mapping", str(mapping)).stdout
    assert "created   accounts/zeta-labs.yaml" in out
    zeta = _valid_accounts(workspace)["zeta-labs"]
    assert zeta.contract.arr == 50000 and zeta.segment == "enterprise"
    assert zeta.contract.renewal_date.isoformat() == "2027-01-31"
    data = yaml.safe_load((workspace / "accounts" / "zeta-labs.yaml").read_text())
    assert data["contract"]["arr"] == 50000


def test_unknown_export_and_bad_mapping_get_clear_errors(workspace: Path, tmp_path: Path) -> None:
    export = tmp_path / "other.csv"
    export.write_text("Foo,Bar\n1,2\n", encoding="utf-8")
    result = _import(workspace, "hubspot", export, ok=False)
    assert result.returncode == 2
    assert "does not look like a hubspot export" in result.stderr and "--mapping" in result.stderr
    mapping = tmp_path / "map.yaml"
    mapping.write_text(
        "account:\n  key: [Foo]\nrecords:\n  oportunities: {key: [x], match: title, fields: {}}\n"
    )
    result = _import(workspace, "csv", export, "--mapping", str(mapping), ok=False)
    assert result.returncode == 1
    assert "records.oportunities: unknown record list 'oportunities'" in result.stderr


def test_builtin_mappings_are_valid_and_each_recognises_its_export() -> None:
    from qbrgen.loading._crm_mapping import MAPPINGS_DIR, built_in, load_mapping
    from qbrgen.loading.crm_import import Export, ImportOptions, choose_mapping

    names = sorted(p.stem for p in MAPPINGS_DIR.glob("*.yaml"))
    assert len(names) == 14
    for system in ("salesforce", "hubspot"):
        mappings = built_in(system)
        for mapping in mappings:
            assert mapping.detect and (mapping.account or mapping.lookups or mapping.links)
            for columns in mapping.detect:
                export = Export(Path("x.csv"), "x.csv", list(columns), [])
                chosen = choose_mapping(export, ImportOptions(system), mappings)
                assert chosen.name == mapping.name, (columns, chosen.name)
    for path in MAPPINGS_DIR.glob("*.yaml"):
        assert load_mapping(path).detect


def test_import_leaves_a_workspace_copy_untouched_elsewhere(
    workspace: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "export.csv"
    shutil.copy(EXPORTS / "hubspot-companies.csv", copy)
    _import(workspace, "hubspot", copy)
    assert copy.read_bytes() == (EXPORTS / "hubspot-companies.csv").read_bytes()
    assert sorted(p.name for p in (workspace / "accounts").iterdir()) == [
        "lumen-studio.yaml",
        "northpeak-robotics.yaml",
    ]


def test_xlsx_export_with_title_rows_and_dry_run(workspace: Path, tmp_path: Path) -> None:
    import csv

    import openpyxl

    with (EXPORTS / "salesforce-report-accounts-with-opportunities.csv").open(
        encoding="cp1252"
    ) as handle:
        rows = [r for r in csv.reader(handle) if len(r) > 1]
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["Accounts with Opportunities"])
    sheet.append(["Filtered By: Close Date: Current FY"])
    sheet.append([])
    for row in rows:
        sheet.append(row)
    export = tmp_path / "report.xlsx"
    book.save(export)

    out = _import(workspace, "salesforce", export, "--dry-run", ok=False).stdout
    assert "(dry run: nothing written)" in out
    assert "would create accounts/acme-logistics.yaml" in out
    assert re.search(r"\n    owner +Dana Whitfield  ← report.xlsx:5 Account Owner\n", out)
    assert re.search(r"\n    opportunities\['Acme - Analytics seats'\]\n      title +Acme", out)
    assert re.search(r"\n      stage +proposal  ← report.xlsx:5 Stage\n", out)
    assert list((workspace / "accounts").iterdir()) == []
    assert not (workspace / ".qbrgen-import.json").exists()

    _import(workspace, "salesforce", export, ok=False)
    _fill_in(workspace / "accounts" / "celeste-hotels.yaml", type="services")
    accounts = _valid_accounts(workspace)
    assert sorted(accounts) == ["acme-logistics", "brightwater-clinics", "celeste-hotels"]
    assert accounts["acme-logistics"].contract.arr == 240000


def test_two_accounts_with_the_same_slug_get_their_own_files(
    workspace: Path, tmp_path: Path
) -> None:
    export = tmp_path / "companies.csv"
    export.write_text(
        "Record ID,Company name,Industry,Company owner\n"
        "1,Acme Inc,SaaS,Sam\n"
        '2,"Acme, Inc.",Retail,Sam\n',
        encoding="utf-8",
    )
    out = _import(workspace, "hubspot", export, ok=False).stdout
    assert "created   accounts/acme-inc.yaml" in out and "created   accounts/acme-inc-2.yaml" in out
    text = (workspace / "accounts" / "acme-inc-2.yaml").read_text()
    assert "industry: Retail" in text
    again = _import(
        workspace, "hubspot", export, ok=False
    ).stdout  # remembered: same files, nothing new
    assert "2 account(s): 0 created, 0 updated, 2 unchanged;" in again
