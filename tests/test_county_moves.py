"""A household's county is one fact: moving it to another county (its form, Django admin)
moves its members and every record that takes its county from them, in one transaction and
with history, and every surface (dashboard, snapshots, JSON, .xlsx, report, drill-down) then
counts it in the new county, for both counties and the city; the import cannot move another
county's household; ``check_counties`` proves that no stored county disagrees with its owner's."""

import datetime
import io
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from cases.choices import PovertyStatus, ReviewStatus
from cases.counties import MOVE_REASON, county_mismatches, county_models
from cases.models import (
    CountyDataVersion,
    CountyOwned,
    Employment,
    FinanceAgreement,
    Household,
    Member,
    ReviewEvent,
    TrainingAttendance,
)
from cases.uniqueness import duplicate_message
from tests.factories import (
    DividendPaymentFactory,
    EmploymentFactory,
    EnterpriseFactory,
    FinanceAgreementFactory,
    HouseholdFactory,
    IndustryProjectFactory,
    MaterialAidFactory,
    MemberFactory,
    PairingFactory,
    ProjectBeneficiaryFactory,
    ReviewEventFactory,
    TownshipFactory,
    TrainingAttendanceFactory,
    TrainingSessionFactory,
    VillageFactory,
)
from tests.forms import form_post_data, page_post_data
from tests.import_files import as_table, household_values, member_values, register_row, xlsx_bytes
from tests.support import build_records
from tests.surfaces import assert_surfaces_agree, client_for, every_surface

APPROVED = ReviewStatus.APPROVED
AGREEMENT_FUNDS = Decimal("250000.50")
DIVIDEND = Decimal("2000.00")
# What the moving household adds to the figures of the county it is in: one member trained
# (whose household exited after the training), benefiting from a project (and exited since),
# in stable employment; one household trained, one with an agreement, the agreement's funds and
# its dividend. The session, project, enterprise and labor model stay with the county that
# runs them.
HOUSEHOLD_SHARE = {
    "people_trained": 1,
    "people_trained_exited": 1,
    "households_trained": 1,
    "dividend_payments": 1,
    "dividend_funds": DIVIDEND,
    "project_beneficiaries": 1,
    "project_beneficiaries_exited": 1,
    "stable_employed": 1,
    "finance_households": 1,
    "finance_funds": AGREEMENT_FUNDS,
}

pytestmark = pytest.mark.django_db


@pytest.fixture
def moving(county_a, county_b):
    """Records of both counties, and the household of county A that moves to county B, with
    a member trained, employed and benefiting from a project in county A, an agreement, a
    dividend, a pairing, a visit, and a review trail."""
    build_records(county_a, 1)
    build_records(county_b, 2)
    household = HouseholdFactory(
        village__township__county=county_a, status=PovertyStatus.EXITED,
        exit_date=datetime.date(2018, 6, 1), review_status=APPROVED,
    )
    member = MemberFactory(household=household)
    session = TrainingSessionFactory(
        county=county_a, held_on=datetime.date(2018, 3, 1), review_status=APPROVED
    )
    TrainingAttendanceFactory(session=session, member=member)
    enterprise = EnterpriseFactory(county=county_a, review_status=APPROVED)
    project = IndustryProjectFactory(
        county=county_a, enterprise=enterprise, started_on=datetime.date(2018, 2, 1),
        review_status=APPROVED,
    )
    ProjectBeneficiaryFactory(project=project, member=member)
    EmploymentFactory(member=member, enterprise=enterprise, review_status=APPROVED)
    agreement = FinanceAgreementFactory(
        enterprise=enterprise, household=household, funds=AGREEMENT_FUNDS, review_status=APPROVED
    )
    DividendPaymentFactory(
        agreement=agreement, amount=DIVIDEND, paid_on=datetime.date(2019, 1, 10),
        review_status=APPROVED,
    )
    PairingFactory(household=household, labor_model=session.labor_model, review_status=APPROVED)
    MaterialAidFactory(household=household, review_status=APPROVED)
    ReviewEventFactory(record=agreement, county=county_a)
    destination = VillageFactory(township=TownshipFactory(county=county_b))
    return household, destination


def assert_moved(before, after, source, destination):
    """Each surface after the move: the household's share left ``source`` for
    ``destination``, every other figure and every city figure unchanged."""
    for surface, places in after.items():
        for place, figures in places.items():
            for key, value in figures.items():
                share = HOUSEHOLD_SHARE.get(key, 0)
                expected = before[surface][place][key]
                if place == source:
                    expected -= share
                elif place == destination:
                    expected += share
                assert value == expected, (surface, place, key)


def assert_household_in(household, county):
    household.refresh_from_db()
    assert household.county == county
    member = household.members.get()
    assert member.county == county
    assert {job.county for job in Employment.objects.filter(member=member)} == {county}
    agreement = FinanceAgreement.objects.get(household=household)
    assert agreement.county == county
    assert {d.county for d in agreement.dividends.all()} == {county}
    assert {p.county for p in household.pairings.all()} == {county}
    assert {a.county for a in household.aid.all()} == {county}
    assert set(ReviewEvent.objects.filter(object_id=agreement.pk).values_list(
        "county", flat=True)) == {county.pk}


