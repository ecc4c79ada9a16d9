"""Documents in the reader's language: the catalogs are complete, a customer's deck is written
in the account's language (every English message translated, numbers and dates in its
locale, runs tagged with it) while internal documents stay in the team's, and plural forms
come from the catalog."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from pptx import Presentation

from conftest import ROOT, run_cli
from qbrgen.formatting import Formatter
from qbrgen.i18n import LANGUAGES, catalog_path, extract_all, locale_for
from qbrgen.output import file_word

ACCOUNT = "brackenridge-telecom"
TRANSLATED = [lang for lang in LANGUAGES if lang != "en"]
A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"


def _catalog(language: str):  # noqa: ANN202 - a Babel catalog
    from babel.messages.pofile import read_po

    with catalog_path(language).open("rb") as handle:
        return read_po(handle, locale=language)


@pytest.mark.parametrize("language", TRANSLATED)
def test_every_message_is_translated(language: str) -> None:
    template = extract_all()
    catalog = _catalog(language)
    missing = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id, context=message.context)
        strings = [] if found is None else found.string
        strings = list(strings) if isinstance(strings, tuple | list) else [strings]
        if found is None or found.fuzzy or not all(strings):
            missing.append(message.id)
            continue
        if isinstance(message.id, tuple):
            assert len(strings) == catalog.num_plurals, message.id
        for text in strings:  # the same placeholders as the English message
            singular = message.id[0] if isinstance(message.id, tuple) else message.id
            names = set(re.findall(r"%\((\w+)\)s", singular))
            assert set(re.findall(r"%\((\w+)\)s", text)) <= names | {"num"}, (message.id, text)
    assert not missing, f"{language}: {len(missing)} messages without a translation: {missing[:5]}"
    assert len(template) > 200


def test_plural_forms_come_from_the_catalog() -> None:
    one, many = (
        "%(num)s risk we are working on together",
        "%(num)s risks we are working on together",
    )
    assert Formatter("en_US").ngettext(one, many, 1) == "1 risk we are working on together"
    assert (
        Formatter("fr_FR", language="fr").ngettext(one, many, 0).startswith("0 risque sur lequel")
    )
    assert Formatter("de_DE", language="de").ngettext(one, many, 0).startswith("0 Risiken")
    japanese = Formatter("ja_JP", language="ja")
    assert japanese.ngettext(one, many, 1) == japanese.ngettext(one, many, 7).replace("7", "1")
    assert Formatter("de_DE", language="de").ngettext(one, many, 1234).startswith("1.234 ")


def test_quarters_as_each_language_writes_them() -> None:
    quarters = {
        lang: Formatter(locale_for("en_US", lang), language=lang).quarter("2026-Q3")
        for lang in LANGUAGES
    }
    assert quarters == {
        "en": "2026-Q3", "de": "Q3 2026", "fr": "T3 2026", "es": "T3 2026",
        "ja": "2026年第3四半期",
    }  # fmt: skip
    assert Formatter("de_DE", language="de").quarter("not a quarter") == "not a quarter"


def test_the_locale_of_a_language() -> None:
    assert locale_for("de_CH", "de") == "de_CH"
    assert locale_for("de_CH", "fr") == "fr_CH"
    assert locale_for("en_US", "de") == "de_DE"
    assert locale_for("en_US", "ja") == "ja_JP"
    assert locale_for("de_DE", "en") == "de_DE"  # English words keep the workspace's figures


def test_help_loads_no_catalog() -> None:
    code = (
        "import sys, contextlib, io, qbrgen.cli\n"
        "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
        "    qbrgen.cli.main(['--help'])\n"
        "print([m for m in ('qbrgen.i18n', 'babel.support', 'babel.messages') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def _english_messages(language: str) -> tuple[list[str], set[str]]:
    """The English message texts a deck in `language` must not contain: long literal parts of
    messages (a placeholder split), and whole short messages (which must not stand alone in a
    text box or cell). Messages the language writes the same (ARR, Support) are left out."""
    catalog = _catalog(language)
    parts: list[str] = []
    whole: set[str] = set()
    for message in catalog:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for english in ids:
            if english in strings:
                continue
            for literal in re.split(r"%\(\w+\)s", english):
                literal = literal.strip(" ,;:.()")
                if len(literal) >= 14 and " " in literal:
                    parts.append(literal)
            if "%(" not in english:
                whole.add(english)
    return parts, whole


def _account_strings(path: Path) -> set[str]:
    import yaml

    def walk(node: object) -> set[str]:
        if isinstance(node, str):
            return {node}
        if isinstance(node, dict):
            return set().union(*(walk(v) for v in node.values())) if node else set()
        if isinstance(node, list):
            return set().union(*(walk(v) for v in node)) if node else set()
        return set()

    return walk(yaml.safe_load(path.read_text(encoding="utf-8")))


def _deck_texts(path: Path) -> tuple[list[str], str, set[str | None]]:
    prs = Presentation(str(path))
    texts: list[str] = []
    tags: set[str | None] = set()
    for slide in prs.slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.extend(p.text for p in shape.text_frame.paragraphs)
            if shape.has_table:
                texts.extend(c.text for row in shape.table.rows for c in row.cells)
            if shape.has_chart:
                chart = shape.chart
                texts.append(chart.value_axis.axis_title.text_frame.text)
                texts.extend(s.name for s in chart.plots[0].series)
        if slide.has_notes_slide:
            texts.extend(slide.notes_slide.notes_text_frame.text.split("\n"))
        for element in [slide._element] + (
            [slide.notes_slide._element] if slide.has_notes_slide else []
        ):
            tags |= {r.get("lang") for r in element.iter(f"{A}rPr")}
    return texts, " \n ".join(texts), tags


@pytest.fixture(scope="module")
def decks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One deck per language, each for a customer whose `language` says so, in an English
    workspace (en_US, USD): the plan of the same account stays English."""
    root = tmp_path_factory.mktemp("i18n")
    out: dict[str, Path] = {}
    for language in LANGUAGES:
        ws = root / language
        ws.mkdir()
        shutil.copy(ROOT / "qbrgen.yaml", ws / "qbrgen.yaml")
        shutil.copytree(ROOT / "accounts", ws / "accounts")
        account = ws / "accounts" / f"{ACCOUNT}.yaml"
        text = account.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^owner: ", f"language: {language}\nowner: ", text, count=1)
        account.write_text(text, encoding="utf-8")
        run_cli("qbr", ACCOUNT, "--no-brief", "-w", str(ws), check=True)
        out[language] = next((ws / "output" / ACCOUNT).glob("*.pptx"))
    run_cli("plan", ACCOUNT, "-w", str(root / "de"), check=True)
    out["plan"] = next((root / "de" / "output" / ACCOUNT).glob("*account-plan*.pdf"))
    return out


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_deck_holds_no_untranslated_english(decks: dict[str, Path], language: str) -> None:
    texts, joined, tags = _deck_texts(decks[language])
    parts, whole = _english_messages(language)
    found = [p for p in parts if p in joined]
    data = _account_strings(ROOT / "accounts" / f"{ACCOUNT}.yaml")  # the customer's own words
    found += [t for t in texts if t.strip() in whole and t.strip() not in data]
    assert not found, f"{language}: English left in the deck: {found[:8]}"
    fmt = Formatter(locale_for("en_US", language), "USD", language=language)
    assert tags == {fmt.language_tag}
    assert fmt.translate("Figures as of %(date)s") != "Figures as of %(date)s"
    # the footer, a status word and a date in the customer's language and locale
    import datetime as dt

    assert (
        fmt.gettext("Figures as of %(date)s", date=fmt.date(dt.date(2026, 10, 15), "long"))
        in joined
    )
    assert fmt.label("mitigating", "risk_statuses") in texts
    assert fmt.money(180000) in joined
    # chart axes in the customer's locale: the one Excel format derived from the CLDR pattern
    axes = {
        shape.chart.value_axis.tick_labels.number_format
        for slide in Presentation(str(decks[language])).slides
        for shape in slide.shapes
        if shape.has_chart
    }
    assert fmt.excel_percent(0) in axes  # seat utilisation: '#,##0" "%' in German
    # the review quarter as the language writes it (CLDR), never qbrgen's own '2026-Q3'
    assert fmt.quarter("2026-Q3") in joined and "2026-Q3" not in joined


