"""Engine events turned into Textual messages, so widgets react on the UI's own message queue."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message

from sixtyfour_tui.jobs.ledger import JobRecord


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
