"""Reading exports without guessing: the text encoding of a file, and the date order and decimal
separator of each column, decided from every value, never from the workspace locale.

- Encodings: a byte-order mark (UTF-8, UTF-16) wins; text that is valid UTF-8 is UTF-8; anything
  else is detected by charset-normalizer among the encodings spreadsheets and CRMs write
  (Windows-1252, Shift_JIS/cp932, GB18030, EUC-KR/cp949, UTF-16). Bytes the encoding cannot
  read are an error naming the line, never replaced.
- Dates: `2025-01-12` and `2025/01/12` are year first; `12.01.2025` is day first (no country
  writes month.day.year); `1/12/2025` is month-first or day-first, and the column decides: if
  only one order fits every value it is used, if both fit, the column is ambiguous.
- Numbers: `1,234.56` or `1.234,56`; a column whose values read both ways (`142,500`) is
  ambiguous. Whole-number columns (seats, employees) read `2,400` as two thousand four hundred.
"""

from __future__ import annotations

import codecs
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

# ---------------------------------------------------------------------------------------------
# Encodings

DETECTABLE = ("cp1252", "cp932", "gb18030", "cp949", "utf_16")
"""What the detector chooses among (supersets of Latin-1, Shift_JIS, GB2312/GBK and EUC-KR)."""

_NAMES = {
    "utf-8": "UTF-8",
    "utf-8-sig": "UTF-8 with BOM",
    "utf-16": "UTF-16",
    "utf-16-le": "UTF-16 LE",
    "utf-16-be": "UTF-16 BE",
    "cp1252": "Windows-1252",
    "cp932": "Shift_JIS (cp932)",
    "shift_jis": "Shift_JIS",
    "gb18030": "GB18030",
    "cp949": "EUC-KR (cp949)",
    "euc_kr": "EUC-KR",
    "latin-1": "Latin-1",
    "iso8859-1": "Latin-1",
}


class EncodingError(Exception):
    """Bytes that cannot be read as text; the message is one line and names the line."""


def encoding_label(name: str) -> str:
    """A reader's name for an encoding ('cp932' → 'Shift_JIS (cp932)')."""
    return _NAMES.get(codecs.lookup(name).name, name)


def check_encoding(name: str) -> str:
    """The codec name for a user's `--encoding`; ValueError for an unknown one."""
    try:
        return codecs.lookup(name).name
    except LookupError:
        raise ValueError(
            f"unknown encoding '{name}' (e.g. utf-8, cp1252, shift_jis, gb18030, euc-kr, utf-16)"
        ) from None


def decode_text(raw: bytes, encoding: str | None = None) -> tuple[str, str, bool]:
    """(text, encoding, detected?) of a file's bytes. `encoding` forces one (a BOM is still
    removed). Raises EncodingError naming the first line that cannot be read."""
    if encoding is not None:
        name = check_encoding(encoding)
        if name == "utf-8" and raw.startswith(codecs.BOM_UTF8):
            name = "utf-8-sig"
        return _strict(raw, name), name, False
    if raw.startswith(codecs.BOM_UTF8):
        return _strict(raw, "utf-8-sig"), "utf-8-sig", True
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return _strict(raw, "utf-16"), "utf-16", True
    bare16 = _bare_utf16(raw)
    if bare16:
        return _strict(raw, bare16), bare16, True
    try:
        return raw.decode("utf-8"), "utf-8", True
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw, cp_isolation=list(DETECTABLE)).best()
    if best is None:
        raise EncodingError(
            "cannot tell the text encoding (not UTF-8, Windows-1252, Shift_JIS, GB18030, "
            "EUC-KR or UTF-16); pass --encoding"
        )
    name = codecs.lookup(best.encoding).name
    return _strict(raw, name), name, True


def _bare_utf16(raw: bytes) -> str | None:
    """UTF-16 without a byte-order mark: every other byte of ASCII text is zero."""
    sample = raw[:4096]
    if len(sample) < 8 or sample.count(0) < len(sample) // 3:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd > len(sample) // 3 and even < odd // 4:
        return "utf-16-le"
    if even > len(sample) // 3 and odd < even // 4:
        return "utf-16-be"
    return None


