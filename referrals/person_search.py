"""Person search for the hub's practitioners and managers: by any name (fuzzy), date of birth, age range, postcode,
address or NHS number, across every record of the hub's people (subjects and everyone else named), in the referrals
the reader may see, grouped by index person with their referrals, best match first.

Names are found through the person keys (referrals/person_blocking.py: the metaphone of each name with an initial),
so a spelling variant, a sound-alike or a nickname ("Mohamed" for "Muhammad", "Bill" for "William") is an index
lookup, not a scan of the hub's people. On PostgreSQL with the pg_trgm extension, trigram similarity on the lower-cased
given and family names (GIN indexes) adds typos the phonetic keys miss. A date of birth finds it and its day and
month swapped (the keys hold both). Each person found is ranked by `person_match.score` against the query as a
record. The search reads at most MAX_RECORDS matching records (newest first) and answers at most MAX_PEOPLE people.

At a million people (bench/matching/latency.py): each way of bearing a name is its own index lookup, joined by UNION
ALL; a common name (its keys naming more than MAX_RECORDS records) is read from the RECENT_KEYS most recently written
of them, without the trigram likeness; beside a date of birth, an NHS number or a full postcode a name is a test of
the few records they find; only the MAX_PEOPLE people shown are read in full.
"""

import operator
import re
from dataclasses import dataclass, field
from datetime import date
from functools import reduce

from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext

from agencies.policy import Action
from referrals.dataset import normal_postcode
from referrals.models import Person, PersonKey, PersonRole
from referrals.person_blocking import day_month_swapped
from referrals.person_match import (
    _NICKNAMES,
    PersonRecord,
    normalise_name,
    normalise_nhs_number,
    phonetic_key,
    reason_in_words,
    score,
)
from referrals.selectors import referrals_visible_to

FIELDS = ("name", "date_of_birth", "age_from", "age_to", "postcode", "address", "nhs_number")
MAX_PEOPLE = 50
MAX_RECORDS = 500
RECENT_KEYS = 2 * MAX_RECORDS  # the most key rows read for a name when nothing narrows the search
INITIALS = "abcdefghijklmnopqrstuvwxyz"
OUTWARD = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?$")  # a postcode district: SW1A, NT1
SECTOR = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9])$")  # a postcode sector: SW1A 1


@dataclass(frozen=True)
class ReferralShown:
    id: object
    reference: str
    role: str  # in words: "Subject of the referral", "Named as parent or carer"
    received_at: object
    status: str  # in words
    rating: str  # the code ("" until rated): the page shows its tag


@dataclass
class PersonResult:
    index_person_id: object
    names: list[str] = field(default_factory=list)  # every name seen, the best-matching record's first
    dates_of_birth: list[date] = field(default_factory=list)
    estimated_ages: list[int] = field(default_factory=list)
    nhs_numbers: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)  # "1 High Street, Northtown, NT1 1AA"
    referrals: list[ReferralShown] = field(default_factory=list)  # newest first
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)  # why the best record matched, in words


# ---- the query ----------------------------------------------------------------------------------------------------


def name_variants(word: str) -> set[str]:
    """A normalised name with every name of its group in person_match's list (the formal name, its short forms and
    other spellings): a search is generous where a match is strict."""
    variants = {word}
    for formal, shorts in _NICKNAMES.items():
        if word == formal or word in shorts.split():
            variants |= {formal, *shorts.split()}
    return variants


def name_keys(name: str) -> set[str]:
    """The person keys that any record bearing one of the name's words (or a variant of it) holds: its metaphone as a
    family name (with any given initial, or none) and as a given name (with any family initial)."""
    keys = set()
    for word in normalise_name(name).split():
        for variant in name_variants(word):
            sound = phonetic_key(variant)
            if not sound:
                continue
            keys.add(f"family:{sound}:")
            keys |= {f"family:{sound}:{i}" for i in INITIALS} | {f"given:{sound}:{i}" for i in INITIALS}
    return keys


