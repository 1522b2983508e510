"""The demo (manage.py seed_demo) reproduces the Zhumadian Daily article of 2018-08-31.

Every figure is recomputed here with its own query, written from the definitions (not taken
from the command): as of D = 2018-08-31, only approved rows count, archived households and their
members do not, each person or household is counted once, and "of them exited" means the
household's status is exited with an exit date on or after the day that person's help began
and not after D. The expected numbers are the article's (demo/article.py).

The demo is loaded once for the package (tests/demo/conftest.py), inside a transaction, so it
works the same on SQLite and PostgreSQL and leaves nothing behind for other tests.
"""

import re
from collections import Counter
from decimal import Decimal
from io import StringIO

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db.models import Count, Exists, F, Min, OuterRef, Q, Sum
from django.test import TestCase
from django.urls import reverse

from accounts.models import User
from cases.kinds import REVIEWED_MODELS
from cases.models import (
    AdvancedCollective,
    County,
    DividendPayment,
    Employment,
    FinanceAgreement,
    Household,
    IndicatorTarget,
    IndustryProject,
    LaborModel,
    MaterialAid,
    Member,
    Pairing,
    ProjectBeneficiary,
    ReviewEvent,
    TrainingAttendance,
    TrainingSession,
    UnionBody,
    Village,
    VolunteerEvent,
    VolunteerTeam,
    Workshop,
)
from cases.validators import birth_date_from_id, sex_from_id, validate_resident_id
from demo.article import (
    DAY,
    FIGURES,
    NAMED_AGREEMENT_HOUSEHOLDS,
    ROUNDED,
    RUNAN_TOOK_UP_PLANTING,
    RUNAN_TRAINED_HOUSEHOLDS,
)

D = DAY
LU_XINAI_COOP, YUPO, TIANZHONG = (
    "正阳县新爱食用菌专业合作社", "河南豫坡酒业有限责任公司", "驿城区天中生态农业科技有限公司",
)
APPROVED = "approved"
EXITED = "exited"
COUNTIES = {
    "411702": "驿城区", "411721": "西平县", "411722": "上蔡县", "411723": "平舆县",
    "411724": "正阳县", "411725": "确山县", "411726": "泌阳县", "411727": "汝南县",
    "411728": "遂平县", "411729": "新蔡县",
}
ACCOUNT_LINE = re.compile(r"^(\w+)\s+\S+\s+\S+\s+(relief-demo-2018)$", re.MULTILINE)

def helped(links, start):
    """Distinct members of ``links`` (rows with a ``member``), and how many of them live in a
    household that exited on or after their help began (the earliest ``start`` among their
    links) and by D. ``links`` must already be limited to what counts on D."""
    per_member = links.filter(member__household__archived_at__isnull=True).values(
        "member", "member__household__status", "member__household__exit_date",
    ).annotate(began=Min(start))
    exited = per_member.filter(
        member__household__status=EXITED, member__household__exit_date__lte=D,
        member__household__exit_date__gte=F("began"),
    )
    return per_member.count(), exited.count()


def attendance_on_d():
    return TrainingAttendance.objects.filter(
        session__review_status=APPROVED, session__held_on__lte=D,
        member__household__archived_at__isnull=True,
    )


def enterprise_benefits_on_d():
    return ProjectBeneficiary.objects.filter(
        project__review_status=APPROVED, project__enterprise__isnull=False,
        project__started_on__lte=D, since__lte=D,
        member__household__archived_at__isnull=True,
    )


def collective_jobs_on_d():
    return Employment.objects.filter(
        review_status=APPROVED, collective__isnull=False, started_on__lte=D,
        member__household__archived_at__isnull=True,
    )


def model_counts():
    return {
        model._meta.label: model._default_manager.count()
        for model in apps.get_models() if model._meta.managed
    }


