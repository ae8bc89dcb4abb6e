"""The job engine: at most five deep searches at once across every process on the workspace, a
local FIFO queue for the rest, polling, and the workspace behind it so nothing is lost.

It knows nothing of Textual. Whoever runs it may pass `spawn` to run its coroutines as their own
workers (the TUI passes Textual's `run_worker` with a group per job); by default they are plain
asyncio tasks.

Several processes share one workspace. Each job is worked on by the process holding its lease;
this engine writes only the jobs it owns (through the write-behind `JobWriter`) and learns about
the others from the workspace's change feed, which also tells it when an owner died: its jobs are
then claimed and resumed here. The five API slots are counted over every live process.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable, Callable, Coroutine, Sequence
from typing import Any, NamedTuple, Protocol

import msgspec

from sixtyfour_tui.api.errors import (
    ApiError,
    ConflictError,
    ForbiddenError,
    NetworkError,
    NotFoundError,
    PaymentRequiredError,
    RateLimitedError,
    ServerError,
    UnauthorizedError,
    UnexpectedResponseError,
    ValidationError,
)
from sixtyfour_tui.api.models import DownloadResult, QueryPage, StartedTask, TaskStatus
from sixtyfour_tui.api.retry import RetryNotice, format_duration, retry_listener
from sixtyfour_tui.jobs.beat import sleep_past, sleep_to_beat
from sixtyfour_tui.jobs.events import (
    DownloadProgressed,
    JobEvent,
    JobForgotten,
    JobUpdated,
    RowsStored,
    StorageTrouble,
)
from sixtyfour_tui.jobs.polling import PollingGaveUp, TaskLost, poll_until_done
from sixtyfour_tui.jobs.records import (
    ErrorKind,
    Exclusions,
    JobKind,
    JobRecord,
    JobSource,
    JobStatus,
)
from sixtyfour_tui.workspace.database import StorageError
from sixtyfour_tui.workspace.store import LEASE_SECONDS, RECENT_JOBS, Change, Workspace, is_active
from sixtyfour_tui.workspace.writer import JobWriter

log = logging.getLogger(__name__)

API_SLOTS = 5
QUEUE_RETRY_FALLBACK = 5.0
WATCH_INTERVAL = 1.0
"""How often the change feed is read: another window's jobs show within about this long."""
ORPHAN_CHECK_EVERY = 5
"""Change-feed rounds between looks for jobs whose owner died."""
SCRIPT_POLL_ERROR_BUDGET = 300.0
APP_POLL_ERROR_BUDGET = 3600.0
PURGE_EVERY = 30
"""Change-feed rounds between deletions of removed jobs whose undo time is over."""

Spawn = Callable[[Awaitable[None], str, str], object]


class SearchApi(Protocol):
    """What the engine needs of an API client (SixtyfourClient; tests may pass a stand-in)."""

    async def start_deep_search(self, query: str, *, mode: str = ..., max_results: int = ...,
                                output_mode: str = ..., search_id: str | None = ...,
                                exclude_entity_ids: Sequence[str] | None = ...,
                                exclude_list_ids: Sequence[str] | None = ...) -> StartedTask: ...

    async def task_status(self, task_id: str, *, route: str = ...) -> TaskStatus: ...

    async def query_first(self, *, mode: str, search_id: str | None = ..., parsed_query: Any = ...,
                          simple_filters: dict[str, Any] | None = ..., query: str | None = ...,
                          page_size: int = ..., max_results: int = ...,
                          exclude_entity_ids: Sequence[str] | None = ...,
                          exclude_list_ids: Sequence[str] | None = ...,
                          exclude_public_ids: Sequence[str] | None = ...) -> QueryPage: ...

    async def query_next(self, cursor: str) -> QueryPage: ...

    async def export(self, *, mode: str, search_id: str | None = ..., parsed_query: Any = ...,
                     max_results: int = ...) -> StartedTask: ...

    async def download_to(self, resource_handle_id: str, dest: Any, *, on_progress: Any = ...,
                          link: Any = ...) -> DownloadResult: ...


