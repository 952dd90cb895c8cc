"""Project names: quoted titles after project nouns (also hyphenated compounds) and in town-headed list lines."""
from __future__ import annotations

import pytest

from conftest import ROOT


@pytest.mark.parametrize("text,name", [
    ("Ausgezeichnet wurde auch der Mitfahrbank-Verbund „Sülfeld fährt mit“ im Kreis Segeberg.", "Sülfeld fährt mit"),
    ("Drei Beispiele:\n\nGoslar: Mit „Goslar verbindet“ baut die Stadt ihre Beratung aus.\n\n"
     "Hameln: Das Projekt „Brücken bauen“ startet im Mai.\n", "Goslar verbindet"),
])
def test_project_names(nlp, text, name):
    doc = nlp(text)
    assert name in {e.attrs.get("canonical") or e.text for e in doc._.evidence if e.label == "project"}


def test_a_quoted_statement_in_a_town_line_is_no_project(nlp):
    doc = nlp("Goslar: Mit „wir wollen, dass alle mitmachen können.“ begründet die Stadt den Antrag.\n")
    assert [e.text for e in doc._.evidence if e.label == "project"] == []


@pytest.mark.parametrize("text,name", [
    ("Das Projekt Teilhabe in „neuen“ Ankunftsquartieren stärken will Erfahrungen aufbereiten.",
     "Teilhabe in „neuen“ Ankunftsquartieren stärken"),
    ("Vorab ein Wort.\nDas Vorhaben Wohnen am Fluss wird von der Stadt getragen.", "Wohnen am Fluss"),
])
def test_a_title_as_the_subject_ends_at_the_finite_verb(nlp, text, name):
    assert name in {e.attrs.get("canonical") for e in nlp(text)._.evidence if e.label == "project"}


def test_a_name_with_its_owner_is_not_a_subject_title(nlp):
    names = {e.attrs.get("canonical") for e in nlp("Das Projekt Fischerhütte der TU Ilmenau soll 2024 starten.")._.evidence
             if e.label == "project"}
    assert "Fischerhütte der TU Ilmenau" not in names


@pytest.mark.parametrize("text,name", [
    # a town list item whose town carries a place noun of its official name
    ("Beispiele aus diesem Jahr:\n• Hansestadt Wismar – „Hafenkante lebt“: Zwei Speicher werden Wohnungen.\n"
     "• Lutherstadt Eisleben – „Grüner Markt“: Der Platz wird entsiegelt.\n", "Hafenkante lebt"),
    ("Beispiele aus diesem Jahr:\n• Hansestadt Wismar – „Hafenkante lebt“: Zwei Speicher werden Wohnungen.\n"
     "• Lutherstadt Eisleben – „Grüner Markt“: Der Platz wird entsiegelt.\n", "Grüner Markt"),
    # a quoted name that opens an item of a list whose intro speaks of projects
    ("Gefördert werden diese Vorhaben:\n\n1. „Brücken im Kiez“ (Cottbus): Ein Verein lädt Nachbarn ein.\n\n"
     "2. „Stimmen der Stadt“ – ein Podcast von Jugendlichen.\n", "Brücken im Kiez"),
    ("Gefördert werden diese Vorhaben:\n\n1. „Brücken im Kiez“ (Cottbus): Ein Verein lädt Nachbarn ein.\n\n"
     "2. „Stimmen der Stadt“ – ein Podcast von Jugendlichen.\n", "Stimmen der Stadt"),
    ("Die fünf Projekte:\n\n1. „Kulturkiosk am Bahnhof“, Wittstock – Verein Bahnhofsfreunde e. V.\n", "Kulturkiosk am Bahnhof"),
    # the item gives a prize or money "für" the quoted name
    ("Ausgezeichnet wurden folgende Projekte:\n\n1. Haslach, Ortenaukreis – Goldmedaille für die „Haslacher Backstube“, "
     "einen Laden im alten Rathaus.\n", "Haslacher Backstube"),
    # the name's kind between the town and the quote
    ("Die geförderten Vorhaben:\n\n• Dettelbach – Jugendchor „Weinberg-Lerchen“: Der Verein gründet einen Chor.\n", "Weinberg-Lerchen"),
    # the item's first quote, with a kind before it and the item going on after it
    ("Ausgewählt wurden diese Vorhaben:\n\n- Hofladen „Milchkanne Oberbach“ in der alten Molkerei, getragen von einer "
     "Genossenschaft: 22.000 Euro\n", "Milchkanne Oberbach"),
])
def test_quoted_names_heading_list_items(nlp, text, name):
    assert name in {e.attrs.get("canonical") for e in nlp(text)._.evidence if e.label == "project"}


