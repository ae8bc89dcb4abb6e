"""Saved exclusion lists (contract section 7): immutable sets of ids, built over simulated time.

A list is `pending` until its build time has passed on the simulated clock, then `ready` (or
`failed`, with `error`, when its source could not give ids: a failed search, a missing CSV column).
As with tasks, no background loop moves it: the status is read off the clock when asked.
Lists are filed under the key's fingerprint; another key's list is as unknown as a missing one.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from sixtyfour_tui.sandbox.clock import SimClock
from sixtyfour_tui.sandbox.responses import ApiProblem, detail, error_message

MAX_ACTIVE_LISTS = 20
BUILD_SECONDS = 2.0  # simulated seconds to build a list, plus BUILD_SECONDS_PER_ID for each id
BUILD_SECONDS_PER_ID = 0.0002
ENTITY_TYPES = {"person": "people", "company": "company"}  # entity_type -> search mode


@dataclass
class ExclusionList:
    list_id: str
    owner: str
    name: str
    entity_type: str
    source: dict[str, Any]  # a short description of where the ids came from (never the ids)
    keys: list[str]  # canonical ids (see entity_refs)
    created: float
    ready_at: float
    error: str | None = None

    def status(self, now: float) -> str:
        if now < self.ready_at:
            return "pending"
        return "failed" if self.error else "ready"

    def body(self, now: float) -> dict[str, Any]:
        status = self.status(now)
        return {
            "id": self.list_id,
            "name": self.name,
            "entity_type": self.entity_type,
            "status": status,
            "size": len(self.keys) if status == "ready" else None,
            "created_at": SimClock.iso(self.created),
            "ready_at": SimClock.iso(self.ready_at) if status != "pending" else None,
            "source": self.source,
            "error": self.error if status == "failed" else None,
        }

    def spec(self) -> dict[str, Any]:
        return asdict(self)


class ExclusionLists:
    def __init__(self, clock: SimClock) -> None:
        self._clock = clock
        self._lists: dict[str, ExclusionList] = {}
        self._lock = threading.Lock()

    def create(self, owner: str, name: str, entity_type: str, source: dict[str, Any], keys: list[str],
               ready_after: float = 0.0, error: str | None = None) -> ExclusionList:
        """A new pending list; `ready_after` is the simulated time its source itself is ready."""
        now = self._clock.now()
        with self._lock:
            active = [x for x in self._lists.values() if x.owner == owner and x.status(now) != "failed"]
            if len(active) >= MAX_ACTIVE_LISTS:
                raise ApiProblem(error_message(
                    409, "Conflict",
                    f"At most {MAX_ACTIVE_LISTS} exclusion lists can be active; delete one before creating another",
                ))
            ready_at = max(now, ready_after) + BUILD_SECONDS + BUILD_SECONDS_PER_ID * len(keys)
            made = ExclusionList(f"exl_{uuid.uuid4().hex}", owner, name, entity_type, source, sorted(set(keys)),
                                 now, ready_at, error)
            self._lists[made.list_id] = made
            return made

    def restore(self, spec: dict[str, Any]) -> None:
        made = ExclusionList(**spec)
        self._lists[made.list_id] = made

    def get(self, owner: str, list_id: str) -> ExclusionList:
        found = self._lists.get(list_id)
        if found is None or found.owner != owner:
            raise ApiProblem(detail(404, f"exclusion list {list_id} not found"))
        return found

    def has(self, list_id: str) -> bool:
        return list_id in self._lists

    def of(self, owner: str) -> list[ExclusionList]:
        return sorted((x for x in self._lists.values() if x.owner == owner), key=lambda x: x.created)

    def delete(self, owner: str, list_id: str) -> None:
        self.get(owner, list_id)
        self.forget(list_id)

    def forget(self, list_id: str) -> None:
        """Drop a list without checks (another sandbox process on the same state file deleted it)."""
        with self._lock:
            self._lists.pop(list_id, None)

    def keys_for(self, owner: str, list_ids: list[str], mode: str) -> set[str]:
        """The ids of every named list, which must be this key's, ready and of the search's kind (else 400)."""
        now = self._clock.now()
        keys: set[str] = set()
        for list_id in list_ids:
            found = self._lists.get(list_id)
            if found is None or found.owner != owner:
                raise ApiProblem(detail(400, f"exclusion list {list_id} not found"))
            status = found.status(now)
            if status != "ready":
                raise ApiProblem(detail(400, f"exclusion list {list_id} is not ready (status: {status})"))
            if ENTITY_TYPES[found.entity_type] != mode:
                raise ApiProblem(detail(400, f"exclusion list {list_id} holds {found.entity_type} ids, "
                                             f"not ids for a {mode} search"))
            keys.update(found.keys)
        return keys

    def specs(self) -> list[dict[str, Any]]:
        return [x.spec() for x in self._lists.values()]
