"""Synthetic data at any size, for measuring the portal at a province's or the country's scale
(``manage.py generate_data``; ``make bench`` uses it too).

The data is shaped like the programme's (per 100 households: some 300 members, 5 labor models,
about 500 assistance records over 2016-2020), every county-owned row carries the county of the
row it belongs to, members and labor models have valid GB 11643 ID numbers, every kind of help
is present and review statuses are mixed. It is generated county by county, so memory stays
bounded by one county's rows, and written with PostgreSQL's COPY (psycopg 3 ``cursor.copy``),
or with ``bulk_create`` on other databases (SQLite, for the tests at a tiny size).

Rows are written as they are stored: ``save()`` is not called, so the values it would derive
(the county from the village, a member's sex and birth date from the ID number, the protected
forms of ID numbers) are computed here. No change-history rows are written for generated
records (their pages show an empty history).
"""

import datetime
import math
import random
import time
from decimal import Decimal

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from cases import models as m
from cases.choices import (
    AidKind,
    CollectiveHonour,
    Education,
    EnterpriseKind,
    FinanceModel,
    Health,
    HonourLevel,
    HonourTitle,
    HouseholdAttribute,
    IdentificationStandard,
    LabourAbility,
    MonitoringType,
    PairingMode,
    PovertyStatus,
    Relation,
    ReviewStatus,
    TeamField,
    UnionLevel,
    VolunteerEventKind,
    WorkStatus,
)
from cases.crypto import encrypt_resident_id
from cases.fields import EncryptedResidentIDField, ResidentIDDigestField
from cases.standing import Standing, standing_changes
from cases.validators import id_check_char
from demo.zhumadian import COUNTIES, FEMALE_CHARS, MALE_CHARS, SURNAMES, VILLAGE_SUFFIXES

# Per household: how many of each row the data set has (the national size is 1,000,000
# households, 3,000,000 members, 50,000 labor models and 5,000,000 assistance records).
PER_HOUSEHOLD = {
    "labor_models": 0.05,
    "collectives": 0.002,
    "enterprises": 0.005,
    "volunteer_teams": 0.0005,
    "volunteer_events": 0.02,
    "training_attendance": 1.5,
    "projects": 0.001,
    "project_beneficiaries": 0.4,
    "workshops": 0.002,
    "finance_agreements": 0.25,
    "employments": 0.45,
    "material_aid": 2.2,
}
HOUSEHOLDS_PER_COUNTY = 20_000
HOUSEHOLDS_PER_VILLAGE = 120
VILLAGES_PER_TOWNSHIP = 15
TRAINING_CLASS_SIZE = (30, 80)

FIRST_DAY = datetime.date(2016, 1, 4)
LAST_DAY = datetime.date(2020, 12, 31)
SPAN = (LAST_DAY - FIRST_DAY).days

# Approved records dominate; the rest wait in the queue, are drafts or were returned.
REVIEW_STATUSES = (
    (ReviewStatus.APPROVED, 0.85),
    (ReviewStatus.SUBMITTED, 0.06),
    (ReviewStatus.DRAFT, 0.06),
    (ReviewStatus.RETURNED, 0.03),
)

# Birth-date ranges of the ID numbers, by generation: (first day, number of days).
ELDERS = (datetime.date(1925, 1, 1).toordinal(), 7670)
ADULTS = (datetime.date(1946, 1, 1).toordinal(), 16436)
YOUNG = (datetime.date(1991, 1, 1).toordinal(), 9131)
RELATION_GENERATION = {
    Relation.HEAD: ADULTS, Relation.SPOUSE: ADULTS, Relation.SON: YOUNG,
    Relation.DAUGHTER: YOUNG, Relation.DAUGHTER_IN_LAW: YOUNG, Relation.FATHER: ELDERS,
    Relation.MOTHER: ELDERS,
}
MALE_RELATIONS = {Relation.SON, Relation.FATHER, Relation.GRANDSON, Relation.SON_IN_LAW}
FEMALE_RELATIONS = {
    Relation.DAUGHTER, Relation.MOTHER, Relation.GRANDDAUGHTER, Relation.DAUGHTER_IN_LAW,
}

