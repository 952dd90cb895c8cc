"""The relation model: its mechanism, its kinds, and that the committed weights are what training gives."""
from __future__ import annotations

import json
import math
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from conftest import ROOT, SHARED
from pipeline import relation_model as rm
from pipeline.extract import sentence_starts
from pipeline.resolve import Entity, resolve
from pipeline.rules import RelationModel

RELEASE = (
    "Kreisstadt Beispiel – Pressestelle\n\n"
    "Projekt „Grüne Höfe Nord“ startet in Jena\n\n"
    "Jena, 3. Mai 2024. Mit dem Projekt „Grüne Höfe Nord“ begrünt die Stadt Jena zwanzig Hinterhöfe.\n\n"
    "Die Friedrich-Schiller-Universität Jena misst dort ab Juni die Temperaturen.\n"
)


def resolved(nlp, text):
    doc = nlp(text)
    starts = sentence_starts(doc)
    return resolve(text, list(doc._.evidence or []), starts), starts


@pytest.fixture
def rules_only(nlp, monkeypatch):
    """The relation rules without the model: a release's text → its resolved entities and relations."""
    monkeypatch.setattr(rm, "relation_model", lambda: None)
    return lambda text: resolved(nlp, text)[0]


def rule_pairs(res, kind: str) -> set[tuple[str, str]]:
    """The (from, to) pairs of one relation type among resolved relations."""
    return {(r["from"], r["to"]) for r in res.relations if r["type"] == kind}


def test_model_adds_a_relation_no_rule_found_and_explains_it(nlp, monkeypatch):
    res, starts = resolved(nlp, RELEASE)
    assert [p.name for p in res.projects] == ["Grüne Höfe Nord"]
    uni = next(i for i in res.institutions if "Universität" in i.name)
    model = RelationModel(trained_on=["test"], trained_at="2026-01-01", l2=0.0,
                          types={"project_partner": {"bias": -2.0, "weights": {"attached": 4.0}, "threshold": 0.5}})
    monkeypatch.setattr(rm, "relation_model", lambda: model)
    rels = rm.model_relations(RELEASE, starts, res.towns, res.institutions, res.programmes, res.projects, [])
    partner = [r for r in rels if r["type"] == "project_partner" and r["to"] == uni.name]
    assert len(partner) == 1
    r = partner[0]
    assert r["rule"] == "relations:model.project_partner"
    assert r["score"] == pytest.approx(1 / (1 + math.exp(-2.0)), abs=1e-3)
    assert ("attached", 4.0) in r["explain"]
    a, b, _ = r["evidence"]
    assert RELEASE[a:b].startswith("Die Friedrich-Schiller-Universität Jena misst")
    # a pair below the threshold is not kept, and types the model lacks produce nothing
    model.types["project_partner"].bias = -10.0
    rels = rm.model_relations(RELEASE, starts, res.towns, res.institutions, res.programmes, res.projects, [])
    assert rels == []


def test_rule_relations_stand_unless_vetoed_and_without_a_model_nothing_changes(nlp, monkeypatch):
    res, starts = resolved(nlp, RELEASE)
    project, town = res.projects[0], next(t for t in res.towns if t.name == "Jena")
    rule_rel = {"type": "project_town", "from": project.name, "to": town.name, "rule": "relations:test_rule", "evidence": (0, 5, 0)}
    monkeypatch.setattr(rm, "relation_model", lambda: None)
    assert rm.model_relations(RELEASE, starts, res.towns, res.institutions, res.programmes, res.projects, [rule_rel]) == [rule_rel]
    model = RelationModel(trained_on=["test"], trained_at="2026-01-01", l2=0.0,
                          types={"project_town": {"bias": -20.0, "weights": {}, "threshold": 0.9}})
    monkeypatch.setattr(rm, "relation_model", lambda: model)
    rels = rm.model_relations(RELEASE, starts, res.towns, res.institutions, res.programmes, res.projects, [rule_rel])
    assert [(r["type"], r["to"], r["rule"]) for r in rels] == [("project_town", "Jena", "relations:test_rule")]
    assert rels[0]["score"] < 0.01  # the model's view is reported even where the rule decides
    model.types["project_town"].veto = 0.05  # ... and below the veto the model overrules the rule
    assert rm.model_relations(RELEASE, starts, res.towns, res.institutions, res.programmes, res.projects, [rule_rel]) == []


def test_a_model_file_with_an_unknown_relation_type_is_rejected():
    with pytest.raises(ValidationError):
        RelationModel.model_validate({"trained_on": [], "trained_at": "x", "l2": 0.0,
                                      "types": {"project_sponsor": {"bias": 0.0, "weights": {}, "threshold": 0.5}}})
    with pytest.raises(ValidationError):
        RelationModel.model_validate({"trained_on": [], "trained_at": "x", "l2": 0.0,
                                      "types": {"project_town": {"bias": 0.0, "weights": {}, "threshold": 1.5}}})


@pytest.mark.parametrize("name,registry_kind,kind", [
    ("Hochschule Emden/Leer", None, "science"),
    ("Stadtwerke Wetter GmbH", None, "company"),
    ("Lernladen Blumenthal e. V.", None, "civil"),
    ("Landratsamt Gotha", None, "local"),
    ("Sächsisches Staatsministerium für Regionalentwicklung", None, "state"),
    ("Projektträger Jülich", None, "agency"),
    ("Stiftung Welterbe im Harz", None, "foundation"),
    ("Bundesministerium für Bildung und Forschung", "ministry", "state"),
    ("Deutsche Forschungsgemeinschaft", "agency", "agency"),
])
def test_institution_kinds(name, registry_kind, kind):
    ent = Entity("institution", name, name, attrs={"kind": registry_kind} if registry_kind else {})
    assert rm.institution_kind(ent) == kind


