"""The OpenAPI schema is the contract a generated client is built from: it validates, spectacular has nothing to
warn about, every error is a Problem, every list documents its paging, and every operation names the one scope the
policy requires for it."""

import io
import re

import pytest
import yaml
from django.core.management import call_command
from django.urls import resolve
from openapi_spec_validator import validate

from agencies.policy import rule_of
from referrals.idempotency import KEY_PATTERN

pytestmark = pytest.mark.django_db
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture(scope="module")
def schema(django_db_blocker):
    with django_db_blocker.unblock():
        return _served()


def _served() -> dict:
    out = io.StringIO()
    call_command("spectacular", "--fail-on-warn", "--validate", stdout=out)  # raises on any warning or error
    return yaml.safe_load(out.getvalue())


def _operations(schema):
    for path, item in schema["paths"].items():
        for method in METHODS:
            if method in item:
                yield path, method, item[method]


def test_spectacular_has_no_warning_and_the_schema_validates(tmp_path):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--fail-on-warn", "--file", str(target))
    validate(yaml.safe_load(target.read_text()))  # openapi-spec-validator: raises on an invalid document


def test_the_schema_served_is_the_one_checked(client, schema):
    served = client.get("/api/v1/schema/?format=json").json()
    assert served["paths"].keys() == schema["paths"].keys() and served["components"]["schemas"]["Problem"]


def test_every_error_response_of_every_operation_is_a_problem(schema):
    problem = schema["components"]["schemas"]["Problem"]
    assert set(problem["properties"]) == {"type", "title", "status", "detail", "errors"}
    field_error = schema["components"]["schemas"]["ProblemFieldError"]
    assert set(field_error["properties"]) == {"field", "detail"}
    errors = 0
    for path, method, operation in _operations(schema):
        for status, response in operation["responses"].items():
            if status[0] in "45":
                errors += 1
                assert response["content"] == {
                    "application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}
                }, (path, method, status)
    assert errors > 20


def test_every_list_documents_its_cursor_and_page_size(schema):
    lists = [
        (path, operation)
        for path, method, operation in _operations(schema)
        if method == "get" and not re.search(r"\{[^}]+\}/(content/)?$", path)  # an item, or a file's bytes
    ]
    assert {path for path, _ in lists} >= {"/api/v1/referrals/", "/api/v1/information-requests/", "/api/v1/events/"}
    for path, operation in lists:
        parameters = {p["name"]: p for p in operation["parameters"] if p["in"] == "query"}
        assert parameters["cursor"]["schema"]["type"] == "string", path
        assert parameters["page_size"]["schema"] == {"type": "integer", "minimum": 1, "maximum": 200}, path


def test_each_operation_requires_the_scope_the_policy_gives_its_action(schema):
    flows = schema["components"]["securitySchemes"]["oauth2"]["flows"]
    assert flows["clientCredentials"]["tokenUrl"] == "/api/v1/oauth/token/"
    checked = 0
    for path, method, operation in _operations(schema):
        if not path.startswith("/api/v1/") or path.startswith(("/api/v1/schema", "/api/v1/oauth")):
            continue
        view = resolve(re.sub(r"\{[^}]+\}", "00000000-0000-0000-0000-000000000000", path)).func.view_class
        expected = rule_of(view.actions[method.upper()]).api_scope
        assert operation["security"] == [{"oauth2": [expected]}], (path, method)
        assert expected in flows["clientCredentials"]["scopes"]
        checked += 1
    assert checked >= 7


def test_the_servers_are_published(schema):
    assert schema["servers"][0]["url"] == "/"


def test_the_idempotency_key_is_documented_as_the_server_checks_it(schema, client):
    [parameter] = [
        p for p in schema["paths"]["/api/v1/referrals/"]["post"]["parameters"] if p["name"] == "Idempotency-Key"
    ]
    assert parameter["schema"] == {"type": "string", "minLength": 1, "maxLength": 255, "pattern": KEY_PATTERN}
    from referrals.idempotency import key_of

    class Request:
        def __init__(self, key):
            self.headers = {"Idempotency-Key": key}

    documented = re.compile(parameter["schema"]["pattern"])
    for key in ["a", "0f8fad5b-d9cb-469f-a165-70867728950e", "x" * 255, "with space", "x" * 256, "", "é", "tab\t",
                " lead", "trail ", "\x7f"]:  # fmt: skip
        assert (key_of(Request(key)) is not None) == bool(documented.fullmatch(key)), key


def test_text_fields_carry_their_length_limits(schema):
    referral = schema["components"]["schemas"]["ReferralRequest"]["properties"]
    assert referral["narrative"]["maxLength"] > 0
    person = schema["components"]["schemas"]["PersonRequest"]["properties"]
    assert person["given_name"]["maxLength"] > 0
