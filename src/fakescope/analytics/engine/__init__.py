"""The engine interface of the analytics plane: DuckDB now, Spark for scale-out; nothing else imports one.

Definitions are Ibis expressions built by pure functions; an engine runs them and hands back Arrow.
"""

from fakescope.analytics.engine.base import Engine, EngineUnsupported, open_engine

__all__ = ["Engine", "EngineUnsupported", "open_engine"]
