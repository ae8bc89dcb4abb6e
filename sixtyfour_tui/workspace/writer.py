"""Write-behind for the records that change often: job updates and history entries.

The engine calls `save` on every job change (from the UI's event loop, many times a second while
searches run); a transaction there could wait seconds for another process's lock. Instead the
latest record of each job waits here and one thread writes whatever has piled up in one
transaction. When the disk refuses (full, read-only, locked), nothing is dropped: the records
stay pending, the problem is reported once, and the thread tries again with growing pauses.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future

from sixtyfour_tui.jobs.records import HistoryEntry, JobRecord
from sixtyfour_tui.workspace.database import StorageError
from sixtyfour_tui.workspace.store import Workspace

RETRY_FIRST = 0.5
RETRY_LONGEST = 30.0

ProblemCallback = Callable[[StorageError | None], None]
RefusedCallback = Callable[[list[str]], None]


class JobWriter:
    """One background thread per process; `close()` writes what is pending (bounded) and stops."""

    def __init__(self, workspace: Workspace, *, on_problem: ProblemCallback | None = None,
                 on_refused: RefusedCallback | None = None) -> None:
        self.workspace = workspace
        self._on_problem = on_problem
        self._on_refused = on_refused
        self._jobs: dict[str, JobRecord] = {}
        self._history: list[HistoryEntry] = []
        self._waiters: list[Future[bool]] = []
        self._wake = threading.Condition()
        self._closing = False
        self.problem: StorageError | None = None
        self._thread = threading.Thread(target=self._run, name="workspace-writer", daemon=True)
        self._thread.start()

    @property
    def pending(self) -> int:
        with self._wake:
            return len(self._jobs) + len(self._history)

    def pending_history(self) -> list[HistoryEntry]:
        """Entries not on disk yet (the disk refused them), newest first."""
        with self._wake:
            return sorted(self._history, key=lambda entry: entry.used_at, reverse=True)

    def save(self, record: JobRecord) -> None:
        with self._wake:
            self._jobs[record.job_id] = record
            self._wake.notify()

    def add_history(self, entry: HistoryEntry) -> None:
        with self._wake:
            self._history.append(entry)
            self._wake.notify()

    def flush_future(self) -> Future[bool]:
        """Resolves True once everything saved so far is on disk, False after a failed attempt."""
        future: Future[bool] = Future()
        with self._wake:
            if not self._jobs and not self._history:
                future.set_result(self.problem is None)
            else:
                self._waiters.append(future)
                self._wake.notify()
        return future

    async def flushed(self) -> bool:
        return await asyncio.wrap_future(self.flush_future())

    def flush(self, timeout: float = 10.0) -> bool:
        try:
            return self.flush_future().result(timeout)
        except TimeoutError:
            return False

    def close(self, timeout: float = 10.0) -> bool:
        """Write what is pending (within `timeout`) and stop; False when something stayed unwritten."""
        written = self.flush(timeout)
        with self._wake:
            self._closing = True
            self._wake.notify()
        self._thread.join(timeout)
        return written

    def _run(self) -> None:
        pause = RETRY_FIRST
        while True:
            with self._wake:
                while not self._closing and not self._has_work():
                    self._wake.wait()
                if not self._has_work():  # closing, and everything is written
                    self._finish_waiters(self.problem is None)
                    return
                jobs, self._jobs = self._jobs, {}
                history, self._history = self._history, []
                waiters, self._waiters = self._waiters, []
            written = self._write(jobs, history)
            _resolve(waiters, written)
            if written:
                pause = RETRY_FIRST
                continue
            with self._wake:
                retry_at = time.monotonic() + pause
                while not self._closing and (remaining := retry_at - time.monotonic()) > 0:
                    self._wake.wait(remaining)  # new saves pile up meanwhile; they do not hurry a retry
                if self._closing:
                    self._finish_waiters(False)
                    return  # what is still pending stays unwritten: the caller was told
            pause = min(pause * 2, RETRY_LONGEST)

    def _has_work(self) -> bool:
        return bool(self._jobs or self._history)

    def _write(self, jobs: dict[str, JobRecord], history: list[HistoryEntry]) -> bool:
        try:
            refused = self.workspace.save_jobs(list(jobs.values())) if jobs else []
            if history:
                self.workspace.add_history(history)
        except StorageError as problem:
            with self._wake:
                for job_id, record in jobs.items():
                    self._jobs.setdefault(job_id, record)  # unless a newer record arrived meanwhile
                self._history[:0] = history
            self._report(problem)
            return False
        except Exception as bug:  # never let the writer thread die silently
            import logging

            logging.getLogger(__name__).exception("workspace writer failed")
            self._report(StorageError(f"Saving to the workspace failed unexpectedly: {bug}"))
            return False
        self._report(None)
        if refused and self._on_refused is not None:
            self._on_refused(refused)
        return True

    def _finish_waiters(self, result: bool) -> None:
        waiters, self._waiters = self._waiters, []
        _resolve(waiters, result)

    def _report(self, problem: StorageError | None) -> None:
        changed = (problem is None) != (self.problem is None) or (
            problem is not None and self.problem is not None and problem.message != self.problem.message)
        self.problem = problem
        if changed and self._on_problem is not None:
            self._on_problem(problem)


def _resolve(waiters: list[Future[bool]], result: bool) -> None:
    """A waiter may be cancelled already (`flushed` awaited by a task that was cancelled): setting
    its result would raise, and kill this thread with every later save."""
    for waiter in waiters:
        if waiter.set_running_or_notify_cancel():
            waiter.set_result(result)
