"""Write a view to a file: exactly the rows, columns, order and cell text the table shows.

Three formats. `csv`: UTF-8, a header row of the table's labels, RFC 4180 (fields quoted when
they hold a comma, a quote or a line break; quotes doubled; CRLF records). `jsonl`: one JSON
object per row, label -> text, keys in column order. `excel-csv`: the CSV with a UTF-8 byte
order mark (so Excel reads it as UTF-8) and formula injection defused: a cell that starts with
`=`, `+`, `-` or `@` and is not a plain number gets a leading apostrophe, which spreadsheets
take as "this is text". Plain `csv` and `jsonl` keep every cell exactly as shown, because their
readers are programs that expect the data as it is.

The file is written under a temporary name beside the destination and renamed over it only
when complete and synced, so a crash or a full disk never leaves a half-written export.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Literal

from sixtyfour_tui.atomic import fsync_directory
from sixtyfour_tui.table.labels import header_labels
from sixtyfour_tui.table.row_store import RowStore
from sixtyfour_tui.table.view import ViewSpec, apply_view

Format = Literal["csv", "jsonl", "excel-csv"]
FORMATS: dict[Format, str] = {"csv": "CSV", "jsonl": "JSON lines", "excel-csv": "CSV for Excel"}
"""Each format and the name a person reads."""

FORMULA_STARTS = ("=", "+", "-", "@")
"""What makes a spreadsheet treat a cell as a formula (tab and CR too, but cells hold neither)."""
_FORMULA_FIRST = frozenset(FORMULA_STARTS)
_PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")
WRITE_ROWS_PER_CHUNK = 1000
"""Rows formatted per `writerows` call: bounded memory, few calls."""


@dataclass(frozen=True)
class ViewWritten:
    """What a write produced."""

    path: Path
    rows: int
    """Data rows written (the header not counted)."""
    format: Format


def write_view(store: RowStore, spec: ViewSpec, destination: Path | str, fmt: Format = "csv",
               *, overwrite: bool = False) -> ViewWritten:
    """Apply `spec` to `store` and write its view to `destination` in `fmt`.

    Raises FileExistsError when the destination exists and `overwrite` is false, ValueError for
    an unknown format, and OSError from the disk (the destination is then untouched).
    """
    _check(destination, fmt, overwrite)
    columns = apply_view(store, spec)
    return write_rows(store, store.view_indices(), columns, destination, fmt, overwrite=overwrite)


def write_rows(store: RowStore, indices: Iterable[int], columns: Sequence[str], destination: Path | str,
               fmt: Format = "csv", *, overwrite: bool = False) -> ViewWritten:
    """Write these rows, in this order, with these columns, exactly as `write_view` writes a view.

    For a caller that must not change the store's view while it writes: the TUI takes the
    view's rows on its own thread and writes them from another while the table stays live.
    """
    _check(destination, fmt, overwrite)
    target = Path(destination)
    labels = header_labels(columns)
    rows = store.texts(indices, columns)
    with _staged(target) as handle:
        if fmt == "jsonl":
            count = _write_jsonl(handle, labels, rows)
        else:
            if fmt == "excel-csv":
                handle.write("\ufeff")
                rows = (_defused(row) for row in rows)
                labels = _defused(labels)
            count = _write_csv(handle, labels, rows)
    return ViewWritten(target, count, fmt)


def _check(destination: Path | str, fmt: str, overwrite: bool) -> None:
    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if Path(destination).exists() and not overwrite:
        raise FileExistsError(f"{destination} exists")


def _write_csv(handle: IO[str], labels: list[str], rows: Iterator[list[str]]) -> int:
    writer = csv.writer(handle, lineterminator="\r\n")
    writer.writerow(labels)
    count = 0
    for chunk in _chunks(rows):
        writer.writerows(chunk)
        count += len(chunk)
    return count


def _write_jsonl(handle: IO[str], labels: list[str], rows: Iterator[list[str]]) -> int:
    encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    count = 0
    for chunk in _chunks(rows):
        handle.write("".join(encode(dict(zip(labels, row))) + "\n" for row in chunk))
        count += len(chunk)
    return count


def _chunks(rows: Iterator[list[str]]) -> Iterator[list[list[str]]]:
    chunk: list[list[str]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == WRITE_ROWS_PER_CHUNK:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def defuse_formula(cell: str) -> str:
    """The cell as a spreadsheet should show it: text that would run as a formula gets a
    leading apostrophe; numbers such as -12.5 stay numbers."""
    if cell.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def _defused(row: Iterable[str]) -> list[str]:
    return [defuse_formula(cell) if cell[:1] in _FORMULA_FIRST else cell for cell in row]


@contextlib.contextmanager
def _staged(target: Path) -> Iterator[IO[str]]:
    """A text file beside `target` that replaces it when the block ends cleanly and vanishes
    when it does not."""
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
            # mkstemp makes the file owner-only; an export gets the mode any new file would get.
            os.fchmod(handle.fileno(), 0o666 & ~_umask())
        os.replace(name, target)
    except BaseException:
        _remove(name)
        raise
    fsync_directory(target.parent)


def _remove(name: str) -> None:
    try:
        os.unlink(name)
    except OSError:
        pass


@functools.cache
def _umask() -> int:
    """The process umask (read once: reading it means setting it, briefly)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
