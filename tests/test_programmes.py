"""Programme names beyond the registry: guideline titles, short names that spell the trigger, money sources."""
from __future__ import annotations

import pytest


def programmes(nlp, text):
    return {(e.attrs.get("canonical"), e.attrs.get("acronym")) for e in nlp(text)._.evidence if e.label == "programme"}


def test_a_short_name_that_spells_the_trigger_keeps_it_in_the_name(nlp):
    found = programmes(nlp, "Gefördert wird auf Grundlage der Förderrichtlinie Dorfleben (FR Dorf) des Landes.")
    assert ("Förderrichtlinie Dorfleben", "FR Dorf") in found


def test_a_short_name_of_the_name_alone_leaves_the_trigger_out(nlp):
    found = {c for c, _ in programmes(nlp, "Mittel kommen aus dem Programm Dorfleben (DL) des Landes.")}
    assert "Dorfleben" in found and "Programm Dorfleben" not in found


@pytest.mark.parametrize("text,name", [
    ("Das Land hat Mittel aus der Richtlinie zur Förderung kommunaler Radverkehrsinfrastruktur zugesagt.",
     "Richtlinie zur Förderung kommunaler Radverkehrsinfrastruktur"),
    # a second noun in a row is the next part of the sentence, not the title
    ("Nach der Richtlinie zur Förderung von Radwegen werden Mittel bereitgestellt.", "Richtlinie zur Förderung von Radwegen"),
    ("Die Verwaltungsvorschrift über die Förderung der Dorfentwicklung und ländlicher Räume, die seit 2022 gilt, hilft.",
     "Verwaltungsvorschrift über die Förderung der Dorfentwicklung und ländlicher Räume"),
])
def test_guideline_titles_end_on_their_last_noun(nlp, text, name):
    assert name in {c for c, _ in programmes(nlp, text)}


def test_a_guideline_without_a_title_is_none(nlp):
    assert programmes(nlp, "Die Richtlinie zur Förderung ist am 1. Mai in Kraft getreten.") == set()


def test_an_unquoted_programme_name_ends_before_the_full_stop(nlp):
    doc = nlp("Die Stadt Halle erhält dafür 3,1 Millionen Euro aus dem Programm Sozialer Zusammenhalt. Der Bau beginnt im Mai.")
    names = {e.attrs.get("canonical") or e.text for e in doc._.evidence if e.label == "programme"}
    assert "Sozialer Zusammenhalt" in names and "Sozialer Zusammenhalt." not in names


def test_a_trigger_noun_closing_a_compound_keeps_the_compound_in_the_name(nlp):
    doc = nlp("Ausgewählt wurden sie im Rahmen des EFRE/JTF-Programms NRW 2021–2027 durch eine Jury.")
    names = {e.attrs.get("canonical") for e in doc._.evidence if e.label == "programme"}
    assert "EFRE/JTF-Programm NRW 2021–2027" in names and "NRW 2021–2027" not in names


@pytest.mark.parametrize("text,names", [
    # an adjective in -al/-iv and two nouns before an acronym: the name; the same adjective with a generic noun alone: none
    ("Mit dem Kommunalen Investitionsprogramm Wärme und Wasser (KIWW) hilft das Land.", {("Kommunales Investitionsprogramm Wärme und Wasser", "KIWW")}),
    ("Aus dem Regionalen Förderprogramm kommt nichts.", set()),
    ("Die Stadt nutzt die Kommunale Förderrichtlinie des Landes.", set()),  # the adjective's ending -e too
    ("Aus dem Bayerischen Förderprogramm kommt Geld.", {("Bayerisches Förderprogramm", None)}),
])
def test_an_adjective_and_a_compound_programme_noun(nlp, text, names):
    found = {(e.attrs["canonical"], e.attrs.get("acronym")) for e in nlp(text)._.evidence if e.label == "programme"}
    assert found == names


def test_a_suffix_found_name_that_is_a_registry_name_joins_the_registry_entity(nlp):
    from pipeline.extract import sentence_starts
    from pipeline.resolve import resolve
    from pipeline.rules import programme_registry

    name = next(e.name for e in programme_registry().programmes if e.name.endswith("-Förderprogramm"))
    text = f"Das Land fördert mit dem {name} zwölf Vorhaben. Die Mittel des {name}s fließen ab Mai.\n"
    doc = nlp(text)
    res = resolve(text, list(doc._.evidence), sentence_starts(doc))
    assert [p.name for p in res.programmes] == [name]


