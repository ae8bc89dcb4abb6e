"""What a `search_id` stands for: the query shape to run again, and the exclusions it first ran with.

Every result set gets one, whatever its source (deep search, `parsed_query`, natural-language
`query`, `simple_filters`, filter search), so any of them can be replayed through `/search/query`
(which applies only the exclusions the replay sends) and exported (which keeps the exclusions the
search was started with).
"""

from __future__ import annotations

import functools
import inspect
from dataclasses import dataclass, field, replace
from typing import Any

KINDS = ("deep", "query", "parsed_query", "simple_filters")
DEFAULT_RADIUS_MILES = 10.0
RADIUS_RANGE = (5.0, 200.0)


@dataclass(frozen=True)
class LocationOptions:
    """`location_expansion_enabled` / `location_expansion_radius_miles` of a request (contract §3)."""

    expansion: bool = True
    radius_miles: float = DEFAULT_RADIUS_MILES

    def plan_arguments(self) -> dict[str, Any]:
        """Keyword arguments for `plan_search`, left out while the engine does not take them yet."""
        return {"location_expansion": self.expansion, "radius_miles": self.radius_miles} if _engine_expands() else {}


@functools.cache
def _engine_expands() -> bool:
    from sixtyfour_tui.sandbox.search_engine import plan_search

    parameters = inspect.signature(plan_search).parameters
    return "location_expansion" in parameters and "radius_miles" in parameters


@dataclass(frozen=True)
class SearchShape:
    search_id: str
    owner: str
    mode: str
    kind: str
    parsed_query: dict[str, Any] | None = None
    simple_filters: dict[str, Any] | None = None
    natural_language_query: str | None = None
    location: LocationOptions = field(default_factory=LocationOptions)
    excluded: frozenset[str] = frozenset()  # canonical ids (entity_refs) it was started with
    max_results: int | None = None  # how many rows it returned (None: as many as matched)
    created: float = 0.0

    def with_location(self, location: LocationOptions | None) -> SearchShape:
        return self if location is None else replace(self, location=location)

    def spec(self) -> dict[str, Any]:
        return {
            "search_id": self.search_id, "owner": self.owner, "mode": self.mode, "kind": self.kind,
            "parsed_query": self.parsed_query, "simple_filters": self.simple_filters,
            "natural_language_query": self.natural_language_query,
            "location_expansion": self.location.expansion, "radius_miles": self.location.radius_miles,
            "excluded": sorted(self.excluded), "max_results": self.max_results, "created": self.created,
        }

    @classmethod
    def from_spec(cls, spec: dict[str, Any]) -> SearchShape:
        if spec["kind"] not in KINDS:
            raise ValueError(f"unknown search kind {spec['kind']!r}")
        return cls(
            search_id=spec["search_id"], owner=spec["owner"], mode=spec["mode"], kind=spec["kind"],
            parsed_query=spec.get("parsed_query"), simple_filters=spec.get("simple_filters"),
            natural_language_query=spec.get("natural_language_query"),
            location=LocationOptions(bool(spec.get("location_expansion", True)),
                                     float(spec.get("radius_miles", DEFAULT_RADIUS_MILES))),
            excluded=frozenset(spec.get("excluded", ())), max_results=spec.get("max_results"),
            created=float(spec.get("created", 0.0)),
        )