def _strict(raw: bytes, name: str) -> str:
    try:
        return raw.decode(name)
    except UnicodeDecodeError as exc:
        before = raw[: exc.start].decode(name, errors="replace")
        line = before.count("\n") + 1
        bad = raw[exc.start : min(exc.end, exc.start + 4)].hex(" ")
        raise EncodingError(
            f"line {line}: bytes {bad} cannot be read as {encoding_label(name)}; "
            "pass the file's real encoding with --encoding"
        ) from exc


# ---------------------------------------------------------------------------------------------
# Dates

ORDERS = ("YMD", "MDY", "DMY")
_ORDER_WORDS = {"YMD": "year first", "MDY": "month first", "DMY": "day first"}
_DATE = re.compile(
    r"(?P<a>\d{1,4})(?P<sep>[./\-])(?P<b>\d{1,2})(?P=sep)(?P<c>\d{1,4})\.?"
    r"(?:[ T]+(?P<time>\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?"
    r"\s*(?P<zone>Z|[+-]\d{2}:?\d{2}|[A-Z]{2,5})?)?"
)
_WORDY = (
    "%d-%b-%Y",
    "%d-%b-%y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%b %d %Y",
)


@dataclass(frozen=True)
class DateFormat:
    """How a column's dates are written: an order of day, month and year, or a strptime pattern."""

    order: str | None = None
    pattern: str | None = None

    def describe(self) -> str:
        if self.pattern:
            return self.pattern
        return {"YMD": "YYYY-MM-DD", "MDY": "M/D/YYYY", "DMY": "D/M/YYYY"}.get(self.order or "", "")


def parse_date_format(text: str) -> DateFormat:
    """`--date-format` / a mapping's `date_format`: 'MM/DD/YYYY', 'DD.MM.YYYY', 'YYYY-MM-DD',
    'MDY', 'DMY', 'YMD', or a strptime pattern like '%d/%m/%Y'. ValueError otherwise."""
    value = text.strip()
    if "%" in value:
        try:
            dt.datetime.strptime(dt.date(2001, 2, 3).strftime(value), value)
        except ValueError:
            raise ValueError(f"date format '{text}' is not a valid strptime pattern") from None
        return DateFormat(pattern=value)
    letters = re.sub(r"[^DMY]", "", value.upper())
    order = "".join(dict.fromkeys(letters))
    if order in ORDERS:
        return DateFormat(order=order)
    raise ValueError(
        f"unknown date format '{text}'; use MM/DD/YYYY, DD/MM/YYYY, DD.MM.YYYY, YYYY-MM-DD "
        "or a pattern like %d/%m/%Y"
    )


def _year(text: str) -> int:
    year = int(text)
    return year + 2000 if len(text) <= 2 else year


def _clock(match: re.Match[str]) -> dt.time | None:
    """The time of day of a date-time match (None when the text has none); ValueError if bad."""
    text = match.group("time")
    if not text:
        return None
    parts = text.replace(",", ".").split(":")
    hour, minute = int(parts[0]), int(parts[1])
    second = float(parts[2]) if len(parts) > 2 else 0.0
    ampm = (match.group("ampm") or "").replace(".", "").upper()
    if ampm:
        if not 1 <= hour <= 12:
            raise ValueError(text)
        hour = hour % 12 + (12 if ampm == "PM" else 0)
    return dt.time(hour, minute, int(second), int(round((second % 1) * 1_000_000)) % 1_000_000)


def _fits(match: re.Match[str], order: str) -> dt.date | None:
    a, b, c = match.group("a"), match.group("b"), match.group("c")
    try:
        if order == "YMD":
            if len(a) != 4:
                return None
            return dt.date(int(a), int(b), int(c))
        if len(a) > 2 or len(c) not in (2, 4):
            return None
        if order == "MDY":
            return dt.date(_year(c), int(a), int(b))
        return dt.date(_year(c), int(b), int(a))
    except ValueError:
        return None


def date_orders(text: str) -> tuple[str, ...] | None:
    """The orders a date text fits: ('YMD',) for ISO, ('MDY', 'DMY') for 1/2/2025, ('MDY',)
    for 3/30/2026, () for a date in no order (13/13/2025); None when it is no date at all
    (left to the model to report)."""
    text = text.strip()
    if _iso(text) is not None:
        return ("YMD",)
    if _wordy(text) is not None:
        return ("YMD", "MDY", "DMY")  # month names: no order question
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    try:
        _clock(match)
    except ValueError:
        return ()
    if len(match.group("a")) == 4:
        return ("YMD",) if _fits(match, "YMD") else ()
    candidates = ("DMY",) if match.group("sep") == "." else ("MDY", "DMY")
    return tuple(order for order in candidates if _fits(match, order))


