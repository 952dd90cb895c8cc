"""Load records.jsonl into a relational database (SQLite by default, PostgreSQL with psycopg 3).

``load_records(records_path, db_url)`` reads the JSON lines written by ``pipeline run``, validates
each line as a :class:`pipeline.records.Record` and loads it into a normalised schema
(SQLAlchemy Core; every value is a bound parameter):

- ``documents`` — one row per record: ``record_id`` (PK), ``source_path``, ``sha256``, ``bytes``,
  ``encoding``, ``text_file``, ``doc_date``, ``title``, ``pipeline_version``, ``nlp_backend``,
  ``rules_hash``, ``extracted_at`` and ``record_json`` (the record's JSON line, kept for auditing).
- ``entities`` — one row per canonical entity: ``id`` (surrogate PK), ``type`` (town, district,
  institution, programme, project, date, duration), ``key`` (stable natural key, UNIQUE with
  ``type``: the AGS for German towns, ``country:name`` for foreign towns, ``registry_id`` or the
  normalised name for institutions and programmes, the normalised name for projects and
  districts, the TIMEX3 value (``T`` + time, ``|`` + mod) for dates), ``name`` (the register's
  for a German town and a registry institution or programme, so that it does not depend on the
  record loaded last; a document's own form of the name is in its ``aliases``) and the link
  columns ``ags``, ``state``, ``district``, ``town``, ``country``, ``lat``, ``lon``,
  ``population``, ``geonames_id``, ``acronym``, ``registry_id``, ``kind``, ``value``, ``mod``.
- ``document_entities`` — which entity a document names: ``record_id``, ``entity_id`` (PK
  together), ``field`` (the record list it came from: towns, towns_in_names, districts, …),
  ``aliases`` (JSON list as text), ``score``.
- ``mentions`` — ``id``, ``record_id``, ``entity_id``, ``start``, ``end``, ``text``,
  ``sentence``, ``rule``, ``score``, ``in_name_of`` (offsets into the ingested text).
- ``relations`` — ``record_id``, ``type``, ``from_entity_id``, ``to_entity_id`` (PK together),
  ``rule``, ``evidence_start``, ``evidence_end``.

Loading is idempotent: documents are upserted on ``record_id`` and entities on ``(type, key)``;
a record that is loaded again has its document_entities, mentions and relations deleted and
inserted anew, and entities no document names any more are deleted. Each record is loaded in
one transaction; with ``atomic=True`` (the default) the whole file is one transaction, so an
interrupted load leaves the database as it was. One loader at a time per database.

Example queries (they run on SQLite and PostgreSQL; tests/test_load.py executes them):

-- All towns funded by a programme (here Städtebauförderung): towns of the projects in it
SELECT t.name AS town, t.ags, t.state, COUNT(DISTINCT pt.record_id) AS releases
FROM relations pp
JOIN entities prog ON prog.id = pp.to_entity_id
JOIN relations pt ON pt.record_id = pp.record_id
                 AND pt.from_entity_id = pp.from_entity_id
                 AND pt.type = 'project_town'
JOIN entities t ON t.id = pt.to_entity_id
WHERE pp.type = 'project_programme'
  AND (prog.name = 'Städtebauförderung' OR prog.acronym = 'Städtebauförderung')
GROUP BY t.id, t.name, t.ags, t.state
ORDER BY t.name;

-- Which programmes did the BAMF fund in Thuringia (releases that name a town in Thüringen)
SELECT prog.name AS programme, COUNT(DISTINCT r.record_id) AS releases
FROM relations r
JOIN entities prog ON prog.id = r.from_entity_id
JOIN entities f ON f.id = r.to_entity_id
WHERE r.type = 'programme_funder'
  AND (f.acronym = 'BAMF' OR f.name = 'BAMF')
  AND EXISTS (SELECT 1
              FROM document_entities de
              JOIN entities t ON t.id = de.entity_id
              WHERE de.record_id = r.record_id
                AND t.type = 'town'
                AND t.state = 'Thüringen')
GROUP BY prog.id, prog.name
ORDER BY prog.name;

-- Documents per town (towns named in the text, not only inside an institution's name)
SELECT t.name AS town, t.ags, t.state, t.country, COUNT(*) AS documents
FROM entities t
JOIN document_entities de ON de.entity_id = t.id
WHERE t.type = 'town' AND de.field = 'towns'
GROUP BY t.id, t.name, t.ags, t.state, t.country
ORDER BY documents DESC, town;
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator, Optional, Union

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Engine,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
    create_engine,
    delete,
    event,
    func,
    select,
    tuple_,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, make_url

from pipeline.gazetteer import gazetteer
from pipeline.records import Record
from pipeline.rules import institutions_by_id, programmes_by_id

log = logging.getLogger("pipeline.load")

DEFAULT_DB_URL = "sqlite:///outputs/records.db"

# ---------------------------------------------------------------------------------------------
# Schema

metadata = MetaData()

_Id = BigInteger().with_variant(Integer, "sqlite")  # SQLite: INTEGER PRIMARY KEY is the rowid

documents = Table(
    "documents", metadata,
    Column("record_id", Text, primary_key=True),
    Column("source_path", Text, nullable=False),
    Column("sha256", Text, nullable=False),
    Column("bytes", BigInteger, nullable=False),
    Column("encoding", Text, nullable=False),
    Column("text_file", Text),
    Column("doc_date", Date),
    Column("title", Text),
    Column("pipeline_version", Text, nullable=False),
    Column("nlp_backend", Text, nullable=False),
    Column("rules_hash", Text, nullable=False),
    Column("extracted_at", Text, nullable=False),
    Column("record_json", Text, nullable=False),
)

entities = Table(
    "entities", metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("type", Text, nullable=False),
    Column("key", Text, nullable=False),
    Column("name", Text, nullable=False),
    Column("ags", Text),
    Column("state", Text),
    Column("district", Text),
    Column("town", Text),
    Column("country", Text),
    Column("lat", Float),
    Column("lon", Float),
    Column("population", BigInteger),
    Column("geonames_id", BigInteger),
    Column("acronym", Text),
    Column("registry_id", Text),
    Column("kind", Text),
    Column("value", Text),
    Column("mod", Text),
    UniqueConstraint("type", "key", name="uq_entities_type_key"),
    Index("ix_entities_type_name", "type", "name"),
    Index("ix_entities_ags", "ags"),
)

document_entities = Table(
    "document_entities", metadata,
    Column("record_id", Text, ForeignKey("documents.record_id", ondelete="CASCADE"), nullable=False),
    Column("entity_id", _Id, ForeignKey("entities.id"), nullable=False),
    Column("field", Text, nullable=False),
    Column("aliases", Text, nullable=False),
    Column("score", Float),
    PrimaryKeyConstraint("record_id", "entity_id", name="pk_document_entities"),
    Index("ix_document_entities_entity", "entity_id"),
)

mentions = Table(
    "mentions", metadata,
    Column("id", _Id, primary_key=True, autoincrement=True),
    Column("record_id", Text, ForeignKey("documents.record_id", ondelete="CASCADE"), nullable=False),
    Column("entity_id", _Id, ForeignKey("entities.id"), nullable=False),
    Column("start", Integer, nullable=False),
    Column("end", Integer, nullable=False),
    Column("text", Text, nullable=False),
    Column("sentence", Integer, nullable=False),
    Column("rule", Text, nullable=False),
    Column("score", Float, nullable=False),
    Column("in_name_of", Text),
    Index("ix_mentions_record", "record_id"),
    Index("ix_mentions_entity", "entity_id"),
)

relations = Table(
    "relations", metadata,
    Column("record_id", Text, ForeignKey("documents.record_id", ondelete="CASCADE"), nullable=False),
    Column("type", Text, nullable=False),
    Column("from_entity_id", _Id, ForeignKey("entities.id"), nullable=False),
    Column("to_entity_id", _Id, ForeignKey("entities.id"), nullable=False),
    Column("rule", Text, nullable=False),
    Column("evidence_start", Integer),
    Column("evidence_end", Integer),
    PrimaryKeyConstraint("record_id", "type", "from_entity_id", "to_entity_id", name="pk_relations"),
    Index("ix_relations_from", "from_entity_id"),
    Index("ix_relations_to", "to_entity_id"),
)

TABLES = (documents, entities, document_entities, mentions, relations)

# columns of entities besides id/type/key/name, by entity type
_ATTRS = {
    "town": ("ags", "state", "district", "country", "lat", "lon", "population", "geonames_id"),
    "district": ("town", "ags"),
    "institution": ("acronym", "registry_id", "kind"),
    "programme": ("acronym", "registry_id"),
    "project": (),
    "date": ("value", "mod"),
    "duration": ("value",),
}
_LINK_COLUMNS = ("ags", "state", "district", "town", "country", "lat", "lon", "population",
                 "geonames_id", "acronym", "registry_id", "kind", "value", "mod")

# relation type → (entity types of "from", entity types of "to"), in order of preference
_ENDPOINTS = {
    "programme_funder": (("programme",), ("institution",)),
    "project_programme": (("project",), ("programme",)),
    "project_funder": (("project",), ("institution",)),
    "project_partner": (("project",), ("institution",)),
    "project_town": (("project",), ("town", "district")),
}


# ---------------------------------------------------------------------------------------------
# Engine and schema

def make_engine(db_url: str) -> Engine:
    """An engine for ``db_url``: ``sqlite:///file.db`` (a bare path means SQLite too) or
    ``postgresql://…`` (psycopg 3 is used when the URL names no driver)."""
    if "://" not in db_url:
        db_url = f"sqlite:///{db_url}"
    url = make_url(db_url)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    if url.get_backend_name() == "sqlite":
        database = url.database
        if database and database != ":memory:" and not database.startswith("file:"):
            Path(database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url)
        _sqlite_transactions(engine)
        return engine
    return create_engine(url)


