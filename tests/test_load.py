"""The database loader (pipeline/load.py) on SQLite and on a throwaway PostgreSQL cluster.

The PostgreSQL tests need Debian's server binaries (/usr/lib/postgresql/*/bin, installed by
scripts/ci_setup.sh); without them they skip with that reason.
"""
from __future__ import annotations

import collections
import glob
import json
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select, text

from conftest import ROOT
from pipeline import load
from pipeline.load import (
    create_schema,
    document_entities,
    entities,
    example_queries,
    load_records,
    make_engine,
    mentions,
    relations,
    table_counts,
)

ENTITY_FIELDS = ("towns", "towns_in_names", "districts", "institutions", "programmes", "projects", "dates", "durations")


# ---------------------------------------------------------------------------------------------
# records from the corpus (one pipeline run for the module)

@pytest.fixture(scope="module")
def records_file(tmp_path_factory) -> Path:
    from pipeline.run import run

    out = tmp_path_factory.mktemp("load_run")
    manifest = run([str(ROOT / "corpus")], str(out), progress=False)
    assert manifest["records"] > 20 and manifest["errors"] == 0
    return out / "records.jsonl"


@pytest.fixture(scope="module")
def lines(records_file) -> list[str]:
    return [line for line in records_file.read_text(encoding="utf-8").splitlines() if line.strip()]


def write_lines(path: Path, rows: list[str]) -> Path:
    path.write_text("".join(row + "\n" for row in rows), encoding="utf-8")
    return path


def expected_counts(rows: list[str]) -> dict[str, int]:
    """Row counts a fresh load must give, computed from the JSON (the corpus has no duplicates)."""
    counts = collections.Counter(documents=len(rows))
    for row in rows:
        rec = json.loads(row)
        for name in ENTITY_FIELDS:
            counts["document_entities"] += len(rec[name])
            counts["mentions"] += sum(len(item["mentions"]) for item in rec[name])
        counts["relations"] += len(rec["relations"])
    return dict(counts)


def canonical(url: str) -> dict[str, list]:
    """Every table's content with surrogate ids replaced by the entity's (type, key)."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            keys = {row.id: (row.type, row.key) for row in conn.execute(select(entities.c.id, entities.c.type, entities.c.key))}
            content = {
                "documents": sorted(tuple(r) for r in conn.execute(select(load.documents))),
                "entities": sorted(tuple(v for k, v in r._mapping.items() if k != "id")
                                   for r in conn.execute(select(entities))),
                "document_entities": sorted((r.record_id, keys[r.entity_id], r.field, r.aliases, r.score)
                                            for r in conn.execute(select(document_entities))),
                "mentions": sorted((r.record_id, keys[r.entity_id], r.start, r.end, r.text, r.sentence, r.rule, r.score, r.in_name_of or "")
                                   for r in conn.execute(select(mentions))),
                "relations": sorted((r.record_id, r.type, keys[r.from_entity_id], keys[r.to_entity_id], r.rule, r.evidence_start, r.evidence_end)
                                    for r in conn.execute(select(relations))),
            }
    finally:
        engine.dispose()
    return content


def counts(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        return table_counts(engine)
    finally:
        engine.dispose()


def exact_snapshot(url: str) -> dict[str, list]:
    """Every row of every table, surrogate ids included."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {t.name: sorted(tuple(r) for r in conn.execute(select(t))) for t in load.TABLES}
    finally:
        engine.dispose()


def fail_on_call(monkeypatch, name: str, n: int) -> list:
    """Make load.<name> raise on its n-th call (1-based), after the record's earlier rows are written."""
    original = getattr(load, name)
    calls = []

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == n:
            raise RuntimeError(f"simulated crash in {name} (call {n})")
        return original(*args, **kwargs)

    monkeypatch.setattr(load, name, failing)
    return calls


def drop_one_town(rows: list[str]) -> tuple[int, list[str], dict]:
    """Copy of rows in which one record loses a town that no other record names (and the
    relations and project links to it). Returns (index, new rows, the dropped town)."""
    ags_docs = collections.Counter()
    for row in rows:
        rec = json.loads(row)
        ags_docs.update({t["ags"] for t in rec["towns"] + rec["towns_in_names"] if t["ags"]})
    for index, row in enumerate(rows):
        rec = json.loads(row)
        for town in rec["towns"]:
            related = [r for r in rec["relations"] if r["to"] == town["name"]]
            if town["ags"] and ags_docs[town["ags"]] == 1 and related and len(town["mentions"]) > 1:
                rec["towns"] = [t for t in rec["towns"] if t is not town]
                rec["relations"] = [r for r in rec["relations"] if r["to"] != town["name"]]
                for project in rec["projects"]:
                    project["towns"] = [t for t in project["towns"] if t != town["name"]]
                changed = rows[:index] + [json.dumps(rec, ensure_ascii=False)] + rows[index + 1:]
                return index, changed, {**town, "relations": len(related)}
    raise AssertionError("no record with a town named only there and related to a project")


