"""The packaged knowledge base for a CLI process, from a cache file when nothing changed.

Validating every YAML file takes about 0.1 s, most of what `needlesafe screen` spends on one
intake. The cache holds the validated `Knowledge` (pickled), keyed by a hash of every byte it
depends on: the YAML files, the code of `needlesafe.knowledge` and `needlesafe.engine`, and the
Python and pydantic versions. Any problem reading or writing it (a missing, foreign, corrupt
or stale file, a read-only home) is ignored and the YAML is loaded as usual.

Where: `$NEEDLESAFE_CACHE_DIR`, else `$XDG_CACHE_HOME/needlesafe`, else `~/.cache/needlesafe`;
`NEEDLESAFE_CACHE_DIR=""` turns the cache off.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import stat
import sys
import tempfile
from pathlib import Path

import pydantic

from needlesafe.knowledge.base import Knowledge
from needlesafe.knowledge.loader import DEFAULT_DIRECTORY, default_knowledge

_PACKAGE = Path(__file__).parents[1]
_DEPENDS_ON = (
    (DEFAULT_DIRECTORY, "*.yaml"),
    (_PACKAGE / "knowledge", "*.py"),
    (_PACKAGE / "engine", "*.py"),
)
_loaded: Knowledge | None = None


def cache_directory() -> Path | None:
    configured = os.environ.get("NEEDLESAFE_CACHE_DIR")
    if configured is not None:
        return Path(configured) if configured.strip() else None
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "needlesafe"


def cache_key() -> str:
    """A hash of everything a pickled `Knowledge` depends on."""
    digest = hashlib.sha256(f"{sys.version}\0{pydantic.VERSION}\0".encode())
    for folder, pattern in _DEPENDS_ON:
        for path in sorted(folder.glob(pattern)):
            digest.update(f"{path.parent.name}/{path.name}\0".encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:32]


def _read(path: Path) -> Knowledge | None:
    try:
        with path.open("rb") as file:
            info = os.fstat(file.fileno())
            # only a file this user wrote and no one else can change
            if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
                return None
            loaded = pickle.load(file)  # our own file, checked above
    except Exception:  # a cache: any failure means "load the YAML"
        return None
    return loaded if isinstance(loaded, Knowledge) else None


def _write(path: Path, knowledge: Knowledge) -> None:
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".knowledge-")
        try:
            with os.fdopen(handle, "wb") as file:
                pickle.dump(knowledge, file, protocol=pickle.HIGHEST_PROTOCOL)
            os.replace(temporary, path)  # atomic: a parallel reader sees all or nothing
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise
        for old in path.parent.glob("knowledge-*.pickle"):  # one entry: the current one
            if old != path:
                old.unlink(missing_ok=True)
    except Exception:  # a cache that cannot be written is no cache
        pass


def cached_knowledge() -> Knowledge:
    """`default_knowledge()`, from the cache file when it is current.

    Raises `KnowledgeError` as `default_knowledge()` does when the YAML does not load."""
    global _loaded
    if _loaded is not None:
        return _loaded
    if default_knowledge.cache_info().currsize:  # already loaded in this process
        _loaded = default_knowledge()
        return _loaded
    folder = cache_directory()
    path: Path | None = None
    if folder is not None:
        try:
            path = folder / f"knowledge-{cache_key()}.pickle"
        except OSError:
            path = None
    knowledge = _read(path) if path is not None and path.is_file() else None
    if knowledge is None:
        knowledge = default_knowledge()
        if path is not None:
            _write(path, knowledge)
    _loaded = knowledge
    return knowledge
