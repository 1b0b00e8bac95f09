"""The referral's disclosure log, in one list by time: what each agency's information was shared with and why (the
contributions' own log), whether the family or the adult was told and agreed, each decision to share without consent
(with its lawful basis) or not to share, and the manager's override of one. The consent and sharing entries are for
the hub's staff only (agencies' officers never see them); the caller has already scoped the contributions.

The same consent and sharing entries go into the chronology (decisions/selectors.py `chronology`)."""

from django.utils.translation import gettext as _

from agencies.policy import Action, may
from decisions.models.sharing import ConsentRecord, SharingDecision, SharingKind
from mash.prepared import rows_of
from mash.words import translated

# One referral's rows, unscoped (only the hub's staff reach them: `consent_and_sharing_entries`, the consent panel),
# written once per process (mash/prepared.py).
_consent_records_of = rows_of(ConsentRecord, "referral", lambda rows: rows.select_related("recorded_by"))
_sharing_decisions_of = rows_of(
    SharingDecision, "referral", lambda rows: rows.select_related("recorded_by", "overridden_by")
)


def _consent_text(c: ConsentRecord) -> str:
    if c.told and c.agreed:
        return _("Told of the referral and agreed")
    told = _("Told of the referral but did not agree") if c.told else _("Not told of the referral")
    return f"{told}: {c.reason_words}" if c.reason_words else told


def consent_rows(referral) -> tuple[list[ConsentRecord], list[SharingDecision]]:
    """The referral's consent records (newest first) and sharing decisions, read once a request: the referral page's
    disclosure log and its consent panel both show them (kept on the referral object the page passes to each)."""
    if not hasattr(referral, "_consent_rows"):
        referral._consent_rows = (_consent_records_of(referral), _sharing_decisions_of(referral))
    return referral._consent_rows


def consent_and_sharing_entries(access, referrals: list) -> list[dict]:
    """Consent records, sharing decisions and overrides of these referrals as {at, referral, kind, text}, for the
    readers who may record them (the hub's staff); none for anyone else. Two queries (none for a referral whose rows
    the page has read already)."""
    allowed = {r.pk: r for r in referrals if may(access, Action.CONSENT_RECORD, r)}
    if not allowed:
        return []
    if len(allowed) == 1:
        records, decisions = consent_rows(next(iter(allowed.values())))
    else:
        records = list(ConsentRecord.objects.filter(referral_id__in=allowed))
        decisions = list(SharingDecision.objects.filter(referral_id__in=allowed))
    entries = []
    for c in records:
        entries.append({"at": c.at, "referral": allowed[c.referral_id], "kind": _("Consent"), "text": _consent_text(c)})
    for s in decisions:
        referral = allowed[s.referral_id]
        if s.kind == SharingKind.WITHOUT_CONSENT:
            kind = _("Decision to share without consent")
            text = _("%(what)s, with %(with_whom)s (%(lawful_basis)s). Why: %(rationale)s") % {
                "what": s.what, "with_whom": s.with_whom, "lawful_basis": s.get_lawful_basis_display(),
                "rationale": s.rationale,
            }  # fmt: skip
        else:
            kind = _("Decision not to share")
            text = _("%(what)s, with %(with_whom)s. Why: %(rationale)s") % {
                "what": s.what, "with_whom": s.with_whom, "rationale": s.rationale,
            }  # fmt: skip
        entries.append({"at": s.at, "referral": referral, "kind": kind, "text": text})
        if s.overridden_at:
            entries.append({"at": s.overridden_at, "referral": referral,
                            "kind": _("Manager's override of the decision (%(kind)s)")
                            % {"kind": s.get_kind_display().lower()},
                            "text": s.override_reason})  # fmt: skip
    return entries


def disclosure_log(access, referral, contributions: list) -> list[dict]:
    """The referral page's disclosure log, oldest first: the contributions' disclosures (prefetched by the caller)
    and, for the hub's staff, consent and sharing decisions."""
    entries = [
        {"at": d.at, "kind": _("%(agency)s's information shared") % {"agency": c.agency.name},
         "text": _("With %(shared_with)s. Why: %(purpose)s. %(lawful_basis)s")
         % {"shared_with": translated(d.shared_with), "purpose": d.purpose, "lawful_basis": d.get_lawful_basis_display()}}
        for c in contributions for d in c.disclosures.all()
    ]  # fmt: skip
    entries += consent_and_sharing_entries(access, [referral])
    return sorted(entries, key=lambda e: e["at"])
