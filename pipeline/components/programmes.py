"""Funding programmes: registry names and acronyms, quoted names after programme nouns,
'X'-Programm forms, and capitalised compounds ending in -fonds/-programm with a coordination."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc

from pipeline import regex_cache
from pipeline.evidence import Evidence, add_all
from pipeline.inflection import ADJECTIVE_ENDINGS, adjective_stem, adjective_variants, nominative_adjective
from pipeline.matching import doc_text, form_matcher, token_table
from pipeline.quotes import quoted
from pipeline.relation_model import prize_labels, table_row
from pipeline.gazetteer import gazetteer
from pipeline.rules import institution_patterns, programme_patterns, programme_registry

STOP_HEAD = {"Das", "Der", "Die", "Dem", "Den", "Des", "Ein", "Eine", "Mit", "Für", "In", "Im", "Zur", "Zum", "Bis", "Seit", "Ab"}
STOP_TAIL = {"des", "der", "die", "das", "dem", "den", "mit", "und", "für", "im", "in", "von", "vom", "zur", "zum", "ist", "wird", "werden", "wurde"}


@lru_cache(maxsize=1)
def _index():
    reg = programme_registry().programmes
    forms: dict[str, list[tuple[str, str]]] = {}
    for e in reg:
        for n in [e.name] + e.aliases:
            for v in adjective_variants(n):
                forms.setdefault(v, []).append((e.id, "name"))
        for a in e.acronyms:
            forms.setdefault(a, []).append((e.id, "acronym"))
    return {e.id: e for e in reg}, forms


def programme_matcher(nlp: Language):
    """The registry matcher of this pipeline (built once)."""
    return form_matcher(nlp, "programmes", _index()[1])


# one word of a guideline's title; group 2 a comma or stop that closes the title
TITLE_WORD = regex_cache.compile(r"([\wäöüßÄÖÜ-]+)([,.;:]|(?=[)]))?[ \t]*")
TITLE_JOINERS = frozenset({"und", "oder", "sowie", "von", "der", "des", "den", "dem", "für", "im", "in", "zur", "zum", "mit"})
VERSION_AFTER = regex_cache.compile(r"[ \t]+(\d{1,2}\.\d)(?![\d.,]*\d)")  # after a registry name: "DigitalPakt Schule 2.0"
PERIOD_AND_NAME = regex_cache.compile(r"[ \t]+([IVX]{1,4}(?:[ -]?[ABC])?)[ \t]+([A-ZÄÖÜ][\wäöüß-]+)")  # " VI A Großregion"
CLAUSE_GOES_ON = regex_cache.compile(r"[ \t]+[a-zäöü]")  # a lowercase word after a name: the sentence goes on
ACRONYM_AFTER = regex_cache.compile(r"\s*\(([A-Za-zÄÖÜäöü+-]{2,12})\)")
SHORT_NAME_AFTER = regex_cache.compile(r"\s*\(([A-ZÄÖÜ][A-Za-zÄÖÜäöü+-]{1,11}(?: [A-Za-zÄÖÜäöü+-]{2,10})?)\)")  # "(FR Regio)"
PROJECT_WORD = regex_cache.compile(r"projekt|vorhaben", re.I)
QUOTED_COMPOUND = regex_cache.compile(r"-(?:Programm|Förderprogramm|Programms|Fonds)\b")
# "Förderprogramm „X“", "Schwerpunktprogramm 2089 „X“", "Projekt: „X“", "mit dem Titel „X“".
# The search starts only where a word starts (the lookbehind): the leftmost match starts there anyway
# (one starting inside a word also matches from the letter before), and the others are not retried.
WORD_BEFORE = regex_cache.compile(r"(?<![\w-])([\wäöüÄÖÜß-]+)(?:\s+\d[\w./-]*)?\s*(?:[:–-]\s*)?(?:mit dem (?:Titel|Namen)\s*)?$")


@lru_cache(maxsize=512)
def _word_before(text: str, pos: int, window: int) -> str | None:
    """The word a trigger noun would be, right before pos; cached because programmes and
    projects ask about the same quotes."""
    start = max(0, pos - window)
    m = WORD_BEFORE.search(text[start:pos])
    if m is None:
        return None
    word_end = start + m.end(1)
    if "\n" in text[word_end:pos] and (_table_row(text, word_end) or _table_row(text, pos)):
        return None  # a column head at a line's end ("Projekt | Ort | Förderung") names no cell of the row below
    return m.group(1)


def _table_row(text: str, pos: int) -> bool:
    """The line holding pos has table cells (a bar or a tab)."""
    return table_row(text, pos)[0] is not None


@lru_cache(maxsize=16)
def _trigger_endings(words: frozenset) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Lowercased trigger words and '-'+word, as tuples for one str.endswith call."""
    return tuple(w.lower() for w in words), tuple("-" + w for w in words)


