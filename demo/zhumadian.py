"""The Zhumadian demo: ten counties, their unions, and a programme's worth of case records whose
figures on 2018-08-31 are exactly those of the Zhumadian Daily article of that day.

A figure is read "as of" a day D like this (the product's definitions, see domain.md): only rows
whose review status is "approved" count; archived households, and the members of archived
households, do not count; a person or household is counted once however many records they
have; "of them exited" means the household's status is 已脱贫 with an exit date on or after the
day that person's help began (first training, earliest project benefit, earliest collective
job) and not after D.

The data also holds what makes those definitions matter: records after D (up to December 2020),
drafts, submissions and returned records, households that exited before their help began,
households that returned to poverty (返贫), archived households, people trained twice, ended
pairings, ended and unstable jobs.

Everything is deterministic (a fixed random seed). Rows are bulk-inserted (``bulk_create``
bypasses ``save()``, so every row gets its county, and members their sex and birth date, here),
and every demo row of a model with history gets its "created" history entry, copied by the
database (see ``add_created_history``). ``load_demo`` is the entry point; the seed_demo command
calls it.
"""

import bisect
import datetime
import gc
import random
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import accumulate

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Role, User
from cases import models as m
from cases.choices import (
    AidKind,
    CollectiveHonour,
    Education,
    EnterpriseKind,
    FinanceModel,
    Health,
    HonourLevel,
    HonourTitle,
    HouseholdAttribute,
    IdentificationStandard,
    LabourAbility,
    MonitoringType,
    PairingMode,
    PovertyStatus,
    Relation,
    ReviewStatus,
    Sex,
    TeamField,
    UnionLevel,
    VolunteerEventKind,
    WorkStatus,
)
from cases.kinds import REVIEWED_MODELS
from cases.standing import standing_changes
from cases.validators import birth_date_from_id, build_resident_id, sex_from_id
from demo.article import (
    DAY,
    FIGURES,
    NAMED_AGREEMENT_HOUSEHOLDS,
    ROUNDED,
    RUNAN_TOOK_UP_PLANTING,
    RUNAN_TRAINED_HOUSEHOLDS,
)

date = datetime.date
APPROVED = ReviewStatus.APPROVED

# --- When -----------------------------------------------------------------------------------
AS_OF = DAY  # the article's day
HELP_BEGINS = date(2016, 1, 4)  # first pairings, trainings, jobs and projects of the demo
DATA_END = date(2020, 12, 18)  # the demo's "today": the last records are still being reviewed
SEED = 20180831

# Each year's dividends are paid to thousands of households at once and entered in batches,
# mostly approved as they come: few wait for review at the demo's end (out of ten).
DIVIDENDS_IN_REVIEW = (0.1, 0.05)

# The time the demo's review trail ends (its "now"): the last records wait for review then.
DEMO_NOW = timezone.make_aware(datetime.datetime(2020, 12, 18, 17, 30))
RETURN_COMMENTS = (
    "缺少帮扶协议签字页,请补充后重新提交。",
    "金额与协议不符,请核对后修改。",
    "受益人身份证号与户籍信息不一致,请核实。",
    "日期晚于实际发放日期,请更正。",
    "请补充走访照片及签字记录。",
    "培训签到表人数与填报人数不符,请核对。",
)
# The city's yearly targets (whole city; each county gets its share of households).
TARGET_YEARS = (2017, 2018, 2019)
CITY_TARGETS = {
    "training_sessions": 120,
    "people_trained": 11_000,
    "workshops": 70,
    "finance_households": 3_200,
    "stable_employed": 8_500,
    "volunteer_events": 140,
}

DEMO_PASSWORD = "relief-demo-2018"
CITY_UNION_NAME = "驻马店市总工会"
CHANGE_REASON = "演示数据"

# --- The article's figures on AS_OF (demo/article.py) -------------------------------------
LABOR_MODELS_BY_LEVEL = {
    HonourLevel.NATIONAL: FIGURES["labor_models_national"],
    HonourLevel.PROVINCIAL: FIGURES["labor_models_provincial"],
    HonourLevel.CITY: FIGURES["labor_models_city"],
    HonourLevel.COUNTY: FIGURES["labor_models_county"],
}
# In service and living locally, 1,950 in all; the split by level is the demo's own.
IN_SERVICE_LOCAL_BY_LEVEL = {
    HonourLevel.NATIONAL: 36,
    HonourLevel.PROVINCIAL: 262,
    HonourLevel.CITY: 812,
    HonourLevel.COUNTY: 840,
}
PARTICIPATING_LABOR_MODELS = ROUNDED["labor_models_participating"]
TRAINING_SESSIONS = FIGURES["training_sessions"]
PEOPLE_TRAINED = FIGURES["people_trained"]
TRAINED_AND_EXITED = FIGURES["people_trained_exited"]
ENTERPRISE_PROJECTS = FIGURES["enterprise_projects"]
ENTERPRISE_PROJECT_FUNDS = FIGURES["enterprise_project_funds"]
WORKSHOPS = FIGURES["workshops"]
PROJECT_BENEFICIARIES = FIGURES["project_beneficiaries"]
PROJECT_BENEFICIARIES_EXITED = FIGURES["project_beneficiaries_exited"]
FINANCE_ENTERPRISES = FIGURES["finance_enterprises"]
FINANCE_HOUSEHOLDS = FIGURES["finance_households"]
FINANCE_FUNDS = FIGURES["finance_funds"]
STABLY_EMPLOYED = FIGURES["stable_employed"]
VOLUNTEER_TEAMS = FIGURES["volunteer_teams"]
VOLUNTEER_EVENTS = FIGURES["volunteer_events"]
VOLUNTEER_BENEFICIARIES = ROUNDED["volunteer_beneficiaries"]
COLLECTIVES_TAKING_PART = FIGURES["collectives_participating"]
COLLECTIVE_PROJECTS = FIGURES["collective_projects"]
COLLECTIVE_PROJECT_FUNDS = FIGURES["collective_project_funds"]
COLLECTIVE_EMPLOYEES = FIGURES["collective_employed"]
COLLECTIVE_EMPLOYEES_EXITED = FIGURES["collective_employed_exited"]

# --- Distractors: people whose household exited before their help began ----------------------
EXITED_BEFORE_TRAINING = 600
EXITED_BEFORE_PROJECT = 260
EXITED_BEFORE_COLLECTIVE_JOB = 110
STABLE_COLLECTIVE_JOBS = 3_700  # collective employees also in stable employment on AS_OF
ARCHIVED_PER_COUNTY = 15  # households archived before AS_OF (merged or deregistered)
# The households that returned to poverty (返贫) were found in the spring review before AS_OF,
# so on AS_OF they are not exited (later, they would still count as exited on AS_OF).
RETURNED_ON = date(2018, 3, 15)
PENDING_PER_COUNTY = 20  # households identified in 2020, their registration still in review


@dataclass(frozen=True)
class CountySpec:
    code: str  # GB/T 2260
    name: str
    username: str  # the county staff account
    households: int  # registered households helped by the programme in the demo
    townships: tuple


COUNTIES = (
    CountySpec("411702", "驿城区", "yicheng", 950,
               ("水屯镇", "沙河店镇", "板桥镇", "诸市镇", "蚁蜂镇", "胡庙乡", "古城乡")),
    CountySpec("411721", "西平县", "xiping", 1300,
               ("五沟营镇", "权寨镇", "师灵镇", "出山镇", "盆尧镇", "二郎乡", "焦庄乡")),
    CountySpec("411722", "上蔡县", "shangcai", 1700,
               ("黄埠镇", "杨集镇", "洙湖镇", "党店镇", "朱里镇", "华陂镇", "塔桥镇")),
    CountySpec("411723", "平舆县", "pingyu", 1400,
               ("杨埠镇", "东和店镇", "庙湾镇", "射桥镇", "西洋店镇", "郭楼镇", "万金店镇")),
    CountySpec("411724", "正阳县", "zhengyang", 1900,
               ("真阳街道", "寒冻镇", "汝南埠镇", "铜钟镇", "陡沟镇", "熊寨镇", "大林镇")),
    CountySpec("411725", "确山县", "queshan", 1000,
               ("竹沟镇", "任店镇", "新安店镇", "刘店镇", "留庄镇", "瓦岗镇", "双河镇")),
    CountySpec("411726", "泌阳县", "biyang", 1350,
               ("羊册镇", "马谷田镇", "春水镇", "官庄镇", "赊湾镇", "郭集镇", "王店镇")),
    CountySpec("411727", "汝南县", "runan", 3200,
               ("梁祝镇", "老君庙镇", "留盆镇", "金铺镇", "东官庄镇", "常兴镇", "三桥镇")),
    CountySpec("411728", "遂平县", "suiping", 1000,
               ("玉山镇", "嵖岈山镇", "石寨铺镇", "和兴镇", "沈寨镇", "阳丰镇", "常庄镇")),
    CountySpec("411729", "新蔡县", "xincai", 1750,
               ("练村镇", "棠村镇", "韩集镇", "龙口镇", "黄楼镇", "孙召镇", "佛阁寺镇")),
)
YICHENG, XIPING, SHANGCAI, PINGYU, ZHENGYANG = "411702", "411721", "411722", "411723", "411724"
QUESHAN, BIYANG, RUNAN, SUIPING, XINCAI = "411725", "411726", "411727", "411728", "411729"
# Villages the article's stories need.
NAMED_VILLAGES = {(ZHENGYANG, "真阳街道"): ("乐堂村",)}

# --- Names ----------------------------------------------------------------------------------
SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高郭何马罗梁宋郑谢韩唐冯于董程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾"
    "丁魏薛叶阎余潘杜戴夏付汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷"
    "钱汤尹易常武乔贺龚文闫祁鲁"
)
SURNAME_CUM_WEIGHTS = tuple(accumulate(max(1.0, 30 - i * 0.6) for i in range(len(SURNAMES))))
MALE_CHARS = "建国军伟强明志勇刚磊涛斌杰超鹏华平辉林峰海新春东文德保全福庆永金山学成荣俊宏振长玉"
FEMALE_CHARS = "秀英兰芳玲丽娟霞梅敏静燕艳萍红华凤琴云莲珍桂玉芬翠慧婷雪晶丹彩爱荣花香巧"
HOUSEHOLD_ATTRIBUTES = tuple(HouseholdAttribute.values)
STANDARDS = tuple(IdentificationStandard.values)
HEALTH_STATES = tuple(Health.values)
EDUCATION_LEVELS = tuple(Education.values)
VILLAGE_PREFIXES = "东西南北前后大小新老上下"
VILLAGE_SUFFIXES = "庄楼湾店寨岗集营桥洼庙屯园坡沟铺堂台"

# Enterprises and co-ops the article names: (county, name, leader or None, roles). Roles:
# "finance" = signs finance agreements by AS_OF, "projects" = runs industry projects.
NAMED_ENTERPRISES = (
    (ZHENGYANG, "正阳县梅营红薯专业合作社", "叶启营", ("finance", "projects")),
    (BIYANG, "泌阳县夏南牛科技开发有限公司", "祁兴磊", ("finance", "projects")),
    (YICHENG, "驻马店市旭升牧业有限公司", "王线中", ("finance", "projects")),
    (PINGYU, "平舆县蓝天芝麻小镇", None, ("finance", "projects")),
    (SUIPING, "遂平县领鑫农业科技有限公司", None, ("finance", "projects")),
    (ZHENGYANG, "正阳县新爱食用菌专业合作社", "鲁新爱", ("finance",)),
    (XIPING, "河南豫坡酒业有限责任公司", None, ("finance",)),
    (YICHENG, "驿城区天中生态农业科技有限公司", None, ("finance",)),
    (BIYANG, "泌阳县丰盈制衣有限公司", None, ("projects",)),
    (XIPING, "西平县鼎力杆塔有限公司", None, ("projects",)),
    (YICHENG, "驿城区康茂工艺制品有限公司", None, ("projects",)),
    (BIYANG, "泌阳县真菌研究开发有限公司", None, ("projects",)),
    (XINCAI, "新蔡县麦佳食品有限公司", None, ("finance",)),
    (PINGYU, "平舆县华东休闲用品有限公司", None, ("finance",)),
    (QUESHAN, "确山县乐山旅游开发有限公司", None, ("finance",)),
    (ZHENGYANG, "正阳县君乐宝乳业有限公司", None, ("finance",)),
    (SUIPING, "遂平县名品彩叶苗木股份有限公司", None, ("finance",)),
)
LU_XINAI_COOP, YUPO, TIANZHONG = (
    "正阳县新爱食用菌专业合作社", "河南豫坡酒业有限责任公司", "驿城区天中生态农业科技有限公司",
)
FENGYING, DINGLI = "泌阳县丰盈制衣有限公司", "西平县鼎力杆塔有限公司"
# Finance agreements the article counts: households (NAMED_AGREEMENT_HOUSEHOLDS), and for 豫坡
# the funds, 1,800 万元.
FENGYING_WORKSHOPS, FENGYING_HIRES, DINGLI_WELDERS = 20, 96, 12

