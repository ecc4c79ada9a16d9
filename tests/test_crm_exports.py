"""`qbrgen import` on the exports people have: every encoding a spreadsheet or CRM writes, US
and European dates and amounts in any workspace locale, ambiguous columns that stop the
import, HubSpot property-name exports joined through owners and deal-company links."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import FIXTURES, run_cli
from qbrgen.loading import load_portfolio, open_workspace

EXPORTS = FIXTURES / "import"


def _workspace(tmp_path: Path, locale: str = "en_US", name: str = "ws") -> Path:
    root = tmp_path / name
    (root / "accounts").mkdir(parents=True)
    (root / "qbrgen.yaml").write_text(f"locale: {locale}\nas_of: 2026-10-15\n", encoding="utf-8")
    return root


def _accounts(root: Path) -> dict[str, object]:
    portfolio = load_portfolio(open_workspace(root))
    assert [str(p) for p in portfolio.problems.errors] == []
    return {a.account.id: a.account for a in portfolio.accounts}


COMPANIES = {
    "cp1252": ("Céleste Hôtels", "Jörg Weiß", "Hôtellerie", "celeste-hotels"),
    "cp932": ("株式会社山田製作所", "佐藤 太郎", "製造業", "hubspot-9001"),
    "gb18030": ("上海数据科技有限公司", "王伟", "软件", "hubspot-9001"),
    "euc_kr": ("서울데이터주식회사", "김민수", "소프트웨어", "hubspot-9001"),
    "utf-16": ("Zoë Ångström AB", "Åsa Öberg", "Software", "zoe-angstrom-ab"),
    "utf-8-sig": ("Ünal Lojistik A.Ş.", "Ayşe Yılmaz", "Lojistik", "unal-lojistik-a-s"),
    "utf-8": ("Acme “Global”", "Jo", "SaaS", "acme-global"),
}
LABELS = {
    "cp1252": "Windows-1252",
    "cp932": "Shift_JIS (cp932)",
    "gb18030": "GB18030",
    "euc_kr": "EUC-KR (cp949)",
    "utf-16": "UTF-16",
    "utf-8-sig": "UTF-8 with BOM",
    "utf-8": "UTF-8",
}


@pytest.mark.parametrize("encoding", list(COMPANIES))
def test_hubspot_export_in_every_encoding(tmp_path: Path, encoding: str) -> None:
    name, owner, industry, account_id = COMPANIES[encoding]
    sep = "\t" if encoding == "utf-16" else ","  # Excel's "Unicode text" is tab-separated
    text = (
        sep.join(
            [
                "Record ID",
                "Company name",
                "Company owner",
                "Industry",
                "Number of Employees",
                "Annual recurring revenue (ARR)",
                "Contract start date",
                "Renewal date",
            ]
        )
        + "\n"
        + sep.join(["9001", name, owner, industry, "120", "48000", "2025-04-01", "2026-03-31"])
        + "\n"
    )
    export = tmp_path / "companies.csv"
    export.write_bytes(text.encode(encoding))
    root = _workspace(tmp_path, "ja_JP")
    result = run_cli("import", "--from", "hubspot", str(export), "-w", str(root))
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"encoding {LABELS[encoding]} (detected)" in result.stdout
    account = _accounts(root)[account_id]
    assert (account.name, account.owner, account.industry) == (name, owner, industry)
    assert account.contract.arr == 48000


def test_undecodable_bytes_stop_the_import_naming_the_line(tmp_path: Path) -> None:
    export = tmp_path / "companies.csv"
    export.write_bytes(
        "Record ID,Company name\n9001,Northpeak\n9002,Céleste Hôtels\n".encode("cp1252")
    )
    root = _workspace(tmp_path)
    result = run_cli(
        "import", "--from", "hubspot", str(export), "-w", str(root), "--encoding", "utf-8"
    )
    assert result.returncode == 1
    assert "companies.csv:3: bytes e9 cannot be read as UTF-8" in result.stderr
    assert "nothing written" in result.stderr
    assert list((root / "accounts").iterdir()) == []
    # Given the right encoding, it imports.
    ok = run_cli(
        "import", "--from", "hubspot", str(export), "-w", str(root), "--encoding", "cp1252"
    )
    assert "encoding Windows-1252 (--encoding)" in ok.stdout


US_EXPORT = (
    '"Account Owner","Account Name","Account ID","Industry","Employees","ARR","Contract Start Date",'
    '"Contract End Date","Opportunity Name","Stage","Type","Amount","Close Date"\n'
    '"Dana Whitfield","Acme Logistics","001A","Transportation","2,400","$240,000.00","1/12/2025",'
    '"1/11/2027","Acme - Seats","Negotiation/Review","Existing Customer - Upgrade","$36,000.50","3/30/2026"\n'
)


def test_a_us_export_imports_the_same_in_every_workspace_locale(tmp_path: Path) -> None:
    export = tmp_path / "report.csv"
    export.write_text(US_EXPORT, encoding="utf-8")
    written = {}
    for locale in ("en_US", "de_DE", "ja_JP"):
        root = _workspace(tmp_path, locale, locale)
        result = run_cli("import", "--from", "salesforce", str(export), "-w", str(root))
        assert result.returncode == 0, result.stdout + result.stderr
        acme = _accounts(root)["acme-logistics"]
        assert acme.contract.start_date.isoformat() == "2025-01-12"  # not 2025-12-01
        assert acme.contract.renewal_date.isoformat() == "2027-01-11"
        assert acme.opportunities[0].close_date.isoformat() == "2026-03-30"
        assert str(acme.opportunities[0].value) == "36000.5"
        written[locale] = (root / "accounts" / "acme-logistics.yaml").read_text()
    assert written["en_US"] == written["de_DE"] == written["ja_JP"]


def test_an_ambiguous_date_column_stops_the_import(tmp_path: Path) -> None:
    export = tmp_path / "report.csv"
    export.write_text(
        "Account Name,Account ID,Contract Start Date,Contract End Date\n"
        "Acme,001A,1/12/2025,1/11/2026\nGlobex,001B,3/4/2025,3/4/2026\n",
        encoding="utf-8",
    )
    root = _workspace(tmp_path, "de_DE")
    result = run_cli("import", "--from", "salesforce", str(export), "-w", str(root))
    assert result.returncode == 1
    assert (
        "report.csv:2:3: column 'Contract Start Date': dates read both month-first and day-first "
        "('1/12/2025' and '3/4/2025'); give the order with --date-format" in result.stderr
    )
    assert list((root / "accounts").iterdir()) == []
    result = run_cli(
        "import",
        "--from",
        "salesforce",
        str(export),
        "-w",
        str(root),
        "--date-format",
        "DD/MM/YYYY",
    )
    text = (root / "accounts" / "acme.yaml").read_text()
    assert "start_date: 2025-12-01" in text and "renewal_date: 2026-11-01" in text


def test_a_column_mixing_date_orders_stops_the_import(tmp_path: Path) -> None:
    export = tmp_path / "report.csv"
    export.write_text(
        "Account Name,Account ID,Contract End Date\nAcme,001A,3/30/2026\nGlobex,001B,30/3/2026\n",
        encoding="utf-8",
    )
    result = run_cli("import", "--from", "salesforce", str(export), "-w", str(_workspace(tmp_path)))
    assert result.returncode == 1
    assert (
        "column 'Contract End Date': dates mix month-first ('3/30/2026') and day-first ('30/3/2026')"
        in result.stderr
    )


def test_european_dates_and_amounts(tmp_path: Path) -> None:
    export = tmp_path / "bericht.csv"
    export.write_text(
        "Account Name;Account ID;ARR;Contract Start Date;Contract End Date\n"
        "Müller GmbH;001A;1.234.567,50;01.11.2025;31.10.2026\n"
        "Köln AG;001B;142.500,00;15.01.2026;14.01.2027\n",
        encoding="utf-8",
    )
    root = _workspace(tmp_path, "en_US")
    result = run_cli("import", "--from", "salesforce", str(export), "-w", str(root))
    assert "numbers in 'ARR' read with ',' as decimal separator" in result.stdout
    text = (root / "accounts" / "muller-gmbh.yaml").read_text()
    assert "arr: 1234567.5" in text and "start_date: 2025-11-01" in text


def test_ambiguous_amounts_stop_the_import_until_the_separator_is_given(tmp_path: Path) -> None:
    export = tmp_path / "report.csv"
    export.write_text(
        'Account Name,Account ID,ARR\nAcme,001A,"142,500"\nGlobex,001B,"12,000"\n',
        encoding="utf-8",
    )
    root = _workspace(tmp_path)
    result = run_cli("import", "--from", "salesforce", str(export), "-w", str(root))
    assert result.returncode == 1
    assert (
        "report.csv:2:3: column 'ARR': numbers read with '.' or ',' as the decimal separator ('142,500' and '12,000')"
        in result.stderr
    )
    run_cli(
        "import", "--from", "salesforce", str(export), "-w", str(root), "--decimal-separator", "."
    )
    assert "arr: 142500" in (root / "accounts" / "acme.yaml").read_text()


def test_every_standard_salesforce_stage_and_report_footer(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    result = run_cli(
        "import",
        "--from",
        "salesforce",
        str(EXPORTS / "salesforce-report-accounts.csv"),
        str(EXPORTS / "salesforce-report-opportunities.csv"),
        "-w",
        str(root),
    )
    out = result.stdout
    assert "Salesforce accounts report" in out and "Salesforce opportunities report" in out
    assert "3 account(s): 3 created" in out  # the footer lines are not accounts
    text = (root / "accounts" / "acme-logistics.yaml").read_text()
    # Annual Revenue is the customer's own revenue, never taken as ARR.
    assert re.search(r"arr: *# no value in the CRM", text)
    assert "1200000000" not in text
    validate = run_cli("validate", "-w", str(root))
    assert re.search(
        r"accounts/acme-logistics.yaml:\d+:3: contract.arr: expected a number, got nothing",
        validate.stderr,
    )
    stages = {}
    for path in (root / "accounts").glob("*.yaml"):
        body = path.read_text()
        for title, stage, outcome, owner in re.findall(
            r"- title: (.+)\n(?:    .*\n)*?    stage: (\w+)\n    outcome: (\w+)\n(?:    .*\n)*?    owner: (.+)\n",
            body,
        ):
            stages[title] = (stage, outcome, owner)
    assert stages == {
        "Acme - Fleet module": ("identified", "open", "Jamie Chen"),
        "Acme - Premium support": ("qualified", "open", "Jamie Chen"),
        "Acme - EU rollout": ("qualified", "open", "Jamie Chen"),
        "Brightwater - Data connectors": ("qualified", "open", "Jamie Chen"),
        "Brightwater - Analytics seats": ("qualified", "open", "Jamie Chen"),
        "Brightwater - Premium tier": ("qualified", "open", "Jamie Chen"),
        "Nordlicht - Forecasting": ("proposal", "open", "Jamie Chen"),
        "Nordlicht - Seats": ("negotiation", "open", "Jamie Chen"),
        "Nordlicht - Training": ("closed", "won", "Jamie Chen"),
        "Nordlicht - Alerts add-on": ("closed", "lost", "Jamie Chen"),
    }
    assert (
        "next_step: Workshop with EU ops" in (root / "accounts" / "acme-logistics.yaml").read_text()
    )
    # No document is built from an account with an empty required field.
    qbr = run_cli("qbr", "-w", str(root))
    assert qbr.returncode == 1 and not list((root / "output").rglob("*.pptx"))


HUBSPOT_STAGES = [
    ("Appointment Scheduled", "appointmentscheduled", "identified", "open"),
    ("Qualified To Buy", "qualifiedtobuy", "qualified", "open"),
    ("Presentation Scheduled", "presentationscheduled", "proposal", "open"),
    ("Decision Maker Bought-In", "decisionmakerboughtin", "proposal", "open"),
    ("Contract Sent", "contractsent", "negotiation", "open"),
    ("Closed Won", "closedwon", "closed", "won"),
    ("Closed Lost", "closedlost", "closed", "lost"),
]


@pytest.mark.parametrize("column", [0, 1])
def test_every_standard_hubspot_stage_as_label_and_internal_name(
    tmp_path: Path, column: int
) -> None:
    header = [
        "Record ID,Deal Name,Deal Stage,Amount,Close Date,Deal Type,Associated Company IDs,Associated Company",
        "hs_object_id,dealname,dealstage,amount,closedate,dealtype,associatedcompanyid,Associated Company",
    ][column]
    rows = [
        f"{i},Deal {i},{stage[column]},1000,2026-06-{i + 10:02d},existingbusiness,9001,Northpeak"
        for i, stage in enumerate(HUBSPOT_STAGES, start=1)
    ]
    export = tmp_path / "deals.csv"
    export.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    root = _workspace(tmp_path)
    run_cli("import", "--from", "hubspot", str(export), "-w", str(root))
    body = (root / "accounts" / "northpeak.yaml").read_text()
    found = re.findall(r"stage: (\w+)\n    outcome: (\w+)", body)
    assert found == [(s[2], s[3]) for s in HUBSPOT_STAGES]


def test_unknown_stage_is_a_located_error_not_a_guess(tmp_path: Path) -> None:
    export = tmp_path / "deals.csv"
    export.write_text(
        "Record ID,Deal Name,Deal Stage,Amount,Deal Type,Associated Company IDs,Associated Company\n"
        "1,Northpeak - Pilot,Proposal Made,1000,existingbusiness,9001,Northpeak\n",
        encoding="utf-8",
    )
    root = _workspace(tmp_path)
    result = run_cli("import", "--from", "hubspot", str(export), "-w", str(root))
    assert result.returncode == 1
    assert (
        "deals.csv:2:3: stage: Deal Stage: 'Proposal Made' is not a value I know" in result.stdout
    )
    assert re.search(
        r"stage: *# no value in the CRM", (root / "accounts" / "northpeak.yaml").read_text()
    )


def test_hubspot_deals_without_associated_company(tmp_path: Path) -> None:
    deals = tmp_path / "deals.csv"
    deals.write_text(
        "Record ID,Deal Name,Deal Stage,Amount,Close Date,Deal Type,Deal owner\n"
        "5101,Northpeak - Vision add-on,Contract Sent,42000,2026-11-30 00:00,Existing Business,Sam Ortega\n",
        encoding="utf-8",
    )
    root = _workspace(tmp_path)
    alone = run_cli("import", "--from", "hubspot", str(deals), "-w", str(root))
    assert alone.returncode == 1
    assert (
        "deals.csv:1: no account column" in alone.stdout and "Associated Deal IDs" in alone.stdout
    )
    companies = tmp_path / "companies.csv"
    companies.write_text(
        "Record ID,Company name,Company owner,Industry,Number of Employees,ARR,Contract start date,"
        "Renewal date,Associated Deal IDs\n"
        "9001,Northpeak Robotics,Sam Ortega,Manufacturing,1500,180000,2024-04-01,2027-03-31,5101\n",
        encoding="utf-8",
    )
    both = run_cli("import", "--from", "hubspot", str(companies), str(deals), "-w", str(root))
    assert both.returncode == 0, both.stdout
    (opportunity,) = _accounts(root)["northpeak-robotics"].opportunities
    assert (opportunity.title, opportunity.stage, opportunity.owner) == (
        "Northpeak - Vision add-on",
        "negotiation",
        "Sam Ortega",
    )


def test_hubspot_property_name_exports_from_a_warehouse_sync(tmp_path: Path) -> None:
    """Fivetran-style tables: company/deal with property_* columns, owner, deal_company."""
    sync = EXPORTS / "hubspot-sync"
    root = _workspace(tmp_path)
    result = run_cli(
        "import",
        "--from",
        "hubspot",
        *(str(sync / n) for n in ("company.csv", "deal.csv", "deal_company.csv", "owner.csv")),
        "-w",
        str(root),
        "--dry-run",
    )
    assert result.returncode == 0, result.stdout
    assert (
        "HubSpot owners" in result.stdout and "HubSpot deal-company associations" in result.stdout
    )
    assert re.search(
        r"owner +Sam Ortega  ← company.csv:2 property_hubspot_owner_id → owner.csv:2 first_name \+ last_name",
        result.stdout,
    )
    run_cli(
        "import",
        "--from",
        "hubspot",
        *(str(sync / n) for n in ("company.csv", "deal.csv", "deal_company.csv", "owner.csv")),
        "-w",
        str(root),
    )
    account = _accounts(root)["northpeak-robotics"]
    assert account.owner == "Sam Ortega" and account.contract.arr == 180000
    assert [
        (o.title, o.stage, o.outcome, o.close_date.isoformat(), o.next_step)
        for o in account.opportunities
    ] == [
        ("Northpeak - Vision add-on", "negotiation", "open", "2026-11-30", "Send order form"),
        ("Northpeak - Training", "closed", "won", "2026-06-15", None),
    ]
