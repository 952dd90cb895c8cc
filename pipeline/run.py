"""The main job: every input file → one record or one error, with a manifest."""
from __future__ import annotations

import datetime as dt
import logging
import sys
import time
from pathlib import Path
from typing import Optional

from pipeline import __version__
from pipeline.emit import Output
from pipeline.errors import PipelineError
from pipeline.extract import build_record
from pipeline.ingest import DEFAULT_MAX_BYTES, discover, read_document
from pipeline.nlp import build_nlp
from pipeline.rules import rules_hash

log = logging.getLogger("pipeline")


def run(paths: list[str], out_dir: str, model: Optional[str] = None, max_bytes: int = DEFAULT_MAX_BYTES,
        progress: Optional[bool] = None) -> dict:
    started = time.perf_counter()
    nlp, backend = build_nlp(model)
    files, missing = discover(paths)
    out = Output(out_dir)
    for path, reason in missing:
        out.error(path, "discover", reason)
    show = sys.stderr.isatty() if progress is None else progress
    iterator = files
    if show:
        from tqdm import tqdm

        iterator = tqdm(files, unit="doc", desc="extracting", file=sys.stderr)
    for path in iterator:
        try:
            document = read_document(path, max_bytes=max_bytes)
        except PipelineError as exc:
            out.error(path, "ingest", str(exc))
            continue
        try:
            rec = build_record(nlp, document, backend)
        except PipelineError as exc:
            out.error(path, "extract", str(exc))
            continue
        except ValueError as exc:  # pydantic validation or offset check
            out.error(path, "validate", f"E030 record failed validation: {exc}".splitlines()[0])
            continue
        except Exception as exc:  # noqa: BLE001 — a bad document must not stop the run
            log.exception("extraction failed for %s", path)
            out.error(path, "extract", f"E031 unexpected {type(exc).__name__}: {exc}")
            continue
        out.record(rec, document.text)
    elapsed = time.perf_counter() - started
    manifest = {
        "pipeline_version": __version__,
        "nlp_backend": backend,
        "rules_hash": rules_hash(),
        "inputs": len(files) + len(missing),
        "records": out.n_records,
        "errors": out.n_errors,
        "errors_by_stage": out.error_reasons,
        "seconds": round(elapsed, 3),
        "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "texts": "texts/<sha256>.txt holds the ingested text each record's offsets refer to",
    }
    out.close(manifest)
    return manifest
