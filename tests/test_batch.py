"""Batch behaviour: incremental runs, --force, crash repair, the lock, workers, real-world inputs."""
from __future__ import annotations

import functools
import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import ROOT
from pipeline.errors import OutputLocked, PipelineError
from pipeline.extract import build_record
from pipeline.ingest import Document, InputList, boilerplate_mask, discover, read_document
from pipeline.run import MIN_INPUTS_PER_WORKER, Lock, auto_workers, repair_and_index, run, usable_cores

RELEASE = "Goslar, 3. Mai 2021 – Die Stadt Goslar erhält Fördermittel des Landes Niedersachsen für das Projekt „Altstadt lebt“."


def few_corpus_files(tmp_path: Path, n: int = 4) -> Path:
    src = tmp_path / "in"
    src.mkdir()
    for p in sorted((ROOT / "corpus").glob("*.txt"))[:n]:
        shutil.copy(p, src / p.name)
    return src


def lines(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_incremental_force_and_changed_files(tmp_path):
    src, out = few_corpus_files(tmp_path), tmp_path / "out"
    first = run([str(src)], str(out), progress=False)
    assert first["records"] == 4 and first["skipped_already_done"] == 0
    second = run([str(src)], str(out), progress=False)
    assert second["records"] == 0 and second["skipped_already_done"] == 4
    assert len(lines(out / "records.jsonl")) == 4
    forced = run([str(src)], str(out), progress=False, force=True)
    assert forced["records"] == 4 and len(lines(out / "records.jsonl")) == 4
    changed = sorted(src.glob("*.txt"))[0]
    changed.write_text(changed.read_text(encoding="utf-8") + "\nNachtrag: Die Stadt Goslar dankt.", encoding="utf-8")
    third = run([str(src)], str(out), progress=False)
    assert third["records"] == 1 and third["skipped_already_done"] == 3
    assert len(lines(out / "records.jsonl")) == 5  # the changed file got a new record


def test_records_made_by_other_rules_are_counted_until_forced(tmp_path):
    """A skipped input keeps its record; if other rules made it, the run says so (and --force re-does it)."""
    src, out = few_corpus_files(tmp_path, 2), tmp_path / "out"
    run([str(src)], str(out), progress=False)
    records = out / "records.jsonl"
    recs = lines(records)
    recs[0]["provenance"]["rules_hash"] = "0000000000000000"  # as if written before a rules change
    records.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in recs), encoding="utf-8")
    again = run([str(src)], str(out), progress=False)
    assert again["skipped_already_done"] == 2 and again["records_made_by_other_rules"] == 1
    assert run([str(src)], str(out), progress=False, force=True)["records_made_by_other_rules"] == 0


def test_a_torn_last_line_is_repaired_and_every_record_written_once(tmp_path):
    src, out = few_corpus_files(tmp_path), tmp_path / "out"
    run([str(src)], str(out), progress=False)
    records = out / "records.jsonl"
    data = records.read_bytes()
    records.write_bytes(data[: len(data) - 200])  # as if killed while writing the last record
    assert len(repair_and_index(records)) == 3
    manifest = run([str(src)], str(out), progress=False)
    assert manifest["records"] == 1
    ids = [r["record_id"] for r in lines(records)]
    assert len(ids) == len(set(ids)) == 4


def test_a_second_run_on_the_same_folder_is_refused(tmp_path):
    out = tmp_path / "out"
    with Lock(out):
        with pytest.raises(OutputLocked, match="another run"):
            run([str(few_corpus_files(tmp_path, 1))], str(out), progress=False)
    (out / ".lock").write_text("999999999")  # a stale lock of a killed run is taken over
    assert run([str(tmp_path / "in")], str(out), progress=False)["records"] == 1


def test_two_workers_give_the_same_records_in_the_same_order(tmp_path):
    src = few_corpus_files(tmp_path, 8)
    run([str(src)], str(tmp_path / "one"), progress=False)
    run([str(src)], str(tmp_path / "two"), progress=False, workers=2)
    strip = lambda r: {k: v for k, v in r.items() if k != "provenance"}  # noqa: E731
    assert [strip(r) for r in lines(tmp_path / "one" / "records.jsonl")] == [strip(r) for r in lines(tmp_path / "two" / "records.jsonl")]


