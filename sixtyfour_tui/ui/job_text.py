"""How a job reads on screen: status words, elapsed time, counts. Plain strings, no markup."""

from __future__ import annotations

import time

from sixtyfour_tui.api.rows import sanitize_text
from sixtyfour_tui.jobs.records import JobRecord

clock = time.time  # replaced in snapshot tests so elapsed times are fixed

STATUS_ICONS = {
    "queued": "◌",
    "starting": "◔",
    "running": "◑",
    "completed": "●",
    "failed": "✖",
    "cancelled": "○",
}


def status_label(job: JobRecord, queue_position: int | None = None) -> str:
    icon = STATUS_ICONS.get(job.status, "?")
    if job.status == "queued" and queue_position:
        return f"{icon} queued #{queue_position}"
    return f"{icon} {job.status}"


def progress_text(job: JobRecord) -> str:
    if job.status == "failed":
        return sanitize_text(f"Error: {job.error or 'unknown error'}")
    return sanitize_text(job.progress_message)


def results_text(job: JobRecord) -> str:
    count = job.total_results if job.total_results is not None else job.results_so_far
    return f"{count or 0:,}"


def elapsed_text(job: JobRecord, now: float | None = None) -> str:
    start = job.started_at or job.created_at
    end = job.finished_at or (now if now is not None else clock())
    seconds = max(0, int(end - start))
    minutes, seconds = divmod(seconds, 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02}:{seconds:02}" if hours else f"{minutes}:{seconds:02}"


SOURCE_MARKS = {"filter": "▽ ", "parsed": "✎ "}
"""Searches that were not a deep search of plain text: a filter search, an edited parsed query."""


def query_text(job: JobRecord) -> str:
    """The query as the jobs list shows it, marked by how it ran."""
    return SOURCE_MARKS.get(str(job.source), "") + sanitize_text(job.query)


def short_query(job: JobRecord, width: int = 48) -> str:
    text = sanitize_text(job.query)
    return text if len(text) <= width else text[: width - 1] + "…"


def ran_at(job: JobRecord) -> str:
    """When a search started, 'Dec 02 14:03:22': tells two runs of one query apart."""
    return time.strftime("%b %d %H:%M:%S", time.localtime(job.created_at))


def age_text(seconds: float) -> str:
    """'just now', '5 minutes ago', '2 days ago'."""
    if seconds < 60:
        return "just now"
    for unit, size in (("day", 86_400), ("hour", 3_600), ("minute", 60)):
        if seconds >= size:
            count = int(seconds // size)
            return f"{count} {unit}{'s' if count != 1 else ''} ago"
    return "just now"