def _full_name_keys(name: str) -> set[str] | None:
    """For two or more words, the keys of the given name (first word, or a variant) with the family name (the other
    words, or the last): narrower than any one word's."""
    words = normalise_name(name).split()
    if len(words) < 2:
        return None
    keys = set()
    for family in {" ".join(words[1:]), words[-1]}:
        for given in name_variants(words[0]):
            keys |= {f"family:{phonetic_key(part)}:{given[:1]}" for part in family.split()}
            keys |= {f"given:{phonetic_key(given)}:{part[:1]}" for part in family.split()}
            keys.add("names:" + "|".join(sorted((phonetic_key(given), phonetic_key(family)))))
    return keys


def trigram_available() -> bool:
    """Whether this database is PostgreSQL with the pg_trgm extension (one query on PostgreSQL, none elsewhere)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_extension WHERE extname = 'pg_trgm'")
        return cursor.fetchone() is not None


def _similar(column: str, word: str):
    """The records whose lower(column) is like `word` by pg_trgm's `%` (similarity above pg_trgm.similarity_threshold),
    which its GIN index answers. Imported here: django.contrib.postgres needs PostgreSQL's driver, and only
    PostgreSQL gets here."""
    from django.contrib.postgres.lookups import TrigramSimilar

    return TrigramSimilar(Lower(column), word)


def _name_q(hub, name: str, trigram: bool, narrowed: bool) -> Q:
    """The records bearing the name. On PostgreSQL, when nothing else `narrowed` the search to a few records (a date
    of birth, an NHS number, a full postcode), every way of bearing it (the person keys, the trigram likeness of a
    given or a family name) is its own index lookup, their ids joined by UNION ALL: an OR of them in one WHERE would
    be a scan of the hub's people (no index answers `id IN (…) OR lower(name) % …`). When something narrowed it, the
    OR is a test of each of those few records instead (the union would read every record bearing a common name)."""
    keys = _full_name_keys(name) or name_keys(name)
    by_keys = PersonKey.objects.filter(hub=hub, key__in=sorted(keys)).values("person_id")
    words = normalise_name(name).split()
    if trigram:
        if len(words) == 1:
            arms = [Q(_similar("given_name", words[0])), Q(_similar("family_name", words[0]))]
        else:
            arms = [Q(_similar("given_name", words[0]), _similar("family_name", words[-1]))]
        if narrowed:  # each of the few records tested: its keys by the (person, key) index, its names by trigrams
            keyed = PersonKey.objects.filter(person_id=OuterRef("pk"), key__in=sorted(keys))
            return reduce(operator.or_, arms, Q(Exists(keyed)))
        # A common name's keys name thousands of records: only the most recently written RECENT_KEYS are read, and
        # the trigram arms (typos the sounds miss, scored below every record found by its sound) only run for a name
        # whose keys name at most MAX_RECORDS records.
        rare = ~Exists(
            PersonKey.objects.filter(hub=hub, key__in=sorted(keys)).order_by()[MAX_RECORDS : MAX_RECORDS + 1]
        )
        like = Person.objects.order_by().filter(rare).values("pk")
        recent = by_keys.order_by("-id")[:RECENT_KEYS]
        return Q(pk__in=recent.union(*(like.filter(arm) for arm in arms), all=True))
    q = Q(pk__in=by_keys)
    for word in words if len(words) == 1 else []:
        # A record with one name only has no name keys (they pair a name with the other's initial).
        q |= Q(given_name__iexact=word, family_name="") | Q(family_name__iexact=word, given_name="")
    return q


def postcode_q(typed: str) -> Q | None:
    """A full postcode (exact), a sector ("NT1 1") or a district ("NT1"); None if it is none of them."""
    text = " ".join((typed or "").upper().split())
    if full := normal_postcode(text):
        return Q(postcode=full)
    compact = text.replace(" ", "")
    q = None
    if OUTWARD.match(compact):
        q = Q(postcode__startswith=f"{compact} ")
    if m := SECTOR.match(text):
        sector = Q(postcode__startswith=f"{m.group(1)} {m.group(2)}")
        q = sector if q is None else q | sector
    return q


def _born_between(age_from: int | None, age_to: int | None, today: date) -> Q:
    """Aged from `age_from` to `age_to` today by the date of birth, or by the age estimated when no date is known."""
    born, estimated = Q(date_of_birth__isnull=False), Q(date_of_birth__isnull=True, estimated_age__isnull=False)
    if age_from is not None:
        born &= Q(date_of_birth__lte=_years_before(today, age_from))
        estimated &= Q(estimated_age__gte=age_from)
    if age_to is not None:
        born &= Q(date_of_birth__gt=_years_before(today, age_to + 1))
        estimated &= Q(estimated_age__lte=age_to)
    return born | estimated


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _conditions(hub, query: dict, today: date) -> list[Q]:
    trigram = bool(query.get("name")) and trigram_available()
    found = []
    if name := query.get("name"):
        narrowed = query.get("date_of_birth") or query.get("nhs_number") or normal_postcode(query.get("postcode") or "")
        found.append(_name_q(hub, name, trigram, bool(narrowed)))
    if born := query.get("date_of_birth"):
        dates = sorted({born.isoformat(), *([s.isoformat()] if (s := day_month_swapped(born)) else [])})
        found.append(
            Q(pk__in=PersonKey.objects.filter(hub=hub, key__in=[f"dob:{d}" for d in dates]).values("person_id"))
        )
    if query.get("age_from") is not None or query.get("age_to") is not None:
        found.append(_born_between(query.get("age_from"), query.get("age_to"), today))
    if typed := query.get("postcode"):
        q = postcode_q(typed)
        found.append(q if q is not None else Q(pk__in=[]))
    if address := " ".join((query.get("address") or "").split()):
        found.append(Q(address__icontains=address))
    if nhs := normalise_nhs_number(query.get("nhs_number") or ""):
        found.append(Q(nhs_number=nhs))
    return found


# ---- the search ---------------------------------------------------------------------------------------------------


def _as_records(query: dict) -> list[PersonRecord]:
    """The query as the scorer's records: one word of a name may be a given or a family name, so both are tried."""
    words = normalise_name(query.get("name") or "").split()
    common = {
        "date_of_birth": query.get("date_of_birth"),
        "postcode": query.get("postcode") or "",
        "nhs_number": normalise_nhs_number(query.get("nhs_number") or ""),
        "address": query.get("address") or "",
    }
    if len(words) == 1:
        return [PersonRecord(given_name=words[0], **common), PersonRecord(family_name=words[0], **common)]
    if words:
        return [PersonRecord(given_name=words[0], family_name=" ".join(words[1:]), **common)]
    return [PersonRecord(**common)]


