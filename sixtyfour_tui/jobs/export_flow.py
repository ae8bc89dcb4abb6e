"""Save a finished search as CSV through the API: reuse the search's own file when it has one,
otherwise export, poll and download. The saved file's row count is checked against what the
server reported, the destination only ever receives a complete, checked file, and the file's rows
are kept in the workspace (so a search that was only exported can still be browsed and printed).

Progress is the export record's `stage` (an `ExportStage`), published like any job change.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from pathlib import Path
from typing import Any

import msgspec

from sixtyfour_tui.api.errors import ApiError, ConflictError, NotFoundError
from sixtyfour_tui.api.models import TaskStatus
from sixtyfour_tui.entities import entity_id
from sixtyfour_tui.jobs.engine import JobEngine, error_kind
from sixtyfour_tui.jobs.polling import TaskLost, poll_until_done
from sixtyfour_tui.jobs.records import (
    ErrorKind,
    ExportStage,
    JobKind,
    JobRecord,
    JobSource,
    JobStatus,
    SavedFile,
    new_id,
)
from sixtyfour_tui.locations import expand_path
from sixtyfour_tui.workspace.database import StorageError

log = logging.getLogger(__name__)

DOWNLOAD_CHECK_ATTEMPTS = 3
MAX_EXPORT_ROWS = 5000
"""The most rows one export request may ask for."""


class ExportError(Exception):
    """An export that could not be completed; the message is meant for people."""


class Exporter:
    def __init__(self, engine: JobEngine) -> None:
        self.engine = engine

    async def export(self, search_job_id: str, dest: Path, *, max_results: int | None = None,
                     overwrite: bool = False, export_id: str | None = None) -> JobRecord:
        """Run the whole flow; returns the finished export record (status completed or failed).

        `export_id` names the export record up front, so a screen can follow exactly this export.
        """
        engine = self.engine
        search = engine.job(search_job_id)
        if search is None or search.status != JobStatus.COMPLETED:
            raise ExportError("Only a completed search can be exported.")
        try:
            dest = expand_path(dest)
        except ValueError as problem:
            raise ExportError(str(problem)) from None
        if dest.exists() and not overwrite:
            raise ExportError(f"{dest} already exists.")
        record = JobRecord(job_id=export_id or new_id(), kind=JobKind.EXPORT, query=search.query, mode=search.mode,
                           max_results=max_results or search.total_results or search.max_results,
                           search_id=search.search_id, parent_job_id=search.job_id, backend=engine.backend,
                           status=JobStatus.RUNNING, started_at=time.time(), stage=ExportStage.PREPARING,
                           progress_message="Preparing export", destination=str(dest))
        engine.save(record)
        try:
            handle, expected = await self._file_for(record, search, max_results)
            record = self._stage(record.job_id, ExportStage.DOWNLOADING, "Downloading", resource_handle_id=handle,
                                 exported_count=expected)
            rows, size = await self._download_checked(record.job_id, handle, dest, expected)
        except asyncio.CancelledError:
            self._close(record.job_id, JobStatus.CANCELLED, error="Cancelled by user")
            raise
        except (ApiError, ExportError, TaskLost, OSError) as error:
            message = getattr(error, "message", None) or _describe_os_error(error, dest)
            if isinstance(error, TaskLost):
                kind = error_kind(error.error) if error.error is not None else ErrorKind.OTHER
            else:
                kind = ErrorKind.OTHER if isinstance(error, ExportError) else error_kind(error)
            return self._close(record.job_id, JobStatus.FAILED, error=message, error_kind=kind)
        await self._remember(search, dest, rows)
        return self._close(record.job_id, JobStatus.COMPLETED, saved_file=str(dest), total_results=rows,
                           stage=ExportStage.DONE,
                           progress_message=f"Saved {rows:,} rows ({size:,} bytes) to {dest}")

    async def _file_for(self, record: JobRecord, search: JobRecord, max_results: int | None) -> tuple[str, int | None]:
        """A resource handle holding the rows wanted, and how many rows it should have."""
        wants_all = max_results is None or (search.total_results is not None and max_results >= search.total_results)
        if search.resource_handle_id and wants_all:
            return search.resource_handle_id, search.exported_count or search.total_results
        self._stage(record.job_id, ExportStage.EXPORTING, "Asking the server for a CSV")
        client = self.engine.client
        wanted = min(max_results or search.total_results or MAX_EXPORT_ROWS, MAX_EXPORT_ROWS)
        try:
            try:
                started = await client.export(mode=search.mode, search_id=search.search_id, max_results=wanted)
            except NotFoundError:
                if search.source == JobSource.DEEP:
                    raise
                # A search answered at once whose id the server no longer keeps: asked again, it
                # gets one (the same question, so the same rows).
                self._stage(record.job_id, ExportStage.EXPORTING, "Asking the server for the search again")
                search = await self.engine.renew_search_id(search.job_id)
                self._stage(record.job_id, ExportStage.EXPORTING, "Asking the server for a CSV",
                            search_id=search.search_id)
                started = await client.export(mode=search.mode, search_id=search.search_id, max_results=wanted)
            task_id = started.task_id
        except ConflictError as conflict:
            running = conflict.task_id or self._known_running_export(search.search_id, record.job_id)
            if running is None:
                raise ExportError("An export of this search is already running; try again when it ends.") from conflict
            task_id = running
        self._stage(record.job_id, ExportStage.WAITING, "Waiting for the export", task_id=task_id)
        def progressed(status: TaskStatus) -> None:
            self._stage(record.job_id, ExportStage.WAITING, status.progress_message or status.status)

        final = await poll_until_done(lambda: client.task_status(task_id), progressed,
                                      min(self.engine.poll_interval, 2.0))
        if not final.is_completed or not final.resource_handle_id:
            raise ExportError(final.error or f"The export ended as {final.status}.")
        return final.resource_handle_id, final.exported_count

    def _known_running_export(self, search_id: str, own_job_id: str) -> str | None:
        for job in reversed(self.engine.jobs(kind=JobKind.EXPORT)):
            if job.search_id == search_id and job.task_id and job.job_id != own_job_id and not job.is_finished:
                return job.task_id
        return None

    async def _download_checked(self, job_id: str, handle: str, dest: Path, expected: int | None) -> tuple[int, int]:
        """Download beside `dest`, check the row count, then move into place."""
        staging = dest.parent / f".{dest.name}.checking"
        client = self.engine.client

        def progress(done: int, total: int | None) -> None:
            self.engine.download_progress(job_id, done, total)

        try:
            for attempt in range(1, DOWNLOAD_CHECK_ATTEMPTS + 1):
                result = await client.download_to(handle, staging, on_progress=progress)
                if expected is None or result.rows == expected:
                    os.replace(staging, dest)
                    return result.rows, result.bytes_written
                self._stage(job_id, ExportStage.RETRYING,
                            f"Got {result.rows:,} of {expected:,} rows; downloading again ({attempt})")
            raise ExportError(f"The download kept arriving incomplete (expected {expected:,} rows).")
        finally:
            staging.unlink(missing_ok=True)

    async def _remember(self, search: JobRecord, dest: Path, rows: int) -> None:
        """The saved file and its rows go into the workspace; a refusal there costs no export."""
        workspace = self.engine.workspace
        try:
            await asyncio.to_thread(workspace.store_csv, search, dest)
            ids = await asyncio.to_thread(_csv_entities, search.mode, dest)
            await asyncio.to_thread(workspace.record_saved_file,
                                    SavedFile(path=str(dest), job_id=search.job_id, rows=rows), search.mode, ids)
        except (StorageError, OSError) as problem:
            log.warning("export of %s saved, but not recorded in the workspace: %s", search.job_id, problem)

    def _stage(self, job_id: str, stage: ExportStage, message: str, **changes: Any) -> JobRecord:
        current = self.engine.job(job_id)
        assert current is not None
        record = msgspec.structs.replace(current, stage=stage, progress_message=message, **changes)
        self.engine.save(record)
        return record

    def _close(self, job_id: str, status: JobStatus, **changes: Any) -> JobRecord:
        changes.setdefault("progress_message", "Failed" if status == JobStatus.FAILED else status.capitalize())
        current = self.engine.job(job_id)
        assert current is not None
        record = msgspec.structs.replace(current, status=status, finished_at=time.time(), **changes)
        self.engine.save(record)
        return record


LEFTOVER_QUIET_SECONDS = 10.0
"""A temporary file nobody wrote to for this long belongs to no live download."""


def remove_leftovers(destination: str | Path, now: float | None = None) -> list[Path]:
    """Delete this app's temporary files for `destination` (`.name.*.part`, `.name.checking`)
    that no live download is writing; returns what was removed."""
    dest = Path(destination)
    moment = now if now is not None else time.time()
    removed = []
    try:
        candidates = list(dest.parent.iterdir())
    except OSError:
        return []
    for path in candidates:
        name = path.name
        ours = name.startswith((f".{dest.name}.", f"..{dest.name}.checking.")) and name.endswith(
            (".part", ".checking"))
        if not ours:
            continue
        try:
            if moment - path.stat().st_mtime < LEFTOVER_QUIET_SECONDS:
                continue
            path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed


def _csv_entities(mode: str, path: Path) -> list[str]:
    import csv

    with open(path, newline="", encoding="utf-8", errors="replace") as handle:
        return [entity for row in csv.DictReader(handle) if (entity := entity_id(mode, row))]


def _describe_os_error(error: BaseException, dest: Path) -> str:
    """Name the file the user asked for, not the temporary one beside it."""
    if isinstance(error, OSError):
        return f"Could not write {dest}: {error.strerror or error}"
    return str(error)
