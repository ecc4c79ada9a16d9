"""Hiring kits: a job description (Markdown + PDF), an interview guide (PDF), a 30-60-90 day
onboarding plan (PDF) and an onboarding tracker (XLSX) for one seniority × industry.

plan() loads the content library from the theme for the kit's language (located errors for
bad content files, warnings for workspace items without a translation), selects each kit's
items and, with `portfolio`, picks real accounts from the KPI report (healthy bands first,
smallest ARR first). render() turns one kit into its five files, every word in the kit's
language: the content library's overlays (`kits/<language>/*.yaml`) for the content, the
catalogs for the frame (headings, labels, owners, phases, the tracker), the locale for dates.

A kit's language is chosen per run (`qbrgen kit --language`, default the workspace's
`language`). English kits keep `kits/<seniority>-<industry>/`; a kit in another language is
written to `kits/<language>/<seniority>-<industry>/` with its file names' words translated
(`Stellenbeschreibung.pdf`), so kits in two languages never share (or clash in) a folder.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from qbrgen.i18n import SOURCE_LANGUAGE
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
from qbrgen.kits.models import OWNER_NAMES, OWNERS, PHASE_NAMES, PHASES, PILLARS
from qbrgen.labels import N_
from qbrgen.output import file_word
from qbrgen.render import Job, RenderEnv, Renderer, Selection, register
from qbrgen.render._zip import normalise_zip

if TYPE_CHECKING:
    from qbrgen.formatting import Formatter
    from qbrgen.run import Run

FILES = {
    "job_md": "job-description.md",
    "job_pdf": "job-description.pdf",
    "guide": "interview-guide.pdf",
    "plan": "onboarding-plan.pdf",
    "tracker": "onboarding-tracker.xlsx",
}
"""The files of one English kit, under output/kits/<seniority>-<industry>/."""

FILE_WORDS = {
    "job_md": N_("job-description"),
    "job_pdf": N_("job-description"),
    "guide": N_("interview-guide"),
    "plan": N_("onboarding-plan"),
    "tracker": N_("onboarding-tracker"),
}
"""The word of each file's name, translated for a kit in another language."""

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

STATUSES = (N_("Not started"), N_("In progress"), N_("Done"), N_("Blocked"))
"""Values of the tracker's Status drop-down (English message ids)."""

CHECK_RESULTS = (N_("On track"), N_("Needs support"), N_("Not on track"))
"""Outcomes of the day 30/60/90 checks (English message ids)."""

SCALE = {
    1: N_("No evidence: could not give an example, or the example shows the opposite."),
    2: N_("Partial: an example with gaps in what they noticed, did or followed through."),
    3: N_("Solid: a specific example with clear actions, owners and a result."),
    4: N_("Exceptional: as 3, and they changed how the team works because of it."),
}
"""The 1-4 scale every rubric uses (English message ids)."""

INTERVIEWERS = (N_("Hiring manager"), N_("Peer account manager"), N_("Cross-functional partner"))
"""The default panel of `kits.interviewers`, marked so a kit in another language names them in
it (any interviewer the catalog knows is translated; other names are shown as written)."""

WIDTHS = (7, 12, 12, 15, 46, 40, 28, 16, 14, 30)
"""Column widths of the tracker's milestone sheet, in characters (the owner, status and
date columns hold the longest word of each language: Führungskraft, Nicht begonnen)."""

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


def kit_folder(name: str, language: str) -> str:
    """`kits/senior-saas` (English) or `kits/de/senior-saas`."""
    return f"kits/{name}" if language == SOURCE_LANGUAGE else f"kits/{language}/{name}"


def kit_key(name: str, language: str) -> str:
    """The build's key of a kit: its name, and its language when that is not English."""
    return name if language == SOURCE_LANGUAGE else f"{language}/{name}"


