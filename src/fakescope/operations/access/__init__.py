"""Who may do what: organisations, users with roles, argon2 passwords, API tokens kept as keyed hashes.

`policy` holds the one place that scopes every query by organisation and role.
"""
