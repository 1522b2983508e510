"""The register as counties have it: the national 建档立卡 export (title row, merged two-row
header, the system's own labels and values) imports without retyping, and a re-import never
loses what is stored: a column the file lacks changes nothing, every change is shown with its
old and new value, and the changes that matter most need an explicit tick."""

import datetime
import io
from decimal import Decimal

import pytest
import xlwt
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from cases.choices import (
    Education,
    HouseholdAttribute,
    PovertyStatus,
    Relation,
    ReviewStatus,
    SchoolStatus,
    WorkStatus,
)
from cases.models import Household, Member, Village
from cases.validators import build_resident_id
from imports.models import ImportPreset, ImportRun, ImportStatus
from tests.import_files import (
    NATIONAL_COLUMNS,
    REGISTER_HEADER,
    as_table,
    csv_bytes,
    household_values,
    member_values,
    national_header_rows,
    national_rows,
    national_table,
    national_xls,
    national_xlsx,
    register_row,
    renamed,
    resident_id,
    with_computed_value,
    xlsx_bytes,
)

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("media_root", "run_jobs_on_commit", "village_a"),
]


def upload(client, data, name="register.xlsx"):
    response = client.post(
        reverse("imports:index"), {"kind": "households", "file": SimpleUploadedFile(name, data)}
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    return ImportRun.objects.latest("pk")


def confirm(client, run, tick=False):
    response = client.post(
        reverse("imports:run_confirm", args=[run.pk]), {"accept_flagged": "1"} if tick else {}
    )
    run.refresh_from_db()
    return response


def assert_national_rows_imported():
    first = Household.objects.get(register_number="41172700100001")
    assert first.head_name == "刘建国"  # from the head's row: the export has no 户主姓名
    assert first.identified_on is None  # not in the export, and not required
    assert first.status == PovertyStatus.NOT_EXITED and first.exit_date is None
    assert (first.natural_village, first.unsafe_housing, first.safe_drinking_water) == (
        "前刘庄", False, True
    )
    assert first.income_per_capita == Decimal("3560.50") and first.phone == "13812345678"
    second = Household.objects.get(register_number="41172700100002")
    assert second.head_name == "赵桂兰"
    assert second.status == PovertyStatus.EXITED
    assert second.exit_year_only and second.exit_date.year == 2018
    assert second.attribute == HouseholdAttribute.MINIMUM_LIVING and second.unsafe_housing

    head = Member.objects.get(id_number=resident_id(1))
    assert (head.relation, head.education, head.work_status) == (
        Relation.HEAD, Education.COLLEGE, WorkStatus.TOWNSHIP
    )
    assert (head.person_number, head.work_months, head.serious_illness_insurance) == (
        "P00000001", 6, True
    )
    child = Member.objects.get(id_number=resident_id(2))
    assert (child.relation, child.education, child.school_status) == (
        Relation.GRANDSON, "", SchoolStatus.PRESCHOOL
    )
    assert child.serious_illness_insurance is False and child.work_months is None
    mother_in_law = Member.objects.get(id_number=resident_id(3))
    assert (mother_in_law.relation, mother_in_law.work_status) == (
        Relation.OTHER, WorkStatus.PROVINCE
    )


#
# The national layouts
#


def test_the_national_export_as_xlsx_imports_with_no_edits(clerk_client):
    run = upload(clerk_client, national_xlsx(national_rows()))

    assert run.status == ImportStatus.VALIDATED, run.errors
    assert (run.created_count, run.updated_count) == (6, 0)
    # Columns the portal does not keep are listed, not refused.
    assert "“序号”" in run.warnings[0] and "“饮水困难”" in run.warnings[0]
    confirm(clerk_client, run)
    assert run.status == ImportStatus.DONE, run.errors
    assert_national_rows_imported()


def test_the_national_export_as_xls_imports_with_no_edits(clerk_client):
    run = upload(clerk_client, national_xls(national_rows()), "贫困人口明细.xls")

    assert run.status == ImportStatus.VALIDATED, run.errors
    confirm(clerk_client, run)
    assert run.status == ImportStatus.DONE, run.errors
    assert_national_rows_imported()


def test_an_xls_date_cell_and_a_numeric_id_number_are_read_as_in_xlsx(clerk_client):
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("登记册")
    rows = as_table(portal_rows()[:2])
    date_style = xlwt.easyxf(num_format_str="YYYY-MM-DD")
    for row_index, row in enumerate(rows):
        for column, value in enumerate(row):
            if row_index and REGISTER_HEADER[column] == "识别日期":
                sheet.write(row_index, column, datetime.date(2016, 3, 1), date_style)
            elif row_index == 2 and REGISTER_HEADER[column] == "身份证号":
                sheet.write(row_index, column, float(value[:17]))
            elif value != "":
                sheet.write(row_index, column, value)
    output = io.BytesIO()
    book.save(output)

    run = upload(clerk_client, output.getvalue(), "register.xls")

    assert run.errors == [{
        "row": 3, "column": "身份证号",
        "message": "被 Excel 存成了数字,末尾几位已经丢失:请把该列设为“文本”格式后重新填写。",
    }]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_the_national_export_as_csv_imports_with_no_edits(clerk_client, encoding):
    run = upload(clerk_client, csv_bytes(national_table(national_rows()), encoding), "名册.csv")

    assert run.status == ImportStatus.VALIDATED, run.errors
    confirm(clerk_client, run)
    assert_national_rows_imported()


def test_a_header_cell_merged_down_is_read_from_the_upper_row(clerk_client):
    """Only 户编号 is merged down over both header rows; every other label is in the lower
    row. The upper row alone names one known column, yet 户编号 is found."""
    upper, lower = national_header_rows()
    number_at = NATIONAL_COLUMNS.index("户编号")
    upper = ["" if index != number_at else "户编号" for index in range(len(upper))]
    lower = [label or NATIONAL_COLUMNS[index] for index, label in enumerate(lower)]
    lower[number_at] = ""
    table = national_table(national_rows())
    table[1:3] = [upper, lower]

    def merge(sheet):
        sheet.merge_cells(start_row=2, start_column=number_at + 1, end_row=3,
                          end_column=number_at + 1)

    run = upload(clerk_client, xlsx_bytes(table, prepare=merge))

    assert run.status == ImportStatus.VALIDATED, run.errors
    assert run.created_count == 6


def test_national_values_no_list_matches_are_listed_once_per_column_and_value(clerk_client):
    rows = national_rows()
    for row in rows[:3]:
        row["务工状况"] = "外出"
    rows[3]["脱贫属性"] = "已出列"

    run = upload(clerk_client, national_xlsx(rows))

    assert run.status == ImportStatus.INVALID
    assert run.error_count == 4  # every row with such a value is counted …
    by_column = {error["column"]: error for error in run.errors}
    assert len(run.errors) == 2  # … and each value listed once, with its rows
    assert "“外出”" in by_column["务工状况"]["message"]
    assert "共 3 行" in by_column["务工状况"]["message"]
    assert by_column["务工状况"]["row"] == 4  # the first data row, under the title and header
    assert "“已出列”" in by_column["脱贫状态"]["message"]
    assert "共 1 行" in by_column["脱贫状态"]["message"]


#
# Re-importing never loses stored data
#


def portal_rows():
    exited = household_values("411727001000001", 脱贫状态="已脱贫", 脱贫日期="2019-06-30")
    returned = household_values(
        "411727001000002", 户主姓名="王秀兰", 脱贫状态="返贫", 脱贫日期="2018-05-01"
    )
    return [
        register_row(exited, member_values(1, "户主", "刘建国", 务工状况="县内务工")),
        register_row(exited, member_values(2, "配偶", "李桂英", 务工状况="省外务工")),
        register_row(returned, member_values(3, "户主", "王秀兰")),
        register_row(returned, member_values(4, "之子", "王小军")),
    ]


def without_columns(table, dropped):
    keep = [index for index, label in enumerate(table[0]) if label not in dropped]
    return [[row[index] for index in keep] for row in table]


def import_portal_rows_approved(client):
    run = upload(client, xlsx_bytes(as_table(portal_rows())))
    confirm(client, run)
    assert run.status == ImportStatus.DONE, run.errors
    Household.objects.update(review_status=ReviewStatus.APPROVED)


def stored_state():
    return (
        sorted(Household.objects.values_list(
            "register_number", "status", "exit_date", "review_status", "version"
        )),
        sorted(Member.objects.values_list("name", "work_status", "household_id", "version")),
    )


def test_a_column_the_file_lacks_leaves_every_stored_value_unchanged(clerk_client):
    import_portal_rows_approved(clerk_client)
    before = stored_state()
    history = Household.history.count() + Member.history.count()
    table = without_columns(as_table(portal_rows()), {"脱贫状态", "脱贫日期", "务工状况"})

    run = upload(clerk_client, xlsx_bytes(table))

    assert run.status == ImportStatus.VALIDATED, run.errors
    assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 0, 6)
    assert run.flags == {} and run.changes == []
    confirm(clerk_client, run)
    assert run.status == ImportStatus.DONE
    assert stored_state() == before
    assert Household.history.count() + Member.history.count() == history
    assert set(Household.objects.values_list("review_status", flat=True)) == {
        ReviewStatus.APPROVED
    }


