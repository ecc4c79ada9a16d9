"""Hiring kits: a job description (Markdown + PDF), an interview guide (PDF), a 30-60-90 day
onboarding plan (PDF) and an onboarding tracker (XLSX) for one seniority × industry.

plan() loads the content library from the theme (located errors for bad content files),
selects each kit's items and, with `portfolio`, picks real accounts from the KPI report
(healthy bands first, smallest ARR first). render() turns one kit into its five files.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from qbrgen.kits import (
    KitAccount,
    KitContent,
    all_kits,
    check_date,
    due_date,
    load_library,
    parse_kit_name,
    select_kit,
)
from qbrgen.kits.library import Library
from qbrgen.kits.models import OWNERS, PHASES, PILLARS
from qbrgen.render import Job, RenderEnv, Renderer, Selection, register
from qbrgen.render._zip import normalise_zip

if TYPE_CHECKING:
    from qbrgen.run import Run

FILES = {
    "job_md": "job-description.md",
    "job_pdf": "job-description.pdf",
    "guide": "interview-guide.pdf",
    "plan": "onboarding-plan.pdf",
    "tracker": "onboarding-tracker.xlsx",
}
"""The files of one kit, under output/kits/<seniority>-<industry>/."""

TEMPLATES = [
    "kits/job-description.md.j2",
    "kits/job-description.html",
    "kits/interview-guide.html",
    "kits/onboarding-plan.html",
    "kits/_macros.html",
    "kits/kit.css",
    "base/layout.html",
    "base/print.css",
]
"""Theme files the kits use besides the content files (all overridable from the workspace)."""

STATUSES = ("Not started", "In progress", "Done", "Blocked")
"""Values of the tracker's Status drop-down."""

CHECK_RESULTS = ("On track", "Needs support", "Not on track")
"""Outcomes of the day 30/60/90 checks."""

SCALE = {
    1: "No evidence: could not give an example, or the example shows the opposite.",
    2: "Partial: an example with gaps in what they noticed, did or followed through.",
    3: "Solid: a specific example with clear actions, owners and a result.",
    4: "Exceptional: as 3, and they changed how the team works because of it.",
}
"""The 1-4 scale every rubric uses."""

WIDTHS = (7, 11, 12, 10, 46, 40, 28, 13, 12, 30)
"""Column widths of the tracker's milestone sheet, in characters."""

ACCOUNT_BANDS = ("green", "yellow")
"""Health bands of accounts a new hire may shadow or take over."""


# --- plan ------------------------------------------------------------------------------------


def first_monday(day: dt.date) -> dt.date:
    """`day` if it is a Monday, else the next Monday."""
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def kit_accounts(run: Run) -> list[KitAccount]:
    """Active accounts in a green or yellow health band, smallest ARR first (from the report)."""
    found: list[KitAccount] = []
    for item in run.accounts:
        account = item.account
        kpis = run.report.accounts.get(account.id)
        if kpis is None or kpis.get("status") != "active" or kpis.health.band not in ACCOUNT_BANDS:
            continue
        found.append(
            KitAccount(
                id=account.id,
                name=account.name,
                owner=account.owner,
                arr=float(kpis.get("arr") or Decimal(0)),
                band=str(kpis.health.band),
                renewal_date=account.contract.renewal_date,
            )
        )
    return sorted(found, key=lambda a: (a.arr, a.name))


def _wanted(library: Library, run: Run, options: dict[str, Any]) -> list[tuple[str, str]]:
    if options.get("all"):
        return list(all_kits(library))
    names = options.get("kits") or run.workspace.config.kits.build
    pairs: list[tuple[str, str]] = []
    for name in names:
        pair = parse_kit_name(name, library)
        if pair not in pairs:
            pairs.append(pair)
    return pairs


