"""Files in an import's own layout: the blank template of each kind, and the county's full
register (one row per member), which imports back unchanged.

The register is read with ``values_list`` over one join, in chunks, and written as it is read
by ``cases.exports`` (streamed, or by a background job when the county is large), so memory
stays flat however large the county is.
"""

import io

from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font

from cases.models import Household, Member
from evidence.services import ATTACHMENT_COUNT_LABEL, attachment_count
from imports.columns import CodeColumn
from imports.kinds import households as register

CHUNK_SIZE = 2000
# A text cell starting with one of these is a formula to Excel (CSV/DDE injection); the import
# reads the leading apostrophe back off.
FORMULA_PREFIXES = ("=", "+", "-", "@")

MEMBER_VALUES = [
    "household_id", "name", "id_number", "relation", "sex", "birth_date", "ethnicity",
    "education", "health", "labour_ability", "work_status", "phone", "person_number",
    "school_status", "work_months", "serious_illness_insurance",
]
HOUSEHOLD_VALUES = [
    "pk", "village__township__name", "village__name", "register_number", "head_name",
    "attribute", "standard", "identified_on", "main_cause__name", "status", "exit_date",
    "monitoring", "phone", "demands", "exit_year_only", "natural_village", "unsafe_housing",
    "safe_drinking_water", "income_per_capita", "attachment_count",
]


def safe_text(value):
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def register_header():
    """The import's columns, then the household's number of evidence files, which an import
    of the file skips."""
    return [
        *(str(column.header) for column in register.HouseholdRegister.columns),
        str(ATTACHMENT_COUNT_LABEL),
    ]


def register_households(user):
    return Household.objects.for_user(user, "change").active()


def register_members(user):
    """The members the register lists."""
    return Member.objects.active().filter(household__in=register_households(user))


def register_row_count(user, limit):
    """The register's data rows, counted no further than ``limit`` (each part): one per active
    member, and one per household without any."""
    alone = register_households(user).filter(
        ~Exists(Member.objects.active().filter(household=OuterRef("pk")))
    )
    return register_members(user)[:limit].count() + alone[:limit].count()


def register_rows(user):
    """The header, then one row per active member of the user's county's active households
    (one row with the member columns empty for a household without members), ordered by
    register number. Values are real dates and the choices' Chinese labels."""
    yield register_header()
    county_name = user.county.name
    households = (
        register_households(user)
        .annotate(attachment_count=attachment_count(Household))
        .order_by("register_number")
        .values_list(*HOUSEHOLD_VALUES)
    )
    through = Household.other_causes.through
    choice = {column.field: column for column in register.HOUSEHOLD_COLUMNS if column.field}
    member_choice = {column.field: column for column in register.MEMBER_COLUMNS}
    batch = []
    for household in households.iterator(chunk_size=CHUNK_SIZE):
        batch.append(household)
        if len(batch) >= CHUNK_SIZE:
            yield from _household_rows(batch, county_name, through, choice, member_choice)
            batch = []
    if batch:
        yield from _household_rows(batch, county_name, through, choice, member_choice)


def _household_rows(batch, county_name, through, choice, member_choice):
    pks = [household[0] for household in batch]
    causes = {}
    for household_id, name in (
        through.objects.filter(household_id__in=pks)
        .order_by("povertycause_id")
        .values_list("household_id", "povertycause__name")
    ):
        causes.setdefault(household_id, []).append(name)
    members = {}
    for member in (
        Member.objects.active().filter(household_id__in=pks)
        .order_by("household_id", "id").values_list(*MEMBER_VALUES)
    ):
        members.setdefault(member[0], []).append(member)
    for (pk, township, village, number, head, attribute, standard, identified, cause, status,
         exit_date, monitoring, phone, demands, exit_year_only, natural_village, unsafe_housing,
         safe_water, income, attachments) in batch:
        household_cells = [
            county_name, township, village, number, safe_text(head),
            choice["attribute"].export(attribute), choice["standard"].export(standard),
            identified, cause, "、".join(causes.get(pk, [])) or None,
            choice["status"].export(status), None if exit_year_only else exit_date,
            choice["monitoring"].export(monitoring), phone or None, safe_text(demands) or None,
            exit_date.year if exit_year_only else None, safe_text(natural_village) or None,
            choice["unsafe_housing"].export(unsafe_housing),
            choice["safe_drinking_water"].export(safe_water), income,
            None,  # 户类型: the status column says it
        ]
        rows = members.get(pk)
        if not rows:
            yield household_cells + [None] * len(register.MEMBER_COLUMNS) + [attachments]
            continue
        for (_household, name, id_number, relation, sex, birth, ethnicity, education, health,
             ability, work, member_phone, person_number, school, work_months,
             illness_insurance) in rows:
            yield household_cells + [
                safe_text(name), id_number, member_choice["relation"].export(relation),
                member_choice["sex"].export(sex), birth, safe_text(ethnicity),
                member_choice["education"].export(education),
                member_choice["health"].export(health),
                member_choice["labour_ability"].export(ability),
                member_choice["work_status"].export(work), member_phone or None,
                person_number or None, member_choice["school_status"].export(school),
                work_months, member_choice["serious_illness_insurance"].export(illness_insurance),
                attachments,
            ]


def register_text_columns():
    """Headers of the identifier columns, kept as text in Excel."""
    return {
        str(column.header) for column in register.HouseholdRegister.columns
        if isinstance(column, CodeColumn)
    }


def template_workbook(kind):
    """The kind's template: the header and one example row on the first sheet, and a second
    sheet that explains each column."""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("导入数据")
    headers = [str(column.header) for column in kind.columns]
    sheet.append(headers)
    sheet.append([str(column.example) if column.example else None for column in kind.columns])
    for index, column in enumerate(kind.columns, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="C00000" if column.required else "000000")
        letter = cell.column_letter
        sheet.column_dimensions[letter].width = max(10, len(headers[index - 1]) * 2 + 4)
        # Every cell of the template is text, so long digit strings keep all their digits.
        sheet.cell(row=2, column=index).number_format = "@"
        for row in range(3, 1003):
            sheet.cell(row=row, column=index).number_format = "@"
    sheet.freeze_panes = "A2"

    notes = workbook.create_sheet(_("填写说明"))
    notes.append([_("列名"), _("是否必填"), _("可选值"), _("说明")])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    for column in kind.columns:
        notes.append([
            str(column.header), _("必填") if column.required else _("选填"),
            "、".join(str(value) for value in column.allowed_values()),
            str(column.help_text),
        ])
    for letter, width in (("A", 16), ("B", 10), ("C", 60), ("D", 60)):
        notes.column_dimensions[letter].width = width
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()

