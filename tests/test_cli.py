"""The typer CLI: schema, run, eval, and a clear error for a missing model."""
from __future__ import annotations

import json

from typer.testing import CliRunner

from conftest import ROOT
from pipeline.cli import app

runner = CliRunner()


def test_schema_is_json_schema():
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    assert "record_id" in schema["properties"] and "towns" in schema["properties"]


def test_run_and_eval(tmp_path):
    result = runner.invoke(app, ["run", str(ROOT / "corpus"), "--out", str(tmp_path), "--no-progress"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["eval", str(tmp_path / "records.jsonl"), "--gold", str(ROOT / "corpus" / "gold"), "--json"])
    assert result.exit_code == 0
    assert set(json.loads(result.stdout)["types"]) >= {"towns", "institutions", "programmes", "projects", "dates"}


def test_missing_model_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["run", str(ROOT / "corpus"), "--out", str(tmp_path), "--model", "de_no_such_model"])
    assert result.exit_code == 2
    assert "E012" in result.output and "spacy download de_no_such_model" in result.output


def test_eval_without_records_or_gold_is_a_clear_error(tmp_path):
    result = runner.invoke(app, ["eval", str(tmp_path / "records.jsonl"), "--gold", str(ROOT / "corpus" / "gold")])
    assert result.exit_code == 2 and "E051" in result.output and "Traceback" not in result.output
    (tmp_path / "records.jsonl").write_text("", encoding="utf-8")
    result = runner.invoke(app, ["eval", str(tmp_path / "records.jsonl"), "--gold", str(tmp_path)])
    assert result.exit_code == 2 and "E052" in result.output


def test_eval_errors_list_relations(tmp_path):
    result = runner.invoke(app, ["run", str(ROOT / "corpus"), "--out", str(tmp_path), "--no-progress"])
    assert result.exit_code == 0, result.output
    result = runner.invoke(app, ["eval", str(tmp_path / "records.jsonl"), "--gold", str(ROOT / "corpus" / "gold"), "--errors"])
    assert result.exit_code == 0
    rel_lines = [ln for ln in result.output.splitlines() if ln.strip().startswith("[relations]")]
    assert rel_lines and all(" missed " in ln or " extra " in ln for ln in rel_lines)
    assert all(" -> " in ln for ln in rel_lines)


def test_run_notes_records_made_by_other_rules(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "a.txt").write_text((ROOT / "corpus" / "101_weil-am-rhein-schattenband.txt").read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "out"
    assert runner.invoke(app, ["run", str(src), "--out", str(out), "--no-progress", "--no-report"]).exit_code == 0
    rec = json.loads((out / "records.jsonl").read_text(encoding="utf-8"))
    rec["provenance"]["rules_hash"] = "0000000000000000"
    (out / "records.jsonl").write_text(json.dumps(rec, ensure_ascii=False) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["run", str(src), "--out", str(out), "--no-progress", "--no-report"])
    assert result.exit_code == 0
    assert "1 records in" in result.output and "--force" in result.output


def test_the_program_freezes_what_a_command_leaves_before_the_interpreter_ends():
    """`python -m pipeline` and `pressrecords` go through main: at exit the objects are frozen (the last collection
    skips them); calling `app` in a process that goes on (as these tests do) freezes nothing."""
    import subprocess
    import sys

    code = ("import atexit, gc, sys; import pipeline.cli as cli; cli.app = lambda **kw: None; "
            "before = gc.get_freeze_count(); cli.main(); atexit._run_exitfuncs(); "
            "print(before, gc.get_freeze_count() > before)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True).stdout.split()
    assert out == ["0", "True"]
    import gc

    frozen = gc.get_freeze_count()
    assert runner.invoke(app, ["schema"]).exit_code == 0
    assert gc.get_freeze_count() == frozen
