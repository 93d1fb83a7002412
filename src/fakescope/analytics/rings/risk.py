"""Ring risk without a trained model: the members' bans, counterfeit verdicts, counterfeit disputes and
rights-holder reports as evidence E, risk = 1 - exp(-E); model scores add to E when they exist.

One ban or one counterfeit verdict in a ring makes E = 1 (risk 0.63): a ring is judged by its worst members.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

# Evidence per item. Disputes and reports are noisy (buyers and brands are sometimes wrong), so several are
# needed to weigh like one appraised verdict.
BAN = 1.0
COUNTERFEIT_VERDICT = 1.0
COUNTERFEIT_DISPUTE_WON = 0.25
COUNTERFEIT_DISPUTE_OTHER = 0.1
RIGHTS_HOLDER_REPORT = 0.15
# A member scored above this by the risk model adds evidence in proportion to the excess.
MODEL_SCORE_FLOOR = 0.5
MODEL_SCORE_WEIGHT = 2.0


@dataclass
class RingEvidence:
    """What a ring's members have against them."""

    banned: int = 0
    counterfeit_verdicts: int = 0
    genuine_verdicts: int = 0
    counterfeit_disputes: int = 0
    counterfeit_disputes_won: int = 0
    rights_holder_reports: int = 0
    model_excess: float = 0.0

    def add(self, row: Mapping[str, object], *, banned: bool, model_score: float | None) -> None:
        self.banned += int(banned)
        for name in ("counterfeit_verdicts", "genuine_verdicts", "counterfeit_disputes",
                     "counterfeit_disputes_won", "rights_holder_reports"):  # fmt: skip
            setattr(self, name, getattr(self, name) + int(row.get(name) or 0))  # type: ignore[call-overload]
        if model_score is not None:
            self.model_excess += max(0.0, model_score - MODEL_SCORE_FLOOR)

    @property
    def weight(self) -> float:
        other_disputes = max(0, self.counterfeit_disputes - self.counterfeit_disputes_won)
        return (
            BAN * self.banned
            + COUNTERFEIT_VERDICT * self.counterfeit_verdicts
            + COUNTERFEIT_DISPUTE_WON * self.counterfeit_disputes_won
            + COUNTERFEIT_DISPUTE_OTHER * other_disputes
            + RIGHTS_HOLDER_REPORT * self.rights_holder_reports
            + MODEL_SCORE_WEIGHT * self.model_excess
        )


def ring_risk(evidence: RingEvidence) -> float:
    """Risk in [0, 1) from the evidence weight."""
    return 1.0 - math.exp(-evidence.weight)


def ring_evidence(
    members: Iterable[str],
    evidence_by_seller: Mapping[str, Mapping[str, object]],
    banned: set[str],
    model_scores: Mapping[str, float] | None = None,
) -> RingEvidence:
    """Sum the members' evidence."""
    total = RingEvidence()
    for seller in members:
        total.add(
            evidence_by_seller.get(seller, {}),
            banned=seller in banned,
            model_score=(model_scores or {}).get(seller),
        )
    return total
