"""Importing the 建档立卡 register (households with their members) from real .xlsx and .csv
files: preview, confirm, idempotence, corrections, all-or-nothing, scoping and the round trip
through the register export."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from cases.choices import Education, Relation, ReviewStatus
from cases.models import Household, Member, Village
from cases.uniqueness import duplicate_message
from demo.management.commands.bench_import_export import register_table
from imports import engine
from imports.exports import register_header
from imports.models import ImportRun, ImportStatus
from tests.factories import HouseholdFactory, MemberFactory, TownshipFactory, VillageFactory
from tests.import_files import (
    REGISTER_HEADER,
    as_table,
    csv_bytes,
    household_values,
    member_values,
    register_row,
    resident_id,
    xlsx_bytes,
)
from tests.support import export

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("media_root", "run_jobs_on_commit", "village_a"),
]


def two_households():
    first = household_values("411727001000001")
    second = household_values("411727001000002", 户主姓名="王秀兰", 其他致贫原因="缺技术、缺资金")
    return [
        register_row(first, member_values(1, "户主", "刘建国")),
        register_row(first, member_values(2, "配偶", "李桂英")),
        register_row(second, member_values(3, "户主", "王秀兰")),
    ]


def upload(client, data, name):
    return client.post(
        reverse("imports:index"),
        {"kind": "households", "file": SimpleUploadedFile(name, data)},
    )


def upload_and_confirm(client, data, name="register.xlsx", accept_flagged=False):
    response = upload(client, data, name)
    assert response.status_code == 302, response.content.decode()[:2000]
    run = ImportRun.objects.latest("pk")
    assert run.status == ImportStatus.VALIDATED, run.errors
    tick = {"accept_flagged": "1"} if accept_flagged else {}
    client.post(reverse("imports:run_confirm", args=[run.pk]), tick)
    run.refresh_from_db()
    return run


def history_rows():
    return Household.history.count() + Member.history.count()


#
# Preview and import
#


def test_preview_shows_counts_and_writes_nothing(clerk_client):
    response = upload(clerk_client, xlsx_bytes(as_table(two_households())), "register.xlsx")

    run = ImportRun.objects.get()
    assert response.url == reverse("imports:run_detail", args=[run.pk])
    assert run.status == ImportStatus.VALIDATED
    assert (run.created_count, run.updated_count, run.unchanged_count) == (5, 0, 0)
    assert run.summary["贫困户"]["created"] == 2 and run.summary["家庭成员"]["created"] == 3
    assert Household.objects.count() == 0 and Member.objects.count() == 0
    assert history_rows() == 0
    page = clerk_client.get(response.url)
    assert "确认导入" in page.content.decode()
    assert run.file.name and run.file_name == "register.xlsx"


def test_confirm_writes_every_row_with_server_set_fields_and_history(
    clerk_client, county_a_clerk, county_a
):
    run = upload_and_confirm(clerk_client, xlsx_bytes(as_table(two_households())))

    assert run.status == ImportStatus.DONE
    assert (run.created_count, run.updated_count, run.unchanged_count) == (5, 0, 0)
    first = Household.objects.get(register_number="411727001000001")
    second = Household.objects.get(register_number="411727001000002")
    assert first.county == county_a and first.recorded_by == county_a_clerk
    assert first.review_status == ReviewStatus.DRAFT
    assert first.identified_on == datetime.date(2016, 3, 1)
    assert sorted(c.name for c in second.other_causes.all()) == ["缺技术", "缺资金"]
    head = Member.objects.get(id_number=resident_id(1))
    assert head.relation == Relation.HEAD and head.household == first
    assert head.birth_date == datetime.date(1975, 6, 15) and head.sex == "M"
    assert head.county == county_a and head.recorded_by == county_a_clerk
    history = first.history.get()
    assert history.history_change_reason == f"批量导入 #{run.pk}"
    assert history.history_user == county_a_clerk
    records = clerk_client.get(reverse("imports:run_records", args=[run.pk])).content.decode()
    assert first.get_absolute_url() in records and second.get_absolute_url() in records


def test_reimporting_the_same_file_changes_nothing(clerk_client):
    data = xlsx_bytes(as_table(two_households()))
    upload_and_confirm(clerk_client, data)
    before = history_rows()
    versions = list(Household.objects.values_list("version", flat=True))

    run = upload_and_confirm(clerk_client, data)

    assert run.status == ImportStatus.DONE
    assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 0, 5)
    assert history_rows() == before
    assert list(Household.objects.values_list("version", flat=True)) == versions
    assert Household.objects.count() == 2 and Member.objects.count() == 3


def test_a_corrected_file_updates_rows_with_history_and_reopens_review(clerk_client):
    upload_and_confirm(clerk_client, xlsx_bytes(as_table(two_households())))
    Household.objects.filter(register_number="411727001000002").update(
        review_status=ReviewStatus.APPROVED
    )
    rows = two_households()
    rows[0]["户主姓名"] = rows[1]["户主姓名"] = "刘建军"
    rows[2]["文化程度"] = "高中"

    run = upload_and_confirm(clerk_client, xlsx_bytes(as_table(rows)), accept_flagged=True)

    assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 2, 3)
    first = Household.objects.get(register_number="411727001000001")
    assert first.head_name == "刘建军" and first.version == 2
    assert [h.head_name for h in first.history.order_by("history_id")] == ["刘建国", "刘建军"]
    member = Member.objects.get(id_number=resident_id(3))
    assert member.education == Education.SENIOR
    assert member.history.count() == 2
    # The approved household's member changed: it goes back to draft, like an edit.
    second = Household.objects.get(register_number="411727001000002")
    assert second.review_status == ReviewStatus.DRAFT
    assert Household.objects.count() == 2 and Member.objects.count() == 3


def test_one_bad_row_means_nothing_is_written(clerk_client, county_a_clerk, monkeypatch):
    rows = two_households()
    upload_and_confirm(clerk_client, xlsx_bytes(as_table(rows[:1])))
    before = (Household.objects.count(), Member.objects.count(), history_rows())
    # The file was fine at preview; by the time it is imported the last row is wrong (the
    # village was renamed meanwhile). Small chunks make the earlier rows be written first.
    monkeypatch.setattr(engine, "CHUNK_ROWS", 1)
    response = upload(clerk_client, xlsx_bytes(as_table(rows)), "register.xlsx")
    run = ImportRun.objects.latest("pk")
    assert response.status_code == 302 and run.status == ImportStatus.VALIDATED
    Village.objects.filter(name="后刘庄村").update(name="前刘庄村")
    clerk_client.post(reverse("imports:run_confirm", args=[run.pk]))

    run.refresh_from_db()
    assert run.status == ImportStatus.FAILED
    assert run.error_count >= 1 and run.errors[0]["column"] == "行政村"
    assert (Household.objects.count(), Member.objects.count(), history_rows()) == before


def test_a_row_of_another_county_is_an_error(clerk_client):
    rows = two_households()
    rows[2]["县区"] = "正阳县"

    upload(clerk_client, xlsx_bytes(as_table(rows)), "register.xlsx")

    run = ImportRun.objects.get()
    assert run.status == ImportStatus.INVALID
    assert {"row": 4, "column": "县区"}.items() <= run.errors[0].items()
    assert "正阳县" in run.errors[0]["message"]
    assert Household.objects.count() == 0


def test_a_register_number_of_another_county_is_an_error(clerk_client, county_b):
    HouseholdFactory(
        register_number="411727001000001",
        village=VillageFactory(township=TownshipFactory(county=county_b)),
    )
    upload(clerk_client, xlsx_bytes(as_table(two_households())), "register.xlsx")

    run = ImportRun.objects.get()
    assert run.status == ImportStatus.INVALID
    assert run.errors[0]["column"] == "户编号"
    assert run.errors[0]["message"] == duplicate_message("户编号")


def test_confirming_twice_imports_once(clerk_client):
    run = upload_and_confirm(clerk_client, xlsx_bytes(as_table(two_households())))
    clerk_client.post(reverse("imports:run_confirm", args=[run.pk]))
    assert Household.objects.count() == 2 and Household.history.count() == 2


#
# Who may import
#


def test_city_reviewer_cannot_import(client, city_reviewer):
    client.force_login(city_reviewer)
    assert client.get(reverse("imports:index")).status_code == 403
    response = upload(client, xlsx_bytes(as_table(two_households())), "register.xlsx")
    assert response.status_code == 403
    assert ImportRun.objects.count() == 0


def test_anonymous_is_sent_to_login(client):
    response = client.get(reverse("imports:index"))
    assert response.status_code == 302 and reverse("login") in response.url


def test_runs_of_another_county_are_not_found(clerk_client, county_b_clerk, client):
    upload(clerk_client, xlsx_bytes(as_table(two_households())), "register.xlsx")
    run = ImportRun.objects.get()
    client.force_login(county_b_clerk)
    assert client.get(reverse("imports:run_detail", args=[run.pk])).status_code == 404
    assert client.post(reverse("imports:run_confirm", args=[run.pk])).status_code == 404
    assert Household.objects.count() == 0


#
# Rules the forms apply, applied to rows
#


def errors_of(client, table, name="register.xlsx", **kwargs):
    data = xlsx_bytes(table, **kwargs) if name.endswith(".xlsx") else table
    response = upload(client, data, name)
    assert response.status_code in (200, 302)
    run = ImportRun.objects.latest("pk")
    assert run.status == ImportStatus.INVALID
    assert Household.objects.count() == 0
    return [(error["row"], error["column"], error["message"]) for error in run.errors]


def test_form_rules_apply_to_each_row(clerk_client):
    rows = two_households()
    valid = rows[0]["身份证号"]
    rows[0]["身份证号"] = valid[:17] + ("0" if valid[17] != "0" else "1")
    rows[1]["与户主关系"] = "表哥"
    rows[2]["脱贫状态"] = "已脱贫"  # without an exit date

    errors = errors_of(clerk_client, as_table(rows))

    assert (2, "身份证号", "身份证号校验位不正确,请核对后重新输入。") in errors
    assert any(row == 3 and column == "与户主关系" and "表哥" in message
               for row, column, message in errors)
    assert (4, "脱贫日期", "已脱贫的贫困户须填写脱贫日期。") in errors


def test_a_bad_value_repeated_on_several_rows_is_an_error_of_each_row(clerk_client):
    # A column's value is read and checked once per import (see REMEMBERED_VALUES); its error
    # is still an error of every row that has it, as the form would give for each record.
    first, second = household_values("411727001000001"), household_values("411727001000002")
    bad = {"出生日期": "1975-13-01", "务工时间(月)": "13"}
    rows = [
        register_row(first, member_values(1, "户主", **bad)),
        register_row(first, member_values(2, "配偶", **{"务工时间(月)": "6"})),
        register_row(second, member_values(3, "户主", **bad)),
    ]

    errors = errors_of(clerk_client, csv_bytes(as_table(rows)), "register.csv")

    for row in (2, 4):
        assert (row, "出生日期", "“1975-13-01”不是有效日期。") in errors
        assert (row, "务工时间(月)", "确保该值小于或等于12。") in errors
    assert not [error for error in errors if error[0] == 3]


def test_two_heads_and_a_repeated_id_number_are_errors(clerk_client):
    first = household_values()
    rows = [
        register_row(first, member_values(1, "户主")),
        register_row(first, member_values(2, "户主")),
        register_row(first, member_values(1, "之子")),
    ]
    errors = errors_of(clerk_client, as_table(rows))
    assert any(row == 3 and column == "与户主关系" for row, column, _m in errors)
    assert any(row == 4 and column == "身份证号" and "第 2 行" in m for row, column, m in errors)


def test_household_columns_must_agree_on_every_row(clerk_client):
    first = household_values()
    rows = [
        register_row(first, member_values(1, "户主")),
        register_row({**first, "识别日期": "2017-01-01"}, member_values(2, "配偶")),
    ]
    errors = errors_of(clerk_client, as_table(rows))
    assert errors[0][:2] == (3, "识别日期") and "第 2 行" in errors[0][2]


def test_every_error_is_counted_and_the_display_is_capped(clerk_client, monkeypatch):
    monkeypatch.setattr(ImportRun, "MAX_STORED_ERRORS", 5)
    rows = [
        register_row(household_values(f"4117270010{n:05d}", 户主姓名=""), member_values(n))
        for n in range(1, 13)
    ]
    upload(clerk_client, xlsx_bytes(as_table(rows)), "register.xlsx")
    run = ImportRun.objects.get()
    assert run.error_count == 12 and len(run.errors) == 5
    page = clerk_client.get(run.get_absolute_url()).content.decode()
    assert "共 12 处错误" in page


#
# Round trip through the register export
#


def test_the_exported_register_imports_back_unchanged(clerk_client, county_a_clerk):
    upload_and_confirm(clerk_client, xlsx_bytes(as_table(two_households())))
    # A household without members and a member added by hand travel too.
    lone = HouseholdFactory(
        register_number="411727001000003", village=Household.objects.first().village,
        demands="=希望学技术", phone="0396-1234567",
    )
    MemberFactory(household=Household.objects.get(register_number="411727001000002"),
                  id_number=resident_id(9), relation=Relation.SON, phone="13812345678")
    before = history_rows()

    for file_format in ("xlsx", "csv"):
        response = export(clerk_client, reverse("imports:register_export"), {"format": file_format})
        assert response.status_code == 200
        data = b"".join(response.streaming_content)
        run = upload_and_confirm(clerk_client, data, f"export.{file_format}")
        assert run.status == ImportStatus.DONE, run.errors
        assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 0, 7)
    assert history_rows() == before
    assert Household.objects.get(pk=lone.pk).demands == "=希望学技术"


def test_register_export_has_full_id_numbers_real_dates_and_only_the_own_county(
    clerk_client, county_b
):
    upload_and_confirm(clerk_client, xlsx_bytes(as_table(two_households())))
    other = MemberFactory(household__village__township__county=county_b)

    response = export(clerk_client, reverse("imports:register_export"), {"format": "xlsx"})

    sheet = load_workbook(io.BytesIO(b"".join(response.streaming_content))).active
    rows = list(sheet.values)
    # The household's number of evidence files follows the import's columns.
    assert list(rows[0]) == [*REGISTER_HEADER, "附件数"]
    assert len(rows) == 4
    assert rows[1][REGISTER_HEADER.index("身份证号")] == resident_id(1)
    assert rows[1][REGISTER_HEADER.index("识别日期")] == datetime.datetime(2016, 3, 1)
    assert other.id_number not in {row[REGISTER_HEADER.index("身份证号")] for row in rows}


def test_register_export_needs_the_permission(client, city_reviewer, county_a_clerk, village_a):
    client.force_login(city_reviewer)
    assert client.post(reverse("imports:register_export")).status_code == 403
    county_a_clerk.groups.clear()
    client.force_login(county_a_clerk)
    assert client.post(reverse("imports:register_export")).status_code == 403


#
# Templates and help
#


def test_template_has_the_headers_and_an_example_row_that_imports(clerk_client):
    response = clerk_client.get(reverse("imports:kind_template", args=["households"]))
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    header, example = list(sheet.values)[:2]
    assert list(header) == REGISTER_HEADER
    assert example[header.index("户编号")]

    help_page = clerk_client.get(reverse("imports:kind_help", args=["households"]))
    content = help_page.content.decode()
    assert "与户主关系" in content and "之儿媳" in content and "因病" in content


def test_unknown_kind_is_not_found(clerk_client):
    assert clerk_client.get(reverse("imports:kind_help", args=["nothing"])).status_code == 404


def test_csv_in_gb18030_imports(clerk_client):
    run = upload_and_confirm(
        clerk_client, csv_bytes(as_table(two_households()), "gb18030"), "register.csv"
    )
    assert run.status == ImportStatus.DONE
    assert Household.objects.get(register_number="411727001000002").head_name == "王秀兰"


#
# Background jobs and progress
#


def test_a_queued_import_shows_its_progress_until_the_worker_has_run(clerk_client, settings):
    from django_tasks import default_task_backend

    from imports import tasks

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    response = upload(clerk_client, xlsx_bytes(as_table(two_households())), "register.xlsx")
    run = ImportRun.objects.get()
    assert run.status == ImportStatus.PENDING
    page = clerk_client.get(response.url).content.decode()
    assert 'data-busy="true"' in page and "progress.js" in page
    progress = clerk_client.get(reverse("imports:run_progress", args=[run.pk])).json()
    assert progress["busy"] is True and progress["status"] == "pending"

    [queued] = default_task_backend.results
    assert queued.task.func is tasks.preview_import.func and queued.args == [run.pk]
    # What `manage.py db_worker` does with the queued job.
    tasks.preview_import.call(run.pk)
    progress = clerk_client.get(reverse("imports:run_progress", args=[run.pk])).json()
    assert progress == {
        "status": "validated", "status_label": "检查通过,待确认", "processed": 3, "total": 3,
        "percent": 100, "busy": False,
    }
    assert Household.objects.count() == 0


def test_a_new_head_needs_the_stored_head_to_step_down(clerk_client):
    upload_and_confirm(clerk_client, xlsx_bytes(as_table(two_households())))
    first = household_values("411727001000001")
    rows = [
        register_row(first, member_values(1, "户主", "刘建国")),
        register_row(first, member_values(2, "配偶", "李桂英")),
        register_row(first, member_values(4, "户主", "刘小军")),
    ]
    response = upload(clerk_client, xlsx_bytes(as_table(rows[1:])), "register.xlsx")
    run = ImportRun.objects.latest("pk")
    assert response.status_code == 302 and run.status == ImportStatus.INVALID
    assert (run.errors[0]["row"], run.errors[0]["column"]) == (3, "与户主关系")
    assert "已有另一名户主" in run.errors[0]["message"]

    rows[0]["与户主关系"] = "之父"
    run = upload_and_confirm(clerk_client, xlsx_bytes(as_table(rows)))

    assert run.status == ImportStatus.DONE, run.errors
    household = Household.objects.get(register_number="411727001000001")
    assert household.members.get(relation=Relation.HEAD).name == "刘小军"
    assert household.members.get(id_number=resident_id(1)).relation == Relation.FATHER


def test_the_result_lists_households_whose_members_alone_changed(clerk_client):
    upload_and_confirm(clerk_client, xlsx_bytes(as_table(two_households())))
    rows = two_households()
    rows[2]["务工状况"] = "省外务工"

    run = upload_and_confirm(clerk_client, xlsx_bytes(as_table(rows)))

    page = clerk_client.get(reverse("imports:run_records", args=[run.pk])).content.decode()
    changed = Household.objects.get(register_number="411727001000002")
    unchanged = Household.objects.get(register_number="411727001000001")
    assert changed.get_absolute_url() in page and unchanged.get_absolute_url() not in page


def test_the_import_benchmark_writes_rows_as_wide_as_the_register_header():
    rows = list(register_table(0, 3, "基准测试县", [("基准镇", "基准村")]))
    assert {len(row) for row in rows} == {len(register_header())}
