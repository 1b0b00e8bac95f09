"""Case notes: a practitioner or manager adds a note to a referral or a household; a note is never edited, only
followed by a correction (a new note that points to it). Management oversight notes are the acting manager's."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from agencies.access import access_for
from agencies.policy import Action, may, require
from audit.events.actions import AuditAction
from audit.events.payloads import NoteAdded, NoteCorrected
from audit.services import record
from decisions.models.notes import CaseNote, NoteKind
from decisions.note_schemas import CorrectionSchema, NoteSchema
from decisions.services.attachments import attachments_store
from mash.errors import Conflict
from mash.schemas import validated
from referrals.models import Household, Referral


def note_clean(*, on, by, data) -> dict:
    """The note's values, or ValidationError by field; nothing is written."""
    access = access_for(by, on.hub_id)
    return validated(NoteSchema, data, may_oversee=may(access, Action.NOTE_OVERSIGHT, on))


def _facts(note: CaseNote) -> dict:
    return {
        "referral_id": str(note.referral_id) if note.referral_id else None,
        "household_id": str(note.household_id) if note.household_id else None,
        "kind": note.kind,
        "occurred_at": note.occurred_at.isoformat(),
    }


def _write(*, on, by, kind, values, corrects=None) -> CaseNote:
    return CaseNote.objects.create(
        hub_id=on.hub_id,
        referral=on if isinstance(on, Referral) else None,
        household=on if isinstance(on, Household) else None,
        kind=kind,
        occurred_at=values["occurred_at"],
        text=values["text"],
        written_by=by,
        written_at=timezone.now(),
        corrects=corrects,
    )


@transaction.atomic
def note_add(*, on: Referral | Household, by, data, files=()) -> CaseNote:
    """A new note on the referral or household `on`: its kind, when it happened (now if not given) and its text, with
    the files already checked and scanned (decisions/services/attachments.py `upload_check`) attached to it."""
    require(access_for(by, on.hub_id), Action.NOTE_ADD, on)
    values = note_clean(on=on, by=by, data=data)
    note = _write(on=on, by=by, kind=values["kind"], values=values)
    record(AuditAction.NOTE_ADDED, hub=on.hub_id, obj=note, payload=NoteAdded(**_facts(note)))
    attachments_store(on=note, by=by, files=files)
    return note


@transaction.atomic
def note_correct(*, note: CaseNote, by, data) -> CaseNote:
    """A correction of `note`: a new note of the same type on the same referral or household that points to it.
    The original is kept as it was; a note is corrected once (a correction may be corrected in its turn)."""
    note = CaseNote.objects.select_for_update(of=("self",)).select_related("referral", "household").get(pk=note.pk)
    access = access_for(by, note.hub_id)
    require(access, Action.NOTE_CORRECT, note)
    if note.kind == NoteKind.MANAGEMENT_OVERSIGHT:
        require(access, Action.NOTE_OVERSIGHT, note.on)
    if CaseNote.objects.filter(corrects=note).exists():
        raise Conflict(gettext("This note has already been corrected: correct the correction instead"))
    values = validated(CorrectionSchema, data)
    correction = _write(on=note.on, by=by, kind=note.kind, values=values, corrects=note)
    facts = NoteCorrected(**_facts(correction), corrects_id=str(note.pk))
    record(AuditAction.NOTE_CORRECTED, hub=note.hub_id, obj=correction, payload=facts)
    return correction