def test_a_quoted_list_item_is_a_project_only_under_an_intro_that_says_so(nlp):
    text = "Die Ministerin nannte drei Leitsätze:\n1. „Wer fördert, fordert“: Zuschüsse gibt es nur mit Eigenanteil.\n"
    assert [e.text for e in nlp(text)._.evidence if e.label == "project"] == []


def test_an_item_quote_is_a_project_only_near_the_items_start_and_as_its_first_quote(nlp):
    text = ("Ausgewählt wurden diese Vorhaben:\n\n- Die Gemeinde richtet im Sommer einen Treffpunkt für alle Generationen ein, "
            "den sie „Dorfstube“ nennen will: 22.000 Euro\n- „Wiesenpfad“ mit Tafeln zum Thema „Natur erleben“: 8.000 Euro\n")
    names = _project_names(nlp, text)
    assert "Dorfstube" not in names and "Natur erleben" not in names and "Wiesenpfad" in names


@pytest.mark.parametrize("item,name", [
    ("- Mitfahrbänke Oberes Lahntal – zehn Bänke an den Straßen zwischen zwei Dörfern: 9.400 Euro", "Mitfahrbänke Oberes Lahntal"),
    ("- Gemeinde Burgpreppach – neue Bänke am Dorfplatz: 9.400 Euro", None),  # a town, not a project
    ("- Schwenningen im Landkreis Sigmaringen – Silbermedaille für den Dorfladen", None),  # the item's place
])
def test_an_unquoted_name_before_a_dash_opens_a_project_list_item(nlp, item, name):
    names = _project_names(nlp, "Ausgewählt wurden folgende Projekte:\n\n" + item + "\n")
    assert (name in names) if name else not any(n.startswith(("Gemeinde", "Schwenningen")) for n in names)


@pytest.mark.parametrize("title,body,head", [
    ("Wärmenetz Oberhof: Stadtwerke erhalten 4,6 Millionen Euro", "Der Bau des Wärmenetzes Oberhof beginnt.", "Wärmenetz Oberhof"),
    ("Dorfladen Ossenfeld: Genossenschaft eröffnet", "Der Dorfladen Ossenfeld öffnet im Mai.", "Dorfladen Ossenfeld"),
    # the part before the colon is not named again: a label and a news line, no project's name
    ("Stadtbus Beispielstadt: Förderbescheid für 14 Elektrobusse übergeben", "Die Projekte starten im Mai.", None),
    ("Neue Wege für das Dorf", "Das Projekt startet im Mai.", "Neue Wege für das Dorf"),  # no colon: the whole headline
    # a news line: a colon after a phrase, or a sum
    ("Rund 9,6 Millionen Euro für den Kreis: Ministerin übergibt Bescheide", "Das Projekt startet im Mai.", None),
    ("Land fördert neue Radwege mit 2,5 Millionen Euro", "Das Projekt startet im Mai.", None),
])
def test_a_headline_names_the_project_before_its_colon_when_the_body_names_it_again(title, body, head):
    from pipeline.components.projects import title_head

    assert title_head(title, body) == head


