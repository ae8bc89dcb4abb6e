"""Typed messages that widgets post to the app, so tests can assert the sequence of events.

Plain dataclasses: `Message.__post_init__` sets up the message state, so no `__init__` is needed.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class PageLoaded(Message):
    """Another page of a job's results is on screen."""

    job_id: str
    loaded: int
    expected_total: int | None


@dataclass
class ResultsFailed(Message):
    """Loading a job's results failed; the rows already loaded stay on screen."""

    job_id: str
    message: str


@dataclass
class RowsCopied(Message):
    """Rows went to the clipboard in format `fmt` (tsv, csv, json, markdown, cell)."""

    fmt: str
    count: int