def plan(run: Run, selection: Selection) -> list[Job]:
    """One Job per kit: `selection.options` may set kits (names), all, start, portfolio."""
    options = selection.options
    if options.get("subset"):
        return []  # `qbrgen build --accounts ...` asks for account documents only
    config = run.workspace.config.kits
    library = load_library(run.theme)
    start: dt.date = options.get("start") or config.start or first_monday(run.report.as_of)
    use_portfolio = bool(options.get("portfolio", config.portfolio))
    accounts = kit_accounts(run) if use_portfolio else []
    templates = [*library.files, *TEMPLATES]
    jobs = []
    for seniority, industry in _wanted(library, run, options):
        kit = select_kit(library, seniority, industry)
        kit.shadow = accounts[: kit.level.shadow_accounts]
        kit.own = accounts[: kit.level.own_accounts]
        digest = hashlib.sha256()
        for part in (
            kit.name,
            start.isoformat(),
            str(use_portfolio),
            run.workspace.config.model_dump_json(),
            run.theme.digest(templates),
            run.version,
            *(f"{a.id}:{a.arr}:{a.band}:{a.owner}:{a.renewal_date}" for a in kit.shadow + kit.own),
        ):
            digest.update(part.encode())
        inputs_hash = digest.hexdigest()[:12]
        jobs.append(
            Job(
                kind="kit",
                key=kit.name,
                outputs=[f"kits/{kit.name}/{name}" for name in FILES.values()],
                payload={
                    "kit": kit,
                    "start": start,
                    "portfolio": use_portfolio,
                    "interviewers": list(config.interviewers),
                    "inputs_hash": inputs_hash,
                },
                inputs={
                    "kit": inputs_hash,
                    "config": run.workspace.config.model_dump_json(),
                    "version": run.version,
                },
                templates=templates,
            )
        )
    return jobs


# --- context ---------------------------------------------------------------------------------


@dataclass
class MilestoneRow:
    """A milestone with its dates and the accounts it names, as documents show it."""

    id: str
    week: int
    phase: str
    due: dt.date
    owner: str
    title: str
    done_when: str
    accounts: list[str]


def company_name(kit: KitContent, env: RenderEnv) -> str:
    return kit.company.name or env.config.company.name


def _account_names(kit: KitContent, which: str | None) -> list[str]:
    if which is None:
        return []
    chosen = kit.shadow if which == "shadow" else kit.own
    if chosen:
        return [a.name for a in chosen]
    count = kit.level.shadow_accounts if which == "shadow" else kit.level.own_accounts
    return [f"{count} accounts chosen by the manager (see the accounts table)"]


def milestone_rows(kit: KitContent, start: dt.date) -> list[MilestoneRow]:
    """Every milestone of the kit in week order, with its due date from `start`."""
    return [
        MilestoneRow(
            id=m.id,
            week=m.week,
            phase=phase,
            due=due_date(start, m.week),
            owner=m.owner,
            title=m.title,
            done_when=m.done_when,
            accounts=_account_names(kit, m.accounts),
        )
        for phase, items in kit.milestones.items()
        for m in items
    ]


def panel(kit: KitContent, interviewers: list[str]) -> list[dict[str, Any]]:
    """Competencies shared out between the interviewers in interview order, each going to the
    interviewer with the fewest questions so far (earlier interviewers win ties)."""
    sheets: list[dict[str, Any]] = [
        {"interviewer": name, "competencies": [], "questions": 0} for name in interviewers
    ]
    for competency, questions in kit.interview:
        sheet = min(sheets, key=lambda s: s["questions"])
        sheet["competencies"].append((competency, questions))
        sheet["questions"] += len(questions)
    return [sheet for sheet in sheets if sheet["competencies"]]


def kit_context(job: Job, env: RenderEnv) -> dict[str, Any]:
    """The variables every kit template sees."""
    kit: KitContent = job.payload["kit"]
    start: dt.date = job.payload["start"]
    rows = milestone_rows(kit, start)
    numbers = {q.id: n for n, q in enumerate(kit.questions(), start=1)}
    return {
        "kit": kit,
        "level": kit.level,
        "industry": kit.industry,
        "company": kit.company,
        "company_name": company_name(kit, env),
        "pillars": PILLARS,
        "phases": [
            {
                "id": phase,
                "title": title,
                "first": start + dt.timedelta(days=30 * i),
                "last": start + dt.timedelta(days=30 * i + 29),
                "rows": [r for r in rows if r.phase == phase],
            }
            for i, (phase, title) in enumerate(PHASES.items())
        ],
        "milestones": rows,
        "checks": [
            {"day": day, "date": check_date(start, day), "items": items}
            for day, items in kit.checks.items()
        ],
        "start": start,
        "end": check_date(start, 90),
        "portfolio": job.payload["portfolio"],
        "shadow": kit.shadow,
        "own": kit.own,
        "scale": SCALE,
        "numbers": numbers,
        "panel": panel(kit, job.payload["interviewers"]),
        "interviewers": job.payload["interviewers"],
        "owners": OWNERS,
        "check_results": CHECK_RESULTS,
    }


