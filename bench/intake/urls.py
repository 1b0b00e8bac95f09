from django.contrib.auth.decorators import login_not_required
from django.urls import include, path

from bench.intake.reference import ReferenceReferrals

urlpatterns = [
    path("bench/reference/referrals/", login_not_required(ReferenceReferrals.as_view({"post": "create"}))),
    path("", include("mash.urls")),
]
