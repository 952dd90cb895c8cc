"""Review report: one self-contained HTML page and a Markdown summary of a run's output folder.

Reviewers read extractions next to the text they came from, so the page shows every release with its
mentions highlighted (displaCy-like colours), the entity tables linked to the mentions, and a review list
of weak or missing items. Release texts are untrusted input: every piece of text and every value goes
through ``html.escape(…, quote=True)``, highlighting is built by slicing the raw text at mention offsets
and escaping each piece, and a Content-Security-Policy lets only the page's own inline script run.
Nothing is loaded from the network, so the file can be mailed, archived and opened offline.

Only stdlib; reads what ``run`` wrote (records.jsonl, errors.jsonl, manifest.json, texts/), so it also
works on folders copied from elsewhere.
"""
from __future__ import annotations

import base64
import hashlib
import html
import json
import os
import pickle
import re
import shutil
import sys
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator, Optional

from pipeline.emit import atomic_writer, write_atomic

LOW_SCORE = 0.6
TOP_N = 10

# record field → highlight type; towns_in_names are towns too (marked "in-name").
GROUPS: list[tuple[str, str]] = [
    ("towns", "town"), ("towns_in_names", "town"), ("districts", "district"),
    ("institutions", "institution"), ("programmes", "programme"), ("projects", "project"),
    ("dates", "date"), ("durations", "duration"),
]
TYPE_OF = dict(GROUPS)  # record field → highlight type
TYPES = ["town", "district", "institution", "programme", "project", "date", "duration"]
# displaCy's default palette: GPE, LOC, ORG, PRODUCT, WORK_OF_ART, DATE, QUANTITY.
COLOURS = {
    "town": "#feca74", "district": "#ff9561", "institution": "#7aecec", "programme": "#bfeeb7",
    "project": "#f0d0ff", "date": "#bfe1d9", "duration": "#e4e7d2",
}
# rows of the "entities per type" summary: (label, record field)
SUMMARY_TYPES = [
    ("towns", "towns"), ("districts", "districts"), ("institutions", "institutions"),
    ("programmes", "programmes"), ("projects", "projects"), ("dates", "dates"),
    ("durations", "durations"), ("towns in names", "towns_in_names"),
]


_SPECIAL = re.compile(r"[&<>\"']")


def esc(value: Any) -> str:
    """Escape anything for HTML text and attributes alike (None → empty); text without a special character
    (most names and values) is returned as it is, without html.escape's five replacements."""
    text = "" if value is None else value if value.__class__ is str else str(value)
    return html.escape(text, quote=True) if _SPECIAL.search(text) else text


# --------------------------------------------------------------------------- loading

# The report streams the records once and keeps only bounded summaries, so its memory does not grow with the
# corpus: the first MAX_DOCUMENTS releases are shown with their text, review tables keep MAX_ROWS rows each
# (and count the rest), a name lists its first DOC_LINKS documents, and names are counted exactly up to
# MAX_NAMES distinct names per type (then the rarest half is dropped, and the page says counts are approximate).
MAX_DOCUMENTS = 1000
MAX_ROWS = 1000
DOC_LINKS = 20
MAX_NAMES = 50_000
READ_BLOCK = 1 << 20  # bytes read or copied at a time
PROVENANCE_KEYS = ("pipeline_version", "nlp_backend", "rules_hash")
# with more records than this per worker process, the sections are rendered by a pool of processes
MIN_RECORDS_PER_WORKER = 100


@dataclass
class Doc:
    """One record with what the report needs next to it: its index, anchor, text and mentions."""

    index: int
    rec: dict
    text: Optional[str]
    spans: list["Span"] = field(default_factory=list)
    skipped: list["Span"] = field(default_factory=list)   # crossing another mention: anchor only
    invalid: list["Span"] = field(default_factory=list)   # offsets do not slice the text: no anchor
    rendered_ids: set[str] = field(default_factory=set)
    first_ids: dict[tuple[str, int], str] = field(default_factory=dict)  # (group, entity) → earliest rendered mention
    text_html: str = ""                                    # escaped, highlighted text (set by read_doc)

    @property
    def anchor(self) -> str:
        return f"doc-{self.index}"

    @property
    def title(self) -> str:
        return self.rec.get("title") or Path(self.rec.get("source", {}).get("path", "?")).name


@dataclass
class Span:
    """One entity mention placed in its document, with a stable id for links."""

    id: str
    type: str
    group: str
    entity_index: int
    start: int
    end: int
    mention: dict
    entity: dict

    @property
    def label(self) -> str:
        return entity_label(self.entity)

    @property
    def low(self) -> bool:
        return score_of(self.mention) < LOW_SCORE


class Rows:
    """The first `limit` rows of a table and how many there were."""

    def __init__(self, limit: Optional[int] = None):
        self.limit, self.rows, self.total = MAX_ROWS if limit is None else limit, [], 0

    def add(self, row: Any) -> None:
        self.total += 1
        if len(self.rows) < self.limit:
            self.rows.append(row)

    @property
    def more(self) -> int:
        return self.total - len(self.rows)

    def merge(self, other: "Rows") -> None:
        """Append the rows of a table that follows this one."""
        self.rows += other.rows[: self.limit - len(self.rows)]
        self.total += other.total


