"""Resolve: from evidence to entities — canonical names, acronyms, homonym towns, relations.

Works on Evidence objects only (no spaCy), with the whole document in view: a town's
homonyms are decided by the Länder, Kreise and other towns the release names; an acronym
joins the entity it abbreviates; relations come from cue words in a sentence.
"""
from __future__ import annotations

import bisect
import re
from collections import OrderedDict, defaultdict
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Optional

from pipeline import regex_cache
from pipeline.evidence import Evidence
from pipeline.gazetteer import Place, distance_km, gazetteer
from pipeline.inflection import adjective_variants
from pipeline.quotes import quoted
from pipeline.relation_model import (COFUNDING, institution_level, FUNDED_AFTER, clause_pairs, names_the_place, prize_labels, series_pairs, table_row, FUNDER_LEAD, FUNDER_LEAD_RULE, LIST_ITEM, ITEM_OPEN, PLURAL_PROJECTS, main_project, model_relations,
                                     names_money, paragraph_breaks, paragraph_of, programme_headings, sentence_bounds, sentence_evidence,
                                     sentence_words)
from pipeline.rules import (institution_patterns, institution_registry, institutions_by_id, programmes_by_id,
                            relation_cues, town_evidence)

QUOTE_CHARS = "„“”\"'‚‘’«»"


_QUOTES = regex_cache.compile(f"[{QUOTE_CHARS}]")
_DASHES = regex_cache.compile(r"[‐‑‒–—−-]")
_DASH_SPACE = regex_cache.compile(r"\s*-\s*(?=\S)")
_SPACES = regex_cache.compile(r"\s+")
_ARTICLE = regex_cache.compile(r"^(der|die|das|den|dem|des)\s+")


@lru_cache(maxsize=65536)
def norm(name: str) -> str:
    """Normalise a name for comparison: case, quotes, dashes, white space, a leading article."""
    s = _QUOTES.sub("", name.casefold())
    s = _DASHES.sub("-", s)
    s = _DASH_SPACE.sub(lambda m: " - " if m.group(0).strip() == "-" and " " in m.group(0) else "-", s)
    s = _SPACES.sub(" ", s).strip()
    return _ARTICLE.sub("", s)


@dataclass(eq=False)
class Entity:
    type: str
    key: str
    name: str
    mentions: list[Evidence] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    attrs: dict = field(default_factory=dict)

    @property
    def score(self) -> float:
        return max(m.score for m in self.mentions)


@dataclass
class Resolved:
    towns: list[Entity]
    towns_in_names: list[Entity]
    districts: list[Entity]
    institutions: list[Entity]
    programmes: list[Entity]
    projects: list[Entity]
    dates: list[Entity]
    durations: list[Entity]
    relations: list[dict]
    doc_date: Optional[Evidence]
    rule_relations: list[dict] = field(default_factory=list)  # what the rules found, before the relation model
    sent_starts: list[int] = field(default_factory=list)


def _title_like(quote: str) -> bool:
    """A quoted title ("Oderbrücke – Most nad Odrą"), not a quoted statement: 3-8 words, no sentence end."""
    return 3 <= len(quote.split()) <= 8 and not re.search(r"[.!?;]", quote)


def _sentence_index(sent_starts: list[int], pos: int) -> int:
    return max(0, bisect.bisect_right(sent_starts, pos) - 1)


def resolve(text: str, evidence: list[Evidence], sent_starts: list[int], doc_date: Optional[str] = None) -> Resolved:
    for ev in evidence:
        ev.sentence = _sentence_index(sent_starts, ev.start)
    by = defaultdict(list)
    for ev in evidence:
        by[ev.label].append(ev)
    # a title that is an issuer line ("Ministerium für … – Pressestelle") names no project
    projects_ev = [p for p in by["project"] if "title_names_project" not in p.rule
                   or sum(min(p.end, o.end) - max(p.start, o.start) for o in by["institution"] + by["town"] if o.overlaps(p)) < 0.3 * (p.end - p.start)]
    programmes_ev = by["programme"]
    # A quoted project/programme name owns what lies inside it ("Sozialer Zusammenhalt" in a project title).
    # the same quoted span as a registry programme: the registry decides
    projects_ev = [p for p in projects_ev if not any(p.start <= g.start and g.end <= p.end and "registry.name" in g.rule and (g.end - g.start) >= 0.8 * (p.end - p.start) for g in programmes_ev)]
    # a quoted name inside a body's name is that body's ("Förderverein Kita „Saalespatzen“ e.V."), not a project
    projects_ev = [p for p in projects_ev if not any(i.start < p.start and p.end < i.end for i in by["institution"])]
    named = [e for e in projects_ev + [g for g in programmes_ev if "registry" not in g.rule]]
    programmes_ev = [g for g in programmes_ev if not any(g.inside(n) for n in named)]
    # a registry name inside a longer quoted title belongs to that title
    quotes = [(i_s, i_e) for _, _, i_s, i_e in quoted(text)]
    programmes_ev = [g for g in programmes_ev if not any(qs <= g.start and g.end <= qe and (qe - qs) > (g.end - g.start) + 3 for qs, qe in quotes)]
    # a registry name that a body's name goes on after, with a noun it qualifies, is a word of that name ("Ministerium
    # für … und Regionale Entwicklung"); "Verwaltungsbehörde für den ESF Plus", "… für die LEADER-Förderung" name it
    programmes_ev = [g for g in programmes_ev if "registry" not in g.rule
                     or not any(i.start <= g.start and g.end < i.end and text[g.end] == " " and text[g.end + 1:g.end + 2].isupper()
                                for i in by["institution"])]
    institutions_ev = [i for i in by["institution"] if not any(i.inside(n) or (i.overlaps(n) and n.label == "project") for n in named)]
    towns_ev = [t for t in by["town"] if not any(t.overlaps(n) for n in named + [g for g in programmes_ev])
                and not any(qs <= t.start and t.end <= qe and _title_like(text[qs:qe]) for qs, qe in quotes)]
    for t in towns_ev:
        for inst in institutions_ev:
            if t.overlaps(inst):
                t.attrs["in_name_of"] = inst.attrs.get("canonical") or inst.text
    institutions = resolve_institutions(institutions_ev, doc_date, text)
    for t in towns_ev:  # keep the canonical name of the final entity
        for ent in institutions:
            if any(t.overlaps(m) for m in ent.mentions):
                t.attrs["in_name_of"] = ent.name
    towns_all = resolve_towns(text, towns_ev)
    named_quarters = frozenset(QUARTER_NOUN.findall(text))
    quarters = [t for t in towns_all if _looks_like_a_quarter(t, towns_all, named_quarters)]
    towns_all = [t for t in towns_all if t not in quarters]
    towns = [t for t in towns_all if any("in_name_of" not in m.attrs for m in t.mentions)]
    towns_in_names = [t for t in towns_all if t not in towns]
    districts = group_simple("district", by["district"], key=lambda e: e.text)
    for q in quarters:  # reported as districts; which town's quarter it is, the text does not say
        d = Entity("district", q.name, q.name, mentions=q.mentions, attrs={"town": None, "ags": None})
        for m in q.mentions:
            m.adjust("small municipality far from the release's other towns: read as a city quarter", -0.3)
        districts.append(d)
    programmes, projects = one_type_per_name(resolve_programmes(programmes_ev), resolve_projects(text, projects_ev))
    # a year inside a programme's, project's or body's name ("INTERREG V-A … 2014-2020", "Energie 2000 e.V.") is part of the name
    names = programmes_ev + projects_ev + institutions_ev
    # one date per value and mod: "2023 bis 2027" and "Anfang nächsten Jahres" are two statements about 2023
    dates = group_simple("date", [d for d in by["date"] if not any(d.start >= n.start and d.end <= n.end for n in names)],
                         key=lambda e: f'{e.attrs["value"]}|{e.attrs.get("mod") or ""}')
    durations = group_simple("duration", by["duration"], key=lambda e: e.attrs["value"])
    doc_dates = sorted(by["doc_date"], key=lambda e: -e.score)
    refer_back(text, institutions, [m for e in programmes + projects + institutions for m in e.mentions], sent_starts)
    bounds = sentence_bounds(text, sent_starts)
    words = sentence_words(text, bounds, towns, programmes + projects)
    rule_relations = find_relations(text, sent_starts, towns, institutions, programmes, projects, words)
    headed = programme_headings(text, programmes, projects)
    if headed:
        rule_relations = _heading_relations(text, bounds, projects, headed, rule_relations)
    rule_relations += _towns_in_project_names(text, bounds, projects, towns, rule_relations)
    rule_relations += _table_row_towns(text, bounds, projects, towns, rule_relations)
    relations = model_relations(text, sent_starts, towns, institutions, programmes, projects, rule_relations, words, headed)
    return Resolved(towns, towns_in_names, districts, institutions, programmes, projects, dates, durations, relations,
                    doc_dates[0] if doc_dates else None, rule_relations, sent_starts)


def one_type_per_name(programmes: list, projects: list) -> tuple[list, list]:
    """A name the release gives a programme and a project is one of them: the one with the stronger evidence
    ("Vereinswettbewerb „Sterne des Sports“" against a quote in a line about a project), the project on a tie
    (a name that is carried out and pays for nothing else in the release is more often a project)."""
    def strength(entity) -> float:
        return max(m.score for m in entity.mentions)

    by_name = {norm(p.name): p for p in projects}
    kept, outranked = [], set()
    for g in programmes:
        project = by_name.get(norm(g.name))
        if project is None or strength(g) > strength(project):
            kept.append(g)
            if project is not None:
                outranked.add(id(project))
    return kept, [p for p in projects if id(p) not in outranked]


def _project_relation(kind: str, project, target, rule: str, text: str, bounds: list[tuple[int, int]]) -> dict:
    """A rule relation of a project with the sentence of its first mention as evidence."""
    s = min(project.mentions[0].sentence, len(bounds) - 1)
    return {"type": kind, "from": project.name, "to": target.name, "rule": rule, "evidence": sentence_evidence(text, *bounds[s], s)}


def _whole_words_in(words: str, text: str) -> bool:
    """words occur in text with no word character or hyphen right before or after them."""
    start = text.find(words)
    while start >= 0:
        end = start + len(words)
        if not (start and _word_char(text[start - 1])) and not (end < len(text) and _word_char(text[end])):
            return True
        start = text.find(words, start + 1)
    return False


