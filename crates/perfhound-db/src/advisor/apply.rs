//! `--apply`: create chosen indexes concurrently on a writable session (only after the
//! caller got explicit confirmation), then re-measure the helped statements with the
//! real indexes in place.
//!
//! A failed `CREATE INDEX CONCURRENTLY` leaves an invalid index behind; it is dropped
//! (concurrently) so that a failed apply leaves the schema as it was.

use super::Suggestion;
use crate::catalog::quote_ident;
use crate::error::{describe, DbError};
use crate::explain::Explainer;
use crate::session::{self, Limits, Mode};
use crate::statements::StatementSet;

/// What happened to one suggestion.
#[derive(Clone, Debug, PartialEq)]
pub struct Applied {
    pub index: String,
    pub statements: Vec<String>,
    /// `None` when created; the reason otherwise.
    pub error: Option<String>,
    /// Helped statements re-explained with the real index: (statement, cost before, cost now).
    pub remeasured: Vec<(usize, f64, Option<f64>)>,
}

/// Creates the suggested indexes and re-measures. The caller must have asked the user.
pub async fn apply(
    url: &str,
    limits: &Limits,
    version_num: i32,
    suggestions: &[Suggestion],
    set: &StatementSet,
) -> Result<Vec<Applied>, DbError> {
    let client = session::connect(url, Mode::Apply, limits).await?;
    let mut out = Vec::new();
    for s in suggestions {
        let name = s.spec.index_name("idx");
        let qualified = format!("{}.{}", quote_ident(&s.spec.schema), quote_ident(&name));
        let exists = client
            .query_one("/* perfhound */ SELECT to_regclass($1) IS NOT NULL", &[&qualified])
            .await
            .map_err(|e| DbError::query("checking index name", &e))?
            .get::<_, bool>(0);
        let mut applied =
            Applied { index: qualified.clone(), statements: s.create.clone(), error: None, remeasured: vec![] };
        if exists {
            applied.error = Some(format!("an index named {qualified} already exists; not created"));
            out.push(applied);
            continue;
        }
        for stmt in &s.create {
            if let Err(e) = client.batch_execute(stmt).await {
                applied.error = Some(describe(&e));
                let _ = client.batch_execute(&format!("DROP INDEX CONCURRENTLY IF EXISTS {qualified}")).await;
                break;
            }
        }
        out.push(applied);
    }
    let explainer = Explainer::new(&client, version_num).await?;
    for (a, s) in out.iter_mut().zip(suggestions) {
        if a.error.is_some() {
            continue;
        }
        for q in &s.queries {
            let now = match set.statements.get(q.stmt) {
                Some(st) => explainer.explain(&st.query).await.ok().map(|p| p.total_cost),
                None => None,
            };
            a.remeasured.push((q.stmt, q.before, now));
        }
    }
    Ok(out)
}
