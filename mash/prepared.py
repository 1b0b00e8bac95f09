"""Reads whose SQL the ORM writes once per process (docs/adr/0025).

Building a query's SQL with the ORM costs far more CPU than running it. The person's roles, read on every signed-in
page (a join of three tables and the agreement's subqueries), cost 4.6 ms of CPU through the ORM, 3.8 ms of it writing
the SQL, and 0.6 ms as a `Prepared` read (2,000 reads each on PostgreSQL, on a busy machine). A `Prepared` read keeps
the query the ORM wrote, once per process and database, and runs it again with the new values in the same places;
its rows are made into models by the ORM's own iterator (select_related, annotations and prefetches as before).

    roles = Prepared(
        lambda user_id, today: RoleAssignment.objects.filter(user_id=user_id).annotate(...),
        RoleAssignment._meta.get_field("user"), DateField(),
    )
    roles(user.pk, timezone.localdate())  # a list of RoleAssignment

`build` must give a query of the same shape whatever the values (no branching on them) and read nothing but its
values: not the clock, a setting or the person, since whatever else it puts in the SQL is kept as first written. So
never use it for a query scoped by the access policy. Each value must reach the SQL as a parameter, prepared as its
field in `fields` prepares it. When the query is first written, it is written again with other values, and a query
whose shape changes, or a value whose places cannot be told apart, is refused (ImproperlyConfigured).

On PostgreSQL a `Prepared` read is also a prepared statement of the connection (docs/adr/0026): its SQL never changes,
so the database plans it once per connection, not on every call. Every other query is planned on each call, as
Django does by default.

Libraries checked first: django-prepared-queries (Django < 2.2 only, and gives raw querysets without
select_related); django-query-preparer (PostgreSQL's PREPARE: saves the database's planning, not the ORM's writing).
"""

import copy
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, models
from django.db.backends.postgresql.base import TIMESTAMPTZ_OID, CursorDebugWrapper, ServerBindingCursor
from django.db.backends.postgresql.psycopg_any import register_tzloader
from django.db.backends.utils import CursorWrapper
from django.db.models import QuerySet
from psycopg.pq import Format


@dataclass(frozen=True)
class _Written:
    queryset: QuerySet
    compiler: object
    sql: str
    params: tuple
    places: tuple[tuple[int, ...], ...]  # for each value, its positions in params


class Prepared:
    def __init__(self, build: Callable[..., QuerySet], *fields: models.Field):
        self.build, self.fields = build, fields
        self._written: dict[str, _Written] = {}
        self._lock = threading.Lock()

    def __call__(self, *values) -> list:
        if len(values) != len(self.fields):
            raise TypeError(f"expected {len(self.fields)} values, got {len(values)}")
        alias = DEFAULT_DB_ALIAS  # the service has one database
        written = self._written.get(alias) or self._write(alias)
        connection = connections[alias]
        params = list(written.params)
        for value, field, places in zip(values, self.fields, written.places, strict=True):
            prepared = field.get_db_prep_value(value, connection, prepared=False)
            for place in places:
                params[place] = prepared
        compiler = copy.copy(written.compiler)
        # this thread's connection, not the one that wrote the query; on PostgreSQL through a cursor that keeps the
        # statement prepared on the connection, so the database plans it once per connection, not on every read
        compiler.connection = _Preparing(connection) if connection.vendor == "postgresql" else connection
        sql = written.sql
        compiler.as_sql = lambda *args, **kwargs: (sql, tuple(params))
        run = written.queryset._chain()
        run.query.get_compiler = lambda *args, **kwargs: compiler
        return list(run)

    def _write(self, alias: str) -> _Written:
        with self._lock:
            if alias in self._written:
                return self._written[alias]
            connection = connections[alias]
            first = [_sample(field, 1) for field in self.fields]
            queryset = self.build(*first).using(alias)
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            places = []
            for i, field in enumerate(self.fields):
                other = [*first[:i], _sample(field, 2), *first[i + 1 :]]
                sql_other, params_other = self.build(*other).using(alias).query.get_compiler(using=alias).as_sql()
                if sql_other != sql or len(params_other) != len(params):
                    raise ImproperlyConfigured(f"{self.build!r}: the query's shape changes with value {i}")
                changed = tuple(p for p, (a, b) in enumerate(zip(params, params_other, strict=True)) if a != b)
                expected = field.get_db_prep_value(first[i], connection, prepared=False)
                if not changed or any(params[p] != expected for p in changed):
                    raise ImproperlyConfigured(f"{self.build!r}: value {i} does not reach the query as a parameter")
                places.append(changed)
            taken = [p for group in places for p in group]
            if len(taken) != len(set(taken)):
                raise ImproperlyConfigured(f"{self.build!r}: two values share a place in the query")
            written = _Written(queryset, compiler, sql, tuple(params), tuple(places))
            self._written[alias] = written
            return written


