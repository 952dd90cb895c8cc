"""Pydantic models of the record: the contract with downstream databases.

Every value carries its mentions; every mention says where it is (offsets into the
ingested text), which rule made it and how sure we are.
"""
from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Adjustment(Strict):
    """One change to a mention's score and why (Presidio-style explanation)."""

    reason: str
    delta: float


class Mention(Strict):
    start: int = Field(ge=0, description="character offset into the ingested text")
    end: int = Field(ge=0)
    text: str
    sentence: int = Field(ge=0, description="index of the sentence in the document")
    rule: str = Field(description="recognizer and rule id, e.g. towns:gazetteer+evidence.preposition")
    score: float = Field(ge=0.0, le=1.0)
    adjustments: list[Adjustment] = Field(default_factory=list)
    in_name_of: Optional[str] = Field(default=None, description="canonical name of the entity whose name contains this mention")

    @model_validator(mode="after")
    def _span(self):
        if self.end <= self.start:
            raise ValueError(f"mention end {self.end} must be after start {self.start}")
        if len(self.text) != self.end - self.start:
            raise ValueError(f"mention text {self.text!r} does not fit offsets {self.start}:{self.end}")
        return self


class Candidate(Strict):
    """Another reading of an ambiguous town name that lost."""

    ags: Optional[str] = None
    name: str
    state: Optional[str] = None
    population: Optional[int] = None


class Entity(Strict):
    name: str = Field(description="canonical name")
    aliases: list[str] = Field(default_factory=list)
    score: float = Field(ge=0.0, le=1.0)
    mentions: list[Mention] = Field(min_length=1)


class Town(Entity):
    ags: Optional[str] = Field(default=None, pattern=r"^\d{8}$")
    state: Optional[str] = None
    district: Optional[str] = None
    country: str = "DE"
    lat: Optional[float] = None
    lon: Optional[float] = None
    population: Optional[int] = None
    geonames_id: Optional[int] = None
    candidates: list[Candidate] = Field(default_factory=list, description="other municipalities of that name")


class District(Entity):
    """A city district or quarter: not a municipality, reported with its Gemeinde."""

    town: Optional[str] = None
    ags: Optional[str] = None


class Institution(Entity):
    acronym: Optional[str] = None
    registry_id: Optional[str] = None
    kind: Optional[str] = None


class Programme(Entity):
    acronym: Optional[str] = None
    registry_id: Optional[str] = None
    funders: list[str] = Field(default_factory=list, description="canonical names of institutions")


class Project(Entity):
    programmes: list[str] = Field(default_factory=list)
    funders: list[str] = Field(default_factory=list)
    partners: list[str] = Field(default_factory=list)
    towns: list[str] = Field(default_factory=list)


class DateValue(Strict):
    text: str
    value: str = Field(pattern=r"^(\d{4}|XXXX)(-(\d{2}|SP|SU|FA|WI|H[12]|Q[1-4])(-\d{2})?)?$")
    mod: Optional[Literal["START", "MID", "END"]] = None
    time: Optional[str] = Field(default=None, pattern=r"^\d{2}:\d{2}$")
    mentions: list[Mention] = Field(min_length=1)


class Duration(Strict):
    text: str
    value: str = Field(pattern=r"^P\d+[YMWD]$")
    mentions: list[Mention] = Field(min_length=1)


class Relation(Strict):
    type: Literal["programme_funder", "project_programme", "project_funder", "project_partner", "project_town"]
    source: str = Field(alias="from")
    target: str = Field(alias="to")
    rule: str
    evidence: Mention

    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class Source(Strict):
    path: str
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    bytes: int = Field(ge=0)
    encoding: str
    text_file: str = Field(description="where the ingested text lies, relative to the output folder")


class Provenance(Strict):
    pipeline_version: str
    nlp_backend: str
    rules_hash: str
    extracted_at: str


class DocDate(Strict):
    value: str
    mention: Mention


class Record(Strict):
    record_id: str
    source: Source
    doc_date: Optional[str] = Field(default=None, pattern=r"^\d{4}-\d{2}-\d{2}$")
    doc_date_evidence: Optional[Mention] = None
    title: Optional[str] = None
    towns: list[Town] = Field(default_factory=list)
    towns_in_names: list[Town] = Field(default_factory=list, description="towns named only inside an institution's name (optional per the guidelines)")
    districts: list[District] = Field(default_factory=list)
    institutions: list[Institution] = Field(default_factory=list)
    programmes: list[Programme] = Field(default_factory=list)
    projects: list[Project] = Field(default_factory=list)
    dates: list[DateValue] = Field(default_factory=list)
    durations: list[Duration] = Field(default_factory=list)
    relations: list[Relation] = Field(default_factory=list)
    provenance: Provenance

    def check_offsets(self, text: str) -> None:
        """Raise if any mention does not slice the ingested text exactly."""
        for mention in self.iter_mentions():
            if text[mention.start:mention.end] != mention.text:
                raise ValueError(f"mention {mention.text!r} at {mention.start}:{mention.end} does not slice the text")

    def iter_mentions(self):
        for group in (self.towns, self.towns_in_names, self.districts, self.institutions, self.programmes, self.projects, self.dates, self.durations):
            for item in group:
                yield from item.mentions
        for rel in self.relations:
            yield rel.evidence
        if self.doc_date_evidence:
            yield self.doc_date_evidence
