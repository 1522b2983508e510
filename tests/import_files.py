"""Real .xlsx and .csv files for the import tests, built with openpyxl and csv."""

import csv
import datetime
import io

from openpyxl import Workbook

from cases.validators import build_resident_id

REGISTER_HEADER = [
    "县区", "乡镇", "行政村", "户编号", "户主姓名", "贫困户属性", "识别标准", "识别日期",
    "主要致贫原因", "其他致贫原因", "脱贫状态", "脱贫日期", "监测对象类型", "户联系电话",
    "脱贫诉求", "脱贫年度", "自然村", "危房户", "饮水安全", "人均纯收入",
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
