"""The naive way: a ModelViewSet, nested ModelSerializers, and guardian's generic object permissions assigned one by
one, all in one transaction."""

import uuid

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone
from guardian.shortcuts import assign_perm
from rest_framework import serializers, viewsets

from bench.intake.naive.app.models import AuditRow, Person, Referral

GROUPS = ("practitioner", "manager", "deputy")


class PersonSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["role", "given_name", "family_name", "date_of_birth", "estimated_age", "gender", "ethnicity",
                  "nhs_number", "address", "postcode"]  # fmt: skip


class ReferralSerializer(serializers.ModelSerializer):
    persons = PersonSerializer(many=True)

    class Meta:
        model = Referral
        fields = ["id", "reference", "cohort", "source_code", "concerns", "narrative", "immediate_risk", "consent",
                  "consent_reason", "referrer_name", "referrer_role", "referrer_contact", "persons", "status",
                  "received_at"]  # fmt: skip
        read_only_fields = ["id", "reference", "status", "received_at"]

    @transaction.atomic
    def create(self, validated):
        persons = validated.pop("persons")
        user = self.context["request"].user
        referral = Referral.objects.create(
            reference=f"REF-{uuid.uuid4().hex[:16]}", received_at=timezone.now(), created_by=user, **validated
        )
        for person in persons:
            Person.objects.create(referral=referral, **person)
        for name in GROUPS:
            group, _ = Group.objects.get_or_create(name=f"bench:{name}")
            assign_perm("view_referral", group, referral)
        AuditRow.objects.create(
            referral=referral,
            actor=user,
            action="received",  # its own word: the naive project shares nothing with the service
            payload={"reference": referral.reference, "cohort": referral.cohort, "persons": len(persons)},
        )
        return referral


class Referrals(viewsets.ModelViewSet):
    serializer_class = ReferralSerializer
    queryset = Referral.objects.all()
