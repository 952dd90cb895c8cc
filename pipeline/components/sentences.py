"""Sentences: the rule of spaCy's sentencizer, read from the token table.

spaCy's sentencizer makes a Token object and a string for every token; on blank German it was a
twentieth of the pipeline's time. This component applies the same rule to the token table the
other components share, sets the same Token.is_sent_start values in one array, and keeps the
sentences' character offsets for the stages after NLP.
"""
from __future__ import annotations

from typing import Optional

import numpy
from spacy.attrs import SENT_START
from spacy.language import Language
from spacy.pipeline import Sentencizer
from spacy.tokens import Doc

from pipeline.matching import token_table

SENT_STARTS_KEY = "press_sent_starts"  # doc.user_data: the character offset of each sentence's first token


@Language.factory("press_sentences", default_config={"punct_chars": None}, assigns=["token.is_sent_start"])
def make_sentences(nlp: Language, name: str, punct_chars: Optional[list[str]]):
    return SentenceSplitter(punct_chars)


def sentence_first_tokens(words: list[str], punct: list[int], punct_chars: frozenset) -> list[int]:
    """The sentencizer's rule: after a token that is sentence-final punctuation, the next token that
    is no punctuation at all starts a sentence (so '?!“' and closing brackets stay with their sentence)."""
    if not words:
        return []
    firsts = [0]
    seen_final = False
    for i, word in enumerate(words):
        final = word in punct_chars
        if seen_final and not final and not punct[i]:
            firsts.append(i)
            seen_final = False
        elif final:
            seen_final = True
    return firsts


class SentenceSplitter:
    def __init__(self, punct_chars: Optional[list[str]] = None):
        self.punct_chars = frozenset(punct_chars or Sentencizer.default_punct_chars)

    def __call__(self, doc: Doc) -> Doc:
        table = token_table(doc)
        firsts = sentence_first_tokens(table.words, table.punct, self.punct_chars)
        if firsts:
            values = numpy.full((len(doc), 1), -1, dtype="int64")  # -1: not a sentence start (as the sentencizer sets it)
            values[firsts, 0] = 1
            doc.from_array([SENT_START], values.astype("uint64"))
        doc.user_data[SENT_STARTS_KEY] = [table.starts[i] for i in firsts]
        return doc
