"""Anonymity: the session's pseudonym map, applied on export, and warnings while typing.

The pseudonym map (a real name or word -> a changed name) lives on this laptop
only: it is never exported and never put in a sync bundle. `Anonymiser` applies
it whole-word and case-aware: with "Darren" -> "Dave", "darren" becomes "dave",
"DARREN" becomes "DAVE", "Darren's" becomes "Dave's" and "Darrens" becomes
"Daves", while "Darrenby" is left alone. Every export calls it on comments,
notes and quotes, and so does every bundle on its way to the office
(`facilitator.sync.outgoing`):

    anonymiser = Anonymiser.for_session(store, session.id)
    text = anonymiser(comment)

`detect` finds likely identifying details in a comment or note as it is typed
(names, prison numbers, phone numbers, dates of birth, words in the map). It
only warns; nothing is blocked.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from facilitator.core.errors import FacilitatorError, NotFound
from facilitator.store import Store

# The map is applied by the store's Anonymiser (the receipt needs it too); re-exported here.
from facilitator.store.anonymiser import Anonymiser as Anonymiser
from facilitator.store.anonymiser import map_key as _key

# The map's record and its check live in the store; re-exported here.
from facilitator.store.pseudonyms import MAX_PSEUDONYM as MAX_PSEUDONYM
from facilitator.store.pseudonyms import Pseudonym as Pseudonym
from facilitator.store.pseudonyms import check_word as check_word


@dataclass(frozen=True)
class Finding:
    """A likely identifying detail in a text: where it is and why it was flagged."""

    start: int
    end: int
    kind: str
    reason: str

    def excerpt(self, text: str) -> str:
        return text[self.start : self.end]


def anonymise(text: str, mapping: Mapping[str, str] | Anonymiser) -> str:
    """`text` with the pseudonym map applied, whole-word and case-aware."""
    anonymiser = mapping if isinstance(mapping, Anonymiser) else Anonymiser(mapping)
    return anonymiser(text)


# ---------------------------------------------------------------- the map


def pseudonyms(store: Store, session_id: str) -> list[Pseudonym]:
    """The session's live pseudonym map, by real name."""
    return store.pseudonyms.of(session_id)


def set_pseudonym(store: Store, session_id: str, real: str, changed: str) -> Pseudonym:
    """Map a real name (or word) to a changed one in a session; replaces an earlier mapping."""
    session = store.sessions.get(session_id)
    real = check_word(real, "real name")
    changed = check_word(changed, "changed name")
    if len(real) < 2:
        raise FacilitatorError("the real name must be at least two letters")
    if _key(real) == _key(changed):
        raise FacilitatorError("the changed name must differ from the real one")
    current = pseudonyms(store, session.id)
    for other in current:
        if _key(other.real) == _key(changed):
            raise FacilitatorError(f"{changed!r} is itself a real name in the map: choose another")
        if _key(other.real) == _key(real):
            continue
        if _key(other.changed) == _key(real):
            raise FacilitatorError(f"{real!r} is already the changed name for another: choose another")
        if _key(other.changed) == _key(changed):
            raise FacilitatorError(f"{changed!r} is already used for another name: choose another")
    existing = next((p for p in current if _key(p.real) == _key(real)), None)
    if existing is not None:
        return store.pseudonyms.replace(existing, real, changed)
    return store.pseudonyms.add(session.id, real, changed)


def remove_pseudonym(store: Store, session_id: str, real: str) -> Pseudonym:
    """Tombstone one mapping of a session."""
    session = store.sessions.get(session_id)
    found = next((p for p in pseudonyms(store, session.id) if _key(p.real) == _key(real)), None)
    if found is None:
        raise NotFound(f"{' '.join(real.split())!r} is not in this session's pseudonym map")
    store.pseudonyms.remove(found)
    return found


# ---------------------------------------------------------------- detectors