def _word_char(c: str) -> bool:
    """A character of a word as regular expressions' \\w has it (letters, digits, "_"), or a hyphen."""
    return c.isalnum() or c in "_-"


def _towns_in_project_names(text: str, bounds: list[tuple[int, int]], projects, towns, rule_relations: list[dict]) -> list[dict]:
    """A project named after a town the release names is in that town ("Storchenwiesen Rethem", "Lage lebt Innenstadt"):
    rule town_in_project_name, with the project's first sentence as evidence. Only towns the release names elsewhere."""
    if not projects or not towns:
        return []
    have = {(r["type"], r["from"], r["to"]) for r in rule_relations}
    # each town's forms in the release, and its name without "Bad" or a qualifier ("Bevensen erzählt" in Bad Bevensen)
    town_forms = [(t, [f for f in {m.text for m in t.mentions} | {t.name, t.name.split(" (")[0].split("/")[0].removeprefix("Bad ")}
                       if len(f) >= 3]) for t in towns]
    out = []
    for p in projects:
        for t, all_forms in town_forms:
            if ("project_town", p.name, t.name) in have:
                continue
            forms = [f for f in all_forms if f in p.name]  # plain text first
            # a whole word of the name, not the first part of a compound ("Die Skagen-Maler" in Emden)
            if any(_whole_words_in(f, p.name) for f in forms):
                out.append(_project_relation("project_town", p, t, "relations:town_in_project_name", text, bounds))
    return out


TOWN_CELL_LEAD = regex_cache.compile(r"[ \t]*(?:(?:Stadt|Gemeinde|Markt|Ortsgemeinde|Kreisstadt|Hansestadt)[ \t]+)?")


def _table_row_towns(text: str, bounds: list[tuple[int, int]], projects, towns, rule_relations: list[dict]) -> list[dict]:
    """"Gelsenkirchen | „Grüne Achse Ückendorf“, … | 5.240.000 Euro": a town that fills a cell of a project's table row
    (alone, or after "Stadt" or "Gemeinde") is the project's place."""
    cells_of: dict[int, list] = {}  # a row's start → the towns that fill a cell of it
    for t in towns:
        for m in t.mentions:
            a, b = table_row(text, m.start)
            if a is None or "in_name_of" in m.attrs:
                continue
            sep = "|" if "|" in text[a:b] else "\t"
            cell_a = text.rfind(sep, a, m.start) + 1 or a
            cell_b = text.find(sep, m.end, b)
            cell_b = b if cell_b < 0 else cell_b
            if TOWN_CELL_LEAD.fullmatch(text, cell_a, m.start) and not text[m.end:cell_b].strip():
                cells_of.setdefault(a, []).append(t)
    have = {(r["type"], r["from"], r["to"]) for r in rule_relations}
    out = []
    for p in projects:
        for m in p.mentions:
            a, _ = table_row(text, m.start)
            for t in cells_of.get(a, []) if a is not None else ():
                if ("project_town", p.name, t.name) not in have:
                    have.add(("project_town", p.name, t.name))
                    out.append(_project_relation("project_town", p, t, "relations:table_row_town", text, bounds))
    return out


def _heading_relations(text: str, bounds: list[tuple[int, int]], projects, headed: dict, rule_relations: list[dict]) -> list[dict]:
    """A project listed under a programme's heading (or labelled with it) belongs to that programme (rule programme_heading
    or programme_item_label, with the item's sentence as evidence) and to none of the programmes it excludes."""
    by_id = {id(p): p for p in projects}
    heading_of = {by_id[k].name: h for k, h in headed.items()}
    out = [r for r in rule_relations if not (r["type"] == "project_programme" and r["from"] in heading_of
                                             and heading_of[r["from"]].excludes(r["to"]))]
    have = {(r["type"], r["from"], r["to"]) for r in out}
    for k, h in headed.items():
        p = by_id[k]
        if ("project_programme", p.name, h.programme.name) not in have:
            out.append(_project_relation("project_programme", p, h.programme, h.rule, text, bounds))
    return out


# ---------------------------------------------------------------- references back to an institution
@lru_cache(maxsize=1)
def _anaphors() -> tuple[re.Pattern, dict[str, re.Pattern]]:
    """One pattern for every definite head noun of rules/relations.yaml, and what each form refers to."""
    refers = {form: regex_cache.compile(a.refers_to) for a in relation_cues().anaphors for form in a.forms}
    forms = "|".join(sorted(map(re.escape, refers), key=len, reverse=True)) or "(?!)"
    # the noun alone after its article, no name after it ("die Stiftung Mercator" is a name, found by the recognizers)
    return regex_cache.compile(r"(?<![\w-])(?:[Dd](?:er|ie|as|em|en|es))\s+(" + forms + r")(?=\s+[a-zäöüß„\"(]|\s*[.,;:!?)–]|\s*$)"), refers


def refer_back(text: str, institutions: list, taken: list[Evidence], sent_starts: list[int]) -> None:
    """'Mit 24.000 Euro unterstützt die Stiftung den „Geschichtspfad“': the definite noun is a mention of the institution
    it refers to, for the relation rules and the model (attrs 'anaphor'; records leave such mentions out).

    It refers to an institution named before it whose name fits the noun: the last one named in its paragraph,
    else the one the release names most often (the issuer's "die Stiftung" after a paragraph about another foundation)."""
    if not institutions:
        return
    rx, refers = _anaphors()
    named = sorted(((m.start, e) for e in institutions for m in e.mentions), key=lambda se: se[0])
    breaks = paragraph_breaks(text)
    added = []
    for hit in rx.finditer(text):
        start, end = hit.span(1)
        if any(m.start < end and start < m.end for m in taken):
            continue  # inside a name or title
        fits = refers[hit.group(1)]
        before = [(pos, e) for pos, e in named if pos < start and fits.search(e.name)]
        if not before:
            continue
        para = bisect.bisect_right(breaks, start)
        in_para = [e for pos, e in before if bisect.bisect_right(breaks, pos) == para]
        if in_para:
            ent = in_para[-1]
        else:
            counts: dict[int, int] = defaultdict(int)
            for _, e in before:
                counts[id(e)] += 1
            ent = max(reversed([e for _, e in before]), key=lambda e: counts[id(e)])  # ties: the last named
        added.append((ent, Evidence("institution", start, end, text[start:end], "relations:anaphor", 0.5,
                                    attrs={"anaphor": True}, sentence=_sentence_index(sent_starts, start))))
    for ent, ev in added:
        ent.mentions.append(ev)
    for ent in {id(e): e for e, _ in added}.values():
        ent.mentions.sort(key=lambda m: m.start)


# ---------------------------------------------------------------- helpers
def _add_alias(ent: Entity, alias: str) -> None:
    if norm(alias) != norm(ent.name) and all(norm(alias) != norm(a) for a in ent.aliases):
        ent.aliases.append(alias)


def group_simple(kind: str, evs: list[Evidence], key) -> list[Entity]:
    out: "OrderedDict[str, Entity]" = OrderedDict()
    for ev in sorted(evs, key=lambda e: e.start):
        k = key(ev)
        if k not in out:
            out[k] = Entity(kind, k, ev.text, attrs=dict(ev.attrs))
        out[k].mentions.append(ev)
        if ev.attrs.get("mod") and not out[k].attrs.get("mod"):
            out[k].attrs["mod"] = ev.attrs["mod"]
        if ev.attrs.get("time") and not out[k].attrs.get("time"):
            out[k].attrs["time"] = ev.attrs["time"]
    return list(out.values())


# ---------------------------------------------------------------- towns
QUARTER_NOUN = regex_cache.compile(r"\b(?:Stadtteil|Ortsteil|Stadtbezirk|Stadtviertel|Ortsteilen|Stadtteilen)\s+([A-ZÄÖÜ][\wäöüß-]+)")


def _looks_like_a_quarter(ent: Entity, towns: list[Entity], named_quarters: frozenset = frozenset()) -> bool:
    """'Altendorf' in a release about Essen: a village of that name 500 km away is not meant.

    A name the release itself calls a quarter ("im Stadtteil Altendorf") is one wherever it stands.

    A small municipality (under 5,000 inhabitants) named without evidence, far (over 100 km)
    from every other German town of the release, is read as a city quarter."""
    if all(m.text in named_quarters for m in ent.mentions):
        return True
    place = ent.attrs["place"]
    if place.country != "DE" or place.population >= 5000 or place.lat is None:
        return False
    if any("+" in m.rule.split("|")[0] for m in ent.mentions):
        return False  # "Stadt X", "in X", "X (Hessen)" …: evidence that a municipality is meant
    others = [t.attrs["place"] for t in towns if t is not ent and t.attrs["place"].country == "DE" and t.attrs["place"].lat is not None]
    return bool(others) and min(distance_km(place, o) for o in others) > 100


CAPITALISED_WORD = regex_cache.compile(r"[A-ZÄÖÜ][\wäöüß-]+")


LARGER_HOMONYM = 5  # a bare name is a much larger town's when it has this many times the population of the one named in full


def _nearer_to_others(place: Place, other: Place, anchors: list[Place]) -> bool:
    """place lies within 60 km of another town the release names, other does not."""
    def near(p: Place) -> bool:
        return p.lat is not None and any(a.key != p.key and a.lat is not None and distance_km(p, a) < 60 for a in anchors)
    return near(place) and not near(other)