# What scoring reads of a matching record, and what a result shows of each record and its referral.
SCORED = ("pk", "index_person_id", "given_name", "family_name", "date_of_birth", "postcode", "nhs_number", "address")
SHOWN = (
    "id", "referral_id", "role", "index_person_id", "given_name", "family_name", "date_of_birth", "estimated_age",
    "nhs_number", "address", "postcode", "referral__id", "referral__reference", "referral__received_at",
    "referral__status", "referral__rating",
)  # fmt: skip


def _record(row: tuple) -> PersonRecord:
    """A row of SCORED (then the referral's received time) as the scorer's record."""
    _, _, given_name, family_name, date_of_birth, postcode, nhs_number, address, _ = row
    return PersonRecord(
        given_name=given_name, family_name=family_name, date_of_birth=date_of_birth, postcode=postcode,
        nhs_number=nhs_number, address=address,
    )  # fmt: skip


def _role_words(person: Person) -> str:
    if person.role == PersonRole.SUBJECT:
        return str(PersonRole.SUBJECT.label)
    return gettext("Named as %(role)s") % {"role": person.get_role_display().lower()}


def _add(values: list, value) -> None:
    if value not in (None, "") and value not in values:
        values.append(value)


def people_search(access, *, hub, query: dict, today: date | None = None) -> list[PersonResult]:
    """The people of the hub matching every criterion of `query` (keys of FIELDS: `name`, `postcode`, `address` and
    `nhs_number` as typed, `date_of_birth` a date, `age_from` and `age_to` whole years), in the referrals `access` may
    list, one result per index person with every record of theirs the reader may see, best match first, at most
    MAX_PEOPLE. Two queries (three on PostgreSQL: whether pg_trgm is there); nothing asked, nothing found."""
    if unknown := set(query) - set(FIELDS):
        raise ValueError(f"Unknown search fields: {sorted(unknown)}")
    conditions = _conditions(hub, query, today or timezone.localdate())
    if not conditions:
        return []
    visible = referrals_visible_to(access, Action.REFERRAL_LIST).filter(hub=hub).values("pk")
    matched = Person.objects.filter(referral__in=visible)
    for condition in conditions:
        matched = matched.filter(condition)
    rows = list(
        matched.order_by("-referral__received_at", "pk").values_list(*SCORED, "referral__received_at")[:MAX_RECORDS]
    )
    if not rows:
        return []
    asked = _as_records(query)
    best: dict = {}  # index person (or the record itself, not yet indexed) -> (score, reasons, record id, received)
    for row in rows:
        record = _record(row)
        found = max((score(q, record) for q in asked), key=lambda s: s.score)
        group = row[1] or row[0]
        if group not in best or found.score > best[group][0]:
            best[group] = (found.score, found.reasons, row[0], row[-1])
    # Only the first MAX_PEOPLE people are read in full: the best scores, and among equal scores those whose
    # matching record came in most recently.
    best = dict(sorted(best.items(), key=lambda item: (-item[1][0], -item[1][3].timestamp()))[:MAX_PEOPLE])
    index_ids = [group for group, (_, _, pk, _) in best.items() if group != pk]
    alone = [pk for group, (_, _, pk, _) in best.items() if group == pk]
    persons = (
        Person.objects.filter(referral__in=visible)
        .filter(Q(index_person_id__in=index_ids) | Q(pk__in=alone))
        .select_related("referral")
        .only(*SHOWN)
        .order_by()
    )
    records: dict = {group: [] for group in best}
    for person in persons:
        records[person.index_person_id or person.pk].append(person)
    results = [_result(group, records[group], *best[group][:3]) for group in best]
    results.sort(key=lambda r: (-r.score, _newest(r)))
    return results[:MAX_PEOPLE]