@pytest.mark.parametrize("name,registry_level,level", [
    ("Bundesministerium für Wohnen, Stadtentwicklung und Bauwesen", None, "federal"),
    ("Die Beauftragte der Bundesregierung für Kultur und Medien", None, "federal"),
    ("Hessisches Ministerium für Soziales und Integration", None, "state"),
    ("Ministerium der Finanzen des Landes Sachsen-Anhalt", None, "state"),
    ("Deutscher Städtetag", None, None),
    ("Stadtverwaltung Kaiserslautern", "municipal", None),
    ("Kulturstiftung des Bundes", "federal", "federal"),
])
def test_institution_levels(name, registry_level, level):
    ent = Entity("institution", name, name, attrs={"level": registry_level} if registry_level else {})
    assert rm.institution_level(ent) == level


SERIES = (
    "Ministerium – Pressestelle\n\n"
    "Sechs Modellvorhaben ausgewählt\n\n"
    "Berlin, 3. Mai 2024. Das Bundesministerium für Wohnen, Stadtentwicklung und Bauwesen hat sechs Vorhaben ausgewählt. "
    "Das Bundesinstitut für Bau-, Stadt- und Raumforschung begleitet sie.\n\n"
    "Mit dem Vorhaben „Grüne Höfe Nord“ begrünt Jena zwanzig Hinterhöfe.\n\n"
    "Der Bund stellt je Vorhaben bis zu 250.000 Euro bereit.\n"
)


def test_the_level_that_funds_as_a_whole_marks_its_ministry(nlp):
    """'Der Bund stellt … Euro bereit': the federal ministry gets the level feature, and as a ministry the conjoined one."""
    res, starts = resolved(nlp, SERIES)
    view = rm.ReleaseView(SERIES, starts, res.towns, res.institutions, res.programmes, res.projects)
    assert view.levels_funding == {"federal"}
    feats = {i.name: view.profile(i).scored | rm._pair(view, res.projects[0], i, []) for i in res.institutions}
    ministry = feats["Bundesministerium für Wohnen, Stadtentwicklung und Bauwesen"]
    assert ministry.get("level_funds") == 1.0 and ministry.get("kind_state&level_funds") == 1.0
    institute = feats["Bundesinstitut für Bau-, Stadt- und Raumforschung"]
    assert institute.get("level_funds") == 1.0 and "kind_state&level_funds" not in institute


@pytest.mark.parametrize("sentence,feature", [
    ("Gefördert wird das Projekt über Projektfördermittel der Robert Bosch Stiftung.", "funder_money"),
    ("Das Projekt wird gefördert von der Robert Bosch Stiftung.", "funded_by"),
    ("Das von der Robert Bosch Stiftung geförderte Projekt startet.", "funded_by"),
    ("Die Robert Bosch Stiftung fördert das Projekt.", "funder_verb"),
])
def test_funding_phrases_around_an_institution(nlp, sentence, feature):
    text = "Projekt „Grüne Höfe Nord“ in Jena\n\n" + sentence + "\n"
    res, starts = resolved(nlp, text)
    view = rm.ReleaseView(text, starts, res.towns, res.institutions, res.programmes, res.projects)
    stiftung = next(i for i in res.institutions if i.name == "Robert Bosch Stiftung")
    assert feature in view.profile(stiftung).features
    others = {"funder_money", "funded_by", "funder_verb"} - {feature}
    assert not others & set(view.profile(stiftung).features)


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="the committed model is trained with ../shared/seeds")
def test_committed_model_is_what_the_training_script_gives(tmp_path):
    out = tmp_path / "model.json"
    subprocess.run([sys.executable, str(ROOT / "scripts" / "train_relations.py"), "--out", str(out)],
                   check=True, cwd=ROOT, capture_output=True)
    fresh = json.loads(out.read_text(encoding="utf-8"))
    committed = json.loads((ROOT / "rules" / "relation_model.json").read_text(encoding="utf-8"))
    assert fresh["trained_on"] == committed["trained_on"]
    for kind, tm in committed["types"].items():
        assert fresh["types"][kind]["threshold"] == pytest.approx(tm["threshold"]), kind
        assert set(fresh["types"][kind]["weights"]) == set(tm["weights"]), kind
        for feat, w in tm["weights"].items():
            assert fresh["types"][kind]["weights"][feat] == pytest.approx(w, abs=2e-3), (kind, feat)
    # each release scored by a model that never saw it: the estimate for new releases. Over the 58 releases the model
    # trained on until 2026-12-04 it was 0.867 / 0.885 (floors 0.82 / 0.80); over all 274 of the corpus and the seeds,
    # the later, harder sets included, 0.785 / 0.783, and over 299 0.781 / 0.781: another population, not a weaker
    # model (on 82 releases neither saw, the model trained on more scored .769 against .747)
    assert fresh["cross_validation"]["all"]["f1"] >= 0.77
    assert fresh["cross_validation"]["all"]["recall"] >= 0.77


def test_records_carry_the_relation_probability_and_its_reasons(tmp_path):
    from pipeline.run import run

    run([str(ROOT / "corpus")], str(tmp_path), progress=False)
    rels = [r for line in (tmp_path / "records.jsonl").read_text(encoding="utf-8").splitlines() for r in json.loads(line)["relations"]]
    assert len(rels) > 300
    model_only = [r for r in rels if r["rule"].startswith("relations:model.")]
    assert model_only, "the model adds relations no rule found"
    for r in model_only:
        assert r["rule"] == f"relations:model.{r['type']}"
        assert 0.0 < r["evidence"]["score"] <= 1.0
        assert r["evidence"]["adjustments"] and all(a["reason"].startswith("model feature ") for a in r["evidence"]["adjustments"])
    # a rule's relation keeps its rule name and is scored by the model too
    assert any(not r["rule"].startswith("relations:model.") and r["evidence"]["score"] != 0.7 for r in rels)


SERIES_PARTNER = (
    "Ministerium – Pressestelle\n\n"
    "Drei Modellvorhaben ausgewählt\n\n"
    "Berlin, 3. Mai 2024. Drei Städte erproben neue Wege.\n\n"
    "- Jena: Mit dem Vorhaben „Grüne Höfe Nord“ begrünt die Stadt Hinterhöfe.\n"
    "- Gera: Mit dem Vorhaben „Kühle Ecken“ pflanzt die Stadt Bäume.\n"
    "- Suhl: Mit dem Vorhaben „Schattige Wege“ baut die Stadt Pergolen.\n\n"
    "Das Bundesinstitut für Bau-, Stadt- und Raumforschung (BBSR) im Bundesamt für Bauwesen und Raumordnung (BBR) "
    "begleitet die drei Modellvorhaben wissenschaftlich.\n"
)


