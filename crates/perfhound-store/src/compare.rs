//! Comparing two runs (placeholder, filled in by the compare step).