def test_auto_workers_one_per_core_when_the_inputs_keep_them_busy(tmp_path):
    n = MIN_INPUTS_PER_WORKER
    assert auto_workers(10 * n, cores=4) == 4
    assert auto_workers(2 * n + 1, cores=4) == 2  # two workers' worth of inputs
    assert auto_workers(n - 1, cores=4) == 1 and auto_workers(0, cores=4) == 1  # a handful runs in this process
    assert auto_workers(10 * n, cores=1) == 1
    assert 1 <= usable_cores() <= (os.cpu_count() or 1)
    # 0 is the command's default; the manifest says how many ran
    assert run([str(few_corpus_files(tmp_path, 2))], str(tmp_path / "out"), progress=False, workers=0)["workers"] == 1
    with pytest.raises(PipelineError, match="E071"):
        run([str(tmp_path / "in")], str(tmp_path / "neg"), progress=False, workers=-1)


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "cp1252", "latin-1"])
def test_encodings(tmp_path, encoding):
    path = tmp_path / f"release-{encoding}.txt"
    path.write_bytes(RELEASE.replace("–", "-").replace("„", '"').replace("“", '"').encode(encoding))
    doc = read_document(str(path))
    assert "Goslar" in doc.text and "Fördermittel" in doc.text
    assert doc.encoding.replace("_", "-").lower().startswith(("utf", "cp", "windows", "latin", "iso"))


def test_crlf_and_nul_bytes(tmp_path):
    path = tmp_path / "crlf.txt"
    path.write_bytes(RELEASE.encode("utf-8").replace(b" erh", b"\r\n erh") + b"\x00")
    doc = read_document(str(path))
    assert "\r" not in doc.text and "\x00" not in doc.text


def test_markdown_and_html(tmp_path):
    md = tmp_path / "release.md"
    md.write_text("# Fördermittel für Goslar\n\n" + RELEASE, encoding="utf-8")
    html = tmp_path / "release.html"
    html.write_text(f"""<html><head><title>Goslar erhält Mittel</title><meta name="date" content="2021-05-03"></head>
<body><nav>Cookies akzeptieren | Impressum</nav><article><h1>Goslar erhält Mittel</h1><p>{RELEASE} Die Stadt freut sich
über die Unterstützung und startet im Sommer mit den Arbeiten in der Altstadt von Goslar.</p></article></body></html>""", encoding="utf-8")
    manifest = run([str(md), str(html)], str(tmp_path / "out"), progress=False)
    assert manifest["records"] == 2, (tmp_path / "out" / "errors.jsonl").read_text()
    recs = {Path(r["source"]["path"]).suffix: r for r in lines(tmp_path / "out" / "records.jsonl")}
    assert recs[".html"]["towns"][0]["name"] == "Goslar" and recs[".html"]["doc_date"] == "2021-05-03"
    assert recs[".md"]["towns"][0]["name"] == "Goslar"


def minimal_pdf(pages: list[list[str]]) -> bytes:
    """A small valid PDF with one text line per entry (Helvetica), written by hand for the test."""
    objects = ["<< /Type /Catalog /Pages 2 0 R >>", None, "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>"]
    kids = []
    for lines_ in pages:
        ops = "BT /F1 11 Tf 50 780 Td 14 TL " + " ".join(f"({ln}) '" for ln in lines_) + " ET"
        content = ops.encode("cp1252")
        objects.append(f"<< /Length {len(content)} >>\nstream\n" + content.decode("cp1252") + "\nendstream")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> /Contents {len(objects)} 0 R >>")
        kids.append(len(objects))
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(f'{k} 0 R' for k in kids)}] /Count {len(kids)} >>"
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, obj in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{i} 0 obj\n{obj}\nendobj\n".encode("cp1252")
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def test_pdf_with_page_headers_and_a_truncated_pdf(tmp_path):
    header = "Pressestelle der Stadt Goslar"
    pdf = tmp_path / "release.pdf"
    pdf.write_bytes(minimal_pdf([[header, "Die Stadt Goslar erhaelt am 3. Mai 2021 Foerdermittel.", "Seite 1 / 2"],
                                 [header, "Auch Wernigerode ist beteiligt.", "Seite 2 / 2"]]))
    doc = read_document(str(pdf))
    assert "Goslar erhaelt" in doc.text and "Wernigerode" in doc.text
    assert header not in doc.text and "Seite 1 / 2" not in doc.text  # page furniture removed
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(pdf.read_bytes()[:120])
    manifest = run([str(pdf), str(broken)], str(tmp_path / "out"), progress=False)
    assert manifest["records"] == 1 and manifest["errors"] == 1
    assert "PDF" in (tmp_path / "out" / "errors.jsonl").read_text()