def test_english_decks_read_as_before(decks: dict[str, Path]) -> None:
    texts, joined, tags = _deck_texts(decks["en"])
    assert "Figures as of October 15, 2026" in joined
    assert "Mitigating" in texts and tags == {"en-US"}


def test_a_german_customers_deck_is_german_and_the_plan_stays_english(
    decks: dict[str, Path],
) -> None:
    from pypdf import PdfReader

    _, joined, _ = _deck_texts(decks["de"])
    assert "Stand der Zahlen: 15. Oktober 2026" in joined
    assert "Vielen Dank" in joined and "Gemeinsamer Aktionsplan".upper() in joined.upper()
    assert "180.000\u00a0$" in joined  # the workspace's currency in German figures
    plan = PdfReader(str(decks["plan"]))
    text = " ".join(page.extract_text() or "" for page in plan.pages)
    assert "Account plan" in text or "account plan" in text.lower()
    assert plan.trailer["/Root"]["/Lang"] == "en-US"


def test_an_unknown_language_is_refused_with_the_shipped_ones(tmp_path: Path) -> None:
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / "qbrgen.yaml").write_text("language: klingon\n", encoding="utf-8")
    (ws / "accounts").mkdir()
    result = run_cli("validate", "-w", str(ws))
    assert result.returncode != 0
    assert "unknown language 'klingon'; expected one of en, de, fr, es, ja" in result.stderr