def test_a_partner_sentence_about_all_projects_names_no_parent_body(nlp, monkeypatch):
    """'Das BBSR im BBR begleitet die drei Modellvorhaben': the BBSR is every project's partner, the BBR is its parent."""
    monkeypatch.setattr(rm, "relation_model", lambda: None)  # the rules alone
    res, _ = resolved(nlp, SERIES_PARTNER)
    partners = {(r["from"], r["to"]) for r in res.relations if r["type"] == "project_partner"}
    bbsr = "Bundesinstitut für Bau-, Stadt- und Raumforschung"
    assert {(p.name, bbsr) for p in res.projects} <= partners and len(res.projects) == 3
    assert not any(to == "Bundesamt für Bauwesen und Raumordnung" for _, to in partners)


PARTNER_LIST = (
    "Senat – Pressestelle\n\n"
    "„Jobbrücke Nord“ startet\n\n"
    "Mit 1,9 Millionen Euro fördert die Stadt das neue Projekt „Jobbrücke Nord“ in Bremen.\n\n"
    "Getragen wird das Vorhaben von einem Verbund aus zwei Trägern:\n\n"
    "- Hafenwerk Bildung gGmbH: Coaching und Qualifizierung\n"
    "- Lernladen Blumenthal e. V.: Sprachförderung und Grundbildung\n\n"
    "Termine:\n"
    "- Infoabend der Robert Bosch Stiftung am 3. Mai\n"
)


def test_list_items_go_on_with_the_sentence_that_introduces_them(nlp, monkeypatch):
    """Items under 'Getragen wird das Vorhaben von … Trägern:' are partners; items under 'Termine:' are not."""
    monkeypatch.setattr(rm, "relation_model", lambda: None)
    res, _ = resolved(nlp, PARTNER_LIST)
    partners = {r["to"] for r in res.relations if r["type"] == "project_partner"}
    assert {"Hafenwerk Bildung gGmbH", "Lernladen Blumenthal e. V."} <= partners
    assert "Robert Bosch Stiftung" not in partners


def test_list_intros_map_items_to_the_colon_sentence():
    from pipeline.resolve import list_intros

    text = "Partner sind:\n- A\n- B\nDanach.\n- C\n"
    bounds = [(0, 13), (14, 17), (18, 21), (22, 29), (30, 33)]
    assert list_intros(text, bounds) == {1: 0, 2: 0}  # the list under "Danach." has no colon intro


def test_towns_heading_a_participants_list_are_the_projects_towns(rules_only):
    text = ("Landratsamt – Pressestelle\n\n"
            "Im gemeinsamen Vorhaben „Gigabit Arberland“ bauen Gemeinden Glasfaser aus.\n\n"
            "Beteiligt sind unter anderem:\n"
            "- Markt Bodenmais: 150 Adressen\n"
            "- Lindberg: 190 Adressen\n\n"
            "Termine:\n"
            "- Zwiesel: Infoabend am 3. Mai\n")
    res = rules_only(text)
    towns = {r["to"] for r in res.relations if r["type"] == "project_town" and r["rule"] == "relations:town_heads_list_item"}
    assert towns == {"Bodenmais", "Lindberg"}


def test_a_funder_in_a_projects_relative_clause_funds_that_project_and_runs_the_programme_there(rules_only):
    text = ("Universität – Pressestelle\n\n"
            "Das Vorhaben „Mixroots“ startet im Mai.\n\n"
            "Eng verzahnt ist „Mixroots“ mit dem Projekt „RhizoMix“, das die Deutsche Forschungsgemeinschaft (DFG) "
            "im Schwerpunktprogramm „Rhizosphere Spatiotemporal Organisation“ fördert.\n")
    res = rules_only(text)
    assert rule_pairs(res, "project_funder") == {("RhizoMix", "Deutsche Forschungsgemeinschaft")}
    assert ("Rhizosphere Spatiotemporal Organisation", "Deutsche Forschungsgemeinschaft") in rule_pairs(res, "programme_funder")


@pytest.mark.parametrize("text,pairs", [
    ("Die Migrationsberatung für erwachsene Zuwanderer (MBE) wird vom Bundesministerium des Innern und für Heimat (BMI) "
     "gefördert und vom Bundesamt für Migration und Flüchtlinge (BAMF) gesteuert.",
     {("Migrationsberatung für erwachsene Zuwanderer", "Bundesministerium des Innern und für Heimat"),
      ("Migrationsberatung für erwachsene Zuwanderer", "Bundesamt für Migration und Flüchtlinge")}),
    ("Die Stadt erhält 4 Millionen Euro aus dem Programm „Lebendige Zentren“. Die Mittel stammen vom Bundesministerium "
     "des Innern, für Bau und Heimat.",
     {("Lebendige Zentren", "Bundesministerium des Innern, für Bau und Heimat")}),
    # the subject of a relative clause that funds with the programme
    ("Das Geld stammt aus dem Förderprogramm „Aktive Ortskerne“, mit dem das Ministerium für Wirtschaft, Verkehr, Arbeit, "
     "Technologie und Tourismus des Landes Schleswig-Holstein Investitionen unterstützt.",
     {("Aktive Ortskerne", "Ministerium für Wirtschaft, Verkehr, Arbeit, Technologie und Tourismus des Landes Schleswig-Holstein")}),
])
def test_programme_funders_named_in_a_passive_or_as_the_source_of_its_money(rules_only, text, pairs):
    res = rules_only("Landkreis – Pressestelle\n\n" + text + "\n")
    assert pairs <= {(r["from"], r["to"]) for r in res.relations if r["type"] == "programme_funder"}


def test_a_programme_of_the_federal_level_named_with_its_ministry(rules_only):
    res = rules_only("Landkreis – Pressestelle\n\nDer Ausbau wird über die Gigabit-Richtlinie des Bundes vom "
                           "Bundesministerium für Digitales und Verkehr (BMDV) gefördert.\n")
    assert ("Gigabit-Richtlinie", "Bundesministerium für Digitales und Verkehr") in \
        {(r["from"], r["to"]) for r in res.relations if r["type"] == "programme_funder"}


