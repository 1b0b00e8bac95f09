from django.urls import path  # noqa: F401 - the web pages' routes are added here

urlpatterns: list = []
