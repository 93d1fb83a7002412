"""Verdicts back as labels: each verdict as a spot check in the contract's format, for the model to learn.

Read by `fakescope labels` and by `fakescope train` from the operations database.
"""
