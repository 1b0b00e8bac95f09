from django.http import HttpResponse
from django.urls import path

from bench.intake.naive.app.views import Referrals


def healthz(request):
    return HttpResponse("ok")


urlpatterns = [
    path("healthz", healthz),
    path("api/referrals/", Referrals.as_view({"post": "create"})),
]