# Labor models the article names: name, county, sex, level, title, year, employer, local.
NAMED_LABOR_MODELS = (
    ("叶启营", ZHENGYANG, Sex.MALE, HonourLevel.NATIONAL, HonourTitle.LABOR_MODEL, 2015,
     "正阳县梅营红薯专业合作社", True),
    ("祁兴磊", BIYANG, Sex.MALE, HonourLevel.NATIONAL, HonourTitle.LABOR_MODEL, 2015,
     "泌阳县夏南牛科技开发有限公司", True),
    ("张全收", SHANGCAI, Sex.MALE, HonourLevel.NATIONAL, HonourTitle.LABOR_MODEL, 2005,
     "深圳全顺人力资源有限公司", False),
    ("王线中", YICHENG, Sex.MALE, HonourLevel.PROVINCIAL, HonourTitle.MAY_DAY_MEDAL, 2016,
     "驻马店市旭升牧业有限公司", True),
    ("鲁新爱", ZHENGYANG, Sex.FEMALE, HonourLevel.CITY, HonourTitle.LABOR_MODEL, 2016,
     "正阳县新爱食用菌专业合作社", True),
)

ENTERPRISE_WORDS = (
    "金穗", "绿源", "丰收", "宏达", "华丰", "兴农", "富民", "鑫源", "天瑞", "润丰", "康源",
    "瑞丰", "惠农", "益农", "沃野", "田园", "嘉禾", "永盛", "福源", "天中", "豫丰", "众诚",
)
ENTERPRISE_LINES = (
    ("红薯", "种植专业合作社"), ("花生", "种植专业合作社"), ("芝麻", "种植专业合作社"),
    ("食用菌", "种植专业合作社"), ("中药材", "种植专业合作社"), ("蔬菜", "种植专业合作社"),
    ("林果", "种植专业合作社"), ("肉牛", "养殖专业合作社"), ("生猪", "养殖专业合作社"),
    ("肉羊", "养殖专业合作社"), ("家禽", "养殖专业合作社"), ("小龙虾", "养殖专业合作社"),
    ("农业", "科技有限公司"), ("食品", "有限公司"), ("农业", "开发有限公司"),
    ("服饰", "有限公司"), ("苗木", "有限公司"), ("粮油", "购销有限公司"),
)
COLLECTIVE_UNITS = (
    ("国网{c}供电公司", CollectiveHonour.MAY_DAY_AWARD),
    ("{c}人民医院", CollectiveHonour.MAY_DAY_AWARD),
    ("{c}农村信用合作联社", CollectiveHonour.MAY_DAY_AWARD),
    ("{c}中医院内科", CollectiveHonour.WORKER_PIONEER),
    ("中国邮政储蓄银行{c}支行", CollectiveHonour.WORKER_PIONEER),
    ("{c}公路管理局养护一队", CollectiveHonour.WORKER_PIONEER),
    ("{c}农业技术推广中心", CollectiveHonour.WORKER_PIONEER),
    ("{c}第一高级中学", CollectiveHonour.MAY_DAY_AWARD),
    ("中国移动{c}分公司", CollectiveHonour.WORKER_PIONEER),
    ("{c}自来水公司", CollectiveHonour.WORKER_PIONEER),
    ("{c}产业集聚区管委会", CollectiveHonour.MAY_DAY_AWARD),
    ("{c}烟草专卖局", CollectiveHonour.WORKER_PIONEER),
    ("中国联通{c}分公司", CollectiveHonour.WORKER_PIONEER),
    ("{c}妇幼保健院", CollectiveHonour.WORKER_PIONEER),
    ("{c}第二人民医院", CollectiveHonour.MAY_DAY_AWARD),
    ("中国农业银行{c}支行", CollectiveHonour.WORKER_PIONEER),
    ("中国建设银行{c}支行", CollectiveHonour.WORKER_PIONEER),
    ("{c}公安局交通警察大队", CollectiveHonour.WORKER_PIONEER),
    ("{c}疾病预防控制中心", CollectiveHonour.WORKER_PIONEER),
    ("{c}实验小学", CollectiveHonour.WORKER_PIONEER),
    ("{c}城市管理局环卫所", CollectiveHonour.WORKER_PIONEER),
    ("{c}粮食储备库", CollectiveHonour.MAY_DAY_AWARD),
    ("{c}热电有限公司", CollectiveHonour.MAY_DAY_AWARD),
)
LABOR_MODEL_EMPLOYERS = (
    "{v}村委会", "{c}人民医院", "{c}农业农村局", "{t}农业服务中心", "{c}第一高级中学",
    "{c}畜牧局", "国网{c}供电公司", "{c}产业集聚区", "{v}种植大户", "{c}农村信用合作联社",
)
# Volunteer teams founded by AS_OF, by county: (name, field). 平舆县 has the article's four.
POLICY, FARMING, MEDICAL = TeamField.POLICY, TeamField.AGRICULTURE, TeamField.MEDICAL
EDUCATION, INDUSTRY = TeamField.EDUCATION, TeamField.INDUSTRY
VOLUNTEER_TEAM_NAMES = {
    YICHENG: (("驻马店市劳模志愿服务队", POLICY), ("驻马店市劳模医疗志愿服务队", MEDICAL),
              ("驿城区劳模志愿服务队", POLICY)),
    XIPING: (("西平县劳模志愿服务队", POLICY), ("西平县劳模农业技术服务队", FARMING)),
    SHANGCAI: (("上蔡县劳模志愿服务队", POLICY), ("上蔡县劳模医疗服务队", MEDICAL),
               ("上蔡县劳模产业服务队", INDUSTRY)),
    PINGYU: (("平舆县劳模教育服务队", EDUCATION), ("平舆县劳模农业服务队", FARMING),
             ("平舆县劳模医疗服务队", MEDICAL), ("平舆县劳模产业服务队", INDUSTRY)),
    ZHENGYANG: (("正阳县劳模志愿服务队", POLICY), ("正阳县劳模农业技术服务队", FARMING),
                ("正阳县劳模教育服务队", EDUCATION)),
    QUESHAN: (("确山县劳模志愿服务队", POLICY), ("确山县劳模医疗服务队", MEDICAL)),
    BIYANG: (("泌阳县劳模志愿服务队", POLICY), ("泌阳县劳模农业技术服务队", FARMING),
             ("泌阳县劳模产业服务队", INDUSTRY)),
    RUNAN: (("汝南县劳模志愿服务队", POLICY), ("汝南县劳模农业技术服务队", FARMING),
            ("汝南县劳模巾帼技能服务队", INDUSTRY)),
    SUIPING: (("遂平县劳模志愿服务队", POLICY), ("遂平县劳模教育服务队", EDUCATION)),
    XINCAI: (("新蔡县劳模志愿服务队", POLICY), ("新蔡县劳模医疗服务队", MEDICAL),
             ("新蔡县劳模农业技术服务队", FARMING)),
}
LATER_TEAMS = (  # founded after AS_OF: (county, name, field, founded, status)
    (SHANGCAI, "上蔡县劳模电商志愿服务队", INDUSTRY, date(2019, 3, 5), APPROVED),
    (XINCAI, "新蔡县劳模乡村振兴志愿服务队", POLICY, date(2019, 5, 1), APPROVED),
    (QUESHAN, "确山县劳模教育志愿服务队", EDUCATION, date(2020, 10, 20), ReviewStatus.SUBMITTED),
)
TRAINING_TOPICS = {
    "planting_breeding": ("红薯高产栽培技术", "肉牛科学养殖", "食用菌栽培管理",
                          "芝麻高产栽培技术", "小麦病虫害绿色防控", "畜禽养殖与疫病防治",
                          "中药材种植技术", "蔬菜大棚管理", "土壤修复改良技术", "生猪规模养殖"),
    "processing": ("农副产品加工技术", "红薯粉条加工", "食用菌保鲜与加工"),
    "tourism": ("乡村旅游接待服务", "农家乐经营管理"),
    "e_commerce": ("农村电商实操培训", "网店开设与农产品上行"),
    "investment": ("扶贫小额信贷政策解读", "合作社入股分红政策讲解"),
    "industry": ("针纺刺绣实用技术", "农业机械维修", "服装加工技能培训"),
    "trade_services": ("农产品营销与物流", "农资经营与流通服务"),
}
TRAINERS = ("高级农艺师", "畜牧师", "农机技术员", "电商讲师", "纺织专家", "农技推广研究员")
DEMANDS = (
    "希望发展特色种植,需要技术指导", "希望在家门口就业", "需要小额信贷支持发展养殖",
    "希望解决子女上学费用", "需要医疗救助,减轻看病负担", "希望改造危房", "希望学一门手艺",
    "希望土地流转增加收入", "",
)
PAIRING_PLANS = {
    PairingMode.TECHNICAL: "定期上门指导种植养殖技术,帮助解决生产难题",
    PairingMode.INDUSTRY: "提供种苗和技术,保价回收产品,带动发展特色产业",
    PairingMode.PROJECT: "协助申请扶贫小额信贷,入股合作社按年分红",
    PairingMode.EMPLOYMENT: "推荐到劳模企业或扶贫车间就业,岗前免费培训",
    PairingMode.ONE_TO_ONE: "每月走访一次,帮助制定脱贫计划,解决生活困难",
    PairingMode.ASPIRATION: "宣讲扶贫政策,激发内生动力,资助子女上学",
    PairingMode.COLLECTIVE: "单位结对帮扶,援建村内道路和文化广场,资助贫困学生",
}
MODES_BY_FIELD = {
    "planting_breeding": (PairingMode.TECHNICAL, PairingMode.INDUSTRY),
    "processing": (PairingMode.INDUSTRY, PairingMode.EMPLOYMENT),
    "tourism": (PairingMode.INDUSTRY, PairingMode.EMPLOYMENT),
    "e_commerce": (PairingMode.ASPIRATION, PairingMode.TECHNICAL),
    "investment": (PairingMode.PROJECT,),
    "industry": (PairingMode.EMPLOYMENT, PairingMode.INDUSTRY),
    "trade_services": (PairingMode.EMPLOYMENT, PairingMode.ONE_TO_ONE),
}
CAUSE_WEIGHTS = {
    "illness": 30, "disability": 12, "schooling": 8, "disaster": 3, "lack_of_land": 4,
    "lack_of_water": 1, "lack_of_skills": 14, "lack_of_labour": 8, "lack_of_funds": 13,
    "poor_transport": 2, "lack_of_drive": 4, "other": 1,
}


class DemoDataError(Exception):
    """The demo tables cannot produce the article's figures (a builder or table bug)."""


# --- Small helpers --------------------------------------------------------------------------
def apportion(total, weights):
    """Split the integer ``total`` in proportion to ``weights`` (largest remainder)."""
    weight_sum = sum(weights)
    raw = [total * w / weight_sum for w in weights]
    shares = [int(x) for x in raw]
    by_remainder = sorted(range(len(raw)), key=lambda i: raw[i] - shares[i], reverse=True)
    for i in by_remainder[: total - sum(shares)]:
        shares[i] += 1
    return shares


def age_on(birth_date, day=AS_OF):
    return day.year - birth_date.year - ((day.month, day.day) < (birth_date.month, birth_date.day))


@dataclass(eq=False)
class Family:
    """A household being built, with what the builder needs to know about it."""

    household: m.Household
    code: str  # county code
    persons: list = field(default_factory=list)

    @property
    def exited_on(self):
        """The exit date when the household counts as exited on AS_OF, else None."""
        hh = self.household
        if hh.status == PovertyStatus.EXITED and hh.exit_date <= AS_OF:
            return hh.exit_date
        return None


@dataclass(eq=False)
class Person:
    member: m.Member
    family: Family
    age: int
    can_work: bool
    job: str = ""  # planned employer kind of a stable job held on AS_OF


class Dated:
    """Rows of one county sorted by a date attribute, to pick one before or after a day."""

    def __init__(self, rows, attribute):
        self.rows = sorted(rows, key=lambda row: getattr(row, attribute))
        self.days = [getattr(row, attribute) for row in self.rows]

    def on_or_before(self, day):
        return self.rows[: bisect.bisect_right(self.days, day)]

    def after(self, day):
        return self.rows[bisect.bisect_right(self.days, day):]


