"""Ofsted's Annex A lists as its template has them (shared/DOMAIN.md, "Ofsted inspection lists (Annex A)"): each
list's headings in the template's order, and its coded values. One definition per list serves the workbook
(reports/annex_a_workbook.py) and the CSV of each list.

A column's value is a `date` (a date cell, dd/mm/yyyy), an `int`, a `str` (a code or a name), or None: left blank,
for what the hub does not hold (a child's disability, child protection conferences) or has not yet decided.

Codes: gender `a) Male`, `b) Female`, `d) Neither`, and `c) Not stated/recorded` for anything else typed or nothing;
ethnicity the census code with its letter (`a) WBRI` … `r) OOTH`, `s) REFU`, `s) NOBT`), from the code or the census
words as typed, `s) NOBT` (not obtained) for nothing or words that name no one census group ("Mixed", "Asian");
source the census code with its letter and group (`a) 1A: Individual` … `u) 10: Unknown`), the letters following the
census list in its order (agencies/codes.py ReferralSource), 5D, added after the letters were set, as `p1)`; yes and
no as `a) Yes` / `b) No`."""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from string import ascii_lowercase

from agencies.codes import ReferralSource
from decisions.handover import ETHNICITIES, ETHNICITY_CODES
from mash.csvsafe import rows_to_csv
from reports import inspection

# Gender as typed, in a few words people use; anything else (blank, "unknown", "prefer not to say") is not stated.
GENDERS = {
    **dict.fromkeys(("male", "m", "boy", "man"), "a) Male"),
    **dict.fromkeys(("female", "f", "girl", "woman"), "b) Female"),
    **dict.fromkeys(("neither", "non-binary", "nonbinary", "non binary"), "d) Neither"),
}
GENDER_NOT_STATED = "c) Not stated/recorded"
ETHNICITY_REFUSED = ("refused", "declined", "did not wish to say", "prefer not to say")
YES, NO = "a) Yes", "b) No"
# The group Ofsted's template names after each census source code: by the whole code, else by its number.
SOURCE_GROUPS = {
    "1": "Individual", "2A": "Schools", "2B": "Education services", "3": "Health services", "4": "Housing",
    "5": "LA services", "6": "Police", "7": "Other legal agency", "8": "Other", "9": "Anonymous", "10": "Unknown",
}  # fmt: skip
# 5D came into the census after the template's letters were set: it is lettered after 5C (p) as p1.
ADDED_AFTER = {ReferralSource.LA_OTHER: "1"}


def _ethnicity_letters() -> dict[str, str]:
    """The census ethnicity codes with the template's letter: a) WBRI … r) OOTH, and s) for both refused and not
    obtained."""
    letters = {}
    for place, code in enumerate(ETHNICITIES):
        letters[code] = f"{ascii_lowercase[min(place, ascii_lowercase.index('s'))]}) {code}"
    return letters


def _source_codes() -> dict[str, str]:
    codes, letter = {}, 0
    for source in ReferralSource:
        if source in ADDED_AFTER:
            mark = ascii_lowercase[letter - 1] + ADDED_AFTER[source]
        else:
            mark, letter = ascii_lowercase[letter], letter + 1
        group = SOURCE_GROUPS.get(source.value) or SOURCE_GROUPS[source.value[0]]
        codes[source.value] = f"{mark}) {source.value}: {group}"
    return codes


ETHNICITY_LETTERS = _ethnicity_letters()
SOURCE_CODES = _source_codes()


def _words(text: str) -> str:
    return " ".join((text or "").lower().split())


def gender_code(typed: str) -> str:
    return GENDERS.get(_words(typed), GENDER_NOT_STATED)


# The census's group headings a referrer may type before the group itself ("Mixed: White and Asian").
GROUP_HEADINGS = ("mixed or multiple ethnic groups", "mixed/multiple ethnic groups", "asian or asian british",
                  "black or black british", "black, black british, caribbean or african", "mixed", "other ethnic group")  # fmt: skip


