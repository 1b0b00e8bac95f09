"""Password reset by email (Django's views and signed, expiring tokens) in GOV.UK pages. The request page answers
the same whether or not the address belongs to an account; the link works once, for PASSWORD_RESET_TIMEOUT
seconds; a reset ends the account's other sessions (its session hash changes) and is audited."""

from django.contrib.auth import forms as auth_forms
from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy

from audit.context import actor_for
from audit.events.actions import AuditAction
from audit.services import record
from mash.forms import GovukFormMixin


class ResetRequestForm(GovukFormMixin, auth_forms.PasswordResetForm):
    """Django's form with the GOV.UK classes on its widget."""


class NewPasswordForm(GovukFormMixin, auth_forms.SetPasswordForm):
    """Django's form (the password validators) with the GOV.UK classes on its widgets."""


class ResetRequest(auth_views.PasswordResetView):
    form_class = ResetRequestForm
    template_name = "registration/password_reset_form.html"
    email_template_name = "registration/password_reset_email.txt"
    subject_template_name = "registration/password_reset_subject.txt"
    success_url = reverse_lazy("password_reset_done")


class ResetConfirm(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm
    template_name = "registration/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form):
        response = super().form_valid(form)
        record(
            AuditAction.USER_PASSWORD_RESET,
            object_type="auth.user",
            object_id=form.user.pk,
            actor=actor_for(self.request, form.user),
        )
        return response
