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
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Optional

from pipeline.emit import write_atomic

LOW_SCORE = 0.6
TOP_N = 10

# record field → highlight type; towns_in_names are towns too (marked "in-name").
GROUPS: list[tuple[str, str]] = [
    ("towns", "town"), ("towns_in_names", "town"), ("districts", "district"),
    ("institutions", "institution"), ("programmes", "programme"), ("projects", "project"),
    ("dates", "date"), ("durations", "duration"),
]
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


def esc(value: Any) -> str:
    """Escape anything for HTML text and attributes alike (None → empty)."""
    return html.escape("" if value is None else str(value), quote=True)


# --------------------------------------------------------------------------- loading


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
    text_html: str = ""                                    # escaped, highlighted text (set by load_run)

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


@dataclass
class Run:
    out_dir: Path
    docs: list[Doc]
    errors: list[dict]
    manifest: dict
    bad_lines: list[str]


def read_jsonl(path: Path) -> tuple[list[dict], list[str]]:
    """Read JSON lines; a broken line is reported, not fatal (a crashed run can leave one)."""
    items, bad = [], []
    if not path.exists():
        return items, bad
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        try:
            items.append(json.loads(line))
        except json.JSONDecodeError as exc:
            bad.append(f"{path.name}:{n}: {exc}")
    return items, bad


def load_run(out_dir: Path) -> Run:
    """Load everything the report shows; only records.jsonl is required."""
    records_path = out_dir / "records.jsonl"
    if not records_path.exists():
        raise FileNotFoundError(f"{records_path} not found: run `python -m pipeline run … --out {out_dir}` first")
    records, bad = read_jsonl(records_path)
    errors, bad_err = read_jsonl(out_dir / "errors.jsonl")
    manifest_path = out_dir / "manifest.json"
    manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.exists() else {}
    docs = []
    for i, rec in enumerate(records, 1):
        text_file = rec.get("source", {}).get("text_file")
        path = out_dir / text_file if text_file else None
        text = path.read_text(encoding="utf-8") if path and path.is_file() else None
        doc = Doc(index=i, rec=rec, text=text)
        place_spans(doc)
        if text is not None:
            doc.text_html = highlight(doc)  # also decides which mentions got anchors, before any table links
        docs.append(doc)
    return Run(out_dir, docs, errors, manifest, bad + bad_err)


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
    spans = [s for s in doc.spans if s.group == group and s.entity_index == e_i]
    for s in sorted(spans, key=lambda s: (s.start, s.end)):
        if s.id in doc.rendered_ids:
            return s.id
    return None


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


def type_counts(docs: list[Doc]) -> list[tuple[str, int, int]]:
    """(label, entities summed over documents, distinct names) per type."""
    rows = []
    for label, group in SUMMARY_TYPES:
        names = [entity_label(e) for d in docs for e in d.rec.get(group) or []]
        rows.append((label, len(names), len(set(names))))
    return rows


def top_entities(docs: list[Doc], group: str, n: int = TOP_N) -> list[dict]:
    """Most frequent canonical names of a type by number of documents, then mentions, then name."""
    by_name: dict[str, dict] = defaultdict(lambda: {"docs": [], "mentions": 0, "extra": ""})
    for d in docs:
        for e in d.rec.get(group) or []:
            key = entity_label(e)
            if group == "towns" and e.get("ags"):
                key = f"{key} · AGS {e['ags']}"
            item = by_name[key]
            if d not in item["docs"]:
                item["docs"].append(d)
            item["mentions"] += len(e.get("mentions") or [])
    rows = [{"name": k, **v} for k, v in by_name.items()]
    rows.sort(key=lambda r: (-len(r["docs"]), -r["mentions"], r["name"]))
    return rows[:n]


def provenance(run: Run) -> list[tuple[str, str]]:
    """Run provenance from the manifest, checked against what the records say."""
    man = run.manifest
    seen: dict[str, set] = defaultdict(set)
    times = []
    for d in run.docs:
        p = d.rec.get("provenance") or {}
        for k in ("pipeline_version", "nlp_backend", "rules_hash"):
            if p.get(k):
                seen[k].add(str(p[k]))
        if p.get("extracted_at"):
            times.append(p["extracted_at"])
    rows = []
    for key, label in (("pipeline_version", "pipeline version"), ("nlp_backend", "NLP backend"), ("rules_hash", "rules hash")):
        values = sorted(seen[key] | ({str(man[key])} if man.get(key) else set()))
        rows.append((label, ", ".join(values) + ("  (differs between records/manifest)" if len(values) > 1 else "")))
    rows.append(("run finished", str(man.get("finished_at", "?"))))
    if times:
        rows.append(("records extracted", min(times) if min(times) == max(times) else f"{min(times)} … {max(times)}"))
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


