"""Benchmark of the register import and the exports, on the database of DATABASE_URL.

Meant for a PostgreSQL database kept for benchmarks: it creates a county of its own
(基准测试县, code 419900) and replaces that county's households and members on every run.

Each measured step runs in a forked child process, so its memory figure is its own:
``peak RSS`` is the child's ``ru_maxrss`` (resident memory at its highest, what the machine
must have), ``growth`` is that peak minus the child's resident memory when the step began
(what the step itself added on top of Django and the loaded code). Times are wall-clock, with
no profiler attached.
"""

import csv
import datetime
import io
import multiprocessing
import os
import resource
import tempfile
import time

import xlsxwriter
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, connections, transaction
from openpyxl import Workbook

from accounts.models import Role
from cases import exports as list_exports
from cases import sql_exports
from cases.crypto import decrypt_resident_id
from cases.models import County, Household, Member, Township, Village
from cases.summaries import data_changed
from cases.validators import build_resident_id
from imports import exports
from imports.engine import run_pass
from imports.kinds import get_kind

BENCH_COUNTY = ("419900", "基准测试县")
TOWNSHIPS, VILLAGES_PER_TOWNSHIP = 10, 20
MEMBERS_PER_HOUSEHOLD = 3
RELATIONS = ("户主", "配偶", "之子")
EDUCATIONS = ("小学", "初中", "高中")
# Rows per file when the county is filled for the exports (an import takes 300,000 at most).
FILL_ROWS = 250_000
# Times each step of the PostgreSQL-written exports and its reference is run, alternately: the
# best of each is compared (the machine is shared, one run may be slowed by another's work).
SQL_EXPORT_REPEATS = 3


def rss_now_kb():
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


def measured(step, *args):
    """Run ``step(*args)`` in a forked child; returns (result, wall seconds, CPU seconds of the
    child, peak_kb, growth_kb)."""
    connections.close_all()
    context = multiprocessing.get_context("fork")
    parent, child = context.Pipe()

    def target():
        start_rss = rss_now_kb()
        started = time.perf_counter()
        cpu_started = time.process_time()
        result = step(*args)
        seconds = time.perf_counter() - started
        cpu = time.process_time() - cpu_started
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        connections.close_all()
        child.send((result, seconds, cpu, peak, peak - start_rss))

    process = context.Process(target=target)
    process.start()
    # The parent's copy of the child's end is closed so that a child that dies without
    # answering ends recv() with EOFError instead of a wait for ever.
    child.close()
    try:
        outcome = parent.recv()
    except EOFError:
        raise CommandError(f"{step.__name__} failed; its traceback is above.") from None
    finally:
        process.join()
    return outcome


def counted(rows, tally):
    """``rows``, adding one to ``tally[0]`` for each."""
    for row in rows:
        tally[0] += 1
        yield row


