"""Every record already stored gets its own index person and its blocking keys; each confirmed match becomes a
same-person link (decided by whoever confirmed it) and joins the two records' index people."""

from django.db import migrations

from referrals.person_blocking import blocking_keys
from referrals.person_match import PersonRecord


def backfill(apps, schema_editor):
    Person = apps.get_model("referrals", "Person")
    IndexPerson = apps.get_model("referrals", "IndexPerson")
    PersonKey = apps.get_model("referrals", "PersonKey")
    PersonLink = apps.get_model("referrals", "PersonLink")
    SubjectMatch = apps.get_model("referrals", "SubjectMatch")
    people = list(Person.objects.filter(index_person__isnull=True).select_related("referral"))
    for person in people:
        person.index_person = IndexPerson.objects.create(hub_id=person.referral.hub_id)
        record = PersonRecord(
            given_name=person.given_name, family_name=person.family_name, date_of_birth=person.date_of_birth,
            postcode=person.postcode, nhs_number=person.nhs_number, address=person.address,
        )  # fmt: skip
        PersonKey.objects.bulk_create(
            PersonKey(person=person, hub_id=person.referral.hub_id, key=k[:120]) for k in sorted(blocking_keys(record))
        )
    Person.objects.bulk_update(people, ["index_person"], batch_size=500)
    for match in SubjectMatch.objects.filter(state="confirmed").select_related("referral", "candidate"):
        subject = Person.objects.get(referral_id=match.referral_id, role="subject")
        PersonLink.objects.create(
            hub_id=match.referral.hub_id, person=subject, other=match.candidate, kind="same_person",
            reason="Confirmed as the same person", decided_by_id=match.decided_by_id,
            decided_at=match.decided_at or match.referral.received_at, match=match,
        )  # fmt: skip
        keep, gone = subject.index_person_id, Person.objects.get(pk=match.candidate_id).index_person_id
        if keep != gone:
            Person.objects.filter(index_person_id=gone).update(index_person_id=keep)
            IndexPerson.objects.filter(pk=gone).delete()


class Migration(migrations.Migration):
    dependencies = [("referrals", "0014_person_index_and_households")]
    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
