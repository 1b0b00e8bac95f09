"""The SQL that makes the ledger tables append-only, used by migration 0002 and by the tests' flush.

PostgreSQL: UPDATE, DELETE and TRUNCATE raise (rows and statements), and each event takes its inserting
transaction's id, which bounds the sealed blocks. SQLite: UPDATE and DELETE abort. A later migration that rebuilds
either table on SQLite must create these triggers again (SQLite drops them with the table).
"""

TABLES = ("audit_auditevent", "audit_auditblock")

POSTGRES = [
    "ALTER TABLE audit_auditevent ALTER COLUMN txid SET DEFAULT (pg_current_xact_id()::text::bigint)",
    """
    CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        RAISE EXCEPTION 'the audit ledger is append-only: % on % refused', TG_OP, TG_TABLE_NAME
            USING ERRCODE = 'insufficient_privilege';
    END $$
    """,
]
for table in TABLES:
    POSTGRES += [
        f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
        "FOR EACH ROW EXECUTE FUNCTION audit_refuse_change()",
        f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change()",
    ]

SQLITE = [
    f"CREATE TRIGGER {table}_no_{op.lower()} BEFORE {op} ON {table} "
    f"BEGIN SELECT RAISE(ABORT, 'the audit ledger is append-only: {op} on {table} refused'); END"
    for table in TABLES
    for op in ("UPDATE", "DELETE")
]
