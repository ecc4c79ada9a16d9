"""Account data from Excel workbooks (.xlsx/.xlsm): one sheet per record type, linked by
account id; also writes workbooks in the same layout (`write_workbook`, `write_template`).

Reading is safe by construction: the zip is checked before it is opened (size, ratio,
structure), openpyxl parses the XML through defusedxml, formulas are read as the values
Excel last cached (never evaluated) and macros are never loaded.
"""

from __future__ import annotations

import datetime as dt
import html
import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from qbrgen.config import LoadedWorkspace
from qbrgen.errors import Location, ProblemList, display_path
from qbrgen.loading import SourcedAccount, register_source, validate_account
from qbrgen.loading._record_types import (
    ACCOUNT_LINK,
    ACCOUNTS,
    GOAL_LINK,
    RECORD_TYPES,
    Column,
    RecordType,
    headers_for,
    is_documentation,
    record_type,
)
from qbrgen.loading._tables import CellReader, Table, header_index
from qbrgen.loading._tabular import account_rows, assemble, feature_names
from qbrgen.models import Account
from qbrgen.output import atomic_write

MAX_UNCOMPRESSED_BYTES = 200 * 1024 * 1024
"""A workbook whose parts unpack to more than this is refused (zip bomb guard)."""
MAX_RATIO = 200
"""A part that unpacks to more than this many times its packed size (and > 10 MB) is refused."""
MAX_PARTS = 10_000

_DATE_FORMAT = "yyyy-mm-dd"
_DATETIME_FORMAT = "yyyy-mm-dd hh:mm"
_MONEY_FORMAT = "#,##0.00"
_FRACTION_FORMAT = "0%"
_BOOL_FORMAT = '"TRUE";"TRUE";"FALSE"'
_FONT = "Calibri"


class WorkbookError(Exception):
    """The file is not a workbook qbrgen can read safely; the message is one line."""


def check_package(path: Path) -> None:
    """Refuse what is not a real .xlsx, or unpacks to something absurd, before openpyxl sees it."""
    try:
        with path.open("rb") as handle:
            magic = handle.read(8)
    except OSError as exc:
        raise WorkbookError(f"cannot read file: {exc.strerror}") from exc
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        raise WorkbookError(
            "this is an old-style .xls or a password-protected workbook; "
            "save it as an unprotected Excel Workbook (.xlsx)"
        )
    if not zipfile.is_zipfile(path):
        raise WorkbookError("not an Excel workbook (.xlsx): the file is not a zip package")
    try:
        with zipfile.ZipFile(path) as package:
            parts = package.infolist()
            names = {p.filename for p in parts}
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise WorkbookError(f"not a readable Excel workbook: {exc}") from exc
    if len(parts) > MAX_PARTS:
        raise WorkbookError(
            f"refused: the package holds {len(parts)} parts (a workbook has dozens)"
        )
    total = sum(p.file_size for p in parts)
    if total > MAX_UNCOMPRESSED_BYTES:
        raise WorkbookError(
            f"refused: the workbook unpacks to {total // (1024 * 1024)} MB "
            f"(limit {MAX_UNCOMPRESSED_BYTES // (1024 * 1024)} MB); is it a zip bomb?"
        )
    for part in parts:
        if part.file_size > 10 * 1024 * 1024 and part.file_size > MAX_RATIO * max(
            part.compress_size, 1
        ):
            raise WorkbookError(
                f"refused: {part.filename} unpacks {part.file_size // max(part.compress_size, 1)}x "
                "its packed size; is it a zip bomb?"
            )
    _refuse_doctype(path, [p.filename for p in parts if p.filename.endswith((".xml", ".rels"))])
    if "xl/workbook.xml" not in names:
        hint = (
            " (it looks like a Word or PowerPoint file)"
            if {"word/document.xml", "ppt/presentation.xml"} & names
            else ""
        )
        raise WorkbookError(
            f"not an Excel workbook (.xlsx): no xl/workbook.xml in the package{hint}"
        )


MAX_PROLOG_BYTES = 1024 * 1024
"""How far into an XML part its root element must start (the prolog is a line or two)."""
_ELEMENT_START = re.compile(r"<[A-Za-z_]")


