"""Hiring kits: content library (validation, merge), the four documents read back, differences
between seniorities and industries, and the CLI."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import shutil
from io import BytesIO
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from conftest import FIXTURES, ROOT, run_cli
from qbrgen.errors import InputError
from qbrgen.kits import SENIORITIES, check_date, due_date, load_library, select_kit
from qbrgen.loading import open_workspace
from qbrgen.render import Selection, render_env
from qbrgen.render.kits import (
    FILES,
    job_description_markdown,
    kit_context,
    md_text,
    plan,
    render,
    tracker_xlsx,
)
from qbrgen.run import open_run
from qbrgen.templates import BUILTIN_THEME, Theme

KITS = FIXTURES / "kits"
START = dt.date(2027, 1, 4)


def _jobs(workspace: Path, **options: object) -> tuple[list, object]:
    run = open_run(workspace, with_accounts=bool(options.get("portfolio")))
    return plan(run, Selection([], dict(options))), render_env(run)


def _markdown(job, env) -> str:
    return job_description_markdown(job, env, kit_context(job, env))


def _pdf_text(data: bytes) -> str:
    return " ".join(
        " ".join((page.extract_text() or "").split()) for page in PdfReader(BytesIO(data)).pages
    )


# --- content library -----------------------------------------------------------------------


def test_builtin_library_is_complete() -> None:
    library = load_library(Theme())
    assert library.industries[:2] == ["saas", "regulated"]
    for seniority in SENIORITIES:
        for industry in library.industries:
            kit = select_kit(library, seniority, industry)
            assert set(kit.responsibilities) == {"retention", "growth", "partnership"}, kit.name
            assert kit.skills["soft"] and kit.skills["technical"]
            assert kit.kpis["lagging"] and kit.kpis["leading"]
            assert len(kit.questions()) >= 6
            assert all(set(q.rubric) == {1, 2, 3, 4} for q in kit.questions())
            assert all(kit.milestones[phase] for phase in kit.milestones), kit.name
            assert {m.owner for items in kit.milestones.values() for m in items} == {
                "hire",
                "manager",
                "buddy",
            }
            assert all(kit.checks[day] for day in (30, 60, 90))


def _bad_workspace(tmp_path: Path, name: str) -> Path:
    (tmp_path / "templates" / "kits").mkdir(parents=True)
    shutil.copy(KITS / "bad" / f"{name}.yaml", tmp_path / "templates" / "kits" / f"{name}.yaml")
    (tmp_path / "qbrgen.yaml").write_text("")
    return tmp_path


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "typo",
            "templates/kits/typo.yaml:4:5: questions[0].questoin: unknown field 'questoin'; did you mean 'question'?",
        ),
        (
            "seniority",
            "templates/kits/seniority.yaml:5:25: milestones[0].seniority[1]: expected one of junior, senior, strategic, all, got 'mid'",
        ),
        (
            "industry",
            "templates/kits/industry.yaml:5:24: skills[0].industries[1]: unknown industry 'fintech'",
        ),
    ],
)
def test_located_errors_in_content_files(tmp_path: Path, name: str, expected: str) -> None:
    workspace = _bad_workspace(tmp_path, name)
    with pytest.raises(InputError) as caught:
        load_library(Theme(open_workspace(workspace)))
    assert expected in str(caught.value)


def test_cli_reports_content_error_cleanly(tmp_path: Path) -> None:
    workspace = _bad_workspace(tmp_path, "seniority")
    result = run_cli("kit", "--seniority", "junior", "--industry", "saas", "-w", str(workspace))
    assert result.returncode == 1
    assert "seniority.yaml:5:25: milestones[0].seniority[1]" in result.stderr
    assert "Traceback" not in result.stderr


def test_cli_usage_errors(tmp_path: Path) -> None:
    (tmp_path / "qbrgen.yaml").write_text("")
    result = run_cli("kit", "--seniority", "junior", "--industry", "fintech", "-w", str(tmp_path))
    assert result.returncode == 2
    assert "unknown industry 'fintech'; expected one of saas, regulated, services" in result.stderr
    assert run_cli("kit", "--seniority", "junior", "-w", str(tmp_path)).returncode == 2


def test_workspace_overrides_and_extends() -> None:
    workspace = KITS / "ws"
    library = load_library(Theme(open_workspace(workspace)))
    assert library.files[-1] == "kits/extra-questions.yaml"
    assert "healthcare" in library.industries
    # company.yaml replaced the built-in file; fields it leaves out keep their defaults
    assert library.company.name == "Larkspur Health Software"
    assert library.company.crm == "HubSpot"
    assert (
        library.company.apply == ""
    )  # the built-in file's text is gone: the whole file was replaced
    questions = library.sections["questions"]
    assert "q-cannot-deliver" not in questions  # remove:
    assert "HubSpot" in questions["q-after-hard-call"].question  # same id replaces
    assert list(questions).index("q-after-hard-call") < list(questions).index("q-clinic-outage")
    kit = select_kit(library, "senior", "healthcare")
    assert "q-clinic-outage" in [q.id for q in kit.questions()]  # new id appends

    jobs, env = _jobs(workspace, start=START)
    assert [job.key for job in jobs] == ["senior-healthcare"]  # from kits.build in qbrgen.yaml
    assert "kits/extra-questions.yaml" in jobs[0].templates
    markdown = _markdown(jobs[0], env)
    assert markdown.startswith("# Senior Account Manager\n")
    assert "**Larkspur Health Software**" in markdown
    assert "We work in HubSpot." in markdown
    assert "- A learning budget of EUR 1,500 a year" in markdown
    assert "EUR 70,000-85,000 plus a 15% bonus" in markdown
    assert "Our customers run clinics" in markdown
    # company text stays text: no HTML tag, no heading
    assert "<script>" not in markdown and "\\<script\\>" in markdown
    assert not re.search(r"^# not a heading", markdown, re.M)

    context = kit_context(jobs[0], env)
    assert [sheet["interviewer"] for sheet in context["panel"]] == [
        "Hiring manager",
        "Peer account manager",
    ]
    workbook = load_workbook(BytesIO(tracker_xlsx(context, env)))
    titles = {cell.value: cell for cell in workbook["Milestones"]["E"]}
    injected = titles['=HYPERLINK("http://example.invalid","Patient data briefing")']
    assert injected.data_type == "s"  # text, never a formula


# --- every combination, without PDFs (fast) ---------------------------------------------------

MARKDOWN_HEADING = re.compile(r"^(#{1,3}) (\S.*)$")


def assert_clean_markdown(text: str) -> None:
    from markdown_it import MarkdownIt

    assert "{{" not in text and "{%" not in text and "}}" not in text
    assert not re.search(r"</?[a-zA-Z][^>]*>", text.replace("\\<", "").replace("\\>", ""))
    tokens = MarkdownIt("commonmark").parse(text)
    assert not [t for t in tokens if t.type in ("html_block", "html_inline")]
    inline_html = [c for t in tokens if t.children for c in t.children if c.type == "html_inline"]
    assert not inline_html
    assert [t.tag for t in tokens if t.type == "heading_open"].count("h1") == 1
    lines = text.split("\n")
    assert text.endswith("\n") and not text.endswith("\n\n")
    for number, line in enumerate(lines, start=1):
        assert line == line.rstrip(), f"trailing space on line {number}"
        if line.startswith("#"):
            assert MARKDOWN_HEADING.match(line), f"bad heading on line {number}: {line!r}"
            assert lines[number - 2] == "" and lines[number] == "", (
                f"heading not set apart on line {number}"
            )
        if line.startswith("-") and line != "---":
            assert re.match(r"^- \S", line), f"bad bullet on line {number}: {line!r}"
    assert "\n\n\n" not in text


def test_every_combination_builds_markdown_and_tracker() -> None:
    jobs, env = _jobs(ROOT, all=True, start=START)
    library = load_library(Theme())
    assert sorted(job.key for job in jobs) == sorted(
        f"{s}-{i}" for s in SENIORITIES for i in library.industries
    )
    for job in jobs:
        assert job.outputs == [f"kits/{job.key}/{name}" for name in FILES.values()]
        assert_clean_markdown(_markdown(job, env))
        workbook = load_workbook(BytesIO(tracker_xlsx(kit_context(job, env), env)))
        assert workbook.sheetnames == ["Milestones", "Checks", "Accounts"]


def test_build_of_a_subset_of_accounts_skips_kits() -> None:
    jobs, _ = _jobs(ROOT, subset=True)
    assert jobs == []


def test_tracker_due_dates_follow_start() -> None:
    for start in (START, dt.date(2027, 3, 3)):
        jobs, env = _jobs(ROOT, kits=["senior-saas"], start=start)
        context = kit_context(jobs[0], env)
        workbook = load_workbook(BytesIO(tracker_xlsx(context, env)))
        sheet = workbook["Milestones"]
        assert sheet["C3"].value.date() == start
        header = [cell.value for cell in sheet[9]]
        assert header[:4] == ["Week", "Phase", "Due", "Owner"] and header[7] == "Status"
        rows = [row for row in sheet.iter_rows(min_row=10, values_only=True) if row[0]]
        assert len(rows) == len(context["milestones"]) >= 20
        for week, _phase, due, owner, *_rest in rows:
            assert (
                due.date() == start + dt.timedelta(days=7 * (week - 1) + 4) == due_date(start, week)
            )
            assert owner in ("New hire", "Manager", "Buddy")  # as the plan's owner tags
        assert rows[0][0] == 1 and rows[-1][0] == 13
        validations = {str(v.sqref): v for v in sheet.data_validations.dataValidation}
        last = 9 + len(rows)
        assert validations[f"H10:H{last}"].formula1 == '"Not started,In progress,Done,Blocked"'
        assert validations[f"D10:D{last}"].formula1 == '"New hire,Manager,Buddy"'
        checks = workbook["Checks"]
        dates = {row[0]: row[1].date() for row in checks.iter_rows(min_row=2, values_only=True)}
        assert dates == {day: check_date(start, day) for day in (30, 60, 90)}
        assert all(d.weekday() < 5 for d in dates.values())
        assert [str(v.sqref) for v in checks.data_validations.dataValidation] == [
            f"D2:D{checks.max_row}"
        ]


# --- differences where the job differs ----------------------------------------------------------


def test_kits_differ_by_seniority_and_industry() -> None:
    jobs, env = _jobs(
        ROOT, kits=["junior-saas", "strategic-saas", "senior-regulated", "senior-saas"], start=START
    )
    kits = {job.key: job.payload["kit"] for job in jobs}
    text = {}
    for job in jobs:
        kit = kits[job.key]
        guide = " ".join(q.question for q in kit.questions())
        onboarding = " ".join(m.title for items in kit.milestones.values() for m in items)
        text[job.key] = (_markdown(job, env) + guide + onboarding).lower()

    junior, strategic = text["junior-saas"], text["strategic-saas"]
    for phrase in (
        "executive alignment",
        "account strategy",
        "lead critical escalations",
        "executive business review",
    ):
        assert phrase in strategic and phrase not in junior, phrase
    for phrase in ("higher-volume book", "route support", "hygiene", "routing"):
        assert phrase in junior and phrase not in strategic, phrase

    regulated, saas = text["senior-regulated"], text["senior-saas"]
    for phrase in (
        "document every commitment",
        "compliance",
        "training coordination",
        "client education",
        "auditor",
    ):
        assert phrase in regulated and phrase not in saas, phrase
    assert "adoption" in saas
    # the levels differ in title, book and how many accounts a new hire takes over
    levels = [kits[k].level for k in ("junior-saas", "senior-saas", "strategic-saas")]
    assert [lv.title for lv in levels] == [
        "Account Manager",
        "Senior Account Manager",
        "Strategic Account Manager",
    ]
    assert levels[0].own_accounts > levels[1].own_accounts > levels[2].own_accounts
    assert any(q.competency == "volume" for q in kits["junior-saas"].questions())
    assert not any(q.competency == "compliance" for q in kits["senior-saas"].questions())


# --- PDFs (two kits: one through the CLI with --portfolio, one in-process) ----------------------


@pytest.fixture(scope="module")
def junior_kit(tmp_path_factory: pytest.TempPathFactory) -> Path:
    workspace = tmp_path_factory.mktemp("kits") / "ws"
    workspace.mkdir()
    shutil.copy(ROOT / "qbrgen.yaml", workspace / "qbrgen.yaml")
    shutil.copytree(ROOT / "accounts", workspace / "accounts")
    result = run_cli(
        "kit",
        "--seniority",
        "junior",
        "--industry",
        "saas",
        "--start",
        "2027-01-04",
        "--portfolio",
        "-w",
        str(workspace),
    )
    assert result.returncode == 0, result.stderr
    return workspace


def test_cli_writes_the_five_files(junior_kit: Path) -> None:
    folder = junior_kit / "output" / "kits" / "junior-saas"
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES.values())
    for name in ("job-description.pdf", "interview-guide.pdf", "onboarding-plan.pdf"):
        assert (folder / name).read_bytes().startswith(b"%PDF-")
        assert len(PdfReader(folder / name).pages) >= 2
    assert_clean_markdown((folder / "job-description.md").read_text(encoding="utf-8"))


def test_portfolio_names_healthy_small_accounts_first(junior_kit: Path) -> None:
    from qbrgen.run import open_run

    run = open_run(junior_kit)
    eligible = sorted(
        (float(k["arr"]), k.name)
        for k in run.report.accounts.values()
        if k["status"] == "active" and k.health.band in ("green", "yellow")
    )
    assert eligible, "the sample portfolio has healthy accounts"
    own = [name for _, name in eligible[:8]]  # a junior takes over 8
    shadow = own[:4]
    plan_text = _pdf_text((junior_kit / "output/kits/junior-saas/onboarding-plan.pdf").read_bytes())
    for name in own:
        assert name in plan_text
    assert plan_text.index(own[0]) < plan_text.index(own[-1])
    unhealthy = [k.name for k in run.report.accounts.values() if k.health.band == "red"]
    for name in unhealthy:
        assert name not in plan_text
    workbook = load_workbook(junior_kit / "output/kits/junior-saas/onboarding-tracker.xlsx")
    rows = list(workbook["Accounts"].iter_rows(min_row=2, values_only=True))
    assert [r[0] for r in rows] == own
    assert [r[0] for r in rows if r[5] == "yes"] == shadow
    shadow_row = next(
        r
        for r in workbook["Milestones"].iter_rows(min_row=10, values_only=True)
        if r[6] and r[4].startswith("Sit in on")
    )
    assert shadow_row[6] == "; ".join(shadow)


def test_pdfs_hold_their_sections(junior_kit: Path) -> None:
    folder = junior_kit / "output" / "kits" / "junior-saas"
    job = _pdf_text((folder / "job-description.pdf").read_bytes())
    for heading in (
        "Account Manager",
        "The role",
        "What you will do",
        "Retention and account health",
        "Growth and expansion",
        "Strategic partnership and advocacy",
        "What you bring",
        "How success is measured",
        "Your first 90 days",
        "Gross revenue retention",
    ):
        assert heading in job, heading
    guide = _pdf_text((folder / "interview-guide.pdf").read_bytes())
    for heading in (
        "How to run this interview",
        "Scoring scale",
        "Reading risk early",
        "Running a high-volume book",
        "Follow-ups",
        "A strong answer",
        "A weak answer",
        "What earns it",
        "Scoring sheet: Hiring manager",
        "Scoring sheet: Peer account manager",
        "Scoring sheet: Cross-functional partner",
        "Debrief",
    ):
        assert heading.lower() in guide.lower(), heading
    onboarding = _pdf_text((folder / "onboarding-plan.pdf").read_bytes())
    for heading in (
        "30-60-90 day onboarding plan",
        "Days 1-30",
        "Days 31-60",
        "Days 61-90",
        "Accounts to shadow, then own",
        "Day 30 check",
        "Day 60 check",
        "Day 90 check",
        "Manager",
        "Buddy",
        "New hire",
        "Jan 8, 2027",
    ):
        assert heading in onboarding, heading


def test_kit_pdfs_are_clean_and_the_job_description_carries_no_internal_hash(
    junior_kit: Path,
) -> None:
    import re

    from pdf_checks import assert_clean_pdf

    folder = junior_kit / "output" / "kits" / "junior-saas"
    for name in ("job-description.pdf", "interview-guide.pdf", "onboarding-plan.pdf"):
        assert_clean_pdf(folder / name)
    job = folder / "job-description.pdf"
    reader = PdfReader(job)
    text = _pdf_text(job.read_bytes())
    meta = " ".join(str(v) for v in (reader.metadata or {}).values())
    for where in (text, meta, (folder / "job-description.md").read_text(encoding="utf-8")):
        assert not re.search(r"inputs [0-9a-f]{6,}\b|qbrgen", where, re.I), where[:200]
        assert not re.search(r"\b[0-9a-f]{12}\b", where)
    assert "inputs" in _pdf_text((folder / "interview-guide.pdf").read_bytes())  # internal


def _page_fill(path: Path) -> list[tuple[str, float]]:
    """(text of the page, share of the text area left blank below the last line) per page."""
    import re
    import subprocess

    from conftest import require_tool

    html = subprocess.run(
        [require_tool("pdftotext"), "-bbox-layout", str(path), "-"], capture_output=True
    ).stdout.decode("utf-8", "replace")
    out = []
    for _w, h, body in re.findall(
        r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', html, re.S
    ):
        top, bottom = 22 * 72 / 25.4, float(h) - 20 * 72 / 25.4  # base/print.css margins
        lines = [float(y) for y in re.findall(r'<line [^>]*yMax="([\d.]+)"', body)]
        text_bottom = max((y for y in lines if y < bottom - 2), default=top)
        words = " ".join(re.findall(r">([^<]*)</word>", body))
        out.append((words, (bottom - text_bottom) / (bottom - top)))
    return out


def test_interview_guide_pages_fill_and_break_only_between_blocks(junior_kit: Path) -> None:
    pages = _page_fill(junior_kit / "output" / "kits" / "junior-saas" / "interview-guide.pdf")
    questions = [i for i, (text, _) in enumerate(pages) if "Scoring sheet:" not in text]
    first_sheet = next(i for i, (text, _) in enumerate(pages) if "Scoring sheet:" in text)
    question_pages = [i for i in questions if i < first_sheet]
    # every page of questions but the last is at least three-quarters full
    for i in question_pages[:-1]:
        assert pages[i][1] < 0.25, f"page {i + 1} is {pages[i][1]:.0%} blank"
    assert len(pages) <= 10


def test_onboarding_headers_are_not_clipped(junior_kit: Path) -> None:
    """Every 'Done' and 'Week' header word lies inside the page's text area."""
    import re
    import subprocess

    from conftest import require_tool

    path = junior_kit / "output" / "kits" / "junior-saas" / "onboarding-plan.pdf"
    html = subprocess.run(
        [require_tool("pdftotext"), "-bbox", str(path), "-"], capture_output=True
    ).stdout.decode("utf-8", "replace")
    width = float(re.search(r'<page width="([\d.]+)"', html).group(1))  # type: ignore[union-attr]
    right = width - 16 * 72 / 25.4 + 0.5
    found = re.findall(
        r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>(Done|Week)</word>', html
    )
    assert len([w for w in found if w[2] == "Done"]) >= 3
    for x_min, x_max, word in found:
        assert float(x_max) <= right and float(x_min) >= 16 * 72 / 25.4 - 0.5, (word, x_min, x_max)