PRISON_NUMBER = re.compile(r"(?<![^\W_])[A-Za-z]\d{4}[A-Za-z]{2}(?![^\W_])")
# UK numbers: 0 or +44 (optionally "(0)"), then 9 or 10 digits, spaces, dashes or brackets between.
PHONE = re.compile(
    r"(?<![\w+])(?:\+44[\s-]?(?:\(0\)[\s-]?)?|\(?0)(?P<first>[1-9])(?:[\s()-]{0,2}\d){8,9}(?!\w)"
)
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december"
    "|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
)
NUMERIC_DATE = re.compile(r"(?<![\w/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?![\w/]|[.-]\d)")
ISO_DATE = re.compile(r"(?<![\w/.-])(\d{4})-(\d{1,2})-(\d{1,2})(?![\w/]|[.-]\d)")
WORDED_DATE = re.compile(
    rf"(?<!\w)(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?:{_MONTHS})\.?,?\s+(\d{{4}})(?!\w)", re.IGNORECASE
)
_WORD = re.compile(r"(?<![\w'’])[^\W\d_][\w'’-]*")
_SENTENCE_ENDS = ".!?…\n"
_OPENERS = " \t\"'“‘([-–—*"
# Capitalised words that are rarely a person's name: days, months, family words,
# titles, and institutions that come up in the discussions.
_COMMON = """
    i i'm i've i'd i'll ok okay mr mrs ms miss dr sir mum mam dad nan nana gran grandad god jesus
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    christmas easter english british england scotland wales ireland uk
    social services service worker workers council court courts prison probation police school
    college care home office nhs yot hmp young offender offenders institution
"""
COMMON_CAPITALISED = frozenset(_COMMON.split())
# Words that often open a sentence or a line and are rarely names: a capitalised
# word at a sentence start is flagged only when it is none of these (nor one of
# them with -s, -es, -ed, -ing or -ly), or when the text also has it capitalised
# mid-sentence. Contractions are looked up by the part before the apostrophe.
_STARTERS = """
    a an the this that these those there here some any no none every each all both either neither
    another other others such much many more most few less least lot lots loads bit
    i me my mine myself you your yours yourself we us our ours ourselves he him his himself she her hers
    herself it its itself they them their theirs themselves one someone somebody something anyone
    anybody anything everyone everybody everything nobody nothing noone whoever whatever
    who whom whose what which when where why how whether if unless because cos cause since though
    although while whilst until till after before as so and but or nor yet also too then than
    now again still just only even ever never always often sometimes usually maybe perhaps probably
    really actually basically honestly literally obviously apparently definitely certainly clearly
    well yes yeah yep no nope ok okay oh ah um erm hmm like right sure fine alright anyway anyhow
    please thanks thank sorry hello hi bye wow god
    in on at to of for from with without about above below under over into onto out off up down
    through across along around between among against toward towards during within behind beside
    beyond near inside outside instead except despite via per
    be am is are was were been being have has had having do does did doing done
    can could will would shall should may might must ought need needs
    don didn doesn isn aren wasn weren haven hasn hadn won wouldn couldn shouldn can't ain let
    get got getting go goes going gone went come came coming make made take took taken give gave given
    say said says tell told ask asked know knew known think thought feel felt see saw seen look
    looked want wanted try tried use used find found keep kept leave left put let help call called
    work worked start started stop stopped talk talked listen listened understand understood
    believe believed mean meant seem seemed show showed hear heard happen happened change changed
    move moved live lived stay stayed wait waited turn turned bring brought pay paid send sent
    support supported treat treated care cared trust trusted respect judge judged lose lost
    being having nothing
    good bad better best worse worst big small little long short high low old new young first last
    next same different hard easy real true whole full free open own able sure important possible
    great nice kind fair unfair wrong right proper early late happy sad angry scared afraid alone
    lonely safe unsafe strict different difficult horrible terrible awful brilliant amazing lovely
    social personal private public local national general main special certain clear simple
    time times day days week weeks month months year years today tomorrow yesterday tonight morning
    afternoon evening night weekend moment while once twice
    people person persons man men woman women boy boys girl girls kid kids child children baby
    family families parent parents mother father brother brothers sister sisters son sons daughter
    daughters uncle aunt auntie cousin grandma grandmother grandfather partner wife husband
    boyfriend girlfriend friend friends mate mates foster carer carers staff officer officers
    teacher teachers doctor doctors nurse nurses judge judges solicitor solicitors lawyer manager
    managers keyworker keyworkers professional professionals team teams agency agencies system
    placement placements meeting meetings review reviews plan plans assessment report reports
    case cases file files letter letters phone money benefit housing house flat room bed hostel
    drugs drug alcohol drink drinking mental health hospital jail nick cell wing landing visit visits
    sentence licence recall release court judge magistrate magistrates custody remand
    thing things way ways place places part problem problems question questions answer reason
    reasons point fact life world job jobs word words name names number numbers
    however therefore otherwise meanwhile overall later earlier soon afterwards eventually finally
    especially luckily unfortunately fortunately rather following throughout whereas
    male female adult adults user users participant participants group groups lack focus
    hope love fear anger shame pain luck peace trouble truth chance choice power control
    everyone's nobody's
    yes no not
    one two three four five six seven eight nine ten twenty hundred
    once
"""
COMMON_STARTERS = frozenset(_STARTERS.split()) | COMMON_CAPITALISED
_ENDINGS = ("s", "es", "ed", "d", "ing", "ly", "ies")
_REASONS = {
    "pseudonym": "in the pseudonym map: it will be replaced on export",
    "prison_number": "looks like a prison number",
    "phone": "looks like a phone number",
    "date": "looks like a date of birth",
    "name": "a capitalised word that may be a name",
}
_PRIORITY = ("pseudonym", "prison_number", "phone", "date", "name")


