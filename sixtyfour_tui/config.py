"""User settings: a small TOML file, overridden by the environment Sixtyfour's own tools use.

    api_key = "sk-..."
    base_url = "https://api.sixtyfour.ai"
    poll_interval = 10        # seconds; omit for the default
    download_dir = "~/Downloads"
    theme = "textual-dark"

    [ui]                      # remembered by the app between runs
    zoomed = false
    last_max_results = 500
    last_job_id = "..."
    [ui.columns]
    people = ["fullName", "title", ...]

    [keymap]                  # remap any action by its binding id (see the README)
    "results.copy_tsv" = "ctrl+y"

The schema is the `Settings` Struct (msgspec) with the rules of `rules.py`; an error names the
file, the line and the setting. Unknown keys are ignored so a file written by a newer version
still loads. The file holds a secret, so it is written owner-only (0600) in an owner-only folder.
"""

from __future__ import annotations

import math
import os
import re
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal

import msgspec

from sixtyfour_tui import locations
from sixtyfour_tui.atomic import PRIVATE_FILE_MODE, write_atomic
from sixtyfour_tui.rules import (
    POLL_FLOOR_API,
    POLL_FLOOR_SANDBOX,
    RuleError,
    check_api_key,
    check_base_url,
    check_poll_interval,
)

DEFAULT_BASE_URL = "https://api.sixtyfour.ai"
# The API docs advise polling every 10-15 s; the local sandbox is cheap, so poll it faster.
DEFAULT_POLL_INTERVAL = 10.0
SANDBOX_POLL_INTERVAL = 1.0

API_KEY_VARIABLE = "SIXTYFOUR_API_KEY"
ENDPOINT_VARIABLE = "SIXTYFOUR_API_ENDPOINT"

KeySource = Literal["env", "file", "unset"]


class ConfigError(Exception):
    """The settings could not be used; the message names the file (or variable) and the problem."""


def masked_key(key: str | None) -> str:
    """A recognisable but useless form of an API key, e.g. ``sk-…9f2c``.

    At most the last 4 characters are shown, fewer for short keys, so a masked
    key never gives away most of a secret.
    """
    if not key:
        return ""
    long_enough = len(key) >= 12
    visible_tail = 4 if long_enough else len(key) // 4
    prefix = ""
    dash = key.find("-")
    if long_enough and 0 < dash <= 3:
        prefix = key[: dash + 1]
    tail = key[-visible_tail:] if visible_tail else ""
    return f"{prefix}…{tail}"


def normalise_base_url(value: str) -> str:
    """The base URL checked (scheme, host, port) without its trailing slash; ValueError otherwise."""
    try:
        return check_base_url(value)
    except RuleError as problem:
        raise ValueError(f"base_url {problem}") from None


class UiState(msgspec.Struct, kw_only=True, omit_defaults=True, forbid_unknown_fields=False):
    """What the app remembers between runs (written by the app, editable by hand)."""

    zoomed: str | None = None  # "results" | "jobs" when one panel filled the screen
    last_max_results: int | None = None
    last_job_id: str | None = None
    columns: dict[str, list[str]] = {}  # per mode, the results table's columns in order


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    api_key: str | None = None
    base_url: str = DEFAULT_BASE_URL
    poll_interval: float | None = None
    download_dir: Path | None = None
    theme: str | None = None
    ui: UiState = msgspec.field(default_factory=UiState)
    keymap: dict[str, str] = {}

    def __post_init__(self) -> None:
        # One set of rules whoever builds Settings: the file, the environment or the form.
        if self.api_key is not None:
            key = check_api_key(self.api_key)
            msgspec.structs.force_setattr(self, "api_key", key or None)
        msgspec.structs.force_setattr(self, "base_url", check_base_url(self.base_url))
        if self.poll_interval is not None:
            check_poll_interval(self.poll_interval)

    def effective_poll_interval(self, is_sandbox: bool) -> float:
        """The configured interval (never below the backend's floor), or the backend's default."""
        if self.poll_interval is not None:
            return max(self.poll_interval, POLL_FLOOR_SANDBOX if is_sandbox else POLL_FLOOR_API)
        return SANDBOX_POLL_INTERVAL if is_sandbox else DEFAULT_POLL_INTERVAL

    def effective_download_dir(self) -> Path:
        return self.download_dir if self.download_dir is not None else locations.default_download_dir()

    def __repr__(self) -> str:
        # Settings end up in logs and tracebacks; the key must not.
        key = "None" if self.api_key is None else repr(masked_key(self.api_key))
        return (
            f"Settings(api_key={key}, base_url={self.base_url!r}, "
            f"poll_interval={self.poll_interval!r}, download_dir={self.download_dir!r})"
        )

    __str__ = __repr__