# --- internal documents: the team's language ---------------------------------------------------

INTERNAL = ("plan", "brief")


@pytest.fixture(scope="module")
def internal_docs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    """The account plan and the prep brief of one account in each language, the workspace's
    `language` set to it (en_US figures, USD): internal documents follow the team."""
    root = tmp_path_factory.mktemp("internal")
    out: dict[tuple[str, str], Path] = {}
    for language in LANGUAGES:
        ws = root / language
        ws.mkdir()
        config = (ROOT / "qbrgen.yaml").read_text(encoding="utf-8")
        config = re.sub(r"(?m)^language: en\b", f"language: {language}", config)
        assert f"language: {language}" in config
        (ws / "qbrgen.yaml").write_text(config, encoding="utf-8")
        shutil.copytree(ROOT / "accounts", ws / "accounts")
        run_cli("plan", ACCOUNT, "-w", str(ws), check=True)
        run_cli("qbr", ACCOUNT, "-w", str(ws), check=True)
        run_cli("scorecard", "-w", str(ws), check=True)
        run_cli("digest", "-w", str(ws), check=True)
        folder = ws / "output" / ACCOUNT
        words = Formatter(language=language)
        out[(language, "plan")] = next(folder.glob(f"*-{file_word('account-plan', words)}-*.pdf"))
        out[(language, "brief")] = next(folder.glob(f"*{file_word('QBR-prep-brief', words)}*.pdf"))
        out[(language, "scorecard")] = next((ws / "output" / "portfolio").glob("*.xlsx"))
        out[(language, "digest")] = next((ws / "output" / "portfolio").glob("*.md"))
        out[(language, "digest-pdf")] = next((ws / "output" / "portfolio").glob("*.pdf"))
    return out


def _spaces(text: str) -> str:
    """Every run of white space (the locale's no-break and narrow no-break spaces included, as
    PDF text extraction does not keep them apart) as one space."""
    return re.sub(r"[\s\u00a0\u202f]+", " ", text)


def _pdf_text(path: Path) -> tuple[list[str], str, str, int]:
    """The PDF's lines, its whole text on one line, its /Lang and its page count."""
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    lines = [
        line.strip() for page in reader.pages for line in (page.extract_text() or "").split("\n")
    ]
    joined = _spaces(" ".join(lines))
    return lines, joined, str(reader.trailer["/Root"].get("/Lang", "")), len(reader.pages)


@pytest.mark.parametrize("document", INTERNAL)
@pytest.mark.parametrize("language", TRANSLATED)
def test_an_internal_document_is_in_the_teams_language(
    internal_docs: dict[tuple[str, str], Path], language: str, document: str
) -> None:
    import datetime as dt

    lines, joined, lang, pages = _pdf_text(internal_docs[(language, document)])
    parts, whole = _english_messages(language)
    data = _account_strings(ROOT / "accounts" / f"{ACCOUNT}.yaml")
    found = [p for p in parts if p in joined]
    found += [t for t in lines if t in whole and t not in data]
    assert not found, f"{language} {document}: English left: {found[:8]}"
    fmt = Formatter(locale_for("en_US", language), "USD", language=language)
    assert lang == fmt.language_tag  # the PDF's language is its text's
    # the page footer and the figures in the language's locale
    assert fmt.gettext("Page %(page)s of %(pages)s", page=1, pages=pages) in joined
    assert _spaces(fmt.money(180000)) in joined  # ARR
    assert _spaces(fmt.kpi(1.0, "nrr")) in joined  # NRR, 100.0% in the locale's pattern
    assert _spaces(fmt.date(dt.date(2027, 6, 30))) in joined  # the renewal date
    assert _spaces(fmt.quarter("2026-Q3")) in joined and "2026-Q3" not in joined
    if document == "plan":
        assert fmt.translate("Contents") in lines
        assert fmt.translate("Risk register") in joined
        assert (
            fmt.label("critical", "severities") in joined
            or fmt.label("high", "severities") in joined
        )
    else:
        assert fmt.translate("What to ask") in lines
        assert fmt.translate("Talking points, slide by slide") in joined


