"""Named projects: quoted names after project nouns, quoted names in a headline that speaks of
a project, 'das Projekt X' with a rare proper name, and a release title that names the project."""
from __future__ import annotations

import re
from functools import lru_cache
from typing import Optional

from spacy.language import Language
from spacy.tokens import Doc

from pipeline import regex_cache
from pipeline.components.programmes import WORD_GAP, trigger_before
from pipeline.components.towns import DATELINE_DAY
from pipeline.evidence import Evidence, add_all
from pipeline.matching import doc_text
from pipeline.gazetteer import gazetteer
from pipeline.quotes import quoted
from pipeline.relation_model import LIST_ITEM, prize_labels
from pipeline.errors import RulesError
from pipeline.rules import (date_vocabulary, relation_cues, institution_registry, programme_patterns, programme_registry, project_patterns,
                            town_evidence, word_frequencies, zipf_frequency)


ISSUER_FUNCTION_WORDS = {"für", "und", "der", "des", "die", "das", "von", "zu", "zur", "zum", "am", "an", "im", "in", "de"}


LINE = regex_cache.compile(r"[^\n]+")
WORD = regex_cache.compile(r"[\wäöüÄÖÜß]+")
LABEL_LINE = regex_cache.compile(r"(?:Bild|Foto|Quelle|Copyright|Stand|Datum|Pressemitteilung|Presseinformation)\b")
HEADER_LINE = regex_cache.compile(r"Pressestelle|Pressemitteilung|Pressemeldung|Presseinformation|Medieninformation|Pressekontakt|Tel\.|E-Mail|@|www\.|·")
LOWER_WORD = regex_cache.compile(r"\b[a-zäöüß][\wäöüß-]*")
QUOTE_COLON_DIGIT = regex_cache.compile(r"[„“\":\d]")
YEAR = regex_cache.compile(r"\d{4}")
# "Erfurt, 12. Februar 2026 – " before a headline on its line: the dateline, not part of the headline
DATELINE_LEAD = regex_cache.compile(r"[A-ZÄÖÜ][\w .()/-]{1,40},\s*" + DATELINE_DAY + r"\s*\d{4}\s*[–—-]\s+")
PRESS_WORD = regex_cache.compile(r"Presse|Medien|Mitteilung|Meldung")
ANY_WORD = regex_cache.compile(r"\w+")
PROJECT_TRIGGER = regex_cache.compile(r"projekt|vorhaben|Projekt|Vorhaben")
PROJECT_IN_LINE = regex_cache.compile(r"[Pp]rojekt|[Vv]orhaben")
LIST_LEAD = regex_cache.compile(r"\s*(?:[-–•*]\s*|\d{1,2}[.)]\s*)?(?P<town>[A-ZÄÖÜ][\wäöüß. /-]*?)(?:\s*\([^)]{1,60}\))?"
                       r"(?:,[ \t]*[A-ZÄÖÜ][^\n,:;„“\"]{1,60}?)?\s*[:–—-]\s*"
                       r"(?:(?:Mit|Mithilfe|Durch|Über|Bei|Beim|Dank)\s+|[A-ZÄÖÜ][a-zäöüß]+(?:-[A-ZÄÖÜ]?[a-zäöüß]+)?\s+)?")
# "Lahr: Mit „Lahr verbindet“ baut die Stadt …"; a kind before the name: "• Volkach – Kinderchor „Mainschleifen-Spatzen“: …";
# who carries it after the town: "- Wismar (Mecklenburg-Vorpommern), Große Stadtschule: „Backstein und Hanse“ – …"
# after a quoted name that opens a list item (relation_model.LIST_ITEM): maybe "(Town)" or ", Town", then a colon or dash
# "(Ellrich):", ", Wilburgstetten –", " in Sandau (Elbe), Sachsen-Anhalt:"
ITEM_QUOTE_AFTER = regex_cache.compile(r"[ \t]*(?:\([^()\n]{1,60}\)|,[ \t]*[A-ZÄÖÜ][^,:;()\n–—]{1,40}?|[ \t]in[ \t]+[A-ZÄÖÜ][^:;\n–—]{1,60}?)?[ \t]*[:–—-]")
# a paragraph that opens with a name and a colon, without a bullet: "„Haldenwissen“: …", "Mühlenhof Gemen (Borken, 880.000 Euro): …"
PARAGRAPH_ITEM = regex_cache.compile(r"^(?:[„“\"»](?P<quoted>[^„“”\"«»\n]{2,80})[“”\"«]|(?P<plain>[A-ZÄÖÜ][\wäöüß.-]*(?:[ \t]+[A-ZÄÖÜ][\wäöüß.-]*){1,4}))"
                            r"[ \t]*(?:\([^()\n]{1,60}\))?[ \t]*:[ \t]", re.M)
OPENING_QUOTE = regex_cache.compile(r"[„“\"»]")
# a line that is a name, perhaps its place in parentheses, and a sum: "Kochwerkstatt Katernberg (Essen) – 210.000 Euro",
# "„Mensa 2.0“ (Oberhausen) – 190.000 Euro", "- „Dorfladen Ahlen“: 40.000 €"
ITEM_BULLET = r"^[ \t]*(?:[-–•*▪][ \t]+|\d{1,2}[.)][ \t]+)?"  # a line's start, perhaps a bullet or a number
# a sum that ends its line: "rund 40.000 Euro", "3,5 Mio. Euro", "1.000 €."
LINE_END_SUM = (r"(?:(?:rund|knapp|bis zu|insgesamt|je|jeweils)[ \t]+)?\d[\d.,]*[ \t]*(?:Mio\.|Millionen|Tsd\.)?[ \t]*"
                r"(?:Euro|EUR|€)[ \t]*\.?[ \t]*$")
AMOUNT_LINE = regex_cache.compile(
    ITEM_BULLET + r"(?:[„“\"»](?P<quoted>[^„“”\"«»\n]{2,80})[“”\"«]|(?P<plain>[A-ZÄÖÜ][^\n()„“”\"«»:;–—]{1,70}?))"
    r"[ \t]*(?:\((?P<place>[^()\n]{2,60})\))?[ \t]*[:–—-][ \t]*" + LINE_END_SUM, re.M)
# a town, a name, perhaps what it is, and a sum: "Freisen: Dorfladen Oberkirchen, getragen von einer Bürgergenossenschaft –
# 58.000 Euro", "• Görlitz: Kreativquartier Kondensatorenwerk, Umbau einer Industriebrache – 3,5 Mio. Euro"
TOWN_AMOUNT_LINE = regex_cache.compile(
    ITEM_BULLET + r"(?P<town>[A-ZÄÖÜ][^\n:„“\"()]{1,40}?)(?:[ \t]*\([^()\n]{2,40}\))?:[ \t]+"
    r"(?:[„“\"»](?P<quoted>[^„“”\"«»\n]{2,80})[“”\"«]|(?P<plain>[A-ZÄÖÜ][^\n,()„“”\"«»:;–—]{1,70}?))"
    r"(?:[ \t]*\([^()\n]{1,80}\))?(?:,[^\n–—]{0,160}?|[ \t]+[–—][^\n]{0,160}?)?[ \t]+[–—-][ \t]*" + LINE_END_SUM, re.M)
# an article before a quote, perhaps indefinite, with an adjective or the name's kind between ("für ein gemeinsames „…“",
# "für das Erzählcafé „…“")
POSSESSIVES = r"ihr|ihre|ihren|ihrem|sein|seine|seinen|seinem"  # they stand for the article: "für ihr Konzept „…“"
QUOTE_LEAD = regex_cache.compile(r"\b(?P<art>den|die|das|dem|der|des|ein|eine|einen|einem|" + POSSESSIVES + r")\s+(?P<adj>[a-zäöüß]+(?:e|en|er|es|em)\s+)?"
                        r"(?:(?P<kind>[A-ZÄÖÜ][\wäöüß-]+)\s+)?$")