def test_the_word_frequency_table_gives_wordfreqs_figures():
    """rules/word_frequencies.tsv stands in for wordfreq at run time (importing it costs about 1.2 s per process)."""
    import re

    from wordfreq import zipf_frequency as wordfreq_zipf

    from pipeline.rules import word_frequencies, zipf_frequency

    words = set()
    for p in sorted((ROOT / "corpus").glob("*.txt"))[:40]:
        words.update(re.findall(r"[A-ZÄÖÜ][\wäöüß-]{3,}", p.read_text(encoding="utf-8")))
    words |= {"Straße", "Stadt-Land", "E-Bürgerbus", "Fischerhütte", "Zukunft", "Dorfladen"}
    floor = word_frequencies()["floor"]
    for w in sorted(words):
        ours, theirs = zipf_frequency(w), wordfreq_zipf(w.lower(), "de")
        assert ours == theirs or ours == 0.0 and theirs < floor, (w, ours, theirs)


def test_a_rarity_threshold_below_the_tables_floor_is_a_clear_error():
    import spacy

    from pipeline.errors import RulesError

    nlp = spacy.blank("de")
    with pytest.raises(RulesError, match="below the floor"):
        nlp.add_pipe("press_projects", config={"min_rare_zipf": 1.0})


def _project_names(nlp, text):
    return [e.attrs["canonical"] for e in nlp(text)._.evidence if e.label == "project"]


def test_paragraphs_that_open_with_a_quoted_name_and_a_colon_are_a_series_of_projects(nlp):
    text = ("Die Stadt erhält Geld aus dem Programm.\n\n"
            "„Lesegarten Nord“: Die Bücherei legt einen Garten an.\n\n"
            "„Werkhof Süd“ (ca. 0,4 Mio. Euro): Der Verein baut eine Werkstatt.\n\n"
            "Spielplatz Am Anger (12.000 Euro): Die Gemeinde erneuert die Geräte.\n\n"
            "Weitere Informationen: www.example.org\n")
    assert _project_names(nlp, text) == ["Lesegarten Nord", "Werkhof Süd", "Spielplatz Am Anger"]


def test_one_paragraph_with_a_quoted_name_and_a_colon_is_no_series(nlp):
    assert _project_names(nlp, "„Gemeinsam stark“: Land lobt Ehrenamt\n\nDie Ministerin dankte allen.\n") == []


def test_bullets_that_open_with_quoted_names_under_any_intro(nlp):
    text = ("Beispiele aus der Auswahl:\n\n"
            "- „Dorfcafé 2.0“ in Oberndorf (Neckar), Baden-Württemberg: Der Verein erweitert sein Café.\n"
            "- „Laden der Generationen“ in Wittstock, Brandenburg: Die Genossenschaft eröffnet einen Laden.\n")
    assert _project_names(nlp, text) == ["Dorfcafé 2.0", "Laden der Generationen"]


def test_a_name_after_the_project_noun_ends_at_the_line(nlp):
    text = "Hochschule koordiniert Verbundprojekt Rindenwerk\n\nBorkenkäfer haben im Harz viel Wald geschädigt.\n"
    names = {e.attrs.get("canonical") for e in nlp(text)._.evidence if e.label == "project"}
    assert "Rindenwerk" in names and not any("\n" in n for n in names)


def test_a_project_named_short_and_with_its_subtitle_is_one_project(nlp):
    from pipeline.extract import sentence_starts
    from pipeline.resolve import resolve

    text = ("Hochschule koordiniert Verbundprojekt Rindenwerk\n\n"
            "Das will das neue Verbundprojekt „Rindenwerk – Baustoffe aus Schadholz“ ändern.\n")
    doc = nlp(text)
    projects = resolve(text, list(doc._.evidence or []), sentence_starts(doc)).projects
    assert [p.name for p in projects] == ["Rindenwerk – Baustoffe aus Schadholz"]
    assert "Rindenwerk" in projects[0].aliases


