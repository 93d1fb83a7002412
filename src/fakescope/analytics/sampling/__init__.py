"""Check: budgeted, risk-guided spot-check plans, unbiased prevalence estimates, and the closed loop.

Pure parts (costs, optimiser, explore, estimators) take arrays; `planner`, `prevalence` and `loop` do the I/O.
"""
