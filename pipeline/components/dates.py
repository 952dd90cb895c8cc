"""Dates: the release's own date, calendar expressions (TIMEX3-style) and durations."""
from __future__ import annotations

import datetime as dt

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.evidence import Evidence, add
from pipeline.rules import date_vocabulary
from pipeline.temporal import DateGrammar

_GRAMMAR: DateGrammar | None = None


def grammar() -> DateGrammar:
    global _GRAMMAR
    if _GRAMMAR is None:
        _GRAMMAR = DateGrammar(date_vocabulary())
    return _GRAMMAR


@Language.factory("press_dates", default_config={}, assigns=["doc._.evidence", "doc.spans"])
def make_dates(nlp: Language, name: str):
    return DateRecognizer()


class DateRecognizer:
    def __init__(self):
        self.grammar = grammar()

    def __call__(self, doc: Doc) -> Doc:
        text = doc.text
        anchor = self.grammar.find_doc_date(text)
        doc_date = None
        if anchor is not None:
            doc_date = dt.date.fromisoformat(anchor.value)
            add(doc, Evidence("doc_date", anchor.start, anchor.end, anchor.text, f"dates:{anchor.rule}", anchor.score,
                              attrs={"value": anchor.value}))
        dates, durations = self.grammar.find(text, doc_date)
        for t in dates + durations:
            label = "date" if t.kind == "date" else "duration"
            ev = Evidence(label, t.start, t.end, t.text, f"dates:{t.rule}", t.score,
                          attrs={"value": t.value, "mod": t.mod, "time": t.time, "notes": t.notes})
            add(doc, ev)
        return doc
