"""A generated set of UK households for the matching benchmark: children (siblings, some twins) and a parent sharing
a family name, address and postcode, and some of the same people entered again with the errors practitioners and
agencies make. Seeded, so every run scores the same records.

Truth kept beside the records: which records are one person (the re-entries), and which pairs are siblings or twins
(different people of one household), the pairs that must never be called a match.
"""

import contextlib
import random
from dataclasses import replace
from datetime import date, timedelta

from referrals.person_match import PersonRecord

# Top given names in England and Wales (ONS), a few spelt two ways as families spell them.
BOYS = (  # noqa: SIM905 - a list of words reads best as words
    "Oliver George Noah Arthur Harry Leo Muhammad Jack Charlie Oscar Jacob Henry Thomas Freddie Alfie "
    "Theo William Theodore Archie Joshua Alexander James Isaac Edward Lucas Tommy Finley Max Logan Ethan "
    "Teddy Benjamin Arlo Joseph Sebastian Harrison Elijah Adam Daniel Samuel Louie Mason Reuben Albie "
    "Rory Jaxon Hugo Luca Zachary Reggie Hunter Louis Dylan Albert David Jude Frankie Roman Ezra Toby "
    "Riley Carter Ronnie Frederick Gabriel Stanley Bobby Jesse Michael Elliot Grayson Mohammed Liam "
    "Jenson Ellis Harley Harvey Jayden Jake Matthew Nathan Connor Ibrahim"
).split()
GIRLS = (  # noqa: SIM905 - a list of words reads best as words
    "Olivia Amelia Isla Ava Ivy Freya Lily Florence Mia Willow Rosie Sophia Isabella Grace Daisy Sienna "
    "Poppy Elsie Emily Ella Evelyn Phoebe Sofia Evie Charlotte Harper Millie Matilda Maya Sophie Alice "
    "Emilia Isabelle Ruby Luna Maisie Aria Penelope Mila Bonnie Eva Hallie Eliza Ada Violet Esme Arabella "
    "Imogen Jessica Delilah Thea Layla Ellie Aisha Zara Maryam Fatima Hannah Chloe Lucy Erin Holly Lola "
    "Scarlett Georgia Summer Jasmine Niamh Orla"
).split()
FAMILIES = (  # noqa: SIM905 - a list of words reads best as words
    "Smith Jones Williams Taylor Brown Davies Evans Wilson Thomas Johnson Roberts Robinson Thompson "
    "Wright Walker White Edwards Hughes Green Hall Lewis Harris Clarke Patel Jackson Wood Turner Martin "
    "Cooper Hill Ward Morris Moore Clark Lee King Baker Harrison Morgan Allen James Scott Phillips Watson "
    "Davis Parker Price Bennett Young Griffiths Mitchell Kelly Cook Carter Richardson Bailey Collins Bell "
    "Shaw Murphy Miller Cox Richards Khan Marshall Anderson Simpson Ellis Adams Singh Begum Wilkinson "
    "Foster Chapman Powell Webb Rogers Gray Mason Ali Hunt Hussain Campbell Matthews Owen Palmer Holmes "
    "Mills Barnes Knight Lloyd Butler Russell Barker Fisher Stevens Jenkins Murray Dixon Harvey Kowalski "
    "Nowak Okafor Adeyemi Mensah O'Brien O'Connor McDonald Ahmed Rahman Chowdhury Nguyen"
).split()
STREETS = "Church Road|High Street|Station Road|Victoria Road|Park Road|Green Lane|Manor Road|Kings Road|Mill Lane|"
STREETS += "Queens Road|New Street|Grange Road|Albert Road|Springfield Road|Windsor Road|London Road|Chapel Street"
STREETS = STREETS.split("|")
AREAS = (  # noqa: SIM905 - a list of words reads best as words
    "B LS M S BD L NG LE CV WV BS SE E N SW NW CF NE SR HU"
).split()
# Variant spellings and everyday short forms a re-entry may use.
VARIANTS = {
    "Muhammad": ["Mohammed", "Mohammad", "Muhammed"],
    "Mohammed": ["Muhammad", "Mohamed"],
    "Alexander": ["Alex"],
    "Zachary": ["Zach"],
    "Matthew": ["Matt"],
    "Benjamin": ["Ben"],
    "Samuel": ["Sam"],
    "Thomas": ["Tom", "Tommy"],
    "William": ["Will", "Liam"],
    "Isabella": ["Bella", "Isabela"],
    "Elizabeth": ["Liz", "Beth"],
    "Charlotte": ["Lottie"],
    "Frederick": ["Freddie", "Fred"],
    "Joseph": ["Joe"],
    "Jessica": ["Jess"],
    "Sophia": ["Sofia"],
    "Aisha": ["Ayesha", "Aysha"],
    "Maryam": ["Mariam", "Miriam"],
    "Zara": ["Zarah"],
    "Isla": ["Islay"],
    "Jayden": ["Jaden", "Jaiden"],
    "Harley": ["Harlee"],
}
LETTERS = "abcdefghijklmnopqrstuvwxyz"
# Forms of one name: no two siblings get names of one group (a family does not name children Henry and Harry).
ONE_NAME = [
    {"Henry", "Harry"},
    {"Muhammad", "Mohammed"},
    {"Frederick", "Freddie"},
    {"Theo", "Theodore", "Teddy", "Edward"},
    {"Isabella", "Isabelle"},
    {"Sophia", "Sofia", "Sophie"},
    {"Eliza", "Ellie"},
    {"Louie", "Louis"},
    {"Jake", "Jacob"},
    {"Albert", "Albie", "Alfie"},
    {"Tommy", "Thomas"},
    {"Jack", "Jaxon"},
    {"Mia", "Maya", "Mila"},
    {"Eva", "Evie", "Ava"},
    {"Ella", "Ellie", "Ellis"},
]


