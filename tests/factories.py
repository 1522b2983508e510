import datetime
import importlib
import io
import itertools

import factory
from django.contrib.contenttypes.models import ContentType
from factory.django import DjangoModelFactory
from PIL import Image

from accounts.models import Role, User
from cases import models
from cases.choices import HonourLevel, HonourTitle, PairingMode, Relation
from cases.crypto import resident_id_digest
from cases.validators import build_resident_id

_id_sequence = itertools.count(1)


def next_resident_id(region_code="411727", birth_date=datetime.date(1980, 1, 1)):
    n = next(_id_sequence)
    return build_resident_id(region_code, birth_date + datetime.timedelta(days=n // 1000), n)


class CountyFactory(DjangoModelFactory):
    class Meta:
        model = models.County
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"4199{n % 100:02d}")
    name = factory.Sequence(lambda n: f"测试县{n}")


class TownshipFactory(DjangoModelFactory):
    class Meta:
        model = models.Township

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"乡镇{n}")


class VillageFactory(DjangoModelFactory):
    class Meta:
        model = models.Village

    township = factory.SubFactory(TownshipFactory)
    name = factory.Sequence(lambda n: f"行政村{n}")
    is_poor_village = True


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")
    role = Role.COUNTY_STAFF
    county = factory.SubFactory(CountyFactory)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


# The rows the data migration loads. A transactional test ends by emptying the database, so a
# later test may find them gone: the factories put back the row they use.
REFERENCE_DATA = importlib.import_module("cases.migrations.0002_reference_data")


def poverty_cause(code="illness"):
    name = dict(REFERENCE_DATA.POVERTY_CAUSES)[code]
    return models.PovertyCause.objects.get_or_create(code=code, defaults={"name": name})[0]


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = models.Household

    register_number = factory.Sequence(lambda n: f"4117270010{n:06d}")
    head_name = factory.Sequence(lambda n: f"户主{n}")
    village = factory.SubFactory(VillageFactory)
    county = factory.SelfAttribute("village.county")
    identified_on = datetime.date(2016, 3, 1)
    main_cause = factory.LazyFunction(poverty_cause)


class MemberFactory(DjangoModelFactory):
    class Meta:
        model = models.Member

    household = factory.SubFactory(HouseholdFactory)
    county = factory.SelfAttribute("household.county")
    name = factory.Sequence(lambda n: f"成员{n}")
    id_number = factory.LazyFunction(next_resident_id)
    relation = Relation.SON


class LaborModelFactory(DjangoModelFactory):
    class Meta:
        model = models.LaborModel

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"劳模{n}")
    honour_level = HonourLevel.CITY
    honour_title = HonourTitle.LABOR_MODEL
    year_awarded = 2010


class EnterpriseFactory(DjangoModelFactory):
    class Meta:
        model = models.Enterprise

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"劳模企业{n}")
    kind = "enterprise"


class PairingFactory(DjangoModelFactory):
    class Meta:
        model = models.Pairing

    labor_model = factory.SubFactory(LaborModelFactory, county=factory.SelfAttribute("..county"))
    household = factory.SubFactory(HouseholdFactory)
    county = factory.SelfAttribute("household.county")
    mode = PairingMode.TECHNICAL
    start_date = datetime.date(2018, 6, 1)
    plan = "种植技术指导"


# Factories for the remaining models (added with the admin tests). Choice values are the stored
# codes; amounts are strings, which Django saves as exact decimals.


def expertise_field(code="planting_breeding"):
    name = dict(REFERENCE_DATA.EXPERTISE_FIELDS)[code]
    return models.ExpertiseField.objects.get_or_create(code=code, defaults={"name": name})[0]


class PovertyCauseFactory(DjangoModelFactory):
    class Meta:
        model = models.PovertyCause

    code = factory.Sequence(lambda n: f"test_cause_{n}")
    name = factory.Sequence(lambda n: f"测试致贫原因{n}")


class ExpertiseFieldFactory(DjangoModelFactory):
    class Meta:
        model = models.ExpertiseField

    code = factory.Sequence(lambda n: f"test_field_{n}")
    name = factory.Sequence(lambda n: f"测试专长{n}")


