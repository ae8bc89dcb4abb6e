"""Error bodies in the three shapes the real API uses, so clients must read all of them."""

from __future__ import annotations

from typing import Any

from starlette.responses import JSONResponse


def error_message(status: int, error: str, message: str, headers: dict[str, Any] | None = None,
                  **extra: Any) -> JSONResponse:
    """The `{"error", "message"}` shape (auth, rate limits, conflicts, server errors)."""
    return JSONResponse({"error": error, "message": message, **extra}, status_code=status, headers=headers)


def detail(status: int, text: str) -> JSONResponse:
    """The `{"detail": "..."}` shape (bad requests, not found)."""
    return JSONResponse({"detail": text}, status_code=status)


def validation_failed(problems: list[tuple[tuple[str, ...], str]]) -> JSONResponse:
    """The 422 `{"detail": [{"loc", "msg", "type"}]}` shape."""
    items = [{"loc": list(loc), "msg": msg, "type": "value_error"} for loc, msg in problems]
    return JSONResponse({"detail": items}, status_code=422)


class ApiProblem(Exception):
    """Raised inside a handler to answer with a ready-made error response."""

    def __init__(self, response: JSONResponse) -> None:
        super().__init__(response.status_code)
        self.response = response
