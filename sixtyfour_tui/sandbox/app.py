"""The sandbox's HTTP surface: the routes of the Sixtyfour search API and a storage host."""

from __future__ import annotations

import time

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, StreamingResponse
from starlette.routing import Route

from sixtyfour_tui.sandbox.config import SandboxConfig
from sixtyfour_tui.sandbox.faults import FaultMiddleware
from sixtyfour_tui.sandbox.responses import ApiProblem, detail, error_message, validation_failed
from sixtyfour_tui.sandbox.result_sets import ResultSet
from sixtyfour_tui.sandbox.state import SandboxState
from sixtyfour_tui.sandbox.validation import MODES, Checker, json_object

QUERY_SOURCES = ("search_id", "parsed_query", "simple_filters", "filters", "query")
MAX_RESULTS_LIMIT = 10_000
CHUNK = 64 * 1024


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
        excluded = check.id_list("exclude_entity_ids")
        check.id_list("exclude_list_ids")
        check.finish()
        task = await run_in_threadpool(
            state.start_search, key, query, mode, max_results, output_mode, search_id, excluded
        )
        return JSONResponse({"task_id": task.task_id, "status": "queued", "message": "Deep search started"})

    async def task_status(request: Request) -> JSONResponse:
        key = owner(request)
        return JSONResponse(state.task_status(key, request.path_params["task_id"]))

    async def query(request: Request) -> JSONResponse:
        started = time.perf_counter()
        key = owner(request)
        body = await json_object(request)
        if "cursor" in body:
            return await _next_page(key, body, started)
        sources = [name for name in QUERY_SOURCES if body.get(name) is not None]
        if len(sources) != 1:
            raise ApiProblem(detail(400, f"send exactly one of: {', '.join(QUERY_SOURCES)} (got {len(sources)})"))
        check = Checker(body)
        mode = check.choice("mode", MODES, "company")
        page_size = check.integer("page_size", 10, 1, 100)
        max_results = check.integer("max_results", 1000, 1, MAX_RESULTS_LIMIT)
        excluded = check.id_list("exclude_entity_ids") + check.id_list("exclude_public_ids")
        check.id_list("exclude_list_ids")
        check.finish()
        result_set = await run_in_threadpool(
            _first_result_set, key, sources[0], body, mode, page_size, max_results, excluded
        )
        page = await run_in_threadpool(state.result_sets.page_body, result_set, 0, state.dataset, started)
        return JSONResponse(page)

    async def _next_page(key: str, body: dict, started: float) -> JSONResponse:
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

    def _first_result_set(key, source, body, mode, page_size, max_results, excluded) -> ResultSet:
        from sixtyfour_tui.sandbox.query_parser import parse_query, validate_parsed_query
        from sixtyfour_tui.sandbox.simple_filters import FilterError, run_simple_filters

        value = body[source]
        search_id = None
        natural = None
        parsed = None
        if source == "filters":
            raise ApiProblem(detail(400, "raw OpenSearch filters are not supported by the sandbox"))
        if source == "search_id":
            if not isinstance(value, str):
                raise ApiProblem(validation_failed([(("body", "search_id"), "must be a string")]))
            search = state.search_by_search_id(key, value)
            search_id, parsed, natural = search.search_id, search.parsed_query, search.query
            mode = search.mode
            ranked, _ = state.plan(parsed, mode)
        elif source == "parsed_query":
            try:
                validate_parsed_query(value)
            except ValueError as problem:
                raise ApiProblem(validation_failed([(("body", "parsed_query"), str(problem))])) from None
            parsed = value
            ranked, _ = state.plan(parsed, mode)
        elif source == "simple_filters":
            if not isinstance(value, dict):
                raise ApiProblem(validation_failed([(("body", "simple_filters"), "must be an object")]))
            try:
                ranked = run_simple_filters(state.dataset, value, mode)
            except FilterError as problem:
                raise ApiProblem(detail(400, str(problem))) from None
        else:
            if mode != "people":
                raise ApiProblem(detail(400, "a natural-language query is supported in people mode only"))
            if not isinstance(value, str) or not value.strip():
                raise ApiProblem(validation_failed([(("body", "query"), "must not be empty")]))
            natural = value
            parsed = parse_query(value, mode)
            ranked, _ = state.plan(parsed, mode)
        ranked = state.excluding(mode, ranked, excluded)
        return state.result_sets.create(
            key, mode, ranked, max_results, page_size,
            search_id=search_id, parsed_query=parsed, natural_language_query=natural,
        )

    async def export(request: Request) -> JSONResponse:
        key = owner(request)
        body = await json_object(request)
        has_search, has_parsed = body.get("search_id") is not None, body.get("parsed_query") is not None
        if has_search == has_parsed:
            raise ApiProblem(detail(400, "send either search_id or parsed_query, not both and not neither"))
        check = Checker(body)
        mode = check.choice("mode", MODES, "people")
        max_results = check.integer("max_results", state.config.export_row_cap, 1, MAX_RESULTS_LIMIT)
        search_id = check.text("search_id")
        parsed = body.get("parsed_query")
        if has_parsed:
            from sixtyfour_tui.sandbox.query_parser import validate_parsed_query

            try:
                validate_parsed_query(parsed)
            except ValueError as problem:
                check.problems.append((("body", "parsed_query"), str(problem)))
        check.finish()
        task = await run_in_threadpool(state.start_export, key, mode, max_results, search_id, parsed)
        return JSONResponse({"task_id": task.task_id, "status": "queued", "message": "Export started"})

    async def download(request: Request) -> JSONResponse:
        key = owner(request)
        handle = request.query_params.get("resource_handle_id")
        if not handle:
            raise ApiProblem(validation_failed([(("query", "resource_handle_id"), "field required")]))
        base = str(request.base_url).rstrip("/")
        return JSONResponse(await run_in_threadpool(state.download_link, key, handle, base))

    async def storage(request: Request):
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
        if refusal is not None:
            return JSONResponse({"error": "Forbidden", "message": f"Request refused: {refusal}"}, status_code=403)
        path = await run_in_threadpool(state.storage.materialize, stored)
        fault = state.faults.take_download_fault()
        if fault is None:
            return FileResponse(path, media_type="text/csv", filename=path.name)
        return _broken_download(path, fault)

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
        Route("/storage/{bucket}/{object_path:path}", storage),
    ]

    async def problem(request: Request, exc: ApiProblem):
        return exc.response

    async def crash(request: Request, exc: Exception):
        return error_message(500, "Internal Server Error", "Something went wrong on our side")

    app = Starlette(
        routes=routes,
        middleware=[Middleware(FaultMiddleware, faults=state.faults)],
        exception_handlers={ApiProblem: problem, Exception: crash},
    )
    app.state.sandbox = state
    return app


def _broken_download(path, fault: str) -> StreamingResponse:
    """Half a file: 'drop' promises the whole length then cuts the connection, 'truncate' just stops."""
    size = path.stat().st_size
    cut = size // 2

    def chunks():
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
    return StreamingResponse(chunks(), media_type="text/csv", headers=headers)
