"""Institutions: registry names (with inflected forms and acronyms) and head-noun patterns.

Registry: every name, alias and acronym of rules/institutions.yaml, plus the genitive/dative
forms of each name, in one phrase matcher. Patterns: a head noun (Ministerium, Institut,
Stiftung …, alone or closing a compound) with adjectives before it and a complement after it.
Acronyms defined in the text ("… (BAMF)") are matched wherever they recur.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from pipeline import regex_cache
from pipeline.components.towns import starts_sentence
from pipeline.evidence import Evidence, add_all
from pipeline.gazetteer import gazetteer, union_names
from pipeline.inflection import ADJECTIVE_ENDINGS, SIMPLE_ADJECTIVES, adjective_stem, adjective_variants, nominative_adjective, nominative_head
from pipeline.matching import TokenTable, doc_text, form_matcher, token_table
from pipeline.resolve import norm
from pipeline.rules import HeadNoun, institution_patterns, institution_registry, parsed_cached, rules_dir, town_evidence, zipf_frequency

CAPS_ACRONYM = regex_cache.compile(r"[A-ZÄÖÜ]{2,6}")
HYPHEN_COMPOUND = regex_cache.compile(r"[A-ZÄÖÜ][\wäöüß]*[-/][\wäöüß/-]+")
COMPLEMENT_ARTICLES = frozenset({"das", "die", "den", "dem", "der"})
INDEFINITE = frozenset({"ein", "eine", "einer", "einem", "einen", "eines", "keine", "jede", "jeder", "jedes"})
# the heads that stand for a club before its registered name, in every case: "(des) Verein(s) Kulturstift Wetter e. V."
CLUB_HEADS = ("Verein", "Verband")
# "des Landes Brandenburg", "des Freistaates Sachsen": a Land named in the genitive
LAND_GENITIVES = ("Landes", "Freistaates", "Freistaats")
CAPITALISED = regex_cache.compile(r"[A-ZÄÖÜ][\wäöüß]*")
SPACES = regex_cache.compile(r"\s+")
SUB_UNIT_GAP = regex_cache.compile(r"\s*(?:der|des|an der|am)\s+")
ACRONYM = regex_cache.compile(r"^(?=(?:.*[A-ZÄÖÜ]){2})[A-Za-zÄÖÜäöü&+.-]{2,10}$|^[A-Z][a-z]{2,4}$")
# a lowercase adjective as common as "junge" (5.3) or "gemeinnützige" (3.7) before a firm describes it ("die junge SeaLoop
# GmbH"); a firm's lowercase brand name is a rare word ("atene KOM GmbH", "ioki GmbH")
DESCRIPTIVE_ADJECTIVE_ZIPF = 3.0
REGION_ADJECTIVE_MAX_ZIPF = 2.5  # the word table's floor: a word it does not hold
ACRONYM_AREA_MAX_ZIPF = 3.3  # a rarer word after "LAG" names its region ("Vogtland" 3.1), a plain noun is commoner ("Zuschüsse" 3.5)
# "in der niederländischen " before a territory's head: the place is named, not the body
PLACE_BEFORE = regex_cache.compile(r"\b(?:in der|in dem|im)\s+(?:[a-zäöüß]+(?:en|e)\s+)?$")
# a declined adjective of origin before a firm's name says where it is from ("der schwedischen Lindqvist Fluid Power AB")
ORIGIN_ADJECTIVE_ENDINGS = ("ischen", "ische", "ischer", "isches")
# prepositions inside a club's name, between its head and its place ("Mühlenverein im Kreis Minden-Lübbecke e. V.")
INNER_PREPOSITIONS = frozenset({"im", "in", "am", "an", "auf", "bei", "für", "zu", "zur", "zum", "von", "vom", "der", "des"})
PREDICATE_AFTER_COMPLEMENT = frozenset({"zuständig", "verantwortlich", "zuständige", "verantwortliche"})
TIME_PREPOSITIONS = frozenset({"im", "seit", "ab", "bis", "vom", "zum", "Im", "Seit", "Ab", "Bis"})
ARTICLES_AND_PREPS = {"der", "die", "das", "den", "dem", "des", "von", "vom", "mit", "bei", "beim", "durch", "und"}
NOT_ADJECTIVES = {"über", "unter", "hinter", "oder", "aber", "jeder", "jede", "dieser", "diese", "einer", "eine",
                  "sowie", "beide", "beiden", "seine", "ihre", "ihren", "seiner", "ihrer", "unsere", "welche", "alle",
                  "andere", "anderen", "wieder", "weiter", "immer", "sehr", "mehr", "ebenfalls", "gemeinsam", "sollen",
                  "werden", "wurden", "haben", "bereits", "dabei", "bisher", "zwischen", "gegen", "wegen", "innerhalb",
                  # determiners, which end like adjectives: "hat das Ministerium für Bildung einen Zuschuss bewilligt"
                  "einen", "einem", "eines", "keine", "keinen", "keinem", "keiner", "jeden", "jedem", "jedes", "diesen",
                  "diesem", "dieses", "seinen", "seinem", "seines", "ihrem", "ihres", "unseren", "unserem", "unserer",
                  "deren", "dessen", "welchen", "welchem", "allen", "vielen", "einigen", "mehreren", "weitere", "weiteren"}
NAME_ADJECTIVES = SIMPLE_ADJECTIVES - {"Neu", "Frei", "Technisch"}
INFLECT_END = {"m": ["en", "er", "em", "e"], "f": ["en", "er", "e"], "n": ["en", "es", "em", "e"]}


SAINT = frozenset({"St.", "Sankt", "Hl."})  # before a saint's name inside a body's name


def _founding_year(word: str) -> bool:
    return len(word) == 4 and word.isdigit() and word[:2] in ("18", "19", "20")


def _truncated_list_end(words: list[str], j: int, departments: frozenset = frozenset()) -> int:
    """At a comma after a name's noun: the end of a list of nouns that shares a truncated compound ("…, Heimat- und
    Kulturpflege"), which continues the name; j when there is none (a comma before another name or a clause, or a
    department: "…, Presse- und Öffentlichkeitsarbeit")."""
    k, truncated = j, False
    while k + 1 < len(words) and words[k] == "," and words[k + 1][:1].isupper() and words[k + 1].rstrip("-").replace("-", "").isalpha():
        if words[k + 1] in departments:
            return j
        truncated = truncated or words[k + 1].endswith("-")
        k += 2
    if truncated and k + 1 < len(words) and words[k] == "und" and words[k + 1][:1].isupper() and words[k + 1].isalpha() \
            and words[k + 1] not in departments:
        return k + 2
    return j


OPENING_QUOTES = frozenset({"„", "»", '"', "“"})
CLOSING_QUOTES = {"„": ("“", '"'), "»": ("«",), '"': ('"',), "“": ("”",)}


def _quoted_name_end(words: list[str], j: int) -> int:
    """After the closing quote of a name of one to four capitalised words that opens at j ("„Friedrich Schiller“"), else j."""
    for close in range(j + 2, min(j + 6, len(words))):
        if words[close] in CLOSING_QUOTES[words[j]]:
            inner = words[j + 1:close]
            if inner[0][:1].isupper() and all(w[:1].isupper() or w.islower() and len(w) <= 3 for w in inner):
                return close + 1
            return j
        if not (words[close - 1][:1].isalnum()):
            return j
    return j


def _qualifier(word: str) -> bool:
    """A word in parentheses that belongs to a name: a river or region ("Halle (Saale)", "Frankfurt (Oder)"), not an
    acronym ("(AVV)", "(h_da)") or a number."""
    return word[:1].isupper() and word.replace("-", "").isalpha() and not ACRONYM.match(word)


def registry_variants(name: str, heads: list[HeadNoun]) -> set[str]:
    """Inflected surface forms of a registry name: declined adjectives and genitive heads."""
    tokens = name.split(" ")
    head_idx, head = None, None
    for i, tok in enumerate(tokens):
        for h in heads:
            if tok == h.lemma or (h.compound and tok.endswith(h.lemma.lower())):
                head_idx, head = i, h
                break
        if head is not None:
            break
    if head is None:  # no head noun we know ("Internationaler Bund"): decline the leading adjectives only
        return adjective_variants(name)
    variants = {name}
    adj_idx = [i for i in range(head_idx) if adjective_stem(tokens[i])]
    endings = INFLECT_END[head.gender]
    head_forms = [tokens[head_idx]] + [tokens[head_idx][: len(tokens[head_idx]) - len(head.lemma)] + g if tokens[head_idx].endswith(head.lemma) else tokens[head_idx] + g[len(head.lemma):] for g in head.genitive]
    for end in endings + [None]:
        for hf in head_forms:
            t = list(tokens)
            if end:
                for i in adj_idx:
                    t[i] = adjective_stem(tokens[i]) + end
            t[head_idx] = hf
            variants.add(" ".join(t))
    return variants


@lru_cache(maxsize=1)
def _registry_index():
    reg = institution_registry().institutions
    return {e.id: e for e in reg}, _variant_forms()


def _variant_forms() -> dict[str, list[tuple[str, str]]]:
    """Every inflected form of the registry's names → [(entry id, 'name'|'alias'|'acronym')]. Declining some 1,500
    names is a fifth of the start-up: the result is kept in the cache folder, keyed by the registry, the patterns and
    the code that declines (this module and pipeline/inflection.py), so it never outlives a change of any of them."""
    from pipeline import inflection

    key = "\0".join(path.read_text(encoding="utf-8") for path in
                    (rules_dir() / "institutions.yaml", rules_dir() / "institution_patterns.yaml", Path(inflection.__file__), Path(__file__)))
    return parsed_cached(key, _decline_registry)


def _decline_registry(_key: str) -> dict[str, list[tuple[str, str]]]:
    """The forms of _variant_forms, computed (its key text holds everything they depend on)."""
    reg = institution_registry().institutions
    heads = institution_patterns().heads
    forms: dict[str, list[tuple[str, str]]] = {}
    for entry in reg:
        names = [entry.name] + entry.aliases
        names += [n[:-4] + "e. V." for n in names if n.endswith(" e.V.")]  # both spellings of the legal form
        for n in names:
            for v in registry_variants(n, heads):
                forms.setdefault(v, []).append((entry.id, "name" if n == entry.name else "alias"))
        for a in entry.acronyms:
            forms.setdefault(a, []).append((entry.id, "acronym"))
    return forms


def registry_matcher(nlp):
    return form_matcher(nlp, "institutions", _registry_index()[1])


@Language.factory("press_institutions", default_config={"use_ner": True}, assigns=["doc._.evidence", "doc.spans"])
def make_institutions(nlp: Language, name: str, use_ner: bool):
    return InstitutionRecognizer(nlp, use_ner)


class InstitutionRecognizer:
    def __init__(self, nlp: Language, use_ner: bool):
        self.nlp = nlp
        self.use_ner = use_ner
        self.cfg = institution_patterns()
        self.entries, self.forms = _registry_index()
        self.stop = set(self.cfg.stop_words)
        self.generic = set(self.cfg.generic)
        self.foreign_heads = frozenset(self.cfg.foreign_heads)
        self.foreign_connectors = frozenset(self.cfg.foreign_connectors)
        self.firm_heads = frozenset(self.cfg.firm_heads)
        self.proper_heads = set(self.cfg.proper_name_heads) | self.firm_heads  # a firm's owner is named after its trade
        self.gen_complements = sorted((c.split(" ") for c in self.cfg.genitive_complements), key=len, reverse=True)
        self.gen_first = {words[0] for words in self.gen_complements}
        self.complement_starts = set(self.cfg.complement_starts)
        self.town_complement_starts = frozenset(self.cfg.town_complement_starts)
        self.role_noun_endings = tuple(self.cfg.role_noun_endings)
        self.seat_complement_heads = frozenset(self.cfg.seat_complement_heads)
        self.acronym_heads = frozenset(self.cfg.acronym_heads)
        self.territory_heads = frozenset(self.cfg.territory_heads)
        self.legal = tuple(self.cfg.legal_suffixes)  # the legal forms that close a name (rules/institution_patterns.yaml)
        self.legal_heads = frozenset(self.legal)  # heads that are a legal form: the name stands before them
        # a legal form that took the sentence's full stop ("… gGmbH.")
        self.legal_with_stop = tuple(f + "." for f in self.legal if not f.endswith("."))
        self.legal_tails = [tuple(t) for t in self.cfg.legal_form_tails]
        self.object_endings = tuple(self.cfg.person_word_endings) + tuple(self.cfg.plural_word_endings)  # a head's objects, no name
        self.region_nouns = frozenset(self.cfg.region_nouns)
        self.place_named_heads = frozenset(self.cfg.place_named_heads)
        self.union_forms = {form: (u.head, u.kind) for u in self.cfg.union_heads for form in u.forms}
        self.union_names = union_names()
        self.place_named_compounds = frozenset(self.cfg.place_named_compounds)
        self.person_named = frozenset(self.cfg.person_named_compounds)
        self.quoted_name_heads = frozenset(self.cfg.quoted_name_heads) | self.person_named  # and the schools
        self.inner_preposition_heads = frozenset(self.cfg.inner_preposition_heads)
        self.role_words = frozenset(self.cfg.role_words)
        self.place_parts = frozenset(self.cfg.place_parts)
        self.departments = frozenset(self.cfg.department_words)
        self.complement_idioms = frozenset(self.cfg.complement_idioms)
        self.countries = frozenset(self.cfg.country_names)
        self.supporter_heads = frozenset(self.cfg.supporter_heads)
        self.branch_units = frozenset(self.cfg.branch_units)
        self.named_by_phrase = frozenset(self.cfg.named_by_phrase)
        self.territorial_units = frozenset(self.cfg.territorial_units)
        self.owner_named = frozenset(self.cfg.owner_named_heads)
        self.owner_compound_endings = tuple(h.lower() for h in self.cfg.owner_heads)  # "Salzlandsparkasse", "Harzsparkasse"
        self.compound_proper = frozenset(self.cfg.proper_name_after_compounds)
        self.place_nouns = frozenset(town_evidence().place_nouns)
        self.owner_heads = frozenset(self.cfg.owner_heads)
        self._head_cache: dict[str, HeadNoun | None] = {}
        self._token_heads: dict[str, HeadNoun] = {}  # head_of, for tokens that head a name
        self._not_heads: set[str] = set()  # tokens that head none: taken out of a document's words in one set difference
        # for _find_head: exact forms → the first head with that form; compound heads with their lowercased endings
        self._exact_heads: dict[str, HeadNoun] = {}
        self._hyphen_heads: dict[str, HeadNoun] = {}  # also heads that only close a hyphenated name ("Albert-Schweitzer-Schule")
        for h in self.cfg.heads:
            for form in [h.lemma] + h.genitive + ([h.lemma + "."] if h.lemma in self.legal_heads else []):
                if h.alone:
                    self._exact_heads.setdefault(form, h)
                self._hyphen_heads.setdefault(form, h)
        self.club_words = frozenset(f for h in self.cfg.heads if h.lemma in CLUB_HEADS for f in [h.lemma] + h.genitive)
        self._compound_heads = [(h, len(h.lemma) + 2, tuple(f.lower() for f in [h.lemma] + h.genitive)) for h in self.cfg.heads if h.compound]
        # the last letters every compound ending has: a word without them (most words) is no compound, in one look-up
        self._tail = min((len(e) for _, _, endings in self._compound_heads for e in endings), default=0)
        self._tails = frozenset(e[len(e) - self._tail:] for _, _, endings in self._compound_heads for e in endings)
        self.gaz = gazetteer()
        self._state_forms: dict[str, list[str]] = {}
        for form, state in self.gaz.state_of_form.items():
            if len(form) > 3:  # not "RP", "BW": two letters match inside other words
                self._state_forms.setdefault(state, []).append(form)

    def _state_named(self, text: str, state: str) -> bool:
        """The text names the Land (its name or a short form of the gazetteer: "Rheinland-Pfalz", "RLP")."""
        return any(form in text for form in self._state_forms.get(state, (state,)))

    def head_of(self, text: str) -> HeadNoun | None:
        """The head noun a token is or ends with (cached per token text)."""
        try:
            return self._head_cache[text]
        except KeyError:
            head = self._head_cache[text] = self._find_head(text) if text[:1].isupper() or text.rstrip(".") in ("e.V", "gGmbH", "eG", "mbH") else None
            return head

    def _find_head(self, text: str) -> HeadNoun | None:
        """The first head (in rule order) the token is, else the first whose lemma or genitive closes it as a compound."""
        head = self._exact_heads.get(text)
        if head is not None or not text or not text[0].isupper() or text.endswith("-"):
            return head
        if "-" in text[1:]:  # "Umwelt-Campus": a hyphenated compound closed by a head that takes no closed compounds
            head = self._hyphen_heads.get(text.rsplit("-", 1)[1])
            if head is not None and not head.compound and head.lemma not in self.legal_heads and (head.alone or self._person_named(text, head)):
                return head
        low = text.lower()
        if low[len(low) - self._tail:] not in self._tails:
            return None
        for h, min_len, endings in self._compound_heads:
            if len(text) > min_len and low.endswith(endings):
                return h
        return None

    def __call__(self, doc: Doc) -> Doc:
        found: list[Evidence] = []
        found += self._registry(doc)
        found += self._patterns(doc)
        found += self._unions(doc)
        found += self._named_savings_banks(doc)
        if self.use_ner and doc.has_annotation("ENT_IOB"):
            found += self._ner(doc, found)
        found = self._drop_sub_units(doc_text(doc), self._select(found))
        found += self._acronyms(doc, found)
        add_all(doc, self._select(found))
        return doc

    # ------------------------------------------------------------------ registry
    def _unions(self, doc: Doc) -> list[Evidence]:
        """'Amt Südtondern', 'der Samtgemeinde Grafschaft Hoya': a union head and, after it, a name the official register
        gives a union of that kind (the longest); the name is the head's nominative and the registered name."""
        tt = token_table(doc)
        out = []
        for form in tt.occurrences()[0].keys() & self.union_forms.keys():
            head, kind = self.union_forms[form]
            names = self.union_names.get(kind, frozenset())
            for i in tt.positions(form):
                for n in range(min(6, len(tt.words) - i - 1), 0, -1):
                    name = tt.span_text(i + 1, i + 1 + n)
                    if name in names:
                        start, end = tt.starts[i], tt.ends[i + n]
                        out.append(Evidence("institution", start, end, tt.text[start:end], "institutions:register.union",
                                            0.9, attrs={"canonical": f"{head} {name}"}))
                        break
        return out

    def _named_savings_banks(self, doc: Doc) -> list[Evidence]:
        """"Salzlandsparkasse", "Erzgebirgssparkasse", "Ostseesparkasse Rostock": a savings bank named in one compound of
        its region and "Sparkasse" (not the generic "Kreissparkasse" or "Stadtsparkasse": owner heads), perhaps with its
        town after."""
        if "parkasse" not in doc_text(doc):
            return []  # plain-text test first: a scan of every word cost 100 µs a release, and most name no savings bank
        tt = token_table(doc)
        out = []
        for word in tt.occurrences()[0]:
            if not (word[:1].isupper() and word.isalpha() and word.lower().endswith("sparkasse")) or word in self.owner_heads \
                    or word in self.generic:
                continue
            for i in tt.positions(word):
                end = self._place_after(tt, i + 1)
                start_char, end_char = tt.starts[i], tt.ends[end - 1]
                name = tt.text[start_char:end_char]
                out.append(Evidence("institution", start_char, end_char, name, "institutions:pattern.savings_bank_compound",
                                    0.8, attrs={"canonical": name, "head": "Sparkasse"}))
        return out

    def _registry(self, doc: Doc) -> list[Evidence]:
        out = []
        tt = token_table(doc)
        words = tt.words
        for s, e, form in registry_matcher(self.nlp)(doc):
            hits = self.forms[form]
            kind = hits[0][1]
            if kind == "acronym" and (s > 0 and words[s - 1] == "-" or e < len(words) and words[e] == "-"):
                continue
            if kind == "acronym" and s > 0 and words[s - 1] == "(" and e < len(words) and words[e] != ")" \
                    and words[e][:1].isupper() and ")" in words[e + 1:e + 4]:
                continue  # "Dienstleistungszentrum Ländlicher Raum Rheinpfalz (DLR Rheinpfalz)": the release's own short name
            entry = self.entries[hits[0][0]]
            if kind == "alias" and e - s == 1 and entry.state and not self._state_named(tt.text, entry.state):
                continue  # "das Innenministerium": every Land has one; the register's is meant only where its Land is named
            if entry.kind == "association":
                place_end = self._branch_end(tt, e) if kind != "acronym" else max(self._place_after(tt, e), self._branch_end(tt, e))
                if place_end > e:  # "ADFC Dithmarschen", "Volkssolidarität Kreisverband X": the local branch, not the federal body
                    start, end = tt.starts[s], tt.ends[place_end - 1]
                    name = tt.text[start:end]
                    out.append(Evidence("institution", start, end, name, "institutions:registry.local_branch", 0.8,
                                        attrs={"canonical": name, "branch_of": entry.id}))
                    continue
            canonical = entry.name
            if kind != "acronym" and not entry.name.endswith(self.legal + ("V.",)):
                legal_end = self._legal_form_at(words, e)
                if legal_end > e:  # "Max-Planck-Gesellschaft zur Förderung der Wissenschaften e. V.": the name as the text gives it
                    shown = tt.span_text(s, e)
                    base = entry.name if kind == "name" else next((a for a in entry.aliases if norm(a) == norm(shown)), shown)
                    canonical = f"{base} {tt.span_text(e, legal_end)}"
                    e = legal_end
            start, end = tt.starts[s], tt.ends[e - 1]
            ev = Evidence("institution", start, end, tt.text[start:end], f"institutions:registry.{kind}",
                          0.95 if kind != "acronym" else 0.85,
                          attrs={"registry_ids": [h[0] for h in hits], "canonical": canonical, "kind": entry.kind,
                                 "is_acronym": kind == "acronym", "with_legal_form": canonical != entry.name})
            out.append(ev)
        return out

    def _place_after(self, tt: TokenTable, k: int) -> int:
        """The end of a town, district or Land name starting at token k (the longest), or of a region named with a
        place adjective ("Kitzinger Land", "Berchtesgadener Land"), else k."""
        gaz = self.gaz
        for n in range(6, 0, -1):  # the register's longest forms: "Bad Homburg vor der Höhe", "Ilbesheim bei Landau in der Pfalz"
            if k + n <= len(tt.words) and tt.words[k][:1].isupper():
                form = tt.span_text(k, k + n)
                if form in gaz.by_form or form in gaz.kreise or form in gaz.state_of_form:
                    return k + n
        if k + 1 < len(tt.words) and tt.words[k + 1] in self.region_nouns and self._place_adjective(tt.words[k]):
            return k + 2
        return k

    def _branch_end(self, tt: TokenTable, k: int) -> int:
        """The end of a local unit and the place it serves after an association's name ("Kreisverband Rostock-Land e.V.",
        "Landesverband Niedersachsen"), with its legal form; else k."""
        words = tt.words
        if k + 2 < len(words) and words[k] == "," and words[k + 1] in self.branch_units:
            end = self._branch_end(tt, k + 1)  # "Bund für Umwelt und Naturschutz Deutschland, Landesverband Brandenburg"
            return end if end > k + 1 else k
        if k + 1 >= len(words) or words[k] not in self.branch_units:
            return k
        end = self._place_after(tt, k + 1)
        if end == k + 1:
            town, _, part = words[k + 1].partition("-")  # "Rostock-Land", "Hamburg-Nord": a town and the part of it
            if not (part[:1].isupper() and (town in self.gaz.by_form or town in self.gaz.kreise)):
                return k
            end = k + 2
        return self._state_and_legal(words, end)

    def _name_qualifier(self, word: str) -> bool:
        """A word in parentheses that belongs to the name ("Frankfurt (Oder)"), not the country the body is in."""
        return _qualifier(word) and word not in self.countries and word not in self.role_words

    def _names_a_region(self, word: str) -> bool:
        """The word after an acronym head names its area: a place, a Kreis or Regierungsbezirk, "Region", a compound of
        names ("Fläming-Havel") or a word the word table hardly knows ("Westlausitz")."""
        gaz = self.gaz
        return word in gaz.by_form or word in gaz.kreise or word in gaz.regions or word in gaz.state_of_form \
            or word == "Region" or "-" in word and all(p[:1].isupper() for p in word.split("-")) \
            or zipf_frequency(word.lower()) < ACRONYM_AREA_MAX_ZIPF

    def _second_place(self, tt: TokenTable, k: int) -> int:
        """A second town or district right after a bank's first one (merged savings banks are named after both
        territories: "Sparkasse Uelzen Lüchow-Dannenberg", "Sparkasse Coburg – Lichtenfels"), else k."""
        words = tt.words
        start = k
        if k + 1 < len(words) and words[k] in ("–", "-", "/"):
            k += 1  # the territories joined by a dash or a slash: the joiner belongs to the name when a place follows
        for n in range(3, 0, -1):
            if k + n <= len(words) and words[k][:1].isupper() and words[k].replace("-", "").isalpha():
                form = tt.span_text(k, k + n)
                if form in self.gaz.by_form or form in self.gaz.kreise:
                    return k + n
        return start

    # ------------------------------------------------------------------ patterns
    TOWN_HEADS = {"Verbandsgemeindeverwaltung", "Gemeindeverwaltung", "Kreisverwaltung", "Verbandsgemeinde", "Samtgemeinde", "Sparkasse", "Stadtverwaltung", "Landratsamt", "Bezirksamt", "Stadtwerke", "Gemeindewerke", "Jobcenter", "Landesbetrieb", "TU"}
    BARE_GENERIC_HEADS = {"Universität", "Hochschule", "Institut", "Zentrum", "Akademie", "Museum", "Bibliothek", "Bank",
                          "Gesellschaft", "Agentur", "Kammer", "Stiftung", "Verein", "Verband", "Amt", "Behörde", "Aktionsgruppe", "Musikschule", "Eigenbetrieb"}
    LOWER_HEADS = ("e.V.", "gGmbH", "gGmbH.", "eG", "eG.", "mbH", "mbH.", "e.")

    def _patterns(self, doc: Doc) -> list[Evidence]:
        """Works on the document's token table (plain lists), not on spaCy Token objects."""
        out = []
        tt = token_table(doc)
        words = tt.words
        for i, head in self._head_positions(tt):
            word = words[i]
            legal_head = head.lemma in self.legal_heads
            left_adj, start = self._left(words, i, legal_head)
            if head.lemma in self.firm_heads:
                left_adj, start = self._without_firm_place(words, i, left_adj, start)
            coordination_only = not left_adj and start < i
            named_before = False  # proper names before the head: "Loki Schmidt Stiftung"
            # proper names before heads like Stiftung ("Robert Bosch Stiftung", "Heimatverein Lage e.V.")
            if start == i and (head.lemma in self.proper_heads and head.lemma not in self.firm_heads or legal_head):
                k = i - 1
                # "Werbegemeinschaft Landau aktiv e. V.": one lowercase word right before the legal form, after a capitalised one
                lower_tail = legal_head and i >= 2 and words[i - 1].isalpha() and words[i - 1].islower() \
                    and words[i - 1] not in ARTICLES_AND_PREPS and words[i - 2][:1].isupper() and words[i - 2].isalpha() \
                    and words[i - 2] not in self.stop
                while k >= 0 and i - k <= 4 and words[k] not in self.stop and self._name_word_before(words, k, i, legal_head, lower_tail) \
                        and (legal_head or not starts_sentence(words, k) or CAPS_ACRONYM.fullmatch(words[k])) \
                        and (legal_head or not self.head_of(words[k])):
                    k = self._place_ending_at(tt, k) - 1  # "Segelclub Fürstenberg/Havel e.V.": a town's name of several tokens
                    if legal_head and (self.head_of(words[k + 1]) or starts_sentence(words, k + 1)
                                       or words[k + 1].islower() and not (lower_tail and k + 1 == i - 1) and words[k + 1] not in ("und", "von")):
                        break
                if k < i - 1:
                    start = k + 1
                    named_before = not legal_head and i - start >= 2  # a person's or a two-word name: "Loki Schmidt Stiftung"
                    while legal_head and start < i - 1 and words[start][:1].isupper() and words[start].isalpha() \
                            and words[start].lower().endswith(self.role_noun_endings):
                        start += 1  # "der Landmaschinenhersteller Peenetal Agrotechnik GmbH": what the firm does, not its name
                    if legal_head and words[start] in INNER_PREPOSITIONS and start > 0 and self.head_of(words[start - 1]):
                        start -= 1  # "Mühlenverein im Kreis Minden-Lübbecke e. V.": the lowercase word joins its head to the name
                    elif legal_head and start >= 3 and words[start - 1] in INNER_PREPOSITIONS and words[start - 2][:1].isupper() \
                            and words[start - 2].isalpha() and words[start - 2] not in self.stop and self.head_of(words[start - 3]):
                        # "Förderverein Schule im Grünen e.V.", "(Verein) Mobil im Steigerwald e.V.": a club's name runs from
                        # its head; after another head the name stands in apposition ("Landesgesellschaft Invest in … GmbH")
                        start -= 3 if self.head_of(words[start - 3]).lemma in CLUB_HEADS else 2
                    coordination_only = False
                    if legal_head and self.head_of(words[start]):  # "Dessauer Berufsbildungswerk GmbH"
                        inner = start
                        adjectives, start = self._left(words, inner, False)
                        if self.head_of(words[inner]).lemma in self.firm_heads:
                            start = self._without_firm_place(words, inner, adjectives, start)[1]
                        elif start > 0 and self._region_adjective(words[start - 1]):  # "Westpfälzer Bildungswerk e. V."
                            start -= 1
                    if legal_head and start >= 2 and words[start - 1] in ("der", "des") and words[start - 2] in self.supporter_heads:
                        start -= 2  # "Förderverein der Grundschule Kirchanschöring e. V.": the club and what it supports
                    elif legal_head and start >= 1 and words[start - 1] in self.supporter_heads and self.head_of(words[start]):
                        start -= 1  # "Förderverein Grundschule Kirchberg e.V.": the legal form is the club's, not the school's
            if legal_head and start == i:
                continue  # a legal form with no name before it
            if head.lemma in self.territory_heads and PLACE_BEFORE.search(tt.text, max(0, tt.starts[start] - 40), tt.starts[start]):
                continue  # "in der niederländischen Provinz Limburg": the place, not the body
            end = i + (2 if word == "e." else 1) if legal_head or not head.complement else self._complement(tt, i + 1, head.lemma)
            if end == i + 1 and head.lemma in self.seat_complement_heads:
                # "Helmholtz-Institut Freiberg für Ressourcentechnologie": the seat's town between the head and its complement
                seat = self._place_after(tt, i + 1)
                if i + 1 < seat < len(words) - 1 and words[seat] in self.complement_starts and words[seat + 1][:1].isupper():
                    end = max(end, self._complement(tt, seat, head.lemma))
            complemented = end > i + 1
            paren = None  # "Lokale Aktionsgruppe (LAG) Göttinger Land": the acronym inside the name
            proper_head = head.lemma in self.proper_heads and not (word == head.lemma and word in self.compound_proper)
            town_head = word in self.TOWN_HEADS or head.lemma in self.TOWN_HEADS and word in head.genitive  # "den Stadtwerken X"
            if not complemented and not legal_head and (proper_head or town_head) \
                    and (word not in self.generic or word == head.lemma or town_head):
                end = self._owner_after(tt, i + 1) if head.lemma in self.owner_named else i + 1
                if end == i + 1:
                    end = self._proper_after(tt, i + 1, head)
                    if named_before and word == head.lemma and self.gaz.risk.get(tt.span_text(i + 1, end)):
                        end = i + 1  # "die Loki Schmidt Stiftung Wiesen …": named already, and the word after is a noun
                    if end > i + 1 and head.lemma in self.acronym_heads and not self._names_a_region(words[i + 1]) \
                            and not (end > i + 2 and self._names_a_region(words[i + 2])):  # "ILE Schwarze Laber"
                        end = i + 1  # "die LAG Zuschüsse": the acronym before a plain noun
                    elif end > i + 1 and head.lemma in self.owner_named and end < len(words) and words[end] in ("der", "des"):
                        end = max(end, self._owner_after(tt, end))  # "Stiftung Dorfleben der Salzlandsparkasse": its owner
                    if end > i + 1 and (head.lemma in self.owner_heads or word.startswith(tuple(self.owner_heads))):
                        end = self._second_place(tt, end)  # "Sparkasse Uelzen Lüchow-Dannenberg": a merged bank's territories
                if end == i + 1 and self._acronym_after(words, i + 1):
                    after = self._proper_after(tt, i + 4, head)
                    if after > i + 4:
                        end, paren = after, (i + 1, i + 4)
            elif not complemented and not legal_head and (head.lemma in self.place_named_heads and word in self.generic
                                                          or head.lemma in self.place_named_compounds and word != head.lemma):
                # "Bürgerstiftung Dresden", "Bürgerstiftung Kitzinger Land": a generic compound and its place; "Jugendclub
                # „Haffkids“ Ahlbeck": and its name in quotes
                quoted = _quoted_name_end(words, i + 1) if i + 1 < len(words) and words[i + 1] in OPENING_QUOTES \
                    and head.lemma in self.quoted_name_heads else i + 1
                end = self._place_after(tt, quoted)
                if end > i + 1 and word.startswith(tuple(self.owner_heads)):
                    end = self._second_place(tt, end)  # "Sparkassenstiftung Uelzen Lüchow-Dannenberg"
                elif end > i + 1 and tt.span_text(i + 1, end) in self.gaz.kreise:
                    second = self._second_place(tt, end)  # "Bürgerstiftung Barnim Uckermark": two districts' body
                    if second > end and tt.span_text(end, second).lstrip("–-/ ") in self.gaz.kreise:
                        end = second
            if legal_head:
                end = self._legal_tail(words, end)
            if end > i + 1 or start < i:
                end = self._continued(tt, end)
            end = self._state_and_legal(words, end)
            if start >= 1 and end > i and (words[end - 1] in self.legal or words[end - 1] in self.legal_with_stop) \
                    and CAPS_ACRONYM.fullmatch(words[start - 1]) and words[start - 1] not in self.stop \
                    and words[start - 1] not in self.gaz.state_of_form and not starts_sentence(words, start - 1):
                start -= 1  # "GEBAG Duisburger Baugesellschaft mbH": the firm's short name before its registered one
            named_after = end > i + 1 or named_before
            if not named_after:
                # sentence-initial ordinary adjectives ("Neues Quartierszentrum") make no name
                while left_adj and starts_sentence(words, left_adj[-1]) and self._generic_adjective(words[left_adj[-1]]):
                    left_adj.pop()
                    start = left_adj[-1] if left_adj else i
                if not left_adj and (start == i or coordination_only) and (head.needs_modifier or word in self.generic or head.score < 0.8) \
                        and not self._person_named(word, head):
                    continue
                indefinite = start > 0 and words[start - 1].lower() in INDEFINITE
                if head.lemma in self.BARE_GENERIC_HEADS and all(self._generic_adjective(words[j]) and (indefinite or not self._place_adjective(words[j]))
                                                                 for j in left_adj):
                    continue  # "Technische Universität", "eine Berliner Stiftung": no name; "das Essener Kooperationszentrum" is one
            if not legal_head and start > 0 and words[start - 1].lower() in INDEFINITE:
                continue  # "ein Transferzentrum für technische Keramik": a description, not a name
            s, e = start, end  # the name's tokens s..e-1
            while e - s > 1 and words[e - 1] in (",", "und", "-", "–"):
                e -= 1
            end_char = tt.ends[e - 1] - (1 if words[e - 1] in self.legal_with_stop else 0)  # the sentence's full stop
            if e - s > 2 and words[s] in self.club_words and words[e - 1] in self.legal + ("V.",):
                s += 1  # "Verein Kulturstift Wetter e. V." is "Kulturstift Wetter e. V.", so is "des Vereins Kulturstift …"
            canonical = self._canonical(tt, s, e, i, head, paren)
            if end_char < tt.ends[e - 1]:
                canonical = canonical[:-1]
            if not named_after and canonical in self.generic:
                continue  # "die Freiwillige Feuerwehr": a generic phrase, whatever adjective it has
            start_char = tt.starts[s]
            ev = Evidence("institution", start_char, end_char, tt.text[start_char:end_char], f"institutions:pattern.{head.id.split('.')[-1]}",
                          head.score, attrs={"canonical": canonical, "head": head.lemma})
            if left_adj:
                ev.adjust("adjective before the head", 0.05)
            if complemented:
                ev.adjust("complement after the head", 0.1)
            acr = self._acronym_after(words, e) or (words[paren[0] + 1] if paren else None)
            if acr:
                ev.attrs["acronym"] = acr
                ev.adjust(f"defines acronym {acr}", 0.05)
            acr_before = self._acronym_before(words, s, canonical)
            if acr_before:
                ev.attrs["acronym"] = acr_before
            out.append(ev)
        return out

    def _person_named(self, word: str, head: HeadNoun) -> bool:
        """'Geschwister-Scholl-Gymnasium', 'GutsMuths-Gymnasium': proper names joined by hyphens to a head that takes them."""
        if head.lemma not in self.person_named or "-" not in word:
            return False
        parts = word.split("-")
        return parts[-1] in (head.lemma, *head.genitive) and all(p[:1].isupper() and p.isalpha() for p in parts[:-1])

    def _name_word_before(self, words: list[str], k: int, i: int, legal_head: bool, lower_tail: bool) -> bool:
        """Token k may be part of a proper name that ends before the head at i: a capitalised word; before a legal
        form also '&' ("Kerkhoff & Lenz GmbH"), 'und' between capitalised words ("Geiseltal Bildung und Arbeit gGmbH"),
        the one lowercase word of lower_tail, a lowercase word after an article or a head, or a founding year between
        capitalised words ("Sängerkranz 1861 Volkach e. V.", "TSV 1860 Rosenheim e. V.")."""
        w = words[k]
        if legal_head and k > 0 and _founding_year(w) and (words[k + 1][:1].isupper() or k + 1 == i) \
                and (words[k - 1][:1].isupper() or words[k - 1] == "von" and k > 1 and words[k - 2][:1].isupper()) \
                and (k < 2 or words[k - 2] not in TIME_PREPOSITIONS):
            return True  # "SV Sohren 1921 e. V.", "MTV Soltau von 1864 e. V."; not "im Jahr 2024", "seit Herbst 2023"
        if legal_head and w == "von" and k > 0 and words[k - 1][:1].isupper() and _founding_year(words[k + 1]) and k + 2 == i:
            return True
        if not (w.isalpha() or "-" in w or legal_head and w == "&" and k > 0 and words[k - 1][:1].isupper()):
            return False
        if w[:1].isupper() or lower_tail and k == i - 1 or w == "&":
            return True
        if not legal_head or k == 0:
            return False
        if w == "und":
            return words[k - 1][:1].isupper() and words[k + 1][:1].isupper() and not self.head_of(words[k - 1]) \
                and words[k - 1] not in self.place_nouns
        return w.isalpha() and w not in ARTICLES_AND_PREPS and not w.endswith(ORIGIN_ADJECTIVE_ENDINGS) \
            and not (w.endswith(ADJECTIVE_ENDINGS) and (len(w) > 8 or zipf_frequency(w) >= DESCRIPTIVE_ADJECTIVE_ZIPF)) \
            and (words[k - 1].lower() in ARTICLES_AND_PREPS or self.head_of(words[k - 1]))

    def _head_positions(self, tt: TokenTable) -> list[tuple[int, HeadNoun]]:
        """(position, head) of every token that can head a name, in token order. Each distinct
        word is looked at once; the answer per word is cached (bounded: cleared when large)."""
        cache, not_heads = self._token_heads, self._not_heads
        if len(not_heads) > 200_000:
            cache.clear()
            not_heads.clear()
        first, following = tt.occurrences()
        out = []
        for word in first.keys() - not_heads:  # most words of a release were seen before and head nothing
            head = cache.get(word)
            if head is None:
                head = self.head_of(word) if word[:1].isupper() or word in self.LOWER_HEADS else None
                if head is None:
                    not_heads.add(word)
                    continue
                cache[word] = head
            i = first[word]
            while i >= 0:
                out.append((i, head))
                i = following[i]
        # "e. V." written as the standard spells it, in two tokens
        i = first.get("e.", -1)
        while i >= 0:
            if i + 1 < len(tt.words) and tt.words[i + 1] == "V.":
                out.append((i, self.head_of("e.V.")))
            i = following[i]
        out.sort(key=lambda p: p[0])
        return out

    def _left(self, words: list[str], i: int, legal_head: bool) -> tuple[list[int], int]:
        """Adjectives and hyphen coordinations before the head ("Deutsche Städte- und Gemeindebund")."""
        left_adj: list[int] = []
        j = i - 1
        while j >= 0:
            w = words[j]
            if w == "und" and j - 1 >= 0 and words[j - 1].endswith("-") and words[j - 1][:1].isupper():
                j -= 2
                continue
            if w[:1].isupper() and w not in self.stop and (adjective_stem(w) or self._place_adjective(w)) \
                    and not (legal_head and w in self.gaz.by_form):  # "Zahna-Elster e.V.": a town's name, not an adjective
                left_adj.append(j)
                j -= 1
                continue
            break
        return left_adj, j + 1

    def _place_ending_at(self, tt: TokenTable, k: int) -> int:
        """The first token of a town's name of two to four tokens that ends with token k ("Fürstenberg / Havel"), else k."""
        for n in (4, 3, 2):
            if k - n + 1 >= 0 and tt.span_text(k - n + 1, k + 1) in self.gaz.by_form:
                return k - n + 1
        return k

    def _without_firm_place(self, words: list[str], i: int, left_adj: list[int], start: int) -> tuple[list[int], int]:
        """The adjectives before a firm's trade (left_adj, nearest first) up to a place adjective, which says where the
        firm is ("die Pößnecker Druckerei …"), and where the name then starts."""
        place = next((n for n, j in enumerate(left_adj) if self._place_adjective(words[j])), None)
        if place is None:
            return left_adj, start
        left_adj = left_adj[:place]
        return left_adj, (left_adj[-1] if left_adj else i)

    @staticmethod
    def _generic_adjective(text: str) -> bool:
        stem = adjective_stem(text)
        return stem is None or stem not in NAME_ADJECTIVES and not stem.endswith(("isch", "sch")) or stem in ("Technisch", "Wissenschaftlich")

    @staticmethod
    def _continued(tt: TokenTable, end: int) -> int:
        """A name goes on over a slash written without spaces ("Hochschule Emden/Leer") or an ampersand
        ("Wageningen University & Research") when a capitalised word follows."""
        words, n = tt.words, len(tt.words)
        while end + 1 < n and words[end + 1][:1].isupper() and words[end + 1].isalpha():
            if words[end] == "/" and tt.ends[end - 1] == tt.starts[end] and tt.ends[end] == tt.starts[end + 1]:
                if end + 2 < n and words[end + 2][:1].isupper() and words[end + 2].isalpha():
                    break  # "Foto: Landratsamt Cham/Lisa Muster": a photographer's name after the slash
                end += 2
            elif words[end] == "&":
                end += 2
            else:
                break
        return end

    def _state_and_legal(self, words: list[str], end: int) -> int:
        """A Land name or a legal form closing the name ("… Mecklenburg-Vorpommern", "… e. V."), also a Land in the genitive
        ("Verbraucherzentrale des Saarlandes", "… des Landes Brandenburg")."""
        n = len(words)
        if end + 1 < n and words[end] == "des":
            if words[end + 1] in LAND_GENITIVES and end + 2 < n and words[end + 2] in self.gaz.state_names:
                return self._state_and_legal(words, end + 3)
            if words[end + 1].endswith("s") and (words[end + 1][:-1] in self.gaz.state_names or words[end + 1][:-2] in self.gaz.state_names):
                return self._state_and_legal(words, end + 2)
        if end < n and words[end] in self.gaz.state_names and not (end + 1 < n and words[end + 1] == "-"):
            end += 1
            if end + 1 < n and words[end] == "/" and words[end + 1] in self.gaz.state_names:
                end += 2  # "Medienanstalt Hamburg / Schleswig-Holstein": the body of two Länder
            elif end < n and words[end] in self.gaz.by_form and not self.gaz.risk.get(words[end]) \
                    and not (end + 1 < n and words[end + 1][:1].islower() and words[end + 1] not in ("und", "sowie")):
                end += 1  # "Duale Hochschule Baden-Württemberg Heidenheim": the Land's body at its site
        return self._legal_form_at(words, end)

    def _legal_form_at(self, words: list[str], end: int) -> int:
        """The end of a legal form that starts at `end` (`end` itself when none does): "e. V.", "GmbH & Co. KG"."""
        n = len(words)
        if end < n and (words[end] in self.legal or words[end] in self.legal_with_stop):  # "… Bad Liebenstein mbH."
            end += 1
        elif end + 1 < n and words[end] == "e." and words[end + 1] == "V.":
            end += 2
        return self._legal_tail(words, end)

    def _legal_tail(self, words: list[str], end: int) -> int:
        """'GmbH' + '& Co. KG', 'UG' + '(haftungsbeschränkt)': the rest of a two-part legal form."""
        if end > 0 and words[end - 1] in self.legal:
            for tail in self.legal_tails:
                if tuple(words[end:end + len(tail)]) == tail:
                    return end + len(tail)
        return end

    def _owner_after(self, tt: TokenTable, k: int) -> int:
        """'Stiftung der Kreissparkasse Tübingen', 'Stiftung Kreissparkasse Saarbrücken', 'Stiftung Nord-Ostsee Sparkasse':
        a foundation named after its owner, the owner's name in the genitive or as it is."""
        words = tt.words
        article = k < len(words) and words[k] in ("der", "des")
        j = k + 1 if article else k
        for n in (0, 1, 2):  # the owner's head, after up to two words of its own name ("Nord-Ostsee Sparkasse")
            if j + n >= len(words) or not all(words[x][:1].isupper() and words[x] not in self.stop and not self.head_of(words[x])
                                              for x in range(j, j + n)):
                break
            owner = self.head_of(words[j + n])
            if owner is not None and owner.lemma in self.owner_heads:
                end = self._proper_after(tt, j + n + 1, owner)
                return end if article or n or end > j + 1 else k  # "Stiftung Sparkasse" alone names no owner
            if article and n == 0 and words[j].isalpha() and words[j].lower().endswith(self.owner_compound_endings) \
                    and words[j] not in self.owner_heads:
                return j + 1  # "Stiftung Dorfleben der Salzlandsparkasse": a savings bank named in one compound
        return k

    def _place_adjective(self, text: str) -> bool:
        """'Thüringer', 'Berliner', 'Frankfurt-Słubicer': place adjectives in -er do not decline."""
        if not text.endswith("er") or len(text) < 5:
            return False
        stem = text[:-2].rsplit("-", 1)[-1]
        return any(f in self.gaz.by_form or f in self.gaz.state_of_form for f in (stem, stem + "en", stem + "e", stem + "n"))

    @staticmethod
    def _region_adjective(text: str) -> bool:
        """'Westpfälzer', 'Oberlausitzer': a region's adjective is no gazetteer form. Before a compound head with a legal
        form ("Westpfälzer Bildungswerk e. V."), a capitalised -er word that German text hardly ever writes in lower case
        (not 'Unser') is taken for one."""
        return len(text) >= 7 and text.endswith("er") and text[:1].isupper() and text.isalpha() \
            and zipf_frequency(text.lower()) < REGION_ADJECTIVE_MAX_ZIPF

    GEN_CLOSERS = LAND_GENITIVES + ("Stadt", "Hansestadt", "Kreises", "Landkreises", "la", "l'")

    def _complement(self, tt: TokenTable, k: int, head_lemma: str = "") -> int:
        """End of 'für Umwelt, Naturschutz, Bau und Reaktorsicherheit', 'des Innern, für Bau und Heimat' …"""
        words = tt.words
        n = len(words)
        starts = self.complement_starts
        end = start_k = k
        while k < n:
            w = words[k]
            if w in starts:
                if k > start_k and k + 1 < n and words[k + 1] in COMPLEMENT_ARTICLES:
                    break  # "Verein für Geschichte und Heimatpflege Soest für den Soester Mühlenpfad": a purpose, not the name
                first = k + 1
                if first + 1 < n and words[first] in COMPLEMENT_ARTICLES and words[first + 1][:1].isupper():
                    first += 1  # "Caritasverband für das Bistum Erfurt"
                j = self._noun_list(words, first)
                if j == first or j < n and words[j] in PREDICATE_AFTER_COMPLEMENT or w != "für" and words[first] in self.complement_idioms:
                    break  # "ist das Innenministerium für die Städtebauförderung zuständig": the complement is the predicate's
                if w in ("zum", "zur") and j + 1 < n and words[j] in ("der", "des") and words[j + 1][:1].isupper() \
                        and words[j + 1] not in self.gaz.by_form and words[j + 1] not in self.gaz.state_of_form and not self.head_of(words[j + 1]):
                    j = max(j, self._noun_list(words, j + 1))  # "Stiftung zum Schutz der Natur": what the purpose is of
                end = k = j
            else:
                matched = False
                for comp in (self.gen_complements if w in self.gen_first else ()):
                    if words[k:k + len(comp)] == comp:
                        j = k + len(comp)
                        if comp[-1] in self.GEN_CLOSERS or comp[-2:] == ["Freien", "Hansestadt"]:
                            if j < n and words[j][:1].isupper():
                                j = max(j + 1, self._place_after(tt, j))  # "der Stadt Bad Sooden-Allendorf": the whole name
                                while j + 1 < n and words[j] == "-" and words[j + 1][:1].isupper():
                                    j += 2
                            else:
                                break
                        end = k = j
                        matched = True
                        break
                if not matched and w in ("in", "im") and k > start_k and k + 2 < n:
                    j = k + 1
                    while j < k + 3 and j < n and words[j].islower() and len(words[j]) > 4 and words[j].endswith(ADJECTIVE_ENDINGS) \
                            and words[j] not in NOT_ADJECTIVES:
                        j += 1  # "für Lebensverhältnisse in ländlichen Räumen": a kind of place, part of the name, not a place
                    if k + 1 < j < n and words[j][:1].isupper() and words[j].isalpha() and words[j] not in self.gaz.by_form \
                            and words[j] not in self.gaz.state_of_form and words[j] not in self.stop:
                        end = k = j + 1
                        matched = True
                if not matched and w == "des" and (territory_end := self._territory_genitive(tt, k)) > k:
                    end = k = territory_end  # "Kreisausschuss des Main-Kinzig-Kreises", "Amt für Umwelt des Kantons Thurgau"
                    matched = True
                if not matched and w in self.town_complement_starts and (town_end := self._place_after(tt, k + 1)) > k + 1:
                    end = k = town_end  # "Universität zu Lübeck", "Akademie der Wissenschaften zu Göttingen"
                    matched = True
                if not matched and w == "im" and k + 2 < n and words[k + 1] in self.territorial_units and words[k + 2][:1].isupper() \
                        and words[k + 2].replace("-", "").isalpha():
                    end = k = k + 3  # "Diakonisches Werk im Kirchenkreis Melle-Georgsmarienhütte"
                    matched = True
                if not matched and head_lemma in self.named_by_phrase and k == start_k and w in ("der", "des", "im", "am") \
                        and k + 2 < n and words[k + 1][:1].isupper() and len(words[k + 1]) > 3 and words[k + 1].endswith(ADJECTIVE_ENDINGS) \
                        and words[k + 2][:1].isupper() and words[k + 2].isalpha() and not adjective_stem(words[k + 2]):
                    end = k = k + 3  # "Museum der Deutschen Spielzeugindustrie", "Museum im Alten Schloss": a name, not a place
                    matched = True
                if not matched:
                    break
            if k < n and words[k] == "," and k + 1 < n and words[k + 1] in starts:
                k += 1
                continue
        # a trailing acronym written without parentheses ("Fraunhofer-Institut für … IMWS")
        if end > start_k and end < n and CAPS_ACRONYM.fullmatch(words[end]) and words[end] not in self.gaz.state_of_form:
            end += 1
        return end

    def _territory_genitive(self, tt: TokenTable, k: int) -> int:
        """After "des" at k, the end of the named Kreis or Kanton whose body the name is ("des Main-Kinzig-Kreises", "des
        Kreises Düren", "des Kantons Thurgau"), else k; a bare "des Landkreises" is the release's, not part of a name."""
        words, n = tt.words, len(tt.words)
        if k + 1 >= n or not words[k + 1][:1].isupper():
            return k
        unit = words[k + 1]
        if unit in ("Kreises", "Kantons"):
            if k + 2 < n and words[k + 2][:1].isupper():
                return max(k + 3, self._place_after(tt, k + 2))
            return k
        return k + 2 if unit.lower().endswith("kreises") and unit != "Landkreises" else k

    def _noun_list(self, words: list[str], k: int) -> int:
        """A coordination of (adjective +) nouns: 'Umwelt, Naturschutz, Bau und Reaktorsicherheit'."""
        n = len(words)
        end = k
        j = k
        while j < n:
            w = words[j]
            if w[:1].isupper() and w not in self.stop and w.isalpha() or (w.endswith("-") and w[:1].isupper()) or HYPHEN_COMPOUND.fullmatch(w):
                if j >= k + 2 and words[j - 2] == "und" and w.endswith(self.object_endings):
                    break  # "für Sport und Integration Zuwendungen bewilligt": the list closed with "und Integration"
                j += 1
                end = j
                continue
            if w.islower() and len(w) > 4 and w.endswith(ADJECTIVE_ENDINGS) and j + 1 < n and words[j + 1][:1].isupper() and w not in NOT_ADJECTIVES:
                j += 1
                continue
            if w in ("und", "von") and j + 1 < n and (words[j + 1][:1].isupper() or words[j + 1].islower() and j + 2 < n and words[j + 2][:1].isupper()) and words[j + 1] not in self.stop:
                j += 1
                continue
            if w == "," and j + 1 < n and words[j + 1][:1].isupper() and words[j + 1] not in self.stop and words[j + 1] not in self.departments \
                    and self._list_closes(words, j + 1):
                j += 1
                continue
            break
        return end

    @staticmethod
    def _list_closes(words: list[str], j: int) -> bool:
        """After a comma inside a complement, the list must close with 'und X' soon."""
        for w in words[j:j + 8]:
            if w == "und":
                return True
            if w in (".", "(", ")", ";", ":") or (w.islower() and w not in ("und",)):
                return False
        return False

    def _proper_after(self, tt: TokenTable, k: int, head: HeadNoun) -> int:
        """'Stiftung Mercator', 'Universität Hamburg', 'Stadtverwaltung Weil der Stadt', 'Institut Arbeit und Qualifikation'."""
        words = tt.words
        n_words = len(words)
        for n in range(5, 0, -1):  # the longest town or district name first: the name ends with it
            if k + n <= n_words and (tt.span_text(k, k + n) in self.gaz.by_form or tt.span_text(k, k + n) in self.gaz.kreise):
                j = k + n
                # "Hochschule Frankfurt (Oder)"; a name in another language has no such qualifier: "Université de
                # Strasbourg (Unistra)" gives its short form
                if j + 2 < n_words and words[j] == "(" and words[j + 2] == ")" and self._name_qualifier(words[j + 1]) \
                        and head.lemma not in self.foreign_heads:
                    j += 3
                if j < n_words and words[j] in self.place_parts:
                    j += 1  # "Jobcenter Vorpommern-Greifswald Nord": the part of the place the body serves
                return j
        j = k
        foreign = head.lemma in self.foreign_heads
        while j < n_words and j - k < (9 if foreign else 4):
            w = words[j]
            if j > k and starts_sentence(words, j):
                break
            if foreign and w in self.foreign_connectors:
                after = j + 1
                while after < n_words and after - j < 4 and words[after] in self.foreign_connectors:
                    after += 1  # "Chambre de Métiers et de l’Artisanat": connectors in a row
                if after < n_words and words[after][:1].isupper():
                    j = after  # "University of Copenhagen", "Communauté d’Agglomération …", "Uniwersytet Przyrodniczy w Poznaniu"
                    continue
            if j > k and head.lemma in self.inner_preposition_heads and w in ("am", "an") and j + 1 < n_words:
                after = j + 2 if words[j + 1] == "der" else j + 1  # "AktivRegion Hügelland am Ostseestrand", "… an der Schlei"
                if after < n_words and words[after][:1].isupper() and words[after].isalpha():
                    j = after
                    continue
            if w in SAINT and j + 1 < n_words and words[j + 1][:1].isupper() and words[j + 1].isalpha():
                j += 2  # "Kirchengemeinde St. Othmar Naumburg", "Förderverein St. Nikolai Zerbst": a saint's name
                continue
            if w in OPENING_QUOTES and head.lemma in self.quoted_name_heads \
                    and not (j == k >= 2 and words[k - 1] in self.generic and words[k - 2] in COMPLEMENT_ARTICLES) \
                    and (close := _quoted_name_end(words, j)) > j:  # (after a bare "der Verein" it is what the club does)
                j = close  # "Staatliches Gymnasium „Friedrich Schiller“", "Förderverein Kita „Saalespatzen“ e.V.": a name in quotes
                continue
            if w[:1].isupper() and w not in self.stop and not self.head_of(w) and (w.isalpha() or "-" in w or "/" in w) \
                    and w not in self.gaz.state_names and not w.endswith(self.object_endings):
                j += 1
                continue
            # "Landesbetrieb Straßenbau und Verkehr", "Stiftung Thüringer Schlösser und Gärten", "Architekturbüro Kienzler &
            # Moser": not before a place or a second head
            if w in ("und", "&", "+") and j > k and j + 1 < n_words and words[j + 1][:1].isupper() and words[j + 1].isalpha() \
                    and words[j + 1] not in self.stop and not self.head_of(words[j + 1]) and words[j + 1] not in self.gaz.by_form \
                    and words[j + 1] not in self.gaz.state_of_form and not words[j + 1].endswith(self.object_endings):
                j += 1
                continue
            if w == "(" and j + 2 < n_words and words[j + 2] == ")" and j > k and self._name_qualifier(words[j + 1]) and not foreign:
                j += 3
                continue
            if w == "," and j > k:
                end = _truncated_list_end(words, j, self.departments)  # "Stiftung Naturschutz, Heimat- und Kulturpflege"
                if end > j:
                    j = end
                    continue
            break
        return j

    @staticmethod
    def _acronym_after(words: list[str], k: int) -> str | None:
        if k + 2 < len(words) and words[k] == "(" and words[k + 2] == ")" and ACRONYM.match(words[k + 1]):
            return words[k + 1]
        return None

    @staticmethod
    def _acronym_before(words: list[str], k: int, canonical: str) -> str | None:
        """'ILS - Institut für …': an acronym whose letters are the name's capitals."""
        if k >= 2 and words[k - 1] in ("-", "–") and ACRONYM.match(words[k - 2]):
            acr = words[k - 2]
            caps = "".join(w[0] for w in CAPITALISED.findall(canonical))
            if all(c in caps for c in acr.upper() if c.isalpha()):
                return acr
        return None

    def _canonical(self, tt: TokenTable, s: int, e: int, head_i: int, head: HeadNoun, paren: tuple[int, int] | None = None) -> str:
        """The name in the nominative, from tokens s..e-1 with their own spacing (an acronym in parentheses left out)."""
        parts = []
        words, spaces = tt.words, tt.spaces
        # "der Ökologischen Station Allertal e. V.": behind a legal form the name's own noun decides the adjectives' ending,
        # and only the adjectives before that noun are its own ("Förderverein der Regionalen Schule … e.V." keeps its attribute)
        gender, noun_i = self._name_gender(words, s, head_i) if head.lemma in self.legal_heads else (head.gender, head_i)
        for i in range(s, e):
            if paren and paren[0] <= i < paren[1]:
                continue
            w = words[i]
            if i < noun_i and gender and adjective_stem(w) and not self._place_adjective(w):
                parts.append(nominative_adjective(w, gender))
            elif i == head_i:
                parts.append(nominative_head(w, head.lemma, head.genitive))
            else:
                parts.append(w)
            parts.append(" " if spaces[i] else "")
        text = "".join(parts).strip()
        return SPACES.sub(" ", text)

    FEMININE_ENDINGS = ("ung", "ion", "heit", "keit", "schaft", "tät", "ie", "ik", "ei", "e")

    def _name_gender(self, words: list[str], s: int, head_i: int) -> tuple[str | None, int]:
        """The gender and position of the first noun of a name before its legal form: a head noun's own gender, else a
        feminine ending's (Station, Stiftung, Initiative); None when unknown (the adjectives are then left as written)."""
        for i in range(s, head_i):
            w = words[i]
            if w[:1].isupper() and not adjective_stem(w):
                head = self.head_of(w)
                if head is not None and head.lemma not in self.legal_heads:
                    return head.gender, i
                return ("f" if w.lower().endswith(self.FEMININE_ENDINGS) else None), i
        return None, head_i

    # ------------------------------------------------------------------ model NER
    def _ner(self, doc: Doc, found: list[Evidence]) -> list[Evidence]:
        out = []
        for ent in doc.ents:
            if ent.label_ not in ("ORG",):
                continue
            if any(ev.start <= ent.start_char < ev.end or ent.start_char <= ev.start < ent.end_char for ev in found):
                continue
            if len(ent) < 2 or ent[0].text in self.stop:
                continue
            if "\n" in ent.text or "  " in ent.text:
                continue  # a name stands on one line; blanked boilerplate (contacts) in it is no name either
            out.append(Evidence("institution", ent.start_char, ent.end_char, ent.text, "institutions:ner.ORG", 0.5,
                                attrs={"canonical": ent.text}))
        return out

    # ------------------------------------------------------------------ selection
    SUB_UNIT_HEADS = {"Institut", "Zentrum", "Centrum", "Lehrstuhl", "Fakultät", "Seminar", "Abteilung", "Fachbereich", "Forschungsstelle"}
    PARENT_KINDS = ("Universität", "Hochschule", "TU ", "Technische Universität", "Akademie", "Fachhochschule")

    def _drop_sub_units(self, text: str, found: list[Evidence]) -> list[Evidence]:
        """'das Institut für Geologie der TU Clausthal': the institute is a unit of the university named after it."""
        out = []
        for ev in found:
            parent = next((o for o in found if o is not ev and 0 <= o.start - ev.end <= 12
                           and SUB_UNIT_GAP.fullmatch(text[ev.end:o.start])
                           and any(k in (o.attrs.get("canonical") or o.text) for k in self.PARENT_KINDS)), None)
            if parent is not None and ev.attrs.get("head") in self.SUB_UNIT_HEADS:
                continue
            out.append(ev)
        return out

    @staticmethod
    def _select(found: list[Evidence]) -> list[Evidence]:
        """Keep the longest of overlapping candidates; registry wins ties."""
        found = sorted(found, key=lambda e: (-(e.end - e.start), 0 if "registry" in e.rule else 1, e.start))
        kept: list[Evidence] = []
        for ev in found:
            if not any(ev.overlaps(k) for k in kept):
                kept.append(ev)
        return sorted(kept, key=lambda e: e.start)

    def _acronyms(self, doc: Doc, found: list[Evidence]) -> list[Evidence]:
        defined = {ev.attrs["acronym"]: ev for ev in found if ev.attrs.get("acronym")}
        out = []
        if not defined:
            return out
        tt = token_table(doc)
        text = tt.text
        for i, word in enumerate(tt.words):
            if word in defined:
                idx = tt.starts[i]
                if any(ev.start <= idx < ev.end for ev in found):
                    continue
                src = defined[word]
                if idx > 0 and text[idx - 1] == "(":
                    continue
                out.append(Evidence("institution", idx, idx + len(word), word, "institutions:acronym.defined_in_text",
                                    0.85, attrs={"canonical": src.attrs["canonical"], "is_acronym": True, "acronym_of": src.start}))
        return out
