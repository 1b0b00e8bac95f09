"""Load the demo hub: seven agencies, a user for every role, signed core documents, a year of funding and one API
client per agency, set up at the start of the hub's history; then about 300 referrals over the past three months and
a half, worked through the services at their moments (decisions/demo.py), each past month's return built on the 1st
of the next, and the Hussain household, received two hours ago.

Idempotent: running it again changes nothing but brings missing pieces back. Passwords are generated once per
machine and kept in var/demo-passwords.json (never in the repository); DEMO_PASSWORD sets one password for all.
"""

import contextlib
import itertools
import json
import os
import secrets
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from agencies import services
from agencies.models import (
    Agency,
    AgencyKind,
    Cohort,
    CoreDocument,
    DocumentKind,
    FundingContribution,
    Hub,
    MembershipKind,
    Role,
    RoleAssignment,
    Signature,
    WorkingPattern,
    financial_year_of,
)
from audit.events.actions import AuditAction
from audit.models import AuditEvent
from audit.services import seal
from decisions import demo as decisions_demo
from mash.env import env_int
from referrals import demo, demo_household
from referrals.deadlines import deadlines_sweep
from referrals.models import Referral
from reports import demo as demo_returns  # the command stands above every app: it loads the whole demo

HUB_SLUG = "demo"
TARGET = 300  # DEMO_REFERRALS sets another number (the tests use a small demo)


def history_start(hub: Hub):
    """When the demo's history began: the hub's creation (the plan depends on nothing else)."""
    created = AuditEvent.objects.filter(hub_id=hub.pk, action=AuditAction.HUB_CREATED).order_by("id").first()
    return created.occurred_at if created else timezone.now()


# name, slug, kind, source codes, membership, money, FTE, working pattern
AGENCIES = [
    (
        "Northshire Police",
        "police",
        AgencyKind.POLICE,
        ["6"],
        MembershipKind.CORE,
        310000,
        "6.0",
        WorkingPattern.CO_LOCATED,
    ),
    (
        "Northshire Children's Services",
        "childrens-services",
        AgencyKind.CHILDRENS_SOCIAL_CARE,
        ["5A"],
        MembershipKind.CORE,
        520000,
        "9.5",
        WorkingPattern.CO_LOCATED,
    ),
    (
        "Northshire Adult Social Care",
        "adult-social-care",
        AgencyKind.ADULT_SOCIAL_CARE,
        ["5B"],
        MembershipKind.CORE,
        240000,
        "4.0",
        WorkingPattern.HYBRID,
    ),
    (
        "Northshire Integrated Care Board",
        "health",
        AgencyKind.HEALTH,
        ["3A", "3B", "3C", "3D", "3E", "3F"],
        MembershipKind.CORE,
        180000,
        "3.0",
        WorkingPattern.HYBRID,
    ),
    (
        "Northshire Education",
        "education",
        AgencyKind.EDUCATION,
        ["2A", "2B"],
        MembershipKind.CONTRIBUTING,
        60000,
        "1.0",
        WorkingPattern.REMOTE,
    ),
    (
        "Probation Service Northshire",
        "probation",
        AgencyKind.PROBATION,
        ["7"],
        MembershipKind.CONTRIBUTING,
        30000,
        "0.5",
        WorkingPattern.REMOTE,
    ),
    (
        "Northshire Homes",
        "housing",
        AgencyKind.HOUSING,
        ["4"],
        MembershipKind.CONTRIBUTING,
        25000,
        "0.5",
        WorkingPattern.REMOTE,
    ),
]

# username, first, last, role, agency slug
PEOPLE = [
    ("pat.practitioner", "Pat", "Practitioner", Role.PRACTITIONER, None),
    ("olly.officer", "Olly", "Officer", Role.AGENCY_OFFICER, "police"),
    ("cara.care", "Cara", "Care", Role.AGENCY_OFFICER, "childrens-services"),
    ("ada.adults", "Ada", "Adults", Role.AGENCY_OFFICER, "adult-social-care"),
    ("hugh.health", "Hugh", "Health", Role.AGENCY_OFFICER, "health"),
    ("ella.education", "Ella", "Education", Role.AGENCY_OFFICER, "education"),
    ("hana.housing", "Hana", "Housing", Role.AGENCY_OFFICER, "housing"),
    ("mary.manager", "Mary", "Manager", Role.MANAGER, None),
    ("dan.deputy", "Dan", "Deputy", Role.DEPUTY, None),
    ("sam.lead", "Sam", "Lead", Role.STRATEGIC_LEAD, None),
    ("alex.admin", "Alex", "Admin", Role.HUB_ADMIN, None),
]

