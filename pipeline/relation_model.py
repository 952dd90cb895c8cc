"""Relation scoring: a logistic model per relation type over every candidate pair of a release.

The rules in resolve.find_relations read what one sentence states. Annotators also read the
release as a whole: the only project of a release is where the institutions acting in it, its
towns and its programmes belong, and a ministry handing over a grant is a funder even when no
cue word stands beside it. So every pair (project → institution, programme, town) and
(programme → institution) becomes a candidate, described by features of the release (how many
projects, where the entity stands, which cue words surround it, what kind of body it is, which
rule fired). Weights come from scripts/train_relations.py (rules/relation_model.json, trained on
the development gold); each kept relation carries its probability and the features that weighed most.
"""
from __future__ import annotations

import bisect
import math
import re
from collections import Counter, OrderedDict, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from pipeline import regex_cache
from pipeline.quotes import quoted
from pipeline.rules import institutions_by_id, programmes_by_id, project_patterns, relation_cues, relation_model

# a sentence that speaks of all the release's projects: "14 Projekte", "die sechs Modellvorhaben", "je Vorhaben"
# ("jeweils" alone is no such word: "Bund und Land tragen jeweils die Hälfte" shares out among the funders)
PLURAL_PROJECTS = regex_cache.compile(r"\b(?:\w*[Pp]rojekte[n]?|(?:\d+|(?i:zwei|drei|vier|fünf|sechs|sieben|acht|neun|zehn|elf|zwölf|mehrere|alle|die|den|je))\s+"
                             r"(?:weitere[n]?\s+)?(?:\w+\s+)?\w*[Vv]orhaben)\b")
MONEY = regex_cache.compile(r"\d[\d.,]*\s*(?:Mio\.|Millionen|Mrd\.|Milliarden|Tsd\.)?\s*(?:Euro|EUR|€)")
POSTCODE = regex_cache.compile(r"(?<!\d)\d{5}\s+\w")
_FUNDER_NOUNS = r"[Ff]ördermittel\w*|[Mm]itteln?|[Ff]örderung|[Uu]nterstützung|[Zz]uschuss\w*|[Zz]uwendung\w*|[Ff]inanzierung"
_FUNDER_LEAD = r"(?:von der|vom|durch|über|(?:{nouns})\s+(?:des|der|vom|von der)):?\s*[\[(„\"]*$"
# what stands right before a funder: "von der …", "Fördermittel des …" (the rules; the model also reads "Förderbescheid des …")
FUNDER_LEAD_RULE = regex_cache.compile(_FUNDER_LEAD.format(nouns=_FUNDER_NOUNS))
FUNDER_LEAD = regex_cache.compile(_FUNDER_LEAD.format(nouns=_FUNDER_NOUNS + r"|[Ff]örderbescheid\w*"))
SUBJECT_TAIL = regex_cache.compile(r"[.:;!?\n]\s*(?:(?:Das|Der|Die)\s+)?$")
SUBJECT_START = regex_cache.compile(r"(?:(?:Das|Der|Die)\s+)?")
FUNDED_AFTER = regex_cache.compile(r"gefördert|finanziert")
FUNDER_MONEY_LEAD = regex_cache.compile(r"(?:" + _FUNDER_NOUNS + r"|[Ff]örderbescheid\w*|[Ff]ördergeld\w*|[Bb]undesmittel\w*|[Ll]andesmittel\w*)\s+"
                               r"(?:des|der|vom|von der)\s*[\[(„\"]*$")
FUNDED_BY_LEAD = regex_cache.compile(r"(?:gefördert|finanziert|bezuschusst|kofinanziert|unterstützt)\s+(?:von der|vom|von|durch die|durch den|durch das|durch)\s*[\[(„\"]*$")
FUNDED_PARTICIPLE_AFTER = regex_cache.compile(r"[\])“\"]*\s*(?:\([^)]{1,20}\)\s*)?(?:geförderte|finanzierte|bezuschusste|kofinanzierte)")
FUNDER_VERB_AFTER = regex_cache.compile(r"[\])“\"]*\s*(?:\([^)]{1,20}\)\s*)?(?:fördert|finanziert|bezuschusst|kofinanziert|stellt|bewilligt|trägt)\b")
# a share of the money: "beteiligt sich mit weiteren 360.000 Euro", "beteiligen sich … an der Finanzierung", "An den Kosten
# beteiligt sich der Landkreis" (participating alone is a partner's: "Die Hochschule beteiligt sich an dem Projekt")
_SHARE = r"an\s+(?:der\s+(?:Finanzierung|Förderung)|den\s+(?:Kosten|Baukosten|Gesamtkosten))"
COFUNDING = regex_cache.compile(r"\bbeteilig\w*\s+sich\b[^.;]{0,160}?(?:\b" + _SHARE + r"|\bmit\s+(?:weiteren\s+|rund\s+|insgesamt\s+|bis\s+zu\s+)?"
                       r"\d[\d.,]*\s*(?:Mio\.|Millionen)?\s*(?:Euro|€))|\b" + _SHARE + r"\b[^.;]{0,60}?\bbeteilig\w*\s+sich\b", re.I)
TOWN_LEAD = regex_cache.compile(r"(?:\bin|\bim|\bfür|Stadt|Gemeinde|Hansestadt|Kommune|Kreisstadt|Markt)\s*$")
WORD = regex_cache.compile(r"[\wäöüÄÖÜß-]+")
PLURAL_ENDINGS = ("projekte", "projekten", "vorhaben", "kommunen", "standorte", "standorten")
# a word of the sentence ends in a plural ending: searched once in the words joined by spaces
PLURAL_WORD_END = regex_cache.compile("(?:" + "|".join(PLURAL_ENDINGS) + ")(?: |$)")
QUOTE_MARK = regex_cache.compile(r"[„“”\"]")
LIST_ITEM = regex_cache.compile(r"[ \t]*(?:[-–•*·▪]|\d{1,2}[.)])[ \t]+")


@lru_cache(maxsize=4)
def prize_labels(text: str) -> tuple:
    """The prize labels opening lines of a release that lists winners (two labels or more), else none: read once per
    release for projects, programmes and resolve. Plain-text test first: most releases name no prize or rank."""
    if not ("reis" in text or "latz" in text):
        return ()
    labels = tuple(prize_label().finditer(text))
    return labels if len(labels) >= 2 else ()