INDEFINITE_OR_POSSESSIVE = ("ein", "ihr", "sein")
# "Lathen: Ausgezeichnet wird …": a paragraph headed by its place and a colon
TOWN_HEAD = r"(?P<town>[A-ZÄÖÜ][\wäöüß.()/-]*(?: [A-ZÄÖÜa-zäöüß.()/-]+){0,3}?):[ \t]+"  # "Haren (Ems): "
TOWN_PARAGRAPH_LEAD = regex_cache.compile(TOWN_HEAD + r"(?=[A-ZÄÖÜ])")
# "In Emden …", "In Suhl und Zella-Mehlis …": a sentence that opens with its place
TOWN_SENTENCE_LEAD = regex_cache.compile(r"In\s+(?P<town>[A-ZÄÖÜ][\wäöüß.-]*(?:\s+(?:am|an\s+der|im|in\s+der|ob\s+der|[A-ZÄÖÜ(][\wäöüß.()-]*))?)"
                                r"(?:\s+und\s+[A-ZÄÖÜ][\wäöüß.-]*)?\s")
# a sentence that opens with "Für den/die/das" right before a quote
FOR_SENTENCE_START = regex_cache.compile(r"(?:^|[.!?]\s+|\n)Für\s+(?:den|die|das)\s*$")
# the quoted name as the subject opening its sentence: "Die „Azubi-Brücke Unterweser“ ist … gestartet und wird … gefördert"
SUBJECT_SENTENCE_START = regex_cache.compile(r"(?:^|[.!?]\s+|\n)(?:Die|Das|Der)\s*$")
# right before the quoted name that a list item gives something to: "Goldmedaille für die „…“"
# "für die „…“", also with the project's kind between ("für die Vermittlungsreihe „…“")
FOR_ARTICLE_BEFORE = regex_cache.compile(r"\bfür\s+(?:den|die|das|" + POSSESSIVES + r")\s+(?:[A-ZÄÖÜ][\wäöüß-]+\s+)?$")
# right before a name that is built or set up: an article or "zum"/"zur", maybe with the name's kind ("den Jugendtreff")
BUILT_LEAD = regex_cache.compile(r"\b(?:zum|zur|den|die|das|dem|ein|eine|einen)\s+(?:[a-zäöüß]+(?:e|en|er|es|em)\s+)?(?:[A-ZÄÖÜ][\wäöüß-]+\s+)?$")
# lowercase words inside a phrase name, between capitalised words: "Erzählcafé im Malerwinkelhaus", "Türmertour für Kinder"
NAME_FUNCTION_WORDS = ("im", "am", "an", "auf", "für", "in", "mit", "und", "vom", "von", "zum", "zur", "der", "des", "dem", "die", "das",
                       "ohne", "unter", "über", "bei", "aus", "ins", "vor", "ums")
# a headline's name before its colon ("Wärmenetz Walperloh: Stadtwerke erhalten …")
TITLE_AMOUNT = regex_cache.compile(r"\d[\d.,]*\s*(?:Euro|€|Mio\b|Millionen|Milliarden|Prozent|%)")
TITLE_HEAD = regex_cache.compile(r"(?P<first>[A-ZÄÖÜ][\wäöüß-]+)(?P<rest>(?:[ \t]+[A-ZÄÖÜ0-9][\wäöüß.-]*){0,4}):[ \t]+\S")
# a line of its own between blank lines (or at a paragraph's head): "Town: Title Case Name", no sentence end
HEADING_LINE = regex_cache.compile(r"(?:^|(?<=\n\n))" + TOWN_HEAD + r"(?P<name>[A-ZÄÖÜ„\"][^\n.!?:;]{3,80}?)[ \t]*\n(?=\n|[A-ZÄÖÜ„])")
# a block's heading line: a place (a town, a quarter, in capitals or not), a dash and what is done there
BLOCK_HEADING = regex_cache.compile(r"(?m)^[ \t]*(?P<place>[A-ZÄÖÜ][\wÄÖÜäöüß.()/-]*(?:[ \t][A-ZÄÖÜ][\wÄÖÜäöüß.()/-]*){0,2})"
                                   r"[ \t]+[–—][ \t]+(?P<rest>[^\n.!?:;]{3,90}?)[ \t]*$(?=\n[A-ZÄÖÜ][\wäöüß/ -]{1,30}:)")
BLOCK_QUOTE = regex_cache.compile(r"(?:Projekt[ \t]+)?[„\"»](?P<name>[^„“”\"«»\n]{3,80})[“”\"«]")
TABLE_CELL_BREAK = regex_cache.compile(r"[ \t]+[–—|][ \t]+|\t+|[ \t]*\|[ \t]*")
BAR_CELL_BREAK = regex_cache.compile(r"[ \t]*\|[ \t]*")
# a cell that opens with a quoted name and goes on to describe it: "„Rathaushof Hohnstein“ – Hofgebäude für Vereine"
QUOTED_HEAD_CELL = regex_cache.compile(r"[„“\"»](?P<name>[^„“”\"«»\n]{2,80})[“”\"«][ \t]*(?:[–—:(,]|-[ \t])")
SUM = r"\d\s*(?:Mio\.|Millionen|Mrd\.|Milliarden)?\s*(?:Euro|EUR|€)"  # the end of a sum of money: "250.000 Euro", "1,2 Mio. €"
SUM_IN = regex_cache.compile(SUM)
SUM_FOR_BEFORE = regex_cache.compile(SUM + r"[ \t]+für[ \t]*$")  # a sum for a name without an article: "erhält 250.000 Euro für „…“"
# a table's header in parentheses at the end of the line that introduces it: "Die Förderungen im Überblick (Stadt | Maßnahme | Zuschuss):"
PARENTHESISED_HEADER = regex_cache.compile(r"\((?P<cells>[^()\n]*\|[^()\n]*)\)[ \t]*:?[ \t]*$")
LIST_RULES = ("projects:project.quote_in_town_list", "projects:project.quote_heads_project_list_item")  # quoted names that open list items
PROJECT = regex_cache.compile(r"[Pp]rojekt")
CAPITALISED = regex_cache.compile(r"\b[A-ZÄÖÜ][\wäöüß-]+")
RELATIVE_BEFORE = regex_cache.compile(r",\s+(?:das|der|die|den|dem)\s[^,]*$")  # the relative clause the position ends
# words that open a time or place phrase after "Das Projekt", not a title (and the month names of rules/dates.yaml)
TITLE_STOP = frozenset({"Ende", "Anfang", "Mitte", "Seit", "Bis", "Ab", "Im", "In", "Am", "Auf", "Aus", "Mit", "Nach", "Vor", "Zum", "Zur",
                        "Der", "Die", "Das", "Des", "Dem", "Den", "Ein", "Eine", "Es", "Sie", "Er", "Wir"})
SENTENCE_END = regex_cache.compile(r"[.!?]$")


def sentence_start(text: str, pos: int) -> int:
    """Where the sentence holding pos starts: after the last full stop and space, or line break, before it; a full
    stop after a word of one or two letters, or after a word with stops inside, ends an abbreviation, not a sentence
    ("… Aidhausen e. V. hinter …", "Der Verein Klangwerk e.V. lädt …")."""
    line = text.rfind("\n", 0, pos)
    i = text.rfind(". ", 0, pos)
    while i > line:
        word = text[text.rfind(" ", 0, i) + 1:i]
        if len(word) > 2 and "." not in word:
            return i + 2
        i = text.rfind(". ", 0, i)
    return line + 1


# what a full stop closes that ends no sentence: an ordinal ("zum 1. Januar") or an abbreviation ("Dr. Kühn", "ca. 40")
NO_SENTENCE_END = regex_cache.compile(r"(?:^|[^\w])(?:\d{1,2}|Dr|Prof|Nr|ca|bzw|vgl|ggf|inkl|evtl|St|Mio|Mrd|Tsd|Abs|Str|[a-zA-Z])$")


