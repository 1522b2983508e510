import itertools

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from accounts.models import Role, User
from cases import models
from cases.admin import MemberInline
from cases.validators import mask_id_number, mask_phone
from evidence.models import Attachment, AttachmentDownload
from tests import factories

PASSWORD = "Zhumadian-portal-2018!"
_n = itertools.count(1)


def _axes_row(model, **extra):
    return lambda: model.objects.create(
        user_agent="pytest", ip_address="10.0.0.1", username=f"someone{next(_n)}",
        http_accept="*/*", path_info="/accounts/login/", **extra,
    )


# One way to make a row of every model the admin site knows, so each changelist has rows.
ROW_FACTORIES = {
    models.County: factories.CountyFactory,
    models.Township: factories.TownshipFactory,
    models.Village: factories.VillageFactory,
    models.UnionBody: factories.UnionBodyFactory,
    models.PovertyCause: factories.PovertyCauseFactory,
    models.ExpertiseField: factories.ExpertiseFieldFactory,
    models.LaborModel: factories.LaborModelFactory,
    models.AdvancedCollective: factories.AdvancedCollectiveFactory,
    models.Enterprise: factories.EnterpriseFactory,
    models.VolunteerTeam: factories.VolunteerTeamFactory,
    models.Household: factories.HouseholdFactory,
    models.Member: factories.MemberFactory,
    models.Pairing: factories.PairingFactory,
    models.TrainingSession: factories.TrainingSessionFactory,
    models.TrainingAttendance: factories.TrainingAttendanceFactory,
    models.IndustryProject: factories.IndustryProjectFactory,
    models.ProjectBeneficiary: factories.ProjectBeneficiaryFactory,
    models.Workshop: factories.WorkshopFactory,
    models.FinanceAgreement: factories.FinanceAgreementFactory,
    models.DividendPayment: factories.DividendPaymentFactory,
    models.Employment: factories.EmploymentFactory,
    models.VolunteerEvent: factories.VolunteerEventFactory,
    models.MaterialAid: factories.MaterialAidFactory,
    models.HouseholdVisit: factories.HouseholdVisitFactory,
    Attachment: factories.make_attachment,
    AttachmentDownload: factories.make_attachment_download,
    models.ReviewEvent: factories.ReviewEventFactory,
    models.HouseholdEvent: factories.HouseholdEventFactory,
    models.RevealLog: factories.RevealLogFactory,
    models.ExportLog: factories.ExportLogFactory,
    models.TransferRequest: factories.TransferRequestFactory,
    models.ExportJob: factories.ExportJobFactory,
    models.IndicatorTarget: lambda: models.IndicatorTarget.objects.create(
        county=factories.CountyFactory(), year=2018, indicator="people_trained", target=100
    ),
    User: factories.UserFactory,
    Group: lambda: Group.objects.create(name=f"测试组{next(_n)}"),
    AccessAttempt: _axes_row(AccessAttempt, get_data="", post_data="", failures_since_start=1),
    AccessLog: _axes_row(AccessLog),
    AccessFailureLog: _axes_row(AccessFailureLog),
    DBTaskResult: lambda: DBTaskResult.objects.create(
        task_path="imports.tasks.preview_import", args_kwargs={"args": [1], "kwargs": {}},
        backend_name="queue", run_after=timezone.now(),
    ),
}

REGISTERED = sorted(admin.site._registry.items(), key=lambda item: item[0]._meta.label)
OUR_ADMINS = [(m, a) for m, a in REGISTERED if m._meta.app_label in ("cases", "accounts")]


def admin_url(model, view, *args):
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def make_rows(model, count):
    return [ROW_FACTORIES[model]() for _ in range(count)]


def labels(pairs):
    return [model._meta.label for model, _ in pairs]


# Derived dashboard data: dropped and recomputed from the records, so nobody edits it by hand.
DERIVED_MODELS = {models.CountyDataVersion, models.IndicatorSnapshot}


def test_every_case_model_is_registered():
    registered = {model for model in admin.site._registry if model._meta.app_label == "cases"}
    concrete = {
        getattr(models, name) for name in models.__all__
        if not getattr(models, name)._meta.abstract
    }
    assert registered == concrete - DERIVED_MODELS


def test_every_registered_model_has_a_row_factory():
    assert set(admin.site._registry) <= set(ROW_FACTORIES)