def test_an_english_team_reads_its_plan_as_before(
    internal_docs: dict[tuple[str, str], Path],
) -> None:
    lines, joined, lang, _ = _pdf_text(internal_docs[("en", "plan")])
    assert lang == "en-US" and "Contents" in lines and "Page 1 of" in joined
    assert "Risk register" in joined and "$180,000" in joined


def test_a_japanese_plan_counts_in_the_catalogs_words(
    internal_docs: dict[tuple[str, str], Path],
) -> None:
    _, joined, _, _ = _pdf_text(internal_docs[("ja", "plan")])
    assert "目次" in joined and "リスク一覧" in joined
    assert "active stakeholder" not in joined  # a counted unit from the catalog
    assert "アクティブなステークホルダー" in joined


def _workbook_texts(path: Path) -> tuple[list[str], dict[str, str], object]:
    """The workbook's text cells and chart titles, its number formats by cell and the book."""
    from openpyxl import load_workbook

    book = load_workbook(path)
    texts: list[str] = list(book.sheetnames)
    formats: dict[str, str] = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    texts.extend(cell.value.split("; "))
                elif cell.value is not None:
                    formats[f"{ws.title}!{cell.coordinate}"] = cell.number_format
        for table in ws.tables.values():
            texts.extend(c.name for c in table.tableColumns)
    with zipfile.ZipFile(path) as archive:  # chart titles and axis titles
        for name in archive.namelist():
            if name.startswith("xl/charts/chart"):
                xml = archive.read(name).decode("utf-8")
                texts.extend(re.findall(r"<a:t>([^<]*)</a:t>", xml))
    return texts, formats, book


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_scorecard_is_in_the_teams_language(
    internal_docs: dict[tuple[str, str], Path], language: str
) -> None:
    """Sheet names, headings, status words, definitions, chart titles in the team's language;
    money, percentages and dates as numbers and real dates in the locale's Excel formats; the
    workbook's language tag."""
    import datetime as dt

    from qbrgen.render.xlsx_scorecard import SHEETS

    path = internal_docs[(language, "scorecard")]
    texts, formats, book = _workbook_texts(path)
    fmt = Formatter(locale_for("en_US", language), "USD", language=language)
    parts, whole = _english_messages(language)
    data = set()
    for account in (ROOT / "accounts").glob("*.yaml"):
        data |= _account_strings(account)
    data |= {" ".join(t.split()) for t in data}  # notes as a cell holds them, on one line
    joined = " \n ".join(t for t in texts if t not in data)  # the accounts' own words aside
    found = [p for p in parts if p in joined]
    found += [t for t in texts if t.strip() in whole and t.strip() not in data]
    assert not found, f"{language} scorecard: English left: {found[:8]}"
    assert book.sheetnames == [fmt.translate(name) for name in SHEETS]  # type: ignore[attr-defined]
    assert fmt.translate("Summary") != "Summary"
    assert fmt.label("high", "severities") in texts or fmt.label("low", "severities") in texts
    assert fmt.translate("Active accounts by health band") in texts  # a chart's title
    assert fmt.quarter("2026-Q3") in texts and "2026-Q3" not in texts  # the review quarter
    iso = [t for t in texts if re.fullmatch(r"\d{4}-Q[1-4]", t)]
    assert not iso, iso  # the Renewals sheet's Quarter column too
    # numbers and dates in the locale's formats: money, ratios, real dates
    from qbrgen.render._scorecard_cells import pad_format

    used = set(formats.values())
    assert pad_format(fmt.excel_money("red")) in used
    assert pad_format(fmt.excel_format("ratio")) in used
    assert pad_format(fmt.excel_format("days")) in used  # its unit in the language's words
    accounts = book[fmt.translate("Accounts")]  # type: ignore[index]
    table = next(iter(accounts.tables.values()))
    first = int(re.sub(r"\D", "", table.ref.split(":")[0]))
    names = {accounts.cell(first, c).value: c for c in range(1, accounts.max_column + 1)}
    renewal = accounts.cell(first + 1, names[fmt.translate("Renewal date")])
    assert isinstance(renewal.value, dt.datetime | dt.date)
    assert renewal.number_format.startswith(fmt.excel_date())
    assert book.properties.language == fmt.language_tag  # type: ignore[attr-defined]


