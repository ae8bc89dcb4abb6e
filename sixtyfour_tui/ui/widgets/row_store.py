"""The results table's data model: rows, columns, display text, and the filtered/sorted view.

Pure Python (no Textual) so it can be tested directly and so that every operation the
table performs per frame is O(visible rows), never O(all rows). The expensive work
(formatting a cell, measuring widths) happens lazily or on a bounded sample.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Iterable, Sequence
from typing import Any

from rich.cells import cell_len

from sixtyfour_tui.api.rows import flatten_row, sanitize_text

WIDTH_SAMPLE_HEAD = 200
"""Rows at the start of the store that always count towards a column's width."""
WIDTH_SAMPLE_PER_PAGE = 50
"""Rows at the start of every later `append` that count towards a column's width."""
WIDTH_SAMPLE_PAGE_TAIL = 10
"""Rows at the end of every `append`: ids and counters tend to be widest there."""
MAX_COLUMN_WIDTH = 40
"""Widest a column gets by estimate: one long value must not push the others off screen."""
MIN_COLUMN_WIDTH = 3

_LINE_BREAKS = str.maketrans({"\t": " ", "\n": " ", "\r": " ", "\v": " ", "\f": " "})

# Sort key groups: numbers before text in both directions, missing values always last.
_ASCENDING_GROUPS = {"number": 0, "text": 1, "none": 2}
_DESCENDING_GROUPS = {"number": 1, "text": 0, "none": -1}


def format_value(value: Any) -> str:
    """Turn one flattened value into single-line display text (not yet sanitized)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e16:
            return str(int(value))
        return repr(value)
    if isinstance(value, (list, tuple)):
        return ", ".join(format_value(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)
    return str(value)


def display_text(value: Any) -> str:
    """Sanitized, single-line text for a cell: safe to put straight into a Segment."""
    return sanitize_text(format_value(value))


def _numeric(value: Any) -> float | None:
    """The number a value sorts as, or None when it should sort as text."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float)):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip().replace(",", ""))
        except ValueError:
            return None
    else:
        return None
    return number if not math.isnan(number) else None


