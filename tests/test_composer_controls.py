"""The composer's own one-line controls: the people/company switch and the search button."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.app import App, ComposeResult

import sixtyfour_tui.ui
from sixtyfour_tui.ui.widgets.composer import Composer
from sixtyfour_tui.ui.widgets.controls import ModeSwitch, PressButton
from tests.terminal import screen_text
from tests.waiting import focus_on, wait_until

SIZE = (100, 16)


class ComposerApp(App):
    CSS_PATH = str(Path(sixtyfour_tui.ui.__file__).parent / "app.tcss")  # the app's own layout of the row

    def __init__(self) -> None:
        super().__init__()
        self.submitted: list[Composer.Submitted] = []
        self.mode_changes: list[str] = []

    def compose(self) -> ComposeResult:
        yield Composer(id="composer")

    def on_composer_submitted(self, message: Composer.Submitted) -> None:
        self.submitted.append(message)

    def on_mode_switch_changed(self, message: ModeSwitch.Changed) -> None:
        self.mode_changes.append(message.value)


async def test_the_switch_flips_with_space_arrows_a_click_and_ctrl_t_and_says_so():
    app = ComposerApp()
    async with app.run_test(size=SIZE) as pilot:
        switch = app.query_one(ModeSwitch)
        assert switch.value == "people" and "People ⇄" in screen_text(app)
        await focus_on(pilot, switch)
        await pilot.press("space")
        await wait_until(lambda: switch.value == "company", pilot=pilot)
        assert "Company ⇄" in screen_text(app)
        await pilot.press("left")
        await wait_until(lambda: switch.value == "people", pilot=pilot)
        await pilot.click(ModeSwitch)
        await wait_until(lambda: switch.value == "company", pilot=pilot)
        await focus_on(pilot, app.query_one("#query"))
        await pilot.press("ctrl+t")
        await wait_until(lambda: switch.value == "people", pilot=pilot)
        assert app.mode_changes == ["company", "people", "company", "people"]


def test_the_switch_takes_only_the_two_modes():
    with pytest.raises(ValueError, match="people, company"):
        ModeSwitch("robots")


async def test_the_search_button_submits_what_is_typed_by_click_and_by_enter():
    app = ComposerApp()
    async with app.run_test(size=SIZE) as pilot:
        await focus_on(pilot, app.query_one("#query"))
        await pilot.press(*"cto in paris")
        app.query_one(ModeSwitch).value = "company"
        await pilot.click(PressButton)
        await wait_until(lambda: app.submitted, pilot=pilot)
        sent = app.submitted[0]
        assert (sent.query, sent.mode, sent.max_results) == ("cto in paris", "company", 500)

        await pilot.press(*"ceo in rome")
        await focus_on(pilot, app.query_one(PressButton))
        await pilot.press("enter")
        await wait_until(lambda: len(app.submitted) == 2, pilot=pilot)
        assert app.submitted[1].query == "ceo in rome"


async def test_the_search_button_shows_the_composer_s_message_for_an_empty_query():
    app = ComposerApp()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.click(PressButton)
        await wait_until(lambda: "Write a query first" in screen_text(app), pilot=pilot)
        assert not app.submitted


class ComposerBesideAButton(ComposerApp):
    def compose(self) -> ComposeResult:
        yield Composer(id="composer")
        yield PressButton("Elsewhere", id="elsewhere")


async def test_the_composer_border_shows_whether_focus_is_inside_it():
    app = ComposerBesideAButton()
    async with app.run_test(size=SIZE) as pilot:
        composer = app.query_one(Composer)
        await focus_on(pilot, app.query_one("#query"))
        assert composer.has_class("-focus-within")
        bright = composer.styles.border_top[1]
        await focus_on(pilot, app.query_one("#max-results"))  # moving inside: still lit
        assert composer.has_class("-focus-within")
        await focus_on(pilot, app.query_one("#elsewhere"))
        await wait_until(lambda: not composer.has_class("-focus-within"), pilot=pilot, what="the border dims")
        assert composer.styles.border_top[1] != bright