def html_summary(run: Run) -> str:
    """Corpus summary: counts, errors, entities per type with a bar chart, top entities, provenance."""
    docs, man = run.docs, run.manifest
    parts = ["<h2 id=\"summary\">Corpus summary</h2>"]
    n_mentions = sum(len(d.spans) + len(d.invalid) for d in docs)
    parts.append(table(["", ""], [("", [esc(k), esc(v)]) for k, v in (
        ("inputs", man.get("inputs", "?")), ("documents (records)", len(docs)), ("errors", len(run.errors)),
        ("entity mentions", n_mentions))]))
    counts = type_counts(docs)
    biggest = max([c for _, c, _ in counts] + [1])
    parts.append("<h3 id=\"types\">Entities per type</h3><div class=\"bars\" role=\"img\" aria-label=\"entities per type\">")
    for (label, count, distinct), (_, group) in zip(counts, SUMMARY_TYPES):
        typ = dict(GROUPS)[group]
        parts.append(f"<span>{esc(label)}</span><span><span class=\"bar bar-{typ}\" style=\"display:block;width:"
                     f"{100 * count / biggest:.1f}%\"></span></span><span>{count}</span>")
    parts.append("</div>")
    parts.append(table(["type", "entities (summed over documents)", "distinct names"],
                       [("", [esc(l), str(c), str(d)]) for l, c, d in counts]))
    for group, label in (("towns", "Top towns"), ("institutions", "Top institutions"), ("programmes", "Top programmes")):
        rows = [("", [esc(r["name"]), str(len(r["docs"])), str(r["mentions"]),
                      ", ".join(link(d.anchor, str(d.index)) for d in r["docs"])]) for r in top_entities(docs, group)]
        parts.append(f"<h3 id=\"top-{group}\">{esc(label)} (top {TOP_N})</h3>")
        parts.append(table(["name", "documents", "mentions", "in documents"], rows) if rows else "<p class=\"muted\">none</p>")
    parts.append("<h3 id=\"errors\">Errors</h3>")
    if run.errors:
        by_stage = Counter(e.get("stage", "?") for e in run.errors)
        parts.append("<p>" + esc(", ".join(f"{k}: {v}" for k, v in sorted(by_stage.items()))) + "</p>")
        parts.append(table(["file", "stage", "reason"], [("", [esc(e.get("file")), esc(e.get("stage")), esc(e.get("reason"))])
                                                          for e in run.errors]))
    else:
        parts.append("<p class=\"muted\">no errors</p>")
    if run.bad_lines:
        parts.append("<p class=\"warn\">Unreadable lines: " + esc("; ".join(run.bad_lines)) + "</p>")
    parts.append("<h3 id=\"provenance\">Run provenance</h3>")
    parts.append(table(["", ""], [("", [esc(k), esc(v)]) for k, v in provenance(run)]))
    return "\n".join(parts)


def html_review(run: Run) -> str:
    """Review aids: low scores, documents without towns or dates, mentions that could not be highlighted."""
    parts = [f"<h2 id=\"review\">Review</h2><p class=\"muted\">Scores below {LOW_SCORE} are flagged "
             "(dashed red outline in the text, red rows in the tables).</p>"]
    rows = []
    for d in run.docs:
        for s in sorted(d.spans, key=lambda s: s.start):
            if s.low:
                rows.append(("low", [link(d.anchor, str(d.index)), esc(s.type), link(s.id, s.mention.get("text", "")),
                                     esc(s.label), f"{score_of(s.mention):.2f}", f"<code>{esc(s.mention.get('rule'))}</code>"]))
    parts.append("<h3 id=\"low-mentions\">Low-score mentions</h3>")
    parts.append(table(["doc", "type", "mention", "entity", "score", "rule"], rows) if rows else "<p class=\"muted\">none</p>")
    rows = []
    for d in run.docs:
        for group, i, e in low_entities(d):
            rows.append(("low", [link(d.anchor, str(d.index)), esc(dict(GROUPS)[group]),
                                 link(first_mention_id(d, group, i), entity_label(e)), f"{score_of(e):.2f}"]))
    parts.append("<h3 id=\"low-entities\">Low-score entities</h3>")
    parts.append(table(["doc", "type", "entity", "score"], rows) if rows else "<p class=\"muted\">none</p>")
    for key, label in (("towns", "Documents without towns"), ("dates", "Documents without dates")):
        missing = [d for d in run.docs if not d.rec.get(key)]
        parts.append(f"<h3 id=\"no-{key}\">{esc(label)}</h3>")
        parts.append("<ul>" + "".join(f"<li>{link(d.anchor, d.title)} <span class=\"muted\">{esc(d.rec.get('source', {}).get('path'))}"
                                      "</span></li>" for d in missing) + "</ul>" if missing else "<p class=\"muted\">none</p>")
    rows = [("", [link(d.anchor, str(d.index)), esc(s.type), link(s.id if s.id in d.rendered_ids else None, s.mention.get("text", "")),
                  f"{s.start}:{s.end}", esc("crosses another mention (anchor only)" if s in d.skipped else "offsets do not slice the text")])
            for d in run.docs for s in d.skipped + d.invalid]
    parts.append("<h3 id=\"not-highlighted\">Mentions not highlighted</h3>")
    parts.append(table(["doc", "type", "mention", "offsets", "why"], rows) if rows else "<p class=\"muted\">none</p>")
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


