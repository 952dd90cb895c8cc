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

from pipeline.matching import form_matcher
from pipeline.rules import load_jsonl, rules_dir


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


class Gazetteer:
    def __init__(self):
        self.places: dict[str, Place] = {}
        self.by_form: dict[str, list[str]] = {}
        for row in load_jsonl("towns/gemeinden.jsonl"):
            place = Place(row["ags"], row["name"], row["state"], row["district"], "DE", row["population"],
                          row["lat"], row["lon"], row["geonames_id"])
            self._add(place, row["forms"])
        for row in load_jsonl("towns/foreign.jsonl"):
            place = Place(f"{row['country']}:{row['name']}", row["name"], None, None, row["country"],
                          row["population"] or 0, row["lat"], row["lon"], row["geonames_id"])
            self._add(place, row["forms"])
        self.risk = {row["form"]: row["risk"] for row in load_jsonl("towns/word_risk.jsonl")}
        states = yaml.safe_load((rules_dir() / "towns" / "states.yaml").read_text(encoding="utf-8"))["states"]
        self.state_of_form = {f: s["name"] for s in states for f in s["forms"]}
        self.state_names = {s["name"] for s in states}
        self.kreise = {row["name"]: row for row in load_jsonl("towns/kreise.jsonl")}
        for forms in self.by_form.values():  # most populous first
            forms.sort(key=lambda k: -self.places[k].population)

    def _add(self, place: Place, forms: list[str]) -> None:
        self.places[place.key] = place
        for form in forms:
            keys = self.by_form.setdefault(form, [])
            if place.key not in keys:
                keys.append(place.key)

    def candidates(self, form: str) -> list[Place]:
        return [self.places[k] for k in self.by_form.get(form, [])]


@lru_cache(maxsize=1)
def gazetteer() -> Gazetteer:
    return Gazetteer()


def town_matcher(nlp):
    """The town matcher of this pipeline (built once, tokenization cached on disk)."""
    gaz = gazetteer()
    return form_matcher(nlp, "towns", [f for f in gaz.by_form if gaz.risk.get(f) != "never"])
