"""The log audit (tests/log_audit.py) finds what it is there to find."""

import datetime
import logging
import subprocess
import sys
import textwrap

import pytest
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore

from cases.validators import build_resident_id, id_check_char, mask_id_number
from tests.log_audit import AUDIT, full_id_numbers

ID_NUMBER = build_resident_id("411727", datetime.date(1979, 3, 14), 41)


def test_full_id_numbers_are_found_and_masked_or_invalid_ones_are_not():
    wrong_check = ID_NUMBER[:17] + ("0" if ID_NUMBER[17] != "0" else "1")
    no_birth_date = "41172719801341001" + id_check_char("41172719801341001")  # 13th month

    assert full_id_numbers(f'{{"message": "member {ID_NUMBER} saved"}}') == [ID_NUMBER]
    assert full_id_numbers(f"id={ID_NUMBER.lower()}") == [ID_NUMBER]
    assert full_id_numbers(mask_id_number(ID_NUMBER)) == []
    assert full_id_numbers(wrong_check) == []
    assert full_id_numbers(no_birth_date) == []
    assert full_id_numbers(f"9{ID_NUMBER}") == []  # part of a longer number


def test_records_written_during_the_run_are_checked_for_ids_passwords_and_session_keys(db):
    session = SessionStore()
    session.create()
    before = len(AUDIT.lines)
    logger = logging.getLogger("cases.planted")
    try:
        logger.warning("head of household %s", ID_NUMBER)
        logger.warning("tried password %s", "correct-horse-battery")
        logger.warning("session %s", session.session_key)
        logger.warning("masked %s", mask_id_number(ID_NUMBER))
        planted = AUDIT.lines[before:]
    finally:
        # Planted on purpose: keep them out of the run's own audit.
        del AUDIT.lines[before:]

    findings = {(what, secret) for what, secret, *_ in AUDIT.findings(planted)}
    assert findings == {
        ("resident ID number", ID_NUMBER),
        ("password", "correct-horse-battery"),
        ("session key", session.session_key),
    }
    # Both the catch-all record and the project's own (JSON/text) console handler saw them.
    assert {handler for handler, *_ in planted} >= {"<record>", "StreamHandler"}


@pytest.mark.parametrize("workers", [["-n", "0"], ["-n", "2"]], ids=["one", "xdist"])
def test_a_run_that_logs_a_full_id_number_fails_with_a_listing(tmp_path, workers):
    """In one process and under pytest-xdist, whose workers run the tests and report to the
    controller (which alone decides the exit status and prints the summary)."""
    test_file = tmp_path / "test_planted.py"
    masked = mask_id_number(ID_NUMBER)
    test_file.write_text(
        textwrap.dedent(
            f"""
            import logging

            def test_logs_an_id_number():
                logging.getLogger("cases.planted").warning("saved member %s", "{ID_NUMBER}")
                logging.getLogger("cases.planted").warning("masked %s", "{masked}")
            """
        )
    )
    result = subprocess.run(
        [
            sys.executable, "-m", "pytest", str(test_file), "-p", "tests.log_audit",
            "-p", "no:cacheprovider", "-c", str(settings.BASE_DIR / "pyproject.toml"),
            "--rootdir", str(settings.BASE_DIR), "-q", *workers,
        ],
        cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=120,
    )

    assert result.returncode == 1, result.stdout + result.stderr
    assert "1 passed" in result.stdout
    assert "log audit: secrets written to the logs" in result.stdout
    assert f"resident ID number '{ID_NUMBER}' in cases.planted" in result.stdout
    assert "log audit FAILED" in result.stdout
    assert masked not in result.stdout  # the masked line is no finding
