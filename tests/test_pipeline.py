"""End to end: run on corpus/ and the dev seeds, validate records and offsets, score against gold."""
from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from conftest import ROOT, SHARED
from pipeline.eval import evaluate
from pipeline.records import Record
from pipeline.run import run

# Per-type F1 floors, measured on the current rules; raise them as quality improves.
# corpus/1xx-3xx: the development set (the rules were tuned on it); corpus/4xx-5xx: releases written
# later by other authors without looking at the code, first measured as a held-out set. The relation
# model is trained on all of corpus/ and the seeds, so relation floors here are in-sample; its
# out-of-fold floor is in test_relations.py.
HELDOUT_FLOORS = {"towns": 0.97, "institutions": 0.95, "programmes": 0.92, "projects": 0.97, "dates": 0.98, "relations": 0.88}
CORPUS_FLOORS = {"towns": 0.98, "institutions": 0.95, "programmes": 0.92, "projects": 0.97, "dates": 0.99, "relations": 0.85}
# 601-606: written after the 2026-12-03 changes by an author who did not see the code; the relation model never trains on them
FRESH_FLOORS = {"towns": 0.95, "institutions": 0.95, "programmes": 0.90, "projects": 0.92, "dates": 0.98, "relations": 0.83}
# 801-808: written on 2026-12-03 by another author who did not see the code. Measured before any change (towns 1.0,
# institutions .793, programmes .857, projects .643, dates .920, relations .482), then fixed by general rules; the relation
# model never trains on them
FRESH8_FLOORS = {"towns": 0.97, "institutions": 0.97, "programmes": 0.97, "projects": 0.95, "dates": 0.97, "relations": 0.80}
# 901-908: written later the same day by another author who did not see the code; measured before any change (towns .902,
# institutions .821, programmes .950, projects .878, dates .971, relations .613), then fixed by general rules; never trained on
FRESH9_FLOORS = {"towns": 0.97, "institutions": 0.89, "programmes": 0.93, "projects": 0.97, "dates": 0.97, "relations": 0.70}
# a01-a08: releases in the shape of web pages (breadcrumbs, share lines, photo credits), another author who did not see the
# code; before any change: towns .950, institutions .873, programmes .757, projects .409, dates .927, relations .288; never trained on
FRESHA_FLOORS = {"towns": 0.93, "institutions": 0.87, "programmes": 0.72, "projects": 0.91, "dates": 0.98, "relations": 0.64}
# b01-b08: written on 2026-12-04 by another author who did not see the code (district LEADER release, ministry handing over
# funding decisions, a town's single project, a foundation's list, a federal prize, a university's research project, an
# Interreg project, a web page); before any change: towns .977, institutions .800, programmes .917, projects .684, dates .992,
# relations .564; never trained on
FRESHB_FLOORS = {"towns": 0.95, "institutions": 0.86, "programmes": 0.93, "projects": 0.91, "dates": 0.97, "relations": 0.77}
# c01-c08: written the same day by another author who did not see the code (Dorfentwicklung, ESF Plus, a utility's heat
# network, a state competition, a city's Städtebauförderung, a research network, "Demokratie leben!", a web page); scored
# on arrival, after the bXX fixes: towns .968, institutions .854, programmes 1.0, projects .872, dates .978, relations .704
# (with the code of the session's start: projects .811, relations .656); never trained on
FRESHC_FLOORS = {"towns": 0.95, "institutions": 0.89, "programmes": 0.97, "projects": 0.95, "dates": 0.96, "relations": 0.79}
# d01-d08: written the same day by another author who did not see the code, while the bXX/cXX fixes were made (a federal
# call's winners, a Regionalbudget round, an AMIF project, a wastewater association, a climate-adaptation project, a
# foundation's restoration grant, a Strukturwandel project, a city's web page); scored on arrival: towns .974, institutions
# .843, programmes .857, projects .593, dates .984, relations .503 (the session's start: projects .480, relations .400);
# never trained on
FRESHD_FLOORS = {"towns": 0.97, "institutions": 0.84, "programmes": 0.88, "projects": 0.88, "dates": 0.97, "relations": 0.73}
# e01-e08 and f01-f08: written on 2026-12-04 (a second session that day) by two more authors who did not see the code
# (a LEADER list, a federal research consortium, a savings-bank foundation, a Land's Kita grant, Städtebauförderung, a
# foundation's university project, a utility's heat network, a museum; a Land programme in running text, a federal nature
# programme, telemedicine from the Innovationsfonds, ESF Plus, village renewal, climate adaptation, a church tower, Interreg);
# scored on arrival: eXX towns .970, institutions .913, programmes .889, projects .640, dates .980, relations .558;
# fXX .960, .787, .846, 1.0, .907, .747; never trained on
FRESHE_FLOORS = {"towns": 0.95, "institutions": 0.89, "programmes": 0.86, "projects": 0.87, "dates": 0.96, "relations": 0.72}
FRESHF_FLOORS = {"towns": 0.94, "institutions": 0.83, "programmes": 0.82, "projects": 0.97, "dates": 0.96, "relations": 0.76}
# g01-g08 and h01-h08: written the same day by two more authors who did not see the code, after the eXX/fXX fixes (sports
# facilities, digital administration, a Horizon Europe project, an on-demand bus, a listed building, a volunteers' prize, a
# hydrogen network, a social project; a Bavarian programme in running text, a DFG Sonderforschungsbereich, gigabit
# broadband, an exhibition, climate management, an EU LIFE project, e-buses, a Heimat-Scheck list); scored on arrival:
# gXX towns 1.0, institutions .821, programmes .947, projects .667, dates .954, relations .613; hXX .974, .935, .714, .667,
# .992, .588 (the session's starting code: projects .571/.444, relations .624/.500); never trained on
FRESHG_FLOORS = {"towns": 0.97, "institutions": 0.82, "programmes": 0.92, "projects": 0.74, "dates": 0.97, "relations": 0.64}
FRESHH_FLOORS = {"towns": 0.95, "institutions": 0.94, "programmes": 0.90, "projects": 0.79, "dates": 0.97, "relations": 0.73}
# i01-i08 and j01-j08: written the same day by two more authors who did not see the code, after every fix above; nobody
# had seen them when they were scored: iXX towns .984, institutions .900, programmes .889, projects .722, dates .990,
# relations .548; jXX .971, .784, .870, .783, 1.0, .573 (the session's starting code: relations .538 / .543); never trained on
FRESHI_FLOORS = {"towns": 0.96, "institutions": 0.88, "programmes": 0.89, "projects": 0.85, "dates": 0.97, "relations": 0.64}
FRESHJ_FLOORS = {"towns": 0.95, "institutions": 0.85, "programmes": 0.88, "projects": 0.89, "dates": 0.97, "relations": 0.65}
# k01-k08 and l01-l08: written at the session's end by two more authors who did not see the code, and scored on the final
# code when nobody had seen them: kXX towns .968, institutions .880, programmes .917, projects .818, dates .976, relations
# .638 (the session's starting code: projects .600, relations .443); lXX .984, .875, .762, .500, .977, .460 (start: .500,
# .453); no rule was changed for them; never trained on
FRESHK_FLOORS = {"towns": 0.95, "institutions": 0.92, "programmes": 0.89, "projects": 0.84, "dates": 0.95, "relations": 0.67}
FRESHL_FLOORS = {"towns": 0.96, "institutions": 0.92, "programmes": 0.84, "projects": 0.75, "dates": 0.95, "relations": 0.68}
# m01-m08: written on 2026-12-04 (third session) by an author who did not see the code, scored when nobody had seen them:
# towns .985, institutions .849, programmes .791, projects .727, dates .993, relations .456 (the session's starting code gave
# the same but for two relations); then read for misses like every set before (the general rules they showed: amount lines,
# calls as programmes, programme headings, mixed-case names, Verbraucherzentrale), as were the misses of iXX-lXX;
# never trained on
FRESHM_FLOORS = {"towns": 0.95, "institutions": 0.86, "programmes": 0.83, "projects": 0.92, "dates": 0.96, "relations": 0.66}
# n01-n10 and o01-o10: written on 2026-12-04 (fourth session) by two authors who did not see the code, scored when nobody
# had seen them: nXX towns .968, institutions .835, programmes .894, projects .558, dates .963, relations .455; oXX .987,
# .865, .853, .579, .979, .390 (after the nXX rules); then read for misses (datelines before a headline, header columns,
# person-named schools, 'Town: Name – sum' lines, acronym names after a project noun, multi-word names, apposition
# programmes, Vorhaben table cells)
FRESHN_FLOORS = {"towns": 0.97, "institutions": 0.86, "programmes": 0.93, "projects": 0.90, "dates": 0.97, "relations": 0.77}
FRESHO_FLOORS = {"towns": 0.96, "institutions": 0.85, "programmes": 0.84, "projects": 0.85, "dates": 0.96, "relations": 0.58}
FRESHP_FLOORS = {"towns": 0.96, "institutions": 0.94, "programmes": 0.95, "projects": 0.95, "dates": 0.97, "relations": 0.74}
FRESHQ_FLOORS = {"towns": 0.95, "institutions": 0.87, "programmes": 0.93, "projects": 0.95, "dates": 0.97, "relations": 0.62}
FRESHR_FLOORS = {"towns": 0.96, "institutions": 0.80, "programmes": 0.75, "projects": 0.78, "dates": 0.97, "relations": 0.50}
# s01-s10: written on 2026-12-04 (sixth session) by two authors who did not see the code or the other sets, scored when
# nobody had seen them (code at faeb5dc): towns .966, institutions .811, programmes .849, projects .516, dates .986,
# relations .422; then read for misses (list items with a body under each, prize labels, a column head at a line's end,
# one type per name, contact persons, Kirchenkreis, a foundation named after its bank, headline funding without article):
# .974/.841/.882/.872/.986, relations .638
FRESHS_FLOORS = {"towns": 0.96, "institutions": 0.82, "programmes": 0.86, "projects": 0.85, "dates": 0.97, "relations": 0.61}
# t01-t10: written later that session by two more authors who saw no code and no other set, scored when nobody had seen
# them (code at 452c0e4, after the sXX rules): towns .985, institutions .877, programmes .917, projects .927, dates .993,
# relations .731 (the best arrival so far); then read for misses (a Land in the genitive, a town of several tokens before
# a legal form, a possessive before a funded name): .985/.897/.917/.952/.993, relations .740
FRESHT_FLOORS = {"towns": 0.96, "institutions": 0.87, "programmes": 0.89, "projects": 0.93, "dates": 0.97, "relations": 0.71}
# u01-u05 and v01-v05: written on 2026-12-04 (seventh session) by two authors who saw no code and no other set, scored
# when nobody had seen them (code at 9007a2f; gold names in the nominative as the guidelines ask: the authors had used
# the only forms their texts showed for three names): uXX towns 1.000, institutions .842, programmes .875, projects .923,
# dates 1.000, relations .745; vXX .977/.912/.880/.905/1.000, relations .643. Then read for misses (an acronym the text
# gives another body than the registry, places named as examples, an edition year of a competition, winners' labels
# with a quoted category, a sum after "für die „…“"): uXX 1.000/.865/.875/.963/1.000, relations .788; vXX
# .989/.912/1.000/.930/1.000, relations .774
FRESHU_FLOORS = {"towns": 0.97, "institutions": 0.84, "programmes": 0.85, "projects": 0.94, "dates": 0.97, "relations": 0.76}
FRESHV_FLOORS = {"towns": 0.96, "institutions": 0.89, "programmes": 0.97, "projects": 0.91, "dates": 0.97, "relations": 0.75}
# w01-w05 and x01-x05: written later that session by two more authors who saw no code and no other set, scored when
# nobody had seen them (code at 78c1ee0): wXX towns .926, institutions .778, programmes .923, projects .700, dates .962,
# relations .562; xXX .983/.933/.824/.606/1.000, relations .488. Then read for misses (a body working "mit „…“" on a
# project, table headers in parentheses and "Maßnahme" columns, table rows' towns and programmes, a year in a body's
# name, "in Wald und Grünland", a foreign town's German name in parentheses): wXX .962/.778/.923/.700/.974, relations
# .574; xXX .983/.933/.824/.978/1.000, relations .656
FRESHW_FLOORS = {"towns": 0.92, "institutions": 0.75, "programmes": 0.90, "projects": 0.68, "dates": 0.95, "relations": 0.54}
FRESHX_FLOORS = {"towns": 0.96, "institutions": 0.91, "programmes": 0.80, "projects": 0.95, "dates": 0.97, "relations": 0.63}
# y01-y10 and z01-z05: written on 2026-12-04 (eighth session) by three authors who saw no code and no other set (district
# and city offices, foundations and networks, ministries and agencies), scored when nobody had seen them (code at 4503e19):
# yXX towns 1.000, institutions .857, programmes .880, projects .844, dates .982, relations .646; zXX
# .989/.946/.897/1.000/1.000, relations .766. Then read for misses (foreign legal forms and a firm's trade before its name,
# "Universität zu Lübeck", winners named before a dash, towns and programme labels of list items, lists without bullets,
# a registry programme's version, a bare umbrella programme, a motto of an event): yXX 1.000/.912/1.000/.892/.982,
# relations .737; zXX .989/.985/1.000/1.000/1.000, relations .899 (before they joined the relation model's training set)
FRESHY_FLOORS = {"towns": 0.97, "institutions": 0.89, "programmes": 0.97, "projects": 0.87, "dates": 0.96, "relations": 0.71}
FRESHZ_FLOORS = {"towns": 0.96, "institutions": 0.96, "programmes": 0.97, "projects": 0.97, "dates": 0.97, "relations": 0.87}
# y11-y15 and z06-z10: written later in the eighth session by two more authors who saw no code and no other set (rural
# development in five Länder with web-page layouts and tables; research releases), scored when nobody had seen them
# (code at a8e0edc): y11-y15 towns .957, institutions .822, programmes .957, projects .914, dates .973, relations .578;
# z06-z10 .974/.873/.533/.875/.972, relations .568 (the session's starting code: relations .603 and .543). Then read for
# misses (the DFG's, the ERC's and Hessen's programmes in the registry, a union in parentheses after a club, GbR):
# y11-y15 .957/.870/.957/.914/.973, relations .568; z06-z10 .974/.873/1.000/.875/.972, relations .630
FRESHY2_FLOORS = {"towns": 0.93, "institutions": 0.84, "programmes": 0.93, "projects": 0.89, "dates": 0.95, "relations": 0.55}
FRESHZ2_FLOORS = {"towns": 0.95, "institutions": 0.85, "programmes": 0.97, "projects": 0.85, "dates": 0.95, "relations": 0.60}
# za-zd: written on 2026-12-05 (ninth session) by four authors who saw no code and no other set (municipal funding in
# Bavaria, Baden-Württemberg, Rhineland-Palatinate and Saarland; foundations and prizes; federal and Land ministries and
# agencies; social, cultural and civic funding), scored when nobody had seen them (code at c372f41): towns .956,
# institutions .849, programmes .875, projects .913, dates .977, relations .685. Then read for misses (a dateline above
# the contact block, legal forms after registry names and supporters' clubs, names in quotes after schools and clubs,
# acronyms defined after their first use, list items that open with a word-like town): .980/.926/.915/.913/.997,
# relations .712 (before they joined the relation model's training set)
FRESHZA_FLOORS = {"towns": 0.95, "institutions": 0.89, "programmes": 0.88, "projects": 0.88, "dates": 0.97, "relations": 0.66}
# ze-zh: written later in the ninth session by four more authors who saw no code and no other set (cross-border and EU
# cooperation; northern Germany with web-page layouts and tables; university research; cities and Bezirksregierungen in
# five western Länder), scored when nobody had seen them (code at c372f41): towns .974, institutions .816, programmes
# .917, projects .878, dates .973, relations .597; with the za-zd rules .979/.816/.924/.878/.973, relations .609. Then read
# for misses (foreign bodies' names, AktivRegionen, firms' short names before their registered ones, roles in
# parentheses, block headings, where someone spoke): .979/.865/.924/.892/.973, relations .624. Held out of the relation
# model (scripts/train_relations.py HELD_OUT): their relation figure is the model's on releases it never saw.
FRESHZE_FLOORS = {"towns": 0.95, "institutions": 0.83, "programmes": 0.89, "projects": 0.85, "dates": 0.95, "relations": 0.58}
SEED_FLOORS = {"towns": 0.95, "institutions": 0.95, "programmes": 0.95, "projects": 0.95, "dates": 0.95, "relations": 0.95}


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    out = tmp_path_factory.mktemp("corpus")
    manifest = run([str(ROOT / "corpus")], str(out), progress=False)
    return out, manifest


