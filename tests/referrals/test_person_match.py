"""Scoring two person records: each piece of evidence gives the reason a practitioner reads, siblings and twins are
never a match, the batch's blocking finds the near candidates, and `match_people` reads and writes CSV."""

import csv
from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from referrals.person_blocking import candidate_pairs
from referrals.person_match import PersonRecord, nhs_number_valid, score

BORN = date(2015, 3, 9)


def child(**changes) -> PersonRecord:
    base = {
        "given_name": "Amelia",
        "family_name": "Hughes",
        "date_of_birth": BORN,
        "postcode": "B11 1AA",
        "nhs_number": "",
        "address": "12 Church Road",
    }
    return PersonRecord(**{**base, **changes})


def test_nhs_number_equal_is_a_match_and_says_so():
    result = score(child(nhs_number="401 023 2137"), child(nhs_number="4010232137", postcode=""))
    assert result.verdict == "match"
    assert result.reasons[0] == "NHS number equal"


def test_different_valid_nhs_numbers_are_strong_evidence_against():
    assert nhs_number_valid("4010232137") and nhs_number_valid("9434765919")
    same = score(child(), child())
    result = score(child(nhs_number="4010232137"), child(nhs_number="9434765919"))
    assert "NHS numbers differ" in result.reasons
    assert result.score <= same.score - 10
    assert result.verdict != "match"


def test_mohammed_and_muhammad_are_one_name():
    result = score(child(given_name="Mohammed"), child(given_name="Muhammad"))
    assert result.verdict == "match"
    assert "given names are variants of one name" in result.reasons


def test_given_names_that_sound_alike():
    result = score(child(given_name="Aiden"), child(given_name="Aidan", address=""))
    assert "given names sound alike" in result.reasons
    assert result.verdict == "match"


def test_family_name_sounds_alike_and_accents_apostrophes_are_ignored():
    assert "family names equal" in score(child(family_name="O'Brien"), child(family_name="OBRIEN")).reasons
    assert "given names equal" in score(child(given_name="Zoë"), child(given_name="Zoe")).reasons
    result = score(child(family_name="Stephenson"), child(family_name="Stevenson"))
    assert "family names sound alike" in result.reasons
    assert result.verdict == "match"


def test_day_and_month_swapped():
    result = score(child(), child(date_of_birth=date(2015, 9, 3)))
    assert "date of birth day and month swapped" in result.reasons
    assert result.verdict == "match"


def test_typos_in_name_and_date_of_birth():
    result = score(child(given_name="Amrlia"), child(date_of_birth=date(2015, 3, 8)))
    assert "given names differ by one letter" in result.reasons
    assert "date of birth differs by one digit" in result.reasons
    assert result.verdict in ("match", "possible")
    assert "date of birth a year apart" in score(child(), child(date_of_birth=date(2016, 3, 9))).reasons
    assert "dates of birth 5 days apart" in score(child(), child(date_of_birth=date(2015, 3, 14))).reasons


def test_double_barrelled_family_name_containing_the_other():
    result = score(child(family_name="Hughes-Okafor"), child(family_name="Okafor"))
    assert "family name is part of a double-barrelled family name" in result.reasons
    assert result.verdict == "match"


def test_given_and_family_names_swapped():
    result = score(child(), child(given_name="Hughes", family_name="Amelia"))
    assert result.reasons[0] == "given and family names swapped"
    assert result.verdict == "match"


def test_twins_are_never_a_match():
    """Same family name, date of birth, address, postcode, even the same NHS number typed in error: a different
    given name keeps it for review at most."""
    result = score(child(given_name="Amelia"), child(given_name="Isla"))
    assert result.verdict == "possible"
    assert "given names differ" in result.reasons
    typed_in_error = score(child(nhs_number="4010232137"), child(given_name="Isla", nhs_number="4010232137"))
    assert typed_in_error.verdict == "possible"
    assert "not a match while the given names differ (a sibling or twin?)" in typed_in_error.reasons
    assert score(child(given_name="Olivia"), child(given_name="Oliver")).verdict != "match"
    assert score(child(given_name="Ella"), child(given_name="Ellie")).verdict != "match"


def test_siblings_are_not_suggested():
    result = score(child(), child(given_name="Noah", date_of_birth=date(2018, 7, 21)))
    assert result.verdict is None
    assert "dates of birth differ" in result.reasons


def test_a_different_person_with_a_common_name_is_not_suggested():
    other = PersonRecord(given_name="Amelia", family_name="Hughes", date_of_birth=date(1990, 1, 1), postcode="LS6 2AB")
    assert score(child(), other).verdict is None


