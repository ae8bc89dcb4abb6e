"""What the job engine tells its subscribers (the TUI, the headless CLI, tests). Typed, immutable."""

from __future__ import annotations

import msgspec

from sixtyfour_tui.jobs.records import JobRecord


class JobUpdated(msgspec.Struct, frozen=True):
    """A job changed: queued, started, progressed, finished, or another process changed it.

    `queue_position` is the job's place in this process's local queue; `owned` is False for a
    job another process (another window, a headless command) is working on.
    """

    job: JobRecord
    queue_position: int | None = None
    owned: bool = True


class JobForgotten(msgspec.Struct, frozen=True):
    """A job was removed (here or in another process); `undoable` while its rows still exist."""

    job_id: str
    undoable: bool = True


class DownloadProgressed(msgspec.Struct, frozen=True):
    job_id: str
    bytes_done: int
    bytes_total: int | None


class RowsStored(msgspec.Struct, frozen=True):
    """The workspace now holds `stored` rows of a search (`new` of them never seen before)."""

    job_id: str
    stored: int
    complete: bool
    new: int | None = None
    seen: int | None = None


class StorageTrouble(msgspec.Struct, frozen=True):
    """The workspace refused a write (`message`), or accepts them again (`message` None)."""

    message: str | None


JobEvent = JobUpdated | JobForgotten | DownloadProgressed | RowsStored | StorageTrouble