def trigger_before(text: str, pos: int, words: set[str], window: int = 60) -> str | None:
    """The trigger noun right before position pos (a compound ending in a trigger counts too)."""
    word = _word_before(text, pos, window)
    if word is None:
        return None
    for form in (word, word[:-1] if word.endswith("s") else None, word[:-2] if word.endswith("es") else None):
        if form and form in words:  # "des Bundesprogramms „X“"
            return word
    lowers, hyphened = _trigger_endings(words if isinstance(words, frozenset) else frozenset(words))
    if word[0].isupper():
        if word.endswith("s") and word[:-1].endswith(lowers):
            return word
        # a compound ending in a trigger ("Landesförderprogramm"), longer than the trigger itself
        if word.endswith(lowers) and any(len(word) > len(w) and word.endswith(w.lower()) for w in words):
            return word
    if word.endswith(hyphened):
        return word
    return None


HYPHEN_GAP = regex_cache.compile(r"-,?\s")


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"  # what \w matches


def coordination_start(text: str) -> int:
    """The earliest place a coordination ("Asyl-, Migrations- und …") can start: the word before
    the first hyphen that has a word character before it and (a comma and) a space after it;
    -1 when there is none. Scanning from there finds the same matches, most texts have none."""
    for m in HYPHEN_GAP.finditer(text):
        k = m.start()
        if k > 0 and _is_word_char(text[k - 1]):
            while k > 0 and _is_word_char(text[k - 1]):
                k -= 1
            return k
    return -1


NAME_TOKEN = r"(?:[A-ZÄÖÜ][\wäöüßÄÖÜ.+!-]*|[IVX]+|\d{4}(?:[–-]\d{2,4})?|plus|[A-Z]-[A-Z])"


# compiled once at import, not per document
# each starts with a lookahead on its possible first letters: impossible start positions fail fast
def _nominative_trigger(trigger: str) -> str:
    """'Förderprogramms' → 'Förderprogramm', 'EFRE/JTF-Programms' → 'EFRE/JTF-Programm' (a name's trigger noun in the nominative)."""
    return trigger[:-1] if trigger.lower().endswith("programms") else trigger


COMPOUND_HEAD = regex_cache.compile(r"(?<![\w/-])[A-ZÄÖÜ]{2,}(?:[/-][A-ZÄÖÜ]{2,})*-$")  # the fund acronyms "EFRE/JTF-", "ESF-" before a trigger noun
# the gap between the words of a name: one or two spaces; a tab or three spaces part a table's columns ("Programm   Fördersumme")
WORD_GAP = r"[ \u00a0]{1,2}"
UNQUOTED_AFTER_TRIGGER = regex_cache.compile(r"(?=[PFBLKR])\b(?:Programms?|Förderprogramms?|Bundesprogramms?|Landesprogramms?|Kooperationsprogramms?|Programmlinie|Förderrichtlinie|Richtlinie)"
        r"(?:" + WORD_GAP + r"|\n)(?P<name>" + NAME_TOKEN + r"(?:" + WORD_GAP + r"(?:[–-]" + WORD_GAP + r")?" + NAME_TOKEN + r"){0,7})")
SINGLE_COMPOUND = regex_cache.compile(r"(?=[aiüd])\b(?:aus dem|aus der|im|in der|über das|über die|über den|der|den|dem|das|die|des)\s+"
        r"(?P<ord>\d{1,2}\.\s+)?"  # "des 8. Energieforschungsprogramms": the programme's edition
        r"(?P<adj>(?:[A-ZÄÖÜ][a-zäöüß]+-)?[A-ZÄÖÜ][a-zäöüß]+(?:isch|lich|al|iv)(?:e|en|er|es)\s+)?"
        r"(?P<name>[A-ZÄÖÜ][\wäöüß-]{3,}(?P<suffix>fonds|programms?|richtlinie|Förderrichtlinie|-Richtlinie)"
        r"|(?:Fonds|Programm) für (?!(?:seine|ihre|eine|unsere|alle|diese|keine|die|den)\b)[a-zäöü]+(?:e|en) [A-ZÄÖÜ][\wäöüß]+)"
        # "Kommunales Investitionsprogramm Klimaschutz und Innovation (KIPKI)": two nouns when an acronym follows
        r"(?P<tail>[ \t]+[A-ZÄÖÜ][\wäöüß-]+(?=\s+(?:des|der|von|vom|im|in|mit)\b|[.,;:)])|[ \t]+[A-ZÄÖÜ][\wäöüß-]+[ \t]+und[ \t]+[A-ZÄÖÜ][\wäöüß-]+(?=\s+\([A-ZÄÖÜ]))?")


