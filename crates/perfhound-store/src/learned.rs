//! Learned fixes (placeholder).
