"""Drive the agencies' API with a client generated from its OpenAPI schema by openapi-python-client.

    pip install openapi-python-client
    curl -s http://127.0.0.1:8000/api/v1/schema/?format=json > schema.json
    openapi-python-client generate --path schema.json --meta none --output-path mash_api
    python docs/api/generated_client.py http://127.0.0.1:8000 "$CLIENT_ID" "$CLIENT_SECRET"

It sends a wrong referral (the error parses as a `Problem`, field by field), three right ones, reads one with its
ETag, pages the list two at a time, and reads the events feed from the start by cursor. `make run` prints a client per
demo agency; the police's has the scopes this needs."""

import datetime
import sys
import uuid
from urllib.parse import parse_qs, urlparse

import httpx
from mash_api import AuthenticatedClient
from mash_api.api.events import events_list
from mash_api.api.referrals import referrals_create, referrals_list, referrals_retrieve
from mash_api.models import (
    CohortEnum,
    ConcernsEnum,
    ConsentEnum,
    EventPage,
    PersonRequest,
    ReferralRequest,
    ReferralStatusPage,
    ReferrerRequest,
    SourceCodeEnum,
)


def referral(given: str, family: str, born: datetime.date) -> ReferralRequest:
    return ReferralRequest(
        referrer=ReferrerRequest(name="PC Jo Bloggs", contact="01234 567890"),
        narrative="Child seen with bruising at school",
        immediate_risk=False,
        consent=ConsentEnum.OBTAINED,
        cohort=CohortEnum.CHILD,
        source_code=SourceCodeEnum("6"),
        concerns=[ConcernsEnum.PHYSICAL],
        subject=PersonRequest(family_name=family, given_name=given, date_of_birth=born),
    )


def next_cursor(page) -> str | None:
    return parse_qs(urlparse(page.next_).query)["cursor"][0] if page.next_ else None


def main(base: str, client_id: str, secret: str) -> None:
    token = httpx.post(
        f"{base}/api/v1/oauth/token/", data={"grant_type": "client_credentials"}, auth=(client_id, secret)
    ).json()["access_token"]
    api = AuthenticatedClient(base_url=base, token=token)

    wrong = referral("\u202eAmy", "Smith", datetime.date.today() + datetime.timedelta(days=30))
    problem = referrals_create.sync(client=api, body=wrong, idempotency_key=str(uuid.uuid4()))
    print("error:", type(problem).__name__, problem.status, [(e.field, e.detail) for e in problem.errors])

    made = [
        referrals_create.sync(client=api, body=referral(name, "Client", datetime.date(2016, 3, 4)),
                              idempotency_key=str(uuid.uuid4()))
        for name in ("Ann", "Ben", "Cal")
    ]  # fmt: skip
    print("created:", [(m.reference, str(m.status)) for m in made])
    one = referrals_retrieve.sync_detailed(client=api, referral_id=made[0].id)
    again = api.get_httpx_client().get(
        f"/api/v1/referrals/{made[0].id}/", headers={"If-None-Match": one.headers["etag"]}
    )
    print("read one:", one.status_code, one.headers["etag"], "then", again.status_code)

    cursor = None
    for number in range(1, 4):
        page = referrals_list.sync(client=api, page_size=2, **({"cursor": cursor} if cursor else {}))
        assert isinstance(page, ReferralStatusPage), page
        print(f"list page {number}:", [r.reference for r in page.results])
        if not (cursor := next_cursor(page)):
            break

    cursor, kinds = None, {}
    while True:
        page = events_list.sync(client=api, page_size=200, **({"cursor": cursor} if cursor else {}))
        assert isinstance(page, EventPage), page
        for event in page.results:
            kinds[str(event.type_)] = kinds.get(str(event.type_), 0) + 1
        if not (cursor := next_cursor(page)):
            break
    print("events:", kinds)


if __name__ == "__main__":
    main(*sys.argv[1:4])
