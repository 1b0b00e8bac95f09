from django.conf import settings
from django.db import models


class Referral(models.Model):
    COHORTS = [("child", "Child"), ("adult", "Adult")]
    CONSENTS = [("given", "Given"), ("not_obtained", "Not obtained"), ("refused", "Refused")]

    reference = models.CharField(max_length=40, unique=True)
    cohort = models.CharField(max_length=10, choices=COHORTS)
    source_code = models.CharField(max_length=10)
    concerns = models.JSONField(default=list)
    narrative = models.TextField()
    immediate_risk = models.BooleanField(default=False)
    consent = models.CharField(max_length=20, choices=CONSENTS)
    consent_reason = models.TextField(blank=True)
    referrer_name = models.CharField(max_length=200)
    referrer_role = models.CharField(max_length=200, blank=True)
    referrer_contact = models.CharField(max_length=200)
    status = models.CharField(max_length=20, default="received")
    received_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)

    def __str__(self):
        return self.reference


class Person(models.Model):
    ROLES = [("subject", "Subject"), ("parent_carer", "Parent or carer"), ("sibling", "Sibling"), ("other", "Other")]

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="persons")
    role = models.CharField(max_length=20, choices=ROLES)
    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    date_of_birth = models.DateField(null=True, blank=True)
    estimated_age = models.PositiveSmallIntegerField(null=True, blank=True)
    gender = models.CharField(max_length=50, blank=True)
    ethnicity = models.CharField(max_length=100, blank=True)
    nhs_number = models.CharField(max_length=10, blank=True)
    address = models.CharField(max_length=300, blank=True)
    postcode = models.CharField(max_length=10, blank=True)

    def __str__(self):
        return f"{self.given_name} {self.family_name}"


class AuditRow(models.Model):
    """One row per referral: who, what, when and a small payload."""

    referral = models.ForeignKey(Referral, on_delete=models.PROTECT)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT)
    action = models.CharField(max_length=40)
    at = models.DateTimeField(auto_now_add=True)
    payload = models.JSONField(default=dict)

    def __str__(self):
        return f"{self.action} {self.referral_id}"
