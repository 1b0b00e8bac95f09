"""Candidate pairs for a batch of person records, so that scoring does not compare every pair.

Two records become a candidate pair when they share at least one blocking key:
- the NHS number (digits only);
- the date of birth, or the date with day and month swapped (a transposed date meets its original);
- the phonetic (metaphone) family name, and each part of a double-barrelled one, with the given name's initial;
- the phonetic given name with the initial of the family name or of any part of it (a misspelt family name);
- the phonetic given and family names as an unordered pair (given and family names swapped);
- the postcode with the family name's initial, and the postcode with the given name's initial (a family name changed
  or misspelt, at the same address).
A key shared by more than MAX_BLOCK records (a very common name or date in a large file) is skipped as too weak to
narrow the search: its pairs are still found through the other keys.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from datetime import date

from referrals.person_match import (
    PersonRecord,
    Score,
    normalise_name,
    normalise_nhs_number,
    normalise_postcode,
    phonetic_key,
    score,
)

MAX_BLOCK = 1000


def day_month_swapped(day_month: date) -> date | None:
    try:
        return day_month.replace(month=day_month.day, day=day_month.month)
    except ValueError:
        return None


def blocking_keys(record: PersonRecord) -> set[str]:
    keys = set()
    given, family = normalise_name(record.given_name), normalise_name(record.family_name)
    if nhs := normalise_nhs_number(record.nhs_number):
        keys.add(f"nhs:{nhs}")
    if dob := record.date_of_birth:
        keys.add(f"dob:{dob.isoformat()}")
        if (swapped := day_month_swapped(dob)) and swapped != dob:
            keys.add(f"dob:{swapped.isoformat()}")
    if family:
        keys.add(f"family:{phonetic_key(family)}:{given[:1]}")
        for part in family.split():  # each part of a double-barrelled name, and the given name with its initial
            keys.add(f"family:{phonetic_key(part)}:{given[:1]}")
            if given:
                keys.add(f"given:{phonetic_key(given)}:{part[:1]}")
    if given and family:
        keys.add("names:" + "|".join(sorted((phonetic_key(given), phonetic_key(family)))))
    if postcode := normalise_postcode(record.postcode):
        if family:
            keys.add(f"postcode:{postcode}:f{family[:1]}")
        if given:
            keys.add(f"postcode:{postcode}:g{given[:1]}")
    return keys


def candidate_pairs(records: Sequence[PersonRecord]) -> Iterator[tuple[int, int]]:
    """Each pair of indexes (i < j) into records that shares a blocking key, once."""
    blocks: dict[str, list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        for key in blocking_keys(record):
            blocks[key].append(index)
    seen: set[tuple[int, int]] = set()
    for members in blocks.values():
        if len(members) < 2 or len(members) > MAX_BLOCK:
            continue
        for x, i in enumerate(members):
            for j in members[x + 1 :]:
                pair = (i, j) if i < j else (j, i)
                if pair not in seen:
                    seen.add(pair)
                    yield pair


def match_records(records: Sequence[PersonRecord]) -> Iterable[tuple[PersonRecord, PersonRecord, Score]]:
    """Every candidate pair whose verdict is match or possible, with its score."""
    for i, j in candidate_pairs(records):
        result = score(records[i], records[j])
        if result.verdict:
            yield records[i], records[j], result