def render_html(run: Run) -> str:
    """The whole page: filter bar, summary, review, then one section per document."""
    sections = [html_document(d) for d in run.docs]
    toc = "".join(f"<li><a href=\"#{esc(d.anchor)}\">{esc(d.title)}</a></li>" for d in run.docs)
    man = run.manifest
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{esc(csp(JS))}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>pressrecords report</title>
<style>{CSS}</style></head>
<body>
{filter_bar()}
<h1>pressrecords review report</h1>
<p class="muted">{len(run.docs)} documents · {len(run.errors)} errors · pipeline {esc(man.get('pipeline_version', '?'))}
 · backend {esc(man.get('nlp_backend', '?'))} · finished {esc(man.get('finished_at', '?'))}</p>
<p><a href="#summary">Summary</a> · <a href="#review">Review</a> · <a href="#documents">Documents</a></p>
{legend()}
{html_summary(run)}
{html_review(run)}
<h2 id="documents">Documents</h2>
<nav class="toc"><ol>{toc}</ol></nav>
{"".join(sections)}
<script>{JS}</script>
</body></html>
"""


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
    docs, man = run.docs, run.manifest
    lines = ["# pressrecords report", "",
             f"{man.get('inputs', '?')} inputs → **{len(docs)} records**, **{len(run.errors)} errors** "
             f"(pipeline {md(man.get('pipeline_version', '?'))}, backend {md(man.get('nlp_backend', '?'))}, "
             f"rules {md(man.get('rules_hash', '?'))}, finished {md(man.get('finished_at', '?'))})", "",
             "## Entities per type", ""]
    lines += md_table(["type", "entities", "distinct"], [list(r) for r in type_counts(docs)])
    for group in ("towns", "institutions", "programmes"):
        lines += [f"## Top {group}", ""]
        lines += md_table(["name", "documents", "mentions"],
                          [[r["name"], len(r["docs"]), r["mentions"]] for r in top_entities(docs, group)])
    lines += ["## Errors", ""]
    lines += md_table(["file", "stage", "reason"], [[e.get("file"), e.get("stage"), e.get("reason")] for e in run.errors])
    lines += [f"## Low-score items (< {LOW_SCORE})", ""]
    rows = [[d.index, s.type, s.mention.get("text"), s.label, f"{score_of(s.mention):.2f}", s.mention.get("rule")]
            for d in docs for s in sorted(d.spans, key=lambda s: s.start) if s.low]
    rows += [[d.index, dict(GROUPS)[g] + " (entity)", entity_label(e), entity_label(e), f"{score_of(e):.2f}", ""]
             for d in docs for g, _, e in low_entities(d)]
    lines += md_table(["doc", "type", "text", "entity", "score", "rule"], rows)
    for key in ("towns", "dates"):
        lines += [f"## Documents without {key}", ""]
        lines += md_table(["doc", "title", "source"], [[d.index, d.title, d.rec.get("source", {}).get("path")]
                                                       for d in docs if not d.rec.get(key)])
    problems = sum(len(d.skipped) + len(d.invalid) for d in docs)
    if problems:
        lines += [f"{problems} mentions could not be highlighted (see report.html, Review).", ""]
    lines += ["## Run provenance", ""]
    lines += md_table(["", ""], [[k, v] for k, v in provenance(run)])
    return "\n".join(lines)


def write_report(out_dir: str | Path) -> tuple[Path, Path]:
    """Write OUT/report.html and OUT/report.md from a run's output folder; return their paths."""
    out = Path(out_dir)
    run = load_run(out)
    html_path, md_path = out / "report.html", out / "report.md"
    write_atomic(html_path, render_html(run))
    write_atomic(md_path, render_md(run))
    for path in (html_path, md_path):
        path.chmod(0o644)  # meant to be shared; mkstemp in write_atomic creates files as 0600
    return html_path, md_path
