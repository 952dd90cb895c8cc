"""Ingest: find input files and turn each into the text that all offsets refer to.

The ingested text is the decoded file with the byte-order mark removed, line ends made
"\n" and NUL bytes dropped; it is stored beside the records so offsets stay checkable.
"""
from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path

from pipeline.errors import IngestError

SUPPORTED_SUFFIXES = {".txt"}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Document:
    path: str
    text: str
    sha256: str
    bytes: int
    encoding: str

    @property
    def name(self) -> str:
        return os.path.basename(self.path)


def discover(paths: list[str | Path], exclude_dirs: tuple[str, ...] = ("gold",)) -> tuple[list[str], list[tuple[str, str]]]:
    """Expand files and folders (recursively) into input files, in a stable order.

    Returns the files and a list of (path, reason) for paths that cannot be used.
    Folders named like `gold` hold annotations, not releases, and are skipped.
    """
    found: list[str] = []
    problems: list[tuple[str, str]] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, files in os.walk(path, followlinks=False):
                dirs[:] = sorted(d for d in dirs if d not in exclude_dirs and not d.startswith("."))
                for name in sorted(files):
                    if Path(name).suffix.lower() in SUPPORTED_SUFFIXES:
                        found.append(str(Path(root) / name))
        elif path.is_file():
            found.append(str(path))
        else:
            problems.append((str(path), "E011 no such file or folder"))
    return found, problems


def decode(data: bytes) -> tuple[str, str]:
    """Decode bytes: UTF-8 (with or without BOM) first, else charset-normalizer's best guess."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16"), "utf-16"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(data).best()
    if best is None:
        raise IngestError("the file is not text in any known encoding (binary?)")
    return str(best), best.encoding


def normalise(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")


def read_document(path: str, max_bytes: int = DEFAULT_MAX_BYTES) -> Document:
    p = Path(path)
    if p.suffix.lower() not in SUPPORTED_SUFFIXES:
        raise IngestError(f"unsupported file type '{p.suffix}': supported are {', '.join(sorted(SUPPORTED_SUFFIXES))}")
    try:
        size = p.stat().st_size
        if size > max_bytes:
            raise IngestError(f"file is {size} bytes, over the limit of {max_bytes} (raise it with --max-bytes)")
        data = p.read_bytes()
    except PermissionError:
        raise IngestError("permission denied: the file cannot be read") from None
    except OSError as exc:
        raise IngestError(f"the file cannot be read: {exc.strerror or exc}") from None
    if not data.strip():
        raise IngestError("the file is empty")
    if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")) and data.count(b"\x00") > len(data) // 10:
        raise IngestError("the file looks binary (many NUL bytes), not a text release")
    text, encoding = decode(data)
    text = normalise(text)
    if not text.strip():
        raise IngestError("the file has no text after decoding")
    return Document(path=str(path), text=text, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data), encoding=encoding)