def test_strategic_regulated_pdfs_in_process() -> None:
    jobs, env = _jobs(ROOT, kits=["strategic-regulated"], start=START)
    files = render(jobs[0], env)
    assert sorted(files) == sorted(f"kits/strategic-regulated/{name}" for name in FILES.values())
    job = _pdf_text(files["kits/strategic-regulated/job-description.pdf"])
    assert "Strategic Account Manager" in job and "Regulated industries" in job
    assert "executive alignment" in job and "Audit-ready documentation" in job
    guide = _pdf_text(files["kits/strategic-regulated/interview-guide.pdf"])
    assert "Compliance-minded operation" in guide and "Executive alignment" in guide
    assert "Running a high-volume book" not in guide
    plan_text = _pdf_text(files["kits/strategic-regulated/onboarding-plan.pdf"])
    assert "The manager picks 2 accounts to shadow" in plan_text  # no --portfolio
    assert "client education session" in plan_text


# --- own words ----------------------------------------------------------------------------------

SHINGLES = KITS / "seed-8grams.txt"


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("’", "").replace("'", ""))


def _hashes(words: list[str]) -> set[str]:
    return {
        hashlib.sha1(" ".join(words[i : i + 8]).encode()).hexdigest()[:12]
        for i in range(len(words) - 7)
    }


