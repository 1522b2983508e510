"""The household list's search, answered on PostgreSQL from trigram indexes on the tripled
text (cases/search.py, migration 0011), finds exactly the rows a plain ``icontains`` over the
same columns and the members' ID numbers finds (issue #6)."""

import pytest
from django.db import connection
from django.db.models import Exists, OuterRef, Q
from django.test import RequestFactory

from cases.filters import HouseholdFilterSet
from cases.models import Household, Member
from tests.factories import HouseholdFactory, MemberFactory

MEMBER_ID = "41172719800101105X"

VALUES = [
    "张伟",  # two characters: the common search, and the one a plain trigram index cannot serve
    "伟",  # one character: a surname
    "张伟明",
    "伟张",  # the characters of a name, in another order
    "伟伟",  # a repeated character, against a name with a run of it
    "nn",  # case-insensitive
    "NN",
    "138",  # part of a phone number
    "0001",  # part of register numbers, and no member's ID tail
    "105x",  # a member's ID tail, in lower case
    MEMBER_ID,  # a whole ID number
    "50%",  # LIKE's wildcards are searched literally
    "%",
    "_b",
    "a\\b",
    "张 伟",
    "没有",
]


def plain_icontains(value):
    members = Member.objects.filter(household=OuterRef("pk"), id_number__iendswith=value)
    return set(
        Household.objects.filter(
            Q(register_number__icontains=value) | Q(head_name__icontains=value)
            | Q(phone__icontains=value) | Q(Exists(members))
        ).values_list("pk", flat=True)
    )


def search(value, user):
    request = RequestFactory().get("/households/", {"q": value})
    request.user = user
    return HouseholdFilterSet(data={"q": value}, queryset=Household.objects.all(),
                              request=request).qs


def searched(value, user):
    return set(search(value, user).values_list("pk", flat=True))


@pytest.fixture
def households(county_a):
    names = ["张伟", "李张伟明", "王伟张", "张伟伟", "伟", "Anna", "50%折扣", "a_b", "ab", "a\\b",
             "张 伟", "赵六"]
    rows = [
        HouseholdFactory(village__township__county=county_a, head_name=name,
                         phone="13812345678" if i % 2 else "")
        for i, name in enumerate(names)
    ]
    MemberFactory(household=rows[-1], id_number=MEMBER_ID)
    return rows


@pytest.mark.parametrize("value", VALUES)
def test_the_household_search_finds_what_icontains_finds(households, city_reviewer, value):
    assert searched(value, city_reviewer) == plain_icontains(value)


def test_the_search_values_tell_the_rows_apart(households):
    # The comparison above is only worth something if the values find different rows.
    found = {value: frozenset(plain_icontains(value)) for value in VALUES}
    assert found["张伟"] and found["伟"] > found["张伟"] and not found["没有"]
    assert found["105x"] == found[MEMBER_ID] and len(found["105x"]) == 1
    assert len(found["%"]) == 1 and len(found["_b"]) == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the indexes exist on PostgreSQL")
@pytest.mark.django_db
@pytest.mark.parametrize("value", ["张伟", "伟"])
def test_the_search_can_be_served_by_the_trigram_indexes(households, city_reviewer, value):
    # With a handful of rows the planner scans; forbidding scans shows the indexes match the
    # expression the search filters on (a different spelling would leave a scan as the only
    # plan, and EXPLAIN would show it despite the setting).
    sql, params = search(value, city_reviewer).order_by().values("pk").query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    for index in ("household_register_number_trgm", "household_head_name_trgm",
                  "household_phone_trgm"):
        assert index in plan
    assert "Seq Scan on cases_household" not in plan