# --- Markdown --------------------------------------------------------------------------------

_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|])")
_MD_LINE_START = re.compile(r"^(\s*)(?:([#+>=-])|(\d+)([.)]))")


def md_text(value: Any) -> str:
    """Text safe inside a Markdown paragraph or bullet: one line, markup characters escaped,
    so company text can never add HTML tags, headings or links to the job description."""
    text = " ".join(str(value).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LINE_START.sub(_escape_line_start, text)


def _escape_line_start(match: re.Match[str]) -> str:
    if match.group(2):
        return match.group(1) + "\\" + match.group(2)
    return match.group(1) + match.group(3) + "\\" + match.group(4)


def tidy_markdown(text: str) -> str:
    """No trailing spaces, at most one blank line in a row, a blank line around headings,
    one final newline."""
    lines = [line.rstrip() for line in text.splitlines()]
    out: list[str] = []
    for line in lines:
        if line.startswith("#") and out and out[-1] != "":
            out.append("")
        if out and out[-1].startswith("#") and line != "":
            out.append("")
        if line == "" and (not out or out[-1] == ""):
            continue
        out.append(line)
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out) + "\n"


def job_description_markdown(job: Job, env: RenderEnv, context: dict[str, Any]) -> str:
    """The job description as clean Markdown (for pasting into an applicant tracking system)."""
    text = env.theme.render("kits/job-description.md.j2", {**context, "md": md_text}, env.formatter)
    return tidy_markdown(text)


# --- XLSX tracker ----------------------------------------------------------------------------


