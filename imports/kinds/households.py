"""The 建档立卡 register: one row per member, the household's columns on each row or on one
of them.

Households are matched on the register number (户编号), members on the resident ID number
(身份证号). A household's value of a column is the one non-empty value among its rows (national
exports fill the household's columns on the head's row only); two different values are an
error, and a column empty on all the household's rows is an explicit empty. A row with the
member columns left empty registers the household alone. Members missing from the file are
left as they are: an import never archives anyone.
"""

import datetime

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from cases.choices import PovertyStatus, Relation, ReviewStatus
from cases.crypto import resident_id_digest
from cases.models import Household, HouseholdEvent, Member, PovertyCause, Village
from cases.uniqueness import duplicate_message, log_cross_county_collision
from cases.validators import birth_date_from_id, mask_id_number, sex_from_id
from imports import keys
from imports.bulk import insert_rows, insert_with_history
from imports.columns import (
    BooleanColumn,
    ChoiceColumn,
    CodeColumn,
    Column,
    DateColumn,
    ListColumn,
    NumberColumn,
)
from imports.engine import WRITE_BATCH, Layout, clean_instance, new_instance, validate_field
from imports.models import ChangeFlag
from imports.national import (
    ATTRIBUTE,
    EDUCATION,
    HEADER_SYNONYMS,
    POVERTY_STATUS,
    RELATION,
    SEX,
    WORK_STATUS,
)

REVIEWED_STATES = (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED)

county = Column(
    gettext_lazy("县区"), required=True, example="汝南县",
    help_text=gettext_lazy("须是您所在的县区;其他县区的行会被拒绝。"),
)
township = Column(gettext_lazy("乡镇"), required=True, example="老君庙镇")
village = Column(
    gettext_lazy("行政村"), "village", example="后刘庄村",
    help_text=gettext_lazy("须是系统中已有的本县区行政村(乡镇 + 行政村)。"),
)
register_number = CodeColumn(
    gettext_lazy("户编号"), "register_number",
    example="411727001001000123",
    help_text=gettext_lazy("每户唯一;再次导入时按户编号更新该户。"),
)
head_name = Column(
    gettext_lazy("户主姓名"), "head_name", example="刘建国", derivable=True,
    help_text=gettext_lazy("可不设此列:取该户“与户主关系”为户主的成员姓名。"),
)
attribute = ChoiceColumn(
    gettext_lazy("贫困户属性"), "attribute", example="一般贫困户", synonyms=ATTRIBUTE
)
standard = ChoiceColumn(gettext_lazy("识别标准"), "standard", example="国家标准")
identified_on = DateColumn(gettext_lazy("识别日期"), "identified_on", example="2016-03-01")


def cause_names():
    return PovertyCause.objects.values_list("name", flat=True)


main_cause = Column(
    gettext_lazy("主要致贫原因"), "main_cause", example="因病", allowed=cause_names
)
other_causes = ListColumn(
    gettext_lazy("其他致贫原因"), "other_causes", required=False, example="缺技术、缺资金",
    allowed=cause_names,
    help_text=gettext_lazy("可填多个,用顿号(、)或逗号分隔。"),
)
status = ChoiceColumn(gettext_lazy("脱贫状态"), "status", example="未脱贫", synonyms=POVERTY_STATUS)
exit_date = DateColumn(
    gettext_lazy("脱贫日期"), "exit_date", example="",
    help_text=gettext_lazy("已脱贫的户必填;未脱贫的户不填。"),
)
monitoring = ChoiceColumn(gettext_lazy("监测对象类型"), "monitoring", example="")
household_phone = CodeColumn(gettext_lazy("户联系电话"), "phone", example="13812345678")
demands = Column(gettext_lazy("脱贫诉求"), "demands", example="希望学习养殖技术")
exit_year = NumberColumn(
    gettext_lazy("脱贫年度"), integer=True, required=False, example="",
    help_text=gettext_lazy(
        "国家系统只记年份:不填“脱贫日期”时按年度记录(显示为年份);未脱贫的户不使用。"
    ),
)
natural_village = Column(gettext_lazy("自然村"), "natural_village", example="")
unsafe_housing = BooleanColumn(gettext_lazy("危房户"), "unsafe_housing", example="否")
safe_drinking_water = BooleanColumn(
    gettext_lazy("饮水安全"), "safe_drinking_water", example="是", aliases=("是否解决安全饮用水",)
)
income_per_capita = NumberColumn(gettext_lazy("人均纯收入"), "income_per_capita", example="")
EXITED_HOUSEHOLD_TYPE = "脱贫户"
household_type = Column(
    gettext_lazy("户类型"), example="", allowed=lambda: [EXITED_HOUSEHOLD_TYPE, "普通农户"],
    help_text=gettext_lazy("防返贫监测系统的户类型:文件中没有“脱贫状态”列时,“脱贫户”记为已脱贫。"),
)

