"""The 帮扶责任人 roster: one row per responsible helper and the household they help, as the
national system and the counties keep it (姓名, 证件号码, 性别, 联系电话, 工作单位, 职务, then the
household by 户编号, or by its head's name and ID number).

A pairing's helper who is a person is a labor model of the portal, so each helper is matched
to a labor model by ID number (its keyed digest, ``imports.keys``). A registered labor model
is matched and left as it is (its record is edited on its page or by the labor model import);
a helper not registered yet is added as a labor model when the roster gives what a labor
model needs (荣誉级别, 荣誉称号, 授予年份), else the row is an error saying so. The pairing is then
checked and written by the pairing import's own processor (matched on helper, household and
start date).
"""

import itertools

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.choices import PairingMode, Relation
from cases.models import LaborModel, Member, Pairing
from cases.uniqueness import duplicate_message, log_cross_county_collision
from cases.validators import mask_id_number
from imports import keys
from imports.bulk import insert_with_history
from imports.columns import ChoiceColumn, CodeColumn, Column, NumberColumn
from imports.engine import Layout, RowReader, clean_instance, validate_field
from imports.kinds.flat import FlatProcessor, county_column
from imports.kinds.pairings import PairingKind, pairing_columns
from imports.national import HEADER_SYNONYMS, SEX

# What a pairing made from a roster says when the roster has no 帮扶方式 or 帮扶措施 column: a
# responsible helper is paired one to one, and the measures are agreed with the household later.
# The plan is stored data, in the register's language, not the interface's.
DEFAULT_MODE = PairingMode.ONE_TO_ONE
DEFAULT_PLAN = "帮扶责任人名册导入,帮扶措施待与贫困户商定后补充。"


class RosterPairingKind(PairingKind):
    """The pairing import, its helper found among the helpers the roster matched or adds."""

    def __init__(self, find_helper):
        self.columns = pairing_columns(find_helper)
        super().__init__()
        self.mode = next(column for column in self.columns if column.field == "mode")
        self.plan = next(column for column in self.columns if column.field == "plan")

    def row_adapter(self, user, reader):
        def adapt(data):
            data[self.mode] = data[self.mode] or DEFAULT_MODE
            data[self.plan] = data[self.plan] or DEFAULT_PLAN
        return adapt


class HelperRosterKind:
    slug = "helper-roster"
    label = gettext_lazy("帮扶责任人名册")
    description = gettext_lazy(
        "每行一名帮扶责任人及其帮扶的一户。帮扶责任人按证件号码匹配本县区已登记的劳模(不修改劳模"
        "信息);尚未登记的,文件中有“荣誉级别、荣誉称号、授予年份”时新增为劳模。贫困户按户编号查找,"
        "没有户编号时按户主姓名和户主证件号码查找。结对按“帮扶责任人 + 户编号 + 开始日期”匹配:"
        "已登记的更新,没有的新增。没有“帮扶方式”列时记为结对扶贫。"
    )
    model = Pairing
    list_url = "cases:pairing_list"
    permissions = (
        "cases.add_pairing", "cases.change_pairing",
        "cases.add_labormodel", "cases.change_labormodel",
    )

    county = county_column()
    county.aliases += HEADER_SYNONYMS["县区"]
    helper_name = Column(
        gettext_lazy("帮扶责任人姓名"), "name", required=True, example="张志强",
        aliases=("姓名", "帮扶人姓名", "帮扶责任人"),
    )
    helper_id = CodeColumn(
        gettext_lazy("帮扶责任人证件号码"), "id_number", required=True, numbers_lose_digits=True,
        example="41172719700505003X",
        aliases=("证件号码", "身份证号", "身份证号码", "帮扶责任人身份证号", "帮扶人身份证号"),
        help_text=gettext_lazy("18位,末位可为X;请把该列设为文本格式。按证件号码匹配已登记的劳模。"),
    )
    sex = ChoiceColumn(gettext_lazy("性别"), "sex", example="男", synonyms=SEX)
    phone = CodeColumn(
        gettext_lazy("联系电话"), "phone", example="13912345678", aliases=("帮扶责任人联系电话",)
    )
    employer = Column(
        gettext_lazy("工作单位"), "employer", example="汝南县供电公司",
        aliases=("单位名称", "帮扶单位"),
    )
    honour_level = ChoiceColumn(
        gettext_lazy("荣誉级别"), "honour_level", required=False, example="",
        help_text=gettext_lazy("帮扶责任人尚未登记为劳模时填写,用于新增劳模。"),
    )
    honour_title = ChoiceColumn(
        gettext_lazy("荣誉称号"), "honour_title", required=False, example="",
        help_text=gettext_lazy("帮扶责任人尚未登记为劳模时填写,用于新增劳模。"),
    )
    year_awarded = NumberColumn(
        gettext_lazy("授予年份"), "year_awarded", integer=True, required=False, example="",
        help_text=gettext_lazy("帮扶责任人尚未登记为劳模时填写,用于新增劳模。"),
    )
    HELPER_COLUMNS = (helper_name, sex, phone, employer, honour_level, honour_title, year_awarded)
    NEW_HELPER_NEEDS = (honour_level, honour_title, year_awarded)

    register_number = CodeColumn(
        gettext_lazy("户编号"), required=False, example="411727001001000123",
        aliases=("贫困户编号", "帮扶户户编号", "建档立卡编号"),
        help_text=gettext_lazy("没有户编号时,按户主姓名和户主证件号码查找贫困户。"),
    )
    head_name = Column(
        gettext_lazy("户主姓名"), example="刘建国",
        aliases=("帮扶户户主姓名", "贫困户户主姓名", "帮扶对象"),
    )
    head_id = CodeColumn(
        gettext_lazy("户主证件号码"), numbers_lose_digits=True, example="",
        aliases=("户主身份证号", "户主身份证号码", "帮扶户户主证件号码"),
    )

    def __init__(self):
        for column in self.HELPER_COLUMNS + (self.helper_id,):
            column.bind(LaborModel)
        # The pairing's own columns (帮扶方式, 开始日期 …), read by the pairing processor; the
        # roster's defaults fill 帮扶方式 and 帮扶措施 when the file lacks them.
        self.pairing_columns = [
            column.bind(Pairing) for column in (
                ChoiceColumn(gettext_lazy("帮扶方式"), "mode", required=False, example=""),
                *(column for column in pairing_columns()
                  if column.field in {"start_date", "end_date"}),
                Column(gettext_lazy("帮扶措施"), "plan", required=False, example=""),
                Column(gettext_lazy("结束原因"), "end_reason", example=""),
            )
        ]
        self.columns = [
            self.county, self.helper_name, self.helper_id, *self.HELPER_COLUMNS[1:],
            self.register_number, self.head_name, self.head_id, *self.pairing_columns,
        ]
        self.layout = Layout(self.columns)

    def processor(self, **kwargs):
        return HelperRosterProcessor(kind=self, **kwargs)

    def imported_records(self, run):
        touched = Pairing.history.filter(history_change_reason=run.change_reason).values("id")
        return Pairing.objects.for_user(run.created_by).filter(pk__in=touched).select_related(
            *PairingKind.records_related
        )


