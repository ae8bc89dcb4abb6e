"""Deep-search timelines: their length and number of iterations follow the work, within 30-120 s."""

from __future__ import annotations

import pytest

from sixtyfour_tui.sandbox.dataset import Dataset, load_dataset
from sixtyfour_tui.sandbox.query_parser import parse_query
from sixtyfour_tui.sandbox.search_engine import plan_search
from sixtyfour_tui.sandbox.tasks import QUEUED_SECONDS, DeepSearchTask

SIMPLE = ("designers in London", 30)
COMPLEX = ("sofware enginers at series b fintech startups in San Fransisco founded after 2015 remote", 1000)
BROAD = ("engineers", 10_000)


@pytest.fixture(scope="module")
def ds() -> Dataset:
    return load_dataset(seed=64, people=100_000, companies=10_000)


def task(ds: Dataset, query: str, max_results: int, task_id: str = "task-1") -> DeepSearchTask:
    parsed = parse_query(query, "people")
    plan = plan_search(ds, parsed, "people")
    return DeepSearchTask(
        task_id=task_id, search_id="s", owner="o", query=query, mode="people", max_results=max_results,
        output_mode="csv", parsed_query=parsed, ranked=plan.ranked[:max_results], stages=plan.stages,
        created=1000.0, resource_handle_id=None,
    )


def seconds(t: DeepSearchTask) -> float:
    return t.ends_at - t.running_from


def test_runs_last_thirty_to_a_hundred_and_twenty_seconds(ds: Dataset) -> None:
    queries = [SIMPLE, COMPLEX, BROAD, ("zzqxv flurbington", 100), ("nurses in Chicago", 50)]
    for n, (query, max_results) in enumerate(queries):
        for task_id in (f"a{n}", f"b{n}", f"c{n}"):
            assert 30 <= seconds(task(ds, query, max_results, task_id)) <= 120


def test_more_work_takes_longer_and_more_iterations(ds: Dataset) -> None:
    simple, complex_, broad = (task(ds, q, m) for q, m in (SIMPLE, COMPLEX, BROAD))
    assert seconds(simple) + 10 < seconds(complex_)
    assert seconds(simple) + 10 < seconds(broad)
    assert len(broad.messages) > len(simple.messages)
    assert any("batch 4 of 4" in m for m in broad.messages)
    assert len({len(t.messages) for t in (simple, complex_, broad)}) >= 2  # not always the same count


def test_a_timeline_is_deterministic_per_task(ds: Dataset) -> None:
    assert task(ds, *SIMPLE, "x").iteration_seconds == task(ds, *SIMPLE, "x").iteration_seconds
    assert task(ds, *SIMPLE, "x").iteration_seconds != task(ds, *SIMPLE, "y").iteration_seconds


def test_status_walks_every_iteration_then_completes(ds: Dataset) -> None:
    t = task(ds, *BROAD)
    assert t.status_body(t.created)["status"] == "queued"
    seen = []
    now = t.running_from
    for step in t.iteration_seconds:
        body = t.status_body(now + step / 2)
        assert body["status"] == "running"
        seen.append(body["progress_message"])
        now += step
    assert seen == t.messages
    done = t.status_body(t.ends_at + 0.001)
    assert done["status"] == "completed" and done["total_results"] == 10_000
    assert [i["message"] for i in done["iterations"]] == t.messages
    assert t.ends_at == pytest.approx(t.created + QUEUED_SECONDS + sum(t.iteration_seconds))


def test_a_failing_search_stops_half_way(ds: Dataset) -> None:
    t = task(ds, "CTOs in Berlin #fail", 100)
    assert t.fail_at_iteration == -(-len(t.messages) // 2)
    body = t.status_body(t.ends_at + 1)
    assert body["status"] == "failed" and len(body["iterations"]) == t.fail_at_iteration
