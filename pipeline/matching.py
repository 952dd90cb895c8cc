"""Gazetteer matching: token sequences of names, built once per pipeline and cached on disk.

spaCy's PhraseMatcher needs a lexeme for every token of every pattern, and creating 20,000
lexemes costs about a second at every start. Names are tokenized once with the pipeline's own
tokenizer (so matches align with its tokens), the token lists are cached on disk keyed by the
names and the tokenizer, and matching is a dictionary lookup per token.
"""
from __future__ import annotations

import json
from bisect import bisect_right
from collections import defaultdict

import spacy
from spacy.attrs import IDX, IS_PUNCT, LENGTH, SPACY
from spacy.language import Language
from spacy.tokens import Doc


def tokenize_forms(nlp: Language, forms: list[str]) -> list[tuple[str, ...]]:
    """Token texts of each form with nlp's tokenizer; kept by rules.parsed_cached under the forms and
    the tokenizer's identity (spaCy version, language, model name and version)."""
    from pipeline.rules import parsed_cached

    ident = json.dumps([spacy.__version__, nlp.lang, nlp.meta.get("name"), nlp.meta.get("version"), forms], ensure_ascii=False)
    return parsed_cached(ident, lambda _: [tuple(t.text for t in d) for d in nlp.tokenizer.pipe(forms, batch_size=1000)])


def doc_text(doc: Doc) -> str:
    """The document's text, built once: spaCy's Doc.text joins all tokens on every access."""
    text = doc.user_data.get("press_text")
    if text is None:
        text = doc.user_data["press_text"] = doc.text
    return text


class TokenTable:
    """A document's tokens as plain Python lists, built once per document.

    Components walk tokens a lot; every doc[i] or `for t in doc` makes a new spaCy Token object,
    so they index these lists instead (about 7x fewer objects per document)."""

    __slots__ = ("text", "words", "starts", "ends", "spaces", "punct", "_occurrences")

    def __init__(self, doc: Doc):
        starts, lengths, spaces, punct = doc.to_array([IDX, LENGTH, SPACY, IS_PUNCT]).T.tolist() if len(doc) else ([], [], [], [])
        self.text = text = doc_text(doc)
        self.starts = starts
        self.ends = [s + n for s, n in zip(starts, lengths)]
        self.words = [text[s:e] for s, e in zip(starts, self.ends)]  # slices of the text: no string store look-up per token
        self.spaces = spaces
        self.punct = punct  # Token.is_punct of each token (1 or 0)
        self._occurrences = None

    def __len__(self) -> int:
        return len(self.words)

    def expand_range(self, start_char: int, end_char: int) -> tuple[int, int] | None:
        """The tokens start..end-1 that doc.char_span(start_char, end_char, alignment_mode="expand")
        covers, found by bisection on this table instead of through Token objects; None where it gives None."""
        starts, ends, spaces = self.starts, self.ends, self.spaces
        start = bisect_right(starts, start_char) - 1  # the token whose text or trailing space holds the char
        if start < 0 or start_char >= ends[start] + spaces[start]:
            return None
        end = bisect_right(starts, end_char - 1) - 1
        if end < 0 or end_char - 1 >= ends[end] + spaces[end]:
            return None
        if start_char == ends[start]:  # the trailing space of a token is not part of it
            start += 1
        return start, end + 1

    def span_text(self, s: int, e: int) -> str:
        """The text of tokens s..e-1, like doc[s:e].text."""
        return self.text[self.starts[s]:self.ends[e - 1]] if e > s else ""

    def positions(self, word: str):
        """Every position of a token text, in order (from occurrences)."""
        first, following = self.occurrences()
        i = first.get(word, -1)
        while i >= 0:
            yield i
            i = following[i]

    def occurrences(self) -> tuple[dict[str, int], list[int]]:
        """Where each token text occurs, for the gazetteer matchers: its first position, and for
        every position the next one with the same text (-1: none). Two containers, not one list
        per distinct word: fewer objects for the garbage collector to track."""
        if self._occurrences is None:
            first: dict[str, int] = {}
            following = [-1] * len(self.words)
            for i in range(len(self.words) - 1, -1, -1):
                w = self.words[i]
                following[i] = first.get(w, -1)
                first[w] = i
            self._occurrences = (first, following)
        return self._occurrences


def token_table(doc: Doc) -> TokenTable:
    """The document's TokenTable, built on first use and shared by all components."""
    table = doc.user_data.get("press_tokens")
    if table is None:
        table = doc.user_data["press_tokens"] = TokenTable(doc)
    return table


class FormMatcher:
    """All (start, end, form) where a form's token sequence occurs in the document."""

    def __init__(self, forms: list[str], token_lists: list[tuple[str, ...]]):
        index: dict[str, list[tuple[tuple[str, ...], str]]] = defaultdict(list)
        for form, toks in zip(forms, token_lists):
            if toks:
                index[toks[0]].append((toks, form))
        for entries in index.values():
            entries.sort(key=lambda e: -len(e[0]))
        self.index = dict(index)
        self._lookups: dict[str, list[tuple[int, frozenset, dict[tuple[str, ...], list[tuple[int, str]]]]]] = {}

    def _lookup(self, first: str) -> list[tuple[int, frozenset, dict[tuple[str, ...], list[tuple[int, str]]]]]:
        """The lengths of the forms starting with this token, longest first, each with the second tokens of
        those forms and a lookup from the whole token tuple to (rank, form), rank being the order of
        self.index. Built on the token's first occurrence: for all 17,000 town names at once it slows every start-up."""
        lookup = self._lookups.get(first)
        if lookup is None:
            by_len: dict[int, dict[tuple[str, ...], list[tuple[int, str]]]] = {}
            for rank, (toks, form) in enumerate(self.index[first]):
                by_len.setdefault(len(toks), {}).setdefault(toks, []).append((rank, form))
            lookup = self._lookups[first] = [(n, frozenset(toks[1] for toks in forms) if n > 1 else frozenset(), forms)
                                             for n, forms in sorted(by_len.items(), reverse=True)]
        return lookup

    def __call__(self, doc: Doc) -> list[tuple[int, int, str]]:
        """Only the document's words that start some form are tried (a set intersection), one
        dictionary lookup per form length whose forms go on with the next word; hits come in token
        order, longest form first."""
        table = token_table(doc)
        words = table.words
        first, following = table.occurrences()
        n_words = len(words)
        hits = []
        for w in first.keys() & self.index.keys():
            lengths = self._lookup(w)
            i = first[w]
            while i >= 0:
                after = words[i + 1] if i + 1 < n_words else None
                for n, seconds, forms in lengths:
                    if i + n <= n_words and (n == 1 or after in seconds):
                        for rank, form in forms.get(tuple(words[i:i + n]), ()):
                            hits.append((i, rank, i + n, form))
                i = following[i]
        hits.sort()
        return [(i, e, form) for i, _, e, form in hits]


_MATCHERS: dict[tuple[int, str], FormMatcher] = {}


def form_matcher(nlp: Language, name: str, forms) -> FormMatcher:
    """One matcher per pipeline and gazetteer name."""
    key = (id(nlp.vocab), name)
    if key not in _MATCHERS:
        forms = sorted(forms)
        _MATCHERS[key] = FormMatcher(forms, tokenize_forms(nlp, forms))
    return _MATCHERS[key]


def forget(nlp: Language) -> None:
    """Drop the matchers of a pipeline that is being replaced (see run.recycle)."""
    for key in [k for k in _MATCHERS if k[0] == id(nlp.vocab)]:
        del _MATCHERS[key]
