"""A file copy of the generated data set, so a fresh sandbox process is ready in milliseconds.

Why: generating 100,000 people takes a few tenths of a second of pure Python, and the embedded
sandbox starts with the app. The columns are small integer arrays, so they are written once as raw
bytes and read back with `array.frombytes`.

The cache is never needed for correctness:
- its file name carries the seed, the sizes and a hash of the generating code and vocabulary
  (`dataset.py`, `vocab.py`), so data from other code is never read; stale files are removed when
  a new one is written;
- a file that is truncated, corrupt (its SHA-256 is checked), or of another layout is ignored and
  the data set is generated again;
- it is written atomically (temporary file, then rename) in a directory only the owner can read;
- any error reading or writing it just means generating, as without a cache.

Where: `$XDG_CACHE_HOME/sixtyfour-tui/sandbox/`, or the directory named by
SIXTYFOUR_SANDBOX_DATA_CACHE; `off` (or `0`, `no`, `false`, `none`) there turns the cache off.

File layout: the line `sixtyfour-sandbox-data 1`, one line of JSON (key, SHA-256 of the payload,
and each column's name, type code and byte length), then the payload: the columns' bytes in order.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sys
import tempfile
from array import array
from pathlib import Path
from typing import Any

from sixtyfour_tui.sandbox import dataset as dataset_module
from sixtyfour_tui.sandbox import vocab
from sixtyfour_tui.sandbox.dataset import ARRAY_COLUMNS, SCALARS, TEXT_COLUMNS, Dataset

CACHE_VARIABLE = "SIXTYFOUR_SANDBOX_DATA_CACHE"
OFF_VALUES = frozenset({"off", "0", "no", "false", "none"})
MAGIC = b"sixtyfour-sandbox-data 1\n"
FILE_PREFIX = "sandbox-data-"
_TEXT_SEPARATOR = "\n"  # company names, domains and slugs never contain a newline


def configured_cache_dir(env: dict[str, str] | None = None) -> Path | None:
    """The cache directory the environment asks for; None when the cache is off."""
    environment = os.environ if env is None else env
    value = environment.get(CACHE_VARIABLE, "").strip()
    if value.lower() in OFF_VALUES:
        return None
    if value:
        return Path(value).expanduser()
    from sixtyfour_tui.locations import cache_dir

    return cache_dir(env) / "sandbox"


@functools.cache
def code_fingerprint() -> str:
    """Hash of the code and vocabulary that generate the data: a change makes old files stale."""
    digest = hashlib.sha256()
    for module in (dataset_module, vocab):
        digest.update(Path(module.__file__ or "").read_bytes())
    # Array item sizes and byte order are the machine's: a file from another layout is not reused.
    digest.update(f"{sys.byteorder} {array('I').itemsize} {array('H').itemsize}".encode())
    return digest.hexdigest()[:20]


def cache_file(directory: Path, seed: int, people: int, companies: int) -> Path:
    return directory / f"{FILE_PREFIX}s{seed}-p{people}-c{companies}-{code_fingerprint()}.bin"


def cached_dataset(seed: int, people: int, companies: int, directory: Path | None) -> Dataset:
    """The data set from the cache file when a valid one exists; else generated (and cached)."""
    if directory is None:
        return Dataset(seed=seed, people=people, companies=companies)
    path = cache_file(directory, seed, people, companies)
    loaded = read_cache(path, seed, people, companies)
    if loaded is not None:
        return loaded
    ds = Dataset(seed=seed, people=people, companies=companies)
    write_cache(path, ds)
    return ds


def read_cache(path: Path, seed: int, people: int, companies: int) -> Dataset | None:
    """The data set stored at `path`, or None when the file is missing, stale or damaged."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    try:
        return _decode(data, seed, people, companies)
    except (ValueError, KeyError, TypeError, IndexError, UnicodeDecodeError, OverflowError):
        return None


def _decode(data: bytes, seed: int, people: int, companies: int) -> Dataset | None:
    if not data.startswith(MAGIC):
        return None
    header_end = data.index(b"\n", len(MAGIC))
    header = json.loads(data[len(MAGIC):header_end])
    payload = memoryview(data)[header_end + 1:]
    if header.get("key") != _key(seed, people, companies):
        return None
    if hashlib.sha256(payload).hexdigest() != header.get("sha256"):
        return None
    expected = [[name, typecode] for name, typecode in ARRAY_COLUMNS] + [[name, "text"] for name in TEXT_COLUMNS]
    layout = header["columns"]
    if [entry[:2] for entry in layout] != expected:
        return None
    columns: dict[str, Any] = {}
    offset = 0
    for name, typecode, length in layout:
        chunk = payload[offset:offset + length]
        if len(chunk) != length:
            return None
        offset += length
        if typecode == "text":
            columns[name] = str(chunk, "utf-8").split(_TEXT_SEPARATOR)
        else:
            column = array(typecode)
            column.frombytes(chunk)
            columns[name] = column
    if offset != len(payload):
        return None
    for name in SCALARS:
        columns[name] = int(header["scalars"][name])
    ds = Dataset.from_columns(seed, columns)
    if ds.count("people") != people or ds.count("company") != companies:
        return None
    if any(len(columns[name]) != companies for name in TEXT_COLUMNS):
        return None
    return ds


def write_cache(path: Path, ds: Dataset) -> bool:
    """Store `ds` at `path` atomically, owner-only; False (and nothing left behind) on failure."""
    columns = ds.columns()
    chunks: list[bytes] = []
    layout: list[list[Any]] = []
    for name, typecode in ARRAY_COLUMNS:
        chunks.append(columns[name].tobytes())
        layout.append([name, typecode, len(chunks[-1])])
    for name in TEXT_COLUMNS:
        chunks.append(_TEXT_SEPARATOR.join(columns[name]).encode("utf-8"))
        layout.append([name, "text", len(chunks[-1])])
    payload = b"".join(chunks)
    header = {
        "key": _key(ds.seed, ds.count("people"), ds.count("company")),
        "sha256": hashlib.sha256(payload).hexdigest(),
        "columns": layout,
        "scalars": {name: columns[name] for name in SCALARS},
    }
    temporary: str | None = None
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".bin")  # mode 0600
        with os.fdopen(handle, "wb") as stream:
            stream.write(MAGIC + json.dumps(header, separators=(",", ":")).encode() + b"\n" + payload)
        os.replace(temporary, path)
        temporary = None
    except OSError:
        return False
    finally:
        if temporary is not None:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
    _remove_stale(path)
    return True


def _remove_stale(current: Path) -> None:
    """Files written by other versions of the generating code can never be read again."""
    fingerprint = current.stem.rsplit("-", 1)[-1]
    try:
        siblings = list(current.parent.glob(f"{FILE_PREFIX}*.bin"))
    except OSError:
        return
    for sibling in siblings:
        if sibling.stem.rsplit("-", 1)[-1] != fingerprint:
            with contextlib.suppress(OSError):
                sibling.unlink()


def _key(seed: int, people: int, companies: int) -> dict[str, Any]:
    return {"seed": seed, "people": people, "companies": companies, "code": code_fingerprint()}
