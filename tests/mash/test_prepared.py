"""A read written once per process (mash/prepared.py) gives what the ORM gives, with each call's own values, and
refuses a query whose values it could not put back in their places."""

from datetime import timedelta

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.utils import timezone

from agencies import access
from agencies.models import Role, RoleAssignment
from mash.prepared import Prepared
from tests.factories import HubFactory, MembershipFactory, member, sign_isa

pytestmark = pytest.mark.django_db

# The roles read's own query and fields: the prepared read is compared with the ORM running the same query.
_orm = access._roles.build
FIELDS = access._roles.fields


def _seen(assignments) -> list[tuple]:
    """What the access model reads of each role: every field of it, its hub and its agency, and the agreement."""
    return [
        (
            {f.attname: getattr(a, f.attname) for f in RoleAssignment._meta.concrete_fields},
            a.hub.name, a.hub.red_hours, a.agency.name if a.agency else None, a.agreement_current,
        )
        for a in assignments
    ]  # fmt: skip


@pytest.fixture
def officer_in_two_hubs():
    """An officer of an agency that signed one hub's agreement and not the other's, and a practitioner elsewhere."""
    signed, unsigned = HubFactory(name="Ashby MASH"), HubFactory(name="Brent MASH")
    agency = MembershipFactory(hub=signed).agency
    MembershipFactory(hub=unsigned, agency=agency)
    sign_isa(signed, agency)
    user = member(signed, Role.AGENCY_OFFICER, agency=agency)
    RoleAssignment.objects.create(user=user, hub=unsigned, role=Role.AGENCY_OFFICER, agency=agency)
    other = member(unsigned, Role.PRACTITIONER)
    return user, other


def test_the_roles_read_gives_what_the_orm_gives_for_each_person_and_day(
    officer_in_two_hubs, django_assert_num_queries
):
    user, other = officer_in_two_hubs
    today = timezone.localdate()
    before_the_agreement = today - timedelta(days=60)  # sign_isa's version takes effect 30 days ago
    for user_id, day in [(user.pk, today), (other.pk, today), (user.pk, before_the_agreement), (user.pk, today)]:
        with django_assert_num_queries(1):  # the hub and agency come with the roles
            prepared = _seen(access._roles(user_id, day))
        assert prepared == _seen(_orm(user_id, day))
    assert [current for *_, current in _seen(access._roles(user.pk, today))] == [True, False]
    assert [current for *_, current in _seen(access._roles(user.pk, before_the_agreement))] == [False, False]
    assert _seen(access._roles(-1, today)) == []


def test_the_query_is_written_once_per_process(officer_in_two_hubs):
    user, _ = officer_in_two_hubs
    built = []

    def build(user_id, today):
        built.append((user_id, today))
        return _orm(user_id, today)

    roles = Prepared(build, *FIELDS)
    today = timezone.localdate()
    first = roles(user.pk, today)
    assert len(built) == 3  # once, then once more for each value to find its places
    for _ in range(5):
        assert _seen(roles(user.pk, today)) == _seen(first)
    assert len(built) == 3


def test_a_query_whose_shape_depends_on_a_value_is_refused(officer_in_two_hubs):
    user, _ = officer_in_two_hubs

    def branching(user_id, today):
        found = RoleAssignment.objects.filter(user_id=user_id)
        return found.filter(hub__red_hours__gt=1) if today.day == 1 else found

    with pytest.raises(ImproperlyConfigured, match="shape changes with value 1"):
        Prepared(branching, *FIELDS)(user.pk, timezone.localdate())


def test_a_value_that_is_not_a_parameter_is_refused(officer_in_two_hubs):
    user, _ = officer_in_two_hubs

    def unused(user_id, today):
        return RoleAssignment.objects.filter(user_id=user_id)

    with pytest.raises(ImproperlyConfigured, match="value 1 does not reach the query"):
        Prepared(unused, *FIELDS)(user.pk, timezone.localdate())


def test_the_wrong_number_of_values_is_refused():
    with pytest.raises(TypeError, match="expected 2 values, got 1"):
        Prepared(_orm, *FIELDS)(1)


@pytest.mark.django_db(transaction=True)
def test_a_query_written_in_one_thread_runs_on_another_threads_connection(officer_in_two_hubs):
    """A threaded server (make run's, the tests' live server) serves requests on many threads, each with its own
    database connection: the query written on one is run on the connection of the thread that asks."""
    import threading

    from django.db import connection

    user, _ = officer_in_two_hubs
    today = timezone.localdate()
    roles = Prepared(_orm, *FIELDS)
    expected = _seen(roles(user.pk, today))  # written here
    got, errors = [], []

    def other_thread():
        try:
            got.append(_seen(roles(user.pk, today)))
        except Exception as error:  # noqa: BLE001 - handed back to the test's thread
            errors.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert errors == [] and got == [expected]


def test_a_flat_list_of_values_is_read_as_the_orm_reads_it(officer_in_two_hubs):
    user, other = officer_in_two_hubs

    def hubs_of(user_id):
        return RoleAssignment.objects.filter(user_id=user_id).order_by("hub__name").values_list("hub__name", flat=True)

    names = Prepared(hubs_of, RoleAssignment._meta.get_field("user"))
    for person in (user, other, user):
        assert names(person.pk) == list(hubs_of(person.pk))
    assert names(user.pk) == ["Ashby MASH", "Brent MASH"]


def _prepared_statements() -> list[tuple[str, int]]:
    """The session's prepared statements: their SQL and how many times PostgreSQL ran each with a generic plan."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT statement, generic_plans FROM pg_prepared_statements")
        return cursor.fetchall()


@pytest.mark.postgres
def test_on_postgresql_a_prepared_read_is_planned_once_for_the_connection(officer_in_two_hubs):
    """docs/adr/0026: a `Prepared` read is a prepared statement of the session, which PostgreSQL runs with a generic
    plan after its first custom ones instead of planning it on every call; any other query is not prepared."""
    user, _ = officer_in_two_hubs
    today = timezone.localdate()
    for _ in range(8):
        assert len(access._roles(user.pk, today)) == 2
        assert RoleAssignment.objects.filter(user_id=user.pk).count() == 2  # an ordinary query, as often
    statements = _prepared_statements()
    roles = [generic for sql, generic in statements if "agencies_roleassignment" in sql]
    assert len(roles) == 1, statements  # the roles read, once, whatever the values
    assert roles[0] >= 1  # planned once, then run with its generic plan
    assert not [sql for sql, _ in statements if "COUNT(*)" in sql.upper()]
    assert access._roles(-1, today) == []  # other values through the same statement


@pytest.mark.postgres
def test_on_postgresql_the_query_log_shows_a_prepared_read_with_its_values(officer_in_two_hubs):
    """Django's query log (DEBUG, assertNumQueries, the tests' captured SQL) shows each prepared read's SQL with its
    values, as for any other query: psycopg keeps no text of a prepared statement where Django looks for it."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user, _ = officer_in_two_hubs
    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):  # prepared on the first, then run as prepared
            access._roles(user.pk, timezone.localdate())
    assert len(queries) == 3
    assert all("agencies_roleassignment" in q["sql"] and f"= {user.pk}" in q["sql"] for q in queries), queries[0]