def test_an_empty_cell_of_a_present_column_is_a_change_shown_old_and_new(clerk_client):
    import_portal_rows_approved(clerk_client)
    rows = portal_rows()
    rows[0]["务工状况"] = ""

    run = upload(clerk_client, xlsx_bytes(as_table(rows)))

    assert run.updated_count == 1
    change = next(change for change in run.changes if "刘建国" in change["record"])
    assert change["fields"] == [["务工状况", "县内务工", "未务工"]]
    page = clerk_client.get(run.get_absolute_url()).content.decode()
    assert "务工状况:县内务工 → 未务工" in page


def test_status_changes_moves_and_review_resets_are_counted_and_need_a_tick(clerk_client):
    import_portal_rows_approved(clerk_client)
    Household.objects.filter(register_number="411727001000002").update(
        review_status=ReviewStatus.DRAFT
    )
    before = stored_state()
    rows = portal_rows()
    rows[0]["脱贫状态"] = rows[1]["脱贫状态"] = "返贫"
    # 王小军 (registered in the second household) is listed in the first one.
    rows[3] = register_row(rows[0], member_values(4, "之子", "王小军"))

    run = upload(clerk_client, xlsx_bytes(as_table(rows)))

    assert run.status == ImportStatus.VALIDATED, run.errors
    assert run.flags == {"status": 1, "moved": 1, "review": 1}, run.changes
    moved = next(change for change in run.changes if "王小军" in change["record"])
    assert moved["flags"] == ["moved"]
    assert ["贫困户", "411727001000002", "411727001000001"] in moved["fields"]
    household = next(change for change in run.changes if "411727001000001" in change["record"])
    assert ["脱贫状态", "已脱贫", "返贫"] in household["fields"]
    assert ["审核状态", "已审核", "草稿"] in household["fields"]
    page = clerk_client.get(run.get_absolute_url()).content.decode()
    assert "需要确认的变更" in page and 'name="accept_flagged"' in page

    confirm(clerk_client, run)  # no tick: nothing happens
    assert run.status == ImportStatus.VALIDATED
    assert stored_state() == before

    confirm(clerk_client, run, tick=True)
    assert run.status == ImportStatus.DONE, run.errors
    first = Household.objects.get(register_number="411727001000001")
    assert first.status == PovertyStatus.RETURNED and first.review_status == ReviewStatus.DRAFT
    assert Member.objects.get(id_number=resident_id(4)).household == first


