"""The main job: every input file → one record or one error, with a manifest.

Incremental (inputs whose sha256 already has a record are skipped unless forced), crash-safe
(records appended and flushed; a torn last line is dropped on the next start; the manifest is
written atomically), guarded by a lock file, and parallel on one machine (`workers`), with the
output order equal to the input order.
"""
from __future__ import annotations

import datetime as dt
import gc
import hashlib
import itertools
import json
import logging
import os
import sys
import time
from pathlib import Path
from typing import Iterable, Optional

from pipeline import __version__
from pipeline.emit import Output, write_text
from pipeline.errors import OutputLocked, PipelineError
from pipeline.ingest import DEFAULT_MAX_BYTES, discover, read_document
from pipeline.rules import rules_hash

log = logging.getLogger("pipeline")

# ---------------------------------------------------------------- one document (also in worker processes)
_WORKER: dict = {}
YOUNG_COLLECTION_THRESHOLD = 5000  # Python's default is 700


def _init_worker(model: Optional[str]) -> None:
    """Import spaCy and build the pipeline with the garbage collector paused, then freeze what was built.

    Start-up allocates millions of long-lived objects and hardly any cycles: the collector would
    scan them again and again (a quarter of the start-up). Frozen, the pipeline is never scanned
    while it lives, and forked workers do not copy its pages by touching them in a collection.

    A document's objects are nearly all freed by reference counting (cycles are rare): a young
    collection every 700 surviving allocations ran about once per document for nothing, so the
    threshold is raised (peak memory of a 1,000-release run unchanged)."""
    if "nlp" in _WORKER:
        release()
    gc.disable()
    try:
        from pipeline.nlp import build_nlp

        _WORKER["nlp"], _WORKER["backend"] = build_nlp(model)
        warm_up(_WORKER["nlp"], _WORKER["backend"])
    finally:
        gc.freeze()
        gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, *gc.get_threshold()[1:])
        gc.enable()


WARM_UP = ("Goslar, 3. Mai 2021 – Das Niedersächsische Ministerium für Wissenschaft und Kultur fördert das Projekt „Altstadt lebt“ "
           "der Stadt Goslar mit 40.000 Euro aus dem Programm „Zukunftsräume Niedersachsen“. Die Stiftung beteiligt sich.\n")


def warm_up(nlp, backend: str) -> None:
    """One short release through every stage before any input: what the stages load on first use (the relation
    model, cue tables, their patterns) is loaded once here, shared by forked workers, and the patterns compiled
    for it are kept for the next process (regex_cache)."""
    from pipeline import regex_cache
    from pipeline.extract import build_record
    from pipeline.ingest import Document

    try:
        build_record(nlp, Document("warm-up", WARM_UP, "0" * 64, len(WARM_UP.encode()), "utf-8"), backend)
    except Exception:  # noqa: BLE001 — a broken stage shows on the first input, with the input's name
        log.warning("the warm-up release failed", exc_info=True)
    regex_cache.save()


def process(path: str, max_bytes: int, skip: frozenset = frozenset(), out_dir: Optional[str] = None) -> tuple[str, str, str, str, Optional[str]]:
    """(path, kind, payload, sha256, text) where kind is 'record', 'error:<stage>' or 'skip'.

    With out_dir (worker processes on this machine) the text file is written here and text is None:
    the parent then only appends the record line."""
    from pipeline.extract import build_record

    try:
        document = read_document(path, max_bytes=max_bytes)
    except PipelineError as exc:
        return path, "error:ingest", str(exc), "", None
    if document.sha256 in skip:
        return path, "skip", "", document.sha256, None
    try:
        rec = build_record(_WORKER["nlp"], document, _WORKER["backend"])
    except PipelineError as exc:
        return path, "error:extract", str(exc), document.sha256, None
    except ValueError as exc:  # pydantic validation or the offset check
        return path, "error:validate", f"E030 record failed validation: {str(exc).splitlines()[0]}", document.sha256, None
    except Exception as exc:  # noqa: BLE001 — a bad document must not stop the run
        log.exception("extraction failed for %s", path)
        return path, "error:extract", f"E031 unexpected {type(exc).__name__}: {exc}", document.sha256, None
    if out_dir is not None:
        write_text(Path(out_dir), document.sha256, document.text)
        return path, "record", rec.model_dump_json(by_alias=True), document.sha256, None
    return path, "record", rec.model_dump_json(by_alias=True), document.sha256, document.text


