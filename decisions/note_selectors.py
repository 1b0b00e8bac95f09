"""Reads of case notes, scoped by the one policy (`Action.NOTE_VIEW`): a referral's notes with its household's, a
household's own, each note with the correction that follows it (`corrected_by`) and the note a correction corrects
(`corrected`)."""

from django.db.models import Q
from django.utils.translation import gettext as _

from agencies.policy import Action, scoped
from decisions.models.notes import CaseNote
from referrals.models import Household, Referral


def _notes(access, where: Q) -> list[CaseNote]:
    notes = list(scoped(access, Action.NOTE_VIEW, CaseNote.objects.filter(where)).select_related("written_by"))
    by_id = {n.pk: n for n in notes}
    for n in notes:
        n.corrected_by = None
    for n in notes:
        n.corrected = by_id.get(n.corrects_id)
        if n.corrected is not None:
            n.corrected.corrected_by = n
    return notes


def notes_of_referrals(access, referrals: list[Referral]) -> list[CaseNote]:
    """The notes on the referrals and on their households, oldest first (one query)."""
    households = {r.household_id for r in referrals if r.household_id}
    return _notes(access, Q(referral_id__in=[r.pk for r in referrals]) | Q(household_id__in=households))


def notes_of_household(access, household: Household) -> list[CaseNote]:
    """The notes on the household itself, oldest first (one query)."""
    return _notes(access, Q(household_id=household.pk))


def note_heading(note: CaseNote) -> str:
    """What the note is, in words: "Visit note on the household, corrected later"."""
    kind = {"kind": note.get_kind_display()}
    words = _("%(kind)s note on the household") % kind if note.household_id else _("%(kind)s note") % kind
    if getattr(note, "corrected_by", None) is not None:
        words = _("%(note)s, corrected later") % {"note": words}
    if note.corrects_id:
        words = _("%(note)s, correcting an earlier note") % {"note": words}
    return words
