"""The tests that read the demo (manage.py seed_demo): it is loaded once, for this package.

Loading it takes most of a minute, so it is not loaded per test or per module: the ``demo``
fixture loads it when the first test of the package starts, inside a transaction that is
rolled back after the last one. Each test runs in a savepoint of its own (pytest-django's
``db``, Django's TestCase), so what one test changes no other test sees. Under pytest-xdist the
package goes to one worker (tests/conftest.py, pytest_xdist_make_scheduler), which loads it.
Live-server browser tests cannot see uncommitted rows and load the demo themselves.
"""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, transaction


@pytest.fixture(scope="package", autouse=True)
def demo(django_db_setup, django_db_blocker):
    """The demo, loaded once for the package; what seed_demo printed (the accounts)."""
    out = StringIO()
    loaded = transaction.atomic()
    with django_db_blocker.unblock():
        loaded.__enter__()
        call_command("seed_demo", stdout=out)
        # The load's deferred foreign keys, checked once here: left to each test's teardown,
        # PostgreSQL would check all of them again after every test.
        connection.check_constraints()
    yield out.getvalue()
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        loaded.__exit__(None, None, None)