#
# One error per unreadable cell
#


def test_an_id_number_excel_stored_as_a_number_is_one_error(clerk_client):
    id_at = REGISTER_HEADER.index("身份证号") + 1

    def as_number(sheet):
        sheet.cell(row=3, column=id_at).value = 4.11727198e17

    rows = portal_rows()
    run = upload(clerk_client, xlsx_bytes(as_table(rows), prepare=as_number))

    row_errors = [error for error in run.errors if error["row"] == 3]
    assert len(row_errors) == 1, row_errors
    assert row_errors[0]["column"] == "身份证号" and "丢失" in row_errors[0]["message"]


def test_an_unreadable_required_cell_is_not_also_reported_missing(clerk_client):
    rows = portal_rows()
    rows[1]["与户主关系"] = "族长"

    run = upload(clerk_client, xlsx_bytes(as_table(rows)))

    assert run.error_count == 1
    assert "“族长”不是可选的值" in run.errors[0]["message"]
    assert "必填" not in run.errors[0]["message"]


def test_the_year_of_exit_is_shown_as_the_year(clerk_client):
    run = upload(clerk_client, national_xlsx(national_rows()))
    confirm(clerk_client, run)
    household = Household.objects.get(register_number="41172700100002")

    page = clerk_client.get(household.get_absolute_url()).content.decode()

    assert "已脱贫(2018年)" in page and "2018-12-31" not in page
    assert datetime.date(2018, 12, 31) == household.exit_date


#
# Cells as offices write them
#