def test_sentences_that_open_with_their_town_and_name_a_quote_are_a_series(nlp):
    text = ("Ministerium – Pressestelle\n\nVier Bündnisse starten.\n\n"
            "In Leer bündelt „Hafenwerk Ems“ das Wissen der Werften. In Neustrelitz entwickelt „SeeSens“ kleine Sensoren. "
            "In Suhl und Zella-Mehlis entsteht mit „Feinteil Süd“ ein Verbund.\n")
    names = {e.attrs.get("canonical") for e in nlp(text)._.evidence if e.label == "project"}
    assert {"Hafenwerk Ems", "SeeSens", "Feinteil Süd"} <= names
    one = "Landkreis – Pressestelle\n\nIn Leer bündelt „Hafenwerk Ems“ das Wissen der Werften.\n"
    assert not {e for e in nlp(one)._.evidence if e.label == "project"}  # one such sentence is no series


def test_paragraphs_headed_by_their_town_that_name_a_quote_are_a_series(nlp):
    text = ("Landkreis – Pressestelle\n\nDrei Vereine werden ausgezeichnet.\n\n"
            "Meppen: Der Heimatverein erhält den Preis für seine „Dorfschmiede Neu“. Rentner reparieren dort Räder.\n\n"
            "Haren (Ems): Der Sportverein wird für sein Angebot „Laufen ohne Grenzen“ geehrt.\n\n"
            "Fazit: Die Jury lobt die „Vielfalt im Ehrenamt“.\n")
    names = {e.attrs.get("canonical") for e in nlp(text)._.evidence if e.label == "project"}
    assert {"Dorfschmiede Neu", "Laufen ohne Grenzen"} <= names
    assert "Vielfalt im Ehrenamt" not in names  # "Fazit" is no town


def test_the_project_column_of_a_table(nlp):
    text = ("Stiftung – Presse\n\nGefördert werden:\n\nVerein | Projekt | Betrag\nTSV Ahlen e. V. | \"Laufen im Park\" | 2.000 Euro\n"
            "Chor Ahlen e. V. | Singen für alle | 1.500 Euro\n\nGemeinde – Vorhaben – Zuschuss\n"
            "Ahlen – Neugestaltung des Marktplatzes – 40.000 Euro\nBeckum – „Grüner Ring Beckum“ – 12.000 Euro\n")
    found = [e for e in nlp(text)._.evidence if e.label == "project"]
    assert {e.text for e in found} == {"Laufen im Park", "Singen für alle", "Grüner Ring Beckum"}  # a Vorhaben column: quoted only
    assert all(text[e.start:e.end] == e.text for e in found)


def test_a_subheading_with_its_town_names_the_towns_project(nlp):
    text = ("Staatskanzlei – Presse\n\nDrei Dörfer erhalten Geld.\n\nHummelshain: Dorfstube im Alten Jagdschloss\n\n"
            "Die Gemeinde baut das Erdgeschoss um.\n\nFazit: Gute Ideen aus dem Dorf\n\nDie Jury lobt alle.\n")
    names = _project_names(nlp, text)
    assert "Dorfstube im Alten Jagdschloss" in names and "Gute Ideen aus dem Dorf" not in names  # "Fazit" is no town


def test_a_built_name_after_an_adjective_and_its_kind(nlp):
    text = "Die Samtgemeinde baut das Sportlerheim zum barrierefreien Bürgertreff „Hoyaer Stube“ um.\n"
    assert "Hoyaer Stube" in _project_names(nlp, text)


def test_a_built_name_after_a_clubs_legal_form_in_the_same_sentence(nlp):
    text = "In Aidhausen legt der Gartenbauverein Aidhausen e. V. hinter dem Pfarrhaus den „Garten am Pfarrhof“ an.\n"
    assert "Garten am Pfarrhof" in {e.attrs.get("canonical") for e in nlp(text)._.evidence if e.label == "project"}


