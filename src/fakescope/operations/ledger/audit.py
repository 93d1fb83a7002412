"""`verify` for a whole workspace: re-hash the ledger chain and every evidence file, naming what is wrong.

An empty workspace (no entries, no files) is clean.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.orm import Session

from fakescope.operations.evidence.service import EvidenceProblem, verify_store
from fakescope.operations.ledger.service import LedgerProblem, verify
from fakescope.settings import Settings


@dataclass
class AuditReport:
    """What was checked and what was found wrong."""

    ledger_entries: int = 0
    evidence_files: int = 0
    ledger_problems: list[LedgerProblem] = field(default_factory=list)
    evidence_problems: list[EvidenceProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.ledger_problems and not self.evidence_problems

    def lines(self) -> list[str]:
        return [str(problem) for problem in (*self.ledger_problems, *self.evidence_problems)]


def verify_all(session: Session, *, settings: Settings) -> AuditReport:
    """Check the ledger and the evidence store of one workspace."""
    entries, ledger_problems = verify(session)
    files, evidence_problems = verify_store(session, settings=settings)
    return AuditReport(entries, files, ledger_problems, evidence_problems)
