"""Services of the person index (referrals/models/people_index.py): new records get their own index person and
their blocking keys; a link between two records is decided and undone here, and a same-person link joins (its undo
splits) index people. Every link decided by a person is audited; the chronology follows the index, so it is
recomputed by the next read.
"""

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext

from agencies.access import access_for
from agencies.policy import Action, require
from audit.events.actions import AuditAction
from audit.events.payloads import PersonLinked, PersonLinkUndone
from audit.services import record
from mash.errors import Conflict
from mash.schemas import validated
from referrals.link_schemas import LinkSchema, LinkUndoSchema
from referrals.models import IndexPerson, LinkKind, Person, PersonKey, PersonLink
from referrals.person_blocking import blocking_keys
from referrals.person_match import PersonRecord, normalise_name


def person_record(person: Person) -> PersonRecord:
    """The scorer's view of a referral record."""
    return PersonRecord(
        given_name=person.given_name, family_name=person.family_name, date_of_birth=person.date_of_birth,
        postcode=person.postcode, nhs_number=person.nhs_number, address=person.address, record_id=str(person.pk),
    )  # fmt: skip


def records_index(persons: list[Person], *, hub) -> None:
    """Each saved record without an index person gets its own, and every record its blocking keys written afresh
    (after an amendment too). Part of the caller's transaction."""
    new = index_people_give(persons, hub=hub)
    Person.objects.bulk_update(new, ["index_person"])
    if indexed := [p for p in persons if p not in new]:  # a new record has no keys yet: nothing to delete
        PersonKey.objects.filter(person__in=indexed).delete()
    keys_write(persons, hub=hub)


def index_people_give(persons: list[Person], *, hub) -> list[Person]:
    """An index person of its own for each record without one (saved or not: a new referral's records are inserted
    with theirs); returns those records."""
    new = [p for p in persons if p.index_person_id is None]
    people = IndexPerson.objects.bulk_create(IndexPerson(hub=hub) for _ in new)
    for person, index in zip(new, people, strict=True):
        person.index_person = index
    return new


def keys_write(persons: list[Person], *, hub) -> None:
    """The blocking keys of saved records that have none."""
    PersonKey.objects.bulk_create(
        PersonKey(person=p, hub=hub, key=key[:120]) for p in persons for key in sorted(blocking_keys(person_record(p)))
    )


def differences(person: Person, other: Person) -> list[str]:
    """What differs between two records that someone says are the same person, in words, for the confirmation
    ("Given name: Amy on this referral, Ava on the other")."""
    found = []
    if person.given_name and other.given_name and normalise_name(person.given_name) != normalise_name(other.given_name):
        found.append(
            gettext("Given name: %(one)s on one record, %(other)s on the other")
            % {"one": person.given_name, "other": other.given_name}
        )
    if (
        person.family_name
        and other.family_name
        and normalise_name(person.family_name) != normalise_name(other.family_name)
    ):
        found.append(
            gettext("Family name: %(one)s on one record, %(other)s on the other")
            % {"one": person.family_name, "other": other.family_name}
        )
    if person.date_of_birth and other.date_of_birth and person.date_of_birth != other.date_of_birth:
        one, two = (date_format(d, "j F Y") for d in (person.date_of_birth, other.date_of_birth))
        found.append(
            gettext("Date of birth: %(one)s on one record, %(other)s on the other") % {"one": one, "other": two}
        )
    if person.nhs_number and other.nhs_number and person.nhs_number != other.nhs_number:
        found.append(
            gettext("NHS number: %(one)s on one record, %(other)s on the other")
            % {"one": person.nhs_number, "other": other.nhs_number}
        )
    return found


def active_link(person: Person, other: Person) -> PersonLink | None:
    return PersonLink.objects.filter(
        Q(person=person, other=other) | Q(person=other, other=person), undone_at__isnull=True
    ).first()


class Unconfirmed(Conflict):
    """A same-person link between records that differ, not yet confirmed: the message names the differences."""

    def __init__(self, found: list[str]):
        super().__init__(
            gettext("These records differ — %(differences)s. Confirm that they are the same person.")
            % {"differences": "; ".join(found)},
            field="confirmed",
        )
        self.differences = found


