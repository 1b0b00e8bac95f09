"""Sign-ins, sign-outs, failures and lockouts: Django and django-axes announce these only as signals, so the
ledger listens for them here (every other event is written by the service that makes the change)."""

from axes.signals import user_locked_out
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from audit.context import Actor, actor_for
from audit.events.actions import AuditAction
from audit.events.payloads import SignInRefused
from audit.services import record


def _actor(request, user=None) -> Actor:
    if request is None:
        return Actor("user", str(user.pk)) if user is not None else Actor("anonymous", "")
    return actor_for(request, user)


@receiver(user_logged_in, dispatch_uid="audit-logged-in")
def logged_in(sender, request, user, **kwargs):
    record(AuditAction.USER_LOGGED_IN, object_type="auth.user", object_id=user.pk, actor=_actor(request, user))


@receiver(user_logged_out, dispatch_uid="audit-logged-out")
def logged_out(sender, request, user, **kwargs):
    if user is not None:
        record(AuditAction.USER_LOGGED_OUT, object_type="auth.user", object_id=user.pk, actor=_actor(request, user))


@receiver(user_login_failed, dispatch_uid="audit-login-failed")
def login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    record(
        AuditAction.USER_LOGIN_FAILED,
        object_type="auth.user",
        payload=SignInRefused(username=username),
        actor=_actor(request),
    )


@receiver(user_locked_out, dispatch_uid="audit-locked-out")
def locked_out(sender, request, username, ip_address, **kwargs):
    record(
        AuditAction.USER_LOCKED_OUT,
        object_type="auth.user",
        payload=SignInRefused(username=str(username)[:150]),
        actor=_actor(request),
    )
