"""Towns: gazetteer matches of German municipalities and foreign towns, kept or dropped by context.

A name that is also a German word (Weil, Essen, Hof, Lage …; measured in the gazetteer build)
counts as a town only with evidence: a place noun or preposition before it, an official form,
a Land in parentheses, a dateline, or a list of other towns. Articles and adjectives before a
noun-like name make it a word. Homonyms are resolved later, with the whole document in view.
"""
from __future__ import annotations


from spacy.language import Language
from spacy.tokens import Doc

from pipeline import regex_cache
from pipeline.evidence import Evidence, add_all
from pipeline.gazetteer import gazetteer, town_matcher
from pipeline.matching import TokenTable, token_table
from pipeline.relation_model import POSTCODE  # the postcode of an address, as contact blocks have it
from pipeline.rules import relation_cues, town_evidence

# the day and month of a dateline: "12. Februar", "12.02.", "den 3. Mai"
DATELINE_DAY = r"(?:den\s+)?\d{1,2}\.\s*(?:\d{1,2}\.|[A-ZÄÖÜ][a-zäöü]+\.?)"
# a dateline in capitals at the start of a line: "DETMOLD. …", "BAD HOMBURG, 3. Mai …", "BERLIN – …"
CAPS_TOWN = r"[A-ZÄÖÜ][A-ZÄÖÜß]+\.?(?:[ -][A-ZÄÖÜ][A-ZÄÖÜß]+\.?){0,3}(?:[ \t]\([A-ZÄÖÜ][A-ZÄÖÜß.]+\))?"
# "DETMOLD. Die …", "ERFURT/DRESDEN. Die …": one town or two in capitals where a dateline stands
CAPS_DATELINE = regex_cache.compile(rf"(?m)^[ \t]*(?P<town>{CAPS_TOWN})(?:[ \t]*/[ \t]*(?P<second>{CAPS_TOWN}))?"
                                    r"(?=[.,]?[ \t]+[–-][ \t]|[.,][ \t]|[.,]?[ \t]*\n)")
# what follows a dateline's town: perhaps a second town after a slash ("Berlin/Bonn, 21. November 2022"), then the day
DATELINE_AFTER = regex_cache.compile(r"^\s*(?:/[ \t]*[A-ZÄÖÜ][\wäöüß.-]+(?:[ \t][A-ZÄÖÜ][\wäöüß.-]+)?[ \t]*)?(?:\([^)]{1,30}\)\s*)?,?\s*"
                                     + DATELINE_DAY)
# the first of two towns of a dateline before the second: "Bonn/" in "Bonn/Berlin, 3. März 2026"
DATELINE_FIRST_TOWN = regex_cache.compile(r"[ \t]*[A-ZÄÖÜ][\wäöüß.-]+(?:[ \t][A-ZÄÖÜ][\wäöüß.-]+)?[ \t]*/[ \t]*")


ITEM_LEAD = regex_cache.compile(r"[ \t]*(?:[-–—•*·▪][ \t]*|\d{1,2}[.)][ \t]*)?")  # a list line's bullet or number
ITEM_COLON = regex_cache.compile(r"[ \t]*(?:\([^)\n]{1,30}\)[ \t]*)?:[ \t]")  # "Siegen:", "Lage (Lippe):"


def _heads_item(text: str, ev: Evidence) -> bool:
    """The town opens a line of a list and a colon follows it ("– Siegen: …")."""
    return ITEM_LEAD.fullmatch(text, text.rfind("\n", 0, ev.start) + 1, ev.start) is not None \
        and ITEM_COLON.match(text, ev.end) is not None


# after a name: a house number and the postcode of the same address ("Neumarkt 5, 03046", "Markt 1\n99084")
STREET_ADDRESS = regex_cache.compile(r"[ \t]+\d{1,4}[ \t]?[a-z]?[ \t]*(?:,[ \t]*|\n[ \t]*)\d{5}[ \t]")
WORD_ENDING = regex_cache.compile(r"[a-zäöü](e|en|em|er|es)$")
COORDINATORS = frozenset({"und", "oder", "sowie"})
LIST_GAP = regex_cache.compile(r"\s*(?:,|und|sowie|oder|/)\s*")
PARENTHESES = regex_cache.compile(r"\s*\([^)]{1,30}\)")


def starts_sentence(words: list[str], i: int) -> bool:
    """Cheap sentence-start test on the token texts (no sentence boundaries needed): first token
    or after . ! ? : or a line break."""
    return i == 0 or words[i - 1] in (".", "!", "?", ":", "„", '"') or "\n" in words[i - 1]


@Language.factory("press_towns", default_config={"base_score": 0.85}, assigns=["doc._.evidence", "doc.spans"])
def make_towns(nlp: Language, name: str, base_score: float):
    return TownRecognizer(nlp, base_score)


