"""Load and validate the rule and registry files in rules/ (pydantic, unknown keys rejected).

Code holds the mechanisms; every word list, pattern and registry lives in rules/ as data.
A stable hash of the whole folder goes into every record's provenance.
"""
from __future__ import annotations

import hashlib
import json
import marshal
import math
import os
import re
import sys
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, Optional, Union

import yaml
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from pipeline.errors import RulesError

DEFAULT_RULES_DIR = Path(__file__).resolve().parent.parent / "rules"


def rules_dir() -> Path:
    """The rules folder: $PRESS_RULES_DIR if set, else the one shipped with the package."""
    return Path(os.environ.get("PRESS_RULES_DIR", DEFAULT_RULES_DIR))


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Examples(Strict):
    match: list[str] = Field(default_factory=list)
    no_match: list[str] = Field(default_factory=list)


def _compiled(v: str) -> str:
    try:
        re.compile(v)
    except re.error as e:
        raise ValueError(f"not a regular expression: {e}") from None
    return v


Regex = Annotated[str, AfterValidator(_compiled)]  # a regular expression, checked on load


# ---------------------------------------------------------------- dates
class MaskRule(Strict):
    id: str
    regex: Regex
    lead: Optional[str] = Field(None, description="characters a match can start with (a speed hint)")
    requires: Optional[Union[str, list[str]]] = Field(None, description="a substring (or a list: one of them) without which the mask "
                                                                          "cannot match (a speed hint)")
    expand_left: Optional[str] = Field(None, description="a character class the mask extends over to the left (e-mail local parts)")


class DateVocabulary(Strict):
    months: dict[str, list[str]]
    seasons: dict[Literal["SP", "SU", "FA", "WI"], list[str]]
    mods: dict[Literal["START", "MID", "END"], list[str]]
    weekdays: list[str]
    ordinals: dict[str, list[str]]
    relative_years: dict[str, list[str]]
    number_words: dict[str, int]
    duration_units: dict[Literal["Y", "M", "W", "D"], list[str]]
    year_name_words: list[str]
    year_unit_words: list[str]
    turn_of_year_periods: list[str] = Field(default_factory=list, description="endings of nouns for a period over the turn of a year ('Schuljahr 2025/26')")
    masks: list[MaskRule]

    @field_validator("months")
    @classmethod
    def _twelve(cls, v):
        if sorted(v) != [f"{i:02d}" for i in range(1, 13)]:
            raise ValueError("months must have the keys 01..12")
        return v


# ---------------------------------------------------------------- registries
class InstitutionEntry(Strict):
    id: str = Field(pattern=r"^[a-z0-9_.-]+$")
    name: str
    acronyms: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    kind: Literal["ministry", "agency", "office", "parliament", "government", "court", "umbrella", "foundation",
                  "research", "university", "eu_body", "international", "association", "company", "other"]
    level: Literal["federal", "state", "eu", "municipal", "international", "none"]
    state: Optional[str] = None
    valid_from: Optional[int] = None
    valid_to: Optional[int] = None
    successor: Optional[str] = None


class ProgrammeEntry(Strict):
    id: str = Field(pattern=r"^[a-z0-9_.+-]+$")
    name: str
    acronyms: list[str] = Field(default_factory=list)
    aliases: list[str] = Field(default_factory=list)
    level: Literal["eu", "federal", "state", "municipal", "foundation", "other"]
    state: Optional[str] = None
    funders: list[str] = Field(default_factory=list)
    parent: Optional[str] = None
    land_runs: bool = Field(False, description="a Land's ministry runs it in its Land (EU structural funds, Bund-Länder "
                                               "programmes): the one state ministry a release names is its funder")
    joint_task: bool = Field(False, description="a Bund-Länder joint task (GAK): federal and Land bodies both fund it, "
                                                "though a Land's ministry is not its funder by default")


