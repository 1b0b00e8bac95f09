from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "referrals"

    def ready(self):
        from oauth2_provider.models import AccessToken, Application

        from agencies.models import Agency, ApiClient, CoreDocument, DocumentVersion, Hub, Signature
        from referrals import (
            api_tokens,
            schema,  # noqa: F401 - registers the API's authentication with the OpenAPI schema
        )

        # A process that changes what a kept token carries forgets the tokens it keeps (referrals/api_tokens.py).
        api_tokens.forget_on_change_of(AccessToken, Application, ApiClient, Hub, Agency, CoreDocument, DocumentVersion,
                                       Signature)  # fmt: skip
