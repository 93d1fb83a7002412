"""The one typed Settings object: defaults, then `fakescope.toml` in the workspace, then FAKESCOPE_* vars.

Build it with `get_settings()`; nothing reads settings at import time. Each capability has its own section.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import (
    BaseSettings,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
    TomlConfigSettingsSource,
)

DEFAULT_WORKSPACE = Path("fakescope-workspace")
SETTINGS_FILE = "fakescope.toml"


class AnalyticsSettings(BaseModel):
    """The columnar plane's engine."""

    engine: Literal["duckdb", "spark"] = "duckdb"
    # DuckDB spills past this (to its temp directory beside the snapshot); 2GB keeps a 1M-listing score,
    # with the Python side's feature table and matrix, under 4 GiB peak.
    duckdb_memory_limit: str = "2GB"
    duckdb_threads: int | None = None


class RiskSettings(BaseModel):
    """Features, the risk model and its explanations."""

    recent_days: int = 90
    explain_top_n: int = 10_000
    calibration_share: float = 0.25


class SamplingSettings(BaseModel):
    """Budgeted spot-check plans."""

    shipping_cost: float = 15.0
    appraisal_fee: float = 300.0
    shipping_cost_by_category: dict[str, float] = Field(default_factory=dict)
    appraisal_fee_by_category: dict[str, float] = Field(default_factory=dict)
    recheck_after_days: int = 180
    # Safety weight by category; an unknown category weighs 1.
    category_weights: dict[str, float] = Field(
        default_factory=lambda: {
            "medicine": 5.0,
            "medicines": 5.0,
            "weight_loss": 5.0,
            "health_supplements": 4.0,
            "supplements": 4.0,
            "baby_formula": 5.0,
            "food": 3.0,
            "cosmetics": 3.0,
        }
    )
    explore_floor: float = 0.05
    shortlist_size: int = 20_000


class IdentitySettings(BaseModel):
    """Screening sellers against banned sellers."""

    block_threshold: float = 0.9
    review_threshold: float = 0.5
    # Block, whatever the probability, a seller registered after a ban who shares this many personal values
    # (name, ID number, e-mail, or a phone, account, device or address nobody else used meanwhile) with the
    # banned seller; 0 turns the rule off.
    block_corroborating: int = 2
    # Block, whatever the probability, a seller registered after a ban who carries over this many of the
    # banned seller's own identifiers (its ID number, even mistyped, or a phone, account, device or address
    # nobody else held while either was active); 0 turns the rule off.
    block_carried_over: int = 1
    # Block, whatever the probability, a seller registered after a ban under the banned seller's name (exactly
    # or nearly) who also has this many of its identifiers, even ones a ring shares; 0 turns the rule off.
    block_named_identifiers: int = 1


class RingSettings(BaseModel):
    """Rings of linked sellers and shops."""

    flag_threshold: float = 0.5
    max_value_sharers: int = 50
    image_hash_max_bits: int = 4
    # A link between two sellers needs this much summed, specificity-weighted sharing to count.
    min_link_weight: float = 0.5
    # Components larger than this are split into communities (Leiden, constant Potts model).
    max_ring_size: int = 100
    leiden_resolution: float = 0.1
    # Identity matches (from the screening model) link sellers too.
    identity_links: bool = True


class OperationsSettings(BaseModel):
    """The transactional plane: cases, evidence, storehouse."""

    retention_years: int = 3
    max_upload_bytes: int = 8 * 1024**3
    intake_location: str = "intake/1/1"
    appraisal_deadline_days: int = 14
    # category -> "rights_holder" or "agency": who appraises cases of that category first.
    appraisal_route_by_category: dict[str, Literal["rights_holder", "agency"]] = Field(default_factory=dict)


class ServeSettings(BaseModel):
    """`fakescope serve`: worker processes, how long a checked API token is trusted, the GIL hand-over."""

    # None: one worker per CPU (each has its own GIL, pool and warm indexes); 1 serves in the CLI's process.
    workers: int | None = Field(default=None, ge=1)
    # A token checked in the database is trusted this long by the process that checked it; revoking it or
    # deactivating its user reaches the other workers within this time (the revoking process forgets at once).
    token_cache_seconds: float = Field(default=2.0, ge=0)
    # How often (ms) a worker's busy thread hands the GIL over. Python's 5 ms lets busy threads keep the
    # request holding the ledger head lock (every move waits on it) waiting that long after each statement.
    switch_interval_ms: float = Field(default=1.0, gt=0)
    # Build each worker's screening index before it takes requests (~20 s at 1M sellers): built on the first
    # request instead, that request and those queued behind it on the worker wait the whole build.
    warm_screening: bool = True


