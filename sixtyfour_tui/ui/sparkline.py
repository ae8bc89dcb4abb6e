"""A one-line text sparkline, cheap enough to redraw on every progress event."""

from __future__ import annotations

BARS = "▁▂▃▄▅▆▇█"


def sparkline(values: list[int], width: int = 8) -> str:
    if not values:
        return ""
    recent = values[-width:]
    top = max(recent)
    if top <= 0:
        return BARS[0] * len(recent)
    return "".join(BARS[min(len(BARS) - 1, round(v / top * (len(BARS) - 1)))] for v in recent)
