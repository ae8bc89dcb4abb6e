"""Engine events turned into Textual messages, so widgets react on the UI's own message queue."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from sixtyfour_tui.jobs.records import JobRecord


@dataclass
class JobChanged(Message):
    job: JobRecord
    queue_position: int | None = None


@dataclass
class BackendReady(Message):
    label: str
    is_sandbox: bool


@dataclass
class BackendFailed(Message):
    message: str


@dataclass
class JobRemoved(Message):
    job_id: str


@dataclass
class RowsCounted(Message):
    """The workspace holds `stored` rows of a search; `new` of them were never seen before."""

    job_id: str
    stored: int
    new: int | None
    seen: int | None


@dataclass
class StorageNotice(Message):
    """The workspace refused a write (`message`), or takes them again (None)."""

    message: str | None
