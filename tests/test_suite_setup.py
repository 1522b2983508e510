"""The suite's own set-up (tests/conftest.py): Hypothesis draws the same examples every run."""

import os

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