def test_every_corpus_file_is_one_record(corpus_run):
    out, manifest = corpus_run
    inputs = sorted(p.name for p in (ROOT / "corpus").glob("*.txt"))
    assert len(inputs) >= 42
    records = [json.loads(line) for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines()]
    assert sorted(Path(r["source"]["path"]).name for r in records) == inputs
    assert manifest["records"] == len(inputs) and manifest["errors"] == 0
    assert manifest["inputs"] == manifest["records"] + manifest["errors"]


def test_offsets_slice_the_stored_text(corpus_run):
    out, _ = corpus_run
    for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines():
        rec = Record.model_validate_json(line)
        text = (out / rec.source.text_file).read_text(encoding="utf-8")
        rec.check_offsets(text)  # raises on any mismatch
        assert rec.provenance.nlp_backend == "blank:de"
        assert all(m.rule and 0 <= m.score <= 1 for m in rec.iter_mentions())


def test_record_ids_are_stable(tmp_path):
    src = ROOT / "corpus" / sorted(p.name for p in (ROOT / "corpus").glob("*.txt"))[0]
    ids = []
    for i in range(2):
        run([str(src)], str(tmp_path / f"o{i}"), progress=False)
        ids.append(json.loads((tmp_path / f"o{i}" / "records.jsonl").read_text().splitlines()[0])["record_id"])
    assert ids[0] == ids[1]