def test_bad_inputs_each_become_one_error(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    (src / "ok.txt").write_text(RELEASE, encoding="utf-8")
    (src / "big.txt").write_text(RELEASE * 200, encoding="utf-8")
    (src / "leer.txt").write_text("   \n", encoding="utf-8")
    (src / "Ümlaut & [odd] name ü.txt").write_text(RELEASE, encoding="utf-8")
    (src / "binary.txt").write_bytes(os.urandom(64) + b"\x00" * 200)
    loop = src / "loop"
    loop.mkdir()
    (loop / "back").symlink_to(src, target_is_directory=True)  # a symlink loop is not followed
    manifest = run([str(src)], str(tmp_path / "out"), progress=False, max_bytes=5000)
    errors = {Path(e["file"]).name: e["reason"] for e in lines(tmp_path / "out" / "errors.jsonl")}
    assert manifest["inputs"] == manifest["records"] + manifest["errors"] == 5
    assert manifest["records"] == 2
    assert "over the limit" in errors["big.txt"] and "empty" in errors["leer.txt"] and "binary" in errors["binary.txt"]


def test_the_input_list_keeps_order_and_odd_names_across_read_blocks(tmp_path, monkeypatch):
    """The paths live in a temporary file: every path comes back as found, in order, whatever the block size."""
    monkeypatch.setattr(InputList, "BLOCK", 7)  # names cross block boundaries
    odd = os.fsdecode(b"/x/caf\xe9 name.txt")  # not UTF-8: kept as the file system gave it
    paths = ["/a/1.txt", "/a/Ümlaut & [odd] ü.txt", odd, "/b/" + "l" * 40 + ".txt", "/c/new\nline.txt"]
    found = InputList(paths)
    assert len(found) == 5
    first, second = iter(found), iter(found)
    assert [next(first), next(first)] == paths[:2]
    assert list(second) == paths  # an iteration has its own offset
    assert list(first) == paths[2:]
    assert os.fsencode(list(found)[2]) == b"/x/caf\xe9 name.txt"
    found.close()


def test_discover_walks_folders_in_sorted_order_and_skips_gold(tmp_path):
    for rel in ("b/2.txt", "b/1.md", "a/z.html", "a/gold/x.txt", "a/.hidden/y.txt", "c.pdf", "notes.docx"):
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x", encoding="utf-8")
    found, problems = discover([str(tmp_path), str(tmp_path / "missing")])
    assert [str(Path(p).relative_to(tmp_path)) for p in found] == ["c.pdf", "a/z.html", "b/1.md", "b/2.txt"]
    assert problems == [(str(tmp_path / "missing"), "E011 no such file or folder")]


def test_boilerplate_is_blanked_without_moving_offsets():
    text = "Kopf der Seite\nDie Stadt Goslar fördert.\nSeite 1 / 2\nKopf der Seite\nMehr Text.\nhttps://example.org/x\n"
    masked = boilerplate_mask(text)
    assert len(masked) == len(text) and masked.count("\n") == text.count("\n")
    assert "Seite 1 / 2" not in masked and "https" not in masked
    assert masked.count("Kopf der Seite") == 1 and "Goslar" in masked


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list("0123456789.,;:/-–„“\"'() \nAaBbÄöüßGoslarHalleEssenWeilMärzJuni2019")), min_size=1, max_size=3000))
def test_adversarial_text_never_crashes_and_offsets_slice(nlp_backend, text):
    nlp, backend = nlp_backend
    if not text.strip():
        return
    rec = build_record(nlp, Document("fuzz.txt", text, "0" * 64, len(text.encode()), "utf-8"), backend)
    rec.check_offsets(text)