def sentence_end(text: str, pos: int) -> int:
    """Where the sentence holding pos ends: at the next full stop and space that closes no ordinal or abbreviation, or
    at a line break (or the text's end)."""
    line_end = text.find("\n", pos)
    limit = len(text) if line_end < 0 else line_end
    stop = text.find(". ", pos, limit)
    while stop >= 0 and NO_SENTENCE_END.search(text, max(pos, stop - 6), stop):
        stop = text.find(". ", stop + 2, limit)
    return limit if stop < 0 else stop


def title_case(words: list[str]) -> bool:
    """Every word capitalised or a function word between them: a name ("Bürgergarten am Pfarrhof"), not a phrase."""
    return all(w[:1].isupper() or w in NAME_FUNCTION_WORDS for w in words)


def title_head(title: str, body: str) -> Optional[str]:
    """The part of a headline before its colon when the body names it again, perhaps inflected ("des Wärmenetzes Walperloh");
    None when it does not (a label and a news line: "Stadtbus Landshut: Förderbescheid für 14 Elektrobusse übergeben");
    the whole headline when it has no colon and no sum ("Vielfalt in den Zentren von Klein- und Mittelstädten")."""
    m = TITLE_HEAD.match(title)
    if m is None:
        # a news line names no project: one with a colon after a phrase or one with a sum
        # ("Rund 9,6 Millionen Euro für Investitionen im Saale-Orla-Kreis: Ministerin übergibt Bescheide")
        return None if ": " in title or TITLE_AMOUNT.search(title) else title
    again = re.escape(m.group("first")) + r"(?:es|s|en|n)?" + re.escape(m.group("rest"))
    return title[:m.end("rest")] if re.search(r"\b" + again + r"\b", body) else None




def _mixed_case(word: str) -> bool:
    """A word written like a name: two capitals and two small letters or more, as a brand in mixed case ("HyLeer",
    "KIWeld") or a compound of capitalised parts ("Tablet-Führerschein"); not "E-Bike", not all capitals."""
    return sum(c.isupper() for c in word) >= 2 and sum(c.islower() for c in word) >= 2 and "-" not in word[1:2]


# a heading of a few words on a line of its own after a blank line, its paragraph right below (60 characters or more)
SECTION_HEADING = regex_cache.compile(r"(?:^|(?<=\n\n))(?P<name>[A-ZÄÖÜ][\wäöüß-]*(?:[ \t]+[\wäöüß-]+){0,3})[ \t]*\n(?=[A-ZÄÖÜ„\"][^\n]{60})")
SUM_AT_LINE_END = regex_cache.compile(r"(?:Euro|EUR|€)[ \t]*\.?[ \t]*$")


def _sum_lines(text: str) -> list[tuple[int, int]]:
    """(start, end) of the lines that end in a sum's currency ("… – 58.000 Euro"), found from the currency words."""
    out: set[tuple[int, int]] = set()
    for word in ("Euro", "EUR", "€"):
        i = text.find(word)
        while i >= 0:
            b = text.find("\n", i)
            b = len(text) if b < 0 else b
            if SUM_AT_LINE_END.match(text, i, b):
                out.add((text.rfind("\n", 0, i) + 1, b))
                i = text.find(word, b)
            else:  # "aus dem Europäischen Fonds … – 58.000 Euro": the line may still end in one
                i = text.find(word, i + len(word))
    return sorted(out)


# the dash that ends a winner's name in a prize item ("1. Preis (10.000 Euro): „Unser Laden“ – Nachdem …")
PRIZE_ITEM_DASH = re.compile(r"[ \t][–—-][ \t]")


def _untaken(items: list[tuple[int, str]], found: list[Evidence], rule: str, score: float) -> list[Evidence]:
    """Evidence for the (start, name) items that overlap nothing found before."""
    taken = [(ev.start, ev.end) for ev in found]
    return [Evidence("project", a, a + len(name), name, rule, score, attrs={"canonical": name})
            for a, name in items if not any(s <= a < e or a <= s < a + len(name) for s, e in taken)]


def _item_above(text: str, line_s: int) -> int | None:
    """The start of the list item whose body the paragraph line at line_s belongs to (the lines above it, up to an item
    line, have no blank line between them), or None."""
    start = line_s
    while start > 0:
        prev = text.rfind("\n", 0, start - 1) + 1
        line = text[prev:start]
        if not line.strip():
            return None
        if LIST_ITEM.match(line):
            return prev
        start = prev
    return None


def _may_have_cells(line: str) -> bool:
    """The plain-text test for a TABLE_CELL_BREAK in the line (a tab, a bar, or a dash with a space on either side)."""
    return "\t" in line or "|" in line or " – " in line or " — " in line


def _cells(text: str, a: int, b: int) -> list[tuple[int, int]]:
    """The cells of a line between a and b, split at a spaced dash, a bar or tabs (spans without the separators);
    a line with bars splits at bars only: its cells may hold dashes ("„Rathaushof“ – Hofgebäude für Vereine")."""
    spans, start = [], a
    for m in (BAR_CELL_BREAK if "|" in text[a:b] else TABLE_CELL_BREAK).finditer(text, a, b):
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, b))
    out = []
    for x, y in spans:
        cell = text[x:y]
        x2, y2 = x + len(cell) - len(cell.lstrip()), x + len(cell.rstrip())
        if y2 > x2:
            out.append((x2, y2))
    return out


@lru_cache(maxsize=8)
def title_line(text: str) -> tuple[int, int] | None:
    """The first line that reads like a headline (not a caption, date or label line).
    Cached: the projects component and the record builder both ask."""
    for m in LINE.finditer(text, 0, 2000):
        line = m.group(0).strip()
        words = WORD.findall(line)
        lead = DATELINE_LEAD.match(line)
        if lead is not None:
            line = line[lead.end():]
            words = WORD.findall(line)
        if len(words) < 3 or len(line) > 250 or LABEL_LINE.match(line):
            continue
        if HEADER_LINE.search(line):
            continue  # the issuer's header, not the headline
        lower = {w for w in LOWER_WORD.findall(line)} - ISSUER_FUNCTION_WORDS
        if not lower and not QUOTE_COLON_DIGIT.search(line):
            continue  # only names and function words: an issuer line ("Freie und Hansestadt Hamburg")
        if YEAR.search(line) and (len(words) <= 6 or PRESS_WORD.search(line)):
            continue
        start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip())) + (lead.end() if lead is not None else 0)
        return start, start + len(line)
    return None


@Language.factory("press_projects", default_config={"min_rare_zipf": 3.0}, assigns=["doc._.evidence", "doc.spans"])
def make_projects(nlp: Language, name: str, min_rare_zipf: float):
    return ProjectRecognizer(min_rare_zipf)


