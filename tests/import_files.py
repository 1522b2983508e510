"""Real .xlsx and .csv files for the import tests, built with openpyxl and csv."""

import csv
import datetime
import io
import re
import zipfile

import xlwt
from openpyxl import Workbook

from cases.validators import build_resident_id

REGISTER_HEADER = [
    "县区", "乡镇", "行政村", "户编号", "户主姓名", "贫困户属性", "识别标准", "识别日期",
    "主要致贫原因", "其他致贫原因", "脱贫状态", "脱贫日期", "监测对象类型", "户联系电话",
    "脱贫诉求", "脱贫年度", "自然村", "危房户", "饮水安全", "人均纯收入", "户类型",
    "成员姓名", "身份证号", "与户主关系", "性别", "出生日期", "民族", "文化程度",
    "健康状况", "劳动技能", "务工状况", "成员联系电话", "人编号", "在校生状况", "务工时间(月)",
    "参加大病医疗",
]


def resident_id(n, birth=datetime.date(1975, 6, 15)):
    return build_resident_id("411727", birth, n)


def household_values(number="411727001000001", **overrides):
    values = {
        "县区": "汝南县", "乡镇": "老君庙镇", "行政村": "后刘庄村", "户编号": number,
        "户主姓名": "刘建国", "贫困户属性": "一般贫困户", "识别标准": "国家标准",
        "识别日期": "2016-03-01", "主要致贫原因": "因病", "其他致贫原因": "",
        "脱贫状态": "未脱贫", "脱贫日期": "", "监测对象类型": "", "户联系电话": "",
        "脱贫诉求": "",
    }
    values.update(overrides)
    return values


def member_values(n, relation="户主", name=None, **overrides):
    values = {
        "成员姓名": name or f"成员{n}", "身份证号": resident_id(n), "与户主关系": relation,
        "性别": "", "出生日期": "", "民族": "汉族", "文化程度": "初中", "健康状况": "健康",
        "劳动技能": "普通劳动力", "务工状况": "未务工", "成员联系电话": "",
    }
    values.update(overrides)
    return values


def register_row(household=None, member=None):
    return {**(household or household_values()), **(member or {})}


def as_table(rows, header=REGISTER_HEADER):
    return [header] + [[row.get(column, "") for column in header] for row in rows]


def xlsx_bytes(table, before=(), prepare=None):
    """An .xlsx whose first sheet holds ``before`` (e.g. a title row), then ``table``;
    ``prepare(sheet)`` may merge cells or add formulas afterwards."""
    workbook = Workbook()
    sheet = workbook.active
    for row in [*before, *table]:
        sheet.append([None if value == "" else value for value in row])
    if prepare:
        prepare(sheet)
    output = io.BytesIO()
    workbook.save(output)
    return output.getvalue()


def csv_bytes(table, encoding="utf-8-sig"):
    text = io.StringIO()
    csv.writer(text).writerows(table)
    return text.getvalue().encode(encoding)


#
# The national register's own export (贫困人口明细, 全国扶贫开发信息系统): a title row, then a
# two-row header whose first columns are merged down over both rows and whose other labels sit
# under two group labels; one row per person; the system's own values.
#

NATIONAL_MERGED_DOWN = ["序号", "县(市、区、旗)", "乡(镇)", "行政村", "自然村", "户编号", "人编号"]
NATIONAL_GROUPS = [
    ("家庭成员信息", [
        "姓名", "证件号码", "人数", "与户主关系", "民族", "文化程度", "在校生状况", "健康状况",
        "劳动技能", "务工状况", "务工时间（月）", "参加大病医疗",
    ]),
    ("户信息", [
        "脱贫属性", "脱贫年度", "贫困户属性", "主要致贫原因", "危房户", "饮水安全", "饮水困难",
        "人均纯收入", "联系电话",
    ]),
]
NATIONAL_COLUMNS = NATIONAL_MERGED_DOWN + [
    label for _group, labels in NATIONAL_GROUPS for label in labels
]
NATIONAL_TITLE = "汝南县建档立卡贫困人口明细表"


def national_household(number="41172700100001", **overrides):
    values = {
        "县(市、区、旗)": "汝南县", "乡(镇)": "老君庙镇", "行政村": "后刘庄村", "自然村": "前刘庄",
        "户编号": number, "脱贫属性": "未脱贫", "脱贫年度": "", "贫困户属性": "一般贫困户",
        "主要致贫原因": "因病", "危房户": "否", "饮水安全": "是", "饮水困难": "否",
        "人均纯收入": "3560.5", "联系电话": "13812345678",
    }
    values.update(overrides)
    return values


