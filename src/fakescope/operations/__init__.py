"""The transactional plane: cases, evidence, storehouse, ledger, appraisal, access and enforcement.

SQLAlchemy 2 over SQLite (embedded) or PostgreSQL (production).
"""