def record_pairs(nlp_backend, text: str, kind: str) -> set[tuple[str, str]]:
    """The (from, to) pairs of one relation type in the record of a release."""
    from pipeline.extract import build_record
    from pipeline.ingest import Document

    nlp, backend = nlp_backend
    rec = build_record(nlp, Document("t.txt", text, "0" * 64, len(text), "utf-8"), backend)
    return {(r.source, r.target) for r in rec.relations if r.type == kind}


def test_a_project_with_its_town_in_parentheses(nlp_backend):
    text = ("Landratsamt Nordhausen\n\nNordhausen, 15.05.2024\n\nVier neue Projekte für die Partnerschaft\n\n"
            "Die ausgewählten Projekte:\n\n1. „Grenzgeschichten erzählen“ (Ellrich): Ein Verein lädt Zeitzeugen ein.\n\n"
            "2. „Laut gegen Hass“ (Nordhausen, Kreisstadt): Ein Bandwettbewerb mit Workshops.\n")
    towns = record_pairs(nlp_backend, text, "project_town")
    assert ("Grenzgeschichten erzählen", "Ellrich") in towns and ("Laut gegen Hass", "Nordhausen") in towns
    assert ("Grenzgeschichten erzählen", "Nordhausen") not in towns


def test_a_pair_scored_in_two_parts_has_the_log_odds_of_all_its_features(nlp):
    """score() adds the profile's cached part and the pair's own: the same as every feature's weight at once."""
    from pipeline.extract import analyse
    from pipeline.ingest import read_document
    from pipeline.rules import relation_model

    path = sorted((ROOT / "corpus").glob("7*.txt"))[0]
    document = read_document(str(path))
    doc = nlp(document.text)
    res, _, _ = analyse(nlp, document, doc)
    view = rm.ReleaseView(document.text, sentence_starts(doc), res.towns, res.institutions, res.programmes, res.projects)
    cands = rm.candidates(view, res.rule_relations)
    assert len(cands) > 20
    rm.score(cands)
    model = relation_model()
    for c in cands:
        tm = model.types[c.type]
        z = tm.bias + sum(tm.weights.get(k, 0.0) * v for k, v in c.features.items())
        assert math.isclose(c.score, 1 / (1 + math.exp(-max(-30, min(30, z)))), rel_tol=1e-9)
        assert not set(c.own) & set(c.profile.scored)  # no feature counted twice


@pytest.mark.parametrize("sentence,plural", [
    ("Sechs Vorhaben aus Dörfern erhalten Geld aus dem LEADER-Programm.", True),  # the number word opens the sentence
    ("Die Stadt fördert drei Vorhaben.", True),
    ("Das Vorhaben erhält Geld.", False),
    ("Bund und Land tragen die Kosten jeweils zur Hälfte.", False),  # shares out among the funders, not the projects
])
def test_a_sentence_that_speaks_of_all_projects(sentence, plural):
    assert bool(rm.PLURAL_PROJECTS.search(sentence)) is plural


def test_a_sentence_that_names_projects_and_programmes_clause_by_clause_pairs_them(nlp_backend):
    text = ("Ministerium – Pressestelle\n\nSchwerin, 4. Juni 2025\n\n"
            "Neubrandenburg erhält 1,2 Millionen Euro aus dem Programm „Lebendige Zentren“ für das Projekt „Marktplatz Süd“, "
            "in Anklam fördert das Land das Projekt „Hafenspeicher“ mit 800.000 Euro aus dem Programm „Sozialer Zusammenhalt“.\n")
    assert record_pairs(nlp_backend, text, "project_programme") == {("Marktplatz Süd", "Lebendige Zentren"), ("Hafenspeicher", "Sozialer Zusammenhalt")}


@pytest.mark.parametrize("sentence,paired", [
    ("Aus den Programmen „Lebendige Zentren“ und „Sozialer Zusammenhalt“ werden die Projekte „Marktplatz Süd“ und "
     "„Hafenspeicher Anklam“ gefördert.", None),  # one clause: every project with every programme
    ("Neubrandenburg erhält Geld aus „Lebendige Zentren“ für „Marktplatz Süd“; Anklam baut mit Mitteln aus "
     "„Sozialer Zusammenhalt“ den „Hafenspeicher Anklam“ um.", {("Marktplatz Süd", "Lebendige Zentren"),
                                                               ("Hafenspeicher Anklam", "Sozialer Zusammenhalt")}),
    ("Gefördert werden aus „Lebendige Zentren“, „Sozialer Zusammenhalt“ die Projekte „Marktplatz Süd“ und "
     "„Hafenspeicher Anklam“.", None),  # a programme's clause without a project
])
def test_clause_pairs_pair_only_a_sentence_that_splits_clause_by_clause(sentence, paired):
    from types import SimpleNamespace as NS

    def named(names):
        out = []
        for name in names:
            start = sentence.index(name)
            out.append((NS(name=name), NS(start=start, end=start + len(name))))
        return out

    projects = named(["Marktplatz Süd", "Hafenspeicher Anklam"])
    programmes = named(["Lebendige Zentren", "Sozialer Zusammenhalt"])
    pairs = rm.clause_pairs(sentence, 0, len(sentence), projects, programmes)
    ids = {id(e): e.name for e, _ in projects + programmes}
    assert (None if pairs is None else {(ids[a], ids[b]) for a, b in pairs}) == paired


@pytest.mark.parametrize("sentence,partner", [
    ("Der Beirat hat sechs Vorhaben ausgewählt, die zusammen 54.700 Euro erhalten.", False),  # "in total"
    ("Die Projekte erhalten zusammen rund 1,2 Millionen Euro.", False),
    ("Die Stadt und der Verein setzen das Projekt zusammen um.", True),
])
def test_zusammen_before_a_number_is_a_total_not_a_partner_cue(sentence, partner):
    words = rm.sentence_words(sentence, [(0, len(sentence))], [])[0]
    assert ("zusammen" in words) is partner


