"""``manage.py generate_data --households N``: synthetic data at any size (demo/synthetic.py)."""

import time

from django.core.management.base import BaseCommand, CommandError

from cases.models import Household
from demo import synthetic


class Command(BaseCommand):
    help = (
        "Generate a synthetic data set scaled from the number of households: counties (about "
        f"{synthetic.HOUSEHOLDS_PER_COUNTY:,} households each), townships, villages, unions, "
        "labor models (5 per 100 households), collectives, enterprises, volunteer teams, "
        "households with about 3 members each (valid ID numbers), pairings and every kind of "
        "assistance over 2016-2020 (about 5 records per household), with mixed review "
        "statuses. Uses COPY on PostgreSQL. Refuses a database that already holds households "
        "unless --append is given (then it adds new counties). No change history is written "
        "for the generated rows."
    )

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, required=True)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument(
            "--counties", type=int, default=None,
            help="number of new counties (default: one per "
            f"{synthetic.HOUSEHOLDS_PER_COUNTY:,} households, at least 3)",
        )
        parser.add_argument(
            "--append", action="store_true",
            help="add to a database that already has households (in new counties)",
        )

    def handle(self, *args, households, seed, counties, append, **options):
        if households < 1:
            raise CommandError("--households must be at least 1")
        if Household.objects.exists() and not append:
            raise CommandError(
                "the database already holds households; use an empty database or --append"
            )
        started = time.monotonic()
        generator = synthetic.Generator(
            households, seed=seed, counties=counties,
            log=lambda line: self.stdout.write(line) if options["verbosity"] > 1 else None,
        )
        counts = generator.run()
        self.stdout.write(self.style.SUCCESS(
            f"Generated {sum(counts.values()):,} rows in {time.monotonic() - started:.1f} s:"
        ))
        for label, count in counts.items():
            self.stdout.write(f"  {label}: {count:,}")
