"""Session rules (mash/sessions.py): a session ends after SESSION_IDLE_SECONDS without a request the person made, and
SESSION_ABSOLUTE_SECONDS after sign-in whatever they do; background refreshes never renew it; "Stay signed in" does.
Time is moved by rewriting the two times the session keeps, as if the clock had run on."""

import pytest

from audit.models import AuditEvent
from mash.sessions import ACTIVE, STARTED, in_words

pytestmark = pytest.mark.django_db
BACKGROUND = {"HTTP_X_BACKGROUND_REQUEST": "1"}


@pytest.fixture
def signed_in(client, hub, practitioner):
    client.force_login(practitioner)
    assert client.get("/").status_code in (200, 302)  # the first request after sign-in starts the clocks
    return client


def _shift(client, **seconds_ago):
    """Move the session's clocks back: started=…, active=… seconds ago."""
    session = client.session
    for name, key in (("started", STARTED), ("active", ACTIVE)):
        if name in seconds_ago:
            session[key] -= seconds_ago[name]
    session.save()


def _queue(hub):
    return f"/hubs/{hub.id}/queue/"


def test_a_person_request_renews_the_idle_time_and_a_background_refresh_does_not(signed_in, hub):
    _shift(signed_in, active=20 * 60)
    before = signed_in.session[ACTIVE]
    assert signed_in.get(_queue(hub), {"partial": "1"}, **BACKGROUND).status_code == 200
    assert signed_in.session[ACTIVE] == before  # served, not renewed
    assert signed_in.get(_queue(hub)).status_code == 200
    assert signed_in.session[ACTIVE] > before + 19 * 60


