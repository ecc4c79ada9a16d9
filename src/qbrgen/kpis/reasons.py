"""'n/a' reasons that carry values (a date, names, the reasons of parts): the English sentence
as the string itself (what the CLI, JSON and English documents show, as before), and the
catalog's message with the raw values, so a document writes it in its reader's language and
locale (`Formatter.translate` calls `localized`). Fixed reasons stay plain strings marked with
`N_`. The engine needs no catalog and no renderer."""

from __future__ import annotations

import datetime as dt
from typing import Any

NAMES_SHOWN = 3
"""Names a reason lists before '... and N more'."""


def english_names(names: tuple[str, ...]) -> str:
    """'Ana, Bo, Cy and 2 more' (the engine's English)."""
    shown = ", ".join(names[:NAMES_SHOWN])
    more = len(names) - NAMES_SHOWN
    return shown + (f" and {more} more" if more > 0 else "")


class Reason(str):
    """An 'n/a' reason with values: `Reason(N_("no usage period since %(date)s"),
    date=earlier)`. Values are dates (ISO in English), names (a tuple of str), other reasons
    (a str or Reason, translated in turn) or component reasons ((component, reason) pairs,
    'engagement: ...; support: ...' in English, the components' labels elsewhere)."""

    template: str
    values: tuple[tuple[str, Any], ...]

    def __new__(cls, template: str, **values: Any) -> Reason:
        english = template % {name: _english(value) for name, value in values.items()}
        made = super().__new__(cls, english)
        made.template = template
        made.values = tuple(values.items())
        return made

    def __reduce__(self) -> tuple[Any, ...]:  # pickled into worker processes with a Job
        return (_rebuild, (self.template, self.values))

    def localized(self, fmt: Any) -> str:
        """The reason in `fmt`'s language (its catalog) and locale; English as written."""
        if fmt.language == "en":
            return str(self)
        values = {name: _text(value, fmt) for name, value in self.values}
        return str(fmt.translate(self.template)) % values


def _rebuild(template: str, values: tuple[tuple[str, Any], ...]) -> Reason:
    return Reason(template, **dict(values))


def _english(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):
        return "; ".join(f"{part}: {why}" for part, why in value)
    if isinstance(value, tuple):
        return english_names(value)
    return str(value)


def _text(value: Any, fmt: Any) -> str:
    if isinstance(value, dt.date):
        return str(fmt.date(value))
    if isinstance(value, tuple) and value and isinstance(value[0], tuple):
        return "; ".join(
            f"{fmt.label(part, 'components')}: {fmt.translate(why)}" for part, why in value
        )
    if isinstance(value, tuple):
        shown = list(value[:NAMES_SHOWN])
        more = len(value) - NAMES_SHOWN
        if more > 0:
            shown.append(fmt.ngettext("%(num)s more", "%(num)s more", more))
        return str(fmt.join(shown))
    return str(fmt.translate(value))
