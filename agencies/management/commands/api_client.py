"""python manage.py api_client create --hub demo --agency police [--name "Police case system"] [--scopes "..."]
python manage.py api_client revoke CLIENT_ID
python manage.py api_client list [--hub demo]

How a hub administrator issues an agency's system its credentials (the secret is printed once) and revokes them.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from agencies import services
from agencies.models import Agency, ApiClient, Hub


class Command(BaseCommand):
    help = "Issue, list or revoke an agency's API client (OAuth2 client credentials)."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create")
        create.add_argument("--hub", required=True, help="The hub's slug")
        create.add_argument("--agency", required=True, help="The agency's slug")
        create.add_argument("--name", default="Case management system")
        create.add_argument(
            "--scopes",
            default="referrals:write referrals:read",
            help=f"Space-separated, from: {' '.join(settings.OAUTH2_PROVIDER['SCOPES'])}",
        )
        revoke = sub.add_parser("revoke")
        revoke.add_argument("client_id")
        listing = sub.add_parser("list")
        listing.add_argument("--hub")

    def handle(self, *args, action, **options):
        if action == "create":
            hub = Hub.objects.filter(slug=options["hub"]).first()
            agency = Agency.objects.filter(slug=options["agency"]).first()
            if hub is None or agency is None:
                raise CommandError("No such hub or agency (give their slugs)")
            try:
                client, client_id, secret = services.api_client_create(
                    hub=hub, agency=agency, name=options["name"], scopes=options["scopes"]
                )
            except ValidationError as error:
                raise CommandError("; ".join(error.messages)) from None
            self.stdout.write(f"client_id={client_id}\nclient_secret={secret}\nscopes={client.scopes}")
            self.stdout.write("The secret is shown only now: give it to the agency over a secure channel.")
        elif action == "revoke":
            client = ApiClient.objects.filter(application__client_id=options["client_id"]).first()
            if client is None:
                raise CommandError("No active client with that id")
            services.api_client_revoke(client=client)
            self.stdout.write(f"revoked {client}")
        else:
            clients = ApiClient.objects.select_related("hub", "agency", "application")
            if options.get("hub"):
                clients = clients.filter(hub__slug=options["hub"])
            for c in clients:
                state = f"revoked {c.revoked_at:%Y-%m-%d}" if c.revoked_at else "active"
                client_id = c.application.client_id if c.application else "-"
                self.stdout.write(f"{client_id}  {c.hub.slug}  {c.agency.slug}  {c.scopes}  {state}")