class NameCounts:
    """Documents and mentions per canonical name of one type, bounded at MAX_NAMES names."""

    def __init__(self, limit: Optional[int] = None):
        self.limit = MAX_NAMES if limit is None else limit
        self.names: dict[str, list] = {}  # name → [documents, mentions, first document indexes, last document]
        self.approximate = False

    def _item(self, name: str) -> list:
        """The counts of a name, a new entry (after dropping the rarest half when full) if it has none."""
        item = self.names.get(name)
        if item is None:
            if len(self.names) >= self.limit:
                self._prune()
            item = self.names[name] = [0, 0, [], 0]
        return item

    def add(self, name: str, mentions: int, doc_index: int) -> None:
        item = self._item(name)
        if item[3] != doc_index:
            item[0] += 1
            item[3] = doc_index
            if len(item[2]) < DOC_LINKS:
                item[2].append(doc_index)
        item[1] += mentions

    def merge(self, other: "NameCounts") -> None:
        """Add the counts of documents that follow this one's."""
        for name, (docs, mentions, indexes, last) in other.names.items():
            item = self._item(name)
            item[0] += docs
            item[1] += mentions
            item[2] += indexes[: DOC_LINKS - len(item[2])]
            item[3] = last
        self.approximate |= other.approximate

    def _prune(self) -> None:
        keep = sorted(self.names.items(), key=lambda kv: (-kv[1][0], -kv[1][1]))[: self.limit // 2]
        self.names, self.approximate = dict(keep), True

    def top(self, n: int = TOP_N) -> list[tuple[str, int, int, list[int]]]:
        """Most frequent names by number of documents, then mentions, then name."""
        rows = sorted(self.names.items(), key=lambda kv: (-kv[1][0], -kv[1][1], kv[0]))[:n]
        return [(name, docs, mentions, indexes) for name, (docs, mentions, indexes, _) in rows]


@dataclass
class Summary:
    """What the summary and review sections need, gathered one document at a time."""

    max_documents: int = MAX_DOCUMENTS
    documents: int = 0
    mentions: int = 0
    counts: dict[str, int] = field(default_factory=lambda: {g: 0 for _, g in SUMMARY_TYPES})
    names: dict[str, NameCounts] = field(default_factory=lambda: {g: NameCounts() for _, g in SUMMARY_TYPES})
    low_mentions: Rows = field(default_factory=Rows)     # (doc, type, text, entity, score, rule, id)
    low_entities: Rows = field(default_factory=Rows)     # (doc, type, entity, score, id)
    without: dict[str, Rows] = field(default_factory=lambda: {"towns": Rows(), "dates": Rows()})  # (doc, title, path)
    not_highlighted: Rows = field(default_factory=Rows)  # (doc, type, text, id, offsets, why)
    toc: list[tuple[str, str]] = field(default_factory=list)
    provenance: dict[str, set] = field(default_factory=lambda: {k: set() for k in PROVENANCE_KEYS})
    extracted: list[str] = field(default_factory=list)   # earliest and latest extraction time

    def shown(self, index: int) -> bool:
        """Whether document `index` has its section (text and tables) in the page."""
        return index <= self.max_documents

    def add(self, doc: Doc) -> None:
        self.documents += 1
        self.mentions += len(doc.spans) + len(doc.invalid)
        shown = self.shown(doc.index)
        if shown:
            self.toc.append((doc.anchor, doc.title))
        for label, group in SUMMARY_TYPES:
            entities = doc.rec.get(group) or []
            self.counts[group] += len(entities)
            for e in entities:
                key = entity_label(e)
                if group == "towns" and e.get("ags"):
                    key = f"{key} · AGS {e['ags']}"
                self.names[group].add(key, len(e.get("mentions") or []), doc.index)
        for s in sorted(doc.spans, key=lambda s: s.start):
            if s.low:
                self.low_mentions.add((doc.index, s.type, s.mention.get("text", ""), s.label, score_of(s.mention),
                                       s.mention.get("rule"), s.id if shown else None))
        for group, i, e in low_entities(doc):
            self.low_entities.add((doc.index, TYPE_OF[group], entity_label(e), score_of(e),
                                   doc.first_ids.get((group, i)) if shown else None))
        for key, rows in self.without.items():
            if not doc.rec.get(key):
                rows.add((doc.index, doc.title, doc.rec.get("source", {}).get("path")))
        for s in doc.skipped + doc.invalid:
            self.not_highlighted.add((doc.index, s.type, s.mention.get("text", ""),
                                      s.id if shown and s.id in doc.rendered_ids else None, f"{s.start}:{s.end}",
                                      "crosses another mention (anchor only)" if s in doc.skipped else "offsets do not slice the text"))
        p = doc.rec.get("provenance") or {}
        for k in PROVENANCE_KEYS:
            if p.get(k):
                self.provenance[k].add(str(p[k]))
        if p.get("extracted_at"):
            self._extracted(p["extracted_at"], p["extracted_at"])

    def _extracted(self, first: str, last: str) -> None:
        self.extracted = [min(self.extracted[0], first), max(self.extracted[1], last)] if self.extracted else [first, last]

    def merge(self, other: "Summary") -> None:
        """Add the summary of the documents that follow this one's (a part rendered by another process)."""
        self.documents += other.documents
        self.mentions += other.mentions
        for group, count in other.counts.items():
            self.counts[group] += count
            self.names[group].merge(other.names[group])
        for mine, theirs in ((self.low_mentions, other.low_mentions), (self.low_entities, other.low_entities),
                             (self.not_highlighted, other.not_highlighted), *((self.without[k], other.without[k]) for k in self.without)):
            mine.merge(theirs)
        self.toc += other.toc
        for k in PROVENANCE_KEYS:
            self.provenance[k] |= other.provenance[k]
        if other.extracted:
            self._extracted(*other.extracted)


@dataclass
class Run:
    out_dir: Path
    summary: Summary
    errors: Rows
    manifest: dict
    bad_lines: Rows


def iter_jsonl(path: Path, bad: Rows) -> Iterator[dict]:
    """JSON lines one at a time; a broken line is counted in `bad`, not fatal (a crashed run can leave one)."""
    if not path.exists():
        return
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                yield json.loads(line)
            except json.JSONDecodeError as exc:
                bad.add(f"{path.name}:{n}: {exc}")


def read_doc(out_dir: Path, index: int, rec: dict) -> Doc:
    """A record with its ingested text, mentions placed and the text highlighted."""
    text_file = rec.get("source", {}).get("text_file")
    path = out_dir / text_file if text_file else None
    text = path.read_text(encoding="utf-8") if path and path.is_file() else None
    doc = Doc(index=index, rec=rec, text=text)
    place_spans(doc)
    if text is not None:
        doc.text_html = highlight(doc)  # also decides which mentions got anchors, before any table links
        for s in sorted(doc.spans, key=lambda s: (s.start, s.end)):
            if s.id in doc.rendered_ids:
                doc.first_ids.setdefault((s.group, s.entity_index), s.id)
    return doc


def place_spans(doc: Doc) -> None:
    """Collect the document's mentions with ids; drop those whose offsets do not slice the text."""
    for group, typ in GROUPS:
        for e_i, entity in enumerate(doc.rec.get(group) or []):
            for m_i, m in enumerate(entity.get("mentions") or []):
                span = Span(f"{doc.anchor}-{group}-{e_i}-{m_i}", typ, group, e_i, m.get("start", -1), m.get("end", -1), m, entity)
                ok = (doc.text is not None and 0 <= span.start < span.end <= len(doc.text)
                      and doc.text[span.start:span.end] == m.get("text"))
                (doc.spans if ok else doc.invalid).append(span)


def entity_label(entity: dict) -> str:
    """Canonical name of an entity; dates and durations are named by their value."""
    if "name" in entity:
        return str(entity["name"])
    return f"{entity.get('value', '')} ({entity.get('text', '')})"


def score_of(item: dict) -> float:
    """An item's score; dates and durations have none at entity level, so their weakest mention counts."""
    if isinstance(item.get("score"), (int, float)):
        return float(item["score"])
    scores = [m.get("score", 1.0) for m in item.get("mentions") or []]
    return float(min(scores)) if scores else 1.0


def first_mention_id(doc: Doc, group: str, e_i: int) -> Optional[str]:
    """Id of the entity's earliest mention in the text, if it was rendered (so links always resolve)."""
    return doc.first_ids.get((group, e_i))


# --------------------------------------------------------------------------- text highlighting


def highlight(doc: Doc) -> str:
    """The text as escaped HTML with nested <mark>s.

    Mentions are sorted by (start, longest first, type order); one inside the open mark nests, one that
    crosses the open mark's end is not highlighted but leaves an empty anchor, so links to it still land.
    """
    text = doc.text or ""
    order = {t: i for i, t in enumerate(TYPES)}
    spans = sorted(doc.spans, key=lambda s: (s.start, -s.end, order[s.type], s.id))
    out: list[str] = []
    stack: list[Span] = []
    pos = 0

    def emit_to(i: int) -> None:
        nonlocal pos
        if i > pos:
            out.append(esc(text[pos:i]))
            pos = i

    for span in spans:
        while stack and stack[-1].end <= span.start:
            emit_to(stack.pop().end)
            out.append("</mark>")
        emit_to(span.start)
        if stack and span.end > stack[-1].end:
            doc.skipped.append(span)
            out.append(f'<span class="anchor" id="{esc(span.id)}"></span>')
            doc.rendered_ids.add(span.id)
            continue
        out.append(open_mark(span))
        doc.rendered_ids.add(span.id)
        stack.append(span)
    while stack:
        emit_to(stack.pop().end)
        out.append("</mark>")
    emit_to(len(text))
    return "".join(out)


def open_mark(span: Span) -> str:
    """Opening tag with type classes, id and tooltip (type, canonical name, rule, score)."""
    m = span.mention
    classes = ["ent", f"ent-{span.type}"]
    if span.group == "towns_in_names" or m.get("in_name_of"):
        classes.append("in-name")
    if span.low:
        classes.append("low")
    tip = f"{span.type}: {span.label}\nrule: {m.get('rule', '')}\nscore: {score_of(m):.2f}"
    if m.get("in_name_of"):
        tip += f"\nin name of: {m['in_name_of']}"
    for adj in m.get("adjustments") or []:
        tip += f"\n{adj.get('delta', 0):+.2f} {adj.get('reason', '')}"
    return (f'<mark class="{" ".join(classes)}" id="{esc(span.id)}" data-label="{esc(span.type)}" '
            f'title="{esc(tip)}">')


# --------------------------------------------------------------------------- corpus statistics


def type_counts(summary: Summary) -> list[tuple[str, int, str]]:
    """(label, entities summed over documents, distinct names) per type."""
    return [(label, summary.counts[group],
             f"≥ {len(summary.names[group].names)}" if summary.names[group].approximate else str(len(summary.names[group].names)))
            for label, group in SUMMARY_TYPES]


def provenance(run: Run) -> list[tuple[str, str]]:
    """Run provenance from the manifest, checked against what the records say."""
    man, seen, times = run.manifest, run.summary.provenance, run.summary.extracted
    rows = []
    for key, label in zip(PROVENANCE_KEYS, ("pipeline version", "NLP backend", "rules hash")):
        values = sorted(seen[key] | ({str(man[key])} if man.get(key) else set()))
        rows.append((label, ", ".join(values) + ("  (differs between records/manifest)" if len(values) > 1 else "")))
    rows.append(("run finished", str(man.get("finished_at", "?"))))
    if times:
        rows.append(("records extracted", times[0] if times[0] == times[1] else f"{times[0]} … {times[1]}"))
    if "seconds" in man:
        rows.append(("run time", f"{man['seconds']} s"))
    rows.append(("output folder", str(run.out_dir)))
    return rows


def low_entities(doc: Doc) -> list[tuple[str, int, dict]]:
    """(group, index, entity) for entities scored below LOW_SCORE."""
    return [(g, i, e) for g, _ in GROUPS for i, e in enumerate(doc.rec.get(g) or [])
            if "score" in e and score_of(e) < LOW_SCORE]


# --------------------------------------------------------------------------- HTML

CSS = """
:root{--fg:#1d1d1f;--muted:#666;--line:#ddd;--bg:#fff}
*{box-sizing:border-box}
body{font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;color:var(--fg);
 background:var(--bg);margin:0;padding:0 1.5rem 4rem;max-width:1200px}
h1{font-size:1.6rem;margin:1.2rem 0 .3rem} h2{font-size:1.3rem;margin:2rem 0 .4rem;border-bottom:2px solid var(--line)}
h3{font-size:1.05rem;margin:1.2rem 0 .3rem} h4{font-size:.95rem;margin:1rem 0 .2rem}
a{color:#0b57d0} .muted{color:var(--muted)} code{font-size:.85em;background:#f4f4f4;padding:0 .2em;border-radius:3px}
table{border-collapse:collapse;margin:.3rem 0 .8rem;font-size:.88rem;width:100%}
th,td{border:1px solid var(--line);padding:.2rem .45rem;text-align:left;vertical-align:top}
th{background:#f6f6f6} table.kv{width:auto;min-width:24rem} tr.low td{background:#fff1f0}
nav.toc{columns:2;font-size:.9rem} nav.toc ol{margin:.2rem 0}
.bars{display:grid;grid-template-columns:9rem 1fr 4rem;gap:.25rem .5rem;align-items:center;max-width:700px}
.bar{height:1.1rem;border-radius:3px;min-width:2px}
.doc{border-top:1px solid var(--line);margin-top:2.5rem}
.meta{font-size:.88rem;color:var(--muted)} .meta b{color:var(--fg);font-weight:600}
.text{white-space:pre-wrap;line-height:2.1;border:1px solid var(--line);border-radius:6px;padding:.8rem 1rem;
 background:#fcfcfc;overflow-wrap:anywhere}
mark.ent{padding:.1em .25em;border-radius:.3em;color:inherit;box-decoration-break:clone;-webkit-box-decoration-break:clone}
mark.ent::after{content:attr(data-label);font-size:.6em;font-weight:700;text-transform:uppercase;
 margin-left:.3em;vertical-align:middle;opacity:.65}
mark.ent mark.ent{padding:0 .15em}
.key{padding:.1em .4em;border-radius:.3em;margin-right:.2em;font-size:.9rem}
mark.low,.key.low{outline:2px dashed #d93025;outline-offset:1px}
mark.in-name,.key.in-name{border-bottom:2px dotted #555}
mark.ent:target,.anchor:target{box-shadow:0 0 0 3px #0b57d0}
.anchor:target::before{content:"\\25B8";color:#0b57d0}
#filters{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--line);padding:.4rem 0;z-index:2;font-size:.9rem}
#filters label{margin-right:.8rem;white-space:nowrap}
.swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:-.1em;margin-right:.2em}
.warn{color:#b3261e}
"""
CSS += "".join(f".ent-{t},.bar-{t},.swatch-{t}{{background:{c}}}\n" for t, c in COLOURS.items())
CSS += "".join(f"body.hide-{t} mark.ent-{t}{{background:transparent;outline:none;border:0}}"
               f"body.hide-{t} mark.ent-{t}::after{{display:none}}\n" for t in TYPES)

# Our only script: marks the page ready, shows the filter bar and toggles body classes.
# Document content never reaches it; the CSP below allows exactly this script by its hash.
JS = """
(function(){
  var bar=document.getElementById('filters');
  if(bar){
    bar.hidden=false;
    var boxes=bar.querySelectorAll('input[data-type]');
    for(var i=0;i<boxes.length;i++){
      boxes[i].addEventListener('change',function(ev){
        document.body.classList.toggle('hide-'+ev.target.getAttribute('data-type'),!ev.target.checked);
      });
    }
  }
  document.body.setAttribute('data-ready','1');
})();
"""


def csp(script: str) -> str:
    """CSP: nothing from outside, inline styles, and only our own script (by sha256)."""
    digest = base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode("ascii")
    return (f"default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-{digest}'; "
            "img-src 'none'; base-uri 'none'; form-action 'none'")


def table(headers: Iterable[str], rows: Iterable[tuple[str, list[str]]]) -> str:
    """A table; headers are escaped here, cells must already be HTML (row = (css class, cells)).

    Without header labels it is a key/value table and only as wide as its content.
    """
    headers = list(headers)
    head = "<thead><tr>" + "".join(f"<th>{esc(h)}</th>" for h in headers) + "</tr></thead>" if any(headers) else ""
    body = "".join(f'<tr class="{esc(cls)}">' + "".join(f"<td>{c}</td>" for c in cells) + "</tr>" if cls
                   else "<tr>" + "".join(f"<td>{c}</td>" for c in cells) + "</tr>" for cls, cells in rows)
    opening = "<table>" if head else '<table class="kv">'
    return f"{opening}{head}<tbody>{body}</tbody></table>"


def link(target: Optional[str], label: str) -> str:
    """Escaped label, linked to #target when there is one."""
    return f'<a href="#{esc(target)}">{esc(label)}</a>' if target else esc(label)


def joined(values: Optional[Iterable[Any]]) -> str:
    return esc(", ".join(str(v) for v in values or []))


def doc_link(run: Run, index: int, label: str) -> str:
    """A document's label, linked to its section when the page shows it."""
    return link(f"doc-{index}" if run.summary.shown(index) else None, label)


def more_note(rows: Rows) -> str:
    return f"<p class=\"muted\">… and {rows.more} more (the page lists the first {len(rows.rows)}).</p>" if rows.more else ""


def html_summary(run: Run) -> str:
    """Corpus summary: counts, errors, entities per type with a bar chart, top entities, provenance."""
    summary, man = run.summary, run.manifest
    parts = ["<h2 id=\"summary\">Corpus summary</h2>"]
    parts.append(table(["", ""], [("", [esc(k), esc(v)]) for k, v in (
        ("inputs", man.get("inputs", "?")), ("documents (records)", summary.documents), ("errors", run.errors.total),
        ("entity mentions", summary.mentions))]))
    counts = type_counts(summary)
    biggest = max([c for _, c, _ in counts] + [1])
    parts.append("<h3 id=\"types\">Entities per type</h3><div class=\"bars\" role=\"img\" aria-label=\"entities per type\">")
    for (label, count, distinct), (_, group) in zip(counts, SUMMARY_TYPES):
        typ = TYPE_OF[group]
        parts.append(f"<span>{esc(label)}</span><span><span class=\"bar bar-{typ}\" style=\"display:block;width:"
                     f"{100 * count / biggest:.1f}%\"></span></span><span>{count}</span>")
    parts.append("</div>")
    parts.append(table(["type", "entities (summed over documents)", "distinct names"],
                       [("", [esc(l), str(c), esc(d)]) for l, c, d in counts]))
    for group, label in (("towns", "Top towns"), ("institutions", "Top institutions"), ("programmes", "Top programmes")):
        rows = [("", [esc(name), str(docs), str(mentions),
                      ", ".join(doc_link(run, i, str(i)) for i in indexes) + (", …" if docs > len(indexes) else "")])
                for name, docs, mentions, indexes in summary.names[group].top()]
        parts.append(f"<h3 id=\"top-{group}\">{esc(label)} (top {TOP_N})</h3>")
        parts.append(table(["name", "documents", "mentions", "in documents"], rows) if rows else "<p class=\"muted\">none</p>")
    parts.append("<h3 id=\"errors\">Errors</h3>")
    if run.errors.total:
        by_stage = Counter(e.get("stage", "?") for e in run.errors.rows)
        parts.append("<p>" + esc(", ".join(f"{k}: {v}" for k, v in sorted(by_stage.items()))) + "</p>")
        parts.append(table(["file", "stage", "reason"], [("", [esc(e.get("file")), esc(e.get("stage")), esc(e.get("reason"))])
                                                          for e in run.errors.rows]) + more_note(run.errors))
    else:
        parts.append("<p class=\"muted\">no errors</p>")
    if run.bad_lines.total:
        parts.append("<p class=\"warn\">Unreadable lines: " + esc("; ".join(run.bad_lines.rows)) + "</p>" + more_note(run.bad_lines))
    parts.append("<h3 id=\"provenance\">Run provenance</h3>")
    parts.append(table(["", ""], [("", [esc(k), esc(v)]) for k, v in provenance(run)]))
    return "\n".join(parts)


def html_review(run: Run) -> str:
    """Review aids: low scores, documents without towns or dates, mentions that could not be highlighted."""
    summary = run.summary
    parts = [f"<h2 id=\"review\">Review</h2><p class=\"muted\">Scores below {LOW_SCORE} are flagged "
             "(dashed red outline in the text, red rows in the tables).</p>"]
    rows = [("low", [doc_link(run, d, str(d)), esc(typ), link(span_id, text), esc(label), f"{score:.2f}", f"<code>{esc(rule)}</code>"])
            for d, typ, text, label, score, rule, span_id in summary.low_mentions.rows]
    parts.append("<h3 id=\"low-mentions\">Low-score mentions</h3>")
    parts.append(table(["doc", "type", "mention", "entity", "score", "rule"], rows) + more_note(summary.low_mentions)
                 if rows else "<p class=\"muted\">none</p>")
    rows = [("low", [doc_link(run, d, str(d)), esc(typ), link(first, label), f"{score:.2f}"])
            for d, typ, label, score, first in summary.low_entities.rows]
    parts.append("<h3 id=\"low-entities\">Low-score entities</h3>")
    parts.append(table(["doc", "type", "entity", "score"], rows) + more_note(summary.low_entities)
                 if rows else "<p class=\"muted\">none</p>")
    for key, label in (("towns", "Documents without towns"), ("dates", "Documents without dates")):
        missing = summary.without[key]
        parts.append(f"<h3 id=\"no-{key}\">{esc(label)}</h3>")
        parts.append("<ul>" + "".join(f"<li>{doc_link(run, d, title)} <span class=\"muted\">{esc(path)}</span></li>"
                                      for d, title, path in missing.rows) + "</ul>" + more_note(missing)
                     if missing.rows else "<p class=\"muted\">none</p>")
    rows = [("", [doc_link(run, d, str(d)), esc(typ), link(span_id, text), offsets, esc(why)])
            for d, typ, text, span_id, offsets, why in summary.not_highlighted.rows]
    parts.append("<h3 id=\"not-highlighted\">Mentions not highlighted</h3>")
    parts.append(table(["doc", "type", "mention", "offsets", "why"], rows) + more_note(summary.not_highlighted)
                 if rows else "<p class=\"muted\">none</p>")
    return "\n".join(parts)


def entity_tables(doc: Doc) -> str:
    """Per-type tables of the record's entities, each row linked to its first mention in the text."""
    rec = doc.rec
    specs = [
        ("towns", "Towns", ["AGS", "state", "district", "GeoNames", "other candidates"],
         lambda e: [esc(e.get("ags")), esc(e.get("state")), esc(e.get("district")), esc(e.get("geonames_id")),
                    joined(f"{c.get('name')} ({c.get('ags') or c.get('state') or '?'})" for c in e.get("candidates") or [])]),
        ("towns_in_names", "Towns inside institution names", ["AGS", "state", "district", "GeoNames"],
         lambda e: [esc(e.get("ags")), esc(e.get("state")), esc(e.get("district")), esc(e.get("geonames_id"))]),
        ("districts", "Districts", ["town", "AGS"], lambda e: [esc(e.get("town")), esc(e.get("ags"))]),
        ("institutions", "Institutions", ["acronym", "registry id", "kind"],
         lambda e: [esc(e.get("acronym")), esc(e.get("registry_id")), esc(e.get("kind"))]),
        ("programmes", "Programmes", ["acronym", "registry id", "funders"],
         lambda e: [esc(e.get("acronym")), esc(e.get("registry_id")), joined(e.get("funders"))]),
        ("projects", "Projects", ["programmes", "funders", "partners", "towns"],
         lambda e: [joined(e.get("programmes")), joined(e.get("funders")), joined(e.get("partners")), joined(e.get("towns"))]),
    ]
    parts = []
    for group, title, headers, cells in specs:
        items = rec.get(group) or []
        if not items:
            continue
        rows = []
        for i, e in enumerate(items):
            rows.append(("low" if score_of(e) < LOW_SCORE else "",
                         [link(first_mention_id(doc, group, i), e.get("name", "")), joined(e.get("aliases")), *cells(e),
                          f"{score_of(e):.2f}", str(len(e.get("mentions") or []))]))
        parts.append(f"<h4>{esc(title)}</h4>" + table(["name", "aliases", *headers, "score", "mentions"], rows))
    for group, title in (("dates", "Dates"), ("durations", "Durations")):
        items = rec.get(group) or []
        if not items:
            continue
        rows = [("low" if score_of(e) < LOW_SCORE else "",
                 [link(first_mention_id(doc, group, i), e.get("text", "")), esc(e.get("value")),
                  esc(e.get("mod")) if group == "dates" else "", esc(e.get("time")) if group == "dates" else "",
                  f"{score_of(e):.2f}", str(len(e.get("mentions") or []))]) for i, e in enumerate(items)]
        parts.append(f"<h4>{esc(title)}</h4>" + table(["text", "value", "mod", "time", "score", "mentions"], rows))
    if rec.get("relations"):
        first = name_targets(doc)
        rows = []
        for r in rec["relations"]:
            ev = r.get("evidence") or {}
            rows.append(("low" if score_of(ev) < LOW_SCORE else "",
                         [esc(r.get("type")), link(first.get(r.get("from")), r.get("from", "")), link(first.get(r.get("to")), r.get("to", "")),
                          f"<code>{esc(r.get('rule'))}</code>", esc(ev.get("text")), f"{score_of(ev):.2f}",
                          esc(", ".join(f"{a.get('reason')} {a.get('delta', 0):+.2f}" for a in ev.get("adjustments") or []))]))
        parts.append("<h4>Relations</h4>" + table(["type", "from", "to", "rule", "evidence", "score", "why (model features)"], rows))
    return "\n".join(parts) or "<p class=\"muted\">no entities</p>"


def name_targets(doc: Doc) -> dict[str, str]:
    """Canonical name → first rendered mention id, so relation ends link into the text."""
    targets: dict[str, str] = {}
    for group, _ in GROUPS:
        for i, e in enumerate(doc.rec.get(group) or []):
            target = first_mention_id(doc, group, i)
            if "name" in e and target:
                targets.setdefault(e["name"], target)
    return targets


def html_document(doc: Doc) -> str:
    """One release: metadata, highlighted text, entity tables."""
    rec, src = doc.rec, doc.rec.get("source") or {}
    ev = rec.get("doc_date_evidence") or {}
    meta = [("source", src.get("path")), ("doc_date", rec.get("doc_date") or "none"),
            ("doc_date evidence", f"“{ev.get('text')}” ({ev.get('rule')})" if ev else None),
            ("record", rec.get("record_id")), ("encoding", src.get("encoding")), ("bytes", src.get("bytes"))]
    meta_html = " · ".join(f"<b>{esc(k)}</b> {esc(v)}" for k, v in meta if v is not None)
    flags = []
    if not rec.get("towns"):
        flags.append("no towns")
    if not rec.get("dates"):
        flags.append("no dates")
    flag_html = f" <span class=\"warn\">({esc(', '.join(flags))})</span>" if flags else ""
    if doc.text is None:
        body = f"<p class=\"warn\">text file {esc(src.get('text_file'))} not found; mentions cannot be shown.</p>"
    else:
        body = f"<div class=\"text\" lang=\"de\">{doc.text_html}</div>"
    return (f"<section class=\"doc\" id=\"{esc(doc.anchor)}\"><h2>{doc.index}. {esc(doc.title)}{flag_html}</h2>"
            f"<p class=\"meta\">{meta_html}</p>{body}\n{entity_tables(doc)}</section>")


def filter_bar() -> str:
    """Type checkboxes; hidden until the script runs, since without JS they could do nothing."""
    boxes = "".join(f"<label><input type=\"checkbox\" checked data-type=\"{t}\"> <span class=\"swatch swatch-{t}\"></span>{t}</label>"
                    for t in TYPES)
    return f"<div id=\"filters\" hidden><b>Highlight:</b> {boxes}</div>"


def legend() -> str:
    """Colour key (spans, not marks, so they are not counted or filtered as highlights)."""
    return "<p class=\"legend\">" + " ".join(f"<span class=\"key ent-{t}\">{t}</span>" for t in TYPES) + \
        f" <span class=\"key low\">score &lt; {LOW_SCORE}</span> <span class=\"key in-name\">inside a name</span></p>"


def page_head(run: Run) -> str:
    """Everything before the document sections: filter bar, summary, review and the table of contents."""
    summary, man = run.summary, run.manifest
    toc = "".join(f"<li><a href=\"#{esc(anchor)}\">{esc(title)}</a></li>" for anchor, title in summary.toc)
    shown = len(summary.toc)
    cut = (f"<p class=\"warn\">The page shows the first {shown} of {summary.documents} documents with their text "
           f"(<code>python -m pipeline report DIR --documents N</code> shows more); summary and review cover all of them.</p>"
           if shown < summary.documents else "")
    approximate = any(n.approximate for n in summary.names.values())
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{esc(csp(JS))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pressrecords report</title>
<style>{CSS}</style></head>
<body>
{filter_bar()}
<h1>pressrecords review report</h1>
<p class="muted">{summary.documents} documents · {run.errors.total} errors · pipeline {esc(man.get('pipeline_version', '?'))}
 · backend {esc(man.get('nlp_backend', '?'))} · finished {esc(man.get('finished_at', '?'))}</p>
<p><a href="#summary">Summary</a> · <a href="#review">Review</a> · <a href="#documents">Documents</a></p>
{legend()}
{"<p class='muted'>More than " + str(MAX_NAMES) + " distinct names of a type: the rarest were dropped, name counts are approximate.</p>" if approximate else ""}
{html_summary(run)}
{html_review(run)}
<h2 id="documents">Documents</h2>
{cut}<nav class="toc"><ol>{toc}</ol></nav>
"""


PAGE_TAIL = f"<script>{JS}</script>\n</body></html>\n"


# --------------------------------------------------------------------------- Markdown


def md(value: Any) -> str:
    """Make a value safe inside a Markdown table cell: no HTML, links, code or cell breaks."""
    text = " ".join(("" if value is None else str(value)).split())
    for ch in "\\`<>[]|":
        text = text.replace(ch, "\\" + ch)
    return text


def md_table(headers: list[str], rows: list[list[Any]]) -> list[str]:
    if not rows:
        return ["_none_", ""]
    lines = ["| " + " | ".join(md(h) for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(md(c) for c in row) + " |" for row in rows]
    return lines + [""]


def render_md(run: Run) -> str:
    """The Markdown summary: what a reviewer needs in a terminal or merge request."""
    summary, man = run.summary, run.manifest

    def more(*tables: Rows) -> list[str]:
        n = sum(t.more for t in tables)
        return [f"… and {n} more (the first {sum(len(t.rows) for t in tables)} are listed).", ""] if n else []

    lines = ["# pressrecords report", "",
             f"{man.get('inputs', '?')} inputs → **{summary.documents} records**, **{run.errors.total} errors** "
             f"(pipeline {md(man.get('pipeline_version', '?'))}, backend {md(man.get('nlp_backend', '?'))}, "
             f"rules {md(man.get('rules_hash', '?'))}, finished {md(man.get('finished_at', '?'))})", "",
             "## Entities per type", ""]
    lines += md_table(["type", "entities", "distinct"], [list(r) for r in type_counts(summary)])
    for group in ("towns", "institutions", "programmes"):
        lines += [f"## Top {group}", ""]
        lines += md_table(["name", "documents", "mentions"], [[name, docs, mentions] for name, docs, mentions, _ in summary.names[group].top()])
    lines += ["## Errors", ""]
    lines += md_table(["file", "stage", "reason"], [[e.get("file"), e.get("stage"), e.get("reason")] for e in run.errors.rows])
    lines += more(run.errors)
    lines += [f"## Low-score items (< {LOW_SCORE})", ""]
    rows = [[d, typ, text, label, f"{score:.2f}", rule] for d, typ, text, label, score, rule, _ in summary.low_mentions.rows]
    rows += [[d, typ + " (entity)", label, label, f"{score:.2f}", ""] for d, typ, label, score, _ in summary.low_entities.rows]
    lines += md_table(["doc", "type", "text", "entity", "score", "rule"], rows)
    lines += more(summary.low_mentions, summary.low_entities)
    for key in ("towns", "dates"):
        lines += [f"## Documents without {key}", ""]
        lines += md_table(["doc", "title", "source"], [list(row) for row in summary.without[key].rows])
        lines += more(summary.without[key])
    if summary.not_highlighted.total:
        lines += [f"{summary.not_highlighted.total} mentions could not be highlighted (see report.html, Review).", ""]
    lines += ["## Run provenance", ""]
    lines += md_table(["", ""], [[k, v] for k, v in provenance(run)])
    return "\n".join(lines)


def write_report(out_dir: str | Path, max_documents: int = MAX_DOCUMENTS, workers: int = 1) -> tuple[Path, Path]:
    """Write OUT/report.html and OUT/report.md from a run's output folder; return their paths.

    records.jsonl is read once, in parts (by `workers` processes when there are enough records): each part's
    sections go to a temporary file as they are rendered and only bounded summaries stay in memory; the page
    is then the head, the parts' sections in order, and the tail. Documents are numbered by their line."""
    out = Path(out_dir)
    records_path = out / "records.jsonl"
    if not records_path.exists():
        raise FileNotFoundError(f"{records_path} not found: run `python -m pipeline run … --out {out}` first")
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    bad, errors = Rows(), Rows()
    for e in iter_jsonl(out / "errors.jsonl", bad):
        errors.add(e)
    parts = split_lines(records_path, workers)
    n_lines = sum(part[2] for part in parts)
    tasks = [(str(out), start, end, first, max_documents) for start, end, _, first in parts]
    html_path, md_path = out / "report.html", out / "report.md"
    summary = Summary(max_documents=max_documents)
    sections: list[str] = []  # the parts' temporary files, in order

    def merge(pieces: Iterable[tuple[Summary, Rows, str]]) -> None:
        """Each part's summary is merged in turn: one part's rows are held at a time, not every part's."""
        for part_summary, part_bad, part_sections in pieces:
            sections.append(part_sections)
            summary.merge(part_summary)
            bad.merge(part_bad)

    try:
        if workers > 1 and n_lines >= MIN_RECORDS_PER_WORKER * 2:
            import multiprocessing as mp

            from pipeline.workers import Workers

            context = mp.get_context("fork" if sys.platform.startswith("linux") else "spawn")
            with Workers(min(workers, len(tasks)), _render_part_to_files, _part_lost, context, quota=len(tasks), chunk=1) as pool:
                merge(_load_part(paths) for paths in pool.map(tasks))
        else:
            merge(render_part(*task) for task in tasks)
        run = Run(out, summary, errors, manifest, bad)
        with atomic_writer(html_path) as fh:
            fh.write(page_head(run))
            fh.flush()  # the parts' bytes go to the file underneath: as they were written, not decoded and encoded again
            for part_sections in sections:
                with open(part_sections, "rb") as part:
                    shutil.copyfileobj(part, fh.buffer, READ_BLOCK)
            fh.write(PAGE_TAIL)
    finally:
        for part_sections in sections:
            Path(part_sections).unlink(missing_ok=True)
    write_atomic(md_path, render_md(run))
    for path in (html_path, md_path):
        path.chmod(0o644)  # meant to be shared; mkstemp creates files as 0600
    return html_path, md_path


def split_lines(path: Path, workers: int) -> list[tuple[int, int, int, int]]:
    """records.jsonl in parts at line starts: (start byte, end byte, newlines in it, number of its first line);
    four parts per worker so that a slow part does not keep the others waiting."""
    size = path.stat().st_size
    n = 4 * workers if workers > 1 else 1
    cuts = [0]
    with path.open("rb") as fh:
        for k in range(1, n):
            fh.seek(max(size * k // n, cuts[-1]))
            fh.readline()
            cuts.append(max(fh.tell(), cuts[-1]))
        cuts.append(size)
        parts, first = [], 1
        for start, end in zip(cuts, cuts[1:]):
            if end <= start:
                continue
            fh.seek(start)
            lines, left = 0, end - start
            while left:
                block = fh.read(min(left, READ_BLOCK))
                lines += block.count(b"\n")
                left -= len(block)
            parts.append((start, end, lines, first))
            first += lines
    return parts


def _render_part_to_files(args: tuple) -> tuple[str, str]:
    """A report process's job: a part's sections and its summary in temporary files. The parent then holds one part's
    summary at a time, in order, however the parts arrive (holding those that came early raised its peak with the
    number of records: each part keeps up to MAX_ROWS rows of every table)."""
    summary, bad, sections = render_part(*args)
    fd, path = tempfile.mkstemp(dir=args[0], prefix=".report-summary", suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        pickle.dump((summary, bad), fh, protocol=pickle.HIGHEST_PROTOCOL)
    return path, sections


def _load_part(paths: tuple[str, str]) -> tuple[Summary, Rows, str]:
    """A part's summary from its temporary file (then removed), and its sections file."""
    summary_path, sections = paths
    with open(summary_path, "rb") as fh:
        summary, bad = pickle.load(fh)
    Path(summary_path).unlink()
    return summary, bad, sections


def _part_lost(task: tuple, reason: str):
    """A part whose worker process died twice, the second time on this part alone: the report cannot be whole."""
    out_dir, _, _, first_line, _ = task
    raise RuntimeError(f"the report's worker process died on the records from line {first_line} ({reason}); "
                       f"run `python -m pipeline report {out_dir}` again")


def render_part(out_dir: str, start: int, end: int, first_line: int, max_documents: int) -> tuple[Summary, Rows, str]:
    """The sections of the records between two byte offsets, written to a temporary file, and their summary."""
    out = Path(out_dir)
    summary, bad = Summary(max_documents=max_documents), Rows()
    fd, sections = tempfile.mkstemp(dir=out, prefix=".report-part", suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as fh, (out / "records.jsonl").open("rb") as records:
        records.seek(start)
        position, number = start, first_line - 1
        while position < end:
            raw = records.readline()
            if not raw:
                break
            position += len(raw)
            number += 1
            if not raw.strip():
                continue
            try:
                rec = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                bad.add(f"records.jsonl:{number}: {exc}")
                continue
            doc = read_doc(out, number, rec)
            summary.add(doc)
            if summary.shown(number):
                fh.write(html_document(doc))
    return summary, bad, sections
