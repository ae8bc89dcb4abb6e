"""The embedded sandbox remembers its tasks across restarts, as the real service does."""

from __future__ import annotations

import csv
import io

import httpx

from sixtyfour_tui.sandbox.config import DEMO_API_KEY, SandboxConfig
from sixtyfour_tui.sandbox.server import SandboxServer
from tests.conftest import wait_for


def test_tasks_survive_a_restart_and_keep_their_timeline(tmp_path):
    state_file = tmp_path / "sandbox-tasks.json"
    config = SandboxConfig(speed=50.0, requests_per_minute=0, state_file=state_file)
    with SandboxServer(config) as first:
        with httpx.Client(base_url=first.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
            task = api.post(
                "/search/start-deep-search", json={"query": "engineers in Denver", "max_results": 30}
            ).json()
            before = api.get(f"/search/status/{task['task_id']}").json()
    assert state_file.exists() and "engineers in Denver" in state_file.read_text()
    assert DEMO_API_KEY not in state_file.read_text()  # tasks are filed under a fingerprint of the key
    with SandboxServer(config) as second:
        with httpx.Client(base_url=second.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
            after = api.get(f"/search/status/{task['task_id']}")
            assert after.status_code == 200
            assert after.json()["search_id"] == before["search_id"]
            done = wait_for(
                lambda: (body := api.get(f"/search/status/{task['task_id']}").json())["status"] == "completed" and body
            )
            assert done["total_results"] == 30
            page = api.post(
                "/search/query",
                json={"search_id": done["search_id"], "mode": "people", "page_size": 30, "max_results": 30},
            ).json()
            assert len(page["results"]) == 30


def test_a_corrupt_state_file_starts_fresh(tmp_path):
    state_file = tmp_path / "sandbox-tasks.json"
    state_file.write_text("{not json")
    with SandboxServer(SandboxConfig(state_file=state_file, requests_per_minute=0)) as server:
        response = httpx.get(f"{server.base_url}/search/status/anything", headers={"x-api-key": DEMO_API_KEY})
        assert response.status_code == 404


def test_a_finished_task_stays_finished_after_a_restart_even_with_a_fast_clock(tmp_path):
    """The simulated clock runs ahead of the wall clock; a restart must not rewind a finished task."""
    state_file = tmp_path / "sandbox-tasks.json"
    fast = SandboxConfig(speed=2000.0, requests_per_minute=0, state_file=state_file)
    with SandboxServer(fast) as first:
        with httpx.Client(base_url=first.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
            task = api.post("/search/start-deep-search", json={"query": "designers in Paris", "max_results": 10}).json()
            done = wait_for(
                lambda: (body := api.get(f"/search/status/{task['task_id']}").json())["status"] == "completed" and body
            )
    slow = SandboxConfig(speed=1.0, requests_per_minute=0, state_file=state_file)
    with SandboxServer(slow) as second:
        with httpx.Client(base_url=second.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
            assert api.get(f"/search/status/{task['task_id']}").json()["status"] == "completed"
            link = api.get("/search/download", params={"resource_handle_id": done["resource_handle_id"]})
            assert link.status_code == 200


def test_exclusion_lists_and_a_searchs_exclusions_survive_a_restart(tmp_path):
    state_file = tmp_path / "sandbox-tasks.json"
    config = SandboxConfig(speed=2000.0, requests_per_minute=0, state_file=state_file)
    query = {"query": "engineers in Denver", "mode": "people", "page_size": 6}
    with SandboxServer(config) as first:
        with httpx.Client(base_url=first.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
            top = [row["publicId"] for row in api.post("/search/query", json=query).json()["results"]]
            made = api.post("/search/exclusion-lists", json={
                "name": "contacted", "source": {"type": "entity_ids", "entity_ids": top[:3]}}).json()
            task = api.post("/search/start-deep-search", json={
                "query": "engineers in Denver", "max_results": 20,
                "exclude_entity_ids": [f"https://www.linkedin.com/in/{x}/" for x in top[3:]]}).json()
    assert "contacted" in state_file.read_text()
    with SandboxServer(config) as second:
        with httpx.Client(base_url=second.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
            kept = api.get(f"/search/exclusion-lists/{made['id']}").json()
            assert kept["status"] == "ready" and kept["size"] == 3 and kept["name"] == "contacted"
            again = api.post("/search/query", json={**query, "exclude_list_ids": [made["id"]]}).json()
            assert [row["publicId"] for row in again["results"]][:3] == top[3:]
            done = wait_for(
                lambda: (body := api.get(f"/search/status/{task['task_id']}").json())["status"] == "completed" and body
            )
            assert done["total_results"] == 20
            link = api.get("/search/download", params={"resource_handle_id": done["resource_handle_id"]}).json()
            rows = csv.DictReader(io.StringIO(httpx.get(link["url"]).text))
            shown = [row["linkedin_url"].rsplit("/", 1)[-1] for row in rows]
            assert shown[:3] == top[:3] and not set(top[3:]) & set(shown)
            assert api.delete(f"/search/exclusion-lists/{made['id']}").status_code == 200
    with SandboxServer(config) as third:
        with httpx.Client(base_url=third.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
            assert api.get(f"/search/exclusion-lists/{made['id']}").status_code == 404


def test_sibling_sandboxes_on_one_state_file_share_their_tasks(tmp_path):
    """Every `--sandbox` process runs its own sandbox on the same state file: a search one started
    is known to the other, and neither erases what the other wrote."""
    state = tmp_path / "sandbox-tasks.json"
    config = SandboxConfig(speed=2000.0, requests_per_minute=0, state_file=state)
    with SandboxServer(config) as first, SandboxServer(config) as second:
        with httpx.Client(base_url=first.base_url, headers={"x-api-key": DEMO_API_KEY}) as one, \
                httpx.Client(base_url=second.base_url, headers={"x-api-key": DEMO_API_KEY}) as two:
            task = one.post("/search/start-deep-search", json={"query": "engineers in Denver", "max_results": 5,
                                                              "search_id": "shared-1"}).json()
            other = two.post("/search/start-deep-search",
                             json={"query": "designers in Denver", "max_results": 5}).json()
            done = wait_for(lambda: (body := two.get(f"/search/status/{task['task_id']}").json())
                            .get("status") == "completed" and body)
            assert done["total_results"] == 5
            again = two.post("/search/start-deep-search", json={"query": "engineers in Denver", "max_results": 5,
                                                               "search_id": "shared-1"}).json()
            assert again["task_id"] == task["task_id"]  # the same search, not a second one
            assert wait_for(lambda: one.get(f"/search/status/{other['task_id']}").status_code == 200)
            made = one.post("/search/exclusion-lists", json={"name": "x", "source": {
                "type": "entity_ids", "entity_ids": ["jane-doe"]}}).json()
            assert wait_for(lambda: two.get(f"/search/exclusion-lists/{made['id']}").status_code == 200)
            assert two.delete(f"/search/exclusion-lists/{made['id']}").status_code == 200
            one.post("/search/start-deep-search", json={"query": "a third one", "max_results": 5})  # first writes
    with SandboxServer(config) as later:
        with httpx.Client(base_url=later.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
            assert api.get(f"/search/status/{task['task_id']}").status_code == 200
            assert api.get(f"/search/status/{other['task_id']}").status_code == 200
            assert api.get(f"/search/exclusion-lists/{made['id']}").status_code == 404  # stays deleted
