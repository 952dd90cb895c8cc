"""Build the spaCy pipeline: a named German model if installed, else blank German + our sentence splitter.

Our extraction steps are spaCy factories configured from rules/, so they run in any German
pipeline; with a statistical model its NER proposes candidates that our rules then classify.
"""
from __future__ import annotations

import logging
from functools import lru_cache
from pathlib import Path
from typing import Optional

from pipeline.spacy_import import import_spacy

spacy = import_spacy()  # the first import of spaCy in a run: without its CLI (see pipeline.spacy_import)
from spacy.language import Language  # noqa: E402
from spacy.tokenizer import Tokenizer  # noqa: E402

import pipeline.components  # noqa: F401,E402  (registers the factories)
from pipeline.components.institutions import registry_matcher  # noqa: E402
from pipeline.components.programmes import programme_matcher  # noqa: E402
from pipeline import regex_cache  # noqa: E402
from pipeline.errors import model_not_found  # noqa: E402
from pipeline.gazetteer import town_matcher  # noqa: E402

log = logging.getLogger("pipeline")
DEFAULT_MODEL = "de_core_news_sm"
# distinct strings each memoised search keeps (full, the five memos hold about 13 MiB more than spaCy alone)
TOKENIZER_MEMO_SIZE = 20_000
COMPONENTS = ["press_dates", "press_institutions", "press_programmes", "press_projects", "press_towns"]
# what the built-in pipeline computes for a word it sees the first time: its lower-case and norm forms and the flags
# of its characters (our components read IS_PUNCT). spaCy computes 23 attributes, among them the prefix, suffix and
# shape features of statistical models and heuristics like like_url: 11 µs a new word instead of 4.5
LEXEME_ATTRS = ("LOWER", "NORM", "IS_ALPHA", "IS_DIGIT", "IS_LOWER", "IS_UPPER", "IS_TITLE", "IS_SPACE", "IS_PUNCT", "LIKE_NUM")


def load_base(model: Optional[str]) -> tuple[Language, str]:
    """The base Language and a description of the backend for provenance.

    model None: de_core_news_sm when installed, else blank German. A model that is named
    but missing is an error, never a silent fallback.
    """
    if model is None:
        try:
            nlp = spacy.load(DEFAULT_MODEL, exclude=["lemmatizer"])
        except OSError:
            nlp = spacy.blank("de", config={"nlp": {"tokenizer": {"@tokenizers": "press.memoised_tokenizer.v1"}}})
            keep_lexeme_attrs(nlp.vocab)
            return nlp, "blank:de"
    else:
        path = Path(model)
        if not path.exists() and not spacy.util.is_package(model):
            raise model_not_found(model)
        try:
            nlp = spacy.load(model)
        except OSError:
            raise model_not_found(model) from None
    if nlp.lang != "de":
        raise model_not_found(f"{model} (language '{nlp.lang}', need 'de')")
    return nlp, f"{nlp.meta.get('name', model)}:{nlp.meta.get('version', '?')}"


def keep_lexeme_attrs(vocab) -> None:
    """New words get only the LEXEME_ATTRS (a model's vocabulary is left as it is: its features need the rest)."""
    from spacy.attrs import IDS

    keep = {IDS[name] for name in LEXEME_ATTRS}
    vocab.lex_attr_getters = {attr: getter for attr, getter in vocab.lex_attr_getters.items() if attr in keep}


def _memoised(name: str, search, letters_match_nothing: bool = False):
    """One of the tokenizer's searches behind an LRU memo (see memoise_tokenizer).

    letters_match_nothing: the search finds nothing in a word of letters only, as the language's own affix,
    token and URL patterns do (tested over every Unicode letter); such a word, most words of a release, is
    then answered without the memo, a first sight without running the patterns."""
    if name == "infix_finditer":  # an iterator cannot be reused: keep the matches
        memo = lru_cache(maxsize=TOKENIZER_MEMO_SIZE)(lambda string, finditer=search: tuple(finditer(string)))
    else:
        memo = lru_cache(maxsize=TOKENIZER_MEMO_SIZE)(search)
    if letters_match_nothing:
        nothing = NOTHING_FOUND[name]

        def answer(string: str, memo=memo, nothing=nothing):
            return nothing if string.isalpha() else memo(string)

        answer.cache_info = memo.cache_info  # what marks a search as memoised
    else:
        answer = memo
    if hasattr(search, "__self__"):
        answer.__self__ = search.__self__  # what Tokenizer.to_bytes reads the pattern from
    return answer


