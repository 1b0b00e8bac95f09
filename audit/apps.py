from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "audit"
    verbose_name = "Audit ledger"

    def ready(self):
        from audit import checks, signals  # noqa: F401 - registers the checks, connects the sign-in receivers
