"""The Django admin, open only to superusers and hub administrators, and scoped to the hubs they administer."""

from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import Group, User
from django.contrib.auth.views import redirect_to_login
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.models import Role, RoleAssignment


def administers_a_hub(user) -> bool:
    if not (user.is_authenticated and user.is_active):
        return False
    return RoleAssignment.objects.filter(user=user, role=Role.HUB_ADMIN).exists()


class MashAdminSite(admin.AdminSite):
    site_header = _("MASH administration")
    site_title = _("MASH administration")
    index_title = _("Hub configuration")

    def has_permission(self, request):
        user = request.user
        return user.is_authenticated and user.is_active and (user.is_superuser or administers_a_hub(user))

    @method_decorator(login_not_required)
    def login(self, request, extra_context=None):
        """One way in: the service's own sign-in (lockout, two factors, audit), then back to the admin."""
        return redirect_to_login(reverse("admin:index", current_app=self.name), settings.LOGIN_URL)


admin_site = MashAdminSite(name="admin")


class SuperuserOnlyMixin:
    def has_module_permission(self, request):
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_add_permission(self, request, *args):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(User, site=admin_site)
class MashUserAdmin(SuperuserOnlyMixin, UserAdmin):
    pass


@admin.register(Group, site=admin_site)
class MashGroupAdmin(SuperuserOnlyMixin, GroupAdmin):
    pass


@admin.register(TOTPDevice, site=admin_site)
class MashTOTPDeviceAdmin(SuperuserOnlyMixin, TOTPDeviceAdmin):
    """Someone who lost their authenticator: the service's administrator deletes the device, and the person sets
    up a new one at their next sign-in."""
