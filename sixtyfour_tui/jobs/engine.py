"""The job engine: at most five deep searches at once, a local FIFO queue for the rest, polling,
and a ledger on disk so nothing is lost when the app stops or crashes.

It knows nothing of Textual. Whoever runs it may pass `spawn` to run its coroutines as their own
workers (the TUI passes Textual's `run_worker` with a group per job); by default they are plain
asyncio tasks.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import replace

from sixtyfour_tui.api.errors import ApiError, NetworkError, RateLimitedError, ServerError
from sixtyfour_tui.api.models import TaskStatus
from sixtyfour_tui.jobs.events import JobEvent, JobUpdated
from sixtyfour_tui.jobs.ledger import JobRecord, Ledger
from sixtyfour_tui.jobs.polling import TaskLost, poll_until_done

API_SLOTS = 5
QUEUE_RETRY_FALLBACK = 5.0

Spawn = Callable[[Awaitable[None], str, str], object]


def _finished(handle) -> bool:
    if isinstance(handle, asyncio.Task):
        return handle.done()
    return bool(getattr(handle, "is_finished", False))


def _default_spawn(coroutine: Awaitable[None], name: str, group: str) -> asyncio.Task:
    return asyncio.ensure_future(coroutine)


class JobEngine:
    def __init__(
        self,
        client,
        ledger: Ledger,
        *,
        backend: str,
        poll_interval: float = 10.0,
        slots: int = API_SLOTS,
        spawn: Spawn | None = None,
        fail_fast: bool = False,
    ) -> None:
        self.client = client
        self.ledger = ledger
        self.backend = backend
        self.poll_interval = poll_interval
        self.slots = slots
        self._spawn = spawn or _default_spawn
        self.fail_fast = fail_fast  # scripts want an error now; the app keeps jobs waiting instead
        self._queue: deque[str] = deque()
        self._active: set[str] = set()
        self._subscribers: list[Callable[[JobEvent], None]] = []
        self._finished: dict[str, asyncio.Event] = {}
        self._paused_until = 0.0
        self._wakeup_armed = False
        self._running: set = set()
        self._closed = False

    # -- observing ------------------------------------------------------------------------------
    def subscribe(self, callback: Callable[[JobEvent], None]) -> Callable[[], None]:
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback)

    def publish(self, event: JobEvent) -> None:
        if self._closed:
            return  # after shutdown nobody is listening any more (screens are going away)
        for callback in list(self._subscribers):
            callback(event)

    def jobs(self) -> list[JobRecord]:
        return self.ledger.records(backend=self.backend)

    def job(self, job_id: str) -> JobRecord | None:
        return self.ledger.get(job_id)

    def queue_position(self, job_id: str) -> int | None:
        """1-based place in the local queue, or None when not waiting."""
        try:
            return self._queue.index(job_id) + 1
        except ValueError:
            return None

    @property
    def running_count(self) -> int:
        return len(self._active)

    @property
    def queued_count(self) -> int:
        return len(self._queue)

    @property
    def busy(self) -> bool:
        return bool(self._active or self._queue)

    # -- lifecycle ------------------------------------------------------------------------------
    def resume(self) -> list[JobRecord]:
        """Pick up every unfinished job of this backend from the ledger (after a restart)."""
        resumed = []
        for record in self.jobs():
            if record.kind != "search" or record.is_finished:
                continue
            resumed.append(record)
            if record.status == "running" and record.task_id:
                self._active.add(record.job_id)
                self._run(self._poll(record.job_id), record)
            elif record.status == "starting":
                # The start may or may not have reached the server; the same search_id makes
                # sending it again safe.
                self._active.add(record.job_id)
                self._run(self._start(record.job_id), record)
            else:
                self._queue.append(record.job_id)
        self._pump()
        return resumed

    def submit(self, query: str, mode: str = "people", max_results: int = 500) -> JobRecord:
        record = JobRecord(kind="search", query=query, mode=mode, max_results=max_results,
                           backend=self.backend, status="queued", progress_message="Waiting for a free slot")
        self.save(record)
        self._queue.append(record.job_id)
        self._pump()
        return self.ledger.get(record.job_id) or record

    def cancel_queued(self, job_id: str) -> bool:
        """Take a job out of the local queue before it reaches the server."""
        if job_id not in self._queue:
            return False
        self._queue.remove(job_id)
        record = self.ledger.get(job_id)
        self.save(replace(record, status="cancelled", finished_at=time.time(), progress_message="Cancelled"))
        self._finished.setdefault(job_id, asyncio.Event()).set()
        self._publish_queue_positions()
        return True

    def forget(self, job_id: str) -> bool:
        """Drop a finished job from the ledger (its results stay on the server)."""
        record = self.ledger.get(job_id)
        if record is None or not record.is_finished:
            return False
        return self.ledger.remove(job_id)

    async def wait(self, job_id: str) -> JobRecord:
        """Until the job ends; returns its final record."""
        record = self.ledger.get(job_id)
        if record is not None and record.is_finished:
            return record
        await self._finished.setdefault(job_id, asyncio.Event()).wait()
        return self.ledger.get(job_id)

    async def shutdown(self) -> None:
        """Stop polling here; the searches go on on the server and resume on the next start."""
        self._closed = True
        handles, self._running = list(self._running), set()
        for handle in handles:
            handle.cancel()
        for handle in handles:
            if isinstance(handle, asyncio.Task):
                try:
                    await handle
                except (asyncio.CancelledError, Exception):
                    pass

    # -- scheduling -----------------------------------------------------------------------------
    def _pump(self) -> None:
        """Start queued jobs while local slots are free and the server is not pushing back."""
        now = time.monotonic()
        if now < self._paused_until:
            self._arm_wakeup(self._paused_until - now)
            return
        while self._queue and len(self._active) < self.slots:
            job_id = self._queue.popleft()
            record = self.ledger.get(job_id)
            if record is None or record.is_finished:
                continue
            self._active.add(job_id)
            self.save(replace(record, status="starting", progress_message="Starting"))
            self._run(self._start(job_id), record)
        self._publish_queue_positions()

    def _arm_wakeup(self, delay: float) -> None:
        if self._wakeup_armed:
            return
        self._wakeup_armed = True

        async def wake() -> None:
            await asyncio.sleep(delay)
            self._wakeup_armed = False
            self._pump()

        self._run(wake(), None)

    def _publish_queue_positions(self) -> None:
        for position, job_id in enumerate(self._queue, start=1):
            record = self.ledger.get(job_id)
            if record is not None:
                message = f"Queued locally: #{position} in line"
                if record.progress_message != message:
                    self.save(replace(record, progress_message=message))

    def _run(self, coroutine: Awaitable[None], record: JobRecord | None) -> None:
        group = f"job-{record.job_id}" if record else "engine"
        name = f"{group}-{getattr(coroutine, '__name__', 'work')}"
        spawned = self._spawn(coroutine, name, group)
        # Whatever ran it (an asyncio task, a Textual worker) must be stoppable on shutdown.
        self._running = {handle for handle in self._running if not _finished(handle)}
        self._running.add(spawned)

    def _release(self, job_id: str) -> None:
        self._active.discard(job_id)
        self._pump()

    # -- one job --------------------------------------------------------------------------------
    async def _start(self, job_id: str) -> None:
        record = self.ledger.get(job_id)
        try:
            started = await self.client.start_deep_search(
                record.query, mode=record.mode, max_results=record.max_results, search_id=record.search_id
            )
        except RateLimitedError as error:
            self._requeue_front(job_id, error.retry_after, "Server busy: waiting for a free slot")
            return
        except (NetworkError, ServerError) as error:
            if self.fail_fast:
                self._finish(job_id, status="failed", error=error.message, error_kind=type(error).__name__)
            else:
                self._requeue_front(job_id, None, f"Cannot reach the API, will retry: {error.message}")
            return
        except ApiError as error:
            self._finish(job_id, status="failed", error=error.message, error_kind=type(error).__name__)
            return
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a bug must not freeze the job in "starting"
            self._finish(job_id, status="failed", error=f"Unexpected error: {error}")
            return
        record = self.ledger.get(job_id)
        self.save(replace(record, task_id=started.task_id, status="running", started_at=time.time(),
                           server_status=started.status, progress_message=started.message or "Started"))
        await self._poll(job_id)

    def _requeue_front(self, job_id: str, retry_after: float | None, reason: str) -> None:
        record = self.ledger.get(job_id)
        self.save(replace(record, status="queued", progress_message=reason))
        self._queue.appendleft(job_id)
        self._active.discard(job_id)
        self._paused_until = time.monotonic() + (retry_after or QUEUE_RETRY_FALLBACK)
        self._pump()

    async def _poll(self, job_id: str) -> None:
        record = self.ledger.get(job_id)
        try:
            final = await poll_until_done(
                lambda: self.client.task_status(record.task_id),
                lambda status: self._apply_status(job_id, status),
                self.poll_interval,
                on_error=lambda error: self._note_poll_error(job_id, error),
            )
        except TaskLost as lost:
            self._finish(job_id, status="failed", error=f"The server no longer knows this search ({lost})")
            return
        if final.is_completed:
            self._finish(job_id, status="completed")
        else:
            self._finish(job_id, status="failed", error=final.error or f"Search ended: {final.status}")

    def _apply_status(self, job_id: str, status: TaskStatus) -> None:
        record = self.ledger.get(job_id)
        history = [i.results or 0 for i in status.iterations] or list(record.results_history)
        updated = replace(
            record,
            server_status=status.status,
            progress_message=status.progress_message or status.status,
            iterations=len(status.iterations) or record.iterations,
            results_so_far=status.total_results if status.total_results is not None else record.results_so_far,
            results_history=history,
            total_results=status.total_results if status.is_terminal else record.total_results,
            exported_count=status.exported_count,
            resource_handle_id=status.resource_handle_id or record.resource_handle_id,
            search_id=status.search_id or record.search_id,
            error=status.error,
            interpretation=(status.iterations[0].message if status.iterations else None) or record.interpretation,
        )
        if updated != record:
            self.save(updated)

    def _note_poll_error(self, job_id: str, error: ApiError) -> None:
        record = self.ledger.get(job_id)
        self.save(replace(record, progress_message=f"Connection trouble, retrying: {error.message}"))

    def _finish(self, job_id: str, *, status: str, error: str | None = None, error_kind: str | None = None) -> None:
        record = self.ledger.get(job_id)
        message = record.progress_message
        if status == "failed":
            message = "Failed"
        elif status == "completed":
            count = record.total_results or 0
            message = f"Completed: {count:,} result{'' if count == 1 else 's'}"
        self.save(replace(record, status=status, error=error, error_kind=error_kind, finished_at=time.time(),
                          progress_message=message))
        self._finished.setdefault(job_id, asyncio.Event()).set()
        self._release(job_id)

    def save(self, record: JobRecord) -> None:
        self.ledger.upsert(record)
        self.publish(JobUpdated(record))