@pytest.mark.parametrize("language", TRANSLATED)
def test_the_digest_is_in_the_teams_language(
    internal_docs: dict[tuple[str, str], Path], language: str
) -> None:
    """The weekly review's Markdown and PDF: headings, list titles and reasons, verdicts, the
    week's facts and the charts' titles in the team's language, figures in its locale."""
    text = internal_docs[(language, "digest")].read_text(encoding="utf-8")
    lines, joined, lang, _ = _pdf_text(internal_docs[(language, "digest-pdf")])
    fmt = Formatter(locale_for("en_US", language), "USD", language=language)
    parts, whole = _english_messages(language)
    data: set[str] = set()
    for account in (ROOT / "accounts").glob("*.yaml"):
        data |= _account_strings(account)
    for name, body in (("markdown", text), ("pdf", joined)):
        for own in sorted(data, key=len, reverse=True):  # the accounts' own words
            body = body.replace(own, " ")
        found = [p for p in parts if p in body]
        assert not found, f"{language} digest {name}: English left: {found[:8]}"
    assert lang == fmt.language_tag
    for message in ("Weekly account review", "Needs action first", "Account by account"):
        assert fmt.translate(message) in text and fmt.translate(message) in joined
    assert (
        fmt.translate("Active accounts per health band, a quarter earlier and now: %(bands)s")[:20]
        in text
    )  # the chart's alt text
    assert f"**{fmt.translate('moved')}**" in text or f"**{fmt.translate('stalled')}**" in text
    assert fmt.quarter("2026-Q3") in text and "2026-Q3" not in text

    # the KPI engine's warning sentences, written in the team's language from its raw values
    assert fmt.translate("Next steps missing or overdue") in text
    english = ("no next step: the mutual", "stale record:", "next step overdue:")
    assert not [e for e in english if e in text]


def test_japanese_lines_break_between_phrases(decks: dict[str, Path]) -> None:
    """A line of Japanese breaks between phrases (BudouX), never inside a word or a number,
    and the closing slide's short title is sized to stay on one line (PowerPoint and
    LibreOffice would break it between any two characters: ありがとうござ|いました)."""
    from qbrgen.render._pptx_text import _tokens, metrics

    assert _tokens("ありがとうございました") == ["ありがとう", "ございました"]
    assert "2026年10月15日 " in _tokens("Figures as of 2026年10月15日 のレビュー")
    closing = Presentation(str(decks["ja"])).slides[-1]
    title = closing.shapes.title
    assert title is not None and title.text_frame.text == "ありがとうございました"
    size = title.text_frame.paragraphs[-1].runs[0].font.size.pt
    inner = (title.width - title.text_frame.margin_left - title.text_frame.margin_right) / 12700
    assert metrics("DejaVu Sans", True).text_width(title.text_frame.text, size) <= inner


def test_a_warning_never_repeats_its_title_in_any_language() -> None:
    """The plan writes a warning under its title: the sentence loses the title's words it
    starts with, whole titles in scripts without spaces too."""
    from qbrgen.kpis.definitions import WARNING_LABELS
    from qbrgen.kpis.results import KpiWarning, Param
    from qbrgen.render.pdf_plan import warning_detail

    warning = KpiWarning(
        "next_step_overdue", "", "", "next step overdue: '%(title)s' (%(owner)s) was due %(date)s",
        (("title", Param("text", "Call")), ("owner", Param("text", "Dana")),
         ("date", Param("date", __import__("datetime").date(2026, 10, 9)))),
    )  # fmt: skip
    for language in TRANSLATED:
        fmt = Formatter(locale_for("en_US", language), "USD", language=language)
        title = fmt.translate(WARNING_LABELS["next_step_overdue"])
        detail = warning_detail(title, warning.text(fmt))
        assert not detail.lower().startswith(title.lower()), (language, detail)
        assert "Call" in detail and "Dana" in detail


