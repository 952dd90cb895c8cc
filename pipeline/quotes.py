"""Quoted names: German and English quotation marks, with exact inner offsets."""
from __future__ import annotations

import re
from functools import lru_cache

QUOTE = re.compile(r"„([^“”\"\n]{2,200})[“”\"]|\"([^\"\n]{2,200})\"|»([^«\n]{2,200})«|“([^”\n]{2,200})”|(?<![\wäöü])'([^'\n]{2,80})'(?![\wäöü])|‚([^‘’\n]{2,120})[‘’]")


@lru_cache(maxsize=8)
def quoted(text: str) -> tuple[tuple[int, int, int, int], ...]:
    """(outer_start, outer_end, inner_start, inner_end) of each quoted stretch; cached because the
    programme and project recognizers and the resolver all ask for the same text."""
    out = []
    for m in QUOTE.finditer(text):
        g = m.lastindex  # the one inner group that matched (the groups are not nested)
        out.append((m.start(), m.end(), m.start(g), m.end(g)))
    return tuple(out)
