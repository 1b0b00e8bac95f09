"""Two-factor sign-in (TOTP, django-otp) for the people who can change the most: accountable managers, deputies,
hub administrators and superusers. Until their session has passed a code, every page sends them to set up an
authenticator (first time) or to enter its code; the API (agency clients, not people) and the sign-in, sign-out and
password-reset pages are outside it."""

import base64
from urllib.parse import urlencode

import segno
from django import forms
from django.contrib.auth import logout
from django.db import transaction
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from agencies.access import assignments_of
from agencies.models import Role
from audit.events.actions import AuditAction
from audit.services import record
from mash.forms import GovukFormMixin
from mash.paths import safe_next

TWO_FACTOR_ROLES = (Role.MANAGER, Role.DEPUTY, Role.HUB_ADMIN)
OPEN_PREFIXES = ("/accounts/", "/static/", "/api/", "/healthz", "/language/", "/jsi18n/")


def needs_two_factor(user) -> bool:
    """The person's roles are read once per request (agencies/access.py), shared with their access and the menu."""
    if not (user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or any(a.role in TWO_FACTOR_ROLES for a in assignments_of(user))


class TwoFactorRequiredMiddleware:
    """After AuthenticationMiddleware and OTPMiddleware: one query for the roles of a session not yet verified."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if request.path.startswith(OPEN_PREFIXES) or not user.is_authenticated or user.is_verified():
            return self.get_response(request)
        if not needs_two_factor(user):
            return self.get_response(request)
        return _to_step("two-factor-verify" if _devices(user).exists() else "two-factor-setup", request.get_full_path())


def _to_step(step: str, next_url: str):
    return redirect(f"{reverse(step)}?{urlencode({'next': next_url})}")


def _devices(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True)


class CodeForm(GovukFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code from your authenticator app"),
        help_text=_("The 6 digits it shows now."),
        max_length=8,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={"required": _("Enter the 6-digit code from your authenticator app")},
    )

    def clean_code(self):
        code = self.cleaned_data["code"].replace(" ", "")
        if not (code.isdigit() and len(code) == 6):
            raise forms.ValidationError(_("Enter the code as 6 digits, like 123456"))
        return code


def _next(request) -> str:
    return safe_next(request, reverse("home"), also_get=True)


def _signed_in_needing_it(request):
    return request.user.is_authenticated and needs_two_factor(request.user)


def setup(request):
    """First time: a new authenticator key, shown as a QR code and as text; a correct code confirms it."""
    if not _signed_in_needing_it(request):
        return redirect("home")
    if _devices(request.user).exists():
        return _to_step("two-factor-verify", _next(request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    device = device or TOTPDevice.objects.create(user=request.user, name="Authenticator app", confirmed=False)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"]):
            with transaction.atomic():
                device.confirmed = True
                device.save(update_fields=["confirmed"])
                record(AuditAction.USER_TWO_FACTOR_SET_UP, object_type="auth.user", object_id=request.user.pk)
            otp_login(request, device)
            return redirect(_next(request))
        form.add_error("code", _("That code is not right: check the app shows this account, and enter the newest code"))
    qr = segno.make(device.config_url, error="m").svg_inline(
        scale=4, dark="#0b0c0c", title=str(_("Authenticator QR code"))
    )
    return render(
        request,
        "registration/two_factor_setup.html",
        {"form": form, "qr": mark_safe(qr), "secret": _grouped(device), "next": _next(request)},  # noqa: S308 - segno's own SVG of our key
        status=400 if form.errors else 200,
    )


def verify(request):
    """Each sign-in: the code from the app the person set up."""
    if not _signed_in_needing_it(request):
        return redirect("home")
    if not _devices(request.user).exists():
        return _to_step("two-factor-setup", _next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = next((d for d in _devices(request.user) if d.verify_token(form.cleaned_data["code"])), None)
        if device is not None:
            otp_login(request, device)
            record(AuditAction.USER_TWO_FACTOR_VERIFIED, object_type="auth.user", object_id=request.user.pk)
            return redirect(_next(request))
        record(AuditAction.USER_TWO_FACTOR_FAILED, object_type="auth.user", object_id=request.user.pk)
        form.add_error("code", _("That code is not right, or it has expired: enter the newest code from the app"))
    return render(
        request,
        "registration/two_factor_verify.html",
        {"form": form, "next": _next(request)},
        status=400 if form.errors else 200,
    )


def cancel(request):
    """Sign out instead of entering a code."""
    if request.method == "POST":
        logout(request)
    return redirect("login")


def current_code(device: TOTPDevice) -> str:
    """The code an authenticator app with this device's key shows now."""
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=device.drift)
    return f"{code:0{device.digits}d}"


def _grouped(device) -> str:
    """The key in base32, in groups of four, for typing into an app by hand."""
    text = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))