_ERROR_KINDS: tuple[tuple[type[Exception], ErrorKind], ...] = (
    (UnauthorizedError, ErrorKind.UNAUTHORIZED),
    (PaymentRequiredError, ErrorKind.PAYMENT_REQUIRED),
    (ForbiddenError, ErrorKind.FORBIDDEN),
    (NotFoundError, ErrorKind.NOT_FOUND),
    (ValidationError, ErrorKind.VALIDATION),
    (ConflictError, ErrorKind.CONFLICT),
    (RateLimitedError, ErrorKind.RATE_LIMITED),
    (ServerError, ErrorKind.SERVER),
    (NetworkError, ErrorKind.NETWORK),
    (UnexpectedResponseError, ErrorKind.UNEXPECTED_RESPONSE),
    (OSError, ErrorKind.DISK),
)


def error_kind(error: BaseException) -> ErrorKind:
    from sixtyfour_tui.api.errors import BadRequestError

    for cls, kind in _ERROR_KINDS:
        if isinstance(error, cls):
            return kind
    if isinstance(error, BadRequestError):
        return ErrorKind.BAD_REQUEST
    return ErrorKind.OTHER if isinstance(error, ApiError) else ErrorKind.BUG


def _finished(handle: object) -> bool:
    if isinstance(handle, asyncio.Task):
        return handle.done()
    return bool(getattr(handle, "is_finished", False))


class StartState(NamedTuple):
    """What the engine reads from the workspace as it starts (`JobEngine.read_start`)."""

    known: list[JobRecord]
    rev: int
    claimed: list[JobRecord]
    unfinished: list[Change]
    problems: list[StorageError]


def _default_spawn(coroutine: Awaitable[None], name: str, group: str) -> asyncio.Future[None]:
    return asyncio.ensure_future(coroutine)


def replace(record: JobRecord, **changes: Any) -> JobRecord:
    return msgspec.structs.replace(record, **changes)


