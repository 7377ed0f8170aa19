"""Cases for the clustering: who may be one person, and links that must not be made."""

from __future__ import annotations

import pytest

from kimlik.resolve.cluster import Person, ScoredPair, cluster, compatible, first_names_compatible


def _p(
    first: str | None, last: str | None = None, born: str | None = None, *, contact: bool = True
) -> Person:
    """A customer record; ``contact``: it holds an email or a phone."""
    return Person(first, last, born, contact)


NAMES = [
    ("same", _p("ayse", "kaya"), _p("ayse", "kaya"), True),
    ("missing side", _p(None, "kaya"), _p("ayse", "kaya"), True),
    ("nickname", _p("bob", "hall"), _p("robert", "hall"), True),
    ("typo", _p("hatice"), _p("hatiec"), True),
    ("initial", _p("j", "doe"), _p("john", "doe"), True),
    ("cut off", _p("sea", "williams"), _p("sean", "williams"), True),
    ("doubled letter on a nickname", _p("saandy", "brown"), _p("sandra", "brown"), True),
    ("swapped", _p("kaya", "emine"), _p("emine", "kaya"), True),
    ("swapped with a typo", _p("khan", "carol"), _p("carol", "khn"), True),
    ("swapped against a first name only", _p("smith", "brittany"), _p("brittany"), True),
    ("husband and wife", _p("ali", "kaya"), _p("ayse", "kaya"), False),
    ("two letters are no initial", _p("al", "kaya"), _p("ayse", "kaya"), False),
    ("twins", _p("deniz", "kaya"), _p("derya", "kaya"), False),
    ("wife swapped, husband not", _p("yilmaz", "ayse"), _p("mehmet", "yilmaz"), False),
]


@pytest.mark.parametrize(("a", "b", "expected"), [c[1:] for c in NAMES], ids=[c[0] for c in NAMES])
def test_first_names_compatible(a: Person, b: Person, expected: bool) -> None:
    assert first_names_compatible(a, b) is expected
    assert first_names_compatible(b, a) is expected


def test_birth_dates_veto_but_allow_typos_and_swaps() -> None:
    assert not compatible(_p("ali", born="1980-01-02"), _p("ali", born="1975-06-30"))
    assert compatible(_p("ali", born="1980-01-02"), _p("ali", born="1980-02-01"))
    assert compatible(_p("ali", born="1980-01-02"), _p("ali", born="1980-01-03"))
    assert compatible(_p("ali", born="1990-06-20"), _p("ali", born="1989-06-20"))  # a year off
    assert not compatible(_p("ali", born="1990-06-20"), _p("ali", born="1989-06-21"))


def test_twins_are_kept_apart_where_a_record_has_a_contact() -> None:
    twin, sister = _p("deniz", "kaya", "1990-04-05"), _p("derya", "kaya", "1990-04-05")
    assert not compatible(twin, sister)
    register = _p("deniz", "kaya", "1990-04-05", contact=False)
    assert not compatible(register, sister)
    assert not compatible(sister, register)


def test_without_any_contact_a_replaced_first_name_on_one_birth_date_is_for_the_model() -> None:
    """A register of names, dates and addresses: nothing tells twins from a replaced name."""
    olivia = _p("olivia", "gwatking", "1975-03-14", contact=False)
    madalyn = _p("madalyn", "gwatking", "1975-03-14", contact=False)
    assert compatible(olivia, madalyn)
    # Only one full birth date lifts the name check: another date, or none, does not.
    assert not compatible(olivia, _p("madalyn", "gwatking", "1975-03-15", contact=False))
    assert not compatible(olivia, _p("madalyn", "gwatking", contact=False))
    assert not compatible(_p("olivia", "gwatking", contact=False), _p("madalyn", "gwatking"))


def test_without_any_contact_another_birth_date_under_one_name_is_for_the_model() -> None:
    """A register again: a replaced birth date looks like a father and son of one name.
    Where either record holds an email or a phone, the dates still keep them apart."""
    father = _p("ahmet", "kaya", "1950-02-11", contact=False)
    son = _p("ahmet", "kaya", "1978-09-30", contact=False)
    assert compatible(father, son)
    assert compatible(father, _p("ahmed", "kaya", "1978-09-30", contact=False))  # a typo too
    assert not compatible(father, _p("ahmet", "kaya", "1978-09-30"))
    assert not compatible(_p("ahmet", "kaya", "1950-02-11"), son)
    # the first name replaced as well: nothing of the person is left to agree
    assert not compatible(father, _p("hasan", "kaya", "1978-09-30", contact=False))


