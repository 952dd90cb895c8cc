"""Review report: files, highlights that slice the text exactly, resolving anchors, escaping, a real browser."""
from __future__ import annotations

import hashlib
import html
import json
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT
from pipeline.records import Record
from pipeline.report import LOW_SCORE, write_report
from pipeline.run import run

CORPUS_FILES = ["101_weil-am-rhein-schattenband.txt", "310_thueringen-tu-ilmenau-photonik.txt"]
XSS_TEXT = (
    "<script>document.title='pwned'</script>\n"
    "\"><img src=x onerror=\"document.title='pwned2'\">\n\n"
    "Die Stadt Goslar erhält am 3. Mai 2021 Fördermittel.\n"
)
PLAIN_TEXT = "Pressemitteilung\n\nDas Programm läuft weiter wie bisher.\n"  # no town, no date
ARTIFACTS = ROOT / "tests" / "artifacts"


class Page(HTMLParser):
    """Collects ids, hrefs, resource attributes and the text inside each <mark> and the text blocks."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.ids: list[str] = []
        self.hrefs: list[str] = []
        self.resources: list[tuple[str, str, str]] = []
        self.tags: list[str] = []
        self.marks: dict[str, dict] = {}
        self.open_marks: list[str] = []
        self.texts: list[str] = []
        self.in_text = 0
        self.depth = 0

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        self.tags.append(tag)
        if "id" in a:
            self.ids.append(a["id"])
        if "href" in a:
            self.hrefs.append(a["href"])
        for key in ("src", "srcset", "action", "poster", "data"):
            if key in a:
                self.resources.append((tag, key, a[key]))
        if tag == "link":
            self.resources.append((tag, "href", a.get("href", "")))
        if tag == "div" and a.get("class") == "text":
            self.in_text, self.depth = 1, 0
            self.texts.append("")
        elif self.in_text and tag == "div":
            self.depth += 1
        if tag == "mark":
            self.marks[a["id"]] = {"class": a.get("class", ""), "title": a.get("title", ""), "text": ""}
            self.open_marks.append(a["id"])

    def handle_endtag(self, tag):
        if tag == "mark":
            self.open_marks.pop()
        if tag == "div" and self.in_text:
            if self.depth:
                self.depth -= 1
            else:
                self.in_text = 0

    def handle_data(self, data):
        for mark_id in self.open_marks:
            self.marks[mark_id]["text"] += data
        if self.in_text:
            self.texts[-1] += data


def parse(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    page.close()
    return page


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """Pipeline run over two corpus releases, a hostile release, a release without towns/dates and an empty file."""
    base = tmp_path_factory.mktemp("report")
    inputs = base / "in"
    inputs.mkdir()
    for name in CORPUS_FILES:
        shutil.copy(ROOT / "corpus" / name, inputs / name)
    (inputs / "xss.txt").write_text(XSS_TEXT, encoding="utf-8")
    (inputs / "plain.txt").write_text(PLAIN_TEXT, encoding="utf-8")
    (inputs / "empty.txt").write_bytes(b"")
    out = base / "out"
    manifest = run([str(inputs)], str(out), progress=False)
    assert manifest["records"] == 4 and manifest["errors"] == 1
    html_path, md_path = write_report(out)
    records = [json.loads(line) for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    return out, html_path, md_path, records


def test_report_files_are_written(report):
    out, html_path, md_path, _ = report
    assert html_path == out / "report.html" and md_path == out / "report.md"
    assert html_path.stat().st_size > 10_000 and md_path.stat().st_size > 500


def test_html_has_highlights_tables_and_resolving_anchors(report):
    _, html_path, _, records = report
    text = html_path.read_text(encoding="utf-8")
    for typ in ("town", "institution", "programme", "project", "date", "district"):
        assert f'class="ent ent-{typ}' in text, typ
    page = parse(html_path)
    assert page.tags.count("table") >= 10 and page.tags.count("section") == len(records)
    assert len(page.ids) == len(set(page.ids)), "duplicate ids"
    assert page.hrefs and all(h.startswith("#") for h in page.hrefs)
    missing = {h for h in page.hrefs if h[1:] not in set(page.ids)}
    assert not missing, sorted(missing)[:5]
    # every document section has an anchor the table of contents links to
    assert {f"#doc-{i}" for i in range(1, len(records) + 1)} <= set(page.hrefs)
    # tooltips give type, canonical name, rule and score
    goslar = [m for m in page.marks.values() if m["text"] == "Goslar"]
    assert goslar and goslar[0]["title"].startswith("town: Goslar\nrule: towns:") and "score: " in goslar[0]["title"]


def test_html_is_self_contained(report):
    _, html_path, _, _ = report
    text = html_path.read_text(encoding="utf-8")
    page = parse(html_path)
    assert not page.resources, page.resources[:5]
    assert page.tags.count("script") == 1 and page.tags.count("style") == 1
    assert re.search(r"Content-Security-Policy\" content=\"default-src &#x27;none&#x27;", text)
    # the corpus releases contain URLs: they must appear only as escaped text, never as resources
    assert not re.search(r"<(link|img|iframe|object|embed|audio|video|source)\b", text)


def test_highlighted_text_is_the_ingested_text_and_marks_slice_it(report):
    out, html_path, _, records = report
    page = parse(html_path)
    assert len(page.texts) == len(records)
    by_id = {}
    for i, rec in enumerate(records, 1):
        ingested = (out / rec["source"]["text_file"]).read_text(encoding="utf-8")
        assert page.texts[i - 1] == ingested  # marks add no text; nothing dropped, nothing doubled
        Record.model_validate(rec).check_offsets(ingested)
        for group in ("towns", "towns_in_names", "districts", "institutions", "programmes", "projects", "dates", "durations"):
            for e_i, ent in enumerate(rec[group]):
                for m_i, m in enumerate(ent["mentions"]):
                    by_id[f"doc-{i}-{group}-{e_i}-{m_i}"] = m
    assert page.marks
    for mark_id, mark in page.marks.items():
        assert mark["text"] == by_id[mark_id]["text"], mark_id
        assert ("low" in mark["class"].split()) == (by_id[mark_id]["score"] < LOW_SCORE)
    # every mention is either a mark or (crossing another mention) an anchor
    assert set(by_id) <= set(page.ids)


def test_review_lists_documents_without_towns_and_dates_and_errors(report):
    _, html_path, md_path, records = report
    text = html_path.read_text(encoding="utf-8")
    plain = next(i for i, r in enumerate(records, 1) if r["source"]["path"].endswith("plain.txt"))
    no_towns = text[text.index('id="no-towns"'):text.index('id="no-dates"')]
    no_dates = text[text.index('id="no-dates"'):text.index('id="not-highlighted"')]
    assert f'href="#doc-{plain}"' in no_towns and f'href="#doc-{plain}"' in no_dates
    assert "E010 the file is empty" in text
    md = md_path.read_text(encoding="utf-8")
    for heading in ("## Entities per type", "## Top towns", "## Top institutions", "## Top programmes", "## Errors",
                    "## Low-score items", "## Documents without towns", "## Documents without dates", "## Run provenance"):
        assert heading in md
    assert "**4 records**, **1 errors**" in md and "E010 the file is empty" in md
    assert "Goslar · AGS 03153017" in md and "Weil am Rhein" in md


def test_hostile_text_is_escaped(report):
    _, html_path, md_path, _ = report
    text = html_path.read_text(encoding="utf-8")
    assert "<script>document.title" not in text
    assert "<img src=x" not in text and "<img" not in text
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;&lt;/script&gt;" in text
    assert "&quot;&gt;&lt;img src=x onerror=&quot;document.title=&#x27;pwned2&#x27;&quot;&gt;" in text
    assert 'class="ent ent-town' in text and ">Goslar</mark>" in text
    assert "<script>" not in md_path.read_text(encoding="utf-8")


def test_crafted_output_folder_overlaps_low_scores_and_bad_offsets(tmp_path):
    """Nested and crossing mentions, a low score and offsets that do not fit, in a hand-written record."""
    text = 'Die Universität Goslar und "><b>x</b> Kaltenborn am 3. Mai 2021.'
    sha = hashlib.sha256(text.encode("utf-8")).hexdigest()
    (tmp_path / "texts").mkdir()
    (tmp_path / "texts" / f"{sha}.txt").write_text(text, encoding="utf-8")

    def mention(s, score=0.9, rule="test:rule", start=None):
        start = text.index(s) if start is None else start
        return {"start": start, "end": start + len(s), "text": s, "sentence": 0, "rule": rule, "score": score,
                "adjustments": [], "in_name_of": None}

    prov = {"pipeline_version": "9.9", "nlp_backend": "blank:de", "rules_hash": "abc", "extracted_at": "2026-01-01T00:00:00+00:00"}
    rec = {
        "record_id": "pr-" + sha[:24],
        "source": {"path": "crafted.txt", "sha256": sha, "bytes": len(text.encode()), "encoding": "utf-8", "text_file": f"texts/{sha}.txt"},
        "title": "<i>crafted</i>",
        "towns": [{"name": "Goslar", "score": 0.9, "mentions": [mention("Goslar")], "ags": "03153017"}],
        "districts": [{"name": "Kaltenborn <u>|x</u>", "score": 0.55, "mentions": [mention("Kaltenborn", 0.55)]}],
        "institutions": [{"name": "Universität Goslar", "score": 0.9, "mentions": [mention("Universität Goslar")]}],
        "projects": [{"name": "Goslar und", "score": 0.7, "mentions": [mention("Goslar und")]}],
        "dates": [{"text": "3. Mai 2021", "value": "2021-05-03", "mentions": [mention("3. Mai 2021")]}],
        "durations": [{"text": "3 Jahre", "value": "P3Y", "mentions": [mention("3 Jahre", start=0)]}],
        "relations": [{"type": "project_town", "from": "Goslar und", "to": "Goslar", "rule": "test:rel",
                       "evidence": mention(text)}],
        "provenance": prov,
    }
    (tmp_path / "records.jsonl").write_text(json.dumps(rec) + "\n", encoding="utf-8")
    (tmp_path / "manifest.json").write_text(json.dumps({**prov, "inputs": 1, "records": 1, "errors": 0}), encoding="utf-8")
    html_path, md_path = write_report(tmp_path)  # no errors.jsonl: treated as none
    out = html_path.read_text(encoding="utf-8")
    page = parse(html_path)
    assert page.texts == [text]
    inst, town = "doc-1-institutions-0-0", "doc-1-towns-0-0"
    assert page.marks[inst]["text"] == "Universität Goslar" and page.marks[town]["text"] == "Goslar"
    assert re.search(rf'<mark[^>]*id="{inst}"[^>]*>Universität <span class="anchor" id="doc-1-projects-0-0"></span>'
                     rf'<mark[^>]*id="{town}"[^>]*>Goslar</mark></mark>', out)  # town nested, crossing project anchored
    assert "doc-1-durations-0-0" not in page.ids  # offsets do not fit: not placed, listed instead
    assert "offsets do not slice the text" in out and "crosses another mention" in out
    assert "low" in page.marks["doc-1-districts-0-0"]["class"].split()
    review = out[out.index('id="review"'):out.index('id="documents"')]
    assert 'href="#doc-1-districts-0-0"' in review and "0.55" in review
    assert 'href="#doc-1-projects-0-0"' in out  # the project's table row links to its anchor
    assert not {h for h in page.hrefs if h[1:] not in set(page.ids)}
    assert "&lt;b&gt;x&lt;/b&gt;" in out and "<b>x</b>" not in out and "&lt;i&gt;crafted&lt;/i&gt;" in out
    md = md_path.read_text(encoding="utf-8")
    assert "**1 records**, **0 errors**" in md
    assert "| Kaltenborn \\<u\\>\\|x\\</u\\> | 0.55 |" in md  # Markdown: no HTML, no broken cells
    assert "<u>" not in md


def test_missing_records_is_a_clear_error(tmp_path):
    with pytest.raises(FileNotFoundError, match="records.jsonl"):
        write_report(tmp_path)


def chromium(*args: str, timeout: int = 60) -> subprocess.CompletedProcess:
    exe = shutil.which("chromium")
    if exe is None:
        pytest.skip("chromium is not installed (scripts/ci_setup.sh installs it)")
    return subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                           "--disable-component-update", "--disable-sync", "--no-first-run", *args],
                          capture_output=True, text=True, timeout=timeout)


def test_report_in_headless_chromium(report, tmp_path):
    _, html_path, _, _ = report
    if shutil.which("chromium") is None:
        pytest.skip("chromium is not installed (scripts/ci_setup.sh installs it)")
    url = html_path.resolve().as_uri()
    done = chromium(f"--user-data-dir={tmp_path / 'profile'}", "--dump-dom", url)
    assert done.returncode == 0, done.stderr[-2000:]
    dom = done.stdout
    assert 'class="ent ent-town' in dom and 'class="ent ent-date' in dom and "<table" in dom
    title = re.search(r"<title>(.*?)</title>", dom, re.S)
    assert title and title.group(1) == "pressrecords report"  # neither 'pwned' nor 'pwned2'
    assert "pwned" not in title.group(1)
    assert re.search(r'<body[^>]*data-ready="1"', dom), "the inline filter script did not run"
    assert re.search(r'<div id="filters"(?![^>]*hidden)', dom), "the script did not reveal the filter bar"
    assert "<img" not in dom and "&lt;script&gt;document.title" in dom

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    shot = ARTIFACTS / "report.png"
    shot.unlink(missing_ok=True)
    done = chromium(f"--user-data-dir={tmp_path / 'profile2'}", f"--screenshot={shot}", "--window-size=1280,2000", url)
    assert done.returncode == 0, done.stderr[-2000:]
    assert shot.is_file() and shot.stat().st_size > 0
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_escape_helper_is_html_escape_with_quotes():
    from pipeline.report import esc

    assert esc("\"'<>&") == html.escape("\"'<>&", quote=True) and esc(None) == ""
    for value in ("Goslar", "a & b", "x<y>", "L'Oréal", 'say "hi"', 0.5, 3, "", "ä&ö"):
        assert esc(value) == html.escape(str(value), quote=True), value


def repeated_folder(report, tmp_path, times: int, broken_at: int = 0) -> tuple[Path, int]:
    """A copy of the report fixture's folder whose records.jsonl holds its records `times` over (and a broken
    line at `broken_at`, counted from 1); returns the folder and its number of records."""
    out = tmp_path / "out"
    shutil.copytree(report[0], out)
    lines = (report[0] / "records.jsonl").read_text(encoding="utf-8").splitlines() * times
    if broken_at:
        lines.insert(broken_at - 1, '{"record_id": "torn')
    (out / "records.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return out, len(lines) - bool(broken_at)


def test_page_shows_the_first_documents_and_reviews_all(report, tmp_path, monkeypatch):
    import pipeline.report as rep

    monkeypatch.setattr(rep, "MAX_ROWS", 2)
    out, n = repeated_folder(report, tmp_path, 3)
    html_path, md_path = write_report(out, max_documents=5)
    page = parse(html_path)
    assert page.tags.count("section") == 5 and len(page.texts) == 5
    assert not {h for h in page.hrefs if h[1:] not in set(page.ids)}  # links to unshown documents are plain labels
    text = html_path.read_text(encoding="utf-8")
    assert f"The page shows the first 5 of {n} documents" in text
    no_towns = text[text.index('id="no-towns"'):text.index('id="no-dates"')]
    assert "… and 1 more (the page lists the first 2)" in no_towns  # plain.txt three times, two rows kept
    md = md_path.read_text(encoding="utf-8")
    assert f"**{n} records**" in md and "… and 1 more (the first 2 are listed)." in md


def test_parts_rendered_by_processes_give_the_same_page(report, tmp_path, monkeypatch):
    import pipeline.report as rep

    out, _ = repeated_folder(report, tmp_path, 5, broken_at=7)
    one = [p.read_bytes() for p in write_report(out, workers=1)]
    monkeypatch.setattr(rep, "MIN_RECORDS_PER_WORKER", 1)
    assert len(rep.split_lines(out / "records.jsonl", 2)) > 1
    two = [p.read_bytes() for p in write_report(out, workers=2)]
    assert one == two
    text = one[0].decode("utf-8")
    assert "records.jsonl:7: " in text  # the broken line is named by its line number ...
    page = parse(out / "report.html")
    assert page.tags.count("section") == 20 and "doc-7" not in page.ids and {"doc-6", "doc-8", "doc-21"} <= set(page.ids)
    assert not list(out.glob(".report-part*"))  # the parts' temporary files are gone


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="forked workers are used on Linux only")
def test_a_part_whose_process_dies_fails_the_report_with_its_lines(report, tmp_path, monkeypatch):
    """A report process that dies (killed, out of memory) does not leave the report waiting for ever."""
    import os
    import signal

    import pipeline.report as rep

    out, _ = repeated_folder(report, tmp_path, 5)
    monkeypatch.setattr(rep, "MIN_RECORDS_PER_WORKER", 1)
    real = rep.render_part

    def render_part(out_dir, start, end, first_line, max_documents):
        if first_line == 1:
            os.kill(os.getpid(), signal.SIGKILL)
        return real(out_dir, start, end, first_line, max_documents)

    monkeypatch.setattr(rep, "render_part", render_part)
    before = (out / "report.html").read_bytes()
    with pytest.raises(RuntimeError, match=r"died on the records from line 1 \(killed by signal SIGKILL\); run `python -m pipeline report "):
        write_report(out, workers=2)
    assert (out / "report.html").read_bytes() == before  # the page of the run stays as it was


def test_name_counts_stay_bounded_and_keep_the_frequent_names():
    from pipeline.report import NameCounts

    counts = NameCounts(limit=4)
    for doc in range(1, 31):
        counts.add("Goslar", 1, doc)
        if doc % 2:
            counts.add("Weil am Rhein", 2, doc)
        counts.add(f"Rare {doc}", 1, doc)
    assert len(counts.names) <= 4 and counts.approximate
    (top, docs, mentions, indexes), (second, docs2, mentions2, _) = counts.top(2)
    assert (top, docs, mentions) == ("Goslar", 30, 30) and indexes == list(range(1, 21))
    assert (second, docs2, mentions2) == ("Weil am Rhein", 15, 30)