# ---------------------------------------------------------------------------------------------
# PostgreSQL: a throwaway cluster

def _pg_bindir() -> Path:
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")
    if not found:
        pytest.skip("PostgreSQL server binaries are not installed (scripts/ci_setup.sh installs them)")
    newest = max(found, key=lambda p: float(Path(p).parent.parent.name))
    return Path(newest).parent


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def pg_cluster():
    """Start a PostgreSQL cluster on 127.0.0.1:<free port> (trust auth); yield (bindir, port)."""
    bindir = _pg_bindir()
    as_user: list[str] = []
    owner = None
    if os.geteuid() == 0:  # the server refuses to run as root
        try:
            owner = pwd.getpwnam("postgres")
        except KeyError:
            pytest.skip("running as root and there is no 'postgres' user to run the server")
        as_user = ["runuser", "-u", "postgres", "--"] if shutil.which("runuser") else None
    base = Path(tempfile.mkdtemp(prefix="pgtest-"))
    if owner is not None:
        os.chown(base, owner.pw_uid, owner.pw_gid)
    data, logfile = base / "data", base / "server.log"

    def as_server_user(argv: list[str]) -> list[str]:
        argv = [str(a) for a in argv]
        if as_user is None:  # no runuser: su with a quoted command line
            import shlex
            return ["su", "postgres", "-s", "/bin/sh", "-c", shlex.join(argv)]
        return as_user + argv

    def call(argv: list[str]) -> subprocess.CompletedProcess:
        return subprocess.run(as_server_user(argv), cwd=base, capture_output=True, text=True, timeout=120)

    result = call([bindir / "initdb", "-D", data, "-A", "trust", "-U", "postgres", "-E", "UTF8",
                   "--no-locale", "--no-sync"])
    assert result.returncode == 0, f"initdb failed:\n{result.stdout}\n{result.stderr}"
    port = None
    for _attempt in range(3):  # another process may take the free port before the server does
        candidate = _free_port()
        options = f"-k {base} -c listen_addresses=127.0.0.1 -p {candidate} -c fsync=off"
        result = call([bindir / "pg_ctl", "-D", data, "-l", logfile, "-w", "-t", "60", "-o", options, "start"])
        if result.returncode == 0:
            port = candidate
            break
    if port is None:
        log = logfile.read_text(errors="replace") if logfile.exists() else ""
        shutil.rmtree(base, ignore_errors=True)
        pytest.fail(f"PostgreSQL did not start:\n{result.stdout}\n{result.stderr}\n{log}")
    try:
        yield bindir, port
    finally:
        call([bindir / "pg_ctl", "-D", data, "-m", "immediate", "stop"])
        shutil.rmtree(base, ignore_errors=True)