@pytest.mark.parametrize("variant", ["Interreg VI A Deutschland-Nederland", "Interreg V-A Deutschland-Nederland"])
def test_a_registry_name_with_a_funding_periods_mark_is_that_programme(nlp, variant):
    from pipeline.extract import sentence_starts
    from pipeline.resolve import resolve

    text = ("Die Mittel stammen aus dem Programm Interreg Deutschland-Nederland. Das Projekt wird im Rahmen des Programms "
            + variant + " gefördert.\n")
    doc = nlp(text)
    progs = resolve(text, list(doc._.evidence), sentence_starts(doc)).programmes
    assert [p.name for p in progs] == ["Interreg Deutschland-Nederland"]


def test_a_registry_acronym_that_opens_a_compound_of_its_money_is_the_programme(nlp):
    """spaCy keeps "LEADER-Budget" one token; the programme is its first part, with offsets inside the token."""
    text = "Die Aktionsgruppe gibt 40.000 Euro aus dem LEADER-Budget, das Land EFRE-Mittel dazu."
    found = [(e.text, e.attrs["canonical"], text[e.start:e.end]) for e in nlp(text)._.evidence if e.label == "programme"]
    assert [f[0] for f in found] == ["LEADER", "EFRE"] and all(f[0] == f[2] for f in found)
    # a project or region in a programme is no mention of it: the release names the programme otherwise
    assert not [e for e in nlp("Das Interreg-Projekt verbindet zwei LEADER-Regionen.")._.evidence if e.label == "programme"]


def test_a_registry_name_that_qualifies_a_noun_inside_a_body_s_name_is_no_programme(nlp):
    from pipeline.extract import build_record
    from pipeline.ingest import Document

    text = ("Hannover, 3. März 2026 – Das Niedersächsische Ministerium für Bundes- und Europaangelegenheiten und Regionale "
            "Entwicklung fördert vier Vorhaben. Die Verwaltungsbehörde für den ESF Plus bewilligt Mittel aus dem ESF Plus.\n")
    rec = build_record(nlp, Document("r.txt", text, "0" * 64, len(text.encode()), "utf-8"), "blank:de")
    names = [p.name for p in rec.programmes]
    assert "REGIONALE" not in names and "Europäischer Sozialfonds Plus" in names


def test_the_acronym_a_programme_name_defines_names_it_later(nlp):
    from pipeline.extract import build_record
    from pipeline.ingest import Document

    text = ("Mainz, 3. März 2026 – Aus dem Kommunalen Investitionsprogramm Klimaschutz und Innovation (KIPKI) wurden Brunnen "
            "gebaut. Das KIPKI wird vom Ministerium für Klimaschutz, Umwelt, Energie und Mobilität (MKUEM) verantwortet.\n")
    rec = build_record(nlp, Document("k.txt", text, "0" * 64, len(text.encode()), "utf-8"), "blank:de")
    (prog,) = [p for p in rec.programmes if p.acronym == "KIPKI"]
    assert [m.text for m in prog.mentions][-1] == "KIPKI" and len(prog.mentions) == 2
    assert any(r.type == "programme_funder" and r.source == prog.name and r.target.startswith("Ministerium für Klimaschutz")
               for r in rec.relations)


def test_a_table_header_is_no_programme_name(nlp):
    """A tab or three spaces part a table's columns: the header cell after "Programm" is another column."""
    text = "Gemeinde         Programm                  Zuschuss\nLebach           Lebendige Zentren         410.000\n"
    assert ("Zuschuss", None) not in programmes(nlp, text)
    assert ("Interreg VI Oberrhein", None) in programmes(nlp, "Das Geld kommt aus dem Programm Interreg VI Oberrhein.")


def test_a_registry_name_that_is_an_adjective_before_a_noun_is_no_programme(nlp):
    """"Regionale" is a programme of North Rhine-Westphalia, "die Regionale Entwicklungsstrategie" is none."""
    assert not programmes(nlp, "Grundlage ist die Regionale Entwicklungsstrategie der Aktionsgruppe.")
    assert {c for c, _ in programmes(nlp, "Die Regionale 2025 in Südwestfalen fördert das Vorhaben.")} == {"REGIONALE"}


def test_a_quoted_name_after_a_funding_round(nlp):
    found = programmes(nlp, "Zwölf Vereine erhalten Geld aus der Förderrunde „Miteinander im Quartier“ der Stiftung.")
    assert ("Miteinander im Quartier", None) in found