DOCUMENTS = [
    (DocumentKind.INFORMATION_SHARING_AGREEMENT, "Northshire MASH information sharing agreement"),
    (DocumentKind.DATA_PROTECTION_PROTOCOL, "Northshire MASH data protection protocol"),
    (DocumentKind.NEEDS_THRESHOLDS, "Northshire continuum of need"),
    (DocumentKind.ACCOUNTABILITY_PROCESS, "Northshire MASH accountability and escalation process"),
]

SIGNATORIES = {
    "police": "Det Supt Ruth Okafor",
    "childrens-services": "Aisha Rahman",
    "adult-social-care": "Tom Whitfield",
    "health": "Dr Priya Nair",
    "education": "Gareth Lloyd",
    "probation": "Helen McKay",
    "housing": "Owen Price",
}
UNSIGNED_AGENCY = "housing"  # housing has not signed: it shows the information sharing gate


def _secrets_file():
    return settings.VAR_DIR / "demo-passwords.json"


def demo_secrets() -> dict:
    path = _secrets_file()
    return json.loads(path.read_text()) if path.exists() else {}


def save_demo_secrets(stored: dict) -> None:
    path = _secrets_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(stored, indent=2))
    path.chmod(0o600)


def demo_passwords(usernames: list[str], stored: dict) -> dict[str, str]:
    fixed = os.environ.get("DEMO_PASSWORD")
    if fixed:
        return dict.fromkeys(usernames, fixed)
    for username in usernames:
        stored.setdefault(username, secrets.token_urlsafe(12))
    return stored