def move_and_check(move, moving, county_a, county_b, city_reviewer, clerks):
    household, destination = moving
    counties = [county_a, county_b]
    before = every_surface(city_reviewer, clerks, counties)
    assert_surfaces_agree(before)
    assert before["json"][county_a.pk]["people_trained"] >= 1
    versions = dict(CountyDataVersion.objects.values_list("county_id", "version"))

    move(household, destination)

    assert_household_in(household, county_b)
    # Both counties' snapshots are outdated before anyone looks again.
    for county in counties:
        assert CountyDataVersion.objects.get(county=county).version > versions[county.pk]
    # The session and the project stay with the county that held them.
    attendance = TrainingAttendance.objects.get(member__household=household)
    assert attendance.county == county_a
    assert not any(rows.exists() for rows in county_mismatches().values())
    after = every_surface(city_reviewer, clerks, counties)
    assert_surfaces_agree(after)
    assert_moved(before, after, county_a.pk, county_b.pk)


@pytest.fixture
def clerks(county_a_clerk, county_b_clerk):
    return [county_a_clerk, county_b_clerk]


def test_a_household_moved_in_django_admin_counts_in_its_new_county_everywhere(
    moving, county_a, county_b, city_reviewer, clerks, admin_client
):
    def move(household, destination):
        url = reverse("admin:cases_household_change", args=[household.pk])
        page = admin_client.get(url)
        data = form_post_data(page.context["adminform"].form)
        for inline in page.context["inline_admin_formsets"]:
            formset = inline.formset
            data.update(form_post_data(formset.management_form))
            for form in formset.forms:
                data.update(form_post_data(form))
        data.update(village=str(destination.pk), _save="保存")
        response = admin_client.post(url, data)
        assert response.status_code == 302, response.context["adminform"].form.errors

    move_and_check(move, moving, county_a, county_b, city_reviewer, clerks)
    member = Member.objects.get(household=moving[0])
    assert member.history.first().history_change_reason == MOVE_REASON
    # The new county's staff now open and change what belongs to it.
    clerk_b = client_for(clerks[1])
    assert clerk_b.get(reverse("cases:household_detail", args=[moving[0].pk])).status_code == 200
    job = Employment.objects.get(member=member)
    assert clerk_b.get(reverse("cases:employment_edit", args=[job.pk])).status_code == 200
    assert client_for(clerks[0]).get(
        reverse("cases:employment_edit", args=[job.pk])
    ).status_code == 404


def test_a_household_moved_in_its_form_counts_in_its_new_county_everywhere(
    moving, county_a, county_b, city_reviewer, clerks, administrator
):
    def move(household, destination):
        editor = client_for(administrator)
        url = reverse("cases:household_edit", args=[household.pk])
        response = editor.post(url, page_post_data(editor.get(url), village=str(destination.pk)))
        assert response.status_code == 302, response.context["form"].errors

    move_and_check(move, moving, county_a, county_b, city_reviewer, clerks)


def test_a_failed_move_moves_nothing(moving, county_a, monkeypatch):
    """All or nothing: a failure while the records follow leaves the household where it was."""
    household, destination = moving

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(FinanceAgreement, "save", broken)
    household.village = destination
    with pytest.raises(RuntimeError):
        household.save()
    assert_household_in(Household.objects.get(pk=household.pk), county_a)


@pytest.mark.usefixtures("media_root", "run_jobs_on_commit")
def test_the_import_cannot_move_another_countys_household(
    moving, county_a, county_b, city_reviewer, clerks
):
    """Each county imports into its own villages only: a register row naming a household of
    another county is refused, and no figure changes. Moving is done in the form or admin."""
    from imports.models import ImportRun, ImportStatus

    household, destination = moving
    counties = [county_a, county_b]
    before = every_surface(city_reviewer, clerks, counties)
    row = register_row(
        household_values(
            household.register_number, 县区=county_b.name,
            乡镇=destination.township.name, 行政村=destination.name,
        ),
        member_values(1, "户主", "刘建国"),
    )
    clerk_b = client_for(clerks[1])
    clerk_b.post(
        reverse("imports:index"),
        {"kind": "households", "file": _upload(xlsx_bytes(as_table([row])))},
    )
    run = ImportRun.objects.latest("pk")
    assert run.status == ImportStatus.INVALID
    # The neutral answer to a number registered elsewhere (it does not say where).
    assert duplicate_message("户编号") in str(run.errors)
    assert_household_in(household, county_a)
    assert_moved(before, every_surface(city_reviewer, clerks, counties), None, None)


def _upload(data):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile("register.xlsx", data)


#
# The model says which relations give a row its county
#


def test_every_relation_between_county_rows_is_a_county_source_or_declared_independent():
    for model in county_models():
        declared = set(model.county_source_fields()) | set(model.county_independent_of)
        relations = {
            field.name
            for field in model._meta.concrete_fields
            if field.is_relation and issubclass(field.related_model, CountyOwned)
        }
        sources = {
            name for name in model.county_source_fields()
            if issubclass(model._meta.get_field(name).related_model, CountyOwned)
        }
        assert relations - declared == set(), model
        assert not sources & set(model.county_independent_of), model


#
# The check command
#


def test_check_counties_passes_on_consistent_data_and_names_a_row_left_behind(
    moving, county_b
):
    out = io.StringIO()
    call_command("check_counties", stdout=out)
    assert "agrees" in out.getvalue()
    household, _destination = moving
    member = household.members.get()
    # A write that bypasses save() (as a raw UPDATE would) leaves a job in the wrong county.
    Employment.objects.filter(member=member).update(county=county_b)
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 row"):
        call_command("check_counties", stdout=io.StringIO(), stderr=err)
    assert "cases.Employment.member: 1" in err.getvalue()
