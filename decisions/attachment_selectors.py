"""Reads of attachments for a referral's page: every file of the referral, of its (and its household's) case notes
and of its contributions, in one query kept for the request; each panel shows those of the objects it already
shows (the notes and contributions the reader may see), so a file is never listed where its owner is not."""

from django.db.models import Q

from decisions.models.attachments import Attachment
from decisions.models.notes import CaseNote
from mash.prepared import Prepared


def files_of_referral(request, referral) -> list[Attachment]:
    """Every attachment about the referral, oldest first (one query per request)."""
    cache = request.__dict__.setdefault("_attachments_of", {})
    if referral.pk not in cache:
        if referral.household_id:
            cache[referral.pk] = _files_of_referral_in_household(referral.pk, referral.household_id)
        else:
            cache[referral.pk] = _files_of_referral(referral.pk)
    return cache[referral.pk]


def _files(referral_id, household_id=None):
    where = Q(referral_id=referral_id) | Q(note__referral_id=referral_id) | Q(contribution__referral_id=referral_id)
    if household_id is not None:
        where |= Q(note__household_id=household_id)
    return Attachment.objects.filter(where).select_related("added_by", "added_by_client__agency")


# On every referral page: written once per process (docs/adr/0025), one for a referral in a household, one without.
_files_of_referral = Prepared(_files, Attachment._meta.get_field("referral"))
_files_of_referral_in_household = Prepared(
    _files, Attachment._meta.get_field("referral"), CaseNote._meta.get_field("household")
)


def files_of_household(household) -> list[Attachment]:
    """The files of the household's own notes (one query)."""
    return list(
        Attachment.objects.filter(note__household_id=household.pk).select_related("added_by", "added_by_client__agency")
    )


def attach_files(objects, files: list[Attachment], field: str) -> None:
    """Give each object (note or contribution) its `files`, from the list, by the attachment's `field`_id."""
    by_owner: dict = {}
    for f in files:
        by_owner.setdefault(getattr(f, f"{field}_id"), []).append(f)
    for obj in objects:
        obj.files = by_owner.get(obj.pk, [])


def files_of(obj, field: str) -> list[Attachment]:
    """The files of one note or contribution (one query)."""
    return list(
        Attachment.objects.filter(**{f"{field}_id": obj.pk}).select_related("added_by", "added_by_client__agency")
    )
