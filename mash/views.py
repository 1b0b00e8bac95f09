"""The service's own error pages: 403 says why (agencies/policy.py gives the reason), and a refusal for a missing
information sharing agreement says which one and where the hub's agreements are."""

from django.shortcuts import render

from mash.errors import NoAgreement


def forbidden(request, exception=None):
    hub_id = getattr(getattr(request, "resolver_match", None), "kwargs", {}).get("hub_id")
    if isinstance(exception, NoAgreement):
        context = {"problem": str(exception), "hub_id": hub_id}
        return render(request, "403_agreement.html", context, status=403)
    return render(request, "403.html", {"exception": str(exception or "")}, status=403)
