"""Prove that every row's stored county is its owner's: a member's is its household's, a job's
its member's, a dividend's its agreement's, a review event's its record's, ... Lists the
disagreeing rows of each relation and exits with an error if there are any; CI runs it on the
demo and on generated data."""

from django.core.management.base import BaseCommand, CommandError

from cases.counties import county_mismatches

SHOWN_PER_RELATION = 10


class Command(BaseCommand):
    help = "Check that no row's stored county disagrees with the county of the row it belongs to."

    def handle(self, *args, **options):
        total = 0
        for label, rows in county_mismatches().items():
            count = rows.count()
            if options["verbosity"] > 1:
                self.stdout.write(f"{label}: {count}")
            if not count:
                continue
            total += count
            ids = list(rows.order_by("pk").values_list("pk", flat=True)[:SHOWN_PER_RELATION])
            self.stderr.write(
                f"{label}: {count} row(s) in another county than their owner, e.g. ids {ids}"
            )
        if total:
            raise CommandError(f"{total} row(s) disagree with their owner's county")
        self.stdout.write("Every row's county agrees with its owner's.")
