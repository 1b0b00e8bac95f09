"""The payload of telling the referrer (`referral.acknowledged`, `referral.outcome_sent`), registered in
`audit.events.payloads.PAYLOADS` like every other."""

from typing import NotRequired, TypedDict


class ReferrerTold(TypedDict):
    reference: str
    channel: str  # email, webhook (a notice to the agency's system) or feed (the agency's change feed)
    outcome: NotRequired[str]  # the outcome's code (outcome_sent)
    detail: NotRequired[bool]  # the outcome stated (a professional), or only that it was dealt with (the public)