def test_content_does_not_copy_seed_sentences() -> None:
    """No 8-word run of the seed articles appears in the kit content or templates. The seeds
    are not in the repository; their 8-word runs are stored hashed (regenerate with
    QBRGEN_SEEDS=<folder>)."""
    seeds = os.environ.get("QBRGEN_SEEDS")
    if seeds:
        found: set[str] = set()
        for path in sorted(Path(seeds).glob("*.txt")):
            found |= _hashes(_words(path.read_text(encoding="utf-8")))
        header = "# sha1[:12] of every 8-word sequence of ../shared/seeds/*.txt (lowercase, [a-z0-9]+ words).\n"
        SHINGLES.write_text(header + "\n".join(sorted(found)) + "\n", encoding="utf-8")
    seed_hashes = {
        line for line in SHINGLES.read_text().split("\n") if line and not line.startswith("#")
    }
    assert len(seed_hashes) > 5000
    kits = BUILTIN_THEME / "kits"
    for path in sorted(p for p in kits.rglob("*") if p.is_file()):  # with kits/<lang>/ overlays
        words = _words(path.read_text(encoding="utf-8"))
        copied = [
            " ".join(words[i : i + 8])
            for i in range(len(words) - 7)
            if hashlib.sha1(" ".join(words[i : i + 8]).encode()).hexdigest()[:12] in seed_hashes
        ]
        assert not copied, f"{path.relative_to(kits)} copies seed text: {copied[:3]}"


