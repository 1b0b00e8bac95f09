from django.urls import path

from referrals import household_views, link_views, person_search_views, triage_views, views

urlpatterns = [
    path("hubs/<uuid:hub_id>/referrals/", views.referral_list, name="referral-list"),
    path("hubs/<uuid:hub_id>/referrals/new/", views.referral_new, name="referral-new"),
    path("hubs/<uuid:hub_id>/referrals/start/", household_views.referral_start, name="referral-start"),
    path("hubs/<uuid:hub_id>/households/new/", household_views.household_new, name="household-new"),
    path("hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/", views.referral_detail, name="referral-detail"),
    path("hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/versions/", views.referral_amend, name="referral-amend"),
    path(
        "hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/matches/<uuid:match_id>/",
        link_views.subject_match_decide,
        name="subject-match-decide",
    ),
    path("hubs/<uuid:hub_id>/households/<uuid:household_id>/", views.household_detail, name="household-detail"),
    # Under the hub's people (its staff's roles, agencies/urls.py, at people/ itself): the people its referrals name.
    path("hubs/<uuid:hub_id>/people/search/", person_search_views.person_search, name="people-search"),
    path(
        "hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/links/<uuid:link_id>/undo/",
        link_views.link_undo,
        name="person-link-undo",
    ),
    path("hubs/<uuid:hub_id>/queue/", triage_views.triage_queue, name="triage-queue"),
    path("hubs/<uuid:hub_id>/dashboard/", triage_views.manager_dashboard, name="manager-dashboard"),
    path(
        "hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/assign/",
        triage_views.referral_assign,
        name="referral-assign",
    ),
    path(
        "hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/screen/",
        triage_views.referral_screen,
        name="referral-screen",
    ),
    path(
        "hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/rating/",
        triage_views.referral_re_rate,
        name="referral-re-rate",
    ),
    path("hubs/<uuid:hub_id>/thresholds/", triage_views.thresholds, name="thresholds"),
    path(
        "hubs/<uuid:hub_id>/thresholds/<str:cohort>/publish/",
        triage_views.thresholds_publish,
        name="thresholds-publish",
    ),
    path(
        "hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/close/",
        triage_views.referral_close_no_response,
        name="referral-close-no-response",
    ),
    path("notifications/", triage_views.notifications, name="notifications"),
]