def test_postcode_sector_and_missing_fields():
    result = score(child(postcode="B11 1AA"), child(postcode="B11 1ZZ", date_of_birth=None))
    assert "postcode in the same sector" in result.reasons
    assert "date of birth missing" in result.reasons


def test_blocking_finds_transposed_dates_and_sound_alike_names_but_not_everyone():
    records = [
        child(family_name="Stephenson"),  # 0
        child(given_name="Jack", family_name="Smith", date_of_birth=date(2015, 9, 3), postcode="", address=""),  # 1
        PersonRecord(given_name="Amelia", family_name="Stevenson", postcode="M1 1AA"),  # 2: family sounds alike
        PersonRecord(given_name="Zed", family_name="Young", date_of_birth=date(2001, 1, 1), postcode="E1 6AN"),  # 3
    ]
    pairs = set(candidate_pairs(records))
    assert (0, 1) in pairs  # 9 March and 3 September
    assert (0, 2) in pairs  # Stephenson and Stevenson
    assert not any(3 in pair for pair in pairs)


def _write(path, rows):
    path.write_text("\n".join(",".join(row) for row in rows) + "\n", encoding="utf-8")


HEADER = ["record_id", "given_name", "family_name", "date_of_birth", "postcode", "nhs_number"]


def test_match_people_reads_and_writes_csv(tmp_path):
    _write(
        tmp_path / "in.csv",
        [
            HEADER,
            ["r1", "Mohammed", "Khan", "2015-03-09", "B11 1AA", ""],
            ["r2", "Muhammad", "Khan", "2015-09-03", "B11 1AA", ""],
            ["r3", "Aisha", "Khan", "2015-03-09", "B11 1AA", ""],  # twin of r1
            ["r4", "Zed", "Young", "", "E1 6AN", "4010232137"],
            ["r5", "Zedd", "Young", "", "", "4010232137"],
        ],
    )
    out = StringIO()
    call_command("match_people", str(tmp_path / "in.csv"), str(tmp_path / "out.csv"), stdout=out)
    with (tmp_path / "out.csv").open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    pairs = {(row["record_id_a"], row["record_id_b"]): row["verdict"] for row in rows}
    assert pairs[("r1", "r2")] == "match"
    assert pairs[("r4", "r5")] == "match"
    assert pairs.get(("r1", "r3")) != "match"
    assert all(pair != ("r1", "r4") for pair in pairs)
    scores = [float(row["score"]) for row in rows]
    assert scores == sorted(scores, reverse=True)
    assert "5 records" in out.getvalue()


def test_match_people_names_every_bad_row_and_writes_nothing(tmp_path):
    _write(
        tmp_path / "in.csv",
        [
            HEADER,
            ["r1", "Amelia", "Hughes", "2015-03-09", "B11 1AA", ""],
            ["r2", "Amelia", "Hughes", "09/03/2015", "B11 1AA", ""],
            ["r1", "Isla", "Hughes", "2015-02-30", "B11 1AA", "40102X2137"],
        ],
    )
    with pytest.raises(CommandError) as error:
        call_command("match_people", str(tmp_path / "in.csv"), str(tmp_path / "out.csv"))
    message = str(error.value)
    assert "row 3: date_of_birth is not a date like 2015-03-09 (it is '09/03/2015')" in message
    assert "row 4: record_id r1 appears more than once" in message
    assert "row 4: date_of_birth is not a date like 2015-03-09 (it is '2015-02-30')" in message
    assert not (tmp_path / "out.csv").exists()


def test_match_people_refuses_a_file_without_the_columns(tmp_path):
    _write(tmp_path / "in.csv", [["id", "name"], ["1", "Amelia"]])
    with pytest.raises(CommandError, match="the header lacks record_id, given_name"):
        call_command("match_people", str(tmp_path / "in.csv"), str(tmp_path / "out.csv"))
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("match_people", str(tmp_path / "missing.csv"), str(tmp_path / "out.csv"))


def test_a_mistyped_nhs_number_counts_little_against():
    """A number failing its check digit was mistyped: the rest of the evidence decides."""
    result = score(child(nhs_number="4010232138"), child(nhs_number="9434765919"))
    assert "NHS numbers differ (one is not a valid NHS number)" in result.reasons
    assert result.verdict == "match"


def test_a_misspelt_part_of_a_double_barrelled_name():
    result = score(child(family_name="Adms"), child(family_name="James-Adams"))
    assert "family name is part of a double-barrelled family name" in result.reasons
