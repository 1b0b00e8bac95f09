from django.apps import AppConfig


class NaiveConfig(AppConfig):
    name = "bench.intake.naive.app"
    label = "naive"
