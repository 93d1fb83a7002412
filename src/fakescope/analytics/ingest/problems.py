"""Gathers validation problems: every rule's total count, with only the first few examples of each kind kept.

Raised once, as InvalidData, after every check has run.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fakescope.errors import InvalidData, Problem

EXAMPLES = 5


@dataclass
class ProblemLog:
    """Problems found so far, grouped by (table, column, rule)."""

    examples: int = EXAMPLES
    problems: list[Problem] = field(default_factory=list)
    counts: dict[tuple[str, str | None, str], int] = field(default_factory=dict)

    def add(self, problem: Problem, count: int = 1) -> None:
        """Record a problem that stands for `count` failures of its rule."""
        group = (problem.table, problem.column, problem.rule)
        kept = sum(1 for p in self.problems if (p.table, p.column, p.rule) == group)
        if kept < self.examples:
            self.problems.append(problem)
        self.counts[group] = self.counts.get(group, 0) + count

    def add_group(self, examples: list[Problem], total: int) -> None:
        """Record the first examples of one rule's failures and how many there are in all."""
        if not examples:
            return
        first = examples[0]
        group = (first.table, first.column, first.rule)
        self.problems.extend(examples[: self.examples])
        self.counts[group] = self.counts.get(group, 0) + total

    def __bool__(self) -> bool:
        return bool(self.problems)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def error(self) -> InvalidData:
        return InvalidData(problems=list(self.problems), counts=dict(self.counts))