class Command(BaseCommand):
    help = "Load the demo hub (idempotent). Refuses to run with DEBUG off unless --force is given."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Load demo users even though DEBUG is off.")

    def handle(self, *args, force=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError("load_demo creates accounts with known passwords: run it with DEBUG on, or --force.")
        try:
            import time_machine  # a dev dependency (`make run` installs the dev extras)
        except ImportError as exc:
            raise CommandError(
                "load_demo needs time-machine to set the clock to each moment of the demo's history: install the dev"
                " extras (pip install -e '.[dev]')."
            ) from exc

        def travel(moment):
            return time_machine.travel(moment, tick=False)

        stored = demo_secrets()
        passwords = demo_passwords([p[0] for p in PEOPLE], stored)
        now = timezone.now().replace(second=0, microsecond=0)
        hub = Hub.objects.filter(slug=HUB_SLUG).first()
        start = history_start(hub) if hub else now - timedelta(days=decisions_demo.HISTORY_DAYS)
        end = start + timedelta(days=decisions_demo.HISTORY_DAYS)
        # Funding, agreements, people and clients come first, before the history (when the hub is new).
        with travel(start) if hub is None else contextlib.nullcontext(), transaction.atomic():
            hub = self._hub()
            agencies = self._agencies(hub)
            admin = self._people(hub, agencies, passwords, present=end)
            self._documents(hub, agencies, admin, present=end)
            self._funding(hub, agencies, {financial_year_of(timezone.localtime(t).date()) for t in (start, end)})
            credentials = demo.api_clients(hub, agencies, stored, stdout=self.stdout)
        users = get_user_model().objects.in_bulk([p[0] for p in PEOPLE], field_name="username")
        practitioner = users["pat.practitioner"]
        if end > timezone.now() + timedelta(minutes=1):
            self.stdout.write(
                self.style.WARNING("This demo database was loaded without history: delete it to load the new demo.")
            )
        else:
            target = env_int("DEMO_REFERRALS", TARGET, minimum=5)
            plan = demo.planned(start + timedelta(hours=1), end - timedelta(hours=3), target - 4)
            plan = sorted([*plan, _apart(demo_household.earlier_plan(end), plan)], key=lambda p: p["received"])
            officers = {agencies[p[4]].pk: users[p[0]] for p in PEOPLE if p[3] == Role.AGENCY_OFFICER}
            history = decisions_demo.History(
                hub, agencies, plan, practitioner=practitioner, manager=users["mary.manager"], officers=officers
            )
            ran = history.run(end, travel, monthly=demo_returns.month_return)
            with travel(end), transaction.atomic():
                demo_household.load(hub, practitioner, stdout=self.stdout)  # counted in the demo's referrals
            decided = Referral.objects.filter(hub=hub, status="closed").count()
            self.stdout.write(
                f"Demo history: {ran} steps from {start:%d %B %Y}; "
                f"{Referral.objects.filter(hub=hub).count()} referrals, {decided} decided and signed off"
            )
        deadlines_sweep()  # the present, as beat would find it
        seal()
        save_demo_secrets(stored)
        self.stdout.write(self.style.SUCCESS(f"Demo hub ready: {hub.name}"))
        self.stdout.write("API clients (client_id / client_secret), one per agency:")
        for slug, (client_id, secret) in credentials.items():
            self.stdout.write(f"  {slug:<19} {client_id} {secret}")
        takers = ", ".join(slug for slug, a in agencies.items() if demo.demo_scopes(a) != demo.DEMO_SCOPES)
        self.stdout.write(
            f"  ({takers}: also the cases handed to them, scope handovers:write: GET /api/v1/handovers/, then POST"
            " /api/v1/handovers/<id>/acknowledgement/)"
        )
        self.stdout.write("Demo logins (username / password / role):")
        for username, _first, _last, role, agency in PEOPLE:
            extra = f" ({agencies[agency].name})" if agency else ""
            self.stdout.write(f"  {username:<18} {passwords[username]:<18} {role.label}{extra}")
        self.stdout.write(
            "The manager, the deputy and the administrator also need a two-factor code: at their first sign-in they"
            " scan a QR code with an authenticator app. Without one, `DEBUG=true .venv/bin/python manage.py"
            " two_factor_code mary.manager` prints the current code (after the first sign-in; demo only)."
        )

    def _hub(self) -> Hub:
        hub = Hub.objects.filter(slug=HUB_SLUG).first()
        if hub:
            return hub
        return services.hub_create(
            name="Northshire Multi-Agency Safeguarding Hub",
            slug=HUB_SLUG,
            area="Northshire County Council",
            cohorts=Cohort.BOTH,
            working_days=[0, 1, 2, 3, 4],
        )

    def _agencies(self, hub: Hub) -> dict[str, Agency]:
        agencies = {}
        for name, slug, kind, codes, membership, *_ in AGENCIES:
            agency = Agency.objects.filter(slug=slug).first() or services.agency_create(
                name=name, slug=slug, kind=kind, source_codes=codes
            )
            services.membership_set(hub=hub, agency=agency, kind=membership)
            agencies[slug] = agency
        return agencies

    def _people(self, hub: Hub, agencies: dict[str, Agency], passwords: dict[str, str], *, present):
        User = get_user_model()
        now = present  # the deputy's delegation runs around the present, whenever it is granted
        admin = None
        for username, first, last, role, agency_slug in PEOPLE:
            user, _ = User.objects.get_or_create(
                username=username,
                defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
            )
            user.set_password(passwords[username])
            user.save()
            if not RoleAssignment.objects.filter(hub=hub, user=user, role=role).exists():
                services.role_grant(
                    hub=hub,
                    user=user,
                    role=role,
                    agency=agencies[agency_slug] if agency_slug else None,
                    delegation_starts=now - timedelta(days=1) if role == Role.DEPUTY else None,
                    delegation_ends=now + timedelta(days=14) if role == Role.DEPUTY else None,
                )
            if role == Role.HUB_ADMIN:
                admin = user
        return admin

    def _documents(self, hub: Hub, agencies: dict[str, Agency], admin, *, present):
        today = timezone.localdate()
        start = date(financial_year_of(today), 4, 1)
        # Reviewed yearly; one whose year ends before the history does is agreed for two (it stays in force).
        review = start.replace(year=start.year + (1 if start.replace(year=start.year + 1) > present.date() else 2))
        for kind, title in DOCUMENTS:
            document = CoreDocument.objects.filter(hub=hub, kind=kind).first() or services.document_create(
                hub=hub, kind=kind, title=title
            )
            version = document.versions.order_by("number").first() or services.document_version_publish(
                document=document,
                effective_from=start,
                review_due=review,
                text=f"{title}. Agreed by the partner agencies of {hub.name}.",
                by=admin,
            )
            for slug, agency in agencies.items():
                if slug == UNSIGNED_AGENCY or Signature.objects.filter(version=version, agency=agency).exists():
                    continue
                services.agreement_sign(
                    version=version,
                    agency=agency,
                    signatory_name=SIGNATORIES[slug],
                    signatory_role="Head of safeguarding",
                    signed_on=min(start, today),
                    by=admin,
                )

    def _funding(self, hub: Hub, agencies: dict[str, Agency], years: set[int]):
        for year, (_name, slug, _kind, _codes, _membership, money, fte, pattern) in itertools.product(
            sorted(years), AGENCIES
        ):
            existing = FundingContribution.objects.filter(hub=hub, agency=agencies[slug], financial_year=year).first()
            if existing and (existing.amount_gbp, existing.staff_fte) == (Decimal(money), Decimal(fte)):
                continue
            services.funding_record(
                hub=hub,
                agency=agencies[slug],
                financial_year=year,
                amount_gbp=Decimal(money),
                staff_fte=Decimal(fte),
                working_pattern=pattern,
                contribution=existing,
            )


def _apart(entry: dict, plan: list[dict]) -> dict:
    """The entry moved on a minute at a time until no planned referral shares its time: the history finds each
    referral by its time received, so two at one minute would have one worked twice and the other not at all."""
    taken = {p["received"] for p in plan}
    received = entry["received"]
    while received in taken:
        received += timedelta(minutes=1)
    return {**entry, "received": received, "data": {**entry["data"], "received_at": received.isoformat()}}
