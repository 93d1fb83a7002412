"""The columnar plane: ingest, features, risk, sampling, identity, rings and the simulator.

Batch work over DuckDB (embedded) or Spark (scale-out), always through `analytics.engine`.
"""
