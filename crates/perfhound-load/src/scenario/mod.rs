//! Scenario YAML → [`crate::plan::Plan`]. (Being written.)
