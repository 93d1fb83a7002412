"""The same feature definitions give the same listing, shop and seller features on DuckDB and on Spark.

Runs a local SparkSession over a Parquet copy of a simulated marketplace's snapshot.
"""

from __future__ import annotations

import math

import pyarrow as pa
import pytest

from fakescope.analytics.engine import open_engine
from fakescope.analytics.features import anchors_at, build_features, snapshot_tables
from fakescope.settings import Settings

pytestmark = [pytest.mark.spark, pytest.mark.slow]


def _features(settings: Settings) -> tuple[pa.Table, list[str], dict[str, str]]:
    with open_engine(settings) as engine:
        tables = snapshot_tables(engine)
        frame = build_features(tables, anchors_at(tables), recent_days=90)
    table = frame.table.sort_by([("listing_id", "ascending"), ("as_of", "ascending")])
    return table, frame.features, frame.unavailable


def _same(a: object, b: object) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return math.isclose(a, b, rel_tol=1e-9) or (math.isnan(a) and math.isnan(b))
    return a == b


def test_features_are_the_same_on_duckdb_and_spark(snapshot_settings) -> None:
    duck, duck_names, duck_unavailable = _features(snapshot_settings(2_000, 1))
    on_spark = snapshot_settings(2_000, 1, analytics={"engine": "spark"})
    spark, spark_names, spark_unavailable = _features(on_spark)
    assert duck.num_rows == 2_000
    assert spark.column_names == duck.column_names
    assert spark_names == duck_names and spark_unavailable == duck_unavailable
    assert any(name.startswith("shop_") for name in duck.column_names)
    assert any(name.startswith("seller_") for name in duck.column_names)
    differ = {}
    for name in duck.column_names:
        pairs = zip(duck.column(name).to_pylist(), spark.column(name).to_pylist(), strict=True)
        bad = [(x, y) for x, y in pairs if not _same(x, y)]
        if bad:
            differ[name] = bad[:3]
    assert differ == {}
