"""The cache folder: data the start-up would otherwise recompute, as marshal files.

`$PRESS_CACHE_DIR`, else `$XDG_CACHE_HOME/pressrecords` or `~/.cache/pressrecords`. Every file is keyed by
what it was made from, so a change of rules, code or Python writes new files; files no process has read for
MAX_AGE_DAYS are deleted whenever a new one is written, so the folder does not grow with every change.
"""
from __future__ import annotations

import os
import time
from pathlib import Path

MAX_AGE_DAYS = 14
PATTERNS = ("parsed-*.marshal", "regex-*.marshal")


def cache_dir() -> Path:
    base = os.environ.get("PRESS_CACHE_DIR") or os.path.join(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "pressrecords")
    return Path(base)


def read(path: Path) -> bytes:
    """The file's bytes; its modification time is set to now, the mark that it is still used."""
    data = path.read_bytes()
    try:
        os.utime(path)
    except OSError:
        pass  # a read-only cache still serves
    return data


def write(path: Path, data: bytes) -> None:
    """Write atomically (temp file + rename; concurrent processes may write the same file), then prune.
    A read-only or full disk only means computing again next time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        tmp.write_bytes(data)
        os.replace(tmp, path)
        prune(path.parent)
    except OSError:
        pass


def prune(folder: Path, max_age_days: float = MAX_AGE_DAYS) -> int:
    """Delete the cache files not read for max_age_days (and temp files of crashed writers); returns how many."""
    cutoff = time.time() - max_age_days * 86400
    gone = 0
    for pattern in PATTERNS + tuple(p + ".*.tmp" for p in PATTERNS):
        for path in folder.glob(pattern):
            try:
                if path.stat().st_mtime < cutoff:
                    path.unlink()
                    gone += 1
            except OSError:
                pass
    return gone
