"""The pure kernel: ids, hashing, clock and money helpers shared by both planes; no I/O here."""
