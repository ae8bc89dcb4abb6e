"""Filter search (contract section 8): discover fields and values, then search with simple_filters."""

from __future__ import annotations

import csv
import io

import httpx
import pytest

from tests.test_sandbox_flow import wait_completed

FIELD_KEYS = {"field", "field_type", "value_type", "queryable", "sortable", "rangeable", "supports_top_values",
              "supports_exact_filter_snippet", "nested_path", "sort_field", "aggregation_field", "related_fields",
              "preferred_for_exact_match"}
PAGE_KEYS = {"results", "next_cursor", "has_more", "cursor_expires_in_seconds", "total_results", "total_available",
             "remaining_results", "page_size", "page_count", "page_number", "max_pages", "search_id", "parsed_query",
             "natural_language_query", "request_duration_ms", "csv_download_url", "json_download_url",
             "download_expires_in_seconds", "resource_handle_id", "exported_count"}


def search(api, simple_filters, mode="company", **extra):
    response = api.post("/search/start-filter-search", json={"simple_filters": simple_filters, "mode": mode, **extra})
    assert response.status_code == 200, response.text
    return response.json()


def values(api, field, mode="company", **extra):
    response = api.post("/search/filter-field-values", json={"field": field, "mode": mode, **extra})
    assert response.status_code == 200, response.text
    return response.json()


# -- capabilities ------------------------------------------------------------------------------
@pytest.mark.parametrize("mode", ["people", "company"])
def test_capabilities_describe_every_field_of_the_data_set(api, fast_sandbox, mode):
    response = api.get("/search/filter-capabilities", params={"mode": mode})
    assert response.status_code == 200
    body = response.json()
    names = [f["field"] for f in body["fields"]]
    assert names == sorted(names) and set(names) == set(fast_sandbox.state.dataset.field_names(mode))
    assert all(set(f) == FIELD_KEYS for f in body["fields"])
    assert body["mode"] == mode and body["index_name"]
    assert set(body["limits"]) == {"max_query_depth", "max_clause_count", "max_terms_per_clause", "max_sort_clauses",
                                   "max_string_length"}
    assert {"$match", "$phrase", "$search", "$elemMatch", "$limit", "$sort"} <= set(body["simple_query_operators"])
    assert body["cache_ttl_seconds"] > 0 and body["generated_at_epoch_ms"] > 0 and body["mapping_hash"]
    again = api.get("/search/filter-capabilities", params={"mode": mode}).json()
    assert again["mapping_hash"] == body["mapping_hash"]


def test_capabilities_type_fields_by_their_values(api, fast_sandbox):
    ds = fast_sandbox.state.dataset
    described = api.get("/search/filter-capabilities", params={"mode": "company"}).json()["fields"]
    company = {f["field"]: f for f in described}
    for name, field in company.items():
        value = ds.row("company", 0)
        for part in name.split("."):
            value = value[part]
        if isinstance(value, bool):
            assert field["value_type"] == "boolean", name
        elif isinstance(value, int):
            assert field["value_type"] == "integer" and field["rangeable"] and field["sortable"], name
        elif isinstance(value, dict):
            assert not field["supports_top_values"] and not field["sortable"], name
    assert company["description"]["field_type"] == "text" and not company["description"]["supports_top_values"]
    assert "hq_state" in company["hq_city"]["related_fields"]
    people = api.get("/search/filter-capabilities", params={"mode": "people"}).json()
    assert people["nested_paths"] == ["currentCompanies"]
    nested = [f for f in people["fields"] if f["field"].startswith("currentCompanies.")]
    assert nested and all(f["nested_path"] == "currentCompanies" for f in nested)


def test_capabilities_need_a_key_and_a_known_mode(api, fast_sandbox):
    assert httpx.get(f"{fast_sandbox.base_url}/search/filter-capabilities").status_code == 401
    wrong = api.get("/search/filter-capabilities", params={"mode": "robots"})
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["loc"] == ["query", "mode"]
    assert api.get("/search/filter-capabilities").json()["mode"] == "company"


