"""Settings, file locations and atomic writes."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from sixtyfour_tui import atomic, locations
from sixtyfour_tui.atomic import write_atomic
from sixtyfour_tui.config import (
    DEFAULT_BASE_URL,
    ConfigError,
    Settings,
    api_key_source,
    load_file_settings,
    load_settings,
    masked_key,
    save_settings,
)

SECRET = "sk-test-0123456789abcdef9f2c"


@pytest.fixture(autouse=True)
def isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Never touch the real home directory or inherit the developer's settings."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    for name in (
        "XDG_CONFIG_HOME",
        "XDG_STATE_HOME",
        "XDG_CACHE_HOME",
        "SIXTYFOUR_TUI_CONFIG",
        "SIXTYFOUR_API_KEY",
        "SIXTYFOUR_API_ENDPOINT",
    ):
        monkeypatch.delenv(name, raising=False)
    return home


# --- locations -------------------------------------------------------------------------


def test_defaults_follow_home(isolated_home: Path) -> None:
    assert locations.config_dir() == isolated_home / ".config" / "sixtyfour-tui"
    assert locations.state_dir() == isolated_home / ".local" / "state" / "sixtyfour-tui"
    assert locations.cache_dir() == isolated_home / ".cache" / "sixtyfour-tui"
    assert locations.config_file() == isolated_home / ".config" / "sixtyfour-tui" / "config.toml"


def test_xdg_variables_are_read_at_call_time(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert locations.config_file() == tmp_path / "cfg" / "sixtyfour-tui" / "config.toml"
    assert locations.ledger_file() == tmp_path / "state" / "sixtyfour-tui" / "jobs.json"
    assert locations.history_file() == tmp_path / "state" / "sixtyfour-tui" / "history.json"
    assert locations.cache_dir() == tmp_path / "cache" / "sixtyfour-tui"


def test_relative_or_empty_xdg_values_are_ignored(isolated_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/dir")
    monkeypatch.setenv("XDG_STATE_HOME", "")
    assert locations.config_dir() == isolated_home / ".config" / "sixtyfour-tui"
    assert locations.state_dir() == isolated_home / ".local" / "state" / "sixtyfour-tui"


def test_config_file_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SIXTYFOUR_TUI_CONFIG", str(tmp_path / "other.toml"))
    assert locations.config_file() == tmp_path / "other.toml"
    assert locations.config_file({"XDG_CONFIG_HOME": str(tmp_path)}) == tmp_path / "sixtyfour-tui" / "config.toml"


def test_default_download_dir(isolated_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert locations.default_download_dir() == tmp_path
    (isolated_home / "Downloads").mkdir()
    assert locations.default_download_dir() == isolated_home / "Downloads"


# --- atomic writes -------------------------------------------------------------------


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """A directory holding nothing but what the test writes."""
    path = tmp_path / "scratch"
    path.mkdir()
    return path


def test_write_atomic_replaces_and_sets_mode(scratch: Path) -> None:
    target = scratch / "f.txt"
    target.write_text("old")
    os.chmod(target, 0o644)
    write_atomic(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert [p.name for p in scratch.iterdir()] == ["f.txt"]


def test_write_atomic_mode_none_keeps_existing_mode(tmp_path: Path) -> None:
    target = tmp_path / "f.bin"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    write_atomic(target, b"\x00new", mode=None)
    assert target.read_bytes() == b"\x00new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


def test_failed_replace_leaves_old_file_and_no_temp(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = scratch / "f.txt"
    target.write_text("old")

    def broken_replace(src: object, dst: object) -> None:
        raise OSError("disk on fire")

    monkeypatch.setattr(atomic.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk on fire"):
        write_atomic(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in scratch.iterdir()] == ["f.txt"]


def test_failed_write_leaves_no_file_at_all(scratch: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken_fsync(fd: int) -> None:
        raise OSError("fsync failed")

    monkeypatch.setattr(atomic.os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        write_atomic(scratch / "new.txt", "data")
    assert list(scratch.iterdir()) == []


# --- settings -------------------------------------------------------------------------


def test_missing_file_gives_defaults(tmp_path: Path) -> None:
    settings = load_settings(env={}, path=tmp_path / "absent.toml")
    assert settings == Settings()
    assert settings.base_url == DEFAULT_BASE_URL
    assert settings.api_key is None


def test_file_values_are_read(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text(
        'api_key = "sk-file"\nbase_url = "http://127.0.0.1:8000/"\npoll_interval = 3\n'
        'download_dir = "~/out"\nfuture_option = true\n'
    )
    settings = load_settings(env={}, path=path)
    assert settings.api_key == "sk-file"
    assert settings.base_url == "http://127.0.0.1:8000"
    assert settings.poll_interval == 3.0
    assert settings.download_dir == Path.home() / "out"


def test_env_overrides_beat_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('api_key = "sk-file"\nbase_url = "https://file.example"\n')
    env = {"SIXTYFOUR_API_KEY": "sk-env", "SIXTYFOUR_API_ENDPOINT": "https://env.example/"}
    settings = load_settings(env=env, path=path)
    assert settings.api_key == "sk-env"
    assert settings.base_url == "https://env.example"
    assert api_key_source(env, path) == "env"
    assert api_key_source({}, path) == "file"
    assert api_key_source({}, tmp_path / "absent.toml") == "unset"


def test_config_path_comes_from_env_mapping(tmp_path: Path) -> None:
    path = tmp_path / "chosen.toml"
    path.write_text('api_key = "sk-chosen"\n')
    assert load_settings(env={"SIXTYFOUR_TUI_CONFIG": str(path)}).api_key == "sk-chosen"


def test_bad_env_endpoint_names_the_variable(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="SIXTYFOUR_API_ENDPOINT"):
        load_settings(env={"SIXTYFOUR_API_ENDPOINT": "ftp://x"}, path=tmp_path / "absent.toml")


def test_corrupt_toml_names_file_and_line(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('api_key = "sk-x"\npoll_interval = = 3\n')
    with pytest.raises(ConfigError) as info:
        load_settings(env={}, path=path)
    message = str(info.value)
    assert str(path) in message
    assert "line 2" in message


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ('poll_interval = "fast"', "poll_interval must be a number"),
        ("poll_interval = true", "poll_interval must be a number"),
        ("poll_interval = -1", "poll interval must be a number of seconds from 0.05"),
        ("poll_interval = 0", "poll interval must be a number of seconds from 0.05"),
        ("poll_interval = 1e-9", "poll interval must be a number of seconds from 0.05"),
        ("poll_interval = nan", "positive"),
        ('base_url = "http://127.0.0.1:abc"', "base_url has a port that is not a number"),
        ('base_url = "http://127.0.0.1:99999"', "base_url has a port"),
        ('base_url = "http://:80"', "base_url has no host"),
        ("[ui]\nzoomed = 5", "ui.zoomed"),
        ('base_url = "ftp://example.com"', "http"),
        ('base_url = "api.sixtyfour.ai"', "http"),
        ("base_url = 5", "base_url must be a string"),
        ("api_key = 42", "api_key must be a string"),
        ("download_dir = 1", "download_dir"),
    ],
)
def test_wrong_values_are_explained(tmp_path: Path, content: str, fragment: str) -> None:
    path = tmp_path / "config.toml"
    path.write_text(content + "\n")
    with pytest.raises(ConfigError, match=fragment) as info:
        load_settings(env={}, path=path)
    assert str(path) in str(info.value)


def test_unreadable_file_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.mkdir()
    with pytest.raises(ConfigError, match=str(path)):
        load_settings(env={}, path=path)


def test_save_creates_private_file_and_dir(tmp_path: Path) -> None:
    path = tmp_path / "new-dir" / "config.toml"
    settings = Settings(api_key=SECRET, poll_interval=2.5, download_dir=tmp_path / "dl")
    assert save_settings(settings, path) == path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert load_settings(env={}, path=path) == settings


def test_save_uses_config_file_location(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg"))
    written = save_settings(Settings(api_key="sk-abc"))
    assert written == tmp_path / "xdg" / "sixtyfour-tui" / "config.toml"
    assert load_file_settings().api_key == "sk-abc"


def test_save_omits_none_and_default_values(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    save_settings(Settings(), path)
    assert path.read_text().strip() == ""
    save_settings(Settings(base_url="http://localhost:9"), path)
    assert path.read_text().strip() == 'base_url = "http://localhost:9"'


def test_env_overrides_are_not_saved_back(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    save_settings(Settings(api_key="sk-file"), path)
    env = {"SIXTYFOUR_API_KEY": SECRET}
    assert load_settings(env=env, path=path).api_key == SECRET
    save_settings(load_file_settings(path), path)
    assert SECRET not in path.read_text()


def test_effective_poll_interval() -> None:
    assert Settings().effective_poll_interval(is_sandbox=False) == 10.0
    assert Settings().effective_poll_interval(is_sandbox=True) == 1.0
    assert Settings(poll_interval=4).effective_poll_interval(is_sandbox=True) == 4


def test_repr_masks_the_key() -> None:
    text = repr(Settings(api_key=SECRET))
    assert SECRET not in text
    assert "sk-…9f2c" in text
    assert str(Settings(api_key=SECRET)) == text
    assert "api_key=None" in repr(Settings())


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        (None, ""),
        ("", ""),
        (SECRET, "sk-…9f2c"),
        ("sk-sandbox-demo", "sk-…demo"),
        ("abcdefgh", "…gh"),
        ("abc", "…"),
    ],
)
def test_masked_key(key: str | None, expected: str) -> None:
    assert masked_key(key) == expected


def test_an_unknown_home_folder_is_a_clear_error(tmp_path):
    from sixtyfour_tui.config import ConfigError, load_settings
    from sixtyfour_tui.locations import expand_path

    with pytest.raises(ValueError, match="no such user"):
        expand_path("~no-such-user-here/x")
    config = tmp_path / "config.toml"
    config.write_text('download_dir = "~no-such-user-here/exports"\n')
    with pytest.raises(ConfigError, match="download_dir"):
        load_settings(env={}, path=config)


def test_a_bad_sandbox_speed_is_a_clear_error():
    from sixtyfour_tui.backend import EMBEDDED_SPEED, embedded_speed

    assert embedded_speed({}) == EMBEDDED_SPEED
    assert embedded_speed({"SIXTYFOUR_SANDBOX_SPEED": "20"}) == 20.0
    for bad in ("fast", "0", "-3", "inf", "nan"):
        with pytest.raises(ValueError, match="SIXTYFOUR_SANDBOX_SPEED"):
            embedded_speed({"SIXTYFOUR_SANDBOX_SPEED": bad})


def test_the_poll_interval_has_a_floor_against_the_real_api() -> None:
    assert Settings(poll_interval=0.2).effective_poll_interval(is_sandbox=False) == 1.0
    assert Settings(poll_interval=0.2).effective_poll_interval(is_sandbox=True) == 0.2
    assert Settings(poll_interval=12).effective_poll_interval(is_sandbox=False) == 12


def test_the_tui_refuses_a_bad_endpoint_at_once_with_the_reason(tmp_path: Path) -> None:
    import subprocess
    import sys

    env = {**os.environ, "SIXTYFOUR_API_ENDPOINT": "http://127.0.0.1:abc", "SIXTYFOUR_API_KEY": "sk-x-0123456789"}
    done = subprocess.run([sys.executable, "-m", "sixtyfour_tui"], env=env, capture_output=True, text=True,
                          timeout=60, stdin=subprocess.DEVNULL)
    assert done.returncode == 2
    assert "SIXTYFOUR_API_ENDPOINT" in done.stderr and "port" in done.stderr and "Traceback" not in done.stderr