COUNTY_NAME_CHARS = "安平宁和兴华永昌泰丰康顺明德嘉清阳新建广"
COLLECTIVE_UNITS = (
    "供电公司", "第一中学", "人民医院", "邮政分公司", "农商银行", "中心卫生院", "自来水公司",
    "公路局", "粮食储备库", "电信分公司",
)
ENTERPRISE_SUFFIXES = ("农业发展有限公司", "食品有限公司", "服饰有限公司", "种植专业合作社",
                       "养殖专业合作社", "电子商务有限公司")
TRAINING_TOPICS = ("小麦高产栽培", "生猪养殖防疫", "食用菌种植", "农村电商实务", "果树修剪",
                   "家政服务", "中药材种植", "电焊技能", "蔬菜大棚管理", "肉牛养殖")
DEMANDS = ("希望发展养殖", "希望外出务工", "需要技术培训", "希望子女完成学业", "需要小额贷款",
           "希望改善住房", "")
PLANS = ("传授种植技术,帮助销售农产品", "安排家庭成员到企业务工", "提供养殖技术指导",
         "资助子女上学,定期走访", "帮助申请小额信贷发展产业")
NO_HELPER_OR_TARGET = dict.fromkeys(
    ("labor_model_id", "collective_id", "enterprise_id", "household_id", "village_id")
)
VALUED_AID = (AidKind.MATERIAL, AidKind.CASH)
AID_TEXT = {
    AidKind.VISIT: "入户走访,了解生产生活情况",
    AidKind.MATERIAL: "送去米面油和棉被",
    AidKind.CHARITY_SHOP: "爱心超市积分兑换生活用品",
    AidKind.CASH: "发放临时救助金",
}


