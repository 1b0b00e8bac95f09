"""PostgreSQL only: the pg_trgm and fuzzystrmatch extensions, and trigram GIN indexes on the lower-cased given and
family names of every person record, so a fuzzy name search (`TrigramSimilarity`, `%`) reads an index instead of
scanning the hub's people. On SQLite this does nothing (its search is correct and slower).

Both extensions are "trusted" from PostgreSQL 13: the database's owner (the role `migrate --database owner` uses)
may create them. On an older server, or where the owner lacks CREATE on the database, a superuser runs
`CREATE EXTENSION pg_trgm; CREATE EXTENSION fuzzystrmatch;` once before migrating (README, "PostgreSQL roles")."""

from django.db import migrations

FORWARD = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE EXTENSION IF NOT EXISTS fuzzystrmatch",
    "CREATE INDEX IF NOT EXISTS person_given_name_trgm ON referrals_person USING gin (lower(given_name) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS person_family_name_trgm ON referrals_person "
    "USING gin (lower(family_name) gin_trgm_ops)",
]
BACKWARD = ["DROP INDEX IF EXISTS person_given_name_trgm", "DROP INDEX IF EXISTS person_family_name_trgm"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("referrals", "0015_person_index_backfill")]
    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD), elidable=False)]