def test_idle_past_the_limit_the_next_click_lands_on_sign_in_with_the_reason(signed_in, hub):
    _shift(signed_in, active=30 * 60 + 1)
    response = signed_in.get(_queue(hub), follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/?next=")
    page = response.content.decode()
    assert "You were signed out because you had not used the service for 30 minutes" in page
    assert AuditEvent.objects.filter(action="user.logged_out").exists()


def test_a_background_refresh_after_the_idle_limit_is_refused_and_ends_the_session(signed_in, hub):
    _shift(signed_in, active=30 * 60 + 1)
    response = signed_in.get(_queue(hub), {"partial": "1"}, **BACKGROUND)
    assert response.status_code == 401
    assert signed_in.get(_queue(hub)).url.startswith("/accounts/login/")


def test_refreshes_alone_do_not_keep_a_session_alive(signed_in, hub):
    for _ in range(3):  # refreshes 9, 18 and 27 minutes after the last click: served, the clock not renewed
        _shift(signed_in, active=9 * 60, started=9 * 60)
        assert signed_in.get(_queue(hub), {"partial": "1"}, **BACKGROUND).status_code == 200
    _shift(signed_in, active=4 * 60, started=4 * 60)  # 31 minutes
    assert signed_in.get(_queue(hub), {"partial": "1"}, **BACKGROUND).status_code == 401


def test_the_absolute_lifetime_ends_a_busy_session(signed_in, hub, settings):
    _shift(signed_in, started=12 * 3600 + 1)  # active a moment ago, but signed in 12 hours ago
    response = signed_in.get(_queue(hub), follow=True)
    assert response.redirect_chain[-1][0].startswith("/accounts/login/")
    assert "because you had been signed in for 12 hours" in response.content.decode()


def test_keep_alive_extends_the_idle_time_and_says_what_is_left(signed_in, settings):
    _shift(signed_in, active=29 * 60, started=60 * 60)
    response = signed_in.post("/session/keep-alive/")
    assert response.status_code == 200
    assert response.json()["seconds_left"] >= 30 * 60 - 2
    _shift(signed_in, active=10 * 60)
    assert signed_in.post("/session/keep-alive/").status_code == 200  # 39 minutes since the click before: still in


def test_keep_alive_near_the_absolute_end_says_so(signed_in):
    _shift(signed_in, started=12 * 3600 - 90)
    assert signed_in.post("/session/keep-alive/").json()["seconds_left"] <= 90


def test_keep_alive_needs_post_and_a_session(client, signed_in):
    assert signed_in.get("/session/keep-alive/").status_code == 405
    signed_in.logout()
    assert signed_in.post("/session/keep-alive/").url.startswith("/accounts/login/")


def test_the_limits_come_from_the_settings(settings):
    assert settings.SESSION_IDLE_SECONDS == 30 * 60 and settings.SESSION_ABSOLUTE_SECONDS == 12 * 3600
    assert settings.SESSION_COOKIE_AGE == settings.SESSION_ABSOLUTE_SECONDS and not settings.SESSION_SAVE_EVERY_REQUEST


def test_durations_in_words():
    assert in_words(1800) == "30 minutes" and in_words(3600) == "1 hour" and in_words(5400) == "1 hour 30 minutes"
    assert in_words(43200) == "12 hours" and in_words(45) == "45 seconds"


def test_every_form_with_a_text_box_carries_the_timeout_warning_and_pages_without_one_do_not(client, mash):
    """What a person types at length (a referral, a rationale, an agency's answer, a manager's comments, a reason) is
    what a session ending unannounced would lose: every page of a full journey with a multi-line text box in a form
    warns two minutes before; a page with no text box (the queue) does not."""
    from tests.journey import build_journey

    journey = build_journey(client, mash)
    warned, unwarned, quiet = [], [], []
    for who, pages in journey.pages.items():
        client.force_login(journey.people[who])
        for name, url in pages:
            page = client.get(url).content.decode()
            has_warning = 'id="session-timeout"' in page
            if "<textarea" in page:
                (warned if has_warning else unwarned).append(f"{who}: {name}")
            elif has_warning:
                quiet.append(f"{who}: {name}")
    assert not unwarned, "long forms without the timeout warning:\n" + "\n".join(unwarned)
    assert not quiet, "timeout warning on a page with nothing to type:\n" + "\n".join(quiet)
    assert len(warned) >= 6, warned  # the referral, screening, decision, answer, review and re-rating forms at least


def test_the_warning_says_when_and_offers_both_ways_out(client, mash):
    client.force_login(mash.practitioner)
    page = client.get(f"/hubs/{mash.hub.id}/referrals/new/").content.decode()
    assert 'id="session-timeout"' in page and "You'll be signed out in" in page
    assert 'data-warning-seconds="120"' in page and '<script src="/static/js/timeout.js" defer></script>' in page
    assert 'action="/session/keep-alive/"' in page and 'action="/accounts/logout/"' in page


def test_pages_within_a_few_seconds_do_not_write_the_session_each_time(signed_in, hub):
    """Activity is written at most every ACTIVE_RESOLUTION_SECONDS: the idle limit counts from at most that long
    before the last page (it can end a little early, never late), and a busy minute writes the session rarely."""
    from mash.sessions import ACTIVE_RESOLUTION_SECONDS

    _shift(signed_in, active=ACTIVE_RESOLUTION_SECONDS - 5)
    before = signed_in.session[ACTIVE]
    assert signed_in.get(_queue(hub)).status_code == 200
    assert signed_in.session[ACTIVE] == before  # not written
    _shift(signed_in, active=10)  # now ACTIVE_RESOLUTION_SECONDS + 5 seconds ago
    assert signed_in.get(_queue(hub)).status_code == 200
    assert signed_in.session[ACTIVE] > before + 10  # written: the page came after the resolution
    _shift(signed_in, active=5)
    shifted = signed_in.session[ACTIVE]
    assert signed_in.post("/session/keep-alive/").status_code == 200
    assert signed_in.session[ACTIVE] > shifted + 4  # "Stay signed in" always writes, however recent the last page