def test_a_father_and_son_are_kept_apart_where_either_has_a_contact() -> None:
    people = {
        1: _p("ahmet", "kaya", "1950-02-11"),
        2: _p("ahmet", "kaya", "1978-09-30"),
    }
    result = cluster(
        people, [ScoredPair(1, 2, 14.0, identifier=True)], link_weight=3, review_weight=-2
    )
    assert result.cluster_of == {1: 1, 2: 2}
    assert result.refused == [ScoredPair(1, 2, 14.0, identifier=True)]


def test_a_twin_with_a_contact_anywhere_in_the_cluster_is_not_joined() -> None:
    """Deniz's register record (no contact) may pair with Derya's, but Deniz's CRM copy
    (with an email) is in the same cluster, and it cannot agree with Derya."""
    people = {
        1: _p("deniz", "kaya", "1990-04-05", contact=False),
        2: _p("deniz", "kaya", "1990-04-05"),
        3: _p("derya", "kaya", "1990-04-05", contact=False),
    }
    pairs = [ScoredPair(1, 2, 15.0), ScoredPair(1, 3, 12.0)]
    result = cluster(people, pairs, link_weight=3, review_weight=-2)
    assert result.cluster_of == {1: 1, 2: 1, 3: 3}
    assert result.refused == [ScoredPair(1, 3, 12.0)]
    alone = {1: people[1], 3: people[3]}
    linked = cluster(alone, [ScoredPair(1, 3, 12.0)], link_weight=3, review_weight=-2)
    assert linked.cluster_of == {1: 1, 3: 1}


def test_shared_identifier_links_a_pair_the_model_doubts() -> None:
    people = {1: _p("mary", "brown"), 2: _p(None, None)}
    doubted = [ScoredPair(1, 2, -1.5, identifier=True)]
    assert cluster(people, doubted, link_weight=3, review_weight=-2).cluster_of == {1: 1, 2: 1}
    without = [ScoredPair(1, 2, -1.5)]
    result = cluster(people, without, link_weight=3, review_weight=-2)
    assert result.cluster_of == {1: 1, 2: 2}
    assert result.review == without


def test_family_email_does_not_glue_a_household() -> None:
    """Husband, wife and a sign-up with the family address and no name."""
    people = {1: _p("ali", "kaya"), 2: _p("ayse", "kaya"), 3: _p(None, None)}
    pairs = [
        ScoredPair(1, 2, 1.0, identifier=True),
        ScoredPair(1, 3, 0.5, identifier=True),
        ScoredPair(2, 3, 0.4, identifier=True),
    ]
    result = cluster(people, pairs, link_weight=3, review_weight=-2)
    assert result.cluster_of[1] != result.cluster_of[2]
    assert result.refused
    # The nameless sign-up joins one of them, the stronger link first.
    assert result.cluster_of[3] == result.cluster_of[1]


def test_never_merge_beats_a_shared_identifier() -> None:
    people = {1: _p("mary"), 2: _p("mary")}
    pairs = [ScoredPair(1, 2, 20.0, identifier=True)]
    result = cluster(people, pairs, link_weight=3, review_weight=-2, cannot_link=[(1, 2)])
    assert result.cluster_of == {1: 1, 2: 2}


def test_declared_identifier_outweighs_a_name_conflict() -> None:
    people = {1: _p("deniz", "aksoy", "1980-05-01"), 2: _p("derya", "aksoy", "1980-05-01")}
    plain = [ScoredPair(1, 2, 12.0, identifier=True)]
    assert cluster(people, plain, link_weight=3, review_weight=-2).cluster_of == {1: 1, 2: 2}
    trusted = [ScoredPair(1, 2, 12.0, identifier=True, trusted=True)]
    assert cluster(people, trusted, link_weight=3, review_weight=-2).cluster_of == {1: 1, 2: 1}


def test_cluster_holding_an_accepted_conflict_takes_records_that_agree_with_one_version() -> None:
    """One national id joined "Travis" to "Adam" (a replaced name); another Adam record
    must still be able to join, though it cannot agree with Travis."""
    people = {
        1: _p("adam", "eveston", "1994-06-23"),
        2: _p("travis", "eveston", "1994-06-23"),
        3: _p("adam", "eveston", "1994-06-23"),
        4: _p("mary", "eveston", "1960-01-01"),
    }
    pairs = [
        ScoredPair(1, 2, 20.0, identifier=True, trusted=True),
        ScoredPair(1, 3, 15.0),
        ScoredPair(2, 4, 14.0),
    ]
    result = cluster(people, pairs, link_weight=3, review_weight=-2)
    assert result.cluster_of[1] == result.cluster_of[2] == result.cluster_of[3]
    assert result.cluster_of[4] != result.cluster_of[1]  # agrees with neither version