class JobEngine:
    def __init__(
        self,
        client: SearchApi,
        workspace: Workspace,
        *,
        backend: str,
        poll_interval: float = 10.0,
        slots: int = API_SLOTS,
        spawn: Spawn | None = None,
        fail_fast: bool = False,
        watch: bool = True,
        keep_rows: bool = True,
        writer: JobWriter | None = None,
    ) -> None:
        self.client = client
        self.workspace = workspace
        self.backend = backend
        self.poll_interval = poll_interval
        self.slots = slots
        self._spawn = spawn or _default_spawn
        self.fail_fast = fail_fast  # scripts want an error now; the app keeps jobs waiting instead
        self.watch = watch  # follow other processes' jobs (the TUI); a one-shot command need not
        self.keep_rows = keep_rows  # fetch a finished search's rows into the workspace
        self.writer = writer or JobWriter(workspace, on_problem=self._storage_problem, on_refused=self._lost_lease)
        self._mine: dict[str, JobRecord] = {}
        self._known: dict[str, JobRecord] = {}
        self._foreign_active: set[str] = set()
        self._queue: deque[str] = deque()
        self._active: set[str] = set()
        self._subscribers: list[Callable[[JobEvent], None]] = []
        self._finished: dict[str, asyncio.Event] = {}
        self._paused_until = 0.0
        self._wakeup_armed = False
        self._running: dict[object, tuple[Coroutine[Any, Any, None], ...]] = {}
        """What each spawned handle runs: closed on shutdown, so work cancelled before it started
        ends quietly instead of as a never-awaited coroutine."""
        self._closed = False
        self._rev = 0
        self._loop: asyncio.AbstractEventLoop | None = None
        self.storage_problem: str | None = None

    # -- observing ------------------------------------------------------------------------------
    def subscribe(self, callback: Callable[[JobEvent], None]) -> Callable[[], None]:
        self._subscribers.append(callback)
        return lambda: self._subscribers.remove(callback) if callback in self._subscribers else None

    @property
    def listeners(self) -> int:
        """How many callbacks hear the engine: a screen that forgets to unsubscribe shows up here."""
        return len(self._subscribers)

    def publish(self, event: JobEvent) -> None:
        if self._closed:
            return  # after shutdown nobody is listening any more (screens are going away)
        for callback in list(self._subscribers):
            callback(event)

    def jobs(self, kind: JobKind | None = JobKind.SEARCH) -> list[JobRecord]:
        """Every job this engine knows of (recent ones and everything since), oldest first."""
        chosen = [job for job in self._known.values() if kind is None or job.kind == kind]
        chosen.sort(key=lambda job: (job.created_at, job.job_id))
        return chosen

    def job(self, job_id: str) -> JobRecord | None:
        return self._known.get(job_id)

    def remember(self, record: JobRecord) -> None:
        """Know of a job read from the workspace outside the recent ones (e.g. an old search to export)."""
        self._known.setdefault(record.job_id, record)

    def owns(self, job_id: str) -> bool:
        return job_id in self._mine

    def queue_position(self, job_id: str) -> int | None:
        """1-based place in the local queue, or None when not waiting."""
        try:
            return self._queue.index(job_id) + 1
        except ValueError:
            return None

    @property
    def running_count(self) -> int:
        """Deep searches running against the backend, from every process on the workspace."""
        return len(self._active) + len(self._foreign_active)

    @property
    def own_running_count(self) -> int:
        """Deep searches this process is starting or polling."""
        return len(self._active)

    @property
    def queued_count(self) -> int:
        return len(self._queue)

    @property
    def busy(self) -> bool:
        """Work this process would leave behind: searches it runs or has queued."""
        return bool(self._active or self._queue)

    # -- lifecycle ------------------------------------------------------------------------------
    def read_start(self, recent: int | None = RECENT_JOBS) -> StartState:
        """What `start` needs from the workspace, in one go and on any thread: the app reads it
        on its backend thread, so the UI thread goes from "connected" to "ready" with no waits.
        Unfinished jobs nobody works on are claimed here."""
        problems: list[StorageError] = []

        def attempt(read: Callable[[], Any], empty: Any) -> Any:
            try:
                return read()
            except StorageError as problem:
                problems.append(problem)
                return empty

        rev, known = attempt(lambda: (self.workspace.current_rev(),
                                      self.workspace.recent_jobs(self.backend, limit=recent, kind=None)), (0, []))
        claimed = attempt(lambda: self.workspace.claim_orphans(self.backend), [])
        unfinished = attempt(lambda: self.workspace.unfinished_jobs(self.backend), [])
        return StartState(known=known, rev=rev, claimed=claimed, unfinished=unfinished, problems=problems)

    async def start(self, *, recent: int | None = RECENT_JOBS, state: StartState | None = None) -> list[JobRecord]:
        """Load the recent jobs, claim unfinished ones nobody is working on, resume them, and
        start following the workspace (`state`: what `read_start` already read). Returns the
        resumed jobs."""
        self._loop = asyncio.get_running_loop()
        if state is None:
            state = await asyncio.to_thread(self.read_start, recent)
        for problem in state.problems:
            self._storage_problem(problem)
        self._rev = state.rev
        for record in state.known:
            self._known[record.job_id] = record
        resumed = await self._resume_claimed(state.claimed)
        self._take_in_unfinished(state.unfinished)
        self._run(self._heartbeat(), None)
        if self.watch:
            self._run(self._watch(), None)
        self._pump()
        return resumed

    async def adopt_orphans(self, only: Sequence[str] | None = None) -> list[JobRecord]:
        """Claim and resume unfinished jobs of this backend whose owner is gone."""
        try:
            if only is None:
                claimed = await asyncio.to_thread(self.workspace.claim_orphans, self.backend)
            else:
                claimed = [job for job_id in only
                           if (job := await asyncio.to_thread(self.workspace.claim, job_id)) is not None]
        except StorageError as problem:
            self._storage_problem(problem)
            return []
        return await self._resume_claimed(claimed)

    async def _resume_claimed(self, claimed: Sequence[JobRecord]) -> list[JobRecord]:
        resumed = []
        for record in sorted(claimed, key=lambda job: job.created_at):
            if record.job_id in self._mine:
                continue
            if record.kind == JobKind.EXPORT:
                await self._interrupted(record)
                continue
            self._mine[record.job_id] = record
            self._known[record.job_id] = record
            self._foreign_active.discard(record.job_id)
            resumed.append(record)
            if record.source != JobSource.DEEP:
                self._run(self._run_query(record.job_id), record)  # answered at once: ask again
            elif record.status == JobStatus.RUNNING and record.task_id:
                self._active.add(record.job_id)
                self._run(self._poll(record.job_id), record)
            elif record.status == JobStatus.STARTING:
                # The start may or may not have reached the server; the same search_id makes
                # sending it again safe.
                self._active.add(record.job_id)
                self._run(self._start(record.job_id), record)
            else:
                self._queue.append(record.job_id)
            self.publish(JobUpdated(record, self.queue_position(record.job_id)))
        self._pump()
        return resumed

    async def _interrupted(self, export: JobRecord) -> None:
        """An export whose process died mid-way: say so (e exports again) and clear its leftovers."""
        from sixtyfour_tui.jobs.export_flow import remove_leftovers

        self._known[export.job_id] = export
        self.save(replace(export, status=JobStatus.INTERRUPTED, finished_at=time.time(),
                          progress_message="Interrupted: the app stopped during this export; e exports again"))
        if export.destination:
            await asyncio.to_thread(remove_leftovers, export.destination)

    def submit(self, query: str, mode: str = "people", max_results: int = 500, *,
               exclusions: Exclusions | None = None, **fields: Any) -> JobRecord:
        record = JobRecord(kind=JobKind.SEARCH, query=query, mode=mode, max_results=max_results,
                           backend=self.backend, status=JobStatus.QUEUED,
                           progress_message="Waiting for a free slot", exclusions=exclusions or Exclusions(),
                           **fields)
        self._mine[record.job_id] = record
        self.save(record)
        self._queue.append(record.job_id)
        self._pump()
        return self._mine[record.job_id]

    def run_query(self, source: JobSource, *, query: str, mode: str, max_results: int,
                  parsed_query: dict[str, Any] | None = None, simple_filters: dict[str, Any] | None = None,
                  exclusions: Exclusions | None = None, edited_from: str | None = None,
                  edit_note: str | None = None) -> JobRecord:
        """A search answered at once through `/search/query` or a filter search (no deep-search
        slot): a natural-language query (people), an edited parsed query, or simple filters. Its
        first page is stored as it arrives; the job then completes like any search."""
        if source == JobSource.DEEP:
            raise ValueError("a deep search goes through submit()")
        record = JobRecord(kind=JobKind.SEARCH, query=query, mode=mode, max_results=max_results,
                           backend=self.backend, status=JobStatus.RUNNING, source=source,
                           parsed_query=parsed_query, simple_filters=simple_filters,
                           exclusions=exclusions or Exclusions(), edited_from=edited_from, edit_note=edit_note,
                           started_at=time.time(), progress_message="Asking the index")
        self.save(record)
        self._run(self._run_query(record.job_id), record)
        return record

    async def _run_query(self, job_id: str) -> None:
        from sixtyfour_tui.jobs.stored_rows import StoredRows, keep_rows

        record = await self._ready_to_ask(job_id)
        if record is None:
            return
        source = StoredRows(self.client, self.workspace, record, first_page=self._first_request(record))
        await source.open()
        try:
            rows = await source.fetch_page(0)
        except ApiError as error:
            self._finish(job_id, status=JobStatus.FAILED, error=error.message, kind=error_kind(error))
            return
        pager = source.pager(0)
        page = pager.last_page
        expected = len(rows) if not pager.has_more else (pager.expected_total or len(rows))
        parsed = page.parsed_query if page is not None and isinstance(page.parsed_query, dict) else None
        record = self._mine[job_id]
        self.save(replace(record, search_id=pager.search_id, total_results=expected, results_so_far=expected,
                          parsed_query=parsed or record.parsed_query, iterations=1))
        self._finish(job_id, status=JobStatus.COMPLETED)
        if self.keep_rows:
            await keep_rows(self, self._known[job_id])

    async def renew_search_id(self, job_id: str) -> JobRecord:
        """Ask a search answered at once (a query, an edited query, a filter search) again, for a
        search_id the server knows: it keeps those ids for a while only (the sandbox: until it
        restarts), while a deep search's id lasts. The record keeps the new id."""
        record = self._known.get(job_id)
        if record is None or record.source == JobSource.DEEP:
            raise ValueError("only a search answered at once can be asked again")
        page = await self._first_request(record)()
        renewed = replace(record, search_id=page.search_id or record.search_id)
        if job_id in self._mine:
            self.save(renewed)
        else:
            self._known[job_id] = renewed  # another process's job: ours to use, its to keep
        return renewed

    def _first_request(self, record: JobRecord) -> Callable[[], Awaitable[QueryPage]]:
        excluded = list(record.exclusions.entity_ids) or None
        lists = list(record.exclusions.list_ids) or None
        client: Any = self.client
        if record.source == JobSource.FILTER:
            return lambda: client.start_filter_search(record.simple_filters or {}, mode=record.mode,
                                                      max_results=record.max_results, page_size=100,
                                                      exclude_entity_ids=excluded, exclude_list_ids=lists)
        if record.source == JobSource.PARSED:
            return lambda: client.query_first(mode=record.mode, parsed_query=record.parsed_query,
                                              max_results=record.max_results, page_size=100,
                                              exclude_entity_ids=excluded, exclude_list_ids=lists)
        return lambda: client.query_first(mode=record.mode, query=record.query, max_results=record.max_results,
                                          page_size=100, exclude_entity_ids=excluded, exclude_list_ids=lists)

    def find_unfinished(self, query: str, mode: str, max_results: int,
                        exclusions: Exclusions | None = None) -> JobRecord | None:
        """An unfinished search of the same query, mode, size and exclusions (to attach to, not
        start again)."""
        asked = exclusions or Exclusions()
        for job in reversed(self.jobs()):
            if (not job.is_finished and job.query == query and job.mode == mode and job.max_results == max_results
                    and job.source == JobSource.DEEP and job.exclusions.set_ids == asked.set_ids
                    and job.exclusions.seen == asked.seen):
                return job
        return None

    def cancel_queued(self, job_id: str) -> bool:
        """Take a job out of the local queue before it reaches the server."""
        if job_id not in self._queue:
            return False
        self._queue.remove(job_id)
        self._finish(job_id, status=JobStatus.CANCELLED)
        self._publish_queue_positions()
        return True

    async def forget(self, job_id: str) -> bool:
        """Remove a finished job (and, after a grace period, its stored rows); undo with `unforget`."""
        job = self._known.get(job_id)
        if job is None or not job.is_finished:
            return False
        await self.writer.flushed()
        try:
            done = await asyncio.to_thread(self.workspace.forget_job, job_id)
        except StorageError as problem:
            self._storage_problem(problem)
            return False
        if done:
            self._known.pop(job_id, None)
            self._mine.pop(job_id, None)
            self.publish(JobForgotten(job_id))
        return done

    async def unforget(self, job_id: str) -> JobRecord | None:
        try:
            if not await asyncio.to_thread(self.workspace.unforget_job, job_id):
                return None
            record = await asyncio.to_thread(self.workspace.get_job, job_id)
        except StorageError as problem:
            self._storage_problem(problem)
            return None
        if record is not None:
            self._known[job_id] = record
            self.publish(JobUpdated(record, owned=False))
        return record

    async def wait(self, job_id: str) -> JobRecord:
        """Until the job ends; returns its final record (also for another process's job)."""
        record = self._known.get(job_id)
        if record is not None and record.is_finished:
            return record
        await self._finished.setdefault(job_id, asyncio.Event()).wait()
        return self._known[job_id]

    async def shutdown(self) -> None:
        """Stop here: pending writes are saved (bounded), leases released so another process may
        carry on at once; the searches go on on the server and resume on the next start."""
        self._closed = True
        running, self._running = self._running, {}
        handles = list(running)
        for handle in handles:
            cancel = getattr(handle, "cancel", None)
            if cancel is not None:
                cancel()
        for handle in handles:
            if isinstance(handle, asyncio.Future):
                try:
                    await handle
                except (asyncio.CancelledError, Exception):
                    pass
        for coroutines in running.values():
            for coroutine in coroutines:
                coroutine.close()  # a no-op for what ran; what never started is not left dangling
        await asyncio.to_thread(self.writer.close)
        try:
            await asyncio.to_thread(self.workspace.release_leases)
        except StorageError:
            pass  # the leases simply run out

    # -- following other processes --------------------------------------------------------------
    async def _heartbeat(self) -> None:
        while True:
            await sleep_to_beat(LEASE_SECONDS / 3)
            if self._active or self._queue:
                try:
                    await asyncio.to_thread(self.workspace.renew_leases)
                except StorageError as problem:
                    self._storage_problem(problem)

    async def _watch(self) -> None:
        rounds = 0
        while True:
            await sleep_to_beat(WATCH_INTERVAL)
            rounds += 1
            try:
                await self.follow_changes()
                if rounds % ORPHAN_CHECK_EVERY == 0:
                    await self.adopt_orphans()
                if rounds % PURGE_EVERY == 0:
                    await asyncio.to_thread(self.workspace.purge_forgotten)
            except StorageError as problem:
                self._storage_problem(problem)

    async def follow_changes(self) -> None:
        """Take in what other processes wrote since the last look."""
        rev, changes = await asyncio.to_thread(self.workspace.changes_since, self._rev, self.backend)
        self._rev = rev
        freed = False
        for change in changes:
            if change.record.job_id in self._mine:
                continue
            freed |= self._take_in(change)
        if freed:
            self._pump()

    def _take_in_unfinished(self, unfinished: Sequence[Change]) -> None:
        for change in unfinished:
            if change.record.job_id not in self._mine:
                self._take_in(change)

    def _take_in(self, change: Change) -> bool:
        """Note another process's job; True when a slot it held came free."""
        record = change.record
        job_id = record.job_id
        was_active = job_id in self._foreign_active
        if change.forgotten:
            self._foreign_active.discard(job_id)
            if self._known.pop(job_id, None) is not None:
                self.publish(JobForgotten(job_id, undoable=False))
            return was_active
        if is_active(change):
            self._foreign_active.add(job_id)
        else:
            self._foreign_active.discard(job_id)
        previous = self._known.get(job_id)
        self._known[job_id] = record
        if previous != record:
            self.publish(JobUpdated(record, None, owned=False))
        if record.is_finished:
            event = self._finished.get(job_id)
            if event is not None:
                event.set()
        return was_active and job_id not in self._foreign_active

    # -- scheduling -----------------------------------------------------------------------------
    def _pump(self) -> None:
        """Start queued jobs while slots are free and the server is not pushing back."""
        if self._closed:
            return
        now = time.monotonic()
        if now < self._paused_until:
            self._arm_wakeup(self._paused_until - now)
            return
        while self._queue and self.running_count < self.slots:
            job_id = self._queue.popleft()
            record = self._mine.get(job_id)
            if record is None or record.is_finished:
                continue
            self._active.add(job_id)
            self.save(replace(record, status=JobStatus.STARTING, progress_message="Starting"))
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
            record = self._mine.get(job_id)
            if record is not None:
                message = f"Queued locally: #{position} in line"
                if record.progress_message != message:
                    self.save(replace(record, progress_message=message))

    def _run(self, coroutine: Awaitable[None], record: JobRecord | None) -> None:
        group = f"job-{record.job_id}" if record else "engine"
        name = f"{group}-{getattr(coroutine, '__name__', 'work')}"
        guarded = self._guarded(coroutine, record.job_id if record else None)
        spawned = self._spawn(guarded, name, group)
        # Whatever ran it (an asyncio task, a Textual worker) must be stoppable on shutdown.
        self._running = {handle: work for handle, work in self._running.items() if not _finished(handle)}
        self._running[spawned] = (guarded, coroutine) if isinstance(coroutine, Coroutine) else (guarded,)

    async def _guarded(self, coroutine: Awaitable[None], job_id: str | None) -> None:
        """The one place a bug in a job's coroutine ends up: logged with its traceback, and the
        job fails with a message instead of holding one of the five slots forever."""
        try:
            await coroutine
        except asyncio.CancelledError:
            raise
        except Exception as bug:
            log.exception("job %s: unexpected error", job_id or "(engine)")
            if job_id is not None and job_id in self._mine and not self._mine[job_id].is_finished:
                self._finish(job_id, status=JobStatus.FAILED, error=f"Unexpected error: {bug} (see the log file)",
                             kind=ErrorKind.BUG)

    # -- one job --------------------------------------------------------------------------------
    async def _ready_to_ask(self, job_id: str) -> JobRecord | None:
        """The record as it stands once it is safely on disk and its exclusions are known; None when
        resolving them finished the job. On disk first: a crash between asking the server and saving
        would otherwise leave a billable search nobody can find."""
        await self.writer.flushed()
        if not self._mine[job_id].exclusions.resolved and not await self._resolve_exclusions(job_id):
            return None
        return self._mine[job_id]

    async def _start(self, job_id: str) -> None:
        record = await self._ready_to_ask(job_id)
        if record is None:
            return
        hearing = retry_listener.set(lambda notice: self._note_retry(job_id, notice))
        try:
            started = await self.client.start_deep_search(
                record.query, mode=record.mode, max_results=record.max_results, search_id=record.search_id,
                exclude_entity_ids=list(record.exclusions.entity_ids) or None,
                exclude_list_ids=list(record.exclusions.list_ids) or None,
            )
        except RateLimitedError as error:
            self._requeue_front(job_id, error.retry_after, "Server busy: waiting for a free slot")
            return
        except (NetworkError, ServerError) as error:
            if self.fail_fast:
                self._finish(job_id, status=JobStatus.FAILED, error=error.message, kind=error_kind(error))
            else:
                self._requeue_front(job_id, None, f"Cannot reach the API, will retry: {error.message}")
            return
        except ApiError as error:
            self._finish(job_id, status=JobStatus.FAILED, error=error.message, kind=error_kind(error))
            return
        finally:
            retry_listener.reset(hearing)
        record = self._mine[job_id]
        self.save(replace(record, task_id=started.task_id, status=JobStatus.RUNNING,
                          started_at=record.started_at or time.time(), server_status=started.status,
                          progress_message=started.message or "Started"))
        await self._poll(job_id)

    async def _resolve_exclusions(self, job_id: str) -> bool:
        """The exclusions in the form the API takes (ids, or a ready saved list); False (and the
        job failed, saying why) when they cannot be set up."""
        from sixtyfour_tui.jobs import exclusion_lists

        record = self._mine[job_id]
        self.save(replace(record, progress_message="Preparing the exclusions"))
        in_use = {list_id for job in self._known.values() if not job.is_finished for list_id in job.exclusions.list_ids}
        try:
            resolved = await exclusion_lists.resolve(self.client, self.workspace, record, backend=self.backend,
                                                     in_use=in_use)
        except exclusion_lists.ExclusionTrouble as trouble:
            self._finish(job_id, status=JobStatus.FAILED, error=str(trouble), kind=ErrorKind.OTHER)
            return False
        except (RateLimitedError, NetworkError, ServerError) as error:
            if self.fail_fast:
                self._finish(job_id, status=JobStatus.FAILED, error=error.message, kind=error_kind(error))
            else:
                self._requeue_front(job_id, getattr(error, "retry_after", None),
                                    f"Cannot set up the exclusions yet, will retry: {error.message}")
            return False
        except ApiError as error:
            self._finish(job_id, status=JobStatus.FAILED, error=f"Exclusions refused: {error.message}",
                         kind=error_kind(error))
            return False
        except StorageError as problem:
            self._finish(job_id, status=JobStatus.FAILED, error=f"Exclusions unreadable: {problem.message}",
                         kind=ErrorKind.DISK)
            return False
        self.save(replace(self._mine[job_id], exclusions=resolved, progress_message="Starting"))
        await self.writer.flushed()
        return True

    def _requeue_front(self, job_id: str, retry_after: float | None, reason: str) -> None:
        record = self._mine[job_id]
        self.save(replace(record, status=JobStatus.QUEUED, progress_message=reason))
        self._queue.appendleft(job_id)
        self._active.discard(job_id)
        self._paused_until = time.monotonic() + (retry_after or QUEUE_RETRY_FALLBACK)
        self._pump()

    async def _poll(self, job_id: str) -> None:
        record = self._mine[job_id]
        task_id = record.task_id
        assert task_id is not None
        try:
            final = await poll_until_done(
                lambda: self.client.task_status(task_id),
                lambda status: self._apply_status(job_id, status),
                self.poll_interval,
                on_error=lambda error: self._note_poll_error(job_id, error),
                sleep=sleep_to_beat,
                sleep_at_least=sleep_past,
                # A script wants a verdict; the app rides out a long outage (the search goes on).
                error_budget=SCRIPT_POLL_ERROR_BUDGET if self.fail_fast else APP_POLL_ERROR_BUDGET,
            )
        except PollingGaveUp as gave_up:
            # Every request failed for the whole error budget, or the server answered in a way
            # polling cannot go on from (a redirect, a refusal): the job ends, saying why.
            self._finish(job_id, status=JobStatus.FAILED, error=gave_up.message,
                         kind=error_kind(gave_up.error) if gave_up.error is not None else ErrorKind.OTHER)
            return
        except TaskLost as lost:
            await self._task_lost(job_id, str(lost))
            return
        if final.is_completed:
            await self._completed(job_id)
        else:
            self._finish(job_id, status=JobStatus.FAILED, error=final.error or f"Search ended: {final.status}",
                         kind=ErrorKind.OTHER)

    async def _task_lost(self, job_id: str, reason: str) -> None:
        """The server forgot a task it accepted (it restarted): send the start once more with the
        same search_id (the contract's idempotent start); a second loss fails the job."""
        record = self._mine[job_id]
        if record.restarts >= 1:
            self._finish(job_id, status=JobStatus.FAILED, kind=ErrorKind.LOST,
                         error=f"The server lost this search twice ({reason}).")
            return
        self.save(replace(record, restarts=record.restarts + 1, task_id=None, status=JobStatus.STARTING,
                          progress_message=f"The server lost this search ({reason}); sending it again"))
        await self._start(job_id)

    def _apply_status(self, job_id: str, status: TaskStatus) -> None:
        record = self._mine[job_id]
        history = tuple(i.results or 0 for i in status.iterations) or record.results_history
        interpretation = (status.iterations[0].message if status.iterations else None) or record.interpretation
        parsed = status.raw.get("parsed_query")
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
            interpretation=interpretation,
            parsed_query=parsed if isinstance(parsed, dict) else record.parsed_query,
        )
        if updated != record:
            self.save(updated)

    def _note_retry(self, job_id: str, notice: RetryNotice) -> None:
        """While the start is retried, the job says why it waits (not "Starting" for half a minute)."""
        record = self._mine.get(job_id)
        if record is not None and not record.is_finished:
            cause = "server busy" if isinstance(notice.error, RateLimitedError) else notice.error.message
            self.save(replace(record, progress_message=f"Retrying in {format_duration(notice.delay)}: {cause}"))

    def _note_poll_error(self, job_id: str, error: ApiError) -> None:
        record = self._mine[job_id]
        self.save(replace(record, progress_message=f"Connection trouble, retrying: {error.message}"))

    async def _completed(self, job_id: str) -> None:
        self._finish(job_id, status=JobStatus.COMPLETED)
        if self.keep_rows:
            from sixtyfour_tui.jobs.stored_rows import keep_rows

            record = self._known[job_id]
            await keep_rows(self, record)

    def _finish(self, job_id: str, *, status: JobStatus, error: str | None = None,
                kind: ErrorKind | None = None) -> None:
        record = self._mine[job_id]
        message = record.progress_message
        if status == JobStatus.FAILED:
            message = "Failed"
        elif status == JobStatus.CANCELLED:
            message = "Cancelled"
        elif status == JobStatus.COMPLETED:
            count = record.total_results or 0
            message = f"Completed: {count:,} result{'' if count == 1 else 's'}"
        self.save(replace(record, status=status, error=error, error_kind=kind, finished_at=time.time(),
                          progress_message=message))
        self._finished.setdefault(job_id, asyncio.Event()).set()
        self._active.discard(job_id)
        self._pump()

    def save(self, record: JobRecord) -> None:
        """Remember a job this process owns and queue it for the workspace."""
        self._mine[record.job_id] = record
        self._known[record.job_id] = record
        self.writer.save(record)
        self.publish(JobUpdated(record, self.queue_position(record.job_id)))

    def rows_stored(self, event: RowsStored) -> None:
        self.publish(event)

    # -- called from the writer thread ----------------------------------------------------------
    def _storage_problem(self, problem: StorageError | None) -> None:
        message = problem.message if problem is not None else None
        if message == self.storage_problem:
            return
        self.storage_problem = message
        if message:
            log.warning("workspace: %s", message)
        self._call_soon(lambda: self.publish(StorageTrouble(message)))

    def _lost_lease(self, job_ids: list[str]) -> None:
        """Another process took these jobs over (our lease ran out): stop working on them here."""
        def drop() -> None:
            for job_id in job_ids:
                if self._mine.pop(job_id, None) is not None:
                    log.warning("job %s: taken over by another process", job_id)
                    self._active.discard(job_id)
                    if job_id in self._queue:
                        self._queue.remove(job_id)
            self._pump()

        self._call_soon(drop)

    def _call_soon(self, callback: Callable[[], None]) -> None:
        loop = self._loop
        if loop is None or loop.is_closed():
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is loop:
            callback()
        else:
            loop.call_soon_threadsafe(callback)

    def download_progress(self, job_id: str, done: int, total: int | None) -> None:
        self.publish(DownloadProgressed(job_id, done, total))