# -- field values ------------------------------------------------------------------------------
def test_field_values_count_every_row_and_their_snippets_find_exactly_that_many(api, fast_sandbox):
    total = fast_sandbox.state.dataset.count("company")
    body = values(api, "industry", top_k=100)
    assert body["total_scoped_documents"] == total and body["field"] == "industry" and body["mode"] == "company"
    counts = [v["count"] for v in body["values"]]
    assert counts == sorted(counts, reverse=True) and sum(counts) == total
    assert abs(sum(v["percent_of_scope"] for v in body["values"]) - 100) < 0.1
    for value in body["values"][:3]:
        assert search(api, value["filter_snippet"], page_size=1)["total_available"] == value["count"]


def test_field_values_within_a_scope(api):
    scope = {"is_public": False, "employees_count": {"$gte": 200}}
    scoped = search(api, scope, page_size=1)["total_available"]
    body = values(api, "last_funding_round.type", simple_filters=scope, top_k=3)
    assert body["total_scoped_documents"] == scoped and len(body["values"]) <= 3
    top = body["values"][0]
    assert search(api, {**scope, **top["filter_snippet"]}, page_size=1)["total_available"] == top["count"]
    assert top["percent_of_scope"] == round(100 * top["count"] / scoped, 2)


def test_a_missing_value_is_the_null_bucket(api, fast_sandbox):
    ds = fast_sandbox.state.dataset
    fields = api.get("/search/filter-capabilities", params={"mode": "company"}).json()["fields"]
    field = next(f["field"] for f in fields if f["supports_top_values"]
                 and any(ds.field_getter("company", f["field"])(c) is None for c in range(ds.count("company"))))
    body = values(api, field, top_k=100)
    missing = [v for v in body["values"] if v["value"] is None]
    assert len(missing) == 1
    assert missing[0]["filter_snippet"] == {field: {"$exists": False}}
    assert search(api, missing[0]["filter_snippet"], page_size=1)["total_available"] == missing[0]["count"]


@pytest.mark.parametrize(
    "body, status",
    [
        ({"field": "salary", "mode": "company"}, 400),
        ({"field": "description", "mode": "company"}, 400),
        ({"mode": "company"}, 422),
        ({"field": "industry", "top_k": 0}, 422),
        ({"field": "industry", "top_k": 101}, 422),
        ({"field": "industry", "simple_filters": {"x": {"$teleport": 1}}}, 400),
    ],
)
def test_field_values_refuse_what_they_cannot_count(api, body, status):
    response = api.post("/search/filter-field-values", json=body)
    assert response.status_code == status
    if status == 400:
        assert isinstance(response.json()["detail"], str)


def test_top_k_limits_the_values(api):
    assert len(values(api, "industry", top_k=2)["values"]) == 2


# -- start-filter-search -------------------------------------------------------------------------
def test_a_filter_search_answers_like_a_query_and_pages_on_either_route(api):
    first = search(api, {"is_public": False, "$sort": {"employees_count": -1}}, page_size=7, max_results=20)
    assert PAGE_KEYS <= set(first) and first["search_id"] and first["page_number"] == 1
    sizes = [row["employees_count"] for row in first["results"]]
    assert sizes == sorted(sizes, reverse=True)
    second = api.post("/search/query", json={"cursor": first["next_cursor"]}).json()
    third = api.post("/search/start-filter-search", json={"cursor": second["next_cursor"]}).json()
    seen = [row["source_id"] for page in (first, second, third) for row in page["results"]]
    assert len(seen) == len(set(seen)) == 20
    assert [p["page_number"] for p in (first, second, third)] == [1, 2, 3]
    assert third["has_more"] is False and third["next_cursor"] is None
    assert {p["search_id"] for p in (first, second, third)} == {first["search_id"]}
    mixed = api.post("/search/start-filter-search", json={"cursor": first["next_cursor"], "mode": "company"})
    assert mixed.status_code == 400 and "only the cursor" in mixed.json()["detail"]


def test_sixtyfours_own_examples_run(api):
    engineers = search(api, {"title": {"$match": "*engineer*"}}, mode="people", page_size=20)
    assert engineers["results"] and all("engineer" in row["title"].lower() for row in engineers["results"])
    guide_example = {"simple_filters": {"title": {"$match": "*engineer*"}}, "mode": "people"}
    via_query = api.post("/search/query", json=guide_example)
    assert via_query.status_code == 200
    at = search(api, {"currentCompanies": {"$elemMatch": {"positions.title": {"$match": "vp*"}}}, "$limit": 5},
                mode="people", page_size=10)
    assert at["total_available"] == 5
    assert all(row["currentCompanies"][0]["positions"][0]["title"].lower().startswith("vp") for row in at["results"])