def replace(settings: Settings, **changes: Any) -> Settings:
    return msgspec.structs.replace(settings, **changes)


def load_file_settings(path: Path | None = None) -> Settings:
    """Settings from the file alone (what a settings screen should edit and save back)."""
    config_path = path if path is not None else locations.config_file()
    text = _read_text(config_path)
    if not text:
        return settings_from_table({})  # no file (the usual first start): no TOML parser to load
    import tomllib

    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # The decoder's message already carries "(at line N, column M)".
        raise ConfigError(f"{config_path}: invalid TOML: {exc}") from None
    return settings_from_table(raw, lambda field: f"{config_path}{_line_of(text, field)}")


def settings_from_table(raw: Mapping[str, Any], where: Any = None) -> Settings:
    """Settings from a table (a TOML file's, or a form's); ConfigError names the setting."""
    place = where or (lambda field: "settings")
    table = dict(raw)
    if isinstance(table.get("download_dir"), str):
        text = table["download_dir"].strip()
        if not text:
            raise ConfigError(f"{place('download_dir')}: download_dir must be a non-empty path")
        try:
            table["download_dir"] = str(locations.expand_path(text))
        except ValueError as unknown_home:
            raise ConfigError(f"{place('download_dir')}: download_dir: {unknown_home}") from None
    interval = table.get("poll_interval")
    if isinstance(interval, bool) or (interval is not None and not isinstance(interval, (int, float))):
        raise ConfigError(f"{place('poll_interval')}: poll_interval must be a number of seconds, "
                          f"got {_type_name(interval)}")
    if isinstance(interval, float) and not math.isfinite(interval):
        raise ConfigError(f"{place('poll_interval')}: poll_interval must be a positive number of seconds, "
                          f"got {interval}")
    try:
        return msgspec.convert(table, Settings, strict=True, dec_hook=_decode_path)
    except msgspec.ValidationError as error:
        field, reason = _split_error(str(error))
        if field == "settings":  # a rule of Settings.__post_init__ refused the value
            field = _rule_field(reason)
            explained = reason if field == "poll_interval" else f"{field} {reason}"
        else:
            explained = _explain(field, reason, table)
        raise ConfigError(f"{place(field)}: {explained}") from None


def _decode_path(kind: type, value: Any) -> Any:
    if kind is Path and isinstance(value, str):
        return Path(value)
    raise ValueError("must be a path string")


def _rule_field(message: str) -> str:
    if "poll interval" in message:
        return "poll_interval"
    if "API key" in message:
        return "api_key"
    return "base_url"


_ERROR_PATH = re.compile(r"^(.*) - at `\$\.?([\w.\[\]]*)`$")


def _split_error(text: str) -> tuple[str, str]:
    match = _ERROR_PATH.match(text)
    if not match:
        return "settings", text
    return match.group(2) or "settings", match.group(1)


def _explain(field: str, reason: str, table: Mapping[str, Any]) -> str:
    value: Any = table
    for part in field.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    expected = {"api_key": "a string", "base_url": "a string", "download_dir": "a path string",
                "theme": "a string", "poll_interval": "a number of seconds"}.get(field)
    if expected:
        return f"{field} must be {expected}, got {_type_name(value)}"
    from sixtyfour_tui.schema import friendly

    return f"{field}: {friendly(reason)}"