def test_internal_file_names_are_in_the_teams_language_and_a_change_is_a_rename(
    tmp_path: Path,
) -> None:
    """The words of internal documents' file names follow the team's language (the customer's
    deck keeps 'QBR', the same in every catalog); switching the language renames them, and the
    build lists the old files as stale ('replaced by ...'), keeps them until --prune."""
    ws = tmp_path / "ws"
    ws.mkdir()
    config = (ROOT / "qbrgen.yaml").read_text(encoding="utf-8")
    (ws / "qbrgen.yaml").write_text(config, encoding="utf-8")
    (ws / "accounts").mkdir()
    shutil.copy(ROOT / "accounts" / f"{ACCOUNT}.yaml", ws / "accounts")
    run_cli("build", "--only", "plan,scorecard", "-w", str(ws), check=True)
    english = sorted(p.name for p in (ws / "output").rglob("*") if p.suffix in (".pdf", ".xlsx"))
    assert english == ["Brackenridge-Telecom-account-plan-2026-Q3.pdf", "scorecard-2026-Q3.xlsx"]
    german = re.sub(r"(?m)^language: en\b", "language: de", config)
    (ws / "qbrgen.yaml").write_text(german, encoding="utf-8")
    result = run_cli("build", "--only", "plan,scorecard", "-w", str(ws), "--json", check=True)
    import json

    summary = json.loads(result.stdout)
    stale = {s["path"]: s["reason"] for s in summary["stale"]}
    assert set(stale) == {
        f"{ACCOUNT}/Brackenridge-Telecom-account-plan-2026-Q3.pdf",
        "portfolio/scorecard-2026-Q3.xlsx",
    }
    assert (
        "replaced by portfolio/Portfolio-Scorecard-2026-Q3.xlsx"
        in stale["portfolio/scorecard-2026-Q3.xlsx"]
    )  # a new name beyond case: macOS file names ignore case
    assert (ws / "output" / ACCOUNT / "Brackenridge-Telecom-Accountplan-2026-Q3.pdf").is_file()
    assert (ws / "output" / ACCOUNT / "Brackenridge-Telecom-account-plan-2026-Q3.pdf").is_file()


# --- hiring kits: the language of each run -----------------------------------------------------

KIT = "senior-regulated"
KIT_START = "2027-01-04"


@pytest.fixture(scope="module")
def kits(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Path]]:
    """One kit (with real accounts) in each language, `qbrgen kit --language` in an English
    workspace: language -> file role -> path."""
    from qbrgen.render.kits import output_names

    ws = tmp_path_factory.mktemp("kits") / "ws"
    ws.mkdir()
    shutil.copy(ROOT / "qbrgen.yaml", ws / "qbrgen.yaml")
    shutil.copytree(ROOT / "accounts", ws / "accounts")
    out: dict[str, dict[str, Path]] = {}
    for language in LANGUAGES:
        run_cli(
            "kit", "--seniority", "senior", "--industry", "regulated", "--start", KIT_START,
            "--portfolio", "--language", language, "-w", str(ws), check=True,
        )  # fmt: skip
        names = output_names(KIT, Formatter(language=language))
        out[language] = {role: ws / "output" / rel for role, rel in names.items()}
    return out


