from django.apps import AppConfig


class AgenciesConfig(AppConfig):
    name = "agencies"
    verbose_name = "Hubs and agencies"

    def ready(self):
        from agencies import language  # noqa: F401 — the person's language into their session at sign-in