@pytest.mark.parametrize("unit", ["1", ".", "„", "A", "Goslar ", "3. März 2020 "])
def test_long_runs_stay_linear(nlp_backend, unit):
    """Doubling a pathological input at most about doubles the time (no super-linear step)."""
    nlp, backend = nlp_backend

    def cost(n):
        text = unit * n
        t = time.perf_counter()
        rec = build_record(nlp, Document("big.txt", text, "0" * 64, len(text.encode()), "utf-8"), backend)
        rec.check_offsets(text)
        return time.perf_counter() - t

    small, large = cost(10_000 // len(unit)), cost(40_000 // len(unit))
    assert large < 4 * small * 3 + 0.5, (small, large)  # 4x input: well under quadratic (16x)


def test_kill_9_midway_then_rerun_gives_every_record_once(tmp_path):
    """A real crash: kill -9 the run while it writes, run again, and every input has exactly one record."""
    import signal
    import subprocess
    import sys

    src = tmp_path / "in"
    src.mkdir()
    corpus = sorted((ROOT / "corpus").glob("*.txt"))
    n = 600  # far more than the run can finish before it is killed
    for i in range(n):
        (src / f"{i:04d}.txt").write_text(corpus[i % len(corpus)].read_text(encoding="utf-8") + f"\nNr. {i}\n", encoding="utf-8")
    out = tmp_path / "out"
    proc = subprocess.Popen([sys.executable, "-m", "pipeline", "run", str(src), "--out", str(out), "--no-report", "--no-progress"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    records = out / "records.jsonl"
    deadline = time.time() + 120
    while time.time() < deadline and proc.poll() is None and (not records.exists() or records.stat().st_size < 50_000):
        time.sleep(0.02)
    assert proc.poll() is None, "the run ended before it could be killed"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL and (out / ".lock").exists()  # killed mid-run: a stale lock
    manifest = run([str(src)], str(out), progress=False)
    recs = lines(records)
    assert len(recs) == n == len({r["source"]["sha256"] for r in recs})
    assert manifest["records"] + manifest["skipped_already_done"] == n
    assert json.loads((out / "manifest.json").read_text())["records_in_folder"] == n


def test_dask_local_cluster_gives_the_same_records(tmp_path):
    pytest.importorskip("distributed", reason="the dask extra is not installed")
    src = few_corpus_files(tmp_path, 6)
    run([str(src)], str(tmp_path / "one"), progress=False)
    manifest = run([str(src)], str(tmp_path / "dask"), progress=False, dask="local", workers=2)
    assert manifest["records"] == 6 and manifest["nlp_backend"] == "blank:de"
    strip = lambda r: {k: v for k, v in r.items() if k != "provenance"}  # noqa: E731
    assert [strip(r) for r in lines(tmp_path / "one" / "records.jsonl")] == [strip(r) for r in lines(tmp_path / "dask" / "records.jsonl")]


DROP_TO_NOBODY = """
import os, sys
import pipeline.nlp
from pipeline.run import run
run([sys.argv[1]], sys.argv[2], progress=False)  # as root: every module the run needs is imported now
built = pipeline.nlp.build_nlp(None)
pipeline.nlp.build_nlp = lambda model=None: built  # the user nobody may not be able to read the venv or the repo
os.setgid(65534)
os.setuid(65534)
run([sys.argv[3]], sys.argv[4], progress=False)
"""


def test_an_unreadable_file_is_an_error_and_the_run_goes_on(tmp_path):
    """chmod 000 stops everyone but root; as root, a child process runs the pipeline once, drops to
    the user nobody, and runs it again on the folder with the unreadable file."""
    import tempfile

    base = Path(tempfile.mkdtemp(prefix="press-permissions-"))  # pytest's own folders are closed to other users
    src = base / "in"
    src.mkdir()
    (src / "ok.txt").write_text(RELEASE, encoding="utf-8")
    secret = src / "gesperrt.txt"
    secret.write_text(RELEASE, encoding="utf-8")
    secret.chmod(0)
    out = base / "out"
    try:
        if os.geteuid() != 0:
            manifest = run([str(src)], str(out), progress=False)
        else:
            import subprocess
            import sys

            warm = base / "warm"
            warm.mkdir()
            (warm / "a.txt").write_text(RELEASE, encoding="utf-8")
            for p in (base, src):
                p.chmod(0o777)
            (src / "ok.txt").chmod(0o644)
            env = dict(os.environ, PRESS_CACHE_DIR=str(base / "cache"))
            proc = subprocess.run([sys.executable, "-c", DROP_TO_NOBODY, str(warm), str(base / "warm-out"), str(src), str(out)],
                                  cwd=ROOT, env=env, capture_output=True, text=True)
            assert proc.returncode == 0, proc.stderr
            manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        errors = {Path(e["file"]).name: e["reason"] for e in lines(out / "errors.jsonl")}
    finally:
        secret.chmod(0o644)
        shutil.rmtree(base, ignore_errors=True)
    assert manifest["inputs"] == 2 and manifest["records"] == 1 and manifest["errors"] == 1
    assert "permission denied" in errors["gesperrt.txt"]


def test_recycling_the_pipeline_changes_no_record(tmp_path, monkeypatch):
    """A long run replaces its pipeline every RECYCLE_EVERY documents, and its forked workers every FORK_EVERY (memory
    stays flat); the records are the same as without it, in one process and with workers."""
    import pipeline.run as run_module

    src = few_corpus_files(tmp_path, 5)
    plain = tmp_path / "plain"
    run([str(src)], str(plain), progress=False)
    built = []
    real_build = run_module.recycle
    monkeypatch.setattr(run_module, "RECYCLE_EVERY", 2)
    monkeypatch.setattr(run_module, "recycle", lambda model: (built.append(model), real_build(model)))
    recycled = tmp_path / "recycled"
    run([str(src)], str(recycled), progress=False)
    assert len(built) == 2  # after documents 2 and 4
    monkeypatch.setattr(run_module, "CHUNK", 1)
    monkeypatch.setattr(run_module, "FORK_EVERY", 2)
    pooled = tmp_path / "pooled"
    run([str(src)], str(pooled), progress=False, workers=2)

    def records(folder):
        out = []
        for rec in lines(folder / "records.jsonl"):
            rec["provenance"].pop("extracted_at")
            out.append(rec)
        return out

    assert records(recycled) == records(plain) == records(pooled)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers are used on Linux only")
def test_a_worker_that_dies_loses_no_input(tmp_path, monkeypatch):
    """An input that kills its worker process (a crash in a C extension, the kernel's out-of-memory killer) becomes
    an error entry with the reason; every other input still gets its record, in input order, and the run ends."""
    import signal

    import pipeline.run as run_module

    src = few_corpus_files(tmp_path, 6)
    poison = sorted(src.iterdir())[2]
    real_process = run_module.process

    def process(path, *args):
        if path == str(poison):
            os.kill(os.getpid(), signal.SIGKILL)
        return real_process(path, *args)

    monkeypatch.setattr(run_module, "process", process)
    monkeypatch.setattr(run_module, "CHUNK", 2)
    manifest = run([str(src)], str(tmp_path / "out"), progress=False, workers=2)
    assert (manifest["inputs"], manifest["records"], manifest["errors"]) == (6, 5, 1)
    [error] = lines(tmp_path / "out" / "errors.jsonl")
    assert error["file"] == str(poison) and error["stage"] == "extract"
    assert error["reason"].startswith("E032 the worker process died") and "SIGKILL" in error["reason"]
    kept = [Path(rec["source"]["path"]).name for rec in lines(tmp_path / "out" / "records.jsonl")]
    assert kept == [p.name for p in sorted(src.iterdir()) if p != poison]


def test_the_memoised_tokenizer_gives_spacys_tokens_and_still_serialises(nlp):
    """The pipeline memoises its tokenizer's affix searches across documents: the tokens must be
    exactly those of spaCy's own German tokenizer without its emoticons, on the second pass (from the memo) too."""
    import spacy

    from pipeline.nlp import without_emoticons

    plain = spacy.blank("de").tokenizer
    assert [t.text for t in plain("Werder (Havel): Mühle")] == ["Werder", "(", "Havel", "):", "Mühle"]  # spaCy's emoticon
    assert [t.text for t in nlp.tokenizer("Werder (Havel): Mühle")] == ["Werder", "(", "Havel", ")", ":", "Mühle"]
    plain.rules = without_emoticons(plain.rules)
    assert "):" not in plain.rules and "z.B." in plain.rules and "''" in plain.rules
    texts = [p.read_text(encoding="utf-8") for p in sorted((ROOT / "corpus").glob("*.txt"))[:12]]
    texts += ["Dr. Müller (z.B. e.V.-Vorsitz) zahlt 3,5 Mio. € an www.goslar.de/x?y=1 – am 3.5.2021!",
              "„Altstadt lebt“: 40 %, 12km, Nr. 5/2024; Tel. 05321/704-0, presse@goslar.de", "1" * 300 + " …" * 50]
    for _ in range(2):
        for text in texts:
            assert [(t.text, t.idx, t.whitespace_, t.norm_) for t in nlp.tokenizer(text)] == \
                   [(t.text, t.idx, t.whitespace_, t.norm_) for t in plain(text)]
    assert nlp.tokenizer.suffix_search.cache_info().hits > 1000  # the memo is really used
    copy = spacy.blank("de").tokenizer.from_bytes(nlp.tokenizer.to_bytes())  # saving a built pipeline still works
    assert [t.text for t in copy(texts[-2])] == [t.text for t in plain(texts[-2])]


def test_the_languages_searches_find_nothing_in_a_word_of_letters(nlp):
    """The tokenizer answers a word of letters only without its searches (nothing found): true of German's own
    prefix, suffix, infix, token and URL patterns for every Unicode letter, alone, doubled, inside a word and at
    its ends (a spaCy release that adds a pattern of letters fails here)."""
    import sys

    import spacy

    plain = spacy.blank("de").tokenizer
    searches = [s for s in (plain.prefix_search, plain.suffix_search, plain.token_match, plain.url_match) if s is not None]
    letters = [chr(i) for i in range(sys.maxunicode + 1) if chr(i).isalpha()]
    assert len(letters) > 100_000
    found = [word for c in letters for word in (c, c + c, "a" + c + "b", "Ä" + c, c + "ß")
             if any(search(word) for search in searches) or any(True for _ in plain.infix_finditer(word))]
    assert found == []
    before = nlp.tokenizer.suffix_search.cache_info()
    assert [t.text for t in nlp.tokenizer("Förderbescheid überreicht")] == ["Förderbescheid", "überreicht"]
    after = nlp.tokenizer.suffix_search.cache_info()
    assert (after.hits, after.misses) == (before.hits, before.misses)  # answered without the memo
    assert [t.text for t in nlp.tokenizer("Förder-Bescheid")] == ["Förder-Bescheid"]
    assert nlp.tokenizer.suffix_search.cache_info() != after  # a word with a hyphen goes through the searches


def test_new_words_get_spacys_values_of_the_attributes_the_pipeline_keeps(nlp):
    """The built-in pipeline computes LEXEME_ATTRS for a new word, not spaCy's 23 attributes: those it keeps (the
    punctuation flag our token tables read among them) have spaCy's values, the others are left unset."""
    import spacy
    from spacy.attrs import IDS

    from pipeline.nlp import LEXEME_ATTRS

    assert "IS_PUNCT" in LEXEME_ATTRS
    assert set(nlp.vocab.lex_attr_getters) == {IDS[name] for name in LEXEME_ATTRS}
    plain = spacy.blank("de")
    text = "Quartierswerkstatt-Zukunftsfonds „Grünzug“ , 12 Stadtteilbüros; zwölf ABC-Mittel 3,5 Mio. € am 3.5.2021 www.x.de"
    ours, theirs = nlp.make_doc(text), plain.make_doc(text)
    assert [t.text for t in ours] == [t.text for t in theirs]
    for name in LEXEME_ATTRS:
        attr = name.lower() + ("_" if name in ("LOWER", "NORM") else "")
        assert [getattr(t, attr) for t in ours] == [getattr(t, attr) for t in theirs], name
    assert [t.is_punct for t in ours].count(True) >= 4
    url = [t for t in ours if t.text == "www.x.de"][0]
    assert url.like_url is False and [t for t in theirs if t.text == "www.x.de"][0].like_url is True  # not computed


def test_a_run_imports_spacy_without_its_cli_and_the_cli_still_works():
    """A run's pipeline is built without importing spaCy's CLI (typer app, weasel, requests: a seventh of the
    start-up); spacy.info, spacy.cli.<command> and `import spacy.cli.<module>` still give spaCy's own, imported on use."""
    import subprocess
    import sys

    script = """
import sys
import pipeline.run as run
run._init_worker(None)
import spacy
print(sorted(m for m in ("spacy.cli", "spacy.cli.info", "weasel", "requests", "httpx") if m in sys.modules))
print(type(spacy.cli).__name__, run._WORKER["nlp"].pipe_names[-1])
print(sorted(spacy.info())[:3])
print(type(spacy.cli).__name__, spacy.cli.download.__module__, "weasel" in sys.modules)
import spacy.cli.train
print(spacy.cli.train.train_cli.__name__)
"""
    proc = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines() == [
        "[]",  # built, and nothing of the CLI imported
        "CliPlaceholder press_towns",
        "['location', 'pipelines', 'platform']",  # spacy.info() is spaCy's
        "module spacy.cli.download True",  # the real CLI package, imported on first use
        "train_cli",
    ]


@functools.lru_cache(maxsize=1)
def _sentencizer():
    import spacy

    from pipeline.nlp import without_emoticons

    plain = spacy.blank("de")
    plain.tokenizer.rules = without_emoticons(plain.tokenizer.rules)  # our tokens, spaCy's sentence rule
    plain.add_pipe("sentencizer")
    return plain


def _sentencizer_starts(text: str) -> list[bool]:
    return [t.is_sent_start for t in _sentencizer()(text)]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list("Ab.?!…;:„“\"')(]-– \n12")), max_size=200))
