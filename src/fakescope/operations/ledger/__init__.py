"""The tamper-evident ledger: every event appended to one hash chain, each entry carrying the previous hash.

`service.append` writes inside the caller's transaction; `service.verify` re-hashes the whole chain.
"""
