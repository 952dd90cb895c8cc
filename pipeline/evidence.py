"""Evidence: what a recognizer found, where, by which rule, and how the score came about.

Components write Evidence objects to `doc._.evidence`; the stages after NLP (resolve,
records) work on these plain objects only, so they are testable without spaCy models.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spacy.tokens import Doc, Span

from pipeline.matching import token_table

LABELS = ("town", "district", "institution", "programme", "project", "date", "duration", "doc_date")


@dataclass
class Evidence:
    label: str
    start: int
    end: int
    text: str
    rule: str
    score: float
    adjustments: list[tuple[str, float]] = field(default_factory=list)
    attrs: dict[str, Any] = field(default_factory=dict)
    sentence: int = 0

    def adjust(self, reason: str, delta: float) -> None:
        self.adjustments.append((reason, delta))
        self.score = max(0.0, min(1.0, self.score + delta))

    def overlaps(self, other: "Evidence") -> bool:
        return self.start < other.end and other.start < self.end

    def inside(self, other: "Evidence") -> bool:
        return other.start <= self.start and self.end <= other.end and (self.start, self.end) != (other.start, other.end)


if not Doc.has_extension("evidence"):
    Doc.set_extension("evidence", default=None)


def doc_evidence(doc: Doc) -> list[Evidence]:
    ext = doc._  # each `doc._` builds a new accessor object: once is enough
    evidence = ext.evidence
    if evidence is None:
        ext.evidence = []
        evidence = ext.evidence
    return evidence


# doc.user_data key: False when whoever made the Doc reads doc._.evidence only (extract does), so
# the components skip the span groups (a Span object per piece of evidence) that spaCy users look at
SPAN_GROUPS_KEY = "press_span_groups"


def add_all(doc: Doc, evs: list[Evidence]) -> None:
    """Record many pieces of evidence at once (one span group update per label)."""
    doc_evidence(doc).extend(evs)
    if not doc.user_data.get(SPAN_GROUPS_KEY, True):
        return
    groups: dict[str, list] = {}
    table = token_table(doc)
    string_id: dict[str, int] = {}  # labels and rules repeat: add each to the vocabulary once
    add_string = doc.vocab.strings.add
    for ev in evs:
        tokens = table.expand_range(ev.start, ev.end)  # = doc.char_span(…, alignment_mode="expand")
        if tokens is not None:
            label = string_id.get(ev.label) or string_id.setdefault(ev.label, add_string(ev.label))
            rule = string_id.get(ev.rule) or string_id.setdefault(ev.rule, add_string(ev.rule))
            groups.setdefault(ev.label + "s", []).append(Span(doc, tokens[0], tokens[1], label=label, span_id=rule))
    for key, spans in groups.items():
        doc.spans[key] = (list(doc.spans[key]) if key in doc.spans else []) + spans
