"""Indexes for the household list's search and the review queue's counts (issue #6).

- Trigram indexes for the search (cases/search.py), on PostgreSQL only: each on the column's
  upper-case text with every character doubled, the expression ``IndexedIContains`` filters
  on. Other databases search by a scan, as before.
- ``(review_status, county)`` on the big reviewed tables: the review queue's counts per
  county of the waiting records, and the county home page's counts of its returned records
  and drafts, are read from these indexes alone.
"""

from django.db import migrations, models

# As cases.search spelled it then (migration 0011 replaces these indexes with tripled ones).
DOUBLED = "regexp_replace(UPPER({}::text), '(.)', '\\1\\1', 'g')"
COLUMNS = {
    "household_register_number_trgm": "register_number",
    "household_head_name_trgm": "head_name",
    "household_phone_trgm": "phone",
}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in COLUMNS.items():
        expression = DOUBLED.format(schema_editor.quote_name(column))
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON cases_household "
            f"USING gin (({expression}) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):

    dependencies = [
        ("cases", "0008_indicator_snapshots_and_household_list_indexes"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
        migrations.AddIndex(
            model_name="dividendpayment",
            index=models.Index(
                fields=["review_status", "county"],
                name="dividend_status_county_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="employment",
            index=models.Index(
                fields=["review_status", "county"],
                name="employment_status_county_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="financeagreement",
            index=models.Index(
                fields=["review_status", "county"],
                name="agreement_status_county_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="household",
            index=models.Index(
                condition=models.Q(("archived_at__isnull", True)),
                fields=["review_status", "county"],
                name="household_status_county_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="materialaid",
            index=models.Index(
                fields=["review_status", "county"],
                name="materialaid_status_county_idx",
            ),
        ),
        migrations.AddIndex(
            model_name="pairing",
            index=models.Index(
                fields=["review_status", "county"],
                name="pairing_status_county_idx",
            ),
        ),
    ]
