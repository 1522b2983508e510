from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from cases.choices import AidKind, FinanceModel, VolunteerEventKind
from cases.validators import validate_not_in_future, validate_year

from .base import CountyOwned, ReviewedRecord, exactly_one, money_field, not_negative


class TrainingSession(ReviewedRecord):
    """A technical training session (技术培训) and the registered members who attended it."""

    held_on = models.DateField(_("培训日期"), validators=[validate_not_in_future])
    topic = models.CharField(_("培训主题"), max_length=200)
    field = models.ForeignKey(
        "cases.ExpertiseField", on_delete=models.PROTECT, related_name="+",
        verbose_name=_("培训领域"),
    )
    trainer = models.CharField(_("授课人"), max_length=100)
    labor_model = models.ForeignKey(
        "cases.LaborModel", on_delete=models.PROTECT, null=True, blank=True,
        related_name="training_sessions", verbose_name=_("授课劳模"),
    )
    place = models.CharField(_("培训地点"), max_length=200)
    other_attendees = models.PositiveIntegerField(
        _("其他参训人数"), default=0, validators=[MaxValueValidator(100_000)],
        help_text=_("未在册人员的参训人数。"),
    )
    attendees = models.ManyToManyField(
        "cases.Member", through="TrainingAttendance", related_name="training_sessions",
        verbose_name=_("参训贫困人口"),
    )

    # The county that held the session, whoever taught it.
    county_independent_of = ("labor_model",)

    class Meta:
        ordering = ["-held_on", "id"]
        verbose_name = _("技术培训")
        verbose_name_plural = _("技术培训")

    def __str__(self):
        return f"{self.held_on} {self.topic}"

    def get_absolute_url(self):
        """Many households attend a session: it is shown on its trainer's page."""
        if self.labor_model_id:
            return reverse("cases:labormodel_detail", args=[self.labor_model_id])
        return reverse("cases:trainingsession_edit", args=[self.pk])


class TrainingAttendance(CountyOwned):
    """One registered member attending one training session."""

    session = models.ForeignKey(
        TrainingSession, on_delete=models.CASCADE, related_name="attendance",
        verbose_name=_("培训"),
    )
    member = models.ForeignKey(
        "cases.Member", on_delete=models.PROTECT, related_name="attendance",
        verbose_name=_("参训人员"),
    )

    county_source = "session"
    # The session's county: members of another county may attend, and an attendance stays
    # with the county that held the session when the member's household moves.
    county_independent_of = ("member",)

    class Meta:
        ordering = ["session_id", "id"]
        verbose_name = _("培训签到")
        verbose_name_plural = _("培训签到")
        constraints = [
            models.UniqueConstraint(
                fields=["session", "member"],
                name="attendance_once_per_session",
                violation_error_message=_("该成员已在本次培训的签到名单中。"),
            ),
        ]

    def __str__(self):
        return f"{self.member} @ {self.session}"

    def get_absolute_url(self):
        return self.session.get_absolute_url()