def _refuse_doctype(path: Path, xml_parts: list[str]) -> None:
    """Refuse a workbook whose XML declares a DOCTYPE: Excel, LibreOffice and Google Sheets
    never write one, and a DTD is how entity bombs and external entities get in."""
    with zipfile.ZipFile(path) as package:
        for name in xml_parts:
            head = b""
            with package.open(name) as part:
                while len(head) < MAX_PROLOG_BYTES:
                    chunk = part.read(64 * 1024)
                    if not chunk:
                        break
                    head += chunk
                    text = _decode_head(head)
                    if _ELEMENT_START.search(text):
                        break
            text = _decode_head(head)
            start = _ELEMENT_START.search(text)
            prolog = text[: start.start()] if start else text
            if "<!doctype" in prolog.casefold():
                raise WorkbookError(
                    f"refused: {name} declares a DOCTYPE (a DTD), which workbooks saved by "
                    "Excel, LibreOffice or Google Sheets never do; open the file in one of "
                    "them and save it again as .xlsx"
                )
            if start is None and len(head) >= MAX_PROLOG_BYTES:
                raise WorkbookError(f"refused: {name} has no XML element in its first megabyte")


def _decode_head(head: bytes) -> str:
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return head.decode("utf-16", errors="replace")
    return head.decode("utf-8", errors="replace")


_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.S)
_HAS_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
_REF = re.compile(rb'\br="([A-Z]{1,3})([0-9]+)"')
_FORMULA_TEXT = re.compile(rb"<(?:\w+:)?f\b[^>]*>(.*?)</(?:\w+:)?f>", re.S)


def formula_cells(path: Path) -> dict[str, dict[tuple[int, int], str]]:
    """Formula cells of each sheet: title -> {(row, 0-based column): formula text}. The text
    is '' for a cell that shares a formula written elsewhere. (openpyxl reads either the
    formula or its saved value; qbrgen reads values and needs to know which cells were
    formulas to explain an empty one.)"""
    from defusedxml import ElementTree
    from openpyxl.utils import column_index_from_string

    found: dict[str, dict[tuple[int, int], str]] = {}
    with zipfile.ZipFile(path) as package:
        try:
            book = ElementTree.fromstring(package.read("xl/workbook.xml"))
            rels = ElementTree.fromstring(package.read("xl/_rels/workbook.xml.rels"))
        except (KeyError, ElementTree.ParseError):
            return found
        targets = {r.get("Id"): r.get("Target", "") for r in rels}
        names = set(package.namelist())
        for sheet in book.iter():
            if not sheet.tag.endswith("}sheet"):
                continue
            rid = next((v for k, v in sheet.attrib.items() if k.endswith("}id")), None)
            target = targets.get(rid, "")
            part = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
            if part not in names:
                continue
            data = package.read(part)
            if not _HAS_FORMULA.search(data):
                continue
            cells: dict[tuple[int, int], str] = {}
            for match in _CELL.finditer(data):
                body = match.group(2) or b""
                ref = _REF.search(match.group(1))
                if ref is None or not _HAS_FORMULA.search(body):
                    continue
                text = _FORMULA_TEXT.search(body)
                formula = html.unescape(text.group(1).decode("utf-8", "replace")) if text else ""
                column = column_index_from_string(ref.group(1).decode()) - 1
                cells[(int(ref.group(2)), column)] = formula
            found[sheet.get("name", "")] = cells
    return found


def _report_formulas(
    formulas: dict[tuple[int, int], str],
    rows: list[tuple[int, tuple[object, ...]]],
    header_at: int,
    where: Any,
    problems: ProblemList,
) -> set[int]:
    """Report each formula cell whose value was never saved, at its own cell; returns their
    rows (the accounts they belong to are left out, like any account with a bad cell)."""
    headers = rows[header_at][1]
    unknown: set[int] = set()
    for row, cells in rows[header_at + 1 :]:
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue  # formulas copied down an empty template row
        for column, value in enumerate(cells):
            formula = formulas.get((row, column))
            if formula is None or value is not None:
                continue
            header = headers[column] if column < len(headers) else None
            shown = f"={formula[:60]}" if formula else "a shared formula"
            problems.add(
                where(row, column),
                f"this cell holds a formula ({shown}) with no saved value, and qbrgen reads "
                "saved values, never formulas",
                str(header).strip() if header is not None else "",
                hint="open the workbook in Excel or LibreOffice and save it, or type the value",
            )
            unknown.add(row)
    return unknown


