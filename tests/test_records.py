"""Create/edit pages of helpers, pairings and assistance: what is saved, what is refused, who
may open them, and what happens when two clerks edit the same record."""

import pytest
from django.urls import reverse

from cases import models
from cases.choices import ReviewStatus
from cases.services import household_archive, member_archive
from tests import factories as f
from tests.forms import page_post_data
from tests.support import FORM_SPECS


@pytest.fixture
def county_a_clerk_2(county_a):
    return f.UserFactory(username="clerk_a2", county=county_a)


FOREIGN_CHOICES = [
    pytest.param(spec, name, id=f"{spec.name}-{name}")
    for spec in FORM_SPECS
    for name in spec.foreign
]


def add_url(spec):
    return reverse(f"cases:{spec.name}_add")


def edit_url(spec, record):
    return reverse(f"cases:{spec.name}_edit", args=[record.pk])


def post_new(client, spec, w, **changes):
    """Open the create page and submit it filled with ``spec``'s data and ``changes``."""
    page = client.get(add_url(spec))
    assert page.status_code == 200
    return client.post(add_url(spec), page_post_data(page, **{**spec.data(w), **changes}))


def new_rows(model, before):
    return model.objects.exclude(pk__in=before)


def snapshot(model):
    return sorted(model.objects.values_list("pk", "version"))


#
# Create
#


@pytest.mark.parametrize("spec", FORM_SPECS, ids=str)
def test_a_clerk_creates_a_draft_of_their_county_with_history(client, county_a_clerk, w, spec):
    before = list(spec.model.objects.values_list("pk", flat=True))
    client.force_login(county_a_clerk)
    response = post_new(client, spec, w)
    assert response.status_code == 302, response.context["form"].errors
    record = new_rows(spec.model, before).get()
    assert record.county == w.a.county
    assert record.recorded_by == county_a_clerk
    assert record.review_status == ReviewStatus.DRAFT
    assert [h.history_user for h in record.history.all()] == [county_a_clerk]
    assert response.url == spec.redirect(record)


@pytest.mark.parametrize(("spec", "name"), FOREIGN_CHOICES)
def test_a_choice_from_another_county_is_a_field_error_and_saves_nothing(
    client, county_a_clerk, w, spec, name
):
    before = snapshot(spec.model)
    client.force_login(county_a_clerk)
    response = post_new(client, spec, w, **spec.foreign[name](w))
    assert response.status_code == 200
    assert name in response.context["form"].errors
    assert snapshot(spec.model) == before


@pytest.mark.parametrize("spec", FORM_SPECS, ids=str)
def test_posted_county_status_and_recorder_are_ignored_on_create(
    client, county_a_clerk, county_b_clerk, w, spec
):
    before = list(spec.model.objects.values_list("pk", flat=True))
    client.force_login(county_a_clerk)
    response = post_new(
        client, spec, w, county=w.b.county.pk, review_status=ReviewStatus.APPROVED,
        recorded_by=county_b_clerk.pk, version="7",
    )
    assert response.status_code == 302
    record = new_rows(spec.model, before).get()
    assert (record.county, record.review_status, record.recorded_by, record.version) == (
        w.a.county, ReviewStatus.DRAFT, county_a_clerk, 1
    )


@pytest.mark.parametrize("spec", FORM_SPECS, ids=str)
def test_posted_county_status_and_recorder_are_ignored_on_edit(
    client, county_a_clerk, county_b_clerk, w, spec
):
    record = spec.make(w)
    spec.model.objects.filter(pk=record.pk).update(review_status=ReviewStatus.RETURNED)
    client.force_login(county_a_clerk)
    page = client.get(edit_url(spec, record))
    response = client.post(
        edit_url(spec, record),
        page_post_data(
            page, county=w.b.county.pk, review_status=ReviewStatus.APPROVED,
            recorded_by=county_b_clerk.pk,
        ),
    )
    assert response.status_code == 302
    record.refresh_from_db()
    assert (record.county, record.review_status, record.recorded_by) == (
        w.a.county, ReviewStatus.RETURNED, None
    )
    assert record.history.first().history_user == county_a_clerk


