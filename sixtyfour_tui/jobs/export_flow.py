"""Save a finished search as CSV: reuse the search's own file when it has one, otherwise export,
poll and download. The saved file's row count is checked against what the server reported, and
the destination only ever receives a complete, checked file."""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import replace
from pathlib import Path

from sixtyfour_tui.api.errors import ApiError, ConflictError
from sixtyfour_tui.jobs.events import DownloadProgressed
from sixtyfour_tui.jobs.ledger import JobRecord
from sixtyfour_tui.jobs.polling import TaskLost, poll_until_done
from sixtyfour_tui.locations import expand_path

DOWNLOAD_CHECK_ATTEMPTS = 3


class ExportError(Exception):
    """An export that could not be completed; the message is meant for people."""


class Exporter:
    def __init__(self, engine) -> None:
        self.engine = engine

    async def export(self, search_job_id: str, dest: Path, *, max_results: int | None = None,
                     overwrite: bool = False) -> JobRecord:
        """Run the whole flow; returns the finished export record (status completed or failed)."""
        engine = self.engine
        search = engine.ledger.get(search_job_id)
        if search is None or search.status != "completed":
            raise ExportError("Only a completed search can be exported.")
        try:
            dest = expand_path(dest)
        except ValueError as problem:
            raise ExportError(str(problem)) from None
        if dest.exists() and not overwrite:
            raise ExportError(f"{dest} already exists.")
        record = JobRecord(kind="export", query=search.query, mode=search.mode,
                           max_results=max_results or search.total_results or search.max_results,
                           search_id=search.search_id, parent_job_id=search.job_id, backend=engine.backend,
                           status="running", started_at=time.time(), progress_message="Preparing export")
        engine.save(record)
        try:
            handle, expected = await self._file_for(record, search, max_results)
            record = self._stage(record.job_id, "Downloading", resource_handle_id=handle, exported_count=expected)
            rows, size = await self._download_checked(record.job_id, handle, dest, expected)
        except asyncio.CancelledError:
            self._close(record.job_id, "cancelled", error="Cancelled by user")
            raise
        except (ApiError, ExportError, TaskLost, OSError) as error:
            message = getattr(error, "message", None) or _describe_os_error(error, dest)
            kind = "DiskError" if isinstance(error, OSError) else type(error).__name__
            return self._close(record.job_id, "failed", error=message, error_kind=kind)
        return self._close(record.job_id, "completed", saved_file=str(dest), total_results=rows,
                           progress_message=f"Saved {rows:,} rows ({size:,} bytes) to {dest}")

    async def _file_for(self, record: JobRecord, search: JobRecord, max_results: int | None) -> tuple[str, int | None]:
        """A resource handle holding the rows wanted, and how many rows it should have."""
        wants_all = max_results is None or (search.total_results is not None and max_results >= search.total_results)
        if search.resource_handle_id and wants_all:
            return search.resource_handle_id, search.exported_count or search.total_results
        self._stage(record.job_id, "Exporting")
        client = self.engine.client
        try:
            started = await client.export(mode=search.mode, search_id=search.search_id,
                                          max_results=max_results or search.total_results or 5000)
            task_id = started.task_id
        except ConflictError as conflict:
            task_id = conflict.task_id or self._known_running_export(search.search_id, record.job_id)
            if task_id is None:
                raise ExportError("An export of this search is already running; try again when it ends.") from conflict
        self._stage(record.job_id, "Waiting for the export", task_id=task_id)
        final = await poll_until_done(
            lambda: client.task_status(task_id),
            lambda status: self._stage(record.job_id, f"Exporting: {status.progress_message or status.status}"),
            min(self.engine.poll_interval, 2.0),
        )
        if not final.is_completed or not final.resource_handle_id:
            raise ExportError(final.error or f"The export ended as {final.status}.")
        return final.resource_handle_id, final.exported_count

    def _known_running_export(self, search_id: str, own_job_id: str) -> str | None:
        for job in reversed(self.engine.ledger.records()):
            if job.kind == "export" and job.search_id == search_id and job.task_id and job.job_id != own_job_id \
                    and not job.is_finished:
                return job.task_id
        return None

    async def _download_checked(self, job_id: str, handle: str, dest: Path, expected: int | None) -> tuple[int, int]:
        """Download beside `dest`, check the row count, then move into place."""
        staging = dest.parent / f".{dest.name}.checking"
        client = self.engine.client

        def progress(done: int, total: int | None) -> None:
            self.engine.publish(DownloadProgressed(job_id, done, total))

        try:
            for attempt in range(1, DOWNLOAD_CHECK_ATTEMPTS + 1):
                result = await client.download_to(handle, staging, on_progress=progress)
                if expected is None or result.rows == expected:
                    os.replace(staging, dest)
                    return result.rows, result.bytes_written
                self._stage(job_id, f"Got {result.rows:,} of {expected:,} rows; downloading again ({attempt})")
            raise ExportError(f"The download kept arriving incomplete (expected {expected:,} rows).")
        finally:
            staging.unlink(missing_ok=True)

    def _stage(self, job_id: str, message: str, **changes) -> JobRecord:
        record = replace(self.engine.ledger.get(job_id), progress_message=message, **changes)
        self.engine.save(record)
        return record

    def _close(self, job_id: str, status: str, **changes) -> JobRecord:
        changes.setdefault("progress_message", "Failed" if status == "failed" else status.capitalize())
        record = replace(self.engine.ledger.get(job_id), status=status, finished_at=time.time(), **changes)
        self.engine.save(record)
        return record


def _describe_os_error(error: BaseException, dest: Path) -> str:
    """Name the file the user asked for, not the temporary one beside it."""
    if isinstance(error, OSError):
        return f"Could not write {dest}: {error.strerror or error}"
    return str(error)
