"""The suite's own set-up (tests/conftest.py): Hypothesis draws the same examples every run,
and test modules share builders through tests/support.py, not through each other."""

import ast
import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st


@pytest.mark.skipif(
    os.environ.get("HYPOTHESIS_PROFILE", "suite") != "suite",
    reason="HYPOTHESIS_PROFILE chose random examples for this run",
)
def test_hypothesis_draws_the_same_examples_on_every_run():
    runs = []

    @given(st.text(), st.integers())
    def draw(text, number):
        runs[-1].append((text, number))

    for _ in range(2):
        runs.append([])
        draw()
    assert runs[0] == runs[1]
    assert len(set(runs[0])) > 10  # real draws, not one repeated example


def imports_from_test_modules(source):
    """(module, name) of every import from a test module (tests/.../test_*.py) in ``source``."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.module:
            modules = [(node.module, alias.name) for alias in node.names]
        elif isinstance(node, ast.Import):
            modules = [(alias.name, None) for alias in node.names]
        else:
            continue
        found += [(module, name) for module, name in modules
                  if module.startswith("tests.") and module.rpartition(".")[2].startswith("test_")]
    return found


def test_no_test_module_imports_from_another():
    tests = Path(__file__).resolve().parent
    found = {
        (str(path.relative_to(tests.parent)), module, name)
        for path in tests.rglob("*.py")
        for module, name in imports_from_test_modules(path.read_text())
    }
    assert found == set()


def test_the_import_check_finds_imports_from_test_modules():
    assert imports_from_test_modules(
        "from tests.test_records import SPECS\n"
        "import tests.demo.test_demo_data\n"
        "def f():\n    from tests.test_ops_scaling import production_settings\n"
        "from tests.support import login\n"
        "from tests.demo.article import ARTICLE\n"
    ) == [
        ("tests.test_records", "SPECS"), ("tests.demo.test_demo_data", None),
        ("tests.test_ops_scaling", "production_settings"),
    ]
