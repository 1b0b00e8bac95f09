"""The naive way to write the same rows: a ModelViewSet with nested ModelSerializers, validation in the serializer,
and guardian's generic object permissions assigned one by one. Benchmark only; never routed in the service."""

import uuid

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from guardian.models import GroupObjectPermission
from rest_framework import serializers, viewsets

from agencies.policy import Action
from audit.events.actions import AuditAction
from audit.events.payloads import ReferralReceived
from audit.services import record
from referrals.api_auth import HasScope
from referrals.models import Person, PersonRole, Referral


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["role", "given_name", "family_name", "date_of_birth", "nhs_number", "postcode"]


class ReferralSerializer(serializers.ModelSerializer):
    persons = PersonSerializer(many=True)

    class Meta:
        model = Referral
        fields = ["id", "reference", "cohort", "source_code", "concerns", "narrative", "consent", "consent_reason",
                  "referrer_name", "referrer_contact", "persons", "status", "received_at"]  # fmt: skip
        read_only_fields = ["id", "reference", "status", "received_at"]

    @transaction.atomic
    def create(self, validated):
        persons = validated.pop("persons")
        client = self.context["request"].client
        referral = Referral.objects.create(
            hub=client.hub,
            referring_agency=client.agency,
            channel="api",
            received_at=timezone.now(),
            reference=f"REF-{uuid.uuid4().hex[:16]}",
            **validated,
        )
        for person in persons:
            Person.objects.create(referral=referral, **person)
        # Three permission rows in guardian's generic table, as a naive design grants each new referral to the hub's
        # practitioner, manager and deputy groups (the service itself writes none: agencies/policy.py).
        for role in ("practitioner", "manager", "deputy"):
            group, _ = Group.objects.get_or_create(name=f"bench:{client.hub.slug}:{role}")
            GroupObjectPermission.objects.assign_perm("view_referral", group, referral)
        received = ReferralReceived(
            reference=referral.reference,
            cohort=referral.cohort,
            channel=referral.channel,
            source_code=referral.source_code,
            referring_agency_id=str(client.agency_id) if client.agency_id else None,
            concerns=referral.concerns,
            adult_risk_location=referral.adult_risk_location,
            adult_risk_source=referral.adult_risk_source,
            immediate_risk=referral.immediate_risk,
            consent=referral.consent,
            others=sum(1 for person in persons if person["role"] != PersonRole.SUBJECT),
            received_at=referral.received_at.isoformat(),
        )
        record(AuditAction.REFERRAL_RECEIVED, hub=client.hub, obj=referral, payload=received)
        return referral


class ReferenceReferrals(viewsets.ModelViewSet):
    serializer_class = ReferralSerializer
    queryset = Referral.objects.all()
    permission_classes = [HasScope]
    actions = {"POST": Action.REFERRAL_CREATE}  # the scope HasScope asks, as the service's endpoint declares it
    throttle_classes: list = []