def _defined_acronym(text: str, end: int) -> Optional[str]:
    """The acronym in parentheses right after a name that ends at end ("… Klimaschutz und Innovation (KIPKI)"), with two
    capitals at least (not "(Sachsen)")."""
    acr = ACRONYM_AFTER.match(text[end:end + 16])
    return acr.group(1) if acr and sum(c.isupper() for c in acr.group(1)) >= 2 else None


@Language.factory("press_programmes", default_config={}, assigns=["doc._.evidence", "doc.spans"])
def make_programmes(nlp: Language, name: str):
    return ProgrammeRecognizer(nlp)


class ProgrammeRecognizer:
    def __init__(self, nlp: Language):
        self.nlp = nlp
        self.cfg = programme_patterns()
        self.entries, self.forms = _index()
        self.triggers = frozenset(self.cfg.quote_triggers.words)
        self.generic = set(self.cfg.generic)
        self.countries = frozenset(institution_patterns().country_names)
        self.compound_tails = frozenset(self.cfg.compound_tails)
        # "an „denkmal aktiv – Kulturerbe macht Schule“, dem Schulprogramm der Stiftung": the quote named by an apposition
        # whose noun is a programme noun (or a compound ending in one)
        nouns = sorted({w.lower() for w in self.cfg.quote_triggers.words if w[0].isupper()}, key=len, reverse=True)
        self.apposition_after = regex_cache.compile(r"[ \t]*,[ \t]+(?:dem|den|der|des|einem|einen|einer|eines)[ \t]+(?:[a-zäöüß]+(?:en|em|er|es)[ \t]+)?"
                                                    r"[A-ZÄÖÜ][a-zäöüß-]*(?i:" + "|".join(map(re.escape, nouns)) + r")s?\b")
        self.generic_modifiers = tuple(m.lower() for m in self.cfg.generic_modifiers)
        self.suffix_words = frozenset(self.cfg.name_suffixes.words) | {"programms", "fonds", "richtlinie"}
        self.generic_lower = {g.lower() for g in self.generic}
        # "Asyl-, Migrations- und Integrationsfonds"; the lookahead only skips impossible starts fast
        money = self.cfg.money_sources.words
        # "Mittel aus „Leihgeräte für Lehrkräfte“": money that comes from a quoted name (searched up to the quote)
        self.money_before_quote = regex_cache.compile(r"\b(?:" + "|".join(map(re.escape, money)) + r")\s+aus\s+(?:dem\s+|der\s+|den\s+)?$")
        heads = self.cfg.title_guidelines.words
        self.guideline_title = regex_cache.compile(r"(?=[A-ZÄÖÜ])\b(?:" + "|".join(map(re.escape, heads)) + r")\s+"
                                          r"(?:über\s+die\s+Gewährung\s+von\s+Zuwendungen\s+)?(?:zur|über\s+die)\s+Förderung\s+")
        self.coordination = regex_cache.compile(r"(?=[A-ZÄÖÜ])(?:[A-ZÄÖÜ][\wäöüß]*-,?\s+(?:und\s+|oder\s+)?)+[A-ZÄÖÜ][\wäöüß]*(?:"
                                       + "|".join(self.cfg.name_suffixes.words) + r")\b")

    def matcher(self):
        return programme_matcher(self.nlp)

    def _unquoted_after_trigger(self, text: str) -> list[Evidence]:
        """'aus dem Programm Interreg VI Oberrhein', 'Programm STARK III plus EFRE': a name after the noun."""
        out = []
        for m in UNQUOTED_AFTER_TRIGGER.finditer(text):
            if text[m.start("name") - 1] == "\n" and _table_row(text, m.start()):
                continue  # a column head at a line's end ("Ort | Vorhaben | Programm") names no cell of the row below
            name = m.group("name")
            words = name.split()
            for i, word in enumerate(words):  # the name ends at the sentence's full stop (not at an abbreviation: "e.V.")
                if word.endswith(".") and "." not in word[:-1] and len(word) > 4:
                    words = words[:i] + [word[:-1]]
                    break
            dash = next((i for i, word in enumerate(words) if word in ("–", "-")), None)
            if dash is not None and len(words) - dash - 1 < 2 and CLAUSE_GOES_ON.match(text, m.end("name")) \
                    and not self._place(words[-1]):  # ("Interreg VI A Brandenburg – Polen bereit": the second country)
                words = words[:dash]  # "Landesprogramm ZILE – Eröffnung im Frühjahr": a headline's next clause, not a subtitle
            while words and (words[-1] in ("plus", "–", "-") or words[-1].lower() in STOP_TAIL):
                words.pop()
            if not words or words[0] in STOP_HEAD or words[0].lower() in STOP_TAIL:
                continue
            name = " ".join(words)
            if len(name) < 3 or name in self.generic:
                continue
            start = m.start("name")
            canon, short = name, None
            acr = SHORT_NAME_AFTER.match(text, start + len(name))
            trigger = text[m.start():start].rstrip()
            if trigger == "Richtlinie" and not (acr and acr.group(1)[0] == "R"):
                continue  # a bare "Richtlinie" names a programme only with its short form: "Richtlinie Digitale Schulinfrastruktur (RL DigiSchul)"
            if acr and acr.group(1)[0] == trigger[0] != name[0]:
                # "Förderrichtlinie Regionalentwicklung (FR Regio)": the acronym spells the trigger, so it is part of the name
                canon = _nominative_trigger(trigger) + " " + name
                start, short = m.start(), acr.group(1)
            elif m.start() > 0 and text[m.start() - 1] in "-/" and name not in self.forms:
                # "des EFRE/JTF-Programms NRW 2021–2027": the trigger closes a compound, which is part of the name
                # (not before a registry name: "mit dem EU-Programm Interreg Deutschland-Nederland")
                head = COMPOUND_HEAD.search(text, max(0, m.start() - 40), m.start())
                if head is not None:
                    canon = _nominative_trigger(text[head.start():start].rstrip()) + " " + name
                    start = head.start()
            end = m.start("name") + len(name)
            out.append(Evidence("programme", start, end, text[start:end], "programmes:programme.name_after_trigger", 0.7,
                                attrs={"canonical": canon, "acronym": short}))
        return out

    def _guideline_titles(self, text: str) -> list[Evidence]:
        """'Richtlinie zur Förderung kommunaler Radverkehrsinfrastruktur': a guideline named by what it funds.
        The title is a noun phrase: adjectives and nouns joined by articles and conjunctions, ending on a noun;
        a second noun in a row, a verb or a comma ends it."""
        out = []
        rule = self.cfg.title_guidelines
        for m in self.guideline_title.finditer(text):
            end, pos, prev = None, m.end(), "join"
            for _ in range(12):
                w = TITLE_WORD.match(text, pos)
                if w is None:
                    break
                word = w.group(1)
                if word in TITLE_JOINERS:
                    kind = "join"
                elif prev == "noun":
                    break
                elif word[0].isupper():
                    kind, end = "noun", w.end(1)
                elif word.endswith(ADJECTIVE_ENDINGS):
                    kind = "adj"
                else:
                    break
                prev, pos = kind, w.end()
                if w.group(2):  # a comma or full stop closes the title
                    break
            if end is None:
                continue
            name = text[m.start():end]
            out.append(Evidence("programme", m.start(), end, name, "programmes:" + rule.id, rule.score, attrs={"canonical": name}))
        return out

    def _single_compounds(self, text: str) -> list[Evidence]:
        """'aus dem Elbkulturfonds', 'des Bundesförderprogramms Breitband', 'aus der Bayerischen Gigabitrichtlinie (BayGibitR)'."""
        out = []
        gender = {"fonds": "m", "programm": "n", "programms": "n", "richtlinie": "f", "Förderrichtlinie": "f", "-Richtlinie": "f"}
        for m in SINGLE_COMPOUND.finditer(text):
            name = m.group("name")
            base = _nominative_trigger(name)
            if (base in self.generic or base.lower() in self.generic_lower or self._generic_modifier(base)) \
                    and not m.group("tail") and not m.group("adj"):
                continue
            if m.group("adj") and not m.group("tail") and (adjective_stem(m.group("adj").strip()) or "").endswith(("al", "iv")):
                continue  # "dem Kommunalen Förderprogramm": an ordinary adjective and a generic noun make no name
            start = m.start("ord") if m.group("ord") else m.start("adj") if m.group("adj") else m.start("name")
            end = m.end("tail") if m.group("tail") else m.end("name")
            canon = base + (m.group("tail") or "")
            if m.group("adj"):
                canon = nominative_adjective(m.group("adj").strip(), gender.get(m.group("suffix") or "", "n")) + " " + canon
            if m.group("ord"):
                canon = m.group("ord").split()[0] + " " + canon
            ev = Evidence("programme", start, end, text[start:end], "programmes:" + self.cfg.name_suffixes.id,
                          self.cfg.name_suffixes.score, attrs={"canonical": canon})
            if acr := _defined_acronym(text, end):
                ev.attrs["acronym"] = acr
            out.append(ev)
        return out

    def _generic_modifier(self, compound: str) -> bool:
        """'Vorgängerprogramm', 'Schulprogramm': a generic first part before the programme word (its Fugen-s included)."""
        low = compound.lower()
        return any(low.startswith(m) and low[len(m):].lstrip("s-") in self.suffix_words for m in self.generic_modifiers)

    def _registry_evidence(self, text: str, start: int, end: int, form: str, rule_suffix: str, score: float) -> Evidence:
        """The registry entry a form names, as evidence ("programmes:registry.name", ".acronym", ".name_in_compound" …)."""
        hits = self.forms[form]
        entry = self.entries[hits[0][0]]
        canonical = entry.name
        version = VERSION_AFTER.match(text, end) if hits[0][1] != "acronym" else None
        if version is not None:  # "DigitalPakt Schule 2.0": the registry's programme in a new version, named with it
            end, canonical = version.end(), entry.name + " " + version.group(1)
        period = PERIOD_AND_NAME.match(text, end) if hits[0][1] != "acronym" else None
        if period is not None and f"{form} {period.group(2)}" in self.forms:
            # "Interreg VI A Großregion": the umbrella, its period's mark and the rest of a registry programme's name
            hits = self.forms[f"{form} {period.group(2)}"]
            entry, end = self.entries[hits[0][0]], period.end()
            canonical = text[start:end]
        return Evidence("programme", start, end, text[start:end], f"programmes:registry.{hits[0][1]}{rule_suffix}", score,
                        attrs={"canonical": canonical, "registry_id": entry.id, "acronym": entry.acronyms[0] if entry.acronyms else None,
                               "is_acronym": hits[0][1] == "acronym", "version": version is not None,
                               "period": period is not None and canonical != entry.name})

    def _compound_parts(self, tt) -> list[Evidence]:
        """A registry name or acronym that opens a hyphenated compound of its money or itself: "aus dem LEADER-Budget",
        "EFRE-Mittel" (spaCy keeps such a compound one token, so the registry matcher cannot see its first part)."""
        out = []
        for word in tt.occurrences()[0]:
            if "-" not in word or word[0] == "-":
                continue
            for pos in range(len(word) - 1, 0, -1):  # the longest part before a hyphen first: "ESF-Plus-Programm"
                if word[pos] != "-" or word[:pos] not in self.forms or word[:pos] in self.generic:
                    continue
                if word[pos + 1:] not in self.compound_tails:
                    break  # "Interreg-Projekt": a project in the programme, which the release names otherwise
                out += [self._registry_evidence(tt.text, tt.starts[i], tt.starts[i] + pos, word[:pos], "_in_compound", 0.8)
                        for i in tt.positions(word)]
                break
            else:  # "im ESF Plus-Programm": a two-word registry name whose second word opens the compound
                head, _, tail = word.partition("-")
                if tail in self.compound_tails:
                    for i in tt.positions(word):
                        form = f"{tt.words[i - 1]} {head}" if i > 0 else ""
                        if form in self.forms and tt.ends[i - 1] + 1 == tt.starts[i]:
                            out.append(self._registry_evidence(tt.text, tt.starts[i - 1], tt.starts[i] + len(head), form, "_in_compound", 0.85))
        return out

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        found: list[Evidence] = []
        tt = token_table(doc)
        for s, e, form in self.matcher()(doc):
            if e - s == 1 and e < len(tt.words) and tt.words[e][:1].isupper() and adjective_stem(tt.words[s]):
                continue  # "die Regionale Entwicklungsstrategie": the adjective of a noun, not the programme "Regionale"
            found.append(self._registry_evidence(text, tt.starts[s], tt.ends[e - 1], form, "", 0.9))
        found += self._compound_parts(tt)
        # a prize's category in the labels of a list of winners ("Sonderpreis „Integration“ (1.500 Euro): …") names no
        # programme; a label with a rank or a sum is a winner's (a headline "Ehrenamtspreis „Zusammenhalt vor Ort“: …" is not)
        labels = [(m.start(), m.end()) for m in prize_labels(text) if "(" in m.group(0) or m.group(0)[:1].isdigit()]
        for o_s, o_e, i_s, i_e in quoted(text):
            inner = text[i_s:i_e].strip()
            trig = trigger_before(text, o_s, self.triggers)
            if trig and labels and any(a <= o_s < b for a, b in labels):
                continue
            if trig and not PROJECT_WORD.search(trig):
                found.append(Evidence("programme", i_s, i_e, text[i_s:i_e], "programmes:" + self.cfg.quote_triggers.id,
                                      self.cfg.quote_triggers.score, attrs={"canonical": inner, "trigger": trig, "quoted": (o_s, o_e)}))
            elif self.money_before_quote.search(text, max(0, o_s - 48), o_s):
                rule = self.cfg.money_sources
                found.append(Evidence("programme", i_s, i_e, text[i_s:i_e], "programmes:" + rule.id, rule.score,
                                      attrs={"canonical": inner, "quoted": (o_s, o_e)}))
            elif self.apposition_after.match(text, o_e, o_e + 60):
                found.append(Evidence("programme", i_s, i_e, text[i_s:i_e], "programmes:programme.quote_before_apposition",
                                      0.75, attrs={"canonical": inner, "quoted": (o_s, o_e)}))
            elif QUOTED_COMPOUND.match(text[o_e:o_e + 16]):
                found.append(Evidence("programme", i_s, i_e, text[i_s:i_e], "programmes:programme.quoted_compound",
                                      0.8, attrs={"canonical": inner, "quoted": (o_s, o_e)}))
            if found and found[-1].attrs.get("quoted") == (o_s, o_e) and (acr := _defined_acronym(text, o_e)):
                found[-1].attrs["acronym"] = acr  # "„Zuwendungen zur integrierten ländlichen Entwicklung“ (ZILE)"
        # "Asyl-, Migrations- und Integrationsfonds": a coordination closed by a -fonds/-programm compound
        start = coordination_start(text)
        for m in (self.coordination.finditer(text, start) if start >= 0 else ()):
            found.append(Evidence("programme", m.start(), m.end(), m.group(0), "programmes:" + self.cfg.name_suffixes.id,
                                  self.cfg.name_suffixes.score, attrs={"canonical": m.group(0)}))
        found += self._unquoted_after_trigger(text)
        found += self._single_compounds(text)
        if "örderung" in text:
            found += self._guideline_titles(text)
        kept: list[Evidence] = []
        for ev in sorted(found, key=lambda e: (-(e.end - e.start), 0 if "registry" in e.rule else 1)):
            if ev.attrs["canonical"] in self.generic and "single" not in ev.rule and "suffix" not in ev.rule:
                continue
            if not any(ev.overlaps(k) for k in kept):
                kept.append(ev)
        kept += self._own_acronyms(text, kept)
        add_all(doc, sorted(kept, key=lambda e: e.start))
        return doc

    def _place(self, word: str) -> bool:
        """A town, a Land or a country: "Polen" in "Interreg VI A Brandenburg – Polen"."""
        gaz = gazetteer()
        return word in gaz.by_form or word in gaz.state_of_form or word in self.countries

    @staticmethod
    def _own_acronyms(text: str, kept: list[Evidence]) -> list[Evidence]:
        """'Kommunales Investitionsprogramm Klimaschutz und Innovation (KIPKI)' … 'Das KIPKI wird vom Ministerium
        verantwortet': the acronym a name defines names the programme wherever it stands later (the registry's own
        acronyms are matched by the registry)."""
        out = []
        for ev in kept:
            acr = ev.attrs.get("acronym")
            if not acr or ev.attrs.get("registry_id") or len(acr) < 3:
                continue
            for m in re.finditer(r"(?<![\wäöüß-])" + re.escape(acr) + r"(?![\wäöüß-])", text[ev.end:]):
                a, b = ev.end + m.start(), ev.end + m.end()
                if text[a - 1:a] == "(" or any(k.start < b and a < k.end for k in kept + out):
                    continue  # the definition itself, or inside another name
                out.append(Evidence("programme", a, b, acr, "programmes:programme.own_acronym", 0.8,
                                    attrs={"canonical": ev.attrs["canonical"], "acronym": acr, "is_acronym": True}))
        return out
