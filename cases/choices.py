"""Coded values of the programme and of the national 建档立卡 register."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("待审核")
    APPROVED = "approved", _("已审核")
    RETURNED = "returned", _("已退回")


class UnionLevel(models.TextChoices):
    CITY = "city", _("市总工会")
    COUNTY = "county", _("县区总工会")


class Sex(models.TextChoices):
    MALE = "M", _("男")
    FEMALE = "F", _("女")


class HonourLevel(models.TextChoices):
    NATIONAL = "national", _("国家级")
    PROVINCIAL = "provincial", _("省级")
    CITY = "city", _("市级")
    COUNTY = "county", _("县区级")


class HonourTitle(models.TextChoices):
    LABOR_MODEL = "labor_model", _("劳动模范")
    ADVANCED_WORKER = "advanced_worker", _("先进工作者")
    MAY_DAY_MEDAL = "may_day_medal", _("五一劳动奖章")


class CollectiveHonour(models.TextChoices):
    WORKER_PIONEER = "worker_pioneer", _("工人先锋号")
    MAY_DAY_AWARD = "may_day_award", _("五一劳动奖状")


class EnterpriseKind(models.TextChoices):
    ENTERPRISE = "enterprise", _("劳模企业")
    COOPERATIVE = "cooperative", _("专业合作社")


class TeamField(models.TextChoices):
    EDUCATION = "education", _("教育")
    AGRICULTURE = "agriculture", _("农业")
    MEDICAL = "medical", _("医疗")
    INDUSTRY = "industry", _("产业")
    POLICY = "policy", _("政策宣讲")


class HouseholdAttribute(models.TextChoices):
    GENERAL = "general", _("一般贫困户")
    MINIMUM_LIVING = "minimum_living", _("低保贫困户")
    EXTREME_POOR = "extreme_poor", _("特困供养贫困户")
    MINIMUM_LIVING_EXTREME = "minimum_living_extreme", _("低保特困供养贫困户")


class IdentificationStandard(models.TextChoices):
    NATIONAL = "national", _("国家标准")
    PROVINCIAL = "provincial", _("省定标准")
    CITY = "city", _("市定标准")


class PovertyStatus(models.TextChoices):
    NOT_EXITED = "not_exited", _("未脱贫")
    EXITED = "exited", _("已脱贫")
    RETURNED = "returned", _("返贫")


class MonitoringType(models.TextChoices):
    UNSTABLE = "unstable", _("脱贫不稳定户")
    MARGINAL = "marginal", _("边缘易致贫户")
    SUDDEN_HARDSHIP = "sudden_hardship", _("突发严重困难户")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    SON = "son", _("之子")
    DAUGHTER = "daughter", _("之女")
    DAUGHTER_IN_LAW = "daughter_in_law", _("之儿媳")
    SON_IN_LAW = "son_in_law", _("之女婿")
    GRANDSON = "grandson", _("之孙子")
    GRANDDAUGHTER = "granddaughter", _("之孙女")
    FATHER = "father", _("之父")
    MOTHER = "mother", _("之母")
    OTHER = "other", _("其他")


class Education(models.TextChoices):
    ILLITERATE = "illiterate", _("文盲或半文盲")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    COLLEGE = "college", _("大专")
    BACHELOR_OR_ABOVE = "bachelor", _("本科及以上")


class SchoolStatus(models.TextChoices):
    """在校生状况 as the national register codes it."""

    NOT_IN_SCHOOL = "not_in_school", _("非在校生")
    PRESCHOOL = "preschool", _("学前教育")
    PRIMARY = "primary", _("小学")
    GRADE_7 = "grade_7", _("七年级")
    GRADE_8 = "grade_8", _("八年级")
    GRADE_9 = "grade_9", _("九年级")
    SENIOR_1 = "senior_1", _("高中一年级")
    SENIOR_2 = "senior_2", _("高中二年级")
    SENIOR_3 = "senior_3", _("高中三年级")
    VOCATIONAL_1 = "vocational_1", _("中职一年级")
    VOCATIONAL_2 = "vocational_2", _("中职二年级")
    VOCATIONAL_3 = "vocational_3", _("中职三年级")
    HIGHER_VOCATIONAL_1 = "higher_vocational_1", _("高职一年级")
    HIGHER_VOCATIONAL_2 = "higher_vocational_2", _("高职二年级")
    HIGHER_VOCATIONAL_3 = "higher_vocational_3", _("高职三年级")
    COLLEGE = "college", _("大专及以上")


class Health(models.TextChoices):
    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("长期慢性病")
    SERIOUS_ILLNESS = "serious_illness", _("患有大病")
    DISABLED = "disabled", _("残疾")


class LabourAbility(models.TextChoices):
    ORDINARY = "ordinary", _("普通劳动力")
    SKILLED = "skilled", _("技能劳动力")
    WEAK = "weak", _("弱劳动力或半劳动力")
    LOST = "lost", _("丧失劳动力")
    NONE = "none", _("无劳动力")


class WorkStatus(models.TextChoices):
    TOWNSHIP = "township", _("乡内务工")
    COUNTY = "county", _("县内务工")
    PROVINCE = "province", _("省内务工")
    OUT_OF_PROVINCE = "out_of_province", _("省外务工")
    NOT_WORKING = "not_working", _("未务工")


class PairingMode(models.TextChoices):
    TECHNICAL = "technical", _("技术扶贫")
    INDUSTRY = "industry", _("产业扶贫")
    PROJECT = "project", _("项目扶贫")
    EMPLOYMENT = "employment", _("就业扶贫")
    ONE_TO_ONE = "one_to_one", _("结对扶贫")
    ASPIRATION = "aspiration", _("智力扶贫")
    COLLECTIVE = "collective", _("先进集体扶贫")


class FinanceModel(models.TextChoices):
    EQUITY_DIVIDEND = "equity_dividend", _("入股分红")
    LAND_TRANSFER = "land_transfer", _("土地流转")
    MICROCREDIT = "microcredit", _("小额信贷")
    CUSTODY = "custody", _("生产托管")


class VolunteerEventKind(models.TextChoices):
    POLICY_TALK = "policy_talk", _("政策宣讲")
    CAMPAIGN = "campaign", _("宣传活动")
    SERVICE = "service", _("志愿服务")


class AidKind(models.TextChoices):
    VISIT = "visit", _("走访慰问")
    MATERIAL = "material", _("物资帮扶")
    CHARITY_SHOP = "charity_shop", _("爱心公益超市积分")
    CASH = "cash", _("资金救助")
