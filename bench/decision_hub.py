"""A hub ready for the whole referral path, built through the services as a hub's people would build it: police
and health (core) and a school (contributing), each signed up to the information sharing agreement; a practitioner;
the manager with a confirmed authenticator; API clients for the police (referrals and contributions) and health
(contributions). Then referrals screened Red with the core agencies asked (open requests the bench answers through
the API) and referrals with every core answer in and a decision proposed (the bench's manager signs them off).

Run in a subprocess with the benchmark's environment (Django settings, database):

    python -m bench.decision_hub build --asked 1000 --proposed 300     # prints one JSON line
    python -m bench.decision_hub deadlines --hub ID --start ISO --seconds 300 --count 300 [--burst-at ISO --burst N]
"""

import argparse
import json
import secrets
from datetime import datetime, timedelta

import django

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import transaction  # noqa: E402
from django.utils import timezone  # noqa: E402
from django_otp.plugins.otp_totp.models import TOTPDevice  # noqa: E402

from agencies import services as hub_services  # noqa: E402
from agencies.models import DocumentKind, Hub, Role  # noqa: E402
from bench.common import referral_body  # noqa: E402
from decisions import services as decisions  # noqa: E402
from referrals import deadlines, triage  # noqa: E402
from referrals.models import DeadlineKind, Referral  # noqa: E402
from referrals.services import referral_create  # noqa: E402

PASSWORD = "bench-password-1234"  # noqa: S105 - the benchmark's throwaway database only
CORE = [("police", "Bench police", "police", ["6"]), ("health", "Bench health", "health", ["3A"])]


def _people(hub):
    users = get_user_model().objects
    practitioner = users.create_user("bench-practitioner", password=PASSWORD)
    hub_services.role_grant(hub=hub, user=practitioner, role=Role.PRACTITIONER)
    manager = users.create_user("bench-manager", password=PASSWORD, email="manager@example.org")
    hub_services.role_grant(hub=hub, user=manager, role=Role.MANAGER)
    key = secrets.token_hex(20)
    TOTPDevice.objects.create(user=manager, name="Bench phone", key=key, confirmed=True)
    admin = users.create_user("bench-admin", password=PASSWORD)
    hub_services.role_grant(hub=hub, user=admin, role=Role.HUB_ADMIN)
    return practitioner, manager, admin, key


def _agreement(hub, agencies, admin) -> None:
    today = timezone.localdate()
    isa = hub_services.document_create(
        hub=hub, kind=DocumentKind.INFORMATION_SHARING_AGREEMENT, title="Information sharing agreement"
    )
    version = hub_services.document_version_publish(
        document=isa, effective_from=today - timedelta(days=30), review_due=today + timedelta(days=335), text="ISA"
    )
    for agency in agencies:
        hub_services.agreement_sign(
            version=version, agency=agency, signatory_name="A Signatory", signatory_role="Director",
            signed_on=today - timedelta(days=20), by=admin,
        )  # fmt: skip


def _asked(hub, police, practitioner, n: int) -> Referral:
    referral = referral_create(hub=hub, data=referral_body(n), channel="api", referring_agency=police)
    triage.referral_screen(
        referral=referral, by=practitioner, level="specialist", criteria=["specialist.1"], rating="red",
        rationale="Benchmark screening.",
    )  # fmt: skip
    decisions.information_request(referral=referral, by=practitioner)
    return referral


def build(asked: int, proposed: int) -> dict:
    hub = hub_services.hub_create(name="Bench hub", slug="bench", working_days=[0, 1, 2, 3, 4])
    agencies = {}
    for slug, name, kind, codes in CORE:
        agencies[slug] = hub_services.agency_create(name=name, slug=slug, kind=kind, source_codes=codes)
        hub_services.membership_set(hub=hub, agency=agencies[slug], kind="core")
    agencies["school"] = hub_services.agency_create(name="Bench school", slug="school", kind="education",
                                                    source_codes=["2A"])  # fmt: skip
    hub_services.membership_set(hub=hub, agency=agencies["school"], kind="contributing")
    practitioner, manager, admin, key = _people(hub)
    _agreement(hub, agencies.values(), admin)
    clients = {}
    for slug, scopes in [("police", "referrals:write referrals:read contributions:write"),
                         ("health", "contributions:write")]:  # fmt: skip
        client, client_id, secret = hub_services.api_client_create(
            hub=hub, agency=agencies[slug], name=f"{slug} case system", scopes=scopes
        )
        clients[slug] = {"client_id": client_id, "secret": secret, "client": client}
    asked_ids = []
    for n in range(asked):
        with transaction.atomic():
            asked_ids.append(str(_asked(hub, agencies["police"], practitioner, n).pk))
    decision_ids = []
    for n in range(asked, asked + proposed):
        with transaction.atomic():
            referral = _asked(hub, agencies["police"], practitioner, n)
            for request in referral.information_requests.select_related("agency"):
                decisions.contribution_add(
                    request=request, data={"known": False}, client=clients[request.agency.slug]["client"]
                )
            decision = decisions.decision_propose(
                referral=referral, by=practitioner, outcome="early_help", threshold_level="early_help",
                rationale="Benchmark decision.", participants=[agencies["police"], agencies["health"]], actions=[],
            )  # fmt: skip
            decision_ids.append(str(decision.pk))
    return {
        "hub": str(hub.pk),
        **{slug: str(agency.pk) for slug, agency in agencies.items()},
        "clients": {slug: {k: v for k, v in c.items() if k != "client"} for slug, c in clients.items()},
        "manager": {"username": manager.username, "password": PASSWORD, "totp_key": key},
        "practitioner": {"username": practitioner.username, "password": PASSWORD},
        "asked": asked_ids,
        "proposed": decision_ids,
    }


@transaction.atomic
def add_deadlines(hub_id: str, start: datetime, seconds: float, count: int, burst_at=None, burst: int = 0) -> list:
    """`count` agreed-action deadlines falling due evenly over `seconds` from `start`, and `burst` more all due at
    `burst_at`, on the hub's referrals in turn, through the deadline service (each writes its `deadline.set`)."""
    hub = Hub.objects.get(pk=hub_id)
    referrals = list(Referral.objects.filter(hub=hub).order_by("received_at")[:500])
    moments = [start + timedelta(seconds=seconds * i / max(count, 1)) for i in range(count)]
    moments += [burst_at] * burst if burst_at else []
    return [
        str(deadlines.deadline_add(referrals[i % len(referrals)], DeadlineKind.ACTION, due_at=at).pk)
        for i, at in enumerate(moments)
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    commands = parser.add_subparsers(dest="command", required=True)
    build_args = commands.add_parser("build")
    build_args.add_argument("--asked", type=int, default=1000)
    build_args.add_argument("--proposed", type=int, default=300)
    due = commands.add_parser("deadlines")
    due.add_argument("--hub", required=True)
    due.add_argument("--start", type=datetime.fromisoformat, required=True)
    due.add_argument("--seconds", type=float, required=True)
    due.add_argument("--count", type=int, required=True)
    due.add_argument("--burst-at", type=datetime.fromisoformat)
    due.add_argument("--burst", type=int, default=0)
    args = parser.parse_args()
    if args.command == "build":
        print(json.dumps(build(args.asked, args.proposed)))
    else:
        print(json.dumps(add_deadlines(args.hub, args.start, args.seconds, args.count, args.burst_at, args.burst)))


if __name__ == "__main__":
    main()