def test_a_headline_short_form_of_a_longer_project_name_is_that_project(nlp):
    from pipeline.extract import sentence_starts
    from pipeline.resolve import resolve

    text = ("Landkreis Beispiel – Pressestelle\n\n„Zusammen ankommen“: Landkreis startet ein neues Integrationsprojekt\n\n"
            "Der Landkreis hat das Projekt „Zusammen ankommen im Hasetal“ auf den Weg gebracht.\n")
    doc = nlp(text)
    projects = resolve(text, list(doc._.evidence or []), sentence_starts(doc)).projects
    assert [p.name for p in projects] == ["Zusammen ankommen im Hasetal"] and "Zusammen ankommen" in projects[0].aliases


def test_a_short_name_and_its_spelled_out_form_in_parentheses_are_one_project(nlp):
    from pipeline.extract import build_record
    from pipeline.ingest import Document

    text = ("Trier, 3. März 2026 – Dieser Frage geht das Projekt ZIRKEL („Zirkuläres Bauen in der Großregion“) nach. "
            "Die Hochschule Trier koordiniert ZIRKEL bis 2028.\n")
    rec = build_record(nlp, Document("z.txt", text, "0" * 64, len(text.encode()), "utf-8"), "blank:de")
    assert [(p.name, p.aliases) for p in rec.projects] == [("ZIRKEL", ["Zirkuläres Bauen in der Großregion"])]


def test_town_lines_with_a_name_and_a_sum_list_projects(nlp):
    text = ("Die ausgewählten Vorhaben:\n\nFreisen: Dorfladen Oberkirchen, getragen von einer Genossenschaft – 58.000 Euro\n"
            "Marpingen: Naturerlebnispfad Alsweiler – 76.000 Euro\nSt. Wendel: „Kulturstall Missionshaus“ – Umbau einer Scheune – 142.000 Euro\n")
    names = _project_names(nlp, text)
    assert {"Dorfladen Oberkirchen", "Naturerlebnispfad Alsweiler", "Kulturstall Missionshaus"} <= set(names)
    assert "St. Wendel" not in names and "Freisen" not in names


def test_the_lines_that_end_in_a_sum_are_found_from_the_currency_words():
    from pipeline.components.projects import _sum_lines

    text = "Intro\nEuropäischer Fonds: Dorfladen – 58.000 Euro\nKein Betrag hier\nPfad – 1.000 €.\nEUR 40 vorab\n"
    assert [text[a:b] for a, b in _sum_lines(text)] == ["Europäischer Fonds: Dorfladen – 58.000 Euro", "Pfad – 1.000 €."]


def test_headings_with_names_over_a_series_of_paragraphs_name_projects(nlp):
    body = ("Zwölf Unternehmen aus der Region wollen gemeinsam mit der Hochschule eine regionale Wasserstoffkette aufbauen.\n\n")
    text = ("Das Ministerium fördert vier Projekte.\n\nDie Bündnisse im Überblick\n\nH2-Nordbogen\n" + body
            + "TexLoop\n" + body + "Hintergrund\n" + body)
    names = _project_names(nlp, text)
    assert {"H2-Nordbogen", "TexLoop"} <= set(names) and "Hintergrund" not in names
    # one such heading alone is no series
    assert "TexLoop" not in _project_names(nlp, "Das Projekt startet.\n\nTexLoop\n" + body)


def test_a_name_and_its_short_form_in_parentheses_named_elsewhere_are_one_project(nlp):
    from pipeline.extract import build_record
    from pipeline.ingest import Document

    body = "Partner sind die Universität Leipzig und weitere Einrichtungen aus dem ganzen Land Sachsen.\n\n"
    text = ("Dresden, 3. März 2026 – Das Ministerium fördert das Vorhaben „Quantensensorik für die Medizintechnik“ (QuantSens) "
            "und das Vorhaben „H2-Labor Lausitz“ (H2Lab).\n\nQuantSens\n" + body + "H2Lab\n" + body)
    rec = build_record(nlp, Document("q.txt", text, "0" * 64, len(text.encode()), "utf-8"), "blank:de")
    assert sorted(p.name for p in rec.projects) == ["H2-Labor Lausitz", "Quantensensorik für die Medizintechnik"]