@pytest.mark.parametrize(("model", "model_admin"), REGISTERED, ids=labels(REGISTERED))
def test_changelist_add_and_change_pages_render(admin_client, admin_user, rf, model, model_admin):
    rows = make_rows(model, 2)

    response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count >= 2

    request = rf.get("/")
    request.user = admin_user
    response = admin_client.get(admin_url(model, "add"))
    assert response.status_code == (200 if model_admin.has_add_permission(request) else 403)

    response = admin_client.get(admin_url(model, "change", rows[0].pk))
    assert response.status_code == 200


@pytest.mark.parametrize(("model", "model_admin"), OUR_ADMINS, ids=labels(OUR_ADMINS))
def test_changelist_queries_do_not_grow_with_rows(admin_client, model, model_admin):
    url = admin_url(model, "changelist")
    make_rows(model, 2)
    admin_client.get(url)  # warm per-process caches (content types, ...) before counting

    with CaptureQueriesContext(connection) as two_rows:
        admin_client.get(url)
    make_rows(model, 28)
    with CaptureQueriesContext(connection) as thirty_rows:
        response = admin_client.get(url)

    assert response.context["cl"].result_count >= 30
    assert len(thirty_rows) == len(two_rows), [q["sql"] for q in thirty_rows.captured_queries]


def test_members_changelist_queries_do_not_grow_with_rows(admin_client, django_assert_num_queries):
    url = admin_url(models.Member, "changelist")
    factories.MemberFactory.create_batch(2)
    admin_client.get(url)
    with CaptureQueriesContext(connection) as two_rows:
        admin_client.get(url)

    factories.MemberFactory.create_batch(28)
    with django_assert_num_queries(len(two_rows)):
        response = admin_client.get(url)
    assert response.context["cl"].result_count == 30


AUTOCOMPLETE_FIELDS = sorted(
    {
        (form_admin.model, field_name)
        for model, model_admin in OUR_ADMINS
        for form_admin in (model_admin, *model_admin.get_inline_instances(None))
        for field_name in form_admin.autocomplete_fields
    },
    key=lambda pair: (pair[0]._meta.label, pair[1]),
)


@pytest.mark.parametrize(
    ("source_model", "field_name"),
    AUTOCOMPLETE_FIELDS,
    ids=[f"{model._meta.label}.{name}" for model, name in AUTOCOMPLETE_FIELDS],
)
def test_autocomplete_answers_without_a_query_per_result(admin_client, source_model, field_name):
    target = source_model._meta.get_field(field_name).remote_field.model
    params = {
        "app_label": source_model._meta.app_label,
        "model_name": source_model._meta.model_name,
        "field_name": field_name,
        "term": "",
    }
    make_rows(target, 2)
    admin_client.get(reverse("admin:autocomplete"), params)
    with CaptureQueriesContext(connection) as two_rows:
        admin_client.get(reverse("admin:autocomplete"), params)
    make_rows(target, 10)
    with CaptureQueriesContext(connection) as twelve_rows:
        response = admin_client.get(reverse("admin:autocomplete"), params)

    assert response.status_code == 200
    assert len(response.json()["results"]) >= 12
    assert len(twelve_rows) == len(two_rows)


class TestMasking:
    def test_member_list_masks_id_number_and_phone(self, admin_client):
        member = factories.MemberFactory(phone="13812345678")

        content = admin_client.get(admin_url(models.Member, "changelist")).content.decode()

        assert mask_id_number(member.id_number) in content
        assert member.id_number not in content
        assert "138****5678" in content
        assert "13812345678" not in content

    def test_labor_model_list_masks_id_number_and_phone(self, admin_client):
        labor_model = factories.LaborModelFactory(
            id_number=factories.next_resident_id(), phone="13912345678"
        )

        content = admin_client.get(admin_url(models.LaborModel, "changelist")).content.decode()

        assert mask_id_number(labor_model.id_number) in content
        assert labor_model.id_number not in content
        assert mask_phone("13912345678") in content
        assert "13912345678" not in content

    def test_household_list_masks_phone(self, admin_client):
        factories.HouseholdFactory(phone="13712345678")

        content = admin_client.get(admin_url(models.Household, "changelist")).content.decode()

        assert "137****5678" in content
        assert "13712345678" not in content

    def test_whole_id_number_still_finds_the_member_and_the_household(self, admin_client):
        member, _other = factories.MemberFactory.create_batch(2)

        response = admin_client.get(admin_url(models.Member, "changelist"), {"q": member.id_number})
        assert list(response.context["cl"].result_list) == [member]

        response = admin_client.get(
            admin_url(models.Household, "changelist"), {"q": member.id_number}
        )
        assert list(response.context["cl"].result_list) == [member.household]

    def test_part_of_an_id_number_finds_nothing(self, admin_client):
        # Searching digits 7-14 would otherwise reveal the birth date the mask hides.
        member = factories.MemberFactory()

        response = admin_client.get(
            admin_url(models.Member, "changelist"), {"q": member.id_number[6:14]}
        )

        assert response.context["cl"].result_count == 0


