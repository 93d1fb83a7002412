"""The marketplace simulator: a whole marketplace in the data contract's format, with its ground truth.

`simulate_marketplace(out, listings=..., seed=...)` is the one entry point; see docs/interfaces.md.
"""

from fakescope.analytics.simulate.runner import SimulationSummary, simulate_marketplace

__all__ = ["SimulationSummary", "simulate_marketplace"]