def tracker_xlsx(context: dict[str, Any], env: RenderEnv) -> bytes:
    """The onboarding tracker: milestones with due dates, status and owner drop-downs, the
    day 30/60/90 checks and (with --portfolio) the accounts."""
    from openpyxl import Workbook
    from openpyxl.formatting.rule import FormulaRule
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet.datavalidation import DataValidation

    from qbrgen.render._xlsx import write_cell, write_row

    date_format = env.formatter.excel_date()
    colours = env.config.branding.colours
    kit: KitContent = context["kit"]
    header_fill = PatternFill("solid", fgColor=colours.primary.lstrip("#"))
    header_font = Font(bold=True, color="FFFFFF")
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")

    wb = Workbook()
    ws = wb.active
    ws.title = "Milestones"
    title = f"30-60-90 onboarding tracker: {kit.level.title}, {kit.industry.name}"
    write_cell(ws, 1, 1, title).font = Font(bold=True, size=14, color=colours.primary.lstrip("#"))
    labels = [("Company", context["company_name"]), ("Start date", context["start"])]
    labels += [("New hire", None), ("Manager", None), ("Buddy", None)]
    for row, (label, value) in enumerate(labels, start=2):
        write_cell(ws, row, 1, label).font = Font(bold=True)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        cell = write_cell(ws, row, 3, value, date_format if isinstance(value, dt.date) else None)
        cell.alignment = Alignment(horizontal="left")
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=5)
    note = "Due dates count from the start date (day 5 of each week); rebuild with --start to move them."
    write_cell(ws, 7, 1, note).font = Font(italic=True, color=colours.muted.lstrip("#"))

    headers = [
        "Week",
        "Phase",
        "Due",
        "Owner",
        "Milestone",
        "Done when",
        "Accounts",
        "Status",
        "Completed",
        "Notes",
    ]
    first = 9
    for cell in write_row(ws, first, headers):
        cell.fill, cell.font, cell.alignment = (
            header_fill,
            header_font,
            Alignment(vertical="center"),
        )
    phase_names = {p["id"]: p["title"].split(":")[0] for p in context["phases"]}
    rows: list[MilestoneRow] = context["milestones"]
    for offset, m in enumerate(rows, start=1):
        r = first + offset
        values = [
            m.week,
            phase_names[m.phase],
            m.due,
            m.owner,
            m.title,
            m.done_when,
            "; ".join(m.accounts),
            STATUSES[0],
            None,
            None,
        ]
        formats = [None, None, date_format, None, None, None, None, None, date_format, None]
        for cell in write_row(ws, r, values, formats):
            cell.alignment = wrap if cell.column in (5, 6, 7, 10) else top
        # Spreadsheet apps do not grow rows for wrapped text on open: set the height.
        lines = max(math.ceil(len(str(values[i] or "")) / (WIDTHS[i] - 3)) for i in (4, 5, 6))
        ws.row_dimensions[r].height = 15 * max(1, lines) + 2
    last = first + len(rows)
    widths = {get_column_letter(i + 1): width for i, width in enumerate(WIDTHS)}
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(row=first + 1, column=1)
    ws.auto_filter.ref = f"A{first}:J{last}"

    status = DataValidation(type="list", formula1='"' + ",".join(STATUSES) + '"', allow_blank=True)
    status.error, status.errorTitle = "Pick a status from the list.", "Status"
    status.prompt, status.promptTitle = "Not started, In progress, Done or Blocked", "Status"
    owner = DataValidation(type="list", formula1='"' + ",".join(OWNERS) + '"', allow_blank=False)
    owner.error, owner.errorTitle = "The owner is the hire, the manager or the buddy.", "Owner"
    done = DataValidation(
        type="date",
        operator="greaterThanOrEqual",
        formula1=f"DATE({context['start'].year},{context['start'].month},{context['start'].day})",
        allow_blank=True,
    )
    done.error, done.errorTitle = "A date on or after the start date.", "Completed"
    for validation, column in ((status, "H"), (owner, "D"), (done, "I")):
        validation.showErrorMessage = True
        validation.add(f"{column}{first + 1}:{column}{last}")
        ws.add_data_validation(validation)
    green = PatternFill("solid", fgColor="E3F1E8")
    red = PatternFill("solid", fgColor="FCE4E1")
    grey = PatternFill("solid", fgColor="EEEEEE")
    span = f"A{first + 1}:J{last}"
    ws.conditional_formatting.add(
        span, FormulaRule(formula=[f'$H{first + 1}="Done"'], fill=green, stopIfTrue=True)
    )
    ws.conditional_formatting.add(
        span, FormulaRule(formula=[f'$H{first + 1}="Blocked"'], fill=grey, stopIfTrue=True)
    )
    ws.conditional_formatting.add(
        span, FormulaRule(formula=[f'AND($H{first + 1}<>"Done",$C{first + 1}<TODAY())'], fill=red)
    )
    ws.print_title_rows = f"{first}:{first}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    checks = wb.create_sheet("Checks")
    for cell in write_row(checks, 1, ["Day", "Date", "Check", "Result", "Evidence"]):
        cell.fill, cell.font = header_fill, header_font
    r = 1
    for block in context["checks"]:
        for item in block["items"]:
            r += 1
            cells = write_row(
                checks, r, [block["day"], block["date"], item.text, None, None], [None, date_format]
            )
            for cell in cells:
                cell.alignment = wrap if cell.column in (3, 5) else top
    result = DataValidation(
        type="list", formula1='"' + ",".join(CHECK_RESULTS) + '"', allow_blank=True
    )
    result.error, result.errorTitle, result.showErrorMessage = (
        "Pick a result from the list.",
        "Result",
        True,
    )
    result.add(f"D2:D{max(r, 2)}")
    checks.add_data_validation(result)
    for letter, width in {"A": 6, "B": 12, "C": 60, "D": 15, "E": 40}.items():
        checks.column_dimensions[letter].width = width
    checks.freeze_panes = "A2"

    accounts = wb.create_sheet("Accounts")
    for cell in write_row(
        accounts, 1, ["Account", "Current owner", "ARR", "Health", "Renewal", "Shadow", "Own"]
    ):
        cell.fill, cell.font = header_fill, header_font
    shadow_ids = {a.id for a in kit.shadow}
    if kit.own or kit.shadow:
        listed = list({a.id: a for a in [*kit.shadow, *kit.own]}.values())
        money = env.formatter.excel_money("red")
        own_ids = {a.id for a in kit.own}
        for r, account in enumerate(listed, start=2):
            write_row(
                accounts,
                r,
                [
                    account.name,
                    account.owner,
                    account.arr,
                    account.band,
                    account.renewal_date,
                    "yes" if account.id in shadow_ids else "",
                    "yes" if account.id in own_ids else "",
                ],
                [None, None, money, None, date_format],
            )
    else:
        write_cell(
            accounts, 2, 1, "Chosen by the manager: healthy, smaller accounts first."
        ).font = Font(italic=True)
    for letter, width in {"A": 32, "B": 20, "C": 14, "D": 9, "E": 12, "F": 8, "G": 8}.items():
        accounts.column_dimensions[letter].width = width

    wb.properties.title = title
    wb.properties.creator = f"qbrgen {env.version}"
    wb.properties.created = env.stamp.astimezone(dt.UTC).replace(tzinfo=None)
    buffer = io.BytesIO()
    wb.save(buffer)
    return normalise_zip(buffer.getvalue(), env.stamp)


