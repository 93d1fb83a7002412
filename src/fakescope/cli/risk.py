"""`fakescope train`, `fakescope score [--out FILE] [--level ...]`, `fakescope evaluate [--truth FILE]`.

Thin: parse, call `fakescope.analytics.risk`, render; `train` also reads the operations database's verdicts.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pyarrow.csv as pcsv
import pyarrow.parquet as pq
import typer
from rich.progress import TaskID
from rich.table import Table

from fakescope.analytics.derived import read_derived
from fakescope.cli.common import console, err_console, progress, state
from fakescope.errors import UsageError
from fakescope.workspace import Workspace

RULE_BANNER = (
    "[bold yellow]FALLBACK:[/] no model was trained from verdicts; these are transparent rule scores, "
    "not calibrated probabilities (explanation `rule`)."
)


def register(app: typer.Typer) -> None:
    """Add `train`, `score` and `evaluate` to the app."""
    app.command("train")(train)
    app.command("score")(score)
    app.command("evaluate")(evaluate)


@contextmanager
def _steps(name: str) -> Iterator[Any]:
    with progress(name, total=0) as (bar, task_id):
        task = TaskID(task_id)

        def step(message: str) -> None:
            bar.update(task, description=f"{name}: {message}")

        yield step


def train(ctx: typer.Context) -> None:
    """Train the counterfeit-risk model on spot checks and operations verdicts; save the next version."""
    from fakescope.analytics.risk import train as train_model
    from fakescope.operations.labels.service import workspace_verdict_labels

    settings = state(ctx).settings
    extra = workspace_verdict_labels(settings)
    with _steps("train") as step:
        report = train_model(settings, extra_labels=extra, progress=step)
    if report.fallback:
        err_console.print(RULE_BANNER)
        err_console.print(report.note, markup=False)
    labels = report.labels
    console.print(
        f"model [bold]{report.model_version}[/] saved in {report.path}: {labels['decided']} decided checks "
        f"({labels['counterfeit']} counterfeit, {labels['genuine']} genuine; {labels['extra_used']} from the "
        f"operations database), {len(report.features)} features",
        highlight=False,
    )
    if report.left_out:
        console.print(f"left out (no data): {', '.join(sorted(report.left_out))}", highlight=False)
    if report.metrics:
        _metrics_table(
            "calibration slice (later checks)",
            report.metrics.get("model", {}),
            report.metrics.get("best_feature", {}),
        )


def score(
    ctx: typer.Context,
    out: Path | None = typer.Option(None, "--out", help="Also write the scores here (.parquet or .csv)."),
    level: str = typer.Option("listing", "--level", help="listing, shop or seller (for --out)."),
) -> None:
    """Score every listing, shop and seller with the newest model; write them into the workspace."""
    from fakescope.analytics.risk import score as score_all

    if level not in ("listing", "shop", "seller"):
        raise UsageError(f"--level must be listing, shop or seller, not {level!r}")
    if out is not None and out.suffix.lower() not in (".parquet", ".csv"):
        raise UsageError(f"--out {out}: the file name must end in .parquet or .csv")
    settings = state(ctx).settings
    with _steps("score") as step:
        report = score_all(settings, progress=step)
    if report.fallback:
        err_console.print(RULE_BANNER)
    console.print(
        f"scored {report.listings} listings, {report.shops} shops, {report.sellers} sellers with "
        f"{report.model_version} ({report.exact} exact, {report.approximate} approximate explanations)",
        highlight=False,
    )
    if out is not None:
        table, _ = read_derived(Workspace(settings.workspace), f"scores_{level}", command="fakescope score")
        out.parent.mkdir(parents=True, exist_ok=True)
        if out.suffix.lower() == ".csv":
            pcsv.write_csv(table, out)
        else:
            pq.write_table(table, out)
        console.print(f"wrote {table.num_rows} {level} scores to {out}", highlight=False)


def evaluate(
    ctx: typer.Context,
    truth: Path | None = typer.Option(
        None, "--truth", help="A simulation's _truth/listings.parquet: evaluate on untouched active listings."
    ),
) -> None:
    """ROC AUC, average precision, precision@1000 and calibration error, beside the best single feature."""
    from fakescope.analytics.risk import evaluate as evaluate_model

    settings = state(ctx).settings
    with _steps("evaluate") as step:
        report = evaluate_model(settings, truth=truth, progress=step)
    where = "time-split holdout of spot checks" if report.mode == "holdout" else "untouched active listings"
    _metrics_table(
        f"{where}: {report.rows} rows, {report.positives} counterfeit", report.model, report.best_feature
    )
    for name, path in report.charts.items():
        console.print(f"{name}: {path}", highlight=False)


def _metrics_table(title: str, model: dict[str, Any], best: dict[str, Any]) -> None:
    table = Table(title=title)
    table.add_column("metric")
    table.add_column("model", justify="right")
    table.add_column(f"best single feature ({best.get('name', '-')})", justify="right")
    for key, value in model.items():
        other = best.get(key)
        table.add_row(key, _fmt(value), _fmt(other))
    console.print(table)


def _fmt(value: Any) -> str:
    return "-" if value is None else f"{value:.3f}"
