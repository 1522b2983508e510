"""Who sees and changes what: the role and county boundaries of ScopedQuerySet.for_user,
and the same boundaries seen through the pages."""

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from cases.models import (
    County,
    CountyDataVersion,
    Household,
    IndicatorSnapshot,
    Member,
    Pairing,
    Village,
)
from cases.querysets import ScopedQuerySet
from tests.factories import MemberFactory, PairingFactory, VillageFactory
from tests.forms import page_post_data


@pytest.fixture
def case_a(county_a):
    return MemberFactory(household__village__township__county=county_a)


@pytest.fixture
def case_b(county_b):
    return MemberFactory(household__village__township__county=county_b)


@pytest.fixture
def pairings(case_a, case_b):
    return PairingFactory(household=case_a.household), PairingFactory(household=case_b.household)


SCOPED_MODELS = [Household, Member, Pairing, Village, County]


def test_every_case_model_is_scoped():
    unscoped = [
        model.__name__
        for model in apps.get_app_config("cases").get_models()
        # History rows are read through their scoped record (``record.history``).
        if "county" in {f.name for f in model._meta.fields}
        and not model._meta.model_name.startswith("historical")
        # Derived dashboard figures, read only by cases.summaries for counties it has scoped.
        and model not in (CountyDataVersion, IndicatorSnapshot)
        and not isinstance(model._default_manager.all(), ScopedQuerySet)
    ]
    assert unscoped == []


@pytest.mark.parametrize("model", SCOPED_MODELS)
def test_county_staff_see_and_change_only_their_county(model, county_a_clerk, pairings):
    own = set(model.objects.filter(**{model.county_lookup: county_a_clerk.county_id}))
    assert own, "the fixture should give county A rows of every model"
    assert set(model.objects.for_user(county_a_clerk)) == own
    assert set(model.objects.for_user(county_a_clerk, "change")) == own
    assert model.objects.count() > len(own)


@pytest.mark.parametrize("model", SCOPED_MODELS)
def test_city_reviewers_see_every_county_and_change_none(model, city_reviewer, pairings):
    assert model.objects.for_user(city_reviewer).count() == model.objects.count()
    assert not model.objects.for_user(city_reviewer, "change").exists()


@pytest.mark.parametrize("model", SCOPED_MODELS)
def test_administrators_see_and_change_everything(model, administrator, pairings):
    assert model.objects.for_user(administrator, "change").count() == model.objects.count()


@pytest.mark.parametrize("model", SCOPED_MODELS)
def test_users_without_a_role_and_anonymous_users_get_nothing(model, no_role_user, pairings):
    from django.contrib.auth.models import AnonymousUser

    assert not model.objects.for_user(no_role_user).exists()
    assert not model.objects.for_user(AnonymousUser()).exists()
    assert not model.objects.for_user(None).exists()


def test_inactive_county_staff_get_nothing(county_a_clerk, case_a):
    county_a_clerk.is_active = False
    assert not Household.objects.for_user(county_a_clerk).exists()


def test_get_or_deny_hides_another_countys_row_and_refuses_a_read_only_one(
    county_a_clerk, city_reviewer, case_a, case_b
):
    assert Member.objects.get_or_deny(county_a_clerk, case_a.pk) == case_a
    with pytest.raises(Http404):
        Member.objects.get_or_deny(county_a_clerk, case_b.pk)
    with pytest.raises(Http404):
        Member.objects.get_or_deny(county_a_clerk, case_b.pk, "view")
    assert Member.objects.get_or_deny(city_reviewer, case_b.pk, "view") == case_b
    with pytest.raises(PermissionDenied):
        Member.objects.get_or_deny(city_reviewer, case_b.pk)
    assert Member.objects.allows(county_a_clerk, case_a.pk)
    assert not Member.objects.allows(county_a_clerk, case_b.pk)
    assert not Member.objects.allows(city_reviewer, case_b.pk)


def test_choosable_rows_are_the_change_scope_without_archived_ones(county_a_clerk, case_a, case_b):
    archived = MemberFactory(household=case_a.household, archived_at=timezone.now())
    assert set(Member.objects.choosable(county_a_clerk)) == {case_a}
    assert archived in Member.objects.for_user(county_a_clerk)
    # A register that archives nothing offers its whole change scope.
    assert set(Village.objects.choosable(county_a_clerk)) == set(
        Village.objects.for_user(county_a_clerk, "change")
    )