def register_table(first, count, county_name, villages):
    """Data rows ``first`` .. ``first+count-1`` of a synthetic register (3 members a household)."""
    for n in range(first, first + count):
        household = n // MEMBERS_PER_HOUSEHOLD
        township, village = villages[household % len(villages)]
        birth = datetime.date(1950, 1, 1) + datetime.timedelta(days=n // 1000)
        yield [
            county_name, township, village, f"419900{household:012d}", f"户主{household}",
            "一般贫困户", "国家标准", "2016-03-01", "因病", "缺技术" if household % 2 else "",
            "未脱贫", "", "", "", "",
            # 脱贫年度, 自然村, 危房户, 饮水安全, 人均纯收入, 户类型
            "", "", "", "", "", "",
            f"成员{n}", build_resident_id("419900", birth, n % 1000),
            RELATIONS[n % MEMBERS_PER_HOUSEHOLD], "", "", "汉族", EDUCATIONS[n % 3], "健康",
            "普通劳动力", "未务工", "",
            # 人编号, 在校生状况, 务工时间(月), 参加大病医疗; 附件数, as an export writes it
            "", "", "", "", 0,
        ]


def write_csv(path, rows):
    with open(path, "w", encoding="utf-8-sig", newline="") as output:
        writer = csv.writer(output)
        writer.writerow(exports.register_header())
        writer.writerows(rows)


def write_xlsx(path, rows):
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(exports.register_header())
    for row in rows:
        sheet.append(row)
    workbook.save(path)


class Command(BaseCommand):
    help = (
        "Measure the register import (validate, and validate + write) for 10,000 and 100,000 "
        "rows and the register and list exports for 500,000 rows: rows per second and peak "
        "memory. Uses the DATABASE_URL database and a county of its own."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--rows", type=int, nargs="+", default=[10_000, 100_000],
            help="Register sizes to import (default: 10000 100000; 0 skips the imports).",
        )
        parser.add_argument(
            "--export-rows", type=int, default=500_000,
            help="Member rows to export (default 500000; 0 skips the exports).",
        )
        parser.add_argument(
            "--xlsx-import", action="store_true",
            help="Also time the import from .xlsx (reading .xlsx is slower than CSV).",
        )
        parser.add_argument(
            "--sql-exports-only", action="store_true",
            help="Of the exports, time only the list exports PostgreSQL writes and their "
            "references (bare COPY, XlsxWriter alone).",
        )

    def handle(self, *args, **options):
        self.user, self.villages = self.bench_county()
        self.kind = get_kind("households")
        workdir = tempfile.mkdtemp(prefix="bench-import-")
        self.stdout.write(f"database: {connections['default'].vendor}; files in {workdir}")
        for rows in filter(None, options["rows"]):
            self.bench_import(rows, workdir, options["xlsx_import"])
        if options["export_rows"]:
            self.bench_exports(options["export_rows"], workdir, options["sql_exports_only"])

    #
    # Set-up
    #

    def bench_county(self):
        county, _ = County.objects.get_or_create(
            code=BENCH_COUNTY[0], defaults={"name": BENCH_COUNTY[1]}
        )
        villages = []
        for t in range(TOWNSHIPS):
            township, _ = Township.objects.get_or_create(county=county, name=f"测试镇{t}")
            for v in range(VILLAGES_PER_TOWNSHIP):
                Village.objects.get_or_create(township=township, name=f"测试村{t}-{v}")
                villages.append((township.name, f"测试村{t}-{v}"))
        user, _ = get_user_model().objects.get_or_create(
            username="bench_import_clerk", defaults={"role": Role.COUNTY_STAFF, "county": county},
        )
        return user, villages

    def reset_county(self):
        """Remove the benchmark county's households and members and their history. In SQL:
        through the ORM each deleted row would send its signals and bump the county's
        dashboard version, a few queries per row."""
        county_id = self.user.county_id
        tables = [
            (Member.history.model._meta.db_table, "county_id = %s"),
            (Household.history.model._meta.db_table, "county_id = %s"),
            (Member._meta.db_table, "county_id = %s"),
            (
                Household.other_causes.through._meta.db_table,
                f"household_id IN (SELECT id FROM {Household._meta.db_table} WHERE county_id = %s)",
            ),
            (Household._meta.db_table, "county_id = %s"),
        ]
        with transaction.atomic(), connection.cursor() as cursor:
            for table, condition in tables:
                cursor.execute(f"DELETE FROM {table} WHERE {condition}", [county_id])
            data_changed([county_id])
        self.vacuum()

    def vacuum(self):
        """Reclaim deleted rows and refresh the planner's statistics, so that every run starts
        from the same state: without it, an import after a reset wrote into tables full of
        dead rows, and the exports after a fill read with stale statistics (60% slower)."""
        if connection.vendor != "postgresql":
            return
        tables = [
            model._meta.db_table
            for model in (Member, Member.history.model, Household, Household.history.model,
                          Household.other_causes.through)
        ]
        with connection.cursor() as cursor:
            for table in tables:
                # Outside any transaction: VACUUM cannot run inside one.
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")

    #
    # Import
    #

    def run_import(self, path, write):
        with open(path, "rb") as source:
            if not write:
                report = run_pass(self.kind, source, os.path.basename(path), self.user, write=False)
            else:
                with transaction.atomic():
                    report = run_pass(
                        self.kind, source, os.path.basename(path), self.user, write=True
                    )
        return report.rows, report.error_count, {k: dict(v) for k, v in report.counts.items()}

    def bench_import(self, rows, workdir, with_xlsx):
        csv_path = os.path.join(workdir, f"register-{rows}.csv")
        write_csv(csv_path, register_table(0, rows, BENCH_COUNTY[1], self.villages))
        self.reset_county()
        self.stdout.write(f"\nregister import, {rows:,} rows ({rows // 3:,} households):")
        steps = [
            ("validate only (preview), CSV", csv_path, False),
            ("validate + write (import), CSV", csv_path, True),
            ("same file again (all unchanged), CSV", csv_path, True),
        ]
        if with_xlsx:
            xlsx_path = os.path.join(workdir, f"register-{rows}.xlsx")
            write_xlsx(xlsx_path, register_table(0, rows, BENCH_COUNTY[1], self.villages))
            steps.append(("validate only (preview), xlsx", xlsx_path, False))
        for label, path, write in steps:
            (count, errors, counts), seconds, cpu, peak, growth = measured(
                self.run_import, path, write
            )
            if errors:
                self.stderr.write(f"  {label}: {errors} errors, benchmark data is wrong")
                return
            self.report(label, count, seconds, cpu, peak, growth, counts)

    #
    # Export
    #

    def ensure_members(self, wanted, workdir):
        present = Member.objects.filter(county_id=self.user.county_id).count()
        if present >= wanted:
            return
        self.stdout.write(f"\nfilling the county to {wanted:,} members for the export ...")
        path = os.path.join(workdir, "register-fill.csv")
        # In files of FILL_ROWS rows at most: an import refuses larger files.
        for first in range(present, wanted, FILL_ROWS):
            count = min(FILL_ROWS, wanted - first)
            write_csv(path, register_table(first, count, BENCH_COUNTY[1], self.villages))
            # In a child too, so the exports' baseline is not the memory of this import.
            measured(self.run_import, path, True)
        self.vacuum()

    def export_csv(self):
        tally = [0]
        size = sum(
            len(piece)
            for piece in list_exports.csv_lines(counted(exports.register_rows(self.user), tally))
        )
        return tally[0] - 1, size  # less the header

    def export_xlsx(self, workdir):
        with tempfile.TemporaryFile(dir=workdir) as output:
            list_exports.write_xlsx(
                exports.register_rows(self.user), output, "登记册",
                text_columns=exports.register_text_columns(),
            )
            return Member.objects.filter(county_id=self.user.county_id).count(), output.tell()

    def export_list_csv(self):
        """The member list's own export (masked IDs), as the list page serves it."""
        from cases.tables import MemberTable

        queryset = Member.objects.for_user(self.user).active().select_related("household")
        tally = [0]
        response = list_exports.csv_response(
            counted(list_exports.export_rows(MemberTable(queryset), queryset), tally), "bench"
        )
        size = sum(len(piece) for piece in response.streaming_content)
        return tally[0] - 1, size  # less the header

    def export_list_xlsx(self):
        """The member list's .xlsx export, as the list page serves it."""
        from cases.tables import MemberTable

        queryset = Member.objects.for_user(self.user).active().select_related("household")
        response = list_exports.xlsx_response(
            list_exports.export_rows(MemberTable(queryset), queryset), "bench", "成员"
        )
        size = sum(len(chunk) for chunk in response.streaming_content)
        return queryset.count(), size

    def bench_exports(self, wanted, workdir, sql_only=False):
        self.ensure_members(wanted, workdir)
        if not sql_only:
            self.stdout.write(f"\nexports, {wanted:,} member rows:")
            for label, step, args in (
                ("register export, CSV (streamed)", self.export_csv, ()),
                ("register export, xlsx (constant memory)", self.export_xlsx, (workdir,)),
                ("member list export, CSV, Python path", self.export_list_csv, ()),
                ("member list export, xlsx, Python path", self.export_list_xlsx, ()),
            ):
                (rows, size), seconds, cpu, peak, growth = measured(step, *args)
                self.report(label, rows, seconds, cpu, peak, growth, {"bytes": size})
        self.bench_sql_exports(workdir)
        if not sql_only:
            self.bench_ceilings()

    #
    # The list exports PostgreSQL writes (cases.sql_exports), against their references
    #

    def member_list_export(self, file_format):
        """The member list's export as the list page compiles it (``cases.sql_exports``)."""
        from cases.tables import MemberTable

        queryset = Member.objects.for_user(self.user).active().select_related("household")
        compiled = sql_exports.compile_export(
            MemberTable(queryset), queryset, for_csv=file_format == "csv"
        )
        if compiled is None:
            raise CommandError("the member list does not compile to SQL on this database")
        return compiled

    def export_list_csv_sql(self):
        """The member list's CSV, written by PostgreSQL (COPY) as the page streams it."""
        compiled = self.member_list_export("csv")
        copied = []
        size = sum(len(piece) for piece in sql_exports.csv_pieces(compiled, copied.append))
        return copied[0], size, None

    def bare_copy(self):
        """PostgreSQL's COPY of the same rows' stored columns, formatting nothing."""
        rows, size = self.ceiling_copy()
        return rows, size, None

    def export_list_xlsx_sql(self, workdir):
        """The member list's .xlsx, its rows formatted by PostgreSQL, as the page writes it."""
        compiled = self.member_list_export("xlsx")
        with tempfile.TemporaryFile(dir=workdir) as output:
            list_exports.write_xlsx(sql_exports.xlsx_rows(compiled), output, "成员")
            return Member.objects.for_user(self.user).active().count(), output.tell(), None

    def xlsxwriter_alone(self, workdir):
        """XlsxWriter writing the same cells from Python lists read beforehand, with the same
        options and formats, calling write_string / write_number itself: the ceiling of any
        .xlsx export. Only the writing is timed (the third value: wall and CPU seconds)."""
        rows = list(sql_exports.xlsx_rows(self.member_list_export("xlsx")))
        with tempfile.TemporaryFile(dir=workdir) as output, \
                tempfile.TemporaryDirectory(dir=workdir) as scratch:
            started, cpu_started = time.perf_counter(), time.process_time()
            workbook = xlsxwriter.Workbook(output, {
                "constant_memory": True, "tmpdir": scratch,
                "strings_to_formulas": False, "strings_to_urls": False,
            })
            sheet = workbook.add_worksheet("成员")
            sheet.write_row(0, 0, rows[0], workbook.add_format({"bold": True}))
            write_string, write_number = sheet.write_string, sheet.write_number
            for number, row in enumerate(rows[1:], start=1):
                for index, value in enumerate(row):
                    if type(value) is str:
                        write_string(number, index, value)
                    elif value is not None:
                        write_number(number, index, value)
            workbook.close()
            own = (time.perf_counter() - started, time.process_time() - cpu_started)
            return len(rows) - 1, output.tell(), own

    def bench_sql_exports(self, workdir):
        self.stdout.write(
            f"\nmember list exports written by PostgreSQL, against their references (each run "
            f"{SQL_EXPORT_REPEATS} times, alternately; load average {os.getloadavg()[0]:.2f}):"
        )
        pairs = (
            ("CSV: COPY of the formatted list", self.export_list_csv_sql, (),
             "bare COPY of the stored columns", self.bare_copy, ()),
            ("xlsx: rows formatted by SQL", self.export_list_xlsx_sql, (workdir,),
             "XlsxWriter alone, same cells", self.xlsxwriter_alone, (workdir,)),
        )
        for label, step, args, reference_label, reference, reference_args in pairs:
            best, best_cpu = {}, {}
            for _ in range(SQL_EXPORT_REPEATS):
                for name, function, function_args in (
                    (label, step, args), (reference_label, reference, reference_args),
                ):
                    (rows, size, own), seconds, cpu, peak, growth = measured(
                        function, *function_args
                    )
                    if own is not None:
                        seconds, cpu = own
                    self.report(name, rows, seconds, cpu, peak, growth, {"bytes": size})
                    best[name] = min(best.get(name, seconds), seconds)
                    best_cpu[name] = min(best_cpu.get(name, cpu), cpu)
            self.stdout.write(
                f"  best of {SQL_EXPORT_REPEATS}: {label} {rows / best[label]:,.0f} rows/s, "
                f"{reference_label} {rows / best[reference_label]:,.0f} rows/s, ratio "
                f"{best[reference_label] / best[label]:.2f} (wall), "
                f"{best_cpu[reference_label] / best_cpu[label]:.2f} (CPU of the process)"
            )

    #
    # Ceilings: what parts of an export cost on their own, on this machine
    #

    def member_rows_sql(self):
        """The member list's stored columns for the benchmark county, as SQL and parameters."""
        queryset = Member.objects.for_user(self.user).active().values_list(
            "household__register_number", "name", "id_number", "relation", "sex", "birth_date",
            "education", "health", "labour_ability", "work_status", "phone",
        )
        return queryset.query.sql_with_params()

    def ceiling_copy(self):
        """PostgreSQL writes the CSV itself (COPY ... TO): no Python per row, no decryption."""
        sql, params = self.member_rows_sql()
        size = 0
        with connection.cursor() as cursor:
            statement = cursor.mogrify(sql, params)
            with cursor.cursor.copy(f"COPY ({statement}) TO STDOUT WITH CSV HEADER") as copy:
                for data in copy:
                    size += len(data)
        return Member.objects.for_user(self.user).active().count(), size

    def ceiling_fetch(self):
        """Only reading the rows into Python tuples (psycopg, in chunks)."""
        sql, params = self.member_rows_sql()
        rows = 0
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(2000):
                rows += len(batch)
        return rows, 0

    def ceiling_fetch_csv(self):
        """Reading the rows and writing them with csv.writer, as they are stored."""
        sql, params = self.member_rows_sql()
        rows = 0
        output = io.StringIO()
        writer = csv.writer(output)
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            while batch := cursor.fetchmany(2000):
                writer.writerows(batch)
                rows += len(batch)
                output.seek(0)
                output.truncate()
        return rows, 0

    def ceiling_decrypt(self):
        """Reading the stored ID number tokens and decrypting them, nothing else."""
        rows = 0
        with connection.chunked_cursor() as cursor:
            cursor.execute(
                f"SELECT id_number FROM {Member._meta.db_table} "  # noqa: S608
                "WHERE county_id = %s AND archived_at IS NULL",
                [self.user.county_id],
            )
            while batch := cursor.fetchmany(2000):
                for (token,) in batch:
                    decrypt_resident_id(token)
                rows += len(batch)
        return rows, 0

    def bench_ceilings(self):
        self.stdout.write(
            "\nwhat parts of the member list export cost alone (ceilings for any export "
            "written in Python):"
        )
        for label, step in (
            ("PostgreSQL COPY TO CSV, no decryption", self.ceiling_copy),
            ("fetch rows into Python only", self.ceiling_fetch),
            ("fetch + csv.writer, stored values", self.ceiling_fetch_csv),
            ("fetch + decrypt ID numbers only", self.ceiling_decrypt),
        ):
            (rows, size), seconds, cpu, peak, growth = measured(step)
            self.report(label, rows, seconds, cpu, peak, growth, {"bytes": size} if size else {})

    def report(self, label, rows, seconds, cpu, peak_kb, growth_kb, extra):
        self.stdout.write(
            f"  {label:<38} {rows:>8,} rows {seconds:7.2f} s {rows / seconds:>8,.0f} rows/s "
            f"(CPU {cpu:6.2f} s) peak RSS {peak_kb / 1024:4.0f} MB "
            f"growth {growth_kb / 1024:4.0f} MB  {extra}"
        )

