"""Build the spaCy pipeline: a named German model if installed, else blank German + sentencizer.

Our extraction steps are spaCy factories configured from rules/, so they run in any German
pipeline; with a statistical model its NER proposes candidates that our rules then classify.
"""
from __future__ import annotations

import logging
from pathlib import Path
from typing import Optional

import spacy
from spacy.language import Language

import pipeline.components  # noqa: F401  (registers the factories)
from pipeline.components.institutions import registry_matcher
from pipeline.components.programmes import programme_matcher
from pipeline.errors import model_not_found
from pipeline.gazetteer import town_matcher

log = logging.getLogger("pipeline")
DEFAULT_MODEL = "de_core_news_sm"
COMPONENTS = ["press_dates", "press_institutions", "press_programmes", "press_projects", "press_towns"]


def load_base(model: Optional[str]) -> tuple[Language, str]:
    """The base Language and a description of the backend for provenance.

    model None: de_core_news_sm when installed, else blank German. A model that is named
    but missing is an error, never a silent fallback.
    """
    if model is None:
        try:
            nlp = spacy.load(DEFAULT_MODEL, exclude=["lemmatizer"])
        except OSError:
            nlp = spacy.blank("de")
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


def build_nlp(model: Optional[str] = None) -> tuple[Language, str]:
    nlp, backend = load_base(model)
    if not any(nlp.has_pipe(p) for p in ("parser", "senter", "sentencizer")):
        nlp.add_pipe("sentencizer")
    for name in COMPONENTS:
        if not nlp.has_pipe(name):
            nlp.add_pipe(name)
    # the gazetteer matchers now, not on the first document: forked workers then share them
    for build_matcher in (town_matcher, registry_matcher, programme_matcher):
        build_matcher(nlp)
    log.info("NLP backend: %s; pipes: %s", backend, ", ".join(nlp.pipe_names))
    return nlp, backend
