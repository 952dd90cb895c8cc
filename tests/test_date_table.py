"""Table-driven date tests (tests/data/date_cases.yaml, written for the project)."""
from __future__ import annotations

import datetime as dt
from functools import lru_cache

import pytest
import yaml

from conftest import DATA
from pipeline.components.dates import grammar

TABLE = yaml.safe_load((DATA / "date_cases.yaml").read_text(encoding="utf-8"))


def extract(text: str, doc_date):
    d = dt.date.fromisoformat(doc_date) if doc_date else None
    dates, durations = grammar().find(text, d)
    return [(t.value, t.mod) for t in dates], [t.value for t in durations]


def test_table_is_big_enough():
    assert len(TABLE["cases"]) >= 200
    assert len(TABLE["non_dates"]) >= 100
    assert len({c["id"] for c in TABLE["cases"]}) == len(TABLE["cases"])


@pytest.mark.parametrize("case", TABLE["cases"], ids=lambda c: c["id"])
def test_case(case):
    got, durations = extract(case["text"], case.get("doc_date"))
    want = [(d["value"], d.get("mod")) for d in case.get("dates") or []]
    assert sorted(set(got)) == sorted(set(want))
    if "durations" in case:
        assert sorted(durations) == sorted(case["durations"])


@pytest.mark.parametrize("case", TABLE["non_dates"], ids=lambda c: c["id"])
def test_non_date(case):
    assert extract(case["text"], None)[0] == []


@pytest.mark.parametrize("text,doc_date,want", [
    ("am 23. September 2016 im Rathaus", None, [("2016-09-23", None)]),
    ("Frist: 10.09.2020.", None, [("2020-09-10", None)]),
    ("seit Ende 2015", None, [("2015", "END")]),
    ("bis Mitte November", "2016-09-23", [("2016-11", "MID")]),
    ("Anfang Juni", None, [("XXXX-06", "START")]),
    ("im 2. Halbjahr 2015", None, [("2015-H2", None)]),
    ("im Herbst 2018", None, [("2018-FA", None)]),
    ("zum Jahresende", "2016-09-23", [("2016", "END")]),
    ("vom 1. bis 3. März 2021", None, [("2021-03-01", None), ("2021-03-03", None)]),
    ("im ersten Quartal 2021", None, [("2021-Q1", None)]),
    ("Agenda 2030 und Horizont 2020", None, []),
    ("Tel. 0631 365-1234, 67657 Kaiserslautern", None, []),
    ("Seite 1 / 3", None, []),
    ("Treffpunkt ist der Platz des 18. März vor dem Rathaus.", None, []),  # a street named after a date
    ("an der Straße des 17. Juni am 3. Mai 2022", None, [("2022-05-03", None)]),
])
def test_core_forms(text, doc_date, want):
    assert extract(text, doc_date)[0] == want


@lru_cache(maxsize=None)
def _dateparser_parse(s: str):
    import dateparser

    return dateparser.parse(s, languages=["de"], settings={"DATE_ORDER": "DMY", "PREFER_DAY_OF_MONTH": "first"})


def test_full_dates_agree_with_dateparser():
    """Our normaliser and dateparser agree on every full date candidate of the table (candidates only)."""
    checked = 0
    for case in TABLE["cases"]:
        d = dt.date.fromisoformat(case["doc_date"]) if case.get("doc_date") else None
        for t in grammar().find(case["text"], d)[0]:
            if t.rule in ("date.numeric", "date.iso") and len(t.value) == 10 and not t.time:
                parsed = _dateparser_parse(t.text.split(",")[-1].strip())
                if parsed is not None:
                    checked += 1
                    assert parsed.date().isoformat() == t.value, t.text
    assert checked >= 20


def test_a_record_keeps_one_date_per_value_and_mod(nlp_backend):
    """'2023 bis 2027' and 'Anfang nächsten Jahres' (2023, START) are two statements, not one date with a mod."""
    from pipeline.extract import build_record
    from pipeline.ingest import Document

    nlp, backend = nlp_backend
    text = "Regen, 3. August 2022\n\nDie Förderperiode 2023 bis 2027 beginnt Anfang nächsten Jahres.\n"
    rec = build_record(nlp, Document("d.txt", text, "0" * 64, len(text.encode()), "utf-8"), backend)
    assert [(d.value, d.mod) for d in rec.dates if d.value == "2023"] == [("2023", None), ("2023", "START")]


BODY = "Neue Bäume für den Stadtpark\n\nAm 3. März beginnt die Pflanzung. " + "Die Stadt pflanzt Linden und Eichen am Ufer. " * 40 + "\n\n"