@pytest.mark.parametrize(
    ("typed", "read"),
    [("2018年6月", datetime.date(2018, 6, 1)), ("2019.3", datetime.date(2019, 3, 1)),
     (2019.3, datetime.date(2019, 3, 1)), ("2016-11", datetime.date(2016, 11, 1))],
)
def test_a_month_without_a_day_is_its_first_day_with_a_warning(clerk_client, typed, read):
    rows = portal_rows()[:2]
    for row in rows:
        row["识别日期"] = typed

    run = upload(clerk_client, xlsx_bytes(as_table(rows)))

    assert run.status == ImportStatus.VALIDATED, run.errors
    warning = next(warning for warning in run.warnings if "只写了年月" in warning)
    assert "“识别日期”" in warning and "1 日" in warning
    confirm(clerk_client, run)
    assert Household.objects.get().identified_on == read


def test_a_formula_cell_uses_its_computed_value_with_a_warning(clerk_client):
    date_at = REGISTER_HEADER.index("识别日期")
    letter = chr(ord("A") + date_at)
    rows = portal_rows()[:2]

    def formula(sheet):
        for row in (2, 3):
            sheet.cell(row=row, column=date_at + 1).value = "=DATE(2016,3,1)"

    data = xlsx_bytes(as_table(rows), prepare=formula)
    for row in (2, 3):
        data = with_computed_value(data, f"{letter}{row}", 42430)  # Excel's day of 2016-03-01

    run = upload(clerk_client, data)

    assert run.status == ImportStatus.VALIDATED, run.errors
    assert any("公式" in warning and "计算出的值" in warning for warning in run.warnings)
    confirm(clerk_client, run)
    assert Household.objects.get().identified_on == datetime.date(2016, 3, 1)


#
# The mapping step and the county's preset
#


def mapping_post(run, choices, name="汝南县国家系统导出"):
    fields = {"name": name}
    for header, choice in choices.items():
        index = run.file_columns["missing"].index(header)
        key = "column" if not choice.startswith("=") else "constant"
        fields[f"{key}_{index}"] = choice.lstrip("=")
    return fields


def test_columns_mapped_once_are_saved_as_a_preset_and_applied_to_the_next_file(clerk_client):
    data = renamed(national_rows(), {"姓名": "家庭成员姓名", "主要致贫原因": "致贫主因"})
    run = upload(clerk_client, data)
    assert run.status == ImportStatus.INVALID
    assert run.file_columns["missing"] == ["主要致贫原因", "成员姓名"]
    page = clerk_client.get(run.get_absolute_url()).content.decode()
    assert "列和值的对应" in page and "致贫主因" in page

    clerk_client.post(reverse("imports:run_mapping", args=[run.pk]), mapping_post(
        run, {"主要致贫原因": "致贫主因", "成员姓名": "家庭成员姓名"}
    ))

    run.refresh_from_db()
    assert run.status == ImportStatus.VALIDATED, run.errors
    preset = ImportPreset.objects.get()
    assert (preset.name, preset.columns) == (
        "汝南县国家系统导出", {"主要致贫原因": "致贫主因", "成员姓名": "家庭成员姓名"}
    )
    confirm(clerk_client, run)
    assert_national_rows_imported()

    again = upload(clerk_client, data)
    assert again.preset == preset and again.status == ImportStatus.VALIDATED, again.errors
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 6)


def test_a_constant_and_a_value_mapping_are_kept_with_the_preset(clerk_client):
    rows = national_rows()
    rows[0]["务工状况"] = rows[2]["务工状况"] = "外出务工"
    table = national_table(rows)
    table[1][NATIONAL_COLUMNS.index("县(市、区、旗)")] = ""  # the county column has no label
    run = upload(clerk_client, xlsx_bytes(table))
    assert run.file_columns["missing"] == ["县区"]
    clerk_client.post(
        reverse("imports:run_mapping", args=[run.pk]), mapping_post(run, {"县区": "=汝南县"})
    )
    run.refresh_from_db()
    assert run.status == ImportStatus.INVALID
    assert run.file_columns["unmatched"] == [["务工状况", "外出务工", 2]]
    page = clerk_client.get(run.get_absolute_url()).content.decode()
    assert "“务工状况”列的“外出务工”(2 行)表示" in page

    clerk_client.post(
        reverse("imports:run_mapping", args=[run.pk]),
        {"name": "汝南县国家系统导出", "value_0": "省外务工"},
    )

    run.refresh_from_db()
    assert run.status == ImportStatus.VALIDATED, run.errors
    preset = ImportPreset.objects.get()
    assert preset.constants == {"县区": "汝南县"}
    assert preset.values == {"务工状况": {"外出务工": "省外务工"}}
    confirm(clerk_client, run)
    assert Member.objects.get(id_number=resident_id(1)).work_status == WorkStatus.OUT_OF_PROVINCE


