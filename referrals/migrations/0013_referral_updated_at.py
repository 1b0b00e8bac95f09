"""Referral.updated_at: when the rating, status or outcome the referrer reads last changed, for the agencies' change
feed (`GET /api/v1/referrals/?updated_since=`). Existing referrals take the latest of when they were recorded,
screened or re-rated, and decided."""

import django.utils.timezone
from django.conf import settings
from django.db import migrations, models
from django.db.models import F, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce, Greatest


def backfill(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    Screening = apps.get_model("referrals", "Screening")
    last_screening = Subquery(
        Screening.objects.filter(referral=OuterRef("pk")).values("referral").annotate(at=Max("at")).values("at")[:1]
    )
    Referral.objects.update(
        updated_at=Greatest(
            F("created_at"), Coalesce(F("decided_at"), F("created_at")), Coalesce(last_screening, F("created_at"))
        )
    )


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0007_coherent_timescale_defaults"),
        ("referrals", "0012_screening_reason_for_lowering"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="updated_at",
            field=models.DateTimeField(default=django.utils.timezone.now),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(fields=["referring_agency", "updated_at"], name="referral_agency_updated"),
        ),
    ]