def test_words_of_a_programme_title_are_no_cue_words_of_its_sentence(rules_only):
    # "gemeinsam" inside the title made the sentence a partner sentence: the ministry financing the programme became a partner
    text = ("Stadt Beispielstadt – Pressestelle\n\nDie Stadt Brilon baut das „Haus am Markt“ um.\n\n"
            "Das Programm „Dörfer gemeinsam beleben“ wird vom Bundesministerium für Wohnen, Stadtentwicklung und Bauwesen "
            "finanziert.\n")
    res = rules_only(text)
    bmwsb = next(i.name for i in res.institutions if i.name.startswith("Bundesministerium"))
    assert ("Haus am Markt", bmwsb) in rule_pairs(res, "project_funder")
    assert ("Haus am Markt", bmwsb) not in rule_pairs(res, "project_partner")


@pytest.mark.parametrize("sentence,place", [
    ("In Olsberg richtet der Heimatverein Olsberg e. V. den „Bienengarten am Bach“ ein.", True),
    ("Im Jahr 2025 eröffnet die Gemeinde den „Bienengarten am Bach“.", False),  # no town opens the sentence
    ("Der Verein aus Winterberg legt den „Bienengarten am Bach“ an.", False),  # origin, not the place
])
def test_a_sentence_that_opens_with_its_town_and_names_the_project_places_it(rules_only, sentence, place):
    text = "Landkreis Beispiel – Pressestelle\n\nZuschüsse für Vereine\n\n" + sentence + "\n"
    towns = rule_pairs(rules_only(text), "project_town")
    assert bool({t for p, t in towns if p == "Bienengarten am Bach"} & {"Olsberg"}) is place


FOUNDATION_RELEASE = ("Bürgerstiftung Kitzinger Land – Presse\n\n"
                      "Die Bürgerstiftung Kitzinger Land vergibt in diesem Jahr 40.000 Euro an Vereine.\n\n"
                      "Die Deutsche Stiftung Denkmalschutz hat im Frühjahr die Kirche in Volkach besucht.\n\n"
                      "Mit 6.000 Euro unterstützt die Stiftung den „Obstlehrpfad am Main“ des Gartenbauvereins.\n")


def test_a_definite_noun_refers_back_to_the_institution_the_release_names_most(rules_only):
    # the paragraph names no foundation: "die Stiftung" is the release's own (named twice), not the last one named
    res = rules_only(FOUNDATION_RELEASE)
    own = next(i for i in res.institutions if i.name.startswith("Bürgerstiftung"))
    refs = [m for m in own.mentions if "anaphor" in m.attrs]
    assert len(refs) == 1 and FOUNDATION_RELEASE[refs[0].start:refs[0].end] == "Stiftung"
    assert ("Obstlehrpfad am Main", own.name) in rule_pairs(res, "project_funder")
    other = next(i for i in res.institutions if i.name.startswith("Deutsche Stiftung"))
    assert not any("anaphor" in m.attrs for m in other.mentions)


def test_a_noun_with_a_name_after_it_or_before_any_institution_is_no_reference(rules_only):
    res = rules_only("Gemeinde Beispiel – Presse\n\nDie Stiftung fördert den „Lesegarten“ zusammen mit der Stiftung Mercator.\n")
    assert not any("anaphor" in m.attrs for i in res.institutions for m in i.mentions)  # nothing named before "die Stiftung"


def test_records_list_no_reference_back_as_a_mention(nlp):
    from pipeline.extract import build_record
    from pipeline.ingest import Document

    rec = build_record(nlp, Document("f.txt", FOUNDATION_RELEASE, "0" * 64, len(FOUNDATION_RELEASE), "utf-8"), "blank")
    own = next(i for i in rec.institutions if i.name.startswith("Bürgerstiftung"))
    assert [m.text for m in own.mentions] == ["Bürgerstiftung Kitzinger Land"] * 2  # the headline and the body, not "Stiftung"


@pytest.mark.parametrize("sentence,funder", [
    ("Neben der Stadt beteiligen sich die Bürgerstiftung Kitzinger Land mit 20.000 Euro und die Sparkasse Mainfranken "
     "an der Finanzierung.", True),
    ("An den Kosten beteiligt sich die Bürgerstiftung Kitzinger Land mit einem Zuschuss von 5.000 Euro.", True),
    ("Die Bürgerstiftung Kitzinger Land beteiligt sich an dem Projekt mit Workshops; die Stadt zahlt 5.000 Euro.", False),
])
def test_a_share_of_the_money_makes_a_funder(rules_only, sentence, funder):
    text = "Stadt Kitzingen – Presse\n\nDie Stadt baut den „Lesegarten am Main“.\n\n" + sentence + "\n"
    res = rules_only(text)
    assert (("Lesegarten am Main", "Bürgerstiftung Kitzinger Land") in rule_pairs(res, "project_funder")) is funder
    view = rm.ReleaseView(text, res.sent_starts, res.towns, res.institutions, res.programmes, res.projects)
    stiftung = next(i for i in res.institutions if i.name == "Bürgerstiftung Kitzinger Land")
    assert ("funder_money" in view.profile(stiftung).features) is funder


@pytest.mark.parametrize("ministries,runs", [
    ("Zuständig auf Landesseite ist das Thüringer Ministerium für Wirtschaft, Landwirtschaft und Ländlichen Raum.", True),
    ("Zuständig sind das Thüringer Ministerium für Wirtschaft, Landwirtschaft und Ländlichen Raum und das Thüringer "
     "Ministerium für Bildung, Jugend und Sport.", False),  # two state ministries: which one runs it, the text must say
])
def test_the_one_state_ministry_a_release_names_runs_a_land_run_programme(rules_only, ministries, runs):
    text = ("Landratsamt Wartburgkreis – Presse\n\nDas Vorhaben „Backhaus am Anger“ wird über LEADER gefördert. "
            + ministries + "\n")
    res = rules_only(text)
    funders = {t for p, t in rule_pairs(res, "programme_funder") if p == "LEADER"}
    assert ("Thüringer Ministerium für Wirtschaft, Landwirtschaft und Ländlichen Raum" in funders) is runs


