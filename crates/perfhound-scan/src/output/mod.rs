//! Human text and SARIF renderings of a scan.
pub mod sarif;
pub mod text;