class IndustryProject(ReviewedRecord):
    """产业扶贫项目 run by a labor-model enterprise or an advanced collective."""

    name = models.CharField(_("项目名称"), max_length=200)
    enterprise = models.ForeignKey(
        "cases.Enterprise", on_delete=models.PROTECT, null=True, blank=True,
        related_name="projects", verbose_name=_("劳模企业/合作社"),
    )
    collective = models.ForeignKey(
        "cases.AdvancedCollective", on_delete=models.PROTECT, null=True, blank=True,
        related_name="projects", verbose_name=_("先进集体"),
    )
    funds = money_field(_("帮扶资金(元)"), 1_000_000_000)
    started_on = models.DateField(_("开始日期"), validators=[validate_not_in_future])
    village = models.ForeignKey(
        "cases.Village", on_delete=models.PROTECT, null=True, blank=True,
        related_name="projects", verbose_name=_("所在村"),
    )
    description = models.TextField(_("项目内容"), blank=True)
    beneficiaries = models.ManyToManyField(
        "cases.Member", through="ProjectBeneficiary", related_name="projects",
        verbose_name=_("受益贫困人口"),
    )

    # The county that runs the project, set when it is recorded.
    county_independent_of = ("enterprise", "collective")

    class Meta:
        ordering = ["-started_on", "id"]
        verbose_name = _("产业扶贫项目")
        verbose_name_plural = _("产业扶贫项目")
        constraints = [
            models.CheckConstraint(
                condition=exactly_one("enterprise", "collective"),
                name="project_has_exactly_one_sponsor",
                violation_error_message=_("请选择且只选择一个实施方:企业或先进集体。"),
            ),
            not_negative("funds", "project"),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        """A project is shown on the page of the enterprise or collective that runs it."""
        if self.enterprise_id:
            return reverse("cases:enterprise_detail", args=[self.enterprise_id])
        if self.collective_id:
            return reverse("cases:advancedcollective_detail", args=[self.collective_id])
        return reverse("cases:industryproject_edit", args=[self.pk])

    def clean(self):
        if bool(self.enterprise_id) == bool(self.collective_id):
            raise ValidationError(
                {"enterprise": _("请选择且只选择一个实施方:企业或先进集体。")}
            )


class ProjectBeneficiary(CountyOwned):
    """A registered member who benefits from an industry project, from a given date."""

    project = models.ForeignKey(
        IndustryProject, on_delete=models.CASCADE, related_name="beneficiary_links",
        verbose_name=_("项目"),
    )
    member = models.ForeignKey(
        "cases.Member", on_delete=models.PROTECT, related_name="project_links",
        verbose_name=_("受益人"),
    )
    since = models.DateField(_("受益开始日期"), validators=[validate_not_in_future])

    county_source = "project"
    # The project's county: a member of another county may benefit, and the link stays with
    # the project when the member's household moves.
    county_independent_of = ("member",)

    class Meta:
        ordering = ["project_id", "id"]
        verbose_name = _("项目受益人")
        verbose_name_plural = _("项目受益人")
        constraints = [
            models.UniqueConstraint(
                fields=["project", "member"],
                name="beneficiary_once_per_project",
                violation_error_message=_("该成员已是本项目的受益人。"),
            ),
        ]

    def __str__(self):
        return f"{self.member} @ {self.project}"


class Workshop(ReviewedRecord):
    """A poverty-alleviation workshop (扶贫车间) set up by an enterprise, often in a village."""

    name = models.CharField(_("车间名称"), max_length=200)
    enterprise = models.ForeignKey(
        "cases.Enterprise", on_delete=models.PROTECT, related_name="workshops",
        verbose_name=_("劳模企业/合作社"),
    )
    project = models.ForeignKey(
        IndustryProject, on_delete=models.PROTECT, null=True, blank=True,
        related_name="workshops", verbose_name=_("所属项目"),
    )
    village = models.ForeignKey(
        "cases.Village", on_delete=models.PROTECT, null=True, blank=True,
        related_name="workshops", verbose_name=_("所在村"),
    )
    opened_on = models.DateField(_("设立日期"), validators=[validate_not_in_future])

    county_source = "enterprise"
    # The enterprise's workshop, whichever project it serves.
    county_independent_of = ("project",)

    class Meta:
        ordering = ["-opened_on", "id"]
        verbose_name = _("扶贫车间")
        verbose_name_plural = _("扶贫车间")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("cases:enterprise_detail", args=[self.enterprise_id])


class FinanceAgreement(ReviewedRecord):
    """金融扶贫带贫协议 between an enterprise or co-op and a household."""

    enterprise = models.ForeignKey(
        "cases.Enterprise", on_delete=models.PROTECT, related_name="finance_agreements",
        verbose_name=_("劳模企业/合作社"),
    )
    household = models.ForeignKey(
        "cases.Household", on_delete=models.PROTECT, related_name="finance_agreements",
        verbose_name=_("贫困户"),
    )
    model = models.CharField(_("带贫模式"), max_length=16, choices=FinanceModel.choices)
    funds = money_field(_("协议资金(元)"), 100_000_000)
    signed_on = models.DateField(_("签订日期"), validators=[validate_not_in_future])

    county_source = "household"
    # The household's agreement (its funds count where the household does), whichever
    # county's enterprise signed it.
    county_independent_of = ("enterprise",)

    class Meta:
        ordering = ["-signed_on", "id"]
        verbose_name = _("金融扶贫带贫协议")
        verbose_name_plural = _("金融扶贫带贫协议")
        # The review queue (per county, of one status) and the county home page (of one
        # county and status) count records from this index alone.
        indexes = [
            models.Index(
                fields=["review_status", "county"], name="agreement_status_county_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["enterprise", "household", "signed_on"],
                name="agreement_unique_per_day",
                violation_error_message=_("该企业与该户当天已签订过协议。"),
            ),
            not_negative("funds", "agreement"),
        ]

    def __str__(self):
        return f"{self.enterprise} — {self.household}({self.get_model_display()})"

    def get_absolute_url(self):
        return reverse("cases:household_detail", args=[self.household_id])


class DividendPayment(ReviewedRecord):
    """A yearly dividend actually paid to the household under a finance agreement."""

    agreement = models.ForeignKey(
        FinanceAgreement, on_delete=models.PROTECT, related_name="dividends",
        verbose_name=_("带贫协议"),
    )
    year = models.PositiveSmallIntegerField(_("分红年度"), validators=[validate_year])
    amount = money_field(_("分红金额(元)"), 1_000_000)
    paid_on = models.DateField(_("发放日期"), validators=[validate_not_in_future])

    county_source = "agreement"

    class Meta:
        ordering = ["-paid_on", "id"]
        verbose_name = _("分红发放")
        verbose_name_plural = _("分红发放")
        # The review queue (per county, of one status) and the county home page (of one
        # county and status) count records from this index alone.
        indexes = [
            models.Index(
                fields=["review_status", "county"], name="dividend_status_county_idx"
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "year"],
                name="one_dividend_per_agreement_year",
                violation_error_message=_("该协议本年度的分红已登记。"),
            ),
            not_negative("amount", "dividend"),
        ]

    def __str__(self):
        return f"{self.agreement} {self.year}"

    def get_absolute_url(self):
        return reverse("cases:household_detail", args=[self.agreement.household_id])

    def clean(self):
        # The agreement may be new and unsaved (typed in the same form), so no agreement_id yet.
        try:
            signed_on = self.agreement.signed_on
        except FinanceAgreement.DoesNotExist:
            return
        if self.paid_on and signed_on and self.paid_on < signed_on:
            raise ValidationError({"paid_on": _("发放日期不能早于协议签订日期。")})


