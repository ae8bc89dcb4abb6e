"""Engine events turned into Textual messages, so widgets react on the UI's own message queue.

Plain classes, not dataclasses: these load before the first frame, where each dataclass costs
about half a millisecond to build."""

from __future__ import annotations

from textual.message import Message

from sixtyfour_tui.jobs.records import JobRecord


class JobChanged(Message):
    def __init__(self, job: JobRecord, queue_position: int | None = None) -> None:
        super().__init__()
        self.job = job
        self.queue_position = queue_position


class BackendReady(Message):
    def __init__(self, label: str, is_sandbox: bool) -> None:
        super().__init__()
        self.label = label
        self.is_sandbox = is_sandbox


class BackendFailed(Message):
    def __init__(self, message: str) -> None:
        super().__init__()
        self.message = message


class JobRemoved(Message):
    def __init__(self, job_id: str) -> None:
        super().__init__()
        self.job_id = job_id


class RowsCounted(Message):
    """The workspace holds `stored` rows of a search; `new` of them were never seen before."""

    def __init__(self, job_id: str, stored: int, new: int | None, seen: int | None) -> None:
        super().__init__()
        self.job_id = job_id
        self.stored = stored
        self.new = new
        self.seen = seen


class StorageNotice(Message):
    """The workspace refused a write (`message`), or takes them again (None)."""

    def __init__(self, message: str | None) -> None:
        super().__init__()
        self.message = message
