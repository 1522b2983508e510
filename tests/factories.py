import datetime
import itertools

import factory
from factory.django import DjangoModelFactory

from accounts.models import Role, User
from cases import models
from cases.choices import HonourLevel, HonourTitle, PairingMode, Relation
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


def poverty_cause(code="illness"):
    return models.PovertyCause.objects.get(code=code)


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