@lru_cache(maxsize=1)
def prize_label() -> re.Pattern:
    """"1. Preis (8.000 Euro):", "Sonderpreis Jugend:", "Sonderpreis „Integration“ (1.500 Euro):", "Platz 2:" opening a
    line: the label of an awarded item (rules/project_patterns.yaml, prize_items: the label nouns, also as the end of a
    compound). The projects component reads the winners after it, resolve the winner's body and town on its line."""
    nouns = "|".join(re.escape(f) for w in project_patterns().prize_items.words for f in (w, w.lower()))
    return regex_cache.compile(r"^(?:\d{1,2}\.[ \t]*)?(?:[A-ZÄÖÜ][a-zäöüß]*)?(?:" + nouns + r")(?:[ \t]+\d{1,2}\.?)?"
                               r"(?:(?:[ \t]+[A-ZÄÖÜ][\wäöüß-]*){0,2}|[ \t]+[„“\"][^„“”\"\n]{1,40}[“”\"])(?:[ \t]*\([^()\n]{1,40}\))?[ \t]*:[ \t]", re.M)


@dataclass(slots=True)
class Candidate:
    """A pair to score. Its features are the destination's profile (shared by every pair with that entity, so
    scored once per entity and type) and the pair's own."""
    type: str
    src: object  # resolve.Entity
    dst: object
    profile: "Profile"
    own: dict[str, float]
    attached: list[int]
    evidence: Optional[tuple[int, int, int]] = None  # the rule's evidence; else found when the pair is kept
    rule: Optional[str] = None
    score: float = 0.0
    explain: list[tuple[str, float]] = field(default_factory=list)

    @property
    def features(self) -> dict[str, float]:
        return self.profile.scored | self.own


def names_money(sent: str) -> bool:
    """A sum of money in the sentence; the currency is tested first as plain text (most sentences name none)."""
    return ("Euro" in sent or "€" in sent or "EUR" in sent) and MONEY.search(sent) is not None


def sentence_bounds(text: str, sent_starts: list[int]) -> list[tuple[int, int]]:
    return list(zip(sent_starts, sent_starts[1:] + [len(text)]))


def paragraph_breaks(text: str) -> list[int]:
    """Where each blank line between paragraphs starts: a position's paragraph is bisect_right(breaks, position)."""
    return [m.start() for m in re.finditer(r"\n\s*\n", text)]


def paragraph_of(text: str, bounds: list[tuple[int, int]]) -> list[int]:
    """The paragraph (blank-line separated block) of each sentence."""
    breaks = paragraph_breaks(text)
    return [bisect.bisect_right(breaks, a) for a, _ in bounds]


def programme_headings(text: str, programmes, projects) -> dict[int, object]:
    """Projects listed under a line that is only a programme's name, to the end of that paragraph ("Lebendige Zentren" /
    "- Quedlinburg: „Fachwerk mit Zukunft“ …" / "Sozialer Zusammenhalt" / …), or in a table row with a programme's cell:
    id(project) → that programme. Only when the release names two programmes or more (else there is nothing to decide);
    a project under two headings gets none."""
    if len(programmes) < 2 or not projects:
        return {}
    breaks = paragraph_breaks(text)
    blocks = []  # (first character after the heading line, end of its paragraph, programme)
    for g in programmes:
        for m in g.mentions:
            a = text.rfind("\n", 0, m.start) + 1
            b = text.find("\n", m.end)
            b = len(text) if b < 0 else b
            if not text[a:m.start].strip() and text[m.end:b].strip() in ("", ":"):
                i = bisect.bisect_right(breaks, b)
                blocks.append((b, breaks[i] if i < len(breaks) else len(text), g))
    # a table row: "Gelsenkirchen | „Grüne Achse Ückendorf“, … | Sozialer Zusammenhalt | 5.240.000 Euro"
    for g in programmes:
        for m in g.mentions:
            a, b = table_row(text, m.start)
            if a is not None:
                blocks.append((a, b, g))
    labelled = _item_labels(text, programmes, projects)
    if not blocks and not labelled:
        return {}
    headed: dict[int, Heading] = {}
    for p in projects:
        under = {id(g): g for m in p.mentions for b, e, g in blocks if b < m.start < e}
        if len(under) == 1:
            headed[id(p)] = Heading(next(iter(under.values())))
    headed.update(labelled)
    return headed


@dataclass(frozen=True)
class Heading:
    """The programme a project is listed under, and the programmes that then are not the project's: all others (rivals
    None: a heading line or a table cell) or only these, by name (the programmes that label other items of the list)."""
    programme: object
    rivals: Optional[frozenset] = None
    rule: str = "relations:programme_heading"

    def excludes(self, name: str) -> bool:
        """The programme of this name is not the project's (a programme's name is unique in a release)."""
        return name != self.programme.name and (self.rivals is None or name in self.rivals)


ITEM_OPEN = regex_cache.compile(LIST_ITEM.pattern + r"[„“\"]?")
LABEL_OPEN = regex_cache.compile(r"[“”\"]?[ \t]*\(")  # from a project's name to the parenthesis after it


def _item_labels(text: str, programmes, projects) -> dict[int, object]:
    """"• „ReLiBat – …“ (EFRE, 5,9 Mio. Euro): …": a list item that a project opens, with one programme in the parenthesis
    right after the name: id(project) → that programme."""
    label_of: dict[int, object] = {}
    for p in projects:
        for m in p.mentions:
            line_start = text.rfind("\n", 0, m.start) + 1
            opened = LABEL_OPEN.match(text, m.end)
            if opened is None or ITEM_OPEN.fullmatch(text, line_start, m.start) is None:
                continue
            close = text.find(")", opened.end(), opened.end() + 80)
            inside = {id(g): g for g in programmes for gm in g.mentions if opened.end() <= gm.start and gm.end <= close}
            if len(inside) == 1:
                label_of[id(p)] = next(iter(inside.values()))
                break
    # the labels choose between the programmes that label items ("EFRE" or "JTF"), not against the call all items are from
    rivals = frozenset(g.name for g in label_of.values())
    return {k: Heading(g, rivals, "relations:programme_item_label") for k, g in label_of.items()}


def table_row(text: str, pos: int) -> tuple[Optional[int], int]:
    """The line holding pos when it is a row of table cells (bars or tabs): its start and end, else (None, 0)."""
    a = text.rfind("\n", 0, pos) + 1
    b = text.find("\n", pos)
    b = len(text) if b < 0 else b
    line = text[a:b]
    return (a, b) if ("|" in line or "\t" in line) else (None, 0)