class TownRecognizer:
    def __init__(self, nlp: Language, base_score: float):
        self.nlp = nlp
        self.base_score = base_score
        self.cfg = town_evidence()
        self.gaz = gazetteer()
        self.place_nouns = set(self.cfg.place_nouns)
        self.place_preps = set(self.cfg.place_prepositions)
        self.negative = set(self.cfg.negative_before)
        self.district_nouns = set(self.cfg.district_nouns)
        self.directions = set(self.cfg.directions)
        self.person_titles = frozenset(self.cfg.person_titles)
        self.contact_markers = tuple(relation_cues().contact_markers)
        self.person_role_endings = tuple(self.cfg.person_role_endings)
        self.speech_verbs = frozenset(self.cfg.speech_verbs)
        self.example_nouns = frozenset(self.cfg.example_nouns)
        self._matcher = None
        # the names that place a town after in/im/bei/an: Länder, towns, Regierungsbezirke, Kreise
        self.placing_names = (self.gaz.state_of_form, self.gaz.by_form, self.gaz.regions, self.gaz.kreise)

    @property
    def matcher(self):
        if self._matcher is None:
            self._matcher = town_matcher(self.nlp)
        return self._matcher

    def __call__(self, doc: Doc) -> Doc:
        matches = self.matcher(doc)
        # longest match at each position wins ("Halle (Saale)" over "Halle")
        spans = sorted(matches, key=lambda t: (t[0], -(t[1] - t[0])))
        kept: list[tuple[int, int, str]] = []
        last_end = -1
        for s, e, form in spans:
            if s >= last_end:
                kept.append((s, e, form))
                last_end = e
        tt = token_table(doc)
        found: list[Evidence] = []
        bodies = [(ev.start, ev.end) for ev in doc._.evidence or () if ev.label == "institution"]  # found before the towns
        for s, e, form in kept:
            ev = self._judge(tt, s, e, form, bodies)
            if ev is not None:
                found.append(ev)
        found += self._caps_datelines(tt.text)
        self._lists(tt.text, found)
        add_all(doc, [ev for ev in found if ev.attrs.get("accepted")])
        self._districts(doc, tt)
        return doc

    # ------------------------------------------------------------------
    def _judge(self, tt: TokenTable, s: int, e: int, form: str, bodies: list[tuple[int, int]] = ()) -> Evidence | None:
        words, text = tt.words, tt.text
        n_words = len(words)
        start_char, end_char = tt.starts[s], tt.ends[e - 1]
        places = self.gaz.candidates(form)
        risk = self.gaz.risk.get(form)
        prev = words[s - 1] if s > 0 else None
        prev2 = words[s - 2] if s > 1 else None
        nxt = words[e] if e < n_words else None
        ev = self._gazetteer_evidence(text, start_char, end_char, form, places)
        positive: list[str] = []
        negative: list[str] = []
        if e - s > 1 or form != places[0].name.split(" (")[0] and form == places[0].name:
            positive.append("official_form")
        if prev is not None and prev in self.district_nouns:
            return None  # "Landkreis Goslar": the Kreis, not the town
        if STREET_ADDRESS.match(text, end_char):
            return None  # "Neumarkt 5, 03046 Cottbus": a street of an address
        k = s - 1  # "die Landkreise Bautzen, Görlitz und Zwickau": every item of the list
        while k > 0 and s - k <= 12 and (words[k] in (",", "und", "sowie", "oder") or words[k][:1].isupper() and words[k] not in self.place_nouns):
            if words[k - 1] in self.district_nouns and words[k - 1].endswith(("e", "en")) and words[k][:1].isupper():
                return None
            k -= 1
        if prev is not None and prev in self.place_nouns:
            positive.append("place_noun")
        if form in self.directions and prev is not None and prev.lower() in ("nach", "richtung", "gen", "im", "von"):
            return None  # "nach Norden hin": a direction
        if prev is not None and prev in self.place_preps:
            # "in Halle statt": a bare noun after in/nach is a place; after aus/bei a material or
            # weather noun is likely ("aus Stein wird", "bei Regen"), so a verb after it undoes the reading
            strong = prev.lower() in ("in", "nach", "nahe")
            coordinated = nxt in COORDINATORS
            # "die Entsiegelung von Höfen und Parkplätzen": a noun coordinated with another noun, not with a town
            conjoined_noun = coordinated and e + 1 < n_words and words[e + 1] not in self.gaz.by_form
            # "Entwässerungsgräben in Wald und Grünland": after "in" too, a word-like name joined to another noun is a noun
            if strong and not (risk == "noun" and conjoined_noun and words[e + 1][:1].isupper()) \
                    or not (risk == "noun" and nxt is not None and (nxt.islower() and not coordinated or conjoined_noun)):
                positive.append("place_preposition")
        if prev is not None and prev2 is not None and prev == "von" and prev2 in self.place_nouns:
            positive.append("place_noun")
        if prev == "wie" and prev2 in self.example_nouns:
            positive.append("place_examples")  # "Gemeinden wie Wildpoldsried"
        if nxt is not None and nxt == "(" and e + 2 < n_words and words[e + 2] == ")":
            inner = words[e + 1]
            if inner in self.gaz.state_of_form:
                positive.append("state_in_parentheses")
                ev.attrs["state_hint"] = self.gaz.state_of_form[inner]
            elif inner in self.gaz.kreise:
                positive.append("district_in_parentheses")  # "Lage (Lippe)"
                ev.attrs["district_hint"] = inner
        line_start = text.rfind("\n", 0, start_char) + 1
        if (not text[line_start:start_char].strip() or DATELINE_FIRST_TOWN.fullmatch(text, line_start, start_char)) \
                and DATELINE_AFTER.match(text[end_char:end_char + 60]):
            positive.append("dateline")
        if nxt is not None and nxt in ("in", "im", "bei", "an") and e + 1 < n_words:
            after = tt.span_text(e + 1, min(e + 4, n_words))
            # "in Oberfranken", "im Landkreis …", "an der Saale": a named region, not any word ("der Saal im Obergeschoss")
            if after.startswith(("Kreis", "Landkreis")) or any(words[e + 1] in names for names in self.placing_names):
                positive.append("location_after")
                if words[e + 1] in self.gaz.state_of_form and nxt in ("in", "im"):
                    ev.attrs["state_hint"] = self.gaz.state_of_form[words[e + 1]]  # "Hamm in Westfalen"
        if prev is not None and (prev in self.negative or (starts_sentence(words, s - 1) and prev[:1].isupper() and WORD_ENDING.search(prev) and prev not in self.place_preps and prev not in self.place_nouns) or (risk and prev.islower() and WORD_ENDING.search(prev) and prev not in self.place_preps and prev not in COORDINATORS)):
            negative.append("article_or_adjective_before")
        if prev is not None and prev2 in self.negative and prev[:1].isupper() and prev.endswith("er") and prev.isalpha():
            negative.append("place_adjective_before")  # "das Ulmer Münster", "im Berliner Dom": a noun the town names
        if not positive and (self._surname(words, s, e) or self._contact_name_line(text, start_char, end_char)
                             and not any(a <= start_char < b for a, b in bodies)):
            return None
        ev.attrs["positive"] = positive
        if negative and not positive:
            return None
        if positive == ["location_after"] and risk and prev is not None and prev.islower() and WORD_ENDING.search(prev):
            return None  # "der evangelischen Kirchen in Hessen": a declined adjective makes the word a noun, the place is its own
        if risk is None:
            ev.attrs["accepted"] = True
            for p in positive:
                ev.adjust(f"evidence:{p}", 0.05)
        elif positive:
            ev.attrs["accepted"] = True
            ev.adjust(f"word-like name ({risk}) with evidence:{positive[0]}", -0.05)
        else:
            ev.attrs["accepted"] = False  # may still be rescued by a list of towns
        ev.rule = "towns:gazetteer" + ("+" + "+".join(positive) if positive else "")
        return ev

    def _caps_datelines(self, text: str) -> list[Evidence]:
        """'DETMOLD. Die Bezirksregierung …': a town written in capitals where a dateline stands (the gazetteer's forms
        are written as names, so the matcher cannot see it)."""
        out = []
        for m in CAPS_DATELINE.finditer(text):
            for group in ("town", "second"):
                if m.group(group) is None:
                    continue
                form = m.group(group).title()
                places = self.gaz.candidates(form)
                if not places or self.gaz.risk.get(form) == "never":
                    continue
                ev = self._gazetteer_evidence(text, m.start(group), m.end(group), form, places)
                ev.rule += "+dateline"
                ev.attrs.update(positive=["dateline"], accepted=True)
                ev.adjust("evidence:dateline", 0.05)
                out.append(ev)
        return out

    def _gazetteer_evidence(self, text: str, start: int, end: int, form: str, places: list) -> Evidence:
        """A gazetteer form found in the text, with its candidate places and how word-like it is; rules add the evidence."""
        return Evidence("town", start, end, text[start:end], "towns:gazetteer", self.base_score,
                        attrs={"form": form, "candidates": [p.key for p in places], "risk": self.gaz.risk.get(form)})

    def _surname(self, words: list[str], s: int, e: int) -> bool:
        """'Dr. Hagen', 'Projektleiterin Miriam Hagen', 'sagte Carola Zeitz', ', Cornelia Vacha,', 'Samtgemeindebürgermeister
        Jens-Uwe Kalbe': a person, not the town."""
        prev = words[s - 1] if s > 0 else ""
        if prev in self.person_titles:
            return True
        # a first name before it, also a double one ("Jens-Uwe")
        if s < 2 or not all(part.isalpha() and part[:1].isupper() and part[1:].islower() for part in prev.split("-")) \
                or prev in self.place_nouns \
                or prev in self.gaz.by_form or starts_sentence(words, s - 1):
            return False
        before = words[s - 2]
        if before in self.person_titles or before in self.speech_verbs:
            return True
        if before[:1].isupper() and before.lower().endswith(self.person_role_endings):
            return True
        return before == "," and e < len(words) and words[e] == ","

    def _contact_name_line(self, text: str, start: int, end: int) -> bool:
        """'Lars Jessen' on a line of its own next to a phone number, an e-mail address or a postcode: a contact
        person, not the town (a body's name on such a line, "Stadtverwaltung Hornberg", the caller leaves alone)."""
        line_s = text.rfind("\n", 0, start) + 1
        line_e = text.find("\n", end)
        line_e = len(text) if line_e < 0 else line_e
        words = text[line_s:line_e].split()
        if len(words) != 2 or text[end:line_e].strip() or not all(w[:1].isupper() and w.replace("-", "").isalpha() for w in words) \
                or words[0] in self.gaz.by_form or words[0] in self.place_nouns or words[0] in self.gaz.state_of_form:
            return False
        around = text[text.rfind("\n", 0, max(0, line_s - 200)) + 1:line_e + 200]  # a few lines above and below
        return any(marker in around for marker in self.contact_markers) or POSTCODE.search(around) is not None

    def _lists(self, text: str, found: list[Evidence]) -> None:
        """A word-like name in a list of accepted towns ("Detmold, Lage und Lemgo") is a town; and a town without evidence
        in a list beside one with evidence has it too ("Gemeinden wie Wildpoldsried, Bad Belzig oder Aalen")."""
        for i, ev in enumerate(found):
            if ev.attrs.get("accepted") and not ev.attrs.get("weak"):
                if not ev.attrs.get("positive") and self._listed_beside(
                        text, found, i, lambda other: other.attrs.get("positive") and other.attrs.get("accepted")):
                    ev.attrs["positive"] = ["list"]
                    ev.rule += "+list"
                    ev.adjust("in a list of towns", 0.05)
                continue
            if self._listed_beside(text, found, i, lambda other: other.attrs.get("accepted") and not other.attrs.get("weak")):
                ev.attrs["accepted"] = True
                ev.attrs["weak"] = False
                ev.rule += "+list"
                ev.adjust("in a list of towns", 0.1)
            elif _heads_item(text, ev) and any(o.attrs.get("accepted") and not o.attrs.get("weak") and _heads_item(text, o) for o in found):
                # "– Hamm: „Lippe-Radachse“ … – Siegen: „Siegtal-Radweg“": list items that each open with a town and a colon
                ev.attrs["accepted"] = True
                ev.attrs["weak"] = False
                ev.rule += "+list_item"
                ev.adjust("opens a list item as other towns do", 0.05)

    @staticmethod
    def _listed_beside(text: str, found: list[Evidence], i: int, holds) -> bool:
        """found[i] stands in a list (a comma, und, sowie, oder or a slash between; parentheses aside) beside a town
        that holds() is true of, the one before it first."""
        ev = found[i]
        for j in (i - 1, i + 1):
            if 0 <= j < len(found) and holds(found[j]):
                a, b = (found[j], ev) if j < i else (ev, found[j])
                if LIST_GAP.fullmatch(PARENTHESES.sub("", text[a.end:b.start])):
                    return True
        return False

    def _districts(self, doc: Doc, tt: TokenTable) -> None:
        """'Berlin-Neukölln', 'Halle-Neustadt': a quarter of a big city, reported as a district."""
        hits = []  # (position, word, city): each distinct word is looked at once
        first, following = tt.occurrences()
        for word, i in first.items():
            if "-" not in word or word in self.gaz.by_form or word in self.gaz.state_of_form:
                continue
            head, _, rest = word.partition("-")
            if not rest[:1].isupper():
                continue
            places = self.gaz.candidates(head)
            if places and places[0].population >= self.cfg.big_city_population and head not in self.gaz.state_of_form:
                while i >= 0:
                    hits.append((i, word, places[0]))
                    i = following[i]
        found = []
        for i, word, city in sorted(hits, key=lambda h: h[0]):
            idx = tt.starts[i]
            found.append(Evidence("district", idx, idx + len(word), word, "towns:district.city_compound", 0.7,
                                  attrs={"town": city.name, "ags": city.ags}))
        add_all(doc, found)
