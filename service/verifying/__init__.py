"""Checking what a text says against passages: what a sentence states (`facts`), whether a
passage supports, contradicts or does not state it (`support`, the one rule set behind every
citation check), and a whole text checked against the archive (`verifier`, for /verify)."""
