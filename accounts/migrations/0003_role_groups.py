"""Create one group per role, holding that role's permissions.

Permissions are normally created after all migrations ran (post_migrate); they are created here
first so that a fresh database gets complete groups in one `migrate`.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

# Rows that county staff keep for their own county. Households and members are archived,
# never deleted, so staff get no delete permission on anything.
COUNTY_RECORD_MODELS = [
    "labormodel", "advancedcollective", "enterprise", "volunteerteam",
    "household", "member", "pairing",
    "trainingsession", "trainingattendance", "industryproject", "projectbeneficiary",
    "workshop", "financeagreement", "dividendpayment", "employment", "volunteerevent",
    "materialaid",
]
REFERENCE_MODELS = [
    "county", "township", "village", "unionbody", "povertycause", "expertisefield",
]

GROUP_PERMISSIONS = {
    "县区总工会工作人员": [
        *(f"{action}_{model}" for model in COUNTY_RECORD_MODELS for action in ("add", "change", "view")),
        *(f"view_{model}" for model in REFERENCE_MODELS),
        "add_township", "add_village", "change_village",
    ],
    "市总工会审核人员": [
        f"view_{model}" for model in COUNTY_RECORD_MODELS + REFERENCE_MODELS
    ],
}


def create_role_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    case_permissions = Permission.objects.filter(content_type__app_label="cases")
    for name, codenames in GROUP_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.set(case_permissions.filter(codename__in=codenames))

    administrators, _ = Group.objects.get_or_create(name="系统管理员")
    administrators.permissions.set(
        Permission.objects.filter(content_type__app_label__in=["cases", "accounts", "auth", "axes"])
    )


def remove_role_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(
        name__in=[*GROUP_PERMISSIONS, "系统管理员"]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_initial"),
        ("cases", "0002_reference_data"),
        ("axes", "__latest__"),
    ]

    operations = [migrations.RunPython(create_role_groups, remove_role_groups)]
