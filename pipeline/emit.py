"""Emit: records.jsonl, errors.jsonl, the ingested texts and manifest.json in the output folder.

Records and errors are appended line by line and flushed; the manifest is written atomically
(temp file + rename). Every input file ends as exactly one record or one error.
"""
from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Iterator, Optional, TextIO

from pipeline.records import Record


class Output:
    def __init__(self, out_dir: str | Path):
        self.dir = Path(out_dir)
        (self.dir / "texts").mkdir(parents=True, exist_ok=True)
        self.records = (self.dir / "records.jsonl").open("a", encoding="utf-8")  # cumulative over runs
        self.errors = (self.dir / "errors.jsonl").open("w", encoding="utf-8")  # this run's failures
        self.n_records = 0
        self.n_errors = 0
        self.error_reasons: dict[str, int] = {}

    def record(self, rec: Record, text: str) -> None:
        self.record_json(rec.model_dump_json(by_alias=True), rec.source.sha256, text)

    def record_json(self, line: str, sha256: str, text: Optional[str]) -> None:
        """Write the ingested text first, then the record line, flushed: a crash never leaves a record without its text.

        text is None when a worker process has already written it (write_text)."""
        if text is not None:
            write_text(self.dir, sha256, text)
        self.records.write(line + "\n")
        self.records.flush()
        self.n_records += 1

    def error(self, file: str, stage: str, reason: str) -> None:
        self.errors.write(json.dumps({"file": file, "stage": stage, "reason": reason}, ensure_ascii=False) + "\n")
        self.errors.flush()
        self.n_errors += 1
        self.error_reasons[stage] = self.error_reasons.get(stage, 0) + 1

    def close(self, manifest: dict) -> None:
        self.records.close()
        self.errors.close()
        write_atomic(self.dir / "manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2) + "\n")


def write_text(out_dir: Path, sha256: str, text: str) -> None:
    """OUT/texts/<sha256>.txt, the ingested text the offsets refer to; written once, atomically."""
    path = Path(out_dir) / "texts" / f"{sha256}.txt"
    if not path.exists():
        tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")  # workers may write the same text at once
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)


def write_atomic(path: Path, content: str) -> None:
    with atomic_writer(path) as fh:
        fh.write(content)


@contextlib.contextmanager
def atomic_writer(path: Path) -> Iterator[TextIO]:
    """A text file written under a temporary name and renamed into place when complete: readers see the old
    file or the whole new one, and a failure while writing leaves no partial file behind."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
