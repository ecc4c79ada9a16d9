"""Workbook input: round trip of the sample portfolio, located cell errors, safe reading."""

from __future__ import annotations

import shutil
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest

from conftest import ROOT, run_cli
from qbrgen.kpis import report_json
from qbrgen.loading import load_portfolio, open_workspace
from qbrgen.loading.xlsx_source import write_workbook
from qbrgen.run import open_run


def _workspace(tmp_path: Path, name: str = "ws") -> Path:
    root = tmp_path / name
    (root / "accounts").mkdir(parents=True)
    shutil.copy(ROOT / "qbrgen.yaml", root / "qbrgen.yaml")
    return root


def _load(root: Path):
    return load_portfolio(open_workspace(root))


def _messages(portfolio) -> list[str]:
    return [str(p) for p in portfolio.problems.items]


def _rewrite_part(path: Path, part: str, change) -> None:
    """Replace one XML part of a workbook (to add what openpyxl cannot write)."""
    with zipfile.ZipFile(path) as source:
        items = [(info, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for info, data in items:
            if info.filename == part:
                data = change(data.decode()).encode()
            target.writestr(info.filename, data)


def _sheet_part(path: Path, title: str) -> str:
    book = openpyxl.load_workbook(path)
    index = book.sheetnames.index(title) + 1
    return f"xl/worksheets/sheet{index}.xml"


@pytest.mark.parametrize("source", ["sample", "demo"])
def test_portfolio_exported_to_workbook_gives_the_same_kpis(tmp_path: Path, source: str) -> None:
    if source == "sample":
        yaml_ws = tmp_path / "yaml"
        shutil.copytree(ROOT / "accounts", yaml_ws / "accounts")
        shutil.copy(ROOT / "qbrgen.yaml", yaml_ws / "qbrgen.yaml")
    else:
        from qbrgen.demo import write_workspace

        yaml_ws = tmp_path / "yaml"
        write_workspace(yaml_ws, 30, seed=11)
    yaml_run = open_run(yaml_ws)
    assert len(yaml_run.accounts) >= 5
    book_ws = tmp_path / "book"
    (book_ws / "accounts").mkdir(parents=True)
    shutil.copy(yaml_ws / "qbrgen.yaml", book_ws / "qbrgen.yaml")
    book = book_ws / "accounts" / "portfolio.xlsx"
    write_workbook([a.account for a in yaml_run.accounts], book)

    book_run = open_run(book_ws)
    assert [str(p) for p in book_run.portfolio.problems.errors] == []
    assert [a.account.id for a in book_run.accounts] == [a.account.id for a in yaml_run.accounts]
    assert [a.account for a in book_run.accounts] == [a.account for a in yaml_run.accounts]
    assert report_json(book_run.report) == report_json(yaml_run.report)
    assert book_run.accounts[0].source == "accounts/portfolio.xlsx:Accounts!A2"

    # The file itself: one sheet per record type, header row, rows per account.
    wb = openpyxl.load_workbook(book, read_only=True)
    assert wb.sheetnames[:3] == ["Accounts", "ARR movements", "ARR snapshots"]
    header = next(wb["Accounts"].iter_rows(values_only=True))
    assert header[:4] == ("Account ID", "Name", "Industry", "Segment")
    ids = [r[0] for r in wb["Accounts"].iter_rows(min_row=2, values_only=True)]
    assert ids == [a.account.id for a in yaml_run.accounts]
    stakeholders = sum(len(a.account.stakeholders) for a in yaml_run.accounts)
    assert len(list(wb["Stakeholders"].iter_rows(min_row=2, values_only=True))) == stakeholders


def _two_accounts(tmp_path: Path) -> tuple[Path, Path]:
    from qbrgen.demo import write_workspace

    source = tmp_path / "src"
    write_workspace(source, 2, seed=3)
    root = _workspace(tmp_path)
    accounts = [a.account for a in _load(source).accounts]
    book = root / "accounts" / "book.xlsx"
    write_workbook(accounts, book)
    return root, book


def test_bad_cells_are_located_and_the_other_accounts_load(tmp_path: Path) -> None:
    root, book = _two_accounts(tmp_path)
    wb = openpyxl.load_workbook(book)
    first_id, second_id = wb["Accounts"]["A2"].value, wb["Accounts"]["A3"].value
    people = wb["Stakeholders"]
    headers = [c.value for c in people[1]]
    sentiment = headers.index("Sentiment") + 1
    row = next(r for r in range(2, people.max_row + 1) if people.cell(r, 1).value == first_id)
    people.cell(row, sentiment).value = "meh"
    people.cell(1, len(headers) + 1).value = "Favourite colour"
    tickets = wb["Tickets"]
    t_row = next(r for r in range(2, tickets.max_row + 1) if tickets.cell(r, 1).value == first_id)
    opened = [c.value for c in tickets[1]].index("Opened") + 1
    tickets.cell(t_row, opened).value = "2026-02-30"
    wins = wb["Wins"]
    wins.append(["no-such-account", "2026-01-01", "A win"])
    wb.save(book)

    portfolio = _load(root)
    messages = _messages(portfolio)
    letter = openpyxl.utils.get_column_letter(sentiment)
    assert any(
        m.startswith(f"accounts/book.xlsx:Stakeholders!{letter}{row}: stakeholders[")
        and m.endswith(".sentiment: expected one of positive, neutral, negative, got 'meh'")
        for m in messages
    ), messages
    o_letter = openpyxl.utils.get_column_letter(opened)
    assert any(
        m.startswith(f"accounts/book.xlsx:Tickets!{o_letter}{t_row}: tickets[")
        and "got '2026-02-30'" in m
        for m in messages
    ), messages
    assert any(
        m.startswith(
            f"accounts/book.xlsx:Wins!A{wins.max_row}: no account 'no-such-account' in sheet Accounts"
        )
        for m in messages
    ), messages
    warning = next(p for p in portfolio.problems.warnings if "Favourite colour" in p.message)
    assert warning.location.cell == f"{openpyxl.utils.get_column_letter(len(headers) + 1)}1"
    # The bad account is left out; the one beside it loads.
    assert [a.account.id for a in portfolio.accounts] == [second_id]


def test_headers_are_matched_forgivingly_and_features_read(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    wb = openpyxl.Workbook()
    accounts = wb.active
    accounts.title = "accounts"
    accounts.append(["Our accounts, Q3"])  # a title line above the table is skipped
    accounts.append(
        [
            "account_id",
            "NAME",
            "industry",
            "Segment",
            "Owner",
            "Contract ARR",
            "start_date",
            "RENEWAL DATE",
            "products",
        ]
    )
    accounts.append(
        [
            "acme",
            "Acme",
            "SaaS",
            "Mid Market",
            "Jo",
            1200.5,
            "2026-01-01",
            "2027-01-01",
            "Core; API",
        ]
    )
    usage = wb.create_sheet("usage_periods")
    usage.append(["Account id", "Period End", "active users", "feature: Reports", "feature:api"])
    usage.append(["acme", "2026-03-31", 40, "55%", 0.2])
    wb.create_sheet("README").append(["notes for people"])
    wb.create_sheet("Pivot").append(["x"])
    wb.save(root / "accounts" / "hand.xlsx")

    portfolio = _load(root)
    assert portfolio.problems.errors == []
    (account,) = [a.account for a in portfolio.accounts]
    assert account.segment == "mid_market"
    assert str(account.contract.arr) == "1200.5"
    assert account.contract.products == ["Core", "API"]
    assert account.usage[0].feature_adoption == {"Reports": 0.55, "api": 0.2}
    assert [str(w) for w in portfolio.problems.warnings] == [
        "accounts/hand.xlsx:Pivot: warning: sheet 'Pivot' is not a record type; ignored "
        "(known sheets: Accounts, ARR movements, ARR snapshots, Renewals, Usage, Tickets, Stakeholders, "
        "Reviews, Surveys, Goals, Milestones, Risks, Opportunities, Actions, Interactions, Wins, Roadmap, "
        "Priorities, Decisions; "
        "name a help sheet README or start it with '_')"
    ]


def test_missing_required_column_is_reported_once(tmp_path: Path) -> None:
    root, book = _two_accounts(tmp_path)
    wb = openpyxl.load_workbook(book)
    wb["Stakeholders"].delete_cols([c.value for c in wb["Stakeholders"][1]].index("Role") + 1)
    wb.save(book)
    portfolio = _load(root)
    errors = [str(p) for p in portfolio.problems.errors]
    assert errors == [
        "accounts/book.xlsx:Stakeholders!1:1: sheet Stakeholders has no 'Role' column (required) (its rows are not read)"
    ]


def test_same_id_in_yaml_and_workbook_names_both_places(tmp_path: Path) -> None:
    root, book = _two_accounts(tmp_path)
    source = tmp_path / "src" / "accounts"
    first = sorted(source.glob("*.yaml"))[0]
    shutil.copy(first, root / "accounts" / first.name)
    portfolio = _load(root)
    duplicate = [str(p) for p in portfolio.problems.errors if "more than once" in p.message]
    assert len(duplicate) == 2
    assert (
        f"accounts/{first.name}:1:1" in duplicate[0]
        and "accounts/book.xlsx:Accounts!A" in duplicate[0]
    )


def test_formula_is_read_as_its_cached_value(tmp_path: Path) -> None:
    root, book = _two_accounts(tmp_path)
    wb = openpyxl.load_workbook(book)
    arr_col = [c.value for c in wb["Accounts"][1]].index("ARR") + 1
    wb["Accounts"].cell(2, arr_col).value = "=100000*2"
    wb.save(book)
    letter = openpyxl.utils.get_column_letter(arr_col)
    _rewrite_part(
        book,
        _sheet_part(book, "Accounts"),
        lambda xml: xml.replace("<f>100000*2</f><v></v>", "<f>100000*2</f><v>200000</v>").replace(
            "<f>100000*2</f><v/>", "<f>100000*2</f><v>200000</v>"
        ),
    )
    assert "<v>200000</v>" in zipfile.ZipFile(book).read(_sheet_part(book, "Accounts")).decode()
    portfolio = _load(root)
    first = next(a for a in portfolio.accounts if a.locate(()).cell == "A2")
    assert first.account.contract.arr == 200000
    assert first.locate(("contract", "arr")).cell == f"{letter}2"


def test_formula_looking_text_is_written_as_text(tmp_path: Path) -> None:
    root, book = _two_accounts(tmp_path)
    accounts = [a.account for a in _load(root).accounts]
    accounts[0].notes = '=HYPERLINK("http://evil.example","click")'
    write_workbook(accounts, book)
    wb = openpyxl.load_workbook(book)
    notes_col = [c.value for c in wb["Accounts"][1]].index("Notes") + 1
    cell = wb["Accounts"].cell(2, notes_col)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    assert _load(root).accounts[0].account.notes == accounts[0].notes


def _only_error(root: Path) -> str:
    portfolio = _load(root)
    (error,) = [str(p) for p in portfolio.problems.errors]
    return error


def test_not_a_workbook_gets_a_clear_error(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    (root / "accounts" / "notes.xlsx").write_text("id,name\nacme,Acme\n")
    assert (
        _only_error(root)
        == "accounts/notes.xlsx: not an Excel workbook (.xlsx): the file is not a zip package"
    )
    (root / "accounts" / "notes.xlsx").write_bytes(
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 512
    )
    assert "old-style .xls or a password-protected workbook" in _only_error(root)
    with zipfile.ZipFile(root / "accounts" / "notes.xlsx", "w") as package:
        package.writestr("word/document.xml", "<w/>")
    assert _only_error(root) == (
        "accounts/notes.xlsx: not an Excel workbook (.xlsx): no xl/workbook.xml in the package "
        "(it looks like a Word or PowerPoint file)"
    )


def test_zip_bomb_is_refused_quickly(tmp_path: Path) -> None:
    root, book = _two_accounts(tmp_path)
    bomb = root / "accounts" / "bomb.xlsx"
    shutil.copy(book, bomb)
    with zipfile.ZipFile(bomb, "a", zipfile.ZIP_DEFLATED) as package:
        package.writestr("xl/media/padding.bin", b"\0" * (30 * 1024 * 1024))
    started = time.perf_counter()
    portfolio = _load(root)
    elapsed = time.perf_counter() - started
    errors = [str(p) for p in portfolio.problems.errors]
    assert len(errors) == 1 and errors[0].startswith(
        "accounts/bomb.xlsx: refused: xl/media/padding.bin unpacks"
    )
    assert "zip bomb" in errors[0]
    assert len(portfolio.accounts) == 2  # the real workbook beside it still loads
    assert elapsed < 30


def test_xml_entity_bomb_is_refused(tmp_path: Path) -> None:
    assert openpyxl.DEFUSEDXML is True  # and defusedxml stays the second line of defence
    root, book = _two_accounts(tmp_path)
    laughs = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
        '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
    )
    part = _sheet_part(book, "Accounts")
    _rewrite_part(book, part, lambda xml: laughs + xml.split("?>", 1)[-1])
    assert _only_error(root) == (
        f"accounts/book.xlsx: refused: {part} declares a DOCTYPE (a DTD), which workbooks saved "
        "by Excel, LibreOffice or Google Sheets never do; open the file in one of them and save "
        "it again as .xlsx"
    )


@pytest.mark.parametrize(
    ("part", "encoding"),
    [("sheet", "utf-8"), ("xl/workbook.xml", "utf-8"), ("[Content_Types].xml", "utf-16")],
)
def test_any_doctype_is_refused_as_documented(tmp_path: Path, part: str, encoding: str) -> None:
    """A DOCTYPE with no entity at all (which defusedxml lets through) is refused too, in any
    XML part, behind a comment, in UTF-8 or UTF-16."""
    root, book = _two_accounts(tmp_path)
    name = _sheet_part(book, "Accounts") if part == "sheet" else part
    with zipfile.ZipFile(book) as source:
        items = [(info.filename, source.read(info.filename)) for info in source.infolist()]
    with zipfile.ZipFile(book, "w", zipfile.ZIP_DEFLATED) as target:
        for filename, data in items:
            if filename == name:
                text = (
                    f'<?xml version="1.0" encoding="{encoding.upper()}"?>\n'
                    "<!-- saved by a tool -->\n<!DOCTYPE any SYSTEM 'x.dtd'>\n" + data.decode()
                )
                data = text.encode(encoding)  # utf-16 writes its byte order mark
            target.writestr(filename, data)
    assert f"refused: {name} declares a DOCTYPE" in _only_error(root)
    assert run_cli("validate", cwd=root).returncode == 1


def test_a_formula_with_no_saved_value_is_reported_at_its_own_cell(tmp_path: Path) -> None:
    root, book = _two_accounts(tmp_path)
    wb = openpyxl.load_workbook(book)
    sheet = wb["Accounts"]
    name_col = [c.value for c in sheet[1]].index("Name") + 1
    sheet.cell(2, name_col).value = '=CONCAT("Acme", " Corp")'  # openpyxl saves no value
    for row in range(10, 40):  # formulas copied down a template's empty rows are not data
        sheet.cell(row, name_col).value = f"=UPPER(A{row})"
    wb.save(book)
    portfolio = _load(root)
    letter = openpyxl.utils.get_column_letter(name_col)
    assert [str(p) for p in portfolio.problems.errors] == [
        f"accounts/book.xlsx:Accounts!{letter}2: Name: this cell holds a formula "
        '(=CONCAT("Acme", " Corp")) with no saved value, and qbrgen reads saved values, never '
        "formulas (open the workbook in Excel or LibreOffice and save it, or type the value)"
    ]
    assert len(portfolio.accounts) == 1  # the other account still loads


def test_template_workbook_has_validations_and_loads(tmp_path: Path) -> None:
    root = _workspace(tmp_path)
    book = root / "accounts" / "team.xlsx"
    result = run_cli("template-workbook", str(book), cwd=root, check=True)
    assert "wrote" in result.stdout
    assert run_cli("template-workbook", str(book), cwd=root).returncode == 2  # no silent overwrite
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames[0] == "README"
    assert wb.sheetnames[1:] == [
        "Accounts",
        "ARR movements",
        "ARR snapshots",
        "Renewals",
        "Usage",
        "Tickets",
        "Stakeholders",
        "Reviews",
        "Surveys",
        "Goals",
        "Milestones",
        "Risks",
        "Opportunities",
        "Actions",
        "Interactions",
        "Wins",
        "Roadmap",
        "Priorities",
        "Decisions",
    ]
    people = wb["Stakeholders"]
    headers = [c.value for c in people[1]]
    assert headers[:4] == ["Account ID", "Name", "Title", "Role"]
    assert people["A2"].value == "example-co"
    lists = {dv.formula1 for dv in people.data_validations.dataValidation if dv.type == "list"}
    assert '"positive,neutral,negative"' in lists
    assert "Accounts!$A$2:$A$5000" in lists  # Account ID: pick from the Accounts sheet
    assert '"executive_sponsor,decision_maker,champion,user,influencer,detractor"' in lists
    dates = [dv for dv in people.data_validations.dataValidation if dv.type == "date"]
    assert dates and "G2:G5000" in str(dates[0].sqref)
    assert people["G2"].number_format == "yyyy-mm-dd"
    assert "Last meeting" in people["G1"].comment.text
    assert wb["Usage"]["E1"].value == "feature:reports"
    checked = run_cli("validate", cwd=root)
    assert checked.returncode == 0, checked.stderr
    assert "1 account ready to build; 0 errors" in checked.stdout