# --- render ----------------------------------------------------------------------------------


def _pdf(
    env: RenderEnv,
    template: str,
    context: dict[str, Any],
    title: str,
    header: str,
    inputs_hash: str,
    candidate: bool = False,
) -> bytes:
    """One kit PDF. A kit speaks for the hiring company (kits/company.yaml) and an as-of date
    means nothing on it: the footer names the company and the kit. The internal documents add
    the inputs hash; the job description (`candidate`) goes to applicants and carries no
    internal identifier, in its footer or its metadata."""
    from qbrgen.render._pdf import document_context, html_to_pdf

    kit_label = f"{context['level'].title} hiring kit ({context['industry'].name})"
    if candidate:
        footer = f"{context['company_name']} · {context['level'].title}, {context['industry'].name}"
    else:
        footer = f"{context['company_name']} · {kit_label} · inputs {inputs_hash}"
    doc_ctx = document_context(
        env, title=title, header=header, inputs_hash=inputs_hash, footer=footer
    )
    ctx = {**context, **doc_ctx}
    ctx["doc"]["company"] = context["company_name"]
    html = env.theme.render(template, ctx, env.formatter)
    return html_to_pdf(html, env, title=title, inputs_hash="" if candidate else inputs_hash)


def render(job: Job, env: RenderEnv) -> dict[str, bytes]:
    """The five files of one kit."""
    kit: KitContent = job.payload["kit"]
    inputs_hash = job.payload["inputs_hash"]
    context = kit_context(job, env)
    folder = f"kits/{kit.name}"
    name = f"{kit.level.title}, {kit.industry.name}"
    header = context["company_name"]
    markdown = job_description_markdown(job, env, context)
    return {
        f"{folder}/{FILES['job_md']}": markdown.encode("utf-8"),
        f"{folder}/{FILES['job_pdf']}": _pdf(
            env,
            "kits/job-description.html",
            context,
            f"Job description: {name}",
            header,
            inputs_hash,
            candidate=True,
        ),
        f"{folder}/{FILES['guide']}": _pdf(
            env,
            "kits/interview-guide.html",
            context,
            f"Interview guide: {name}",
            header,
            inputs_hash,
        ),
        f"{folder}/{FILES['plan']}": _pdf(
            env,
            "kits/onboarding-plan.html",
            context,
            f"30-60-90 day onboarding plan: {name}",
            header,
            inputs_hash,
        ),
        f"{folder}/{FILES['tracker']}": tracker_xlsx(context, env),
    }


def selection_for(run: Run, key: str) -> Selection | None:
    """The selection that makes kit `key` today (`qbrgen kit` builds any kit the library
    knows, not only those of `kits.build`); None when the library no longer has it."""
    from qbrgen.errors import UsageError

    try:
        parse_kit_name(key, load_library(run.theme))
    except UsageError:
        return None
    return Selection([], {"kits": [key]})


register(
    Renderer(
        "kit",
        "Hiring kits: job description, interview guide, onboarding plan and tracker",
        plan,
        render,
        audience="internal",
        file_audiences=(("job-description.*", "candidate"),),
        selection_for=selection_for,
    )
)
