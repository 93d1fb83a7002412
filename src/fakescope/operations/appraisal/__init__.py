"""Appraisal: routing cases to the brand's rights holder or an inspection agency, deadlines, verdicts.

Appraisers see only their own organisation's cases.
"""