class UnionBodyFactory(DjangoModelFactory):
    class Meta:
        model = models.UnionBody

    county = factory.SubFactory(CountyFactory)
    name = factory.LazyAttribute(lambda o: f"{o.county.name}总工会")
    level = "county"


class AdvancedCollectiveFactory(DjangoModelFactory):
    class Meta:
        model = models.AdvancedCollective

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"先进集体{n}")
    honour = "worker_pioneer"
    year_awarded = 2015


class VolunteerTeamFactory(DjangoModelFactory):
    class Meta:
        model = models.VolunteerTeam

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"劳模志愿服务队{n}")
    field = "agriculture"
    leader = factory.SubFactory(LaborModelFactory, county=factory.SelfAttribute("..county"))
    founded_on = datetime.date(2017, 5, 1)


class TrainingSessionFactory(DjangoModelFactory):
    class Meta:
        model = models.TrainingSession

    county = factory.SubFactory(CountyFactory)
    held_on = datetime.date(2018, 5, 10)
    topic = factory.Sequence(lambda n: f"种植技术培训{n}")
    field = factory.LazyFunction(expertise_field)
    trainer = "张师傅"
    labor_model = factory.SubFactory(LaborModelFactory, county=factory.SelfAttribute("..county"))
    place = "村委会"


class TrainingAttendanceFactory(DjangoModelFactory):
    class Meta:
        model = models.TrainingAttendance

    session = factory.SubFactory(TrainingSessionFactory)
    member = factory.SubFactory(MemberFactory)
    county = factory.SelfAttribute("session.county")


class IndustryProjectFactory(DjangoModelFactory):
    class Meta:
        model = models.IndustryProject

    county = factory.SubFactory(CountyFactory)
    name = factory.Sequence(lambda n: f"产业扶贫项目{n}")
    enterprise = factory.SubFactory(EnterpriseFactory, county=factory.SelfAttribute("..county"))
    funds = "500000.00"
    started_on = datetime.date(2018, 3, 1)
    village = factory.SubFactory(
        VillageFactory, township__county=factory.SelfAttribute("...county")
    )


class ProjectBeneficiaryFactory(DjangoModelFactory):
    class Meta:
        model = models.ProjectBeneficiary

    project = factory.SubFactory(IndustryProjectFactory)
    member = factory.SubFactory(MemberFactory)
    county = factory.SelfAttribute("project.county")
    since = datetime.date(2018, 4, 1)


class WorkshopFactory(DjangoModelFactory):
    class Meta:
        model = models.Workshop

    name = factory.Sequence(lambda n: f"扶贫车间{n}")
    enterprise = factory.SubFactory(EnterpriseFactory)
    county = factory.SelfAttribute("enterprise.county")
    opened_on = datetime.date(2018, 4, 1)


class FinanceAgreementFactory(DjangoModelFactory):
    class Meta:
        model = models.FinanceAgreement

    enterprise = factory.SubFactory(EnterpriseFactory, county=factory.SelfAttribute("..county"))
    household = factory.SubFactory(HouseholdFactory)
    county = factory.SelfAttribute("household.county")
    model = "equity_dividend"
    funds = "50000.00"
    signed_on = datetime.date(2017, 6, 1)


class DividendPaymentFactory(DjangoModelFactory):
    class Meta:
        model = models.DividendPayment

    agreement = factory.SubFactory(FinanceAgreementFactory)
    county = factory.SelfAttribute("agreement.county")
    year = 2018
    amount = "2000.00"
    paid_on = datetime.date(2018, 12, 20)


class EmploymentFactory(DjangoModelFactory):
    class Meta:
        model = models.Employment

    member = factory.SubFactory(MemberFactory)
    county = factory.SelfAttribute("member.county")
    enterprise = factory.SubFactory(EnterpriseFactory, county=factory.SelfAttribute("..county"))
    started_on = datetime.date(2018, 3, 1)
    monthly_wage = "2500.00"
    is_stable = True