class _Preparing:
    """A database connection whose cursors run each statement as a prepared statement of the session (psycopg's
    `prepare=True`, with server-side binding), for the fixed SQL of a `Prepared` read; everything else as the
    connection it wraps."""

    def __init__(self, connection):
        self._connection = connection

    def __getattr__(self, name):
        return getattr(self._connection, name)

    def cursor(self):
        connection = self._connection
        connection.close_if_health_check_failed()
        connection.ensure_connection()
        with connection.wrap_database_errors:
            connection.validate_thread_sharing()
            cursor = _preparing_cursor(connection)
            if connection.queries_logged:
                return _LoggedCursor(cursor, connection)
            return connection.make_cursor(cursor)


def _preparing_cursor(connection):
    """What Django's PostgreSQL backend makes of `connection.cursor()` (its create_cursor: the cursor in the
    connection's time zone), but binding on the server and asking psycopg to prepare each statement."""
    cursor = _PreparingCursor(connection.connection)
    if connection.timezone != connection.connection.adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT).timezone:
        register_tzloader(connection.timezone, cursor)
    return cursor


class _PreparingCursor(ServerBindingCursor):
    def execute(self, query, params=None, *, prepare=None, binary=None):
        return super().execute(query, params, prepare=True, binary=binary)


class _LoggedCursor(CursorDebugWrapper):
    """Django's query log (DEBUG, assertNumQueries) for a prepared read. Django reads a query's text back from
    psycopg's cursor (`_query`), which psycopg leaves unset for a prepared statement: the text is written out with
    its values as Django does for server-side binding (`compose_sql`)."""

    def execute(self, sql, params=None):
        with self.debug_sql(self.db.ops.compose_sql(sql, params), params):
            return CursorWrapper.execute(self, sql, params)


def rows_of(model: type[models.Model], parent: str, shape: Callable[[QuerySet], QuerySet] = lambda rows: rows):
    """A prepared read of one parent's rows (`model.<parent>`, a foreign key), shaped by `shape` (select_related,
    ordering, filters of constants): `read(obj)` gives them as a list, each with `obj` as its parent, as the reverse
    relation (`obj.decisions`) would. Never for rows the access policy scopes (above)."""
    prepared = Prepared(
        lambda parent_id: shape(model.objects.filter(**{parent: parent_id})), model._meta.get_field(parent)
    )

    def read(obj) -> list:
        rows = prepared(obj.pk)
        for row in rows:
            setattr(row, parent, obj)
        return rows

    read.prepared = prepared
    return read


def _sample(field: models.Field, n: int):
    """A value for `field` that no real row is likely to hold, different for each n."""
    target = getattr(field, "target_field", None) or field
    if isinstance(target, models.UUIDField):
        return uuid.UUID(int=0xF00D0000 + n)
    if isinstance(target, models.DateTimeField):
        return datetime(1901, 1, n, 1, 2, 3, tzinfo=UTC)
    if isinstance(target, models.DateField):
        return date(1901, 1, n)
    if isinstance(target, models.IntegerField | models.AutoField):
        return -987_650 - n
    if isinstance(target, models.CharField | models.TextField):
        return f"prepared-sample-{n}"
    raise ImproperlyConfigured(f"no sample value for {type(target).__name__}")
