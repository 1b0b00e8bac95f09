"""mash/paths.py gives what `reverse` gives, for every id."""

import uuid

from django.urls import reverse

from mash.paths import path_for_each


def test_each_path_is_what_reverse_gives():
    hub = uuid.uuid4()
    for name in ("referral-detail", "referral-assign"):
        each = path_for_each(name, hub)
        for _ in range(5):
            referral = uuid.uuid4()
            assert each(referral) == reverse(name, args=[hub, referral])
