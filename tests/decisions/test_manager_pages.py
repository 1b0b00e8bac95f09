"""The manager's work: the review page shows what a decision needs, and the sign-off queue shows each referral's
rating, deadline and time left, the most urgent deadline first."""

import re
from datetime import date, timedelta

import pytest
from django.utils import timezone

from referrals.models import Person, Referral
from referrals.selectors import level_names_of
from referrals.services import referral_create
from tests.factories import ProposedDecisionFactory, referral_data
from tests.journey import CODE_WORDS, hub_names_its_levels
from tests.test_rendered_text import visible_text

pytestmark = pytest.mark.django_db


def test_the_review_page_shows_who_how_old_what_was_said_and_the_rating(client, mash):
    decision = ProposedDecisionFactory(mash=mash)
    referral = decision.referral
    subject = referral.persons.get(role="subject")
    subject.date_of_birth = timezone.localdate() - timedelta(days=130)
    subject.save()
    client.force_login(mash.manager)
    page = client.get(f"/hubs/{mash.hub.id}/decisions/{decision.id}/").content.decode()
    page = page.replace("&#x27;", "'")
    assert str(subject) in page
    assert "4 months" in page
    assert referral.narrative.splitlines()[0][:40] in page
    assert "The referrer's account" in page
    assert ">Red</strong>" in page
    assert "Threshold level" in page and "Not screened" not in page
    assert "What the agencies shared" in page


def test_a_decision_names_its_threshold_level_as_the_hub_does(client, mash):
    """Not "Specialist", the code's words, where the hub calls the level something else."""
    hub_names_its_levels(mash.hub)
    decision = ProposedDecisionFactory(mash=mash, changes={"threshold_level": "specialist"})
    client.force_login(mash.manager)
    for url in (
        f"/hubs/{mash.hub.id}/decisions/{decision.id}/",
        f"/hubs/{mash.hub.id}/referrals/{decision.referral_id}/",
    ):
        page = visible_text(client.get(url).content.decode())
        assert "Threshold level Level 4: child protection (s47)" in " ".join(page.split())
        assert not CODE_WORDS.search(page), url


def test_a_level_without_a_screening_is_named_by_the_hubs_thresholds_else_in_words(mash):
    hub_names_its_levels(mash.hub)
    referral = referral_create(hub=mash.hub, data=referral_data(), channel="api", referring_agency=mash.police)
    names = level_names_of(referral, {"specialist", "gone_level"})
    assert names == {"specialist": "Level 4: child protection (s47)", "gone_level": "Gone level"}


def test_age_in_words():
    person = Person(date_of_birth=date(2019, 6, 15))
    assert person.age_on(date(2026, 6, 14)) == "6 years"
    assert Person(date_of_birth=date(2026, 1, 31)).age_on(date(2026, 3, 1)) == "1 month"
    assert Person(estimated_age=84).age_on(date(2026, 1, 1)) == "about 84 (estimated)"
    assert Person().age_on(date(2026, 1, 1)) == "Not known"


def test_the_sign_off_queue_has_rating_deadline_and_time_left_most_urgent_first(client, mash):
    later = ProposedDecisionFactory(mash=mash)
    sooner = ProposedDecisionFactory(mash=mash)
    now = timezone.now()
    Referral.objects.filter(pk=later.referral_id).update(due_at=now + timedelta(hours=5))
    Referral.objects.filter(pk=sooner.referral_id).update(due_at=now - timedelta(minutes=30))
    client.force_login(mash.manager)
    page = client.get(f"/hubs/{mash.hub.id}/sign-off/").content.decode()
    for heading in ("Rating", "Deadline", "Time left"):
        assert f'class="govuk-table__header">{heading}</th>' in page
    assert page.index(sooner.referral.reference) < page.index(later.referral.reference)
    assert "Overdue by 30 min" in page and ("4 h 59 min left" in page or "5 h left" in page)
    # each row's outcome in words, who proposed it and when (the row reads only the columns it shows)
    assert page.count('<td class="govuk-table__cell">Early help</td>') == 2
    assert page.count(f'<td class="govuk-table__cell">{mash.practitioner.get_full_name()}</td>') == 2
    proposed = timezone.localtime(sooner.proposed_at).strftime("%-d %b %Y %H:%M")
    assert f'<td class="govuk-table__cell">{proposed}</td>' in page


def test_the_dashboard_figures_link_to_the_filtered_queue(client, mash):
    ProposedDecisionFactory(mash=mash)
    client.force_login(mash.manager)
    page = client.get(f"/hubs/{mash.hub.id}/dashboard/").content.decode().replace("&amp;", "&")
    h = mash.hub.id
    for href in (f"/hubs/{h}/queue/?rating=red", f"/hubs/{h}/queue/?rating=none", f"/hubs/{h}/queue/?status=received",
                 f"/hubs/{h}/sign-off/", f"/hubs/{h}/audit/?action=deadline.breached&since_day="):  # fmt: skip
        assert f'href="{href}' in page, href
    queue = client.get(f"/hubs/{h}/queue/?rating=red")
    assert queue.status_code == 200
    # "Breached today" opens the audit trail from today: the date in the trail's From boxes, nothing to fix.
    today = timezone.localdate()
    breached = re.search(rf'href="(/hubs/{h}/audit/\?action=deadline\.breached&since_day=[^"]+)"', page).group(1)
    assert breached.endswith(f"since_day={today.day}&since_month={today.month}&since_year={today.year}")
    trail = client.get(breached).content.decode()
    assert "There is a problem" not in trail
    assert f'name="since_day" type="text" inputmode="numeric" value="{today.day}"' in trail
