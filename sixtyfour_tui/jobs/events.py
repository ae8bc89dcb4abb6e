"""What the job engine tells its subscribers (the TUI, the headless CLI, tests)."""

from __future__ import annotations

from dataclasses import dataclass

from sixtyfour_tui.jobs.ledger import JobRecord


@dataclass(frozen=True)
class JobUpdated:
    """A job changed: queued, started, progressed, finished. `job` is a snapshot."""

    job: JobRecord


@dataclass(frozen=True)
class DownloadProgressed:
    job_id: str
    bytes_done: int
    bytes_total: int | None


JobEvent = JobUpdated | DownloadProgressed