def resolve_towns(text: str, towns_ev: list[Evidence]) -> list[Entity]:
    gaz = gazetteer()
    # the capitalised words, read once: for Länder, and for Kreise ("Rhein-Sieg-Kreis"; a one-letter
    # word, which this regex leaves out, ends in no "kreis")
    capitalised = CAPITALISED_WORD.findall(text)
    states_named = {gaz.state_of_form[w] for w in capitalised if w in gaz.state_names}
    kreise_named = {m.group(1) for m in re.finditer(r"(?:Landkreis(?:es)?|Kreis(?:es)?)\s+([A-ZÄÖÜ][\wäöüß-]+(?:\s[A-ZÄÖÜ][\wäöüß-]+)?)", text)}
    kreise_named |= {w for w in capitalised if w.endswith("-Kreis") or w.endswith("kreis")}
    chosen: dict[int, tuple[Place, str, float]] = {}
    anchors: list[Place] = []
    first_seen: dict[str, int] = {}  # where each municipality is first named unambiguously
    for ev in towns_ev:  # unambiguous forms first
        cands = gaz.candidates(ev.attrs["form"])
        if len(cands) == 1:
            chosen[id(ev)] = (cands[0], "unique name", 0.0)
            anchors.append(cands[0])
            first_seen.setdefault(cands[0].key, ev.start)
    bare_first: dict[str, int] = {}
    for ev in towns_ev:
        bare_first.setdefault(ev.attrs["form"], ev.start)
    for ev in towns_ev:
        if id(ev) in chosen:
            continue
        cands = gaz.candidates(ev.attrs["form"])
        reason, delta = None, 0.0
        pick = None
        hint = ev.attrs.get("state_hint")
        if hint:
            sub = [c for c in cands if c.state == hint]
            if sub:
                pick, reason = sub[0], f"Land in parentheses ({hint})"
        hint_d = ev.attrs.get("district_hint")
        if pick is None and hint_d:
            sub = [c for c in cands if c.district and (c.district == hint_d or c.district.startswith(hint_d))]
            if sub:
                pick, reason = sub[0], f"Kreis in parentheses ({hint_d})"
        if pick is None:
            # the town named in full elsewhere in the release ("Kirchheim unter Teck … in Kirchheim", "Hofheim i.UFr.",
            # "Heilbad Heiligenstadt … in Heiligenstadt") unless the bare name is a much larger town's, far from the
            # release's other towns ("Hamm … Hamm (Sieg)")
            full = list({a.key: a for a in anchors if _names_in_full(a.name, ev.attrs["form"])}.values())
            if len(full) == 1 and (cands[0] is full[0] or (cands[0].population or 0) < LARGER_HOMONYM * (full[0].population or 0)
                                   or _nearer_to_others(full[0], cands[0], anchors)):
                pick, reason = full[0], "same town named in full in the document"
        if pick is None:
            # a qualified name introduced before the bare one ("Frankfurt (Oder) … Frankfurt") is the same town;
            # one introduced after it ("Hamm … Hamm (Sieg)") distinguishes another town when the bare name is a much
            # larger one's, else it names the bare one in full ("Gutach … Gutach (Schwarzwaldbahn)")
            sub = [c for c in cands if c in anchors and first_seen.get(c.key, 1 << 30) < bare_first[ev.attrs["form"]]]
            if sub:
                pick, reason = sub[0], "same town named unambiguously in the document"
            else:
                later = [c for c in cands if c in anchors]
                if later and (later[0] is cands[0] or (cands[0].population or 0) < LARGER_HOMONYM * (later[0].population or 0)):
                    pick, reason = later[0], "same town named unambiguously in the document"
                elif later:
                    cands = [c for c in cands if c not in later]
        if pick is None and kreise_named:
            sub = [c for c in cands if c.district and any(c.district.startswith(k) or k.startswith(c.district) for k in kreise_named)]
            if len(sub) >= 1:
                pick, reason = sub[0], f"Kreis named in the document ({sub[0].district})"
        if pick is None and anchors:
            scored = sorted(((min(distance_km(c, a) for a in anchors), c) for c in cands if c.lat is not None), key=lambda t: t[0])
            if scored and scored[0][0] < 60 and (len(scored) == 1 or scored[1][0] > 2 * scored[0][0]):
                pick, reason = scored[0][1], f"nearest to other towns of the release ({scored[0][0]:.0f} km)"
        if pick is None and states_named:
            sub = [c for c in cands if c.state in states_named]
            if sub:
                pick, reason, delta = sub[0], "Land named in the document", -0.05
        if pick is None:
            pick, reason, delta = cands[0], "most populous of the homonyms", -0.2
        chosen[id(ev)] = (pick, reason, delta)
    entities: "OrderedDict[str, Entity]" = OrderedDict()
    for ev in sorted(towns_ev, key=lambda e: e.start):
        place, reason, delta = chosen[id(ev)]
        cands = gaz.candidates(ev.attrs["form"])
        if len(cands) > 1:
            ev.adjust(f"homonym resolved: {reason}", delta)
            ev.rule += "|resolve:" + reason.split(" (")[0].replace(" ", "_")
        ent = entities.get(place.key)
        if ent is None:
            ent = entities[place.key] = Entity("town", place.key, place.name, attrs={"place": place, "others": []})
        ent.mentions.append(ev)
        if len(cands) > 1:
            for c in cands[:6]:
                if c.key != place.key and c.key not in [o.key for o in ent.attrs["others"]]:
                    ent.attrs["others"].append(c)
    _exonyms_in_parentheses(text, entities)
    for ent in entities.values():
        place: Place = ent.attrs["place"]
        surfaces = [_titled(text, m, m.attrs["form"] if m.text.isupper() else m.text) for m in ent.mentions]  # "DETMOLD." names Detmold
        official = [s for s in surfaces if s.partition(" ")[0] in town_evidence().name_titles] \
            or [s for s in surfaces if s == place.name]
        ent.name = official[0] if official else max(set(surfaces), key=lambda s: (surfaces.count(s), len(s)))
        for s in surfaces + [place.name]:
            _add_alias(ent, s)
    return list(entities.values())


def _titled(text: str, mention: Evidence, surface: str) -> str:
    """"Lutherstadt Wittenberg": the name with the title of its official name when the text puts the title before it."""
    for title in town_evidence().name_titles:
        if text.endswith(title + " ", 0, mention.start):
            return f"{title} {surface}"
    return surface


def _names_in_full(official: str, form: str) -> bool:
    """The official name is the bare one with what follows it ("Kirchheim unter Teck") or a one-word title before it
    ("Heilbad Heiligenstadt", "Lutherstadt Wittenberg")."""
    if official.startswith(form + " "):
        return True
    head, _, rest = official.partition(" ")
    return rest == form and head[:1].isupper()


def _exonyms_in_parentheses(text: str, entities: "OrderedDict[str, Entity]") -> None:
    """"Jelenia Góra (Hirschberg)", "Liberec (Reichenberg)": a German town's name in parentheses right after a foreign
    town is that town's German name, not the German municipality of the name: its mentions, there and wherever the
    release uses the name again, go to the foreign town."""
    foreign_at = {m.end: ent for ent in entities.values() if ent.attrs["place"].country != "DE" for m in ent.mentions}
    if not foreign_at:
        return
    for key, ent in list(entities.items()):
        if ent.attrs["place"].country != "DE":
            continue
        for m in list(ent.mentions):
            before = text[max(0, m.start - 4):m.start]
            if not before.rstrip(" \t").endswith("(") or not text[m.end:m.end + 3].lstrip(" \t").startswith(")"):
                continue
            j = m.start
            while j > 0 and text[j - 1] in " \t(":
                j -= 1
            owner = foreign_at.get(j)
            if owner is not None and text[j:m.start].count("(") == 1:
                for same in [o for o in ent.mentions if o.attrs["form"] == m.attrs["form"]]:
                    ent.mentions.remove(same)
                    same.rule += "|resolve:exonym"
                    same.adjust("the German name of the foreign town named with it in parentheses", 0.0)
                    owner.mentions.append(same)
                owner.mentions.sort(key=lambda e: e.start)
        if not ent.mentions:
            del entities[key]


# ---------------------------------------------------------------- institutions
def resolve_institutions(evs: list[Evidence], doc_date: Optional[str], text: str = "") -> list[Entity]:
    reg = institutions_by_id()
    year = int(doc_date[:4]) if doc_date else None
    full = [e for e in evs if not e.attrs.get("is_acronym")]
    acr = [e for e in evs if e.attrs.get("is_acronym")]
    entities: "OrderedDict[str, Entity]" = OrderedDict()
    # registry entries the release names unambiguously ("Bundesministerium für Forschung, Technologie und Raumfahrt",
    # "BMFTR"): a form shared by several name periods ("Bundesforschungsministerium") is the one the release names
    named = {ev.attrs["registry_ids"][0] for ev in evs if len(ev.attrs.get("registry_ids") or ()) == 1}

    def key_of(ev: Evidence) -> str:
        ids = ev.attrs.get("registry_ids")
        if ids:
            shown = [i for i in ids if i in named]
            if len(ids) > 1 and len(shown) == 1:
                return "reg:" + shown[0]
            return "reg:" + (_by_period([reg[i] for i in ids], year).id if len(ids) > 1 else ids[0])
        canon = ev.attrs.get("canonical") or ev.text
        e = _registry_by_norm().get(norm(canon))  # a pattern name that is a registry name or alias
        if e is not None:
            ev.attrs["registry_ids"] = [e.id]
            ev.attrs["canonical"] = e.name
            return "reg:" + e.id
        head, _, last = canon.rpartition(" ")
        if head and last.isupper():  # "Fraunhofer-Institut für Bauphysik IBP": a registry name and its acronym, as named
            e = _registry_by_norm().get(norm(head))
            if e is not None and last in e.acronyms:
                ev.attrs["registry_ids"] = [e.id]
                return "reg:" + e.id
        return "txt:" + _town_neutral(canon)

    for ev in sorted(full, key=lambda e: e.start):
        k = key_of(ev)
        ent = entities.get(k)
        if ent is None:
            ent = entities[k] = Entity("institution", k, ev.attrs.get("canonical") or ev.text,
                                       attrs={"registry_id": k[4:] if k.startswith("reg:") else None})
        ent.mentions.append(ev)
        if ev.attrs.get("acronym"):
            ent.attrs["acronym"] = ev.attrs["acronym"]
    for ent in entities.values():
        rid = ent.attrs.get("registry_id")
        if rid and not ent.attrs.get("acronym") and reg[rid].acronyms:
            ent.attrs["registry_acronyms"] = reg[rid].acronyms
    _acronyms_defined_in_text(entities, acr, text)
    for ev in sorted(acr, key=lambda e: e.start):
        # the body the text gives the acronym to, else the registry body whose acronym it is
        target = next((ent for ent in entities.values() if ent.attrs.get("acronym") == ev.text), None) \
            or next((ent for ent in entities.values() if ev.text in ent.attrs.get("registry_acronyms", [])), None)
        if target is not None and ev.attrs.get("registry_ids") and target.attrs.get("registry_id") not in ev.attrs["registry_ids"]:
            ev.adjust("acronym given in the text to this body, not the registry's", 0.0)
        if target is None and ev.attrs.get("registry_ids"):
            ids = ev.attrs["registry_ids"]
            choice = _by_period([reg[i] for i in ids], year)
            k = "reg:" + choice.id
            target = entities.get(k) or entities.setdefault(k, Entity("institution", k, choice.name, attrs={"registry_id": choice.id}))
            if len(ids) > 1:
                ev.adjust("acronym of several name periods: chosen by the document date" if year else "acronym of several name periods: current name", -0.1)
        if target is None:
            canon = ev.attrs.get("canonical") or ev.text
            k = "txt:" + norm(canon)
            target = entities.setdefault(k, Entity("institution", k, canon, attrs={}))
        target.mentions.append(ev)
        target.attrs["acronym"] = ev.text
    _merge_prefixes(entities)
    _merge_short_forms(entities)
    _merge_parenthesised(entities, text)
    _merge_acronym_headed(entities)
    for ent in entities.values():
        ent.mentions.sort(key=lambda e: e.start)
        rid = ent.attrs.get("registry_id")
        if rid:
            entry = reg[rid]
            ent.attrs["kind"] = entry.kind
            ent.attrs["level"] = entry.level
            # the register's name where the text shows it (in any inflection), else the text's own full form
            shown = [m for m in ent.mentions if not m.attrs.get("is_acronym")]
            with_legal_form = [m.attrs["canonical"] for m in shown if m.attrs.get("with_legal_form")]
            if with_legal_form:  # "Robert Bosch Stiftung GmbH": the register's name with the legal form the text adds
                ent.name = with_legal_form[0]
            elif not shown or any(norm(m.attrs.get("canonical") or "") == norm(entry.name) and "registry.alias" not in m.rule for m in shown):
                ent.name = entry.name
            else:
                ent.name = max((m.attrs.get("canonical") if "pattern" in m.rule else m.text for m in shown), key=len)
            _add_alias(ent, entry.name)
        for m in ent.mentions:
            _add_alias(ent, m.text)
    return list(entities.values())