def output_names(name: str, fmt: Formatter) -> dict[str, str]:
    """The kit's files by role (FILES' keys), relative to the output folder; the words of
    the names in the kit's language (`fmt`)."""
    folder = kit_folder(name, fmt.language)
    if fmt.language == SOURCE_LANGUAGE:
        return {role: f"{folder}/{file}" for role, file in FILES.items()}
    return {
        role: f"{folder}/{file_word(FILE_WORDS[role], fmt)}{FILES[role][FILES[role].index('.') :]}"
        for role in FILES
    }


def kit_language(run: Run, options: dict[str, Any]) -> str:
    """The kit's language: `--language`, else the workspace's `language`."""
    return str(options.get("language") or run.workspace.config.language)


def plan(run: Run, selection: Selection) -> list[Job]:
    """One Job per kit: `selection.options` may set kits (names), all, start, portfolio,
    language."""
    from qbrgen.formatting import Formatter

    options = selection.options
    if options.get("subset"):
        return []  # `qbrgen build --accounts ...` asks for account documents only
    config = run.workspace.config.kits
    language = kit_language(run, options)
    fmt = Formatter.for_config(run.workspace.config, language)
    library = load_library(run.theme, language)
    warnings = [_warning_text(problem) for problem in library.warnings]
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
            language,
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
                key=kit_key(kit.name, language),
                outputs=list(output_names(kit.name, fmt).values()),
                payload={
                    "kit": kit,
                    "start": start,
                    "portfolio": use_portfolio,
                    "interviewers": list(config.interviewers),
                    "inputs_hash": inputs_hash,
                    "language": language,
                },
                inputs={
                    "kit": inputs_hash,
                    "config": run.workspace.config.model_dump_json(),
                    "version": run.version,
                },
                templates=templates,
                warnings=warnings,
            )
        )
    return jobs


def _warning_text(problem: Any) -> str:
    """A library warning as the build lists it: 'file:line:col: message (hint)'."""
    hint = f" ({problem.hint})" if problem.hint else ""
    return f"{problem.location}: {problem.message}{hint}"


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


def _account_names(kit: KitContent, which: str | None, fmt: Formatter) -> list[str]:
    if which is None:
        return []
    chosen = kit.shadow if which == "shadow" else kit.own
    if chosen:
        return [a.name for a in chosen]
    count = kit.level.shadow_accounts if which == "shadow" else kit.level.own_accounts
    return [
        fmt.ngettext(
            "%(num)s account chosen by the manager (see the accounts table)",
            "%(num)s accounts chosen by the manager (see the accounts table)",
            count,
        )
    ]


