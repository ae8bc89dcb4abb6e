"""What a downloaded CSV file holds, and whether it can be the whole file.

Row counting must be fast (it runs over every export, beside the fsync), and so must the check
that the body is complete, because HTTP alone cannot always say: a storage host that stops early
and ends the response cleanly, with no Content-Length, delivers a body that looks finished.

The completeness rule (`CsvSummary.problem`) assumes RFC 4180 quoting, as every CSV writer
produces it (a field holding a quote, comma or line break is quoted, inner quotes are doubled):

1. The body must not end inside a quoted field (an odd number of quote characters).
2. The last record must have as many fields as the header: no CSV writer produces a shorter one,
   a cut does.
3. The body must end with a line break, unless its Content-Length was sent and met. RFC 4180
   lets the last record go without one, but only a verified length tells that from a cut that
   happened to fall at the end of a field. An empty body, never a CSV with its header row, counts
   as unterminated.

A cut that falls exactly at a line end passes all three; only a row count the server vouches for
(the export flow checks it) can catch that one.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

COUNT_BLOCK = 1024 * 1024
TAIL_WINDOW = 64 * 1024  # the last record is looked for in the file's last bytes, widened as needed
MAX_TAIL_WINDOW = 4 * 1024 * 1024  # past this, the csv module streams the whole file instead

_STRUCTURE = b",\"\r\n"
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in _STRUCTURE)
_CONTENT_MARKS = bytes.maketrans(b',"', b"xx")


class CsvRecordCounter:
    """Counts CSV data records chunk by chunk, several times faster than the csv module.

    Only the bytes that shape records (commas, quotes, CR, LF) are kept, a few percent of a
    typical export, and each pass over a whole chunk is a C loop. Line ends between quotes are
    skipped (RFC 4180 quoting, doubled quotes included); a line end after anything else closes a
    record. Once the rest is dropped, a line with no comma or quote cannot be told from a blank
    one, nor a lone CR from a CRLF: `rows()` is then None and the caller asks the csv module, as
    for a body that ends inside quotes. Quote characters are counted in every case
    (`quotes`): their parity says where records may start.

    (Fed during the transfer it halved the throughput on loopback, where the client's CPU is the
    limit, so the downloader counts the finished file instead, alongside the fsync.)
    """

    def __init__(self) -> None:
        self.quotes = 0
        self._ends = 0
        self._in_quotes = False
        self._last = b"\n"  # as if a line had just ended: a leading blank line is ambiguous too
        self._ends_in_cr = False
        self._ends_in_content = False
        self._unsure = False

    def feed(self, chunk: bytes) -> None:
        if not chunk:
            return
        if self._unsure:
            self.quotes += chunk.count(b'"')
            return
        shape = chunk.translate(None, _NOT_STRUCTURE)
        self.quotes += shape.count(b'"')
        if (b"\r" in shape or self._ends_in_cr) and self._has_lone_cr(chunk, shape):
            self._unsure = True
            return
        if self._in_quotes or not _quotes_stay_on_their_line(shape):
            shape = self._outside_quotes(shape)
        self._ends_in_content = chunk[-1:] not in (b"\r", b"\n")
        if shape:
            self._count_line_ends(shape)

    def _has_lone_cr(self, chunk: bytes, shape: bytes) -> bool:
        """A CR not followed by LF (quoted or not): the shape would hide a line between them."""
        if self._ends_in_cr and chunk[:1] != b"\n":
            return True
        self._ends_in_cr = chunk[-1:] == b"\r"  # paired or not, the next chunk tells
        return shape.count(b"\r") > chunk.count(b"\r\n") + self._ends_in_cr

    def _outside_quotes(self, shape: bytes) -> bytes:
        """The shape with each quoted stretch (quotes included) replaced by one content mark."""
        parts = shape.split(b'"')
        if self._in_quotes:
            parts.insert(0, b"")
        outside = b"x".join(parts[0::2])
        self._in_quotes = len(parts) % 2 == 0
        return outside + b"x" if self._in_quotes else outside

    def _count_line_ends(self, shape: bytes) -> None:
        marks = (self._last + shape).translate(_CONTENT_MARKS)
        if b"\n\n" in marks or b"\r\r" in marks or b"\n\r" in marks:
            self._unsure = True  # a blank line, or a line of one unquoted field: can't say which
            return
        self._ends += marks.count(b"x\r") + marks.count(b"x\n")
        self._last = marks[-1:]

    def rows(self) -> int | None:
        """Data records so far (header excluded), or None when only the csv module can tell."""
        if self._unsure or self._in_quotes:
            return None
        # A last line without a line end is a record too, commas or not.
        records = self._ends + (self._last == b"x" or self._ends_in_content)
        return max(0, records - 1)


def _quotes_stay_on_their_line(shape: bytes) -> bool:
    """True when no line end falls between quotes: every run of quotes between line ends (commas
    aside) has even length, so the quote count is even at each line end and at the chunk's end."""
    return b'"' not in shape.translate(None, b",").replace(b'""', b"")


