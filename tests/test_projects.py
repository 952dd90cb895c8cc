"""Project names: quoted titles after project nouns (also hyphenated compounds) and in town-headed list lines."""
from __future__ import annotations

import pytest


@pytest.mark.parametrize("text,name", [
    ("Ausgezeichnet wurde auch der Mitfahrbank-Verbund „Sülfeld fährt mit“ im Kreis Segeberg.", "Sülfeld fährt mit"),
    ("Drei Beispiele:\n\nGoslar: Mit „Goslar verbindet“ baut die Stadt ihre Beratung aus.\n\n"
     "Hameln: Das Projekt „Brücken bauen“ startet im Mai.\n", "Goslar verbindet"),
])
def test_project_names(nlp, text, name):
    doc = nlp(text)
    assert name in {e.attrs.get("canonical") or e.text for e in doc._.evidence if e.label == "project"}


def test_a_quoted_statement_in_a_town_line_is_no_project(nlp):
    doc = nlp("Goslar: Mit „wir wollen, dass alle mitmachen können.“ begründet die Stadt den Antrag.\n")
    assert [e.text for e in doc._.evidence if e.label == "project"] == []