class TestHousehold:
    def household_data(self, village, *members):
        data = {
            "register_number": "411727001099999",
            "head_name": "李国强",
            "village": village.pk,
            "attribute": "general",
            "standard": "national",
            "identified_on": "2016-03-01",
            "main_cause": models.PovertyCause.objects.get(code="illness").pk,
            "status": "not_exited",
            "review_status": "draft",
            "members-TOTAL_FORMS": len(members),
            "members-INITIAL_FORMS": 0,
            "members-MIN_NUM_FORMS": 0,
            "members-MAX_NUM_FORMS": 1000,
            "_save": "保存",
        }
        for index, (name, id_number, relation) in enumerate(members):
            data |= {
                f"members-{index}-name": name,
                f"members-{index}-id_number": id_number,
                f"members-{index}-relation": relation,
                f"members-{index}-ethnicity": "汉族",
                f"members-{index}-health": "healthy",
                f"members-{index}-labour_ability": "ordinary",
                f"members-{index}-work_status": "not_working",
            }
        return data

    def test_change_page_shows_the_member_inline(self, admin_client):
        member = factories.MemberFactory(name="王秀兰")

        response = admin_client.get(admin_url(models.Household, "change", member.household.pk))

        assert response.status_code == 200
        [formset] = response.context["inline_admin_formsets"]
        assert isinstance(formset.opts, MemberInline)
        assert [form.instance for form in formset.formset.initial_forms] == [member]
        assert "王秀兰" in response.content.decode()

    def test_history_page_renders(self, admin_client):
        household = factories.HouseholdFactory()

        response = admin_client.get(admin_url(models.Household, "history", household.pk))

        assert response.status_code == 200

    def test_adding_a_household_with_a_member(self, admin_client, admin_user, county_a):
        village = factories.VillageFactory(township__county=county_a)
        id_number = factories.next_resident_id()

        response = admin_client.post(
            admin_url(models.Household, "add"),
            self.household_data(village, ("李国强", id_number, "head")),
        )

        assert response.status_code == 302
        household = models.Household.objects.get(register_number="411727001099999")
        member = household.members.get()
        assert household.county == member.county == county_a
        assert household.recorded_by == member.recorded_by == admin_user
        assert member.id_number == id_number
        assert member.birth_date is not None

    def test_bad_member_id_checksum_saves_nothing(self, admin_client, county_a):
        village = factories.VillageFactory(township__county=county_a)
        valid = factories.next_resident_id()
        bad = valid[:17] + ("1" if valid[17] != "1" else "2")
        households, members = models.Household.objects.count(), models.Member.objects.count()

        response = admin_client.post(
            admin_url(models.Household, "add"),
            self.household_data(village, ("李国强", bad, "head")),
        )

        assert response.status_code == 200
        [formset] = response.context["inline_admin_formsets"]
        assert formset.formset.errors[0]["id_number"] == ["身份证号校验位不正确,请核对后重新输入。"]
        assert "身份证号校验位不正确" in response.content.decode()
        assert models.Household.objects.count() == households
        assert models.Member.objects.count() == members

    def test_two_heads_in_one_household_form_are_refused(self, admin_client, county_a):
        village = factories.VillageFactory(township__county=county_a)

        response = admin_client.post(
            admin_url(models.Household, "add"),
            self.household_data(
                village,
                ("李国强", factories.next_resident_id(), "head"),
                ("张桂芝", factories.next_resident_id(), "head"),
            ),
        )

        assert response.status_code == 200
        [formset] = response.context["inline_admin_formsets"]
        assert formset.formset.non_form_errors() == ["一户只能有一名户主。"]
        assert not models.Household.objects.filter(register_number="411727001099999").exists()

    def test_archived_households_are_listed_and_filterable(self, admin_client):
        from django.utils import timezone

        active = factories.HouseholdFactory()
        archived = factories.HouseholdFactory(archived_at=timezone.now())
        url = admin_url(models.Household, "changelist")

        response = admin_client.get(url)
        assert set(response.context["cl"].result_list) == {active, archived}

        response = admin_client.get(url, {"archived_at__isnull": "True"})
        assert list(response.context["cl"].result_list) == [active]


