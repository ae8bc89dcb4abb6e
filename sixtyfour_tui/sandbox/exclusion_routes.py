"""The four exclusion-list routes (contract section 7).

- `POST /search/exclusion-lists` `{"source": {...}, "name", "entity_type"}` → the new list's body
  (`{"id", "status": "pending", ...}`); sources `entity_ids` (`entity_ids`), `search_id`
  (`search_id`) and `resource_handle` (`resource_handle_id`, `id_column`, default `linkedin_url`).
- `GET /search/exclusion-lists` → `{"lists": [...]}`; `GET /search/exclusion-lists/{id}` → one list.
- `DELETE /search/exclusion-lists/{id}` → `{"id", "deleted": true}`.
A list body: `id, name, entity_type, status (pending | ready | failed), size (ids held, null until
ready), created_at, ready_at, source (type and reference, never the ids), error`. Lists cannot be
changed (PUT/PATCH → 405); the 21st active list (pending or ready; failed lists
do not count) → 409.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route

from sixtyfour_tui.sandbox.exclusion_lists import ENTITY_TYPES
from sixtyfour_tui.sandbox.responses import ApiProblem, validation_failed
from sixtyfour_tui.sandbox.state import SandboxState
from sixtyfour_tui.sandbox.validation import Checker, json_object

SOURCE_TYPES = ("entity_ids", "search_id", "resource_handle")
MAX_NAME_LENGTH = 120
MAX_IDS = 100_000


def exclusion_routes(state: SandboxState, owner: Callable[[Request], str]) -> list[Route]:
    async def collection(request: Request) -> JSONResponse:
        key = owner(request)
        if request.method == "GET":
            now = state.clock.now()
            state.refresh_from_file()
            return JSONResponse({"lists": [x.body(now) for x in state.exclusion_lists.of(key)]})
        body = await json_object(request)
        check = Checker(body)
        source = _source(check)
        name = check.text("name", required=source.get("type") != "search_id")
        if name is not None and len(name) > MAX_NAME_LENGTH:
            check.problems.append((("body", "name"), f"must be at most {MAX_NAME_LENGTH} characters"))
        entity_type = check.choice("entity_type", tuple(ENTITY_TYPES), "person") if "entity_type" in body else None
        check.finish()
        made = await run_in_threadpool(state.create_exclusion_list, key, name, entity_type, source)
        return JSONResponse(made.body(state.clock.now()))

    async def one(request: Request) -> JSONResponse:
        key = owner(request)
        list_id = request.path_params["list_id"]
        if request.method == "DELETE":
            state.delete_exclusion_list(key, list_id)
            return JSONResponse({"id": list_id, "deleted": True})
        if not state.exclusion_lists.has(list_id):
            state.refresh_from_file()  # a sibling sandbox on the same state file may have made it
        return JSONResponse(state.exclusion_lists.get(key, list_id).body(state.clock.now()))

    return [
        Route("/search/exclusion-lists", collection, methods=["GET", "POST"]),
        Route("/search/exclusion-lists/{list_id}", one, methods=["GET", "DELETE"]),
    ]


def _source(check: Checker) -> dict[str, Any]:
    """The `source` object, checked for its type's fields (problems go to the checker)."""
    source = check.body.get("source")
    if not isinstance(source, dict):
        raise ApiProblem(validation_failed([(("body", "source"), "field required: an object with a type")]))
    kind = source.get("type")
    if kind not in SOURCE_TYPES:
        check.problems.append((("body", "source", "type"), f"must be one of: {', '.join(SOURCE_TYPES)}"))
        return {}
    inner = Checker(source)
    if kind == "entity_ids":
        ids = inner.id_list("entity_ids")
        if not ids and not inner.problems:
            inner.problems.append((("body", "entity_ids"), "must be a non-empty list of strings"))
        if len(ids) > MAX_IDS:
            inner.problems.append((("body", "entity_ids"), f"must hold at most {MAX_IDS:,} ids"))
        cleaned: dict[str, Any] = {"type": kind, "entity_ids": ids}
    elif kind == "search_id":
        cleaned = {"type": kind, "search_id": inner.text("search_id", required=True)}
    else:
        cleaned = {
            "type": kind,
            "resource_handle_id": inner.text("resource_handle_id", required=True),
            "id_column": inner.text("id_column") or "linkedin_url",
        }
    check.problems.extend((("body", "source", *loc[1:]), msg) for loc, msg in inner.problems)
    return cleaned