#
# Who may open the pages
#


@pytest.mark.parametrize("spec", FORM_SPECS, ids=str)
def test_city_reviewers_may_not_create_or_edit(client, city_reviewer, county_a_clerk, w, spec):
    record = spec.make(w)
    before = snapshot(spec.model)
    # A complete, valid form, as county A's clerk would send it.
    client.force_login(county_a_clerk)
    valid = page_post_data(client.get(edit_url(spec, record)), **spec.edit_change("x"))
    client.force_login(city_reviewer)
    assert client.get(add_url(spec)).status_code == 403
    assert client.post(add_url(spec), valid).status_code == 403
    assert client.get(edit_url(spec, record)).status_code == 403
    assert client.post(edit_url(spec, record), valid).status_code == 403
    assert snapshot(spec.model) == before


@pytest.mark.parametrize("spec", FORM_SPECS, ids=str)
def test_another_countys_clerk_gets_404_on_edit_pages(
    client, county_a_clerk, county_b_clerk, w, spec
):
    record = spec.make(w)
    before = snapshot(spec.model)
    client.force_login(county_a_clerk)
    valid = page_post_data(client.get(edit_url(spec, record)), **spec.edit_change("x"))
    client.force_login(county_b_clerk)
    assert client.get(edit_url(spec, record)).status_code == 404
    assert client.post(edit_url(spec, record), valid).status_code == 404
    assert snapshot(spec.model) == before


