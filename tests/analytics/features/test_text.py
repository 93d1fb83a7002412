"""Counterfeit claims in review text, in Chinese and English, with denials not counted."""

from __future__ import annotations

import ibis
import pytest

from fakescope.analytics.features.text import counterfeit_term, says_counterfeit

CASES = [
    ("假货", True),
    ("不是正品，差评", True),
    ("不是假货，放心买", False),
    ("Not authentic, the logo is off", True),
    ("not fake, checked the serial", False),
    ("ＦＡＫＥ！", True),
    ("smells different from the store one", True),
    ("great, fast delivery", False),
    (None, False),
]


@pytest.mark.parametrize(("text", "claims"), CASES)
def test_says_counterfeit(text: str | None, claims: bool) -> None:
    con = ibis.duckdb.connect()
    table = ibis.memtable({"text": [text]}, schema={"text": "string"})
    assert con.to_pyarrow(table.select(x=says_counterfeit(table.text))).column("x")[0].as_py() is claims


def test_counterfeit_term_names_the_claim() -> None:
    con = ibis.duckdb.connect()
    table = ibis.memtable({"text": ["不是假货 but logo off", "很好"]})
    terms = con.to_pyarrow(table.select(x=counterfeit_term(table.text))).column("x").to_pylist()
    assert terms == ["logo off", None]