def sentence_evidence(text: str, a: int, b: int, s: int) -> tuple[int, int, int]:
    """(start, end, sentence) of sentence s without its surrounding white space: a relation's evidence."""
    seg = text[a:b]
    stripped = seg.strip()
    if not stripped:
        return a, b, s
    lead = len(seg) - len(seg.lstrip())
    return a + lead, a + lead + len(stripped), s


# "die zusammen 54.700 Euro erhalten": "zusammen" before a number is "in total", no cue of working together
IN_TOTAL = regex_cache.compile(r"\bzusammen(?=\s+(?:(?:rund|knapp|gut|fast|etwa|über|mehr als|mindestens)\s+)?\d)")


def sentence_words(text: str, bounds: list[tuple[int, int]], towns, titles=()) -> list[frozenset]:
    """The lower-cased words of each sentence, names taken out: of towns ("Weil der Stadt" is no cue word "Stadt")
    and of the titles of programmes and projects (titles: their entities), whose words state nothing about the
    sentence's actors ("Das Programm „Sozialer Zusammenhalt – Zusammenleben im Quartier gemeinsam gestalten“ wird vom
    BMWSB … finanziert" is no partner sentence)."""
    town_mentions: dict[int, list] = defaultdict(list)
    for t in list(towns) + list(titles):
        for m in t.mentions:
            town_mentions[m.sentence].append(m.text)
    out = []
    for s, (a, b) in enumerate(bounds):
        sent = text[a:b]
        for name in town_mentions.get(s, ()):
            sent = sent.replace(name, " ")
        if "zusammen" in sent:
            sent = IN_TOTAL.sub(" ", sent)
        out.append(frozenset(WORD.findall(sent.lower())))
    return out


CLAUSE_BREAK = regex_cache.compile(r"[;,]\s+")


def clause_pairs(text: str, a: int, b: int, projects: list, programmes: list) -> Optional[frozenset]:
    """The (project, programme) pairs, as ids, of a sentence that names them clause by clause: "Ribnitz-Damgarten erhält
    … aus dem Programm Sozialer Zusammenhalt für das „Bernsteinviertel“, in Bad Doberan unterstützt das Land „Mitte am
    Kamp“ … aus den „Lebendigen Zentren“". None when it does not split that way (one clause, or a list of programmes
    for a list of projects): then every project of the sentence goes with every programme.

    projects and programmes are the sentence's (entity, mention) pairs; commas inside quotes or names do not split."""
    if len({id(e) for e, _ in projects}) < 2 or len({id(e) for e, _ in programmes}) < 2:
        return None
    spans = [(m.start, m.end) for _, m in projects + programmes] + [(o_s, o_e) for o_s, o_e, _, _ in quoted(text) if o_s < b and o_e > a]
    breaks = [m.start() for m in CLAUSE_BREAK.finditer(text, a, b) if not any(x <= m.start() < y for x, y in spans)]
    clause_projects: dict[int, set] = defaultdict(set)
    clause_programmes: dict[int, set] = defaultdict(set)
    for e, m in projects:
        clause_projects[bisect.bisect_right(breaks, m.start)].add(id(e))
    for e, m in programmes:
        clause_programmes[bisect.bisect_right(breaks, m.start)].add(id(e))
    if any(len(clause_projects.get(c, ())) != 1 for c in clause_programmes) or not set(clause_projects) <= set(clause_programmes):
        return None
    return frozenset((next(iter(clause_projects[c])), g) for c, gs in clause_programmes.items() for g in gs)


def names_the_place(m) -> bool:
    """A town's mention that names the place itself: not a town inside a body's or project's name, not the dateline."""
    return "in_name_of" not in m.attrs and "dateline" not in m.rule


@lru_cache(maxsize=1)
def _event_place_lead() -> re.Pattern:
    """An event's noun, then up to 50 characters of its phrase, then "in" right before a town (rules/relations.yaml);
    or a verb of speech and the speaker: where someone spoke ("sagte Staatssekretärin Dr. Katja Mehlhorn in Erfurt")."""
    cues = relation_cues()
    nouns = "|".join(map(re.escape, cues.event_nouns))
    verbs = "|".join(map(re.escape, _speaking_verbs()))
    return regex_cache.compile(r"(?:(?i:" + nouns + r")\w{0,3}\b[^.;:!?\n]{0,50}?|\b(?:" + verbs + r")\b(?:[^.;:!?\n„“\"]|(?<=\bDr)\.|(?<=\bProf)\.){0,50}?)\bin\s+$")


@lru_cache(maxsize=1)
def _speaking_verbs() -> tuple[str, ...]:
    """The verbs of speech that say where someone spoke ("sagte … in Erfurt"); not "so", which is mostly no verb."""
    return tuple(v for v in relation_cues().speech_verbs if len(v) > 2)


@lru_cache(maxsize=1)
def _press_office() -> re.Pattern:
    """A press office's name (rules/relations.yaml press_office_words), as a word or a compound's first part."""
    words = relation_cues().press_office_words or ["(?!)"]
    return regex_cache.compile(r"\b(?:" + "|".join(map(re.escape, words)) + r")(?:\b|-)")


@lru_cache(maxsize=1)
def _other_recipients() -> Optional[tuple[re.Pattern, re.Pattern]]:
    """A sentence's first word that says it speaks of other recipients, and the verbs of money received
    (rules/relations.yaml other_recipient_leads and receiving_verbs)."""
    cues = relation_cues()
    if not cues.other_recipient_leads or not cues.receiving_verbs:
        return None
    return (regex_cache.compile(r"\s*(?:" + "|".join(map(re.escape, cues.other_recipient_leads)) + r")\b"),
            regex_cache.compile(r"\b(?:" + "|".join(map(re.escape, cues.receiving_verbs)) + r")\b"))


def names_an_event(text: str) -> bool:
    """The release names an event or a speaker at all: substring tests on the lowercased text (a case-blind alternation
    of the nouns cost 160 µs a release), before any mention is looked at."""
    low = text.lower()
    return any(noun in low for noun in relation_cues().event_nouns) or any(v in low for v in _speaking_verbs())


def event_place(text: str, m) -> bool:
    """The town's mention says where an event took place: "beim Bundeskongress … in Hannover" (asked only where
    names_an_event found an event's noun)."""
    return _event_place_lead().search(text, max(0, m.start - 70), m.start) is not None