def _library_texts(language: str = "en") -> list[str]:
    """Every text of the built-in content library in `language`."""
    from qbrgen.kits import load_library
    from qbrgen.templates import Theme

    library = load_library(Theme(), language)
    texts: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, str):
            texts.append(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                if key not in ("id", "seniority", "industries", "pillar", "kind", "competency"):
                    walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for items in library.sections.values():
        for item in items.values():
            walk(item.model_dump())
    walk(library.company.model_dump())
    return texts


def _library_sentences() -> set[str]:
    """Every sentence (four words or more) of the built-in English content library."""
    sentences = set()
    for text in _library_texts():
        for sentence in re.split(r"(?<=[.;:!?])\s+|\s+\(|\)\s*", " ".join(text.split())):
            sentence = sentence.strip(" .;:,")
            if len(sentence.split()) >= 4 and sentence not in TERMS_OF_ART:
                sentences.add(sentence)
    return sentences


TERMS_OF_ART = {"Software as a Service"}
"""English phrases of the library a translated kit may keep (the market's own words)."""


def _kit_texts(files: dict[str, Path]) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Each file's lines and its whole text on one line (PDFs, Markdown, the tracker)."""
    lines: dict[str, list[str]] = {}
    joined: dict[str, str] = {}
    for role, path in files.items():
        if path.suffix == ".pdf":
            lines[role], joined[role], _, _ = _pdf_text(path)
        elif path.suffix == ".md":
            text = path.read_text(encoding="utf-8")
            lines[role] = [line.lstrip("#-* ").strip() for line in text.split("\n")]
            joined[role] = _spaces(text)
        else:
            texts, _, _ = _workbook_texts(path)
            lines[role] = [t.strip() for t in texts]
            joined[role] = _spaces(" \n ".join(texts))
    return lines, joined


@pytest.mark.parametrize("language", TRANSLATED)
def test_a_kit_is_in_its_language(kits: dict[str, dict[str, Path]], language: str) -> None:
    """No English catalog message and no sentence of the English content library in any of
    the kit's five files; the files' names, language tags, dates and drop-downs in the kit's
    language."""
    import datetime as dt

    from openpyxl import load_workbook
    from pypdf import PdfReader

    files = kits[language]
    assert all(path.is_file() for path in files.values()), files
    lines, joined = _kit_texts(files)
    parts, whole = _english_messages(language)
    data: set[str] = set()
    for account in (ROOT / "accounts").glob("*.yaml"):
        data |= _account_strings(account)  # the accounts the plan names, their owners
    english = _library_sentences()
    assert len(english) > 300
    # a word of the language that is also an English message ('Plan' in German) may end a
    # wrapped line of the content on its own: not a message left in English
    native = {w for text in _library_texts(language) for w in re.findall(r"\w+", text)}
    for role in files:
        body = joined[role]
        found = [p for p in parts if p in body]
        found += [t for t in lines[role] if t in whole and t not in data | native]
        found += [s for s in english if s in body]
        assert not found, f"{language} {files[role].name}: English left: {found[:8]}"

    fmt = Formatter(locale_for("en_US", language), "USD", language=language)
    for role in ("job_pdf", "guide", "plan"):
        assert str(PdfReader(files[role]).trailer["/Root"]["/Lang"]) == fmt.language_tag
    book = load_workbook(files["tracker"])
    assert book.properties.language == fmt.language_tag
    assert book.sheetnames == [fmt.translate(n) for n in ("Milestones", "Checks", "Accounts")]
    sheet = book.worksheets[0]
    statuses = next(
        v.formula1 for v in sheet.data_validations.dataValidation if str(v.sqref).startswith("H")
    )
    assert statuses.strip('"').split(",") == [
        fmt.translate(s) for s in ("Not started", "In progress", "Done", "Blocked")
    ]  # no comma inside a translated value
    # the file names' words, the dates and the plan's frame in the kit's language
    assert files["job_pdf"].stem == fmt.translate("job-description").replace(" ", "-")
    start = dt.date.fromisoformat(KIT_START)
    assert _spaces(fmt.date(start, "full")) in joined["plan"]
    assert _spaces(fmt.translate("Days 1-30: learn and shadow")) in joined["plan"]
    assert _spaces(fmt.translate("Scoring scale")) in joined["guide"]
    assert fmt.gettext("Page %(page)s of %(pages)s", page=1, pages=1)[:4] in joined["guide"]


def test_kit_file_names_and_job_titles_by_language(kits: dict[str, dict[str, Path]]) -> None:
    """English kits keep their folder and names; the others are in a folder of their
    language, named in it; German and French job adverts carry (m/w/d) and (H/F)."""
    names = {lang: sorted(p.relative_to(p.parents[2]).as_posix() for p in f.values())
             for lang, f in kits.items()}  # fmt: skip
    assert names["en"] == sorted(
        f"kits/{KIT}/{n}"
        for n in (
            "job-description.md",
            "job-description.pdf",
            "interview-guide.pdf",
            "onboarding-plan.pdf",
            "onboarding-tracker.xlsx",
        )  # fmt: skip
    )
    assert names["de"] == sorted(
        f"de/{KIT}/{n}"
        for n in (
            "Stellenanzeige.md",
            "Stellenanzeige.pdf",
            "Interviewleitfaden.pdf",
            "Einarbeitungsplan.pdf",
            "Einarbeitungs-Tracker.xlsx",
        )  # fmt: skip
    )
    assert kits["ja"]["job_pdf"].name == "募集要項.pdf"
    markdown = {lang: f["job_md"].read_text(encoding="utf-8") for lang, f in kits.items()}
    assert markdown["en"].startswith("# Senior Account Manager\n")
    assert markdown["de"].startswith("# Senior Account Manager (m/w/d)\n")
    assert markdown["fr"].startswith("# Senior Account Manager (H/F)\n")
    _, joined, _, _ = _pdf_text(kits["de"]["job_pdf"])
    assert "Senior Account Manager (m/w/d)" in joined
    from qbrgen.render import load_renderers

    kit = load_renderers(["kit"])["kit"]
    for language, files in kits.items():  # the candidate's file in every language
        assert kit.audience_of(files["job_pdf"].as_posix()) == "candidate", language
        assert kit.audience_of(files["guide"].as_posix()) == "internal", language


# --- 'n/a' reasons with dates --------------------------------------------------------------------


def test_a_dated_reason_is_written_in_the_readers_language() -> None:
    """A reason that carries a date is English (ISO dates) for the CLI, JSON and English
    documents, as before, and in the reader's language and locale elsewhere, nested reasons
    and the health components' names included; it survives the trip to a worker process."""
    import datetime as dt
    import pickle

    from qbrgen.kpis.reasons import Reason
    from qbrgen.labels import N_

    day = dt.date(2026, 7, 15)
    usage = Reason(N_("no usage period ending on or before %(date)s"), date=day)
    assert usage == "no usage period ending on or before 2026-07-15"
    german = Formatter("de_DE", language="de")
    assert german.translate(usage) == "kein Nutzungszeitraum, der am oder vor dem 15.07.2026 endet"
    assert Formatter("en_US").translate(usage) == usage
    back = pickle.loads(pickle.dumps(usage))
    assert back == usage and german.translate(back) == german.translate(usage)

    names = ("Ana", "Bo", "Cy", "Di", "Ed")
    contacts = Reason(
        N_("contacts on %(date)s unknown for %(names)s (last contact later, no logged touch then)"),
        date=day,
        names=names,
    )
    nested = Reason(
        N_("no health component comparable with one quarter earlier (%(date)s): %(detail)s"),
        date=day,
        detail=(
            ("engagement", contacts),
            ("outcomes", N_("goal statuses have no dated history")),
        ),
    )
    assert str(nested) == (
        "no health component comparable with one quarter earlier (2026-07-15): engagement: "
        "contacts on 2026-07-15 unknown for Ana, Bo, Cy and 2 more (last contact later, no "
        "logged touch then); outcomes: goal statuses have no dated history"
    )
    for language in TRANSLATED:
        fmt = Formatter(locale_for("en_US", language), language=language)
        text = fmt.translate(pickle.loads(pickle.dumps(nested)))
        assert "2026-07-15" not in text and "unknown for" not in text, text
        assert fmt.date(day) in text and "Ana" in text and "Bo" in text
        assert fmt.label("engagement", "components") in text
        assert fmt.translate("goal statuses have no dated history") in text


def test_the_kpi_engine_gives_dated_reasons_their_values() -> None:
    from qbrgen.kpis.reasons import Reason
    from qbrgen.run import open_run

    run = open_run(ROOT)
    reason = run.report.accounts["fernbrook-media"].reasons["adoption_trend"]
    assert isinstance(reason, Reason)
    assert reason == (
        "no usage period since 2026-07-15: both dates fall on the period ending 2026-06-30"
    )
    fmt = Formatter("ja_JP", language="ja")
    assert fmt.translate(reason) == (
        "2026/07/15以降の利用期間なし（両日付とも2026/06/30に終了する期間に含まれます）"
    )


@pytest.mark.parametrize("language", TRANSLATED)
def test_designed_decks_write_quarters_and_series_in_the_language(language: str) -> None:
    """A designed deck's seats chart and quarter table rows: quarters as the language writes
    them (CLDR), never qbrgen's '2026-Q3'; the series named in the language."""
    from qbrgen.render._designed_rules import _quarters
    from qbrgen.render.pptx_designed import seats_chart
    from qbrgen.run import open_run

    run = open_run(ROOT)
    item = next(i for i in run.accounts if i.account.id == ACCOUNT)
    series = run.report.accounts[ACCOUNT].series
    ctx = {"account": item.account, "periods": run.report.periods, "series": series}
    fmt = Formatter(locale_for("en_US", language), language=language)
    chart = seats_chart(ctx, fmt)
    expected = [fmt.quarter(q) for q in run.report.periods.recent_quarters(5)]
    assert chart.categories == expected  # type: ignore[union-attr]
    assert not [c for c in chart.categories if re.fullmatch(r"\d{4}-Q[1-4]", c)]  # type: ignore[union-attr]
    names = [name for name, _ in chart.series]  # type: ignore[union-attr]
    assert names == [
        fmt.translate(n) for n in ("Active users", "Licensed seats", "Seat utilisation")
    ]
    assert "Active users" not in names
    assert [row["quarter"] for row in _quarters(ctx, fmt)] == [
        fmt.quarter(q) for q in series["quarters"]
    ]