def test_md_text_escapes_markup() -> None:
    assert md_text("# Big <b>deal</b>\n and *more*") == "\\# Big \\<b\\>deal\\</b\\> and \\*more\\*"
    assert md_text("- not a bullet") == "\\- not a bullet"
    assert md_text("1. not a list") == "1\\. not a list"


# --- kits in other languages: the content library's overlays ---------------------------------

OVERLAY_LANGUAGES = sorted(
    p.name for p in (BUILTIN_THEME / "kits").iterdir() if p.is_dir() and not p.name.startswith(".")
)
"""Languages with built-in overlays (kits/<L>/*.yaml): the parity test covers each one."""


def test_every_shipped_language_has_overlays() -> None:
    from qbrgen.i18n import LANGUAGES

    assert sorted(lang for lang in LANGUAGES if lang != "en") == OVERLAY_LANGUAGES


def _items(path: Path) -> dict[str, list[tuple[str, list[str]]]]:
    """Section -> [(id, sorted keys)] of a content file, as written; company -> its keys."""
    import yaml

    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[str, list[tuple[str, list[str]]]] = {}
    for section, items in data.items():
        if section == "company":
            out[section] = [("company", sorted(items))]
        elif isinstance(items, list):
            out[section] = [
                (item["id"], sorted(item)) if isinstance(item, dict) else (str(item), [])
                for item in items
            ]
    return out