class TestCountyField:
    def test_county_follows_the_parent_where_the_model_derives_it(self, admin_client):
        for model in (models.Household, models.Member, models.Pairing, models.Workshop):
            form = admin_client.get(admin_url(model, "add")).context["adminform"].form
            assert "county" not in form.fields, model

    def test_county_is_chosen_where_nothing_derives_it(self, admin_client):
        for model in (
            models.LaborModel, models.AdvancedCollective, models.Enterprise,
            models.VolunteerTeam, models.TrainingSession, models.IndustryProject,
        ):
            form = admin_client.get(admin_url(model, "add")).context["adminform"].form
            assert "county" in form.fields, model
            assert "recorded_by" not in form.fields, model

    def test_review_status_is_left_to_the_review_services(self, admin_client):
        household = factories.HouseholdFactory()

        response = admin_client.get(admin_url(models.Household, "change", household.pk))

        assert "review_status" not in response.context["adminform"].form.fields
        assert "草稿" in response.content.decode()

    def test_new_row_is_recorded_by_the_admin(self, admin_client, admin_user, county_a):
        response = admin_client.post(
            admin_url(models.Enterprise, "add"),
            {"county": county_a.pk, "name": "汝南县绿源合作社", "kind": "cooperative",
             "review_status": "draft", "_save": "保存"},
        )

        assert response.status_code == 302
        enterprise = models.Enterprise.objects.get(name="汝南县绿源合作社")
        assert enterprise.recorded_by == admin_user
        assert enterprise.county == county_a


class TestUserAdmin:
    def user_data(self, **extra):
        return {
            "username": "clerk_new",
            "usable_password": "true",
            "password1": PASSWORD,
            "password2": PASSWORD,
            "last_name": "王",
            "first_name": "芳",
            "role": Role.COUNTY_STAFF,
            "county": "",
            "_save": "保存",
        } | extra

    @pytest.mark.parametrize(
        ("role", "with_county", "message"),
        [
            (Role.COUNTY_STAFF, False, "县区工作人员必须选择所属县区。"),
            (Role.CITY_REVIEWER, True, "只有县区工作人员才选择所属县区。"),
        ],
    )
    def test_role_and_county_mismatch_is_shown_at_the_county_field(
        self, admin_client, county_a, role, with_county, message
    ):
        data = self.user_data(role=role, county=county_a.pk if with_county else "")

        response = admin_client.post(admin_url(User, "add"), data)

        assert response.status_code == 200
        form = response.context["adminform"].form
        assert form.errors == {"county": [message]}
        assert message in response.content.decode()
        assert not User.objects.filter(username="clerk_new").exists()

    def test_county_staff_created_with_county_joins_the_role_group(self, admin_client, county_a):
        response = admin_client.post(admin_url(User, "add"), self.user_data(county=county_a.pk))

        assert response.status_code == 302
        user = User.objects.get(username="clerk_new")
        assert (user.role, user.county, user.is_staff) == (Role.COUNTY_STAFF, county_a, False)
        assert list(user.groups.values_list("name", flat=True)) == ["县区总工会工作人员"]
        assert user.check_password(PASSWORD)

    def test_forms_have_role_and_county_but_no_groups(self, admin_client, county_a_clerk):
        for url in (admin_url(User, "add"), admin_url(User, "change", county_a_clerk.pk)):
            form = admin_client.get(url).context["adminform"].form
            assert {"role", "county"} <= set(form.fields)
            assert "groups" not in form.fields

    def test_changelist_shows_chinese_full_name(self, admin_client, county_a):
        factories.UserFactory(last_name="王", first_name="秀兰", county=county_a)

        response = admin_client.get(admin_url(User, "changelist"), {"q": "秀兰"})

        assert "王秀兰" in response.content.decode()


class TestAccess:
    def test_county_staff_cannot_open_the_admin(self, client, county_a_clerk):
        client.force_login(county_a_clerk)

        response = client.get(reverse("admin:index"))

        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))

    def test_a_county_clerk_cannot_be_given_admin_access_by_the_staff_flag(
        self, client, county_a_clerk
    ):
        county_a_clerk.is_staff = True
        county_a_clerk.save()
        county_a_clerk.refresh_from_db()
        assert not county_a_clerk.is_staff
        client.force_login(county_a_clerk)
        response = client.get(admin_url(models.Household, "changelist"))
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