class DemoDataTests(TestCase):
    @pytest.fixture(autouse=True)
    def printed_by_the_load(self, demo):
        self.first_output = demo

    # --- the article's figures ------------------------------------------------------------------
    def test_labor_models_by_level(self):
        awarded = LaborModel.objects.filter(review_status=APPROVED, year_awarded__lte=D.year)
        self.assertEqual(awarded.count(), FIGURES["labor_models"])
        by_level = dict(awarded.values_list("honour_level").annotate(n=Count("id")))
        self.assertEqual(by_level, {
            level: FIGURES[f"labor_models_{level}"]
            for level in ("national", "provincial", "city", "county")
        })

    def test_labor_models_in_service_and_local_and_taking_part(self):
        local = LaborModel.objects.filter(
            review_status=APPROVED, year_awarded__lte=D.year, in_service=True, is_local=True)
        self.assertEqual(local.count(), FIGURES["labor_models_in_service_local"])
        active_on_d = Pairing.objects.filter(
            labor_model=OuterRef("pk"), review_status=APPROVED, start_date__lte=D,
        ).filter(Q(end_date__isnull=True) | Q(end_date__gt=D))
        taking_part = local.filter(Exists(active_on_d)).count()
        self.assertEqual(taking_part, ROUNDED["labor_models_participating"])
        self.assertEqual(round(100 * taking_part / local.count()), 40)

    def test_training_sessions(self):
        sessions = TrainingSession.objects.filter(review_status=APPROVED, held_on__lte=D)
        self.assertEqual(sessions.count(), FIGURES["training_sessions"])

    def test_people_trained_and_since_exited(self):
        trained, exited = helped(attendance_on_d(), "session__held_on")
        self.assertEqual(trained, FIGURES["people_trained"])
        self.assertEqual(exited, FIGURES["people_trained_exited"])

    def test_enterprise_projects_and_funds(self):
        projects = IndustryProject.objects.filter(
            review_status=APPROVED, enterprise__isnull=False, started_on__lte=D)
        self.assertEqual(projects.count(), FIGURES["enterprise_projects"])
        self.assertEqual(
            projects.aggregate(s=Sum("funds"))["s"], FIGURES["enterprise_project_funds"])

    def test_workshops(self):
        self.assertEqual(
            Workshop.objects.filter(review_status=APPROVED, opened_on__lte=D).count(),
            FIGURES["workshops"])

    def test_people_benefiting_from_enterprise_projects(self):
        people, exited = helped(enterprise_benefits_on_d(), "since")
        self.assertEqual(people, FIGURES["project_beneficiaries"])
        self.assertEqual(exited, FIGURES["project_beneficiaries_exited"])

    def test_finance_agreements(self):
        agreements = FinanceAgreement.objects.filter(
            review_status=APPROVED, signed_on__lte=D, household__archived_at__isnull=True)
        totals = agreements.aggregate(
            enterprises=Count("enterprise", distinct=True),
            households=Count("household", distinct=True), funds=Sum("funds"))
        self.assertEqual(totals["enterprises"], FIGURES["finance_enterprises"])
        self.assertEqual(totals["households"], FIGURES["finance_households"])
        self.assertEqual(round(totals["funds"] / Decimal(100_000_000), 1), Decimal("4.1"))
        self.assertEqual(totals["funds"], FIGURES["finance_funds"])

    def test_dividends_are_at_least_2000_yuan_per_household_and_year(self):
        paid = DividendPayment.objects.filter(review_status=APPROVED)
        self.assertGreater(paid.count(), FIGURES["finance_households"])
        per_household_year = paid.values("agreement__household", "year").annotate(s=Sum("amount"))
        self.assertGreaterEqual(min(row["s"] for row in per_household_year), Decimal(2000))
        self.assertFalse(paid.filter(paid_on__lt=F("agreement__signed_on")).exists())

    def test_people_in_stable_employment(self):
        stable = Employment.objects.filter(
            review_status=APPROVED, is_stable=True, started_on__lte=D,
            member__household__archived_at__isnull=True,
        ).filter(Q(ended_on__isnull=True) | Q(ended_on__gt=D))
        self.assertEqual(stable.values("member").distinct().count(), FIGURES["stable_employed"])

    def test_volunteer_teams_events_and_beneficiaries(self):
        teams = VolunteerTeam.objects.filter(review_status=APPROVED, founded_on__lte=D)
        self.assertEqual(teams.count(), FIGURES["volunteer_teams"])
        events = VolunteerEvent.objects.filter(
            review_status=APPROVED, held_on__lte=D, team__in=teams)
        self.assertEqual(events.count(), FIGURES["volunteer_events"])
        reached = events.aggregate(s=Sum("beneficiaries"))["s"]
        self.assertTrue(17000 < reached < 18000, reached)  # "17000多人"
        pingyu = teams.filter(county__name="平舆县").values_list("field", flat=True)
        self.assertEqual(sorted(pingyu), ["agriculture", "education", "industry", "medical"])

    def test_advanced_collectives_projects_and_funds(self):
        pairing = Pairing.objects.filter(
            collective=OuterRef("pk"), review_status=APPROVED, start_date__lte=D)
        project = IndustryProject.objects.filter(
            collective=OuterRef("pk"), review_status=APPROVED, started_on__lte=D)
        job = Employment.objects.filter(
            collective=OuterRef("pk"), review_status=APPROVED, started_on__lte=D)
        taking_part = AdvancedCollective.objects.filter(review_status=APPROVED).filter(
            Exists(pairing) | Exists(project) | Exists(job))
        self.assertEqual(taking_part.count(), FIGURES["collectives_participating"])
        projects = IndustryProject.objects.filter(
            review_status=APPROVED, collective__isnull=False, started_on__lte=D)
        self.assertEqual(projects.count(), FIGURES["collective_projects"])
        self.assertEqual(
            projects.aggregate(s=Sum("funds"))["s"], FIGURES["collective_project_funds"])

    def test_people_employed_by_collectives_and_since_exited(self):
        people, exited = helped(collective_jobs_on_d(), "started_on")
        self.assertEqual(people, FIGURES["collective_employed"])
        self.assertEqual(exited, FIGURES["collective_employed_exited"])

    def test_runan_trained_households(self):
        households = attendance_on_d().filter(member__household__county__name="汝南县")
        self.assertEqual(
            households.values("member__household").distinct().count(), RUNAN_TRAINED_HOUSEHOLDS)

    def test_runan_trained_households_that_took_up_planting_or_breeding(self):
        trained = attendance_on_d().filter(member__household__county__name="汝南县").values(
            "member__household")
        took_up = Household.objects.filter(
            pk__in=trained, industry__code="planting_breeding", industry_since__lte=D)
        self.assertEqual(took_up.count(), RUNAN_TOOK_UP_PLANTING)

    # --- the definitions matter: the distractors are there ---------------------------------------
    def test_people_whose_household_exited_before_their_first_training_are_not_counted(self):
        trained = attendance_on_d().values(
            "member", "member__household__status", "member__household__exit_date",
        ).annotate(first=Min("session__held_on"))
        exited_before = trained.filter(
            member__household__status=EXITED, member__household__exit_date__lt=F("first"))
        self.assertGreater(exited_before.count(), 0)
        # Counting every trained person in an exited household would overstate the article.
        exited_by_d = trained.filter(
            member__household__status=EXITED, member__household__exit_date__lte=D)
        self.assertEqual(
            exited_by_d.count(), FIGURES["people_trained_exited"] + exited_before.count())
        # Some exited on the very day of their first training: they count.
        self.assertTrue(trained.filter(
            member__household__status=EXITED, member__household__exit_date=F("first")).exists())

    def test_rows_that_must_not_count_are_there(self):
        self.assertTrue(TrainingSession.objects.filter(held_on__gt=D).exists())
        self.assertTrue(TrainingSession.objects.filter(held_on__lte=D).exclude(
            review_status=APPROVED).filter(attendance__isnull=False).exists())
        self.assertTrue(Household.objects.filter(status=EXITED, exit_date__gt=D).exists())
        self.assertTrue(Household.objects.filter(status="returned", exit_date__lte=D).exists())
        archived = Household.objects.filter(archived_at__isnull=False)
        self.assertTrue(archived.exists())
        self.assertTrue(TrainingAttendance.objects.filter(
            member__household__in=archived, session__review_status=APPROVED,
            session__held_on__lte=D).exists())
        self.assertTrue(Household.objects.exclude(review_status=APPROVED).exists())
        self.assertTrue(LaborModel.objects.filter(year_awarded__gt=D.year).exists())
        self.assertTrue(LaborModel.objects.exclude(review_status=APPROVED).exists())
        self.assertTrue(Pairing.objects.filter(end_date__lte=D).exists())
        self.assertTrue(Pairing.objects.filter(end_date=D).exists())
        self.assertTrue(Pairing.objects.filter(start_date__gt=D).exists())
        self.assertTrue(Employment.objects.filter(ended_on__lte=D).exists())
        self.assertTrue(Employment.objects.filter(is_stable=False, started_on__lte=D).exists())
        self.assertTrue(Employment.objects.filter(started_on__gt=D).exists())
        self.assertTrue(Employment.objects.exclude(review_status=APPROVED).exists())
        self.assertTrue(FinanceAgreement.objects.filter(signed_on__gt=D).exists())
        self.assertTrue(FinanceAgreement.objects.exclude(review_status=APPROVED).exists())
        self.assertTrue(ProjectBeneficiary.objects.filter(since__gt=D).exists())
        self.assertTrue(VolunteerEvent.objects.filter(held_on__gt=D).exists())

    def test_people_trained_twice_are_counted_once(self):
        self.assertGreater(attendance_on_d().count(), FIGURES["people_trained"])

    def test_all_pairing_modes_are_used(self):
        self.assertEqual(
            set(Pairing.objects.values_list("mode", flat=True)),
            {"technical", "industry", "project", "employment", "one_to_one", "aspiration",
             "collective"},
        )

    # --- geography, unions, named entities ------------------------------------------------------
    def test_counties_unions_townships_and_villages(self):
        self.assertEqual(dict(County.objects.values_list("code", "name")), COUNTIES)
        self.assertTrue(UnionBody.objects.filter(name="驻马店市总工会", level="city").exists())
        for name in COUNTIES.values():
            union = UnionBody.objects.get(name=f"{name}总工会")
            self.assertEqual((union.level, union.county.name), ("county", name))
            self.assertGreaterEqual(County.objects.get(name=name).townships.count(), 5)
        self.assertTrue(
            Village.objects.filter(is_poor_village=True, exit_year__isnull=False).exists())
        self.assertFalse(Household.objects.exclude(county=F("village__county")).exists())

    def test_the_articles_enterprises_and_labor_models(self):
        coop = LaborModel.objects.get(name="叶启营").enterprises.get()
        self.assertIn("梅营红薯", coop.name)
        self.assertEqual((coop.county.name, coop.leader.honour_level), ("正阳县", "national"))
        cattle = LaborModel.objects.get(name="祁兴磊").enterprises.get()
        self.assertEqual(
            (cattle.name, cattle.county.name), ("泌阳县夏南牛科技开发有限公司", "泌阳县"))
        on_d = FinanceAgreement.objects.filter(review_status=APPROVED, signed_on__lte=D)
        lu = on_d.filter(enterprise__leader__name="鲁新爱")
        self.assertEqual(
            lu.values("household").distinct().count(), NAMED_AGREEMENT_HOUSEHOLDS[LU_XINAI_COOP])
        self.assertEqual(
            lu.values("household__village__township").distinct().count(), 5)
        yupo = on_d.filter(enterprise__name=YUPO)
        self.assertEqual(yupo.count(), NAMED_AGREEMENT_HOUSEHOLDS[YUPO])
        self.assertEqual(yupo.aggregate(s=Sum("funds"))["s"], Decimal("18000000.00"))
        self.assertEqual(
            on_d.filter(enterprise__name=TIANZHONG).count(), NAMED_AGREEMENT_HOUSEHOLDS[TIANZHONG])
        self.assertEqual(Workshop.objects.filter(
            enterprise__name="泌阳县丰盈制衣有限公司", review_status=APPROVED,
            opened_on__lte=D).count(), 20)
        self.assertTrue(MaterialAid.objects.filter(
            kind="charity_shop", county__name="驿城区", points__gt=0).exists())

    # --- people -----------------------------------------------------------------------------------
    def test_member_id_numbers_are_valid_unique_and_agree_with_the_member(self):
        rows = Member.objects.values_list("id_number", "birth_date", "sex", "county__code")
        seen = set()
        for id_number, birth_date, sex, county_code in rows:
            validate_resident_id(id_number)
            self.assertEqual(birth_date, birth_date_from_id(id_number))
            self.assertEqual(sex, sex_from_id(id_number))
            self.assertEqual(id_number[:6], county_code)
            seen.add(id_number)
        self.assertEqual(len(seen), len(rows))

    def test_no_stored_county_disagrees_with_its_owners(self):
        call_command("check_counties", stdout=StringIO())

    def test_county_is_that_of_the_record_it_hangs_on(self):
        self.assertFalse(Member.objects.exclude(county=F("household__county")).exists())
        self.assertFalse(TrainingAttendance.objects.exclude(county=F("session__county")).exists())
        self.assertFalse(Employment.objects.exclude(county=F("member__county")).exists())
        self.assertFalse(
            FinanceAgreement.objects.exclude(county=F("household__county")).exists())
        self.assertFalse(Pairing.objects.filter(household__isnull=False).exclude(
            county=F("household__county")).exists())

    def test_every_demo_row_has_a_created_history_entry(self):
        for model in (Household, Member, TrainingAttendance, Employment, DividendPayment):
            history = model.history.filter(history_type="+")
            self.assertEqual(history.count(), model.objects.count(), model)
            self.assertFalse(history.filter(history_user__isnull=True).exists())

    # --- what the review pages read ----------------------------------------------------------
    def test_records_in_review_say_who_submitted_them_and_returned_ones_why(self):
        waiting, returned, kinds = 0, 0, Counter()
        for model in REVIEWED_MODELS:
            for status, action in (("submitted", "submitted"), ("returned", "returned")):
                pks = set(model.objects.filter(review_status=status).values_list("pk", flat=True))
                events = ReviewEvent.objects.filter(
                    content_type__model=model._meta.model_name, object_id__in=pks, action=action,
                )
                self.assertEqual(set(events.values_list("object_id", flat=True)), pks, model)
                self.assertFalse(events.filter(user__isnull=True).exists())
                if action == "returned":
                    self.assertFalse(events.filter(comment="").exists())
                    self.assertFalse(events.exclude(user__username="city").exists())
                    returned += len(pks)
                else:
                    waiting += len(pks)
                    kinds[model] += len(pks)
        self.assertGreater(returned, 10)
        # No one kind of record fills the queue.
        self.assertLess(max(kinds.values()), waiting / 2)

    def test_the_city_set_targets_for_2017_to_2019_for_every_county(self):
        per_year = IndicatorTarget.objects.values("year").annotate(
            counties=Count("county", distinct=True)
        )
        self.assertEqual(
            {row["year"]: row["counties"] for row in per_year}, {2017: 10, 2018: 10, 2019: 10}
        )

    # --- the command ------------------------------------------------------------------------------
    def test_second_run_creates_nothing(self):
        before = model_counts()
        out = StringIO()
        call_command("seed_demo", stdout=out)
        self.assertIn("demo data already loaded", out.getvalue())
        self.assertEqual(model_counts(), before)
        self.assertEqual(ACCOUNT_LINE.findall(out.getvalue()),
                         ACCOUNT_LINE.findall(self.first_output))

    def test_every_printed_account_can_log_in(self):
        accounts = ACCOUNT_LINE.findall(self.first_output)
        self.assertEqual(
            [username for username, _ in accounts],
            ["admin", "city", "yicheng", "xiping", "shangcai", "pingyu", "zhengyang", "queshan",
             "biyang", "runan", "suiping", "xincai"],
        )
        for username, password in accounts:
            response = self.client.post(
                reverse("login"), {"username": username, "password": password},
                REMOTE_ADDR="10.9.9.9")
            self.assertEqual(response.status_code, 302, username)
            self.assertEqual(int(self.client.session["_auth_user_id"]),
                             User.objects.get(username=username).pk)
            self.client.logout()

    def test_accounts_have_their_roles_and_counties(self):
        admin = User.objects.get(username="admin")
        self.assertTrue(admin.is_superuser and admin.is_administrator)
        self.assertEqual(User.objects.get(username="city").role, "city_reviewer")
        runan = User.objects.get(username="runan")
        self.assertEqual((runan.role, runan.county.name), ("county_staff", "汝南县"))
        self.assertEqual(list(runan.groups.values_list("name", flat=True)), ["县区总工会工作人员"])
