"""The data-set cache file: same data as generating, private, and never trusted when damaged or stale."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sixtyfour_tui.sandbox.dataset import Dataset
from sixtyfour_tui.sandbox.dataset_cache import (
    CACHE_VARIABLE,
    FILE_PREFIX,
    cache_file,
    cached_dataset,
    configured_cache_dir,
    read_cache,
    write_cache,
)

SEED, PEOPLE, COMPANIES = 7, 3_000, 300


def rows(ds: Dataset) -> str:
    every = [ds.row(m, i) for m in ("people", "company") for i in range(ds.count(m))]
    return json.dumps(every, sort_keys=True)


@pytest.fixture(scope="module")
def generated() -> Dataset:
    return Dataset(seed=SEED, people=PEOPLE, companies=COMPANIES)


def test_a_cached_data_set_is_the_generated_one(tmp_path: Path, generated: Dataset) -> None:
    first = cached_dataset(SEED, PEOPLE, COMPANIES, tmp_path)
    assert first.source == "generated"
    again = cached_dataset(SEED, PEOPLE, COMPANIES, tmp_path)
    assert again.source == "cache"
    assert rows(again) == rows(generated)
    assert again.columns() == generated.columns()
    assert again.titles == generated.titles


def test_the_file_and_its_folder_are_private(tmp_path: Path) -> None:
    folder = tmp_path / "deep" / "sandbox"
    cached_dataset(SEED, PEOPLE, COMPANIES, folder)
    (path,) = folder.iterdir()
    assert path.name.startswith(FILE_PREFIX) and f"s{SEED}-p{PEOPLE}-c{COMPANIES}-" in path.name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert not [p for p in folder.iterdir() if p.name.startswith(".tmp-")]


@pytest.mark.parametrize("damage", ["flip a payload byte", "truncate", "empty", "garbage", "bad header"])
def test_a_damaged_file_is_ignored_and_rebuilt(tmp_path: Path, generated: Dataset, damage: str) -> None:
    cached_dataset(SEED, PEOPLE, COMPANIES, tmp_path)
    path = cache_file(tmp_path, SEED, PEOPLE, COMPANIES)
    data = bytearray(path.read_bytes())
    if damage == "flip a payload byte":
        data[-10] ^= 0xFF
    elif damage == "truncate":
        data = data[: len(data) // 2]
    elif damage == "empty":
        data = bytearray()
    elif damage == "garbage":
        data = bytearray(os.urandom(4096))
    else:
        data = data.replace(b'"columns"', b'"kolumns"', 1)
    path.write_bytes(bytes(data))
    assert read_cache(path, SEED, PEOPLE, COMPANIES) is None
    rebuilt = cached_dataset(SEED, PEOPLE, COMPANIES, tmp_path)
    assert rebuilt.source == "generated" and rows(rebuilt) == rows(generated)
    assert cached_dataset(SEED, PEOPLE, COMPANIES, tmp_path).source == "cache"  # rewritten whole


def test_a_file_for_other_arguments_is_not_read(tmp_path: Path) -> None:
    cached_dataset(SEED, PEOPLE, COMPANIES, tmp_path)
    other = cache_file(tmp_path, SEED + 1, PEOPLE, COMPANIES)
    cache_file(tmp_path, SEED, PEOPLE, COMPANIES).rename(other)  # right layout, wrong seed inside
    assert read_cache(other, SEED + 1, PEOPLE, COMPANIES) is None
    fresh = cached_dataset(SEED + 1, PEOPLE, COMPANIES, tmp_path)
    assert fresh.source == "generated" and rows(fresh) == rows(Dataset(SEED + 1, PEOPLE, COMPANIES))


def test_files_of_other_code_are_removed_when_a_new_one_is_written(tmp_path: Path, generated: Dataset) -> None:
    stale = tmp_path / f"{FILE_PREFIX}s{SEED}-p{PEOPLE}-c{COMPANIES}-0123456789abcdef0123.bin"
    stale.write_bytes(b"from an older version")
    other_arguments = cache_file(tmp_path, SEED + 2, 50, 5)
    write_cache(other_arguments, Dataset(SEED + 2, 50, 5))
    cached_dataset(SEED, PEOPLE, COMPANIES, tmp_path)
    assert not stale.exists()
    assert other_arguments.exists()  # same code, other arguments: still valid


def test_an_unwritable_folder_only_means_generating(tmp_path: Path, generated: Dataset) -> None:
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    ds = cached_dataset(SEED, PEOPLE, COMPANIES, blocker / "sandbox")
    assert ds.source == "generated" and rows(ds) == rows(generated)
    assert write_cache(blocker / "sandbox" / "x.bin", ds) is False


def test_where_the_cache_lives() -> None:
    assert configured_cache_dir({"XDG_CACHE_HOME": "/xdg"}) == Path("/xdg/sixtyfour-tui/sandbox")
    assert configured_cache_dir({CACHE_VARIABLE: "/elsewhere", "XDG_CACHE_HOME": "/xdg"}) == Path("/elsewhere")
    for off in ("off", "0", "no", "false", "none", "OFF"):
        assert configured_cache_dir({CACHE_VARIABLE: off}) is None
    assert cached_dataset(SEED, 20, 3, None).source == "generated"


def test_a_fresh_process_reads_what_an_earlier_one_left(tmp_path: Path) -> None:
    script = ("from sixtyfour_tui.sandbox.dataset import load_dataset; "
              f"print(load_dataset(seed={SEED}, people={PEOPLE}, companies={COMPANIES}).source)")
    env = {**os.environ, CACHE_VARIABLE: str(tmp_path)}

    def run() -> str:
        done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True,
                              timeout=60, check=True)
        return done.stdout.strip()

    assert run() == "generated"
    assert run() == "cache"