ACRONYM_HEADED = regex_cache.compile(r"([A-ZÄÖÜ]{2,5}) (\S.*)")  # "LAG Westlausitz": an acronym and the body's own name


def _merge_acronym_headed(entities: "OrderedDict[str, Entity]") -> None:
    """"die LAG Westlausitz" in a release that names the "Lokale Aktionsgruppe Westlausitz": an acronym and a name is the
    body whose name is that name after words the acronym spells (a legal form after it aside)."""
    legal = _legal_forms()
    for k in list(entities):
        m = ACRONYM_HEADED.fullmatch(entities[k].name)
        if m is None:
            continue
        acronym, tail = m.group(1), _without_legal_form(norm(m.group(2)), legal)
        for ok, other in entities.items():
            name = _without_legal_form(norm(other.name), legal)
            if ok != k and name.endswith(" " + tail) and _spells(acronym, name[: len(name) - len(tail)].strip()):
                other.mentions.extend(entities.pop(k).mentions)
                break


def _without_legal_form(name: str, legal: frozenset) -> str:
    """A normalised name without the legal form at its end ("… fläming-havel e.v.", "… cham e. v.")."""
    words = name.split(" ")
    for n in (2, 1):
        if len(words) > n and "".join(words[-n:]) in legal:
            return " ".join(words[:-n])
    return name


def _acronyms_defined_in_text(entities: "OrderedDict[str, Entity]", acronyms: list[Evidence], text: str) -> None:
    """"Landesamt für Umwelt Brandenburg (LfU)": an acronym in parentheses right after a body's name is that body's in
    this release, wherever it stands alone, though the registry gives it to another body (Bavaria's LfU)."""
    defined = [ev for ev in acronyms if text.startswith(")", ev.end)]  # most acronyms stand alone
    if not defined:
        return
    by_end = {m.end: ent for ent in entities.values() for m in ent.mentions}
    for ev in defined:
        if ev.text in (ent.attrs.get("acronym") for ent in entities.values()):
            continue
        j = ev.start
        while j > 0 and text[j - 1] in " \t(":
            j -= 1
        owner = by_end.get(j)
        if owner is not None and SHORT_FORM_PAREN.fullmatch(text, j, ev.start) and _spells(ev.text, owner.name):
            owner.attrs["acronym"] = ev.text


def _spells(acronym: str, name: str) -> bool:
    """The acronym's letters stand in the name in their order, the first at its start ("LfU": "Landesamt für Umwelt
    Brandenburg"); "Innovationsausschuss beim Gemeinsamen Bundesausschuss (G-BA)" gives G-BA to the body inside it."""
    letters = [c.lower() for c in acronym if c.isalpha()]
    if not letters or not name or name[0].lower() != letters[0]:
        return False
    rest = iter(name.lower())
    return all(c in rest for c in letters)


def _town_neutral(name: str) -> str:
    """A body's name with the town it ends with as that town's key: "Landratsamt Neumarkt i.d.OPf." and "Landratsamt
    Neumarkt in der Oberpfalz" (two forms of one town's name) are one body."""
    words = name.split(" ")
    by_form = gazetteer().by_form
    for i in range(1, len(words)):
        keys = by_form.get(" ".join(words[i:]))
        if keys:
            return norm(" ".join(words[:i])) + " @" + keys[0]
    return norm(name)


def _merge_prefixes(entities: "OrderedDict[str, Entity]") -> None:
    """'Ministerium für Bildung' is 'Ministerium für Bildung Rheinland-Pfalz' when the text names both; 'Stadtwerke
    Eckernförde' is 'Stadtwerke Eckernförde GmbH' (a name without its legal form)."""
    states = gazetteer().state_names
    legal = _legal_forms()
    keys = list(entities)
    for a in keys:
        for b in keys:
            if a == b or a not in entities or b not in entities:
                continue
            na, nb = norm(entities[a].name), norm(entities[b].name)
            rest = nb[len(na):].strip() if nb.startswith(na + " ") else None
            if rest and (rest in {norm(x) for x in states} or rest.startswith(("des landes", "des freistaates", "der freien"))
                         or rest.replace(" ", "") in legal):
                entities[b].mentions.extend(entities[a].mentions)
                del entities[a]
            elif nb.endswith(" " + na) and " " not in entities[b].name[: len(entities[b].name) - len(entities[a].name) - 1] \
                    and (_state_body().match(entities[b].name) or NATIONAL_ADJECTIVE.match(entities[b].name)):
                # "des Landesamtes für …" after "das Thüringer Landesamt für …", "der Landkreistag" after "der Deutsche
                # Landkreistag": the Land's or the nation's adjective left out
                entities[b].mentions.extend(entities[a].mentions)
                del entities[a]


NATIONAL_ADJECTIVE = regex_cache.compile(r"Deutsche[rsn]?\s")  # "Deutscher Landkreistag", "Deutsches Rotes Kreuz"


@lru_cache(maxsize=1)
def _legal_forms() -> frozenset:
    """The legal forms that close a name (rules/institution_patterns.yaml), normalised without spaces ('e.v.', 'gmbh')."""
    return frozenset(norm(x).replace(" ", "") for x in institution_patterns().legal_suffixes)


@lru_cache(maxsize=1)
def _state_body() -> re.Pattern:
    """A name that opens with a Land's adjective ('Thüringer', 'Bayerisches'), from rules/relations.yaml."""
    return next(regex_cache.compile(g.regex) for g in relation_cues().government_levels if g.level == "state")


def _merge_short_forms(entities: "OrderedDict[str, Entity]") -> None:
    """'die Kollegin von der Caritas' in a release that names the 'Caritasverband für das Bistum Erfurt e. V.':
    a one-word short form the registry knows for a national body is the local body the release names in full."""
    for a in list(entities):
        ea = entities[a]
        shorts = {m.text for m in ea.mentions}
        if not a.startswith("reg:") or len(shorts) != 1 or not all("registry.alias" in m.rule for m in ea.mentions):
            continue
        short = next(iter(shorts))
        if " " in short:
            continue
        target = next((e for k, e in entities.items() if k.startswith("txt:") and e.name.startswith(short) and len(e.name) > len(short)), None)
        if target is not None:
            target.mentions.extend(ea.mentions)
            del entities[a]


SHORT_FORM_PAREN = regex_cache.compile(r"[ \t]*\([ \t]*$")  # from the end of the name before to the name in parentheses


def _merge_parenthesised(entities: "OrderedDict[str, Entity]", text: str) -> None:
    """'Technische Universität Delft (TU Delft)', '… in Deutschland (Stiftung KiBa)': a name in parentheses right after
    another is its short form, wherever the release uses it (acronyms alone are merged by their own rule).
    A registry body is not merged into another body."""
    if not text:
        return
    owner: dict[int, tuple[str, Evidence]] = {}  # a mention's end → (entity key, mention)
    for k, e in entities.items():
        for m in e.mentions:
            owner[m.end] = (k, m)
    for kb in list(entities):
        eb = entities.get(kb)
        if eb is None:
            continue
        for m in eb.mentions:
            lead = SHORT_FORM_PAREN.search(text, max(0, m.start - 8), m.start)  # a few characters only: the hot path
            if lead is None or not text.startswith(")", m.end):
                continue
            ka = owner.get(lead.start(), (None, None))[0]
            if ka is None or ka == kb or ka not in entities or kb.startswith("reg:") and ka.startswith("reg:"):
                continue
            if "register.union" in m.rule:
                continue  # "Dorfgemeinschaft Ducherow e.V. (Amt Anklam-Land)": the union the club is in, not its short form
            keep, drop = (kb, ka) if kb.startswith("reg:") else (ka, kb)  # the registry's entry keeps its name
            entities[keep].mentions.extend(entities[drop].mentions)
            del entities[drop]
            break


@lru_cache(maxsize=1)
def _registry_by_norm() -> dict:
    out = {}
    for e in institution_registry().institutions:
        for n in [e.name] + e.aliases:
            out.setdefault(norm(n), e)
    return out


def _by_period(entries, year: Optional[int]):
    if year is not None:
        for e in entries:
            if (e.valid_from or 0) <= year <= (e.valid_to or 9999) and e.valid_to:
                return e
        for e in entries:
            if (e.valid_from or 0) <= year <= (e.valid_to or 9999):
                return e
    current = [e for e in entries if not e.valid_to]
    return (current or entries)[0]