class InstitutionRegistry(Strict):
    institutions: list[InstitutionEntry]

    @model_validator(mode="after")
    def _unique(self):
        _check_unique([e.id for e in self.institutions], "institution id")
        _check_unique([e.name for e in self.institutions], "institution name")
        ids = {e.id for e in self.institutions}
        for e in self.institutions:
            if e.successor and e.successor not in ids:
                raise ValueError(f"{e.id}: successor {e.successor} is not in the registry")
        return self


class ProgrammeRegistry(Strict):
    programmes: list[ProgrammeEntry]

    @model_validator(mode="after")
    def _unique(self):
        _check_unique([e.id for e in self.programmes], "programme id")
        _check_unique([e.name for e in self.programmes], "programme name")
        return self


def _check_unique(values: list[str], what: str) -> None:
    seen: set[str] = set()
    for v in values:
        if v in seen:
            raise ValueError(f"duplicate {what}: {v}")
        seen.add(v)


# ---------------------------------------------------------------- patterns
class HeadNoun(Strict):
    """A head noun of institution names, e.g. Ministerium (neuter, genitive Ministeriums)."""

    id: str
    lemma: str
    gender: Literal["m", "f", "n"]
    genitive: list[str] = Field(default_factory=list, description="genitive/dative forms that map back to the lemma")
    compound: bool = Field(True, description="also matches as the last part of a compound (Bundesministerium)")
    needs_modifier: bool = Field(True, description="the bare noun is generic ('das Ministerium')")
    alone: bool = Field(True, description="a head as a word of its own; false: only closing a hyphenated name ('Albert-Schweitzer-Schule', not 'Alte Schule')")
    complement: bool = Field(True, description="takes a complement ('Ministerium für …'); a school does not ('Grundschule für Unterricht im Freien')")
    score: float = Field(0.8, ge=0, le=1)


class UnionHead(Strict):
    """How a union of municipalities is written before its registered name: 'Amt', 'des Amtes'; kind: the register's
    (rules/towns/verbaende.jsonl, from the official register)."""
    head: str
    kind: Literal["Amt", "Samtgemeinde", "Verbandsgemeinde", "Verwaltungsgemeinschaft", "Kirchspielslandgemeinde", "Verwaltungsverband"]
    forms: list[str] = Field(min_length=1)


