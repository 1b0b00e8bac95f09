"""The rules that keep a screening from contradicting itself, and who may lower a referral's concern.

A screening contradicts itself when what it records says more concern than its level or rating: a criterion of a
higher level than the one chosen; a criterion of the highest level (significant harm, a safeguarding enquiry) with a
Green or Blue rating; someone at immediate risk of harm with Green or Blue, or with a level in the lower half of the
thresholds (universal, early help). Anyone screening may raise the rating or the level; lowering either is the acting
manager's, with a reason. Each rule answers in words, naming what contradicts what.
"""

from django.utils.translation import gettext

from referrals.models import Rating, ThresholdVersion

CONCERN = {Rating.BLUE: 0, Rating.GREEN: 1, Rating.AMBER: 2, Rating.RED: 3}  # how much concern a rating says
LOW_RATINGS = (Rating.GREEN, Rating.BLUE)


def _name(rating: str) -> str:
    return str(Rating(rating).label).split(" (")[0]  # "Blue", not "Blue (no MASH response)"


def _level_index(version: ThresholdVersion, code: str) -> int | None:
    return next((i for i, level in enumerate(version.levels) if level["code"] == code), None)


def contradictions(
    version: ThresholdVersion, *, level: str, criteria: list[str], rating: str, immediate_risk: bool
) -> dict[str, list[str]]:
    """What in the screening contradicts its level or rating, by the field to change: {"level": [...], "rating": [...]}."""
    found: dict[str, list[str]] = {}
    chosen = _level_index(version, level)
    if chosen is None or not rating:
        return found
    levels = version.levels
    top = len(levels) - 1
    low_rating = _name(rating) if rating in LOW_RATINGS else ""
    for index, candidate in enumerate(levels):
        for criterion in candidate["criteria"]:
            if criterion["code"] not in criteria:
                continue
            text = criterion["text"]
            if index > chosen:
                found.setdefault("level", []).append(
                    gettext("“%(criterion)s” is a criterion of %(level)s, above the level chosen (%(chosen)s)")
                    % {"criterion": text, "level": candidate["name"], "chosen": levels[chosen]["name"]}
                )
            if index == top and low_rating:
                found.setdefault("rating", []).append(
                    gettext("“%(criterion)s” is a criterion of %(level)s: a %(rating)s rating contradicts it")
                    % {"criterion": text, "level": candidate["name"], "rating": low_rating}
                )
    if immediate_risk and low_rating:
        found.setdefault("rating", []).append(
            gettext("Someone is at immediate risk of harm: a %(rating)s rating contradicts it") % {"rating": low_rating}
        )
    if immediate_risk and chosen < len(levels) // 2:
        found.setdefault("level", []).append(
            gettext("Someone is at immediate risk of harm: the level %(level)s contradicts it")
            % {"level": levels[chosen]["name"]}
        )
    return found


def lowerings(version: ThresholdVersion, *, current_rating: str, current_level: str, rating: str, level: str) -> dict:
    """What the screening lowers, by field, in words: {"rating": "the rating from Amber to Green", "level": ...}.
    Raising, or a first screening, lowers nothing."""
    found = {}
    if current_rating and rating and CONCERN[Rating(rating)] < CONCERN[Rating(current_rating)]:
        found["rating"] = gettext("the rating from %(was)s to %(now)s") % {
            "was": _name(current_rating),
            "now": _name(rating),
        }
    was, now = _level_index(version, current_level), _level_index(version, level)
    if was is not None and now is not None and now < was:
        found["level"] = gettext("the level from %(was)s to %(now)s") % {
            "was": version.levels[was]["name"],
            "now": version.levels[now]["name"],
        }
    return found


def lowered(version: ThresholdVersion, *, current_rating: str, current_level: str, rating: str, level: str) -> dict:
    """Why someone who is not the acting manager cannot record this screening, by the field it lowers."""
    found = lowerings(version, current_rating=current_rating, current_level=current_level, rating=rating, level=level)
    return {
        field: gettext(
            "Lowering %(what)s is for the accountable manager, with a reason: raise it, keep it, or ask the manager"
        )
        % {"what": what}
        for field, what in found.items()
    }