# ---------------------------------------------------------------- programmes and projects
# a funding period's mark inside a programme's name: "Interreg VI A", "Interreg V-A", "LEADER 2023-2027"
PERIOD_MARK = regex_cache.compile(r"(?<=\s)(?:[IVX]{1,4}(?:[ -]?[ABC])?|(?:19|20)\d\d\s*[-–/]\s*(?:19|20)?\d\d)(?=\s|$)")


YEAR_IN_NAME = regex_cache.compile(r"\b(?:19|20)\d\d\b")
SUBTITLE_MARK = regex_cache.compile(r"\s*(?:-|:)\s")
EDITION_YEAR = regex_cache.compile(r" (?:19|20)\d\d")  # after a name: "Klimaaktive Kommune 2026"


PROGRAMME_NOUNS = ("programm", "fonds", "richtlinie")  # a one-word programme noun before a name ("Landesprogramm Wirtschaft")


def _is_subtitled(name: str, other: str) -> bool:
    """other is name with a subtitle after a dash or colon ("Dorf.Gemeinschaft.Zukunft – Engagementpreis 2023") or with
    the year of an edition ("Klimaaktive Kommune 2026"); a prefix test and fixed patterns, not a pattern made from every
    name (compiled anew for most names)."""
    return other.startswith(name) and (SUBTITLE_MARK.match(other, len(name)) is not None
                                       or EDITION_YEAR.fullmatch(other, len(name)) is not None)


def _edition_of(name: str, names: set[str]) -> bool:
    """name is one of names with the year of an edition after it ("klimaaktive kommune 2026")."""
    m = EDITION_YEAR.search(name, max(0, len(name) - 5))
    return m is not None and m.end() == len(name) and name[:m.start()] in names


def resolve_programmes(evs: list[Evidence]) -> list[Entity]:
    entities: "OrderedDict[str, Entity]" = OrderedDict()
    acronyms: dict[str, str] = {}
    for ev in sorted(evs, key=lambda e: (e.attrs.get("is_acronym", False), e.start)):
        canon = ev.attrs["canonical"]
        k = "reg:" + ev.attrs["registry_id"] if ev.attrs.get("registry_id") else "txt:" + norm(canon)
        if k not in entities and norm(canon) in acronyms:
            k = acronyms[norm(canon)]
        if k not in entities:
            # "WIR" quoted alone joins "WIR – Wegweisende …" of the same document
            for ok, ent in entities.items():
                if norm(ent.name).startswith(norm(canon) + " ") and len(canon) <= 10:
                    k = ok
                    break
        ent = entities.setdefault(k, Entity("programme", k, canon, attrs={"registry_id": ev.attrs.get("registry_id"), "acronym": ev.attrs.get("acronym")}))
        ent.mentions.append(ev)
        if ent.attrs.get("acronym"):
            acronyms[norm(ent.attrs["acronym"])] = k
    # "Dorf.Gemeinschaft.Zukunft – Engagementpreis 2023" and "Dorf.Gemeinschaft.Zukunft": one programme
    for k in list(entities):
        ent = entities.get(k)
        if ent is None:
            continue
        for ok, other in list(entities.items()):
            if other is not ent and ok in entities and _is_subtitled(norm(ent.name), norm(other.name)):
                ent.mentions.extend(other.mentions)
                if not ent.attrs.get("registry_id") and not YEAR_IN_NAME.search(other.name[len(ent.name):]):
                    # the whole name is the programme's ("denkmal aktiv – Kulturerbe macht Schule"); a subtitle with a
                    # year names an edition of it ("Dorf.Gemeinschaft.Zukunft – Engagementpreis 2023")
                    ent.name = other.name
                if other.attrs.get("acronym") and not ent.attrs.get("acronym"):
                    ent.attrs["acronym"] = other.attrs["acronym"]
                del entities[ok]
    # "aus dem Landesprogramm ZILE" in a release that defines "„Zuwendungen zur integrierten ländlichen Entwicklung“ (ZILE)"
    # later: another programme's acronym, alone or after a programme noun, names that programme
    by_acronym = {norm(e.attrs["acronym"]): k for k, e in entities.items() if e.attrs.get("acronym")}
    for k in list(entities):
        head, _, rest = norm(entities[k].name).rpartition(" ")
        target = by_acronym.get(rest)
        if target not in (None, k) and target in entities and (not head or " " not in head and head.endswith(PROGRAMME_NOUNS)):
            entities[target].mentions.extend(entities.pop(k).mentions)
    # "Wirtschaft" after "Landesprogramm" where the release also reads "Landesprogramm Wirtschaft" as one name: that programme
    for k in list(entities):
        tail = " " + norm(entities[k].name)
        whole = [o for ok, o in entities.items() if ok != k and (n := norm(o.name)).endswith(tail)
                 and " " not in n[:len(n) - len(tail)] and n[:len(n) - len(tail)].endswith(PROGRAMME_NOUNS)]
        if len(whole) == 1:
            whole[0].mentions.extend(entities.pop(k).mentions)
    # "Zusage aus Interreg" in a release about "Interreg Deutschland-Danmark": a registry umbrella named bare, where the
    # release names one programme under that name, is that programme
    for k in [k for k in entities if k.startswith("reg:")]:
        bare = norm(entities[k].name)
        if any(norm(m.attrs["canonical"]) != bare for m in entities[k].mentions):
            continue  # named with more than the umbrella's name ("JUGEND STÄRKEN: Brücken in die Eigenständigkeit")
        specific = [o for ok, o in entities.items() if ok != k and norm(o.name).startswith(bare + " ")]
        if len(specific) == 1:
            specific[0].mentions.extend(entities.pop(k).mentions)
    registry = programmes_by_id()
    # "des Heimat-Förderprogramms" (found by its suffix) is the registry's "Heimat-Förderprogramm" the release also names
    for k, ent in list(entities.items()):
        entry = registry.get(ent.attrs.get("registry_id") or "")
        if entry is None:
            continue
        names = {norm(n) for n in [entry.name] + entry.aliases}
        for ok, other in list(entities.items()):
            # "Interreg VI A Deutschland-Nederland": the registry's name with the funding period's mark in it
            # "Klimaaktive Kommune 2026": an edition of the registry's competition
            if ok.startswith("txt:") and (norm(other.name) in names or norm(PERIOD_MARK.sub(" ", other.name)) in names
                                          or _edition_of(norm(other.name), names)):
                ent.mentions.extend(other.mentions)
                del entities[ok]
    for ent in entities.values():
        ent.mentions.sort(key=lambda e: e.start)
        entry = registry.get(ent.attrs.get("registry_id") or "")
        if entry is not None:
            # the register's name where the text shows it, else the text's own name ("Horizon Europe")
            shown = {norm(m.text) for m in ent.mentions if not m.attrs.get("is_acronym")}
            ent.name = entry.name
            versions = {m.attrs["canonical"] for m in ent.mentions if m.attrs.get("version")}
            periods = {m.attrs["canonical"] for m in ent.mentions if m.attrs.get("period")}
            if len(versions) == 1:
                ent.name = versions.pop()  # "DigitalPakt Schule 2.0": the version the release names
            elif len(periods) == 1 and not shown & {norm(v) for v in adjective_variants(entry.name)}:
                ent.name = periods.pop()  # "Interreg VI A Großregion", where the release never writes "Interreg Großregion"
            elif shown and not shown & {norm(v) for v in adjective_variants(entry.name)}:
                # the text uses another name of the register ("Horizon Europe"): that one, in the nominative
                for alias in entry.aliases:
                    if shown & {norm(v) for v in adjective_variants(alias)}:
                        ent.name = alias
                        break
            _add_alias(ent, entry.name)
        for m in ent.mentions:
            _add_alias(ent, m.text)
        if ent.attrs.get("acronym"):
            _add_alias(ent, ent.attrs["acronym"])
    return list(entities.values())


def resolve_projects(text: str, evs: list[Evidence]) -> list[Entity]:
    entities: "OrderedDict[str, Entity]" = OrderedDict()
    for ev in sorted(evs, key=lambda e: (-e.score, e.start)):
        canon = ev.attrs["canonical"].strip()
        k = norm(canon)
        for ok, ent in entities.items():  # "Name: Untertitel" and "Name" are one project ("KaSkade – Kaskadennutzung …")
            if k.startswith((ok + ":", ok + " -")) or ok.startswith((k + ":", k + " -")):
                k = ok
                break
        ent = entities.setdefault(k, Entity("project", k, canon))
        ent.mentions.append(ev)
    _merge_headline_short_forms(text, entities)
    _merge_spelled_out_forms(text, entities)
    for ent in entities.values():
        ent.mentions.sort(key=lambda e: e.start)
        for m in ent.mentions:
            _add_alias(ent, m.text)
    # later quotes that extend a project name ("Name: Untertitel") become aliases
    for o_s, o_e, i_s, i_e in quoted(text):
        inner = text[i_s:i_e]
        for ent in entities.values():
            if norm(inner).startswith(norm(ent.name) + ":"):
                _add_alias(ent, inner)
    return sorted(entities.values(), key=lambda e: e.mentions[0].start)


# "das Projekt ZIRKEL („Zirkuläres Bauen in der Großregion“)": a short name and, in parentheses, what it stands for
SPELLED_OUT = regex_cache.compile(r"[ \t]*\([ \t]*[„“\"»]([^„“”\"«»\n()]{3,120})[“”\"«][ \t]*\)")


# "das Vorhaben „Quantensensorik für die Medizintechnik“ (QuantSens)": a name and its short form in parentheses
SHORT_FORM_AFTER = regex_cache.compile(r"[“”\"«]?[ \t]*\([ \t]*([^()\n„“”\"]{2,30}?)[ \t]*\)")


def _merge_spelled_out_forms(text: str, entities: "OrderedDict[str, Entity]") -> None:
    """A one-word project name followed by its spelled-out form in quotes and parentheses is one project under the short
    name, the long form its alias; a name followed by a short form in parentheses that the release also names as a
    project ("„Quantensensorik für die Medizintechnik“ (QuantSens)" and a heading "QuantSens") is one project under
    the long name."""
    _merge_named_in_parentheses(text, entities, SPELLED_OUT, lambda ent: " " not in ent.name)
    _merge_named_in_parentheses(text, entities, SHORT_FORM_AFTER, lambda ent: True)