# spaCy's string store and tokenizer cache keep every new word they see, so a process that reads
# 100,000 releases would grow by tens of MiB; a fresh pipeline every RECYCLE_EVERY documents keeps the
# peak memory flat in corpus size (rebuilding costs about half a second).
RECYCLE_EVERY = 10_000
# a forked worker is replaced by a new fork of the built pipeline after this many documents: that costs a fork, not a
# build, so it is done often enough that every worker's peak is reached alike in a corpus of 10,000 or of 100,000
FORK_EVERY = 2_000
CHUNK = 8  # documents per task sent to a worker process
# below this many inputs per worker, a worker's start-up (the fork, its own warm-up) costs about what it saves
MIN_INPUTS_PER_WORKER = 64


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, which containers and `taskset` narrow)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def auto_workers(n_inputs: int, cores: Optional[int] = None) -> int:
    """`--workers 0`, the default: one worker per usable core, but no more than the inputs keep busy
    (a handful of releases runs in this process, without a pool)."""
    cores = usable_cores() if cores is None else cores
    return max(1, min(cores, n_inputs // MIN_INPUTS_PER_WORKER))


def recycle(model: Optional[str]) -> None:
    """Replace this process's pipeline by a fresh one and free the old one."""
    _init_worker(model)


def release() -> None:
    """Free this process's pipeline (the report that follows a run then reuses its memory instead of adding to it)."""
    from pipeline.matching import forget

    gc.unfreeze()
    old = _WORKER.pop("nlp", None)
    if old is not None:
        forget(old)
    del old
    gc.collect()


def _recycling(files: Iterable[str], max_bytes: int, skip: frozenset, model: Optional[str]):
    for n, path in enumerate(files):
        if n and n % RECYCLE_EVERY == 0:
            recycle(model)
        yield process(path, max_bytes, skip)


# ---------------------------------------------------------------- output folder state
class Lock:
    """OUT/.lock holds the pid of the run that owns the folder; a stale lock (dead pid) is taken over."""

    def __init__(self, out_dir: Path):
        self.path = out_dir / ".lock"

    def __enter__(self):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(2):
            try:
                fd = os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
                os.write(fd, str(os.getpid()).encode())
                os.close(fd)
                return self
            except FileExistsError:
                try:
                    pid = int(self.path.read_text().strip() or 0)
                except (OSError, ValueError):
                    pid = 0
                if pid and _alive(pid):
                    raise OutputLocked(f"another run (pid {pid}) is writing to {self.path.parent}; wait for it to finish "
                                       f"or choose another --out folder (remove {self.path} only if that process is gone)") from None
                self.path.unlink(missing_ok=True)  # stale lock of a killed run
        raise OutputLocked(f"cannot take the lock {self.path}")

    def __exit__(self, *exc):
        self.path.unlink(missing_ok=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def repair_and_index(records_path: Path, made_otherwise: Optional[set] = None) -> dict[str, str]:
    """sha256 → record_id of the records already written; a torn last line (killed run) is cut off.
    made_otherwise, if given, collects the sha256 of records made by other rules or another version."""
    done: dict[str, str] = {}
    current = (__version__, rules_hash())
    if not records_path.exists():
        return done
    good_end = 0
    with records_path.open("rb") as fh:
        for raw in fh:
            if not raw.endswith(b"\n"):
                break
            try:
                rec = json.loads(raw)
            except ValueError:
                break
            done[rec["source"]["sha256"]] = rec["record_id"]
            if made_otherwise is not None:
                prov = rec.get("provenance") or {}
                if (prov.get("pipeline_version"), prov.get("rules_hash")) != current:
                    made_otherwise.add(rec["source"]["sha256"])
            good_end += len(raw)
    if good_end != records_path.stat().st_size:
        log.warning("dropping a torn last line of %s (an interrupted run)", records_path)
        with records_path.open("r+b") as fh:
            fh.truncate(good_end)
    return done


def drop_records(records_path: Path, shas: set[str]) -> None:
    """Remove the records of these inputs (for --force), atomically."""
    if not shas or not records_path.exists():
        return
    tmp = records_path.with_suffix(".jsonl.tmp")
    with records_path.open(encoding="utf-8") as src, tmp.open("w", encoding="utf-8") as dst:
        for line in src:
            if json.loads(line)["source"]["sha256"] not in shas:
                dst.write(line)
    os.replace(tmp, records_path)


# ---------------------------------------------------------------- the run
def run(paths: list[str], out_dir: str, model: Optional[str] = None, max_bytes: int = DEFAULT_MAX_BYTES,
        progress: Optional[bool] = None, force: bool = False, workers: int = 1, report: bool = False,
        dask: Optional[str] = None) -> dict:
    """workers: processes on this machine (or the LocalCluster's with dask='local'); 0 chooses (auto_workers)."""
    if workers < 0:
        raise PipelineError(f"E071 --workers must be 0 (one per core) or a positive number, not {workers}")
    started = time.perf_counter()
    out_path = Path(out_dir)
    with Lock(out_path):
        files, missing = discover(paths)
        records_path = out_path / "records.jsonl"
        made_otherwise: set[str] = set()
        done = repair_and_index(records_path, made_otherwise)
        if force and done:
            drop_records(records_path, {hashlib.sha256(Path(f).read_bytes()).hexdigest() for f in files if _readable(f)} & set(done))
            made_otherwise = set()
            done = repair_and_index(records_path, made_otherwise)
        skip = frozenset(done)
        if workers == 0:
            workers = auto_workers(len(files))  # skipped inputs are known only once read: counted as work
        out = Output(out_path)
        for path, reason in missing:
            out.error(path, "discover", reason)
        show = sys.stderr.isatty() if progress is None else progress
        bar = None
        if show:
            from tqdm import tqdm

            bar = tqdm(total=len(files), unit="doc", desc="extracting", file=sys.stderr)
        skipped = 0
        if dask:
            backend, skipped = _run_on_dask(dask, files, max_bytes, skip, model, workers, out, bar)
        elif workers > 1 and len(files) > 1:
            backend, skipped = _run_in_workers(files, max_bytes, skip, str(out_path), model, workers, out, bar)
        else:
            _init_worker(model)  # frozen: the built pipeline lives until it is recycled, no need to scan it
            backend = _WORKER["backend"]
            skipped = _consume(_recycling(files, max_bytes, skip, model), out, bar)
        if bar is not None:
            bar.close()
        elapsed = time.perf_counter() - started
        total_records = len(done) + out.n_records  # counted, not re-read: memory stays flat in corpus size
        manifest = {
            "pipeline_version": __version__,
            "nlp_backend": backend,
            "rules_hash": rules_hash(),
            "inputs": len(files) + len(missing),
            "records": out.n_records,
            "skipped_already_done": skipped,
            "errors": out.n_errors,
            "errors_by_stage": out.error_reasons,
            "records_in_folder": total_records,
            # skipped inputs keep their records: made by other rules or another version, they are stale until --force
            "records_made_by_other_rules": len(made_otherwise),
            "workers": workers,
            "seconds": round(elapsed, 3),
            "finished_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
            "texts": "texts/<sha256>.txt holds the ingested text each record's offsets refer to",
        }
        out.close(manifest)
        files.close()
        # the report that follows reuses the pipeline's memory. Kept after forked workers, it cost the report's peak at
        # 100,000 records 5.6 MiB (153.6 instead of 148.0, +9.1 % over 10,000): more than the 0.07 s the collection takes
        release()
        if report:
            from pipeline.report import write_report

            write_report(out_path, workers=workers)
        return manifest


def _run_in_workers(files: Iterable[str], max_bytes: int, skip: frozenset, out_dir: str, model: Optional[str],
                    workers: int, out: Output, bar) -> tuple[str, int]:
    """The inputs in worker processes on this machine, their results written in input order (pipeline.workers)."""
    import multiprocessing as mp

    from pipeline.workers import Workers

    settings = (max_bytes, skip, out_dir)  # given to each worker once, not with every input
    if sys.platform.startswith("linux"):
        # build once, then fork: the workers share the built pipeline copy-on-write, and one is replaced after
        # FORK_EVERY inputs by a new fork of the untouched pipeline
        _init_worker(model)  # frozen: the collector keeps off the shared pages (no copy-on-write storm)
        _WORKER["settings"] = settings
        ctx, init, init_args, quota = mp.get_context("fork"), None, (), FORK_EVERY
    else:  # each worker builds its own pipeline, and is replaced by a new build after RECYCLE_EVERY inputs
        ctx, init, init_args, quota = mp.get_context("spawn"), _start_spawned, (model, settings), RECYCLE_EVERY
    seen = {"backend": _WORKER.get("backend", "?")}

    def results(pairs):
        for result, backend in pairs:
            seen["backend"] = backend or seen["backend"]
            yield result

    with Workers(workers, _extract_in_worker, _worker_died, ctx, quota, CHUNK, init, init_args) as pool:
        skipped = _consume(results(pool.map(files)), out, bar)
    return seen["backend"], skipped


def _extract_in_worker(path: str) -> tuple[tuple, str]:
    """A worker's job: one input, with the run's settings (a forked worker inherits them, a spawned one is given them)."""
    return process(path, *_WORKER["settings"]), _WORKER["backend"]


def _start_spawned(model: Optional[str], settings: tuple) -> None:
    _WORKER["settings"] = settings
    _init_worker(model)


def _worker_died(path: str, reason: str) -> tuple[tuple, None]:
    """The answer for an input that a worker process died on twice, the second time with this input alone."""
    return (path, "error:extract", f"E032 the worker process died while extracting this input ({reason}), also when "
            "it was tried again alone; the other inputs were not affected", "", None), None


def _dask_process(path: str, max_bytes: int, skip: frozenset, model: Optional[str]):
    """A task on a Dask worker: the worker process builds its pipeline once, on its first task."""
    if "nlp" not in _WORKER:
        _init_worker(model)
    return process(path, max_bytes, skip), _WORKER["backend"]


def _run_on_dask(address: str, files: Iterable[str], max_bytes: int, skip: frozenset, model: Optional[str],
                 workers: int, out: Output, bar) -> tuple[str, int]:
    """The same stages on a Dask cluster ('local' starts a LocalCluster); results are written in input order.

    The input files must be readable by the workers under the same paths (a shared file system)."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise PipelineError("E070 --dask needs the dask extra: pip install 'pressrecords[dask]'") from None
    cluster = LocalCluster(n_workers=max(1, workers), threads_per_worker=1, processes=True, dashboard_address=None) if address == "local" else None
    client = Client(cluster if cluster is not None else address)
    backend = "?"
    skipped = 0
    try:
        batch = 256  # bounded memory: submit and collect in slices, in order
        paths = iter(files)
        # the sha256 of the records already made go to each worker once, not with every input
        [skip_on_workers] = client.scatter([skip], broadcast=True, hash=False)
        while chunk := list(itertools.islice(paths, batch)):
            futures = client.map(_dask_process, chunk, max_bytes=max_bytes, skip=skip_on_workers, model=model, pure=False)
            results = []
            for fut in futures:
                result, backend = fut.result()
                results.append(result)
            skipped += _consume(results, out, bar)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
    return backend, skipped


def _readable(path: str) -> bool:
    try:
        return Path(path).is_file()
    except OSError:
        return False


def _consume(results, out: Output, bar) -> int:
    skipped = 0
    for path, kind, payload, sha, text in results:
        if kind == "record":
            out.record_json(payload, sha, text)
        elif kind == "skip":
            skipped += 1
        else:
            out.error(path, kind.split(":", 1)[1], payload)
        if bar is not None:
            bar.update(1)
    return skipped