def gold_subset(tmp_path, first_digits: str) -> Path:
    """The gold files whose name starts with one of these characters, or matches this pattern when it starts with ^."""
    sub = tmp_path / "gold-subset"
    sub.mkdir()
    for p in (ROOT / "corpus" / "gold").glob("*.json"):
        if re.match(first_digits, p.name) if first_digits.startswith("^") else p.name[0] in first_digits:
            (sub / p.name).write_bytes(p.read_bytes())
    return sub


@pytest.mark.parametrize("digits,floors,documents", [("123", CORPUS_FLOORS, 33), ("45", HELDOUT_FLOORS, 12), ("6", FRESH_FLOORS, 6),
                                                         ("8", FRESH8_FLOORS, 8), ("9", FRESH9_FLOORS, 8), ("a", FRESHA_FLOORS, 8),
                                                         ("b", FRESHB_FLOORS, 8), ("c", FRESHC_FLOORS, 8),
                                                         ("d", FRESHD_FLOORS, 8), ("e", FRESHE_FLOORS, 8), ("f", FRESHF_FLOORS, 8),
                                                         ("g", FRESHG_FLOORS, 8), ("h", FRESHH_FLOORS, 8), ("i", FRESHI_FLOORS, 8),
                                                         ("j", FRESHJ_FLOORS, 8), ("k", FRESHK_FLOORS, 8), ("l", FRESHL_FLOORS, 8),
                                                         ("m", FRESHM_FLOORS, 8), ("n", FRESHN_FLOORS, 10), ("o", FRESHO_FLOORS, 10),
                                                         ("p", FRESHP_FLOORS, 10), ("q", FRESHQ_FLOORS, 10),
                                                         ("r", FRESHR_FLOORS, 10), ("s", FRESHS_FLOORS, 10), ("t", FRESHT_FLOORS, 10),
                                                         ("u", FRESHU_FLOORS, 5), ("v", FRESHV_FLOORS, 5), ("w", FRESHW_FLOORS, 5),
                                                         ("x", FRESHX_FLOORS, 5), ("^y(0|10)", FRESHY_FLOORS, 10), ("^z0[1-5]", FRESHZ_FLOORS, 5),
                                                         ("^y1[1-5]", FRESHY2_FLOORS, 5), ("^z(0[6-9]|10)", FRESHZ2_FLOORS, 5),
                                                         ("^z[a-d]", FRESHZA_FLOORS, 20), ("^z[e-h]", FRESHZE_FLOORS, 20)],
                         ids=["development", "held-out", "fresh", "fresh-8xx", "fresh-9xx", "fresh-web-pages", "fresh-bxx", "fresh-cxx",
                              "fresh-dxx", "fresh-exx", "fresh-fxx", "fresh-gxx", "fresh-hxx", "fresh-ixx",
                              "fresh-jxx", "fresh-kxx", "fresh-lxx", "fresh-mxx", "fresh-nxx", "fresh-oxx", "fresh-pxx", "fresh-qxx", "fresh-rxx", "fresh-sxx", "fresh-txx",
                              "fresh-uxx", "fresh-vxx", "fresh-wxx", "fresh-xxx", "fresh-y01-y10", "fresh-z01-z05",
                              "fresh-y11-y15", "fresh-z06-z10", "fresh-za-zd", "fresh-ze-zh-held-out"])
