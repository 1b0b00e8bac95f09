"""`mash.schemas.validated` reuses a thread's idle schema instance: each call still sees its own context and data."""

import threading

import pytest
from django.core.exceptions import ValidationError

from mash.schemas import Schema, Text, validated


class Named(Schema):
    name = Text(limit=20, required="Enter a name")

    def check_together(self, values, failed):
        if "name" in values and values["name"] == self.context.get("taken"):
            return {"name": f"{values['name']} is taken in {self.context['hub']}"}
        if self.context.get("inner"):
            # A schema checked inside its own check gets an instance of its own, with its own context.
            validated(Named, {"name": values["name"]}, hub="inner", taken=values["name"])
        return {}


def test_each_call_checks_with_its_own_context():
    assert validated(Named, {"name": "Amy"}, hub="North", taken="Ben") == {"name": "Amy"}
    with pytest.raises(ValidationError) as refused:
        validated(Named, {"name": "Ben"}, hub="South", taken="Ben")
    assert refused.value.message_dict == {"name": ["Ben is taken in South"]}
    assert validated(Named, {"name": "Ben"}, hub="North", taken="Amy") == {"name": "Ben"}  # South's is not kept


def test_an_error_leaves_nothing_behind_for_the_next_call():
    with pytest.raises(ValidationError) as refused:
        validated(Named, {"name": "x" * 21, "age": 3}, hub="North")
    assert refused.value.message_dict == {
        "age": ["This field is not part of this form"],
        "name": ["Enter no more than 20 characters"],
    }
    assert validated(Named, {"name": "Amy"}, hub="North") == {"name": "Amy"}
    with pytest.raises(ValidationError) as refused:
        validated(Named, {}, hub="North")
    assert refused.value.message_dict == {"name": ["Enter a name"]}


def test_a_schema_checked_inside_its_own_check_is_another_instance():
    with pytest.raises(ValidationError) as refused:
        validated(Named, {"name": "Amy"}, hub="North", inner=True)
    assert refused.value.message_dict == {"name": ["Amy is taken in inner"]}
    assert validated(Named, {"name": "Amy"}, hub="North") == {"name": "Amy"}  # the outer instance is idle again


def test_threads_check_at_once_each_with_its_own():
    found, errors = {}, []

    def check(name):
        try:
            for _ in range(200):
                found[name] = validated(Named, {"name": name}, hub=name, taken="nobody")["name"]
        except Exception as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=check, args=(n,)) for n in ("Amy", "Ben", "Cai", "Dee")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and found == {"Amy": "Amy", "Ben": "Ben", "Cai": "Cai", "Dee": "Dee"}