class ProjectRecognizer:
    def __init__(self, min_rare_zipf: float):
        self.cfg = project_patterns()
        self.triggers = frozenset(self.cfg.quote_triggers.words)
        self.compound_triggers = tuple(w.lower() for w in self.cfg.quote_triggers.compounds)
        verbs = sorted((r"\s+".join(map(re.escape, v.split())) for v in self.cfg.quote_triggers.naming_verbs), key=len, reverse=True)
        # "Das Projekt heißt „X“": the verb between the noun and the quote
        self.naming_verb_before = regex_cache.compile(r"(?<![\wäöüß])(?:" + "|".join(verbs) + r")\s*:?\s*$") if verbs else None
        self.programme_triggers = frozenset(programme_patterns().quote_triggers.words)
        self.naming_nouns = frozenset(self.cfg.quote_triggers.naming_nouns)
        self.event_endings = tuple(relation_cues().event_nouns)  # one list with the relations' event places
        self.programme_endings = tuple(w.lower() for w in self.programme_triggers if len(w) >= 5)
        self.known_acronyms = frozenset(a for entry in institution_registry().institutions + programme_registry().programmes
                                        for a in (entry.name, *entry.acronyms, *entry.aliases) if a.isupper())
        self.name_triggers = set(self.cfg.name_triggers.words)
        # "das Projekt Elbwerk": a project noun or a compound of Projekt ("das Radverkehrsprojekt RadNetz Nord"), behind a
        # lookahead on a capital (the engine skips other positions fast)
        trigger = r"(?=[A-ZÄÖÜ])\b(" + "|".join(sorted(self.name_triggers)) + r"|[A-ZÄÖÜ][a-zäöüß]{2,}projekt)"
        # one word before a function word, or two to four ("Dorfladen Ossenfeld", "Marktplatz Geringswalde 2030", "Grüne Achse
        # Südstadt") before any lowercase word
        # (WORD_GAP: no name across a table's column gap, "Vorhaben<TAB>Förderschwerpunkt")
        word = r"(?:[A-ZÄÖÜ][\wäöüß-]+|\d{4})"
        self.name_pattern = regex_cache.compile(trigger
                                       + WORD_GAP + r"([A-ZÄÖÜ][\wäöüß-]{3,})(?:" + WORD_GAP + r"(?P<second>" + word + r"(?:" + WORD_GAP + word + r"){0,2})"
                                       + r"(?=\s+[a-zäöüß]|[.,;:)]|[ \t]*(?:\n|$))"
                                       + r"|(?=\s+(?:der|des|von|im|in|am|ist|wird|soll)\b|[.,;:)]|[ \t]*(?:\n|$)))")
        # "für das Projekt HyLeer eine Förderung": a word written like a name (_mixed_case: "HyLeer", "Tablet-Führerschein")
        # is one whatever follows it
        self.mixed_case_after = regex_cache.compile(trigger + WORD_GAP + r"([A-ZÄÖÜ][\wäöüß-]{3,})\b")
        fq = self.cfg.funded_quotes
        # "95.000 Euro für den „…“": money earlier in the clause, then the preposition and an article right before the quote
        self.funded_before = regex_cache.compile(r"(?:" + SUM + r")[^.;:!?„“\"\n]{0,40}?\b(?:"
                                        + "|".join(map(re.escape, fq.prepositions)) + r")\s+(?:den|die|das|dem)\s*$")
        # "Mit 24.000 Euro unterstützt die Stiftung den „…“": money, a funding verb, then an article right before the quote
        self.funded_active_before = regex_cache.compile(r"(?:Euro|EUR|€)[^.;:!?„“\"\n]{0,60}?\b(?:" + "|".join(map(re.escape, fq.words))
                                               + r")\b[^.;:!?„“\"\n]{0,50}?\b(?:den|die|das|dem)\s*$")
        # "… fördert das Land die „…“ mit 1,6 Millionen Euro": a funding verb before the article, the sum right after the name
        self.funding_verb_before = regex_cache.compile(r"\b(?:" + "|".join(map(re.escape, fq.words)) + r")\b[^.;:!?„“\"\n]{0,40}?\b(?:den|die|das|dem)\s*$")
        # a headline drops the article: "Land fördert „…“ mit 790.000 Euro"
        self.funding_verb_right_before = regex_cache.compile(r"\b(?:" + "|".join(map(re.escape, fq.words)) + r")[ \t]*$")
        self.money_after = regex_cache.compile(r"[ \t]*(?:\([^()\n]{1,40}\)[ \t]*)?mit[ \t]+(?:(?:rund|knapp|insgesamt|weiteren|bis zu|über)[ \t]+)?"
                                      r"\d[\d.,]*[ \t]*(?:Mio\.|Millionen|Mrd\.|Milliarden)?[ \t]*(?:Euro|EUR|€)")
        # "mit „…“", "mit der „…“", "Mit ihrem „…“" right before a quote
        self.actor_with = regex_cache.compile(r"\b[Mm]it[ \t]+(?:(?:" + "|".join(map(re.escape, self.cfg.actor_quotes.words)) + r")[ \t]+)?$")
        self.built_words = regex_cache.compile(r"\b(?:" + "|".join(map(re.escape, self.cfg.built_quotes.words)) + r")\b")
        nouns = "|".join(map(re.escape, fq.nouns)) or "(?!)"
        self.funding_noun = regex_cache.compile(r"\b(?:" + nouns + r")\b")
        self.not_kinds = tuple(w.lower() for w in fq.not_kinds)
        self.table_heads = frozenset(self.cfg.table_columns.words)
        self.measure_endings = tuple(self.cfg.measure_word_endings)
        self.funding_noun_before = regex_cache.compile(r"\b(?:(?:" + nouns + r")\b[^.;:!?„“\"\n]{0,60}?\bfür\s+(?:den|die|das|dem)"
                                              r"|(?:Förderung|Finanzierung|Bewilligung)\s+(?:der|des))\s*$")
        # "Mit 30.000 Euro wird das „…“ unterstützt"
        self.funded_passive_before = regex_cache.compile(r"(?:Euro|EUR|€)[^.;:!?„“\"\n]{0,40}?\b(?:wird|werden)\s+(?:der|die|das)\s*$")
        self.funded_passive_after = regex_cache.compile(r"\b(?:wird|werden|wurde|wurden)\b[^.;!?]*?\b(?:"
                                                        + "|".join(map(re.escape, fq.words)) + r")\b")
        # "Das Ministerium hat … das Nahwärmenetz „…“ der Genossenschaft … gefördert": the perfect tense of a funding verb
        self.funded_perfect_before = regex_cache.compile(r"\b(?:hat|haben)\b[^.;:!?„“\"\n]{0,120}?\b(?:den|die|das|dem)\s*$")
        self.funded_perfect_after = regex_cache.compile(r"[^.;!?]{0,200}?\b(?:" + "|".join(map(re.escape, fq.words)) + r")\b")
        self.funded_participle = regex_cache.compile(r"\s+(?:[^\s.;:!?„“\"]+\s+){0,3}?(?:" + "|".join(map(re.escape, fq.words)) + r")\b")
        # a list intro that speaks of projects or of funding ("Gefördert werden:")
        self.paragraph_labels = frozenset(self.cfg.paragraph_labels)
        self.intro_words = regex_cache.compile("|".join(map(re.escape, self.cfg.list_item_names.words)))
        self.list_item_name = regex_cache.compile("^" + LIST_ITEM.pattern + r"(?:(?P<town>[A-ZÄÖÜ][^\n:–—„“\"]{1,40}?)[ \t]+[–—-][ \t]+)?"
                                         r"(?P<name>[A-ZÄÖÜ][\wäöüß.-]*(?:[ \t]+(?:[A-ZÄÖÜ][\wäöüß.-]*|\d[\d.]*|(?:" + "|".join(NAME_FUNCTION_WORDS)
                                         + r")(?=[ \t]+[A-ZÄÖÜ]))){1,4})(?::[ \t]|[ \t]+[–—-][ \t]+[A-ZÄÖÜ][\wäöüß]+:[ \t]|[ \t]+[–—][ \t]+)", re.M)
        if min_rare_zipf < word_frequencies()["floor"]:
            raise RulesError(f"press_projects: min_rare_zipf {min_rare_zipf} is below the floor of rules/word_frequencies.tsv "
                             f"({word_frequencies()['floor']}): rebuild it with scripts/build_word_frequencies.py --floor {min_rare_zipf}")
        self.min_rare_zipf = min_rare_zipf
        self.place_nouns = frozenset(town_evidence().place_nouns)
        self.title_stop = TITLE_STOP | {form for forms in date_vocabulary().months.values() for form in forms}
        self.item_stop = self.title_stop | self.paragraph_labels  # first words of a paragraph that is no project item
        lt = self.cfg.lead_titles
        self.title_joiners = frozenset(lt.title_joiners)
        self.lead_title = regex_cache.compile(r"(?:(?<=[.!?]\s)|(?<=\n)|^)(?:" + "|".join(map(re.escape, lt.leads)) + r") (?:"
                                              + "|".join(map(re.escape, lt.words)) + r") (?P<name>[A-ZÄÖÜ][^\s,.;:!?()„“\"]*"
                                              r"(?: [^\s,.;:!?()„“\"]+){0," + str(lt.max_words - 1) + r"}?) (?P<verb>(?!(?:" + "|".join(map(re.escape, lt.title_joiners)) + r")\b)[a-zäöüß]+) (?:"
                                              + "|".join(map(re.escape, lt.subject_starts)) + r")\b", re.M)
        st = self.cfg.subject_titles
        # the project noun opens a sentence or line; the title is the rest of the subject up to the finite verb
        self.subject_title = regex_cache.compile(r"(?:(?<=[.!?]\s)|(?<=\n)|^)(?:Das|Unser|Dieses|Ein) (?:" + "|".join(map(re.escape, st.words))
                                        + r") (?P<name>[A-ZÄÖÜ„][^\s,.;:!?()]*(?: [^\s,.;:!?()]+){1," + str(st.max_words - 1)
                                        + r"}?) (?:" + "|".join(map(re.escape, st.verbs)) + r")\b", re.M)

    def __call__(self, doc: Doc) -> Doc:
        text = doc_text(doc)
        found: list[Evidence] = []
        title = title_line(text)
        quotes = quoted(text)
        # quoted names that open a list item and are followed by a colon or dash ("- „…“ (Ellrich): …")
        item_quotes = [o_s for o_s, o_e, _, _ in quotes
                       if LIST_ITEM.fullmatch(text, text.rfind("\n", 0, o_s) + 1, o_s) and ITEM_QUOTE_AFTER.match(text, o_e)]
        for o_s, o_e, i_s, i_e in quotes:
            inner = text[i_s:i_e]
            if not ANY_WORD.search(inner) or not inner[:1].isupper():
                continue
            trig = trigger_before(text, o_s, self.triggers)
            if trig is None and self.naming_verb_before is not None:
                verb = self.naming_verb_before.search(text, max(0, o_s - 30), o_s)
                if verb is not None:
                    trig = trigger_before(text, verb.start(), self.triggers)
            if trig in self.naming_nouns and (self._programme_named_before(text, o_s) or self._event_named_before(text, o_s)):
                continue  # "Den Wettbewerb gibt es seit 1961, damals unter dem Titel „…“": the programme's former name
            if trig and (PROJECT_TRIGGER.search(trig) or trig in self.triggers or trig.rsplit("-", 1)[-1] in self.triggers
                         or trig.lower().endswith(self.compound_triggers)):
                found.append(Evidence("project", i_s, i_e, inner, "projects:" + self.cfg.quote_triggers.id,
                                      self.cfg.quote_triggers.score, attrs={"canonical": inner.strip(), "trigger": trig}))
                continue
            if trigger_before(text, o_s, self.programme_triggers):
                continue
            line_s = text.rfind("\n", 0, o_s) + 1
            short = len(inner.split()) <= 10 and not inner.rstrip().endswith((".", "!", "?"))
            # "Kehl: „…“", "- Lage (Lippe): „…“", "1. Norden (Niedersachsen) – „…“", "• Hansestadt Stendal – „…“"
            lead = LIST_LEAD.fullmatch(text[line_s:o_s])
            if lead and self._is_town(lead.group("town").strip()) and short:
                found.append(Evidence("project", i_s, i_e, inner, "projects:project.quote_in_town_list", 0.7,
                                      attrs={"canonical": inner.strip()}))
                continue
            # "Die ausgewählten Projekte:" … "1. „…“ (Ellrich): …": a quoted name that opens an item of a list the intro says holds projects
            if short and o_s in item_quotes and (self._intro_names_projects(text, line_s)
                                                 or self._in_block(text, line_s, item_quotes) >= 2):
                found.append(Evidence("project", i_s, i_e, inner, "projects:project.quote_heads_project_list_item", 0.7,
                                      attrs={"canonical": inner.strip()}))
                continue
            # "Ausgezeichnet wurden folgende Projekte:" … "1. Gutach – Goldmedaille für die „Gutacher Dorfstube“, …"
            if short and LIST_ITEM.match(text, line_s) and FOR_ARTICLE_BEFORE.search(text, max(line_s, o_s - 48), o_s) \
                    and self._intro_names_projects(text, line_s):
                found.append(Evidence("project", i_s, i_e, inner, "projects:project.quote_for_in_project_list", 0.65,
                                      attrs={"canonical": inner.strip()}))
                continue
            # "Ausgewählt wurden folgende Projekte:" … "- Dorfladen „Lädchen Weiersbach“ im Ortsteil …: 41.300 Euro": the first
            # quoted name near the start of an item of a list the intro says holds projects
            if short and LIST_ITEM.match(text, line_s) and o_s - line_s <= 40 and not OPENING_QUOTE.search(text, line_s, o_s) \
                    and self._intro_names_projects(text, line_s):
                found.append(Evidence("project", i_s, i_e, inner, "projects:project.first_quote_in_project_list_item", 0.6,
                                      attrs={"canonical": inner.strip()}))
                continue
            if short and self._funded(text, line_s, o_s, o_e):
                fq = self.cfg.funded_quotes
                found.append(Evidence("project", i_s, i_e, inner, "projects:" + fq.id, fq.score, attrs={"canonical": inner.strip()}))
                continue
            if short and len(inner.split()) <= 8 and self.actor_with.search(text, max(line_s, o_s - 24), o_s) \
                    and self._body_in_sentence(doc, text, o_s):
                aq = self.cfg.actor_quotes
                found.append(Evidence("project", i_s, i_e, inner, "projects:" + aq.id, aq.score, attrs={"canonical": inner.strip()}))
                continue
            if short and self._built(text, inner, o_s, o_e):
                bq = self.cfg.built_quotes
                found.append(Evidence("project", i_s, i_e, inner, "projects:" + bq.id, bq.score, attrs={"canonical": inner.strip()}))
                continue
            line_e = text.find("\n", o_e)
            line = text[line_s:line_e if line_e >= 0 else len(text)]
            if len(line) <= 160 and PROJECT_IN_LINE.search(line.replace(inner, "")) and len(ANY_WORD.findall(inner)) >= 2:
                found.append(Evidence("project", i_s, i_e, inner, "projects:project.quote_in_project_line", 0.7,
                                      attrs={"canonical": inner.strip()}))
        for m in self.name_pattern.finditer(text):
            word, second = m.group(2), m.group("second")
            if second is None:
                if self._rare(word):
                    found.append(Evidence("project", m.start(2), m.end(2), word, "projects:" + self.cfg.name_triggers.id,
                                          self.cfg.name_triggers.score, attrs={"canonical": word}))
            elif word not in self.title_stop and not any(w in self.title_stop for w in second.split()) \
                    and (self._rare(word) or len(second.split()) >= 2 or any(w.isdigit() or self._rare(w) for w in second.split())):
                name = text[m.start(2):m.end("second")]
                found.append(Evidence("project", m.start(2), m.end("second"), name, "projects:" + self.cfg.name_triggers.id,
                                      self.cfg.name_triggers.score, attrs={"canonical": name}))
        for m in self.mixed_case_after.finditer(text):
            word = m.group(2)
            if (_mixed_case(word) or self._own_acronym(word)) and not any(ev.start <= m.start(2) < ev.end for ev in found):
                found.append(Evidence("project", m.start(2), m.end(2), word, "projects:" + self.cfg.name_triggers.id,
                                      self.cfg.name_triggers.score, attrs={"canonical": word}))
        found += self._town_sentence_series(text, quotes, found)
        found += self._list_item_names(text, found)
        found += self._table_column(text)
        found += self._town_headings(text, found)
        found += self._block_headings(text, found)
        found += self._paragraph_items(text, found)
        found += self._amount_lines(text, found)
        found += self._section_headings(text, found)
        found += self._subject_titles(text)
        found += self._lead_titles(text)
        found += self._prize_items(text, quotes, found)
        if not found and title is not None:
            t = text[title[0]:title[1]]
            body = text[title[1]:]
            if not OPENING_QUOTE.search(t) and PROJECT.search(body) and not SENTENCE_END.search(t):
                head = title_head(t, body)  # "Wärmenetz Walperloh: Stadtwerke erhalten 4,6 Millionen Euro" names the part before the colon
                if head is not None:
                    found.append(Evidence("project", title[0], title[0] + len(head), head, "projects:project.title_names_project",
                                          self.cfg.title_rule_score, attrs={"canonical": head}))
        kept: list[Evidence] = []
        for ev in sorted(found, key=lambda e: -e.score):
            if not any(ev.overlaps(k) for k in kept):
                kept.append(ev)
        add_all(doc, sorted(kept, key=lambda e: e.start))
        if title is not None:
            doc.user_data["title_span"] = title
        return doc

    def _funded(self, text: str, line_s: int, o_s: int, o_e: int) -> bool:
        """The quoted name receives the money its clause names."""
        before = text[max(line_s, o_s - 80):o_s]
        # "für das Erzählcafé „…“", "für ein gemeinsames „…“", "für den geplanten „…“": read as "für das „…“"
        lead = QUOTE_LEAD.search(before)
        # a possessive stands for the article: "für ihr Regenwasserkonzept „…“"
        if lead and (lead.group("adj") or lead.group("kind") or lead.group("art").startswith(INDEFINITE_OR_POSSESSIVE)) \
                and not (lead.group("kind") or "").lower().endswith(self.not_kinds):
            article = "das" if lead.group("art").startswith(INDEFINITE_OR_POSSESSIVE) else lead.group("art")
            before = before[:lead.start("art")] + article + " "
        if SUBJECT_SENTENCE_START.search(before):  # "Die „…“ ist zum 1. Januar gestartet und wird vom Bund gefördert."
            return self.funded_passive_after.search(text, o_e, sentence_end(text, o_e)) is not None
        if not before.rstrip().endswith(("den", "die", "das", "dem", "der", "des")):
            # every other pattern needs an article right before the quote: most quotes have none. Without one, a sum right
            # before "für" ("die Stadt Pulsnitz 410.000 Euro für „…“") or a funding verb with the sum after the name
            # (a headline: "Land fördert „…“ mit 790.000 Euro")
            if SUM_FOR_BEFORE.search(before):
                return True
            return self.funding_verb_right_before.search(before) is not None and self.money_after.match(text, o_e) is not None
        if self.funding_noun_before.search(before):  # "einen Zuschuss für die „…“", "die Förderung der „…“"
            return True
        if FOR_SENTENCE_START.search(before):  # "Für das „…“ hat die Stadt einen Förderbescheid erhalten"
            return self.funding_noun.search(text, o_e, sentence_end(text, o_e)) is not None
        if self.funded_perfect_before.search(before) and self.funded_perfect_after.match(text, o_e):
            return True
        if not ("Euro" in before or "€" in before or "EUR" in before):
            # "Aus GRW-Mitteln fördert das Land die „Seebühne Plön“ mit 1,6 Millionen Euro", "… gehen an die Stadt
            # Vilshofen für die „Neue Stadtbühne am Donaukai“ mit 1,2 Millionen Euro": the money after the name
            if FOR_ARTICLE_BEFORE.search(before) and SUM_IN.search(text, sentence_start(text, o_s), o_s):
                return True  # "Platz drei (50.000 Euro) ging an die Verbandsgemeinde Arzfeld im Eifelkreis … für den „…“"
            return bool(self.funding_verb_before.search(before) or FOR_ARTICLE_BEFORE.search(before)) \
                and self.money_after.match(text, o_e) is not None
        if self.funded_before.search(before) or self.funded_active_before.search(before):
            return True
        return bool(self.funded_passive_before.search(before)) and self.funded_participle.match(text, o_e) is not None

    @staticmethod
    def _body_in_sentence(doc: Doc, text: str, pos: int) -> bool:
        """An institution found in the sentence of pos (the components before this one have run)."""
        a, b = sentence_start(text, pos), sentence_end(text, pos)
        return any(ev.label == "institution" and a <= ev.start < b for ev in doc._.evidence or ())

    def _built(self, text: str, inner: str, o_s: int, o_e: int) -> bool:
        """A name in title case, of two to six words (or one compound of capitalised parts joined by hyphens), that its
        sentence builds, converts, lays out or sets up (one plain quoted word is more often a term than a name: "der zum
        „Schwammhof“ umgebaut wird")."""
        words = inner.split()
        hyphened = len(words) == 1 and "-" in inner and all(part[:1].isupper() for part in inner.split("-"))  # „Dahoam-Laden“
        if not (hyphened or 2 <= len(words) <= 6 and title_case(words) and words[-1][:1].isupper()):
            return False
        a = sentence_start(text, o_s)
        if not BUILT_LEAD.search(text, max(a, o_s - 40), o_s):
            return False
        return self.built_words.search(text, a, sentence_end(text, o_e)) is not None

    def _town_sentence_series(self, text: str, quotes, found: list[Evidence]) -> list[Evidence]:
        """"In Emden bündelt „WindWerft Ems“ …", "In Neubrandenburg entwickelt „SeenLandSens“ …": sentences that open with
        "In <town>" (or paragraphs headed "<town>:") and name a title-case quote are a series of projects, one per place,
        when at least two do."""
        taken = [(ev.start, ev.end) for ev in found]
        hits: dict[int, tuple[int, int, str]] = {}  # sentence start → the first such quote in it
        for o_s, o_e, i_s, i_e in quotes:
            inner = text[i_s:i_e].strip()
            words = inner.split()
            if not 1 <= len(words) <= 6 or not title_case(words) or inner.endswith((".", "!", "?")) or any(a <= i_s < b for a, b in taken):
                continue
            a = sentence_start(text, o_s)
            m = TOWN_SENTENCE_LEAD.match(text, a)
            if m and a not in hits and self._is_town(m.group("town")) and o_s - m.end() <= 80:
                hits[a] = (i_s, i_s + len(inner), inner)
                continue
            # "Wippingen: Der Heimatverein erhält den Preis für seine „Generationenwerkstatt“": a paragraph headed by its town
            line_s = text.rfind("\n", 0, o_s) + 1
            m = TOWN_PARAGRAPH_LEAD.match(text, line_s)
            if m and line_s not in hits and self._is_town(m.group("town")) and o_s - m.end() <= 200 \
                    and not OPENING_QUOTE.search(text, m.end(), o_s):
                hits[line_s] = (i_s, i_s + len(inner), inner)
        if len(hits) < 2:
            return []
        rule = self.cfg.list_item_names
        return [Evidence("project", i_s, i_e, inner, "projects:project.quote_in_town_sentence_series", rule.score,
                         attrs={"canonical": inner}) for i_s, i_e, inner in hits.values()]

    def _list_item_names(self, text: str, found: list[Evidence]) -> list[Evidence]:
        """'- Mobilstation Nord: …', '2. Town – Digitales Gesundheitslabor Oberpfalz: …': unquoted names that open list items,
        in a list whose intro speaks of projects or whose other items open with a quoted project name."""
        rule = self.cfg.list_item_names
        out = []
        listed = [ev.start for ev in found if ev.rule in LIST_RULES]
        for m in self.list_item_name.finditer(text):
            name = m.group("name")
            words = name.split()
            if words[0] in self.title_stop or not title_case(words):
                continue
            town = m.group("town")
            start = m.start("name")
            if town is not None and not self._is_town(town.strip()):
                # "• KoMoNet – Kommunales Mobilitätsnetz Osterode: …": no town before the dash, a short name and its long form
                start, name = m.start("town"), text[m.start("town"):m.end("name")]
                words = name.split()
                if not title_case([w for w in words if w not in "–—-"]) or len(words) > 8:
                    continue
            if self._is_town(name):
                continue  # "- Stadt Hillesheim – 35.800 Euro" lists a town, not a project
            if m.group(0).rstrip()[-1] in "–—" and (self._is_town(words[0]) or any(w in NAME_FUNCTION_WORDS for w in words)):
                continue  # before a plain dash: "4. Schwenningen im Landkreis Sigmaringen – Silbermedaille für …" places the item
            if not (self._intro_names_projects(text, m.start()) or self._in_block(text, m.start(), listed)):
                continue
            out.append(Evidence("project", start, m.end("name"), name, "projects:" + rule.id, rule.score,
                                attrs={"canonical": name}))
        return out

    def _town_headings(self, text: str, found: list[Evidence]) -> list[Evidence]:
        """'Hummelshain: Dorfstube im Alten Jagdschloss' on a line of its own above a paragraph: a subheading that names a
        town's project (a title-case phrase of two to eight words, no sentence)."""
        rule = self.cfg.list_item_names
        taken = [(ev.start, ev.end) for ev in found]
        out = []
        for m in HEADING_LINE.finditer(text):
            name = m.group("name").strip()
            words = name.split()
            if not 2 <= len(words) <= 8 or not title_case(words) or words[0] in self.item_stop \
                    or not self._is_town(m.group("town")):
                continue
            a = m.start("name")
            if any(x <= a < y for x, y in taken):
                continue
            out.append(Evidence("project", a, a + len(name), name, "projects:project.town_heading", rule.score,
                                attrs={"canonical": name}))
        return out

    def _block_headings(self, text: str, found: list[Evidence]) -> list[Evidence]:
        """'HEMSHOF – „Grüne Höfe Hemshof“' above 'Was: …', 'Partner: …': where a release is written in blocks, each under a
        heading line of a place, a dash and its measure (two such lines at least), a quoted measure is a project."""
        heads = list(BLOCK_HEADING.finditer(text))
        if len(heads) < 2:
            return []
        taken = [(ev.start, ev.end) for ev in found]
        out = []
        for m in heads:
            quote = BLOCK_QUOTE.fullmatch(m.group("rest"))
            if quote is None:
                continue
            a, b = m.start("rest") + quote.start("name"), m.start("rest") + quote.end("name")
            if any(x <= a < y for x, y in taken):
                continue
            out.append(Evidence("project", a, b, text[a:b], "projects:project.block_heading", self.cfg.list_item_names.score,
                                attrs={"canonical": text[a:b]}))
        return out

    def _table_column(self, text: str) -> list[Evidence]:
        """'Verein – Projekt – Betrag' over lines of as many cells: the cells of the project column (under a "Vorhaben"
        column only quoted cells and cells that read as names: such columns mostly describe works)."""
        if not _may_have_cells(text) or not any(h in text for h in self.table_heads):
            return []  # plain-text tests first: most releases have no table
        rule = self.cfg.table_columns
        out = []
        column, width, named_column, rows = None, 0, False, 0
        last_end = -2
        for line in LINE.finditer(text):
            if line.start() != last_end + 1 and (rows or line.start() > last_end + 2):
                column = None  # a blank line ends the table (one between the header and the rows does not)
            last_end = line.end()
            if column is None and not _may_have_cells(line.group()):
                continue  # one cell: neither a row nor a header
            cells = _cells(text, line.start(), line.end())
            if column is not None and len(cells) == width:
                a, b = cells[column]
                quoted_cell = text[a] in "„“\"»" and text[b - 1] in "“”\"«"
                if quoted_cell:
                    a, b = a + 1, b - 1
                else:
                    head = QUOTED_HEAD_CELL.match(text, a, b)
                    if head is not None:
                        quoted_cell, (a, b) = True, head.span("name")
                name = text[a:b]
                if not quoted_cell and not named_column and ", " in name:
                    # "Innenstadt Bottrop 2030, 3. Bauabschnitt Pferdemarkt": a name, then what is built
                    b = a + name.index(", ")
                    name = text[a:b]
                words = name.split()
                rows += 1
                # unquoted, a cell is a name under a "Projekt" column; under a "Vorhaben" column (which often describes
                # works: "Alte Schule als …") only one that reads as a name or a name and its description
                # ("Klangwerkstatt im Orgelmuseum", "Rathaus für alle – barrierefreier Zugang")
                plain_name = name[:1].isupper() and len(words) <= 10 and not name.endswith((".", "!", "?")) \
                    and not words[0].lower().endswith(self.measure_endings) \
                    and (named_column or " – " in name or title_case(words) and "und" not in words)  # "Dorfplatz und Treffpunkt …" describes
                if quoted_cell or plain_name:
                    out.append(Evidence("project", a, b, name, "projects:" + rule.id, rule.score, attrs={"canonical": name}))
                continue
            column, rows = None, 0
            header = PARENTHESISED_HEADER.search(text, line.start(), line.end())
            if header is not None:
                cells = _cells(text, header.start("cells"), header.end("cells"))
            heads = [text[a:b] for a, b in cells]
            if len(cells) >= 2 and all(len(h.split()) <= 2 for h in heads):
                column = next((i for i, h in enumerate(heads) if h in self.table_heads), None)
                width = len(cells)
                named_column = column is not None and heads[column].startswith("Projekt")
        return out

    def _paragraph_items(self, text: str, found: list[Evidence]) -> list[Evidence]:
        """Paragraphs that open with a name and a colon ("„Haldenwissen“: Gemeinsam mit …", "Mühlenhof Gemen (Borken,
        880.000 Euro): …"): a series of projects when at least two do and one of them is quoted, or the intro speaks of projects."""
        items = [m for m in PARAGRAPH_ITEM.finditer(text)
                 if (m.group("quoted") or "").strip()[:1].isupper()
                 or m.group("plain") and m.group("plain").split()[0] not in self.item_stop]
        if not (sum(1 for m in items if m.group("quoted")) >= 2 or any(self._intro_names_projects(text, m.start()) for m in items)):
            return []
        rule = self.cfg.list_item_names
        out = []
        taken = [(ev.start, ev.end) for ev in found]
        for m in items:
            g = "quoted" if m.group("quoted") else "plain"
            a, b = m.start(g), m.end(g)
            name = text[a:b].strip()
            if len(name.split()) > 10 or name.endswith((".", "!", "?")) or any(s <= a < e or a <= s < b for s, e in taken) \
                    or g == "plain" and self._is_town(name):
                continue  # "St. Wendel: „Kulturstall Missionshaus“ – …" places the item
            out.append(Evidence("project", a, a + len(name), name, "projects:project.name_opens_paragraph", rule.score,
                                attrs={"canonical": name}))
        return out

    def _amount_lines(self, text: str, found: list[Evidence]) -> list[Evidence]:
        """Lines that are only a name, perhaps its place, and a sum ("Kochwerkstatt Katernberg (Essen) – 210.000 Euro"): a list of
        funded projects when at least two such lines stand in the release. An unquoted name needs a town in the parentheses
        and no label word first ("Fördersumme: 40.000 Euro" is no project)."""
        lines = _sum_lines(text)
        if not lines:
            return []
        by_form = gazetteer().by_form
        items = []
        # the patterns are tried on the lines that end in a sum only (a few per release), not over the whole text
        for m in filter(None, (AMOUNT_LINE.match(text, a, b) for a, b in lines)):
            if m.group("quoted") is not None:
                items.append((m.start("quoted"), m.group("quoted")))
                continue
            name, place = m.group("plain").strip(), (m.group("place") or "").split(",")[0].strip()
            words = name.split()
            if place in by_form and len(words) <= 8 and words[0] not in self.item_stop and not name.endswith((".", "!", "?")):
                items.append((m.start("plain"), name))
        for m in filter(None, (TOWN_AMOUNT_LINE.match(text, a, b) for a, b in lines)):
            if not self._is_town(m.group("town").strip()):
                continue
            if m.group("quoted") is not None:
                items.append((m.start("quoted"), m.group("quoted")))
                continue
            name = m.group("plain").strip()
            words = name.split()
            if len(words) <= 6 and title_case(words) and words[0] not in self.item_stop and not self._is_town(name):
                items.append((m.start("plain"), name))
        if len(items) < 2:
            return []
        return _untaken(items, found, "projects:" + self.cfg.amount_lines.id, self.cfg.amount_lines.score)

    def _section_headings(self, text: str, found: list[Evidence]) -> list[Evidence]:
        """Short headings over the paragraphs of a series ("H2-Nordbogen", "Werkstoffkreis Erzgebirge" on a line of its own
        after a blank line, the paragraph right below): names when at least two such headings have a word written like a
        name (rare, or in mixed case) and the release speaks of projects."""
        if not PROJECT.search(text):
            return []
        items = []
        for m in SECTION_HEADING.finditer(text):
            name = m.group("name")
            words = name.split()
            if len(words) > 4 or not title_case(words) or words[0] in self.item_stop or self._is_town(name) \
                    or not any(_mixed_case(w) or self._rare(w.split("-")[-1]) for w in words if w[:1].isupper()):
                continue
            items.append((m.start("name"), name))
        if len(items) < 2:
            return []
        return _untaken(items, found, "projects:project.section_heading", self.cfg.list_item_names.score)

    def _in_block(self, text: str, line_s: int, positions: list[int]) -> int:
        """How many of positions lie in the list that holds the line at line_s."""
        a, b = self._list_block(text, line_s)
        return sum(1 for p in positions if a <= p < b)

    @staticmethod
    def _block_start(text: str, line_s: int) -> int:
        """Where the list (its items, the lines right under an item that describe it, and the blank lines between) that
        holds the line at line_s starts: right after its intro, the nearest paragraph above that opens with no item (0: none)."""
        start = line_s
        while start > 0:
            prev = text.rfind("\n", 0, start - 1) + 1
            line = text[prev:start]
            if line.strip() and not LIST_ITEM.match(line):
                item = _item_above(text, prev)
                if item is None:
                    break
                start = item  # the line is the body of an item: "• „Name“ (Town)\nWhat the project does. Förderung: …"
                continue
            start = prev
        return start

    def _list_block(self, text: str, line_s: int) -> tuple[int, int]:
        """The character range of the list (its items, their bodies and the blank lines between them) that holds the line at line_s."""
        start = self._block_start(text, line_s)
        end = text.find("\n", line_s)
        body = True  # lines right under an item, before a blank line, describe it
        while 0 <= end < len(text):
            nxt = text.find("\n", end + 1)
            line = text[end + 1:nxt if nxt >= 0 else len(text)]
            if not line.strip():
                body = False
            elif LIST_ITEM.match(line):
                body = True
            elif not body:
                break
            end = nxt if nxt >= 0 else len(text)
        return start, (end if end >= 0 else len(text))

    def _is_town(self, lead: str) -> bool:
        """A town of the gazetteer, also behind a place noun of its official name ("Hansestadt Stendal"), or a quarter
        named after its town ("Rostock-Groß Klein", "Berlin-Neukölln")."""
        by_form = gazetteer().by_form
        if lead in by_form:
            return True
        first, _, rest = lead.partition(" ")
        if first in self.place_nouns and rest in by_form:
            return True
        town, _, quarter = lead.partition("-")
        return quarter[:1].isupper() and town in by_form and len(quarter.split()) <= 2

    def _intro_names_projects(self, text: str, line_s: int) -> bool:
        """The line that introduces the list holding the line at line_s is a heading that speaks of projects or funding:
        "Die ausgewählten Projekte:", or one with no closing punctuation ("Die Vorhaben im Überblick")."""
        end = self._block_start(text, line_s)
        if end <= 0:
            return False
        line = text[text.rfind("\n", 0, end - 1) + 1:end].strip()
        heading = line.endswith(":") or len(line) <= 60 and not line.endswith((".", "!", "?", "“", "\""))
        return heading and self.intro_words.search(line) is not None

    def _prize_items(self, text: str, quotes: list, found: list[Evidence]) -> list[Evidence]:
        """The first short quoted name in each paragraph that opens with a prize or rank label, when the release has two or
        more of them: what won ("2. Preis (6.000 Euro): Der Verein betreibt den Dorfladen „X“ …")."""
        labels = prize_labels(text)  # one "Eintrittspreis: 5 Euro" is no list of winners
        items = []
        for k, m in enumerate(labels):
            end = text.find("\n\n", m.end())
            end = min(end if end >= 0 else len(text), labels[k + 1].start() if k + 1 < len(labels) else len(text))
            dash = PRIZE_ITEM_DASH.search(text, m.end(), min(end, m.end() + 90))
            first = next((q for q in quotes if m.end() <= q[0] < min(end, m.end() + 300)), None)
            took = False
            # the item names its winner unquoted before the dash when text stands between the dash and the first quote
            # ("Dorfrat Tangerhütte – In Lüderitz …"); "Verein – „…“" names it in the quote after the dash
            if first is not None and not (dash is not None and dash.start() < first[0] and text[dash.end():first[0]].strip()):
                o_s, _, i_s, i_e = first
                inner = text[i_s:i_e]
                if len(inner.split()) <= 10 and not inner.rstrip().endswith((".", "!", "?")) \
                        and not trigger_before(text, o_s, self.programme_triggers):
                    items.append((i_s, inner))
                    took = True
            if dash is not None and not took:
                # "3. Preis (4.000 Euro): Mitfahren im Vulkanland – Rund um Gerolstein …": an unquoted name before the dash
                name = text[m.end():dash.start()].lstrip()
                words = name.split()
                if 1 <= len(words) <= 6 and title_case(words) and words[0] not in self.title_stop and not self._is_town(name):
                    items.append((dash.start() - len(name), name))
        return _untaken(items, found, "projects:" + self.cfg.prize_items.id, self.cfg.prize_items.score)

    def _programme_named_before(self, text: str, pos: int) -> bool:
        """What the naming noun before pos names is a programme: the sentence opens with a programme's noun ("Den
        Dorfwettbewerb gibt es seit 1961, zunächst unter dem Titel …"), or a relative clause ", das … unter dem Namen" follows
        one ("… Landesprogramm für Demokratie, Toleranz und Weltoffenheit, das unter dem Namen …")."""
        a = sentence_start(text, pos)
        if any(w.lower().endswith(self.programme_endings) for w in text[a:pos].split()[:3]):
            return True
        rel = RELATIVE_BEFORE.search(text, a, pos)
        return rel is not None and any(w.lower().endswith(self.programme_endings)
                                       for w in CAPITALISED.findall(text, max(a, rel.start() - 100), rel.start()))

    def _event_named_before(self, text: str, pos: int) -> bool:
        """The sentence opens with an event's noun ("Die Tagung steht unter dem Motto „…“"): the name is the event's."""
        a = sentence_start(text, pos)
        return any(w.lower().endswith(self.event_endings) for w in text[a:pos].split()[:3])

    def _lead_titles(self, text: str) -> list[Evidence]:
        """"Mit dem Vorhaben Treffpunkt Markt lässt die Stadt …": the title between the lead and the finite verb; its lowercase
        words are joiners only ("Spielzeug aus Neustadt – vom Heimgewerbe zur Weltmarke"), its first word no date word."""
        rule = self.cfg.lead_titles
        out = []
        for m in self.lead_title.finditer(text):
            name = m.group("name")
            words = name.split()
            if words[0] in self.title_stop or any(w[:1].islower() and w not in self.title_joiners for w in words):
                continue
            out.append(Evidence("project", m.start("name"), m.end("name"), name, "projects:" + rule.id, rule.score,
                                attrs={"canonical": name}))
        return out

    def _subject_titles(self, text: str) -> list[Evidence]:
        """A phrase title as the subject: it has a lowercase word (a bare name is the name rule's), no date word first,
        and is not a name with its owner ("Fischerhütte der TU Ilmenau")."""
        rule = self.cfg.subject_titles
        out = []
        for m in self.subject_title.finditer(text):
            name = m.group("name")
            words = name.split()
            if words[0] in self.title_stop or words[1] in ("der", "des", "von", "vom") or not any(w[:1].islower() for w in words[1:]) or any(w.lower() in rule.verbs for w in words):
                continue
            out.append(Evidence("project", m.start("name"), m.end("name"), name, "projects:" + rule.id, rule.score,
                                attrs={"canonical": name}))
        return out

    def _own_acronym(self, word: str) -> bool:
        """'das Verbundprojekt RECYPLAST', 'das Projekt ZIRKEL': a word in capitals that no registry knows as a body's or a
        programme's acronym ('das Projekt LEADER' speaks of the programme)."""
        return word.isupper() and word.isalpha() and len(word) >= 4 and word not in self.known_acronyms

    def _rare(self, word: str) -> bool:
        return zipf_frequency(word) < self.min_rare_zipf