class VolunteerEventFactory(DjangoModelFactory):
    class Meta:
        model = models.VolunteerEvent

    team = factory.SubFactory(VolunteerTeamFactory)
    county = factory.SelfAttribute("team.county")
    held_on = datetime.date(2018, 7, 1)
    title = factory.Sequence(lambda n: f"扶贫政策宣讲{n}")
    kind = "policy_talk"
    beneficiaries = 50


class MaterialAidFactory(DjangoModelFactory):
    class Meta:
        model = models.MaterialAid

    household = factory.SubFactory(HouseholdFactory)
    county = factory.SelfAttribute("household.county")
    given_on = datetime.date(2018, 2, 1)
    kind = "visit"
    labor_model = factory.SubFactory(LaborModelFactory, county=factory.SelfAttribute("..county"))
    description = "春节走访慰问"
    value = "500.00"


class ReviewEventFactory(DjangoModelFactory):
    class Meta:
        model = models.ReviewEvent

    record = factory.SubFactory(HouseholdFactory)
    county = factory.SelfAttribute("record.county")
    action = "submitted"
    user = factory.SubFactory(UserFactory, county=factory.SelfAttribute("..county"))


class HouseholdEventFactory(DjangoModelFactory):
    class Meta:
        model = models.HouseholdEvent

    household = factory.SubFactory(HouseholdFactory)
    kind = "exited"
    on = datetime.date(2018, 6, 1)


class RevealLogFactory(DjangoModelFactory):
    class Meta:
        model = models.RevealLog

    county = factory.SubFactory(CountyFactory)
    user = factory.SubFactory(UserFactory, county=factory.SelfAttribute("..county"))
    content_type = factory.LazyFunction(
        lambda: ContentType.objects.get_for_model(models.Member)
    )
    object_id = factory.Sequence(lambda n: n + 1)
    field_name = "id_number"


class TransferRequestFactory(DjangoModelFactory):
    class Meta:
        model = models.TransferRequest

    county = factory.SubFactory(CountyFactory)
    requested_by = factory.SubFactory(UserFactory, county=factory.SelfAttribute("..county"))
    kind = models.TransferRequest.Kind.MEMBER
    field_name = "id_number"
    number_digest = factory.LazyFunction(lambda: resident_id_digest(next_resident_id()))
    note = "已迁入本县"


class ExportLogFactory(DjangoModelFactory):
    class Meta:
        model = models.ExportLog

    user = factory.SubFactory(UserFactory)
    list_name = "cases:household_list"
    path = "/households/"
    query = "export=csv"
    file_format = "csv"
    row_count = 3
    completed = True


class ExportJobFactory(DjangoModelFactory):
    class Meta:
        model = models.ExportJob

    log = factory.SubFactory(ExportLogFactory)
    file_name = "贫困户-20261202.csv"
    status = models.ExportJob.Status.DONE
    estimated_rows = 30000
    rows_written = 30000


class HouseholdVisitFactory(DjangoModelFactory):
    class Meta:
        model = models.HouseholdVisit

    household = factory.SubFactory(HouseholdFactory)
    county = factory.SelfAttribute("household.county")
    visited_on = datetime.date(2018, 3, 5)
    labor_model = factory.SubFactory(LaborModelFactory, county=factory.SelfAttribute("..county"))
    visitors = "帮扶责任人"
    findings = "查看了大棚,询问了孩子上学情况"
    needs = "希望安排技术培训"


def stored_attachment(record, user, name="visit.png"):
    """An evidence photo stored on ``record`` through the service, as an upload would."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from evidence.files import check_upload
    from evidence.services import attachments_add

    image = Image.new("RGB", (64, 48), "green")
    buffer = io.BytesIO()
    image.save(buffer, "PNG")
    checked = check_upload(SimpleUploadedFile(name, buffer.getvalue()))
    return attachments_add(record=record, checked_files=[checked], user=user)[0]


def make_attachment():
    """A stored evidence photo of a new household, uploaded by that county's staff."""
    household = HouseholdFactory()
    return stored_attachment(household, UserFactory(county=household.county))


def make_attachment_download():
    from evidence.models import AttachmentDownload

    attachment = make_attachment()
    return AttachmentDownload.objects.create(
        user=attachment.uploaded_by, attachment=attachment,
        household=attachment.household, county=attachment.county,
    )
