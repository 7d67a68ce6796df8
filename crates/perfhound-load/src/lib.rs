//! perfhound's load engine.
pub mod data;
pub mod jsonpath;
pub mod plan;
pub mod scenario;
pub mod template;
pub mod schedule;
pub mod client;
pub mod hygiene;
pub mod stats;
pub mod engine;
pub mod resources;
pub mod to_model;
pub mod quick;
pub mod output;
