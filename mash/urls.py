from django.contrib.auth import views as auth_views
from django.urls import include, path

from agencies.admin_site import admin_site
from mash import health

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(template_name="registration/login.html", redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("admin/", admin_site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("api/v1/", include("mash.api_urls")),
    path("", include("decisions.urls")),
    path("", include("referrals.urls")),
    path("", include("reports.urls")),
    path("", include("agencies.urls")),
]
