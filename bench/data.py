"""Bulk synthetic referrals for the benchmarks that need a big table: one INSERT … SELECT over generate_series on
PostgreSQL, the rows spread over the past year, about a third from the bench police (the rest from the school or
without an agency), `open_count` of them still open and the rest closed. Only the columns the list pages and
endpoints read are realistic; persons are not written, and each is marked matched (beat's matching sweep would
otherwise spend the worker on 50,000 referrals with no subject while the benchmark runs)."""

import time

import psycopg

from bench.common import bench_pg_port

LOAD = """
INSERT INTO referrals_referral (
    id, hub_id, reference, cohort, cohort_overridden, status, received_at, channel, referring_agency_id,
    referrer_name, referrer_role, referrer_contact, source_code, concerns, adult_risk_location, adult_risk_source,
    narrative, immediate_risk, consent, consent_reason, created_at, updated_at, rating, threshold_level, due_at, outcome,
    matched_at
)
SELECT
    gen_random_uuid(), %(hub)s, 'BENCH-' || lpad(n::text, 8, '0'),
    CASE WHEN n %% 5 = 0 THEN 'adult' ELSE 'child' END, false,
    CASE WHEN n > %(total)s - %(open)s THEN (ARRAY['received', 'screened', 'awaiting_information'])[1 + n %% 3]
         ELSE 'closed' END,
    now() - make_interval(secs => (%(total)s - n) * 31536000.0 / %(total)s),
    CASE WHEN n %% 3 = 0 THEN 'api' ELSE 'phone' END,
    CASE WHEN n %% 3 = 0 THEN %(police)s::uuid WHEN n %% 5 = 1 THEN %(school)s::uuid END,
    'Bench referrer', '', 'bench@example.org',
    CASE WHEN n %% 3 = 0 THEN '6' WHEN n %% 5 = 1 THEN '2A' ELSE '1A' END,
    '["neglect"]'::jsonb, '', '', 'Synthetic referral for the benchmarks.', false, 'obtained', '', now(), now(),
    (ARRAY['red', 'amber', 'green', 'blue'])[1 + n %% 4], 'early_help',
    CASE WHEN n > %(total)s - %(open)s THEN now() + make_interval(secs => (n %% 7200) * 60.0) END, '',
    now()
FROM generate_series(1, %(total)s) AS n
"""


def load_referrals(db: str, *, hub: str, police: str, school: str, total: int, open_count: int) -> float:
    """Insert `total` referrals into the bench hub of `db`; returns the seconds it took (with ANALYZE)."""
    began = time.perf_counter()
    with psycopg.connect(f"dbname={db} user=postgres host=127.0.0.1 port={bench_pg_port()}", autocommit=True) as conn:
        conn.execute(LOAD, {"hub": hub, "police": police, "school": school, "total": total, "open": open_count})
        conn.execute("ANALYZE referrals_referral")
    return time.perf_counter() - began
