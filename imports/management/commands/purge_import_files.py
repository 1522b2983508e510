"""Delete uploaded import files IMPORT_FILE_DAYS after their run ended (they hold whole ID
numbers), and mark runs lost by a stopped worker or a timed-out request as failed. Run hourly
with purge_expired_exports (deploy/reliefportal-purge-exports.service)."""

from django.core.management.base import BaseCommand

from imports.services import import_files_purge, import_runs_fail_lost


class Command(BaseCommand):
    help = "Delete expired uploaded import files and mark lost import runs failed."

    def handle(self, *args, **options):
        lost = import_runs_fail_lost()
        deleted = import_files_purge()
        self.stdout.write(f"{lost} lost import run(s) marked failed, {deleted} file(s) deleted")
