"""Django's database sessions, read as a prepared read (mash/prepared.py, docs/adr/0025 and 0026).

Every signed-in page reads its session first. Django's store reads it with `Session.objects.get(...)`, whose SQL the
ORM writes afresh on each request and PostgreSQL plans afresh. Here the same query is written once per process and,
on PostgreSQL, planned once per connection. Everything else is Django's own `db` store: the same table, the same
rows, the same expiry. SESSION_ENGINE names this module.
"""

from django.contrib.sessions.backends import db
from django.contrib.sessions.models import Session
from django.utils import timezone

from mash.prepared import Prepared

_live = Prepared(
    lambda key, now: Session.objects.filter(session_key=key, expire_date__gt=now),
    Session._meta.get_field("session_key"),
    Session._meta.get_field("expire_date"),
)


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        """The session row if it exists and has not expired; else None, and the key forgotten (as Django's own)."""
        rows = _live(self.session_key, timezone.now())
        if rows:
            return rows[0]
        self._session_key = None
        return None
