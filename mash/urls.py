from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.views.decorators.cache import cache_control
from django.views.i18n import JavaScriptCatalog

from agencies import language, password_views, twofactor
from agencies.admin_site import admin_site
from agencies.forms import SignInForm
from mash import health, oauth, sessions

urlpatterns = [
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(
            template_name="registration/login.html", redirect_authenticated_user=True, authentication_form=SignInForm
        ),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("language/", language.choose_language, name="choose-language"),
    # The scripts' texts (static/js) in the request's language, as the page's: locale/cy/LC_MESSAGES/djangojs.po. The
    # page puts its language in the address (templates/base.html) only so that a browser caches one copy per
    # language; the catalogue itself follows the session, cookie or Accept-Language, as every page does.
    path(
        "jsi18n/",
        login_not_required(cache_control(max_age=3600)(JavaScriptCatalog.as_view(domain="djangojs"))),
        name="javascript-catalog",
    ),
    path("session/keep-alive/", sessions.keep_alive, name="session-keep-alive"),
    path("accounts/two-factor/setup/", twofactor.setup, name="two-factor-setup"),
    path("accounts/two-factor/", twofactor.verify, name="two-factor-verify"),
    path("accounts/two-factor/cancel/", twofactor.cancel, name="two-factor-cancel"),
    path("accounts/password-reset/", password_views.ResetRequest.as_view(), name="password_reset"),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="registration/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "accounts/password-reset/<uidb64>/<token>/",
        password_views.ResetConfirm.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="registration/password_reset_complete.html"),
        name="password_reset_complete",
    ),
    path("admin/", admin_site.urls),
    path("healthz", health.healthz, name="healthz"),
    path("api/v1/", include("mash.api_urls")),
    path(".well-known/oauth-authorization-server", oauth.authorization_server_metadata, name="oauth-metadata"),
    path("", include("decisions.urls")),
    path("", include("referrals.urls")),
    path("", include("reports.urls")),
    path("", include("agencies.urls")),
]

handler500 = "mash.outage.server_error"
handler403 = "mash.views.forbidden"