def test_anonymous_users_are_sent_to_login(client, w):
    response = client.get(reverse("cases:pairing_add"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


#
# Two clerks editing the same record
#


@pytest.mark.parametrize("spec", FORM_SPECS, ids=str)
def test_a_concurrent_edit_is_reported_not_overwritten(
    client, county_a_clerk, county_a_clerk_2, w, spec
):
    theirs, mine = spec.edit_values
    record = spec.make(w)
    url = edit_url(spec, record)
    client.force_login(county_a_clerk)
    my_page = client.get(url)

    client.force_login(county_a_clerk_2)
    their_page = client.get(url)
    their_post = page_post_data(their_page, **spec.edit_change(theirs))
    assert client.post(url, their_post).status_code == 302

    client.force_login(county_a_clerk)
    response = client.post(url, page_post_data(my_page, **spec.edit_change(mine)))
    assert response.status_code == 200
    message = " ".join(response.context["form"].non_field_errors())
    label = str(spec.model._meta.get_field(spec.edit_field).verbose_name)
    assert label in message
    assert theirs in message
    record.refresh_from_db()
    assert str(getattr(record, spec.edit_field)) == theirs

    # The form comes back with what is stored, the clerk's value noted beside the field, so
    # submitting it as shown keeps the other change instead of silently undoing it.
    form = response.context["form"]
    assert str(form[spec.edit_field].value()) == theirs
    assert mine in str(form.fields[spec.edit_field].help_text)
    assert response.content.decode().count("修改了这条记录") == 1
    assert client.post(url, page_post_data(response)).status_code == 302
    record.refresh_from_db()
    assert str(getattr(record, spec.edit_field)) == theirs

    # Having seen the other change, the clerk types theirs again and it wins.
    again = client.get(url)
    assert client.post(url, page_post_data(again, **spec.edit_change(mine))).status_code == 302
    record.refresh_from_db()
    assert str(getattr(record, spec.edit_field)) == mine


#
# Rules of particular forms
#


def test_pairing_helper_and_target_are_grouped_and_exactly_one_is_required(
    client, county_a_clerk, w
):
    spec = next(s for s in FORM_SPECS if s.model is models.Pairing)
    client.force_login(county_a_clerk)
    page = client.get(add_url(spec)).content.decode()
    assert 'aria-describedby="pairing-helper-help"' in page
    assert "选择其一" in page

    response = post_new(client, spec, w, enterprise=w.a.enterprise.pk, household="")
    errors = response.context["form"].errors
    assert errors["labor_model"] == ["请选择且只选择一个帮扶方:劳模、先进集体或企业。"]
    assert errors["household"] == ["请选择且只选择一个帮扶对象:贫困户或贫困村。"]
    assert not models.Pairing.objects.exists()


def test_a_village_pairing_belongs_to_the_villages_county(client, county_a_clerk, w):
    spec = next(s for s in FORM_SPECS if s.model is models.Pairing)
    client.force_login(county_a_clerk)
    response = post_new(client, spec, w, household="", village=w.a.village.pk)
    assert response.status_code == 302
    pairing = models.Pairing.objects.get()
    assert (pairing.village, pairing.county) == (w.a.village, w.a.county)


class TestFinanceAgreement:
    spec = next(s for s in FORM_SPECS if s.model is models.FinanceAgreement)

    def test_saves_the_agreement_and_its_dividends_with_their_recorder(
        self, client, county_a_clerk, w
    ):
        client.force_login(county_a_clerk)
        response = post_new(client, self.spec, w)
        assert response.status_code == 302
        dividend = models.DividendPayment.objects.get()
        assert dividend.agreement == models.FinanceAgreement.objects.get()
        assert (dividend.county, dividend.recorded_by, dividend.review_status) == (
            w.a.county, county_a_clerk, ReviewStatus.DRAFT
        )

    def test_one_bad_dividend_row_saves_nothing_and_keeps_the_input(
        self, client, county_a_clerk, w
    ):
        client.force_login(county_a_clerk)
        response = post_new(
            client, self.spec, w, funds="88888.00",
            **{"dividends-1-year": "2019", "dividends-1-amount": "-5",
               "dividends-1-paid_on": "2019-12-20"},
        )
        assert response.status_code == 200
        assert not models.FinanceAgreement.objects.exists()
        assert not models.DividendPayment.objects.exists()
        bad_row = response.context["formset"].forms[1]
        assert bad_row.errors["amount"] == ["确保该值大于或等于0。"]
        html = response.content.decode()
        assert 'value="88888.00"' in html
        assert 'value="-5"' in html
        # The message is rendered with the amount box of that row, not elsewhere.
        cell = html.split('id="id_dividends-1-amount"', 1)[1].split("</td>", 1)[0]
        assert "确保该值大于或等于0。" in cell

    def test_a_dividend_paid_before_the_new_agreement_was_signed_is_refused(
        self, client, county_a_clerk, w
    ):
        client.force_login(county_a_clerk)
        response = post_new(client, self.spec, w, **{"dividends-0-paid_on": "2017-01-01"})
        assert response.status_code == 200
        assert response.context["formset"].forms[0].errors["paid_on"] == [
            "发放日期不能早于协议签订日期。"
        ]
        assert not models.FinanceAgreement.objects.exists()

    def test_the_same_year_twice_is_refused(self, client, county_a_clerk, w):
        client.force_login(county_a_clerk)
        response = post_new(
            client, self.spec, w,
            **{"dividends-1-year": "2018", "dividends-1-amount": "100.00",
               "dividends-1-paid_on": "2018-12-21"},
        )
        assert response.status_code == 200
        assert response.context["formset"].non_form_errors() == [
            "同一分红年度填写了不止一行,请只保留一行。"
        ]
        assert not models.DividendPayment.objects.exists()


class TestTrainingAttendance:
    spec = next(s for s in FORM_SPECS if s.model is models.TrainingSession)

    def test_the_same_member_twice_is_recorded_once(self, client, county_a_clerk, w):
        client.force_login(county_a_clerk)
        response = post_new(client, self.spec, w, attendees=[w.a.member.pk, w.a.member.pk])
        assert response.status_code == 302
        row = models.TrainingAttendance.objects.get()
        assert (row.member, row.county, row.recorded_by) == (
            w.a.member, w.a.county, county_a_clerk
        )

    def test_a_member_of_another_county_is_refused(self, client, county_a_clerk, w):
        client.force_login(county_a_clerk)
        response = post_new(client, self.spec, w, attendees=[w.a.member.pk, w.b.member.pk])
        assert response.status_code == 200
        assert "attendees" in response.context["form"].errors
        assert not models.TrainingSession.objects.exists()
        assert not models.TrainingAttendance.objects.exists()

    def test_editing_the_list_adds_and_removes_rows(self, client, county_a_clerk, w):
        session = self.spec.make(w)
        kept = session.attendance.get()
        newcomer = f.MemberFactory(household=w.a.household)
        client.force_login(county_a_clerk)
        page = client.get(edit_url(self.spec, session))
        assert page.context["form"]["attendees"].value() == [w.a.member.pk]
        client.post(edit_url(self.spec, session), page_post_data(page, attendees=[newcomer.pk]))
        assert list(session.attendance.values_list("member", flat=True)) == [newcomer.pk]
        assert not models.TrainingAttendance.objects.filter(pk=kept.pk).exists()
        page = client.get(edit_url(self.spec, session))
        client.post(
            edit_url(self.spec, session),
            page_post_data(page, attendees=[newcomer.pk, w.a.member.pk]),
        )
        assert set(session.attendance.values_list("member", flat=True)) == {
            newcomer.pk, w.a.member.pk
        }

    def test_the_chosen_members_are_shown_masked_and_only_they_are_in_the_page(
        self, client, county_a_clerk, w
    ):
        session = self.spec.make(w)
        other = f.MemberFactory(household=w.a.household)
        client.force_login(county_a_clerk)
        html = client.get(edit_url(self.spec, session)).content.decode()
        assert w.a.member.id_number[-4:] in html
        assert w.a.member.id_number not in html
        assert other.name not in html


class TestIndustryProjectBeneficiaries:
    spec = next(s for s in FORM_SPECS if s.model is models.IndustryProject)

    def test_beneficiary_rows_get_the_projects_county_and_the_recorder(
        self, client, county_a_clerk, w
    ):
        client.force_login(county_a_clerk)
        assert post_new(client, self.spec, w).status_code == 302
        row = models.ProjectBeneficiary.objects.get()
        assert (row.member, row.county, row.recorded_by) == (
            w.a.member, w.a.county, county_a_clerk
        )

    def test_a_beneficiary_of_another_county_is_refused(self, client, county_a_clerk, w):
        before = snapshot(models.IndustryProject)
        client.force_login(county_a_clerk)
        response = post_new(client, self.spec, w, **{"beneficiary_links-0-member": w.b.member.pk})
        assert response.status_code == 200
        assert "member" in response.context["formset"].forms[0].errors
        assert snapshot(models.IndustryProject) == before
        assert not models.ProjectBeneficiary.objects.exists()

    def test_a_project_whose_beneficiary_was_archived_can_still_be_saved(
        self, client, county_a_clerk, w
    ):
        """Issue 20: the row of an archived beneficiary came back "必填" and the project could
        not be saved any more."""
        client.force_login(county_a_clerk)
        assert post_new(client, self.spec, w).status_code == 302
        project = models.IndustryProject.objects.latest("pk")
        member_archive(member=w.a.member, user=county_a_clerk)

        page = client.get(edit_url(self.spec, project))
        response = client.post(
            edit_url(self.spec, project), page_post_data(page, name="改名后的项目")
        )

        assert response.status_code == 302
        project.refresh_from_db()
        assert project.name == "改名后的项目"
        assert list(project.beneficiary_links.values_list("member", flat=True)) == [
            w.a.member.pk
        ]
        # Archived members are not offered for a new row.
        assert not page.context["formset"].forms[-1].fields["member"].queryset.filter(
            pk=w.a.member.pk
        ).exists()

    def test_the_same_beneficiary_twice_is_refused(self, client, county_a_clerk, w):
        before = snapshot(models.IndustryProject)
        client.force_login(county_a_clerk)
        response = post_new(
            client, self.spec, w,
            **{"beneficiary_links-1-member": w.a.member.pk,
               "beneficiary_links-1-since": "2018-05-01"},
        )
        assert response.status_code == 200
        assert response.context["formset"].non_form_errors() == [
            "同一受益人填写了不止一行,请只保留一行。"
        ]
        assert snapshot(models.IndustryProject) == before
        assert not models.ProjectBeneficiary.objects.exists()


def test_a_duplicate_name_in_the_county_is_a_form_error_not_a_crash(client, county_a_clerk, w):
    spec = next(s for s in FORM_SPECS if s.model is models.Enterprise)
    client.force_login(county_a_clerk)
    response = post_new(client, spec, w, name=w.a.enterprise.name)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == ["该县区已登记同名企业或合作社。"]
    # The same name in another county is another enterprise.
    assert post_new(client, spec, w, name=w.b.enterprise.name).status_code == 302


#
# "Add help" links from the household page
#


@pytest.mark.parametrize(
    ("url_name", "param", "field_name"),
    [
        ("pairing_add", "household", "household"),
        ("financeagreement_add", "household", "household"),
        ("materialaid_add", "household", "household"),
        ("employment_add", "member", "member"),
        ("trainingsession_add", "member", "attendees"),
    ],
)
def test_create_pages_take_the_household_or_member_from_the_link(
    client, county_a_clerk, w, url_name, param, field_name
):
    client.force_login(county_a_clerk)
    own, foreign = getattr(w.a, param), getattr(w.b, param)
    form = client.get(reverse(f"cases:{url_name}"), {param: own.pk}).context["form"]
    assert form[field_name].value() in (own.pk, [own.pk])
    assert own.autocomplete_label() in form[field_name].as_widget()
    for ignored in (foreign.pk, "nonsense"):
        response = client.get(reverse(f"cases:{url_name}"), {param: ignored})
        assert response.status_code == 200
        assert response.context["form"][field_name].value() in (None, [])
        assert foreign.autocomplete_label() not in response.content.decode()


#
# Autocomplete sources of the new forms
#


@pytest.mark.parametrize(
    ("source", "attr"), [("labormodel", "labor_model"), ("enterprise", "enterprise")]
)
def test_autocomplete_offers_only_the_clerks_county(client, county_a_clerk, w, source, attr):
    client.force_login(county_a_clerk)
    response = client.get(reverse("cases:autocomplete", args=[source]), {"q": ""})
    values = {row["value"] for row in response.json()["results"]}
    model = type(getattr(w.a, attr))
    assert values == set(model.objects.filter(county=w.a.county).values_list("pk", flat=True))
    assert getattr(w.b, attr).pk not in values
    name = getattr(w.b, attr).name
    results = client.get(reverse("cases:autocomplete", args=[source]), {"q": name}).json()
    assert results["results"] == []



# Records naming a member or a household, and the field that names them.
NAMING_ARCHIVABLE = [
    (models.Pairing, "household", "household"),
    (models.TrainingSession, "member", "attendees"),
    (models.Employment, "member", "member"),
    (models.FinanceAgreement, "household", "household"),
    (models.MaterialAid, "household", "household"),
]


@pytest.mark.parametrize(
    ("model", "archived", "field_name"), NAMING_ARCHIVABLE,
    ids=[model._meta.model_name for model, _archived, _field in NAMING_ARCHIVABLE],
)
def test_a_record_naming_a_row_archived_since_can_still_be_saved(
    client, county_a_clerk, w, model, archived, field_name
):
    """Issue 20 ("also seen"): a field naming a row archived since came back empty, "必填" or
    an invalid choice, and the record could not be saved any more (fixed at first for the
    projects' beneficiaries only)."""
    spec = next(s for s in FORM_SPECS if s.model is model)
    record = spec.make(w)
    row = getattr(w.a, archived)
    if archived == "member":
        member_archive(member=row, user=county_a_clerk)
    else:
        household_archive(household=row, user=county_a_clerk, reason="整户迁出")
    client.force_login(county_a_clerk)

    page = client.get(edit_url(spec, record))
    response = client.post(
        edit_url(spec, record), page_post_data(page, **spec.edit_change(spec.edit_values[1]))
    )

    assert response.status_code == 302, response.context["form"].errors
    record.refresh_from_db()
    assert str(getattr(record, spec.edit_field)) == spec.edit_values[1]
    if field_name == "attendees":
        assert list(record.attendance.values_list("member", flat=True)) == [row.pk]
    else:
        assert getattr(record, f"{field_name}_id") == row.pk
    # An archived row is still not offered for a new record.
    new_page = client.get(add_url(spec))
    assert not new_page.context["form"].fields[field_name].queryset.filter(pk=row.pk).exists()