def _letter(index: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(index + 1)


def read_workbook(
    path: Path, workspace: LoadedWorkspace, problems: ProblemList
) -> list[SourcedAccount]:
    """Every account in the workbook; each problem located at its sheet and cell."""
    label = display_path(path, workspace.root)
    try:
        tables = _read_tables(path, label, problems)
    except WorkbookError as exc:
        problems.add(Location(label), str(exc))
        return []
    reader = CellReader()

    def validate(data: dict[str, Any], locate: Any) -> Account | None:
        return validate_account(data, label, locate, problems)

    found = assemble(tables, label, reader, problems, validate, Location(label))
    return [SourcedAccount(account, str(slot.locate(())), slot.locate) for account, slot in found]


def _read_tables(path: Path, label: str, problems: ProblemList) -> list[Table]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    check_package(path)
    try:
        book = openpyxl.load_workbook(
            path, read_only=True, data_only=True, keep_vba=False, keep_links=False
        )
    except (
        InvalidFileException,
        zipfile.BadZipFile,
        KeyError,
        ValueError,
        TypeError,
        SyntaxError,
        OSError,
    ) as exc:
        # defusedxml's refusals are ValueErrors; malformed XML is a SyntaxError (ParseError).
        raise WorkbookError(f"not a readable Excel workbook: {_one_line(exc)}") from exc
    tables: list[Table] = []
    formulas = formula_cells(path)
    try:
        for sheet in book.worksheets:
            title = sheet.title
            if is_documentation(title):
                continue
            rtype = record_type(title)
            if rtype is None:
                known = ", ".join(rt.sheet for rt in RECORD_TYPES)
                problems.warn(
                    Location(label, sheet=title),
                    f"sheet '{title}' is not a record type; ignored",
                    hint=f"known sheets: {known}; name a help sheet README or start it with '_'",
                )
                continue
            if rtype is ACCOUNTS and any(t.rtype is ACCOUNTS for t in tables):
                problems.warn(Location(label, sheet=title), "a second Accounts sheet; ignored")
                continue
            # The stored <dimension> may be wrong (other writers) or absurdly large: ignore it.
            sheet.reset_dimensions()
            try:
                rows = list(enumerate(sheet.iter_rows(values_only=True), start=1))
            except (
                KeyError,
                ValueError,
                TypeError,
                SyntaxError,
                OSError,
                zipfile.BadZipFile,
            ) as exc:
                raise WorkbookError(f"sheet '{title}' is not readable: {_one_line(exc)}") from exc
            header_at = header_index(rows)
            if header_at is None:
                continue

            def where(row: int, column: int | None, title: str = title) -> Location:
                cell = f"{row}:{row}" if column is None else f"{_letter(column)}{row}"
                return Location(label, sheet=title, cell=cell)

            tables.append(
                Table(
                    rtype=rtype,
                    name=f"sheet {title}",
                    header_row=rows[header_at][0],
                    headers=rows[header_at][1],
                    rows=rows[header_at + 1 :],
                    where=where,
                    unknown_rows=_report_formulas(
                        formulas.get(title, {}), rows, header_at, where, problems
                    ),
                )
            )
    finally:
        book.close()
    return tables


def _one_line(exc: BaseException) -> str:
    """The root cause in one line (openpyxl wraps the parser's error in a generic one)."""
    from defusedxml import DefusedXmlException

    chain = [exc]
    while chain[-1].__cause__ or chain[-1].__context__:
        chain.append(chain[-1].__cause__ or chain[-1].__context__)  # type: ignore[arg-type]
    if any(isinstance(e, DefusedXmlException) for e in chain):
        return "its XML declares entities or a DTD (an XML bomb?); refused"
    root = chain[-1]
    text = str(root).strip().splitlines()
    return text[0] if text else type(root).__name__


register_source(".xlsx", read_workbook)
register_source(".xlsm", read_workbook)


# ---------------------------------------------------------------------------------------------
# Writing


def write_workbook(accounts: Iterable[Account], path: Path) -> Path:
    """Write `accounts` to a workbook in the layout `read_workbook` reads (every sheet, header
    row, one row per record). Text that looks like a formula is stored as text."""
    accounts = list(accounts)
    _write(path, accounts, template=False)
    return path


def write_template(path: Path) -> Path:
    """The empty workbook a team starts from: every sheet with its header row, drop-downs for
    choices, date formats, header comments explaining each column, and one example account."""
    _write(path, [example_account()], template=True)
    return path


def example_account() -> Account:
    """One small account that fills a row on every sheet of the template."""
    today = dt.date(2026, 1, 1)
    return Account.model_validate(
        {
            "id": "example-co",
            "name": "Example Co (delete this row)",
            "industry": "SaaS",
            "segment": "mid_market",
            "region": "EMEA",
            "owner": "Your Name",
            "updated": today,
            "contract": {
                "arr": "120000",
                "start_date": today,
                "renewal_date": dt.date(2026, 12, 31),
                "products": ["Core", "Analytics"],
                "tier": "Business",
                "licensed_seats": 100,
                "term_months": 12,
                "auto_renew": False,
            },
            "arr_movements": [
                {"date": today, "type": "new", "amount": "120000", "note": "first contract"}
            ],
            "renewals": [
                {
                    "due_date": dt.date(2025, 12, 31),
                    "outcome": "renewed",
                    "arr_before": "100000",
                    "arr_after": "120000",
                    "discount": 0.05,
                }
            ],
            "usage": [
                {
                    "period_end": dt.date(2026, 3, 31),
                    "active_users": 72,
                    "licensed_seats": 100,
                    "feature_adoption": {"reports": 0.6, "api": 0.25},
                }
            ],
            "tickets": [
                {
                    "id": "T-1001",
                    "subject": "SSO login loop",
                    "severity": "high",
                    "opened": dt.date(2026, 2, 3),
                    "resolved": dt.date(2026, 2, 9),
                    "escalation": True,
                }
            ],
            "stakeholders": [
                {
                    "name": "Dana Smith",
                    "title": "COO",
                    "role": "executive_sponsor",
                    "influence": "high",
                    "sentiment": "positive",
                    "last_contact": dt.date(2026, 3, 10),
                    "executive_sponsor": True,
                },
                {
                    "name": "Lee Park",
                    "title": "Ops manager",
                    "role": "champion",
                    "sentiment": "positive",
                    "last_contact": dt.date(2026, 3, 20),
                    "reports_to": "Dana Smith",
                },
            ],
            "reviews": [
                {
                    "date": dt.date(2026, 3, 15),
                    "kind": "qbr",
                    "attendees": ["Dana Smith", "Lee Park"],
                    "notes": "Agreed rollout plan",
                }
            ],
            "surveys": [
                {"date": dt.date(2026, 3, 1), "kind": "nps", "score": 9, "respondent": "Lee Park"}
            ],
            "goals": [
                {
                    "title": "Cut report preparation time",
                    "metric": "hours per week",
                    "target": "-50%",
                    "target_date": dt.date(2026, 9, 30),
                    "status": "on_track",
                    "milestones": [
                        {"title": "All teams on shared dashboards", "due": dt.date(2026, 6, 30)}
                    ],
                }
            ],
            "risks": [
                {
                    "title": "Champion may change roles",
                    "severity": "medium",
                    "owner": "Your Name",
                    "opened": dt.date(2026, 3, 1),
                    "mitigation": "Second champion in finance",
                    "last_reviewed": dt.date(2026, 3, 20),
                }
            ],
            "opportunities": [
                {
                    "title": "Analytics for finance team",
                    "type": "cross_sell",
                    "value": "24000",
                    "stage": "qualified",
                    "close_date": dt.date(2026, 6, 30),
                }
            ],
            "actions": [
                {
                    "title": "Send rollout plan",
                    "owner": "Lee Park",
                    "side": "customer",
                    "due": dt.date(2026, 4, 15),
                }
            ],
            "interactions": [
                {
                    "date": dt.datetime(2026, 3, 20, 9, 30),
                    "kind": "request",
                    "stakeholder": "Lee Park",
                    "first_reply": dt.datetime(2026, 3, 20, 11, 0),
                    "summary": "Asked for API limits",
                }
            ],
            "wins": [
                {
                    "date": dt.date(2026, 3, 1),
                    "title": "Month-end close two days faster",
                    "impact": "2 days saved per month",
                }
            ],
            "roadmap": [
                {
                    "title": "Scheduled exports",
                    "quarter": "2026-Q3",
                    "relevance": "Replaces their manual export",
                }
            ],
        }
    )


def _write(path: Path, accounts: Sequence[Account], template: bool) -> None:
    import openpyxl

    features = feature_names(accounts)
    rows_by_type: dict[str, list[list[object]]] = {rt.key: [] for rt in RECORD_TYPES}
    for account in accounts:
        for key, rows in account_rows(account, features).items():
            rows_by_type[key].extend(rows)
    # Not write-only: only normal mode stores each sheet's <dimension> up front, which lets a
    # read-only reader skip a full pre-scan of every sheet (as with files saved by Excel).
    book = openpyxl.Workbook()
    book.remove(book.active)
    if template:
        _readme(book.create_sheet("README"))
    for rtype in RECORD_TYPES:
        sheet = book.create_sheet(rtype.sheet)
        headers = headers_for(rtype, features)
        if template:
            _template_sheet(sheet, rtype, headers, rows_by_type[rtype.key])
        else:
            _data_sheet(sheet, rtype, headers, rows_by_type[rtype.key])
    buffer = io.BytesIO()
    book.save(buffer)
    atomic_write(path, buffer.getvalue())


def _kinds(rtype: RecordType, width: int) -> list[Column]:
    feature = Column("feature", "feature", "float")
    return [*rtype.columns, *[feature] * (width - len(rtype.columns))]


def _number_format(column: Column) -> str | None:
    if column.kind == "date":
        return _DATE_FORMAT
    if column.kind == "datetime":
        return _DATETIME_FORMAT
    if column.kind == "decimal":
        return _MONEY_FORMAT
    if column.kind == "float":
        return _FRACTION_FORMAT
    if column.kind == "bool":
        return _BOOL_FORMAT
    return None


def _widths(sheet: Any, headers: list[str], rows: list[list[object]]) -> None:
    for index, header in enumerate(headers):
        longest = max([len(str(r[index])) for r in rows[:200] if r[index] is not None] or [0])
        sheet.column_dimensions[_letter(index)].width = max(
            10, min(45, max(len(header), longest) + 3)
        )


def _write_rows(sheet: Any, rows: list[list[Any]], formats: list[str | None] | None = None) -> None:
    """Data rows from row 2 on; text is stored as text ('=...' is account text, never a
    formula), other values get their column's number format when one is given."""
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            value = _excel_value(value)
            if value is None:
                continue
            cell = sheet.cell(row=r, column=c, value=value)
            if isinstance(value, str):
                cell.data_type = "s"
            elif formats is not None and formats[c - 1] is not None:
                cell.number_format = formats[c - 1]


def _excel_value(value: object) -> object:
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.isoformat()  # Excel has no time zones: keep the offset as text
    return value


def _data_sheet(
    sheet: Any, rtype: RecordType, headers: list[str], rows: list[list[object]]
) -> None:
    from openpyxl.styles import Font

    sheet.freeze_panes = "A2"
    sheet.append(headers)
    for cell in sheet[1]:
        cell.font = Font(name=_FONT, bold=True)
    formats = [_number_format(c) for c in _kinds(rtype, len(headers))]
    _write_rows(sheet, rows, formats)
    _widths(sheet, headers, rows)


def _readme(sheet: Any) -> None:
    from openpyxl.styles import Font

    lines = [
        ("qbrgen account workbook", True),
        ("", False),
        (
            "One row per account on the Accounts sheet; every other sheet links its rows to an account",
            False,
        ),
        (
            "through the 'Account ID' column. Usage feature adoption goes in 'feature:<name>' columns",
            False,
        ),
        (
            "(add as many as you need; 0-1 or a percentage). Milestones name their goal by its title.",
            False,
        ),
        ("Lists in one cell (products, attendees) are separated by ';'.", False),
        ("Revenue history: use ARR movements or ARR snapshots for an account, not both.", False),
        (
            "Header names are matched ignoring case, spaces and underscores; unknown columns are",
            False,
        ),
        ("reported as warnings. Hover a header for what the column means.", False),
        ("", False),
        ("Delete the example rows (account 'example-co') before adding your own accounts.", True),
        ("Check the file with: qbrgen validate accounts/<this workbook>.xlsx", False),
    ]
    for text, bold in lines:
        sheet.append([text])
        sheet.cell(row=sheet.max_row, column=1).font = Font(
            name=_FONT, bold=bold, size=14 if text.startswith("qbrgen") else 11
        )
    sheet.column_dimensions["A"].width = 100


def _template_sheet(
    sheet: Any, rtype: RecordType, headers: list[str], rows: list[list[object]]
) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    sheet.freeze_panes = "A2"
    fill = PatternFill("solid", fgColor="DCE6F1")
    columns = _kinds(rtype, len(headers))
    for index, (header, column) in enumerate(zip(headers, columns, strict=True), start=1):
        cell = sheet.cell(row=1, column=index, value=header)
        cell.font = Font(name=_FONT, bold=column.required)
        cell.fill = fill
        note = column.description or "Share of active users using this feature (0-1 or %)."
        if column.required:
            note += " Required."
        cell.comment = Comment(note, "qbrgen")
        letter = _letter(index - 1)
        span = f"{letter}2:{letter}5000"
        validation = _validation(column, DataValidation)
        if validation is not None:
            sheet.add_data_validation(validation)
            validation.add(span)
        fmt = _number_format(column)
        if fmt is not None:
            for line in range(2, 202):  # enough for a start; Excel copies formats down as you type
                sheet.cell(row=line, column=index).number_format = fmt
    _write_rows(sheet, rows)
    _widths(sheet, headers, rows)


def _validation(column: Column, factory: Any) -> Any:
    if column.field == ACCOUNT_LINK:  # pick an id from the Accounts sheet
        return factory(
            type="list",
            formula1="Accounts!$A$2:$A$5000",
            allow_blank=False,
            showErrorMessage=True,
            errorStyle="warning",
            error="Not an Account ID on the Accounts sheet",
        )
    if column.field == GOAL_LINK:
        return factory(
            type="list",
            formula1="Goals!$B$2:$B$5000",
            showErrorMessage=True,
            errorStyle="warning",
            error="Not a goal title on the Goals sheet",
        )
    if column.kind == "literal":
        return factory(
            type="list",
            formula1='"' + ",".join(column.choices) + '"',
            allow_blank=not column.required,
            showErrorMessage=True,
            errorTitle=column.header,
            error=f"Choose one of: {', '.join(column.choices)}",
        )
    if column.kind == "bool":
        return factory(type="list", formula1='"TRUE,FALSE"', allow_blank=True)
    if column.kind in ("date", "datetime"):
        return factory(
            type="date",
            operator="greaterThan",
            formula1="DATE(1990,1,1)",
            allow_blank=not column.required,
            showErrorMessage=True,
            error="Enter a date (YYYY-MM-DD)",
        )
    if column.kind == "float":
        return factory(
            type="decimal",
            operator="between",
            formula1="0",
            formula2="1",
            allow_blank=True,
            showErrorMessage=True,
            error="Enter a share between 0 and 1 (or 0%-100%)",
        )
    if column.kind in ("int", "decimal"):
        return factory(
            type="decimal" if column.kind == "decimal" else "whole",
            operator="greaterThanOrEqual",
            formula1="0",
            allow_blank=not column.required,
            showErrorMessage=True,
            error="Enter a number ≥ 0",
        )
    return None