SEARCHES = ("prefix_search", "suffix_search", "infix_finditer", "token_match", "url_match")
NOTHING_FOUND = {"prefix_search": None, "suffix_search": None, "infix_finditer": (), "token_match": None, "url_match": None}
EMOTICON_MARKS = frozenset("()[]{}<>=:;")


def without_emoticons(rules: dict) -> dict:
    """spaCy's special cases without its emoticons (no letter or digit, a bracket, colon or the like): in releases
    "):" closes a parenthesis before a colon ("Werder (Havel): Sanierung …"), and as one token it hid the town's
    official form from the gazetteer."""
    return {text: tokens for text, tokens in rules.items()
            if len(text) < 2 or any(c.isalnum() for c in text) or not EMOTICON_MARKS.intersection(text)}


def memoise_tokenizer(tokenizer) -> None:
    """Memoise the tokenizer's prefix, suffix, infix, token and URL searches across documents.

    spaCy caches the tokens of a whitespace-separated chunk itself, but only until the first
    special case of a document ('Dr.', 'Nr.', 'e.V.' switch it off for the rest of that document)
    and for at most 10,000 chunks, so most words of a release went through its affix regexes again
    in every document. The searches are pure functions of the chunk: memoised, the tokens are the
    same and a repeated word costs a dictionary look-up. Each memo keeps its search's compiled
    pattern as __self__, so the tokenizer still serialises."""
    if not isinstance(tokenizer, Tokenizer):
        return  # a custom tokenizer of a user's model: left as it is
    todo = [name for name in SEARCHES if getattr(tokenizer, name) is not None and not hasattr(getattr(tokenizer, name), "cache_info")]
    if not todo:
        return  # built memoised (press.memoised_tokenizer.v1)
    rules = without_emoticons(tokenizer.rules)
    tokenizer.rules = {}  # every setter below reloads the special cases: with none loaded that is free
    for name in todo:
        setattr(tokenizer, name, _memoised(name, getattr(tokenizer, name)))
    tokenizer.rules = rules  # loaded once, with the memoised searches


@spacy.registry.tokenizers("press.memoised_tokenizer.v1")
def create_memoised_tokenizer():
    """spaCy's tokenizer with the language's own rules, built for a quick start: its affix patterns come
    from the compiled-regex cache (regex_cache) and its searches are memoised from the start, so the
    special cases are loaded once (memoising spaCy's built tokenizer loads them again). The patterns are
    the ones spacy.util.compile_prefix_regex, compile_suffix_regex and compile_infix_regex make (tested);
    being the language's own, they find nothing in a word of letters only (tested), which skips them."""
    def factory(nlp: Language) -> Tokenizer:
        d = nlp.Defaults
        affixes = {"prefix_search": ("^{}", d.prefixes), "suffix_search": ("{}$", d.suffixes), "infix_finditer": ("{}", d.infixes)}
        searches = {}
        for name, (form, entries) in affixes.items():
            if not entries:
                searches[name] = None
                continue
            if not all(isinstance(e, str) for e in entries):  # compiled pieces: spaCy's own way
                rx = getattr(spacy.util, f"compile_{name.split('_')[0]}_regex")(entries)
            else:
                rx = regex_cache.compile("|".join(form.format(e) for e in entries if e.strip()))
            searches[name] = rx.finditer if name == "infix_finditer" else rx.search
        searches["token_match"], searches["url_match"] = d.token_match, d.url_match
        return Tokenizer(nlp.vocab, rules=without_emoticons(d.tokenizer_exceptions),
                         **{name: _memoised(name, f, letters_match_nothing=True) if f is not None else None
                            for name, f in searches.items()})

    return factory


def build_nlp(model: Optional[str] = None) -> tuple[Language, str]:
    nlp, backend = load_base(model)
    memoise_tokenizer(nlp.tokenizer)
    if not any(nlp.has_pipe(p) for p in ("parser", "senter", "sentencizer", "press_sentences")):
        nlp.add_pipe("press_sentences")  # the sentencizer's rule, on the token table
    for name in COMPONENTS:
        if not nlp.has_pipe(name):
            nlp.add_pipe(name)
    # the gazetteer matchers now, not on the first document: forked workers then share them
    for build_matcher in (town_matcher, registry_matcher, programme_matcher):
        build_matcher(nlp)
    regex_cache.save()  # the patterns compiled for this build, for the next process
    log.info("NLP backend: %s; pipes: %s", backend, ", ".join(nlp.pipe_names))
    return nlp, backend
