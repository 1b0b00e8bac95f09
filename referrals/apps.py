from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"

    def ready(self):
        from referrals import schema  # noqa: F401 - registers the API's authentication with the OpenAPI schema
