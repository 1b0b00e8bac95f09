"""Funding and resources: what each agency puts into a hub in each financial year (April to March)."""

import uuid
from datetime import date

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from agencies.models.agencies import Agency
from agencies.models.hub import Hub


class WorkingPattern(models.TextChoices):
    CO_LOCATED = "co_located", _("Co-located")
    REMOTE = "remote", _("Remote")
    HYBRID = "hybrid", _("Hybrid")


def financial_year_of(day: date) -> int:
    """The starting calendar year of the April–March financial year containing `day`."""
    return day.year if day.month >= 4 else day.year - 1


def financial_year_label(year: int) -> str:
    return f"{year}–{(year + 1) % 100:02d}"


class FundingContribution(models.Model):
    """What one agency puts into one hub in one financial year (April to March)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    hub = models.ForeignKey(Hub, on_delete=models.CASCADE, related_name="funding")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="funding")
    financial_year = models.PositiveSmallIntegerField(help_text=_("The year the financial year starts in April."))
    amount_gbp = models.DecimalField(max_digits=12, decimal_places=2)
    staff_fte = models.DecimalField(max_digits=6, decimal_places=2)
    working_pattern = models.CharField(max_length=20, choices=WorkingPattern.choices)

    class Meta:
        ordering = ["-financial_year", "agency__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["hub", "agency", "financial_year"],
                name="one_funding_row_per_agency_hub_year",
                violation_error_message=_(
                    "Funding for this agency and financial year is already recorded: change that entry instead"
                ),
            ),
            models.CheckConstraint(
                condition=Q(amount_gbp__gte=0),
                name="funding_amount_not_negative",
                violation_error_message=_("The amount cannot be negative"),
            ),
            models.CheckConstraint(
                condition=Q(staff_fte__gte=0),
                name="funding_fte_not_negative",
                violation_error_message=_("Staff FTE cannot be negative"),
            ),
            models.CheckConstraint(
                condition=Q(financial_year__gte=2000, financial_year__lte=2100),
                name="funding_year_plausible",
                violation_error_message=_("Enter a financial year between 2000 and 2100"),
            ),
        ]

    def __str__(self):
        return f"{self.agency} — {self.hub}, {self.financial_year_label}"

    @property
    def financial_year_label(self) -> str:
        return financial_year_label(self.financial_year)