class RowStore:
    """Every loaded row plus a cheap view (row indices) for the current filter and sort."""

    def __init__(self, rows: Iterable[dict] | None = None) -> None:
        self._raw: list[dict] = []
        self._flat: list[dict[str, Any]] = []
        self._text: list[dict[str, str] | None] = []
        self._haystacks: list[str | None] = []
        self._columns: dict[str, None] = {}
        self._widths: dict[str, int] = {}
        self._filter_text = ""
        self._matches: list[int] | None = None
        self._sort_column: str | None = None
        self._sort_descending = False
        self._sorted: list[int] | None = None
        self._sort_keys: list[tuple] = []
        self.version = 0
        """Bumped whenever the view or columns change, so renderers know to drop caches."""
        if rows:
            self.append(list(rows))

    # -- rows and columns -------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._raw)

    @property
    def columns(self) -> list[str]:
        """Every column seen so far, in first-seen order."""
        return list(self._columns)

    def raw(self, index: int) -> dict:
        """The row exactly as the API returned it (for the detail view and JSON export)."""
        return self._raw[index]

    def flat(self, index: int) -> dict[str, Any]:
        """The row flattened to dotted column names."""
        return self._flat[index]

    def append(self, rows: Sequence[dict]) -> None:
        """Add a page of raw API rows; the view stays consistent with filter and sort."""
        if not rows:
            return
        start = len(self._raw)
        for offset, row in enumerate(rows):
            flat = flatten_row(row)
            self._raw.append(row)
            self._flat.append(flat)
            self._text.append(None)
            self._haystacks.append(None)
            new_keys = [key for key in flat if key not in self._columns]
            for key in new_keys:
                self._columns[key] = None
                self._widths[key] = max(MIN_COLUMN_WIDTH, min(cell_len(key), MAX_COLUMN_WIDTH))
            index = start + offset
            if (index < WIDTH_SAMPLE_HEAD or offset < WIDTH_SAMPLE_PER_PAGE
                    or offset >= len(rows) - WIDTH_SAMPLE_PAGE_TAIL):
                self._measure(index)
        self._extend_view(range(start, len(self._raw)))
        self.version += 1

    def _measure(self, index: int) -> None:
        for column in self._flat[index]:
            width = min(cell_len(self.cell_text(index, column)), MAX_COLUMN_WIDTH)
            if width > self._widths[column]:
                self._widths[column] = width

    def column_width(self, column: str) -> int:
        """Estimated display width: header and a bounded sample of rows, capped."""
        return self._widths.get(column, max(MIN_COLUMN_WIDTH, min(cell_len(column), MAX_COLUMN_WIDTH)))

    def cell_text(self, index: int, column: str) -> str:
        """Sanitized single-line display text, formatted on first use and then cached."""
        cache = self._text[index]
        if cache is None:
            cache = self._text[index] = {}
        text = cache.get(column)
        if text is None:
            text = cache[column] = display_text(self._flat[index].get(column))
        return text

    # -- the view ---------------------------------------------------------------------

    @property
    def filter_text(self) -> str:
        return self._filter_text

    @property
    def sort_column(self) -> str | None:
        return self._sort_column

    @property
    def sort_descending(self) -> bool:
        return self._sort_descending

    @property
    def view_len(self) -> int:
        """Number of rows that pass the filter."""
        if self._sorted is not None:
            return len(self._sorted)
        if self._matches is not None:
            return len(self._matches)
        return len(self._raw)

    def view_row(self, position: int) -> int:
        """Row index shown at a view position."""
        if self._sorted is not None:
            return self._sorted[position]
        if self._matches is not None:
            return self._matches[position]
        if 0 <= position < len(self._raw):
            return position
        raise IndexError(position)

    def view_position(self, index: int) -> int | None:
        """Where a row index sits in the view (O(view) when filtered or sorted)."""
        if self._sorted is None and self._matches is None:
            return index if 0 <= index < len(self._raw) else None
        order = self._sorted if self._sorted is not None else self._matches
        try:
            return order.index(index)
        except ValueError:
            return None

    def set_filter(self, text: str) -> None:
        """Keep only rows with `text` (case-insensitive) somewhere in their cells."""
        needle = text.casefold()
        if needle == self._filter_text:
            return
        narrowing = bool(self._filter_text) and self._filter_text in needle
        previous = self._matches
        self._filter_text = needle
        if not needle:
            self._matches = None
        else:
            candidates = previous if narrowing and previous is not None else range(len(self._raw))
            self._matches = [i for i in candidates if needle in self._haystack(i)]
        self._rebuild_sorted()
        self.version += 1

    def _haystack(self, index: int) -> str:
        haystack = self._haystacks[index]
        if haystack is None:
            texts = (self.cell_text(index, column) for column in self._flat[index])
            haystack = self._haystacks[index] = "\x00".join(texts).casefold()
        return haystack

    def _matches_filter(self, index: int) -> bool:
        return not self._filter_text or self._filter_text in self._haystack(index)

    def sort_by(self, column: str, descending: bool = False) -> None:
        """Order the view by a column: stable, numbers numerically, missing values last."""
        self._sort_column = column
        self._sort_descending = descending
        self._rebuild_sorted()
        self.version += 1

    def clear_sort(self) -> None:
        """Back to arrival order."""
        self._sort_column = None
        self._sort_descending = False
        self._sorted = None
        self._sort_keys = []
        self.version += 1

    def _sort_key(self, index: int) -> tuple:
        groups = _DESCENDING_GROUPS if self._sort_descending else _ASCENDING_GROUPS
        value = self._flat[index].get(self._sort_column)
        if value is None or value == "" or value == []:
            return (groups["none"], 0)
        number = _numeric(value)
        if number is not None:
            return (groups["number"], number)
        return (groups["text"], self.cell_text(index, self._sort_column).casefold())

    def _rebuild_sorted(self) -> None:
        if self._sort_column is None:
            return
        base = self._matches if self._matches is not None else range(len(self._raw))
        keyed = sorted(((self._sort_key(i), i) for i in base), key=lambda pair: pair[0],
                       reverse=self._sort_descending)
        self._sort_keys = [key for key, _ in keyed]
        self._sorted = [index for _, index in keyed]

    def _extend_view(self, new_indices: Iterable[int]) -> None:
        for index in new_indices:
            if not self._matches_filter(index):
                continue
            if self._matches is not None:
                self._matches.append(index)
            if self._sorted is not None:
                key = self._sort_key(index)
                position = self._insertion_point(key)
                self._sort_keys.insert(position, key)
                self._sorted.insert(position, index)

    def _insertion_point(self, key: tuple) -> int:
        """After every equal key, so a late row never jumps ahead of an equal earlier one."""
        keys, low, high = self._sort_keys, 0, len(self._sort_keys)
        while low < high:
            middle = (low + high) // 2
            goes_after = keys[middle] >= key if self._sort_descending else keys[middle] <= key
            if goes_after:
                low = middle + 1
            else:
                high = middle
        return low

    # -- exports for copy -------------------------------------------------------------

    def _table(self, indices: Iterable[int], columns: Sequence[str]) -> list[list[str]]:
        rows = [list(columns)]
        rows.extend([self.cell_text(i, column) for column in columns] for i in indices)
        return rows

    def as_tsv(self, indices: Iterable[int], columns: Sequence[str]) -> str:
        """Tab-separated with a header line; pastes cleanly into spreadsheets."""
        lines = ("\t".join(cell.translate(_LINE_BREAKS) for cell in row)
                 for row in self._table(indices, columns))
        return "\n".join(lines) + "\n"

    def as_csv(self, indices: Iterable[int], columns: Sequence[str]) -> str:
        """RFC-style CSV (quoting by the csv module) with a header line."""
        buffer = io.StringIO()
        csv.writer(buffer, lineterminator="\n").writerows(self._table(indices, columns))
        return buffer.getvalue()

    def as_json(self, indices: Iterable[int], columns: Sequence[str] | None = None) -> str:
        """The raw API rows, whole: nested fields are kept, so `columns` is not applied."""
        return json.dumps([self._raw[i] for i in indices], indent=2, ensure_ascii=False, default=str)

    def as_markdown(self, indices: Iterable[int], columns: Sequence[str]) -> str:
        """A GitHub-style Markdown table; pipes in cells are escaped."""
        table = self._table(indices, columns)

        def line(cells: list[str]) -> str:
            return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"

        lines = [line(table[0]), "| " + " | ".join("---" for _ in columns) + " |"]
        lines.extend(line(row) for row in table[1:])
        return "\n".join(lines) + "\n"