def _iso(text: str) -> dt.date | dt.datetime | None:
    if not re.match(r"\d{4}-\d{2}-\d{2}", text):
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    try:
        return dt.datetime.fromisoformat(text.replace(" ", "T", 1))
    except ValueError:
        return None


def _wordy(text: str) -> dt.datetime | None:
    for pattern in _WORDY:
        try:
            return dt.datetime.strptime(text, pattern)
        except ValueError:
            continue
    return None


def read_date(text: str, fmt: DateFormat | None) -> dt.date | dt.datetime | None:
    """A date (or a date and time) from export text in format `fmt` (None: the text must
    fit one order by itself). None when it cannot be read that way."""
    text = text.strip()
    if fmt is not None and fmt.pattern:
        for pattern in (fmt.pattern, fmt.pattern + " %H:%M", fmt.pattern + " %H:%M:%S"):
            try:
                stamp = dt.datetime.strptime(text, pattern)
            except ValueError:
                continue
            return stamp.date() if pattern == fmt.pattern else stamp
        return _iso(text)
    iso = _iso(text)
    if iso is not None:
        return iso
    wordy = _wordy(text)
    if wordy is not None:
        return wordy.date()
    match = _DATE.fullmatch(text)
    if match is None:
        return None
    orders = date_orders(text) or ()
    if fmt is not None and fmt.order is not None and fmt.order in orders:
        order = fmt.order
    elif len(orders) == 1:
        order = orders[0]
    else:
        return None
    day = _fits(match, order)
    if day is None:
        return None
    try:
        clock = _clock(match)
    except ValueError:
        return None
    if clock is None:
        return day
    if match.group("zone"):
        return None  # a zone we cannot resolve: leave it to the model's message
    return dt.datetime.combine(day, clock)


class AmbiguousColumn(Exception):
    """A column whose values read more than one way; the message names two examples."""

    def __init__(self, message: str, examples: Sequence[str]):
        super().__init__(message)
        self.examples = list(examples)


def decide_date_format(values: Iterable[str]) -> DateFormat | None:
    """The one date order every value of a column fits (None when no value needs one).
    Raises AmbiguousColumn when both month-first and day-first fit every value, or when
    some values fit only one and others only the other."""
    fits = {"MDY": True, "DMY": True}
    only: dict[str, str] = {}
    ambiguous: list[str] = []
    for text in values:
        orders = date_orders(text)
        if orders is None or not orders or orders == ("YMD",) or len(orders) == 3:
            continue  # ISO, month names, or not a date: no order question
        for order in fits:
            if order not in orders:
                fits[order] = False
        if len(orders) == 1:
            only.setdefault(orders[0], text)
        elif text not in ambiguous:
            ambiguous.append(text)
    if fits["MDY"] and fits["DMY"]:
        if not ambiguous:
            return None
        examples = ambiguous[:2]
        raise AmbiguousColumn(
            "dates read both month-first and day-first "
            f"({' and '.join(repr(e) for e in examples)}); give the order with --date-format "
            "MM/DD/YYYY or DD/MM/YYYY (or date_format in a mapping)",
            examples,
        )
    if not fits["MDY"] and not fits["DMY"]:
        if "MDY" in only and "DMY" in only:
            examples = [only["MDY"], only["DMY"]]
            raise AmbiguousColumn(
                f"dates mix month-first ({examples[0]!r}) and day-first ({examples[1]!r}); "
                "correct the export or give the order with --date-format",
                examples,
            )
        return None
    return DateFormat(order="MDY" if fits["MDY"] else "DMY")


def describe_order(fmt: DateFormat) -> str:
    return _ORDER_WORDS.get(fmt.order or "", fmt.describe())


# ---------------------------------------------------------------------------------------------
# Numbers

_CURRENCY = re.compile(
    r"^(?:[A-Z]{3}\s*|[$€£¥₩₹]\s*|[A-Z]{1,3}\$\s*)|(?:\s*[A-Z]{3}|\s*[$€£¥₩₹]|\s*円|\s*元|\s*원)$"
)
_GROUPED = re.compile(r"\d{1,3}(?:[,.]\d{3})+")


