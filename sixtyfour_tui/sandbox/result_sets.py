"""Cursor paging for `/search/query`: a result set is ranked once, pages are slices of it."""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from sixtyfour_tui.sandbox.signing import Signer

MAX_AVAILABLE = 50_000
KEPT_RESULT_SETS = 512


@dataclass
class ResultSet:
    set_id: str
    owner: str
    mode: str
    rows: list[int]  # ranked and cut to max_results
    total_available: int
    page_size: int
    search_id: str | None
    parsed_query: dict[str, Any] | None
    natural_language_query: str | None


class ResultSets:
    """Holds recent result sets; a cursor names a set and an offset and is sealed by the server."""

    def __init__(self, signer: Signer, cursor_ttl: float) -> None:
        self._signer = signer
        self.cursor_ttl = cursor_ttl
        self._sets: OrderedDict[str, ResultSet] = OrderedDict()

    def create(self, owner: str, mode: str, ranked: list[int], max_results: int, page_size: int,
               **meta: Any) -> ResultSet:
        result_set = ResultSet(
            set_id=uuid.uuid4().hex,
            owner=owner,
            mode=mode,
            rows=ranked[:max_results],
            total_available=min(len(ranked), MAX_AVAILABLE),
            page_size=page_size,
            **meta,
        )
        self._sets[result_set.set_id] = result_set
        while len(self._sets) > KEPT_RESULT_SETS:
            self._sets.popitem(last=False)
        return result_set

    def cursor_for(self, result_set: ResultSet, offset: int) -> str:
        expires = time.time() + self.cursor_ttl
        return self._signer.seal({"s": result_set.set_id, "o": offset, "e": round(expires, 3)})

    def resolve(self, owner: str, cursor: str) -> tuple[ResultSet, int] | None:
        """The set and offset a cursor points at, or None when expired, forged or another key's."""
        payload = self._signer.open(cursor)
        if payload is None or time.time() > float(payload.get("e", 0)):
            return None
        result_set = self._sets.get(str(payload.get("s")))
        if result_set is None or result_set.owner != owner:
            return None
        self._sets.move_to_end(result_set.set_id)
        return result_set, int(payload.get("o", 0))

    def page_body(self, result_set: ResultSet, offset: int, dataset: Any, started: float) -> dict[str, Any]:
        page_rows = result_set.rows[offset : offset + result_set.page_size]
        end = offset + len(page_rows)
        has_more = end < len(result_set.rows)
        total_pages = max(1, -(-len(result_set.rows) // result_set.page_size))
        body: dict[str, Any] = {
            "results": [dataset.row(result_set.mode, index) for index in page_rows],
            "next_cursor": self.cursor_for(result_set, end) if has_more else None,
            "has_more": has_more,
            "cursor_expires_in_seconds": int(self.cursor_ttl) if has_more else None,
            "total_results": end,
            "total_available": result_set.total_available,
            "remaining_results": len(result_set.rows) - end,
            "page_size": result_set.page_size,
            "page_count": len(page_rows),
            "page_number": offset // result_set.page_size + 1,
            "max_pages": total_pages,
            "search_id": result_set.search_id,
            "parsed_query": result_set.parsed_query,
            "natural_language_query": result_set.natural_language_query,
            "csv_download_url": None,
            "json_download_url": None,
            "download_expires_in_seconds": None,
            "resource_handle_id": None,
            "exported_count": None,
        }
        if not has_more:
            body["total_pages"] = total_pages
        body["request_duration_ms"] = round((time.perf_counter() - started) * 1000, 2)
        return body
