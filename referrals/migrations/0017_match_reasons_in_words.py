"""Suggestions stored before matching scored carry reason codes; they become the scorer's words (what a practitioner
reads). Referrals stored before matching moved to the worker were matched in their request: they are marked matched,
so beat's matching sweep does not take them all up again."""

from django.db import migrations
from django.db.models import F

WORDS = {
    "nhs_number": ["NHS number equal"],
    "name_and_date_of_birth": ["family names equal", "given names equal", "date of birth equal"],
    "family_name_and_postcode": ["family names equal", "postcode equal"],
}


def forward(apps, schema_editor):
    SubjectMatch = apps.get_model("referrals", "SubjectMatch")
    Referral = apps.get_model("referrals", "Referral")
    for match in SubjectMatch.objects.all().only("id", "reasons").iterator(chunk_size=1000):
        if any(reason in WORDS for reason in match.reasons or []):
            words = []
            for reason in match.reasons:
                words += [w for w in WORDS.get(reason, [reason]) if w not in words]
            match.reasons = words
            match.save(update_fields=["reasons"])
    Referral.objects.filter(matched_at__isnull=True).update(matched_at=F("created_at"))


class Migration(migrations.Migration):
    dependencies = [("referrals", "0016_person_name_trigram_indexes")]
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]
