"""The sandbox's HTTP surface: the routes of the Sixtyfour search API and a storage host.

Routes (contract sections in brackets): start-deep-search [1], status and deep-search-status [2],
query [3], export [4], download and the storage host [5], exclusion-lists [7], filter-capabilities,
filter-field-values and start-filter-search [8]. A cursor from either search route is accepted by
both `/search/query` and `/search/start-filter-search`, since a page is a page. Unknown routes and
methods answer `{"detail": "Not Found"}` / `{"detail": "Method Not Allowed"}` [9].
`GET /_sandbox/requests` (sandbox only, needs a key) lists what the server saw from that key.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from sixtyfour_tui.sandbox.config import SandboxConfig
from sixtyfour_tui.sandbox.exclusion_routes import exclusion_routes
from sixtyfour_tui.sandbox.faults import FaultMiddleware
from sixtyfour_tui.sandbox.request_log import RequestLogMiddleware
from sixtyfour_tui.sandbox.responses import ApiProblem, detail, error_message, validation_failed
from sixtyfour_tui.sandbox.searches import RADIUS_RANGE, LocationOptions, SearchShape
from sixtyfour_tui.sandbox.state import SandboxState
from sixtyfour_tui.sandbox.validation import MODES, Checker, json_object

QUERY_SOURCES = ("search_id", "parsed_query", "simple_filters", "filters", "query")
MAX_RESULTS_LIMIT = 10_000
CHUNK = 64 * 1024
READY_TIMEOUT = 120.0  # seconds a request waits for the data set before answering 503


def build_app(config: SandboxConfig | None = None, state: SandboxState | None = None) -> Starlette:
    state = state or SandboxState(config or SandboxConfig())

    def owner(request: Request) -> str:
        return state.authenticate(request.headers.get("x-api-key"))

    async def start_deep_search(request: Request) -> JSONResponse:
        key = owner(request)
        check = Checker(await json_object(request))
        query = check.text("query", required=True)
        mode = check.choice("mode", MODES, "people")
        max_results = check.integer("max_results", 1000, 1, MAX_RESULTS_LIMIT)
        output_mode = check.choice("output_mode", ("csv", "query_only"), "csv")
        search_id = check.text("search_id")
        refs, list_ids = check.exclusions(mode)
        location = _location(check)
        check.finish()

        def start() -> Any:
            excluded = state.exclusion_keys(key, mode, refs, list_ids)
            return state.start_search(key, query or "", mode, max_results, output_mode, search_id, excluded, location)

        task = await run_in_threadpool(start)
        return JSONResponse({"task_id": task.task_id, "status": "queued", "message": "Deep search started"})

    async def task_status(request: Request) -> JSONResponse:
        key = owner(request)
        return JSONResponse(state.task_status(key, request.path_params["task_id"]))

    async def query(request: Request) -> JSONResponse:
        started = time.perf_counter()
        key = owner(request)
        body = _without_null_cursor(await json_object(request))
        if "cursor" in body:
            return _next_page(key, body, started)
        sources = [name for name in QUERY_SOURCES if body.get(name) is not None]
        if len(sources) != 1:
            raise ApiProblem(detail(400, f"send exactly one of: {', '.join(QUERY_SOURCES)} (got {len(sources)})"))
        source, value = sources[0], body[sources[0]]
        if source == "filters":
            raise ApiProblem(detail(400, "raw OpenSearch filters are not supported by the sandbox"))
        check = Checker(body)
        mode = check.choice("mode", MODES, "company")
        page_size = check.integer("page_size", 10, 1, 100)
        max_results = check.integer("max_results", 1000, 1, MAX_RESULTS_LIMIT)
        location = _location(check)
        register = True
        if source == "search_id":
            if not isinstance(value, str):
                raise ApiProblem(validation_failed([(("body", "search_id"), "must be a string")]))
            shape = state.shape_for(key, value).with_location(location)
            mode, register = shape.mode, False
        elif source == "parsed_query":
            from sixtyfour_tui.sandbox.query_parser import validate_parsed_query

            try:
                validate_parsed_query(value)
            except ValueError as problem:
                raise ApiProblem(validation_failed([(("body", "parsed_query"), str(problem))])) from None
            shape = state.new_shape(key, mode, "parsed_query", parsed_query=value,
                                    location=location or LocationOptions())
        elif source == "simple_filters":
            if not isinstance(value, dict):
                raise ApiProblem(validation_failed([(("body", "simple_filters"), "must be an object")]))
            shape = state.new_shape(key, mode, "simple_filters", simple_filters=value)
        else:
            if mode != "people":
                raise ApiProblem(detail(400, "a natural-language query is supported in people mode only"))
            if not isinstance(value, str) or not value.strip():
                raise ApiProblem(validation_failed([(("body", "query"), "must not be empty")]))
            from sixtyfour_tui.sandbox.query_parser import parse_query

            shape = state.new_shape(key, mode, "query", parsed_query=parse_query(value, mode),
                                    natural_language_query=value, location=location or LocationOptions())
        refs, list_ids = check.exclusions(mode)
        check.finish()
        return await _first_page(request, shape, register, page_size, max_results, refs, list_ids, started)

    async def start_filter_search(request: Request) -> JSONResponse:
        started = time.perf_counter()
        key = owner(request)
        body = _without_null_cursor(await json_object(request))
        if "cursor" in body:
            return _next_page(key, body, started)
        has_filters, has_simple = body.get("filters") is not None, body.get("simple_filters") is not None
        if has_filters == has_simple:
            raise ApiProblem(detail(400, "send exactly one of: simple_filters, filters"))
        if has_filters:
            raise ApiProblem(detail(400, "raw OpenSearch filters are not supported by the sandbox; use simple_filters"))
        check = Checker(body)
        mode = check.choice("mode", MODES, "company")
        page_size = check.integer("page_size", 10, 1, 100)
        max_results = check.integer("max_results", 1000, 1, MAX_RESULTS_LIMIT)
        save_json = check.boolean("save_json", False)
        refs, list_ids = check.exclusions(mode)
        if not isinstance(body["simple_filters"], dict):
            check.problems.append((("body", "simple_filters"), "must be an object"))
        check.finish()
        shape = state.new_shape(key, mode, "simple_filters", simple_filters=body["simple_filters"])
        return await _first_page(request, shape, True, page_size, max_results, refs, list_ids, started,
                                 save_json=save_json)

    async def _first_page(request: Request, shape: SearchShape, register: bool, page_size: int, max_results: int,
                          refs: list[str], list_ids: list[str], started: float,
                          save_json: bool = False) -> JSONResponse:
        from sixtyfour_tui.sandbox.simple_filters import FilterError

        base = str(request.base_url).rstrip("/")

        def work() -> dict[str, Any]:
            excluded = state.exclusion_keys(shape.owner, shape.mode, refs, list_ids)
            try:
                result_set = state.open_result_set(shape, max_results, page_size, excluded, register=register)
            except FilterError as problem:
                raise ApiProblem(detail(400, str(problem))) from None
            page = state.result_sets.page_body(result_set, 0, state.dataset, started)
            if save_json:
                page.update(state.save_json(result_set, base))
            return page

        return JSONResponse(await run_in_threadpool(work))

    def _next_page(key: str, body: dict[str, Any], started: float) -> JSONResponse:
        if set(body) != {"cursor"}:
            extra = ", ".join(sorted(set(body) - {"cursor"}))
            raise ApiProblem(detail(400, f"a cursor request carries only the cursor (also got: {extra})"))
        if not isinstance(body["cursor"], str):
            raise ApiProblem(detail(400, "cursor expired or invalid"))
        resolved = state.result_sets.resolve(key, body["cursor"])
        if resolved is None:
            raise ApiProblem(detail(400, "cursor expired or invalid"))
        result_set, offset = resolved
        return JSONResponse(state.result_sets.page_body(result_set, offset, state.dataset, started))

    async def filter_capabilities(request: Request) -> JSONResponse:
        owner(request)
        mode = request.query_params.get("mode", "company")
        if mode not in MODES:
            raise ApiProblem(validation_failed([(("query", "mode"), f"must be one of: {', '.join(MODES)}")]))
        from sixtyfour_tui.sandbox.filter_catalog import capabilities

        return JSONResponse(await run_in_threadpool(capabilities, state.dataset, mode))

    async def filter_field_values(request: Request) -> JSONResponse:
        owner(request)
        body = await json_object(request)
        check = Checker(body)
        field = check.text("field", required=True)
        mode = check.choice("mode", MODES, "company")
        top_k = check.integer("top_k", 25, 1, 100)
        scope = body.get("simple_filters")
        if scope is not None and not isinstance(scope, dict):
            check.problems.append((("body", "simple_filters"), "must be an object"))
        check.finish()
        from sixtyfour_tui.sandbox.filter_catalog import UnknownField, field_values
        from sixtyfour_tui.sandbox.simple_filters import FilterError

        def work() -> dict[str, Any]:
            try:
                rows = state.filtered(scope, mode) if scope else None
                return field_values(state.dataset, mode, field or "", top_k, rows)
            except (FilterError, UnknownField) as problem:
                raise ApiProblem(detail(400, str(problem.args[0]))) from None

        return JSONResponse(await run_in_threadpool(work))

    async def export(request: Request) -> JSONResponse:
        key = owner(request)
        body = await json_object(request)
        has_search, has_parsed = body.get("search_id") is not None, body.get("parsed_query") is not None
        if has_search == has_parsed:
            raise ApiProblem(detail(400, "send either search_id or parsed_query, not both and not neither"))
        check = Checker(body)
        mode = check.choice("mode", MODES, "people") if body.get("mode") is not None else None
        max_results = check.integer("max_results", state.config.export_row_cap, 1, MAX_RESULTS_LIMIT)
        search_id = check.text("search_id")
        refs, list_ids = check.exclusions(mode or "people")
        parsed = body.get("parsed_query")
        if has_parsed:
            from sixtyfour_tui.sandbox.query_parser import validate_parsed_query

            try:
                validate_parsed_query(parsed)
            except ValueError as problem:
                check.problems.append((("body", "parsed_query"), str(problem)))
        check.finish()

        def start() -> Any:
            export_mode = state.shape_for(key, search_id).mode if search_id else mode or "people"
            excluded = state.exclusion_keys(key, export_mode, refs, list_ids)
            return state.start_export(key, mode, max_results, search_id, parsed, excluded)

        task = await run_in_threadpool(start)
        return JSONResponse({"task_id": task.task_id, "status": "queued", "message": "Export started"})

    async def download(request: Request) -> JSONResponse:
        key = owner(request)
        handle = request.query_params.get("resource_handle_id")
        if not handle:
            raise ApiProblem(validation_failed([(("query", "resource_handle_id"), "field required")]))
        base = str(request.base_url).rstrip("/")
        return JSONResponse(await run_in_threadpool(state.download_link, key, handle, base))

    async def storage(request: Request) -> Response:
        bucket = request.path_params["bucket"]
        object_path = request.path_params["object_path"]
        client = request.scope.get("server") or ("", 0)
        state.storage_requests.append(
            {"host": client[0], "port": client[1], "headers": dict(request.headers), "path": object_path}
        )
        refusal = state.storage.check_signature(
            bucket, object_path,
            request.query_params.get("expires", ""), request.query_params.get("signature", ""),
        )
        stored = state.storage.by_object_path(object_path)
        if refusal is None and stored is None:
            refusal = "no such object"
        if refusal is not None or stored is None:
            return JSONResponse({"error": "Forbidden", "message": f"Request refused: {refusal}"}, status_code=403)
        path = await run_in_threadpool(state.storage.materialize, stored)
        fault = state.faults.take_download_fault()
        if fault is None:
            return FileResponse(path, media_type=stored.media_type, filename=path.name)
        return _broken_download(path, fault, stored.media_type)

    async def seen_requests(request: Request) -> JSONResponse:
        key = owner(request)
        route = request.query_params.get("route")
        return JSONResponse({"requests": [e.as_dict() for e in state.request_log.entries(route=route, owner=key)]})

    async def health(request: Request) -> JSONResponse:
        return JSONResponse({"service": "sixtyfour sandbox", "docs": "see README: Sandbox"})

    routes = [
        Route("/", health),
        Route("/search/start-deep-search", start_deep_search, methods=["POST"]),
        Route("/search/status/{task_id}", task_status),
        Route("/search/deep-search-status/{task_id}", task_status),
        Route("/search/query", query, methods=["POST"]),
        Route("/search/export", export, methods=["POST"]),
        Route("/search/download", download),
        Route("/search/filter-capabilities", filter_capabilities),
        Route("/search/filter-field-values", filter_field_values, methods=["POST"]),
        Route("/search/start-filter-search", start_filter_search, methods=["POST"]),
        *exclusion_routes(state, owner),
        Route("/storage/{bucket}/{object_path:path}", storage),
        Route("/_sandbox/requests", seen_requests),
    ]

    async def problem(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ApiProblem)
        return exc.response

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        return JSONResponse({"detail": exc.detail}, status_code=exc.status_code, headers=exc.headers)

    async def crash(request: Request, exc: Exception) -> Response:
        return error_message(500, "Internal Server Error", "Something went wrong on our side")

    app = Starlette(
        routes=routes,
        middleware=[
            Middleware(FaultMiddleware, faults=state.faults),
            Middleware(ReadyGate, ready=state.ready),
            Middleware(RequestLogMiddleware, log=state.request_log, owner_of=state.known_owner, routes=routes),
        ],
        exception_handlers={ApiProblem: problem, HTTPException: http_error, Exception: crash},
    )
    app.state.sandbox = state
    return app


def _location(check: Checker) -> LocationOptions | None:
    """The request's location-expansion options, or None when it sends neither field."""
    sent = any(check.body.get(name) is not None
               for name in ("location_expansion_enabled", "location_expansion_radius_miles"))
    enabled = check.boolean("location_expansion_enabled", True)
    radius = check.number("location_expansion_radius_miles", LocationOptions().radius_miles, *RADIUS_RANGE)
    return LocationOptions(enabled, radius) if sent else None


