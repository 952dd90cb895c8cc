"""Ingest: find input files and turn each into the text that all offsets refer to.

The ingested text is the decoded file with the byte-order mark removed, line ends made
"\n" and NUL bytes dropped; it is stored beside the records so offsets stay checkable.
"""
from __future__ import annotations

import hashlib
import os
import re
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

from pipeline.errors import IngestError

SUPPORTED_SUFFIXES = {".txt", ".md", ".html", ".htm", ".pdf"}
DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Document:
    path: str
    text: str
    sha256: str
    bytes: int
    encoding: str
    meta: dict = field(default_factory=dict)  # title/date from HTML metadata, page count of a PDF

    @property
    def name(self) -> str:
        return os.path.basename(self.path)


class InputList:
    """The input paths of a run, kept in an unnamed temporary file rather than a list: a folder of a million
    releases costs the running process no memory for its paths. Iterations are independent (each reads with
    its own offset), and paths that are not valid UTF-8 come back as they were found (os.fsencode)."""

    BLOCK = 1 << 20

    def __init__(self, paths: Iterable[str] = ()):
        self._file = tempfile.TemporaryFile()
        self._n = 0
        for path in paths:
            self.append(path)

    def append(self, path: str) -> None:
        self._file.write(os.fsencode(path) + b"\0")  # no path holds a NUL byte
        self._n += 1

    def __len__(self) -> int:
        return self._n

    def __iter__(self) -> Iterator[str]:
        self._file.flush()
        fd, offset, rest = self._file.fileno(), 0, b""
        while True:
            block = os.pread(fd, self.BLOCK, offset)
            if not block:
                return
            offset += len(block)
            *names, rest = (rest + block).split(b"\0")
            for name in names:
                yield os.fsdecode(name)

    def close(self) -> None:
        self._file.close()


def discover(paths: list[str | Path], exclude_dirs: tuple[str, ...] = ("gold",)) -> tuple[InputList, list[tuple[str, str]]]:
    """Expand files and folders (recursively) into input files, in a stable order (each folder's names sorted).

    Returns the files and a list of (path, reason) for paths that cannot be used.
    Folders named like `gold` hold annotations, not releases, and are skipped.
    """
    found = InputList()
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


def html_text(data: bytes) -> tuple[str, str, dict]:
    """Main text of a web page (trafilatura), with its title and date metadata."""
    import trafilatura

    raw, encoding = decode(data)
    doc = trafilatura.bare_extraction(raw, with_metadata=True, include_comments=False, include_tables=True)
    if doc is None or not (doc.text or "").strip():
        raise IngestError("the HTML page has no main text that could be extracted")
    meta = {k: getattr(doc, k) for k in ("title", "date", "sitename") if getattr(doc, k, None)}
    text = doc.text
    if doc.title and not text.startswith(doc.title):
        text = doc.title + "\n\n" + text
    return text, encoding, meta


def pdf_text(data: bytes) -> tuple[str, str, dict]:
    """Text of a PDF (pypdf), page by page, without repeated page headers and footers."""
    import io

    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(io.BytesIO(data))
        pages = [(page.extract_text() or "") for page in reader.pages]
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise IngestError(f"the PDF cannot be read (truncated or damaged?): {exc}") from None
    if not any(p.strip() for p in pages):
        raise IngestError("the PDF has no text layer (a scan?); OCR it first")
    pages = strip_page_furniture(pages)
    return "\n\n".join(pages), "pdf", {"pages": len(pages)}


def strip_page_furniture(pages: list[str]) -> list[str]:
    """Drop lines that repeat at the top or bottom of most pages, and bare page numbers."""
    if len(pages) < 2:
        return pages
    from collections import Counter

    def edge_lines(page):
        lines = [ln.strip() for ln in page.splitlines() if ln.strip()]
        return set(lines[:2] + lines[-2:])

    counts = Counter(line for page in pages for line in edge_lines(page))
    repeated = {line for line, n in counts.items() if n >= max(2, len(pages) // 2)}
    page_number = re.compile(r"^(?:Seite\s*)?\d+\s*(?:/|von)\s*\d+$|^-?\s*\d+\s*-?$")
    return ["\n".join(ln for ln in page.splitlines() if ln.strip() not in repeated and not page_number.match(ln.strip()))
            for page in pages]


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
    suffix = p.suffix.lower()
    meta: dict = {}
    if suffix in (".html", ".htm"):
        text, encoding, meta = html_text(data)
    elif suffix == ".pdf":
        if not data.startswith(b"%PDF"):
            raise IngestError("the file is not a PDF (no %PDF header)")
        text, encoding, meta = pdf_text(data)
    else:
        if b"\x00" in data[:4096] and not data.startswith((b"\xff\xfe", b"\xfe\xff")) and data.count(b"\x00") > len(data) // 10:
            raise IngestError("the file looks binary (many NUL bytes), not a text release")
        text, encoding = decode(data)
    text = normalise(text)
    if not text.strip():
        raise IngestError("the file has no text after decoding")
    return Document(path=str(path), text=text, sha256=hashlib.sha256(data).hexdigest(), bytes=len(data), encoding=encoding, meta=meta)


BOILERPLATE_LINE = re.compile(
    r"^\s*(?:Seite\s+\d+\s*(?:/|von)\s*\d+|\d+\s*/\s*\d+|Copyright\b.*|©.*|Adresse:\s*|<?https?://\S+>?|"
    r"(?:Diese Website|Wir) (?:verwendet|verwenden) Cookies.*|Cookie-Einstellungen.*|Alle Cookies akzeptieren.*)\s*$", re.I)


def boilerplate_mask(text: str) -> str:
    """The text with boilerplate lines blanked (same length, line breaks kept), so offsets still fit.

    Page lines ("Seite 1 / 3"), copyright and cookie lines, bare URLs, and every repeat of a line
    that occurs more than once (page headers) are blanked; the first occurrence of a repeated line stays.
    """
    out = []
    seen: set[str] = set()
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\n")
        key = body.strip()
        blank = bool(key) and (BOILERPLATE_LINE.match(body) is not None or (key in seen and len(key) > 3))
        if key:
            seen.add(key)
        out.append(re.sub(r"[^\n]", " ", line) if blank else line)
    return "".join(out)


LONG_RUN = re.compile(r"\S{200,}")


def analysis_copy(text: str) -> str:
    """What the NLP stages read: boilerplate blanked and runs of 200+ non-space characters broken
    by a space every 100 characters (spaCy's tokenizer is quadratic on such runs; no word is that
    long). Same length as the stored text, so every offset still fits it."""
    masked = boilerplate_mask(text)
    # the longest run of non-space characters, by str.split (the same white space as the regex's \s,
    # about three times faster than searching for \S{200,} at every position)
    if max(map(len, masked.split()), default=0) < 200:
        return masked
    chars = list(masked)
    for m in LONG_RUN.finditer(masked):
        for i in range(m.start() + 100, m.end(), 100):
            chars[i] = " "
    return "".join(chars)
