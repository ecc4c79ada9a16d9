"""CSV input: sets of per-record-type files and flat account CSVs, encodings, delimiters,
locale dates and numbers, located errors."""

from __future__ import annotations

import shutil
from pathlib import Path

from conftest import ROOT
from qbrgen.kpis import report_json
from qbrgen.loading import load_portfolio, open_workspace
from qbrgen.loading.csv_source import read_rows, sniff_delimiter, write_csv_set
from qbrgen.run import open_run


def _workspace(tmp_path: Path, locale: str = "en_US") -> Path:
    root = tmp_path / "ws"
    (root / "accounts").mkdir(parents=True)
    (root / "qbrgen.yaml").write_text(f"locale: {locale}\nas_of: 2026-10-15\n", encoding="utf-8")
    return root


def _load(root: Path):
    return load_portfolio(open_workspace(root))


def test_sample_portfolio_as_csv_set_gives_the_same_kpis(tmp_path: Path) -> None:
    yaml_ws = tmp_path / "yaml"
    shutil.copytree(ROOT / "accounts", yaml_ws / "accounts")
    shutil.copy(ROOT / "qbrgen.yaml", yaml_ws / "qbrgen.yaml")
    yaml_run = open_run(yaml_ws)
    csv_ws = tmp_path / "csv"
    (csv_ws / "accounts").mkdir(parents=True)
    shutil.copy(ROOT / "qbrgen.yaml", csv_ws / "qbrgen.yaml")
    written = write_csv_set([a.account for a in yaml_run.accounts], csv_ws / "accounts", "book")
    assert written[0].name == "book.accounts.csv"
    assert {p.name for p in written} >= {"book.stakeholders.csv", "book.usage.csv"}

    csv_run = open_run(csv_ws)
    assert [str(p) for p in csv_run.portfolio.problems.errors] == []
    assert [a.account for a in csv_run.accounts] == [a.account for a in yaml_run.accounts]
    assert report_json(csv_run.report) == report_json(yaml_run.report)
    # Every file of the set was checked; only the accounts file yields accounts.
    assert "accounts/book.stakeholders.csv" in csv_run.portfolio.files_checked


def test_flat_csv_in_windows_1252_with_semicolons_and_german_dates(tmp_path: Path) -> None:
    root = _workspace(tmp_path, "de_DE")
    text = (
        "Account ID;Name;Industry;Segment;Owner;ARR;Start date;Renewal date;Regulated;Products\n"
        'muller;Müller Maschinenbau GmbH;Industrie;Enterprise;Jörg Weiß;1.234.567,50;01.11.2025;31.10.2026;ja;"Kern; API"\n'
        '"koln";"Kölner Café";Gastronomie;smb;Anna;12500;2026-01-01;2026-12-31;nein;\n'
    )
    (root / "accounts" / "kunden.csv").write_bytes(text.encode("cp1252"))
    portfolio = _load(root)
    assert portfolio.problems.items == []
    by_id = {a.account.id: a.account for a in portfolio.accounts}
    muller = by_id["muller"]
    assert muller.name == "Müller Maschinenbau GmbH"
    assert str(muller.contract.arr) == "1234567.50"
    assert muller.contract.start_date.isoformat() == "2025-11-01"
    assert muller.regulated is True and muller.segment == "enterprise"
    assert muller.contract.products == ["Kern", "API"]
    assert by_id["koln"].name == "Kölner Café"


def test_utf8_bom_and_tabs_and_us_dates(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    text = (
        "account_id\tname\tindustry\tsegment\towner\tcontract_arr\tcontract_start_date\tcontract_renewal_date\n"
        "acme\tAcme “Global”\tSaaS\tmid-market\tJo\t$12,000.00\t10/15/2025\t10/14/2026\n"
    )
    (root / "accounts" / "acme.csv").write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    portfolio = _load(root)
    assert portfolio.problems.items == []
    (account,) = [a.account for a in portfolio.accounts]
    assert account.name == "Acme “Global”"
    assert account.segment == "mid_market"
    assert str(account.contract.arr) == "12000.00"
    assert account.contract.renewal_date.isoformat() == "2026-10-14"


def test_delimiter_and_encoding_detection() -> None:
    assert sniff_delimiter("a;b;c") == ";"
    assert sniff_delimiter("a\tb\tc") == "\t"
    assert sniff_delimiter('"x;y",b,c') == ","
    assert sniff_delimiter("single") == ","


def test_excel_sep_hint_and_utf16(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_bytes("sep=;\na;b\n1;2\n".encode("utf-16"))
    assert read_rows(path) == [(2, ["a", "b"]), (3, ["1", "2"])]


def test_bad_cells_in_a_csv_set_are_located_and_valid_rows_load(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    folder = root / "accounts"
    (folder / "book.accounts.csv").write_text(
        "Account ID,Name,Industry,Segment,Owner,ARR,Start date,Renewal date\n"
        "good,Good Co,SaaS,smb,Jo,1000,2026-01-01,2027-01-01\n"
        "bad,Bad Co,SaaS,smb,Jo,1000,2026-01-01,2027-01-01\n",
        encoding="utf-8",
    )
    (folder / "book.stakeholders.csv").write_text(
        "Account ID,Name,Role,Sentiment,Shoe size\n"
        "good,Ann Lee,champion,positive,40\n"
        '"bad","Bo\nRyan",user,meh,41\n'
        "ghost,Cy,user,neutral,42\n",
        encoding="utf-8",
    )
    portfolio = _load(root)
    messages = [str(p) for p in portfolio.problems.items]
    assert messages == [
        "accounts/book.stakeholders.csv:1:5: warning: unknown column 'Shoe size'; ignored "
        "(known: Account ID, Name, Title, Role, Influence, Sentiment, Last contact, "
        "Executive sponsor, Email, Reports to)",
        "accounts/book.stakeholders.csv:5:1: no account 'ghost' in accounts/book.accounts.csv "
        "(add it to accounts/book.accounts.csv)",
        "accounts/book.stakeholders.csv:3:4: stakeholders[0].sentiment: expected one of positive, "
        "neutral, negative, got 'meh'",
    ]
    assert [a.account.id for a in portfolio.accounts] == ["good"]
    assert portfolio.accounts[0].account.stakeholders[0].name == "Ann Lee"


def test_record_file_without_its_accounts_file(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    (root / "accounts" / "team.risks.csv").write_text("Account ID,Title\n", encoding="utf-8")
    portfolio = _load(root)
    assert [str(p) for p in portfolio.problems.errors] == [
        "accounts/team.risks.csv: no team.accounts.csv beside this file: its rows have no accounts "
        "to belong to (a CSV set is <name>.accounts.csv plus <name>.<record type>.csv files)"
    ]
