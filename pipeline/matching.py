"""Gazetteer matching: token sequences of names, built once per pipeline and cached on disk.

spaCy's PhraseMatcher needs a lexeme for every token of every pattern, and creating 20,000
lexemes costs about a second at every start. Names are tokenized once with the pipeline's own
tokenizer (so matches align with its tokens), the token lists are cached on disk keyed by the
names and the tokenizer, and matching is a dictionary lookup per token.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections import defaultdict
from pathlib import Path

import spacy
from spacy.language import Language
from spacy.tokens import Doc


def cache_dir() -> Path:
    base = os.environ.get("PRESS_CACHE_DIR") or os.path.join(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache", "pressrecords")
    return Path(base)


def tokenize_forms(nlp: Language, forms: list[str]) -> list[tuple[str, ...]]:
    """Token texts of each form with nlp's tokenizer; cached on disk (best effort)."""
    ident = json.dumps([spacy.__version__, nlp.lang, nlp.meta.get("name"), nlp.meta.get("version"), forms], ensure_ascii=False)
    path = cache_dir() / f"forms-{hashlib.sha256(ident.encode()).hexdigest()[:20]}.json"
    try:
        return [tuple(t) for t in json.loads(path.read_text(encoding="utf-8"))]
    except (OSError, ValueError):
        pass
    tokens = [tuple(t.text for t in d) for d in nlp.tokenizer.pipe(forms, batch_size=1000)]
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(tokens, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home: match without the cache
    return tokens


def doc_words(doc: Doc) -> list[str]:
    """The token texts of a document, built once and shared by all components."""
    words = doc.user_data.get("press_words")
    if words is None:
        words = doc.user_data["press_words"] = [t.text for t in doc]
    return words


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

    def __call__(self, doc: Doc) -> list[tuple[int, int, str]]:
        words = doc_words(doc)
        out = []
        n_words = len(words)
        for i, w in enumerate(words):
            for toks, form in self.index.get(w, ()):
                n = len(toks)
                if n == 1 or (i + n <= n_words and tuple(words[i:i + n]) == toks):
                    out.append((i, i + n, form))
        return out


_MATCHERS: dict[tuple[int, str], FormMatcher] = {}


def form_matcher(nlp: Language, name: str, forms) -> FormMatcher:
    """One matcher per pipeline and gazetteer name."""
    key = (id(nlp.vocab), name)
    if key not in _MATCHERS:
        forms = sorted(forms)
        _MATCHERS[key] = FormMatcher(forms, tokenize_forms(nlp, forms))
    return _MATCHERS[key]