def test_generic_programme_words_and_phrases_are_no_names(nlp):
    assert not programmes(nlp, "Die Mittel stammen aus einem EU-Rahmenprogramm und einem Entwicklungsprogramm des Landes.")
    assert not programmes(nlp, "Das Netzwerk stärkt die grenzübergreifende Zusammenarbeit zwischen Görlitz und Zgorzelec.")


def test_a_column_head_at_a_lines_end_makes_no_programme_of_the_row_below(nlp):
    """"Förderung" heads a table's last column: the quoted project in the next row is a cell, no programme; the
    same noun before a quote in running text, across a wrapped line, still is a trigger."""
    table = ("Die Stiftung unterstützt vier Vorhaben.\n\nProjekt | Träger | Förderung\n"
             "„Lesen im Park“ | Stadtbücherei Kiel | 12.000 Euro\n„Bücherbus“ | Verein Lesewelt | 8.000 Euro\n")
    assert "Lesen im Park" not in {c for c, _ in programmes(nlp, table)}
    wrapped = "Die Mittel kommen aus der Förderung\n„Lesewelten gestalten“ des Landes Schleswig-Holstein.\n"
    assert "Lesewelten gestalten" in {c for c, _ in programmes(nlp, wrapped)}


def test_a_name_is_a_programme_or_a_project_not_both(nlp):
    """The stronger evidence decides ("Vereinswettbewerb „X“" against a quote in a line about a project); on a tie
    (the bare "Initiative", a trigger of both) the name is a project."""
    from pipeline.extract import build_record
    from pipeline.ingest import Document

    text = ("Landesfinale der „Sterne am Deich“: Verein aus Husum gewinnt mit Schwimmprojekt\n\n"
            "Der TSV Husum ist Landessieger im Vereinswettbewerb „Sterne am Deich“. Für seine Initiative "
            "„Kein Kind ohne Schwimmabzeichen“ erhielt der Verein am 7. November ein Preisgeld von 2.500 Euro.\n")
    rec = build_record(nlp, Document("t.txt", text, "0" * 64, len(text.encode()), "utf-8"), "test")
    programmes_, projects = {p.name for p in rec.programmes}, {p.name for p in rec.projects}
    assert "Sterne am Deich" in programmes_ and "Sterne am Deich" not in projects
    assert "Kein Kind ohne Schwimmabzeichen" in projects and "Kein Kind ohne Schwimmabzeichen" not in programmes_
    assert not [r for r in rec.relations if r.source == r.target]


def _record_programmes(nlp, text):
    from pipeline.extract import build_record
    from pipeline.ingest import Document

    rec = build_record(nlp, Document("r.txt", text, "0" * 64, len(text.encode()), "utf-8"), "blank:de")
    return [(p.name, sorted({m.text for m in p.mentions})) for p in rec.programmes]


def test_an_acronym_a_quoted_name_defines_later_names_it_before_too(nlp):
    """The headline's "Landesprogramm ZILE" and "„Zuwendungen …“ (ZILE)" below: one programme; the headline's next
    clause after the dash ("– Eröffnung im Frühjahr") is no part of the name."""
    text = ("Dorfladen erhält Geld aus dem Landesprogramm ZILE – Eröffnung im Frühjahr 2025\n\nGefördert wird er nach der "
            "Förderrichtlinie „Zuwendungen zur integrierten ländlichen Entwicklung“ (ZILE), die Dorfläden hilft.\n")
    assert _record_programmes(nlp, text) == [("Zuwendungen zur integrierten ländlichen Entwicklung",
                                              ["ZILE", "Zuwendungen zur integrierten ländlichen Entwicklung"])]
    # a second country after the dash is part of the name, though the sentence goes on
    found = programmes(nlp, "Die Stadt stellt Geld aus dem Kooperationsprogramm Interreg VI A Brandenburg – Polen bereit.")
    assert ("Interreg VI A Brandenburg – Polen", None) in found


def test_a_registry_programme_with_its_periods_mark_and_no_name_across_a_paragraph(nlp):
    """"Interreg VI A Großregion" in a table cell is the registry's "Interreg Großregion", named as the text has it; a
    programme compound at a heading's end takes no word of the next paragraph."""
    text = "Ort | Vorhaben | Programm\nBlieskastel | Radweg an der Blies | Interreg VI A Großregion | 640.000 Euro\n"
    assert _record_programmes(nlp, text) == [("Interreg VI A Großregion", ["Interreg VI A Großregion"])]
    text = "Pölling im Dorfentwicklungsprogramm\n\nBereits im Dezember 2024 hat das Amt den Ort aufgenommen.\n"
    assert [name for name, _ in _record_programmes(nlp, text)] == ["Dorfentwicklungsprogramm"]
