"""The counterfeit-risk model: train on spot-check verdicts, score every listing, shop and seller, evaluate.

`train(settings)`, `score(settings)` and `evaluate(settings)` are the services the CLI and the API call.
"""

from fakescope.analytics.risk.evaluate import EvaluationReport, evaluate
from fakescope.analytics.risk.score import ScoreReport, score
from fakescope.analytics.risk.train import TrainReport, train

__all__ = ["EvaluationReport", "ScoreReport", "TrainReport", "evaluate", "score", "train"]
