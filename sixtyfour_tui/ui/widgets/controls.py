"""The composer's one-line controls: a people/company switch and a search button.

They are in the first frame, so they are kept light: a Select brings an overlay, an option list
and their styles to a screen that shows none of them, for a choice between two values; a Button
brings a dozen variants' styles for one label (together ~25 ms of the first frame here).
"""

from __future__ import annotations

from textual import events
from textual.binding import Binding
from textual.content import Content
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.widget import Widget

MODES = (("people", "People"), ("company", "Company"))
LABELS = dict(MODES)


class ModeSwitch(Widget, can_focus=True):
    """Which kind of search the composer starts: `value` is "people" or "company"."""

    DEFAULT_CSS = """
    ModeSwitch {
        width: auto;
        height: 1;
        padding: 0 1;
        background: $surface;
    }
    ModeSwitch:focus {
        background: $block-cursor-background;
        color: $block-cursor-foreground;
        text-style: $block-cursor-text-style;
    }
    """

    BINDINGS = [
        Binding("space,enter", "flip", "People/Company", show=False, id="composer.mode_flip"),
        Binding("left,right", "flip", "People/Company", show=False, id="composer.mode_flip_arrows"),
    ]

    value: reactive[str] = reactive("people")

    class Changed(Message):
        def __init__(self, switch: ModeSwitch, value: str) -> None:
            super().__init__()
            self.switch = switch
            self.value = value

        @property
        def control(self) -> ModeSwitch:
            return self.switch

    def __init__(self, value: str = "people", *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.set_reactive(ModeSwitch.value, self._checked(value))

    @staticmethod
    def _checked(value: str) -> str:
        if value not in LABELS:
            raise ValueError(f"mode must be one of {', '.join(LABELS)}, got {value!r}")
        return value

    def validate_value(self, value: str) -> str:
        return self._checked(value)

    def watch_value(self, value: str) -> None:
        self.post_message(self.Changed(self, value))

    def render(self) -> Content:
        return Content(f"{LABELS[self.value]} ⇄")

    def get_content_width(self, container: Size, viewport: Size) -> int:
        return max(len(label) for _, label in MODES) + 2  # the same width in either mode

    def action_flip(self) -> None:
        self.value = "company" if self.value == "people" else "people"

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.focus()
        self.action_flip()


class PressButton(Widget, can_focus=True):
    """A one-line button: enter, space or a click posts `Pressed`."""

    DEFAULT_CSS = """
    PressButton {
        width: auto;
        height: 1;
        padding: 0 1;
        background: $primary;
        color: $text;
        text-style: bold;
    }
    PressButton:hover {
        background: $primary-lighten-1;
    }
    PressButton:focus {
        text-style: bold reverse;
    }
    """

    BINDINGS = [Binding("space,enter", "press", "Search", show=False, id="composer.search_button")]

    class Pressed(Message):
        def __init__(self, button: PressButton) -> None:
            super().__init__()
            self.button = button

        @property
        def control(self) -> PressButton:
            return self.button

    def __init__(self, label: str, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(id=id, classes=classes)
        self.label = label

    def render(self) -> Content:
        return Content(self.label)

    def action_press(self) -> None:
        self.post_message(self.Pressed(self))

    def on_click(self, event: events.Click) -> None:
        event.stop()
        self.action_press()
