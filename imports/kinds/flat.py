"""Kinds with one record per row (labor models, collectives, enterprises), declared by their
columns and natural key, validated and written by one processor.

A kind names its ``key_fields`` (how a row finds the stored record: the ID number, or the name
within the county), its columns, and the columns that name other records (``RefColumn``),
which are resolved in batches per chunk. County, recorder and review status are set here,
never read from the file.
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from simple_history.utils import bulk_update_with_history

from cases.choices import ReviewStatus
from cases.uniqueness import duplicate_message, log_cross_county_collision
from imports import keys
from imports.bulk import insert_with_history
from imports.columns import CodeColumn, Column, ListColumn
from imports.engine import WRITE_BATCH, Layout, clean_instance, validate_field

REVIEWED_STATES = (ReviewStatus.SUBMITTED, ReviewStatus.APPROVED)


def county_column():
    return Column(
        gettext_lazy("县区"), required=True, example="汝南县",
        help_text=gettext_lazy("须是您所在的县区;其他县区的行会被拒绝。"),
    )


class RefColumn(Column):
    """A column that names another record of the user's county, by a number (``code=True``:
    an ID or register number, spaces removed) or by name. ``find(user, values)`` returns
    {value: pk} for one chunk; ``describe`` says that a value was not found."""

    def __init__(self, header, field, *, find, describe, code=False, **kwargs):
        super().__init__(header, field, **kwargs)
        self.find = find
        self.describe = describe
        self.code = CodeColumn(header, numbers_lose_digits=True) if code else None

    def read(self, raw):
        return self.code.read(raw) if self.code else super().read(raw)


class M2MColumn(ListColumn):
    """Several reference names in one cell (e.g. a labor model's fields of expertise)."""

    def __init__(self, header, field, *, choices, **kwargs):
        super().__init__(header, field, required=False, **kwargs)
        self.choices = choices
        self.allowed = lambda: list(self.choices())


def labor_models_by_id_number(user, values):
    from cases.models import LaborModel

    found = keys.by_id_number(LaborModel.objects.for_user(user, "change"), values)
    return {value: row.pk for value, row in found.items()}


class FlatKind:
    """One record per row. Subclasses declare ``slug``, ``label``, ``description``, ``model``,
    ``columns`` (the first is the county column), ``key_fields`` and ``list_url``."""

    key_fields = ()
    key_headers = {}  # headers of key parts that are not one column
    unique_fields = ()  # fields unique across counties, checked against stored rows
    parent = None  # a Parent: the record this one belongs to, named by several columns
    list_url = None

    def __init__(self):
        for column in self.columns[1:]:
            column.bind(self.model)
        self.layout = Layout(self.columns)

    @property
    def permissions(self):
        name = self.model._meta.model_name
        return (f"cases.add_{name}", f"cases.change_{name}")

    def processor(self, **kwargs):
        return FlatProcessor(kind=self, **kwargs)

    def key_of(self, by_field):
        """The natural key of a row, from its values by field name; a part left empty makes
        the row an error (the key is required)."""
        return tuple(by_field.get(name) for name in self.key_fields)

    def find_existing(self, user, keys_in_chunk):
        """{key: stored record} for the keys of one chunk; records of other counties too, so
        that a clash is an error rather than a duplicate."""
        raise NotImplementedError

    # What a record's str() and page link read, joined for the result page.
    records_related = ()

    def imported_records(self, run):
        touched = self.model.history.filter(history_change_reason=run.change_reason).values("id")
        return (
            self.model.objects.for_user(run.created_by).filter(pk__in=touched)
            .select_related(*self.records_related)
        )


class Parent:
    """The record a row belongs to, named by several columns (e.g. a dividend's agreement by
    enterprise, register number and signing date). ``find(user, keys)`` returns
    {key: instance} of the user's county; ``describe`` says that a key was not found."""

    def __init__(self, field, columns, *, find, describe):
        self.field = field
        self.columns = columns
        self.find = find
        self.describe = describe

    def key(self, data):
        values = tuple(data[column] for column in self.columns)
        return values if all(values) else None


class ByNameInCounty:
    """The natural key of collectives and enterprises: the name, unique in the county."""

    key_fields = ("name",)

    def find_existing(self, user, keys_in_chunk):
        names = [key[0] for key in keys_in_chunk]
        rows = self.model.objects.for_user(user, "change").filter(name__in=names)
        return {(row.name,): row for row in rows}


class FlatProcessor:
    def __init__(self, *, kind, user, report, reader, write, run):
        self.kind = kind
        self.model = kind.model
        # Translated once: a lazy name costs a translation lookup on every row it counts.
        self.label = str(kind.model._meta.verbose_name)
        self.user = user
        self.report = report
        self.reader = reader
        self.write = write
        self.collisions_logged = set()
        self.history_user = run.created_by if run else user
        self.change_reason = run.change_reason if run else "批量导入"
        self.county = user.county
        self.columns = kind.columns[1:]
        self.plain = [
            c for c in self.columns if c.field and not isinstance(c, RefColumn | M2MColumn)
        ]
        self.refs = [c for c in self.columns if isinstance(c, RefColumn)]
        self.m2m = [c for c in self.columns if isinstance(c, M2MColumn)]
        self.m2m_choices = {c: {str(o): o.pk for o in c.choices()} for c in self.m2m}
        self.headers = {c.field: c.header for c in self.columns if c.field}
        self.headers.update(kind.key_headers)
        self.compared = [c.field for c in self.plain] + [f"{c.field}_id" for c in self.refs]
        self.parent = kind.parent
        if self.parent:
            self.compared.append(f"{self.parent.field}_id")
            self.headers[self.parent.field] = self.parent.columns[0].header
        self.seen = {}
        self.now = timezone.now()
        self.valid = {}  # validation outcomes of repeating values, see validate_field
        # A kind may fill some columns from another one (the employer from 就业单位): those
        # count as present, and ``adapt(data)`` fills them on each row.
        self.adapt = kind.row_adapter(user, reader) if hasattr(kind, "row_adapter") else None
        self.filled = kind.columns_filled(reader) if hasattr(kind, "columns_filled") else set()

    def key_of(self, data):
        by_field = {column.field: value for column, value in data.items() if column.field}
        if self.parent:
            by_field[self.parent.field] = self.parent.key(data)
        return self.kind.key_of(by_field)

    def process(self, rows):
        report = self.report
        errors_before = report.error_count
        county_header = self.kind.columns[0]
        parsed = []
        for row, values in rows:
            named = self.reader.read(values, county_header, row)
            if not named:
                report.error(row, county_header.header, _("“县区”为必填项。"))
            elif named != self.county.name:
                report.error(
                    row, county_header.header,
                    _("该行属于“%(named)s”,您只能导入本县区(%(own)s)的数据。")
                    % {"named": named, "own": self.county.name},
                )
            unread = report.error_count
            data = {column: self.reader.read(values, column, row) for column in self.columns}
            unread = report.error_count != unread
            if self.adapt:
                self.adapt(data)
            key = self.key_of(data)
            if not all(key) and unread:
                continue  # the cell that could not be read is the error
            if not all(key):
                headers = "、".join(str(self.headers[name]) for name in self.kind.key_fields)
                missing = next(
                    name for name, part in zip(self.kind.key_fields, key, strict=True) if not part
                )
                report.error(
                    row, self.headers[missing],
                    _("“%(headers)s”为必填项:导入按它识别已登记的记录。") % {"headers": headers},
                )
                continue
            if key in self.seen:
                report.error(
                    row, self.headers[self.kind.key_fields[0]],
                    _("与第 %(row)s 行是同一条记录:同一记录只能出现一次。")
                    % {"row": self.seen[key]},
                )
                continue
            self.seen[key] = row
            parsed.append((row, key, data))

        existing = self.kind.find_existing(self.user, [key for _row, key, _data in parsed])
        parents = (
            self.parent.find(
                self.user, {self.parent.key(data) for _r, _k, data in parsed} - {None}
            )
            if self.parent else {}
        )
        resolved = {
            column: column.find(self.user, {data[column] for _r, _k, data in parsed} - {"", None})
            for column in self.refs
        }
        stored_links = self.stored_links(
            [record for record in existing.values() if record.county_id == self.county.pk]
        )
        taken = self.taken_unique_values(parsed)

        creates, updates, links = [], [], {}
        for row, key, data in parsed:
            outcome = self.check(
                row, data, existing.get(key), resolved, stored_links, taken, parents
            )
            if outcome is None:
                continue
            record, change, chosen = outcome
            if change == "created":
                creates.append(record)
                links[id(record)] = (record, chosen)
            elif change == "updated":
                updates.append(record)
                links[id(record)] = (record, chosen)
            report.count(self.label, change)
        if self.write and report.error_count == errors_before:
            self.save(creates, updates, links)

    def stored_links(self, records):
        links = {}
        for column in self.m2m:
            through = getattr(self.model, column.field).through
            source = f"{self.model._meta.model_name}_id"
            target = f"{column.model_field.related_model._meta.model_name}_id"
            pairs = through.objects.filter(**{f"{source}__in": [r.pk for r in records]})
            for source_id, target_id in pairs.values_list(source, target):
                links.setdefault((column, source_id), set()).add(target_id)
        return links

    def taken_unique_values(self, parsed):
        """{(field, value): pk} of stored records already holding a value that must be unique."""
        taken = {}
        for name in self.kind.unique_fields:
            column = next(c for c in self.columns if c.field == name)
            values = {data[column] for _r, _k, data in parsed} - {"", None}
            for pk, value in self.model.objects.filter(
                **{f"{name}__in": values}
            ).values_list("pk", name):
                taken[(name, value)] = pk
        return taken

    def check(self, row, data, existing, resolved, stored_links, taken, parents):
        report = self.report
        errors_before = report.error_count
        if existing is not None and existing.county_id != self.county.pk:
            log_cross_county_collision(
                self.model, self.kind.key_fields[0], self.county.pk, self.user,
                seen=self.collisions_logged,
            )
            header = self.headers[self.kind.key_fields[0]]
            report.error(row, header, duplicate_message(header))
            return None
        record = existing if existing is not None else self.model(
            county_id=self.county.pk, recorded_by=self.user
        )
        before = {name: getattr(record, name) for name in self.compared}
        # A column the file lacks leaves the stored value as it is; a cell that could not be
        # read already has its error.
        kept = existing is not None
        for column in self.plain:
            if kept and not self.reader.present(column) and column not in self.filled:
                continue
            value = data[column]
            if value in (None, ""):
                if self.reader.failed(row, column):
                    continue
                if column.required:
                    report.error(
                        row, column.header, _("“%(header)s”为必填项。") % {"header": column.header}
                    )
                    continue
                field = column.model_field
                value = field.get_default() if field.has_default() else (None if field.null else "")
            cleaned = validate_field(record, column, value, report, row, self.valid)
            setattr(record, column.field, cleaned)
        for column in self.refs:
            if kept and not self.reader.present(column) and column not in self.filled:
                continue
            value = data[column]
            pk = resolved[column].get(value) if value else None
            if value and pk is None:
                report.error(row, column.header, column.describe % {"value": value})
            elif not value and column.required and not self.reader.failed(row, column):
                report.error(
                    row, column.header, _("“%(header)s”为必填项。") % {"header": column.header}
                )
            setattr(record, f"{column.field}_id", pk)
        if self.parent:
            parent = parents.get(self.parent.key(data))
            if parent is None:
                report.error(row, self.parent.columns[0].header, self.parent.describe)
            else:
                # The instance, not only its id: the model's clean() compares with it.
                setattr(record, self.parent.field, parent)
        chosen = {}
        for column in self.m2m:
            if kept and not self.reader.present(column):
                chosen[column] = stored_links.get((column, record.pk), set())
                continue
            ids = set()
            for name in data[column] or []:
                if name in self.m2m_choices[column]:
                    ids.add(self.m2m_choices[column][name])
                else:
                    report.error(
                        row, column.header,
                        _("“%(value)s”不是可选的值,可选:%(allowed)s。")
                        % {"value": name, "allowed": "、".join(self.m2m_choices[column])},
                    )
            chosen[column] = ids
        for name in self.kind.unique_fields:
            value = getattr(record, name)
            holder = taken.get((name, value))
            if value and holder is not None and holder != record.pk:
                report.error(
                    row, self.headers[name],
                    _("“%(value)s”已被另一条记录使用。") % {"value": value},
                )
        if report.error_count == errors_before:
            clean_instance(record, self.headers, report, row)
        if report.error_count != errors_before:
            return None
        if existing is None:
            return record, "created", chosen
        after = {name: getattr(record, name) for name in self.compared}
        same_links = all(
            chosen[column] == stored_links.get((column, record.pk), set()) for column in self.m2m
        )
        if after == before and same_links:
            return record, "unchanged", chosen
        record.version += 1
        record.updated_at = self.now
        if getattr(record, "review_status", None) in REVIEWED_STATES:
            record.review_status = ReviewStatus.DRAFT
        return record, "updated", chosen

    def save(self, creates, updates, links):
        insert_with_history(
            self.model, creates, user=self.history_user, reason=self.change_reason
        )
        if updates:
            # A record found by its ID number keeps it (and its encrypted columns) unchanged.
            fields = [c.field for c in self.plain + self.refs if c.field != "id_number"]
            if self.parent:
                fields.append(self.parent.field)
            extra = ["version", "updated_at"]
            if hasattr(self.model, "review_status"):
                extra.append("review_status")
            bulk_update_with_history(
                updates, self.model, [*fields, *extra], batch_size=WRITE_BATCH,
                default_user=self.history_user, default_change_reason=self.change_reason,
            )
        for column in self.m2m:
            through = getattr(self.model, column.field).through
            source = f"{self.model._meta.model_name}_id"
            target = f"{column.model_field.related_model._meta.model_name}_id"
            through.objects.filter(**{f"{source}__in": [r.pk for r in updates]}).delete()
            through.objects.bulk_create(
                [
                    through(**{source: record.pk, target: target_id})
                    for record, chosen in links.values()
                    for target_id in chosen[column]
                ],
                batch_size=WRITE_BATCH,
            )

    def finish(self):
        """Nothing spans rows beyond the duplicate keys, checked as rows come."""


def enterprises_by_name(user, values):
    from cases.models import Enterprise

    rows = Enterprise.objects.for_user(user, "change").filter(name__in=values)
    return dict(rows.values_list("name", "pk"))


def households_by_register_number(user, values):
    from cases.models import Household

    rows = Household.objects.for_user(user, "change").active().filter(register_number__in=values)
    return dict(rows.values_list("register_number", "pk"))


def household_column():
    """The 户编号 column of a record that belongs to a registered household."""
    return RefColumn(
        gettext_lazy("户编号"), "household", required=True, code=True,
        find=households_by_register_number, example="411727001001000123",
        aliases=("贫困户编号", "建档立卡编号"),
        describe=gettext_lazy("本县区没有户编号为“%(value)s”的贫困户,请先导入登记册。"),
    )


def members_by_id_number(user, values):
    from cases.models import Member

    found = keys.by_id_number(Member.objects.for_user(user, "change").active(), values)
    return {value: row.pk for value, row in found.items()}


def collectives_by_name(user, values):
    from cases.models import AdvancedCollective

    rows = AdvancedCollective.objects.for_user(user, "change").filter(name__in=values)
    return dict(rows.values_list("name", "pk"))
