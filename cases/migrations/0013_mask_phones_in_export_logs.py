"""Masks the whole phone numbers that export logs kept from search boxes before the logs
masked them (cases.privacy.masked_query), as the pages show them: 130****9926."""

import re

from django.db import migrations

# As cases.privacy.FULL_PHONE when this migration was written.
FULL_PHONE = re.compile(r"(?<![\d-])(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?![\d-])")


def _mask(match):
    value = match[0]
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def mask_phones_in_export_logs(apps, schema_editor):
    ExportLog = apps.get_model("cases", "ExportLog")
    for log in ExportLog.objects.filter(query__regex=r"[0-9]{7}").only("pk", "query").iterator():
        masked = FULL_PHONE.sub(_mask, log.query)
        if masked != log.query:
            ExportLog.objects.filter(pk=log.pk).update(query=masked)


class Migration(migrations.Migration):
    dependencies = [("cases", "0012_export_job_failure")]

    operations = [
        migrations.RunPython(mask_phones_in_export_logs, migrations.RunPython.noop, elidable=True),
    ]
