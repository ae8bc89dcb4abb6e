"""Models accept what the contract allows: unknown fields, missing or null optional ones."""

from __future__ import annotations

import pytest

from sixtyfour_tui.api import (
    DownloadLink,
    IterationInfo,
    QueryPage,
    StartedTask,
    TaskStatus,
)


def test_started_task_ignores_unknown_fields():
    data = {"task_id": "t-1", "status": "queued", "message": "Started", "surprise": {"x": 1}}
    task = StartedTask.from_json(data)
    assert (task.task_id, task.status, task.message, task.search_id) == ("t-1", "queued", "Started", None)
    assert task.raw is data


def test_started_task_missing_optional_fields():
    task = StartedTask.from_json({"task_id": "t-2"})
    assert (task.status, task.message) == ("", None)


def test_started_task_without_task_id_is_rejected():
    with pytest.raises(ValueError, match="task_id"):
        StartedTask.from_json({"status": "queued"})
    with pytest.raises(ValueError):
        StartedTask.from_json(["not", "a", "dict"])


def test_task_status_full_body():
    data = {
        "task_id": "t-1",
        "status": "completed",
        "start_time": "2024-05-01T10:00:00Z",
        "current_phase": 3,
        "progress_message": "Done",
        "close_time": "2024-05-01T10:01:30Z",
        "search_id": "s-1",
        "resource_handle_id": "rh_abc",
        "total_results": "250",
        "exported_count": 250,
        "error": None,
        "iterations": [
            {"iteration": 1, "results": 120, "elapsed_ms": 1500.5, "message": "first", "extra": 1},
            "garbage",
            {"iteration": 2},
        ],
        "future_field": [1, 2, 3],
    }
    status = TaskStatus.from_json(data)
    assert status.task_id == "t-1"
    assert status.current_phase == 3
    assert status.total_results == 250
    assert status.exported_count == 250
    assert status.resource_handle_id == "rh_abc"
    assert status.search_id == "s-1"
    assert status.close_time == "2024-05-01T10:01:30Z"
    assert status.error is None
    assert status.iterations == (
        IterationInfo(iteration=1, results=120, elapsed_ms=1500.5, message="first"),
        IterationInfo(iteration=2, results=None, elapsed_ms=None, message=None),
    )
    assert status.iterations[0].raw["extra"] == 1
    assert status.raw["future_field"] == [1, 2, 3]
    assert status.is_completed and status.is_terminal and not status.is_failed


def test_task_status_minimal_and_nulls():
    status = TaskStatus.from_json(
        {"task_id": "t", "status": "running", "current_phase": None, "iterations": None,
         "total_results": None, "progress_message": None}
    )
    assert status.iterations == ()
    assert status.total_results is None
    assert status.current_phase is None
    assert status.progress_message is None
    assert not status.is_terminal


@pytest.mark.parametrize(
    "value,terminal,failed,completed",
    [
        ("completed", True, False, True),
        ("COMPLETED", True, False, True),
        ("failed", True, True, False),
        ("cancelled", True, True, False),
        ("terminated", True, True, False),
        ("timed_out", True, True, False),
        ("error", True, True, False),
        ("queued", False, False, False),
        ("running", False, False, False),
        ("warming_up", False, False, False),
        ("", False, False, False),
    ],
)
def test_status_classification(value, terminal, failed, completed):
    status = TaskStatus.from_json({"task_id": "t", "status": value})
    assert status.status == value  # shown as-is
    assert (status.is_terminal, status.is_failed, status.is_completed) == (terminal, failed, completed)


def test_missing_status_means_in_progress():
    status = TaskStatus.from_json({"task_id": "t", "status": None})
    assert status.status == ""
    assert not status.is_terminal


def test_error_object_becomes_text():
    status = TaskStatus.from_json({"task_id": "t", "status": "failed", "error": {"message": "boom"}})
    assert status.error == "boom"
    assert TaskStatus.from_json({"task_id": "t", "status": "failed", "error": "bad"}).error == "bad"


def test_query_page_full_body():
    data = {
        "results": [{"fullName": "Ada"}, {"fullName": "Bob"}, "not-a-row"],
        "next_cursor": "cur-2",
        "has_more": True,
        "cursor_expires_in_seconds": 600,
        "total_results": 2,
        "total_available": 50000,
        "remaining_results": 998,
        "page_size": 2,
        "page_count": 2,
        "page_number": 1,
        "max_pages": 500,
        "search_id": "s-9",
        "parsed_query": {"must": [{"field": "title", "value": "cto"}]},
        "natural_language_query": "ctos",
        "request_duration_ms": 12.5,
        "resource_handle_id": None,
        "brand_new": "ignored",
    }
    page = QueryPage.from_json(data)
    assert page.results == [{"fullName": "Ada"}, {"fullName": "Bob"}]
    assert page.next_cursor == "cur-2"
    assert page.has_more is True
    assert page.total_available == 50000
    assert page.remaining_results == 998
    assert page.page_number == 1
    assert page.total_pages is None
    assert page.cursor_expires_in_seconds == 600.0
    assert page.parsed_query == {"must": [{"field": "title", "value": "cto"}]}
    assert page.search_id == "s-9"
    assert page.raw["brand_new"] == "ignored"


def test_query_page_infers_has_more_from_cursor_when_missing():
    assert QueryPage.from_json({"results": [], "next_cursor": "c"}).has_more is True
    last = QueryPage.from_json({"results": [], "next_cursor": None, "total_pages": 3})
    assert (last.has_more, last.next_cursor, last.total_pages) == (False, None, 3)


def test_query_page_empty_body_is_an_empty_page():
    page = QueryPage.from_json({})
    assert page.results == []
    assert page.has_more is False
    assert page.search_id is None


def test_download_link():
    link = DownloadLink.from_json({"url": "https://store/x?sig=1", "bucket": "b", "path": "p/x.csv", "ttl": 9})
    assert (link.url, link.bucket, link.path) == ("https://store/x?sig=1", "b", "p/x.csv")
    assert DownloadLink.from_json({"url": "https://store/y"}).bucket is None
    with pytest.raises(ValueError, match="url"):
        DownloadLink.from_json({"bucket": "b"})


def test_models_are_frozen():
    task = StartedTask.from_json({"task_id": "t"})
    with pytest.raises(AttributeError):
        task.task_id = "other"  # type: ignore[misc]


def test_absurd_numbers_become_unknown_instead_of_crashing():
    from sixtyfour_tui.api.models import TaskStatus

    status = TaskStatus.from_json({"task_id": "t", "status": "running", "total_results": "1e400",
                                   "iterations": [{"iteration": 1e400, "results": "inf"}]})
    assert status.total_results is None
    assert status.iterations[0].iteration is None and status.iterations[0].results is None
