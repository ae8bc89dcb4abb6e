"""Every rule of the contract the sandbox implements, over real HTTP on loopback."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from sixtyfour_tui.sandbox.config import DEMO_API_KEY, FaultConfig
from tests.conftest import OTHER_KEY, wait_for
from tests.test_sandbox_flow import FLAGSHIP, start, wait_completed


def completed_search(api, query=FLAGSHIP, **extra):
    started = start(api, query=query, **extra)
    return wait_completed(api, started["task_id"])


# -- auth and isolation -----------------------------------------------------------------------
def test_missing_and_wrong_keys_get_401_with_error_message_shape(fast_sandbox):
    for headers in ({}, {"x-api-key": "sk-wrong"}):
        response = httpx.get(f"{fast_sandbox.base_url}/search/status/abc", headers=headers)
        assert response.status_code == 401
        assert response.json() == {"error": "Unauthorized", "message": "Invalid API key"}


def test_tasks_files_and_cursors_of_one_key_are_invisible_to_another(api, fast_sandbox):
    status = completed_search(api)
    first = api.post("/search/query", json={"search_id": status["search_id"], "mode": "people", "page_size": 5}).json()
    with httpx.Client(base_url=fast_sandbox.base_url, headers={"x-api-key": OTHER_KEY}) as other:
        assert other.get(f"/search/status/{status['task_id']}").status_code == 404
        assert other.get(f"/search/deep-search-status/{status['task_id']}").status_code == 404
        assert (
            other.get("/search/download", params={"resource_handle_id": status["resource_handle_id"]}).status_code
            == 404
        )
        assert other.post("/search/query", json={"search_id": status["search_id"], "mode": "people"}).status_code == 404
        assert other.post("/search/query", json={"cursor": first["next_cursor"]}).status_code == 400
        assert (
            other.post("/search/export", json={"search_id": status["search_id"], "mode": "people"}).status_code == 404
        )


def test_payment_required_and_forbidden_keys(make_sandbox):
    server = make_sandbox(
        api_keys=("sk-a", "sk-broke", "sk-nofeature"),
        payment_required_keys=("sk-broke",),
        forbidden_keys=("sk-nofeature",),
    )
    body = {"query": "CTOs", "mode": "people"}
    broke = httpx.post(f"{server.base_url}/search/start-deep-search", json=body, headers={"x-api-key": "sk-broke"})
    assert broke.status_code == 402 and broke.json()["error"] == "Payment Required"
    denied = httpx.post(f"{server.base_url}/search/start-deep-search", json=body, headers={"x-api-key": "sk-nofeature"})
    assert denied.status_code == 403 and "not enabled" in denied.json()["message"]


# -- validation ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "body, field",
    [
        ({"query": "", "mode": "people"}, "query"),
        ({"query": "   ", "mode": "people"}, "query"),
        ({"mode": "people"}, "query"),
        ({"query": "CTOs", "mode": "robots"}, "mode"),
        ({"query": "CTOs", "max_results": 0}, "max_results"),
        ({"query": "CTOs", "max_results": 10001}, "max_results"),
        ({"query": "CTOs", "max_results": "ten"}, "max_results"),
        ({"query": "CTOs", "output_mode": "xml"}, "output_mode"),
    ],
)
def test_start_validation_answers_422_naming_the_field(api, body, field):
    response = api.post("/search/start-deep-search", json=body)
    assert response.status_code == 422
    problems = response.json()["detail"]
    assert isinstance(problems, list) and problems
    assert ["body", field] in [problem["loc"] for problem in problems]
    assert all({"loc", "msg", "type"} <= set(problem) for problem in problems)


def test_a_body_that_is_not_json_answers_400(api):
    response = api.post("/search/start-deep-search", content=b"{not json", headers={"content-type": "application/json"})
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


# -- the five-slot limit ---------------------------------------------------------------------
def test_five_searches_run_and_the_sixth_gets_429_with_retry_after(make_sandbox):
    server = make_sandbox(speed=1.0)
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
        ids = [start(api, query=f"engineers number {n}")["task_id"] for n in range(5)]
        assert len(set(ids)) == 5
        sixth = api.post("/search/start-deep-search", json={"query": "one too many"})
        assert sixth.status_code == 429
        assert int(sixth.headers["retry-after"]) >= 1
        assert set(sixth.json()) >= {"error", "message"}
        with httpx.Client(base_url=server.base_url, headers={"x-api-key": "sk-unknown"}) as stranger:
            assert stranger.post("/search/start-deep-search", json={"query": "x"}).status_code == 401


def test_the_limit_frees_a_slot_when_a_search_finishes(make_sandbox):
    server = make_sandbox(speed=20.0)
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
        for n in range(5):
            start(api, query=f"designers {n}")
        assert api.post("/search/start-deep-search", json={"query": "sixth"}).status_code == 429
        wait_for(lambda: api.post("/search/start-deep-search", json={"query": "sixth"}).status_code == 200, timeout=30)


def test_a_repeated_search_id_returns_the_same_task(make_sandbox):
    server = make_sandbox(speed=1.0)
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
        first = start(api, search_id="client-chosen-1")
        again = start(api, search_id="client-chosen-1")
        assert first["task_id"] == again["task_id"]
        for n in range(4):
            start(api, query=f"marketers {n}")
        # the repeat did not take a slot: exactly five are active
        assert api.post("/search/start-deep-search", json={"query": "x"}).status_code == 429
        assert start(api, search_id="client-chosen-1")["task_id"] == first["task_id"]


def test_unknown_task_is_404_with_detail(api):
    response = api.get("/search/status/no-such-task")
    assert response.status_code == 404
    assert "not found" in response.json()["detail"]


# -- /search/query -------------------------------------------------------------------------------
def test_cursor_pages_partition_the_results_exactly(api):
    status = completed_search(api, max_results=230)
    page = api.post(
        "/search/query", json={"search_id": status["search_id"], "mode": "people", "page_size": 100, "max_results": 230}
    ).json()
    seen, numbers = [], []
    while True:
        seen.extend(row["publicId"] for row in page["results"])
        numbers.append(page["page_number"])
        assert page["total_results"] == len(seen)
        if not page["has_more"]:
            assert page["next_cursor"] is None and page["total_pages"] == 3
            break
        assert "total_pages" not in page and page["cursor_expires_in_seconds"] > 0
        response = api.post("/search/query", json={"cursor": page["next_cursor"]})
        assert response.status_code == 200
        page = response.json()
    assert numbers == [1, 2, 3]
    assert len(seen) == len(set(seen)) == 230
    assert page["remaining_results"] == 0


def test_query_rows_match_the_deep_search_csv_order(api):
    status = completed_search(api, max_results=40)
    rows = api.post(
        "/search/query", json={"search_id": status["search_id"], "mode": "people", "page_size": 40, "max_results": 40}
    ).json()["results"]
    link = api.get("/search/download", params={"resource_handle_id": status["resource_handle_id"]}).json()
    csv_rows = list(csv.DictReader(io.StringIO(httpx.get(link["url"]).text)))
    assert [r["fullName"] for r in rows] == [r["full_name"] for r in csv_rows]


def test_a_cursor_with_any_other_field_is_400(api):
    status = completed_search(api)
    page = api.post("/search/query", json={"search_id": status["search_id"], "mode": "people", "page_size": 5}).json()
    response = api.post("/search/query", json={"cursor": page["next_cursor"], "mode": "people"})
    assert response.status_code == 400
    assert "only the cursor" in response.json()["detail"]


@pytest.mark.parametrize("body", [{"mode": "people"}, {"mode": "people", "query": "CTOs", "search_id": "x"}])
def test_zero_or_two_query_sources_is_400(api, body):
    assert api.post("/search/query", json=body).status_code == 400


def test_raw_filters_are_refused_as_not_supported(api):
    response = api.post("/search/query", json={"filters": {"match_all": {}}, "mode": "people"})
    assert response.status_code == 400 and "not supported" in response.json()["detail"]


def test_a_tampered_cursor_is_400(api):
    page = api.post("/search/query", json={"query": "engineers", "mode": "people", "page_size": 5}).json()
    cursor = page["next_cursor"]
    tampered = cursor[:-1] + ("0" if cursor[-1] != "0" else "1")
    response = api.post("/search/query", json={"cursor": tampered})
    assert response.status_code == 400
    assert response.json() == {"detail": "cursor expired or invalid"}


def test_cursors_expire(make_sandbox):
    server = make_sandbox(cursor_ttl=0.3, speed=1000.0)
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
        page = api.post("/search/query", json={"query": "engineers", "mode": "people", "page_size": 5}).json()
        assert page["cursor_expires_in_seconds"] is not None
        wait_for(lambda: api.post("/search/query", json={"cursor": page["next_cursor"]}).status_code == 400, timeout=10)
        assert (
            api.post("/search/query", json={"cursor": page["next_cursor"]}).json()["detail"]
            == "cursor expired or invalid"
        )


def test_parsed_query_from_a_response_is_usable_again(api):
    first = api.post("/search/query", json={"query": FLAGSHIP, "mode": "people", "page_size": 20}).json()
    again = api.post(
        "/search/query", json={"parsed_query": first["parsed_query"], "mode": "people", "page_size": 20}
    ).json()
    assert [r["publicId"] for r in first["results"]] == [r["publicId"] for r in again["results"]]
    assert first["results"]


def test_exclusions_drop_rows(api):
    first = api.post("/search/query", json={"query": FLAGSHIP, "mode": "people", "page_size": 10}).json()
    dropped = [row["publicId"] for row in first["results"][:3]]
    again = api.post(
        "/search/query", json={"query": FLAGSHIP, "mode": "people", "page_size": 10, "exclude_entity_ids": dropped}
    ).json()
    assert not set(dropped) & {row["publicId"] for row in again["results"]}


def test_page_size_out_of_range_is_422(api):
    assert api.post("/search/query", json={"query": "CTOs", "mode": "people", "page_size": 101}).status_code == 422
    assert api.post("/search/query", json={"query": "CTOs", "mode": "people", "page_size": 0}).status_code == 422


def test_natural_language_query_is_people_only(api):
    assert api.post("/search/query", json={"query": "fintech", "mode": "company"}).status_code == 400


def test_simple_filters_over_http(api):
    body = {
        "simple_filters": {"industry": "Fintech", "employees_count": {"$gte": 500}, "$sort": {"employees_count": -1}},
        "mode": "company",
        "page_size": 50,
    }
    page = api.post("/search/query", json=body).json()
    sizes = [row["employees_count"] for row in page["results"]]
    assert sizes and all(size >= 500 for size in sizes)
    assert sizes == sorted(sizes, reverse=True)
    assert all(row["industry"] == "Fintech" for row in page["results"])
    bad = api.post("/search/query", json={"simple_filters": {"name": {"$teleport": 1}}, "mode": "company"})
    assert bad.status_code == 400 and "$teleport" in bad.json()["detail"]


# -- export ------------------------------------------------------------------------------------
def test_a_second_export_of_the_same_search_while_one_runs_is_409_with_its_task(make_sandbox):
    server = make_sandbox(speed=1.0)
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
        task = start(api, query="engineers in Austin")
        search_id = api.get(f"/search/status/{task['task_id']}").json()["search_id"]
        first = api.post("/search/export", json={"search_id": search_id, "mode": "people"})
        assert first.status_code == 200
        second = api.post("/search/export", json={"search_id": search_id, "mode": "people"})
        assert second.status_code == 409
        assert second.json()["task_id"] == first.json()["task_id"]
        assert second.json()["error"] == "Conflict"


def test_export_is_capped_at_5000_rows_and_downloadable(api):
    status = completed_search(api, query="engineers", max_results=10)
    started = api.post("/search/export", json={"search_id": status["search_id"], "mode": "people", "max_results": 9000})
    assert started.status_code == 200
    export = wait_completed(api, started.json()["task_id"])
    assert export["exported_count"] == 5000
    link = api.get("/search/download", params={"resource_handle_id": export["resource_handle_id"]}).json()
    text = httpx.get(link["url"]).text
    assert len(list(csv.reader(io.StringIO(text)))) == 5001


def test_export_needs_exactly_one_source(api):
    assert api.post("/search/export", json={"mode": "people"}).status_code == 400
    assert api.post("/search/export", json={"mode": "people", "search_id": "a", "parsed_query": {}}).status_code == 400


# -- downloads ---------------------------------------------------------------------------------
def test_download_needs_a_handle_and_knows_its_own(api):
    missing = api.get("/search/download")
    assert missing.status_code == 422 and missing.json()["detail"][0]["loc"] == ["query", "resource_handle_id"]
    assert api.get("/search/download", params={"resource_handle_id": "rh_nope"}).status_code == 404


def test_tampered_signatures_are_403_and_the_route_needs_no_key(api):
    status = completed_search(api)
    url = api.get("/search/download", params={"resource_handle_id": status["resource_handle_id"]}).json()["url"]
    assert httpx.get(url).status_code == 200
    tampered = url.replace("signature=", "signature=0")
    assert httpx.get(tampered).status_code == 403
    later = url.replace("expires=", "expires=9")
    assert httpx.get(later).status_code == 403


def test_signed_urls_expire(make_sandbox):
    server = make_sandbox(url_ttl=1.0, speed=2000.0)
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
        status = completed_search(api)
        url = api.get("/search/download", params={"resource_handle_id": status["resource_handle_id"]}).json()["url"]
        wait_for(lambda: httpx.get(url).status_code == 403, timeout=10)
        assert "expired" in httpx.get(url).json()["message"]
        fresh = api.get("/search/download", params={"resource_handle_id": status["resource_handle_id"]}).json()["url"]
        assert httpx.get(fresh).status_code == 200


def test_storage_can_live_on_another_address(make_sandbox):
    server = make_sandbox(storage_host="127.0.0.2", speed=2000.0)
    assert server.storage_base_url.startswith("http://127.0.0.2:")
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
        status = completed_search(api)
        url = api.get("/search/download", params={"resource_handle_id": status["resource_handle_id"]}).json()["url"]
    assert url.startswith(server.storage_base_url)
    assert httpx.get(url).status_code == 200
    assert server.state.storage_requests[-1]["host"] == "127.0.0.2"


# -- faults and limits ---------------------------------------------------------------------------
def test_forced_faults_answer_503_then_recover(make_sandbox):
    server = make_sandbox()
    server.state.faults.force(503, count=2, path_prefix="/search/status")
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
        codes = [api.get("/search/status/whatever").status_code for _ in range(3)]
    assert codes == [503, 503, 404]


def test_every_nth_request_is_rate_limited(make_sandbox):
    server = make_sandbox(faults=FaultConfig(rate_limit_every=3))
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
        responses = [api.get("/search/status/x") for _ in range(6)]
    assert [r.status_code for r in responses] == [404, 404, 429, 404, 404, 429]
    assert responses[2].headers["retry-after"] == "1"


def test_the_per_minute_rate_limit(make_sandbox):
    server = make_sandbox(requests_per_minute=3)
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
        codes = [api.get("/search/status/x").status_code for _ in range(4)]
        limited = api.get("/search/status/x")
    assert codes == [404, 404, 404, 429]
    assert int(limited.headers["retry-after"]) >= 1


def test_dropped_and_truncated_downloads(make_sandbox):
    server = make_sandbox(speed=2000.0, faults=FaultConfig(drop_downloads=1, truncate_downloads=1))
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
        status = completed_search(api)
        url = api.get("/search/download", params={"resource_handle_id": status["resource_handle_id"]}).json()["url"]
    with pytest.raises(httpx.HTTPError):
        httpx.get(url)
    truncated = httpx.get(url)
    whole = httpx.get(url)
    assert truncated.status_code == 200 and whole.status_code == 200
    assert 0 < len(truncated.content) < len(whole.content)
    assert int(whole.headers["content-length"]) == len(whole.content)


def test_error_rate_answers_some_500_or_503(make_sandbox):
    server = make_sandbox(faults=FaultConfig(error_rate=0.5, seed=3))
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
        codes = [api.get("/search/status/x").status_code for _ in range(40)]
    assert {500, 503} & set(codes) and 404 in codes


# -- location expansion ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "options, field",
    [
        ({"location_expansion_radius_miles": 4.9}, "location_expansion_radius_miles"),
        ({"location_expansion_radius_miles": 201}, "location_expansion_radius_miles"),
        ({"location_expansion_radius_miles": "far"}, "location_expansion_radius_miles"),
        ({"location_expansion_enabled": "yes"}, "location_expansion_enabled"),
    ],
)
def test_location_expansion_options_are_validated(api, options, field):
    for route, body in (("/search/query", {"query": "engineers in Austin", "mode": "people"}),
                        ("/search/start-deep-search", {"query": "engineers in Austin", "mode": "people"})):
        response = api.post(route, json={**body, **options})
        assert response.status_code == 422, route
        assert ["body", field] in [problem["loc"] for problem in response.json()["detail"]]


def test_location_expansion_options_within_range_are_accepted(api):
    for radius in (5, 200, 42.5):
        body = {"query": "engineers in Austin", "mode": "people", "location_expansion_radius_miles": radius,
                "location_expansion_enabled": False}
        assert api.post("/search/query", json=body).status_code == 200


def test_location_expansion_options_reach_the_search_engine(make_sandbox, monkeypatch):
    """Until the engine takes the options nothing is passed; once it does, the request's values are."""
    from sixtyfour_tui.sandbox import search_engine, searches

    real = search_engine.plan_search
    seen: list[dict] = []

    def plan_search(ds, parsed_query, mode, *, location_expansion=True, radius_miles=10.0):
        seen.append({"location_expansion": location_expansion, "radius_miles": radius_miles})
        return real(ds, parsed_query, mode)

    monkeypatch.setattr(search_engine, "plan_search", plan_search)
    searches._engine_expands.cache_clear()
    try:
        server = make_sandbox(speed=2000.0)
        with httpx.Client(base_url=server.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
            body = {"query": "engineers in Austin", "mode": "people", "location_expansion_radius_miles": 50,
                    "location_expansion_enabled": False}
            page = api.post("/search/query", json=body).json()
            assert seen[-1] == {"location_expansion": False, "radius_miles": 50.0}
            api.post("/search/query", json={"search_id": page["search_id"], "location_expansion_radius_miles": 120})
            assert seen[-1] == {"location_expansion": True, "radius_miles": 120.0}
            start(api, query="designers in Denver", location_expansion_radius_miles=25)
            assert seen[-1] == {"location_expansion": True, "radius_miles": 25.0}
    finally:
        searches._engine_expands.cache_clear()


# -- search ids, export mode -----------------------------------------------------------------------
@pytest.mark.parametrize(
    "body",
    [
        {"query": "engineers in Austin", "mode": "people"},
        {"simple_filters": {"industry": {"$exists": True}}, "mode": "company"},
        {"parsed_query": {"filters": {"seniority": ["VP"]}, "keywords": []}, "mode": "people"},
    ],
)
def test_every_query_response_carries_a_search_id_that_replays_it(api, body):
    first = api.post("/search/query", json={**body, "page_size": 5})
    assert first.status_code == 200, first.text
    search_id = first.json()["search_id"]
    assert search_id
    replay = api.post("/search/query", json={"search_id": search_id, "page_size": 5}).json()
    assert replay["search_id"] == search_id and replay["results"] == first.json()["results"]
    following = api.post("/search/query", json={"cursor": first.json()["next_cursor"]}).json()
    assert following["search_id"] == search_id


def test_an_export_defaults_to_the_stored_searchs_mode(api, fast_sandbox):
    header = fast_sandbox.state.dataset.csv_header("company")
    task = start(api, query="fintech companies in London", mode="company", max_results=20)
    status = wait_completed(api, task["task_id"])
    for search_id in (status["search_id"],
                      api.post("/search/query", json={"simple_filters": {"is_public": True}, "mode": "company"})
                      .json()["search_id"]):
        started = api.post("/search/export", json={"search_id": search_id, "max_results": 5})
        assert started.status_code == 200
        done = wait_completed(api, started.json()["task_id"])
        link = api.get("/search/download", params={"resource_handle_id": done["resource_handle_id"]}).json()
        assert next(csv.reader(io.StringIO(httpx.get(link["url"]).text))) == header
        conflicting = api.post("/search/export", json={"search_id": search_id, "mode": "people"})
        assert conflicting.status_code == 400 and "company" in conflicting.json()["detail"]


# -- unknown routes and methods --------------------------------------------------------------------
def test_unknown_routes_and_methods_answer_json(api):
    for path in ("/search/nope", "/nothing/here"):
        missing = api.get(path)
        assert missing.status_code == 404 and missing.json() == {"detail": "Not Found"}
    wrong_method = api.get("/search/query")
    assert wrong_method.status_code == 405 and wrong_method.json() == {"detail": "Method Not Allowed"}
    assert "POST" in wrong_method.headers["allow"]
    assert api.delete("/search/export").json() == {"detail": "Method Not Allowed"}


# -- what the server saw -----------------------------------------------------------------------------
def test_the_request_log_counts_starts_and_keeps_the_exclusions_sent_without_the_key(make_sandbox):
    server = make_sandbox(speed=2000.0, api_keys=(DEMO_API_KEY, OTHER_KEY))
    log = server.state.request_log
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": DEMO_API_KEY}) as api:
        first = start(api, query="engineers in Austin", search_id="chosen-1", exclude_entity_ids=["jane-doe"])
        again = start(api, query="engineers in Austin", search_id="chosen-1", exclude_entity_ids=["jane-doe"])
        assert first["task_id"] == again["task_id"]
        status = wait_completed(api, first["task_id"])
        page = api.post("/search/query", json={"search_id": status["search_id"], "page_size": 2,
                                               "exclude_entity_ids": ["jane-doe"]}).json()
        api.post("/search/query", json={"cursor": page["next_cursor"]})
        api.post("/search/query", json={"search_id": status["search_id"], "page_size": 2})
    with httpx.Client(base_url=server.base_url, headers={"x-api-key": OTHER_KEY}) as other:
        other.post("/search/query", json={"query": "CTOs", "mode": "people"})
        assert other.get("/_sandbox/requests").json()["requests"][0]["body"]["query"] == "CTOs"
        assert len(other.get("/_sandbox/requests").json()["requests"]) == 1
    assert log.count("/search/start-deep-search") == 2  # requests, not distinct tasks
    mine = server.state.known_owner(DEMO_API_KEY)
    firsts = log.first_queries(owner=mine)
    assert [e.body.get("exclude_entity_ids") for e in firsts] == [["jane-doe"], None]
    assert all(e.status == 200 for e in firsts)
    statuses = log.entries(route="/search/status/{task_id}", method="GET")
    assert statuses and statuses[0].path.startswith("/search/status/")
    assert DEMO_API_KEY not in repr(log.entries()) and OTHER_KEY not in repr(log.entries())
    with httpx.Client(base_url=server.base_url) as anonymous:
        assert anonymous.get("/_sandbox/requests").status_code == 401