@pytest.mark.parametrize("language", OVERLAY_LANGUAGES)
def test_overlays_have_exactly_the_english_ids(language: str) -> None:
    """Each built-in overlay holds every item of the English file of the same name, with the
    same ids in the same order and the same fields (an item replaces the English one whole),
    and nothing else: a new English item without its translations fails here."""
    english_files = sorted((BUILTIN_THEME / "kits").glob("*.yaml"))
    folder = BUILTIN_THEME / "kits" / language
    assert sorted(p.name for p in folder.glob("*.yaml")) == [p.name for p in english_files]
    for english in english_files:
        assert _items(folder / english.name) == _items(english), f"{language}/{english.name}"
    library = load_library(Theme(), language)
    assert library.warnings == []
    assert library.files[: len(english_files)] == [f"kits/{p.name}" for p in english_files]
    assert library.files[len(english_files) :] == [
        f"kits/{language}/{p.name}" for p in english_files
    ]


@pytest.mark.parametrize("language", OVERLAY_LANGUAGES)
def test_overlays_translate_every_text(language: str) -> None:
    """Every text of the translated library differs from the English one, except names the
    market keeps (job titles, KPI abbreviations, product names)."""
    english = load_library(Theme())
    translated = load_library(Theme(), language)
    kept = {"Account Manager", "Senior Account Manager", "Strategic Account Manager", "CRM"}
    fields = ("name", "examples", "title", "book", "experience", "reports_to", "text")
    same = []
    for section, items in english.sections.items():
        for item_id, item in items.items():
            other = translated.sections[section][item_id]
            for name in fields:
                value = getattr(item, name, None)
                if not value or value != getattr(other, name) or value in kept:
                    continue
                if not (len(value) <= 12 and value.replace(" ", "").isupper()):  # NRR, CSAT
                    same.append(f"{section}.{item_id}.{name}: {value}")
            for name in ("question", "follow_ups", "strong", "weak"):
                if getattr(item, name, None) and getattr(item, name) == getattr(other, name):
                    same.append(f"{section}.{item_id}.{name}")
    assert not same, f"{language}: untranslated: {same[:5]}"


