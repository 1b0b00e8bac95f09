"""Scoring whether two records are the same person, with the reasons a practitioner reads.

Pure Python on plain records (no models): NHS number, given and family names (normalised, phonetic, edit distance,
swapped, double-barrelled), date of birth (equal, day and month swapped, one digit off, year off by one, a few days
apart), postcode (equal, same sector or district) and address each add or take points; the total gives a verdict.
Names are compared with maintained libraries: jellyfish (metaphone, NYSIIS, Damerau-Levenshtein) and rapidfuzz
(Jaro-Winkler, token ratios). The design, weights and thresholds are in docs/adr/0011-person-match-scoring.md.

A different given name (not a spelling, sound-alike or nickname of it) caps the verdict at "possible": siblings and
twins share a family name, address, postcode and (twins) date of birth, and must never be called a match.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Literal

import jellyfish
from django.utils.translation import gettext, gettext_noop
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler

Verdict = Literal["match", "possible"]

MATCH_AT = 10.0  # high confidence: shown first
POSSIBLE_AT = 4.0  # shown for review; below this nothing is suggested
# The reasons are kept in English (a suggestion's `reasons`, the ledger's payloads) and read in the reader's language
# (`reason_in_words`): each is marked here for the catalogue.
CAPPED = gettext_noop("not a match while the given names differ (a sibling or twin?)")

# Points per piece of evidence (roughly log-odds: positive for agreement, negative for disagreement).
NHS_EQUAL, NHS_ONE_DIGIT, NHS_DIFFER, NHS_BOTH_VALID_DIFFER = 8.0, 2.0, -1.0, -10.0
NAME_EXACT, NAME_VARIANT, NAME_SOUNDS, NAME_TYPO, NAME_SIMILAR, NAME_DIFFER = 4.0, 3.5, 3.0, 2.5, 0.5, -4.0
FAMILY_PART = 3.0
DOB_EQUAL, DOB_SWAPPED, DOB_DIGIT, DOB_YEAR, DOB_NEAR, DOB_DIFFER = 5.0, 3.0, 2.5, 2.0, 1.5, -6.0
DOB_NEAR_DAYS = 7
POSTCODE_EQUAL, POSTCODE_SECTOR, POSTCODE_DISTRICT = 2.0, 1.0, 0.5
ADDRESS_SAME, ADDRESS_SIMILAR = 1.5, 0.5

# Common English given-name variants and nicknames (formal name: its short forms and other spellings). Only a direct
# pair counts: Charlotte and Charles both give "charlie" but are not variants of each other.
_NICKNAMES = {
    "alexander": "alex alec sandy xander",
    "alexandra": "alex lexi sandra",
    "abigail": "abby abbie gail",
    "anthony": "tony antony",
    "benjamin": "ben benny benji",
    "catherine": "cathy cath kate katie kathryn katherine",
    "charles": "charlie chas chuck",
    "charlotte": "charlie lottie lotte",
    "christopher": "chris kit",
    "daniel": "dan danny",
    "deborah": "debbie debra deb",
    "edward": "ed eddie ted ned",
    "eleanor": "ellie nell nora elinor",
    "elizabeth": "liz lizzie beth betty eliza libby elisabeth",
    "frederick": "fred freddie",
    "henry": "harry hal",
    "isabella": "bella izzy isabel isobel",
    "jacob": "jake jakob",
    "james": "jim jimmy jamie",
    "jennifer": "jen jenny",
    "jessica": "jess jessie",
    "john": "jack johnny jon",
    "jonathan": "jon jonny",
    "joseph": "joe joey",
    "katherine": "kate katie kathy kat kathryn",
    "margaret": "maggie meg peggy",
    "matthew": "matt matty",
    "michael": "mike mick mikey",
    "mohammed": "muhammad mohammad mohamed muhammed mohamad",
    "nicholas": "nick nicky",
    "oliver": "olly ollie",
    "olivia": "liv livvy",
    "patricia": "pat trish patsy",
    "rebecca": "becky becca",
    "richard": "rich rick ricky dick",
    "robert": "rob bob bobby robbie",
    "samantha": "sam sammy",
    "samuel": "sam sammy",
    "sean": "shaun shawn",
    "stephen": "steve steven stephan",
    "susan": "sue susie",
    "thomas": "tom tommy",
    "victoria": "vicky tori",
    "william": "will bill billy liam",
    "zachary": "zach zack",
}
_VARIANT_PAIRS = {
    frozenset((formal, short)) for formal, shorts in _NICKNAMES.items() for short in shorts.split() if short != formal
}


@dataclass(frozen=True)
class PersonRecord:
    given_name: str = ""
    family_name: str = ""
    date_of_birth: date | None = None
    postcode: str = ""
    nhs_number: str = ""
    address: str = ""
    record_id: str = ""


@dataclass(frozen=True)
class Score:
    score: float
    verdict: Verdict | None
    reasons: list[str] = field(default_factory=list)


@lru_cache(maxsize=65536)
def normalise_name(text: str) -> str:
    """Case-folded letters and single spaces: accents dropped, hyphens as spaces, apostrophes and dots removed."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"['’`.]", "", text)
    return " ".join(re.sub(r"[^a-z]+", " ", text).split())


def normalise_postcode(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", (text or "").upper())


def normalise_nhs_number(text: str) -> str:
    return re.sub(r"\D", "", text or "")


def nhs_number_valid(number: str) -> bool:
    """Ten digits whose last is the modulus 11 check digit of the first nine."""
    if not re.fullmatch(r"\d{10}", number):
        return False
    check = 11 - sum(int(d) * (10 - i) for i, d in enumerate(number[:9])) % 11
    check = 0 if check == 11 else check
    return check != 10 and check == int(number[9])


def phonetic_key(name: str) -> str:
    """The metaphone key of a normalised name (spaces removed), for blocking."""
    return jellyfish.metaphone(name.replace(" ", "")) if name else ""


_UK_POSTCODE = re.compile(r"^([A-Z]{1,2}\d[A-Z\d]?)(\d)([A-Z]{2})$")


@lru_cache(maxsize=65536)
def _name_level(a: str, b: str) -> tuple[str, float]:
    """How two normalised names (one part: given or family) agree: (level, points)."""
    if a == b:
        return "exact", NAME_EXACT
    if frozenset((a, b)) in _VARIANT_PAIRS:
        return "variant", NAME_VARIANT
    flat_a, flat_b = a.replace(" ", ""), b.replace(" ", "")
    if flat_a == flat_b:
        return "exact", NAME_EXACT
    if jellyfish.metaphone(flat_a) == jellyfish.metaphone(flat_b) and jellyfish.nysiis(flat_a) == jellyfish.nysiis(
        flat_b
    ):
        return "sounds", NAME_SOUNDS
    if min(len(flat_a), len(flat_b)) >= 3 and jellyfish.damerau_levenshtein_distance(flat_a, flat_b) <= 1:
        return "typo", NAME_TYPO
    if a.split()[0] == b.split()[0] and (" " in a or " " in b):
        return "first", NAME_VARIANT  # "Mary Jane" and "Mary": the first given name equal
    if JaroWinkler.similarity(flat_a, flat_b) >= 0.88:
        return "similar", NAME_SIMILAR
    return "differ", NAME_DIFFER


def _family_level(a: str, b: str) -> tuple[str, float]:
    level, points = _name_level(a, b)
    if level in ("differ", "similar", "first"):
        parts_a, parts_b = a.split(), b.split()
        if len(parts_a) > 1 or len(parts_b) > 1:
            # A double-barrelled name and one of its parts, the part perhaps misspelt ("Adms" and "James-Adams").
            best = max((_name_level(x, y) for x in parts_a for y in parts_b), key=lambda pair: pair[1])
            if best[0] in ("exact", "variant", "sounds", "typo"):
                return "part", FAMILY_PART if best[0] == "exact" else FAMILY_PART - 1
    return level, points


_GIVEN_WORDS = {
    "exact": gettext_noop("given names equal"),
    "variant": gettext_noop("given names are variants of one name"),
    "first": gettext_noop("first given names equal"),
    "sounds": gettext_noop("given names sound alike"),
    "typo": gettext_noop("given names differ by one letter"),
    "similar": gettext_noop("given names spelt similarly"),
    "differ": gettext_noop("given names differ"),
}
_FAMILY_WORDS = {
    "exact": gettext_noop("family names equal"),
    "variant": gettext_noop("family names are variants of one name"),
    "first": gettext_noop("family names share their first part"),
    "sounds": gettext_noop("family names sound alike"),
    "typo": gettext_noop("family names differ by one letter"),
    "similar": gettext_noop("family names spelt similarly"),
    "differ": gettext_noop("family names differ"),
    "part": gettext_noop("family name is part of a double-barrelled family name"),
}
# Levels at which two given names may be the same person's; any other difference caps the verdict at "possible".
_SAME_GIVEN = {"exact", "variant", "first", "sounds", "typo"}


def _names(a: PersonRecord, b: PersonRecord) -> tuple[float, list[str], bool]:
    """Points, reasons, and whether the given names may be one person's."""
    ga, gb = normalise_name(a.given_name), normalise_name(b.given_name)
    fa, fb = normalise_name(a.family_name), normalise_name(b.family_name)
    points, reasons, given_ok = 0.0, [], True
    if ga and gb and fa and fb and (ga, fa) != (gb, fb):
        swap_given, swap_family = _name_level(ga, fb), _name_level(fa, gb)
        straight = _name_level(ga, gb)
        if straight[0] not in _SAME_GIVEN and swap_given[0] in _SAME_GIVEN and swap_family[0] in _SAME_GIVEN:
            return swap_given[1] + swap_family[1], [gettext_noop("given and family names swapped")], True
    if fa and fb:
        level, p = _family_level(fa, fb)
        points += p
        reasons.append(_FAMILY_WORDS[level])
    else:
        reasons.append(gettext_noop("family name missing"))
    if ga and gb:
        level, p = _name_level(ga, gb)
        points += p
        reasons.append(_GIVEN_WORDS[level])
        given_ok = level in _SAME_GIVEN
    else:
        reasons.append(gettext_noop("given name missing"))
    return points, reasons, given_ok


def _date_of_birth(a: date | None, b: date | None) -> tuple[float, str]:
    if a is None or b is None:
        return 0.0, gettext_noop("date of birth missing")
    if a == b:
        return DOB_EQUAL, gettext_noop("date of birth equal")
    if a.year == b.year and a.day == b.month and a.month == b.day:
        return DOB_SWAPPED, gettext_noop("date of birth day and month swapped")
    if (a.month, a.day) == (b.month, b.day) and abs(a.year - b.year) == 1:
        return DOB_YEAR, gettext_noop("date of birth a year apart")
    digits_a, digits_b = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    if sum(x != y for x, y in zip(digits_a, digits_b, strict=True)) == 1:
        return DOB_DIGIT, gettext_noop("date of birth differs by one digit")
    if abs((a - b).days) <= DOB_NEAR_DAYS:
        return DOB_NEAR, f"dates of birth {abs((a - b).days)} days apart"  # in words: `reason_in_words`
    return DOB_DIFFER, gettext_noop("dates of birth differ")


def _nhs_number(a: str, b: str) -> tuple[float, str | None]:
    a, b = normalise_nhs_number(a), normalise_nhs_number(b)
    if not a or not b:
        return 0.0, None
    if a == b:
        return NHS_EQUAL, gettext_noop("NHS number equal")
    if nhs_number_valid(a) and nhs_number_valid(b):
        return NHS_BOTH_VALID_DIFFER, gettext_noop("NHS numbers differ")
    # One of them fails the check digit: it was mistyped, so the difference says little.
    if jellyfish.damerau_levenshtein_distance(a, b) == 1:
        return NHS_ONE_DIGIT, gettext_noop("NHS numbers differ by one digit (one is not a valid NHS number)")
    return NHS_DIFFER, gettext_noop("NHS numbers differ (one is not a valid NHS number)")


def _postcode(a: str, b: str) -> tuple[float, str | None]:
    a, b = normalise_postcode(a), normalise_postcode(b)
    if not a or not b:
        return 0.0, None
    if a == b:
        return POSTCODE_EQUAL, gettext_noop("postcode equal")
    ma, mb = _UK_POSTCODE.match(a), _UK_POSTCODE.match(b)
    if ma and mb and ma.group(1) == mb.group(1):
        if ma.group(2) == mb.group(2):
            return POSTCODE_SECTOR, gettext_noop("postcode in the same sector")
        return POSTCODE_DISTRICT, gettext_noop("postcode in the same district")
    return 0.0, gettext_noop("postcodes differ")


_STREET_WORDS = {"st": "street", "rd": "road", "ave": "avenue", "ln": "lane", "cl": "close", "cres": "crescent"}


def _address_text(record: PersonRecord) -> str:
    return _normal_address(record.address or "")


@lru_cache(maxsize=65536)
def _normal_address(address: str) -> str:
    # Digits matter in an address (house numbers): keep them beside the letters.
    words = re.sub(r"[^a-z0-9 ]+", " ", unicodedata.normalize("NFKD", address).casefold()).split()
    return " ".join(_STREET_WORDS.get(word, word) for word in words)


def _address(a: str, b: str) -> tuple[float, str | None]:
    a, b = " ".join(a.split()), " ".join(b.split())
    if not a or not b:
        return 0.0, None
    ratio = fuzz.token_sort_ratio(a, b)
    if ratio >= 90:
        return ADDRESS_SAME, gettext_noop("address the same")
    if ratio >= 75:
        return ADDRESS_SIMILAR, gettext_noop("address similar")
    return 0.0, None


_DAYS_APART = re.compile(r"^dates of birth (\d+) days apart$")


def reason_in_words(reason: str) -> str:
    """A reason as the scorer keeps it (English), in the active language."""
    if found := _DAYS_APART.match(reason):
        return gettext("dates of birth %(days)s days apart") % {"days": int(found.group(1))}
    return gettext(reason)


def score(a: PersonRecord, b: PersonRecord) -> Score:
    """How likely a and b are the same person: points, a verdict (match, possible or None) and the reasons."""
    total, reasons, given_ok = _names(a, b)
    nhs_points, nhs_reason = _nhs_number(a.nhs_number, b.nhs_number)
    dob_points, dob_reason = _date_of_birth(a.date_of_birth, b.date_of_birth)
    postcode_points, postcode_reason = _postcode(a.postcode, b.postcode)
    address_points, address_reason = _address(_address_text(a), _address_text(b))
    total += nhs_points + dob_points + postcode_points + address_points
    reasons = [r for r in (nhs_reason, *reasons, dob_reason, postcode_reason, address_reason) if r]
    verdict: Verdict | None = None
    if total >= MATCH_AT and given_ok:
        verdict = "match"
    elif total >= POSSIBLE_AT:
        verdict = "possible"
    if total >= MATCH_AT and not given_ok:
        reasons.append(CAPPED)
    return Score(score=round(total, 2), verdict=verdict, reasons=reasons)