def test_queries_beyond_the_published_limits_answer_400_naming_the_limit(api):
    limits = api.get("/search/filter-capabilities", params={"mode": "people"}).json()["limits"]
    too_deep: dict = {"title": "x"}
    for _ in range(limits["max_query_depth"]):
        too_deep = {"$and": [too_deep]}
    oversized = {
        "max_query_depth": too_deep,
        "max_clause_count": {"$or": [{"title": f"t{n}"} for n in range(limits["max_clause_count"] + 1)]},
        "max_terms_per_clause": {"title": {"$in": [f"t{n}" for n in range(limits["max_terms_per_clause"] + 1)]}},
        "max_sort_clauses": {"$sort": dict.fromkeys(["title", "fullName", "seniority", "jobFunction", "email",
                                                     "headline"][: limits["max_sort_clauses"] + 1], 1)},
        "max_string_length": {"title": {"$match": "x" * (limits["max_string_length"] + 1)}},
    }
    for limit, document in oversized.items():
        response = api.post("/search/start-filter-search", json={"simple_filters": document, "mode": "people"})
        assert response.status_code == 400, limit
        assert limit in response.json()["detail"]


@pytest.mark.parametrize(
    "body",
    [{"filters": {"match_all": {}}}, {}, {"filters": {"match_all": {}}, "simple_filters": {}}],
)
def test_raw_filters_or_no_filters_answer_400(api, body):
    response = api.post("/search/start-filter-search", json={"mode": "company", **body})
    assert response.status_code == 400


def test_filter_search_validates_its_fields(api):
    bad = api.post("/search/start-filter-search", json={"simple_filters": {}, "page_size": 0, "save_json": "yes"})
    assert bad.status_code == 422
    assert {("body", "page_size"), ("body", "save_json")} <= {tuple(p["loc"]) for p in bad.json()["detail"]}


def test_a_filter_search_takes_exclusions_and_its_search_id_replays_and_exports(api, fast_sandbox):
    filters = {"is_public": False, "$sort": {"employees_count": -1}}
    plain = search(api, filters, page_size=10)
    dropped = [row["source_id"] for row in plain["results"][:3]]
    excluded = search(api, filters, page_size=10, exclude_entity_ids=dropped)
    assert not set(dropped) & {row["source_id"] for row in excluded["results"]}
    assert excluded["total_available"] == plain["total_available"] - 3
    replay = api.post("/search/query", json={"search_id": excluded["search_id"], "page_size": 10}).json()
    assert [r["source_id"] for r in replay["results"]] == [r["source_id"] for r in plain["results"]]
    started = api.post("/search/export", json={"search_id": excluded["search_id"], "max_results": 7})
    assert started.status_code == 200
    done = wait_completed(api, started.json()["task_id"])
    link = api.get("/search/download", params={"resource_handle_id": done["resource_handle_id"]}).json()
    rows = list(csv.DictReader(io.StringIO(httpx.get(link["url"]).text)))
    assert list(rows[0]) == fast_sandbox.state.dataset.csv_header("company")
    assert [r["website_domain"] for r in rows] == [r["website_domain"] for r in excluded["results"][:7]]


def test_save_json_keeps_every_row_behind_a_signed_url(api):
    found = search(api, {"industry": {"$exists": True}}, page_size=5, max_results=12, save_json=True)
    assert found["json_download_url"] and found["download_expires_in_seconds"] > 0 and found["exported_count"] == 12
    saved = httpx.get(found["json_download_url"])
    assert saved.status_code == 200 and saved.headers["content-type"].startswith("application/json")
    assert [row["source_id"] for row in saved.json()[:5]] == [row["source_id"] for row in found["results"]]
    assert len(saved.json()) == 12
    assert httpx.get(found["json_download_url"].replace("signature=", "signature=0")).status_code == 403
