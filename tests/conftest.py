import pytest

from accounts.models import Role
from tests.factories import CountyFactory, UserFactory


@pytest.fixture
def county_a(db):
    return CountyFactory(code="411727", name="汝南县")


@pytest.fixture
def county_b(db):
    return CountyFactory(code="411724", name="正阳县")


@pytest.fixture
def county_a_clerk(county_a):
    return UserFactory(username="clerk_a", county=county_a)


@pytest.fixture
def county_b_clerk(county_b):
    return UserFactory(username="clerk_b", county=county_b)


@pytest.fixture
def city_reviewer(db):
    return UserFactory(username="reviewer", role=Role.CITY_REVIEWER, county=None)


@pytest.fixture
def administrator(db):
    return UserFactory(username="administrator", role=Role.ADMINISTRATOR, county=None)


@pytest.fixture
def no_role_user(db):
    return UserFactory(username="nobody", role="", county=None)
