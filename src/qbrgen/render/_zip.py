"""Byte-reproducible packages: every zip-based file qbrgen writes (.pptx, .xlsx, and the
workbooks embedded in a deck's charts) goes through `normalise_zip`.

python-pptx, openpyxl and xlsxwriter stamp each zip entry with the time of the save and the
core properties (`docProps/core.xml`) with the time of the run, so the same inputs gave
different bytes every time. Normalised, a package carries one timestamp, `document_time`
(the as-of date, or `SOURCE_DATE_EPOCH`), in every entry header and in its created and
modified properties; its entries come in a fixed order ([Content_Types].xml first, then by
name) with fixed attributes. Entry data the library deflated is copied as it is (zlib gives the
same stream for the same bytes), so normalising costs a copy, not a second compression; only
an entry whose bytes change (the core properties, an embedded package) is deflated again, at
level 6, zlib's default.

Renderers call it on what the library saved:

    data = normalise_zip(buffer.getvalue(), env.stamp)
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import struct
import zipfile
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

EMBEDDED_PACKAGES = (".xlsx", ".xlsm", ".pptx", ".docx")
"""Entries that are themselves packages (a chart's workbook inside a deck): normalised too."""
CORE_PROPERTIES = "docProps/core.xml"
FIRST = ("[Content_Types].xml", "_rels/.rels")
"""Entries written first, in this order (readers that sniff a package look there)."""
_CORE_DATE = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")
_ZIP64_LIMIT = 0xFFFFFFFF


def document_time(as_of: dt.date, environ: Mapping[str, str] = os.environ) -> dt.datetime:
    """The one timestamp every file of a run carries (zip entries, created and modified
    properties, PDF dates, font subsets): `SOURCE_DATE_EPOCH` when the environment sets it
    (the reproducible-builds convention, seconds since 1970 UTC), else midnight UTC of the
    as-of date, so the same inputs give the same bytes on any day."""
    raw = environ.get("SOURCE_DATE_EPOCH", "").strip()
    if raw.isdigit():
        return dt.datetime.fromtimestamp(int(raw), dt.UTC)
    return dt.datetime.combine(as_of, dt.time(0, 0), dt.UTC)


def epoch(stamp: dt.datetime) -> int:
    """`stamp` as SOURCE_DATE_EPOCH (whole seconds since 1970 UTC)."""
    return int(stamp.timestamp())


def _dos_time(stamp: dt.datetime) -> tuple[int, int]:
    """(date, time) fields of a zip header; zip cannot hold dates before 1980 or after 2107."""
    utc = stamp.astimezone(dt.UTC)
    if utc.year < 1980:
        return (1 << 5) | 1, 0
    if utc.year > 2107:
        utc = utc.replace(year=2107, month=12, day=31, hour=23, minute=59, second=58)
    date = ((utc.year - 1980) << 9) | (utc.month << 5) | utc.day
    time = (utc.hour << 11) | (utc.minute << 5) | (utc.second // 2)
    return date, time


def _order(names: list[str]) -> list[str]:
    first = [n for n in FIRST if n in names]
    return first + sorted(n for n in names if n not in FIRST)


def _core_properties(xml: bytes, stamp: dt.datetime) -> bytes:
    when = stamp.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return _CORE_DATE.sub(lambda m: m.group(1) + when + m.group(3), xml)


def _raw_entry(data: bytes, info: zipfile.ZipInfo) -> memoryview:
    """The compressed bytes of an entry, as stored (after its local header): a view of
    `data`, not a copy (a 10,000-account workbook is megabytes)."""
    offset = info.header_offset
    name_length, extra_length = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_length + extra_length
    return memoryview(data)[start : start + info.compress_size]


def _deflate(content: bytes) -> bytes:
    compressor = zlib.compressobj(6, zlib.DEFLATED, -15)
    return compressor.compress(content) + compressor.flush()


@dataclass(frozen=True)
class Entry:
    """One zip entry, its data as stored (deflated or not)."""

    name: str
    raw: bytes | memoryview
    crc: int
    size: int
    method: int = zipfile.ZIP_DEFLATED


def deflated(name: str, content: bytes) -> Entry:
    """An entry holding `content`, deflated at level 6."""
    return Entry(name, _deflate(content), zlib.crc32(content), len(content))


def write_zip(entries: list[Entry], stamp: dt.datetime) -> bytes | None:
    """The package of `entries` in the fixed order, every header stamped `stamp`; None when
    it would need Zip64 (an entry or the package past 4 GiB, more than 65,535 entries)."""
    date, time = _dos_time(stamp)
    by_name = {entry.name: entry for entry in entries}
    local: list[bytes | memoryview] = []
    central: list[bytes] = []
    offset = 0
    for name in _order(list(by_name)):
        entry = by_name[name]
        if max(entry.size, len(entry.raw), offset) > _ZIP64_LIMIT:
            return None
        encoded = name.encode("utf-8")
        flags = 0x800 if not name.isascii() else 0
        version = 20 if entry.method == zipfile.ZIP_DEFLATED else 10
        fields = (version, flags, entry.method, time, date, entry.crc, len(entry.raw),
                  entry.size, len(encoded))  # fmt: skip
        header = struct.pack("<4s5HLLLHH", b"PK\x03\x04", *fields, 0) + encoded
        central.append(
            struct.pack("<4s6HLLLHHHHHLL", b"PK\x01\x02", version, *fields, 0, 0, 0, 0, 0, offset)
            + encoded
        )
        local += (header, entry.raw)
        offset += len(header) + len(entry.raw)
    if len(central) > 0xFFFF:
        return None
    directory = b"".join(central)
    end = struct.pack(
        "<4s4HLLH", b"PK\x05\x06", 0, 0, len(central), len(central), len(directory), offset, 0
    )
    return b"".join([*local, directory, end])  # one copy of the package, not two


def normalise_zip(data: bytes, stamp: dt.datetime) -> bytes:
    """`data` (a zip package) rewritten so that the same content always gives the same
    bytes: every entry stamped `stamp`, in a fixed order, with fixed attributes; the created
    and modified core properties set to `stamp`; embedded packages normalised the same way."""
    source = zipfile.ZipFile(io.BytesIO(data))
    entries: list[Entry] = []
    for info in source.infolist():
        name = info.filename
        if name == CORE_PROPERTIES:
            entries.append(deflated(name, _core_properties(source.read(name), stamp)))
        elif name.lower().endswith(EMBEDDED_PACKAGES):
            entries.append(deflated(name, normalise_zip(source.read(name), stamp)))
        elif info.compress_type in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raw = _raw_entry(data, info)
            entries.append(Entry(name, raw, info.CRC, info.file_size, info.compress_type))
        else:  # a compression a reader may not know: deflate it like the rest
            entries.append(deflated(name, source.read(name)))
    written = write_zip(entries, stamp)
    return written if written is not None else _normalise_with_zipfile(source, stamp)


def _normalise_with_zipfile(source: zipfile.ZipFile, stamp: dt.datetime) -> bytes:
    """The same normalisation through zipfile (Zip64: entries or a package past 4 GiB, or
    more than 65,535 entries), recompressing every entry."""
    utc = stamp.astimezone(dt.UTC)
    when = (max(utc.year, 1980), utc.month, utc.day, utc.hour, utc.minute, utc.second)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", allowZip64=True) as target:
        for name in _order(source.namelist()):
            content = source.read(name)
            if name == CORE_PROPERTIES:
                content = _core_properties(content, stamp)
            elif name.lower().endswith(EMBEDDED_PACKAGES):
                content = normalise_zip(content, stamp)
            info = zipfile.ZipInfo(name, when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 0
            info.external_attr = 0
            target.writestr(info, content, compresslevel=6)
    return out.getvalue()