def ethnicity_code(typed: str) -> str:
    words = _words(typed)
    if words.upper() in ETHNICITIES:
        return ETHNICITY_LETTERS[words.upper()]
    for heading in ("", *GROUP_HEADINGS):
        if words.startswith(heading) and (rest := words[len(heading) :].lstrip(" :-–/,")) in ETHNICITY_CODES:
            return ETHNICITY_LETTERS[ETHNICITY_CODES[rest]]
    return ETHNICITY_LETTERS["REFU" if words in ETHNICITY_REFUSED else "NOBT"]


def source_code(code: str) -> str | None:
    return SOURCE_CODES.get(code)


def yes_no(answer: bool | None) -> str | None:
    return None if answer is None else YES if answer else NO


@dataclass(frozen=True)
class Column:
    heading: str
    value: Callable  # row -> date | int | str | None
    width: int = 18  # characters, in the workbook


def _blank(row) -> None:
    """A value the hub does not hold."""
    return None


CHILD = [
    Column("Child Unique ID", lambda r: str(r.child_id) if r.child_id else None, 38),
    Column("Gender", lambda r: gender_code(r.gender), 24),
    Column("Ethnicity", lambda r: ethnicity_code(r.ethnicity), 12),
    Column("Date of Birth", lambda r: r.date_of_birth, 14),
    Column("Age of Child (Years)", lambda r: r.age, 12),
]
ALLOCATION = [Column("Allocated Team", lambda r: r.team, 24), Column("Allocated Worker", lambda r: r.worker, 24)]


@dataclass(frozen=True)
class AnnexList:
    number: int
    title: str  # in words, for the page
    columns: list[Column]
    select: Callable  # (hub, since, until) -> rows, oldest first

    @property
    def sheet(self) -> str:
        return f"List {self.number}"

    @property
    def headings(self) -> list[str]:
        return [c.heading for c in self.columns]

    def values(self, row) -> list:
        return [c.value(row) for c in self.columns]


LISTS = {
    1: AnnexList(
        1,
        "contacts",
        [
            *CHILD,
            Column("Date of Contact", lambda r: r.day, 14),
            Column("Contact Source", lambda r: source_code(r.source), 28),
        ],
        inspection.contacts,
    ),
    3: AnnexList(
        3,
        "referrals",
        [
            *CHILD,
            Column("Date of referral", lambda r: r.day, 14),
            Column("Referral Source", lambda r: source_code(r.source), 28),
            Column("Referral NFA?", lambda r: yes_no(r.nfa), 12),
            Column("Number of Referrals in Last 12 Months", lambda r: r.earlier_referrals, 16),
            *ALLOCATION,
        ],
        inspection.referrals,
    ),
    5: AnnexList(
        5,
        "section 47 enquiries",
        [
            *CHILD,
            Column("Does the Child have a Disability", _blank, 14),
            Column("Strategy discussion initiating Section 47 Enquiry Start Date", lambda r: r.day, 20),
            Column("Was an Initial Child Protection Conference deemed unnecessary?", _blank, 20),
            Column("Date of Initial Child Protection Conference", _blank, 18),
            Column("Did the Initial Child Protection Conference Result in a Child Protection Plan", _blank, 20),
            Column("Number of Section 47 Enquiries in the last 12 months", lambda r: r.earlier_enquiries, 16),
            Column("Number of ICPCs in the last 12 months", _blank, 16),
            *ALLOCATION,
        ],
        inspection.s47_enquiries,
    ),
}


def _text(value) -> str:
    if value is None:
        return ""
    return f"{value:%d/%m/%Y}" if isinstance(value, date) else str(value)


def list_csv(annex: AnnexList, rows) -> str:
    """One list as CSV: the same headings and codes as the workbook's sheet, dates as dd/mm/yyyy, cells that a
    spreadsheet would read as a formula escaped (mash/csvsafe.py)."""
    return rows_to_csv(annex.headings, ([_text(v) for v in annex.values(row)] for row in rows))