def _merge_named_in_parentheses(text: str, entities: "OrderedDict[str, Entity]", pattern, takes) -> None:
    """Into each entity that takes it, the other entity whose name stands in parentheses right after one of its mentions."""
    for k in list(entities):
        ent = entities.get(k)
        if ent is None or not takes(ent):
            continue
        for m in list(ent.mentions):
            after = pattern.match(text, m.end)
            other = norm(after.group(1).strip()) if after else None
            if other and other != k and other in entities:
                ent.mentions.extend(entities.pop(other).mentions)
                break


def _merge_headline_short_forms(text: str, entities: "OrderedDict[str, Entity]") -> None:
    """A project named only in the headline by the first words of a longer name the text gives later is that
    project („Gemeinsam ankommen“: Landkreis startet … / das Projekt „Gemeinsam ankommen im Osnabrücker Land“)."""
    from pipeline.components.projects import title_line

    title = title_line(text)
    if title is None:
        return
    for k in list(entities):
        short = entities[k]
        if not all(title[0] <= m.start < title[1] for m in short.mentions):
            continue
        longer = [e for ok, e in entities.items() if ok != k and ok.startswith(k + " ")]
        if len(longer) == 1:
            longer[0].mentions.extend(short.mentions)
            del entities[k]


# ---------------------------------------------------------------- relations
# from a project's name to a word in its relative clause: "„RhizoMix“, das die …"
RELATIVE_CLAUSE = regex_cache.compile(r"[“”\"']?\s*,\s*(?:das|die|der|welches|welche)\s+(?:[^,.;:!?„“\"]{0,60}\s)?(?:die|der|das|den)?\s*")
LOCATIVE = regex_cache.compile(r"(?:\b(?:in|im|an|am|bei|beim|mit|aus|zur|zum|nach|auf)\s+(?:der|dem|den|die|das)?\s*|\b(?:in|im|an|bei|beim|zur|zum)\s+)$")
SUBJECT = regex_cache.compile(r"(?:^|[.:;!?\n]\s*|\b(?:hat|haben|wird|werden|hatte|unterstützt|fördert|fördern|finanziert|stellt|stellen|gibt|bewilligt|überreicht|übergibt)\s+)(?:das|der|die|Das|Der|Die)\s+$")
PASSIVE_BY = regex_cache.compile(r"[^.;:!?]{0,40}?\b(?:wird|werden|wurde|wurden)\b[^.;:!?]{0,40}?\b(?:vom|von der|von|durch(?:\s+(?:den|die|das))?)\s+")
PASSIVE_AND_BY = regex_cache.compile(r"\s*(?:,|und|sowie)\s+(?:[^.;:!?]{0,20}\s)?(?:vom|von der|von|durch(?:\s+(?:den|die|das))?)\s+")
PASSIVE_PARTICIPLE = regex_cache.compile(r"(?:\s*\([^)]{1,15}\))?[^.;:!?,]{0,40}?\b(?:gefördert|finanziert|kofinanziert|gesteuert|getragen|verwaltet|betreut|koordiniert|umgesetzt|ausgelobt|aufgelegt|verantwortet|abgewickelt)\b")
MONEY_SUBJECT = regex_cache.compile(r"\s*(?:Die|Diese)\s+(?:\w+\s+)?(?:Mittel|Fördermittel|Gelder|Fördergelder|Zuschüsse)\b")
ITEM_HEAD = regex_cache.compile(LIST_ITEM.pattern + r"(?:(?:Stadt|Gemeinde|Markt|Kreisstadt|Hansestadt|Ortsgemeinde|Samtgemeinde)\s+)?")
PARENT_GAP = regex_cache.compile(r"\)?(?:\s*\([^)]{1,15}\))?\s+(?:im|in der|beim|bei der)\s+")
GENITIVE_GAP = regex_cache.compile(r"(?:[“”\"'\s)\](#]|-Programms?|-Förderprogramms?|\([A-Za-z+]+\))*(?:(?:des Bundes|des Landes|des Freistaate?s)\s+)?"
                          r"(?:des|der|vom|von der|von)\s+")  # "… des Bundes vom Bundesministerium …"
RELATIVE_GAP = regex_cache.compile(r"(?:[“”\"'\s)\](#]|\([A-Za-z+]+\))*,\s*(?:das|die|der|den)\s+(?:vom|von der|von dem|durch das|durch die|durch den)\s+")
# "… aus dem Landesprogramm Wirtschaft, mit dem das Ministerium für … Investitionen unterstützt": the subject of a
# relative clause on the programme, whose verb funds or runs it (RELATIVE_FUNDING_VERB before the clause ends)
RELATIVE_SUBJECT_GAP = regex_cache.compile(r"(?:[“”\"'\s)\](#]|\([A-Za-z+]+\))*,\s*(?:mit|über|aus)\s+(?:dem|der|denen)\s+(?:das|die|der)\s+")
RELATIVE_FUNDING_VERB = regex_cache.compile(r"[^.;:!?,]{0,120}?\b(?:unterstützt|fördert|finanziert|vergibt|bezuschusst|stärkt|auflegt|begleitet)\b")
CLAUSE_WORD = regex_cache.compile(r"[\wäöüÄÖÜß-]+")
# the patterns find_relations tries per sentence and per mention, compiled once
PROJECT_GENITIVE_GAP = regex_cache.compile(r"[“”\"'\s]*(?:des|der|vom|von der)\s+")
PROJECT_TOWN_GAP = regex_cache.compile(r"[“”\"'\s]*(?:der|in der)\s+(?:Stadt|Gemeinde|Hansestadt)\s+")
TOWN_HEADS_LINE = regex_cache.compile(r"\s*(?:\([^)]*\)\s*)?[:–—-].*", re.S)
# „Grenzgeschichten erzählen“ (Ellrich): the project's place in parentheses right after its name
PROJECT_PAREN_TOWN = regex_cache.compile(r"[“”\"'«»]?[ \t]*\([ \t]*")
PAREN_TOWN_END = regex_cache.compile(r"[ \t]*(?:\)|,[^()\n]{0,40}\))")
FUNDING_FRAME = regex_cache.compile(r"\b(?:aus|im Rahmen|mit Mitteln)\b")
PROJECT_WORD = regex_cache.compile(r"[Pp]rojekt|[Vv]orhaben")
FUNDER_PREPOSITION_END = regex_cache.compile(r"(?:von der|vom|durch|über)\s*$")
ACTOR_LEAD = regex_cache.compile(r"\s*(?:(?:Das|Der|Die)\s+(?:\w+\s+)?(?:der|des)\s+|(?:Das|Der|Die)\s+|[\wäöü]+\s+(?:der|des)\s+)?")
ACTING_VERB = regex_cache.compile(r"\b(?:übernimmt|übernehmen|untersucht|erstellt|entwickelt|stellt|liefert|begleitet|berät|betreibt|organisiert|koordiniert|baut|plant|führt|bietet|evaluiert|bringt|setzt)\b")
THE_PROJECT = regex_cache.compile(r"\b(?:[Dd]as|[Dd]es|[Dd]em)\s+(?:\w+\s+){0,2}(?:\w*[Pp]rojekts?|\w*[Pp]rojektes|Vorhabens?)\b")
PLACE_LEAD = regex_cache.compile(r"(?:\bin|\bim|Stadt|Gemeinde|Hansestadt|Kommune)\s*$")
# the money of a sentence goes to a town: "geht mit 6,2 Millionen Euro nach Görlitz", "Gut 312.000 Euro fließen nach Ohorn"
MONEY_TO_TOWN = regex_cache.compile(r"\b(?:geht|gehen|ging|gingen|fließt|fließen|floss|flossen)\b[^.;:!?]{0,60}?\bnach\s+$")
SENTENCE_PLACE_LEAD = regex_cache.compile(r"\s*(?:In|Im)\s+")
MUNICIPALITY_LEAD = regex_cache.compile(r"(?:Stadt|Gemeinde|Kommune)\s*$")
CONTACT_LINE = regex_cache.compile(r"\b\d{5}\s|Tel\.|E-Mail|@")
HEADLINE_PLACE_LEAD = regex_cache.compile(r"(?:\bin|\bfür|Stadt|Gemeinde)\s*$")