def _newest(result: PersonResult) -> float:
    return -max(r.received_at.timestamp() for r in result.referrals) if result.referrals else 0.0


def _result(group, persons: list[Person], points: float, reasons: list[str], best) -> PersonResult:
    shown = [r for r in reasons if not r.endswith("missing")]  # what the query did not ask is not a reason
    result = PersonResult(index_person_id=group, score=points, reasons=[reason_in_words(r) for r in shown])
    persons = sorted(persons, key=lambda p: (p.pk != best, -p.referral.received_at.timestamp()))
    for person in persons:
        _add(result.names, str(person) if (person.given_name or person.family_name) else "")
        _add(result.dates_of_birth, person.date_of_birth)
        _add(result.estimated_ages, person.estimated_age if person.date_of_birth is None else None)
        _add(result.nhs_numbers, person.nhs_number)
        _add(result.addresses, ", ".join(part for part in (person.address, person.postcode) if part))
    seen = set()
    for person in sorted(persons, key=lambda p: (-p.referral.received_at.timestamp(), p.role != PersonRole.SUBJECT)):
        referral = person.referral
        if (referral.pk, person.role) in seen:
            continue
        seen.add((referral.pk, person.role))
        result.referrals.append(
            ReferralShown(
                id=referral.pk,
                reference=referral.reference,
                role=_role_words(person),
                received_at=referral.received_at,
                status=referral.get_status_display(),
                rating=referral.rating,
            )  # fmt: skip
        )
    return result
