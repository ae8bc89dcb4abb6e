"""User settings: a small TOML file, overridden by the environment Sixtyfour's own tools use.

The file is flat::

    api_key = "sk-..."
    base_url = "https://api.sixtyfour.ai"
    poll_interval = 10        # seconds; omit for the default
    download_dir = "~/Downloads"

Unknown keys are ignored so a file written by a newer version still loads. The file
holds a secret, so it is written owner-only (0600) in an owner-only directory.
"""

from __future__ import annotations

import dataclasses
import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import tomli_w

from sixtyfour_tui import locations
from sixtyfour_tui.atomic import PRIVATE_FILE_MODE, write_atomic

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
    """Check that ``value`` is an absolute http(s) URL and drop trailing slashes.

    Raises ValueError with a human message; shared by the file, the environment and the UI.
    """
    text = value.strip()
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"base_url must be an http:// or https:// URL, got {value!r}")
    return text.rstrip("/")


@dataclass(frozen=True)
class Settings:
    api_key: str | None = None
    base_url: str = DEFAULT_BASE_URL
    poll_interval: float | None = None
    download_dir: Path | None = None

    def effective_poll_interval(self, is_sandbox: bool) -> float:
        """The configured interval, or the default that suits the backend in use."""
        if self.poll_interval is not None:
            return self.poll_interval
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


def load_file_settings(path: Path | None = None) -> Settings:
    """Settings from the file alone (what a settings screen should edit and save back)."""
    config_path = path if path is not None else locations.config_file()
    raw = _read_toml(config_path)
    return _settings_from_table(raw, config_path)


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
    return dataclasses.replace(settings, **changes)


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


def save_settings(settings: Settings, path: Path | None = None) -> Path:
    """Write exactly ``settings`` (None values omitted) to the file, owner-only; returns the path."""
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
    locations.ensure_private_dir(config_path.parent)
    write_atomic(config_path, tomli_w.dumps(table), mode=PRIVATE_FILE_MODE)
    return config_path


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        text = path.read_bytes().decode("utf-8")
    except FileNotFoundError:
        return {}
    except UnicodeDecodeError:
        raise ConfigError(f"{path}: not valid UTF-8 text") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read the settings file ({exc.strerror or exc})") from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # The decoder's message already carries "(at line N, column M)".
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None


def _settings_from_table(raw: Mapping[str, Any], path: Path) -> Settings:
    def problem(message: str) -> ConfigError:
        return ConfigError(f"{path}: {message}")

    values: dict[str, Any] = {}

    api_key = raw.get("api_key")
    if api_key is not None:
        if not isinstance(api_key, str):
            raise problem(f"api_key must be a string, got {_type_name(api_key)}")
        values["api_key"] = api_key.strip() or None

    base_url = raw.get("base_url")
    if base_url is not None:
        if not isinstance(base_url, str):
            raise problem(f"base_url must be a string, got {_type_name(base_url)}")
        try:
            values["base_url"] = normalise_base_url(base_url)
        except ValueError as exc:
            raise problem(str(exc)) from None

    interval = raw.get("poll_interval")
    if interval is not None:
        if isinstance(interval, bool) or not isinstance(interval, (int, float)):
            raise problem(f"poll_interval must be a number of seconds, got {_type_name(interval)}")
        if not math.isfinite(interval) or interval <= 0:
            raise problem(f"poll_interval must be a positive number of seconds, got {interval}")
        values["poll_interval"] = float(interval)

    download_dir = raw.get("download_dir")
    if download_dir is not None:
        if not isinstance(download_dir, str) or not download_dir.strip():
            raise problem(f"download_dir must be a non-empty path string, got {download_dir!r}")
        try:
            values["download_dir"] = locations.expand_path(download_dir.strip())
        except ValueError as unknown_home:
            raise problem(f"download_dir: {unknown_home}") from None

    return Settings(**values)


def _type_name(value: object) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number", list: "an array",
             dict: "a table"}
    return names.get(type(value), type(value).__name__)