def _finding(kind: str, start: int, end: int) -> Finding:
    return Finding(start, end, kind, _REASONS[kind])


def _valid_day_month(day: int, month: int) -> bool:
    return (1 <= day <= 31 and 1 <= month <= 12) or (1 <= month <= 31 and 1 <= day <= 12)


def _at_sentence_start(text: str, start: int) -> bool:
    # Look back a little only, so a long note stays fast to check at every key press.
    window = max(0, start - 80)
    before = text[window:start].rstrip(_OPENERS)
    return not before or before[-1] in _SENTENCE_ENDS


def _ordinary(word: str) -> bool:
    """Whether a capitalised word is a common word (a sentence may well start with it)."""
    folded = word.casefold().replace("’", "'")
    if folded in COMMON_STARTERS or folded.split("'")[0] in COMMON_STARTERS:
        return True
    for ending in _ENDINGS:
        stem = folded.removesuffix(ending)
        if stem != folded and len(stem) > 1:
            if stem in COMMON_STARTERS or (ending == "ies" and stem + "y" in COMMON_STARTERS):
                return True
            if (
                ending in ("ed", "ing")
                and len(stem) > 2
                and stem[-1] == stem[-2]
                and stem[:-1] in COMMON_STARTERS
            ):
                return True  # stopped, getting
    return False


def _names(text: str) -> Iterable[Finding]:
    candidates: list[tuple[int, str, bool]] = []  # (start, word, at a sentence start)
    for match in _WORD.finditer(text):
        word = match.group(0).rstrip("'’-")
        if word.lower().endswith(("'s", "’s")):
            word = word[:-2]
        letters = [c for c in word if c.isalpha()]
        if len(letters) < 2 or not word[0].isupper() or all(c.isupper() for c in letters):
            continue
        if len(letters) > 2 and letters[-1] == "s" and all(c.isupper() for c in letters[:-1]):
            continue  # an acronym in the plural: SWs, YOIs
        if word.casefold() in COMMON_CAPITALISED:
            continue
        candidates.append((match.start(), word, _at_sentence_start(text, match.start())))
    # A word capitalised mid-sentence is a name here, at a sentence start too ("Will came. I told Will").
    named = {word.casefold() for _, word, at_start in candidates if not at_start}
    for start, word, at_start in candidates:
        if at_start and _ordinary(word) and word.casefold() not in named:
            continue
        yield _finding("name", start, start + len(word))


def detect(text: str, anonymiser: Anonymiser | Mapping[str, str] | None = None) -> list[Finding]:
    """Likely identifying details in a comment or note, in text order, never overlapping.

    Looks for words of the pseudonym map, prison numbers (A1234BC), UK phone
    numbers, dates (of birth: d/m/yy, dd-mm-yyyy, 1 March 1990, 1990-03-01) and
    capitalised words that look like names: mid-sentence, unless a common
    capitalised word (a day, a month, an institution); at a sentence start,
    unless a common English word ("They", "Social", "Sometimes") that the text
    does not also capitalise mid-sentence. A name that is also a common word
    ("Will", "Hope") is missed at a sentence start: the map catches those it knows.
    """
    if anonymiser is not None and not isinstance(anonymiser, Anonymiser):
        anonymiser = Anonymiser(anonymiser)
    found: list[Finding] = []
    if anonymiser is not None:
        found.extend(_finding("pseudonym", start, end) for start, end in anonymiser.spans(text))
    found.extend(_finding("prison_number", *m.span()) for m in PRISON_NUMBER.finditer(text))
    found.extend(_finding("phone", *m.span()) for m in PHONE.finditer(text))
    for m in NUMERIC_DATE.finditer(text):
        if _valid_day_month(int(m.group(1)), int(m.group(3))):
            found.append(_finding("date", *m.span()))
    for m in ISO_DATE.finditer(text):
        if 1 <= int(m.group(2)) <= 12 and 1 <= int(m.group(3)) <= 31:
            found.append(_finding("date", *m.span()))
    for m in WORDED_DATE.finditer(text):
        if 1 <= int(m.group(1)) <= 31:
            found.append(_finding("date", *m.span()))
    found.extend(_names(text))
    found.sort(key=lambda f: (_PRIORITY.index(f.kind), f.start))
    kept: list[Finding] = []
    for finding in found:
        if all(finding.end <= k.start or finding.start >= k.end for k in kept):
            kept.append(finding)
    return sorted(kept, key=lambda f: (f.start, f.end))


def detect_for_session(store: Store, session_id: str, text: str) -> list[Finding]:
    """`detect` with the session's pseudonym map."""
    return detect(text, Anonymiser.for_session(store, session_id))
