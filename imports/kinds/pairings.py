"""Pairings (结对帮扶) of a helper with a household, and members' attendance at training
sessions (培训签到)."""

import re

from django.db.models import F
from django.utils.translation import gettext_lazy

from cases.crypto import resident_id_digest
from cases.models import Pairing, TrainingAttendance, TrainingSession
from imports.columns import ChoiceColumn, Column, DateColumn, normalise_text
from imports.kinds.flat import (
    FlatKind,
    Parent,
    RefColumn,
    collectives_by_name,
    county_column,
    enterprises_by_name,
    household_column,
    labor_models_by_id_number,
    members_by_id_number,
)


def pairing_columns(find_helper=labor_models_by_id_number):
    """The columns of a pairing; ``find_helper(user, id numbers)`` finds the labor models."""
    return [
        county_column(),
        RefColumn(
            gettext_lazy("劳模身份证号"), "labor_model", required=False, code=True,
            find=find_helper, example="41172719700505003X",
            describe=gettext_lazy("本县区没有身份证号为“%(value)s”的劳模,请先导入或登记该劳模。"),
            help_text=gettext_lazy("帮扶方是劳模时填写;劳模、先进集体、企业三列只填一列。"),
            # The 帮扶责任人 rosters name the helper by 证件号码.
            aliases=("帮扶责任人证件号码", "帮扶责任人身份证号", "帮扶人身份证号", "证件号码"),
        ),
        RefColumn(
            gettext_lazy("先进集体名称"), "collective", required=False, find=collectives_by_name,
            example="", describe=gettext_lazy("本县区没有名为“%(value)s”的先进集体。"),
            help_text=gettext_lazy("帮扶方是先进集体时填写。"),
        ),
        RefColumn(
            gettext_lazy("企业名称"), "enterprise", required=False, find=enterprises_by_name,
            example="", describe=gettext_lazy("本县区没有名为“%(value)s”的劳模企业或合作社。"),
            help_text=gettext_lazy("帮扶方是劳模企业或合作社时填写。"),
        ),
        household_column(),
        ChoiceColumn(gettext_lazy("帮扶方式"), "mode", example="技术扶贫"),
        DateColumn(
            gettext_lazy("开始日期"), "start_date", example="2018-06-01",
            aliases=("开始时间", "结对时间", "帮扶开始时间"),
        ),
        DateColumn(
            gettext_lazy("结束日期"), "end_date", example="", aliases=("结束时间", "帮扶结束时间")
        ),
        Column(gettext_lazy("帮扶措施"), "plan", example="种植技术指导,每月入户一次"),
        Column(gettext_lazy("结束原因"), "end_reason", example=""),
    ]


class PairingKind(FlatKind):
    slug = "pairings"
    label = gettext_lazy("结对帮扶")
    description = gettext_lazy(
        "每行一户贫困户与一个帮扶方(劳模、先进集体或劳模企业/合作社,三者只填一个)的结对,"
        "按“帮扶方 + 户编号 + 开始日期”匹配:已登记的更新,没有的新增,完全相同的不作改动。"
        "帮扶方和贫困户须是本县区已登记的。结对整村的帮扶请在表单中录入。"
    )
    model = Pairing
    key_fields = ("household", "start_date", "helper")
    key_headers = {"helper": gettext_lazy("劳模身份证号/先进集体名称/企业名称")}
    records_related = ("labor_model", "collective", "enterprise", "household", "village")
    list_url = "cases:pairing_list"
    columns = pairing_columns()

    def key_of(self, by_field):
        # The helper is whichever of the three columns is filled; a row naming none or several
        # is still keyed, so that the model's clean() explains what is wrong with it.
        labor_model = by_field.get("labor_model") or ""
        helper = (
            resident_id_digest(labor_model) if labor_model else "",
            by_field.get("collective") or "",
            by_field.get("enterprise") or "",
        )
        return (by_field.get("household"), by_field.get("start_date"), helper)

    def find_existing(self, user, keys_in_chunk):
        rows = (
            Pairing.objects.filter(
                county_id=user.county_id,
                household__register_number__in={key[0] for key in keys_in_chunk},
                start_date__in={key[1] for key in keys_in_chunk},
            )
            .select_related("labor_model", "collective", "enterprise", "household")
            .defer("labor_model__id_number")
        )
        found = {}
        for row in rows:
            helper = (
                row.labor_model.id_number_digest if row.labor_model else "",
                row.collective.name if row.collective else "",
                row.enterprise.name if row.enterprise else "",
            )
            found[(row.household.register_number, row.start_date, helper)] = row
        return found


