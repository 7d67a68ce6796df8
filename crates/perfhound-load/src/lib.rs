//! perfhound's load engine.
pub mod data;
pub mod jsonpath;
pub mod plan;
pub mod scenario;
pub mod template;
