"""The return's figures as JSON and as CSV (one row per figure, cells neutralised against spreadsheet formulas)."""

import json

from mash.csvsafe import rows_to_csv

CSV_HEADER = ["section", "measure", "item", "value"]
ITEM_KEYS = ("agency", "rating", "document", "code", "label", "cohort")


def return_document(row) -> dict:
    """Everything a return states: what it covers, when it was built, its figures and the lead's commentary."""
    return {
        "hub": row.figures["hub"],
        "month": row.figures["month"],
        "built_at": row.built_at.isoformat(),
        "ledger": {"chain": str(row.hub_id), "block": row.block_number, "block_hash": row.block_hash},
        "figures_digest": row.figures_digest,
        "commentary": row.commentary,
        "figures": row.figures,
    }


def return_json(row) -> str:
    return json.dumps(return_document(row), indent=2, ensure_ascii=False, sort_keys=True)


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


def return_csv(row) -> str:
    meta = return_document(row)
    rows = [
        ["return", "hub", "", meta["hub"]["name"]],
        ["return", "month", "", meta["month"]],
        ["return", "built_at", "", meta["built_at"]],
        ["return", "ledger_block", "", meta["ledger"]["block"]],
        ["return", "ledger_block_hash", "", meta["ledger"]["block_hash"]],
        ["return", "figures_digest", "", meta["figures_digest"]],
        ["return", "commentary", "", meta["commentary"]],
        ["return", "period_start", "", row.figures["period"]["start"]],
        ["return", "period_end", "", row.figures["period"]["end"]],
        ["return", "provisional", "", row.figures["provisional"]],
    ]
    for path, measure, item, value in _flatten(
        {k: v for k, v in row.figures.items() if k not in ("hub", "month", "period", "provisional")}, [], ""
    ):
        section, rest = path[0], path[1:]
        rows.append(
            [section, ".".join([*rest, measure]) if measure else ".".join(rest), item, "" if value is None else value]
        )
    return rows_to_csv(CSV_HEADER, rows)