def _clean_number(text: str) -> str | None:
    """Digits with at most '.' and ',' left in (sign kept); None when it is not a number."""
    value = text.strip().replace("\u00a0", " ").replace("\u202f", " ")
    negative = value.startswith("(") and value.endswith(")")
    if negative:
        value = value[1:-1].strip()
    for _ in range(2):
        value = _CURRENCY.sub("", value).strip()
    if value.startswith(("-", "+", "−")):
        negative = negative or value[0] in "-−"
        value = value[1:].strip()
        value = _CURRENCY.sub("", value).strip()
    value = re.sub(r"(?<=\d)[ '’](?=\d{3}\b)", "", value)
    if not re.fullmatch(r"\d[\d.,]*|[.,]\d+", value):
        return None
    return ("-" if negative else "") + value


def decimal_marks(text: str, whole: bool = False) -> tuple[str, ...] | None:
    """The decimal separators a number text fits: ('.',), (',',), both, () for no reading;
    None when it is not a number. `whole`: the column holds whole numbers, so '2,400' is
    grouped thousands."""
    value = _clean_number(text)
    if value is None:
        return None
    digits = value.lstrip("-")
    dots, commas = digits.count("."), digits.count(",")
    if not dots and not commas:
        return (".", ",")
    if dots and commas:
        mark = "." if digits.rfind(".") > digits.rfind(",") else ","
        group = "," if mark == "." else "."
        head = digits.rsplit(mark, 1)[0]
        if digits.count(mark) > 1 or not _GROUPED.fullmatch(head):
            return ()
        return (mark,) if group in head else ()
    sep = "." if dots else ","
    other = "," if sep == "." else "."
    if digits.count(sep) > 1:
        return (other,) if _GROUPED.fullmatch(digits) else ()
    head, tail = digits.split(sep)
    if len(tail) == 3 and head and len(head) <= 3 and head != "0":
        return (other,) if whole else (".", ",")
    return (sep,)


def read_number(text: str, mark: str | None) -> Decimal | None:
    """The number in `text` with decimal separator `mark` (None: the text must be
    unambiguous by itself)."""
    value = _clean_number(text)
    if value is None:
        return None
    marks = decimal_marks(text)
    if not marks:
        return None
    if mark is None:
        if len(marks) != 1 and ("." in value or "," in value):
            return None
        mark = marks[0]
    elif mark not in marks:
        return None
    group = "," if mark == "." else "."
    value = value.replace(group, "").replace(mark, ".")
    try:
        return Decimal(value)
    except InvalidOperation:
        return None


def parse_decimal_mark(text: str) -> str:
    """`--decimal-separator`: '.' or ',' (also 'dot', 'comma'). ValueError otherwise."""
    value = {"dot": ".", "point": ".", "period": ".", "comma": ","}.get(
        text.strip().casefold(), text.strip()
    )
    if value not in (".", ","):
        raise ValueError(f"decimal separator must be '.' or ',', got '{text}'")
    return value


def decide_decimal_mark(values: Iterable[str], whole: bool = False) -> str | None:
    """The decimal separator every number of a column fits (None when no value needs one).
    Raises AmbiguousColumn when both fit every value and some value reads both ways."""
    fits = {".": True, ",": True}
    only: dict[str, str] = {}
    ambiguous: list[str] = []
    for text in values:
        marks = decimal_marks(text, whole)
        if not marks or marks == (".", ",") and not re.search(r"[.,]", text):
            continue
        for mark in fits:
            if mark not in marks:
                fits[mark] = False
        if len(marks) == 1:
            only.setdefault(marks[0], text)
        elif text not in ambiguous:
            ambiguous.append(text)
    if fits["."] and fits[","]:
        if not ambiguous:
            return None
        examples = (ambiguous + ambiguous)[:2] if len(ambiguous) == 1 else ambiguous[:2]
        raise AmbiguousColumn(
            f"numbers read with '.' or ',' as the decimal separator "
            f"({' and '.join(repr(e) for e in dict.fromkeys(examples))}); "
            "give it with --decimal-separator . or , (or decimal_separator in a mapping)",
            examples,
        )
    if not fits["."] and not fits[","]:
        if "." in only and "," in only:
            examples = [only["."], only[","]]
            raise AmbiguousColumn(
                f"numbers mix '.' ({examples[0]!r}) and ',' ({examples[1]!r}) as the decimal "
                "separator; correct the export or give it with --decimal-separator",
                examples,
            )
        return None
    return "." if fits["."] else ","
