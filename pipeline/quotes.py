"""Quoted names: German and English quotation marks, with exact inner offsets."""
from __future__ import annotations

import re

QUOTE = re.compile(r"„([^“”\"\n]{2,200})[“”\"]|\"([^\"\n]{2,200})\"|»([^«\n]{2,200})«|“([^”\n]{2,200})”|(?<![\wäöü])'([^'\n]{2,80})'(?![\wäöü])|‚([^‘’\n]{2,120})[‘’]")


def quoted(text: str):
    """Yield (outer_start, outer_end, inner_start, inner_end) for each quoted stretch."""
    for m in QUOTE.finditer(text):
        g = next(i for i in range(1, 7) if m.group(i) is not None)
        yield m.start(), m.end(), m.start(g), m.end(g)
