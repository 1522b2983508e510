from django.db import migrations

POVERTY_CAUSES = [
    ("illness", "因病"),
    ("disability", "因残"),
    ("schooling", "因学"),
    ("disaster", "因灾"),
    ("lack_of_land", "缺土地"),
    ("lack_of_water", "缺水"),
    ("lack_of_skills", "缺技术"),
    ("lack_of_labour", "缺劳力"),
    ("lack_of_funds", "缺资金"),
    ("poor_transport", "交通条件落后"),
    ("lack_of_drive", "自身发展动力不足"),
    ("other", "其他"),
]

EXPERTISE_FIELDS = [
    ("planting_breeding", "种植养殖"),
    ("processing", "农产品加工"),
    ("tourism", "旅游开发"),
    ("e_commerce", "农村电商"),
    ("investment", "项目投资"),
    ("industry", "产业发展"),
    ("trade_services", "流通服务"),
]


def add_reference_data(apps, schema_editor):
    PovertyCause = apps.get_model("cases", "PovertyCause")
    ExpertiseField = apps.get_model("cases", "ExpertiseField")
    for code, name in POVERTY_CAUSES:
        PovertyCause.objects.update_or_create(code=code, defaults={"name": name})
    for code, name in EXPERTISE_FIELDS:
        ExpertiseField.objects.update_or_create(code=code, defaults={"name": name})


class Migration(migrations.Migration):
    dependencies = [("cases", "0001_initial")]

    operations = [migrations.RunPython(add_reference_data, migrations.RunPython.noop)]