class InstitutionPatterns(Strict):
    heads: list[HeadNoun]
    complement_starts: list[str]
    town_complement_starts: list[str] = Field(default_factory=list)
    role_noun_endings: list[str] = Field(default_factory=list)
    seat_complement_heads: list[str] = Field(default_factory=list)
    acronym_heads: list[str] = Field(default_factory=list)
    territory_heads: list[str] = Field(default_factory=list)
    genitive_complements: list[str]
    proper_name_heads: list[str]
    foreign_heads: list[str] = Field(default_factory=list)
    foreign_connectors: list[str] = Field(default_factory=list)
    generic: list[str]
    stop_words: list[str]
    legal_suffixes: list[str]
    legal_form_tails: list[list[str]] = Field(default_factory=list, description="tokens that continue a legal form ('GmbH' + '& Co. KG')")
    complement_idioms: list[str] = Field(default_factory=list, description="nouns after 'zur'/'zum' that make an idiom of the verb, "
                                                                          "no complement of a name ('stellt die Stiftung zur Verfügung')")
    country_names: list[str] = Field(default_factory=list, description="a country in parentheses after a name says where the body is, "
                                                                     "it is no part of the name ('TU Delft (Niederlande)')")
    department_words: list[str] = Field(default_factory=list, description="words of a body's department after a comma "
                                                                         "('…, Presse- und Öffentlichkeitsarbeit'): not the name")
    person_word_endings: list[str] = Field(default_factory=list, description="endings of nouns for people, never part of a name")
    plural_word_endings: list[str] = Field(default_factory=list, description="endings of plural nouns: after a head its object, not its name")
    owner_named_heads: list[str] = Field(default_factory=list, description="heads named after their owner ('Stiftung der Sparkasse X')")
    proper_name_after_compounds: list[str] = Field(default_factory=list, description="proper-name heads that take a name after them only as compounds")
    owner_heads: list[str] = Field(default_factory=list, description="the owners' head nouns")
    firm_heads: list[str] = Field(default_factory=list, description="trades that name a firm: a place adjective before them is none of the name")
    region_nouns: list[str] = Field(default_factory=list, description="nouns that make a region with a place adjective ('Kitzinger Land')")
    place_named_heads: list[str] = Field(default_factory=list, description="heads whose generic compounds are named by a place after them")
    place_named_compounds: list[str] = Field(default_factory=list, description="heads whose every compound is named by a place after it")
    place_parts: list[str] = Field(default_factory=list, description="words after a place that name the part a body serves ('Jobcenter Vorpommern-Greifswald Nord')")
    person_named_compounds: list[str] = Field(default_factory=list, description="heads that close a hyphenated compound of proper names, a name on its own")
    role_words: list[str] = Field(default_factory=list, description="a body's role in parentheses after its name: '(Koordination)'")
    inner_preposition_heads: list[str] = Field(default_factory=list, description="heads whose names may go on with am/an der: 'AktivRegion Hügelland am Ostseestrand'")
    quoted_name_heads: list[str] = Field(default_factory=list, description="heads whose own name may follow in quotes: 'Jugendclub „Haffkids“'")
    territorial_units: list[str] = Field(default_factory=list, description="'im Kirchenkreis X' after a head belongs to its name")
    union_heads: list["UnionHead"] = Field(default_factory=list, description="'Amt Südtondern': unions of municipalities the register names")
    supporter_heads: list[str] = Field(default_factory=list, description="clubs named after what they support ('Förderverein der Schule X e. V.')")
    named_by_phrase: list[str] = Field(default_factory=list, description="heads named by an adjective and a noun after der/des/im/am ('Museum im Alten Schloss')")
    branch_units: list[str] = Field(default_factory=list, description="an association's local units named after it ('Volkssolidarität Kreisverband Rostock-Land e.V.')")
    examples: Examples = Field(default_factory=Examples)

    @model_validator(mode="after")
    def _ids(self):
        _check_unique([h.id for h in self.heads], "head id")
        if any(not tail for tail in self.legal_form_tails):
            raise ValueError("legal_form_tails: an empty tail")
        return self


class TriggerRule(Strict):
    id: str
    words: list[str]
    score: float = Field(ge=0, le=1)
    examples: Examples = Field(default_factory=Examples)


class ProgrammePatterns(Strict):
    quote_triggers: TriggerRule
    name_suffixes: TriggerRule
    money_sources: TriggerRule
    title_guidelines: TriggerRule
    generic: list[str]
    compound_tails: list[str] = Field(default_factory=list, description="'LEADER-Mittel': after these a registry name opening a compound is the programme")
    generic_modifiers: list[str] = Field(default_factory=list, description="first parts that make a -programm/-fonds compound a common noun ('Vorgängerprogramm', 'Schulprogramm')")


class SubjectTitleRule(TriggerRule):
    """A title between a project noun that opens the sentence and the sentence's finite verb."""
    verbs: list[str] = Field(min_length=1)
    max_words: int = Field(default=10, ge=2)


class LeadTitleRule(TriggerRule):
    """A title after a sentence-opening phrase with a project noun ("Mit dem Vorhaben"), up to the finite verb that the
    inverted subject follows ("… lässt die Stadt …"). words: the project nouns; leads: the phrases before them."""
    leads: list[str] = Field(min_length=1)
    title_joiners: list[str] = Field(default_factory=list, description="lowercase words inside a title ('aus', 'vom', 'für')")
    subject_starts: list[str] = Field(min_length=1, description="words that open the inverted subject after the verb")
    max_words: int = Field(default=8, ge=2)