def test_the_town_the_money_goes_to_is_the_place_of_the_project_named_after_it(rules_only):
    text = ("Bundesministerium – Presse\n\nVier Städte erhalten Geld.\n\n"
            "Die größte Förderung geht mit 6,2 Millionen Euro nach Görlitz. Unter dem Titel „Neißeufer für alle“ will die "
            "Stadt das Ufer öffnen.\n\nDie Fahrt nach Bautzen dauert eine Stunde.\n")
    towns = rule_pairs(rules_only(text), "project_town")
    assert ("Neißeufer für alle", "Görlitz") in towns and ("Neißeufer für alle", "Bautzen") not in towns


def test_a_paragraph_that_names_its_project_after_the_town_sentence(rules_only):
    text = ("Landkreis – Pressestelle\n\nDas Projekt „Quellenpfad Süd“ und weitere Vorhaben erhalten Geld.\n\n"
            "Die Gemeinde Eichigt bekommt 96.500 Euro für ihr Dorfgemeinschaftshaus. "
            "Das Vorhaben „Saal am Anger“ soll im Herbst fertig sein.\n\n"
            "In Bad Elster entsteht mit dem Projekt „Quellenpfad Süd“ ein Rundweg.\n")
    towns = rule_pairs(rules_only(text), "project_town")
    assert ("Saal am Anger", "Eichigt") in towns and ("Quellenpfad Süd", "Eichigt") not in towns


def test_the_subject_of_a_clause_without_money_or_funding_is_no_funder(rules_only):
    text = ("Stadtwerke – Pressestelle\n\nDie Stadtwerke Borbyhagen GmbH können mit dem Bau des Projekts „Wärme Nord“ beginnen: "
            "Das Bundesamt für Wirtschaft und Ausfuhrkontrolle (BAFA) hat dafür 4,7 Millionen Euro bewilligt.\n")
    funders = rule_pairs(rules_only(text), "project_funder")
    assert ("Wärme Nord", "Stadtwerke Borbyhagen GmbH") not in funders
    assert ("Wärme Nord", "Bundesamt für Wirtschaft und Ausfuhrkontrolle") in funders


def test_projects_listed_under_a_programme_heading_belong_to_that_programme_only(nlp):
    """A release lists its projects under one heading per programme: each project pairs with its heading's programme and
    with no other programme of the release (with the model and with the rules alone)."""
    text = ("Ahlen, 3. März 2025 – Das Land fördert in diesem Jahr sieben Vorhaben aus den Programmen „Lebendige Zentren“ "
            "und „Sozialer Zusammenhalt“ der Städtebauförderung.\n\n"
            "Lebendige Zentren\n- Ahlen: „Markthalle am Westwall“ – Umbau eines Kaufhauses (1,2 Mio. Euro)\n"
            "- Beckum: „Grüne Höfe Altstadt“ (0,8 Mio. Euro)\n\n"
            "Sozialer Zusammenhalt\n- Oelde: Stadtteilzentrum „Treffpunkt Süd“ (2,1 Mio. Euro)\n\n"
            "Die Bescheide versendet die Bezirksregierung.\n")
    res, _ = resolved(nlp, text)
    pairs = rule_pairs(res, "project_programme")
    programme_of = {}
    for p, g in pairs:
        programme_of.setdefault(p, set()).add(g)
    assert programme_of.get("Markthalle am Westwall") == {"Lebendige Zentren"}
    assert programme_of.get("Grüne Höfe Altstadt") == {"Lebendige Zentren"}
    assert programme_of.get("Treffpunkt Süd") == {"Sozialer Zusammenhalt"}


def test_a_project_named_after_a_town_of_the_release_is_in_that_town(nlp):
    """"Seebühne Plön" is in Plön (rule town_in_project_name, not re-scored by the model); the first part of a compound
    is no place ("Die Skagen-Maler" is an exhibition in Emden)."""
    from pipeline.resolve import _towns_in_project_names

    text = ("Kiel, 3. März 2025 – Das Land fördert das Projekt „Seebühne Plön“ mit 200.000 Euro. Die Stadt Plön baut die "
            "Bühne am Großen Plöner See.\n\nIn Emden zeigt die Kunsthalle die Ausstellung „Die Skagen-Maler“; Leihgaben "
            "kommen aus Skagen.\n")
    res, starts = resolved(nlp, text)
    bounds = rm.sentence_bounds(text, starts)
    found = {(r["from"], r["to"]) for r in _towns_in_project_names(text, bounds, res.projects, res.towns, [])}
    assert found == {("Seebühne Plön", "Plön")}
    assert ("Seebühne Plön", "Plön") in rule_pairs(res, "project_town")


def test_a_project_named_after_a_spa_town_without_bad_is_in_that_town(nlp):
    """Projects are named after the town as its people say it: "Salzuflen blüht" is in Bad Salzuflen."""
    from pipeline.resolve import _towns_in_project_names

    text = ("Detmold, 3. März 2025 – Die Stadt Bad Salzuflen erhält 80.000 Euro für das Projekt „Salzuflen blüht“. "
            "Gepflanzt wird im Kurpark.\n")
    res, starts = resolved(nlp, text)
    bounds = rm.sentence_bounds(text, starts)
    found = {(r["from"], r["to"]) for r in _towns_in_project_names(text, bounds, res.projects, res.towns, [])}
    assert found == {("Salzuflen blüht", "Bad Salzuflen")}


@settings(max_examples=300, deadline=None)
@given(words=st.text(alphabet="Bad Lage-ü_1", min_size=1, max_size=6), text=st.text(alphabet="Bad Lage-ü_12090.„", max_size=30))
def test_whole_words_and_subtitles_are_what_the_patterns_made_from_names_found(words, text):
    """The tests of a town's name inside a project's name and of a programme's subtitle are string tests, not a
    pattern compiled for every name: they answer what those patterns answered."""
    import re

    from pipeline.resolve import _is_subtitled, _whole_words_in

    assert _whole_words_in(words, text) == bool(re.search(r"(?<![\wäöüß-])" + re.escape(words) + r"(?![\wäöüß-])", text))
    assert _is_subtitled(words, text) == bool(re.match(re.escape(words) + r"(?:\s*(?:-|:)\s| (?:19|20)\d\d$)", text))


