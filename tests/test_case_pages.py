"""The case pages: a household's page with its one timeline of help, the helpers' pages, the
change history on every page, and archiving instead of deleting."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.choices import ReviewStatus
from cases.models import (
    DividendPayment,
    Employment,
    FinanceAgreement,
    Household,
    IndustryProject,
    MaterialAid,
    Member,
    Pairing,
    TrainingSession,
    VolunteerEvent,
    Workshop,
)
from cases.selectors import household_timeline
from cases.validators import build_resident_id, mask_id_number
from tests.factories import (
    AdvancedCollectiveFactory,
    DividendPaymentFactory,
    EmploymentFactory,
    EnterpriseFactory,
    FinanceAgreementFactory,
    HouseholdVisitFactory,
    IndustryProjectFactory,
    LaborModelFactory,
    MaterialAidFactory,
    MemberFactory,
    PairingFactory,
    ProjectBeneficiaryFactory,
    ReviewEventFactory,
    TrainingAttendanceFactory,
    TrainingSessionFactory,
    VillageFactory,
    VolunteerEventFactory,
    WorkshopFactory,
)
from tests.forms import page_post_data
from tests.support import household_in, return_record

TIMELINE_KINDS = {
    "visit", "pairing", "training", "employment", "project", "agreement", "dividend", "aid",
}


def give_help_of_every_kind(household, n=1):
    """``n`` rows of every kind of help to ``household``, from one labor model and one
    enterprise of its county; returns (labor_model, enterprise, member)."""
    county = household.county
    member = MemberFactory(household=household)
    labor_model = LaborModelFactory(county=county)
    enterprise = EnterpriseFactory(county=county)
    for i in range(n):
        day = datetime.date(2018, 1, 1) + datetime.timedelta(days=i)
        PairingFactory(household=household, labor_model=labor_model, start_date=day)
        session = TrainingSessionFactory(county=county, labor_model=labor_model, held_on=day)
        TrainingAttendanceFactory(session=session, member=member)
        EmploymentFactory(member=member, enterprise=enterprise, started_on=day)
        project = IndustryProjectFactory(county=county, enterprise=enterprise)
        ProjectBeneficiaryFactory(project=project, member=member, since=day)
        agreement = FinanceAgreementFactory(
            household=household, enterprise=enterprise, signed_on=day
        )
        DividendPaymentFactory(agreement=agreement, paid_on=day + datetime.timedelta(days=300))
        MaterialAidFactory(household=household, labor_model=labor_model, given_on=day)
        HouseholdVisitFactory(household=household, labor_model=labor_model, visited_on=day)
    return labor_model, enterprise, member


def queries_for(callable_):
    with CaptureQueriesContext(connection) as queries:
        callable_()
    return len(queries)


def page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


#
# The household's page
#


class TestHouseholdPage:
    def test_it_shows_members_masked_causes_demands_and_pairings(
        self, client, county_a, county_a_clerk
    ):
        household = household_in(county_a, demands="希望发展养殖")
        member = MemberFactory(household=household, name="王小明")
        active = PairingFactory(household=household, labor_model__name="李劳模")
        ended = PairingFactory(
            household=household, labor_model__name="赵劳模",
            end_date=datetime.date(2018, 12, 31), end_reason="已稳定脱贫",
        )
        client.force_login(county_a_clerk)
        content = page(client, household.get_absolute_url())
        assert "王小明" in content
        assert member.id_number not in content
        assert mask_id_number(member.id_number) in content
        assert household.main_cause.name in content
        assert "希望发展养殖" in content
        assert active.labor_model.get_absolute_url() in content
        assert ended.labor_model.get_absolute_url() in content
        assert "帮扶中" in content and "已结束" in content and "已稳定脱贫" in content

    def test_the_timeline_has_every_kind_of_help_newest_first(self, county_a):
        household = household_in(county_a)
        give_help_of_every_kind(household, n=2)
        timeline = household_timeline(household)
        assert {entry.kind for entry in timeline} == TIMELINE_KINDS
        assert len(timeline) == 2 * len(TIMELINE_KINDS)
        dates = [entry.date for entry in timeline]
        assert dates == sorted(dates, reverse=True)
        employment = next(entry for entry in timeline if entry.kind == "employment")
        assert "月工资 2500.00 元" in employment.details

    def test_the_timeline_costs_the_same_queries_for_2_and_10_of_each_kind(
        self, county_a, city_reviewer
    ):
        small, large = household_in(county_a), household_in(county_a)
        give_help_of_every_kind(small, n=2)
        give_help_of_every_kind(large, n=10)
        # A returned record in each, so the comments query is counted on both sides.
        for household in (small, large):
            return_record(household.aid.first(), city_reviewer, "请补充照片")
        small_count = queries_for(lambda: household_timeline(small))
        large_count = queries_for(lambda: household_timeline(large))
        assert small_count == large_count
        assert small_count <= len(TIMELINE_KINDS) + 1

    def test_the_page_costs_the_same_queries_for_2_and_10_of_each_kind(
        self, client, county_a, county_a_clerk
    ):
        small, large = household_in(county_a), household_in(county_a)
        give_help_of_every_kind(small, n=2)
        give_help_of_every_kind(large, n=10)
        client.force_login(county_a_clerk)
        page(client, small.get_absolute_url())  # warm the session and content type caches
        assert queries_for(lambda: page(client, small.get_absolute_url())) == queries_for(
            lambda: page(client, large.get_absolute_url())
        )

    def test_a_returned_entry_shows_the_reviewers_latest_comment(
        self, client, county_a, county_a_clerk, city_reviewer
    ):
        household = household_in(county_a)
        give_help_of_every_kind(household)
        aid = household.aid.get()
        return_record(aid, city_reviewer, "第一次意见")
        ReviewEventFactory(record=aid, action="resubmitted", user=county_a_clerk)
        ReviewEventFactory(
            record=aid, action="returned", comment="金额与票据不符", user=city_reviewer
        )
        [entry] = [e for e in household_timeline(household) if e.kind == "aid"]
        assert entry.return_comment == "金额与票据不符"
        client.force_login(county_a_clerk)
        content = page(client, household.get_absolute_url())
        assert "金额与票据不符" in content
        assert "第一次意见" not in content

    def test_staff_get_add_help_and_submit_buttons(self, client, county_a, county_a_clerk):
        household = household_in(county_a)
        member = MemberFactory(household=household)
        client.force_login(county_a_clerk)
        content = page(client, household.get_absolute_url())
        for name in ("pairing", "trainingsession", "employment", "financeagreement",
                     "materialaid", "industryproject"):
            assert f'{reverse(f"cases:{name}_add")}?household={household.pk}' in content
        assert f'{reverse("cases:employment_add")}?member={member.pk}' in content
        submit = reverse("cases:record_submit", args=["household", household.pk])
        assert submit in content
        assert reverse("cases:household_archive", args=[household.pk]) in content

    def test_a_submitted_household_has_no_submit_button(self, client, county_a, county_a_clerk):
        household = household_in(county_a, review_status=ReviewStatus.SUBMITTED)
        client.force_login(county_a_clerk)
        content = page(client, household.get_absolute_url())
        assert reverse("cases:record_submit", args=["household", household.pk]) not in content

    def test_city_reviewers_read_without_any_action(self, client, county_a, city_reviewer):
        household = household_in(county_a)
        give_help_of_every_kind(household)
        client.force_login(city_reviewer)
        content = page(client, household.get_absolute_url())
        assert reverse("cases:pairing_add") not in content
        assert reverse("cases:household_edit", args=[household.pk]) not in content
        assert reverse("cases:record_submit", args=["household", household.pk]) not in content
        assert reverse("cases:household_archive", args=[household.pk]) not in content

    def test_another_county_gets_404(self, client, county_a, county_b_clerk):
        household = household_in(county_a)
        client.force_login(county_b_clerk)
        assert client.get(household.get_absolute_url()).status_code == 404


#
# History
#


class TestHistory:
    def test_the_page_lists_a_field_change_with_who_made_it(
        self, client, county_a, county_a_clerk
    ):
        household = household_in(county_a, head_name="张三")
        client.force_login(county_a_clerk)
        edit = reverse("cases:household_edit", args=[household.pk])
        client.post(edit, page_post_data(client.get(edit), head_name="张四"))
        response = client.get(household.get_absolute_url())
        history = response.context["history"]
        [change] = history[0].changes
        assert (change.label, change.old, change.new) == ("户主姓名", "张三", "张四")
        assert history[0].user == county_a_clerk
        assert history[-1].action == "创建"
        assert "张三</del> → <ins>张四" in response.content.decode()

    def test_related_rows_and_choices_are_named(self, county_a, county_a_clerk):
        from cases.selectors import record_history

        household = household_in(county_a)
        new_village = VillageFactory(township=household.village.township, name="新村")
        household.village = new_village
        household.status = "returned"
        household.save()
        changes = {c.label: (c.old, c.new) for c in record_history(household)[0].changes}
        assert changes["行政村"][1] == str(new_village)
        assert changes["脱贫状态"] == ("未脱贫", "返贫")

    def test_id_numbers_are_masked_in_the_history(self, client, county_a, county_a_clerk):
        old_id = build_resident_id("411727", datetime.date(1970, 5, 6), 11)
        new_id = build_resident_id("411727", datetime.date(1970, 5, 7), 13)
        labor_model = LaborModelFactory(county=county_a, id_number=old_id)
        labor_model.id_number = new_id
        labor_model.save()
        client.force_login(county_a_clerk)
        content = page(client, labor_model.get_absolute_url())
        assert old_id not in content and new_id not in content
        assert mask_id_number(old_id) in content and mask_id_number(new_id) in content

    def test_history_is_bounded_to_the_latest_20(self, client, county_a, county_a_clerk):
        household = household_in(county_a)
        for n in range(25):
            household.head_name = f"户主改名{n}"
            household.save()
        client.force_login(county_a_clerk)
        history = client.get(household.get_absolute_url()).context["history"]
        assert len(history) == 20
        assert history[0].changes[0].new == "户主改名24"
        # The 20th entry is still diffed against the one before it.
        assert history[-1].changes[0].old == "户主改名4"


#
# Archiving
#


class TestArchive:
    def test_the_confirmation_asks_for_a_reason(self, client, county_a, county_a_clerk):
        household = household_in(county_a)
        client.force_login(county_a_clerk)
        url = reverse("cases:household_archive", args=[household.pk])
        assert "归档原因" in page(client, url)
        response = client.post(url, {"reason": "  "})
        assert response.status_code == 200
        assert response.context["form"].errors["reason"] == ["请填写归档原因。"]
        household.refresh_from_db()
        assert household.archived_at is None

    def test_archiving_hides_from_lists_keeps_the_page_and_history(
        self, client, county_a, county_a_clerk
    ):
        household = household_in(county_a, head_name="待归档户")
        member = MemberFactory(household=household, name="待归档成员")
        history_rows = household.history.count()
        client.force_login(county_a_clerk)

        response = client.post(
            reverse("cases:household_archive", args=[household.pk]), {"reason": "重复登记"}
        )

        assert response.url == household.get_absolute_url()
        household.refresh_from_db()
        member.refresh_from_db()
        assert household.archived_at and member.archived_at
        assert household.archive_reason == "重复登记"
        assert Household.objects.filter(pk=household.pk).exists()  # never deleted
        assert household.history.count() == history_rows + 1
        assert household.history.first().history_change_reason == "重复登记"
        assert household.history.first().history_user == county_a_clerk
        assert member.history.first().archived_at == member.archived_at
        assert "待归档户" not in page(client, reverse("cases:household_list"))
        assert "待归档成员" not in page(client, reverse("cases:member_list"))
        content = page(client, household.get_absolute_url())
        assert "已归档" in content and "重复登记" in content
        assert reverse("cases:household_edit", args=[household.pk]) not in content

    def test_an_archived_household_cannot_be_edited(self, client, county_a, county_a_clerk):
        household = household_in(county_a)
        client.force_login(county_a_clerk)
        edit = reverse("cases:household_edit", args=[household.pk])
        form_page = client.get(edit)
        client.post(reverse("cases:household_archive", args=[household.pk]), {"reason": "迁出"})
        assert client.get(edit).status_code == 403
        response = client.post(edit, page_post_data(form_page, head_name="篡改"))
        assert response.status_code == 403
        household.refresh_from_db()
        assert household.head_name != "篡改"

    def test_reviewers_get_403_and_other_counties_404(
        self, client, county_a, city_reviewer, county_b_clerk
    ):
        household = household_in(county_a)
        member = MemberFactory(household=household)
        url = reverse("cases:household_archive", args=[household.pk])
        member_url = reverse("cases:member_archive", args=[member.pk])
        client.force_login(city_reviewer)
        assert client.post(url, {"reason": "x"}).status_code == 403
        assert client.post(member_url).status_code == 403
        client.force_login(county_b_clerk)
        assert client.post(url, {"reason": "x"}).status_code == 404
        assert client.post(member_url).status_code == 404
        household.refresh_from_db()
        member.refresh_from_db()
        assert household.archived_at is None and member.archived_at is None

    def test_a_member_is_archived_by_post_only(self, client, county_a, county_a_clerk):
        household = household_in(county_a)
        member = MemberFactory(household=household, name="迁出成员")
        url = reverse("cases:member_archive", args=[member.pk])
        client.force_login(county_a_clerk)
        assert client.get(url).status_code == 405
        response = client.post(url)
        assert response.url == household.get_absolute_url()
        member.refresh_from_db()
        assert member.archived_at is not None
        assert Member.objects.filter(pk=member.pk).exists()
        assert "已将 迁出成员 归档。" in page(client, household.get_absolute_url())
        assert "迁出成员" not in page(client, household.get_absolute_url())
        assert "迁出成员" not in page(client, reverse("cases:member_list"))


#
# The helpers' pages
#


class TestHelperPages:
    def test_a_labor_models_page(self, client, county_a, county_a_clerk):
        household = household_in(county_a)
        labor_model, enterprise, _ = give_help_of_every_kind(household)
        enterprise.leader = labor_model
        enterprise.save()
        client.force_login(county_a_clerk)
        content = page(client, labor_model.get_absolute_url())
        assert labor_model.name in content
        assert household.get_absolute_url() in content  # the pairing links to the household
        assert TrainingSession.objects.get(labor_model=labor_model).topic in content
        assert "春节走访慰问" in content
        assert enterprise.get_absolute_url() in content

    def test_an_enterprises_page(self, client, county_a, county_a_clerk):
        household = household_in(county_a)
        _, enterprise, member = give_help_of_every_kind(household)
        PairingFactory(household=household, labor_model=None, enterprise=enterprise)
        workshop = WorkshopFactory(enterprise=enterprise, name="巧媳妇车间")
        client.force_login(county_a_clerk)
        content = page(client, enterprise.get_absolute_url())
        assert IndustryProject.objects.get(enterprise=enterprise).name in content
        assert workshop.name in content
        assert household.get_absolute_url() in content
        assert member.name in content
        assert "入股分红" in content

    def test_a_collectives_page(self, client, county_a, county_a_clerk):
        household = household_in(county_a)
        member = MemberFactory(household=household, name="集体就业人")
        collective = AdvancedCollectiveFactory(county=county_a)
        PairingFactory(
            household=household, labor_model=None, collective=collective, mode="collective"
        )
        project = IndustryProjectFactory(
            county=county_a, enterprise=None, collective=collective, name="集体养殖项目"
        )
        EmploymentFactory(member=member, enterprise=None, collective=collective)
        client.force_login(county_a_clerk)
        content = page(client, collective.get_absolute_url())
        assert project.name in content
        assert "集体就业人" in content
        assert household.get_absolute_url() in content

    @pytest.mark.parametrize("helper", ["labor_model", "enterprise"])
    def test_a_helper_page_costs_the_same_queries_for_2_and_10(
        self, client, county_a, county_a_clerk, helper
    ):
        pages = []
        for n in (2, 10):
            household = household_in(county_a)
            labor_model, enterprise, _ = give_help_of_every_kind(household, n=n)
            pages.append({"labor_model": labor_model, "enterprise": enterprise}[helper])
        client.force_login(county_a_clerk)
        page(client, pages[0].get_absolute_url())
        small, large = (queries_for(lambda p=p: page(client, p.get_absolute_url())) for p in pages)
        assert small == large

    def test_helper_pages_of_another_county_answer_404(self, client, county_a, county_b_clerk):
        client.force_login(county_b_clerk)
        for helper in (
            LaborModelFactory(county=county_a),
            EnterpriseFactory(county=county_a),
            AdvancedCollectiveFactory(county=county_a),
        ):
            assert client.get(helper.get_absolute_url()).status_code == 404

    def test_city_reviewers_read_helper_pages_without_actions(
        self, client, county_a, city_reviewer
    ):
        labor_model = LaborModelFactory(county=county_a)
        client.force_login(city_reviewer)
        content = page(client, labor_model.get_absolute_url())
        assert reverse("cases:labormodel_edit", args=[labor_model.pk]) not in content
        assert reverse("cases:record_submit", args=["labormodel", labor_model.pk]) not in content


def test_every_reviewed_record_has_a_page(county_a):
    household = household_in(county_a)
    labor_model, enterprise, member = give_help_of_every_kind(household)
    household_page = household.get_absolute_url()
    assert Pairing.objects.get(household=household).get_absolute_url() == household_page
    for model in (Employment, FinanceAgreement, DividendPayment, MaterialAid):
        assert model.objects.filter(county=county_a).first().get_absolute_url() == household_page
    assert TrainingSession.objects.first().get_absolute_url() == labor_model.get_absolute_url()
    assert IndustryProject.objects.first().get_absolute_url() == enterprise.get_absolute_url()
    workshop = WorkshopFactory(enterprise=enterprise)
    assert workshop.get_absolute_url() == enterprise.get_absolute_url()
    village_pairing = PairingFactory(household=None, village=household.village, county=county_a)
    assert village_pairing.get_absolute_url() == village_pairing.labor_model.get_absolute_url()
    event = VolunteerEventFactory()
    assert event.get_absolute_url() == reverse("cases:volunteerevent_edit", args=[event.pk])
    assert VolunteerEvent.objects.count() == 1 and Workshop.objects.count() == 1


def test_timeline_entries_can_be_corrected_and_submitted_from_the_household_page(
    client, county_a_clerk, county_a, city_reviewer
):
    pairing = PairingFactory(household__village__township__county=county_a)
    dividend = DividendPaymentFactory(agreement__household=pairing.household)
    url = pairing.household.get_absolute_url()
    client.force_login(county_a_clerk)
    page = client.get(url).content.decode()
    submit_url = reverse("cases:record_submit", args=["pairing", pairing.pk])
    assert submit_url in page
    assert reverse("cases:pairing_edit", args=[pairing.pk]) in page
    assert reverse("cases:financeagreement_edit", args=[dividend.agreement_id]) in page
    client.post(submit_url)
    assert Pairing.objects.get(pk=pairing.pk).review_status == "submitted"
    assert submit_url not in client.get(url).content.decode()

    client.force_login(city_reviewer)
    page = client.get(url).content.decode()
    assert reverse("cases:pairing_edit", args=[pairing.pk]) not in page
