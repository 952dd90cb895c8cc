"""Canonical nominative forms of German institution names.

"des Hessischen Ministeriums für Soziales und Integration" → "Hessisches Ministerium für Soziales
und Integration": adjectives before the head take the strong nominative ending of the head's
gender (-er, -e, -es), the head drops its genitive ending; the complement stays as written.
"""
from __future__ import annotations

import re
from functools import lru_cache

NOMINATIVE_ENDING = {"m": "er", "f": "e", "n": "es"}
ADJECTIVE_ENDINGS = ("e", "en", "er", "es", "em")  # every ending a German adjective takes
SIMPLE_ADJECTIVES = {"Deutsch", "Frei", "Neu", "Technisch", "Europäisch", "Hessisch", "Bayerisch", "Sächsisch",
                     "Niedersächsisch", "Evangelisch", "Katholisch", "Vereinigt", "Paritätisch", "Rheinisch",
                     "Westfälisch", "Badisch", "Schleswig-Holsteinisch", "Kassenärztlich", "Statistisch",
                     "Bremisch", "Hamburgisch", "Thüringisch", "Brandenburgisch", "Berlinisch", "Saarländisch"}


ADJECTIVE_SUFFIX = re.compile(r"(isch|lich|ig|al|ell|iv|deutsch)$")  # -deutsch: "Ostdeutsche Sparkassenstiftung"
# nouns (also as the end of a compound) that look like a declined adjective in -iv: "Streuobstinitiative"
NOUNS_IN_IVE = ("initiative", "perspektive", "alternative", "kooperative", "offensive", "lokomotive", "direktive")


@lru_cache(maxsize=8192)
def adjective_stem(token: str) -> str | None:
    """The stem of a declined adjective ("Hessischen" → "Hessisch", "Deutsch-Französischer" → "Deutsch-Französisch").
    Cached: the same words come back in every release and in every registry name."""
    if "-" in token:
        head, _, last = token.rpartition("-")
        stem = adjective_stem(last[:1].upper() + last[1:]) if last else None
        return f"{head}-{last[:len(stem)]}" if stem else None
    if token.lower().removesuffix("n").endswith(NOUNS_IN_IVE):
        return None
    for end in ("en", "em", "er", "es", "e"):
        if token.endswith(end):
            stem = token[: -len(end)]
            if stem in SIMPLE_ADJECTIVES or (len(stem) > 3 and ADJECTIVE_SUFFIX.search(stem)):
                return stem
    return None


def nominative_adjective(token: str, gender: str) -> str:
    stem = adjective_stem(token)
    return stem + NOMINATIVE_ENDING[gender] if stem else token


def nominative_head(token: str, lemma: str, genitives: list[str]) -> str:
    """'Bundesministeriums' → 'Bundesministerium' for head lemma 'Ministerium'."""
    for g in sorted(genitives, key=len, reverse=True):
        if token.endswith(g) and not token.endswith(lemma) or token == g:
            return token[: len(token) - len(g)] + lemma
        if token.lower().endswith(g.lower()) and len(token) > len(g) and token[-len(g):] != lemma:
            return token[: len(token) - len(g)] + lemma.lower()
    return token


def adjective_variants(name: str) -> set[str]:
    """A name with its leading declined adjectives in every ending ("Europäischer Sozialfonds" →
    "Europäischen Sozialfonds", …), for matching registry names in any case."""
    tokens = name.split(" ")
    n_adj = 0
    while n_adj < len(tokens) - 1 and adjective_stem(tokens[n_adj]):
        n_adj += 1
    out = {name}
    if not n_adj:
        return out
    for end in ADJECTIVE_ENDINGS:
        out.add(" ".join([adjective_stem(t) + end for t in tokens[:n_adj]] + tokens[n_adj:]))
    return out