class FundedQuoteRule(TriggerRule):
    """A quoted name that receives money: 'Euro für den „X“', 'wird das „X“ unterstützt' (words: the participles)."""
    prepositions: list[str] = Field(min_length=1, description="'Euro für den „X“', 'Euro gehen an den „X“'")
    nouns: list[str] = Field(default_factory=list, description="funding nouns: 'einen Zuschuss für die „X“', 'die Förderung der „X“'")
    not_kinds: list[str] = Field(default_factory=list, description="endings of a noun before the quote that make it a body's name, "
                                                                  "not a project's kind: 'an den Verein „X“'")


class QuoteTriggerRule(TriggerRule):
    """A quoted name right after a project noun; naming verbs may stand between: 'Das Projekt heißt „X“'."""
    naming_verbs: list[str] = Field(default_factory=list, description="verbs between the noun and the quote ('heißt', 'nennt sich')")
    naming_nouns: list[str] = Field(default_factory=list, description="nouns that name what their sentence speaks of ('unter dem Titel „X“')")
    compounds: list[str] = Field(default_factory=list, description="nouns whose compounds trigger too ('Musikfest', 'Kunstausstellung')")


class ProjectPatterns(Strict):
    quote_triggers: QuoteTriggerRule
    name_triggers: TriggerRule
    subject_titles: SubjectTitleRule
    lead_titles: LeadTitleRule
    funded_quotes: FundedQuoteRule
    built_quotes: TriggerRule
    actor_quotes: TriggerRule
    list_item_names: TriggerRule
    amount_lines: TriggerRule
    table_columns: TriggerRule
    prize_items: TriggerRule
    measure_word_endings: list[str] = Field(default_factory=list, description="endings of a first word that make a table cell "
                                                                             "a description of works ('Umbau des Gasthofs …'), no name")
    paragraph_labels: list[str] = Field(default_factory=list, description="words that open a label line, not a project ('Weitere Informationen:')")
    title_rule_score: float = Field(ge=0, le=1)


class InstitutionKind(Strict):
    kind: str
    regex: Regex


class Anaphor(Strict):
    """A definite head noun that refers back to an institution the release named ("die Stiftung" → "Sparkassenstiftung Lüneburg")."""
    forms: list[str] = Field(min_length=1, description="the noun as it stands after the article, inflected forms included")
    refers_to: Regex = Field(description="what the name of an institution it can refer to contains")


class GovernmentLevel(Strict):
    """A level of government: the word a release uses for it as a whole ("der Bund") and what its bodies are called."""
    level: Literal["federal", "state"]
    words: list[str] = Field(min_length=1)
    regex: Regex


class RelationCues(Strict):
    funding: list[str]
    partner: list[str]
    strong_partner: list[str]
    towns: list[str]
    speech_verbs: list[str]
    programme_role: list[str]
    contact_markers: list[str]
    registry_kinds: dict[str, str]
    institution_kinds: list[InstitutionKind]
    government_levels: list[GovernmentLevel]
    anaphors: list[Anaphor] = Field(default_factory=list)
    event_nouns: list[str] = Field(default_factory=list, description="endings of nouns of events: a town after '<event> … in' is where it took place")
    other_recipient_leads: list[str] = Field(default_factory=list, description="words that open a sentence about other recipients ('Ebenfalls bedacht werden …')")
    press_office_words: list[str] = Field(default_factory=list, description="words naming a press office: no project's partner or funder")
    receiving_verbs: list[str] = Field(default_factory=list, description="verbs of money received ('erhält', 'bedacht'), with other_recipient_leads")


RELATION_TYPES = ("programme_funder", "project_programme", "project_funder", "project_partner", "project_town")


class RelationTypeModel(Strict):
    bias: float
    weights: dict[str, float]
    threshold: float = Field(ge=0.0, le=1.0)
    veto: float = Field(0.0, ge=0.0, le=1.0, description="a rule's relation is dropped below this probability")


