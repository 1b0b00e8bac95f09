"""The declared inputs of linking records of people (referrals/people_index.py): a link's kind and reason, and an
undo's reason."""

from django.utils.translation import gettext_lazy as _

from mash.schemas import Choice, Schema, Text
from referrals.models import LinkKind


class LinkSchema(Schema):
    """What someone decided about two records of people (referrals/people_index.py `link_create`)."""

    kind = Choice(LinkKind.choices, message=_("Choose what this record is to the subject"))
    reason = Text(limit=2000, required=_("Say why you decided this"))


class LinkUndoSchema(Schema):
    reason = Text(limit=2000, required=_("Say why this link is wrong"))