HOUSEHOLD_COLUMNS = [
    county, township, village, register_number, head_name, attribute, standard, identified_on,
    main_cause, other_causes, status, exit_date, monitoring, household_phone, demands,
    exit_year, natural_village, unsafe_housing, safe_drinking_water, income_per_capita,
    household_type,
]

member_name = Column(
    gettext_lazy("成员姓名"), "name", required=True, example="刘建国",
    help_text=gettext_lazy("只登记户、不登记成员的行,成员各列留空。"),
)
id_number = CodeColumn(
    gettext_lazy("身份证号"), "id_number", required=True, numbers_lose_digits=True,
    example="411727198001010019",
    help_text=gettext_lazy("18位,末位可为X;请把该列设为文本格式。再次导入时按身份证号更新成员。"),
)
relation = ChoiceColumn(
    gettext_lazy("与户主关系"), "relation", required=True, example="户主", synonyms=RELATION
)
sex = ChoiceColumn(
    gettext_lazy("性别"), "sex", example="男", synonyms=SEX,
    help_text=gettext_lazy("可不填,按身份证号填写;填写时须与身份证号一致。"),
)
birth_date = DateColumn(
    gettext_lazy("出生日期"), "birth_date", example="1980-01-01",
    help_text=gettext_lazy("可不填,按身份证号填写;填写时须与身份证号一致。"),
)
ethnicity = Column(gettext_lazy("民族"), "ethnicity", example="汉族")
education = ChoiceColumn(
    gettext_lazy("文化程度"), "education", example="初中", synonyms=EDUCATION
)
health = ChoiceColumn(gettext_lazy("健康状况"), "health", example="健康")
labour_ability = ChoiceColumn(gettext_lazy("劳动技能"), "labour_ability", example="普通劳动力")
work_status = ChoiceColumn(
    gettext_lazy("务工状况"), "work_status", example="县内务工", synonyms=WORK_STATUS
)
member_phone = CodeColumn(gettext_lazy("成员联系电话"), "phone", example="")
person_number = CodeColumn(gettext_lazy("人编号"), "person_number", example="")
school_status = ChoiceColumn(gettext_lazy("在校生状况"), "school_status", example="非在校生")
work_months = NumberColumn(
    gettext_lazy("务工时间(月)"), "work_months", integer=True, example="",
)
serious_illness_insurance = BooleanColumn(
    gettext_lazy("参加大病医疗"), "serious_illness_insurance", example="是",
    aliases=("是否参加大病保险",),
)

MEMBER_COLUMNS = [
    member_name, id_number, relation, sex, birth_date, ethnicity, education, health,
    labour_ability, work_status, member_phone, person_number, school_status, work_months,
    serious_illness_insurance,
]

for _column in HOUSEHOLD_COLUMNS:
    _column.bind(Household)
for _column in MEMBER_COLUMNS:
    _column.bind(Member)
# The national exports' labels of the same columns.
for _column in HOUSEHOLD_COLUMNS + MEMBER_COLUMNS:
    _column.aliases += HEADER_SYNONYMS.get(str(_column.header), ())

