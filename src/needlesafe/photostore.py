"""Where check-in photos are kept: a small interface, and a local folder by default.

The folder is the `NEEDLESAFE_PHOTO_DIR` setting (default `needlesafe-photos` in the working
directory), never under the web root: nothing serves it directly; staff get a photo through an
authorised route that checks their clinic. Keys are made by the service
(`clinic-<id>/<random>.jpg`); anything else is refused, so a key can never leave the folder.
An S3-compatible adapter for deployments would implement the same three methods.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Protocol

KEY = re.compile(r"^clinic-[0-9]{1,10}/[0-9a-f]{32}\.jpg$")


class PhotoStore(Protocol):
    def put(self, key: str, data: bytes) -> None: ...

    def get(self, key: str) -> bytes: ...

    def delete(self, key: str) -> None: ...


class LocalPhotoStore:
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).resolve()

    def _path(self, key: str) -> Path:
        if not KEY.match(key):
            raise ValueError("not a photo key")
        return self.root / key

    def put(self, key: str, data: bytes) -> None:
        """Written to a temporary name, synced, then renamed: a photo is whole or absent."""
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)

    def get(self, key: str) -> bytes:
        return self._path(key).read_bytes()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)
