"""Extract: one ingested document → one validated Record (NLP, resolve, pydantic)."""
from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections import defaultdict
from typing import Optional

from spacy.attrs import IDX, SENT_START
from spacy.language import Language

from pipeline import __version__
from pipeline.components.projects import title_line
from pipeline.components.sentences import SENT_STARTS_KEY
from pipeline.evidence import SPAN_GROUPS_KEY, Evidence
from pipeline.ingest import Document, analysis_copy
from pipeline.records import Record
from pipeline.resolve import Entity, Resolved, resolve
from pipeline.rules import rules_hash


RULE_RELATION_SCORE = 0.7  # a rule's relation when no relation model is installed
LINE_BREAKS = re.compile(r"\n[ \t\n]*")  # a line break and the blank space after it


def record_id(text: str) -> str:
    """Stable: the same ingested text gives the same id on every run."""
    return "pr-" + hashlib.sha256(text.encode("utf-8")).hexdigest()[:24]


def text_file(sha256: str) -> str:
    return f"texts/{sha256}.txt"


def mention(ev: Evidence) -> dict:
    return {"start": ev.start, "end": ev.end, "text": ev.text, "sentence": ev.sentence, "rule": ev.rule, "score": round(ev.score, 3),
            "adjustments": [{"reason": r, "delta": round(d, 3)} for r, d in ev.adjustments], "in_name_of": ev.attrs.get("in_name_of")}


def _base(ent: Entity) -> dict:
    return {"name": ent.name, "aliases": ent.aliases, "score": round(ent.score, 3),
            "mentions": [mention(m) for m in ent.mentions if "anaphor" not in m.attrs]}  # "die Stiftung": for the relations only


def _town(ent: Entity) -> dict:
    p = ent.attrs["place"]
    return _base(ent) | {"ags": p.ags, "state": p.state, "district": p.district, "country": p.country, "lat": p.lat, "lon": p.lon,
                         "population": p.population or None, "geonames_id": p.geonames_id,
                         "candidates": [{"ags": o.ags, "name": o.name, "state": o.state, "population": o.population} for o in ent.attrs["others"]]}


def sentence_starts(doc) -> list[int]:
    """Sentence starts from the pipeline, plus every line start: headlines, datelines and list items
    of a release stand on their own lines without a full stop."""
    if doc.user_data.get(SENT_STARTS_KEY) is not None and "sents" not in doc.user_hooks:
        starts = set(doc.user_data[SENT_STARTS_KEY]) | {0}  # press_sentences kept them
    elif "sents" in doc.user_hooks or not doc.has_annotation("SENT_START") or not len(doc):
        starts = {s.start_char for s in doc.sents} | {0}
    else:  # what doc.sents gives, read from one array (selected by numpy) instead of a Span per sentence
        table = doc.to_array([IDX, SENT_START])
        starts = set(table[table[:, 1] == 1, 0].tolist()) | {0}
    text = doc.user_data.get("press_text") or doc.text
    # where each line's text starts (line breaks that end the text start nothing)
    starts.update(m.end() for m in LINE_BREAKS.finditer(text) if m.end() < len(text))
    return sorted(starts)


def analyse(nlp: Language, document: Document, doc=None) -> tuple[Resolved, Optional[Evidence], Optional[str]]:
    """NLP and resolution of one document: (resolved entities and relations, doc_date evidence, doc_date).
    build_record turns it into a record; scripts/train_relations.py reads its relation candidates."""
    if doc is None:
        analysed = analysis_copy(document.text)  # same length: offsets fit the stored text
        doc = nlp.make_doc(analysed)
        doc.user_data["press_text"] = analysed
        doc.user_data[SPAN_GROUPS_KEY] = False  # the record is made from doc._.evidence
        for _, proc in nlp.pipeline:
            doc = proc(doc)
    evidence = list(doc._.evidence or [])
    doc_date_ev = max((e for e in evidence if e.label == "doc_date"), key=lambda e: e.score, default=None)
    doc_date = doc_date_ev.attrs["value"] if doc_date_ev else None
    if doc_date is None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", str(document.meta.get("date") or "")):
        doc_date = document.meta["date"]  # the web page's own date metadata
    return resolve(document.text, evidence, sentence_starts(doc), doc_date), doc_date_ev, doc_date


def build_record(nlp: Language, document: Document, backend: str, doc=None) -> Record:
    res, doc_date_ev, doc_date = analyse(nlp, document, doc)
    rels = []
    targets = defaultdict(list)  # (type, from) → the relation ends, for the entities' own fields
    for r in res.relations:
        a, b, s = r["evidence"]
        targets[(r["type"], r["from"])].append(r["to"])
        # the relation model's probability, and the features that weighed most (their log-odds weights)
        why = [{"reason": f"model feature {k}", "delta": w} for k, w in r.get("explain", ())]
        rels.append({"type": r["type"], "from": r["from"], "to": r["to"], "rule": r["rule"],
                     "evidence": {"start": a, "end": b, "text": document.text[a:b], "sentence": s, "rule": r["rule"],
                                  "score": r.get("score", RULE_RELATION_SCORE), "adjustments": why}})
    title = title_line(document.text)
    # one validation of the whole record (pydantic-core), not one per nested object
    rec = Record.model_validate({
        "record_id": record_id(document.text),
        "source": {"path": document.path, "sha256": document.sha256, "bytes": document.bytes, "encoding": document.encoding,
                   "text_file": text_file(document.sha256)},
        "doc_date": doc_date,
        "doc_date_evidence": mention(doc_date_ev) if doc_date_ev else None,
        "title": document.text[title[0]:title[1]] if title else None,
        "towns": [_town(e) for e in res.towns],
        "towns_in_names": [_town(e) for e in res.towns_in_names],
        "districts": [_base(e) | {"town": e.attrs.get("town"), "ags": e.attrs.get("ags")} for e in res.districts],
        "institutions": [_base(e) | {"acronym": e.attrs.get("acronym"), "registry_id": e.attrs.get("registry_id"), "kind": e.attrs.get("kind")}
                         for e in res.institutions],
        "programmes": [_base(e) | {"acronym": e.attrs.get("acronym"), "registry_id": e.attrs.get("registry_id"),
                                   "funders": targets[("programme_funder", e.name)]} for e in res.programmes],
        "projects": [_base(e) | {"programmes": targets[("project_programme", e.name)], "funders": targets[("project_funder", e.name)],
                                 "partners": targets[("project_partner", e.name)], "towns": targets[("project_town", e.name)]}
                     for e in res.projects],
        "dates": [{"text": e.mentions[0].text, "value": e.attrs["value"], "mod": e.attrs.get("mod"), "time": e.attrs.get("time"),
                   "mentions": [mention(m) for m in e.mentions]} for e in res.dates],
        "durations": [{"text": e.mentions[0].text, "value": e.key, "mentions": [mention(m) for m in e.mentions]} for e in res.durations],
        "relations": rels,
        "provenance": {"pipeline_version": __version__, "nlp_backend": backend, "rules_hash": rules_hash(),
                       "extracted_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")},
    })
    rec.check_offsets(document.text)
    return rec
