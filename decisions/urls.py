from django.urls import path

from decisions import (
    adult_voice_views,
    attachment_views,
    handover_views,
    note_views,
    sharing_views,
    strategy_views,
    views,
)

urlpatterns = [
    path("hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/requests/new/", views.request_new, name="request-new"),
    path(
        "hubs/<uuid:hub_id>/households/<uuid:household_id>/requests/new/",
        views.household_request_new,
        name="household-request-new",
    ),
    path("hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/decision/", views.decision_propose, name="decision-propose"),
    path(
        "hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/adult-voice/",
        adult_voice_views.adult_voice,
        name="adult-voice",
    ),
    path("hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/override/", views.gate_override, name="gate-override"),
    path(
        "hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/consent/", sharing_views.consent_record, name="consent-record"
    ),
    path(
        "hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/sharing-decisions/new/",
        sharing_views.sharing_decision_new,
        name="sharing-decision-new",
    ),
    path(
        "hubs/<uuid:hub_id>/sharing-decisions/<uuid:decision_id>/override/",
        sharing_views.sharing_decision_override,
        name="sharing-decision-override",
    ),
    path("hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/chronology/", views.chronology, name="chronology"),
    path(
        "hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/strategy-discussions/new/",
        strategy_views.strategy_new,
        name="strategy-new",
    ),
    path(
        "hubs/<uuid:hub_id>/strategy-discussions/<uuid:discussion_id>/reason/",
        strategy_views.strategy_reason,
        name="strategy-reason",
    ),
    path(
        "hubs/<uuid:hub_id>/households/<uuid:household_id>/strategy-discussions/new/",
        strategy_views.household_strategy_new,
        name="household-strategy-new",
    ),
    path(
        "hubs/<uuid:hub_id>/strategy-actions/<uuid:action_id>/done/",
        strategy_views.strategy_action_done,
        name="strategy-action-done",
    ),
    path("hubs/<uuid:hub_id>/sign-off/", views.sign_off_queue, name="sign-off-queue"),
    path("hubs/<uuid:hub_id>/decisions/<uuid:decision_id>/", views.decision_review, name="decision-review"),
    path("hubs/<uuid:hub_id>/requests/", views.officer_queue, name="officer-queue"),
    path("hubs/<uuid:hub_id>/requests/<uuid:request_id>/", views.officer_request, name="officer-request"),
    path("hubs/<uuid:hub_id>/actions/", views.officer_actions, name="officer-actions"),
    path("hubs/<uuid:hub_id>/handovers/", handover_views.officer_handovers, name="officer-handovers"),
    path("hubs/<uuid:hub_id>/handovers/<uuid:handover_id>/", handover_views.officer_handover, name="officer-handover"),
    path(
        "hubs/<uuid:hub_id>/handovers/<uuid:handover_id>/acknowledge/",
        handover_views.officer_acknowledge,
        name="handover-acknowledge",
    ),
    path("hubs/<uuid:hub_id>/sent/", views.officer_sent, name="officer-sent"),
    path("hubs/<uuid:hub_id>/actions/<uuid:action_id>/done/", views.action_complete, name="action-complete"),
    path(
        "hubs/<uuid:hub_id>/contributions/<uuid:contribution_id>/release/",
        views.contribution_release,
        name="contribution-release",
    ),
    # Case notes: added and corrected, never edited (no edit address exists).
    path(
        "hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/notes/new/",
        note_views.referral_note_new,
        name="referral-note-new",
    ),
    path(
        "hubs/<uuid:hub_id>/households/<uuid:household_id>/notes/new/",
        note_views.household_note_new,
        name="household-note-new",
    ),
    path("hubs/<uuid:hub_id>/notes/<uuid:note_id>/correct/", note_views.note_correct, name="note-correct"),
    # Attachments: added to a referral (or with a note or an agency's information), downloaded only through the policy.
    path(
        "hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/attachments/new/",
        attachment_views.referral_attachment_new,
        name="referral-attachment-new",
    ),
    path(
        "hubs/<uuid:hub_id>/attachments/<uuid:attachment_id>/",
        attachment_views.attachment_download,
        name="attachment-download",
    ),
]
