"""The return's figures as JSON and as CSV (one row per figure, cells neutralised against spreadsheet formulas):
exact for a manager, small numbers suppressed for a strategic lead (reports/suppression.py); the digest is the
exact figures' either way."""

import json

from mash.csvsafe import rows_to_csv
from reports.suppression import RULE, for_viewer

CSV_HEADER = ["section", "measure", "item", "value"]
ITEM_KEYS = ("agency", "rating", "document", "code", "label", "cohort")


def return_document(row, exact: bool = True) -> dict:
    """Everything a return states: what it covers, when it was built (and its cutoff: only events recorded before
    it count), its figures (suppressed unless `exact`) and the lead's commentary."""
    document = {
        "hub": row.figures["hub"],
        "month": row.figures["month"],
        "built_at": row.built_at.isoformat(),
        "cutoff": row.cutoff.isoformat() if row.cutoff else None,
        "ledger": {"chain": str(row.hub_id), "block": row.block_number, "block_hash": row.block_hash},
        "figures_digest": row.figures_digest,
        "commentary": row.commentary,
        "suppressed": not exact,
        "figures": for_viewer(row.figures, exact),
    }
    if not exact:
        document["suppression"] = str(RULE)  # JSON and CSV take the text
    return document


def return_json(row, exact: bool = True) -> str:
    return json.dumps(return_document(row, exact), indent=2, ensure_ascii=False, sort_keys=True)


def _item(entry: dict) -> str:
    """What names one entry of a list of figures: its agency, rating, code…; outcomes add their cohort."""
    name = next((str(entry[k]) for k in ITEM_KEYS if entry.get(k) not in (None, "")), "")
    if entry.get("cohort") and name != entry["cohort"]:
        name = f"{entry['cohort']}: {name}"
    return name


def _flatten(value, path: list[str], item: str):
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flatten(inner, [*path, key], item)
    elif isinstance(value, list):
        for entry in value:
            if isinstance(entry, dict):
                name = _item(entry)
                for key, inner in entry.items():
                    if key not in ITEM_KEYS and not isinstance(inner, list):
                        yield path, key, f"{item} / {name}" if item else name, inner
                    elif isinstance(inner, list):
                        yield from _flatten(inner, [*path, key], f"{item} / {name}" if item else name)
            else:
                yield path, "", item, entry
    else:
        yield path[:-1], path[-1], item, value


def return_csv(row, exact: bool = True) -> str:
    meta = return_document(row, exact)
    figures = meta["figures"]
    rows = [
        ["return", "hub", "", meta["hub"]["name"]],
        ["return", "month", "", meta["month"]],
        ["return", "built_at", "", meta["built_at"]],
        ["return", "cutoff", "", meta["cutoff"] or ""],
        ["return", "ledger_block", "", meta["ledger"]["block"]],
        ["return", "ledger_block_hash", "", meta["ledger"]["block_hash"]],
        ["return", "figures_digest", "", meta["figures_digest"]],
        ["return", "commentary", "", meta["commentary"]],
        ["return", "period_start", "", row.figures["period"]["start"]],
        ["return", "period_end", "", row.figures["period"]["end"]],
        ["return", "provisional", "", row.figures["provisional"]],
        ["return", "suppressed", "", meta["suppression"] if not exact else False],
    ]
    for path, measure, item, value in _flatten(
        {k: v for k, v in figures.items() if k not in ("hub", "month", "period", "provisional")}, [], ""
    ):
        section, rest = path[0], path[1:]
        rows.append(
            [section, ".".join([*rest, measure]) if measure else ".".join(rest), item, "" if value is None else value]
        )
    return rows_to_csv(CSV_HEADER, rows)
