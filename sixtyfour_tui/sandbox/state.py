"""Everything the sandbox remembers, per API key, and the rules of the API applied to it.

For tests: `state.request_log` (a `RequestLog`, see request_log.py) records every `/search/...`
request with its route, JSON body and status, never the key; `state.storage_requests` records
what the storage host saw. Both are read by tests to assert what a client actually sent.

`state.ready` is set once earlier tasks are restored (and, when loading in the background, the data
set is built); the app holds API requests until then.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
import uuid
from collections import OrderedDict, deque
from collections.abc import Iterable
from dataclasses import replace
from functools import cached_property
from pathlib import Path
from typing import Any

from sixtyfour_tui.sandbox.clock import SimClock
from sixtyfour_tui.sandbox.config import SandboxConfig
from sixtyfour_tui.sandbox.exclusion_lists import ENTITY_TYPES, ExclusionList, ExclusionLists
from sixtyfour_tui.sandbox.faults import FaultState
from sixtyfour_tui.sandbox.request_log import RequestLog
from sixtyfour_tui.sandbox.responses import ApiProblem, detail, error_message
from sixtyfour_tui.sandbox.result_sets import ResultSet, ResultSets
from sixtyfour_tui.sandbox.searches import LocationOptions, SearchShape
from sixtyfour_tui.sandbox.signing import Signer
from sixtyfour_tui.sandbox.storage import BUCKET, Storage, StoredFile
from sixtyfour_tui.sandbox.tasks import DeepSearchTask, ExportTask

KEPT_PLANS = 256
KEPT_TASKS = 200
REFRESH_EVERY = 0.5
KEPT_REMOVALS = 1000  # remembered across restarts; each is re-planned on start
KEPT_QUERY_SEARCHES = 1000  # search_ids of /search/query and filter searches: in memory only, newest kept


def owner_of(key: str) -> str:
    """Tasks are filed under a fingerprint of the key, so the key itself is never stored."""
    return hashlib.sha256(key.encode()).hexdigest()[:24]


class SandboxState:
    def __init__(self, config: SandboxConfig) -> None:
        self.config = config
        self.clock = SimClock(config.speed)
        self.faults = FaultState(config.faults)
        signer = Signer()
        self.storage = Storage(lambda: self.dataset, signer, config.url_ttl)
        self.result_sets = ResultSets(signer, config.cursor_ttl)
        self.exclusion_lists = ExclusionLists(self.clock)
        self.request_log = RequestLog()
        self.storage_base_url: str | None = None
        self.storage_requests: list[dict[str, Any]] = []  # what the storage host saw, for leak tests
        self.ready = threading.Event()
        self._searches: dict[str, DeepSearchTask] = {}
        self._searches_by_search_id: dict[tuple[str, str], DeepSearchTask] = {}
        self._shapes: dict[tuple[str, str], SearchShape] = {}
        self._query_shapes: OrderedDict[tuple[str, str], SearchShape] = OrderedDict()
        self._exports: dict[str, ExportTask] = {}
        self._pending_files: dict[str, DeepSearchTask | ExportTask] = {}
        self._plans: OrderedDict[tuple[Any, ...], tuple[list[int], list[str]]] = OrderedDict()
        self._request_times: dict[str, deque[float]] = {}
        self._specs: dict[str, tuple[str, dict[str, Any]]] = {}
        self._seen_finished: set[str] = set()
        self._refreshed_at = 0.0
        self._removed: set[str] = set()
        self._lock = threading.RLock()

    @cached_property
    def dataset(self) -> Any:
        from sixtyfour_tui.sandbox.dataset import load_dataset

        return load_dataset(seed=self.config.seed, people=self.config.people, companies=self.config.companies)

    @cached_property
    def refs(self) -> Any:
        from sixtyfour_tui.sandbox.entity_refs import EntityRefs

        return EntityRefs(self.dataset)

    def prepare(self, warm: bool = False) -> None:
        """Restore earlier tasks (and build the data set when `warm`), then let requests in."""
        try:
            self.restore()
            if warm:
                _ = self.dataset
        finally:
            self.ready.set()

    # -- access -------------------------------------------------------------------------------
    def authenticate(self, key: str | None) -> str:
        if not key or key not in self.config.api_keys:
            raise ApiProblem(error_message(401, "Unauthorized", "Invalid API key"))
        if key in self.config.payment_required_keys:
            raise ApiProblem(error_message(402, "Payment Required", "Your balance is too low for this request"))
        if key in self.config.forbidden_keys:
            raise ApiProblem(error_message(403, "Forbidden", "Deep search is not enabled for this organisation"))
        self._check_rate(key)
        return owner_of(key)

    def known_owner(self, key: str) -> str | None:
        """The fingerprint of a key the sandbox accepts (for the request log), else None."""
        return owner_of(key) if key in self.config.api_keys else None

    def _check_rate(self, key: str) -> None:
        limit = self.config.requests_per_minute
        if not limit:
            return
        now = time.monotonic()
        with self._lock:
            window = self._request_times.setdefault(key, deque())
            while window and now - window[0] > 60:
                window.popleft()
            if len(window) >= limit:
                retry = max(1, math.ceil(60 - (now - window[0])))
                raise ApiProblem(
                    error_message(
                        429, "Too Many Requests", f"Rate limit of {limit} requests per minute exceeded",
                        headers={"Retry-After": str(retry)},
                    )
                )
            window.append(now)

    # -- ranking ------------------------------------------------------------------------------
    def plan(self, parsed_query: dict[str, Any], mode: str,
             location: LocationOptions | None = None) -> tuple[list[int], list[str]]:
        """Ranked rows and progress stages for a parsed query, cached because pages replay it."""
        from sixtyfour_tui.sandbox.search_engine import plan_search

        location = location or LocationOptions()
        key = ("plan", mode, json.dumps(parsed_query, sort_keys=True), location)
        cached = self._cached(key)
        if cached is not None:
            return cached
        plan = plan_search(self.dataset, parsed_query, mode, **location.plan_arguments())
        return self._cache(key, (list(plan.ranked), list(plan.stages)))

    def filtered(self, simple_filters: dict[str, Any], mode: str) -> list[int]:
        """Rows matching simple_filters (raises FilterError), cached like plans."""
        from sixtyfour_tui.sandbox.simple_filters import run_simple_filters

        key = ("filters", mode, json.dumps(simple_filters, sort_keys=True))
        cached = self._cached(key)
        if cached is not None:
            return cached[0]
        return self._cache(key, (run_simple_filters(self.dataset, simple_filters, mode), []))[0]

    def _cached(self, key: tuple[Any, ...]) -> tuple[list[int], list[str]] | None:
        with self._lock:
            if key in self._plans:
                self._plans.move_to_end(key)
                return self._plans[key]
        return None

    def _cache(self, key: tuple[Any, ...], value: tuple[list[int], list[str]]) -> tuple[list[int], list[str]]:
        with self._lock:
            self._plans[key] = value
            while len(self._plans) > KEPT_PLANS:
                self._plans.popitem(last=False)
        return value

    def ranked_rows(self, shape: SearchShape) -> list[int]:
        """Every match of a search shape, best first, before any exclusion."""
        if shape.kind == "simple_filters":
            return self.filtered(shape.simple_filters or {}, shape.mode)
        return self.plan(shape.parsed_query or {}, shape.mode, shape.location)[0]

    # -- exclusions -----------------------------------------------------------------------------
    def exclusion_keys(self, owner: str, mode: str, refs: Iterable[str], list_ids: Iterable[str]) -> frozenset[str]:
        """Canonical ids to keep out: the inline references plus every named list (400 for a bad list)."""
        if any(not self.exclusion_lists.has(list_id) for list_id in list_ids):
            self.refresh_from_file()
        keys = self.exclusion_lists.keys_for(owner, list(list_ids), mode)
        refs = list(refs)
        if refs:
            keys |= self.refs.keys(mode, refs)
        return frozenset(keys)

    def without(self, mode: str, ranked: list[int], keys: Iterable[str]) -> list[int]:
        """The API searches first, then drops excluded records: the order of the rest is unchanged."""
        keys = list(keys)
        if not keys:
            return ranked
        dropped = self.refs.rows(mode, keys)
        return [i for i in ranked if i not in dropped] if dropped else ranked

    # -- search ids -----------------------------------------------------------------------------
    def shape_for(self, owner: str, search_id: str) -> SearchShape:
        shape = self._shapes.get((owner, search_id)) or self._query_shapes.get((owner, search_id))
        if shape is None and self.refresh_from_file():
            shape = self._shapes.get((owner, search_id))
        if shape is None:
            raise ApiProblem(detail(404, f"search {search_id} not found"))
        return shape

    def new_shape(self, owner: str, mode: str, kind: str, **fields: Any) -> SearchShape:
        return SearchShape(search_id=str(uuid.uuid4()), owner=owner, mode=mode, kind=kind,
                           created=self.clock.now(), **fields)

    def open_result_set(self, shape: SearchShape, max_results: int, page_size: int, excluded: frozenset[str],
                        *, register: bool) -> ResultSet:
        """Rank a shape, drop the exclusions of this request, and hold the rows for cursor paging.

        `register` files a new shape under its search_id (with these exclusions, for exports).
        """
        rows = self.without(shape.mode, self.ranked_rows(shape), excluded)
        if register:
            shape = replace(shape, excluded=excluded, max_results=max_results)
            with self._lock:
                self._query_shapes[(shape.owner, shape.search_id)] = shape
                while len(self._query_shapes) > KEPT_QUERY_SEARCHES:
                    self._query_shapes.popitem(last=False)
        return self.result_sets.create(
            shape.owner, shape.mode, rows, max_results, page_size, search_id=shape.search_id,
            parsed_query=shape.parsed_query, natural_language_query=shape.natural_language_query,
        )

    # -- deep search --------------------------------------------------------------------------
    def active_searches(self, owner: str) -> list[DeepSearchTask]:
        now = self.clock.now()
        return [t for t in self._searches.values() if t.owner == owner and t.is_active(now)]

    def start_search(self, owner: str, query: str, mode: str, max_results: int, output_mode: str,
                     search_id: str | None, excluded: frozenset[str],
                     location: LocationOptions | None = None) -> DeepSearchTask:
        with self._lock:
            if search_id and (owner, search_id) not in self._searches_by_search_id:
                self.refresh_from_file()  # a sibling sandbox on the same state file may hold it
            if search_id and (owner, search_id) in self._searches_by_search_id:
                return self._searches_by_search_id[(owner, search_id)]
            active = self.active_searches(owner)
            if len(active) >= self.config.max_concurrent_searches:
                wait = min(t.ends_at for t in active) - self.clock.now()
                retry = max(1, math.ceil(self.clock.real_seconds(wait)))
                raise ApiProblem(
                    error_message(
                        429, "Too Many Requests",
                        f"At most {self.config.max_concurrent_searches} deep searches can run at once",
                        headers={"Retry-After": str(retry)},
                    )
                )
            location = location or LocationOptions()
            spec = {
                "task_id": str(uuid.uuid4()), "search_id": search_id or str(uuid.uuid4()), "owner": owner,
                "query": query, "mode": mode, "max_results": max_results, "output_mode": output_mode,
                "excluded": sorted(excluded), "created": self.clock.now(),
                "location_expansion": location.expansion, "radius_miles": location.radius_miles,
                "resource_handle_id": f"rh_{uuid.uuid4()}" if output_mode == "csv" else None,
            }
            task = self._create_search(spec)
            self._persist()
            return task

    def _create_search(self, spec: dict[str, Any]) -> DeepSearchTask:
        from sixtyfour_tui.sandbox.query_parser import parse_query

        mode = spec["mode"]
        location = LocationOptions(bool(spec.get("location_expansion", True)), float(spec.get("radius_miles", 10.0)))
        parsed = parse_query(spec["query"], mode)
        # Files from before canonical ids held the references as sent; canonicalising again is harmless.
        excluded = frozenset(self.refs.keys(mode, spec["excluded"])) if spec["excluded"] else frozenset()
        ranked, stages = self.plan(parsed, mode, location)
        rows = self.without(mode, ranked, excluded)[: spec["max_results"]]
        task = DeepSearchTask(
            task_id=spec["task_id"], search_id=spec["search_id"], owner=spec["owner"], query=spec["query"],
            mode=mode, max_results=spec["max_results"], output_mode=spec["output_mode"],
            parsed_query=parsed, ranked=rows, stages=stages, created=spec["created"],
            resource_handle_id=spec["resource_handle_id"],
        )
        self._searches[task.task_id] = task
        self._searches_by_search_id[(task.owner, task.search_id)] = task
        self._shapes[(task.owner, task.search_id)] = SearchShape(
            search_id=task.search_id, owner=task.owner, mode=mode, kind="deep", parsed_query=parsed,
            natural_language_query=task.query, location=location, excluded=excluded, max_results=task.max_results,
            created=task.created,
        )
        self._specs[task.task_id] = ("search", spec)
        if task.resource_handle_id:
            self.storage.register(StoredFile(task.resource_handle_id, task.owner, task.mode, rows))
            self._pending_files[task.resource_handle_id] = task
        return task

    def deep_search(self, owner: str, search_id: str) -> DeepSearchTask | None:
        return self._searches_by_search_id.get((owner, search_id))

    def task_status(self, owner: str, task_id: str) -> dict[str, Any]:
        task = self._searches.get(task_id) or self._exports.get(task_id)
        if task is None and self.refresh_from_file():
            task = self._searches.get(task_id) or self._exports.get(task_id)
        if task is None or task.owner != owner:
            raise ApiProblem(detail(404, f"task {task_id} not found"))
        body = task.status_body(self.clock.now())
        if body["status"] in ("completed", "failed") and task_id not in self._seen_finished:
            # The simulated clock may run ahead of the wall clock; saving it now means a restarted
            # sandbox never shows a finished task as running again.
            with self._lock:
                self._seen_finished.add(task_id)
                self._persist()
        return body

    # -- export -------------------------------------------------------------------------------
    def start_export(self, owner: str, mode: str | None, max_results: int, search_id: str | None,
                     parsed_query: dict[str, Any] | None, excluded: frozenset[str] = frozenset()) -> ExportTask:
        """Export a stored search (keeping the exclusions it ran with) or a parsed query."""
        with self._lock:
            if search_id is not None:
                shape = self.shape_for(owner, search_id)
                if mode is not None and mode != shape.mode:
                    raise ApiProblem(detail(400, f"search {search_id} is a {shape.mode} search; leave mode out "
                                                 f"or send mode {shape.mode!r}"))
                now = self.clock.now()
                running = [
                    e for e in self._exports.values()
                    if e.owner == owner and e.search_id == search_id and e.is_active(now)
                ]
                if running:
                    raise ApiProblem(
                        error_message(409, "Conflict", "An export for this search is already running",
                                      task_id=running[0].task_id)
                    )
                source = shape.spec()
                source["excluded"] = sorted(shape.excluded | excluded)
            else:
                source = self.new_shape(owner, mode or "people", "parsed_query", parsed_query=parsed_query,
                                        excluded=excluded).spec()
            spec = {
                "task_id": str(uuid.uuid4()), "search_id": search_id, "owner": owner, "mode": source["mode"],
                "max_results": max_results, "parsed_query": source["parsed_query"], "source": source,
                "created": self.clock.now(), "resource_handle_id": f"rh_{uuid.uuid4()}",
            }
            task = self._create_export(spec)
            self._persist()
            return task

    def _create_export(self, spec: dict[str, Any]) -> ExportTask:
        if "source" in spec:
            shape = SearchShape.from_spec(spec["source"])
        else:  # a file from before exports kept their source
            shape = SearchShape(search_id="", owner=spec["owner"], mode=spec["mode"], kind="parsed_query",
                                parsed_query=spec["parsed_query"])
        rows = self.without(shape.mode, self.ranked_rows(shape), shape.excluded)
        rows = rows[: min(spec["max_results"], self.config.export_row_cap)]
        task = ExportTask(
            task_id=spec["task_id"], search_id=spec["search_id"], owner=spec["owner"], mode=shape.mode,
            rows=rows, created=spec["created"], resource_handle_id=spec["resource_handle_id"],
        )
        self._exports[task.task_id] = task
        self._specs[task.task_id] = ("export", spec)
        self.storage.register(StoredFile(task.resource_handle_id, task.owner, task.mode, rows))
        self._pending_files[task.resource_handle_id] = task
        return task

    # -- exclusion lists ------------------------------------------------------------------------
    def create_exclusion_list(self, owner: str, name: str | None, entity_type: str | None,
                              source: dict[str, Any]) -> ExclusionList:
        """Collect the ids of a source now; the list turns ready once built on the simulated clock."""
        kind = source["type"]
        ready_after, error = 0.0, None
        if kind == "entity_ids":
            entity_type = entity_type or "person"
            keys = self.refs.keys(ENTITY_TYPES[entity_type], source["entity_ids"])
            described = {"type": kind, "count": len(source["entity_ids"])}
        elif kind == "search_id":
            shape = self.shape_for(owner, source["search_id"])
            wanted = "person" if shape.mode == "people" else "company"
            if entity_type not in (None, wanted):
                raise ApiProblem(detail(400, f"search {shape.search_id} returned {wanted} records, "
                                             f"not {entity_type} records"))
            entity_type = wanted
            keys, ready_after, error = self._search_keys(shape)
            name = name or f"Results of search {shape.search_id}"
            described = {"type": kind, "search_id": shape.search_id}
        else:
            entity_type = entity_type or "person"
            keys, ready_after, error = self._file_keys(owner, source["resource_handle_id"], source["id_column"],
                                                       ENTITY_TYPES[entity_type])
            described = {"type": kind, "resource_handle_id": source["resource_handle_id"],
                         "id_column": source["id_column"]}
        with self._lock:
            made = self.exclusion_lists.create(owner, name or "", entity_type, described, sorted(keys),
                                               ready_after, error)
            self._specs[f"list:{made.list_id}"] = ("list", made.spec())
            self._persist()
            return made

    def _search_keys(self, shape: SearchShape) -> tuple[set[str], float, str | None]:
        """Everyone a search returned; a deep search gives its ids once it has finished."""
        task = self.deep_search(shape.owner, shape.search_id)
        if task is not None:
            rows, ready_after = task.ranked, task.ends_at
            error = "the search failed" if task.fail_at_iteration is not None else None
        else:
            rows = self.without(shape.mode, self.ranked_rows(shape), shape.excluded)[: shape.max_results]
            ready_after, error = 0.0, None
        ds = self.dataset
        return {self.refs.key(shape.mode, ds.entity_id(shape.mode, i)) for i in rows}, ready_after, error

    def _file_keys(self, owner: str, handle: str, column: str, mode: str) -> tuple[set[str], float, str | None]:
        """The ids in one column of a CSV the sandbox holds (ready once the file is)."""
        import csv

        stored = self.storage.get(handle)
        if stored is None or stored.owner != owner:
            raise ApiProblem(detail(404, f"resource {handle} not found"))
        producer = self._pending_files.get(handle)
        ready_after = producer.ends_at if producer is not None else 0.0
        path = self.storage.materialize(stored)
        with path.open(newline="", encoding="utf-8") as handle_file:
            reader = csv.reader(handle_file)
            header = next(reader, [])
            if column not in header:
                return set(), ready_after, f"column {column!r} is not in the file (columns: {', '.join(header)})"
            position = header.index(column)
            values = [row[position] for row in reader if len(row) > position and row[position].strip()]
        return self.refs.keys(mode, values), ready_after, None

    def delete_exclusion_list(self, owner: str, list_id: str) -> None:
        with self._lock:
            self.exclusion_lists.delete(owner, list_id)
            self._specs.pop(f"list:{list_id}", None)
            self._removed.add(f"list:{list_id}")  # so a sibling's copy of the file does not bring it back
            self._persist()

    # -- persistence ----------------------------------------------------------------------------
    def _persist(self) -> None:
        if self.config.state_file is None:
            return
        from sixtyfour_tui.sandbox.persistence import load_state, save_state, state_lock

        try:
            with state_lock(self.config.state_file):
                # Sibling sandboxes (every `--sandbox` process runs its own) share this file: take in
                # what they wrote, so a write here never erases their tasks.
                self._merge_from(load_state(self.config.state_file))
                tasks = sorted((item for item in self._specs.values() if item[0] in ("search", "export")),
                               key=lambda item: item[1]["created"])[-KEPT_TASKS:]
                sections: dict[str, list[Any]] = {"searches": [spec for kind, spec in tasks if kind == "search"],
                            "exports": [spec for kind, spec in tasks if kind == "export"],
                            "lists": [spec for kind, spec in self._specs.values() if kind == "list"],
                            "removed": sorted(self._removed)[-KEPT_REMOVALS:]}
                save_state(self.config.state_file, self.clock.now(), sections)
        except OSError:
            pass  # the sandbox keeps working; only a restart would forget

    def restore(self) -> int:
        """Bring back the deep searches, exports and exclusion lists of an earlier run; returns how many."""
        if self.config.state_file is None:
            return 0
        from sixtyfour_tui.sandbox.persistence import load_state

        with self._lock:
            self._merge_from(load_state(self.config.state_file))
        return len(self._specs)

    def refresh_from_file(self) -> bool:
        """Take in tasks a sibling sandbox wrote to the shared state file (at most twice a second);
        True when something new came in."""
        if self.config.state_file is None:
            return False
        now = time.monotonic()
        if now - self._refreshed_at < REFRESH_EVERY:
            return False
        self._refreshed_at = now
        from sixtyfour_tui.sandbox.persistence import load_state

        before = len(self._specs)
        with self._lock:
            self._merge_from(load_state(self.config.state_file))
        return len(self._specs) > before

    def _merge_from(self, document: dict[str, Any]) -> None:
        """Add the document's tasks and lists this sandbox does not know yet (never rewinding its clock)."""
        self.clock.resume_from(float(document.get("clock") or 0.0))
        for key in document.get("removed") or []:
            if isinstance(key, str) and key not in self._removed:
                self._removed.add(key)
                if key.startswith("list:") and self._specs.pop(key, None) is not None:
                    spec_id = key[len("list:"):]
                    self.exclusion_lists.forget(spec_id)  # a sibling deleted it
        for spec in document["searches"]:
            if isinstance(spec, dict) and spec.get("task_id") not in self._specs:
                self._restore_one(self._create_search, spec)
        for spec in document["lists"]:
            key = f"list:{spec.get('list_id')}" if isinstance(spec, dict) else ""
            if isinstance(spec, dict) and key not in self._specs and key not in self._removed:
                self._restore_one(self._restore_list, spec)
        for spec in document["exports"]:
            if isinstance(spec, dict) and spec.get("task_id") not in self._specs:
                self._restore_one(self._create_export, spec)

    @staticmethod
    def _restore_one(create: Any, spec: Any) -> None:
        try:
            create(spec)
        except (KeyError, TypeError, ValueError, AttributeError):
            pass  # one unreadable entry does not cost the others

    def _restore_list(self, spec: dict[str, Any]) -> None:
        self.exclusion_lists.restore(spec)
        self._specs[f"list:{spec['list_id']}"] = ("list", spec)

    # -- files --------------------------------------------------------------------------------
    def file_for(self, owner: str, resource_handle_id: str) -> StoredFile:
        stored = self.storage.get(resource_handle_id)
        if stored is None or stored.owner != owner:
            raise ApiProblem(detail(404, f"resource {resource_handle_id} not found"))
        producer = self._pending_files.get(resource_handle_id)
        if producer is not None and producer.status_body(self.clock.now())["status"] != "completed":
            raise ApiProblem(detail(404, f"resource {resource_handle_id} is not ready yet"))
        return stored

    def download_link(self, owner: str, resource_handle_id: str, request_base_url: str) -> dict[str, Any]:
        stored = self.file_for(owner, resource_handle_id)
        self.storage.materialize(stored)
        base = self.storage_base_url or request_base_url
        return {"url": self.storage.signed_url(base, stored), "bucket": BUCKET, "path": stored.object_path}

    def save_json(self, result_set: ResultSet, request_base_url: str) -> dict[str, Any]:
        """Keep a result set's rows as a JSON file (`save_json`); the download fields of the response."""
        handle = f"rh_{uuid.uuid4()}"
        stored = self.storage.register(
            StoredFile(handle, result_set.owner, result_set.mode, list(result_set.rows), file_format="json")
        )
        base = self.storage_base_url or request_base_url
        return {
            "json_download_url": self.storage.signed_url(base, stored),
            "download_expires_in_seconds": int(self.storage.url_ttl),
            "resource_handle_id": handle,
            "exported_count": len(result_set.rows),
        }

    def put_file(self, api_key: str, mode: str, source: Path) -> str:
        """Store an existing CSV under a new handle (used by benchmarks for very large files)."""
        handle = f"rh_{uuid.uuid4()}"
        self.storage.put_file(handle, owner_of(api_key), mode, source)
        return handle