class HelperRosterProcessor:
    """Per chunk: match (or add) the helpers, find the households, then hand each row to the
    pairing processor, its cells arranged as the pairing import reads them."""

    def __init__(self, *, kind, user, report, reader, write, run):
        self.kind = kind
        self.user = user
        self.report = report
        self.reader = reader
        self.write = write
        self.history_user = run.created_by if run else user
        self.change_reason = run.change_reason if run else "批量导入"
        self.collisions_logged = set()
        self.label = str(LaborModel._meta.verbose_name)
        self.valid = {}
        # ID number -> the labor model's pk (a placeholder below 0 in a preview, where a new
        # helper is not written), or None when the helper's rows are errors
        self.helpers = {}
        self.placeholders = itertools.count(-1, -1)
        self.pairing_kind = RosterPairingKind(find_helper=self.find_helpers)
        self.pairings = FlatProcessor(
            kind=self.pairing_kind, user=user, report=report,
            reader=self.pairing_reader(), write=write, run=run,
        )

    def pairing_reader(self):
        """A reader of the pairing's columns: the file's cells where the roster has the same
        column, then two cells the roster fills: the helper's ID number and the register
        number of the household found."""
        self.width = max(self.reader.positions.values(), default=-1) + 1
        by_header = {str(column.header): column for column in self.kind.columns}
        positions, constants, values = {}, {}, {}
        for column in self.pairing_kind.columns:
            if column.field == "labor_model":
                positions[column] = self.width
                continue
            if column.field == "household":
                positions[column] = self.width + 1
                continue
            own = by_header.get(str(column.header))
            if own is None or column.field in {"collective", "enterprise"}:
                continue
            if own in self.reader.positions:
                positions[column] = self.reader.positions[own]
            if own in self.reader.constants:
                constants[column] = self.reader.constants[own]
            if own in self.reader.values:
                values[column] = self.reader.values[own]
        return RowReader(positions, self.report, values, constants)

    def find_helpers(self, user, values):
        return {value: self.helpers[value] for value in values if self.helpers.get(value)}

    def process(self, rows):
        read = self.reader.read
        parsed = []
        for row, values in rows:
            helper = {column: read(values, column, row) for column in self.kind.HELPER_COLUMNS}
            helper[self.kind.helper_id] = read(values, self.kind.helper_id, row)
            household = {
                column: read(values, column, row)
                for column in (self.kind.register_number, self.kind.head_name, self.kind.head_id)
            }
            parsed.append((row, values, helper, household))
        self.match_helpers(parsed)
        numbers = self.register_numbers(parsed)
        pairing_rows = []
        for row, values, helper, _household in parsed:
            identity = helper[self.kind.helper_id]
            if not identity or self.helpers.get(identity) is None or row not in numbers:
                continue
            cells = list(values[: self.width]) + [None] * (self.width - len(values))
            pairing_rows.append((row, [*cells, identity, numbers[row]]))
        self.pairings.process(pairing_rows)

    def match_helpers(self, parsed):
        """Match each helper the chunk names for the first time to a labor model, or add it."""
        report, kind = self.report, self.kind
        first = {}
        for row, _values, helper, _household in parsed:
            identity = helper[kind.helper_id]
            if not identity:
                if not self.reader.failed(row, kind.helper_id):
                    report.error(row, kind.helper_id.header, _("“%(header)s”为必填项。")
                                 % {"header": kind.helper_id.header})
            elif identity not in self.helpers and identity not in first:
                first[identity] = (row, helper)
        stored = keys.by_id_number(LaborModel.objects.all(), list(first))
        creates = []
        for identity, (row, helper) in first.items():
            found = stored.get(identity)
            if found is not None and found.county_id != self.user.county_id:
                log_cross_county_collision(
                    LaborModel, "id_number", self.user.county_id, self.user,
                    seen=self.collisions_logged,
                )
                report.error(row, kind.helper_id.header, duplicate_message(kind.helper_id.header))
                self.helpers[identity] = None
            elif found is not None:
                self.helpers[identity] = found.pk
                report.count(self.label, "unchanged")
            else:
                created = self.new_helper(row, identity, helper)
                self.helpers[identity] = None
                if created is not None:
                    creates.append((identity, created))
        if self.write and creates:
            insert_with_history(
                LaborModel, [helper for _identity, helper in creates],
                user=self.history_user, reason=self.change_reason,
            )
        for identity, helper in creates:
            self.helpers[identity] = helper.pk if self.write else next(self.placeholders)
            report.count(self.label, "created")

    def new_helper(self, row, identity, helper):
        """A labor model for a helper not registered yet, or None after recording why not."""
        report, kind = self.report, self.kind
        missing = [column for column in kind.NEW_HELPER_NEEDS
                   if helper[column] in (None, "") and not self.reader.failed(row, column)]
        if missing:
            report.error(
                row, kind.helper_id.header,
                _("帮扶责任人“%(name)s”(%(number)s)尚未登记为劳模:要新增为劳模,请在文件中填写"
                  "%(columns)s;或先在“劳模”中登记。")
                % {"name": helper[kind.helper_name], "number": mask_id_number(identity),
                   "columns": "、".join(f"“{column.header}”" for column in missing)},
            )
            return None
        errors_before = report.error_count
        labor_model = LaborModel(
            county_id=self.user.county_id, recorded_by=self.user, id_number=identity
        )
        for column in kind.HELPER_COLUMNS:
            value = helper[column]
            if value in (None, ""):
                if self.reader.failed(row, column):
                    continue
                if column.required:
                    report.error(row, column.header, _("“%(header)s”为必填项。")
                                 % {"header": column.header})
                    continue
                field = column.model_field
                value = field.get_default() if field.has_default() else (
                    None if field.null else "")
            setattr(labor_model, column.field,
                    validate_field(labor_model, column, value, report, row, self.valid))
        if report.error_count == errors_before:
            clean_instance(labor_model, {c.field: c.header for c in kind.HELPER_COLUMNS},
                           report, row)
        return labor_model if report.error_count == errors_before else None

    def register_numbers(self, parsed):
        """{row: the register number of the household it names}: the 户编号 cell, or the
        household whose head has the 户主证件号码 (and the 户主姓名, when given)."""
        report, kind = self.report, self.kind
        head_ids = {
            household[kind.head_id] for _row, _values, _helper, household in parsed
            if not household[kind.register_number] and household[kind.head_id]
        }
        heads = keys.by_id_number(
            Member.objects.for_user(self.user, "change").active()
            .filter(relation=Relation.HEAD).select_related("household"),
            list(head_ids),
        )
        numbers = {}
        for row, _values, _helper, household in parsed:
            if household[kind.register_number]:
                numbers[row] = household[kind.register_number]
                continue
            if any(self.reader.failed(row, column)
                   for column in (kind.register_number, kind.head_id)):
                continue
            identity, name = household[kind.head_id], household[kind.head_name]
            head = heads.get(identity) if identity else None
            if not identity:
                report.error(row, kind.register_number.header, _(
                    "请填写“户编号”,或“户主姓名”和“户主证件号码”,以确定帮扶的贫困户。"
                ))
            elif head is None:
                report.error(row, kind.head_id.header, _(
                    "本县区没有户主证件号码为“%(value)s”的贫困户,请先导入登记册。"
                ) % {"value": mask_id_number(identity)})
            elif name and name != head.name:
                report.error(row, kind.head_name.header, _(
                    "户主姓名“%(named)s”与证件号码登记的户主“%(name)s”不符。"
                ) % {"named": name, "name": head.name})
            else:
                numbers[row] = head.household.register_number
        return numbers

    def finish(self):
        self.pairings.finish()
