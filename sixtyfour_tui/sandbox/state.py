"""Everything the sandbox remembers, per API key, and the rules of the API applied to it."""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
import uuid
from collections import OrderedDict, deque
from functools import cached_property

from sixtyfour_tui.sandbox.clock import SimClock
from sixtyfour_tui.sandbox.config import SandboxConfig
from sixtyfour_tui.sandbox.faults import FaultState
from sixtyfour_tui.sandbox.responses import ApiProblem, detail, error_message
from sixtyfour_tui.sandbox.result_sets import ResultSets
from sixtyfour_tui.sandbox.signing import Signer
from sixtyfour_tui.sandbox.storage import BUCKET, Storage, StoredFile
from sixtyfour_tui.sandbox.tasks import DeepSearchTask, ExportTask

KEPT_PLANS = 256
KEPT_TASKS = 200  # remembered across restarts; each is re-planned on start


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
        self.storage_base_url: str | None = None
        self.storage_requests: list[dict] = []  # what the storage host saw, for leak tests
        self._searches: dict[str, DeepSearchTask] = {}
        self._searches_by_search_id: dict[tuple[str, str], DeepSearchTask] = {}
        self._exports: dict[str, ExportTask] = {}
        self._pending_files: dict[str, DeepSearchTask | ExportTask] = {}
        self._plans: OrderedDict[tuple[str, str], tuple[list[int], list[str]]] = OrderedDict()
        self._request_times: dict[str, deque[float]] = {}
        self._specs: dict[str, tuple[str, dict]] = {}
        self._seen_finished: set[str] = set()
        self._lock = threading.RLock()

    @cached_property
    def dataset(self):
        from sixtyfour_tui.sandbox.dataset import load_dataset

        return load_dataset(seed=self.config.seed, people=self.config.people, companies=self.config.companies)

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

    # -- planning -----------------------------------------------------------------------------
    def plan(self, parsed_query: dict, mode: str) -> tuple[list[int], list[str]]:
        """Ranked rows and progress stages for a parsed query, cached because pages replay it."""
        from sixtyfour_tui.sandbox.search_engine import plan_search

        key = (mode, json.dumps(parsed_query, sort_keys=True))
        with self._lock:
            if key in self._plans:
                self._plans.move_to_end(key)
                return self._plans[key]
        plan = plan_search(self.dataset, parsed_query, mode)
        result = (list(plan.ranked), list(plan.stages))
        with self._lock:
            self._plans[key] = result
            while len(self._plans) > KEPT_PLANS:
                self._plans.popitem(last=False)
        return result

    def excluding(self, mode: str, ranked: list[int], excluded_ids) -> list[int]:
        if not excluded_ids:
            return ranked
        excluded = set(excluded_ids)
        return [i for i in ranked if self.dataset.entity_id(mode, i) not in excluded]

    # -- deep search --------------------------------------------------------------------------
    def active_searches(self, owner: str) -> list[DeepSearchTask]:
        now = self.clock.now()
        return [t for t in self._searches.values() if t.owner == owner and t.is_active(now)]

    def start_search(self, owner: str, query: str, mode: str, max_results: int, output_mode: str,
                     search_id: str | None, excluded_ids: list[str]) -> DeepSearchTask:
        with self._lock:
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
            spec = {
                "task_id": str(uuid.uuid4()), "search_id": search_id or str(uuid.uuid4()), "owner": owner,
                "query": query, "mode": mode, "max_results": max_results, "output_mode": output_mode,
                "excluded": list(excluded_ids), "created": self.clock.now(),
                "resource_handle_id": f"rh_{uuid.uuid4()}" if output_mode == "csv" else None,
            }
            task = self._create_search(spec)
            self._persist()
            return task

    def _create_search(self, spec: dict) -> DeepSearchTask:
        from sixtyfour_tui.sandbox.query_parser import parse_query

        parsed = parse_query(spec["query"], spec["mode"])
        ranked, stages = self.plan(parsed, spec["mode"])
        rows = self.excluding(spec["mode"], ranked, spec["excluded"])[: spec["max_results"]]
        task = DeepSearchTask(
            task_id=spec["task_id"], search_id=spec["search_id"], owner=spec["owner"], query=spec["query"],
            mode=spec["mode"], max_results=spec["max_results"], output_mode=spec["output_mode"],
            parsed_query=parsed, ranked=rows, stages=stages, created=spec["created"],
            resource_handle_id=spec["resource_handle_id"],
        )
        self._searches[task.task_id] = task
        self._searches_by_search_id[(task.owner, task.search_id)] = task
        self._specs[task.task_id] = ("search", spec)
        if task.resource_handle_id:
            self.storage.register(StoredFile(task.resource_handle_id, task.owner, task.mode, rows))
            self._pending_files[task.resource_handle_id] = task
        return task

    def search_by_search_id(self, owner: str, search_id: str) -> DeepSearchTask:
        task = self._searches_by_search_id.get((owner, search_id))
        if task is None:
            raise ApiProblem(detail(404, f"search {search_id} not found"))
        return task

    def task_status(self, owner: str, task_id: str) -> dict:
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
    def start_export(self, owner: str, mode: str, max_results: int, search_id: str | None,
                     parsed_query: dict | None) -> ExportTask:
        with self._lock:
            if search_id is not None:
                search = self.search_by_search_id(owner, search_id)
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
                parsed_query = search.parsed_query
            spec = {
                "task_id": str(uuid.uuid4()), "search_id": search_id, "owner": owner, "mode": mode,
                "max_results": max_results, "parsed_query": parsed_query, "created": self.clock.now(),
                "resource_handle_id": f"rh_{uuid.uuid4()}",
            }
            task = self._create_export(spec)
            self._persist()
            return task

    def _create_export(self, spec: dict) -> ExportTask:
        ranked, _ = self.plan(spec["parsed_query"], spec["mode"])
        rows = ranked[: min(spec["max_results"], self.config.export_row_cap)]
        task = ExportTask(
            task_id=spec["task_id"], search_id=spec["search_id"], owner=spec["owner"], mode=spec["mode"],
            rows=rows, created=spec["created"], resource_handle_id=spec["resource_handle_id"],
        )
        self._exports[task.task_id] = task
        self._specs[task.task_id] = ("export", spec)
        self.storage.register(StoredFile(task.resource_handle_id, task.owner, task.mode, rows))
        self._pending_files[task.resource_handle_id] = task
        return task

    # -- persistence ----------------------------------------------------------------------------
    def _persist(self) -> None:
        if self.config.state_file is None:
            return
        from sixtyfour_tui.sandbox.persistence import save_tasks

        newest = sorted(self._specs.values(), key=lambda item: item[1]["created"])[-KEPT_TASKS:]
        searches = [spec for kind, spec in newest if kind == "search"]
        exports = [spec for kind, spec in newest if kind == "export"]
        try:
            save_tasks(self.config.state_file, self.clock.now(), searches, exports)
        except OSError:
            pass  # the sandbox keeps working; only a restart would forget

    def restore(self) -> int:
        """Bring back the tasks of an earlier run; returns how many."""
        if self.config.state_file is None:
            return 0
        from sixtyfour_tui.sandbox.persistence import load_tasks

        document = load_tasks(self.config.state_file)
        with self._lock:
            self.clock.resume_from(float(document.get("clock") or 0.0))
            for spec in document.get("searches", []):
                try:
                    self._create_search(spec)
                except (KeyError, TypeError, ValueError):
                    continue
            for spec in document.get("exports", []):
                try:
                    self._create_export(spec)
                except (KeyError, TypeError, ValueError):
                    continue
        return len(self._specs)

    # -- files --------------------------------------------------------------------------------
    def file_for(self, owner: str, resource_handle_id: str) -> StoredFile:
        stored = self.storage.get(resource_handle_id)
        if stored is None or stored.owner != owner:
            raise ApiProblem(detail(404, f"resource {resource_handle_id} not found"))
        producer = self._pending_files.get(resource_handle_id)
        if producer is not None and producer.status_body(self.clock.now())["status"] != "completed":
            raise ApiProblem(detail(404, f"resource {resource_handle_id} is not ready yet"))
        return stored

    def download_link(self, owner: str, resource_handle_id: str, request_base_url: str) -> dict:
        stored = self.file_for(owner, resource_handle_id)
        self.storage.materialize(stored)
        base = self.storage_base_url or request_base_url
        return {"url": self.storage.signed_url(base, stored), "bucket": BUCKET, "path": stored.object_path}

    def put_file(self, api_key: str, mode: str, source) -> str:
        """Store an existing CSV under a new handle (used by benchmarks for very large files)."""
        handle = f"rh_{uuid.uuid4()}"
        self.storage.put_file(handle, owner_of(api_key), mode, source)
        return handle
