"""The small modal screens, driven through the Pilot with real rendering."""

from __future__ import annotations

import json
import os
import stat
import tomllib
from datetime import datetime
from pathlib import Path

import msgspec
import pytest
from textual.widgets import Input, OptionList, TextArea

from sixtyfour_tui.config import Settings, load_file_settings, masked_key, replace, save_settings, update_settings_file
from sixtyfour_tui.destinations import default_export_path, query_slug, validate_destination
from sixtyfour_tui.jobs.records import HistoryEntry
from sixtyfour_tui.ui.screens.confirm import ConfirmScreen
from sixtyfour_tui.ui.screens.error_modal import ErrorScreen
from sixtyfour_tui.ui.screens.history_screen import HistoryScreen
from sixtyfour_tui.ui.screens.settings_screen import SettingsScreen
from sixtyfour_tui.ui.screens.welcome import WelcomeScreen
from tests.modal_host import NO_RESULT, Host, screen_text
from tests.waiting import focus_on, wait_until

SIZE = (100, 36)
SECRET = "sk-live-SECRETvalue0123456789wxyz"


@pytest.fixture
def config_path(tmp_path, monkeypatch) -> Path:
    path = tmp_path / "conf" / "config.toml"
    monkeypatch.setenv("SIXTYFOUR_TUI_CONFIG", str(path))
    monkeypatch.delenv("SIXTYFOUR_API_KEY", raising=False)
    monkeypatch.delenv("SIXTYFOUR_API_ENDPOINT", raising=False)
    return path


# -- filenames --------------------------------------------------------------------------------------
def test_default_export_path_is_a_dated_slug():
    day = datetime(2026, 11, 29, 15, 30)
    path = default_export_path(Path("/dl"), "VP of Engineering at Series B SaaS startups in New York", "people", day)
    assert path == Path("/dl/vp-of-engineering-at-series-b-saas-startups-in-new-york-2026-11-29.csv")
    assert default_export_path(Path("/dl"), "¿¿ ??", "people", day).name == "sixtyfour-people-2026-11-29.csv"


def test_slug_cannot_escape_the_folder_or_hide():
    slug = query_slug("../../etc/passwd .bashrc Café " + "word " * 40)
    assert "/" not in slug and "." not in slug and not slug.startswith("-")
    assert slug.startswith("etc-passwd-bashrc-cafe-")
    assert len(slug) <= 60 and not slug.endswith("-")


def test_validate_destination_messages(tmp_path):
    with pytest.raises(ValueError, match="Enter a file path"):
        validate_destination("   ")
    with pytest.raises(ValueError, match="That is a folder"):
        validate_destination(str(tmp_path))
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with pytest.raises(ValueError, match="is a file"):
        validate_destination(str(blocker / "sub" / "out.csv"))
    assert validate_destination(f"  {tmp_path}/out.csv ") == tmp_path / "out.csv"
    with pytest.raises(ValueError, match="does not exist"):  # a typo must not grow folders
        validate_destination(f"{tmp_path}/new/out.csv")
    # ... except the download folder itself, which is created on first export
    assert validate_destination(f"{tmp_path}/new/out.csv", creatable=tmp_path / "new") == tmp_path / "new" / "out.csv"


# -- ConfirmScreen ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("keys", "expected"), [(("y",), True), (("n",), False), (("escape",), False),
                                                  (("enter",), True), (("tab", "enter"), False)])
