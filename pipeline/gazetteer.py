"""The town gazetteer: municipalities (AGS register) and foreign towns, with their name forms.

Loaded from rules/towns/*.jsonl (built by scripts/build_gazetteer.py from the official register,
so a user can swap in a newer register). The phrase matcher is built once per vocabulary from
`nlp.tokenizer.pipe` and reused for every document.
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import NamedTuple, Optional

import yaml

from pipeline.errors import RulesError
from pipeline.matching import form_matcher
from pipeline.rules import parse_json_lines, parsed_cached, rules_dir


class Place(NamedTuple):
    """A town of the gazetteer. A named tuple, not a frozen dataclass: 17,000 are made at every
    start, and a tuple is made about four times faster (equal and hashable by its fields alike)."""

    key: str  # AGS for German towns, "XX:name" for foreign ones
    name: str
    state: Optional[str]
    district: Optional[str]
    country: str
    population: int
    lat: Optional[float]
    lon: Optional[float]
    geonames_id: Optional[int]

    @property
    def ags(self) -> Optional[str]:
        return self.key if self.country == "DE" else None


def distance_km(a: Place, b: Place) -> float:
    if None in (a.lat, a.lon, b.lat, b.lon):
        return 1e9
    dlat = math.radians(b.lat - a.lat)
    dlon = math.radians(b.lon - a.lon) * math.cos(math.radians((a.lat + b.lat) / 2))
    return 6371 * math.hypot(dlat, dlon)


GAZETTEER_FILES = ("towns/gemeinden.jsonl", "towns/foreign.jsonl", "towns/word_risk.jsonl", "towns/states.yaml", "towns/kreise.jsonl",
                   "towns/regions.jsonl")


def _tables(joined: str) -> dict:
    """The gazetteer's tables from its files' texts (joined by NUL): plain data, so parsed_cached
    keeps them as marshal data and a start-up reads them in one go instead of 17,000 rows."""
    gemeinden, foreign, risk, states, kreise, regions = (parse_json_lines(t) if i != 3 else yaml.safe_load(t)
                                                for i, t in enumerate(joined.split("\0")))
    places: dict[str, tuple] = {}
    by_form: dict[str, list[str]] = {}
    rows = [((r["ags"], r["name"], r["state"], r["district"], "DE", r["population"], r["lat"], r["lon"], r["geonames_id"]), r["forms"])
            for r in gemeinden]
    rows += [((f"{r['country']}:{r['name']}", r["name"], None, None, r["country"], r["population"] or 0, r["lat"], r["lon"],
               r["geonames_id"]), r["forms"]) for r in foreign]
    for place, forms in rows:
        places[place[0]] = place
        for form in forms:
            keys = by_form.setdefault(form, [])
            if place[0] not in keys:
                keys.append(place[0])
    for keys in by_form.values():  # most populous first
        keys.sort(key=lambda k: -places[k][5])  # [5]: Place.population
    # by_form as two lists: marshal reads a dict of 17,000 keys about four times slower than two lists
    return {"places": list(places.values()), "forms": list(by_form), "form_keys": list(by_form.values()), "risk": {r["form"]: r["risk"] for r in risk},
            "state_of_form": {f: s["name"] for s in states["states"] for f in s["forms"]},
            "state_names": [s["name"] for s in states["states"]], "kreise": {r["name"]: r for r in kreise},
            "regions": [r["name"] for r in regions]}


class Gazetteer:
    def __init__(self):
        texts = []
        for relpath in GAZETTEER_FILES:
            path = rules_dir() / relpath
            if not path.exists():
                raise RulesError(f"data file {path} is missing: run `python scripts/build_gazetteer.py`")
            texts.append(path.read_text(encoding="utf-8"))
        tables = parsed_cached("\0".join(texts), _tables)
        self.places: dict[str, Place] = {row[0]: Place(*row) for row in tables["places"]}
        self.by_form: dict[str, list[str]] = dict(zip(tables["forms"], tables["form_keys"]))
        self.risk: dict[str, str] = tables["risk"]
        self.state_of_form: dict[str, str] = tables["state_of_form"]
        self.state_names = set(tables["state_names"])
        self.kreise: dict[str, dict] = tables["kreise"]
        self.regions = frozenset(tables["regions"])  # Regierungsbezirke: "Oberpfalz", "Unterfranken"

    def candidates(self, form: str) -> list[Place]:
        return [self.places[k] for k in self.by_form.get(form, [])]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer()


@lru_cache(maxsize=1)
def union_names() -> dict[str, frozenset]:
    """The registered names of the unions of municipalities by kind ("Amt": {"Südtondern", …}), from rules/towns/verbaende.jsonl."""
    path = rules_dir() / "towns" / "verbaende.jsonl"
    if not path.exists():
        raise RulesError(f"data file {path} is missing: run `python scripts/build_gazetteer.py`")
    by_kind: dict[str, set] = {}
    for row in parsed_cached(path.read_text(encoding="utf-8"), parse_json_lines):
        by_kind.setdefault(row["kind"], set()).add(row["name"])
    return {kind: frozenset(names) for kind, names in by_kind.items()}


def town_matcher(nlp):
    """The town matcher of this pipeline (built once, tokenization cached on disk)."""
    gaz = gazetteer()
    return form_matcher(nlp, "towns", [f for f in gaz.by_form if gaz.risk.get(f) != "never"])
