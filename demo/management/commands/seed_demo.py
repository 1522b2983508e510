"""``manage.py seed_demo``: load the Zhumadian demo (see demo/zhumadian.py)."""

import time

from django.core.management.base import BaseCommand, CommandError

from demo import zhumadian


class Command(BaseCommand):
    help = (
        "Load the Zhumadian demo into an empty database: the ten counties with their unions, "
        "townships and villages; labor models, collectives, enterprises and co-ops, volunteer "
        "teams; some 16,000 households and all assistance records up to December 2020, whose "
        "figures on 2018-08-31 are exactly those of the Zhumadian Daily article of that day; "
        "and the demo accounts (admin, city, and one county staff account per county, e.g. "
        f"runan), all with the password {zhumadian.DEMO_PASSWORD!r}. Every demo row gets a "
        "'created' history entry. Takes well under a minute on SQLite. "
        "Running it again changes nothing: when the demo is already there (the city union "
        f"{zhumadian.CITY_UNION_NAME} exists) it says 'demo data already loaded', re-creates only "
        "demo accounts that were deleted, and prints the accounts again (the password shown is "
        "the demo's, unless someone changed it since). A database that holds other case "
        "records but no demo is refused. The data is the same on every run (fixed seed)."
    )

    def handle(self, *args, **options):
        started = time.monotonic()
        try:
            created, users = zhumadian.load_demo()
        except zhumadian.DemoDataError as error:
            raise CommandError(str(error)) from error
        if created is None:
            self.stdout.write("demo data already loaded")
        else:
            self.stdout.write(self.style.SUCCESS(
                f"Demo data loaded in {time.monotonic() - started:.1f} s "
                f"({sum(created.values()):,} rows):"
            ))
            for kind, count in created.items():
                self.stdout.write(f"  {kind}: {count:,}")
        self.write_accounts(users)

    def write_accounts(self, users):
        rows = [("username", "role", "county", "password")] + [
            (user.username, str(user.get_role_display()), user.county.name if user.county else "-",
             zhumadian.DEMO_PASSWORD)
            for user in users
        ]
        widths = [max(self.width(row[i]) for row in rows) for i in range(4)]
        self.stdout.write("\nDemo accounts:")
        for row in rows:
            cells = [cell + " " * (width - self.width(cell))
                     for cell, width in zip(row, widths, strict=True)]
            self.stdout.write("  ".join(cells).rstrip())

    @staticmethod
    def width(text):
        """Display width: CJK characters take two columns."""
        return sum(2 if ord(char) > 0x2E7F else 1 for char in text)
