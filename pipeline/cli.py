"""Command line (typer, like spaCy's CLI): thin wrappers around plain functions."""
from __future__ import annotations

import atexit
import gc
import json
import logging
from pathlib import Path
from typing import List, Optional

import typer

app = typer.Typer(add_completion=False, no_args_is_help=True,
                  help="Turn German press releases into structured records with provenance.")


def main(prog_name: Optional[str] = None) -> None:
    """The command line as a program (`pressrecords`, `python -m pipeline`).

    When a command is done, the objects it leaves are frozen before the interpreter ends: its last collection
    then skips them instead of scanning them all (0.15 s at the end of every run, a sixth of a 2-worker run's
    serial time). Only here, not in `app`: frozen objects are never collected, which a process that goes on
    (a test calling the commands) must not pay for."""
    atexit.register(gc.freeze)
    app(prog_name=prog_name)


@app.command("run")
def run_cli(
    paths: List[Path] = typer.Argument(..., help="Release files or folders (searched recursively; folders named 'gold' are skipped)."),
    out: Path = typer.Option(Path("outputs"), "--out", "-o", help="Output folder: records.jsonl, errors.jsonl, manifest.json, texts/."),
    model: Optional[str] = typer.Option(None, "--model", "-m", help="spaCy pipeline to use (package name or path). Default: de_core_news_sm if installed, else the built-in blank German pipeline."),
    max_bytes: int = typer.Option(20 * 1024 * 1024, "--max-bytes", help="Inputs larger than this many bytes become errors."),
    progress: Optional[bool] = typer.Option(None, "--progress/--no-progress", help="Show a progress bar with documents/s and ETA (default: only on a terminal)."),
    force: bool = typer.Option(False, "--force", help="Re-do inputs that already have a record in OUT (default: skip them by sha256)."),
    workers: int = typer.Option(0, "--workers", "-w", min=0, help="Worker processes on this machine; records keep the input order. 0 (default): one per usable core, fewer when there are under 64 inputs per worker."),
    report: bool = typer.Option(True, "--report/--no-report", help="Write OUT/report.html and OUT/report.md at the end."),
    dask: Optional[str] = typer.Option(None, "--dask", help="Run the stages on a Dask cluster: a scheduler address (tcp://host:8786) or 'local' for a LocalCluster with --workers processes. Inputs must be readable by the workers."),
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log the NLP backend and pipeline steps."),
):
    """Extract records from every release under PATHS into OUT (incremental: known inputs are skipped)."""
    from pipeline.errors import PipelineError
    from pipeline.run import run

    logging.basicConfig(level=logging.INFO if verbose else logging.WARNING, format="%(levelname)s %(message)s")
    try:
        manifest = run([str(p) for p in paths], str(out), model=model, max_bytes=max_bytes, progress=progress,
                       force=force, workers=workers, report=report, dask=dask)
    except PipelineError as exc:
        typer.echo(str(exc), err=True)
        raise typer.Exit(2)
    typer.echo(f"{manifest['records']} records, {manifest['errors']} errors, {manifest['skipped_already_done']} already done "
               f"from {manifest['inputs']} inputs in {manifest['seconds']} s (backend {manifest['nlp_backend']}) → {out}")
    if manifest.get("records_made_by_other_rules"):
        typer.echo(f"note: {manifest['records_made_by_other_rules']} records in {out} were made by other rules or another "
                   f"pipeline version (provenance.rules_hash); run with --force to re-do their inputs", err=True)


@app.command("eval")
def eval_cli(
    records: Path = typer.Argument(..., help="records.jsonl written by `run`."),
    gold: Path = typer.Option(..., "--gold", "-g", help="Folder of gold JSON files (annotation guidelines format)."),
    as_json: bool = typer.Option(False, "--json", help="Print the scores as JSON."),
    show_errors: bool = typer.Option(False, "--errors", help="List missed and extra items per type."),
):
    """Score RECORDS against the gold files: per-type precision, recall, F1."""
    from pipeline.eval import evaluate, format_table

    if not records.is_file():
        typer.echo(f"E051 no records file {records}: run `python -m pipeline run PATH --out FOLDER` and pass FOLDER/records.jsonl.", err=True)
        raise typer.Exit(2)
    if not gold.is_dir() or not any(gold.glob("*.json")):
        typer.echo(f"E052 no gold files (*.json) in {gold}.", err=True)
        raise typer.Exit(2)
    result = evaluate(gold, records)
    if as_json:
        typer.echo(json.dumps(result if show_errors else {k: v for k, v in result.items() if k != "errors"}, ensure_ascii=False, indent=2))
        return
    typer.echo(format_table(result))
    if show_errors:
        for kind, items in result["errors"].items():
            for item in items:
                typer.echo(f"  [{kind}] {item}")


@app.command("report")
def report_cli(
    out: Path = typer.Argument(..., help="Output folder of a `run` (records.jsonl, errors.jsonl, manifest.json, texts/)."),
    documents: int = typer.Option(1000, "--documents", "-n", min=0, help="Show the first N releases with their text and tables (summary and review always cover all)."),
    workers: int = typer.Option(0, "--workers", "-w", min=0, help="Processes that render the releases (0, the default: one per usable core)."),
):
    """Write OUT/report.html (self-contained, for reviewers) and OUT/report.md (for terminals)."""
    from pipeline.report import write_report
    from pipeline.run import usable_cores

    try:
        html_path, md_path = write_report(out, max_documents=documents, workers=workers or usable_cores())
    except FileNotFoundError as exc:
        typer.echo(f"E050 no run output in {out}: {exc}. Run `python -m pipeline run PATH --out {out}` first.", err=True)
        raise typer.Exit(2)
    typer.echo(f"{html_path}\n{md_path}")


@app.command("load")
def load_cli(
    records: Path = typer.Argument(..., help="records.jsonl written by `run`."),
    db: str = typer.Option("sqlite:///outputs/records.db", "--db", help="Database URL: sqlite:///path.db (default) or postgresql://user@host/db."),
    atomic: bool = typer.Option(True, "--atomic/--per-record", help="One transaction for the whole file (default), or one per record."),
):
    """Load records into a normalised database; loading again leaves no duplicates."""
    from pipeline.load import load_records

    try:
        counts = load_records(records, db, atomic=atomic)
    except (ValueError, FileNotFoundError) as exc:
        typer.echo(f"E060 {exc}", err=True)
        raise typer.Exit(2)
    typer.echo(", ".join(f"{table}: {n}" for table, n in counts.items()))


@app.command("schema")
def schema_cli():
    """Print the JSON Schema of a record."""
    from pipeline.records import Record

    typer.echo(json.dumps(Record.model_json_schema(by_alias=True), ensure_ascii=False, indent=2))


if __name__ == "__main__":
    app()