def test_a_mapping_needs_a_column_or_a_value_for_each_missing_column(clerk_client):
    run = upload(clerk_client, renamed(national_rows(), {"主要致贫原因": "致贫主因"}))

    response = clerk_client.post(
        reverse("imports:run_mapping", args=[run.pk]), {"name": "方案"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "请为“主要致贫原因”选择文件中的列" in page
    # The error summary at the top links to the field to fix.
    summary = page[page.index("data-error-summary"):]
    form = response.context["mapping_form"]
    assert form.errors
    for name in form.errors:
        assert f'href="#{form[name].id_for_label}"' in summary
    assert not ImportPreset.objects.exists()


def test_another_countys_clerk_cannot_map_or_use_the_preset(
    clerk_client, client, county_b_clerk
):
    run = upload(clerk_client, renamed(national_rows(), {"主要致贫原因": "致贫主因"}))
    client.force_login(county_b_clerk)

    response = client.post(
        reverse("imports:run_mapping", args=[run.pk]),
        mapping_post(run, {"主要致贫原因": "致贫主因"}),
    )

    assert response.status_code == 404
    assert not ImportPreset.objects.exists()


def test_the_monitoring_roster_layout_imports_and_an_exited_household_type_is_exited(
    clerk_client
):
    header = [
        "序号", "县(市、区、旗)", "乡(镇)", "行政村", "户编号", "人编号", "姓名", "证件号码",
        "性别", "与户主关系", "致贫原因1", "是否参加大病保险", "是否解决安全饮用水",
        "户联系电话", "人联系电话", "首次识别时间", "户类型", "易返贫致贫户(监测对象)类型",
        "脱贫年度",
    ]
    place = ["汝南县", "老君庙镇", "后刘庄村"]
    table = [
        ["汝南县已脱贫人口名单"],
        header,
        [1, *place, "41172700200001", "P1", "陈立新", resident_id(21), "1", "户主", "因残",
         "是", "是", "13900000001", "13900000001", "2014年10月", "脱贫户", "脱贫不稳定户",
         2019],
        [2, *place, "41172700200001", "P2", "陈小红",
         build_resident_id("411727", datetime.date(2001, 1, 2), 22), "2", "之女", "因残", "是",
         "是", "13900000001", "", "2014年10月", "脱贫户", "脱贫不稳定户", 2019],
    ]

    run = upload(clerk_client, xlsx_bytes(table))

    assert run.status == ImportStatus.VALIDATED, run.errors
    confirm(clerk_client, run)
    household = Household.objects.get(register_number="41172700200001")
    assert (household.head_name, household.status, household.exit_date.year) == (
        "陈立新", PovertyStatus.EXITED, 2019
    )
    assert household.identified_on == datetime.date(2014, 10, 1)
    assert household.monitoring == "unstable" and household.main_cause.name == "因残"
    daughter = Member.objects.get(name="陈小红")
    assert (daughter.relation, daughter.sex, daughter.serious_illness_insurance) == (
        Relation.DAUGHTER, "F", True
    )


#
# Villages the county does not have yet
#


def test_unknown_villages_are_listed_once_and_added_from_the_preview(clerk_client):
    rows = national_rows()
    for row in rows[:3]:
        row["行政村"] = "新建村"

    run = upload(clerk_client, national_xlsx(rows))

    assert run.status == ImportStatus.INVALID
    assert run.file_columns["villages"] == [["老君庙镇", "新建村", 1]]
    assert len(run.errors) == 1 and "新建村" in run.errors[0]["message"]
    page = clerk_client.get(run.get_absolute_url()).content.decode()
    assert "本县区尚无的行政村" in page and "添加这些行政村并重新检查" in page

    clerk_client.post(reverse("imports:run_add_villages", args=[run.pk]))

    run.refresh_from_db()
    assert run.status == ImportStatus.VALIDATED, run.errors
    village = Village.objects.get(name="新建村")
    assert village.county == run.county and village.township.name == "老君庙镇"


def test_a_city_reviewer_cannot_add_villages(clerk_client, client, city_reviewer):
    rows = national_rows()
    rows[3]["行政村"] = "新建村"
    run = upload(clerk_client, national_xlsx(rows))
    client.force_login(city_reviewer)

    response = client.post(reverse("imports:run_add_villages", args=[run.pk]))

    assert response.status_code == 403
    assert not Village.objects.filter(name="新建村").exists()


#
# Household columns filled on one row of the household
#

HOUSEHOLD_ONLY = ("脱贫属性", "脱贫年度", "贫困户属性", "主要致贫原因", "危房户", "饮水安全",
                  "人均纯收入", "联系电话")


def on_one_row_only(rows, keep):
    """``rows`` with the household columns emptied except on the rows ``keep`` holds."""
    return [
        row if index in keep else {**row, **dict.fromkeys(HOUSEHOLD_ONLY, "")}
        for index, row in enumerate(rows)
    ]


def test_household_columns_on_the_head_row_only_import_as_when_repeated(clerk_client):
    # The first household's columns on its head's (first) row only; the second household
    # (one row) as before.
    run = upload(clerk_client, national_xlsx(on_one_row_only(national_rows(), keep={0, 3})))

    assert run.status == ImportStatus.VALIDATED, run.errors
    assert (run.created_count, run.updated_count) == (6, 0)
    confirm(clerk_client, run)
    assert run.status == ImportStatus.DONE, run.errors
    assert_national_rows_imported()


def test_household_columns_may_be_on_a_later_row_of_the_household(clerk_client):
    rows = national_rows()
    # The head is listed second, and only his row carries the household's columns.
    rows[0], rows[1] = rows[1], rows[0]
    run = upload(clerk_client, national_xlsx(on_one_row_only(rows, keep={1, 3})))

    assert run.status == ImportStatus.VALIDATED, run.errors
    confirm(clerk_client, run)
    assert run.status == ImportStatus.DONE, run.errors
    assert_national_rows_imported()


def test_two_different_values_of_a_household_column_name_both_rows(clerk_client):
    rows = on_one_row_only(national_rows(), keep={0, 2, 3})
    rows[2]["联系电话"] = "13900000000"

    run = upload(clerk_client, national_xlsx(rows))

    assert run.status == ImportStatus.INVALID
    errors = [(e["row"], e["column"], e["message"]) for e in run.errors]
    assert len(errors) == 1, errors
    row, column, message = errors[0]
    # The data starts on the file's 4th row: the household's rows are 4, 5 and 6.
    assert (row, column) == (6, "户联系电话")
    assert "第 4 行是“13812345678”" in message and "第 6 行是“13900000000”" in message
    assert not Household.objects.exists()


def test_a_household_column_empty_on_every_row_is_an_explicit_empty(clerk_client):
    run = upload(clerk_client, national_xlsx(national_rows()))
    confirm(clerk_client, run)
    assert Household.objects.get(register_number="41172700100001").phone == "13812345678"

    rows = national_rows()
    for row in rows[:3]:
        row["联系电话"] = ""
    again = upload(clerk_client, national_xlsx(rows))

    assert (again.updated_count, again.unchanged_count) == (1, 5), again.errors
    change = next(c for c in again.changes if "41172700100001" in c["record"])
    assert change["fields"] == [["联系电话", "13812345678", ""]]
    confirm(clerk_client, again)
    assert again.status == ImportStatus.DONE, again.errors
    assert Household.objects.get(register_number="41172700100001").phone == ""


def test_a_household_across_two_chunks_is_read_whole(clerk_client, monkeypatch):
    monkeypatch.setattr("imports.engine.CHUNK_ROWS", 2)
    # Rows 1-3 are one household: the chunk of rows 1-2 ends inside it, and its
    # columns are on its third row only.
    rows = on_one_row_only(national_rows(), keep={2, 3})

    run = upload(clerk_client, national_xlsx(rows))

    assert run.status == ImportStatus.VALIDATED, run.errors
    confirm(clerk_client, run)
    assert run.status == ImportStatus.DONE, run.errors
    assert_national_rows_imported()


def test_a_household_value_after_the_household_was_checked_is_an_error(
    clerk_client, monkeypatch
):
    monkeypatch.setattr("imports.engine.CHUNK_ROWS", 2)
    rows = on_one_row_only(national_rows(), keep={3})
    # The first household's rows are not together: its last row comes after the second
    # household's, in a later chunk, and carries the household's columns.
    rows = [rows[0], rows[1], rows[3], national_rows()[2]]

    run = upload(clerk_client, national_xlsx(rows))

    assert run.status == ImportStatus.INVALID
    messages = {(e["row"], e["column"]): e["message"] for e in run.errors}
    assert "请把同一户的行排在一起" in messages[(7, "脱贫状态")]