def test_press_sentences_sets_what_spacys_sentencizer_sets(nlp, text):
    """Our sentence splitter replaces spaCy's sentencizer for speed: every token's is_sent_start must be the same."""
    doc = nlp.make_doc(text)
    doc.user_data["press_text"] = text
    nlp.get_pipe("press_sentences")(doc)
    assert [t.is_sent_start for t in doc] == _sentencizer_starts(text)
    assert doc.user_data["press_sent_starts"] == [t.idx for t in doc if t.is_sent_start]


def test_press_sentences_on_the_corpus(nlp):
    for path in sorted((ROOT / "corpus").glob("*.txt"))[:10]:
        text = path.read_text(encoding="utf-8")
        doc = nlp(text)
        assert [t.is_sent_start for t in doc] == _sentencizer_starts(text)
        assert len(list(doc.sents)) > 5  # doc.sents still works for spaCy users


def test_span_groups_for_spacy_users_and_none_in_the_batch_path(nlp):
    """nlp(text) gives spaCy users a span group per label, each span naming its rule; extract asks for
    none (it reads doc._.evidence) and its evidence is the same."""
    from pipeline.evidence import SPAN_GROUPS_KEY

    doc = nlp(RELEASE)
    evidence = doc._.evidence
    for label in ("towns", "dates", "projects"):
        assert len(doc.spans[label]) >= 1
    spans = {(s.start_char, s.end_char, s.label_, s.id_) for group in doc.spans.values() for s in group}
    assert {(e.start, e.end, e.label, e.rule) for e in evidence} <= spans
    quiet = nlp.make_doc(RELEASE)
    quiet.user_data["press_text"] = RELEASE
    quiet.user_data[SPAN_GROUPS_KEY] = False
    for _, proc in nlp.pipeline:
        quiet = proc(quiet)
    assert not quiet.spans
    assert [(e.start, e.end, e.label, e.rule) for e in quiet._.evidence] == [(e.start, e.end, e.label, e.rule) for e in evidence]


