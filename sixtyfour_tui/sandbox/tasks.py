"""Deep searches and exports as timelines: their status is a function of the simulated clock.

No background loop advances them; each poll reads where the timeline stands now, which keeps the
sandbox deterministic and cheap however many tasks are open.

A deep search's length follows its work, as Sixtyfour's does (30-120 s at speed 1): more filters,
keywords and corrected typos, and more results, make a longer run; a large result set is verified
in several batches, so it also has more iterations. The jitter is seeded by the task id.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any

from sixtyfour_tui.sandbox.clock import SimClock

FAIL_TOKEN = "#fail"
QUEUED_SECONDS = 1.5
SHORTEST_SEARCH_SECONDS = 30.0
LONGEST_SEARCH_SECONDS = 120.0
ROWS_PER_VERIFY_BATCH = 2500
MAX_VERIFY_BATCHES = 4


def search_work(parsed_query: dict[str, Any], results: int) -> tuple[float, float]:
    """(reading, finding), each from 0 to 1: how much the query asks for, how many rows it yields."""
    filters = parsed_query.get("filters") or {}
    constraints = sum(1 for value in filters.values() if value not in ([], None))
    keywords = len(parsed_query.get("keywords") or [])
    corrections = len(parsed_query.get("corrections") or [])
    reading = min(1.0, (constraints + 2 * keywords + corrections) / 10)
    finding = min(1.0, math.log10(1 + results) / 4) ** 2
    return reading, finding


def search_timeline(task_id: str, stages: list[str], parsed_query: dict[str, Any],
                    results: int) -> tuple[list[str], list[float]]:
    """The messages of a search's iterations and how many simulated seconds each takes."""
    messages = list(stages) or ["Searching"]
    batches = min(MAX_VERIFY_BATCHES, 1 + results // ROWS_PER_VERIFY_BATCH)
    if batches > 1:
        last = messages.pop()
        messages += [f"{last} · batch {b} of {batches}" for b in range(1, batches + 1)]
    rng = random.Random(task_id)
    reading, finding = search_work(parsed_query, results)
    total = SHORTEST_SEARCH_SECONDS + (LONGEST_SEARCH_SECONDS - SHORTEST_SEARCH_SECONDS) * (reading + finding) / 2
    total = min(LONGEST_SEARCH_SECONDS, max(SHORTEST_SEARCH_SECONDS, total * rng.uniform(0.92, 1.08)))
    # Reading the query is quick; scanning, matching and verifying carry the weight.
    weights = [0.4] + [rng.uniform(0.7, 1.3) for _ in messages[1:]]
    scale = total / sum(weights)
    return messages, [w * scale for w in weights]


def _status_skeleton(task_id: str, search_id: str | None, created: float, total_results: int) -> dict[str, Any]:
    """The fields every task status carries, before the task says where it stands."""
    return {
        "task_id": task_id,
        "search_id": search_id,
        "start_time": SimClock.iso(created),
        "close_time": None,
        "current_phase": None,
        "resource_handle_id": None,
        "total_results": total_results,
        "exported_count": None,
        "error": None,
        "iterations": [],
    }


@dataclass
class DeepSearchTask:
    task_id: str
    search_id: str
    owner: str
    query: str
    mode: str
    max_results: int
    output_mode: str
    parsed_query: dict[str, Any]
    ranked: list[int]  # already excluded and cut to max_results
    stages: list[str]
    created: float
    resource_handle_id: str | None
    iteration_seconds: list[float] = field(default_factory=list)
    fail_at_iteration: int | None = None
    messages: list[str] = field(default_factory=list)  # one per iteration

    def __post_init__(self) -> None:
        if not self.iteration_seconds:
            self.messages, self.iteration_seconds = search_timeline(
                self.task_id, self.stages, self.parsed_query, len(self.ranked))
        elif not self.messages:
            padded = list(self.stages) + ["Searching"] * len(self.iteration_seconds)
            self.messages = padded[:len(self.iteration_seconds)]
        if FAIL_TOKEN in self.query.lower() and self.fail_at_iteration is None:
            self.fail_at_iteration = max(1, math.ceil(len(self.messages) / 2))

    @property
    def running_from(self) -> float:
        return self.created + QUEUED_SECONDS

    @property
    def ends_at(self) -> float:
        stop = len(self.messages) if self.fail_at_iteration is None else self.fail_at_iteration
        return self.running_from + sum(self.iteration_seconds[:stop])

    def is_active(self, now: float) -> bool:
        return now < self.ends_at

    def results_after(self, iteration: int) -> int:
        """Results grow with each iteration and reach the final count at the last one."""
        return round(len(self.ranked) * iteration / len(self.messages))

    def iterations_done(self, now: float) -> int:
        elapsed = now - self.running_from
        done = 0
        for seconds in self.iteration_seconds:
            if elapsed < seconds:
                break
            elapsed -= seconds
            done += 1
        if self.fail_at_iteration is not None:
            done = min(done, self.fail_at_iteration)
        return done

    def status_body(self, now: float) -> dict[str, Any]:
        body = _status_skeleton(self.task_id, self.search_id, self.created, total_results=0)
        if now < self.running_from:
            return {**body, "status": "queued", "progress_message": "Queued"}
        done = self.iterations_done(now)
        body["iterations"] = [
            {
                "iteration": i,
                "results": self.results_after(i),
                "elapsed_ms": round(sum(self.iteration_seconds[:i]) * 1000),
                "message": self.messages[i - 1],
            }
            for i in range(1, done + 1)
        ]
        body["total_results"] = self.results_after(done)
        if self.fail_at_iteration is not None and done >= self.fail_at_iteration:
            return {
                **body,
                "status": "failed",
                "close_time": SimClock.iso(self.ends_at),
                "progress_message": "Search failed",
                "error": f"Simulated failure: the query contains {FAIL_TOKEN}",
            }
        if done >= len(self.messages):
            return {
                **body,
                "status": "completed",
                "close_time": SimClock.iso(self.ends_at),
                "current_phase": len(self.messages),
                "progress_message": f"Completed: {len(self.ranked):,} result{'' if len(self.ranked) == 1 else 's'}",
                "resource_handle_id": self.resource_handle_id,
                "exported_count": len(self.ranked) if self.resource_handle_id else None,
            }
        return {
            **body,
            "status": "running",
            "current_phase": done + 1,
            "progress_message": self.messages[done],
        }

    def is_completed(self, now: float) -> bool:
        return bool(self.status_body(now)["status"] == "completed")


@dataclass
class ExportTask:
    task_id: str
    search_id: str | None
    owner: str
    mode: str
    rows: list[int]
    created: float
    resource_handle_id: str
    seconds: float = 3.0

    @property
    def ends_at(self) -> float:
        return self.created + QUEUED_SECONDS + self.seconds

    def is_active(self, now: float) -> bool:
        return now < self.ends_at

    def status_body(self, now: float) -> dict[str, Any]:
        body = _status_skeleton(self.task_id, self.search_id, self.created, total_results=len(self.rows))
        if now < self.created + QUEUED_SECONDS:
            return {**body, "status": "queued", "progress_message": "Export queued"}
        if now < self.ends_at:
            message = f"Writing {len(self.rows):,} rows to CSV"
            return {**body, "status": "running", "current_phase": 1, "progress_message": message}
        return {
            **body,
            "status": "completed",
            "close_time": SimClock.iso(self.ends_at),
            "progress_message": f"Exported {len(self.rows):,} rows",
            "resource_handle_id": self.resource_handle_id,
            "exported_count": len(self.rows),
        }