@transaction.atomic
def link_create(*, person: Person, other: Person, kind: str, by, reason: str, match=None, audit: bool = True,
                at=None, confirmed: bool = False) -> PersonLink:  # fmt: skip
    """Record what `by` decided about two records of one hub, and why (required). A same-person link joins their
    index people (the chronology then follows both). A same-person link between records that differ (`differences`)
    needs `confirmed`: `Unconfirmed` names the differences otherwise, whatever the path. Conflict when the pair
    already has an active link (undo it first). `audit=False` only for links a service records under its own event
    (a household's members, typed once)."""
    clean = validated(LinkSchema, {"kind": kind, "reason": reason})
    kind, reason = clean["kind"], clean["reason"]
    referral = person.referral
    if by is not None:
        require(access_for(by, referral.hub_id), Action.MATCH_DECIDE, referral)
    if other.referral.hub_id != referral.hub_id or person.pk == other.pk:
        raise Conflict(gettext("These records cannot be linked"))
    if (existing := active_link(person, other)) is not None:
        raise Conflict(
            gettext("These records are already linked (%(kind)s): undo that first")
            % {"kind": existing.get_kind_display().lower()}
        )
    if kind == LinkKind.SAME_PERSON and not confirmed and (found := differences(person, other)):
        raise Unconfirmed(found)
    link = PersonLink.objects.create(
        hub_id=referral.hub_id, person=person, other=other, kind=kind, reason=reason, decided_by=by,
        decided_at=at or timezone.now(), match=match,
    )  # fmt: skip
    if kind == LinkKind.SAME_PERSON:
        _join(person, other)
    if audit:
        record(AuditAction.PERSON_LINKED, hub=referral.hub, obj=referral, payload=_payload(link))
    return link


@transaction.atomic
def link_undo(*, link: PersonLink, by, reason: str) -> PersonLink:
    """Undo a link with the reason (audited). Undoing a same-person link splits the index person along the
    same-person links that remain, so each chronology holds only its own person's referrals again."""
    link = PersonLink.objects.select_for_update().select_related("person__referral__hub", "other").get(pk=link.pk)
    referral = link.person.referral
    require(access_for(by, referral.hub_id), Action.MATCH_DECIDE, referral)
    reason = validated(LinkUndoSchema, {"reason": reason})["reason"]
    link.undo(by=by, at=timezone.now(), reason=reason)
    if link.kind == LinkKind.SAME_PERSON:
        index_split({link.person.index_person_id, link.other.index_person_id} - {None}, hub=referral.hub)
    record(AuditAction.PERSON_LINK_UNDONE, hub=referral.hub, obj=referral,
           payload=PersonLinkUndone(**_payload(link), undo_reason=reason))  # fmt: skip
    return link


def _payload(link: PersonLink) -> PersonLinked:
    return PersonLinked(
        link_id=str(link.pk), kind=link.kind, other_referral_id=str(link.other.referral_id), reason=link.reason
    )


def _join(person: Person, other: Person) -> None:
    keep, gone = person.index_person_id, other.index_person_id
    if keep is None or gone is None or keep == gone:
        return
    Person.objects.filter(index_person_id=gone).update(index_person_id=keep)
    IndexPerson.objects.filter(pk=gone).delete()


def index_split(index_ids: set, *, hub) -> None:
    """Regroup the records of these index people by the active same-person links between them: the largest group
    keeps its index person, each other group gets a new one."""
    records = list(Person.objects.filter(index_person_id__in=index_ids).order_by("referral__received_at", "pk"))
    ids = {r.pk for r in records}
    parent = {pk: pk for pk in ids}

    def root(pk):
        while parent[pk] != pk:
            parent[pk] = parent[parent[pk]]
            pk = parent[pk]
        return pk

    links = PersonLink.objects.filter(kind=LinkKind.SAME_PERSON, undone_at__isnull=True, person__in=ids, other__in=ids)
    for a, b in links.values_list("person_id", "other_id"):
        parent[root(a)] = root(b)
    groups: dict = {}
    for r in records:
        groups.setdefault(root(r.pk), []).append(r)
    ordered = sorted(groups.values(), key=len, reverse=True)
    used = set()
    for group in ordered:
        current = {r.index_person_id for r in group} - used
        index_id = min(current, key=str) if current else IndexPerson.objects.create(hub=hub).pk
        used.add(index_id)
        Person.objects.filter(pk__in=[r.pk for r in group]).update(index_person_id=index_id)
    IndexPerson.objects.filter(pk__in=index_ids - used).delete()