PROJECT_TOWN_SERIES = ("Land fördert Dorfkerne\n\n"
          "Die Gemeinde Rammenau erhält 250.000 Euro für „Dorfplatz neu gedacht“, die Stadt Pulsnitz 410.000 Euro für "
          "„Haus am Markt“ und die Gemeinde Ottendorf-Okrilla 180.000 Euro für das Vorhaben „Bürgertreff am Anger“.\n\n"
          "In Kamenz und Bautzen starten „Grüne Höfe“ und „Offene Werkstatt“ im Mai.\n")


def test_a_series_gives_each_project_its_own_town(nlp):
    """Projects and towns named one after another pair up; a sentence that names its towns together, and its projects
    together, pairs every project with every town. The model proposes no crossed pair either."""
    res, _ = resolved(nlp, PROJECT_TOWN_SERIES)
    assert {p.name for p in res.projects} >= {"Dorfplatz neu gedacht", "Haus am Markt", "Bürgertreff am Anger"}
    towns = rule_pairs(res, "project_town")
    assert {("Dorfplatz neu gedacht", "Rammenau"), ("Haus am Markt", "Pulsnitz"), ("Bürgertreff am Anger", "Ottendorf-Okrilla")} <= towns
    crossed = {(p, t) for p in ("Dorfplatz neu gedacht", "Haus am Markt", "Bürgertreff am Anger")
               for t in ("Rammenau", "Pulsnitz", "Ottendorf-Okrilla")} - {("Dorfplatz neu gedacht", "Rammenau"),
                                                                         ("Haus am Markt", "Pulsnitz"), ("Bürgertreff am Anger", "Ottendorf-Okrilla")}
    assert not towns & crossed


def test_series_pairs_need_projects_and_towns_in_turn():
    class M:
        def __init__(self, start):
            self.start = start

    p1, p2, t1, t2 = object(), object(), object(), object()
    in_turn = rm.series_pairs([(p1, M(10)), (p2, M(30))], [(t1, M(0)), (t2, M(20))])
    assert in_turn == {(id(p1), id(t1)), (id(p2), id(t2))}
    town_after = rm.series_pairs([(p1, M(0)), (p2, M(20))], [(t1, M(10)), (t2, M(30))])  # „X“ (Goslar) und „Y“ (Hildesheim)
    assert town_after == {(id(p1), id(t1)), (id(p2), id(t2))}
    assert rm.series_pairs([(p1, M(20)), (p2, M(30))], [(t1, M(0)), (t2, M(10))]) is None  # towns together, projects together
    assert rm.series_pairs([(p1, M(10)), (p1, M(30))], [(t1, M(0)), (t2, M(20))]) is None  # one project twice
    assert rm.series_pairs([(p1, M(10))], [(t1, M(0))]) is None  # one of each: no series


def test_an_edition_year_names_the_same_competition(nlp):
    """"Klimaaktive Kommune 2026" is this year's edition of the competition "Klimaaktive Kommune" (in the registry or
    not): one programme, named without the year."""
    text = ("Wettbewerb „Klimaaktive Kommune 2026“: Sechs Kommunen ausgezeichnet. Der Wettbewerb „Klimaaktive Kommune“ wird "
            "seit 2009 ausgelobt. Der Wettbewerb „Grüner Marktplatz 2025“ startet. Der Wettbewerb „Grüner Marktplatz“ läuft "
            "jährlich.\n")
    res, _ = resolved(nlp, text)
    names = {g.name: g for g in res.programmes}
    assert set(names) == {"Klimaaktive Kommune", "Grüner Marktplatz"}
    assert "Klimaaktive Kommune 2026" in names["Klimaaktive Kommune"].aliases
    assert len(names["Grüner Marktplatz"].mentions) == 2


WINNERS = ("Ehrenamtspreis „Zusammenhalt vor Ort“: Förderverein aus Elmstein holt den ersten Preis\n\n"
           "Die Sparkasse hat die Preisträger ihres Ehrenamtspreises bekannt gegeben.\n\n"
           "1. Preis (5.000 Euro): Förderverein Bürgerbad Elmstein e.V., Elmstein\n"
           "Mit dem Projekt „Unser Bad bleibt!“ übernehmen Ehrenamtliche den Kassendienst.\n\n"
           "2. Preis (3.000 Euro): Nachbarschaftshilfe Haßloch e.V., Haßloch\n"
           "Der Verein organisiert mit „Mobil im Alter“ einen kostenlosen Fahrdienst.\n\n"
           "Sonderpreis „Junges Engagement“ (1.500 Euro): Jugendtreff Lambrecht e.V., Lambrecht (Pfalz)\n"
           "In der offenen Fahrradwerkstatt „Schrauben statt Chillen“ reparieren Jugendliche Räder.\n")


def test_a_winners_label_names_the_body_and_town_of_its_project(nlp):
    """In a list of winners the label's line names who carries out the project of its paragraph, and where; a prize
    category in quotes on a label with a sum ("Sonderpreis „Junges Engagement“ (1.500 Euro):") is no programme, the
    prize named in the headline is."""
    res, _ = resolved(nlp, WINNERS)
    assert [g.name for g in res.programmes] == ["Zusammenhalt vor Ort"]
    assert {p.name for p in res.projects} == {"Unser Bad bleibt!", "Mobil im Alter", "Schrauben statt Chillen"}
    towns = rule_pairs(res, "project_town")
    assert {("Unser Bad bleibt!", "Elmstein"), ("Mobil im Alter", "Haßloch"), ("Schrauben statt Chillen", "Lambrecht (Pfalz)")} <= towns
    assert not {("Unser Bad bleibt!", "Haßloch"), ("Mobil im Alter", "Elmstein")} & towns
    partners = rule_pairs(res, "project_partner")
    assert {("Unser Bad bleibt!", "Förderverein Bürgerbad Elmstein e.V."), ("Mobil im Alter", "Nachbarschaftshilfe Haßloch e.V."),
            ("Schrauben statt Chillen", "Jugendtreff Lambrecht e.V.")} <= partners