def test_a_pattern_from_the_regex_cache_is_the_pattern_re_compile_makes(tmp_path, monkeypatch):
    """The compiled-regex cache (start-up) must give the very pattern re.compile gives: same code, flags and
    groups, the same matches, written to the cache folder and read back in a fresh state."""
    import re

    from pipeline import regex_cache

    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path))
    monkeypatch.setattr(regex_cache, "_store", None)
    monkeypatch.setattr(regex_cache, "_used", set())
    patterns = [(r"(?P<d>[0-3]?\d)\.\s*(?P<m>Mai|Juni)(?:\s+(?P<y>(?:19|20)\d\d))?", 0), (r"(?i)straße\s+des\s+\d", 0),
                (r"^[\[(„\"]|^\d+(?=[a-zäöü])", re.IGNORECASE), (r"[„“”\"]", 0)]
    fresh = [regex_cache.compile(p, f) for p, f in patterns]
    regex_cache.save()
    assert list(tmp_path.glob("regex-*.marshal"))
    monkeypatch.setattr(regex_cache, "_store", None)  # a new process: read from the folder
    assert all(regex_cache.known(p, f) for p, f in patterns)
    again = [regex_cache.compile(p, f) for p, f in patterns]
    text = "Am 3. Mai 2021 und 14.Juni in der Straße des 17. Juni: „Altstadt“ 3a"
    for (p, f), a, b in zip(patterns, fresh, again):
        plain = re.compile(p, f)
        assert a == plain and b == plain  # Pattern equality compares the compiled code, flags and pattern
        assert b.groupindex == plain.groupindex and b.groups == plain.groups
        assert [m.span() for m in b.finditer(text)] == [m.span() for m in plain.finditer(text)]