def milestone_rows(kit: KitContent, start: dt.date, fmt: Formatter) -> list[MilestoneRow]:
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
            accounts=_account_names(kit, m.accounts, fmt),
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
    """The variables every kit template sees (`env` speaks the kit's language: see
    `kit_env`); the frame's words translated, the content already in the kit's language."""
    kit: KitContent = job.payload["kit"]
    start: dt.date = job.payload["start"]
    fmt = env.formatter
    rows = milestone_rows(kit, start, fmt)
    numbers = {q.id: n for n, q in enumerate(kit.questions(), start=1)}
    interviewers = [fmt.translate(name) for name in job.payload["interviewers"]]
    return {
        "kit": kit,
        "level": kit.level,
        "industry": kit.industry,
        "company": kit.company,
        "company_name": company_name(kit, env),
        "job_title": fmt.gettext("%(job_title)s", job_title=kit.level.title),
        "kit_name": fmt.gettext(
            "%(title)s, %(industry)s", title=kit.level.title, industry=kit.industry.name
        ),
        "pillars": {key: fmt.translate(name) for key, name in PILLARS.items()},
        "phases": [
            {
                "id": phase,
                "title": fmt.translate(title),
                "name": fmt.translate(PHASE_NAMES[phase]),
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
        "scale": {score: fmt.translate(text) for score, text in SCALE.items()},
        "numbers": numbers,
        "panel": panel(kit, interviewers),
        "interviewers": interviewers,
        "owners": OWNERS,
        "owner_names": {key: fmt.translate(name) for key, name in OWNER_NAMES.items()},
        "check_results": [fmt.translate(result) for result in CHECK_RESULTS],
    }


def kit_env(job: Job, env: RenderEnv) -> RenderEnv:
    """`env` speaking the kit's language (its formatter, catalog and language tags)."""
    return env.for_language(job.payload.get("language") or SOURCE_LANGUAGE)


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

    fmt = env.formatter
    _ = fmt.translate
    date_format = fmt.excel_date()
    colours = env.config.branding.colours
    kit: KitContent = context["kit"]
    header_fill = PatternFill("solid", fgColor=colours.primary.lstrip("#"))
    header_font = Font(bold=True, color="FFFFFF")
    wrap = Alignment(wrap_text=True, vertical="top")
    top = Alignment(vertical="top")

    wb = Workbook()
    ws = wb.active
    ws.title = sheet_title(_("Milestones"))
    title = fmt.gettext(
        "30-60-90 onboarding tracker: %(title)s, %(industry)s",
        title=kit.level.title,
        industry=kit.industry.name,
    )
    write_cell(ws, 1, 1, title).font = Font(bold=True, size=14, color=colours.primary.lstrip("#"))
    labels = [(_("Company"), context["company_name"]), (_("Start date"), context["start"])]
    labels += [(_("New hire"), None), (_("Manager"), None), (_("Buddy"), None)]
    for row, (label, value) in enumerate(labels, start=2):
        write_cell(ws, row, 1, label).font = Font(bold=True)
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=2)
        cell = write_cell(ws, row, 3, value, date_format if isinstance(value, dt.date) else None)
        cell.alignment = Alignment(horizontal="left")
        ws.merge_cells(start_row=row, start_column=3, end_row=row, end_column=5)
    note = _(
        "Due dates count from the start date (day 5 of each week); rebuild with --start to move them."
    )
    write_cell(ws, 7, 1, note).font = Font(italic=True, color=colours.muted.lstrip("#"))

    headers = [
        fmt.translate_context("week number", "Week"),
        _("Phase"),
        _("Due"),
        _("Owner"),
        _("Milestone"),
        _("Done when"),
        _("Accounts"),
        _("Status"),
        _("Completed"),
        _("Notes"),
    ]
    first = 9
    for cell in write_row(ws, first, headers):
        cell.fill, cell.font, cell.alignment = (
            header_fill,
            header_font,
            Alignment(vertical="center"),
        )
    phase_names = {p["id"]: p["name"] for p in context["phases"]}
    owners = context["owner_names"]
    statuses = [_(status) for status in STATUSES]
    results = context["check_results"]
    rows: list[MilestoneRow] = context["milestones"]
    for offset, m in enumerate(rows, start=1):
        r = first + offset
        values = [
            m.week,
            phase_names[m.phase],
            m.due,
            owners[m.owner],
            m.title,
            m.done_when,
            "; ".join(m.accounts),
            statuses[0],
            None,
            None,
        ]
        formats = [None, None, date_format, None, None, None, None, None, date_format, None]
        for cell in write_row(ws, r, values, formats):
            cell.alignment = wrap if cell.column in (4, 5, 6, 7, 10) else top
        # Spreadsheet apps do not grow rows for wrapped text on open: set the height.
        lines = max(
            math.ceil(display_width(str(values[i] or "")) / (WIDTHS[i] - 3)) for i in (4, 5, 6)
        )
        ws.row_dimensions[r].height = 15 * max(1, lines) + 2
    last = first + len(rows)
    widths = {get_column_letter(i + 1): width for i, width in enumerate(WIDTHS)}
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    ws.freeze_panes = ws.cell(row=first + 1, column=1)
    ws.auto_filter.ref = f"A{first}:J{last}"

    status = DataValidation(type="list", formula1=list_formula(statuses), allow_blank=True)
    status.error, status.errorTitle = _("Pick a status from the list."), _("Status")
    status.prompt, status.promptTitle = fmt.join(statuses), _("Status")
    owner = DataValidation(
        type="list", formula1=list_formula([owners[o] for o in OWNERS]), allow_blank=False
    )
    owner.error, owner.errorTitle = (
        _("The owner is the hire, the manager or the buddy."),
        _("Owner"),
    )
    done = DataValidation(
        type="date",
        operator="greaterThanOrEqual",
        formula1=f"DATE({context['start'].year},{context['start'].month},{context['start'].day})",
        allow_blank=True,
    )
    done.error, done.errorTitle = _("A date on or after the start date."), _("Completed")
    for validation, column in ((status, "H"), (owner, "D"), (done, "I")):
        validation.showErrorMessage = True
        validation.add(f"{column}{first + 1}:{column}{last}")
        ws.add_data_validation(validation)
    green = PatternFill("solid", fgColor="E3F1E8")
    red = PatternFill("solid", fgColor="FCE4E1")
    grey = PatternFill("solid", fgColor="EEEEEE")
    span = f"A{first + 1}:J{last}"
    ws.conditional_formatting.add(
        span,
        FormulaRule(formula=[f"$H{first + 1}={quoted(statuses[2])}"], fill=green, stopIfTrue=True),
    )
    ws.conditional_formatting.add(
        span,
        FormulaRule(formula=[f"$H{first + 1}={quoted(statuses[3])}"], fill=grey, stopIfTrue=True),
    )
    ws.conditional_formatting.add(
        span,
        FormulaRule(
            formula=[f"AND($H{first + 1}<>{quoted(statuses[2])},$C{first + 1}<TODAY())"], fill=red
        ),
    )
    ws.print_title_rows = f"{first}:{first}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True

    checks = wb.create_sheet(sheet_title(_("Checks")))
    for cell in write_row(checks, 1, [_("Day"), _("Date"), _("Check"), _("Result"), _("Evidence")]):
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
    result = DataValidation(type="list", formula1=list_formula(results), allow_blank=True)
    result.error, result.errorTitle, result.showErrorMessage = (
        _("Pick a result from the list."),
        _("Result"),
        True,
    )
    result.add(f"D2:D{max(r, 2)}")
    checks.add_data_validation(result)
    for letter, width in {"A": 6, "B": 12, "C": 60, "D": 22, "E": 40}.items():
        checks.column_dimensions[letter].width = width
    checks.freeze_panes = "A2"

    accounts = wb.create_sheet(sheet_title(_("Accounts")))
    for cell in write_row(
        accounts,
        1,
        [
            _("Account"),
            _("Current owner"),
            _("ARR"),
            _("Health"),
            _("Renewal"),
            _("Shadow"),
            _("Own"),
        ],
    ):
        cell.fill, cell.font = header_fill, header_font
    shadow_ids = {a.id for a in kit.shadow}
    if kit.own or kit.shadow:
        listed = list({a.id: a for a in [*kit.shadow, *kit.own]}.values())
        money = fmt.excel_money("red")
        own_ids = {a.id for a in kit.own}
        for r, account in enumerate(listed, start=2):
            write_row(
                accounts,
                r,
                [
                    account.name,
                    account.owner,
                    account.arr,
                    fmt.label(account.band, "bands"),
                    account.renewal_date,
                    _("yes") if account.id in shadow_ids else "",
                    _("yes") if account.id in own_ids else "",
                ],
                [None, None, money, None, date_format],
            )
    else:
        write_cell(
            accounts, 2, 1, _("Chosen by the manager: healthy, smaller accounts first.")
        ).font = Font(italic=True)
    for letter, width in {"A": 32, "B": 22, "C": 14, "D": 9, "E": 12, "F": 12, "G": 12}.items():
        accounts.column_dimensions[letter].width = width

    wb.properties.title = title
    wb.properties.language = fmt.language_tag
    wb.properties.creator = f"qbrgen {env.version}"
    wb.properties.created = env.stamp.astimezone(dt.UTC).replace(tzinfo=None)
    buffer = io.BytesIO()
    wb.save(buffer)
    return normalise_zip(buffer.getvalue(), env.stamp)


def display_width(text: str) -> int:
    """Columns `text` takes in a spreadsheet cell: a wide (CJK) character takes two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def list_formula(values: list[str]) -> str:
    """A drop-down's list as Excel writes it: '"Not started,In progress,Done,Blocked"' (the
    catalogs' values hold no comma, which would split an item: tests/test_i18n.py)."""
    return '"' + ",".join(values) + '"'


def quoted(value: str) -> str:
    """`value` as a string literal in an Excel formula."""
    return '"' + value.replace('"', '""') + '"'


def sheet_title(name: str) -> str:
    """A worksheet name Excel accepts: at most 31 characters, none of []:*?/\\."""
    return re.sub(r"[\[\]:*?/\\]", "-", name)[:31]


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

    fmt = env.formatter
    if candidate:
        footer = f"{context['company_name']} · {context['kit_name']}"
    else:
        footer = fmt.gettext(
            "%(company)s · %(title)s hiring kit (%(industry)s) · inputs %(inputs)s",
            company=context["company_name"],
            title=context["level"].title,
            industry=context["industry"].name,
            inputs=inputs_hash,
        )
    doc_ctx = document_context(
        env, title=title, header=header, inputs_hash=inputs_hash, footer=footer
    )
    ctx = {**context, **doc_ctx}
    ctx["doc"]["company"] = context["company_name"]
    html = env.theme.render(template, ctx, fmt)
    return html_to_pdf(html, env, title=title, inputs_hash="" if candidate else inputs_hash)


def render(job: Job, env: RenderEnv) -> dict[str, bytes]:
    """The five files of one kit, in its language."""
    env = kit_env(job, env)
    fmt = env.formatter
    kit: KitContent = job.payload["kit"]
    inputs_hash = job.payload["inputs_hash"]
    context = kit_context(job, env)
    name = context["kit_name"]
    header = context["company_name"]
    markdown = job_description_markdown(job, env, context)
    files = output_names(kit.name, fmt)
    return {
        files["job_md"]: markdown.encode("utf-8"),
        files["job_pdf"]: _pdf(
            env,
            "kits/job-description.html",
            context,
            fmt.gettext("Job description: %(name)s", name=context["job_title"]),
            header,
            inputs_hash,
            candidate=True,
        ),
        files["guide"]: _pdf(
            env,
            "kits/interview-guide.html",
            context,
            fmt.gettext("Interview guide: %(name)s", name=name),
            header,
            inputs_hash,
        ),
        files["plan"]: _pdf(
            env,
            "kits/onboarding-plan.html",
            context,
            fmt.gettext("30-60-90 day onboarding plan: %(name)s", name=name),
            header,
            inputs_hash,
        ),
        files["tracker"]: tracker_xlsx(context, env),
    }


def selection_for(run: Run, key: str) -> Selection | None:
    """The selection that makes kit `key` today (`qbrgen kit` builds any kit the library
    knows, in any language, not only those of `kits.build`); None when the library no
    longer has it. A key is the kit's name, after its language when that is not English
    ('de/senior-saas')."""
    from qbrgen.errors import UsageError
    from qbrgen.i18n import LANGUAGES

    language, _, name = key.rpartition("/")
    language = language or SOURCE_LANGUAGE
    if language not in LANGUAGES:
        return None
    try:
        parse_kit_name(name, load_library(run.theme, language))
    except UsageError:
        return None
    return Selection([], {"kits": [name], "language": language})


def is_job_description(name: str) -> bool:
    """True for the file name of a job description in any shipped language (the candidate's
    file of a kit)."""
    return name.rsplit(".", 1)[0] in _job_description_words()


@lru_cache(maxsize=1)
def _job_description_words() -> frozenset[str]:
    from qbrgen.formatting import Formatter
    from qbrgen.i18n import LANGUAGES

    return frozenset(
        file_word(FILE_WORDS["job_pdf"], Formatter(language=language)) for language in LANGUAGES
    )


register(
    Renderer(
        "kit",
        "Hiring kits: job description, interview guide, onboarding plan and tracker",
        plan,
        render,
        audience="internal",
        file_audiences=((is_job_description, "candidate"),),
        selection_for=selection_for,
    )
)
