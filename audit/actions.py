"""The registry of audit actions: one dotted verb per kind of event. `record()` refuses any other."""

ACTIONS: dict[str, str] = {
    # People signing in and out.
    "user.logged_in": "Signed in",
    "user.logged_out": "Signed out",
    "user.login_failed": "Failed to sign in",
    "user.locked_out": "Locked out after repeated failed sign-ins",
    "user.password_reset": "Password reset through an emailed link",
    "user.two_factor_set_up": "Authenticator app set up for two-factor sign-in",
    "user.two_factor_verified": "Two-factor code accepted",
    "user.two_factor_failed": "Wrong two-factor code",
    # Hub configuration (agencies/).
    "hub.created": "Hub created",
    "hub.updated": "Hub profile changed",
    "agency.created": "Agency created",
    "agency.updated": "Agency changed",
    "membership.set": "Agency membership of a hub set",
    "role.granted": "Role given",
    "role.revoked": "Role removed",
    "role.changed": "Role's delegation period changed",
    "document.created": "Core document created",
    "document.version_published": "Core document version published",
    "agreement.signed": "Core document signed by an agency",
    "funding.recorded": "Funding recorded",
    "funding.changed": "Funding changed",
    "api_client.created": "API client issued",
    "api_client.revoked": "API client revoked",
    # Referrals (referrals/).
    "referral.received": "Referral received",
    "referral.viewed": "Referral viewed",
    "referral.listed": "Referrals listed",
    "subject_match.confirmed": "Subject matched to an earlier record",
    "subject_match.rejected": "Suggested earlier record rejected",
    "thresholds.published": "Thresholds published",
    "referral.screened": "Referral screened and rated",
    "referral.re_rated": "Referral's rating changed by the manager",
    "referral.assigned": "Referral assigned",
    "referral.closed_no_response": "Blue referral closed by the manager: no MASH response",
    "triage_queue.listed": "Triage queue listed",
    "deadline.set": "Deadline set",
    "deadline.warned": "Deadline warning",
    "deadline.breached": "Deadline breached",
    "deadline.met": "Deadline met",
    "deadline.cancelled": "Deadline cancelled",
    "notification.listed": "Notifications listed",
    # Reads of the ledger itself.
    "audit_trail.viewed": "Audit trail viewed",
    "audit_trail.exported": "Audit trail exported",
    # Monthly returns and inspection lists (reports/).
    "return.requested": "Monthly return requested",
    "return.generated": "Monthly return generated",
    "return.failed": "Monthly return could not be generated",
    "return.viewed": "Monthly return viewed",
    "return.exported": "Monthly return downloaded",
    "returns.listed": "Monthly returns listed",
    "returns_comparison.viewed": "Hubs' returns compared side by side",
    "inspection_list.exported": "Ofsted inspection list downloaded",
    # Information sharing and joint decisions (decisions/).
    "information.requested": "Agency asked for its information",
    "information_request.cancelled": "Request for information cancelled",
    "information_request.listed": "Requests for information listed",
    "information_request.viewed": "Request for information viewed",
    "contribution.added": "Agency's information contributed",
    "contribution.released": "Restricted information released with the agency's consent",
    "contribution.viewed": "Agencies' information viewed",
    "decision.gate_overridden": "Decision allowed before every core agency answered",
    "decision.proposed": "Joint decision proposed",
    "decision.returned": "Decision returned for revision",
    "decision.signed_off": "Decision signed off",
    "decision.viewed": "Decision viewed",
    "sign_off_queue.listed": "Sign-off queue listed",
    "action.completed": "Agreed action completed",
    "chronology.viewed": "Chronology viewed",
    "webhook.registered": "Webhook registered",
    "webhook.delivered": "Webhook notice delivered",
    "webhook.failed": "Webhook notice given up after retries",
}

READ_SUFFIXES = (".viewed", ".listed", ".exported")


def is_registered(action: str) -> bool:
    return action in ACTIONS