def find_relations(text: str, sent_starts: list[int], towns, institutions, programmes, projects,
                   words_by_sentence: Optional[list[frozenset]] = None) -> list[dict]:
    """Relations from cue words, genitives and the release's funding frame.

    A funding sentence (funding verb or a sum of money) names programmes that pay for projects and
    institutions that fund them; when it names no project it frames every project of the release.
    Partner and town sentences attach to the project of their paragraph.
    """
    cues = relation_cues()
    funding = {w.lower() for w in cues.funding}
    partner = {w.lower() for w in cues.partner}
    strong_partner = {w.lower() for w in cues.strong_partner}
    town_cues = {w.lower() for w in cues.towns}
    if not projects and not programmes:
        return []
    main = main_project(projects)
    sent_bounds = sentence_bounds(text, sent_starts)
    relations: "OrderedDict[tuple, dict]" = OrderedDict()
    if words_by_sentence is None:
        words_by_sentence = sentence_words(text, sent_bounds, towns, programmes + projects)
    para_of = paragraph_of(text, sent_bounds)

    def rel(kind, src, dst, s, rule):
        key = (kind, src.name, dst.name)
        if key not in relations and src is not dst:
            relations[key] = {"type": kind, "from": src.name, "to": dst.name, "rule": rule,
                              "evidence": sentence_evidence(text, *sent_bounds[s], s)}

    # sentence → [(entity, mention)] of each type, built once: the loop below asks for every sentence
    projects_at, programmes_at, institutions_at, towns_at = (_mentions_by_sentence(entities) for entities in
                                                             (projects, programmes, institutions, towns))

    def paragraph_project(s):
        """The project this sentence speaks of: named in it, else the last one named in its paragraph."""
        named = [e for e, _ in projects_at.get(s, ())]
        if named:
            return list(OrderedDict.fromkeys(named))
        for t in range(s - 1, -1, -1):
            if para_of[t] != para_of[s]:
                break
            named = [e for e, _ in projects_at.get(t, ())]
            if named:
                return [named[-1]]
        for t in range(s + 1, len(sent_bounds)):  # the paragraph names its project after this sentence
            if para_of[t] != para_of[s]:
                break
            named = [e for e, _ in projects_at.get(t, ())]
            if named:
                return [named[0]]
        return [main] if main else []

    list_intro = list_intros(text, sent_bounds)
    series_at: dict[int, frozenset] = {}  # sentences that pair projects with towns one after another
    for s, (a, b) in enumerate(sent_bounds):
        sent = text[a:b]
        words = words_by_sentence[s]
        projs = projects_at.get(s, ())
        progs = programmes_at.get(s, ())
        insts = institutions_at.get(s, ())
        towns_s = towns_at.get(s, ())
        used: set[int] = set()
        # programme + genitive or relative clause: who funds or runs it ("„WIR …“ des Hessischen Ministeriums")
        for pe, pm in progs:
            for ie, im in insts:
                gap = text[pm.end:im.start]
                if 0 <= im.start - pm.end <= 60 and (GENITIVE_GAP.fullmatch(gap) or RELATIVE_GAP.fullmatch(gap)
                                                     or RELATIVE_SUBJECT_GAP.fullmatch(gap) and RELATIVE_FUNDING_VERB.match(text, im.end)):
                    rel("programme_funder", pe, ie, s, "relations:programme_genitive_institution")
                    used.add(id(im))
        for pe, ie in _passive_agents(text, progs, insts):
            rel("programme_funder", pe, ie, s, "relations:programme_passive_agent")
        if not progs and insts and MONEY_SUBJECT.match(sent):
            # "… aus dem DigitalPakt Schule. Die Mittel stellt der Bund über das BMBF bereit": the money of the programme named last
            last = next((programmes_at[t] for t in range(s - 1, max(-1, s - 4), -1) if programmes_at.get(t)), [])
            for pe in OrderedDict.fromkeys(e for e, _ in last):
                for ie, im in insts:
                    if FUNDER_LEAD.search(text, max(a, im.start - 45), im.start):
                        rel("programme_funder", pe, ie, s, "relations:programme_money_source")
        # "das BBSR im BBR", "der Projektträger im DLR": the second is the first's parent body, not an actor of its own
        in_order = sorted(insts, key=lambda em: em[1].start)  # they are listed entity by entity
        parents = {id(e2) for (_, im1), (e2, im2) in zip(in_order, in_order[1:]) if PARENT_GAP.fullmatch(text, im1.end, im2.start)}
        used.update(id(im) for ie, im in insts if id(ie) in parents)  # its acronym too
        # project + genitive institution/town: who carries it out, where
        for je, jm in projs:
            for ie, im in insts:
                gap = text[jm.end:im.start]
                if 0 <= im.start - jm.end <= 12 and PROJECT_GENITIVE_GAP.fullmatch(gap):
                    rel("project_partner", je, ie, s, "relations:project_genitive_institution")
                    used.add(id(im))
            for te, tm in towns_s:
                gap = text[jm.end:tm.start]
                if 0 <= tm.start - jm.end <= 20 and PROJECT_TOWN_GAP.fullmatch(gap):
                    rel("project_town", je, te, s, "relations:project_genitive_town")
        # a project listed after its town ("Kehl: Im Projekt „…“ …") or with it in parentheses ("„…“ (Ellrich): …")
        for je, jm in projs:
            line_start = text.rfind("\n", 0, jm.start) + 1
            for te, tm in towns_s:
                if tm.start >= line_start and tm.end <= jm.start and TOWN_HEADS_LINE.fullmatch(text, tm.end, jm.start) and tm.start - line_start <= 4:
                    rel("project_town", je, te, s, "relations:town_heads_project_line")
                elif 0 < tm.start - jm.end <= 4 and PROJECT_PAREN_TOWN.fullmatch(text, jm.end, tm.start) and PAREN_TOWN_END.match(text, tm.end):
                    rel("project_town", je, te, s, "relations:town_in_parentheses_after_project")
        funding_sentence = bool(words & funding) or names_money(sent) or bool(progs and FUNDING_FRAME.search(sent))
        partner_sentence = bool(words & partner)
        intro = list_intro.get(s)  # a list item goes on with the sentence that introduced the list
        if intro is not None:
            partner_sentence = partner_sentence or bool(words_by_sentence[intro] & partner)
        if projs:
            targets = list(OrderedDict.fromkeys(e for e, _ in projs))
        elif intro is not None and (intro_targets := paragraph_project(intro)):
            targets = intro_targets  # the projects the intro names, else its paragraph's
        elif (funding_sentence or partner_sentence) and projects and PLURAL_PROJECTS.search(sent) \
                and (len(projects) >= 2 or not partner_sentence):
            # "… fördert 14 Projekte", "Das BBSR begleitet die sechs Modellvorhaben": the sentence covers all the release's projects
            targets = projects
        elif funding_sentence and projects and not partner_sentence:
            targets = paragraph_project(s)
        else:
            targets = paragraph_project(s) if (partner_sentence or words & town_cues or PROJECT_WORD.search(sent) or insts) else []
        if not targets:
            continue
        if funding_sentence:
            # "Neben der DSD beteiligen sich die Stiftung KiBa mit 20.000 Euro, die Landeskirche sowie … an der Finanzierung"
            cofunding = COFUNDING.search(sent) is not None
            pairs = clause_pairs(text, a, b, projs, progs) if projs else None  # each project with its clause's programmes
            for pe, pm in progs:
                for t in targets:
                    if pairs is None or (id(t), id(pe)) in pairs:
                        rel("project_programme", t, pe, s, "relations:funding_sentence.programme")
            for ie, im in insts:
                if id(im) in used:
                    continue
                before = text[max(a, im.start - 40):im.start]
                if LOCATIVE.search(before) and not FUNDER_PREPOSITION_END.search(before):
                    continue
                # "… „RhizoMix“, das die DFG im Programm P fördert": the relative clause's own project and programmes
                owner = next((je for je, jm in reversed(projs) if jm.end <= im.start and RELATIVE_CLAUSE.fullmatch(text, jm.end, im.start)), None)
                # the subject funds when its own clause does ("Die Stadtwerke können mit dem Bau beginnen: Das BAFA hat … bewilligt")
                subject = SUBJECT.search(text[a:im.start]) and _clause_funds(text, im.end, b, funding) or owner is not None
                funder_like = FUNDER_LEAD_RULE.search(before) \
                    or FUNDED_AFTER.search(text, im.end, im.end + 30) or subject or cofunding
                if funder_like and not (partner_sentence and not subject and not cofunding):
                    for t in ([owner] if owner is not None else targets):
                        rel("project_funder", t, ie, s, "relations:relative_clause_funder" if owner is not None
                            else "relations:funding_sentence.institution")
                    if subject:
                        for pe, pm in progs:  # "Das Ministerium unterstützt im Rahmen der VwV-Integration …"
                            if owner is None or pm.start > im.end:  # in a relative clause, what follows it there
                                rel("programme_funder", pe, ie, s, "relations:funding_subject_runs_programme")
                    used.add(id(im))
        if partner_sentence:
            strong = bool(words & strong_partner)
            for ie, im in insts:
                if id(im) in used:
                    continue
                if not strong and (ie.attrs.get("kind") in ("ministry", "government", "parliament") or "projektträger" in ie.name.lower()):
                    continue  # ministries and funding agencies are partners only where the text says so
                for t in targets:
                    rel("project_partner", t, ie, s, "relations:partner_sentence")
        elif not funding_sentence:
            # an institution acting in a project's paragraph ("Das LPM übernimmt die Fortbildung …")
            for ie, im in insts:
                if id(im) in used or im.attrs.get("is_acronym") and ie.attrs.get("kind") in ("ministry", "government"):
                    continue
                lead = text[a:im.start]
                if ACTOR_LEAD.fullmatch(lead) and ACTING_VERB.search(sent):
                    for t in targets:
                        rel("project_partner", t, ie, s, "relations:acting_institution")
        if projs or (("rojekt" in sent or "Vorhaben" in sent) and THE_PROJECT.search(sent)):  # plain-text test first
            # the project's place: "in Hamm", "die Stadt Rostock" in a sentence about the project; in a series
            # ("die Gemeinde A … für „X“, die Stadt B … für „Y“") each project's own
            places = [(te, tm) for te, tm in towns_s if names_the_place(tm)]
            series = series_pairs(projs, places) if len(projs) >= 2 else None
            if series is not None:
                series_at[s] = series
            for te, tm in places:
                # "In Aidhausen legt der Verein … den „Bürgergarten“ an": a sentence that opens with its place and names the project
                if PLACE_LEAD.search(text[max(a, tm.start - 12):tm.start]) or projs and SENTENCE_PLACE_LEAD.fullmatch(text, a, tm.start):
                    for t in targets:
                        if series is None or (id(t), id(te)) in series:
                            rel("project_town", t, te, s, "relations:project_sentence_place")
        if funding_sentence and "nach" in sent:  # plain-text test first
            # "Die größte Einzelförderung geht mit 6,2 Millionen Euro nach Görlitz. Unter dem Titel „…“ will die Stadt …"
            for te, tm in towns_s:
                if "in_name_of" not in tm.attrs and MONEY_TO_TOWN.search(text, max(a, tm.start - 80), tm.start):
                    for t in targets:
                        rel("project_town", t, te, s, "relations:money_goes_to_town")
        if intro is not None and words_by_sentence[intro] & (partner | town_cues):
            # "Beteiligt sind:" / "- Markt Bodenmais: 150 Adressen": the town that heads a participants' list item
            line_start = text.rfind("\n", 0, a + 1) + 1
            for te, tm in towns_s:
                if "in_name_of" not in tm.attrs and (ITEM_HEAD.fullmatch(text, line_start, tm.start) or tm.start == line_start):
                    for t in targets:
                        rel("project_town", t, te, s, "relations:town_heads_list_item")
        listed = [(te, tm) for te, tm in towns_s if names_the_place(tm)]
        if len(targets) == 1 and len({te.key for te, _ in listed}) >= 3 and not (words & town_cues):
            for te, tm in listed:  # "Gymnasien in Saarbrücken, Neunkirchen, Homburg und Perl testen …"
                rel("project_town", targets[0], te, s, "relations:town_list_in_project_paragraph")
        if words & town_cues and len(targets) == 1:
            standalone = [(te, tm) for te, tm in towns_s if names_the_place(tm)]
            for te, tm in standalone:
                if len(standalone) >= 2 or MUNICIPALITY_LEAD.search(text[max(a, tm.start - 12):tm.start]):
                    for t in targets:
                        rel("project_town", t, te, s, "relations:town_cue_sentence")
    named_projects = [p for p in projects if any("title_names_project" not in m.rule for m in p.mentions)]
    if named_projects and towns:
        # the release's home town, named most often: a single-project release's place, and in a release that names
        # little else (HOME_TOWN_SHARE of the town mentions) the place of each project that has no town of its own
        def in_body(m):  # not the dateline, not the contact block ("99096 Erfurt")
            line = text[text.rfind("\n", 0, m.start) + 1:text.find("\n", m.end) if text.find("\n", m.end) >= 0 else len(text)]
            return names_the_place(m) and not CONTACT_LINE.search(line)
        counts = {te: sum(1 for m in te.mentions if in_body(m)) for te in towns}
        total = sum(counts.values())
        home, n = max(counts.items(), key=lambda kv: kv[1])
        if home.attrs["place"].country == "DE":
            if len(named_projects) == 1:
                if n >= 2 and n >= 0.4 * total:
                    rel("project_town", named_projects[0], home, home.mentions[0].sentence, "relations:home_town_of_release")
            elif n >= 3 and n >= HOME_TOWN_SHARE * total:
                placed = {r["from"] for r in relations.values() if r["type"] == "project_town"}
                for p in named_projects:
                    if p.name not in placed:
                        rel("project_town", p, home, home.mentions[0].sentence, "relations:home_town_of_projects")
    if main is not None:  # towns in the headline are the main project's place
        for te in towns:
            for tm in te.mentions:
                if tm.sentence == main.mentions[0].sentence and names_the_place(tm) \
                        and HEADLINE_PLACE_LEAD.search(text[max(0, tm.start - 10):tm.start]) \
                        and (id(main), id(te)) in series_at.get(tm.sentence, {(id(main), id(te))}):
                    rel("project_town", main, te, tm.sentence, "relations:headline_place")
    _prize_item_relations(text, projects, institutions, towns, rel)
    _project_item_places(text, projects, towns, rel)
    _registry_programme_funders(programmes, institutions, rel)
    _land_runs_programme_funders(programmes, institutions, rel)
    return list(relations.values())


