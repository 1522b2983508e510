"""Give the role groups their permissions on the yearly targets (cases.IndicatorTarget).

City reviewers set targets (add, change, view); county staff read their own county's targets
(view; the pages scope them to their county); administrators get every permission, as they have
on every other model. Permissions are created first, as in 0003, so a fresh database gets
complete groups in one `migrate`.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_PERMISSIONS = {
    "县区总工会工作人员": ["view_indicatortarget"],
    "市总工会审核人员": [
        "add_indicatortarget", "change_indicatortarget", "view_indicatortarget",
    ],
    "系统管理员": [
        "add_indicatortarget", "change_indicatortarget", "delete_indicatortarget",
        "view_indicatortarget",
        "add_historicalindicatortarget", "change_historicalindicatortarget",
        "delete_historicalindicatortarget", "view_historicalindicatortarget",
    ],
}


def grant(apps, schema_editor):
    app_config = apps.get_app_config("cases")
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="cases", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in GROUP_PERMISSIONS.items():
        group = Group.objects.filter(name=name).first()
        if group is not None:
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label="cases", codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0003_role_groups"),
        ("cases", "0005_indicator_targets"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