class Employment(ReviewedRecord):
    """A registered member employed by an enterprise, a workshop, a collective or another
    employer (e.g. a 巧媳妇 factory)."""

    member = models.ForeignKey(
        "cases.Member", on_delete=models.PROTECT, related_name="employments",
        verbose_name=_("就业人员"),
    )
    enterprise = models.ForeignKey(
        "cases.Enterprise", on_delete=models.PROTECT, null=True, blank=True,
        related_name="employments", verbose_name=_("劳模企业/合作社"),
    )
    workshop = models.ForeignKey(
        Workshop, on_delete=models.PROTECT, null=True, blank=True,
        related_name="employments", verbose_name=_("扶贫车间"),
    )
    collective = models.ForeignKey(
        "cases.AdvancedCollective", on_delete=models.PROTECT, null=True, blank=True,
        related_name="employments", verbose_name=_("先进集体"),
    )
    employer_name = models.CharField(
        _("其他用工单位"), max_length=200, blank=True,
        help_text=_("不是登记在册的企业、车间或集体时填写,如巧媳妇工程加工点。"),
    )
    started_on = models.DateField(_("就业日期"), validators=[validate_not_in_future])
    ended_on = models.DateField(_("离职日期"), null=True, blank=True)
    monthly_wage = money_field(_("月工资(元)"), 100_000, null=True, blank=True)
    is_stable = models.BooleanField(_("稳定就业"), default=False)
    job_training = models.BooleanField(_("接受岗前培训"), default=False)

    county_source = "member"
    # The employee's county, wherever the employer is.
    county_independent_of = ("enterprise", "workshop", "collective")

    class Meta:
        ordering = ["-started_on", "id"]
        verbose_name = _("就业帮扶")
        verbose_name_plural = _("就业帮扶")
        # The review queue (per county, of one status) and the county home page (of one
        # county and status) count records from this index alone.
        indexes = [
            models.Index(
                fields=["review_status", "county"], name="employment_status_county_idx"
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(enterprise__isnull=False)
                | Q(workshop__isnull=False)
                | Q(collective__isnull=False)
                | ~Q(employer_name=""),
                name="employment_has_employer",
                violation_error_message=_("请填写用工单位:企业、车间、先进集体或其他单位。"),
            ),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=models.F("started_on")),
                name="employment_end_not_before_start",
                violation_error_message=_("离职日期不能早于就业日期。"),
            ),
            not_negative("monthly_wage", "employment"),
        ]

    def __str__(self):
        return f"{self.member} {self.employer}"

    def get_absolute_url(self):
        return reverse("cases:household_detail", args=[self.member.household_id])

    @property
    def employer(self):
        return self.enterprise or self.workshop or self.collective or self.employer_name

    def clean(self):
        errors = {}
        if not (self.enterprise_id or self.workshop_id or self.collective_id or self.employer_name):
            errors["employer_name"] = _("请填写用工单位:企业、车间、先进集体或其他单位。")
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            errors["ended_on"] = _("离职日期不能早于就业日期。")
        if errors:
            raise ValidationError(errors)


