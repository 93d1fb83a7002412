"""Evidence files (films, photos, receipts, reports): content-addressed, deduplicated, verified on each read.

Also the chain of custody, for evidence items and physical samples alike.
"""
