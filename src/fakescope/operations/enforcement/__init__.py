"""Enforcement: the policy a verdict applies, the outbox of actions it writes, the worker delivering them.

Actions are written in the verdict's transaction and delivered at least once, never lost.
"""
