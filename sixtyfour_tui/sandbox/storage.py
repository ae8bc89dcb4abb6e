"""The storage provider behind signed download URLs: files on disk, HMAC-signed, expiring links."""

from __future__ import annotations

import csv
import json
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from sixtyfour_tui.sandbox.signing import Signer

BUCKET = "sixtyfour-sandbox-exports"


@dataclass
class StoredFile:
    resource_handle_id: str
    owner: str
    mode: str
    rows: list[int] | None  # data-set rows to write, or None for a file put there directly
    path: Path | None = None
    file_format: str = "csv"  # or "json": the rows as a JSON array (filter search `save_json`)

    @property
    def object_path(self) -> str:
        return f"exports/{self.resource_handle_id}.{self.file_format}"

    @property
    def media_type(self) -> str:
        return "application/json" if self.file_format == "json" else "text/csv"


class Storage:
    """Keeps files in a private temporary folder; links carry an expiry and a signature."""

    def __init__(self, dataset_loader: Callable[[], Any], signer: Signer, url_ttl: float) -> None:
        self._dataset_loader = dataset_loader
        self._signer = signer
        self.url_ttl = url_ttl
        self._root = Path(tempfile.mkdtemp(prefix="sixtyfour-sandbox-"))
        self._files: dict[str, StoredFile] = {}
        self._by_object: dict[str, StoredFile] = {}
        self._lock = threading.Lock()

    def register(self, stored: StoredFile) -> StoredFile:
        with self._lock:
            self._files[stored.resource_handle_id] = stored
            self._by_object[stored.object_path] = stored
        return stored

    def put_file(self, resource_handle_id: str, owner: str, mode: str, source: Path) -> StoredFile:
        """Put an existing CSV in storage (benchmarks use this for very large files)."""
        stored = StoredFile(resource_handle_id, owner, mode, rows=None, path=source)
        return self.register(stored)

    def get(self, resource_handle_id: str) -> StoredFile | None:
        return self._files.get(resource_handle_id)

    def by_object_path(self, object_path: str) -> StoredFile | None:
        return self._by_object.get(object_path)

    def materialize(self, stored: StoredFile) -> Path:
        """Write the CSV the first time it is asked for; later calls reuse the file."""
        with self._lock:
            if stored.path is not None and stored.path.exists():
                return stored.path
            dataset = self._dataset_loader()
            target = self._root / f"{stored.resource_handle_id}.{stored.file_format}"
            partial = target.with_suffix(".partial")
            with partial.open("w", newline="", encoding="utf-8") as handle:
                if stored.file_format == "json":
                    json.dump([dataset.row(stored.mode, index) for index in stored.rows or ()], handle)
                else:
                    writer = csv.writer(handle)
                    writer.writerow(dataset.csv_header(stored.mode))
                    for index in stored.rows or ():
                        writer.writerow(dataset.csv_row(stored.mode, index))
            os.replace(partial, target)
            stored.path = target
            return target

    def signed_url(self, base_url: str, stored: StoredFile) -> str:
        expires = int(time.time() + self.url_ttl)
        signature = self._signer.signature(f"{BUCKET}/{stored.object_path}:{expires}")
        query = urlencode({"expires": expires, "signature": signature})
        return f"{base_url}/storage/{BUCKET}/{quote(stored.object_path)}?{query}"

    def check_signature(self, bucket: str, object_path: str, expires: str, signature: str) -> str | None:
        """None when the link is good, else why it is refused."""
        try:
            expiry = int(expires)
        except ValueError:
            return "malformed expiry"
        if not self._signer.verify(f"{bucket}/{object_path}:{expiry}", signature):
            return "signature does not match"
        if time.time() > expiry:
            return "link expired"
        return None

    def close(self) -> None:
        shutil.rmtree(self._root, ignore_errors=True)
