"""The OpenAPI document as the contract, completed in one place rather than on each view (a drf-spectacular
postprocessing hook, registered in SPECTACULAR_SETTINGS):

- a `Problem` component (RFC 9457, with `errors[{field, detail}]`) as the `application/problem+json` body of every
  4xx and 5xx response of every operation;
- the cursor pages' parameters (`cursor`, `page_size` 1 to MAX_PAGE_SIZE) on every operation that answers a page
  (a 200 body with `results` and `next`), as the views page by hand and spectacular cannot see it;
- `additionalProperties: false` on every request body's object (the declared inputs, mash/schemas.py `Schema`,
  refuse a key they do not declare, by name);
- OpenAPI links from what a write answers to the operations that take its id (a new referral to reading it and
  answering about it, a new webhook to reading, pinging, rotating, listing the notices of and deleting it), so a
  generated client and schemathesis's stateful tests can follow them;
- (not here: the rules across fields, a date of birth or an estimated age for the subject and a source code for a
  child, are in the fields' descriptions: an `anyOf` of `required`s on PersonRequest makes openapi-python-client type
  the subject as Any, and the cohort follows the age when not sent, which OpenAPI 3.0 cannot state);
- `servers` from SPECTACULAR_SETTINGS (the API_SERVER_URL setting, `/` by default).

Per-operation scopes are the authentication extension's (referrals/schema.py), which reads the policy.
"""

from mash.api_paging import MAX_PAGE_SIZE

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}

PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details: every error of the API has this body.",
    "properties": {
        "type": {"type": "string", "description": "A URI naming the kind of problem"},
        "title": {"type": "string", "description": "The status's phrase (Unprocessable Content …)"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "What went wrong and what to do, in words"},
        "errors": {
            "type": "array",
            "description": "One entry per field that is wrong (422)",
            "items": {"$ref": "#/components/schemas/ProblemFieldError"},
        },
    },
    "required": ["type", "title", "status", "detail"],
}
PROBLEM_FIELD_ERROR = {
    "type": "object",
    "description": 'What is wrong with one field of the request (or, with field "", with the request as a whole).',
    "properties": {
        "field": {"type": "string", "description": "The field's dotted path (subject.nhs_number, others.0.role)"},
        "detail": {"type": "string"},
    },
    "required": ["field", "detail"],
}
PAGE_PARAMETERS = [
    {
        "in": "query",
        "name": "cursor",
        "required": False,
        "schema": {"type": "string", "minLength": 1},
        "description": "The page to read: take it from the previous page's `next` (opaque; any other is a 422)",
    },
    {
        "in": "query",
        "name": "page_size",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE},
        "description": f"How many results a page holds (1 to {MAX_PAGE_SIZE}; 50 unless given)",
    },
]

PAGE_ERRORS = {
    "404": "The cursor is not one a page gave (problem+json)",
    "422": f"page_size is not a whole number from 1 to {MAX_PAGE_SIZE} (problem+json, on the field)",
}


# operationId of a write -> (its success status, the id's parameter name, the operations that take that id)
LINKS = {
    "referrals_create": ("201", "referral_id", ["referrals_retrieve", "referrals_contributions_create"]),
    "webhooks_create": (
        "201",
        "webhook_id",
        ["webhooks_retrieve", "webhooks_ping_create", "webhooks_rotate_secret_create", "webhooks_deliveries_list",
         "webhooks_destroy"],
    ),
}  # fmt: skip


def _links(operation: dict) -> None:
    status, parameter, targets = LINKS.get(operation.get("operationId"), (None, None, []))
    response = operation.get("responses", {}).get(status)
    if response is None:
        return
    response["links"] = {
        target: {"operationId": target, "parameters": {parameter: "$response.body#/id"}} for target in targets
    }


def _is_error(status: str) -> bool:
    return status[:1] in ("4", "5")


def _answers_a_page(operation: dict, schemas: dict) -> bool:
    content = operation.get("responses", {}).get("200", {}).get("content", {}).get("application/json", {})
    ref = content.get("schema", {}).get("$ref", "")
    properties = schemas.get(ref.rsplit("/", 1)[-1], {}).get("properties", {})
    return "results" in properties and "next" in properties


def postprocess(result, generator, request, public):
    """The hook: see the module's docstring."""
    components = result.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name, component in schemas.items():
        if name.endswith("Request") and component.get("type") == "object":
            component["additionalProperties"] = False
    schemas["Problem"] = PROBLEM
    schemas["ProblemFieldError"] = PROBLEM_FIELD_ERROR
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            _links(operation)
            for status, response in operation["responses"].items():
                if _is_error(status):
                    response["content"] = {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}
            if method == "get" and _answers_a_page(operation, schemas):
                for status, why in PAGE_ERRORS.items():
                    operation["responses"].setdefault(
                        status, {"description": why, "content": {PROBLEM_MEDIA_TYPE: {"schema": PROBLEM_REF}}}
                    )
                parameters = operation.setdefault("parameters", [])
                named = {(p.get("in"), p.get("name")): p for p in parameters}
                for parameter in PAGE_PARAMETERS:
                    declared = named.get(("query", parameter["name"]))
                    if declared is not None:  # by the view: its words and its schema, completed by the pager's bounds
                        declared["schema"] = {**parameter["schema"], **declared.get("schema", {})}
                    else:
                        parameters.append(dict(parameter))
    return result