def series_pairs(projects: list, towns: list) -> Optional[frozenset]:
    """The (project, town) pairs, as ids, of a sentence that names its projects one after another, each with its own
    town: "die Gemeinde Rammenau erhält … für „X“, die Stadt Pulsnitz … für „Y“ und die Gemeinde Ottendorf-Okrilla … für
    „Z“", or "„X“ (Goslar) und „Y“ (Hildesheim)". None unless projects and towns alternate, at least two of each and
    each once (a name repeated right after itself counts once): "In Goslar und Hildesheim starten „X“ und „Y“" pairs
    every project with every town.

    projects and towns are the sentence's (entity, mention) pairs; towns inside a name are left out by the caller."""
    marks = sorted([(m.start, "project", id(e)) for e, m in projects] + [(m.start, "town", id(e)) for e, m in towns])
    runs: list[tuple[str, int]] = []
    for _, kind, key in marks:
        if not runs or runs[-1] != (kind, key):
            runs.append((kind, key))
    if len(runs) < 4 or len(runs) % 2 or len(set(runs)) != len(runs) \
            or any(runs[i][0] == runs[i + 1][0] for i in range(len(runs) - 1)):
        return None
    pairs = (dict((runs[i], runs[i + 1])) for i in range(0, len(runs), 2))  # {"project": id, "town": id}, in either order
    return frozenset((pair["project"], pair["town"]) for pair in pairs)


def _contact_sentences(text: str, sent_starts: list[int]) -> set[int]:
    """Sentences of the contact block: a marker (Tel., E-Mail, @ …) or a postcode before a town."""
    hits = set()
    for marker in relation_cues().contact_markers:
        pos = text.find(marker)
        while pos != -1:
            hits.add(bisect.bisect_right(sent_starts, pos) - 1)
            pos = text.find(marker, pos + 1)
    for m in POSTCODE.finditer(text):
        hits.add(bisect.bisect_right(sent_starts, m.start()) - 1)
    return hits


@lru_cache(maxsize=1)
def _cue_words() -> tuple[tuple[str, frozenset], ...]:
    """The cue vocabularies of rules/relations.yaml, lower-cased, by the cue name a sentence gets."""
    cues = relation_cues()
    lists = {"funding": cues.funding, "partner": cues.partner, "strong_partner": cues.strong_partner, "town": cues.towns,
             "speech": cues.speech_verbs, "programme_role": cues.programme_role}
    return tuple((name, frozenset(w.lower() for w in words)) for name, words in lists.items())


@lru_cache(maxsize=1)
def _cue_index() -> tuple[frozenset, dict[str, frozenset]]:
    """Every cue word, and the cue names each word gives a sentence (one set intersection per sentence)."""
    cues_of: dict[str, set] = defaultdict(set)
    for name, vocabulary in _cue_words():
        for w in vocabulary:
            cues_of[w].add(name)
    return frozenset(cues_of), {w: frozenset(names) for w, names in cues_of.items()}


@lru_cache(maxsize=1)
def _kind_patterns():
    cues = relation_cues()
    return [(k.kind, regex_cache.compile(k.regex)) for k in cues.institution_kinds], dict(cues.registry_kinds)


@lru_cache(maxsize=1)
def _government_levels() -> tuple[tuple[str, re.Pattern, re.Pattern], ...]:
    """(level, the level as a whole in a sentence, its bodies' names) from rules/relations.yaml."""
    out = []
    for g in relation_cues().government_levels:
        words = "|".join(re.escape(w) for w in g.words)
        out.append((g.level, regex_cache.compile(r"\b(?:[Dd]er|[Dd]as|[Dd]em|[Vv]om)\s+(?:" + words + r")\b"), regex_cache.compile(g.regex)))
    return tuple(out)


def institution_level(ent) -> Optional[str]:
    """'federal', 'state' or None: the registry entry's level, else what the name says."""
    level = ent.attrs.get("level")
    if level in ("federal", "state"):
        return level
    if level is None:
        for name, _, rx in _government_levels():
            if rx.search(ent.name):
                return name
    return None


def institution_kind(ent) -> str:
    """A coarse kind: state, agency, science, foundation, local, culture, company, civil or other."""
    patterns, registry = _kind_patterns()
    if ent.attrs.get("kind"):  # a registry entry's own kind
        return registry.get(ent.attrs["kind"], "other")
    for kind, rx in patterns:
        if rx.search(ent.name):
            return kind
    return "other"