@pytest.mark.parametrize("foot,want,rule", [
    # dated at its foot only (below the head where datelines stand): yearless dates then take its year
    ("Ettlingen, 12. Februar 2025\n", "2025-02-12", "doc_date.footer_line"),
    ("Stand: 12.02.2025\n", "2025-02-12", "doc_date.footer_line"),
    ("Stadtverwaltung Bad Salzungen, Pressestelle, 12. Februar 2025\n", "2025-02-12", "doc_date.footer_line"),  # issuer and office
    # a date inside the last sentence is no release date
    ("Die Pflanzung endet am 3. April 2025 im Park.\n", None, None),
    # a dateline above the contact block that closes the release
    ("Magdeburg, 21.05.2025\n\nMinisterium für Beispiele\nPressestelle\nHasselbachstraße 4\n39104 Magdeburg\n"
     "Telefon: 0391 567-4316\nE-Mail: presse@example.org\n", "2025-05-21", "doc_date.footer_line"),
    # but not a date alone or after a label there: only on one of the last lines
    ("Erstellt: 21.05.2025\n\nMinisterium für Beispiele\nPressestelle\nHasselbachstraße 4\n39104 Magdeburg\n"
     "Telefon: 0391 567-4316\nE-Mail: presse@example.org\n", None, None),
])
def test_the_release_date_at_its_foot(foot, want, rule):
    text = BODY + foot
    assert len(BODY) > 1500
    anchor, dates, _ = grammar().analyse(text)
    assert (anchor.value if anchor else None) == want
    assert (anchor.rule if anchor else None) == rule
    assert ("2025-03-03" if want else "XXXX-03-03") in [d.value for d in dates]


def test_a_dateline_wins_over_a_date_at_the_foot():
    anchor, _, _ = grammar().analyse("Ettlingen, 10. Februar 2025 – " + BODY + "Ettlingen, 12. Februar 2025\n")
    assert (anchor.value, anchor.rule) == ("2025-02-10", "doc_date.dateline")


@pytest.mark.parametrize("head,want", [
    ("Halle (Saale), 12.02.2025. Fünf Verbünde erhalten Geld.\n", "2025-02-12"),  # closed by a full stop
    ("Bonn/Bad Godesberg, 18.06.2024: Streuobstwiesen sind artenreich.\n", "2024-06-18"),  # by a colon
    # an abbreviation of the town's name that ends like a weekday ("Fr.") is no weekday of the date
    ("Neustadt a. d. Aisch, 3. April 2025. Der Weg ist frei.\nHeiligenstadt i. OFr., 3. April 2025. Der Weg ist frei.\n", "2025-04-03"),
    # the last column of a header line
    ("Der Landrat\n\nPM 12/2026                                  Greifswald, 20.01.2026\n\nText.\n", "2026-01-20"),
    ("Pressemitteilung 7\tKiel, 4. März 2026\n\nText.\n", "2026-03-04"),
])
def test_a_dateline_closed_by_a_full_stop_or_a_colon(head, want):
    anchor, dates, _ = grammar().analyse(head)
    assert (anchor.value, anchor.rule) == (want, "doc_date.dateline")
    assert not any(d.text.startswith("Fr.") for d in dates)


@pytest.mark.parametrize("head,want", [
    # a web page's date line below breadcrumb and header lines
    ("Land.NRW\nStartseite > Presse\n\nMinisterium für Beispiele\n\nPressemitteilung Nr. 017/2025\n12.02.2025\n\n", "2025-02-12"),
    ("Universität\nSeit 1765.\n\nStartseite > Presse\n\nMedieninformation 41/2025 | 08.07.2025\n\n", "2025-07-08"),
    ("Landkreis\nStartseite > Aktuelles\n\nAmt für Beispiele\n\n19.02.2025 | 09:30 Uhr\n\n", "2025-02-19"),
])
def test_a_web_pages_date_line(head, want):
    anchor, _, _ = grammar().analyse(head + "Neue Bäume für den Stadtpark. Am 3. März beginnt die Pflanzung.\n")
    assert (anchor.value, anchor.rule) == (want, "doc_date.date_line")


def test_a_date_at_the_foot_with_a_label_and_a_clock_time():
    anchor, _, _ = grammar().analyse(BODY + "Pressekontakt: Pressestelle, Telefon 0123 45-67\n\nErstellt: 03.04.2025, 11:42 Uhr\n\nZurück zur Übersicht\n")
    assert (anchor.value, anchor.rule) == ("2025-04-03", "doc_date.footer_line")
