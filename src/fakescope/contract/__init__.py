"""The marketplace data contract: its spec (`contract.toml`), typed access to it, and the validator.

Everything that needs to know a table, a column, a kind or a rule asks `load_contract()`.
"""

from fakescope.contract.model import Column, Contract, Kind, Table, load_contract

__all__ = ["Column", "Contract", "Kind", "Table", "load_contract"]