TABLE = ("Städtebauförderung 2026 für das Münsterland\n\n"
         "Das Geld fließt über die Programme „Lebendige Zentren“ und „Sozialer Zusammenhalt“.\n\n"
         "Die Förderungen im Überblick (Stadt | Maßnahme | Programm | Zuschuss):\n\n"
         "Gelsenkirchen | „Grüne Achse Ückendorf“, Fuß- und Radverbindung | Sozialer Zusammenhalt | 5.240.000 Euro\n"
         "Ahlen | Innenstadtoffensive Ahlen, Umgestaltung des Marktplatzes | Lebendige Zentren | 1.780.000 Euro\n"
         "Stadt Coesfeld | „Promenade am Walkenbrückentor“ | Lebendige Zentren | 1.150.000 Euro\n")


def test_a_table_row_gives_its_project_the_town_and_the_programme_of_its_cells(nlp):
    res, _ = resolved(nlp, TABLE)
    assert {p.name for p in res.projects} == {"Grüne Achse Ückendorf", "Innenstadtoffensive Ahlen", "Promenade am Walkenbrückentor"}
    towns = rule_pairs(res, "project_town")
    assert {("Grüne Achse Ückendorf", "Gelsenkirchen"), ("Promenade am Walkenbrückentor", "Coesfeld")} <= towns
    assert ("Grüne Achse Ückendorf", "Coesfeld") not in towns
    programmes = rule_pairs(res, "project_programme")
    assert {("Grüne Achse Ückendorf", "Sozialer Zusammenhalt"), ("Innenstadtoffensive Ahlen", "Lebendige Zentren"),
            ("Promenade am Walkenbrückentor", "Lebendige Zentren")} <= programmes
    assert not {("Grüne Achse Ückendorf", "Lebendige Zentren"), ("Promenade am Walkenbrückentor", "Sozialer Zusammenhalt")} & programmes


def test_where_someone_spoke_is_no_projects_place():
    """"sagte Staatssekretärin Dr. Katja Mehlhorn in Erfurt": Erfurt is where she spoke, as "beim Kongress … in Hannover"
    is where an event took place; a town after a plain verb is not."""
    lead = rm._event_place_lead()
    assert lead.search("„Wir verbinden Technik“, sagte Wissenschaftsstaatssekretärin Dr. Katja Mehlhorn in ")
    assert lead.search("beim Bundeskongress Nationale Stadtentwicklungspolitik in ")
    assert not lead.search("Die Stadt baut in ")
    assert not lead.search("„Das hilft“, sagte sie. Der Bau beginnt in ")


def test_a_press_office_is_no_projects_partner(nlp):
    text = ("Stadt Beispiel\n\nDas Projekt „Halle erzählen“ startet. Betreut wird das Projekt vom Büro für Presse und "
            "Öffentlichkeitsarbeit und vom Stadtarchiv Halle.\n")
    res, _ = resolved(nlp, text)
    partners = {r["to"] for r in res.relations if r["type"] == "project_partner"}
    assert not [p for p in partners if "Presse" in p]
    assert rm._press_office().search("Pressestelle des Ministeriums") and not rm._press_office().search("Stiftung Mercator")


def test_a_programme_and_a_body_of_other_levels_are_no_pair():
    """The registry's levels: a Land's programme and a federal ministry, a federal programme and a Land's ministry."""
    def entity(kind, registry_id, name):
        return Entity(kind, registry_id, name, attrs={"registry_id": registry_id})

    bavarian, federal = entity("programme", "by.gigabit", "Bayerische Gigabitrichtlinie"), entity("programme", "bund.breitband", "Bundesförderprogramm Breitband")
    bmdv = entity("institution", "bund.bmdv.2021", "Bundesministerium für Digitales und Verkehr")
    stmfh = entity("institution", "by.stmfh.2018", "Bayerisches Staatsministerium der Finanzen und für Heimat")
    assert rm._other_level(bavarian, bmdv) and rm._other_level(federal, stmfh)
    assert not rm._other_level(bavarian, stmfh) and not rm._other_level(federal, bmdv)


def test_a_project_in_a_table_row_gets_no_other_rows_town(nlp):
    text = ("Acht Gemeinden erhalten Geld.\n\nDie bewilligten Vorhaben im Überblick:\n\n"
            "Gemeinde | Landkreis | Vorhaben | Zuschuss\n"
            "Treuen | Vogtlandkreis | Alte Schule als Dorfgemeinschaftshaus | 355.000 Euro\n"
            "Thum | Erzgebirgskreis | Projekt „Thum 2030 – Mitten im Markt“ | 330.000 Euro\n"
            "Hainichen | Mittelsachsen | Rückbau der Ortsmitte | 198.700 Euro\n")
    res, _ = resolved(nlp, text)
    assert rule_pairs(res, "project_town") == {("Thum 2030 – Mitten im Markt", "Thum")}


def test_the_relative_clause_that_names_a_projects_funder_decides(nlp):
    """"„RhizoMix“, das die DFG … fördert": the DFG funds the project; the model adds no partner role for the pair."""
    text = ("Universität Beispiel\n\nEng verzahnt ist MIXROOTS mit dem Projekt „RhizoMix“, das die Deutsche "
            "Forschungsgemeinschaft (DFG) seit 2019 im Schwerpunktprogramm 2089 fördert. Die Gruppen forschen gemeinsam.\n")
    res, _ = resolved(nlp, text)
    dfg = {(r["type"], r["rule"]) for r in res.relations if r["from"] == "RhizoMix" and r["to"] == "Deutsche Forschungsgemeinschaft"}
    assert dfg == {("project_funder", "relations:relative_clause_funder")}


def test_the_held_out_releases_are_not_in_the_models_training_set():
    """ze01–zh05 measure the model on releases it never saw (scripts/train_relations.py HELD_OUT)."""
    import re

    committed = json.loads((ROOT / "rules" / "relation_model.json").read_text(encoding="utf-8"))
    held_out = sorted(p.name for p in (ROOT / "corpus").glob("z[e-h][0-9][0-9]_*.txt"))
    assert len(held_out) == 20
    assert not [t for t in committed["trained_on"] if re.search(r"/z[e-h]\d\d_", t)]
    assert any(re.search(r"/z[a-d]\d\d_", t) for t in committed["trained_on"])