def test_corpus_scores(corpus_run, tmp_path, digits, floors, documents):
    out, _ = corpus_run
    result = evaluate(gold_subset(tmp_path, digits), out / "records.jsonl")
    assert not result["missing_records"] and result["documents"] >= documents
    for kind, floor in floors.items():
        assert result["types"][kind]["f1"] >= floor, (kind, result["types"][kind])
    assert result["town_linking_accuracy"] >= 0.95


@pytest.mark.skipif(not (SHARED / "seeds").is_dir(), reason="../shared/seeds is not present")
def test_dev_seed_scores(tmp_path):
    run([str(SHARED / "seeds")], str(tmp_path), progress=False)
    result = evaluate(SHARED / "dev-gold", tmp_path / "records.jsonl")
    for kind, floor in SEED_FLOORS.items():
        assert result["types"][kind]["f1"] >= floor, (kind, result["types"][kind])


def test_bad_inputs_become_errors_and_the_run_goes_on(tmp_path):
    good = tmp_path / "in" / "good.txt"
    good.parent.mkdir()
    good.write_text("Die Stadt Goslar erhält am 3. Mai 2021 Fördermittel.", encoding="utf-8")
    (tmp_path / "in" / "empty.txt").write_bytes(b"")
    (tmp_path / "in" / "binary.txt").write_bytes(b"\x00\x01\x02" * 100)
    (tmp_path / "in" / "latin1.txt").write_bytes("Die Gemeinde Mühlacker, Württemberg.".encode("cp1252"))
    manifest = run([str(tmp_path / "in"), str(tmp_path / "missing.txt")], str(tmp_path / "out"), progress=False)
    assert manifest["inputs"] == 5
    assert manifest["records"] == 2 and manifest["errors"] == 3
    errors = [json.loads(l) for l in (tmp_path / "out" / "errors.jsonl").read_text().splitlines()]
    reasons = {Path(e["file"]).name: e["reason"] for e in errors}
    assert "empty" in reasons["empty.txt"] and "binary" in reasons["binary.txt"]
    assert "no such file" in reasons["missing.txt"]
    recs = [json.loads(l) for l in (tmp_path / "out" / "records.jsonl").read_text().splitlines()]
    latin = next(r for r in recs if r["source"]["path"].endswith("latin1.txt"))
    assert latin["source"]["encoding"] != "utf-8" and latin["towns"][0]["name"] == "Mühlacker"


