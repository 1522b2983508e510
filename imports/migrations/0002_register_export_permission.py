"""County staff may export their county's full register (imports.export_register): the file
carries complete ID numbers and phones so that it can be imported back. City reviewers and
administrators do not get it. Permissions are created first, as in accounts 0003, so a fresh
database gets the complete group in one `migrate`.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

COUNTY_STAFF_GROUP = "县区总工会工作人员"
CODENAMES = ["export_register"]


def grant(apps, schema_editor):
    app_config = apps.get_app_config("imports")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=COUNTY_STAFF_GROUP)
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label="imports", codename__in=CODENAMES)
    )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=COUNTY_STAFF_GROUP).first()
    if group is not None:
        group.permissions.remove(
            *Permission.objects.filter(content_type__app_label="imports", codename__in=CODENAMES)
        )


class Migration(migrations.Migration):
    dependencies = [
        ("imports", "0001_import_runs"),
        ("accounts", "0003_role_groups"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