HOME_TOWN_SHARE = 0.6  # of the town mentions in the body, for the home town of a release with several projects


def _prize_item_relations(text: str, projects, institutions, towns, rel) -> None:
    """"1. Preis (5.000 Euro): Förderverein Bürgerbad Elmstein e.V., Elmstein" over a paragraph about „Unser Bad bleibt!“:
    in a list of winners (two labels or more) the body and the town on a label's line carry out the project its item
    names first, and it is theirs."""
    labels = prize_labels(text)
    for k, label in enumerate(labels):
        line_end = text.find("\n", label.end())
        line_end = len(text) if line_end < 0 else line_end
        block_end = text.find("\n\n", label.end())
        block_end = min(len(text) if block_end < 0 else block_end, labels[k + 1].start() if k + 1 < len(labels) else len(text))
        named = [(m.start, p) for p in projects for m in p.mentions if label.end() <= m.start < block_end]
        if not named:
            continue
        project = min(named, key=lambda t: t[0])[1]
        for kind, entities in (("project_partner", institutions), ("project_town", towns)):
            for ent in entities:
                m = next((m for m in ent.mentions if label.end() <= m.start < line_end and "in_name_of" not in m.attrs), None)
                if m is not None:
                    rel(kind, project, ent, m.sentence, "relations:prize_item_head")


# a town named as where something is or comes from: "in Grimma", "aus Plauen", "die Stadt Weißwasser"
ITEM_PLACE_LEAD = regex_cache.compile(r"(?:\bin|\bim|\baus|Stadt|Gemeinde)\s*$")


def _project_item_places(text: str, projects, towns, rel) -> None:
    """"• „BauKreis Lausitz“ (JTF, 3,9 Mio. Euro): … die Lausitzer Recyclingbaustoffe GmbH aus Bautzen … Testbauten sind in
    Weißwasser/O.L. vorgesehen": in a list item that a project opens, the towns where its work is done or its partners
    are (named with in, aus, Stadt …) are the project's places, up to the next item or blank line."""
    if not projects or not towns:
        return
    for p in projects:
        for m in p.mentions:
            line_start = text.rfind("\n", 0, m.start) + 1
            if ITEM_OPEN.fullmatch(text, line_start, m.start) is None:
                continue
            end = _item_end(text, m.end)
            for te in towns:
                for tm in te.mentions:
                    if m.end <= tm.start < end and names_the_place(tm) and ITEM_PLACE_LEAD.search(text, max(m.end, tm.start - 12), tm.start):
                        rel("project_town", p, te, tm.sentence, "relations:town_in_project_item")
                        break


def _item_end(text: str, pos: int) -> int:
    """Where the list item holding pos ends: at a blank line or at the next line that opens an item, whichever comes first."""
    k = text.find("\n", pos)
    while k >= 0:
        if text.startswith("\n", k + 1) or LIST_ITEM.match(text, k + 1):
            return k
        k = text.find("\n", k + 1)
    return len(text)


def _clause_funds(text: str, start: int, end: int, funding: set) -> bool:
    """The clause that goes on from start (to a colon, a semicolon or end) has a funding word, a sum of money or a
    funding frame ("über die Klimaschutz-Förderrichtlinie … zu unterstützen")."""
    stops = [i for i in (text.find(":", start, end), text.find(";", start, end)) if i >= 0]
    clause = text[start:min(stops) if stops else end]
    return not funding.isdisjoint(w.lower() for w in CLAUSE_WORD.findall(clause)) or names_money(clause) \
        or FUNDING_FRAME.search(clause) is not None


def _mentions_by_sentence(entities) -> dict[int, list]:
    """sentence → [(entity, mention)] of the entities' mentions, in entity order."""
    out: dict[int, list] = defaultdict(list)
    for e in entities:
        for m in e.mentions:
            out[m.sentence].append((e, m))
    return out


@lru_cache(maxsize=4096)
def _funder_family(programme_id: str) -> frozenset:
    """Registry ids of a programme's funders with all their other name periods."""
    entry = programmes_by_id().get(programme_id)
    inst_reg = institutions_by_id()
    predecessors: dict[str, list[str]] = {}
    for e in inst_reg.values():
        if e.successor:
            predecessors.setdefault(e.successor, []).append(e.id)
    family: set[str] = set()
    stack = list(entry.funders) if entry else []
    while stack:
        cur = stack.pop()
        if cur in family or cur not in inst_reg:
            continue
        family.add(cur)
        if inst_reg[cur].successor:
            stack.append(inst_reg[cur].successor)
        stack.extend(predecessors.get(cur, []))
    return frozenset(family)


def _passive_agents(text: str, progs: list, insts: list):
    """(programme, institution) where the programme is the subject of a passive and the institution its agent:
    "Die MBE wird vom BMI gefördert und vom BAMF gesteuert" gives both."""
    ordered = sorted(insts, key=lambda em: em[1].start)
    for pe, pm in progs:
        pos = pm.end
        for ie, im in ordered:
            if im.start < pos:
                continue
            lead = PASSIVE_BY if pos == pm.end else PASSIVE_AND_BY
            participle = lead.fullmatch(text, pos, im.start) and PASSIVE_PARTICIPLE.match(text, im.end)
            if participle:
                yield pe, ie
                pos = participle.end()
            elif pos != pm.end:
                break  # the coordination ends


def list_intros(text: str, sent_bounds: list[tuple[int, int]]) -> dict[int, int]:
    """List item sentence → the sentence ending in a colon that introduces its list
    ("Getragen wird das Vorhaben von drei Trägern:" / "- Lernladen Blumenthal e. V.: …"). Lines without a bullet count
    as items right under the intro, each a short line of its own after one line break (a blank line at most after the
    intro): "Das Preisgeld fließt in vier Standorte:" / "Altenglan – altes Schulhaus, Eröffnung ab dem 1. März 2026"."""
    out: dict[int, int] = {}
    intro = None
    for s, (a, b) in enumerate(sent_bounds):
        line_start = text.rfind("\n", 0, a + 1) + 1
        item = text[line_start:a].strip() == "" and LIST_ITEM.match(text, line_start) is not None
        if not item and intro is not None and line_start == a and _short_line(text, a):
            pa, pb = sent_bounds[s - 1]
            breaks = text.count("\n", pa + len(text[pa:pb].rstrip()), a)
            item = breaks == 1 or breaks == 2 and intro == s - 1
        if item and intro is not None:
            out[s] = intro
        elif not item:
            intro = s if text[a:b].rstrip().endswith(":") else None
    return out


def _short_line(text: str, a: int) -> bool:
    """The line from a is an item of a list without bullets: short, and no sentence ending in a full stop."""
    end = text.find("\n", a)
    line = text[a:len(text) if end < 0 else end].rstrip()
    return len(line) <= PLAIN_ITEM_MAX and not line.endswith((".", "!", "?"))


PLAIN_ITEM_MAX = 100  # characters of a list line without a bullet


STATE_MINISTRY = regex_cache.compile(r"Ministeri|Staatskanzlei|Senatsverwaltung|Senator")


def _land_runs_programme_funders(programmes, institutions, rel) -> None:
    """An EU structural fund or a Bund-Länder programme (registry land_runs) is run by the Land's ministry: when a release
    names exactly one state ministry, that ministry runs it ("Zuständig auf Landesseite ist das Thüringer Ministerium …")."""
    runs = [pe for pe in programmes if pe.attrs.get("registry_id") and _land_runs(pe.attrs["registry_id"])]
    if not runs:
        return
    ministries = [ie for ie in institutions if STATE_MINISTRY.search(ie.name) and institution_level(ie) == "state"]
    if len(ministries) != 1:
        return
    for pe in runs:
        rel("programme_funder", pe, ministries[0], pe.mentions[0].sentence, "relations:land_runs_programme")


def _land_runs(programme_id: str) -> bool:
    entry = programmes_by_id().get(programme_id)
    return bool(entry and entry.land_runs)


def _registry_programme_funders(programmes, institutions, rel) -> None:
    """A programme whose registry entry names its funder, and that funder named in the same release."""
    for pe in programmes:
        if not pe.attrs.get("registry_id"):
            continue
        family = _funder_family(pe.attrs["registry_id"])
        for ie in institutions:
            if ie.attrs.get("registry_id") in family:
                rel("programme_funder", pe, ie, pe.mentions[0].sentence, "relations:registry_programme_funder")
