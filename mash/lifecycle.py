"""One way to take a step of a model's lifecycle (docs/adr/0006): a transition checks that the object is in a state
it may leave that way — Conflict (the API's 409) if not — and writes the new state with its other fields only if
the row is still in one of those states, so two people acting at once cannot both move it. Models name their
transitions in a table and call `move`; nothing else writes a status."""

from mash.errors import Conflict


def move(obj, *, field: str, leaves, to, why: str, **fields) -> None:
    """Move `obj` (a saved model instance) from one of the states `leaves` to `to` (None keeps the state), writing
    `fields` with it; Conflict(`why`) if it is not in one of those states."""
    leaves = tuple(leaves)
    if getattr(obj, field) not in leaves:
        raise Conflict(why)
    if to is not None:
        fields[field] = to
    type(obj)._default_manager.filter(pk=obj.pk, **{f"{field}__in": leaves}).update(**fields)
    for name, value in fields.items():
        setattr(obj, name, value)
