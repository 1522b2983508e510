"""Every indicator, declared once: its key, label, unit, the section of the dashboard and report
it is shown in, the rows it counts (a source and a condition on it, which ``counting.py``
defines), whether it is a column of the city's yearly targets grid, and for money or a sum the
field summed. Imports no model."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# The sections, as the article reports them (dashboard sections, report chapters), in order.
LABOR_MODELS = _("劳模队伍")
TRAINING = _("技术扶贫")
INDUSTRY = _("产业扶贫")
FINANCE = _("金融扶贫")
EMPLOYMENT = _("就业扶贫")
VOLUNTEERING = _("志愿服务")
COLLECTIVES = _("先进集体扶贫")


@dataclass(frozen=True)
class IndicatorDefinition:
    """One indicator. ``source``: the rows it counts from (a source of ``IndicatorSources`` in
    ``counting.py``, shared by the indicators counting the same kind of row); ``condition``: the
    source's named condition that picks this indicator's rows out of them (None: all of them).
    ``targetable``: a column of the city's yearly targets grid, the programme's main figures, one
    per kind of help (any indicator may still be given a target in the admin). ``summed``: the
    field of the counted rows whose sum is the figure (None: the figure is the number of rows);
    ``money``: that sum is yuan."""

    key: str
    label: str
    unit: str
    section: str
    source: str
    condition: str | None = None
    targetable: bool = False
    money: bool = False
    summed: str | None = None


INDICATORS = [
    IndicatorDefinition(
        "labor_models", _("各级劳模和五一劳动奖章获得者"), _("人"), LABOR_MODELS,
        source="labor_models",
    ),
    IndicatorDefinition(
        "labor_models_national", _("其中国家级"), _("人"), LABOR_MODELS,
        source="labor_models", condition="national",
    ),
    IndicatorDefinition(
        "labor_models_provincial", _("其中省级"), _("人"), LABOR_MODELS,
        source="labor_models", condition="provincial",
    ),
    IndicatorDefinition(
        "labor_models_city", _("其中市级"), _("人"), LABOR_MODELS,
        source="labor_models", condition="city",
    ),
    IndicatorDefinition(
        "labor_models_county", _("其中县区级"), _("人"), LABOR_MODELS,
        source="labor_models", condition="county",
    ),
    IndicatorDefinition(
        "labor_models_in_service_local", _("在职在本地劳模"), _("人"), LABOR_MODELS,
        source="labor_models", condition="in_service_local",
    ),
    IndicatorDefinition(
        "labor_models_participating", _("直接参与脱贫攻坚的在职在本地劳模"), _("人"), LABOR_MODELS,
        source="labor_models", condition="participating",
    ),
    IndicatorDefinition(
        "training_sessions", _("技术培训"), _("场次"), TRAINING,
        source="training_sessions", targetable=True,
    ),
    IndicatorDefinition(
        "people_trained", _("培训贫困人口"), _("人"), TRAINING,
        source="people_trained", targetable=True,
    ),
    IndicatorDefinition(
        "people_trained_exited", _("其中已通过培训实现脱贫"), _("人"), TRAINING,
        source="people_trained", condition="exited", targetable=True,
    ),
    IndicatorDefinition(
        "households_trained", _("培训贫困户"), _("户"), TRAINING,
        source="households_trained",
    ),
    IndicatorDefinition(
        "households_trained_industry", _("其中发展产业"), _("户"), TRAINING,
        source="households_trained", condition="industry",
    ),
    IndicatorDefinition(
        "enterprise_projects", _("依托劳模企业共建产业扶贫项目"), _("个"), INDUSTRY,
        source="projects", condition="by_enterprise", targetable=True,
    ),
    IndicatorDefinition(
        "enterprise_project_funds", _("产业扶贫项目投入帮扶资金"), _("元"), INDUSTRY,
        source="projects", condition="by_enterprise", targetable=True, money=True, summed="funds",
    ),
    IndicatorDefinition(
        "workshops", _("进驻扶贫车间"), _("个"), INDUSTRY,
        source="workshops", targetable=True,
    ),
    IndicatorDefinition(
        "project_beneficiaries", _("带动建档立卡受益贫困人口"), _("人"), INDUSTRY,
        source="project_beneficiaries", targetable=True,
    ),
    IndicatorDefinition(
        "project_beneficiaries_exited", _("其中已经脱贫"), _("人"), INDUSTRY,
        source="project_beneficiaries", condition="exited",
    ),
    IndicatorDefinition(
        "finance_enterprises", _("签订带贫协议的劳模企业和合作社"), _("个"), FINANCE,
        source="finance_enterprises",
    ),
    IndicatorDefinition(
        "finance_households", _("签订金融扶贫带贫协议的贫困家庭"), _("户"), FINANCE,
        source="finance_households", targetable=True,
    ),
    IndicatorDefinition(
        "finance_funds", _("带贫协议资金"), _("元"), FINANCE,
        source="finance_agreements", targetable=True, money=True, summed="funds",
    ),
    IndicatorDefinition(
        "dividend_payments", _("带贫协议分红"), _("户次"), FINANCE,
        source="dividends",
    ),
    IndicatorDefinition(
        "dividend_funds", _("分红金额"), _("元"), FINANCE,
        source="dividends", money=True, summed="amount",
    ),
    IndicatorDefinition(
        "stable_employed", _("实现稳定就业的贫困人口"), _("人"), EMPLOYMENT,
        source="employed", condition="stable", targetable=True,
    ),
    IndicatorDefinition(
        "volunteer_teams", _("劳模志愿服务队"), _("个"), VOLUNTEERING,
        source="volunteer_teams",
    ),
    IndicatorDefinition(
        "volunteer_events", _("志愿服务宣传活动"), _("场次"), VOLUNTEERING,
        source="volunteer_events", targetable=True,
    ),
    IndicatorDefinition(
        "volunteer_beneficiaries", _("志愿服务受益贫困人口"), _("人次"), VOLUNTEERING,
        source="volunteer_events", summed="beneficiaries",
    ),
    IndicatorDefinition(
        "collectives_participating", _("参与脱贫攻坚的先进集体"), _("个"), COLLECTIVES,
        source="collectives",
    ),
    IndicatorDefinition(
        "collective_projects", _("先进集体帮扶项目"), _("个"), COLLECTIVES,
        source="projects", condition="by_collective",
    ),
    IndicatorDefinition(
        "collective_project_funds", _("先进集体投入帮扶资金"), _("元"), COLLECTIVES,
        source="projects", condition="by_collective", money=True, summed="funds",
    ),
    IndicatorDefinition(
        "collective_employed", _("先进集体吸纳贫困就业人员"), _("人"), COLLECTIVES,
        source="employed", condition="by_collective", targetable=True,
    ),
    IndicatorDefinition(
        "collective_employed_exited", _("其中已实现脱贫"), _("人"), COLLECTIVES,
        source="employed", condition="collective_job_then_exited",
    ),
]
DEFINITIONS = {definition.key: definition for definition in INDICATORS}

# The sections in order, each with the keys of its indicators in the order of INDICATORS.
SECTIONS = [
    (section, [definition.key for definition in INDICATORS if definition.section is section])
    for section in (
        LABOR_MODELS, TRAINING, INDUSTRY, FINANCE, EMPLOYMENT, VOLUNTEERING, COLLECTIVES
    )
]
# The row sources in the order they are aggregated, and the indicators counted from each.
SOURCES = {
    source: [definition for definition in INDICATORS if definition.source == source]
    for source in dict.fromkeys(definition.source for definition in INDICATORS)
}
# The columns of the city's yearly targets grid.
TARGETABLE = [definition.key for definition in INDICATORS if definition.targetable]
