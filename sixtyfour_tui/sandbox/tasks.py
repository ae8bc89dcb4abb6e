"""Deep searches and exports as timelines: their status is a function of the simulated clock.

No background loop advances them; each poll reads where the timeline stands now, which keeps the
sandbox deterministic and cheap however many tasks are open.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field

from sixtyfour_tui.sandbox.clock import SimClock

FAIL_TOKEN = "#fail"
QUEUED_SECONDS = 1.5


def _status_skeleton(task_id: str, search_id: str | None, created: float, total_results: int) -> dict:
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
    parsed_query: dict
    ranked: list[int]  # already excluded and cut to max_results
    stages: list[str]
    created: float
    resource_handle_id: str | None
    iteration_seconds: list[float] = field(default_factory=list)
    fail_at_iteration: int | None = None

    def __post_init__(self) -> None:
        rng = random.Random(self.task_id)
        if not self.iteration_seconds:
            self.iteration_seconds = [rng.uniform(4.0, 9.0) for _ in self.stages]
        if FAIL_TOKEN in self.query.lower() and self.fail_at_iteration is None:
            self.fail_at_iteration = max(1, math.ceil(len(self.stages) / 2))

    @property
    def running_from(self) -> float:
        return self.created + QUEUED_SECONDS

    @property
    def ends_at(self) -> float:
        stop = len(self.stages) if self.fail_at_iteration is None else self.fail_at_iteration
        return self.running_from + sum(self.iteration_seconds[:stop])

    def is_active(self, now: float) -> bool:
        return now < self.ends_at

    def results_after(self, iteration: int) -> int:
        """Results grow with each iteration and reach the final count at the last one."""
        return round(len(self.ranked) * iteration / len(self.stages))

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

    def status_body(self, now: float) -> dict:
        body = _status_skeleton(self.task_id, self.search_id, self.created, total_results=0)
        if now < self.running_from:
            return {**body, "status": "queued", "progress_message": "Queued"}
        done = self.iterations_done(now)
        body["iterations"] = [
            {
                "iteration": i,
                "results": self.results_after(i),
                "elapsed_ms": round(sum(self.iteration_seconds[:i]) * 1000),
                "message": self.stages[i - 1],
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
        if done >= len(self.stages):
            return {
                **body,
                "status": "completed",
                "close_time": SimClock.iso(self.ends_at),
                "current_phase": len(self.stages),
                "progress_message": f"Completed: {len(self.ranked):,} result{'' if len(self.ranked) == 1 else 's'}",
                "resource_handle_id": self.resource_handle_id,
                "exported_count": len(self.ranked) if self.resource_handle_id else None,
            }
        return {
            **body,
            "status": "running",
            "current_phase": done + 1,
            "progress_message": self.stages[done],
        }

    def is_completed(self, now: float) -> bool:
        return self.status_body(now)["status"] == "completed"


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

    def status_body(self, now: float) -> dict:
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
