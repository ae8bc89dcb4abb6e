"""Exclusions (contract section 7): inline ids and URLs, saved lists, and every route that honours them."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from sixtyfour_tui.sandbox.config import DEMO_API_KEY
from tests.conftest import OTHER_KEY, wait_for
from tests.test_sandbox_flow import start, wait_completed

ENGINEERS = {"seniority": "VP", "jobFunction": "Engineering"}  # a people filter with well under 50,000 matches


def first_page(api, **body):
    body = {"simple_filters": ENGINEERS, "mode": "people", "page_size": 20, **body}
    response = api.post("/search/query", json=body)
    assert response.status_code == 200, response.text
    return response.json()


def ids(page):
    return [row.get("publicId") or row.get("source_id") for row in page["results"]]


def csv_rows(api, resource_handle_id):
    link = api.get("/search/download", params={"resource_handle_id": resource_handle_id}).json()
    return list(csv.DictReader(io.StringIO(httpx.get(link["url"]).text)))


def ready_list(api, **body):
    made = api.post("/search/exclusion-lists", json=body)
    assert made.status_code == 200, made.text
    return wait_for(lambda: (got := api.get(f"/search/exclusion-lists/{made.json()['id']}").json())["status"]
                    in ("ready", "failed") and got)


# -- inline -----------------------------------------------------------------------------------
def test_inline_exclusions_take_ids_and_any_spelling_of_a_profile_url(api):
    first = first_page(api)
    a, b, c, d, e, f = ids(first)[:6]
    spellings = [
        a,
        f"https://www.linkedin.com/in/{b}/",
        f"http://linkedin.com/in/{c}?trk=public_profile",
        f"linkedin.com/in/{d.upper()}#about",
        f"https://uk.linkedin.com/in/{e}",
        f"  www.linkedin.com/in/{f}/?miniProfileUrn=x  ",
    ]
    again = first_page(api, exclude_entity_ids=spellings)
    assert not {a, b, c, d, e, f} & set(ids(again))
    assert again["total_available"] == first["total_available"] - 6
    assert ids(again)[:3] == ids(first)[6:9]  # the rest keep their order


def test_exclude_public_ids_is_the_older_people_only_name(api):
    first = first_page(api)
    again = first_page(api, exclude_public_ids=ids(first)[:2])
    assert not set(ids(first)[:2]) & set(ids(again))
    refused = api.post("/search/query", json={"simple_filters": {}, "mode": "company", "exclude_public_ids": ["x"]})
    assert refused.status_code == 422
    assert refused.json()["detail"][0]["loc"] == ["body", "exclude_public_ids"]


def test_company_searches_exclude_by_entity_id(api):
    body = {"simple_filters": {"is_public": False, "$sort": {"employees_count": -1}}, "mode": "company",
            "page_size": 10}
    first = api.post("/search/query", json=body).json()
    dropped = ids(first)[:4]
    again = api.post("/search/query", json={**body, "exclude_entity_ids": dropped}).json()
    assert not set(dropped) & set(ids(again))
    assert again["total_available"] == first["total_available"] - 4


def test_inline_exclusions_apply_only_to_the_request_that_sends_them(api):
    first = first_page(api)
    excluded = first_page(api, exclude_entity_ids=ids(first)[:3])
    replay_plain = api.post("/search/query", json={"search_id": excluded["search_id"], "page_size": 20}).json()
    assert ids(replay_plain) == ids(first)
    replay_excluding = api.post(
        "/search/query",
        json={"search_id": excluded["search_id"], "page_size": 20, "exclude_entity_ids": ids(first)[:3]},
    ).json()
    assert ids(replay_excluding) == ids(excluded)
    assert replay_excluding["search_id"] == excluded["search_id"]


def test_a_deep_search_drops_exclusions_from_its_status_csv_pages_and_export(api):
    query = "engineers in Austin"
    whole = wait_completed(api, start(api, query=query, max_results=30)["task_id"])
    everyone = [row["linkedin_url"].rsplit("/", 1)[-1] for row in csv_rows(api, whole["resource_handle_id"])]
    dropped = everyone[:5]
    urls = [f"https://www.linkedin.com/in/{x}/" for x in dropped]
    status = wait_completed(api, start(api, query=query, max_results=30, exclude_entity_ids=urls)["task_id"])
    assert status["total_results"] == 30
    kept = [row["linkedin_url"].rsplit("/", 1)[-1] for row in csv_rows(api, status["resource_handle_id"])]
    assert not set(dropped) & set(kept) and kept[:25] == everyone[5:]
    export = api.post("/search/export", json={"search_id": status["search_id"], "max_results": 40})
    done = wait_completed(api, export.json()["task_id"])
    exported = [row["linkedin_url"].rsplit("/", 1)[-1] for row in csv_rows(api, done["resource_handle_id"])]
    assert len(exported) == 40 and not set(dropped) & set(exported)
    replay = api.post("/search/query", json={"search_id": status["search_id"], "mode": "people", "page_size": 10})
    assert ids(replay.json())[:5] == dropped  # a replay applies only the exclusions it sends


# -- saved lists ---------------------------------------------------------------------------------
def test_a_list_goes_from_pending_to_ready_and_then_excludes_its_ids(make_sandbox):
    server = make_sandbox(speed=1.0)
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": DEMO_API_KEY}, timeout=30) as api:
        first = first_page(api)
        made = api.post("/search/exclusion-lists", json={
            "name": "Already contacted",
            "source": {"type": "entity_ids", "entity_ids": ids(first)[:5] + ids(first)[:2]},
        })
        assert made.status_code == 200
        body = made.json()
        assert body["status"] == "pending" and body["size"] is None and body["id"]
        refused = api.post("/search/query", json={"simple_filters": ENGINEERS, "mode": "people",
                                                  "exclude_list_ids": [body["id"]]})
        assert refused.status_code == 400
        assert body["id"] in refused.json()["detail"] and "not ready" in refused.json()["detail"]
        server.state.clock.resume_from(server.state.clock.now() + 60)  # a minute passes on the simulated clock
        ready = api.get(f"/search/exclusion-lists/{body['id']}").json()
        assert ready["status"] == "ready" and ready["size"] == 5
        assert ready["name"] == "Already contacted" and ready["entity_type"] == "person" and ready["created_at"]
        again = first_page(api, exclude_list_ids=[body["id"]])
        assert not set(ids(first)[:5]) & set(ids(again))
        assert again["total_available"] == first["total_available"] - 5


def test_lists_are_listed_deleted_and_then_unknown(api):
    made = ready_list(api, name="seed profiles", source={"type": "entity_ids", "entity_ids": ["jane-doe"]})
    listed = api.get("/search/exclusion-lists").json()
    assert made["id"] in [item["id"] for item in listed["lists"]]
    deleted = api.delete(f"/search/exclusion-lists/{made['id']}")
    assert deleted.status_code == 200 and deleted.json() == {"id": made["id"], "deleted": True}
    assert api.get(f"/search/exclusion-lists/{made['id']}").status_code == 404
    assert api.delete(f"/search/exclusion-lists/{made['id']}").status_code == 404
    assert made["id"] not in [item["id"] for item in api.get("/search/exclusion-lists").json()["lists"]]
    refused = api.post("/search/query", json={"simple_filters": {}, "mode": "people", "exclude_list_ids": [made["id"]]})
    assert refused.status_code == 400 and made["id"] in refused.json()["detail"]


def test_lists_are_immutable_and_twenty_may_be_active(make_sandbox):
    server = make_sandbox(speed=2000.0)
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": DEMO_API_KEY}, timeout=30) as api:
        made = [api.post("/search/exclusion-lists", json={"name": f"list {n}", "source": {
            "type": "entity_ids", "entity_ids": [f"person-{n}"]}}).json()["id"] for n in range(20)]
        over = api.post("/search/exclusion-lists", json={"name": "one too many", "source": {
            "type": "entity_ids", "entity_ids": ["x"]}})
        assert over.status_code == 409
        assert over.json()["error"] == "Conflict" and "20" in over.json()["message"]
        for method in ("PUT", "PATCH"):
            changed = api.request(method, f"/search/exclusion-lists/{made[0]}", json={"name": "renamed"})
            assert changed.status_code == 405 and changed.json() == {"detail": "Method Not Allowed"}
        assert api.get(f"/search/exclusion-lists/{made[0]}").json()["name"] == "list 0"
        assert api.delete(f"/search/exclusion-lists/{made[0]}").status_code == 200
        assert api.post("/search/exclusion-lists", json={"name": "room again", "source": {
            "type": "entity_ids", "entity_ids": ["x"]}}).status_code == 200


def test_another_keys_list_is_unknown(api, fast_sandbox):
    made = ready_list(api, name="mine", source={"type": "entity_ids", "entity_ids": ["jane-doe"]})
    with httpx.Client(base_url=fast_sandbox.base_url, headers={"x-api-key": OTHER_KEY}) as other:
        assert other.get(f"/search/exclusion-lists/{made['id']}").status_code == 404
        assert other.delete(f"/search/exclusion-lists/{made['id']}").status_code == 404
        assert made["id"] not in [item["id"] for item in other.get("/search/exclusion-lists").json()["lists"]]
        refused = other.post("/search/query", json={"simple_filters": {}, "mode": "people",
                                                    "exclude_list_ids": [made["id"]]})
        assert refused.status_code == 400 and made["id"] in refused.json()["detail"]
    assert api.get(f"/search/exclusion-lists/{made['id']}").status_code == 200


def test_a_list_from_a_search_holds_everyone_it_returned(api):
    status = wait_completed(api, start(api, query="designers in Berlin", max_results=15)["task_id"])
    made = ready_list(api, source={"type": "search_id", "search_id": status["search_id"]})
    assert made["status"] == "ready" and made["size"] == 15 and made["entity_type"] == "person" and made["name"]
    replay = api.post("/search/query", json={"search_id": status["search_id"], "page_size": 100, "max_results": 100,
                                             "exclude_list_ids": [made["id"]]}).json()
    shown = [row["linkedin_url"].rsplit("/", 1)[-1] for row in csv_rows(api, status["resource_handle_id"])]
    assert len(shown) == 15 and not set(shown) & set(ids(replay))


def test_a_list_from_a_company_filter_search_is_a_company_list(api):
    body = {"simple_filters": {"is_public": True}, "mode": "company", "page_size": 5, "max_results": 5}
    found = api.post("/search/start-filter-search", json=body).json()
    made = ready_list(api, source={"type": "search_id", "search_id": found["search_id"]})
    assert made["entity_type"] == "company" and made["size"] == 5
    again = api.post("/search/start-filter-search", json={**body, "exclude_list_ids": [made["id"]]}).json()
    assert not set(ids(found)) & set(ids(again))
    refused = api.post("/search/query", json={"simple_filters": {}, "mode": "people", "exclude_list_ids": [made["id"]]})
    assert refused.status_code == 400 and "company" in refused.json()["detail"]


def test_a_list_from_a_csv_reads_its_id_column(api):
    status = wait_completed(api, start(api, query="founders in London", max_results=12)["task_id"])
    made = ready_list(api, name="from file", source={
        "type": "resource_handle", "resource_handle_id": status["resource_handle_id"], "id_column": "linkedin_url"})
    assert made["status"] == "ready" and made["size"] == 12
    companies = api.post("/search/start-filter-search", json={
        "simple_filters": {"is_public": False}, "mode": "company", "page_size": 6, "max_results": 6}).json()
    started = api.post("/search/export", json={"search_id": companies["search_id"], "max_results": 6})
    export = wait_completed(api, started.json()["task_id"])
    by_domain = ready_list(api, name="customers", entity_type="company", source={
        "type": "resource_handle", "resource_handle_id": export["resource_handle_id"], "id_column": "website_domain"})
    assert by_domain["size"] == 6
    again = api.post("/search/start-filter-search", json={
        "simple_filters": {"is_public": False}, "mode": "company", "page_size": 6,
        "exclude_list_ids": [by_domain["id"]]}).json()
    assert not set(ids(companies)) & set(ids(again))
    broken = ready_list(api, name="bad column", source={
        "type": "resource_handle", "resource_handle_id": status["resource_handle_id"], "id_column": "nickname"})
    assert broken["status"] == "failed" and "nickname" in broken["error"] and broken["size"] is None


@pytest.mark.parametrize(
    "body, loc",
    [
        ({"source": {"type": "entity_ids", "entity_ids": ["a"]}}, ["body", "name"]),
        ({"name": "x" * 121, "source": {"type": "entity_ids", "entity_ids": ["a"]}}, ["body", "name"]),
        ({"name": "n", "source": {"type": "spreadsheet"}}, ["body", "source", "type"]),
        ({"name": "n", "source": {"type": "entity_ids", "entity_ids": []}}, ["body", "source", "entity_ids"]),
        ({"name": "n", "source": {"type": "entity_ids", "entity_ids": [1, 2]}}, ["body", "source", "entity_ids"]),
        ({"name": "n", "source": {"type": "resource_handle"}}, ["body", "source", "resource_handle_id"]),
        ({"name": "n", "entity_type": "robot", "source": {"type": "entity_ids", "entity_ids": ["a"]}},
         ["body", "entity_type"]),
        ({"name": "n"}, ["body", "source"]),
    ],
)
def test_list_requests_are_validated(api, body, loc):
    response = api.post("/search/exclusion-lists", json=body)
    assert response.status_code == 422
    assert loc in [problem["loc"] for problem in response.json()["detail"]]


def test_a_list_from_an_unknown_search_or_file_is_404(api):
    unknown_search = {"type": "search_id", "search_id": "nope"}
    assert api.post("/search/exclusion-lists", json={"source": unknown_search}).status_code == 404
    unknown_file = {"type": "resource_handle", "resource_handle_id": "rh_nope", "id_column": "linkedin_url"}
    assert api.post("/search/exclusion-lists", json={"name": "n", "source": unknown_file}).status_code == 404
