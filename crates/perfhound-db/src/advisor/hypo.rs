//! HypoPG on one dedicated session: hypothetical indexes exist only in the backend that
//! created them, cost nothing to build, and are seen by plain EXPLAIN.

use super::ddl::IndexSpec;
use crate::error::DbError;
use std::collections::HashMap;
use tokio_postgres::Client;

/// The hypothetical indexes currently defined on the session.
pub struct Hypo<'a> {
    client: &'a Client,
    by_oid: HashMap<u32, IndexSpec>,
}

impl<'a> Hypo<'a> {
    pub fn new(client: &'a Client) -> Hypo<'a> {
        Hypo { client, by_oid: HashMap::new() }
    }

    /// Removes every hypothetical index of the session.
    pub async fn reset(&mut self) -> Result<(), DbError> {
        self.client.batch_execute("SELECT hypopg_reset()").await.map_err(|e| DbError::query("hypopg_reset()", &e))?;
        self.by_oid.clear();
        Ok(())
    }

    /// Creates the hypothetical index; `None` when HypoPG rejects it (unsupported column type…).
    pub async fn create(&mut self, spec: &IndexSpec) -> Result<Option<u32>, DbError> {
        let sql = spec.hypothetical_sql();
        match self.client.query_opt("SELECT indexrelid FROM hypopg_create_index($1)", &[&sql]).await {
            Ok(Some(row)) => {
                let oid: u32 = row.get(0);
                self.by_oid.insert(oid, spec.clone());
                Ok(Some(oid))
            }
            Ok(None) => Ok(None),
            Err(e) if e.as_db_error().is_some() => Ok(None),
            Err(e) => Err(DbError::query("hypopg_create_index()", &e)),
        }
    }

    /// Replaces the current set with `specs`.
    pub async fn define(&mut self, specs: &[IndexSpec]) -> Result<(), DbError> {
        self.reset().await?;
        for s in specs {
            self.create(s).await?;
        }
        Ok(())
    }

    pub fn spec(&self, oid: u32) -> Option<&IndexSpec> {
        self.by_oid.get(&oid)
    }

    /// Estimated size of a hypothetical index, in bytes.
    pub async fn size_bytes(&self, spec: &IndexSpec) -> Option<i64> {
        let oid = self.by_oid.iter().find(|(_, s)| *s == spec).map(|(o, _)| *o)?;
        let row = self.client.query_opt("SELECT hypopg_relation_size($1)::int8", &[&oid]).await.ok()??;
        Some(row.get(0))
    }
}