async def test_confirm_keys(keys, expected):
    app = Host(lambda: ConfirmScreen("Overwrite it?"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        assert app.result is expected


async def test_confirm_shows_question_literally():
    app = Host(lambda: ConfirmScreen("Overwrite [red]x.csv[/]?", confirm_label="Overwrite", cancel_label="Keep"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        text = screen_text(app)
        assert "[red]x.csv[/]?" in text
        assert "Overwrite" in text and "Keep" in text


# -- ErrorScreen ------------------------------------------------------------------------------------
ERROR_TEXT = "HTTP 500 from /search [bold]\nline two [/unclosed"


async def test_error_screen_copy_and_close():
    app = Host(lambda: ErrorScreen("Export failed", ERROR_TEXT))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        area = app.screen.query_one(TextArea)
        assert area.text == ERROR_TEXT and area.read_only
        assert "[/unclosed" in screen_text(app)
        await pilot.press("c")
        for _ in range(300):  # the system-clipboard attempt runs in a worker
            if app.notices:
                break
            await pilot.pause(0.01)
        assert app.clipboard == ERROR_TEXT
        assert any(n.startswith("Copied the error text to the") for n in app.notices)
        await pilot.press("escape")
        await pilot.pause()
        assert app.result is None


async def test_error_screen_enter_closes_even_from_the_text():
    app = Host(lambda: ErrorScreen("Oops", "details"))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await focus_on(pilot, app.screen.query_one(TextArea))
        await pilot.press("enter")
        await pilot.pause()
        assert app.result is None and not isinstance(app.screen, ErrorScreen)


# -- SettingsScreen ---------------------------------------------------------------------------------
async def test_settings_never_shows_the_key_and_saves_0600(config_path):
    save_settings(Settings(api_key=SECRET, poll_interval=3.0), config_path)
    app = Host(lambda: SettingsScreen())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        assert SECRET not in shown and SECRET[3:12] not in shown
        assert masked_key(SECRET) in shown
        screen = app.screen
        screen.query_one("#base-url", Input).value = "http://localhost:9999/"
        screen.query_one("#poll-interval", Input).value = "2.5"
        screen.query_one("#download-dir", Input).value = str(config_path.parent / "dl")
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.result == Settings(api_key=SECRET, base_url="http://localhost:9999", poll_interval=2.5,
                                  download_dir=config_path.parent / "dl")
    assert stat.S_IMODE(os.stat(config_path).st_mode) == 0o600
    assert tomllib.loads(config_path.read_text())["api_key"] == SECRET
    assert load_file_settings(config_path) == app.result


async def test_settings_keep_what_the_app_saved_while_the_form_was_open(config_path):
    """The app writes its layout and theme into the same file (from a worker) while the form is
    open; saving the form changes only the form's fields."""
    save_settings(Settings(api_key=SECRET, poll_interval=3.0), config_path)
    app = Host(lambda: SettingsScreen())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        update_settings_file(lambda current: replace(current, theme="nord",
                                                     ui=msgspec.structs.replace(current.ui, zoomed="jobs")),
                             config_path)
        app.screen.query_one("#poll-interval", Input).value = "2.5"
        await pilot.press("ctrl+s")
        await wait_until(lambda: app.result is not NO_RESULT, pilot=pilot)
    saved = load_file_settings(config_path)
    assert saved.poll_interval == 2.5 and saved.api_key == SECRET
    assert saved.theme == "nord" and saved.ui.zoomed == "jobs"
    assert app.result == saved


async def test_settings_new_key_is_masked_while_typed(config_path):
    app = Host(lambda: SettingsScreen())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.click("#api-key")
        await pilot.press(*"sk-typed-key-123")
        await pilot.pause()
        assert "sk-typed-key" not in screen_text(app)
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.result.api_key == "sk-typed-key-123"
    assert load_file_settings(config_path).api_key == "sk-typed-key-123"


async def test_settings_invalid_values_are_explained_inline(config_path):
    app = Host(lambda: SettingsScreen())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        screen = app.screen
        screen.query_one("#base-url", Input).value = "ftp:/nowhere"
        screen.query_one("#poll-interval", Input).value = "1e-9"
        await pilot.press("ctrl+s")
        await wait_until(lambda: "must be an http:// or https:// URL" in screen_text(app), pilot=pilot)
        # The same sentence the settings file gets for the same value: one rule for both.
        assert "poll interval must be a number of seconds from 0.05" in screen_text(app)
        assert app.result is NO_RESULT and isinstance(app.screen, SettingsScreen)
        assert not config_path.exists()
        await pilot.press("escape")
        await pilot.pause()
    assert app.result is None


async def test_settings_notes_the_environment_key_and_does_not_save_it(config_path, monkeypatch):
    monkeypatch.setenv("SIXTYFOUR_API_KEY", SECRET)
    app = Host(lambda: SettingsScreen())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        assert "SIXTYFOUR_API_KEY is set in the environment" in shown
        assert SECRET not in shown
        await pilot.press("ctrl+s")
        await pilot.pause()
    assert app.result.api_key is None
    assert SECRET not in config_path.read_text()


async def test_settings_survives_a_broken_file(config_path):
    config_path.parent.mkdir(parents=True)
    config_path.write_text("api_key = [unclosed")
    app = Host(lambda: SettingsScreen())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        assert "invalid TOML" in screen_text(app)


async def test_settings_replace_a_file_broken_when_opened_but_not_one_broken_meanwhile(config_path):
    config_path.parent.mkdir(parents=True)
    config_path.write_text("api_key = [unclosed")
    app = Host(lambda: SettingsScreen())
    async with app.run_test(size=SIZE) as pilot:  # broken when opened: the form said Save replaces it
        await pilot.pause()
        app.screen.query_one("#poll-interval", Input).value = "2.5"
        await pilot.press("ctrl+s")
        await wait_until(lambda: app.result is not NO_RESULT, pilot=pilot)
    assert load_file_settings(config_path).poll_interval == 2.5

    app = Host(lambda: SettingsScreen())
    async with app.run_test(size=SIZE) as pilot:  # fine when opened, broken (by hand) before Save
        await pilot.pause()
        config_path.write_text("poll_interval = [unclosed")
        await pilot.press("ctrl+s")
        await wait_until(lambda: "Not saved" in screen_text(app), pilot=pilot)
        assert isinstance(app.screen, SettingsScreen) and app.result is NO_RESULT
    assert config_path.read_text() == "poll_interval = [unclosed"


# -- WelcomeScreen ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("key", "expected"), [("s", "sandbox"), ("escape", "quit")])
async def test_welcome_sandbox_or_quit(config_path, key, expected):
    app = Host(lambda: WelcomeScreen())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause()
    assert app.result == expected
    assert not config_path.exists()


async def test_welcome_saves_a_key_keeping_other_settings(config_path):
    save_settings(Settings(base_url="http://localhost:1234"), config_path)
    app = Host(lambda: WelcomeScreen())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.click("#save-key")
        await pilot.pause()
        assert "Paste your API key first" in screen_text(app)
        await pilot.click("#api-key")
        await pilot.press(*"sk-abc-s123", "enter")  # the "s" goes into the field, not to the sandbox key
        await pilot.pause()
    assert app.result == ("key", "sk-abc-s123")
    saved = load_file_settings(config_path)
    assert saved.api_key == "sk-abc-s123" and saved.base_url == "http://localhost:1234"
    assert stat.S_IMODE(os.stat(config_path).st_mode) == 0o600


# -- HistoryScreen ----------------------------------------------------------------------------------
ENTRIES = [
    HistoryEntry("CTOs in Berlin", "people", 100, used_at=1_000.0),
    HistoryEntry("fintech [bold]startups", "company", 250, used_at=3_000.0),
    HistoryEntry("VP Sales at Series B", "people", 1000, used_at=2_000.0),
]


async def test_history_lists_newest_first_and_enter_picks():
    app = Host(lambda: HistoryScreen(list(ENTRIES)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        options = app.screen.query_one(OptionList)
        assert [str(options.get_option_at_index(i).prompt).split("   ")[0] for i in range(3)] == [
            "fintech [bold]startups", "VP Sales at Series B", "CTOs in Berlin"]
        shown = screen_text(app)
        assert "fintech [bold]startups" in shown and "company · up to 250" in shown
        await pilot.press("down", "down", "enter")
        await pilot.pause()
    assert app.result == ENTRIES[2]


async def test_a_very_long_query_takes_one_line_of_the_history_and_is_recalled_whole():
    long_query = " ".join(["VP of Engineering at Series B SaaS startups in New York"] * 90)  # ~5,000 characters
    entries = [HistoryEntry(long_query, "people", 100, used_at=3_000.0), *ENTRIES]
    app = Host(lambda: HistoryScreen(entries))
    async with app.run_test(size=(100, 24)) as pilot:
        await pilot.pause()
        shown = screen_text(app)
        assert "CTOs in Berlin" in shown  # the other entries still fit below it
        first = str(app.screen.query_one(OptionList).get_option_at_index(0).prompt)
        assert first.split("   ")[0].endswith("…") and len(first) < 250
        await pilot.press("enter")
        await pilot.pause()
    assert app.result == entries[0] and app.result.query == long_query


async def test_history_filter_then_enter():
    app = Host(lambda: HistoryScreen(list(ENTRIES)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"series b")
        await pilot.pause()
        assert app.screen.query_one(OptionList).option_count == 1
        await pilot.press("enter")
        await pilot.pause()
    assert app.result == ENTRIES[2]


async def test_history_no_match_and_escape():
    app = Host(lambda: HistoryScreen(list(ENTRIES)))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press(*"zzz")
        await pilot.pause()
        assert "No past search matches" in screen_text(app)
        await pilot.press("enter", "escape")
        await pilot.pause()
    assert app.result is None


def test_paths_the_file_system_refuses_to_look_at_give_messages_not_tracebacks(tmp_path):
    from sixtyfour_tui.destinations import destination_warning

    too_long = tmp_path / ("x" * 300) / "out.csv"
    assert destination_warning(too_long) is None
    with pytest.raises(ValueError, match="Cannot use .*too long"):
        validate_destination(str(too_long))


async def test_a_huge_value_is_cut_in_the_detail_view_and_copied_whole():
    from sixtyfour_tui.ui.screens.detail import MAX_VALUE_SHOWN, DetailScreen

    huge = "x" * 20_000_000 + "\x1b[2J"
    record = {"fullName": "Ada", "headline": huge, "title": "CTO"}
    app = Host(lambda: DetailScreen(record))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(lambda: isinstance(app.screen, DetailScreen), pilot=pilot)
        shown = app.screen.query_one("TextArea").text
        assert len(shown) < MAX_VALUE_SHOWN + 1000 and "y copies all" in shown
        assert "1 long value is cut here" in screen_text(app)
        copied: list[str] = []
        app.copy_to_clipboard = copied.append  # type: ignore[method-assign]
        await pilot.press("y")
        await wait_until(lambda: copied, pilot=pilot)
        assert json.loads(copied[0])["headline"] == huge  # whole (the escape written the JSON way)
        assert "\x1b" not in copied[0]


async def test_a_ten_thousand_character_query_leaves_the_export_buttons_on_screen(fast_sandbox, engine_on, tmp_path):
    from sixtyfour_tui.ui.screens.export_screen import ExportScreen
    from tests.engines import finished_search

    engine = await engine_on(fast_sandbox)
    search = await finished_search(engine, "engineers in Berlin " + "very " * 2000, 5)
    app = Host(lambda: ExportScreen(search, engine, tmp_path))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(lambda: isinstance(app.screen, ExportScreen), pilot=pilot)
        await pilot.pause()
        shown = screen_text(app)
        assert "Export" in shown and "Close" in shown and "Save as" in shown
