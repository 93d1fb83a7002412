"""fakescope: find counterfeit goods on a marketplace, check, prove, act on and trace them.

Two planes: `analytics` (columnar, batch) and `operations` (transactional, many users).
"""

__version__ = "0.1.0"