# Columns whose value is a plain field of the model (no lookup by name).
HOUSEHOLD_PLAIN = [
    register_number, head_name, attribute, standard, identified_on, status, exit_date,
    monitoring, household_phone, demands, natural_village, unsafe_housing, safe_drinking_water,
    income_per_capita,
]
MEMBER_PLAIN = list(MEMBER_COLUMNS)
HOUSEHOLD_FIELDS = [column.field for column in HOUSEHOLD_PLAIN] + [
    "village", "main_cause", "exit_year_only",
]
MEMBER_FIELDS = [column.field for column in MEMBER_PLAIN] + ["household"]
# A member is found by ID number, so an update never changes it (nor its encrypted columns).
MEMBER_UPDATE_FIELDS = [name for name in MEMBER_FIELDS if name != "id_number"]
HOUSEHOLD_HEADERS = {column.field: column.header for column in HOUSEHOLD_COLUMNS if column.field}
MEMBER_HEADERS = {column.field: column.header for column in MEMBER_COLUMNS}
MEMBER_HEADERS["household"] = register_number.header


COUNTY = HOUSEHOLD_COLUMNS.index(county)
HEAD_NAME = HOUSEHOLD_COLUMNS.index(head_name)


class HouseholdRows:
    """What the rows of one household read so far say about it: its first row, each column's
    value (``values``, in the order of HOUSEHOLD_COLUMNS) and the row it came from, the
    columns with an unreadable cell, and hashes of the cells already read."""

    __slots__ = ("first", "values", "origins", "failed", "hashes", "checked")

    def __init__(self, first):
        self.first = first
        self.values = [None] * len(HOUSEHOLD_COLUMNS)
        self.origins = [None] * len(HOUSEHOLD_COLUMNS)
        self.failed = set()
        self.hashes = set()
        self.checked = False


def default_of(column):
    field = column.model_field
    return field.get_default() if field.has_default() else ("" if not field.null else None)


# An empty cell's value, per column (the fields' defaults are constants).
DEFAULTS = {column: default_of(column) for column in HOUSEHOLD_PLAIN + MEMBER_PLAIN}


class HouseholdRegister:
    slug = "households"
    label = gettext_lazy("贫困户及家庭成员(建档立卡登记册)")
    description = gettext_lazy(
        "每行一名家庭成员,户的信息在该户每一行重复填写,或只填在其中一行(如户主行)。"
        "按户编号匹配贫困户、按身份证号匹配成员:"
        "已有的更新,没有的新增,完全相同的不作改动。文件中没有列出的成员保持不变,不会被删除或归档。"
    )
    model = Household
    layout = Layout(HOUSEHOLD_COLUMNS + MEMBER_COLUMNS)
    columns = HOUSEHOLD_COLUMNS + MEMBER_COLUMNS
    permissions = (
        "cases.add_household", "cases.change_household", "cases.add_member", "cases.change_member",
    )

    def processor(self, **kwargs):
        return HouseholdProcessor(**kwargs)

    def imported_records(self, run):
        """The households this import created or changed, or whose members it created or
        changed (found through the history rows it wrote)."""
        reason = run.change_reason
        touched = Household.history.filter(history_change_reason=reason).values("id")
        members = Member.history.filter(history_change_reason=reason).values("household_id")
        return Household.objects.for_user(run.created_by).filter(
            Q(pk__in=touched) | Q(pk__in=members)
        )