class RelationModel(Strict):
    """Logistic weights per relation type, written by scripts/train_relations.py."""

    trained_on: list[str]
    trained_at: str
    l2: float
    beta: float = 1.0
    types: dict[str, RelationTypeModel]
    cross_validation: dict[str, dict[str, float]] = Field(default_factory=dict)

    @field_validator("types")
    @classmethod
    def _known_types(cls, v: dict) -> dict:
        unknown = set(v) - set(RELATION_TYPES)
        if unknown:
            raise ValueError(f"unknown relation types {sorted(unknown)}")
        return v


class TownEvidence(Strict):
    """Context words that decide whether a name that is also a word is a town here."""

    place_nouns: list[str]
    place_prepositions: list[str]
    negative_before: list[str]
    district_nouns: list[str]
    function_word_logprob: float
    noun_zipf_margin: float
    risky_extra: list[str]
    never_town: list[str]
    always_safe: list[str]
    directions: list[str]
    big_city_population: int
    person_titles: list[str] = Field(default_factory=list, description="'Dr. Hagen': a person")
    person_role_endings: list[str] = Field(default_factory=list, description="'Projektleiterin Miriam Hagen': a role noun before a name")
    speech_verbs: list[str] = Field(default_factory=list, description="'sagte Carola Zeitz'")
    example_nouns: list[str] = Field(default_factory=list, description="'Gemeinden wie Wildpoldsried': plural place nouns before 'wie'")
    name_titles: list[str] = Field(default_factory=list, description="'Lutherstadt Wittenberg': a title that is part of the official name")


# ---------------------------------------------------------------- loading
def parsed_cached(text: str, parse):
    """parse(text), kept in the cache folder as marshal data under the text's sha256.

    Parsing the YAML registries and the JSON-lines gazetteer is most of the start-up; marshal
    reads the same plain data about ten times faster. The cache is keyed by the exact text, the
    parse function's compiled code and the Python version, so it never outlives a change of the file
    or of the code that parses it; data marshal cannot hold exactly is simply not cached."""
    from pipeline import cache

    code = marshal.dumps(parse.__code__) if hasattr(parse, "__code__") else repr(parse).encode()
    key = hashlib.sha256(sys.version.encode() + b"\0" + code + b"\0" + text.encode("utf-8")).hexdigest()[:24]
    path = cache.cache_dir() / f"parsed-{key}.marshal"
    try:
        return marshal.loads(cache.read(path))
    except (OSError, ValueError, EOFError, TypeError):
        pass
    data = parse(text)
    try:
        blob = marshal.dumps(data)
    except ValueError:
        return data  # data marshal cannot hold: parsed again next time
    if marshal.loads(blob) == data:
        cache.write(path, blob)
    return data


def _parse_yaml(text: str):
    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def parse_json_lines(text: str) -> list[dict]:
    return [json.loads(line) for line in text.split("\n") if line.strip()]  # not splitlines: U+2028 may stand in a JSON string


def _load_yaml(path: Path):
    try:
        return parsed_cached(path.read_text(encoding="utf-8"), _parse_yaml)
    except FileNotFoundError:
        raise RulesError(f"rule file {path} is missing: restore it from the repository") from None
    except yaml.YAMLError as exc:
        raise RulesError(f"rule file {path} is not valid YAML: {exc}") from None


def load_model(model, relpath: str, base: Optional[Path] = None):
    path = (base or rules_dir()) / relpath
    try:
        return model.model_validate(_load_yaml(path))
    except ValidationError as exc:
        raise RulesError(f"rule file {path} is invalid: {exc}") from None


@lru_cache(maxsize=4)
def rules_hash(base: Optional[str] = None) -> str:
    """sha256 over every file in rules/ (names and contents), sorted: changes with any rule."""
    root = Path(base) if base else rules_dir()
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
        h.update(str(path.relative_to(root)).encode())
        h.update(path.read_bytes())
    return h.hexdigest()[:16]