class TestHouseholdPages:
    def detail(self, household):
        return reverse("cases:household_detail", args=[household.pk])

    def edit(self, household):
        return reverse("cases:household_edit", args=[household.pk])

    def valid_post(self, household, **changes):
        data = {
            "register_number": household.register_number,
            "head_name": household.head_name,
            "village": household.village_id,
            "phone": "",
            "attribute": household.attribute,
            "standard": household.standard,
            "identified_on": household.identified_on.isoformat(),
            "main_cause": household.main_cause_id,
            "demands": "",
            "status": household.status,
            "exit_date": "",
            "monitoring": "",
        }
        return {**data, **changes}

    def test_anonymous_users_are_sent_to_login(self, client, case_a):
        response = client.get(self.detail(case_a.household))
        assert response.status_code == 302
        assert response.url.startswith(reverse("login"))

    def test_own_county_staff_see_the_household_with_masked_ids(
        self, client, county_a_clerk, case_a
    ):
        client.force_login(county_a_clerk)
        response = client.get(self.detail(case_a.household))
        assert response.status_code == 200
        assert case_a.name in response.content.decode()
        assert case_a.id_number not in response.content.decode()
        assert case_a.id_number[-4:] in response.content.decode()

    def test_another_countys_household_answers_404_and_stays_unchanged(
        self, client, county_b_clerk, case_a
    ):
        household = case_a.household
        before = Household.objects.filter(pk=household.pk).values().get()
        client.force_login(county_b_clerk)
        assert client.get(self.detail(household)).status_code == 404
        assert client.get(self.edit(household)).status_code == 404
        response = client.post(self.edit(household), self.valid_post(household, head_name="篡改"))
        assert response.status_code == 404
        assert Household.objects.filter(pk=household.pk).values().get() == before

    def test_a_guessed_id_that_does_not_exist_also_answers_404(self, client, county_b_clerk):
        client.force_login(county_b_clerk)
        assert client.get(reverse("cases:household_detail", args=[987654])).status_code == 404

    def test_users_without_a_role_get_404(self, client, no_role_user, case_a):
        client.force_login(no_role_user)
        assert client.get(self.detail(case_a.household)).status_code == 404

    def test_city_reviewers_read_but_may_not_edit(self, client, city_reviewer, case_a):
        household = case_a.household
        client.force_login(city_reviewer)
        assert client.get(self.detail(household)).status_code == 200
        assert client.get(self.edit(household)).status_code == 403
        response = client.post(self.edit(household), self.valid_post(household, head_name="篡改"))
        assert response.status_code == 403
        household.refresh_from_db()
        assert household.head_name != "篡改"

    def test_own_county_staff_edit_and_are_sent_to_the_case_page(
        self, client, county_a_clerk, case_a
    ):
        household = case_a.household
        client.force_login(county_a_clerk)
        form_page = client.get(self.edit(household))
        response = client.post(self.edit(household), page_post_data(form_page, head_name="王五"))
        assert response.status_code == 302
        assert response.url == self.detail(household)
        household.refresh_from_db()
        assert household.head_name == "王五"
        assert household.history.first().history_user == county_a_clerk

    def test_posting_another_countys_village_is_rejected(
        self, client, county_a_clerk, case_a, county_b
    ):
        household = case_a.household
        foreign_village = VillageFactory(township__county=county_b)
        client.force_login(county_a_clerk)
        form_page = client.get(self.edit(household))
        response = client.post(
            self.edit(household), page_post_data(form_page, village=foreign_village.pk)
        )
        assert response.status_code == 200
        assert "village" in response.context["form"].errors
        household.refresh_from_db()
        assert household.village_id != foreign_village.pk
        assert household.county == county_a_clerk.county

    def test_bad_input_keeps_what_was_typed_and_saves_nothing(self, client, county_a_clerk, case_a):
        household = case_a.household
        client.force_login(county_a_clerk)
        form_page = client.get(self.edit(household))
        response = client.post(
            self.edit(household),
            page_post_data(form_page, head_name="新名字", status="exited", exit_date="2001-01-01"),
        )
        assert response.status_code == 200
        assert response.context["form"].errors["exit_date"] == ["脱贫日期不能早于识别日期。"]
        assert 'value="新名字"' in response.content.decode()
        household.refresh_from_db()
        assert household.head_name != "新名字"
