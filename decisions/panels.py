"""The multi-agency section of the referral page. referrals/ sits below decisions/ and cannot import it, so the
referral page asks each dotted path in settings.REFERRAL_PAGE_PANELS for a panel (see docs/adr/0003)."""

from django.urls import reverse

from agencies.access import hub_access
from agencies.policy import Action, may
from audit.events.actions import AuditAction
from audit.services import log_read
from decisions import attachment_selectors, note_selectors, selectors
from decisions.disclosure_log import disclosure_log
from decisions.forms import ConsentForm
from decisions.models import proposal_conflict
from decisions.models.notes import NoteKind
from referrals.models import ReferralCohort


def referral_panel(request, hub, referral) -> dict:
    access = hub_access(request, hub.pk)
    sharing = selectors.referral_sharing(access, referral)
    files = attachment_selectors.files_of_referral(request, referral)
    attachment_selectors.attach_files(sharing["contributions"], files, "contribution")
    if sharing["contributions"]:
        log_read(AuditAction.CONTRIBUTION_VIEWED, hub=hub, object_type="decisions.contribution",
                 ids=[c.id for c in sharing["contributions"]])  # fmt: skip
    return {
        "template": "decisions/referral_panel.html",
        "may_request": referral.can_request_information(),
        "may_propose": proposal_conflict(referral, sharing["decisions"]) is None,
        "consent_form": ConsentForm(),
        "disclosure_log": disclosure_log(access, referral, sharing["contributions"]),
        **sharing,
    }


def consent_panel(request, hub, referral) -> dict:
    """Consent and sharing decisions: shown to the hub's staff only (an empty panel for anyone else)."""
    access = hub_access(request, hub.pk)
    consent = selectors.referral_consent(access, referral)
    if consent is None:
        return {"template": "decisions/consent_panel.html", "hidden": True}
    shown = [r.id for r in ([consent["current"]] if consent["current"] else []) + consent["history"]]
    shown += [d.id for d in consent["sharing"]]
    if shown:
        log_read(AuditAction.CONSENT_VIEWED, hub=hub, object_type="decisions.consent", ids=shown)
    return {"template": "decisions/consent_panel.html", "hidden": False, **consent}


def _notes_context(access, notes: list, *, add_url: str, may_add: bool, on_page: str) -> dict:
    """Newest first; each note says whether the reader may correct it (not twice; an oversight note only by the
    acting manager). The notes' reads are part of the page's own (referral.viewed)."""
    for n in notes:
        n.may_correct = (
            n.corrected_by is None
            and may(access, Action.NOTE_CORRECT, n)
            and (n.kind != NoteKind.MANAGEMENT_OVERSIGHT or may(access, Action.NOTE_OVERSIGHT, n))
        )
    return {"template": "decisions/notes_panel.html", "notes": notes[::-1], "may_add": may_add, "add_url": add_url,
            "on_page": on_page}  # fmt: skip


def notes_panel(request, hub, referral) -> dict:
    """The referral page's case notes: the referral's and its household's (one query)."""
    access = hub_access(request, hub.pk)
    notes = note_selectors.notes_of_referrals(access, [referral])
    attachment_selectors.attach_files(notes, attachment_selectors.files_of_referral(request, referral), "note")
    url = reverse("referral-note-new", args=[hub.id, referral.id])
    return _notes_context(
        access, notes, add_url=url, may_add=may(access, Action.NOTE_ADD, referral), on_page="referral"
    )


def household_notes_panel(request, hub, household) -> dict:
    """The household page's case notes (settings.HOUSEHOLD_PAGE_PANELS; one query)."""
    access = hub_access(request, hub.pk)
    notes = note_selectors.notes_of_household(access, household)
    files = attachment_selectors.files_of_household(household) if notes else []  # no notes, no query
    attachment_selectors.attach_files(notes, files, "note")
    url = reverse("household-note-new", args=[hub.id, household.id])
    may_add = may(access, Action.NOTE_ADD, household)
    return _notes_context(access, notes, add_url=url, may_add=may_add, on_page="household")


def adult_voice_panel(request, hub, referral) -> dict:
    """The adult's voice (wishes, capacity, advocacy): on an adult's referral only; nothing on a child's."""
    if referral.cohort != ReferralCohort.ADULT:
        return {"template": None}
    return {"template": "decisions/adult_voice_panel.html", "voice": selectors.adult_voice_of(referral)}