def national_member(n, relation="户主", name=None, **overrides):
    values = {
        "人编号": f"P{n:08d}", "姓名": name or f"成员{n}", "证件号码": resident_id(n),
        "人数": "3", "与户主关系": relation, "民族": "汉族", "文化程度": "初中",
        "在校生状况": "非在校生", "健康状况": "健康", "劳动技能": "普通劳动力",
        "务工状况": "乡（镇）内务工", "务工时间（月）": "6", "参加大病医疗": "是",
    }
    values.update(overrides)
    return values


def national_header_rows():
    """The two header rows as the export writes them: a merged cell's label in its top-left
    cell only."""
    upper, lower = list(NATIONAL_MERGED_DOWN), [""] * len(NATIONAL_MERGED_DOWN)
    for group, labels in NATIONAL_GROUPS:
        upper += [group] + [""] * (len(labels) - 1)
        lower += labels
    return [upper, lower]


def national_table(rows):
    """Title row, the two header rows, then the data rows numbered in 序号."""
    data = [
        [index if column == "序号" else row.get(column, "") for column in NATIONAL_COLUMNS]
        for index, row in enumerate(rows, start=1)
    ]
    return [[NATIONAL_TITLE], *national_header_rows(), *data]


def merge_national_header(sheet):
    """Merge the cells as the national export does: the title across, the first columns down
    over both header rows, each group label across its columns."""
    width = len(NATIONAL_COLUMNS)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    for column in range(1, len(NATIONAL_MERGED_DOWN) + 1):
        sheet.merge_cells(start_row=2, start_column=column, end_row=3, end_column=column)
    start = len(NATIONAL_MERGED_DOWN) + 1
    for _group, labels in NATIONAL_GROUPS:
        end = start + len(labels) - 1
        sheet.merge_cells(start_row=2, start_column=start, end_row=2, end_column=end)
        start = end + 1


def national_xlsx(rows):
    return xlsx_bytes(national_table(rows), prepare=merge_national_header)


def with_computed_value(data, ref, value):
    """The .xlsx ``data`` with ``value`` stored as the last computed value of the formula in
    cell ``ref``, as Excel stores it on saving (openpyxl writes formulas without one)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    output = io.BytesIO()
    with zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED) as target:
        for item in source.infolist():
            content = source.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = re.sub(
                    rf'(<c r="{ref}"[^>]*><f>[^<]*</f>)<v></v>'.encode(),
                    rb"\1<v>" + str(value).encode() + rb"</v>", content,
                )
            target.writestr(item, content)
    return output.getvalue()


def national_xls(rows):
    """The national export as the system writes it: an .xls (BIFF) with the title and the
    header cells merged, ID numbers as text."""
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet("贫困人口明细")
    width = len(NATIONAL_COLUMNS)
    sheet.write_merge(0, 0, 0, width - 1, NATIONAL_TITLE)
    for index, label in enumerate(NATIONAL_MERGED_DOWN):
        sheet.write_merge(1, 2, index, index, label)
    start = len(NATIONAL_MERGED_DOWN)
    for group, labels in NATIONAL_GROUPS:
        sheet.write_merge(1, 1, start, start + len(labels) - 1, group)
        for offset, label in enumerate(labels):
            sheet.write(2, start + offset, label)
        start += len(labels)
    for row_index, row in enumerate(national_table(rows)[3:], start=3):
        for column, value in enumerate(row):
            if value != "":
                sheet.write(row_index, column, value)
    output = io.BytesIO()
    book.save(output)
    return output.getvalue()


def national_rows():
    """Two households in the national export: one not exited (head, his grandson by a
    daughter, a preschool child), one exited in 2018 (the 2018 year only)."""
    first = national_household("41172700100001")
    second = national_household(
        "41172700100002", 脱贫属性="脱贫", 脱贫年度="2018", 贫困户属性="低保户", 危房户="是",
    )
    return [
        {**first, **national_member(1, "户主", "刘建国", 文化程度="大专及以上")},
        {**first, **national_member(
            2, "之外孙子", "张小明", 文化程度="学龄前儿童", 在校生状况="学前教育",
            务工状况="", 参加大病医疗="否", **{"务工时间（月）": ""},
        )},
        {**first, **national_member(3, "之岳母", "王秀英", 务工状况="县外省内务工")},
        {**second, **national_member(4, "户主", "赵桂兰")},
    ]


def renamed(rows, renames):
    table = national_table(rows)
    table[2] = [renames.get(label, label) for label in table[2]]
    return xlsx_bytes(table, prepare=merge_national_header)