# --- The builder ----------------------------------------------------------------------------
class DemoBuilder:
    """Builds the demo in one transaction; call :meth:`build`. Each ``build_*`` method makes one
    part of the programme; the plans (who is trained, employed, ...) are drawn so that the
    article's figures come out exactly, and the builder checks them as it goes."""

    def __init__(self):
        self.rng = random.Random(SEED)
        self.ids_in_use = set()
        self.agreement_keys = set()
        self.saved_models = set()
        self.exit_batches = {}
        self.created = Counter()

    # -- infrastructure ----------------------------------------------------------------------
    def save(self, model, objs):
        """Bulk-insert ``objs`` (their primary keys are set on return) and give each its
        "created" history entry when the model keeps history."""
        objs = model._default_manager.bulk_create(list(objs))
        self.saved_models.add(model)
        if objs and hasattr(model, "history"):
            add_created_history(model, objs)
        self.created[model._meta.verbose_name] += len(objs)
        return objs

    def owned(self, obj, code, status=APPROVED):
        """Stamp a county record: its county, who recorded it (also its history user), status."""
        obj.county_id = self.counties[code].pk
        obj.recorded_by_id = self.clerks[code].pk
        if hasattr(obj, "review_status"):
            obj.review_status = status
        return obj

    def code(self, obj):
        """The county code of a county record made by this builder."""
        return self.county_codes[obj.county_id]

    def day_between(self, start, end):
        return start + datetime.timedelta(days=self.rng.randint(0, (end - start).days))

    def later_status(self, day, in_review=(3, 1)):
        """Review status of a record dated ``day``: the most recent ones are still in review,
        in the proportions ``in_review`` (submitted, draft) out of ten. (The same draw
        whatever the proportions, so the records after it do not change with them.)"""
        if day <= date(2020, 10, 31):
            return APPROVED
        submitted, draft = in_review
        return self.rng.choices(
            [APPROVED, ReviewStatus.SUBMITTED, ReviewStatus.DRAFT],
            weights=[10 - submitted - draft, submitted, draft],
        )[0]

    def name(self, sex, surname=None):
        surname = surname or self.rng.choices(SURNAMES, cum_weights=SURNAME_CUM_WEIGHTS)[0]
        chars = MALE_CHARS if sex == Sex.MALE else FEMALE_CHARS
        given = "".join(self.rng.choice(chars) for _ in range(self.rng.choice((1, 2, 2, 2))))
        return surname + given

    def resident_id(self, code, birth_date, sex):
        while True:
            sequence = self.rng.randrange(500) * 2 + (1 if sex == Sex.MALE else 0)
            number = build_resident_id(code, birth_date, sequence)
            if number not in self.ids_in_use:
                self.ids_in_use.add(number)
                return number

    def phone(self):
        return f"1{self.rng.choice('3578')}{self.rng.randrange(10**9):09d}"

    def per_county(self, total, exclude=()):
        codes = [spec.code for spec in COUNTIES if spec.code not in exclude]
        weights = [self.spec[code].households for code in codes]
        return dict(zip(codes, apportion(total, weights), strict=True))

    def sample(self, per_county, eligible, exclude=frozenset(), exited=None):
        """Persons drawn county by county from those that count on AS_OF (active, approved
        households): ``per_county[code]`` each, among those ``eligible`` and not excluded;
        ``exited`` True/False keeps only persons whose household had/had not exited by AS_OF."""
        chosen = []
        for code, wanted in per_county.items():
            pool = [
                p for p in self.persons[code]
                if eligible(p) and p not in exclude
                and (exited is None or (p.family.exited_on is not None) == exited)
            ]
            if len(pool) < wanted:
                raise DemoDataError(
                    f"{self.spec[code].name}: {wanted} wanted, {len(pool)} eligible")
            chosen += self.rng.sample(pool, wanted)
        return chosen

    def split(self, persons, second):
        """Shuffle and split into (all but ``second``, the last ``second``)."""
        persons = list(persons)
        self.rng.shuffle(persons)
        return persons[: len(persons) - second], persons[len(persons) - second:]

    # -- the parts ---------------------------------------------------------------------------
    def build(self):
        self.build_geography()
        self.build_accounts()
        self.build_labor_models()
        self.build_collectives()
        self.build_enterprises()
        self.plan_households()
        self.plan_employment()
        self.save_households()
        self.build_training()
        self.build_projects_and_workshops()
        self.build_finance()
        self.build_employment()
        self.build_pairings()
        self.build_volunteering()
        self.build_material_aid()
        self.build_review_trail()
        self.build_targets()
        self.update_statistics()
        return self.created

    def build_review_trail(self):
        """What the review queue and the county's home page read of every record still in
        review: who submitted it and when, and for a returned one the city's decision with its
        comment. (Approved records carry no trail: they were decided before the portal kept
        one.) A generator of its own, so the records above stay as they are."""
        rng = random.Random(SEED + 1)
        reviewer = User.objects.get(username="city")
        events = []
        for model in REVIEWED_MODELS:
            content_type = ContentType.objects.get_for_model(model)
            rows = model._default_manager.filter(
                review_status__in=(ReviewStatus.SUBMITTED, ReviewStatus.RETURNED)
            ).values_list("pk", "county_id", "recorded_by_id", "review_status", "updated_at")
            for pk, county_id, clerk_id, status, updated_at in rows:
                submitted_at = min(updated_at, DEMO_NOW) - datetime.timedelta(
                    days=rng.randint(2, 40), minutes=rng.randint(0, 600)
                )
                events.append(m.ReviewEvent(
                    content_type=content_type, object_id=pk, county_id=county_id,
                    action=m.ReviewEvent.Action.SUBMITTED, user_id=clerk_id,
                    created_at=submitted_at,
                ))
                if status == ReviewStatus.RETURNED:
                    events.append(m.ReviewEvent(
                        content_type=content_type, object_id=pk, county_id=county_id,
                        action=m.ReviewEvent.Action.RETURNED, user_id=reviewer.pk,
                        comment=rng.choice(RETURN_COMMENTS),
                        created_at=submitted_at + datetime.timedelta(
                            days=rng.randint(1, 6), minutes=rng.randint(0, 300)
                        ),
                    ))
        created = m.ReviewEvent.objects.bulk_create(events, batch_size=2000)
        # created_at is set on insert (auto_now_add): put the demo's times back.
        for event, wanted in zip(created, events, strict=True):
            event.created_at = wanted.created_at
        m.ReviewEvent.objects.bulk_update(created, ["created_at"], batch_size=2000)
        self.saved_models.add(m.ReviewEvent)
        self.created[m.ReviewEvent._meta.verbose_name] += len(created)

    def build_targets(self):
        """The city's yearly targets for 2017-2019, per county in proportion to the households
        it helps, so the target progress page has something to measure."""
        city = User.objects.get(username="city")
        codes = list(self.spec)
        weights = [self.spec[code].households for code in codes]
        targets = []
        for year in TARGET_YEARS:
            for indicator, city_total in CITY_TARGETS.items():
                for code, share in zip(codes, apportion(city_total, weights), strict=True):
                    targets.append(m.IndicatorTarget(
                        county=self.counties[code], year=year, indicator=indicator,
                        target=Decimal(share), set_by=city,
                    ))
        self.save(m.IndicatorTarget, targets)

    def update_statistics(self):
        """ANALYZE the loaded tables: without statistics the database's planner takes them for
        empty and picks plans that make the first dashboard queries take minutes."""
        tables = sorted({
            model._meta.db_table for model in self.saved_models
        } | {model.history.model._meta.db_table for model in self.saved_models
             if hasattr(model, "history")})
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                cursor.execute("ANALYZE " + ", ".join(map(connection.ops.quote_name, tables)))
            else:
                for table in tables:
                    cursor.execute("ANALYZE " + connection.ops.quote_name(table))

    def build_geography(self):
        self.spec = {spec.code: spec for spec in COUNTIES}
        self.counties = {}
        for spec in COUNTIES:
            self.counties[spec.code], _ = m.County.objects.get_or_create(
                code=spec.code, defaults={"name": spec.name}
            )
        self.county_codes = {county.pk: code for code, county in self.counties.items()}
        self.save(m.UnionBody, [m.UnionBody(name=CITY_UNION_NAME, level=UnionLevel.CITY)] + [
            m.UnionBody(name=f"{spec.name}总工会", level=UnionLevel.COUNTY,
                        county=self.counties[spec.code])
            for spec in COUNTIES
        ])
        townships = self.save(m.Township, [
            m.Township(county=self.counties[spec.code], name=name)
            for spec in COUNTIES for name in spec.townships
        ])
        villages = []
        for township in townships:
            code = township.county.code
            names = list(NAMED_VILLAGES.get((code, township.name), ()))
            wanted = self.rng.randint(8, 11)
            while len(names) < wanted:
                candidate = (
                    (self.rng.choice(VILLAGE_PREFIXES) if self.rng.random() < 0.3 else "")
                    + self.rng.choices(SURNAMES, cum_weights=SURNAME_CUM_WEIGHTS)[0]
                    + self.rng.choice(VILLAGE_SUFFIXES) + "村"
                )
                if candidate not in names:
                    names.append(candidate)
            for name in names:
                poor = self.rng.random() < 0.4
                exit_year = None
                if poor and self.rng.random() < 0.9:
                    exit_year = self.rng.choices(
                        (2016, 2017, 2018, 2019, 2020), (3, 6, 5, 5, 1))[0]
                villages.append(m.Village(
                    township=township, county=township.county, name=name,
                    is_poor_village=poor, exit_year=exit_year,
                ))
        villages = self.save(m.Village, villages)
        # Register numbers: county code, township and village numbers, household serial.
        self.villages = {code: [] for code in self.spec}
        self.register_prefix = {}
        villages_in = Counter()
        for village in villages:
            code = village.county.code
            township_no = self.spec[code].townships.index(village.township.name) + 1
            villages_in[village.township_id] += 1
            self.register_prefix[village.pk] = (
                f"{code}{township_no:03d}{villages_in[village.township_id]:03d}")
            self.villages[code].append(village)

    def build_accounts(self):
        users = {user.username: user for user in ensure_demo_accounts()}
        self.clerks = {spec.code: users[spec.username] for spec in COUNTIES}

    def build_labor_models(self):
        """3,002 labor models and medal holders awarded by 2018 (1,950 in service and local),
        plus later awards and records still in review, which do not count on AS_OF."""
        fields = list(m.ExpertiseField.objects.order_by("id"))
        self.fields = {f.code: f for f in fields}
        codes = list(self.spec)
        # The city seat's units have more honoured staff than its share of poor households.
        weights = [self.spec[c].households * (2.5 if c == YICHENG else 1) for c in codes]
        rows = []

        def make(code, level, title, year, in_service, local, status=APPROVED, name=None,
                 sex=None, employer=None):
            sex = sex or self.rng.choices((Sex.MALE, Sex.FEMALE), (7, 3))[0]
            birth_year = min(year - 22, 1990) - self.rng.randint(0, 18)
            if not in_service:
                birth_year = min(birth_year, 1957)
            birth = date(birth_year, self.rng.randint(1, 12), self.rng.randint(1, 28))
            township = self.rng.choice(self.spec[code].townships)
            village = self.rng.choice(self.villages[code]).name
            lm = self.owned(m.LaborModel(
                name=name or self.name(sex), sex=sex,
                id_number=self.resident_id(code, birth, sex),
                honour_level=level, honour_title=title, year_awarded=year,
                employer=employer or self.rng.choice(LABOR_MODEL_EMPLOYERS).format(
                    c=self.spec[code].name, t=township, v=village),
                in_service=in_service, is_local=local,
                phone=self.phone() if self.rng.random() < 0.9 else "",
            ), code, status)
            lm.demo_fields = self.rng.sample(fields, self.rng.choice((1, 1, 2)))
            rows.append(lm)
            return lm

        named = {}
        for name, code, sex, level, title, year, employer, local in NAMED_LABOR_MODELS:
            named[name] = make(code, level, title, year, True, local, name=name, sex=sex,
                               employer=employer)
        for lm in named.values():
            lm.demo_fields = [self.fields["planting_breeding"], self.fields["industry"]]
        named_counts = Counter((lm.honour_level, lm.in_service and lm.is_local)
                               for lm in named.values())
        for level, total in LABOR_MODELS_BY_LEVEL.items():
            # (in service, local): the local ones in service, then the retired, then those
            # working elsewhere.
            local = IN_SERVICE_LOCAL_BY_LEVEL[level] - named_counts[(level, True)]
            others = total - IN_SERVICE_LOCAL_BY_LEVEL[level] - named_counts[(level, False)]
            retired = others * 2 // 3
            statuses = ([(True, True)] * local + [(False, True)] * retired
                        + [(True, False)] * (others - retired))
            county_of = [c for c, n in zip(codes, apportion(len(statuses), weights), strict=True)
                         for _ in range(n)]
            self.rng.shuffle(county_of)
            for (in_service, local), code in zip(statuses, county_of, strict=True):
                make(code, level, self.honour_title(level), self.award_year(level, in_service),
                     in_service, local)
        counted = list(rows)
        # Awarded after AS_OF, and records still in review: not counted on AS_OF.
        for _ in range(70):
            level = self.rng.choices((HonourLevel.PROVINCIAL, HonourLevel.CITY,
                                      HonourLevel.COUNTY), (1, 3, 3))[0]
            make(self.rng.choices(codes, weights)[0], level, self.honour_title(level),
                 self.rng.choice((2019, 2020)), True, True)
        for status in [ReviewStatus.DRAFT] * 8 + [ReviewStatus.SUBMITTED] * 8 + [
                ReviewStatus.RETURNED] * 4:
            level = self.rng.choice((HonourLevel.CITY, HonourLevel.COUNTY))
            make(self.rng.choices(codes, weights)[0], level, self.honour_title(level),
                 self.rng.randint(2008, 2018), True, True, status=status)
        rows = self.save(m.LaborModel, rows)
        through = m.LaborModel.expertise.through
        self.save(through, [through(labormodel=lm, expertisefield=f)
                            for lm in rows for f in lm.demo_fields])
        self.named_labor_models = named
        self.labor_models_counted = counted
        self.labor_models_local = [lm for lm in counted if lm.in_service and lm.is_local]
        self.labor_models_later = rows[len(counted):]
        self.local_by_county = {code: [] for code in self.spec}
        for lm in self.labor_models_local:
            self.local_by_county[self.code(lm)].append(lm)
        if len(counted) != sum(LABOR_MODELS_BY_LEVEL.values()):
            raise DemoDataError("labor model total")

    def honour_title(self, level):
        weights = {
            HonourLevel.NATIONAL: (75, 0, 25), HonourLevel.PROVINCIAL: (55, 15, 30),
            HonourLevel.CITY: (60, 20, 20), HonourLevel.COUNTY: (60, 25, 15),
        }[level]
        return self.rng.choices(
            (HonourTitle.LABOR_MODEL, HonourTitle.ADVANCED_WORKER, HonourTitle.MAY_DAY_MEDAL),
            weights,
        )[0]

    def award_year(self, level, in_service):
        if level == HonourLevel.NATIONAL:
            years = (1979, 1989, 1995, 2000, 2005, 2010, 2015)
        elif level == HonourLevel.PROVINCIAL:
            years = (1989, 1995, 2000, 2005, 2009, 2013, 2016)
        else:
            years = tuple(range(1985, 2019))
        if in_service:
            years = [y for y in years if y >= 1995]
        return self.rng.choice(years)

    def build_collectives(self):
        """77 honoured units taking part by AS_OF (projects, jobs or pairings), and 13 that do
        not: later projects, jobs or pairings, pairings still in draft, or nothing yet."""
        rows = []
        counted_by_county = self.per_county(COLLECTIVES_TAKING_PART)
        spare = dict(zip(self.spec, apportion(13, [1] * len(self.spec)), strict=True))
        distractor_roles = ["later_project", "draft_pairing", "later_job", "idle"]
        spares_made = 0
        for code, counted in counted_by_county.items():
            place = "驻马店市" if code == YICHENG else self.spec[code].name
            units = self.rng.sample(COLLECTIVE_UNITS, counted + spare[code])
            for i, (template, honour) in enumerate(units):
                coll = self.owned(m.AdvancedCollective(
                    name=template.format(c=place), honour=honour,
                    year_awarded=self.rng.randint(2005, 2018), contact_person=self.name(Sex.MALE),
                    phone=f"0396-{self.rng.randrange(10**7):07d}",
                ), code)
                if i < counted:  # taking part with projects, jobs or pairings, or several
                    coll.demo_roles = {
                        role for role, on in (("project", i % 4 != 3), ("job", i % 3 != 0),
                                              ("pairing", i % 2 == 0)) if on
                    } or {"pairing"}
                else:
                    coll.demo_roles = {distractor_roles[spares_made % len(distractor_roles)]}
                    spares_made += 1
                    if "idle" in coll.demo_roles:
                        coll.year_awarded = 2019
                rows.append(coll)
        self.collectives = self.save(m.AdvancedCollective, rows)
        self.collectives_by_role = {}
        for coll in self.collectives:
            for role in coll.demo_roles:
                self.collectives_by_role.setdefault(role, []).append(coll)

    def build_enterprises(self):
        """161 enterprises and co-ops with finance agreements by AS_OF, others that only run
        projects, workshops or jobs, and a few whose agreements are later or still drafts."""
        by_name = {lm.name: lm for lm in self.named_labor_models.values()}
        leaders = {code: [] for code in self.spec}
        for lm in self.labor_models_local:
            if lm.name not in by_name:
                leaders[self.code(lm)].append(lm)
        for pool in leaders.values():
            self.rng.shuffle(pool)
        named_here = Counter(code for code, _, _, roles in NAMED_ENTERPRISES
                             if "finance" in roles)
        # The article's three big agreements come on top of each county's share.
        named_households = Counter()
        for code, name, _, _ in NAMED_ENTERPRISES:
            named_households[code] += NAMED_AGREEMENT_HOUSEHOLDS.get(name, 0)
        rest = self.per_county(FINANCE_HOUSEHOLDS - sum(NAMED_AGREEMENT_HOUSEHOLDS.values()))
        self.finance_households_by_county = {c: rest[c] + named_households[c] for c in rest}
        finance_counts = dict(zip(rest, apportion(
            FINANCE_ENTERPRISES, [self.finance_households_by_county[c] for c in rest]),
            strict=True))
        project_only = self.per_county(16)
        rows, used = [], {code: set() for code in self.spec}

        def make(code, name, roles, leader=None):
            used[code].add(name)
            township = self.rng.choice(self.spec[code].townships)
            cooperative = name.endswith("合作社")
            ent = self.owned(m.Enterprise(
                name=name,
                kind=EnterpriseKind.COOPERATIVE if cooperative else EnterpriseKind.ENTERPRISE,
                leader=leader or (leaders[code].pop() if leaders[code] else None),
                address=f"河南省驻马店市{self.spec[code].name}{township}",
                phone=f"0396-{self.rng.randrange(10**7):07d}",
            ), code)
            ent.demo_roles = set(roles)
            rows.append(ent)

        def invent(code):
            while True:
                product, suffix = self.rng.choice(ENTERPRISE_LINES)
                word = self.rng.choice(ENTERPRISE_WORDS)
                name = f"{self.spec[code].name}{word}{product}{suffix}"
                if name not in used[code]:
                    return name

        for code, name, leader, roles in NAMED_ENTERPRISES:
            make(code, name, roles, by_name.get(leader))
        for code in self.spec:
            for _ in range(finance_counts[code] - named_here[code]):
                roles = ("finance", "projects") if self.rng.random() < 0.35 else ("finance",)
                make(code, invent(code), roles)
            for _ in range(project_only[code]):
                make(code, invent(code), ("projects",))
        for code in (SHANGCAI, XINCAI, PINGYU, QUESHAN):
            make(code, invent(code), ("later_finance",))
        for code in (RUNAN, SUIPING):
            make(code, invent(code), ("draft_finance",))
        self.enterprises = self.save(m.Enterprise, rows)
        self.enterprise_named = {e.name: e for e in self.enterprises}
        self.enterprises_by_county = {code: [] for code in self.spec}
        for ent in self.enterprises:
            self.enterprises_by_county[self.code(ent)].append(ent)
        if sum("finance" in e.demo_roles for e in self.enterprises) != FINANCE_ENTERPRISES:
            raise DemoDataError("finance enterprises")

    # -- households ---------------------------------------------------------------------------
    def plan_households(self):
        """Households and members in memory, each household with its exit story: exited by
        AS_OF (in the county's exit batches), exited later, returned to poverty, or not yet.
        Also a few archived households and new ones still being registered in 2020."""
        self.causes = {c.code: c for c in m.PovertyCause.objects.all()}
        self.families = {code: [] for code in self.spec}
        self.archived_families, self.pending_families = [], []
        for spec in COUNTIES:
            code = spec.code
            batches_before = [date(2016, 12, self.rng.randint(10, 28)),
                              date(2017, 6, self.rng.randint(10, 28)),
                              date(2017, 12, self.rng.randint(10, 28)),
                              date(2018, 6, self.rng.randint(10, 28))]
            batches_after = [date(2018, 12, self.rng.randint(10, 28)),
                             date(2019, 6, self.rng.randint(10, 28)),
                             date(2019, 12, self.rng.randint(10, 28)),
                             date(2020, 6, self.rng.randint(10, 28)),
                             date(2020, 11, self.rng.randint(10, 28))]
            self.exit_batches[code] = batches_before
            villages = self.villages[code]
            village_weights = [3 if v.is_poor_village else 1 for v in villages]
            serial = Counter()
            for n in range(spec.households + ARCHIVED_PER_COUNTY + PENDING_PER_COUNTY):
                village = self.rng.choices(villages, village_weights)[0]
                serial[village.pk] += 1
                register = f"{self.register_prefix[village.pk]}{serial[village.pk]:04d}"
                family = self.plan_household(code, village, register)
                if n < spec.households:
                    story = self.rng.choices(("before", "after", "returned", "not_yet"),
                                             (62, 30, 3, 5))[0]
                    self.set_exit_story(family.household, story, batches_before, batches_after)
                    self.families[code].append(family)
                elif n < spec.households + ARCHIVED_PER_COUNTY:
                    # Merged into another register or deregistered between January and July
                    # 2018, before AS_OF: archived. (Archived later, they would count on AS_OF.)
                    self.set_exit_story(family.household, "before", batches_before, batches_after)
                    moment = timezone.make_aware(datetime.datetime(
                        2018, self.rng.randint(1, 12) // 2 + 1, self.rng.randint(1, 28), 10, 0))
                    family.household.archived_at = moment
                    for person in family.persons:
                        person.member.archived_at = moment
                    self.archived_families.append(family)
                else:
                    # Identified in 2020 as households at risk, still being registered.
                    hh = family.household
                    hh.identified_on = date(2020, self.rng.randint(3, 11), self.rng.randint(1, 28))
                    hh.monitoring = MonitoringType.MARGINAL
                    hh.review_status = self.rng.choice((ReviewStatus.DRAFT, ReviewStatus.SUBMITTED,
                                                        ReviewStatus.RETURNED))
                    self.pending_families.append(family)
        self.persons = {code: [p for f in families for p in f.persons]
                        for code, families in self.families.items()}

    def set_exit_story(self, hh, story, batches_before, batches_after):
        if story == "before":
            hh.status = PovertyStatus.EXITED
            hh.exit_date = self.rng.choices(batches_before, (28, 12, 38, 22))[0]
            if self.rng.random() < 0.05:
                hh.monitoring = MonitoringType.UNSTABLE
        elif story == "after":
            hh.status = PovertyStatus.EXITED
            hh.exit_date = self.rng.choices(batches_after, (25, 15, 35, 15, 10))[0]
        elif story == "returned":
            # Exited, then fell back into poverty (返贫): the old exit date stays on record.
            hh.status = PovertyStatus.RETURNED
            hh.exit_date = self.rng.choice(batches_before[:3])
            hh.monitoring = self.rng.choice(
                (MonitoringType.UNSTABLE, MonitoringType.SUDDEN_HARDSHIP))
        else:
            hh.status = PovertyStatus.NOT_EXITED
            if self.rng.random() < 0.5:
                hh.monitoring = MonitoringType.MARGINAL

    def plan_household(self, code, village, register):
        rng = self.rng
        cause = rng.choices(list(CAUSE_WEIGHTS), list(CAUSE_WEIGHTS.values()))[0]
        elderly = rng.random() < 0.1
        hh = self.owned(m.Household(
            register_number=register, village=village,
            attribute=rng.choices(
                HOUSEHOLD_ATTRIBUTES,
                (3, 2, 6, 1) if elderly else (74, 21, 3, 2))[0],
            standard=rng.choices(STANDARDS, (92, 6, 2))[0],
            identified_on=date(rng.choice((2014, 2014, 2015)), rng.randint(3, 12),
                               rng.randint(1, 28)),
            main_cause=self.causes[cause],
            demands=rng.choice(DEMANDS),
            phone=self.phone() if rng.random() < 0.7 else "",
        ), code)
        hh.demo_other_causes = [
            self.causes[c] for c in rng.sample(list(CAUSE_WEIGHTS), rng.choice((0, 0, 1, 2)))
            if c != cause
        ]
        family = Family(hh, code)
        head_sex = Sex.MALE if rng.random() < 0.85 else Sex.FEMALE
        head_born = rng.randint(1930, 1953) if elderly else rng.randint(1956, 1990)
        surname = rng.choices(SURNAMES, cum_weights=SURNAME_CUM_WEIGHTS)[0]
        people = [(Relation.HEAD, head_sex, head_born, surname)]
        if rng.random() < (0.5 if elderly else 0.88):
            people.append((Relation.SPOUSE, Sex.FEMALE if head_sex == Sex.MALE else Sex.MALE,
                           head_born + rng.randint(-2, 5), None))
        if not elderly:
            for _ in range(rng.choices((0, 1, 2, 3), (14, 40, 36, 10))[0]):
                born = rng.randint(head_born + 20, min(head_born + 40, 2016))
                sex = rng.choice((Sex.MALE, Sex.FEMALE))
                people.append((Relation.SON if sex == Sex.MALE else Relation.DAUGHTER, sex, born,
                               surname))
            son = next((p for p in people if p[0] == Relation.SON and p[2] <= 1994), None)
            if son and rng.random() < 0.35:
                people.append((Relation.DAUGHTER_IN_LAW, Sex.FEMALE,
                               son[2] + rng.randint(-1, 3), None))
                for _ in range(rng.choice((0, 1, 2))):
                    sex = rng.choice((Sex.MALE, Sex.FEMALE))
                    people.append((Relation.GRANDSON if sex == Sex.MALE else Relation.GRANDDAUGHTER,
                                   sex, rng.randint(son[2] + 21, 2017), surname))
            if head_born >= 1963 and rng.random() < 0.2:
                sex = rng.choice((Sex.MALE, Sex.FEMALE))
                people.append((Relation.FATHER if sex == Sex.MALE else Relation.MOTHER, sex,
                               head_born - rng.randint(22, 30),
                               surname if sex == Sex.MALE else None))
        sick_one = cause in ("illness", "disability")
        for relation, sex, born, family_name in people:
            birth = date(born, rng.randint(1, 12), rng.randint(1, 28))
            id_number = self.resident_id(code, birth, sex)
            age = age_on(birth)
            health = rng.choices(HEALTH_STATES, (78, 11, 5, 6))[0]
            if sick_one and relation in (Relation.HEAD, Relation.SPOUSE):
                health = Health.SERIOUS_ILLNESS if cause == "illness" else Health.DISABLED
                sick_one = False
            labour = self.labour_ability(age, health)
            member = self.owned(m.Member(
                household=hh, name=self.name(sex, family_name), id_number=id_number,
                relation=relation, sex=sex_from_id(id_number),
                birth_date=birth_date_from_id(id_number),
                ethnicity="回族" if rng.random() < 0.01 else "汉族",
                education=self.education(age, born), health=health, labour_ability=labour,
                phone=self.phone() if age >= 18 and rng.random() < 0.4 else "",
            ), code)
            can_work = 16 <= age <= 60 and labour in (
                LabourAbility.ORDINARY, LabourAbility.SKILLED, LabourAbility.WEAK)
            family.persons.append(Person(member, family, age, can_work))
        hh.head_name = family.persons[0].member.name
        return family

    def labour_ability(self, age, health):
        if age < 16:
            return LabourAbility.NONE
        if health == Health.DISABLED or age > 75:
            return self.rng.choice((LabourAbility.LOST, LabourAbility.WEAK))
        if health == Health.SERIOUS_ILLNESS or age > 65:
            return LabourAbility.WEAK
        return self.rng.choices((LabourAbility.ORDINARY, LabourAbility.SKILLED,
                                 LabourAbility.WEAK), (75, 20, 5))[0]

    def education(self, age, born):
        if age < 7:
            return ""
        if age <= 12:
            return Education.PRIMARY
        if age <= 15:
            return Education.JUNIOR
        if born < 1950:
            weights = (60, 35, 5, 0, 0, 0)
        elif born < 1966:
            weights = (25, 45, 25, 5, 0, 0)
        elif born < 1986:
            weights = (3, 25, 55, 14, 3, 0)
        else:
            weights = (0, 5, 45, 32, 13, 5)
        return self.rng.choices(EDUCATION_LEVELS, weights)[0]

    def plan_employment(self):
        """Who works where on AS_OF, decided before members are saved so that their work
        status agrees: 4,524 collective employees (753 of them with a household that exited
        after the job began, 110 whose household had exited before), and 22,314 people in
        stable employment, 3,700 of them with a collective."""
        def can_work(p):
            return p.can_work

        exited = self.sample(
            self.per_county(COLLECTIVE_EMPLOYEES_EXITED + EXITED_BEFORE_COLLECTIVE_JOB),
            can_work, exited=True)
        counted, before = self.split(exited, EXITED_BEFORE_COLLECTIVE_JOB)
        others = self.sample(
            self.per_county(COLLECTIVE_EMPLOYEES - len(exited)), can_work, exited=False)
        collective = counted + before + others
        self.collective_hires = {"counted": counted, "before": before, "other": others}
        _, self.collective_unsteady = self.split(
            collective, len(collective) - STABLE_COLLECTIVE_JOBS)
        taken = set(collective)
        self.stable_hires = self.sample(
            self.per_county(STABLY_EMPLOYED - STABLE_COLLECTIVE_JOBS), can_work, exclude=taken)
        taken.update(self.stable_hires)
        for p in collective:
            p.job = "collective"
        for p in self.stable_hires:
            if p.family.code == SHANGCAI and self.rng.random() < 0.35:
                p.job = "quanshun"  # 张全收's 深圳全顺人力资源有限公司
            else:
                p.job = self.rng.choices(("enterprise", "workshop", "public_post", "qiaoxifu"),
                                         (30, 35, 15, 20))[0]
        self.job_distractors = self.sample(self.per_county(3_000), can_work, exclude=taken)
        taken.update(self.job_distractors)
        for p in self.job_distractors:
            p.member.work_status = WorkStatus.COUNTY
        work_status = {
            "collective": WorkStatus.COUNTY, "quanshun": WorkStatus.OUT_OF_PROVINCE,
            "enterprise": WorkStatus.COUNTY, "workshop": WorkStatus.TOWNSHIP,
            "public_post": WorkStatus.TOWNSHIP, "qiaoxifu": WorkStatus.TOWNSHIP,
        }
        for persons in self.persons.values():
            for p in persons:
                if p.job:
                    p.member.work_status = work_status[p.job]
                elif p.can_work and p not in taken:
                    p.member.work_status = self.rng.choices(
                        (WorkStatus.OUT_OF_PROVINCE, WorkStatus.PROVINCE, WorkStatus.NOT_WORKING),
                        (30, 10, 60))[0]

    def save_households(self):
        families = [f for code in self.spec for f in self.families[code]]
        families += self.archived_families + self.pending_families
        self.save(m.Household, [f.household for f in families])
        # Their dated exits, returns and archiving, as Household.save() would record them.
        self.save(m.HouseholdEvent, [
            m.HouseholdEvent(household_id=f.household.pk, kind=change.kind, on=change.on)
            for f in families
            for change in standing_changes(None, f.household.standing(), RETURNED_ON)[0]
        ])
        self.save(m.Member, [p.member for f in families for p in f.persons])
        through = m.Household.other_causes.through
        self.save(through, [through(household=f.household, povertycause=c)
                            for f in families for c in f.household.demo_other_causes])

    # -- training ----------------------------------------------------------------------------
    def build_training(self):
        """298 approved sessions by AS_OF where 27,438 registered people were trained (17,129
        of them in households that exited after their first training); in 汝南县 they come
        from 2,731 households. Also: sessions after AS_OF, sessions returned or still in
        review, people trained twice, and trainees from archived households."""
        def trainable(p):
            return 16 <= p.age <= 70

        # 汝南县 first: whole households, so that their number is the article's.
        runan_exited = round(RUNAN_TRAINED_HOUSEHOLDS * 0.6)
        runan = []
        for exited, wanted in ((True, runan_exited),
                               (False, RUNAN_TRAINED_HOUSEHOLDS - runan_exited)):
            pool = [f for f in self.families[RUNAN] if (f.exited_on is not None) == exited
                    and any(trainable(p) for p in f.persons)]
            for family in self.rng.sample(pool, wanted):
                candidates = [p for p in family.persons if trainable(p)]
                k = min(len(candidates), self.rng.choices((1, 2, 3), (45, 40, 15))[0])
                runan += self.rng.sample(candidates, k)
        self.take_up_planting(list(dict.fromkeys(p.family for p in runan)))
        runan_ex = [p for p in runan if p.family.exited_on]
        others = [RUNAN]
        exited = runan_ex + self.sample(
            self.per_county(TRAINED_AND_EXITED + EXITED_BEFORE_TRAINING - len(runan_ex), others),
            trainable, exited=True)
        not_exited = [p for p in runan if not p.family.exited_on] + self.sample(
            self.per_county(PEOPLE_TRAINED - len(exited) - (len(runan) - len(runan_ex)), others),
            trainable, exited=False)
        counted, before = self.split(exited, EXITED_BEFORE_TRAINING)
        trained = counted + before + not_exited
        if len(trained) != PEOPLE_TRAINED or len(set(trained)) != PEOPLE_TRAINED:
            raise DemoDataError("people trained")

        people_by_county = Counter(p.family.code for p in trained)
        codes = list(self.spec)
        sessions_by_county = dict(zip(codes, apportion(
            TRAINING_SESSIONS, [people_by_county[c] for c in codes]), strict=True))
        sessions, calendars, later, drafts = [], {}, {}, {}
        for code in codes:
            n = sessions_by_county[code]
            days = [self.day_between(date(2016, 3, 1), date(2016, 5, 31)),
                    self.exit_batches[code][2]]  # one held on an exit batch day
            span = (AS_OF - date(2016, 6, 1)).days
            days += [date(2016, 6, 1) + datetime.timedelta(
                days=int(span * (i + self.rng.random()) / (n - 2))) for i in range(n - 2)]
            mine = [self.session(code, day, APPROVED) for day in days]
            calendars[code] = Dated(mine, "held_on")
            later[code] = [self.session(code, self.day_between(date(2018, 9, 5), DATA_END))
                           for _ in range(14)]
            for s in later[code]:
                s.review_status = self.later_status(s.held_on)
            drafts[code] = [self.session(code, self.day_between(date(2018, 3, 1), AS_OF),
                                         ReviewStatus.RETURNED)]
            sessions += mine + later[code] + drafts[code]
        welding = calendars[XIPING].rows[-3]
        welding.topic, welding.trainer = "电焊技能培训", "西平县鼎力杆塔公司金蓝领技工学校"
        welding.field = self.fields["industry"]
        welding.place = "西平县鼎力杆塔公司金蓝领技工学校"
        self.welding_day = welding.held_on
        sessions = self.save(m.TrainingSession, sessions)

        links = []  # (person, session)
        first = {}

        def attend(person, session):
            links.append((person, session))
            first.setdefault(person, session)

        welders = [p for p in not_exited
                   if p.family.code == XIPING and p.job == "enterprise"][:DINGLI_WELDERS]
        for p in welders:
            p.job = "welder"
            attend(p, welding)
        welders = set(welders)
        calendars[XIPING] = Dated([s for s in calendars[XIPING].rows if s is not welding],
                                  "held_on")
        for p in counted:
            attend(p, self.rng.choice(calendars[p.family.code].on_or_before(p.family.exited_on)))
        for p in before:
            attend(p, self.rng.choice(calendars[p.family.code].after(p.family.exited_on)))
        for p in not_exited:
            if p not in welders:
                attend(p, self.rng.choice(calendars[p.family.code].rows))
        # Trained again: later by AS_OF, or after it.
        for p in self.rng.sample(trained, 2_000):
            again = calendars[p.family.code].after(first[p].held_on)
            attend(p, self.rng.choice(again or later[p.family.code]))
        for p in self.rng.sample(trained, 1_200):
            attend(p, self.rng.choice(later[p.family.code]))
        # Trained only after AS_OF, or only in a returned session.
        trained_set = set(trained)
        newcomers = self.sample(self.per_county(2_000), trainable, exclude=trained_set)
        for p in newcomers:
            attend(p, self.rng.choice(later[p.family.code]))
        newcomers = set(newcomers)
        for code in codes:
            pool = [p for p in self.persons[code]
                    if trainable(p) and p not in trained_set and p not in newcomers]
            for p in self.rng.sample(pool, 30):
                attend(p, drafts[code][0])
        for family in self.archived_families:
            for p in family.persons:
                if trainable(p):
                    attend(p, self.rng.choice(calendars[family.code].rows))
        seen, rows = set(), []
        for person, session in links:
            if (person, session) not in seen:
                seen.add((person, session))
                rows.append(self.owned(m.TrainingAttendance(session_id=session.pk,
                                                           member_id=person.member.pk),
                                       self.code(session)))
        self.save(m.TrainingAttendance, rows)

    def take_up_planting(self, trained_families):
        """1,744 of 汝南县's trained households took up planting or breeding, between March and
        AS_OF 2018 (the households are saved already: their rows and "created" history
        entries get the industry). Drawn without the random generator, so the rest of the demo
        is as before."""
        chosen = [f.household for f in trained_families[:RUNAN_TOOK_UP_PLANTING]]
        planting = self.fields["planting_breeding"]
        first, span = date(2018, 3, 1), (AS_OF - date(2018, 3, 1)).days
        for i, household in enumerate(chosen):
            household.industry = planting
            household.industry_since = first + datetime.timedelta(days=i * span // len(chosen))
        m.Household.objects.bulk_update(chosen, ["industry", "industry_since"], batch_size=500)
        history = {
            row.id: row for row in m.Household.history.filter(id__in=[h.pk for h in chosen])
        }
        for household in chosen:
            history[household.pk].industry_id = planting.pk
            history[household.pk].industry_since = household.industry_since
        m.Household.history.bulk_update(
            list(history.values()), ["industry", "industry_since"], batch_size=500
        )

    def session(self, code, day, status=APPROVED):
        field_code = self.rng.choices(list(TRAINING_TOPICS), (50, 10, 5, 10, 8, 12, 5))[0]
        if code == RUNAN and self.rng.random() < 0.3:
            field_code = "industry"
        township = self.rng.choice(self.spec[code].townships)
        lecturer = None
        if self.rng.random() < 0.3:  # a labor model teaches
            lecturer = self.rng.choice(self.local_by_county[code])
        if lecturer:
            trainer = lecturer.name
        else:
            trainer = f"{self.rng.choice(TRAINERS)} {self.name(Sex.MALE)}"
        return self.owned(m.TrainingSession(
            held_on=day, topic=self.rng.choice(TRAINING_TOPICS[field_code]),
            field=self.fields[field_code], trainer=trainer,
            labor_model=lecturer,
            place=self.rng.choice((f"{township}农民文化广场", f"{township}文化站",
                                   f"{self.spec[code].name}职业教育中心")),
            other_attendees=self.rng.choice((0, 0, 5, 10, 20, 30, 50)),
        ), code, status)

    # -- projects and workshops --------------------------------------------------------------
    def build_projects_and_workshops(self):
        """117 enterprise projects (7,127.85 万元) and 79 collective projects (1,498 万元) by
        AS_OF; 196 workshops; 14,496 registered beneficiaries of the enterprise projects, 1,405
        of them in households that exited after their benefit began."""
        def anyone(p):  # people benefit with their household, children included
            return True

        exited = self.sample(
            self.per_county(PROJECT_BENEFICIARIES_EXITED + EXITED_BEFORE_PROJECT), anyone,
            exited=True)
        counted, before = self.split(exited, EXITED_BEFORE_PROJECT)
        not_exited = self.sample(
            self.per_county(PROJECT_BENEFICIARIES - len(exited)), anyone, exited=False)
        beneficiaries = counted + before + not_exited
        people_by_county = Counter(p.family.code for p in beneficiaries)
        codes = list(self.spec)
        per_county = dict(zip(codes, apportion(
            ENTERPRISE_PROJECTS, [people_by_county[c] for c in codes]), strict=True))
        funds = self.split_amount(ENTERPRISE_PROJECT_FUNDS, ENTERPRISE_PROJECTS, Decimal(500))
        projects, calendars, later, drafts = [], {}, {}, {}
        for code in codes:
            sponsors = [e for e in self.enterprises_by_county[code] if "projects" in e.demo_roles]
            n = per_county[code]
            chosen = sponsors[:n] + [self.rng.choice(sponsors) for _ in range(n - len(sponsors))]
            self.rng.shuffle(chosen)
            span = (date(2018, 8, 15) - HELP_BEGINS).days
            mine = []
            for i, ent in enumerate(chosen):
                offset = int(span * (i + self.rng.random()) / n)  # spread over the period
                day = HELP_BEGINS + datetime.timedelta(days=offset)
                mine.append(self.project(code, day, funds.pop(), enterprise=ent))
            calendars[code] = Dated(mine, "started_on")
            later[code] = [self.project(code, self.day_between(date(2018, 10, 1), DATA_END),
                                        self.round_amount(50_000, 900_000), enterprise=ent)
                           for ent in self.rng.sample(chosen, 2)]
            for p in later[code]:
                p.review_status = self.later_status(p.started_on)
            drafts[code] = [self.project(code, self.day_between(date(2018, 4, 1), AS_OF),
                                         self.round_amount(50_000, 500_000),
                                         enterprise=chosen[0], status=ReviewStatus.RETURNED)]
            projects += mine + later[code] + drafts[code]
        collective_projects = self.collective_projects()
        projects = self.save(m.IndustryProject, projects + collective_projects)

        links = []  # (person, project, since)
        for p in counted:
            project = self.rng.choice(calendars[p.family.code].on_or_before(p.family.exited_on))
            links.append((p, project, self.day_between(project.started_on, p.family.exited_on)))
        for p in before:
            project = self.rng.choice(calendars[p.family.code].rows)
            start = max(project.started_on, p.family.exited_on + datetime.timedelta(days=1))
            links.append((p, project, self.day_between(start, AS_OF)))
        for p in not_exited:
            project = self.rng.choice(calendars[p.family.code].rows)
            links.append((p, project, self.day_between(project.started_on, AS_OF)))
        first = {p: (project, since) for p, project, since in links}
        # A second project for some, always later than the first benefit.
        for p in self.rng.sample(beneficiaries, 1_100):
            first_project, since = first[p]
            options = [pr for pr in calendars[p.family.code].rows + later[p.family.code]
                       if pr is not first_project]
            project = self.rng.choice(options)
            start = max(since, project.started_on) + datetime.timedelta(days=1)
            links.append((p, project, self.day_between(start, max(start, DATA_END))))
        # Beneficiaries only after AS_OF, of a returned project, of collective projects, and
        # from archived households.
        taken = set(beneficiaries)
        for p in self.sample(self.per_county(1_000), anyone, exclude=taken):
            project = self.rng.choice(calendars[p.family.code].rows + later[p.family.code])
            start = max(project.started_on, date(2018, 9, 3))
            links.append((p, project, self.day_between(start, max(start, DATA_END))))
        for p in self.sample(self.per_county(300), anyone, exclude=taken):
            project = drafts[p.family.code][0]
            links.append((p, project, self.day_between(project.started_on, AS_OF)))
        by_county = {}
        for project in collective_projects:
            by_county.setdefault(self.code(project), []).append(project)
        for p in self.sample(self.per_county(900), anyone):
            project = self.rng.choice(by_county[p.family.code])
            links.append((p, project, self.day_between(project.started_on,
                                                       max(project.started_on, DATA_END))))
        for family in self.archived_families:
            for p in family.persons:
                if self.rng.random() < 0.4:
                    project = self.rng.choice(calendars[family.code].rows)
                    links.append((p, project, self.day_between(project.started_on, AS_OF)))
        seen, rows = set(), []
        for person, project, since in links:
            if (person, project) not in seen:
                seen.add((person, project))
                rows.append(self.owned(m.ProjectBeneficiary(
                    project_id=project.pk, member_id=person.member.pk, since=since),
                    self.code(project)))
        self.save(m.ProjectBeneficiary, rows)
        self.build_workshops(calendars)

    def collective_projects(self):
        """79 projects of advanced collectives by AS_OF, and a few later or returned ones."""
        sponsors = list(self.collectives_by_role["project"])
        extra = self.rng.sample(sponsors, COLLECTIVE_PROJECTS - len(sponsors))
        funds = self.split_amount(COLLECTIVE_PROJECT_FUNDS, COLLECTIVE_PROJECTS, Decimal(10_000))
        rows = []
        for coll in sponsors + extra:
            rows.append(self.project(self.code(coll), self.day_between(HELP_BEGINS, AS_OF),
                                     funds.pop(), collective=coll))
        for coll in self.collectives_by_role["later_project"]:
            day = self.day_between(date(2019, 1, 1), DATA_END)
            rows.append(self.project(self.code(coll), day, self.round_amount(100_000, 500_000),
                                     collective=coll, status=self.later_status(day)))
        for coll in self.rng.sample(sponsors, 3):
            rows.append(self.project(self.code(coll), self.day_between(date(2018, 3, 1), AS_OF),
                                     self.round_amount(100_000, 300_000), collective=coll,
                                     status=ReviewStatus.DRAFT))
        return rows

    def project(self, code, day, funds, enterprise=None, collective=None, status=APPROVED):
        sponsor = enterprise or collective
        village = self.rng.choice([v for v in self.villages[code] if v.is_poor_village]
                                  or self.villages[code])
        if enterprise:
            what = self.rng.choice(("种植基地", "养殖基地", "农产品加工", "扶贫车间", "冷链仓储",
                                    "电商服务站"))
        else:
            what = self.rng.choice(("村内道路硬化", "安全饮水", "光伏电站", "村级活动场所",
                                    "产业基地", "技能培训基地"))
        return self.owned(m.IndustryProject(
            name=f"{village.name}{what}项目", enterprise=enterprise, collective=collective,
            funds=funds, started_on=day, village=village,
            description=f"{sponsor.name}在{village.name}实施的{what}项目",
        ), code, status)

    def build_workshops(self, project_calendars):
        """196 poverty-alleviation workshops by AS_OF (20 of them 丰盈制衣's 巧媳妇 factories),
        more after AS_OF, and a few still in draft."""
        fengying = self.enterprise_named[FENGYING]
        rest = self.per_county(WORKSHOPS - FENGYING_WORKSHOPS)
        rows = []
        for code, n in rest.items():
            hosts = [e for e in self.enterprises_by_county[code]
                     if e.demo_roles & {"projects", "finance"} and e is not fengying]
            for _ in range(n):
                rows.append(self.workshop(self.rng.choice(hosts), project_calendars,
                                          self.day_between(date(2016, 4, 1), AS_OF)))
        for _ in range(FENGYING_WORKSHOPS):
            day = self.day_between(date(2016, 9, 1), AS_OF)
            rows.append(self.workshop(fengying, project_calendars, day, "巧媳妇扶贫加工厂"))
        counted = list(rows)
        for _ in range(30):
            ent = self.rng.choice(counted).enterprise
            day = self.day_between(date(2018, 9, 10), DATA_END)
            rows.append(self.workshop(ent, project_calendars, day, status=self.later_status(day)))
        for _ in range(4):
            ent = self.rng.choice(counted).enterprise
            rows.append(self.workshop(ent, project_calendars,
                                      self.day_between(date(2018, 5, 1), AS_OF),
                                      status=ReviewStatus.DRAFT))
        rows = self.save(m.Workshop, rows)
        self.workshops = {code: Dated([w for w in rows[: len(counted)] if self.code(w) == code],
                                      "opened_on") for code in self.spec}
        self.fengying_workshops = [w for w in rows[: len(counted)] if w.enterprise is fengying]

    def workshop(self, enterprise, project_calendars, day, kind="扶贫车间", status=APPROVED):
        code = self.code(enterprise)
        village = self.rng.choice(self.villages[code])
        projects = [p for p in project_calendars[code].on_or_before(day)
                    if p.enterprise is enterprise]
        return self.owned(m.Workshop(
            name=f"{enterprise.name}{village.name}{kind}", enterprise=enterprise,
            project=self.rng.choice(projects) if projects else None, village=village,
            opened_on=day,
        ), code, status)

    # -- finance -----------------------------------------------------------------------------
    def build_finance(self):
        """Finance agreements by AS_OF: 161 enterprises and co-ops with 8,251 households, about
        4.1 亿元 (exactly 410,000,000.00 here); yearly dividends of at least 2,000 yuan. Also
        agreements after AS_OF and a few drafts."""
        agreements = []
        counted_households = set()
        for code in self.spec:
            families = list(self.families[code])
            self.rng.shuffle(families)
            finance = [e for e in self.enterprises_by_county[code] if "finance" in e.demo_roles]
            named = [e for e in finance if e.name in NAMED_AGREEMENT_HOUSEHOLDS]
            others = [e for e in finance if e.name not in NAMED_AGREEMENT_HOUSEHOLDS]
            chosen = []
            for ent in named:
                wanted = NAMED_AGREEMENT_HOUSEHOLDS[ent.name]
                taken = set(chosen)
                pool = [f for f in families if f not in taken]
                if ent.name == LU_XINAI_COOP:  # households of five townships
                    townships = set(self.rng.sample(self.spec[code].townships, 5))
                    pool = [f for f in pool if f.household.village.township.name in townships]
                picked = pool[:wanted]
                if len(picked) < wanted:
                    raise DemoDataError(f"{ent.name}: {len(picked)} households")
                chosen += picked
                for i, family in enumerate(picked):
                    amount = Decimal(50_000 if i < 260 else 62_500) if ent.name == YUPO else None
                    agreements.append(self.agreement(ent, family, amount=amount))
            taken = set(chosen)
            pool = [f for f in families if f not in taken]
            rest = pool[: self.finance_households_by_county[code] - len(chosen)]
            shares = apportion(len(rest), [self.rng.lognormvariate(0, 0.7) for _ in others])
            start = 0
            for ent, share in zip(others, shares, strict=True):
                for family in rest[start: start + share]:
                    agreements.append(self.agreement(ent, family))
                start += share
            chosen += rest
            counted_households.update(chosen)
            # A second agreement, with another enterprise of the county.
            for family in self.rng.sample(chosen, len(chosen) // 20):
                ent = self.rng.choice(others)
                agreements.append(self.agreement(ent, family))
        self.adjust_total(agreements, FINANCE_FUNDS)
        if len(counted_households) != FINANCE_HOUSEHOLDS:
            raise DemoDataError(f"finance households {len(counted_households)}")
        # After AS_OF, and drafts by AS_OF.
        for ent in self.enterprises:
            roles = ent.demo_roles
            code = self.code(ent)
            if "later_finance" in roles or ("finance" in roles and self.rng.random() < 0.2):
                pool = [f for f in self.families[code] if f not in counted_households]
                for family in self.rng.sample(pool, self.rng.randint(10, 40)):
                    day = self.day_between(date(2018, 9, 10), date(2020, 11, 30))
                    agreements.append(self.agreement(ent, family, day=day,
                                                     status=self.later_status(day)))
            if "draft_finance" in roles:
                pool = [f for f in self.families[code] if f not in counted_households]
                for family in self.rng.sample(pool, 15):
                    agreements.append(self.agreement(
                        ent, family, day=self.day_between(date(2018, 5, 1), AS_OF),
                        status=self.rng.choice((ReviewStatus.DRAFT, ReviewStatus.RETURNED))))
        agreements = self.save(m.FinanceAgreement, agreements)
        self.save(m.DividendPayment, [d for a in agreements for d in self.dividends(a)])

    def agreement(self, enterprise, family, amount=None, day=None, status=APPROVED):
        cooperative = enterprise.kind == EnterpriseKind.COOPERATIVE
        model = self.rng.choices(
            [FinanceModel.EQUITY_DIVIDEND, FinanceModel.MICROCREDIT, FinanceModel.LAND_TRANSFER,
             FinanceModel.CUSTODY], (30, 20, 30, 20) if cooperative else (55, 35, 7, 3))[0]
        if enterprise.name == YUPO:
            model = FinanceModel.EQUITY_DIVIDEND
        if amount is None:
            if model == FinanceModel.EQUITY_DIVIDEND:
                amount = self.rng.choice((50_000, 50_000, 50_000, 60_000, 80_000, 100_000))
            elif model == FinanceModel.MICROCREDIT:
                amount = self.rng.choice((30_000, 50_000, 50_000, 50_000))
            else:
                amount = self.rng.randrange(10_000, 40_001, 1_000)
            amount = Decimal(amount)
        while True:  # one agreement per enterprise, household and day
            signed_on = day or self.day_between(date(2016, 3, 1), AS_OF)
            key = (id(enterprise), id(family), signed_on)
            if key not in self.agreement_keys:
                self.agreement_keys.add(key)
                break
            day = None
        agreement = self.owned(m.FinanceAgreement(
            enterprise_id=enterprise.pk, household_id=family.household.pk, model=model,
            funds=amount, signed_on=signed_on,
        ), family.code, status)
        agreement.demo_adjustable = enterprise.name != YUPO and model in (
            FinanceModel.EQUITY_DIVIDEND, FinanceModel.MICROCREDIT)
        return agreement

    def adjust_total(self, agreements, total):
        """Bring the agreements' funds to exactly ``total`` in steps of at most 10,000 yuan,
        keeping each equity or microcredit agreement between 20,000 and 100,000 yuan."""
        difference = total - sum(a.funds for a in agreements)
        adjustable = [a for a in agreements if a.demo_adjustable]
        step = Decimal(10_000)
        while difference:
            agreement = self.rng.choice(adjustable)
            change = min(step, abs(difference)) * (1 if difference > 0 else -1)
            if Decimal(20_000) <= agreement.funds + change <= Decimal(100_000):
                agreement.funds += change
                difference -= change

    def dividends(self, agreement):
        if agreement.review_status != APPROVED:
            return []
        signed = agreement.signed_on
        rows = []
        # Paid every December, from the first one at least nine months after signing.
        for year in range(signed.year + (signed.month > 3), DATA_END.year + 1):
            paid_on = date(year, 12, self.rng.randint(10, 18))
            if agreement.model == FinanceModel.LAND_TRANSFER:
                amount = Decimal(self.rng.randrange(2_000, 2_801, 100))
            else:
                rate = Decimal(self.rng.choice(("0.06", "0.07", "0.08")))
                amount = max(Decimal(2_000), (agreement.funds * rate).quantize(Decimal(1)))
            rows.append(self.owned(m.DividendPayment(
                agreement_id=agreement.pk, year=year, amount=amount, paid_on=paid_on,
            ), self.code(agreement), self.later_status(paid_on, DIVIDENDS_IN_REVIEW)))
        return rows

    # -- employment --------------------------------------------------------------------------
    def build_employment(self):
        """The jobs planned in plan_employment, with their dates, plus the distractors: jobs
        ended by AS_OF, unstable jobs, jobs started later, jobs still in review, earlier jobs of
        people now stably employed, and jobs of archived households' members."""
        rng = self.rng
        employers = self.collectives_by_role["job"]
        collective_by_county = {}
        for coll in employers:
            collective_by_county.setdefault(self.code(coll), []).append(coll)
        rows = []

        def job(person, start, end=None, stable=True, status=APPROVED, **employer):
            code = person.family.code
            if not employer:
                employer = self.employer(person, start)
            rows.append(self.owned(m.Employment(
                member_id=person.member.pk, started_on=start, ended_on=end,
                monthly_wage=Decimal(rng.randrange(1_200, 4_501, 100)), is_stable=stable,
                job_training=rng.random() < 0.4, **employer,
            ), code, status))

        def active_end():
            return None if rng.random() < 0.8 else self.day_between(date(2018, 9, 15), DATA_END)

        # Every collective that employs has someone; the others go to one at random.
        employer_of = {}
        for code, collectives in collective_by_county.items():
            hired = [p for persons in self.collective_hires.values() for p in persons
                     if p.family.code == code]
            for i, p in enumerate(hired):
                employer_of[p] = (collectives[i] if i < len(collectives)
                                  else rng.choice(collectives))
        unsteady = set(self.collective_unsteady)
        for kind, persons in self.collective_hires.items():
            for p in persons:
                exit_day = p.family.exited_on
                if kind == "counted":
                    start = self.day_between(HELP_BEGINS, exit_day)
                elif kind == "before":
                    start = self.day_between(exit_day + datetime.timedelta(days=1), AS_OF)
                else:
                    start = self.day_between(HELP_BEGINS, AS_OF)
                coll = employer_of[p]
                if p not in unsteady:
                    job(p, start, active_end(), collective_id=coll.pk)
                elif rng.random() < 0.55:
                    job(p, start, active_end(), stable=False, collective_id=coll.pk)
                else:  # ended by AS_OF (a few on AS_OF itself, which is not "after")
                    end = AS_OF if rng.random() < 0.05 else self.day_between(start, AS_OF)
                    job(p, start, end, stable=rng.random() < 0.5, collective_id=coll.pk)
        fengying_left = FENGYING_HIRES
        for p in self.stable_hires:
            start = self.day_between(HELP_BEGINS, AS_OF)
            if p.job == "workshop" and p.family.code == BIYANG and fengying_left:
                fengying_left -= 1
                workshop = rng.choice(self.fengying_workshops)
                job(p, max(start, workshop.opened_on), active_end(), workshop_id=workshop.pk)
            elif p.job == "welder":  # hired after the welding course
                hired = min(AS_OF, self.welding_day + datetime.timedelta(days=7))
                job(p, hired, None, enterprise_id=self.enterprise_named[DINGLI].pk)
                rows[-1].job_training = True
            else:
                job(p, start, active_end())
            if rng.random() < 0.05:  # an earlier job that ended
                earlier = self.day_between(date(2015, 3, 1), start)
                job(p, earlier, self.day_between(earlier, start), stable=rng.random() < 0.5)
        # People who are not stably employed on AS_OF.
        persons = self.job_distractors
        ended, unstable, later, pending, collective_later, collective_draft = (
            persons[:600], persons[600:1500], persons[1500:2700], persons[2700:2820],
            persons[2820:2970], persons[2970:])
        for p in ended:
            start = self.day_between(HELP_BEGINS, date(2018, 6, 30))
            end = AS_OF if rng.random() < 0.02 else self.day_between(start, AS_OF)
            job(p, start, end)
        for p in unstable:
            job(p, self.day_between(HELP_BEGINS, AS_OF), active_end(), stable=False)
        for p in later:
            start = self.day_between(date(2018, 9, 1), DATA_END)
            job(p, start, None, status=self.later_status(start))
        for p in pending:
            status = rng.choice((ReviewStatus.DRAFT, ReviewStatus.SUBMITTED, ReviewStatus.RETURNED))
            job(p, self.day_between(date(2018, 3, 1), AS_OF), None, status=status)
        later_collectives = self.collectives_by_role["later_job"]
        for p in collective_later:
            options = [c for c in later_collectives if self.code(c) == p.family.code]
            coll = rng.choice(options or collective_by_county[p.family.code])
            start = self.day_between(date(2018, 9, 1), DATA_END)
            job(p, start, None, status=self.later_status(start), collective_id=coll.pk)
        for p in collective_draft:
            job(p, self.day_between(date(2018, 3, 1), AS_OF), None, status=ReviewStatus.DRAFT,
                collective_id=rng.choice(collective_by_county[p.family.code]).pk)
        for family in self.archived_families:
            for p in family.persons:
                if p.can_work and rng.random() < 0.5:
                    coll = rng.choice(collective_by_county[family.code])
                    job(p, self.day_between(HELP_BEGINS, AS_OF), None,
                        **({"collective_id": coll.pk} if rng.random() < 0.3 else {}))
        self.save(m.Employment, rows)

    def employer(self, person, start):
        code = person.family.code
        kind = person.job
        if kind == "workshop":
            opened = self.workshops[code].on_or_before(start)
            if opened:
                return {"workshop_id": self.rng.choice(opened).pk}
            kind = "enterprise"
        if kind == "enterprise":
            return {"enterprise_id": self.rng.choice(self.enterprises_by_county[code]).pk}
        if kind == "quanshun":
            return {"employer_name": "深圳全顺人力资源有限公司"}
        township = person.family.household.village.township.name
        if kind == "qiaoxifu":
            return {"employer_name": f"巧媳妇工程{township}加工点"}
        return {"employer_name": self.rng.choice(
            (f"{township}公益性岗位(保洁员)", f"{township}公益性岗位(护林员)",
             f"{person.family.household.village.name}公益性岗位(治安巡逻)"))}

    # -- pairings ----------------------------------------------------------------------------
    def build_pairings(self):
        """780 of the 1,950 local labor models in service have a pairing active on AS_OF, in
        the 6+1 modes; collectives and enterprises pair too. Distractors: ended pairings (some
        on AS_OF itself), later ones, ones still in review, and pairings of labor models that
        do not count (retired, elsewhere, awarded later, or not approved)."""
        rng = self.rng
        rows = []

        def target(code):
            if rng.random() < 0.15:
                poor = [v for v in self.villages[code] if v.is_poor_village]
                return {"village": rng.choice(poor or self.villages[code])}
            return {"household": rng.choice(self.families[code]).household}

        def pair(code, mode, start, end=None, status=APPROVED, whom=None, **helper):
            reason = "贫困户已稳定脱贫,结对期满" if end else ""
            rows.append(self.owned(m.Pairing(
                mode=mode, start_date=start, end_date=end, plan=PAIRING_PLANS[mode],
                end_reason=reason, **helper, **(whom or target(code)),
            ), code, status))

        def mode_of(lm):
            return rng.choice(MODES_BY_FIELD[rng.choice(lm.demo_fields).code]
                              + (PairingMode.ONE_TO_ONE, PairingMode.ASPIRATION))

        local = list(self.labor_models_local)
        named = [lm for lm in self.named_labor_models.values() if lm.in_service and lm.is_local]
        rest = [lm for lm in local if lm not in named]
        rng.shuffle(rest)
        taking_part = named + rest[: PARTICIPATING_LABOR_MODELS - len(named)]
        idle = rest[PARTICIPATING_LABOR_MODELS - len(named):]
        for lm in taking_part:
            code = self.code(lm)
            for _ in range(rng.choices((1, 2, 3), (55, 30, 15))[0]):
                end = None if rng.random() < 0.6 else self.day_between(date(2018, 9, 1), DATA_END)
                pair(code, mode_of(lm), self.day_between(date(2016, 3, 1), AS_OF), end,
                     labor_model=lm)
            if rng.random() < 0.15:
                start = self.day_between(date(2016, 3, 1), date(2017, 6, 30))
                pair(code, mode_of(lm), start, self.day_between(start, AS_OF), labor_model=lm)
        ended, later, pending = idle[:80], idle[80:130], idle[130:155]
        for i, lm in enumerate(ended):
            start = self.day_between(date(2016, 3, 1), date(2018, 3, 1))
            end = AS_OF if i < 8 else self.day_between(start, AS_OF)
            pair(self.code(lm), mode_of(lm), start, end, labor_model=lm)
        for lm in later:
            start = self.day_between(date(2018, 9, 1), DATA_END)
            pair(self.code(lm), mode_of(lm), start, status=self.later_status(start),
                 labor_model=lm)
        for lm in pending:
            pair(self.code(lm), mode_of(lm), self.day_between(date(2018, 5, 1), AS_OF),
                 status=rng.choice((ReviewStatus.DRAFT, ReviewStatus.RETURNED)), labor_model=lm)
        outsiders = [lm for lm in self.labor_models_counted
                     if not (lm.in_service and lm.is_local)]
        for lm in rng.sample(outsiders, 40) + rng.sample(self.labor_models_later, 20):
            pair(self.code(lm), mode_of(lm), self.day_between(date(2017, 1, 1), AS_OF),
                 labor_model=lm)
        for coll in self.collectives_by_role["pairing"]:
            for _ in range(rng.choice((1, 2, 3))):
                start = self.day_between(date(2016, 3, 1), AS_OF)
                end = None if rng.random() < 0.7 else self.day_between(start, DATA_END)
                pair(self.code(coll), PairingMode.COLLECTIVE, start, end, collective_id=coll.pk)
        for coll in self.collectives_by_role["draft_pairing"]:
            pair(self.code(coll), PairingMode.COLLECTIVE,
                 self.day_between(date(2018, 4, 1), AS_OF), status=ReviewStatus.DRAFT,
                 collective_id=coll.pk)
        for coll in self.collectives_by_role["later_project"]:
            start = self.day_between(date(2019, 1, 1), DATA_END)
            pair(self.code(coll), PairingMode.COLLECTIVE, start, status=self.later_status(start),
                 collective_id=coll.pk)
        active = [e for e in self.enterprises if e.demo_roles & {"finance", "projects"}]
        for ent in rng.sample(active, 60):
            for _ in range(rng.choice((1, 2))):
                start = self.day_between(date(2016, 3, 1), DATA_END)
                mode = rng.choice(
                    (PairingMode.INDUSTRY, PairingMode.EMPLOYMENT, PairingMode.PROJECT))
                pair(self.code(ent), mode, start, status=self.later_status(start), enterprise=ent)
        for family in self.pending_families:
            if rng.random() < 0.5:
                pair(family.code, PairingMode.ONE_TO_ONE,
                     max(family.household.identified_on, date(2020, 11, 1)),
                     status=ReviewStatus.DRAFT, whom={"household": family.household},
                     labor_model=rng.choice(self.local_by_county[family.code]))
        self.save(m.Pairing, rows)

    # -- volunteering and material aid -------------------------------------------------------
    def build_volunteering(self):
        """28 volunteer teams by AS_OF holding 359 events for 17,085 beneficiaries; later teams
        and events, and a few returned events."""
        rng = self.rng
        teams = []
        for code, specs in VOLUNTEER_TEAM_NAMES.items():
            leaders = self.local_by_county[code]
            for name, team_field in specs:
                founded = (self.day_between(date(2018, 6, 1), date(2018, 7, 15)) if code == PINGYU
                           else self.day_between(date(2016, 3, 1), date(2018, 7, 31)))
                teams.append(self.owned(m.VolunteerTeam(
                    name=name, field=team_field, leader=rng.choice(leaders), founded_on=founded,
                ), code))
        if len(teams) != VOLUNTEER_TEAMS:
            raise DemoDataError("volunteer teams")
        for code, name, team_field, founded, status in LATER_TEAMS:
            leaders = self.local_by_county[code]
            teams.append(self.owned(m.VolunteerTeam(
                name=name, field=team_field, leader=rng.choice(leaders), founded_on=founded,
            ), code, status))
        teams = self.save(m.VolunteerTeam, teams)
        counted = teams[:VOLUNTEER_TEAMS]
        # Older teams hold more events; every team at least two.
        weights = [max(1.0, (AS_OF - t.founded_on).days / 60) for t in counted]
        per_team = [2 + n for n in apportion(VOLUNTEER_EVENTS - 2 * len(counted), weights)]
        beneficiaries = apportion(VOLUNTEER_BENEFICIARIES,
                                  [rng.lognormvariate(0, 0.5) for _ in range(VOLUNTEER_EVENTS)])
        events = []
        for team, n in zip(counted, per_team, strict=True):
            for _ in range(n):
                events.append(self.event(team, self.day_between(team.founded_on, AS_OF),
                                         beneficiaries.pop()))
        for team in teams:
            start = max(team.founded_on, date(2018, 9, 1))
            for _ in range(rng.randint(4, 12)):
                day = self.day_between(start, DATA_END)
                events.append(self.event(team, day, rng.randint(10, 120), self.later_status(day)))
        for team in rng.sample(counted, 7):
            events.append(self.event(team, self.day_between(team.founded_on, AS_OF),
                                     rng.randint(20, 80), ReviewStatus.RETURNED))
        self.save(m.VolunteerEvent, events)

    def event(self, team, day, beneficiaries, status=APPROVED):
        code = self.code(team)
        village = self.rng.choice(self.villages[code])
        kind, title = {
            TeamField.MEDICAL: (VolunteerEventKind.SERVICE, f"劳模义诊进{village.name}"),
            TeamField.EDUCATION: (VolunteerEventKind.SERVICE, f"{village.name}贫困学生助学走访"),
            TeamField.AGRICULTURE: (VolunteerEventKind.SERVICE, f"送技术下乡到{village.name}"),
            TeamField.INDUSTRY: (VolunteerEventKind.CAMPAIGN, f"{village.name}产业扶贫政策宣传"),
        }.get(team.field, self.rng.choice((
            (VolunteerEventKind.POLICY_TALK, f"脱贫攻坚政策宣讲进{village.name}"),
            (VolunteerEventKind.CAMPAIGN, "劳模精神进乡村宣传活动"),
        )))
        return self.owned(m.VolunteerEvent(
            team=team, held_on=day, title=title, kind=kind,
            place=f"{village.township.name}{village.name}", beneficiaries=beneficiaries,
        ), code, status)

    def build_material_aid(self):
        """Visits, material and cash help, and 驿城区's 爱心公益超市 incentive points."""
        rng = self.rng
        rows = []

        def aid(family, day, kind, description, value=None, points=None, labor_model=None):
            rows.append(self.owned(m.MaterialAid(
                household=family.household, given_on=day, kind=kind, description=description,
                value=value, points=points, labor_model=labor_model,
            ), family.code, self.later_status(day)))

        shop_tasks = ("参加村庄环境整治义务劳动", "家庭卫生评比“美丽庭院”", "子女学业进步",
                      "参加技能培训并结业", "孝老爱亲")
        for family in rng.sample(self.families[YICHENG], 300):
            for _ in range(rng.randint(1, 4)):
                task = rng.choice(shop_tasks)
                aid(family, self.day_between(date(2017, 5, 1), DATA_END), AidKind.CHARITY_SHOP,
                    f"{task},获得爱心公益超市积分,可兑换米面油等生活用品",
                    points=rng.choice((5, 10, 10, 20, 30, 50)))
        for code, families in self.families.items():
            for family in rng.sample(families, len(families) // 12):
                lm = rng.choice(self.local_by_county[code])
                aid(family, self.day_between(date(2016, 6, 1), DATA_END), AidKind.VISIT,
                    "劳模入户走访,了解家庭生产生活情况和脱贫诉求", labor_model=lm)
            for family in rng.sample(families, len(families) // 30):
                aid(family, self.day_between(date(2016, 12, 1), DATA_END), AidKind.MATERIAL,
                    rng.choice(("春节慰问米面油", "冬季送棉被棉衣", "捐赠化肥种子")),
                    value=Decimal(rng.randrange(200, 1_201, 50)))
            for family in rng.sample(families, len(families) // 100):
                aid(family, self.day_between(date(2017, 1, 1), DATA_END), AidKind.CASH,
                    "大病医疗救助金", value=Decimal(rng.randrange(500, 5_001, 500)))
        self.save(m.MaterialAid, rows)

    # -- amounts -----------------------------------------------------------------------------
    def split_amount(self, total, parts, unit):
        """``parts`` amounts, multiples of ``unit``, of uneven size, adding up to ``total``."""
        weights = [self.rng.lognormvariate(0, 0.6) for _ in range(parts)]
        shares = apportion(int(total / unit), weights)
        amounts = [unit * share for share in shares]
        self.rng.shuffle(amounts)
        return amounts

    def round_amount(self, low, high):
        return Decimal(self.rng.randrange(low, high + 1, 10_000))


# --- History --------------------------------------------------------------------------------
def add_created_history(model, objs, chunk=500):
    """Give freshly inserted rows their "created" (+) history entries, copied by the database.

    These are the rows simple_history's ``bulk_create_with_history`` writes: every tracked
    column, history type "+", the change reason, and the user who recorded the row as history
    user. Building them in Python with ``bulk_create_with_history`` instead nearly doubles the
    load time (76 s instead of 42 s of CPU time, measured on SQLite)."""
    quote = connection.ops.quote_name
    history = model.history.model._meta
    columns = ", ".join(quote(f.column) for f in model.history.model.tracked_fields)
    extra = ", ".join(quote(history.get_field(name).column) for name in (
        "history_date", "history_change_reason", "history_type", "history_user"))
    user = "recorded_by_id" if hasattr(model, "recorded_by_id") else "NULL"
    sql = (
        f"INSERT INTO {quote(history.db_table)} ({columns}, {extra}) "
        f"SELECT {columns}, %s, %s, %s, {user} FROM {quote(model._meta.db_table)} "
        f"WHERE {quote(model._meta.pk.column)} IN "
    )
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        for start in range(0, len(objs), chunk):
            pks = [obj.pk for obj in objs[start: start + chunk]]
            cursor.execute(f"{sql}({', '.join(['%s'] * len(pks))})",
                           [now, CHANGE_REASON, "+", *pks])


# --- Accounts -------------------------------------------------------------------------------
def demo_account_specs():
    """(username, role, county code or None, display name) of every demo account."""
    yield "admin", Role.ADMINISTRATOR, None, "系统管理员"
    yield "city", Role.CITY_REVIEWER, None, "市总工会审核员"
    for spec in COUNTIES:
        yield spec.username, Role.COUNTY_STAFF, spec.code, f"{spec.name}总工会"


def ensure_demo_accounts():
    """The demo accounts, created with the demo password when missing. Existing accounts are
    left as they are (their password may have been changed)."""
    users, password_hash = [], None
    for username, role, code, label in demo_account_specs():
        user = User.objects.filter(username=username).first()
        if user is None:
            # One hash for the shared password: hashing is deliberately slow.
            password_hash = password_hash or make_password(DEMO_PASSWORD)
            user = User(
                username=username, role=role, first_name=label,
                county=m.County.objects.get(code=code) if code else None,
                is_superuser=role == Role.ADMINISTRATOR, is_staff=role == Role.ADMINISTRATOR,
                password=password_hash,
            )
            user.save()
        users.append(user)
    return users


@contextmanager
def collector_paused():
    """Pause Python's cyclic garbage collector: the build keeps some 300,000 model instances
    alive, and the collector would scan them over and over (a fifth of the run time)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def demo_is_loaded():
    return m.UnionBody.objects.filter(name=CITY_UNION_NAME).exists()


def load_demo():
    """Build the demo unless it is there already. Returns (created rows by kind or None when
    the demo was already loaded, the demo accounts)."""
    if demo_is_loaded():
        return None, ensure_demo_accounts()
    if m.Household.objects.exists() or m.LaborModel.objects.exists() or m.Township.objects.exists():
        raise DemoDataError(
            "The database already holds case records but no demo data; the demo only loads "
            "into a database without townships, households or labor models."
        )
    with collector_paused(), transaction.atomic():
        created = DemoBuilder().build()
    return created, ensure_demo_accounts()