def _overlay_workspace(tmp_path: Path) -> Path:
    """The override fixture workspace, plus a German overlay translating only some of it."""
    workspace = tmp_path / "ws"
    shutil.copytree(KITS / "ws", workspace)
    german = workspace / "templates" / "kits" / "de"
    german.mkdir()
    (german / "extra-questions.yaml").write_text(
        "industries:\n"
        "  - id: healthcare\n"
        "    name: Gesundheitssoftware\n"
        "summaries:\n"
        "  - id: healthcare\n"
        "    industries: healthcare\n"
        "    text: Unsere Kunden betreiben Kliniken.\n",
        encoding="utf-8",
    )
    return workspace


def test_a_kits_language_merges_builtin_then_workspace(tmp_path: Path) -> None:
    """Built-in English, built-in German, workspace English, workspace German: the team's own
    English item wins over the stock German one of the same id, its German overlay wins over
    both, a built-in translation of a file the workspace replaced is not read, and what only
    the workspace's English sets is a warning naming the file, line and ids."""
    from qbrgen.kits.library import content_files

    workspace = _overlay_workspace(tmp_path)
    theme = Theme(open_workspace(workspace))
    builtin = ["kits/interview.yaml", "kits/onboarding.yaml", "kits/role.yaml"]
    assert content_files(theme, "de") == [
        *builtin,  # company.yaml: the workspace's replaces it ...
        *(name.replace("kits/", "kits/de/") for name in builtin),  # ... and its translation
        "kits/company.yaml",
        "kits/extra-questions.yaml",
        "kits/de/extra-questions.yaml",
    ]
    assert content_files(theme) == ["kits/company.yaml", *builtin, "kits/extra-questions.yaml"]
    library = load_library(theme, "de")
    questions = library.sections["questions"]
    assert "HubSpot" in questions["q-after-hard-call"].question  # workspace English wins
    stock = load_library(Theme(), "de").sections["questions"]
    assert questions["q-quiet-risk"].question == stock["q-quiet-risk"].question
    assert library.sections["industries"]["healthcare"].name == "Gesundheitssoftware"
    assert library.sections["summaries"]["healthcare"].text == "Unsere Kunden betreiben Kliniken."
    assert library.company.apply == ""  # not the stock German text of the replaced file
    assert "q-cannot-deliver" not in questions  # remove: still applies
    warnings = [str(w) for w in library.warnings]
    assert len(warnings) == 2, warnings
    company, extra = warnings
    assert company.startswith("templates/kits/company.yaml:")
    assert "without German text" in company and "company.about" in company
    assert extra.startswith("templates/kits/extra-questions.yaml:13:")  # the first such item
    assert "questions q-clinic-outage" in extra and "questions q-after-hard-call" in extra
    assert "milestones m-hipaa-briefing" in extra
    assert "healthcare" not in extra  # translated by the workspace's German overlay
    assert (
        "templates/kits/de/extra-questions.yaml" in extra or "kits/de/extra-questions.yaml" in extra
    )
    assert load_library(theme).warnings == []  # an English kit has nothing to warn about

    jobs, env = _jobs(workspace, start=START, language="de")
    assert [job.key for job in jobs] == ["de/senior-healthcare"]
    assert jobs[0].warnings and jobs[0].warnings[0].startswith("templates/kits/company.yaml:")
    assert jobs[0].outputs[0] == "kits/de/senior-healthcare/Stellenanzeige.md"
    assert "kits/de/extra-questions.yaml" in jobs[0].templates
    result = run_cli("kit", "--language", "de", "--start", "2027-01-04", "-w", str(workspace))
    assert result.returncode == 0, result.stderr
    assert "warning: templates/kits/extra-questions.yaml:13:" in result.stdout + result.stderr