def sessions_by_key(user, keys_in_chunk):
    """{(date, topic): session} of the user's county. Two sessions of the same topic on the
    same day cannot be told apart by a row: neither is found."""
    rows = TrainingSession.objects.for_user(user, "change").filter(
        held_on__in={key[0] for key in keys_in_chunk},
        topic__in={key[1] for key in keys_in_chunk},
    )
    found, twice = {}, set()
    for session in rows:
        key = (session.held_on, session.topic)
        if key in found:
            twice.add(key)
        found[key] = session
    return {key: session for key, session in found.items() if key not in twice}


class TrainingAttendanceKind(FlatKind):
    slug = "training-attendance"
    label = gettext_lazy("培训签到")
    description = gettext_lazy(
        "每行一名家庭成员参加一次技术培训,培训按“培训日期 + 培训主题”查找(须已在“技术培训”中"
        "登记,且同一天同一主题只有一次),成员按身份证号查找(须是本县区已登记的)。"
        "已在签到名单中的不作改动,没有的新增。"
    )
    model = TrainingAttendance
    key_fields = ("session", "member")
    records_related = ("session", "member")
    list_url = "cases:trainingsession_list"
    session_columns = [
        DateColumn(
            gettext_lazy("培训日期"), required=True, example="2018-05-10",
            help_text=gettext_lazy("可不设此列,在表头上方写一次“培训日期:2018年5月10日”。"),
        ),
        Column(
            gettext_lazy("培训主题"), required=True, example="林果种植技术",
            help_text=gettext_lazy("可不设此列,在表头上方写一次“培训主题:林果种植技术”。"),
        ),
    ]
    # "培训日期:2018年5月10日  培训主题:林果种植技术" above the header of a sign-in sheet
    title_patterns = [
        re.compile(r"培训(?:日期|时间)\s*[::]\s*([^\s,,;;]+)"),
        re.compile(r"培训(?:主题|内容|名称)\s*[::]\s*(.+?)(?=\s*(?:培训|地点|$|[,,;;]))"),
    ]

    def title_values(self, title):
        """{session column: value} the lines above the header name."""
        text = " ".join(normalise_text(line) for line in title)
        found = {}
        for column, pattern in zip(self.session_columns, self.title_patterns, strict=True):
            match = pattern.search(text)
            if match:
                found[column] = match.group(1)
        return found
    parent = Parent(
        "session", session_columns, find=sessions_by_key,
        describe=gettext_lazy(
            "本县区没有该日期、该主题的技术培训(或同一天有多次同主题培训),"
            "请先在“技术培训”中登记该培训。"
        ),
    )
    columns = [
        county_column(),
        *session_columns,
        RefColumn(
            gettext_lazy("身份证号"), "member", required=True, code=True,
            find=members_by_id_number, example="411727198001010019",
            describe=gettext_lazy("本县区没有身份证号为“%(value)s”的家庭成员,请先导入登记册。"),
        ),
    ]

    def find_existing(self, user, keys_in_chunk):
        digests = {resident_id_digest(key[1]): key[1] for key in keys_in_chunk}
        sessions = {key[0] for key in keys_in_chunk if key[0]}
        rows = TrainingAttendance.objects.filter(
            county_id=user.county_id,
            session__held_on__in={key[0] for key in sessions},
            session__topic__in={key[1] for key in sessions},
            member__id_number_digest__in=list(digests),
        ).select_related("session").annotate(digest=F("member__id_number_digest"))
        return {
            ((row.session.held_on, row.session.topic), digests[row.digest]): row for row in rows
        }
