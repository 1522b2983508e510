"""Delete the files of background exports older than EXPORT_FILE_HOURS (they hold personal
data), and mark jobs lost by a stopped worker as failed. Each new background export does the
same; run this hourly as well (deploy/reliefportal-purge-exports.timer), so that files go on
time on days when nobody exports."""

from django.core.management.base import BaseCommand

from cases.export_jobs import purge_expired_exports


class Command(BaseCommand):
    help = "Delete expired background export files."

    def handle(self, *args, **options):
        count = purge_expired_exports()
        self.stdout.write(f"{count} expired export file(s) deleted")
