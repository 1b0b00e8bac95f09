"""The file field of every upload form (a referral's attachment, a note's, a contribution's): the browser's name and
type are not trusted; the service checks the size, the type by content and scans it (mash/uploads.py)."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from mash.forms import GovukFormMixin
from mash.uploads import size_words


def file_field(*, required: bool, label: str) -> forms.FileField:
    limit = size_words(settings.ATTACHMENT_MAX_BYTES)
    return forms.FileField(
        required=required,
        label=label,
        help_text=_(
            "A PDF, an image, a Word document or a text file, up to %(limit)s. Every file is scanned for viruses."
        )
        % {"limit": limit},
        error_messages={
            "required": _("Choose a file to attach"),
            "empty": _("The file is empty: choose the file again"),
        },
        max_length=1000,
    )


class AttachmentForm(GovukFormMixin, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"] = file_field(required=True, label=_("Document or image"))
