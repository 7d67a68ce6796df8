//! One module per subcommand.
pub mod audit;
pub mod check;
pub mod db;
pub mod db_sqlite;
pub mod demo;
pub mod demo_compare;
pub mod init;
pub mod load;
pub mod report;
pub mod rules;
pub mod traces;