def new_pg_database(cluster) -> str:
    bindir, port = cluster
    name = f"records_{uuid.uuid4().hex[:12]}"
    result = subprocess.run([str(bindir / "createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", name],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return f"postgresql://postgres@127.0.0.1:{port}/{name}"


@pytest.fixture(params=["sqlite", "postgresql"])
def new_db(request, tmp_path):
    """A factory of empty databases of one kind: new_db() → URL."""
    made = []

    def factory() -> str:
        if request.param == "sqlite":
            url = f"sqlite:///{tmp_path / f'records{len(made)}.db'}"
        else:
            url = new_pg_database(request.getfixturevalue("pg_cluster"))
        made.append(url)
        return url

    if request.param == "postgresql":
        request.getfixturevalue("pg_cluster")  # skips here when the binaries are missing
    return factory


# ---------------------------------------------------------------------------------------------
# tests on both databases

def test_load_twice_gives_identical_rows(new_db, records_file, lines):
    url = new_db()
    first = load_records(records_file, url)
    assert first == expected_counts(lines) | {"entities": first["entities"]}
    assert 0 < first["entities"] < first["document_entities"]
    before = canonical(url)
    second = load_records(records_file, url)
    assert second == first
    assert canonical(url) == before
    third = load_records(records_file, url, atomic=False)
    assert third == first
    assert canonical(url) == before


def test_changed_record_replaces_its_rows(new_db, records_file, lines, tmp_path):
    index, changed, town = drop_one_town(lines)
    changed_file = write_lines(tmp_path / "changed.jsonl", changed)
    url = new_db()
    original = load_records(records_file, url)
    after = load_records(changed_file, url)
    assert after == {
        "documents": original["documents"],
        "entities": original["entities"] - 1,  # the town no other record names is gone
        "document_entities": original["document_entities"] - 1,
        "mentions": original["mentions"] - len(town["mentions"]),
        "relations": original["relations"] - town["relations"],
    }
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(select(entities.c.id).where(entities.c.key == town["ags"])).first() is None
            stored = conn.execute(select(load.documents.c.record_json)
                                  .where(load.documents.c.record_id == json.loads(changed[index])["record_id"])).scalar_one()
            assert json.loads(stored) == json.loads(changed[index])
    finally:
        engine.dispose()
    fresh = new_db()
    load_records(changed_file, fresh)
    assert canonical(url) == canonical(fresh)
    # and back: loading the original again restores the original rows
    assert load_records(records_file, url) == original


def test_interrupted_whole_file_load_leaves_database_as_before(new_db, records_file, lines, tmp_path, monkeypatch):
    index, changed, _town = drop_one_town(lines)
    changed_file = write_lines(tmp_path / "changed.jsonl", changed)
    url = new_db()
    # an empty database (schema only)
    create_schema_at(url)
    empty = exact_snapshot(url)
    calls = fail_on_call(monkeypatch, "_insert_relations", len(lines) // 2)
    with pytest.raises(RuntimeError, match="simulated crash"):
        load_records(records_file, url)
    assert len(calls) == len(lines) // 2
    assert exact_snapshot(url) == empty
    assert set(counts(url).values()) == {0}
    monkeypatch.undo()
    # a loaded database, then an interrupted re-load of a changed file
    load_records(records_file, url)
    before = exact_snapshot(url)
    fail_on_call(monkeypatch, "_insert_relations", index + 1)  # midway through the changed record
    with pytest.raises(RuntimeError, match="simulated crash"):
        load_records(changed_file, url)
    assert exact_snapshot(url) == before
    monkeypatch.undo()
    # a bad line at the end aborts the whole file too
    bad_file = write_lines(tmp_path / "bad.jsonl", changed + ['{"record_id": "pr-broken"}'])
    with pytest.raises(ValueError, match="not a valid record"):
        load_records(bad_file, url)
    assert exact_snapshot(url) == before


def test_interrupted_record_is_rolled_back_alone(new_db, records_file, lines, tmp_path, monkeypatch):
    k = len(lines) // 2
    url = new_db()
    fail_on_call(monkeypatch, "_insert_relations", k + 1)  # record k (0-based) fails after its mentions
    with pytest.raises(RuntimeError, match="simulated crash"):
        load_records(records_file, url, atomic=False)
    monkeypatch.undo()
    head = new_db()
    load_records(write_lines(tmp_path / "head.jsonl", lines[:k]), head)
    assert counts(url) == counts(head)
    assert canonical(url) == canonical(head)
    failed_id = json.loads(lines[k])["record_id"]
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            assert conn.execute(select(load.documents.c.record_id).where(load.documents.c.record_id == failed_id)).first() is None
            orphans = conn.execute(select(entities.c.id).where(
                ~select(document_entities.c.entity_id).where(document_entities.c.entity_id == entities.c.id).exists())).all()
            assert orphans == []
    finally:
        engine.dispose()
    # a changed record that fails on re-load keeps its earlier version
    index, changed, _town = drop_one_town(lines)
    load_records(records_file, url)
    before = canonical(url)
    fail_on_call(monkeypatch, "_insert_relations", index + 1)
    with pytest.raises(RuntimeError, match="simulated crash"):
        load_records(write_lines(tmp_path / "changed.jsonl", changed), url, atomic=False)
    assert canonical(url) == before  # records before it were re-loaded unchanged, it was rolled back


def test_example_queries_return_sensible_rows(new_db, records_file, lines):
    url = new_db()
    load_records(records_file, url)
    queries = example_queries()
    assert len(queries) == 3
    towns_q, bamf_q, per_town_q = queries.values()
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            funded = conn.execute(text(towns_q)).mappings().all()
            # the same question answered from the records themselves: towns of projects in the programme
            want_funded = collections.Counter()
            for row in lines:
                rec = json.loads(row)
                # the programme as the database keys it: by its registry id ("Städtebauförderung von Bund und Ländern" is the same)
                sbf = {p["name"] for p in rec["programmes"] if p["name"] == "Städtebauförderung" or p.get("registry_id") == "bund.sbf"}
                in_programme = {r["from"] for r in rec["relations"] if r["type"] == "project_programme" and r["to"] in sbf}
                ags = {t["name"]: t["ags"] for t in rec["towns"] + rec["towns_in_names"]}
                want_funded.update({ags.get(r["to"]) for r in rec["relations"] if r["type"] == "project_town" and r["from"] in in_programme})
            assert len(funded) >= 2
            assert {row["ags"]: row["releases"] for row in funded} == dict(want_funded)
            assert all(row["ags"] and row["state"] and row["releases"] >= 1 for row in funded)

            def funded_programmes(funder: str, state: str) -> list[str]:
                """The second question answered from the records: programmes the funder runs, in releases naming a town of the state."""
                out = collections.Counter()
                for row in lines:
                    rec = json.loads(row)
                    names = {i["name"] for i in rec["institutions"] if funder in (i["name"], i.get("acronym"))}
                    if names and any(t["state"] == state for t in rec["towns"] + rec["towns_in_names"]):
                        out.update({r["from"] for r in rec["relations"] if r["type"] == "programme_funder" and r["to"] in names})
                return sorted(out)

            for funder, state in (("BAMF", "Thüringen"), ("TAB", "Thüringen"), ("Carl-Zeiss-Stiftung", "Thüringen"), ("TAB", "Bayern")):
                rows = conn.execute(text(bamf_q.replace("'BAMF'", f"'{funder}'").replace("'Thüringen'", f"'{state}'"))).mappings().all()
                assert [row["programme"] for row in rows] == funded_programmes(funder, state), (funder, state)
            # the corpus has Thuringian releases with such funders (503 Gotha, 310 Ilmenau): the question is not empty
            assert any(funded_programmes(funder, "Thüringen") for funder in ("BAMF", "TAB", "Carl-Zeiss-Stiftung"))
            assert funded_programmes("TAB", "Bayern") == []

            per_town = conn.execute(text(per_town_q)).mappings().all()
    finally:
        engine.dispose()
    want = collections.Counter()
    for row in lines:
        want.update({(t["ags"] or f"{t['country']}:{t['name']}") for t in json.loads(row)["towns"]})
    got = {(row["ags"] or f"{row['country']}:{row['town']}"): row["documents"] for row in per_town}
    assert got == dict(want)
    assert per_town[0]["town"] == "Berlin" and per_town[0]["documents"] >= 2


# ---------------------------------------------------------------------------------------------
# SQLite and PostgreSQL agree; URLs

def test_sqlite_and_postgresql_give_identical_rows(pg_cluster, records_file, tmp_path):
    sqlite_url = f"sqlite:///{tmp_path / 'records.db'}"
    pg_url = new_pg_database(pg_cluster)
    assert load_records(records_file, sqlite_url) == load_records(records_file, pg_url)
    assert canonical(sqlite_url) == canonical(pg_url)


def test_urls():
    assert make_engine("postgresql://u@localhost:5432/db").url.drivername == "postgresql+psycopg"
    assert make_engine("postgres://u@localhost/db").url.drivername == "postgresql+psycopg"
    assert make_engine("postgresql+psycopg://u@localhost/db").url.drivername == "postgresql+psycopg"
    assert make_engine("sqlite:///:memory:").dialect.name == "sqlite"


def create_schema_at(url: str) -> None:
    engine = make_engine(url)
    try:
        create_schema(engine)
        create_schema(engine)  # safe to call again
    finally:
        engine.dispose()


def test_a_registered_entity_keeps_the_registers_name_whichever_record_came_last(lines, tmp_path):
    """Two records that name one registry programme differently ("Interreg VI A Großregion", "Interreg Großregion"): the
    entities row has the register's name in either load order, and each document keeps its own name as an alias."""
    index, rec = next((i, json.loads(row)) for i, row in enumerate(lines)
                      if any(p.get("registry_id") for p in json.loads(row)["programmes"]))
    prog = next(p for p in rec["programmes"] if p.get("registry_id"))
    renamed = json.loads(lines[index])
    other = next(p for p in renamed["programmes"] if p["registry_id"] == prog["registry_id"])
    other["name"] = prog["name"] + " 2021–2027"
    renamed["record_id"] = rec["record_id"] + "-b"
    renamed["source"]["sha256"] = "f" * 64
    names = set()
    for order in ([lines[index], json.dumps(renamed)], [json.dumps(renamed), lines[index]]):
        url = f"sqlite:///{tmp_path / f'order{len(names)}.db'}"
        load_records(write_lines(tmp_path / f"order{len(names)}.jsonl", order), url)
        engine = make_engine(url)
        try:
            with engine.connect() as conn:
                (name,) = conn.execute(select(entities.c.name).where(entities.c.key == prog["registry_id"])).one()
                aliases = [json.loads(a) for (a,) in conn.execute(
                    select(document_entities.c.aliases).join(entities, entities.c.id == document_entities.c.entity_id)
                    .where(entities.c.key == prog["registry_id"]))]
        finally:
            engine.dispose()
        names.add(name)
        assert any(prog["name"] + " 2021–2027" in a for a in aliases)
    from pipeline.rules import programme_registry

    assert names == {next(e.name for e in programme_registry().programmes if e.id == prog["registry_id"])}
