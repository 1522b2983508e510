"""Labor models, advanced collectives and labor-model enterprises / cooperatives."""

from django.utils.translation import gettext_lazy

from cases.models import AdvancedCollective, Enterprise, ExpertiseField, LaborModel
from imports import keys
from imports.columns import BooleanColumn, ChoiceColumn, CodeColumn, Column, NumberColumn
from imports.kinds.flat import (
    ByNameInCounty,
    FlatKind,
    M2MColumn,
    RefColumn,
    county_column,
    labor_models_by_id_number,
)


class LaborModelKind(FlatKind):
    slug = "labor-models"
    label = gettext_lazy("劳模")
    description = gettext_lazy(
        "每行一名劳模,按身份证号匹配:已登记的更新,没有的新增,完全相同的不作改动。"
        "导入时身份证号必填。"
    )
    model = LaborModel
    key_fields = ("id_number",)
    list_url = "cases:labormodel_list"
    columns = [
        county_column(),
        Column(gettext_lazy("姓名"), "name", example="张志强"),
        CodeColumn(
            gettext_lazy("身份证号"), "id_number", required=True, numbers_lose_digits=True,
            example="41172719700505003X",
            help_text=gettext_lazy("18位,末位可为X;请把该列设为文本格式。再次导入时按身份证号更新。"),
        ),
        ChoiceColumn(gettext_lazy("性别"), "sex", example="男"),
        CodeColumn(gettext_lazy("联系电话"), "phone", example="13912345678"),
        ChoiceColumn(gettext_lazy("荣誉级别"), "honour_level", example="市级"),
        ChoiceColumn(gettext_lazy("荣誉称号"), "honour_title", example="劳动模范"),
        NumberColumn(gettext_lazy("授予年份"), "year_awarded", integer=True, example="2015"),
        Column(gettext_lazy("工作单位"), "employer", example="汝南县农业合作社"),
        BooleanColumn(gettext_lazy("在职"), "in_service", example="是"),
        BooleanColumn(gettext_lazy("在本地"), "is_local", example="是"),
        M2MColumn(
            gettext_lazy("专长领域"), "expertise", example="种植养殖、农村电商",
            choices=lambda: ExpertiseField.objects.all(),
            help_text=gettext_lazy("可填多个,用顿号(、)或逗号分隔。"),
        ),
    ]

    def find_existing(self, user, keys_in_chunk):
        found = keys.by_id_number(LaborModel.objects.all(), [key[0] for key in keys_in_chunk])
        return {(value,): row for value, row in found.items()}


class AdvancedCollectiveKind(ByNameInCounty, FlatKind):
    slug = "collectives"
    label = gettext_lazy("先进集体")
    description = gettext_lazy(
        "每行一个先进集体,按本县区内的名称匹配:已登记的更新,没有的新增,完全相同的不作改动。"
    )
    model = AdvancedCollective
    list_url = "cases:advancedcollective_list"
    columns = [
        county_column(),
        Column(gettext_lazy("名称"), "name", example="汝南县供电公司工人先锋号"),
        ChoiceColumn(gettext_lazy("荣誉称号"), "honour", example="工人先锋号"),
        NumberColumn(gettext_lazy("授予年份"), "year_awarded", integer=True, example="2016"),
        Column(gettext_lazy("联系人"), "contact_person", example="王红"),
        CodeColumn(gettext_lazy("联系电话"), "phone", example="0396-1234567"),
    ]


class EnterpriseKind(ByNameInCounty, FlatKind):
    slug = "enterprises"
    label = gettext_lazy("劳模企业/合作社")
    description = gettext_lazy(
        "每行一个劳模企业或专业合作社,按本县区内的名称匹配:已登记的更新,没有的新增,"
        "完全相同的不作改动。领办劳模按身份证号查找,须是本县区已登记的劳模。"
    )
    model = Enterprise
    unique_fields = ("credit_code",)
    list_url = "cases:enterprise_list"
    columns = [
        county_column(),
        Column(gettext_lazy("名称"), "name", example="汝南县丰收种植专业合作社"),
        ChoiceColumn(gettext_lazy("类型"), "kind", example="专业合作社"),
        RefColumn(
            gettext_lazy("领办劳模身份证号"), "leader", required=False, code=True,
            find=labor_models_by_id_number, example="41172719700505003X",
            describe=gettext_lazy("本县区没有身份证号为“%(value)s”的劳模,请先导入或登记该劳模。"),
            help_text=gettext_lazy("可不填;填写时须是本县区已登记的劳模。"),
        ),
        CodeColumn(gettext_lazy("统一社会信用代码"), "credit_code", example=""),
        Column(gettext_lazy("地址"), "address", example="汝南县老君庙镇"),
        CodeColumn(gettext_lazy("联系电话"), "phone", example=""),
    ]