def _line_of(text: str, field: str) -> str:
    """`:line N` for a dotted setting name, found the way a person would: its table, then its key."""
    *tables, key = field.split(".") if field else [""]
    wanted_table = ".".join(tables)
    current = ""
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        header = re.match(r"^\[+\s*([^\]]+?)\s*\]+", stripped)
        if header:
            current = header.group(1).replace('"', "")
            continue
        if current == wanted_table and re.match(rf'^"?{re.escape(key)}"?\s*=', stripped):
            return f":line {number}"
    return ""


def apply_env_overrides(settings: Settings, env: Mapping[str, str] = os.environ) -> Settings:
    """Let ``SIXTYFOUR_API_KEY`` / ``SIXTYFOUR_API_ENDPOINT`` win over the file."""
    changes: dict[str, Any] = {}
    env_key = env.get(API_KEY_VARIABLE, "").strip()
    if env_key:
        changes["api_key"] = env_key
    env_endpoint = env.get(ENDPOINT_VARIABLE, "").strip()
    if env_endpoint:
        try:
            changes["base_url"] = normalise_base_url(env_endpoint)
        except ValueError as exc:
            raise ConfigError(f"environment variable {ENDPOINT_VARIABLE}: {exc}") from None
    try:
        return msgspec.structs.replace(settings, **changes)
    except RuleError as problem:
        raise ConfigError(f"environment variable {API_KEY_VARIABLE}: {problem}") from None


def load_settings(env: Mapping[str, str] = os.environ, path: Path | None = None) -> Settings:
    """The settings in effect: the file (missing file = defaults) with environment overrides."""
    config_path = path if path is not None else locations.config_file(env)
    return apply_env_overrides(load_file_settings(config_path), env)


def api_key_source(env: Mapping[str, str] = os.environ, path: Path | None = None) -> KeySource:
    """Where the key in effect comes from, so the UI can say why editing it changes nothing."""
    if env.get(API_KEY_VARIABLE, "").strip():
        return "env"
    config_path = path if path is not None else locations.config_file(env)
    return "file" if load_file_settings(config_path).api_key else "unset"


_FILE_WRITES = threading.Lock()


def update_settings_file(change: Callable[[Settings], Settings], path: Path | None = None,
                         *, broken: Settings | None = None, always: bool = False) -> Settings:
    """Apply `change` to the settings file as it is on disk now, and write the result. The app's
    layout worker and the settings form both write the file; each changes only its own part, in
    turn, so neither undoes what the other just saved. `broken`: what `change` starts from when the
    file cannot be read (else its ConfigError is raised); `always`: write even when nothing
    changed (a form's Save creates the file)."""
    with _FILE_WRITES:
        replacing = False
        try:
            current = load_file_settings(path)
        except ConfigError:
            if broken is None:
                raise
            current, replacing = broken, True
        updated = change(current)
        if updated != current or replacing or always:
            save_settings(updated, path)
        return updated


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write exactly ``settings`` (None and default values omitted) to the file, owner-only."""
    config_path = path if path is not None else locations.config_file()
    table: dict[str, Any] = {}
    if settings.api_key:
        table["api_key"] = settings.api_key
    if settings.base_url != DEFAULT_BASE_URL:
        # Leaving the default out lets a future default apply to this user too.
        table["base_url"] = settings.base_url
    if settings.poll_interval is not None:
        table["poll_interval"] = float(settings.poll_interval)
    if settings.download_dir is not None:
        table["download_dir"] = str(settings.download_dir)
    if settings.theme:
        table["theme"] = settings.theme
    ui = msgspec.to_builtins(settings.ui)
    if ui:
        table["ui"] = ui
    if settings.keymap:
        table["keymap"] = dict(settings.keymap)
    import tomli_w

    locations.ensure_private_dir(config_path.parent)
    write_atomic(config_path, tomli_w.dumps(table), mode=PRIVATE_FILE_MODE)
    return config_path


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return ""
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the settings file ({exc.strerror or exc})") from None


def _type_name(value: object) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number", list: "an array",
             dict: "a table", type(None): "nothing"}
    return names.get(type(value), type(value).__name__)
