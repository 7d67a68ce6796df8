//! Rendering a trace run: human text and SARIF (JSON is the run itself, serialized).

pub mod sarif;
pub mod text;
