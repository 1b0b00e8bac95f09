"""Households and the person index.

A **household** groups the referrals created together from one contact about a family: each child has their own
referral (own rating, deadlines, decision and outcome, as the Children in Need census and Ofsted count them), and the
adults and regular visitors are named on each child's referral with their relationship to that child.

An **index person** is one person known to the hub: every referral record about them (`Person` rows, as subject or
as someone else named) points to it. Records come together only through a **same-person link** that someone decided
(or that one contact typed once, for a household's members); undoing that link splits the index person again.
Links have a type — same person, sibling, parent or carer, household member, not related — with who decided, when and
why. Chronologies follow same-person links only; the household view follows the others.

**Person keys** are the blocking keys of each record (referrals/person_blocking.py): the candidate search for a new
subject is an index lookup on them, never a scan of the hub's people.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from agencies.models import Hub
from mash.errors import Conflict


class Household(models.Model):
    """The referrals made from one contact about a family, one per child."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="households")
    reference = models.CharField(max_length=32)
    created_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["hub", "reference"], name="household_reference_unique_per_hub")]

    def __str__(self):
        return self.reference


class IndexPerson(models.Model):
    """One person known to the hub; `records` are the referral records about them."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="index_people")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return str(self.id)


class LinkKind(models.TextChoices):
    SAME_PERSON = "same_person", _("Same person")
    SIBLING = "sibling", _("Sibling")
    PARENT_CARER = "parent_carer", _("Parent or carer")
    HOUSEHOLD = "household", _("Household member")
    NOT_RELATED = "not_related", _("Not related")


class PersonLink(models.Model):
    """What someone decided about two referral records: the same person, related (and how), or not related. An
    active link can be undone once, with a reason; the undone link stays as the record of what was believed."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey(Hub, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey("referrals.Person", on_delete=models.CASCADE, related_name="links_from")
    other = models.ForeignKey("referrals.Person", on_delete=models.CASCADE, related_name="links_to")
    kind = models.CharField(max_length=20, choices=LinkKind.choices)
    reason = models.TextField()
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    decided_at = models.DateTimeField()
    match = models.ForeignKey(
        "referrals.SubjectMatch", on_delete=models.SET_NULL, null=True, blank=True, related_name="links"
    )
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    undo_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["person", "other"], condition=Q(undone_at__isnull=True), name="one_active_link_per_pair"
            ),
            models.CheckConstraint(condition=~Q(person=models.F("other")), name="link_between_two_records"),
        ]
        indexes = [models.Index(fields=["other"], name="personlink_other")]

    def __str__(self):
        return f"{self.person} – {self.get_kind_display()} – {self.other}"

    @property
    def is_active(self) -> bool:
        return self.undone_at is None

    def undo(self, *, by, at, reason: str) -> None:
        if self.undone_at is not None:
            raise Conflict(gettext("This link has already been undone"))
        self.undone_at, self.undone_by, self.undo_reason = at, by, reason
        self.save(update_fields=["undone_at", "undone_by", "undo_reason"])


class PersonKey(models.Model):
    """One blocking key of one referral record (referrals/person_blocking.py), for the indexed candidate search."""

    person = models.ForeignKey("referrals.Person", on_delete=models.CASCADE, related_name="keys")
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=120)

    class Meta:
        # Covering (PostgreSQL): the candidate search counts the keys each record shares with a subject from the
        # index alone, and reads the records themselves only for the few it keeps (referrals/matching.py).
        indexes = [models.Index(fields=["hub", "key"], include=["person", "id"], name="personkey_hub_key_person")]
        constraints = [models.UniqueConstraint(fields=["person", "key"], name="one_key_per_person")]

    def __str__(self):
        return self.key


__all__ = ["Household", "IndexPerson", "LinkKind", "PersonLink", "PersonKey"]
