"""Each decision records its referral's hub (the sign-off queue reads a hub's proposed decisions on an index of its
own instead of joining every referral of the hub): added empty, filled from the referrals, then required. Only the
proposed decisions are indexed by hub (decision_hub_awaiting): nothing else reads decisions by hub."""

import django.db.models.deletion
from django.db import migrations, models

FILL = """
UPDATE decisions_decision SET hub_id = (
    SELECT referrals_referral.hub_id FROM referrals_referral WHERE referrals_referral.id = decisions_decision.referral_id
)
"""


class Migration(migrations.Migration):
    dependencies = [
        ("agencies", "0001_initial"),
        ("decisions", "0012_attachments_by_agency_systems"),
    ]

    operations = [
        migrations.AddField(
            model_name="decision",
            name="hub",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="agencies.hub",
            ),
        ),
        migrations.RunSQL(FILL, migrations.RunSQL.noop),
        migrations.AlterField(
            model_name="decision",
            name="hub",
            field=models.ForeignKey(
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="agencies.hub",
            ),
        ),
        migrations.AddIndex(
            model_name="decision",
            index=models.Index(
                condition=models.Q(("state", "proposed")), fields=["hub", "proposed_at"], name="decision_hub_awaiting"
            ),
        ),
    ]