@lru_cache(maxsize=1)
def date_vocabulary() -> DateVocabulary:
    return load_model(DateVocabulary, "dates.yaml")


@lru_cache(maxsize=1)
def institution_registry() -> InstitutionRegistry:
    return load_model(InstitutionRegistry, "institutions.yaml")


@lru_cache(maxsize=1)
def programme_registry() -> ProgrammeRegistry:
    return load_model(ProgrammeRegistry, "programmes.yaml")


@lru_cache(maxsize=1)
def institutions_by_id() -> dict:
    """The institution registry's entries by id."""
    return {e.id: e for e in institution_registry().institutions}


@lru_cache(maxsize=1)
def programmes_by_id() -> dict:
    """The programme registry's entries by id."""
    return {e.id: e for e in programme_registry().programmes}


@lru_cache(maxsize=1)
def institution_patterns() -> InstitutionPatterns:
    return load_model(InstitutionPatterns, "institution_patterns.yaml")


@lru_cache(maxsize=1)
def programme_patterns() -> ProgrammePatterns:
    return load_model(ProgrammePatterns, "programme_patterns.yaml")


@lru_cache(maxsize=1)
def project_patterns() -> ProjectPatterns:
    return load_model(ProjectPatterns, "project_patterns.yaml")


@lru_cache(maxsize=1)
def relation_cues() -> RelationCues:
    return load_model(RelationCues, "relations.yaml")


@lru_cache(maxsize=1)
def relation_model() -> Optional[RelationModel]:
    """The trained relation scorer, or None when rules/relation_model.json is absent (rules only)."""
    path = rules_dir() / "relation_model.json"
    if not path.exists():
        return None
    try:
        return RelationModel.model_validate_json(path.read_text(encoding="utf-8"))
    except ValidationError as exc:
        raise RulesError(f"rule file {path} is invalid: {exc}") from None


def _word_table(text: str) -> dict:
    floor, table = None, {}
    for n, line in enumerate(text.splitlines(), 1):
        if line.startswith("# floor\t"):
            floor = float(line.split("\t")[1])
        elif line and not line.startswith("#"):
            word, _, zipf = line.partition("\t")
            try:
                table[word] = float(zipf)
            except ValueError:
                raise RulesError(f"word_frequencies.tsv line {n}: expected 'word<TAB>zipf', got {line[:60]!r}") from None
    if floor is None:
        raise RulesError("word_frequencies.tsv has no '# floor' line: regenerate it with scripts/build_word_frequencies.py")
    return {"floor": floor, "zipf": table}


@lru_cache(maxsize=1)
def word_frequencies() -> dict:
    """rules/word_frequencies.tsv (from wordfreq): {'floor': lowest Zipf value listed, 'zipf': word → Zipf value}."""
    path = rules_dir() / "word_frequencies.tsv"
    if not path.exists():
        raise RulesError(f"data file {path} is missing: run `python scripts/build_word_frequencies.py`")
    return parsed_cached(path.read_text(encoding="utf-8"), _word_table)


def zipf_frequency(word: str) -> float:
    """wordfreq's zipf_frequency(word, 'de') for a word of letters, digits and hyphens, from the table: the parts of a
    hyphenated word combine as wordfreq combines tokens; a word below the table's floor is 0 (rarer than the floor)."""
    table = word_frequencies()["zipf"]
    one_over = 0.0
    for part in word.casefold().split("-"):  # wordfreq casefolds: "ß" is "ss"
        if not part:
            continue
        z = table.get(part)
        if z is None:
            return 0.0
        one_over += 1.0 / 10 ** (z - 9)
    if one_over == 0.0:
        return 0.0
    freq = 1.0 / one_over
    freq = round(freq, math.floor(-math.log10(freq)) + 3)  # wordfreq keeps three significant digits
    return round(math.log10(freq) + 9, 2)


@lru_cache(maxsize=1)
def town_evidence() -> TownEvidence:
    return load_model(TownEvidence, "towns/evidence.yaml")
