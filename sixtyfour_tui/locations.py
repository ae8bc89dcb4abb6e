"""Where sixtyfour-tui keeps its files, following the XDG base-directory spec.

Every function reads the environment when called (never at import time), so tests
and users can redirect everything with ``XDG_*`` variables or ``SIXTYFOUR_TUI_CONFIG``.
Nothing here creates directories except :func:`ensure_private_dir`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path

APP_DIR_NAME = "sixtyfour-tui"
CONFIG_PATH_VARIABLE = "SIXTYFOUR_TUI_CONFIG"
WORKSPACE_PATH_VARIABLE = "SIXTYFOUR_TUI_WORKSPACE"


def _environment(env: Mapping[str, str] | None) -> Mapping[str, str]:
    return os.environ if env is None else env


def _xdg_base(variable: str, fallback: str, env: Mapping[str, str] | None) -> Path:
    """The XDG base directory: the spec says empty or relative values must be ignored."""
    value = _environment(env).get(variable, "")
    if value and os.path.isabs(value):
        return Path(value)
    return Path.home() / fallback


def config_dir(env: Mapping[str, str] | None = None) -> Path:
    """Settings live here (``$XDG_CONFIG_HOME/sixtyfour-tui``)."""
    return _xdg_base("XDG_CONFIG_HOME", ".config", env) / APP_DIR_NAME


def state_dir(env: Mapping[str, str] | None = None) -> Path:
    """Logs, the sandbox's tasks and the legacy JSON ledger live here."""
    return _xdg_base("XDG_STATE_HOME", ".local/state", env) / APP_DIR_NAME


def data_dir(env: Mapping[str, str] | None = None) -> Path:
    """The workspace lives here (``$XDG_DATA_HOME/sixtyfour-tui``): user data worth a backup."""
    return _xdg_base("XDG_DATA_HOME", ".local/share", env) / APP_DIR_NAME


def workspace_file(env: Mapping[str, str] | None = None) -> Path:
    """``$SIXTYFOUR_TUI_WORKSPACE`` when set (a second workspace needs no XDG juggling)."""
    override = _environment(env).get(WORKSPACE_PATH_VARIABLE, "")
    if override:
        return Path(override).expanduser()
    return data_dir(env) / "workspace.sqlite3"


def log_file(env: Mapping[str, str] | None = None) -> Path:
    return state_dir(env) / "sixtyfour-tui.log"


def cache_dir(env: Mapping[str, str] | None = None) -> Path:
    """Disposable data (anything safe to delete) lives here."""
    return _xdg_base("XDG_CACHE_HOME", ".cache", env) / APP_DIR_NAME


def config_file(env: Mapping[str, str] | None = None) -> Path:
    """``$SIXTYFOUR_TUI_CONFIG`` when set, so a second profile needs no XDG juggling."""
    override = _environment(env).get(CONFIG_PATH_VARIABLE, "")
    if override:
        return Path(override).expanduser()
    return config_dir(env) / "config.toml"


def ledger_file(env: Mapping[str, str] | None = None) -> Path:
    return state_dir(env) / "jobs.json"


def history_file(env: Mapping[str, str] | None = None) -> Path:
    return state_dir(env) / "history.json"


def default_download_dir() -> Path:
    """``~/Downloads`` when it exists, else the directory the app was started from.

    The working directory is where a terminal user expects files they did not place
    explicitly; we never create ``~/Downloads`` on a machine that chose not to have one.
    """
    downloads = Path.home() / "Downloads"
    if downloads.is_dir():
        return downloads
    return Path.cwd()


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) readable by the owner only; existing dirs are left as they are."""
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def expand_path(text: str | Path) -> Path:
    """`~` expanded; ValueError (with a message for people) when the home folder is unknown."""
    try:
        return Path(text).expanduser()
    except RuntimeError:
        raise ValueError(f"cannot expand {str(text)!r}: no such user or home folder") from None