def test_the_built_tokenizer_has_spacys_patterns_and_the_date_grammar_is_the_same_in_every_process():
    """The pipeline's tokenizer is built with spaCy's German affix rules (from the regex cache); the date
    grammar's patterns must not depend on the process's string hashing, or the cache would never hit."""
    import subprocess
    import sys

    import spacy

    from pipeline.nlp import build_nlp

    nlp, _ = build_nlp()
    plain = spacy.blank("de").tokenizer
    for name in ("prefix_search", "suffix_search", "infix_finditer"):
        assert getattr(nlp.tokenizer, name).__self__ == getattr(plain, name).__self__
    code = ("from pipeline.components.dates import grammar; import hashlib; "
            "print(hashlib.sha256('|'.join(rx.pattern for _, _, rx in grammar().patterns).encode()).hexdigest())")
    digests = {subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT,
                              env=dict(os.environ, PYTHONHASHSEED=seed)).stdout for seed in ("1", "2", "3")}
    assert len(digests) == 1


def test_the_cache_folder_drops_files_nobody_read_for_two_weeks(tmp_path, monkeypatch):
    """Every change of rules or code writes new cache files; old ones must not pile up. A file read recently is kept
    (reading marks it), one unread for MAX_AGE_DAYS is deleted when a new file is written."""
    from pipeline import cache
    from pipeline.rules import parsed_cached

    def parse(text):
        return {text[0]: int(text[3])}

    monkeypatch.setenv("PRESS_CACHE_DIR", str(tmp_path))
    assert parsed_cached("a: 1\n", parse) == {"a": 1}
    (used,) = tmp_path.glob("parsed-*.marshal")
    stale = tmp_path / "parsed-0123456789abcdef01234567.marshal"
    stale.write_bytes(b"\0")
    old = time.time() - (cache.MAX_AGE_DAYS + 1) * 86400
    for path in (used, stale):
        os.utime(path, (old, old))
    assert parsed_cached("a: 1\n", parse) == {"a": 1}  # a hit: marks the file as used
    assert parsed_cached("b: 2\n", parse) == {"b": 2}  # a new file: prunes
    assert used.exists() and not stale.exists()
    assert len(list(tmp_path.glob("parsed-*.marshal"))) == 2
