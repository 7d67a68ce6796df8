//! perfhound's load engine.
pub mod client;
pub mod complexity;
pub mod data;
pub mod engine;
pub mod hygiene;
pub mod jsonpath;
pub mod output;
pub mod plan;
pub mod quick;
pub mod resources;
pub mod scenario;
pub mod schedule;
pub mod stats;
pub mod template;
pub mod to_model;
pub mod traceparent;
