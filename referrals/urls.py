from django.urls import path

from referrals import views

urlpatterns = [
    path("hubs/<uuid:hub_id>/referrals/", views.referral_list, name="referral-list"),
    path("hubs/<uuid:hub_id>/referrals/new/", views.referral_new, name="referral-new"),
    path("hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/", views.referral_detail, name="referral-detail"),
    path(
        "hubs/<uuid:hub_id>/referrals/<uuid:referral_id>/matches/<uuid:match_id>/",
        views.subject_match_decide,
        name="subject-match-decide",
    ),
]