def _without_null_cursor(body: dict[str, Any]) -> dict[str, Any]:
    """`"cursor": null` next to a first request means no cursor."""
    if "cursor" in body and body["cursor"] is None:
        return {name: value for name, value in body.items() if name != "cursor"}
    return body


class ReadyGate:
    """Holds API and storage requests until the state is ready (the data set loads in the background)."""

    def __init__(self, app: Any, ready: Any) -> None:
        self.app = app
        self.ready = ready

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] != "/" and not self.ready.is_set():
            loop = asyncio.get_running_loop()
            if not await loop.run_in_executor(None, self.ready.wait, READY_TIMEOUT):
                response = error_message(503, "Service Unavailable", "The sandbox is still starting")
                await response(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _broken_download(path: Path, fault: str, media_type: str) -> StreamingResponse:
    """Half a file: 'drop' promises the whole length then cuts the connection, 'truncate' just stops."""
    size = path.stat().st_size
    cut = size // 2

    def chunks() -> Any:
        sent = 0
        with path.open("rb") as handle:
            while sent < cut:
                data = handle.read(min(CHUNK, cut - sent))
                if not data:
                    break
                sent += len(data)
                yield data
        if fault == "drop":
            raise ConnectionResetError("sandbox dropped the download on purpose")

    headers = {"content-length": str(size)} if fault == "drop" else {}
    return StreamingResponse(chunks(), media_type=media_type, headers=headers)