class EnforcementSettings(BaseModel):
    """What a counterfeit verdict does, and how actions reach the marketplace."""

    shop_penalty_points: int = 12
    shop_close_threshold: int = 12
    ban_seller: bool = True
    notify_buyers: bool = True
    buyer_notice: str = (
        "A product you bought on our platform was found to be counterfeit in a test purchase. "
        "You may ask for a refund."
    )
    max_attempts: int = 20
    backoff_seconds: float = 2.0
    backoff_max_seconds: float = 300.0
    request_timeout_seconds: float = 5.0
    # A claimed action whose worker died is claimed again once its lease runs out.
    lease_seconds: float = 60.0
    poll_seconds: float = 0.5
    delivery_concurrency: int = 8
    batch_size: int = 200


class Settings(BaseSettings):
    """Everything configurable, typed; production refuses unsafe values."""

    model_config = SettingsConfigDict(
        env_prefix="FAKESCOPE_", env_nested_delimiter="__", extra="ignore", toml_file=None
    )

    environment: Literal["development", "production"] = "development"
    workspace: Path = DEFAULT_WORKSPACE
    database_url: str | None = None
    secret_key: SecretStr | None = None
    actions_webhook_url: str | None = None
    actions_export_file: Path | None = None

    analytics: AnalyticsSettings = Field(default_factory=AnalyticsSettings)
    risk: RiskSettings = Field(default_factory=RiskSettings)
    sampling: SamplingSettings = Field(default_factory=SamplingSettings)
    identity: IdentitySettings = Field(default_factory=IdentitySettings)
    rings: RingSettings = Field(default_factory=RingSettings)
    operations: OperationsSettings = Field(default_factory=OperationsSettings)
    enforcement: EnforcementSettings = Field(default_factory=EnforcementSettings)
    serve: ServeSettings = Field(default_factory=ServeSettings)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        toml_path = _toml_path_var.get()
        sources: list[PydanticBaseSettingsSource] = [init_settings, env_settings]
        if toml_path is not None and toml_path.is_file():
            sources.append(TomlConfigSettingsSource(settings_cls, toml_file=toml_path))
        return tuple(sources)

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.environment == "production":
            if self.secret_key is None or len(self.secret_key.get_secret_value()) < 32:
                raise ValueError("production needs FAKESCOPE_SECRET_KEY of at least 32 characters")
            if not self.database_url or self.database_url.startswith("sqlite"):
                raise ValueError("production needs FAKESCOPE_DATABASE_URL pointing at PostgreSQL")
        if self.identity.review_threshold > self.identity.block_threshold:
            raise ValueError("identity.review_threshold must not exceed identity.block_threshold")
        return self

    @property
    def resolved_database_url(self) -> str:
        """The operations database: FAKESCOPE_DATABASE_URL, else SQLite inside the workspace."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.workspace / 'operations.sqlite').resolve()}"


class _TomlPath:
    """Carries the workspace's settings file into `settings_customise_sources` for one build."""

    def __init__(self) -> None:
        self._path: Path | None = None

    def get(self) -> Path | None:
        return self._path

    def set(self, path: Path | None) -> None:
        self._path = path


_toml_path_var = _TomlPath()


def get_settings(workspace: Path | str | None = None, **overrides: object) -> Settings:
    """Build Settings for a workspace (argument, else FAKESCOPE_WORKSPACE, else ./fakescope-workspace)."""
    chosen = (
        Path(workspace)
        if workspace is not None
        else Path(os.environ.get("FAKESCOPE_WORKSPACE", str(DEFAULT_WORKSPACE)))
    )
    _toml_path_var.set(chosen / SETTINGS_FILE)
    try:
        return Settings(workspace=chosen, **overrides)  # type: ignore[arg-type]
    finally:
        _toml_path_var.set(None)