def test_a_quarter_that_opens_a_list_item_is_no_project(nlp):
    """"Berlin-Prenzlauer Berg: „…“" places the item in a quarter of a town, as "Berlin: „…“" would in the town."""
    text = ("Gefördert werden diese Projekte:\n\n• Berlin-Prenzlauer Berg: „Kiez gärtnert“ – ein Gemeinschaftsgarten, 5.000 Euro\n"
            "• Taucha: „Lesebank“ – Bücher am Markt, 2.000 Euro\n")
    names = {e.attrs.get("canonical") or e.text for e in nlp(text)._.evidence if e.label == "project"}
    assert "Berlin-Prenzlauer Berg" not in names and "Kiez gärtnert" in names


def test_list_items_with_a_body_under_each_are_one_list(nlp):
    """"• „Name“ (Town)" with the lines that describe it right under it, a blank line, the next item: every item of the
    list the intro announces is a project, not only the first; the paragraph after the list is none of it."""
    text = ("Die geförderten Vorhaben:\n\n"
            "• „Dorfladen Mitte“ (Gemeinde Ahlbeck)\nDer Verein baut die alte Post um. Förderung: 40.000 Euro.\n\n"
            "• „Lesegarten am Teich“ (Stadt Usedom)\nDie Bücherei legt einen Garten an.\nFörderung: 12.000 Euro.\n\n"
            "• „Kleine Bühne Zempin“\nDer Heimatverein richtet eine Bühne ein. Förderung: 8.000 Euro.\n\n"
            "Der Landrat lobte „die vielen guten Ideen“ der Vereine.\n")
    found = {e.attrs.get("canonical") or e.text for e in nlp(text)._.evidence if e.label == "project"}
    assert {"Dorfladen Mitte", "Lesegarten am Teich", "Kleine Bühne Zempin"} <= found
    assert "die vielen guten Ideen" not in found


def test_a_quoted_name_after_for_and_its_kind_in_a_funding_list(nlp):
    """"Weitere Zuschüsse erhalten:" … "– das Heimatmuseum Ahlen für die Vortragsreihe „…“ (5.000 Euro)": the project's kind may
    stand between "für die" and the quoted name."""
    text = ("Weitere Zuschüsse erhalten:\n– das Heimatmuseum Ahlen für die Vortragsreihe „Ahlen erzählt“ (5.000 Euro),\n"
            "– der Kunstverein Beckum für seine Ausstellung „Licht und Land“ (3.000 Euro).\n")
    found = {e.attrs.get("canonical") or e.text for e in nlp(text)._.evidence if e.label == "project"}
    assert {"Ahlen erzählt", "Licht und Land"} <= found


def test_a_quoted_measure_under_a_places_heading_in_a_release_of_blocks(nlp):
    """"HEMSHOF – „Grüne Höfe Hemshof“" above "Was: …" and "Partner: …", beside "INNENSTADT – Projekt …": each block's heading
    names its measure; a single such line in running text is no block."""
    blocks = ("Die Vorhaben im Einzelnen:\n\nHEMSHOF – „Grüne Höfe Hemshof“\nWas: Elf Innenhöfe werden begrünt.\n"
              "Partner: Das Quartiersmanagement Hemshof lädt ein.\n\nINNENSTADT – Projekt Stadtachse Ludwigstraße\n"
              "Was: Die Ludwigstraße erhält Baumreihen.\n")
    found = {e.attrs.get("canonical") or e.text for e in nlp(blocks)._.evidence if e.label == "project"}
    assert {"Grüne Höfe Hemshof", "Stadtachse Ludwigstraße"} <= found
    single = "Neustadt – „Wir sind bereit“\nWas: Die Stadt feiert.\n"
    assert not [e for e in nlp(single)._.evidence if e.rule == "projects:project.block_heading"]