class ReleaseView:
    """Sentences, paragraphs and cue words of one release, computed once for all candidates."""

    def __init__(self, text: str, sent_starts: list[int], towns, institutions, programmes, projects,
                 words_by_sentence: Optional[list[frozenset]] = None, headed: Optional[dict] = None):
        self.text = text
        self.bounds = sentence_bounds(text, sent_starts)
        self.para = paragraph_of(text, self.bounds)
        if words_by_sentence is None:
            words_by_sentence = sentence_words(text, self.bounds, towns, programmes + projects)
        cue_vocabulary, cues_of = _cue_index()
        contact = _contact_sentences(text, sent_starts)
        self.cue: list[frozenset] = []
        self.levels_funding: set[str] = set()
        names_projects = []  # the plain-text test for PLURAL_PROJECTS, per sentence
        for s, (a, b) in enumerate(self.bounds):
            sent = text[a:b]
            words = words_by_sentence[s]
            c = set()
            for w in words & cue_vocabulary:  # most sentences hold none or a few cue words
                c.update(cues_of[w])
            names_projects.append("rojekte" in sent or "orhaben" in sent)
            if "speech" in c and not QUOTE_MARK.search(sent):
                c.discard("speech")
            if names_money(sent):
                c.add("money")
            if s in contact:
                c.add("contact")
            if "funding" in c or "money" in c:  # "Der Bund stellt … bereit": the level's bodies fund
                self.levels_funding.update(level for level, whole, _ in _government_levels() if whole.search(sent))
            if "jeweils" in words or "alle" in words or PLURAL_WORD_END.search(" ".join(words)):
                c.add("plural")
            self.cue.append(frozenset(c))
        self.projects, self.programmes, self.institutions, self.towns = projects, programmes, institutions, towns
        self.lead_para = self.para[0] + 1 if self.para else 0  # the headline paragraph and the first body paragraph
        by_sent: dict[int, list] = defaultdict(list)
        for p in projects:
            for m in p.mentions:
                by_sent[m.sentence].append(p)
        self.main = main_project(projects)
        # sentences that name projects and their programmes clause by clause: the pairs they make
        prog_at: dict[int, list] = defaultdict(list)
        for g in programmes:
            for m in g.mentions:
                prog_at[m.sentence].append((g, m))
        self.clause_split: dict[int, frozenset] = {}
        for s_, progs_here in prog_at.items():
            projs_here = [(p, m) for p in projects for m in p.mentions if m.sentence == s_] if len(by_sent.get(s_, ())) >= 2 else []
            if projs_here and s_ < len(self.bounds):
                pairs = clause_pairs(text, *self.bounds[s_], projs_here, progs_here)
                if pairs is not None:
                    self.clause_split[s_] = pairs
        # sentences that name projects and their towns one after another: the pairs they make
        self.series_split: dict[int, frozenset] = {}
        several = {s_ for s_, named in by_sent.items() if len(named) >= 2}  # few sentences name two projects
        if several:
            town_at: dict[int, list] = defaultdict(list)
            for te in towns:
                for m in te.mentions:
                    if m.sentence in several and names_the_place(m):
                        town_at[m.sentence].append((te, m))
            for s_, towns_here in town_at.items():
                if len(towns_here) >= 2:
                    pairs = series_pairs([(p, m) for p in projects for m in p.mentions if m.sentence == s_], towns_here)
                    if pairs is not None:
                        self.series_split[s_] = pairs
        self.about: list[list] = []  # the projects each sentence speaks of
        others = _other_recipients()
        for s in range(len(self.bounds)):
            named = list(OrderedDict.fromkeys(by_sent.get(s, [])))
            if not named and len(projects) >= 2 and names_projects[s] and PLURAL_PROJECTS.search(text, *self.bounds[s]):
                named = list(projects)  # "Das BBSR begleitet die sechs Modellvorhaben": it speaks of them all
            if not named and others is not None and others[0].match(text, self.bounds[s][0]) \
                    and others[1].search(text, *self.bounds[s]):
                self.about.append([])  # "Ebenfalls bedacht werden … die Verbandsgemeinde Asbach, die … erhält": others
                continue
            if not named:
                for t in range(s - 1, -1, -1):
                    if self.para[t] != self.para[s]:
                        break
                    if by_sent.get(t):
                        named = [by_sent[t][-1]]
                        break
            if not named:  # "Die Gemeinde Eichigt bekommt 96.500 Euro … Das Vorhaben „Dorfsaal Eichigt“ soll …": named later on
                for t in range(s + 1, len(self.bounds)):
                    if self.para[t] != self.para[s]:
                        break
                    if by_sent.get(t):
                        named = [by_sent[t][0]]
                        break
            if not named and self.main is not None:
                named = [self.main]
            self.about.append(named)
        self.body = {id(t): sum(1 for m in t.mentions if self.in_body(m)) for t in towns}  # mentions outside names and contacts
        home = max(towns, key=lambda t: self.body[id(t)], default=None)
        self.home = home if home is not None and self.body[id(home)] >= 2 else None
        self.body_total = sum(self.body.values())  # for every town's share: summed once, not per town
        self.many_towns = sum(1 for n in self.body.values() if n) >= 6
        # towns whose every mention in the body names where an event took place (plain-text test first: most releases
        # name no event)
        self.event_places = {id(t) for t in towns if self.body[id(t)]
                             and all(event_place(text, m) for m in t.mentions if self.in_body(m))} if names_an_event(text) else set()
        self.towns_in: dict[int, set] = defaultdict(set)  # sentence → the towns it names
        for t in towns:
            for m in t.mentions:
                self.towns_in[self.sentence_of(m)].add(id(t))
        self.kinds = {id(i): institution_kind(i) for i in institutions}
        self.kind_counts = Counter(self.kinds.values())
        self._profiles: dict[int, Profile] = {}
        self.headed: dict[int, object] = headed or {}  # programme_headings: a project → the programme it is listed under
        self.named_in = set(by_sent)
        self.first_project_sentence = min(by_sent) if by_sent else len(self.bounds)
        # the sentences every entity's profile asks about, as sets: one subset or overlap test per entity
        cue = self.cue
        self.contact_sents = frozenset(s for s, c in enumerate(cue) if "contact" in c)
        self.speech_sents = frozenset(s for s, c in enumerate(cue) if "speech" in c)
        # a sentence that names no project but speaks of them all, or the lead before any project is named
        self.frame_sents = frozenset(s for s, c in enumerate(cue)
                                     if self.names_no_project(s) and ("plural" in c or s < self.first_project_sentence))

    def names_no_project(self, s: int) -> bool:
        return s not in self.named_in

    def list_item(self, m) -> bool:
        line_start = self.text.rfind("\n", 0, m.start) + 1
        return bool(LIST_ITEM.match(self.text, line_start)) and m.start - line_start <= 6

    def profile(self, ent) -> "Profile":
        p = self._profiles.get(id(ent))
        if p is None:
            p = self._profiles[id(ent)] = Profile(self, ent)
        return p

    def evidence(self, c: "Candidate") -> tuple[int, int, int]:
        """The sentence that supports a model relation: the first where the entity stands in the project's context."""
        s = c.attached[0] if c.attached else self.profile(c.dst).first
        return sentence_evidence(self.text, *self.bounds[s], s)

    def in_body(self, m) -> bool:
        return names_the_place(m) and "contact" not in self.cue[m.sentence]

    def sentence_of(self, m) -> int:
        return min(m.sentence, len(self.bounds) - 1)


def named_mentions(ent) -> list:
    """The mentions that name the entity: the model reads no reference back ("die Stiftung"), which only the rules read."""
    return [m for m in ent.mentions if "anaphor" not in m.attrs]


def main_project(projects):
    """The release's main project: the first named in its head (first 400 characters), else the most mentioned;
    none when several share the most mentions."""
    if not projects:
        return None
    for p in projects:
        if any(m.start < 400 for m in p.mentions):
            return p
    counts = sorted((len(p.mentions) for p in projects), reverse=True)
    if len(counts) > 1 and counts[0] == counts[1]:
        return None  # a series of projects, none of them the release's own
    return max(projects, key=lambda p: (len(p.mentions), p.score))


