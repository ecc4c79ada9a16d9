"""The words of documents in the reader's language: gettext catalogs, compiled with Babel.

Every word qbrgen writes into a document is an English message id, translated through the
catalog of the document's language (`src/qbrgen/locale/<lang>/LC_MESSAGES/qbrgen.po`): Python
code through `Formatter.gettext`/`ngettext`, templates through `jinja2.ext.i18n` (`{% trans %}`,
`_()`), plural forms from the catalog's own rule. A catalog is read and compiled (Babel's
`read_po`, `write_mo`) the first time a document in its language is made, never at import:
`qbrgen --help` loads none. CLI messages stay English.

`python -m qbrgen.i18n` extracts every message (Python, HTML/Markdown templates and the
deck's YAML template) into `messages.pot` and updates each catalog with the new ids.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from babel.support import Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "qbrgen"
SOURCE_LANGUAGE = "en"
LANGUAGES = ("en", "de", "fr", "es", "ja")
"""The languages qbrgen ships complete catalogs for."""
DEFAULT_LOCALES = {"en": "en_US", "de": "de_DE", "fr": "fr_FR", "es": "es_ES", "ja": "ja_JP"}


def catalog_path(language: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


@lru_cache(maxsize=16)
def translations(language: str) -> Translations:
    """The compiled catalog of `language` (English, or a language without a catalog: the
    message ids themselves, with English plural rules)."""
    from babel.support import NullTranslations, Translations

    path = catalog_path(language)
    if language == SOURCE_LANGUAGE or not path.is_file():
        return NullTranslations()  # type: ignore[return-value]
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def locale_for(locale: str, language: str) -> str:
    """The locale of numbers and dates for text in `language`: the workspace's when it speaks
    that language (de_CH for German in a Swiss workspace) or the text is English (the source
    language keeps the workspace's figures: English words, German dates, as before any
    catalog), else the language in the workspace's country when CLDR knows it (fr_CH), else
    the language's default (de_DE)."""
    from babel import Locale, UnknownLocaleError

    if locale.split("_")[0] == language or language == SOURCE_LANGUAGE:
        return locale
    territory = locale.split("_")[1] if "_" in locale else ""
    if territory:
        try:
            found = Locale.parse(f"{language}_{territory}")
            if found.territory == territory:
                return f"{language}_{territory}"
        except (UnknownLocaleError, ValueError):
            pass
    return DEFAULT_LOCALES.get(language, language)


# --- extraction ------------------------------------------------------------------------------


def _deck_yaml_strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _deck_yaml_strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from _deck_yaml_strings(value)


def extract_deck_yaml(
    fileobj: Any, keywords: Any, comment_tags: Any, options: dict[str, Any]
) -> Iterator[tuple[int, str, Any, list[str]]]:
    """Babel extractor for the deck's YAML template: each string is Jinja, read with
    jinja2's own extractor (line numbers are the string's position in the file)."""
    import yaml
    from jinja2.ext import babel_extract

    text = fileobj.read().decode("utf-8")
    for source in _deck_yaml_strings(yaml.safe_load(text)):
        if not any(mark in source for mark in ("_(", "gettext(", "trans")):
            continue
        line = text[: text.find(source.splitlines()[0])].count("\n") + 1 if source else 1
        for lineno, funcname, message, comments in babel_extract(
            io.BytesIO(source.encode()), keywords, comment_tags, {"trimmed": "true"}
        ):
            yield line + lineno - 1, funcname, message, comments


def extract_all(root: Path | None = None) -> Any:
    """Every message of the package: a Babel catalog (the template of every translation)."""
    from babel.messages.catalog import Catalog
    from babel.messages.extract import extract_from_dir

    root = root or Path(__file__).parent
    catalog = Catalog(project="qbrgen", domain=DOMAIN, fuzzy=False)
    method_map = [
        ("**/templates/deck/*.yaml", "qbrgen.i18n:extract_deck_yaml"),
        ("**/templates/**.html", "jinja2.ext:babel_extract"),
        ("**/templates/**.j2", "jinja2.ext:babel_extract"),
        ("**/scaffold/**", "ignore"),
        ("**.py", "python"),
    ]
    options = {
        "**/templates/**.html": {"trimmed": "true"},
        "**/templates/**.j2": {"trimmed": "true"},
    }
    for filename, lineno, message, comments, context in extract_from_dir(
        str(root), method_map, options, keywords={**_KEYWORDS}, strip_comment_tags=True
    ):
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    for message in data_messages():
        catalog.add(message, None, [("kpis/definitions.py", 0)])
    for singular, plural in unit_messages():
        catalog.add((singular, plural), None, [("formatting.py", 0)], flags=["python-format"])
    return catalog


def unit_messages() -> list[tuple[str, str]]:
    """('%(num)s active stakeholder', '%(num)s active stakeholders'): the counted units of
    the KPIs that are counts, as `Formatter.kpi` asks the catalog for them."""
    from qbrgen.formatting import _plural_unit
    from qbrgen.kpis.definitions import DEFINITIONS, SUPPORTING_DEFINITIONS

    units = sorted({d.unit for d in (*DEFINITIONS, *SUPPORTING_DEFINITIONS) if d.unit})
    return [(f"%(num)s {unit}", f"%(num)s {_plural_unit(unit)}") for unit in units]


def data_messages() -> list[str]:
    """The words documents show from data tables rather than from a `_()` call: every KPI's
    label and definition, the health components' definitions, the warnings' titles, the
    sentiment period and what a first run says."""
    from qbrgen.history import FIRST_RUN
    from qbrgen.kpis.definitions import (
        DEFINITIONS,
        HEALTH_COMPONENT_DEFINITIONS,
        SENTIMENT_PERIOD,
        SUPPORTING_DEFINITIONS,
        WARNING_LABELS,
    )

    out: list[str] = []
    for definition in (*DEFINITIONS, *SUPPORTING_DEFINITIONS):
        out += [definition.label, definition.definition]
    out += list(HEALTH_COMPONENT_DEFINITIONS.values()) + list(WARNING_LABELS.values())
    out += [SENTIMENT_PERIOD, FIRST_RUN]
    return out


_KEYWORDS: dict[str, Any] = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "N_": None,
    "NP_": (1, 2),
    "pgettext": ((1, "c"), 2),
    "translate_context": ((1, "c"), 2),
    "translate": None,
}


def update_catalogs() -> list[Path]:
    """Write messages.pot and merge new ids into every shipped catalog (translations kept)."""
    from babel.messages.pofile import read_po, write_po

    template = extract_all()
    written = []
    with (LOCALE_DIR / "messages.pot").open("wb") as out:
        write_po(out, template, omit_header=True, sort_output=True, no_location=True)
    for language in LANGUAGES:
        if language == SOURCE_LANGUAGE:
            continue
        path = catalog_path(language)
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=language, domain=DOMAIN)
        else:
            from babel.messages.catalog import Catalog

            catalog = Catalog(locale=language, domain=DOMAIN, fuzzy=False)
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as out:
            write_po(out, catalog, sort_output=True, no_location=True, ignore_obsolete=True)
        written.append(path)
    return written


if __name__ == "__main__":  # pragma: no cover - a maintainer's tool
    for path in update_catalogs():
        print(path)