def _sqlite_transactions(engine: Engine) -> None:
    """Foreign keys on, and real transactions: pysqlite's own BEGIN handling is switched off and
    SQLAlchemy emits BEGIN itself (the recipe of the SQLAlchemy SQLite dialect documentation)."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(conn):
        conn.exec_driver_sql("BEGIN")


def create_schema(engine: Engine) -> None:
    """Create the tables and indexes that do not exist yet (safe to call again)."""
    with engine.begin() as conn:
        metadata.create_all(conn, checkfirst=True)


def table_counts(engine_or_conn: Union[Engine, Connection]) -> dict[str, int]:
    """Number of rows per table."""
    def count(conn: Connection) -> dict[str, int]:
        return {t.name: conn.execute(select(func.count()).select_from(t)).scalar_one() for t in TABLES}

    if isinstance(engine_or_conn, Connection):
        return count(engine_or_conn)
    with engine_or_conn.connect() as conn:
        return count(conn)


# ---------------------------------------------------------------------------------------------
# Loading

def load_records(records_path: Union[str, Path], db_url: Union[str, Engine] = DEFAULT_DB_URL, *,
                 atomic: bool = True) -> dict[str, int]:
    """Load every record of ``records_path`` (JSON lines) into the database at ``db_url``.

    Creates the schema if needed. With ``atomic=True`` the whole file is loaded in one
    transaction (an error anywhere leaves the database as before); with ``atomic=False`` each
    record is its own transaction (records before an error stay loaded; the failing record
    leaves no trace). Returns the number of rows per table after the load.
    """
    engine = make_engine(db_url) if isinstance(db_url, str) else db_url
    try:
        create_schema(engine)
        n = 0
        if atomic:
            with engine.begin() as conn:
                for record, raw in read_records(records_path):
                    load_record(conn, record, raw)
                    n += 1
        else:
            for record, raw in read_records(records_path):
                with engine.begin() as conn:
                    load_record(conn, record, raw)
                n += 1
        counts = table_counts(engine)
        log.info("loaded %d records from %s: %s", n, records_path, counts)
        return counts
    finally:
        if isinstance(db_url, str):
            engine.dispose()


def read_records(records_path: Union[str, Path]) -> Iterator[tuple[Record, str]]:
    """Yield (validated record, JSON line) for each non-empty line; a bad line raises ValueError."""
    path = Path(records_path)
    with path.open(encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            raw = line.strip()
            if not raw:
                continue
            try:
                record = Record.model_validate_json(raw)
            except ValueError as exc:
                first = str(exc).splitlines()[0]
                raise ValueError(f"{path}:{lineno}: not a valid record: {first}") from exc
            yield record, raw


def load_record(conn: Connection, record: Record, raw: Optional[str] = None) -> None:
    """Load one record on ``conn`` (inside the caller's transaction), replacing an earlier load."""
    if raw is None:
        raw = record.model_dump_json(by_alias=True)
    rid = record.record_id
    _upsert_document(conn, record, raw)
    old_entity_ids = _clear_record(conn, rid)
    collected = _collect_entities(record)
    ids = _upsert_entities(conn, collected)
    _insert_document_entities(conn, rid, collected, ids)
    _insert_mentions(conn, rid, collected, ids)
    _insert_relations(conn, record, collected, ids)
    _delete_orphans(conn, old_entity_ids - set(ids.values()))


def _insert(conn: Connection, table: Table):
    name = conn.dialect.name
    if name == "sqlite":
        return sqlite.insert(table)
    if name == "postgresql":
        return postgresql.insert(table)
    raise NotImplementedError(f"database {name!r} is not supported (use SQLite or PostgreSQL)")


def _upsert_document(conn: Connection, record: Record, raw: str) -> None:
    row = {
        "record_id": record.record_id,
        "source_path": record.source.path,
        "sha256": record.source.sha256,
        "bytes": record.source.bytes,
        "encoding": record.source.encoding,
        "text_file": record.source.text_file,
        "doc_date": dt.date.fromisoformat(record.doc_date) if record.doc_date else None,
        "title": record.title,
        "pipeline_version": record.provenance.pipeline_version,
        "nlp_backend": record.provenance.nlp_backend,
        "rules_hash": record.provenance.rules_hash,
        "extracted_at": record.provenance.extracted_at,
        "record_json": raw,
    }
    stmt = _insert(conn, documents).values(row)
    stmt = stmt.on_conflict_do_update(
        index_elements=[documents.c.record_id],
        set_={name: stmt.excluded[name] for name in row if name != "record_id"},
    )
    conn.execute(stmt)


def _clear_record(conn: Connection, rid: str) -> set[int]:
    """Delete the record's links; return the entity ids it named before."""
    old = set(conn.execute(select(document_entities.c.entity_id)
                           .where(document_entities.c.record_id == rid)).scalars())
    conn.execute(delete(relations).where(relations.c.record_id == rid))
    conn.execute(delete(mentions).where(mentions.c.record_id == rid))
    conn.execute(delete(document_entities).where(document_entities.c.record_id == rid))
    return old


def _delete_orphans(conn: Connection, candidate_ids: set[int]) -> None:
    """Delete those of ``candidate_ids`` that no document names any more."""
    if not candidate_ids:
        return
    named = select(document_entities.c.entity_id).where(document_entities.c.entity_id == entities.c.id)
    conn.execute(delete(entities).where(entities.c.id.in_(sorted(candidate_ids)), ~named.exists()))


# ---------------------------------------------------------------------------------------------
# Entities of one record

@dataclass
class _Entity:
    type: str
    key: str
    name: str
    source_field: str
    attrs: dict
    score: Optional[float]
    aliases: list[str] = field(default_factory=list)
    mentions: list = field(default_factory=list)

    def merge(self, other: "_Entity") -> None:
        """Another item of the record with the same (type, key): one entity, all mentions."""
        for alias in [other.name, *other.aliases]:
            if alias != self.name and alias not in self.aliases:
                self.aliases.append(alias)
        for name, value in other.attrs.items():
            if self.attrs.get(name) is None:
                self.attrs[name] = value
        if other.score is not None and (self.score is None or other.score > self.score):
            self.score = other.score
        if self.source_field == "towns_in_names" and other.source_field == "towns":
            self.source_field = "towns"
        self.mentions.extend(other.mentions)


def normalise_name(name: str) -> str:
    """Key form of a name: NFKC, case-folded, dashes unified, whitespace collapsed."""
    text = unicodedata.normalize("NFKC", name).casefold()
    text = re.sub(r"[\u2010-\u2015\u2212]", "-", text)
    return re.sub(r"\s+", " ", text).strip()


def register_name(type_: str, key: str, attrs: dict) -> Optional[str]:
    """The name a register gives the entity: the gazetteer's for a German town (by AGS), the registry's for an institution
    or a programme it lists; None for the rest, which are keyed by their own name."""
    if type_ == "town" and attrs.get("ags"):
        place = gazetteer().places.get(key)
        return place.name if place is not None else None
    if type_ in ("institution", "programme") and attrs.get("registry_id"):
        entry = (institutions_by_id() if type_ == "institution" else programmes_by_id()).get(attrs["registry_id"])
        return entry.name if entry is not None else None
    return None


def entity_key(type_: str, item) -> str:
    """The stable natural key of a record item of entity type ``type_``."""
    if type_ == "town":
        if item.ags:
            return item.ags
        return f"{item.country}:{item.name}"
    if type_ in ("institution", "programme"):
        return item.registry_id or normalise_name(item.name)
    if type_ in ("project", "district"):
        return normalise_name(item.name)
    if type_ == "date":
        key = item.value + (f"T{item.time}" if item.time else "")
        return key + (f"|{item.mod}" if item.mod else "")
    if type_ == "duration":
        return item.value
    raise ValueError(f"unknown entity type {type_!r}")


_FIELDS = (
    ("towns", "town"), ("towns_in_names", "town"), ("districts", "district"),
    ("institutions", "institution"), ("programmes", "programme"), ("projects", "project"),
    ("dates", "date"), ("durations", "duration"),
)


class _Collected:
    """The record's entities by (type, key), and how relation endpoints find them."""

    def __init__(self, record: Record):
        self.by_key: dict[tuple[str, str], _Entity] = {}
        self.by_name: dict[str, dict[str, tuple[str, str]]] = {}
        self.by_alias: dict[str, dict[str, tuple[str, str]]] = {}
        for field_name, type_ in _FIELDS:
            for item in getattr(record, field_name):
                self._add(field_name, type_, item)

    def _add(self, field_name: str, type_: str, item) -> None:
        key = entity_key(type_, item)
        attrs = {name: getattr(item, name, None) for name in _ATTRS[type_]}
        if type_ in ("date", "duration"):
            name = key.split("|")[0]
            aliases = [item.text]
            score = max(m.score for m in item.mentions)
        else:
            name, aliases, score = item.name, list(item.aliases), item.score
            registered = register_name(type_, key, attrs)
            if registered and registered != name:
                # a registered entity keeps the register's name, whichever record was loaded last ("Interreg VI A
                # Großregion" and "Interreg Großregion" are one row); the document's own name stays with its links
                name, aliases = registered, [item.name, *(a for a in aliases if a != item.name)]
        entity = _Entity(type_, key, name, field_name, attrs, score, aliases, list(item.mentions))
        ident = (type_, key)
        if ident in self.by_key:
            self.by_key[ident].merge(entity)
        else:
            self.by_key[ident] = entity
        if type_ not in ("date", "duration"):
            self.by_name.setdefault(type_, {}).setdefault(item.name, ident)
            for alias in [item.name, *item.aliases]:
                self.by_alias.setdefault(type_, {}).setdefault(normalise_name(alias), ident)

    def resolve(self, types: tuple[str, ...], name: str) -> Optional[tuple[str, str]]:
        for table, candidate in ((self.by_name, name), (self.by_alias, normalise_name(name))):
            for type_ in types:
                ident = table.get(type_, {}).get(candidate)
                if ident:
                    return ident
        return None


def _collect_entities(record: Record) -> _Collected:
    return _Collected(record)


def _upsert_entities(conn: Connection, collected: _Collected) -> dict[tuple[str, str], int]:
    """Insert or update the record's entities; return their ids by (type, key)."""
    if not collected.by_key:
        return {}
    rows = []
    for entity in collected.by_key.values():
        row = {"type": entity.type, "key": entity.key, "name": entity.name}
        row.update({name: entity.attrs.get(name) for name in _LINK_COLUMNS})
        rows.append(row)
    stmt = _insert(conn, entities)
    # the latest load names the entity; a link value it does not know keeps the stored one
    set_ = {"name": stmt.excluded.name}
    set_.update({name: func.coalesce(stmt.excluded[name], entities.c[name]) for name in _LINK_COLUMNS})
    conn.execute(stmt.on_conflict_do_update(index_elements=[entities.c.type, entities.c.key], set_=set_), rows)
    ids: dict[tuple[str, str], int] = {}
    wanted = list(collected.by_key)
    for start in range(0, len(wanted), 400):
        chunk = wanted[start:start + 400]
        query = select(entities.c.type, entities.c.key, entities.c.id).where(
            tuple_(entities.c.type, entities.c.key).in_(chunk))
        ids.update({(t, k): i for t, k, i in conn.execute(query)})
    missing = set(wanted) - set(ids)
    if missing:  # cannot happen unless the table changed under us
        raise RuntimeError(f"entities not found after upsert: {sorted(missing)[:5]}")
    return ids


def _insert_document_entities(conn: Connection, rid: str, collected: _Collected, ids: dict) -> None:
    rows = [{
        "record_id": rid,
        "entity_id": ids[ident],
        "field": entity.source_field,
        "aliases": json.dumps(entity.aliases, ensure_ascii=False),
        "score": entity.score,
    } for ident, entity in collected.by_key.items()]
    if rows:
        conn.execute(document_entities.insert(), rows)


def _insert_mentions(conn: Connection, rid: str, collected: _Collected, ids: dict) -> None:
    rows = [{
        "record_id": rid,
        "entity_id": ids[ident],
        "start": m.start,
        "end": m.end,
        "text": m.text,
        "sentence": m.sentence,
        "rule": m.rule,
        "score": m.score,
        "in_name_of": m.in_name_of,
    } for ident, entity in collected.by_key.items() for m in entity.mentions]
    if rows:
        conn.execute(mentions.insert(), rows)


def _insert_relations(conn: Connection, record: Record, collected: _Collected, ids: dict) -> None:
    rows: dict[tuple, dict] = {}
    for rel in record.relations:
        from_types, to_types = _ENDPOINTS[rel.type]
        source = collected.resolve(from_types, rel.source)
        target = collected.resolve(to_types, rel.target)
        if source is None or target is None:
            log.warning("%s: relation %s %r → %r names an entity the record does not list; skipped",
                        record.record_id, rel.type, rel.source, rel.target)
            continue
        pk = (rel.type, ids[source], ids[target])
        if pk in rows:  # same relation stated twice: the first statement is kept
            continue
        rows[pk] = {
            "record_id": record.record_id,
            "type": rel.type,
            "from_entity_id": ids[source],
            "to_entity_id": ids[target],
            "rule": rel.rule,
            "evidence_start": rel.evidence.start,
            "evidence_end": rel.evidence.end,
        }
    if rows:
        conn.execute(relations.insert(), list(rows.values()))


def example_queries() -> dict[str, str]:
    """The example SQL queries of this module's docstring, by their comment line."""
    queries: dict[str, str] = {}
    title, lines = None, []
    for line in (__doc__ or "").splitlines():
        if line.startswith("-- "):
            title, lines = line[3:].strip(), []
        elif title is not None:
            lines.append(line)
            if line.rstrip().endswith(";"):
                queries[title] = "\n".join(lines).strip()
                title = None
    return queries
