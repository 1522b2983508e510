"""Configuration by environment variables: a bad value stops the app at start-up with the
variable's name, and every variable the settings read is documented and in the env example."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from reliefportal.settings import env_choice, env_int

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = (ROOT / "reliefportal" / "settings.py").read_text()


def variables_read_by_settings():
    return set(re.findall(r'(?:env_\w+\(|os\.environ(?:\.get\(|\[))"([A-Z_]+)"', SETTINGS))


def test_env_int_reads_a_whole_number(monkeypatch):
    monkeypatch.setenv("EXPORT_FILE_HOURS", "48")
    assert env_int("EXPORT_FILE_HOURS", 24) == 48
    monkeypatch.setenv("EXPORT_FILE_HOURS", "")
    assert env_int("EXPORT_FILE_HOURS", 24) == 24


@pytest.mark.parametrize(
    ("value", "message"),
    [("24h", "EXPORT_FILE_HOURS must be a whole number, not '24h'"),
     ("0", "EXPORT_FILE_HOURS must be at least 1, not 0")],
)
def test_env_int_refuses_a_typo_with_the_variable_name(monkeypatch, value, message):
    monkeypatch.setenv("EXPORT_FILE_HOURS", value)
    with pytest.raises(ImproperlyConfigured, match=re.escape(message)):
        env_int("EXPORT_FILE_HOURS", 24, minimum=1)


def test_env_choice_refuses_an_unknown_value(monkeypatch):
    monkeypatch.setenv("LOG_LEVEL", "verbose")
    with pytest.raises(ImproperlyConfigured, match="LOG_LEVEL must be one of DEBUG, INFO"):
        env_choice("LOG_LEVEL", "INFO", ("DEBUG", "INFO", "WARNING"))


@pytest.mark.parametrize(
    ("name", "value"),
    [("AXES_FAILURE_LIMIT", "five"), ("EXPORT_BACKGROUND_ROWS", "20,000"),
     ("LOG_LEVEL", "verbose"), ("DB_CONN_MAX_AGE", "-1")],
)
def test_a_bad_value_stops_the_app_at_start_up(name, value):
    environment = {**os.environ, "DEBUG": "true", name: value}
    started = subprocess.run(
        [sys.executable, "-c", "import reliefportal.settings"],
        cwd=ROOT, env=environment, capture_output=True, text=True, check=False,
    )
    assert started.returncode != 0
    assert f"ImproperlyConfigured: {name} must be" in started.stderr


def test_every_variable_is_documented_and_in_the_env_example():
    variables = variables_read_by_settings()
    assert {"SECRET_KEY", "EXPORT_FILE_HOURS", "LOG_LEVEL"} <= variables
    example = (ROOT / "deploy" / "reliefportal.env.example").read_text()
    manual = (ROOT / "docs" / "operations.md").read_text()
    assert not {name for name in variables if not re.search(rf"^#?{name}=", example, re.M)}
    assert not {name for name in variables if f"`{name}`" not in manual}