@dataclass(frozen=True)
class CsvSummary:
    """The facts about a CSV file that say how many rows it has and whether it is whole."""

    rows: int  # data records, header excluded
    size: int  # bytes
    header_fields: int | None  # None: no header, or one the csv module could not read
    last_fields: int | None  # fields of the last non-blank record (the header in a header-only file)
    ends_with_line_break: bool  # outside quotes
    ends_inside_quotes: bool

    def problem(self, *, length_verified: bool) -> str | None:
        """Why this cannot be the complete file (the module docstring has the rule), or None."""
        if self.ends_inside_quotes:
            return "the body ends inside a quoted field"
        if self.size and self.header_fields is not None and self.last_fields is not None \
                and self.last_fields < self.header_fields:
            return f"the last record has {self.last_fields} of {self.header_fields} fields"
        if not self.ends_with_line_break and not length_verified:
            if not self.size:
                return "the body is empty and no Content-Length says it should be"
            return "the body ends mid-line and no Content-Length vouches for its length"
        return None


def count_csv_rows(path: Path) -> int:
    """Data records (header excluded); quoted newlines do not count as record ends."""
    return inspect_csv(path).rows


def inspect_csv(path: Path) -> CsvSummary:
    """One fast pass over the file, then a look at its first and last records only."""
    counter = CsvRecordCounter()
    size = 0
    with open(path, "rb") as handle:
        while block := handle.read(COUNT_BLOCK):
            counter.feed(block)
            size += len(block)
        last_byte = _last_byte(handle, size)
    rows = counter.rows()
    if rows is None:
        rows = _count_with_csv_module(path)
    inside_quotes = counter.quotes % 2 == 1
    return CsvSummary(
        rows=rows,
        size=size,
        header_fields=_header_fields(path) if size else None,
        last_fields=None if inside_quotes or not size else _last_record_fields(path, size, counter.quotes),
        ends_with_line_break=not inside_quotes and last_byte in (b"\r", b"\n"),
        ends_inside_quotes=inside_quotes,
    )


def _last_byte(handle: BinaryIO, size: int) -> bytes:
    if not size:
        return b""
    handle.seek(size - 1)
    return handle.read(1)


def _header_fields(path: Path) -> int | None:
    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as handle:
            for record in csv.reader(handle):
                if record:
                    return len(record)
    except csv.Error:
        return None
    return None


def _last_record_fields(path: Path, size: int, quotes: int) -> int | None:
    """Fields of the last non-blank record, parsed from the nearest record start before it.

    A line end is a record boundary when an even number of quotes comes before it, so the parity
    of the whole file's quote count (known from the counting pass) places boundaries in its tail
    without reading the rest. The window widens until it holds a whole record; a record too
    long for any window (or a file whose lines end in lone CRs) is found by streaming instead.
    """
    window = TAIL_WINDOW
    with open(path, "rb") as handle:
        while window <= MAX_TAIL_WINDOW:
            start = max(0, size - window)
            handle.seek(start)
            tail = handle.read(size - start)
            boundary = 0 if start == 0 else _first_boundary(tail, quotes - tail.count(b'"'))
            if boundary is not None:
                fields = _fields_of_last_record(io.BytesIO(tail[boundary:]))
                if fields is not None or start == 0:
                    return fields
            window *= 4
        handle.seek(0)
        return _fields_of_last_record(handle)


def _first_boundary(tail: bytes, quotes_before: int) -> int | None:
    """Offset just past the first line end in `tail` that lies outside quotes, if any."""
    position = tail.find(b"\n")
    counted_to, quotes = 0, quotes_before
    while position != -1:
        quotes += tail.count(b'"', counted_to, position)
        counted_to = position
        if quotes % 2 == 0:
            return position + 1
        position = tail.find(b"\n", position + 1)
    return None


def _fields_of_last_record(data: BinaryIO) -> int | None:
    fields: int | None = None
    text = io.TextIOWrapper(data, encoding="utf-8", errors="replace", newline="")
    try:
        for record in csv.reader(text):
            if record:
                fields = len(record)
    except csv.Error:
        return None
    return fields


def _count_with_csv_module(path: Path) -> int:
    """The slow, lenient count, for the shapes CsvRecordCounter cannot vouch for."""
    records = 0
    try:
        with open(path, newline="", encoding="utf-8", errors="replace") as handle:
            for record in csv.reader(handle):
                if record:
                    records += 1
    except csv.Error:
        return _count_lines(path)
    return max(0, records - 1)


def _count_lines(path: Path) -> int:
    """Fallback for files the csv module rejects (e.g. giant fields): non-blank lines minus header."""
    with open(path, "rb") as handle:
        lines = sum(1 for line in handle if line.strip())
    return max(0, lines - 1)
