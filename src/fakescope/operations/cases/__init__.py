"""Test-buy cases: one per planned check, moved through an explicit state machine, each change recorded.

`service` is the only writer; `transitions` is the pure table of legal moves.
"""
