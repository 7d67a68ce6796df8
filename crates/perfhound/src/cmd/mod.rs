//! One module per subcommand.
pub mod check;
pub mod db;
pub mod load;
pub mod report;
pub mod rules;
pub mod traces;