class VolunteerEvent(ReviewedRecord):
    """An event held by a volunteer service team (policy talk, campaign, service day)."""

    team = models.ForeignKey(
        "cases.VolunteerTeam", on_delete=models.PROTECT, related_name="events",
        verbose_name=_("志愿服务队"),
    )
    held_on = models.DateField(_("活动日期"), validators=[validate_not_in_future])
    title = models.CharField(_("活动名称"), max_length=200)
    kind = models.CharField(_("活动类型"), max_length=12, choices=VolunteerEventKind.choices)
    place = models.CharField(_("活动地点"), max_length=200, blank=True)
    beneficiaries = models.PositiveIntegerField(
        _("受益贫困人口数"), validators=[MaxValueValidator(100_000)]
    )

    county_source = "team"

    class Meta:
        ordering = ["-held_on", "id"]
        verbose_name = _("志愿服务活动")
        verbose_name_plural = _("志愿服务活动")

    def __str__(self):
        return f"{self.held_on} {self.title}"

    def get_absolute_url(self):
        """Volunteer teams have no page of their own yet: an event opens in its form."""
        return reverse("cases:volunteerevent_edit", args=[self.pk])


class MaterialAid(ReviewedRecord):
    """A visit (走访) or material, cash or charity-shop help given to a household."""

    household = models.ForeignKey(
        "cases.Household", on_delete=models.PROTECT, related_name="aid",
        verbose_name=_("贫困户"),
    )
    given_on = models.DateField(_("日期"), validators=[validate_not_in_future])
    kind = models.CharField(_("帮扶类型"), max_length=14, choices=AidKind.choices)
    labor_model = models.ForeignKey(
        "cases.LaborModel", on_delete=models.PROTECT, null=True, blank=True,
        related_name="aid", verbose_name=_("劳模"),
    )
    description = models.TextField(_("内容"))
    value = money_field(_("折合金额(元)"), 1_000_000, null=True, blank=True)
    points = models.PositiveIntegerField(
        _("爱心超市积分"), null=True, blank=True, validators=[MaxValueValidator(100_000)]
    )

    county_source = "household"
    # The household's, whichever county's labor model visited.
    county_independent_of = ("labor_model",)

    class Meta:
        ordering = ["-given_on", "id"]
        verbose_name = _("走访与物资帮扶")
        verbose_name_plural = _("走访与物资帮扶")
        # The review queue (per county, of one status) and the county home page (of one
        # county and status) count records from this index alone.
        indexes = [
            models.Index(
                fields=["review_status", "county"], name="materialaid_status_county_idx"
            ),
        ]
        constraints = [not_negative("value", "aid")]

    def __str__(self):
        return f"{self.given_on} {self.get_kind_display()}"

    def get_absolute_url(self):
        return reverse("cases:household_detail", args=[self.household_id])