def sibling_names(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(BOYS + GIRLS)
        if not any(name == n or any({name, n} <= group for group in ONE_NAME) for n in names):
            names.append(name)
    return names


def nhs_number(rng: random.Random) -> str:
    while True:
        digits = [rng.randint(0, 9) for _ in range(9)]
        check = 11 - sum(d * (10 - i) for i, d in enumerate(digits)) % 11
        check = 0 if check == 11 else check
        if check != 10:
            return "".join(map(str, digits)) + str(check)


def postcode(rng: random.Random) -> str:
    return f"{rng.choice(AREAS)}{rng.randint(1, 30)} {rng.randint(1, 9)}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}{rng.choice('ABDEFGHJLNPQRSTUWXYZ')}"


def typo(rng: random.Random, text: str) -> str:
    """One keyboard slip: a letter replaced, dropped, doubled or two letters swapped."""
    if len(text) < 4:
        return text + text[-1]
    i = rng.randint(1, len(text) - 2)
    kind = rng.choice(("replace", "drop", "double", "swap"))
    if kind == "replace":
        return text[:i] + rng.choice(LETTERS) + text[i + 1 :]
    if kind == "drop":
        return text[:i] + text[i + 1 :]
    if kind == "double":
        return text[:i] + text[i] + text[i:]
    return text[:i] + text[i + 1] + text[i] + text[i + 2 :]


def _birthday(rng: random.Random, start: date, years: int) -> date:
    return start + timedelta(days=rng.randint(0, 365 * years))


def reenter(rng: random.Random, person: PersonRecord, new_home: tuple[str, str], record_id: str) -> PersonRecord:
    """The same person typed again by another agency: one to three errors, some of them realistic omissions."""
    p = replace(person, record_id=record_id)
    if rng.random() < 0.5:
        p = replace(p, nhs_number="")  # most agencies do not know it
    errors = rng.sample(("given", "family", "dob", "moved", "case", "barrel"), k=rng.choice((1, 1, 2, 2, 3)))
    for error in errors:
        if error == "given":
            options = VARIANTS.get(p.given_name)
            p = replace(
                p, given_name=rng.choice(options) if options and rng.random() < 0.7 else typo(rng, p.given_name)
            )
        elif error == "family":
            p = replace(p, family_name=typo(rng, p.family_name))
        elif error == "dob" and p.date_of_birth:
            d = p.date_of_birth
            choice = rng.random()
            if choice < 0.35 and d.day <= 12 and d.day != d.month:
                p = replace(p, date_of_birth=d.replace(day=d.month, month=d.day))
            elif choice < 0.55:
                p = replace(p, date_of_birth=None)
            elif choice < 0.8:
                p = replace(p, date_of_birth=d + timedelta(days=rng.choice((-2, -1, 1, 2))))
            else:
                with contextlib.suppress(ValueError):
                    p = replace(p, date_of_birth=d.replace(year=d.year + rng.choice((-1, 1))))
        elif error == "moved":
            p = replace(p, address=new_home[0], postcode=new_home[1])
        elif error == "case":
            p = replace(
                p,
                given_name=p.given_name.upper(),
                family_name=p.family_name.lower(),
                postcode=p.postcode.replace(" ", ""),
            )
        elif error == "barrel":
            parts = p.family_name.split("-")
            p = replace(p, family_name=parts[-1] if len(parts) > 1 else f"{p.family_name}-{rng.choice(FAMILIES)}")
    return p


def generate(households: int = 3000, seed: int = 18):
    """(records, same_person_pairs, sibling_pairs, twin_pairs), pairs as frozensets of record ids."""
    rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
    records: list[PersonRecord] = []
    people: list[list[str]] = []  # each person's record ids
    household_of: dict[str, int] = {}
    twins: set[frozenset] = set()
    for h in range(households):
        family = rng.choice(FAMILIES)
        if rng.random() < 0.12:
            family = f"{family}-{rng.choice(FAMILIES)}"
        home = (f"{rng.randint(1, 180)} {rng.choice(STREETS)}", postcode(rng))
        children = rng.choice((1, 1, 2, 2, 3, 3, 4))
        names = sibling_names(rng, children + 1)
        born, twin_of = [], None
        for c in range(children):
            if c > 0 and rng.random() < 0.15:
                born.append(born[-1])  # a twin of the previous child
                twin_of = c
            else:
                born.append(_birthday(rng, date(2008, 1, 1), 17))
        members = [
            PersonRecord(
                given_name=names[c],
                family_name=family,
                date_of_birth=born[c],
                address=home[0],
                postcode=home[1],
                nhs_number=nhs_number(rng),
                record_id=f"h{h}c{c}",
            )
            for c in range(children)
        ]
        members.append(
            PersonRecord(
                given_name=names[-1],
                family_name=family,
                date_of_birth=_birthday(rng, date(1975, 1, 1), 18),
                address=home[0],
                postcode=home[1],
                nhs_number=nhs_number(rng),
                record_id=f"h{h}p",
            )
        )
        if twin_of is not None:
            twins.add(frozenset((f"h{h}c{twin_of - 1}", f"h{h}c{twin_of}")))
        for m in members:
            ids = [m.record_id]
            records.append(m)
            for k in range(rng.choice((0, 1, 1, 2))):
                moved = (f"{rng.randint(1, 180)} {rng.choice(STREETS)}", postcode(rng))
                again = reenter(rng, m, moved, f"{m.record_id}r{k}")
                records.append(again)
                ids.append(again.record_id)
            people.append(ids)
            for i in ids:
                household_of[i] = h
    same = {frozenset((a, b)) for ids in people for x, a in enumerate(ids) for b in ids[x + 1 :]}
    person_of = {i: n for n, ids in enumerate(people) for i in ids}
    by_household: dict[int, list[str]] = {}
    for i, h in household_of.items():
        by_household.setdefault(h, []).append(i)
    siblings, twin_pairs = set(), set()
    for ids in by_household.values():
        kids = [i for i in ids if "c" in i.split("h", 1)[1]]
        for x, a in enumerate(kids):
            for b in kids[x + 1 :]:
                if person_of[a] != person_of[b]:
                    pair = frozenset((a, b))
                    siblings.add(pair)
                    base = frozenset(i.split("r")[0] for i in pair)
                    if base in twins:
                        twin_pairs.add(pair)
    rng.shuffle(records)
    return records, same, siblings, twin_pairs