class Profile:
    """What a release says about one entity, whatever the pair: computed once per entity.

    Features are sparse: a feature that is 0 is left out (the weights of absent features count 0)."""

    __slots__ = ("sents", "order", "paras", "first", "cues", "features", "conjoined", "scored", "pair_conjoined", "_z")

    def __init__(self, view: "ReleaseView", ent):
        named = named_mentions(ent)
        mentions = [m for m in named if "in_name_of" not in m.attrs] or named
        # where the release speaks of it: where it is named and where a reference back ("die Stiftung") stands
        self.sents = frozenset(view.sentence_of(m) for m in mentions + [m for m in ent.mentions if "anaphor" in m.attrs])
        self.order = tuple(sorted(self.sents))  # for the pairs' sentence gaps and attached sentences
        self.paras = frozenset(view.para[s] for s in self.sents)
        self.first = self.order[0]
        cue = view.cue
        self.cues = frozenset().union(*(cue[s] for s in self.sents))  # the cues of all its sentences
        f = self.features = {"mentions_log": math.log1p(len(mentions)) / 2}  # the flags that hold, in this order
        if 0 in self.paras:
            f["in_title"] = 1.0
        if min(self.paras) <= view.lead_para:
            f["in_lead"] = 1.0
        if len(mentions) >= 2:
            f["mentions_2plus"] = 1.0
        if self.sents <= view.contact_sents:
            f["only_contact"] = 1.0
        if self.sents <= view.speech_sents:
            f["only_speech"] = 1.0
        if not self.sents.isdisjoint(view.frame_sents):
            f["frame"] = 1.0
        if any(view.list_item(m) for m in mentions):
            f["list_item"] = 1.0
        if "programme_role" in self.cues:
            f["cue_programme_role"] = 1.0
        self.conjoined = ()
        if ent.type == "institution":
            self.features.update(_institution_features(view, ent))
            self.conjoined = _conjoined_keys(view.kinds[id(ent)])
        elif ent.type == "town":
            self.features.update(_town_features(view, ent))
        # what every pair with this entity shares: its features, the release's, and the conjunctions of the two
        scored = dict(self.features)
        body_item = scored.pop("town_list_item_body", None)
        n_proj = len(view.projects)
        if n_proj == 1:
            scored["single_project"] = 1.0
        elif n_proj >= 3:
            scored["many_projects"] = 1.0
        if n_proj == 1 and ent.type == "town":
            if body_item:
                scored["town_list_item&single_project"] = 1.0
            if "town_listed" in scored:
                scored["town_listed&single_project"] = 1.0
        self.pair_conjoined = tuple((c, key) for c, key in self.conjoined if c in PAIR_CONTEXT)
        for c, key in self.conjoined:  # kind × context: a ministry in a funding sentence is a funder, a university there is not
            if c in scored:
                scored[key] = 1.0
        self.scored = scored
        self._z: dict[str, float] = {}

    def z(self, relation_type: str, weights: dict[str, float]) -> float:
        """The shared features' part of a pair's log-odds (once per entity and relation type)."""
        z = self._z.get(relation_type)
        if z is None:
            weight = weights.get
            z = self._z[relation_type] = sum(weight(k, 0.0) * v for k, v in self.scored.items())
        return z


def _pair(view: "ReleaseView", src, dst, attached: list) -> dict[str, float]:
    """The pair's own features: how the entity stands to the source (sparse; its profile's are Profile.scored)."""
    p, q = view.profile(dst), view.profile(src)
    f = {}
    n_proj = len(view.projects)
    gap = _min_gap(p.order, q.order)
    if gap:
        f["sentence_gap"] = min(gap, 10) / 10
    else:  # a gap of 0: a sentence names both
        f["same_sentence"] = 1.0
    if gap <= 2:
        f["near"] = 1.0
    if p.first < q.first:
        f["before_src"] = 1.0
    if not p.paras.isdisjoint(q.paras):
        f["same_paragraph"] = 1.0
    if attached:
        f["attached"] = 1.0
    if src.type == "project":
        if src is not view.main:  # the release's other projects: one of a series, or a side note
            f["src_series" if n_proj >= 3 else "src_minor"] = 1.0
        for k in ("in_title", "mentions_2plus", "list_item"):
            if k in q.features:
                f["src_" + k] = 1.0
    if attached:
        cue = view.cue
        present = frozenset().union(*(cue[s] for s in attached))
    else:
        present = p.cues
    for c, key in PAIR_CUES:
        if c in present:
            f[key] = 1.0
    for c, key in p.pair_conjoined:
        if c in f:
            f[key] = 1.0
    return f


# rules whose relations the model does not re-score: what they read leaves no doubt. A project's town: the project is
# named after it ("Storchenwiesen Rethem" is in Rethem), a winner's label or a table row names it. A project's funder:
# the relative clause that follows the project's name says so ("„RhizoMix“, das die DFG … fördert"), and the model adds
# no other role for the pair
DECISIVE_RULES = frozenset({"relations:town_in_project_name", "relations:prize_item_head", "relations:table_row_town",
                            "relations:relative_clause_funder"})
PAIR_CUES = tuple((c, f"cue_{c}") for c in ("funding", "partner", "strong_partner", "town", "money"))
# the context features that depend on the pair, not on the entity alone (kind × these is conjoined per pair)
PAIR_CONTEXT = frozenset({"attached", "same_sentence", "cue_funding", "cue_partner"})


def _min_gap(a: tuple[int, ...], b: tuple[int, ...]) -> int:
    """The smallest distance between two sets of sentence indices (most entities stand in one sentence)."""
    if len(a) == 1 and len(b) == 1:
        return abs(a[0] - b[0])
    return min(abs(x - y) for x in a for y in b)


def _attached(view: ReleaseView, project, dst) -> list[int]:
    about = view.about
    return [s for s in view.profile(dst).order if project in about[s]]


def _opens_clause(text: str, a: int, start: int) -> bool:
    """The mention opens its sentence or clause, perhaps after an article: the subject of the sentence."""
    if start - a <= 16 and SUBJECT_START.fullmatch(text, a, start):
        return True
    return bool(SUBJECT_TAIL.search(text, max(a, start - 16), start))


def _shares_cost(text: str, a: int, b: int, m) -> bool:
    """The mention is the subject of a share of the money ("Die Region Hannover beteiligt sich mit 90.000 Euro", "beteiligen sich
    die Stiftung KiBa, die Landeskirche … an der Finanzierung"): the money is the institution's."""
    if "eteilig" not in text[a:b]:  # plain-text test first: most sentences have no such verb
        return False
    return any(c.start() <= m.start < c.end() or 0 <= c.start() - m.end <= 3 or 0 <= m.start - c.end() <= 6
               for c in COFUNDING.finditer(text, a, b))


