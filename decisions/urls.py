from django.urls import path

from decisions import strategy_views, views

urlpatterns = [
    path("hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/requests/new/", views.request_new, name="request-new"),
    path(
        "hubs/<uuid:hub_id>/households/<uuid:household_id>/requests/new/",
        views.household_request_new,
        name="household-request-new",
    ),
    path("hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/decision/", views.decision_propose, name="decision-propose"),
    path("hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/override/", views.gate_override, name="gate-override"),
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
    path("hubs/<uuid:hub_id>/sign-off/", views.sign_off_queue, name="sign-off-queue"),
    path("hubs/<uuid:hub_id>/decisions/<uuid:decision_id>/", views.decision_review, name="decision-review"),
    path("hubs/<uuid:hub_id>/requests/", views.officer_queue, name="officer-queue"),
    path("hubs/<uuid:hub_id>/requests/<uuid:request_id>/", views.officer_request, name="officer-request"),
    path("hubs/<uuid:hub_id>/actions/", views.officer_actions, name="officer-actions"),
    path("hubs/<uuid:hub_id>/sent/", views.officer_sent, name="officer-sent"),
    path("hubs/<uuid:hub_id>/actions/<uuid:action_id>/done/", views.action_complete, name="action-complete"),
    path(
        "hubs/<uuid:hub_id>/contributions/<uuid:contribution_id>/release/",
        views.contribution_release,
        name="contribution-release",
    ),
]
