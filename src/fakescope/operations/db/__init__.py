"""The operations database: declarative Base, portable column types, engine and session factory, migrations.

Portable across SQLite and PostgreSQL; nothing here works on only one of them.
"""

from fakescope.operations.db.base import Base, UTCDateTime
from fakescope.operations.db.session import engine_for, session_factory, transaction

__all__ = ["Base", "UTCDateTime", "engine_for", "session_factory", "transaction"]