def _institution_features(view: ReleaseView, dst) -> dict[str, float]:
    text = view.text
    kind = view.kinds[id(dst)]
    funder_lead = subject = funder_money = funded_by = funder_verb = False
    for m in named_mentions(dst):
        a = view.bounds[view.sentence_of(m)][0]
        before = text[max(a, m.start - 45):m.start]
        funder_lead = funder_lead or bool(FUNDER_LEAD.search(before)) or bool(FUNDED_AFTER.search(text, m.end, m.end + 30))
        # the strong forms: the money is the institution's, it is the agent of a funding participle, or it funds
        funder_money = funder_money or bool(FUNDER_MONEY_LEAD.search(before)) or _shares_cost(text, a, view.bounds[view.sentence_of(m)][1], m)
        funded_by = funded_by or bool(FUNDED_BY_LEAD.search(before)) or bool(FUNDED_PARTICIPLE_AFTER.match(text, m.end, m.end + 30))
        funder_verb = funder_verb or bool(FUNDER_VERB_AFTER.match(text, m.end, m.end + 40))
        subject = subject or _opens_clause(text, a, m.start)
    f = {f"kind_{kind}": 1.0}  # the flags that hold, in this order
    for key, holds in (("kind_unique", view.kind_counts[kind] == 1), ("funder_lead", funder_lead), ("subject", subject),
                       ("funder_money", funder_money), ("funded_by", funded_by), ("funder_verb", funder_verb)):
        if holds:
            f[key] = 1.0
    if view.levels_funding and institution_level(dst) in view.levels_funding:
        f["level_funds"] = 1.0
    if all(m.attrs.get("is_acronym") for m in named_mentions(dst)):
        f["acronym_only"] = 1.0
    if dst.attrs.get("registry_id"):
        f["registry"] = 1.0
    return f


CONJOINED = ("attached", "same_sentence", "cue_funding", "cue_partner", "funder_lead", "subject", "single_project", "frame", "kind_unique",
             "level_funds")


@lru_cache(maxsize=None)
def _conjoined_keys(kind: str) -> tuple[tuple[str, str], ...]:
    """(context feature, 'kind_X&feature') for one institution kind: kind × context features."""
    return tuple((c, f"kind_{kind}&{c}") for c in CONJOINED)


def _town_features(view: ReleaseView, dst) -> dict[str, float]:
    text = view.text
    body = [m for m in dst.mentions if view.in_body(m)]
    towns_in = view.towns_in
    flags = {"town_home": dst is view.home, "town_no_body": not body,
             "town_foreign": dst.attrs["place"].country != "DE",
             "town_lead_in": any(TOWN_LEAD.search(text[max(0, m.start - 14):m.start]) for m in body),
             "town_listed": any(len(towns_in[view.sentence_of(m)] - {id(dst)}) >= 2 for m in body),
             "town_in_title": any(view.para[view.sentence_of(m)] == 0 for m in body),
             "many_towns": view.many_towns,
             "town_list_item_body": any(view.list_item(m) for m in body)}
    f = {k: 1.0 for k, v in flags.items() if v}
    if body:
        f["town_share"] = len(body) / max(1, view.body_total)
    return f


def _other_clause(view: ReleaseView, split_sentences: dict[int, frozenset], project, other) -> bool:
    """A sentence names both, clause by clause or as a series, and gives the other (a programme, a town) to another
    project (and none pairs them)."""
    split = [pairs for s, pairs in split_sentences.items() if s in view.profile(project).sents and s in view.profile(other).sents]
    key = (id(project), id(other))
    return bool(split) and not any(key in pairs for pairs in split)


def _other_level(programme, institution) -> bool:
    """The registry puts the programme and the body on different levels: a federal programme that no Land runs and a
    Land's body ("Bundesförderprogramm Breitband", the Bavarian finance ministry), a Land's programme and a federal body
    or another Land's ("Bayerische Gigabitrichtlinie", the federal transport ministry)."""
    entry = programmes_by_id().get(programme.attrs.get("registry_id") or "")
    body = institutions_by_id().get(institution.attrs.get("registry_id") or "")
    if entry is None or body is None or entry.land_runs or entry.joint_task:
        return False
    if entry.level == "federal":
        return body.level == "state"
    return entry.level == "state" and (body.level == "federal" or body.level == "state" and body.state != entry.state)


def _only_in_other_rows(text: str, town, rows: set) -> bool:
    """Every mention of the town stands in a table row, none in the given rows (by their start)."""
    starts = [table_row(text, m.start)[0] for m in town.mentions]
    return all(a is not None and a not in rows for a in starts)


