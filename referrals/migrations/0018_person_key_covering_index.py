"""The person-key index covers the record and the row id (PostgreSQL): the candidate search ranks records by the keys
they share with a subject from the index alone (bench/matching/latency.py)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0008_late_referral_days"),
        ("referrals", "0017_match_reasons_in_words"),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="personkey",
            name="personkey_hub_key",
        ),
        migrations.AddIndex(
            model_name="personkey",
            index=models.Index(fields=["hub", "key"], include=("person", "id"), name="personkey_hub_key_person"),
        ),
    ]