def test_no_duplicate_entities_for_an_acronym_and_its_expansion(corpus_run):
    """'Bundesamt für Migration und Flüchtlinge (BAMF)' and a later 'BAMF' are one entity, not two."""
    out, _ = corpus_run
    from pipeline.resolve import norm

    checked = 0
    for line in (out / "records.jsonl").read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        for kind in ("institutions", "programmes"):
            names = [norm(e["name"]) for e in rec[kind]]
            assert len(names) == len(set(names)), (rec["source"]["path"], kind, names)
            for e in rec[kind]:
                if e.get("acronym"):
                    checked += 1
                    others = [o for o in rec[kind] if o is not e]
                    assert norm(e["acronym"]) not in {norm(o["name"]) for o in others}
                    assert norm(e["acronym"]) not in {norm(o["acronym"]) for o in others if o.get("acronym")}
    assert checked >= 20


@pytest.mark.parametrize("text,title", [
    ("Freie und Hansestadt Hamburg\nPressestelle · Tel. 040 1234\n\nKultur trotz Krise: Musik auf der Elbinsel\nText.", "Kultur trotz Krise: Musik auf der Elbinsel"),
    ("Bild: Rosen\n\nPraxisprojekt „Vielfalt vor Ort“ startet\nText.", "Praxisprojekt „Vielfalt vor Ort“ startet"),
    ("Stadt Hamm – Presse- und Kommunikationsamt\nHamm, 3. Mai 2021\nGigabit für Hamm: 2 Millionen Euro für Glasfaser\nText.", "Gigabit für Hamm: 2 Millionen Euro für Glasfaser"),
    # a dateline before the headline on its line is no part of it
    ("Ministerium\n\nErfurt, 12. Februar 2026 – Neue Halle für den Sportverein\n\nDer Verein baut.\n", "Neue Halle für den Sportverein"),
    ("Halle (Saale), 12.02.2025 - Zentrum öffnet seine Türen\n\nText.\n", "Zentrum öffnet seine Türen"),
    ("Neue Halle für den Sportverein in Erfurt\n\nText.\n", "Neue Halle für den Sportverein in Erfurt"),
])
def test_title_is_the_headline_not_the_issuer(text, title):
    from pipeline.components.projects import title_line

    start, end = title_line(text)
    assert text[start:end] == title
