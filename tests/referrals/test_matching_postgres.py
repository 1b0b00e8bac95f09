"""PostgreSQL: the candidate search is an index lookup on the person keys, the name search's trigram indexes and
extensions are there, and a referral posted to the API is matched by a real worker (Redis broker) after it commits,
not in the request."""

from datetime import timedelta

import pytest
from django.conf import settings as django_settings
from django.db import connection, transaction
from django.utils import timezone

from bench.matching.latency import REFERRALS
from referrals.matching import candidates_query
from referrals.models import PersonRole, Referral, SubjectMatch
from referrals.services import referral_create
from tests.factories import HubFactory, referral_data
from tests.referrals.test_deadline_worker import _env, _wait, processes  # noqa: F401 - the fixture

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


def _explain(sql: str, params) -> str:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")  # a test table is tiny: ask whether an index *can* serve
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


STRANGERS = """
INSERT INTO referrals_person (id, referral_id, role, given_name, family_name, gender, ethnicity, nhs_number, address,
                              postcode, name_key)
SELECT md5('p' || n)::uuid, md5('r' || n)::uuid, 'subject', 'Given', 'Family', '', '', '', '', '', ''
FROM generate_series(0, %(total)s - 1) AS n;
INSERT INTO referrals_personkey (person_id, hub_id, key)
SELECT md5('p' || n)::uuid, %(hub)s, k || ':' || n FROM generate_series(0, %(total)s - 1) AS n,
    unnest(ARRAY['dob', 'family', 'given', 'names', 'postcode']) AS k;
ANALYZE referrals_referral; ANALYZE referrals_person; ANALYZE referrals_personkey;
"""


def test_the_candidate_search_reads_the_person_key_index():
    hub = HubFactory()
    with connection.cursor() as cursor:  # 5,000 earlier people of the hub, none like the subject
        cursor.execute(REFERRALS, {"hub": hub.pk, "total": 5000})
        cursor.execute(STRANGERS, {"hub": hub.pk, "total": 5000})
    received = (timezone.now() - timedelta(days=5)).isoformat()
    earlier = referral_create(hub=hub, data=referral_data(received_at=received), channel="web", history=True)
    new = referral_create(hub=hub, data=referral_data(), channel="web")
    query = candidates_query(new, new.persons.get(role=PersonRole.SUBJECT))
    plan = _explain(*query.query.sql_with_params())
    assert "personkey_hub_key" in plan, plan
    assert [p.referral_id for p in query] == [earlier.pk]


def test_the_name_search_extensions_and_trigram_indexes_are_there():
    with connection.cursor() as cursor:
        cursor.execute("SELECT extname FROM pg_extension WHERE extname IN ('pg_trgm', 'fuzzystrmatch')")
        assert {row[0] for row in cursor.fetchall()} == {"pg_trgm", "fuzzystrmatch"}
        cursor.execute("SELECT levenshtein('Smith', 'Smyth'), similarity('smith', 'smyth') > 0.2")
        assert cursor.fetchone() == (1, True)
    plan = _explain("SELECT id FROM referrals_person WHERE lower(family_name) %% %s", ["smyth"])
    assert "person_family_name_trgm" in plan, plan
    plan = _explain("SELECT id FROM referrals_person WHERE lower(given_name) %% %s", ["muhamad"])
    assert "person_given_name_trgm" in plan, plan


@pytest.mark.redis
@pytest.mark.celery
@pytest.mark.django_db(transaction=True)
def test_the_worker_matches_a_referral_once_it_commits(tmp_path, processes):  # noqa: F811
    hub = HubFactory()
    received = (timezone.now() - timedelta(days=30)).isoformat()
    earlier = referral_create(hub=hub, data=referral_data(received_at=received), channel="web", history=True)
    processes.worker(_env(tmp_path, django_settings.REDIS_URL))
    new = referral_create(hub=hub, data=referral_data(), channel="api")  # commits: the task is queued
    _wait(lambda: Referral.objects.get(pk=new.pk).matched_at, "the worker to match the referral", processes)
    match = SubjectMatch.objects.get(referral=new, candidate__role=PersonRole.SUBJECT)
    assert match.candidate.referral_id == earlier.pk and match.verdict == "match"
    assert match.reasons[0] == "NHS number equal"