class HouseholdProcessor:
    """Validates (and writes) the register chunk by chunk, remembering across chunks what it
    needs to check the file as a whole: each household's first row and values, each ID
    number's row, each household's head."""

    def __init__(self, *, user, report, reader, write, run):
        self.user = user
        self.report = report
        self.reader = reader
        self.write = write
        self.collisions_logged = set()
        self.history_user = run.created_by if run else user
        self.change_reason = run.change_reason if run else "批量导入"
        self.county = user.county
        self.villages = {
            (v.township.name, v.name): v
            for v in Village.objects.for_user(user, "change").select_related("township")
        }
        self.causes = {cause.name: cause for cause in PovertyCause.objects.all()}
        # How a change is shown in the preview: the names of villages and causes, not ids.
        self.names = {
            "village_id": {
                place.pk: f"{township}{name}" for (township, name), place in self.villages.items()
            },
            "main_cause_id": {cause.pk: cause.name for cause in self.causes.values()},
        }
        # register number -> HouseholdRows
        self.household_rows = {}
        # the rows of the last household of the chunk read, checked with the next chunk
        self.pending = []
        # register number -> pk once known (existing, or created by this import)
        self.household_ids = {}
        self.invalid_households = set()
        self.member_rows = {}  # id number -> row
        self.head_names = {}  # register number -> name on the head's row (no 户主姓名 column)
        self.not_heads = set()  # id numbers the file gives another relation than head
        self.file_heads = {}  # register number -> (id number, row)
        self.db_heads = {}  # register number -> ID number digest of the stored head
        self.members_changed_in = set()  # pks of stored households whose members changed
        self.households_updated = set()
        self.now = timezone.now()
        # Translated once: a lazy name costs a translation lookup on every row it counts.
        self.household_label = str(Household._meta.verbose_name)
        self.member_label = str(Member._meta.verbose_name)
        self.valid = {}  # validation outcomes of repeating values, see validate_field
        self.unsaved = None  # the writes of the last chunk checked, see check_rows

    #
    # Reading
    #

    def read_household(self, values, row):
        data = self.reader.read_row(values, HOUSEHOLD_COLUMNS, row)
        county_name = data[county]
        if county_name and county_name != self.county.name:
            self.report.error(
                row, county.header,
                _("该行属于“%(named)s”,您只能导入本县区(%(own)s)的数据。")
                % {"named": county_name, "own": self.county.name},
            )
        return data

    def merge(self, group, number, data, row):
        """Add one row's household cells to its household: the household's value of a column
        is the one non-empty value among its rows (national exports fill the household's
        columns on the head's row only); two different values are an error naming both rows."""
        for index, column in enumerate(HOUSEHOLD_COLUMNS):
            if self.reader.failed(row, column):
                group.failed.add(column)
            value = data[column]
            if value in (None, "", []):
                continue
            value = tuple(value) if isinstance(value, list) else value
            held = group.values[index]
            if held in (None, "", ()):
                if group.checked:
                    # Checked (and perhaps written) with the rows read so far.
                    self.report.error(
                        row, column.header,
                        _("同一户(户编号 %(number)s)的“%(header)s”只填在了第 %(row)s 行,"
                          "与该户前面的行(第 %(first)s 行起)不相邻:请把同一户的行排在一起。")
                        % {"number": number, "header": column.header, "row": row,
                           "first": group.first},
                    )
                    continue
                group.values[index] = value
                group.origins[index] = row
            elif held != value:
                self.report.error(
                    row, column.header,
                    _("同一户(户编号 %(number)s)的“%(header)s”在第 %(first)s 行是“%(held)s”,"
                      "在第 %(row)s 行是“%(value)s”:同一户只能有一个值。")
                    % {"number": number, "header": column.header,
                       "first": group.origins[index] or group.first, "row": row,
                       "held": self.shown_cell(held), "value": self.shown_cell(value)},
                )

    @staticmethod
    def shown_cell(value):
        if isinstance(value, tuple):
            return "、".join(value)
        return value.isoformat() if hasattr(value, "isoformat") else value

    #
    # One chunk
    #

    def process(self, rows):
        """Take a chunk. The rows of the household the chunk ends with are held back for the
        next chunk: a household's columns may be filled on any one of its rows, so a household
        is checked once all its rows (kept together, as registers are) have been read."""
        rows = self.pending + list(rows)
        raw = self.reader.raw
        last = register_number.read(raw(rows[-1][1], register_number)) if rows else None
        cut = len(rows)
        while cut and register_number.read(raw(rows[cut - 1][1], register_number)) == last:
            cut -= 1
        if cut:
            self.pending = rows[cut:]
            self.check_rows(rows[:cut])
        else:
            self.pending = rows

    def check_rows(self, rows):
        report = self.report
        errors_before = report.error_count
        new_groups = {}  # register number -> its HouseholdRows, first seen in this chunk
        member_rows = []  # (row, register number, member data)
        raw = self.reader.raw
        household_cells = self.reader.cells(HOUSEHOLD_COLUMNS)
        for row, values in rows:
            # A household's cells are read once per distinct set of cells: on most rows they
            # repeat the household's first row, or are all empty but for the key columns.
            # Only hashes of the cells are kept: a 100,000-row file has 33,000 households,
            # and their raw cells would double the memory the import needs.
            cells = hash(household_cells(values))
            number = register_number.read(raw(values, register_number))
            group = self.household_rows.get(number)
            if group is None or cells not in group.hashes:
                data = self.read_household(values, row)
                number = data[register_number]
                if not number:
                    report.error(row, register_number.header, _("“户编号”为必填项。"))
                    continue
                group = self.household_rows.get(number)
                if group is None:
                    group = self.household_rows[number] = HouseholdRows(row)
                    new_groups[number] = group
                self.merge(group, number, data, row)
                group.hashes.add(cells)
            member = self.reader.read_row(values, MEMBER_COLUMNS, row)
            if any(value not in (None, "") for value in member.values()):
                member_rows.append((row, number, member))
        for group in new_groups.values():
            group.checked = True
            if not group.values[COUNTY] and county not in group.failed:
                report.error(group.first, county.header, _("“县区”为必填项。"))

        if not self.reader.present(head_name):
            for _row, number, member in member_rows:
                if member[relation] == Relation.HEAD and member[member_name]:
                    self.head_names.setdefault(number, member[member_name])
            for number, group in new_groups.items():
                group.values[HEAD_NAME] = self.head_names.get(number)
        existing_households = {
            household.register_number: household
            for household in Household.objects.filter(register_number__in=list(new_groups))
        }
        ids = [member[id_number] for _row, _number, member in member_rows if member[id_number]]
        existing_members = keys.by_id_number(Member.objects.all(), ids)
        stored = [h.pk for h in existing_households.values() if h.county_id == self.county.pk]
        stored_causes = {}
        for link in Household.other_causes.through.objects.filter(household_id__in=stored):
            stored_causes.setdefault(link.household_id, set()).add(link.povertycause_id)
        heads = Member.objects.filter(
            household_id__in=stored, relation=Relation.HEAD, archived_at__isnull=True
        ).values_list("household__register_number", "id_number_digest")
        self.db_heads.update(heads)
        # The previous chunk is written now, after this chunk's look-ups (which never need it:
        # a household's rows are all in one chunk, a number twice in the file is caught in
        # memory) and before its checks, which run while PostgreSQL stores it.
        self.save_previous()

        creates, updates, cause_links = [], [], {}
        for number, group in new_groups.items():
            outcome = self.check_household(
                group.first, dict(zip(HOUSEHOLD_COLUMNS, group.values, strict=True)),
                existing_households.get(number), stored_causes, group.failed,
            )
            if outcome is None:
                self.invalid_households.add(number)
                continue
            household, change, causes = outcome
            if change == "created":
                creates.append(household)
                cause_links[number] = causes
            elif change == "updated":
                updates.append(household)
                cause_links[number] = causes
                self.households_updated.add(household.pk)
            if household.pk:
                self.household_ids[number] = household.pk
            report.count(self.household_label, change)

        member_creates, member_updates = [], []
        for row, number, data in member_rows:
            outcome = self.check_member(row, number, data, existing_members.get(data[id_number]))
            if outcome is None:
                continue
            member, change = outcome
            if change == "created":
                member_creates.append((number, member))
            elif change == "updated":
                member_updates.append((number, member))
            report.count(self.member_label, change)

        if self.write and report.error_count == errors_before:
            self.unsaved = (creates, updates, cause_links, member_creates, member_updates)

    def save_previous(self):
        if self.unsaved is not None:
            unsaved, self.unsaved = self.unsaved, None
            self.save(*unsaved)

    def check_household(self, row, data, existing, stored_causes, failed):
        """(household, 'created' | 'updated' | 'unchanged', cause ids), or None if invalid.
        ``failed``: the columns with a cell that could not be read (already an error)."""
        report = self.report
        errors_before = report.error_count
        if existing is not None:
            if existing.county_id != self.county.pk:
                log_cross_county_collision(
                    Household, "register_number", self.county.pk, self.user,
                    seen=self.collisions_logged,
                )
                report.error(row, register_number.header, duplicate_message(register_number.header))
                return None
            if existing.archived_at:
                report.error(
                    row, register_number.header,
                    _("户编号“%(number)s”的贫困户已归档,不能通过导入修改。")
                    % {"number": data[register_number]},
                )
                return None
        place = self.villages.get((data[township], data[village]))
        if data[village] and data[township] and place is None:
            report.unknown_village(row, village.header, data[township], data[village])
        for column in (township, village):
            if not data[column] and column not in failed:
                report.error(
                    row, column.header, _("“%(header)s”为必填项。") % {"header": column.header}
                )
        cause = self.causes.get(data[main_cause]) if data[main_cause] else None
        if not data[main_cause]:
            if main_cause not in failed:
                report.error(row, main_cause.header, _("“主要致贫原因”为必填项。"))
        elif cause is None:
            report.error(row, main_cause.header, self.unknown_cause(data[main_cause]))
        other_ids = set()
        if existing is not None and not self.reader.present(other_causes):
            other_ids = stored_causes.get(existing.pk, set())
        for name in data[other_causes] or ():
            other = self.causes.get(name)
            if other is None:
                report.error(row, other_causes.header, self.unknown_cause(name))
            else:
                other_ids.add(other.pk)

        household = existing if existing is not None else new_instance(
            Household, county_id=self.county.pk, recorded_by_id=self.user.pk
        )
        before = {name: getattr(household, name) for name in self._attnames(HOUSEHOLD_FIELDS)}
        for column in HOUSEHOLD_PLAIN:
            derived = column is head_name and data[head_name]
            if existing is not None and not self.reader.present(column) and not derived:
                continue  # a column the file lacks leaves the stored value as it is
            value = data[column]
            if value in (None, ""):
                if column in failed:
                    continue
                if column.required and not self.reader.present(column):
                    report.error(row, column.header, _(
                        "文件中没有“户主姓名”列,该户也没有“与户主关系”为户主的成员行。"
                    ))
                    continue
                if column.required:
                    report.error(
                        row, column.header, _("“%(header)s”为必填项。") % {"header": column.header}
                    )
                    continue
                value = DEFAULTS[column]
            cleaned = validate_field(household, column, value, report, row, self.valid)
            setattr(household, column.field, cleaned)
        if data[household_type] == EXITED_HOUSEHOLD_TYPE and not self.reader.present(status):
            household.status = PovertyStatus.EXITED
        self.apply_exit_year(household, data, row)
        if place is not None:
            household.village_id = place.pk
        if cause is not None:
            household.main_cause_id = cause.pk
        if report.error_count == errors_before:
            clean_instance(household, HOUSEHOLD_HEADERS, report, row)
        if report.error_count != errors_before:
            return None
        if existing is None:
            return household, "created", other_ids
        after = {name: getattr(household, name) for name in before}
        stored_other = stored_causes.get(household.pk, set())
        if after == before and other_ids == stored_other:
            return household, "unchanged", other_ids
        fields = self.changed_fields(Household, before, after)
        if other_ids != stored_other:
            fields.append((other_causes.header, self.cause_names(stored_other),
                           self.cause_names(other_ids)))
        flags = [ChangeFlag.STATUS] if after["status"] != before["status"] else []
        household.version += 1
        household.updated_at = self.now
        if household.review_status in REVIEWED_STATES:
            fields.append(self.review_change(household))
            flags.append(ChangeFlag.REVIEW)
            household.review_status = ReviewStatus.DRAFT
        report.change(row, household, fields, flags)
        return household, "updated", other_ids

    def apply_exit_year(self, household, data, row):
        """脱贫年度 where the file has no exit date: the last day of that year, known to the
        year only. An exit date in the file is exact; a year given for a household that has
        not exited (预脱贫: planned) is not an exit."""
        if data[exit_date]:
            household.exit_year_only = False
            return
        year = data[exit_year]
        if not year:
            # No year: an exit date column (empty here) has cleared the date; without one the
            # stored exit stays as it is.
            if self.reader.present(exit_date):
                household.exit_year_only = False
            return
        if household.status != PovertyStatus.NOT_EXITED:
            if not 1980 <= year <= self.now.year:
                self.report.error(
                    row, exit_year.header, _("“%(value)s”不是有效的年度。") % {"value": year}
                )
                return
            household.exit_date = datetime.date(year, 12, 31)
            household.exit_year_only = True
        else:
            household.exit_date = None
            household.exit_year_only = False

    def changed_fields(self, model, before, after):
        """[(field label, old, new)] of the fields that differ, as the forms show them."""
        fields = []
        for attname, old in before.items():
            new = after[attname]
            if new == old:
                continue
            field = model._meta.get_field(attname.removesuffix("_id"))
            fields.append((field.verbose_name, self.shown(field, attname, old),
                           self.shown(field, attname, new)))
        return fields

    def shown(self, field, attname, value):
        if value in (None, ""):
            return ""
        if attname in self.names:
            return self.names[attname].get(value, str(value))
        if field.choices:
            return str(dict(field.flatchoices).get(value, value))
        return value.isoformat() if hasattr(value, "isoformat") else str(value)

    def cause_names(self, cause_ids):
        return "、".join(sorted(self.names["main_cause_id"][pk] for pk in cause_ids))

    @staticmethod
    def review_change(household):
        return (
            Household._meta.get_field("review_status").verbose_name,
            household.get_review_status_display(), str(ReviewStatus.DRAFT.label),
        )

    def unknown_cause(self, name):
        return _("“%(value)s”不是可选的致贫原因,可选:%(allowed)s。") % {
            "value": name, "allowed": "、".join(self.causes),
        }

    @staticmethod
    def _attnames(fields):
        return [
            f"{name}_id" if name in {"village", "main_cause", "household"} else name
            for name in fields
        ]

    def check_member(self, row, number, data, existing):
        report = self.report
        errors_before = report.error_count
        identity = data[id_number]
        missing = [column for column in (member_name, id_number, relation) if not data[column]]
        for column in missing:
            if not self.reader.failed(row, column):
                report.error(
                    row, column.header,
                    _("“%(header)s”为必填项(只登记户时,成员各列都留空)。")
                    % {"header": column.header},
                )
        if missing:
            return None
        first = self.member_rows.get(identity)
        if first is not None:
            report.error(
                row, id_number.header,
                _("身份证号与第 %(row)s 行重复:同一人只能登记一次。") % {"row": first},
            )
            return None
        self.member_rows[identity] = row
        if data[relation] != Relation.HEAD:
            self.not_heads.add(identity)
        if existing is not None and existing.county_id != self.county.pk:
            log_cross_county_collision(
                Member, "id_number", self.county.pk, self.user, seen=self.collisions_logged
            )
            report.error(row, id_number.header, duplicate_message(id_number.header))
            return None
        if existing is not None and existing.archived_at:
            report.error(row, id_number.header, _("该成员已归档,不能通过导入修改。"))
            return None
        if data[relation] == Relation.HEAD:
            head = self.file_heads.get(number)
            if head is not None:
                report.error(
                    row, relation.header,
                    _("一户只能有一名户主:第 %(row)s 行已是该户户主。") % {"row": head[1]},
                )
            else:
                self.file_heads[number] = (identity, row)

        if existing is None:
            member = new_instance(Member, county_id=self.county.pk, recorded_by_id=self.user.pk)
            before = None
        else:
            member = existing
            before = {name: getattr(member, name) for name in self._attnames(MEMBER_FIELDS)}
        for column in MEMBER_PLAIN:
            if existing is not None and not self.reader.present(column):
                continue  # a column the file lacks leaves the stored value as it is
            value = data[column]
            if value in (None, ""):
                if self.reader.failed(row, column):
                    continue
                value = DEFAULTS[column]
            cleaned = validate_field(member, column, value, report, row, self.valid)
            setattr(member, column.field, cleaned)
        if report.error_count != errors_before:
            return None
        # As Member.save does: birth date and sex are coded in the ID number.
        coded_birth = birth_date_from_id(identity)
        if coded_birth:
            member.birth_date = member.birth_date or coded_birth
            member.sex = member.sex or sex_from_id(identity)
        if not clean_instance(member, MEMBER_HEADERS, report, row):
            return None
        if number in self.invalid_households:
            return None
        household_pk = self.household_ids.get(number)
        if existing is None:
            return member, "created"
        member.household_id = household_pk
        after = {name: getattr(member, name) for name in before}
        if after == before:
            return member, "unchanged"
        fields = self.changed_fields(
            Member, {name: value for name, value in before.items() if name != "household_id"},
            after,
        )
        flags = []
        if before["household_id"] != household_pk:
            # A person registered in another household of the county moves only when the
            # clerk confirms it: shown with both register numbers and flagged.
            fields.append((
                Member._meta.get_field("household").verbose_name,
                Household.objects.values_list("register_number", flat=True).get(
                    pk=before["household_id"]
                ),
                number,
            ))
            flags.append(ChangeFlag.MOVED)
        report.change(row, f"{member.name}({mask_id_number(identity)})", fields, flags)
        member.version += 1
        member.updated_at = self.now
        if existing.household_id and existing.household_id == household_pk:
            self.members_changed_in.add(household_pk)
        return member, "updated"

    def finish(self):
        """Checks that need the whole file: a stored head replaced by another member must not
        remain head in the file. With ``write``, households whose members changed return to
        draft like an edited household."""
        if self.pending:
            self.check_rows(self.pending)
            self.pending = []
        self.save_previous()
        replaced = {
            number: (identity, row)
            for number, (identity, row) in self.file_heads.items()
            if self.db_heads.get(number) and self.db_heads[number] != resident_id_digest(identity)
        }
        if replaced:
            stepping_down = {resident_id_digest(identity) for identity in self.not_heads}
            for number, (_identity, row) in replaced.items():
                if self.db_heads[number] not in stepping_down:
                    self.report.error(
                        row, relation.header,
                        _("该户在系统中已有另一名户主:一户只能有一名户主,"
                          "请在文件中同时修改原户主的“与户主关系”。"),
                    )
        reopened = self.households_to_reopen()
        for household in reopened:
            self.report.change(
                "", household, [self.review_change(household)], [ChangeFlag.REVIEW]
            )
        if self.write and not self.report.error_count:
            self.reopen_for_review(reopened)

    #
    # Writing
    #

    def save(self, creates, updates, cause_links, member_creates, member_updates):
        history = {"default_user": self.history_user, "default_change_reason": self.change_reason}
        through = Household.other_causes.through
        if creates:
            insert_with_history(
                Household, creates, user=self.history_user, reason=self.change_reason
            )
            for household in creates:
                self.household_ids[household.register_number] = household.pk
        if updates:
            bulk_update_with_history(
                updates, Household, [*HOUSEHOLD_FIELDS, "version", "updated_at", "review_status"],
                batch_size=WRITE_BATCH, **history,
            )
            through.objects.filter(household_id__in=[h.pk for h in updates]).delete()
        # Bulk writes bypass Household.save(): the dated events of exits and returns here.
        HouseholdEvent.objects.record(
            [(household, None) for household in creates]
            + [(household, household._stored_standing) for household in updates]
        )
        insert_rows(through, ["household_id", "povertycause_id"], [
            (self.household_ids[number], cause_id)
            for number, cause_ids in cause_links.items()
            for cause_id in cause_ids
        ])

        for number, member in member_creates + member_updates:
            member.household_id = self.household_ids[number]
        # Updates first: a stored head who steps down must be so before a new head is added.
        if member_updates:
            bulk_update_with_history(
                [member for _number, member in member_updates], Member,
                [*MEMBER_UPDATE_FIELDS, "version", "updated_at"], batch_size=WRITE_BATCH,
                **history,
            )
        if member_creates:
            insert_with_history(
                Member, [member for _number, member in member_creates],
                user=self.history_user, reason=self.change_reason,
            )

    def households_to_reopen(self):
        """Reviewed households whose members alone change: they return to draft too."""
        pending = self.members_changed_in - self.households_updated
        return list(Household.objects.filter(pk__in=pending, review_status__in=REVIEWED_STATES))

    def reopen_for_review(self, households):
        for household in households:
            household.review_status = ReviewStatus.DRAFT
            household.version += 1
            household.updated_at = self.now
        if households:
            bulk_update_with_history(
                households, Household, ["review_status", "version", "updated_at"],
                batch_size=WRITE_BATCH, default_user=self.history_user,
                default_change_reason=self.change_reason,
            )

