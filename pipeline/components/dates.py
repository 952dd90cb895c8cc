"""Dates: the release's own date, calendar expressions (TIMEX3-style) and durations."""
from __future__ import annotations

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.evidence import Evidence, add_all
from pipeline.matching import doc_text
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
        anchor, dates, durations = self.grammar.analyse(doc_text(doc))
        found = []
        if anchor is not None:
            found.append(Evidence("doc_date", anchor.start, anchor.end, anchor.text, f"dates:{anchor.rule}", anchor.score,
                                  attrs={"value": anchor.value}))
        for t in dates + durations:
            label = "date" if t.kind == "date" else "duration"
            found.append(Evidence(label, t.start, t.end, t.text, f"dates:{t.rule}", t.score,
                                  attrs={"value": t.value, "mod": t.mod, "time": t.time, "notes": t.notes}))
        add_all(doc, found)
        return doc
