//! `PH-DB013 sequence-near-overflow`: sequences close to the largest value they (or the
//! column they feed) can hold.
//!
//! # What it detects
//! Ascending sequences whose last value is above 90% (PgHero) of the smaller of the
//! sequence's maximum and the owning column's type maximum — an `integer` column fed by a
//! `bigint` sequence overflows at 2,147,483,647.
//!
//! # Why it matters
//! At the limit every insert fails with "nextval: reached maximum value" or "integer out
//! of range": a full outage of writes to that table.
//!
//! # Example
//! `orders_id_seq` at 1,932,735,283 of 2,147,483,647 (90.0%) for `orders.id integer`.
//!
//! # Fix
//! Migrate the column (and the sequence) to `bigint` while there is time; on large tables
//! add a new column, backfill in batches and swap.
//!
//! # Thresholds
//! `sequence_ratio` (0.9).

use super::{Ctx, Outcome};
use crate::catalog::quote_ident;
use crate::error::DbError;
use perfhound_model::Extra;
use perfhound_model::{Effort, Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-DB013",
    name: "sequence-near-overflow",
    severity: Severity::Critical,
    summary: "A sequence has used more than 90% of the values it or its column can hold.",
    why: "At the limit every insert into the table fails: a full write outage.",
    fix: "Migrate the column and sequence to bigint now (for large tables: new column, batched backfill, swap).",
};

/// Largest value of a column type, when it is an integer type.
fn type_max(ty: &str) -> Option<i64> {
    match ty {
        "smallint" => Some(i16::MAX as i64),
        "integer" => Some(i32::MAX as i64),
        "bigint" => Some(i64::MAX),
        _ => None,
    }
}

pub async fn check(ctx: &Ctx<'_>) -> Result<Outcome, DbError> {
    let rows = ctx
        .client
        .query(
            "/* perfhound */ SELECT s.schemaname::text, s.sequencename::text, s.last_value::int8, s.max_value::int8, \
             t.relname::text, a.attname::text, format_type(a.atttypid, NULL) \
             FROM pg_sequences s \
             JOIN pg_namespace n ON n.nspname = s.schemaname \
             JOIN pg_class c ON c.relnamespace = n.oid AND c.relname = s.sequencename \
             LEFT JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = c.oid \
                  AND d.refclassid = 'pg_class'::regclass AND d.refobjsubid > 0 AND d.deptype IN ('a', 'i') \
             LEFT JOIN pg_class t ON t.oid = d.refobjid \
             LEFT JOIN pg_attribute a ON a.attrelid = d.refobjid AND a.attnum = d.refobjsubid \
             WHERE s.increment_by > 0 AND s.last_value IS NOT NULL",
            &[],
        )
        .await
        .map_err(|e| DbError::query("reading pg_sequences", &e))?;
    let mut findings = Vec::new();
    let mut worst: f64 = 0.0;
    for r in rows {
        let (schema, seq, last, seq_max): (String, String, i64, i64) = (r.get(0), r.get(1), r.get(2), r.get(3));
        let (table, column, ty): (Option<String>, Option<String>, Option<String>) = (r.get(4), r.get(5), r.get(6));
        let col_max = ty.as_deref().and_then(type_max).unwrap_or(i64::MAX);
        let max = seq_max.min(col_max).max(1);
        let ratio = last as f64 / max as f64;
        worst = worst.max(ratio);
        if ratio < ctx.t.sequence_ratio {
            continue;
        }
        let name = format!("{}.{}", quote_ident(&schema), quote_ident(&seq));
        let mut f =
            Finding::new(&RULE, name.clone(), format!("sequence {name} at {last} of {max} ({:.1}%)", ratio * 100.0));
        f.evidence.counts.insert("last_value".into(), last.max(0) as u64);
        f.evidence.counts.insert("max_value".into(), max.max(0) as u64);
        if let (Some(t), Some(c), Some(ty)) = (&table, &column, &ty) {
            f.evidence.notes.push(format!("feeds {t}.{c} ({ty})"));
            f.recommendation.snippet = Some(format!(
                "ALTER SEQUENCE {name} AS bigint;\nALTER TABLE {}.{} ALTER COLUMN {} TYPE bigint;  -- rewrites the table: on large tables use a new column + batched backfill",
                quote_ident(&schema),
                quote_ident(t),
                quote_ident(c)
            ));
            f.recommendation.snippet_lang = Some("sql".into());
        }
        f.recommendation.effort = Some(Effort::MediumTerm);
        findings.push(f);
    }
    Ok(Outcome { findings, metrics: vec![(Extra::MaxSequenceUsedRatio, worst)] })
}