def test_errors_in_an_overlay_are_located(tmp_path: Path) -> None:
    (tmp_path / "templates" / "kits" / "fr").mkdir(parents=True)
    shutil.copy(KITS / "bad" / "typo.yaml", tmp_path / "templates" / "kits" / "fr" / "typo.yaml")
    (tmp_path / "qbrgen.yaml").write_text("")
    theme = Theme(open_workspace(tmp_path))
    load_library(theme)  # an English kit does not read it
    with pytest.raises(InputError) as caught:
        load_library(theme, "fr")
    assert (
        "templates/kits/fr/typo.yaml:4:5: questions[0].questoin: unknown field 'questoin'"
        in str(caught.value)
    )


def test_kit_language_option_and_keys(tmp_path: Path) -> None:
    """`--language` picks the kit's language (default the workspace's); a kit's build key and
    folder carry a language other than English, so kits in two languages live side by side
    and neither is stale."""
    from qbrgen.render.kits import selection_for

    workspace = tmp_path / "ws"
    workspace.mkdir()
    config = (ROOT / "qbrgen.yaml").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^language: en\b", "language: fr", config)
    (workspace / "qbrgen.yaml").write_text(config, encoding="utf-8")
    jobs, _ = _jobs(workspace, kits=["junior-saas"], start=START)
    assert [job.key for job in jobs] == ["fr/junior-saas"]
    assert jobs[0].outputs == [
        "kits/fr/junior-saas/offre-emploi.md",
        "kits/fr/junior-saas/offre-emploi.pdf",
        "kits/fr/junior-saas/guide-entretien.pdf",
        "kits/fr/junior-saas/plan-integration.pdf",
        "kits/fr/junior-saas/suivi-integration.xlsx",
    ]
    jobs, _ = _jobs(workspace, kits=["junior-saas"], start=START, language="en")
    assert [job.key for job in jobs] == ["junior-saas"]
    assert jobs[0].outputs == [f"kits/junior-saas/{name}" for name in FILES.values()]
    run = open_run(workspace, with_accounts=False)
    assert selection_for(run, "ja/strategic-services").options == {  # type: ignore[union-attr]
        "kits": ["strategic-services"],
        "language": "ja",
    }
    assert selection_for(run, "senior-saas").options["language"] == "en"  # type: ignore[union-attr]
    assert selection_for(run, "xx/senior-saas") is None
    from qbrgen.cli.documents import kit
    from qbrgen.i18n import LANGUAGES

    choice = next(p for p in kit.params if p.name == "language")
    assert tuple(choice.type.choices) == LANGUAGES  # type: ignore[attr-defined]


def test_japanese_sentences_follow_each_other_without_a_space(tmp_path: Path) -> None:
    """The onboarding plan's account paragraph: three messages, one after the other, with a
    space in English and none in Japanese (its full stop and comma end the clause)."""
    from qbrgen.render._pdf import document_context
    from qbrgen.render.kits import kit_env

    workspace = tmp_path / "ws"
    workspace.mkdir()
    shutil.copy(ROOT / "qbrgen.yaml", workspace / "qbrgen.yaml")
    shutil.copytree(ROOT / "accounts", workspace / "accounts")
    for language, expected in (
        ("en", "learning curve. The first 3 are shadowed"),
        ("ja", "学べます。最初の3件は2週目から同行し、9週目"),
    ):
        jobs, env = _jobs(
            workspace, kits=["senior-saas"], start=START, portfolio=True, language=language
        )
        env = kit_env(jobs[0], env)
        context = kit_context(jobs[0], env)
        context |= document_context(env, title="t", header="h", inputs_hash="0")
        html = env.theme.render("kits/onboarding-plan.html", context, env.formatter)
        assert expected in html, language