def resident_id(region_code, serial, generation, male):
    """A valid resident ID number that no other ``serial`` of the same region and generation
    shares (up to 500 × the generation's days, over 3.8 million): the birth date and the
    sequence number are both taken from ``serial``, and the sequence's parity gives the sex."""
    first_day, days = generation
    birth = datetime.date.fromordinal(first_day + (serial // 500) % days)
    sequence = (serial % 500) * 2 + (1 if male else 0)
    first17 = f"{region_code}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_char(first17), birth


class RowWriter:
    """Writes dicts of attribute values as rows of a model's table: COPY on PostgreSQL,
    ``bulk_create`` elsewhere. Primary keys are given by the caller (``next_ids``), so rows can
    point at each other before they are written; the sequences are reset at the end."""

    def __init__(self):
        self.use_copy = connection.vendor == "postgresql"
        self.counts = {}
        self._next = {}
        self._layouts = {}

    def next_ids(self, model, count):
        if model not in self._next:
            current = model._base_manager.aggregate(top=Max("pk"))["top"] or 0
            self._next[model] = current + 1
        first = self._next[model]
        self._next[model] = first + count
        return range(first, first + count)

    def assign_ids(self, model, rows):
        for row, pk in zip(rows, self.next_ids(model, len(rows)), strict=True):
            row["id"] = pk

    def _layout(self, model):
        if model not in self._layouts:
            fields = list(model._meta.concrete_fields)
            defaults = {}
            for f in fields:
                # A column the generator does not fill gets what an unsaved instance would
                # hold; a new NOT NULL column without a default fails loudly (KeyError).
                if f.has_default() or f.null or f.empty_strings_allowed:
                    defaults[f.attname] = f.get_default()
            # COPY bypasses the fields' conversions: the ID number's ciphertext and keyed
            # hashes (cases.crypto) are computed here from the plaintext the row carries.
            derived = {}
            for f in fields:
                if isinstance(f, EncryptedResidentIDField):
                    derived[f.attname] = (f.attname, encrypt_resident_id)
                elif isinstance(f, ResidentIDDigestField):
                    derived[f.attname] = (f.source, ResidentIDDigestField.HASHERS[f.part])
            self._layouts[model] = (fields, defaults, derived)
        return self._layouts[model]

    def write(self, model, rows):
        if not rows:
            return
        fields, defaults, derived = self._layout(model)
        self.counts[model] = self.counts.get(model, 0) + len(rows)
        if self.use_copy:
            columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
            names = [f.attname for f in fields]
            if derived:
                rows = [
                    {**row, **{name: convert(row[source])
                               for name, (source, convert) in derived.items()}}
                    for row in rows
                ]
            table = connection.ops.quote_name(model._meta.db_table)
            with connection.cursor() as cursor:
                raw = cursor.cursor
                with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(
                            [row[n] if n in row else defaults[n] for n in names]
                        )
        else:
            # bulk_create runs the fields' conversions (encryption, hashes) itself.
            model.objects.bulk_create(
                [model(**{**defaults, **row}) for row in rows], batch_size=500
            )

    def finish(self):
        with connection.cursor() as cursor:
            for sql in connection.ops.sequence_reset_sql(no_style(), list(self._next)):
                cursor.execute(sql)

    def vacuum(self):
        """After the commit, on PostgreSQL: statistics for the planner, and the visibility
        map, without which index-only scans (the lists' deep pages) still read every row."""
        if not self.use_copy:
            return
        tables = ", ".join(
            map(connection.ops.quote_name, sorted({model._meta.db_table for model in self._next}))
        )
        with connection.cursor() as cursor:
            # VACUUM cannot run inside a transaction (the caller's, e.g. a test's): there, the
            # statistics alone.
            if connection.in_atomic_block:
                cursor.execute(f"ANALYZE {tables}")
            else:
                cursor.execute(f"VACUUM (ANALYZE) {tables}")


def at(day):
    """A timestamp on ``day`` (10:00 in Shanghai), for created_at and updated_at."""
    return datetime.datetime(day.year, day.month, day.day, 2, tzinfo=datetime.UTC)


class Generator:
    def __init__(self, households, *, seed=1, counties=None, log=None):
        self.households = households
        self.rng = random.Random(seed)
        self.county_count = counties or max(3, math.ceil(households / HOUSEHOLDS_PER_COUNTY))
        self.writer = RowWriter()
        self.log = log or (lambda message: None)
        self.causes = list(m.PovertyCause.objects.values_list("pk", flat=True))
        self.fields = list(m.ExpertiseField.objects.values_list("pk", flat=True))
        status_values, status_weights = zip(*REVIEW_STATUSES, strict=True)
        self._statuses = status_values
        self._status_cum = [sum(status_weights[: i + 1]) for i in range(len(status_weights))]

    # Small random helpers

    def status(self):
        return self.rng.choices(self._statuses, cum_weights=self._status_cum)[0]

    def day(self, first=FIRST_DAY, last=LAST_DAY):
        span = (last - first).days
        return first + datetime.timedelta(days=self.rng.randint(0, max(span, 0)))

    def phone(self):
        return f"1{self.rng.choice('3589')}{self.rng.randrange(10**9):09d}"

    def person_name(self, surname=None, male=True):
        surname = surname or self.rng.choice(SURNAMES)
        chars = MALE_CHARS if male else FEMALE_CHARS
        return surname + "".join(self.rng.choice(chars) for _ in range(self.rng.randint(1, 2)))

    def owned(self, county_id, day, **row):
        """The bookkeeping columns every county-owned row has."""
        stamp = at(day)
        return {"county_id": county_id, "created_at": stamp, "updated_at": stamp, **row}

    def reviewed(self, county_id, day, **row):
        return self.owned(county_id, day, review_status=self.status(), **row)

    def new_ids(self, model, key, households):
        """Ids for the rows of ``model`` a county of ``households`` has (at least one)."""
        return list(self.writer.next_ids(model, max(1, self.count(key, households))))

    def count(self, key, households):
        expected = PER_HOUSEHOLD[key] * households
        whole = int(expected)
        return whole + (1 if self.rng.random() < expected - whole else 0)

    # The data set

    def run(self):
        started = time.monotonic()
        with transaction.atomic():
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL synchronous_commit TO off")
            counties = self.make_counties()
            sizes = self.split(self.households, len(counties))
            for index, (county, size) in enumerate(zip(counties, sizes, strict=True), 1):
                self.make_county(county, size)
                self.log(
                    f"county {index}/{len(counties)} {county.name}: {size:,} households "
                    f"({time.monotonic() - started:.0f} s)"
                )
            self.writer.finish()
        self.log(f"committed ({time.monotonic() - started:.0f} s)")
        self.writer.vacuum()
        self.log(f"vacuumed ({time.monotonic() - started:.0f} s)")
        return {model._meta.label: n for model, n in self.writer.counts.items()}

    def split(self, total, parts):
        weights = [self.rng.uniform(0.6, 1.4) for _ in range(parts)]
        sizes = [int(total * w / sum(weights)) for w in weights]
        sizes[0] += total - sum(sizes)
        return sizes

    def make_counties(self):
        """New counties, as many as wanted: the Zhumadian counties that do not exist yet, then
        made-up names and codes, each with its union."""
        existing = set(m.County.objects.values_list("code", flat=True))
        names = set(m.County.objects.values_list("name", flat=True))
        created = []
        for code, name, townships in self.county_specs():
            if len(created) == self.county_count:
                break
            if code in existing or name in names:
                continue
            existing.add(code)
            names.add(name)
            county = m.County.objects.create(code=code, name=name)
            county.township_names = townships
            created.append(county)
        if not m.UnionBody.objects.filter(level=UnionLevel.CITY).exists():
            m.UnionBody.objects.create(name="市总工会", level=UnionLevel.CITY)
        m.UnionBody.objects.bulk_create(
            [
                m.UnionBody(name=f"{c.name}总工会", level=UnionLevel.COUNTY, county=c)
                for c in created
            ]
        )
        return created

    @staticmethod
    def county_specs():
        """(code, name, township names): Zhumadian's ten, then made-up ones without end."""
        for spec in COUNTIES:
            yield spec.code, spec.name, spec.townships
        chars = COUNTY_NAME_CHARS
        serial = 0
        while True:
            city, number = divmod(serial, 15)
            first, second = divmod(serial, len(chars))
            name = f"{chars[first % len(chars)]}{chars[second]}县"
            if first >= len(chars):
                name = f"{name[:-1]}{first // len(chars)}县"
            yield f"41{city + 1:02d}{number + 21:02d}", name, ()
            serial += 1

    def make_county(self, county, size):
        villages = self.make_geography(county, size)
        helpers = self.make_helpers(county, size)
        households, members = self.make_households(county, size, villages)
        self.make_pairings(county, households, villages, helpers)
        self.make_training(county, size, members, helpers)
        workshops = self.make_projects(county, size, members, villages, helpers)
        self.make_finance(county, size, households, helpers)
        self.make_employment(county, size, members, helpers, workshops)
        self.make_volunteering(county, size, helpers)
        self.make_aid(county, size, households, helpers)

    def make_geography(self, county, size):
        village_count = max(2, round(size / HOUSEHOLDS_PER_VILLAGE))
        township_count = max(1, math.ceil(village_count / VILLAGES_PER_TOWNSHIP))
        names = list(getattr(county, "township_names", ()))[:township_count]
        while len(names) < township_count:
            names.append(f"{self.rng.choice(SURNAMES)}{len(names) + 1}镇")
        township_ids = self.writer.next_ids(m.Township, township_count)
        self.writer.write(
            m.Township,
            [{"id": pk, "county_id": county.pk, "name": name}
             for pk, name in zip(township_ids, names, strict=True)],
        )
        rows = []
        for pk in self.writer.next_ids(m.Village, village_count):
            township = township_ids[len(rows) % township_count]
            name = (
                f"{self.rng.choice(SURNAMES)}{self.rng.choice(VILLAGE_SUFFIXES)}"
                f"{len(rows) // township_count + 1}村"
            )
            poor = self.rng.random() < 0.4
            exit_year = self.rng.choice((2016, 2017, 2018, 2019, 2020, None)) if poor else None
            rows.append({"id": pk, "township_id": township, "county_id": county.pk, "name": name,
                         "is_poor_village": poor, "exit_year": exit_year})
        self.writer.write(m.Village, rows)
        return [row["id"] for row in rows]

    def make_helpers(self, county, size):
        rng = self.rng
        levels = list(HonourLevel.values)
        titles = list(HonourTitle.values)
        count = max(1, self.count("labor_models", size))
        labor_models = list(self.writer.next_ids(m.LaborModel, count))
        rows, expertise = [], []
        for pk in labor_models:
            male = rng.random() < 0.7
            row = self.reviewed(
                county.pk, self.day(), id=pk, name=self.person_name(male=male),
                sex="M" if male else "F",
                honour_level=rng.choices(levels, (61, 413, 1255, 1273))[0],
                honour_title=rng.choices(titles, (60, 25, 15))[0],
                year_awarded=rng.randint(1990, 2020),
                employer=f"{county.name}{rng.choice(COLLECTIVE_UNITS)}",
                in_service=rng.random() < 0.7, is_local=rng.random() < 0.85,
                phone=self.phone() if rng.random() < 0.8 else "",
            )
            if rng.random() < 0.8:
                id_number, _birth = resident_id(county.code, pk, ADULTS, male)
                row["id_number"] = id_number
            else:
                row["id_number"] = ""
            rows.append(row)
            for field in rng.sample(self.fields, rng.randint(1, 2)):
                expertise.append({"labormodel_id": pk, "expertisefield_id": field})
        self.writer.write(m.LaborModel, rows)
        through = m.LaborModel.expertise.through
        self.writer.assign_ids(through, expertise)
        self.writer.write(through, expertise)

        collectives = self.new_ids(m.AdvancedCollective, "collectives", size)
        self.writer.write(m.AdvancedCollective, [
            self.reviewed(
                county.pk, self.day(), id=pk,
                name=f"{county.name}{rng.choice(COLLECTIVE_UNITS)}{i + 1}班组",
                honour=rng.choice(CollectiveHonour.values), year_awarded=rng.randint(2000, 2020),
                contact_person=self.person_name(), phone=self.phone(),
            )
            for i, pk in enumerate(collectives)
        ])
        enterprises = self.new_ids(m.Enterprise, "enterprises", size)
        self.writer.write(m.Enterprise, [
            self.reviewed(
                county.pk, self.day(), id=pk,
                name=f"{county.name}{rng.choice(SURNAMES)}{i + 1}{rng.choice(ENTERPRISE_SUFFIXES)}",
                kind=rng.choice(EnterpriseKind.values),
                leader_id=rng.choice(labor_models) if rng.random() < 0.6 else None,
                address=f"{county.name}{rng.choice(SURNAMES)}庄", phone=self.phone(),
            )
            for i, pk in enumerate(enterprises)
        ])
        teams = self.new_ids(m.VolunteerTeam, "volunteer_teams", size)
        self.writer.write(m.VolunteerTeam, [
            self.reviewed(
                county.pk, self.day(), id=pk, name=f"{county.name}劳模志愿服务{i + 1}队",
                field=rng.choice(TeamField.values), leader_id=rng.choice(labor_models),
                founded_on=self.day(FIRST_DAY, datetime.date(2019, 12, 31)),
            )
            for i, pk in enumerate(teams)
        ])
        return {"labor_models": labor_models, "collectives": collectives,
                "enterprises": enterprises, "teams": teams}

    def make_households(self, county, size, villages):
        """Households with their members. Returns ``(households, members)``: per household
        ``(id, village, exit date or None)``, per member ``(id, household)``."""
        rng = self.rng
        attributes = list(HouseholdAttribute.values)
        standards = list(IdentificationStandard.values)
        monitoring = list(MonitoringType.values)
        household_ids = self.writer.next_ids(m.Household, size)
        households, rows, causes = [], [], []
        sizes = rng.choices((1, 2, 3, 4, 5), (10, 20, 30, 25, 15), k=size)
        for pk in household_ids:
            identified = self.day(datetime.date(2014, 1, 1), datetime.date(2016, 6, 30))
            roll = rng.random()
            if roll < 0.6:
                status = PovertyStatus.EXITED
                exit_date = self.day(identified + datetime.timedelta(days=180), LAST_DAY)
            elif roll < 0.65:
                status = PovertyStatus.RETURNED
                exit_date = self.day(identified + datetime.timedelta(days=180), LAST_DAY)
            else:
                status, exit_date = PovertyStatus.NOT_EXITED, None
            village = villages[(pk * 7919) % len(villages)]
            archived = rng.random() < 0.005
            rows.append(self.reviewed(
                county.pk, identified, id=pk,
                register_number=f"{county.code}{pk:012d}",
                head_name="", village_id=village,
                attribute=rng.choices(attributes, (70, 20, 7, 3))[0],
                standard=rng.choices(standards, (85, 10, 5))[0], identified_on=identified,
                main_cause_id=rng.choice(self.causes),
                demands=rng.choice(DEMANDS), status=status, exit_date=exit_date,
                monitoring=rng.choice(monitoring) if rng.random() < 0.08 else "",
                phone=self.phone() if rng.random() < 0.6 else "",
                archived_at=at(datetime.date(2021, 3, 1)) if archived else None,
                archive_reason="户籍迁出" if archived else "",
            ))
            households.append((pk, village, exit_date))
            if rng.random() < 0.4:
                causes.append({"household_id": pk, "povertycause_id": rng.choice(self.causes)})
        through = m.Household.other_causes.through
        self.writer.assign_ids(through, causes)
        unique_causes = {}
        for row in causes:
            unique_causes.setdefault((row["household_id"], row["povertycause_id"]), row)

        members, member_rows = [], []
        member_ids = iter(self.writer.next_ids(m.Member, sum(sizes)))
        educations = list(Education.values)
        health = list(Health.values)
        abilities = list(LabourAbility.values)
        work = list(WorkStatus.values)
        for row, household_size in zip(rows, sizes, strict=True):
            surname = rng.choice(SURNAMES)
            relations = [Relation.HEAD]
            if household_size >= 2:
                relations.append(Relation.SPOUSE)
            while len(relations) < household_size:
                relations.append(rng.choice(
                    (Relation.SON, Relation.DAUGHTER, Relation.SON, Relation.DAUGHTER,
                     Relation.FATHER, Relation.MOTHER, Relation.DAUGHTER_IN_LAW)
                ))
            head_male = rng.random() < 0.85
            for relation in relations:
                pk = next(member_ids)
                if relation == Relation.HEAD:
                    male = head_male
                elif relation == Relation.SPOUSE:
                    male = not head_male
                else:
                    male = relation in MALE_RELATIONS
                generation = RELATION_GENERATION[relation]
                if relation == Relation.HEAD and rng.random() < 0.25:
                    generation = ELDERS
                id_number, birth = resident_id(county.code, pk, generation, male)
                name = self.person_name(surname if relation != Relation.SPOUSE else None, male)
                if relation == Relation.HEAD:
                    row["head_name"] = name
                member = self.owned(
                    county.pk, row["identified_on"], id=pk, household_id=row["id"], name=name,
                    relation=relation, sex="M" if male else "F", birth_date=birth,
                    education=rng.choices(educations, (15, 35, 35, 10, 3, 2))[0],
                    health=rng.choices(health, (70, 15, 8, 7))[0],
                    labour_ability=rng.choice(abilities), work_status=rng.choice(work),
                    phone=self.phone() if relation == Relation.HEAD and rng.random() < 0.3 else "",
                    archived_at=row["archived_at"],
                )
                member["id_number"] = id_number
                member_rows.append(member)
                members.append((pk, row["id"]))
        self.writer.write(m.Household, rows)
        self.writer.write(m.HouseholdEvent, self.household_events(rows))
        self.writer.write(through, list(unique_causes.values()))
        self.writer.write(m.Member, member_rows)
        return households, members

    def household_events(self, rows):
        """The dated exits, returns (a year after the exit) and archiving of the households
        ``rows``, as Household.save() would record them."""
        events = []
        for row in rows:
            archived_on = timezone.localdate(row["archived_at"]) if row["archived_at"] else None
            standing = Standing(row["status"], row["exit_date"], archived_on, row["county_id"])
            returned_on = min(
                (row["exit_date"] or LAST_DAY) + datetime.timedelta(days=365), LAST_DAY
            )
            events.extend(
                {"household_id": row["id"], "kind": change.kind, "on": change.on,
                 "recorded_at": row["created_at"]}
                for change in standing_changes(None, standing, returned_on)[0]
            )
        self.writer.assign_ids(m.HouseholdEvent, events)
        return events

    def make_pairings(self, county, households, villages, helpers):
        rng = self.rng
        modes = list(PairingMode.values)
        rows = []

        def helper():
            roll = rng.random()
            if roll < 0.8:
                return {"labor_model_id": rng.choice(helpers["labor_models"])}
            if roll < 0.9:
                return {"enterprise_id": rng.choice(helpers["enterprises"])}
            return {"collective_id": rng.choice(helpers["collectives"])}

        targets = [{"household_id": pk} for pk, _v, _e in households if rng.random() < 0.95]
        targets += [{"household_id": pk} for pk, _v, _e in households if rng.random() < 0.1]
        targets += [{"village_id": pk} for pk in villages if rng.random() < 0.05]
        for target, pk in zip(targets, self.writer.next_ids(m.Pairing, len(targets)), strict=True):
            start = self.day(FIRST_DAY, datetime.date(2020, 6, 30))
            end = self.day(start, LAST_DAY) if rng.random() < 0.15 else None
            rows.append(self.reviewed(
                county.pk, start, id=pk, mode=rng.choice(modes), start_date=start, end_date=end,
                plan=rng.choice(PLANS), end_reason="已稳定脱贫" if end else "",
                **{**NO_HELPER_OR_TARGET, **helper(), **target},
            ))
        self.writer.write(m.Pairing, rows)

    def make_training(self, county, size, members, helpers):
        rng = self.rng
        wanted = self.count("training_attendance", size)
        member_ids = [pk for pk, _h in members]
        sessions, attendance = [], []
        while wanted > 0 and member_ids:
            class_size = min(wanted, rng.randint(*TRAINING_CLASS_SIZE), len(member_ids))
            wanted -= class_size
            held = self.day()
            sessions.append((self.reviewed(
                county.pk, held, held_on=held, topic=rng.choice(TRAINING_TOPICS),
                field_id=rng.choice(self.fields), trainer=self.person_name(),
                labor_model_id=rng.choice(helpers["labor_models"]) if rng.random() < 0.7 else None,
                place=f"{county.name}{rng.choice(SURNAMES)}村文化广场",
                other_attendees=rng.randint(0, 30),
            ), rng.sample(member_ids, class_size)))
        session_ids = self.writer.next_ids(m.TrainingSession, len(sessions))
        for (session, attendees), pk in zip(sessions, session_ids, strict=True):
            session["id"] = pk
            for member in attendees:
                attendance.append(self.owned(
                    county.pk, session["held_on"], session_id=pk, member_id=member
                ))
        self.writer.assign_ids(m.TrainingAttendance, attendance)
        self.writer.write(m.TrainingSession, [session for session, _a in sessions])
        self.writer.write(m.TrainingAttendance, attendance)

    def make_projects(self, county, size, members, villages, helpers):
        rng = self.rng
        count = max(1, self.count("projects", size))
        projects = []
        for pk in self.writer.next_ids(m.IndustryProject, count):
            started = self.day(FIRST_DAY, datetime.date(2020, 6, 30))
            by_enterprise = rng.random() < 0.8
            projects.append(self.reviewed(
                county.pk, started, id=pk, name=f"{rng.choice(TRAINING_TOPICS)}产业项目{pk}",
                enterprise_id=rng.choice(helpers["enterprises"]) if by_enterprise else None,
                collective_id=None if by_enterprise else rng.choice(helpers["collectives"]),
                funds=Decimal(rng.randint(100_000, 5_000_000)), started_on=started,
                village_id=rng.choice(villages), description="",
            ))
        self.writer.write(m.IndustryProject, projects)

        wanted = self.count("project_beneficiaries", size)
        member_ids = [pk for pk, _h in members]
        links = []
        for index, project in enumerate(projects):
            share = wanted // len(projects) + (1 if index < wanted % len(projects) else 0)
            for member in rng.sample(member_ids, min(share, len(member_ids))):
                since = self.day(project["started_on"], LAST_DAY)
                links.append(self.owned(
                    county.pk, since, project_id=project["id"], member_id=member, since=since
                ))
        self.writer.assign_ids(m.ProjectBeneficiary, links)
        self.writer.write(m.ProjectBeneficiary, links)

        by_enterprise = {}
        for project in projects:
            if project["enterprise_id"]:
                by_enterprise.setdefault(project["enterprise_id"], []).append(project["id"])
        workshops = []
        count = max(1, self.count("workshops", size))
        for pk in self.writer.next_ids(m.Workshop, count):
            enterprise = rng.choice(helpers["enterprises"])
            opened = self.day(FIRST_DAY, datetime.date(2020, 6, 30))
            options = by_enterprise.get(enterprise)
            workshops.append(self.reviewed(
                county.pk, opened, id=pk, name=f"{rng.choice(SURNAMES)}庄扶贫车间{pk}",
                enterprise_id=enterprise,
                project_id=rng.choice(options) if options and rng.random() < 0.5 else None,
                village_id=rng.choice(villages), opened_on=opened,
            ))
        self.writer.write(m.Workshop, workshops)
        return [row["id"] for row in workshops]

    def make_finance(self, county, size, households, helpers):
        rng = self.rng
        models = list(FinanceModel.values)
        wanted = min(self.count("finance_agreements", size), len(households))
        chosen = rng.sample(households, wanted)
        agreement_ids = self.writer.next_ids(m.FinanceAgreement, len(chosen))
        agreements, dividends = [], []
        for (household, _v, _e), pk in zip(chosen, agreement_ids, strict=True):
            signed = self.day(FIRST_DAY, datetime.date(2019, 12, 31))
            agreements.append(self.reviewed(
                county.pk, signed, id=pk, enterprise_id=rng.choice(helpers["enterprises"]),
                household_id=household, model=rng.choice(models),
                funds=Decimal(rng.randrange(5_000, 100_000, 100)), signed_on=signed,
            ))
            for year in range(signed.year, 2021):
                paid = datetime.date(year, 12, rng.randint(1, 28))
                if paid >= signed and rng.random() < 0.6:
                    dividends.append(self.reviewed(
                        county.pk, paid, agreement_id=pk, year=year,
                        amount=Decimal(rng.randrange(2_000, 3_000)), paid_on=paid,
                    ))
        self.writer.assign_ids(m.DividendPayment, dividends)
        self.writer.write(m.FinanceAgreement, agreements)
        self.writer.write(m.DividendPayment, dividends)

    def make_employment(self, county, size, members, helpers, workshops):
        rng = self.rng
        chosen = rng.sample(members, min(self.count("employments", size), len(members)))
        rows = []
        employment_ids = self.writer.next_ids(m.Employment, len(chosen))
        for (member, _h), pk in zip(chosen, employment_ids, strict=True):
            started = self.day()
            ended = self.day(started, LAST_DAY) if rng.random() < 0.25 else None
            employer = {"enterprise_id": None, "workshop_id": None, "collective_id": None,
                        "employer_name": ""}
            roll = rng.random()
            if roll < 0.4:
                employer["enterprise_id"] = rng.choice(helpers["enterprises"])
            elif roll < 0.6:
                employer["workshop_id"] = rng.choice(workshops)
            elif roll < 0.7:
                employer["collective_id"] = rng.choice(helpers["collectives"])
            else:
                employer["employer_name"] = f"{rng.choice(SURNAMES)}庄巧媳妇加工点"
            rows.append(self.reviewed(
                county.pk, started, id=pk, member_id=member, started_on=started, ended_on=ended,
                monthly_wage=Decimal(rng.randrange(1_500, 4_500, 50)),
                is_stable=rng.random() < 0.6, job_training=rng.random() < 0.4, **employer,
            ))
        self.writer.write(m.Employment, rows)

    def make_volunteering(self, county, size, helpers):
        rng = self.rng
        count = self.count("volunteer_events", size)
        kinds = list(VolunteerEventKind.values)
        rows = []
        for pk in self.writer.next_ids(m.VolunteerEvent, count):
            held = self.day()
            rows.append(self.reviewed(
                county.pk, held, id=pk, team_id=rng.choice(helpers["teams"]), held_on=held,
                title=f"{rng.choice(TRAINING_TOPICS)}志愿服务", kind=rng.choice(kinds),
                place=f"{rng.choice(SURNAMES)}村", beneficiaries=rng.randint(10, 200),
            ))
        self.writer.write(m.VolunteerEvent, rows)

    def make_aid(self, county, size, households, helpers):
        rng = self.rng
        count = self.count("material_aid", size)
        kinds = list(AidKind.values)
        rows = []
        for pk in self.writer.next_ids(m.MaterialAid, count):
            household = households[rng.randrange(len(households))][0]
            given = self.day()
            kind = rng.choices(kinds, (50, 25, 15, 10))[0]
            rows.append(self.reviewed(
                county.pk, given, id=pk, household_id=household, given_on=given, kind=kind,
                labor_model_id=rng.choice(helpers["labor_models"]) if rng.random() < 0.6 else None,
                description=AID_TEXT[kind],
                value=Decimal(rng.randrange(100, 3_000)) if kind in VALUED_AID else None,
                points=rng.randint(10, 500) if kind == AidKind.CHARITY_SHOP else None,
            ))
            if len(rows) >= 50_000:
                self.writer.write(m.MaterialAid, rows)
                rows = []
        self.writer.write(m.MaterialAid, rows)
