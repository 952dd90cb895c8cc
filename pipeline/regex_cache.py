"""Compiled regular expressions kept across processes: the start-up's large patterns.

Python compiles every regular expression again in each process. For the large ones (spaCy's
affix rules, the date grammar's alternations of month and weekday names) that is about a tenth of
the start-up. What the compiler makes is plain data (the engine's code words and the group
names), so it is kept as marshal data in the cache folder, keyed by the Python build and the regex
engine's version, and the pattern object is made from it by the engine's own constructor, as
`re.compile` does after compiling. The pattern is the same object `re.compile` makes (equal code,
flags and groups: tested); on any mismatch or error, `re.compile` is used.
"""
from __future__ import annotations

import hashlib
import marshal
import re
import sys

from pipeline import cache

try:  # the engine behind `re` (CPython); elsewhere this module is only re.compile
    import _sre
    from re import _compiler, _parser
except ImportError:  # pragma: no cover
    _sre = None

_ENGINE = f"{sys.version}|{getattr(_sre, 'MAGIC', '')}|{getattr(_sre, 'CODESIZE', '')}"
_store: dict | None = None  # (pattern, flags) → (flags, code, groups, groupindex, indexgroup)
_used: set = set()
_new = False


def _path():
    return cache.cache_dir() / f"regex-{hashlib.sha256(_ENGINE.encode()).hexdigest()[:16]}.marshal"


def _load() -> dict:
    global _store
    if _store is None:
        try:
            data = marshal.loads(cache.read(_path()))
            _store = data if isinstance(data, dict) else {}
        except (OSError, ValueError, EOFError, TypeError):
            _store = {}
    return _store


def known(pattern: str, flags: int = 0) -> bool:
    """The cache holds this pattern: a caller that chooses between forms of a pattern by parsing it
    (temporal.with_lead) takes the form it chose before without parsing again."""
    return _sre is not None and (pattern, int(flags)) in _load()


def compile(pattern: str, flags: int = 0) -> re.Pattern:  # noqa: A001 — re.compile's name on purpose
    """re.compile(pattern, flags), from the cache folder when this Python compiled it before."""
    global _new
    if _sre is None or not isinstance(pattern, str):
        return re.compile(pattern, flags)
    flags = int(flags)
    key = (pattern, flags)
    store = _load()
    data = store.get(key)
    if data is not None:
        try:
            rx = _sre.compile(pattern, *data)
            _used.add(key)
            return rx
        except Exception:  # noqa: BLE001 — stale or foreign data: compile anew
            pass
    try:
        parsed = _parser.parse(pattern, flags)
        code = _compiler._code(parsed, flags)
        groupindex = dict(parsed.state.groupdict)
        indexgroup = [None] * parsed.state.groups
        for name, i in groupindex.items():
            indexgroup[i] = name
        data = (int(flags | parsed.state.flags), [int(c) for c in code], parsed.state.groups - 1, groupindex, tuple(indexgroup))
        rx = _sre.compile(pattern, *data)
    except Exception:  # noqa: BLE001 — an engine this module does not know: the public way
        return re.compile(pattern, flags)
    store[key] = data
    _used.add(key)
    _new = True
    return rx


def save() -> None:
    """Keep the patterns this process compiled (called once the pipeline is built); patterns no build
    asks for any more are dropped. A read-only cache folder only means compiling again next time."""
    global _new
    store = _load()
    if not _new and len(store) == len(_used):
        return
    keep = {k: store[k] for k in _used if k in store}
    cache.write(_path(), marshal.dumps(keep))  # the code words are plain ints (the compiler emits named int constants)
    _new = False