def candidates(view: ReleaseView, rule_relations: list[dict]) -> list[Candidate]:
    """Every pair the model scores, with features; rule relations mark their pairs."""
    fired = defaultdict(list)
    for r in rule_relations:
        fired[(r["from"], r["to"])].append(r)
    out = []

    def decided(src, dst) -> bool:
        """A decisive rule settled the pair: the rule's relation stands, the model scores no candidate for it."""
        return any(r["rule"] in DECISIVE_RULES for r in fired.get((src.name, dst.name), ()))

    def add(kind, src, dst, feats, attached):
        rules = fired.get((src.name, dst.name))
        if not rules:  # most pairs: no rule speaks of them
            out.append(Candidate(kind, src, dst, view.profile(dst), feats, attached))
            return
        own = [r for r in rules if r["type"] == kind]
        for r in own:
            feats["rule_" + r["rule"].split(":", 1)[1].split(".")[0]] = 1.0
        if own:
            feats["rule_any"] = 1.0
        elif rules:
            feats["rule_other_type"] = 1.0
        out.append(Candidate(kind, src, dst, view.profile(dst), feats, attached, own[0]["evidence"] if own else None,
                             own[0]["rule"] if own else None))

    # "1. „A“ (Ellrich): … 2. „B“ (Nordhausen, Kreisstadt): …": each project's own town in parentheses; a project that has
    # one does not get another's
    own_town: dict[str, set] = defaultdict(set)
    for r in rule_relations:
        if r["rule"] == "relations:town_in_parentheses_after_project":
            own_town[r["from"]].add(r["to"])
    claimed = {town for towns in own_town.values() for town in towns}
    # "Thum | Erzgebirgskreis | Projekt „Thum 2030 …“ | 330.000 Euro": a project in a table row has that row's town; the
    # towns of the table's other rows are the other recipients'
    row_of_project: dict[str, set] = {}
    if "|" in view.text or "\t" in view.text:  # plain-text test first: most releases have no table
        town_rows = {table_row(view.text, m.start)[0] for te in view.towns for m in te.mentions} - {None}
        row_of_project = {p.name: rows for p in view.projects
                          if (rows := {table_row(view.text, m.start)[0] for m in p.mentions} & town_rows)}
    press_offices = {id(ie) for ie in view.institutions if _press_office().search(ie.name)}
    for p in view.projects:
        for ie in view.institutions:
            if id(ie) in press_offices:
                continue  # the sender's press office
            if decided(p, ie):
                continue  # the relative clause names the funder: the rule's relation stands
            att = _attached(view, p, ie)
            base = _pair(view, p, ie, att)
            add("project_funder", p, ie, dict(base), att)
            add("project_partner", p, ie, dict(base), att)
        attached = {id(ge): _attached(view, p, ge) for ge in view.programmes}
        any_attached = any(attached.values())
        heading = view.headed.get(id(p))
        for ge in view.programmes:
            if view.clause_split and _other_clause(view, view.clause_split, p, ge):
                continue  # the sentence gives this programme to another project, clause by clause: no candidate
            if heading is not None and heading.excludes(ge.name):
                continue  # the project stands in the list under another programme's heading or label
            att = attached[id(ge)]
            f = _pair(view, p, ge, att)
            if ge.attrs.get("registry_id"):
                f["prog_registry"] = 1.0
            if len(view.programmes) == 1:
                f["single_programme"] = 1.0
            if any_attached and not att:  # the release names the project's programme elsewhere: this is another one
                f["other_attached"] = 1.0
            add("project_programme", p, ge, f, att)
        for te in view.towns:
            if id(te) in view.event_places:
                continue  # named only as where an event took place ("beim Bundeskongress … in Hannover")
            if own_town.get(p.name) and te.name in claimed and te.name not in own_town[p.name]:
                continue  # another project's town in parentheses, and this project has its own
            if row_of_project.get(p.name) and _only_in_other_rows(view.text, te, row_of_project[p.name]):
                continue  # named only in other rows of the table the project's row is in
            if decided(p, te):
                continue  # named after the town, on a winner's label or in its table row: the rule's relation stands
            if view.series_split and _other_clause(view, view.series_split, p, te):
                continue  # a series gives the town to another project: no candidate
            att = _attached(view, p, te)
            add("project_town", p, te, _pair(view, p, te, att), att)
    # "… aus dem AMIF der EU und dem Programm „WIR“ des Hessischen Ministeriums": whose programme a name is attached to
    named_funder = defaultdict(set)
    for r in rule_relations:
        if r["type"] == "programme_funder" and r["rule"] == "relations:programme_genitive_institution":
            named_funder[r["to"]].add(r["from"])
    for ge in view.programmes:
        prog_sents = {view.sentence_of(m) for m in ge.mentions}
        for ie in view.institutions:
            if _other_level(ge, ie) and not fired.get((ge.name, ie.name)):
                continue  # a federal programme and a Land's ministry, a Land's programme and a federal or another Land's body
            att = sorted({view.sentence_of(m) for m in named_mentions(ie)} & prog_sents)
            f = _pair(view, ge, ie, att)
            if named_funder[ie.name] - {ge.name}:
                f["funds_other_programme"] = 1.0
            if len(view.programmes) == 1:
                f["single_programme"] = 1.0
            if ge.attrs.get("registry_id"):
                f["prog_registry"] = 1.0
            add("programme_funder", ge, ie, f, att)
    return out


def score(cands: list[Candidate]) -> list[Candidate]:
    """Probabilities from the trained weights; the kept candidates, one role per project–institution pair."""
    model = relation_model()
    kept = []
    for c in cands:
        tm = model.types.get(c.type) if model else None
        if tm is None:
            continue
        weights = tm.weights
        weight = weights.get
        z = tm.bias + c.profile.z(c.type, weights)
        for k, v in c.own.items():  # a feature without a weight, or of value 0, adds exactly 0.0
            z += weight(k, 0.0) * v
        c.score = 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))
        # a rule's relation stands unless the model all but rules it out; the model adds what the rules miss
        if c.rule and c.score >= tm.veto or c.score >= tm.threshold:
            # the largest contributions first; equal ones in the order the features were built (a rule's own before rule_any)
            contrib = sorted(((weights[k] * v, k) for k, v in c.features.items() if v and k in weights), key=lambda wk: -abs(wk[0]))
            c.explain = [(k, round(w, 3)) for w, k in contrib[:4]]
            kept.append(c)
    # an institution is a project's funder or its partner: the model adds one role, a rule may state both
    roles = ("project_funder", "project_partner")
    def margin(c: Candidate) -> tuple[bool, float]:
        return bool(c.rule), c.score - model.types[c.type].threshold

    best: dict[tuple, Candidate] = {}
    for c in kept:
        if c.type in roles:
            key = (id(c.src), id(c.dst))
            if key not in best or margin(c) > margin(best[key]):
                best[key] = c
    return [c for c in kept if c.type not in roles or c.rule or best[(id(c.src), id(c.dst))] is c]


def model_relations(text: str, sent_starts: list[int], towns, institutions, programmes, projects, rule_relations: list[dict],
                    words_by_sentence: Optional[list[frozenset]] = None, headed: Optional[dict] = None) -> list[dict]:
    """The release's relations: rule relations re-scored by the model (as they are when no model is installed).
    headed: programme_headings, whose projects pair with their heading's programme only."""
    if relation_model() is None or not (projects or programmes):
        return rule_relations
    view = ReleaseView(text, sent_starts, towns, institutions, programmes, projects, words_by_sentence, headed)
    cands = candidates(view, rule_relations)
    seen = {(c.type, c.src.name, c.dst.name) for c in cands}
    event_places = {t.name for t in towns if id(t) in view.event_places}
    # pairs outside the candidates, but no project's place where only an event took place
    press = _press_office()
    out = [r for r in rule_relations if (r["type"], r["from"], r["to"]) not in seen
           and not (r["type"] == "project_town" and r["to"] in event_places)
           and not (r["type"] in ("project_partner", "project_funder") and press.search(r["to"]))]
    for c in score(cands):
        out.append({"type": c.type, "from": c.src.name, "to": c.dst.name,
                    "rule": c.rule or f"relations:model.{c.type}", "evidence": c.evidence or view.evidence(c),
                    "score": round(c.score, 3), "explain": c.explain})
    return out
