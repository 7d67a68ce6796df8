//! [`Store`]: open (create + migrate), save a run, list, read back, series.

use crate::db::{Db, DbError, Row, Value};
use crate::location::Location;
use crate::meta::Meta;
use crate::record::{self, Filter, Point, RunRow};
use crate::schema::{self, SchemaError};
use perfhound_model::{Metric, Run};

/// An open store.
pub struct Store {
    pub(crate) db: Box<dyn Db>,
    location: Location,
}

/// Why the store could not be used. Messages name the store and what to do.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("the run store {location} was written by a newer perfhound (store schema {found}, this perfhound knows up to {known}): upgrade perfhound, or pass --store with another location")]
    Newer { location: String, found: i64, known: i64 },
    #[error("the run store {location}: {message} ({hint})")]
    Db { location: String, message: String, hint: &'static str },
    #[error("the run store {location} has no run `{id}`: `perfhound history` lists the saved runs")]
    NoRun { location: String, id: String },
    #[error("the run store {location}: run `{id}` is ambiguous ({count} runs start with it); give more characters")]
    Ambiguous { location: String, id: String, count: usize },
    #[error("the run store {location}: saved run {id} cannot be read: {message}")]
    BadRun { location: String, id: String, message: String },
}

impl Store {
    /// Opens (creating and migrating when needed) the store at `location`.
    pub fn open(location: &Location) -> Result<Store, StoreError> {
        let db = connect(location)?;
        let mut store = Store { db, location: location.clone() };
        match schema::migrate(store.db.as_mut()) {
            Ok(()) => Ok(store),
            Err(SchemaError::Newer(found)) => {
                Err(StoreError::Newer { location: location.describe(), found, known: schema::LATEST })
            }
            Err(SchemaError::Db(e)) => Err(store.error(e)),
        }
    }

    pub fn location(&self) -> &Location {
        &self.location
    }

    pub(crate) fn error(&self, e: DbError) -> StoreError {
        let hint = match self.location {
            Location::Sqlite(_) => "check the file is a perfhound store and writable, or pass --no-store",
            Location::Postgres(_) => {
                "check the URL, that the server runs and the role may create tables, or pass --no-store"
            }
        };
        StoreError::Db { location: self.location.describe(), message: e.0, hint }
    }

    /// Saves one run (replacing a run with the same id) in one write transaction.
    pub fn save(&mut self, run: &Run, meta: &Meta) -> Result<(), StoreError> {
        let json = serde_json::to_string(run).map_err(|e| self.error(DbError(e.to_string())))?;
        self.db.begin_write().map_err(|e| self.error(e))?;
        match insert(self.db.as_mut(), run, meta, &json) {
            Ok(()) => self.db.commit().map_err(|e| self.error(e)),
            Err(e) => {
                self.db.rollback();
                Err(self.error(e))
            }
        }
    }

    /// Saved runs matching `filter`, oldest first (the most recent `limit`).
    pub fn list(&mut self, filter: &Filter) -> Result<Vec<RunRow>, StoreError> {
        let (clause, params) = where_clause(filter);
        // One query, runs with their tags (no query per run).
        let sql = format!(
            "SELECT r.seq, r.id, r.command, r.started_at, r.git_commit, r.git_branch, r.host, r.findings,
                    r.budgets_failed, t.key, t.value
             FROM (SELECT * FROM runs r WHERE {clause} ORDER BY seq DESC{}) r
             LEFT JOIN run_tags t ON t.run_id = r.id
             ORDER BY r.seq, t.key",
            limit(filter)
        );
        let rows = self.db.query(&sql, &params).map_err(|e| self.error(e))?;
        let mut out: Vec<RunRow> = Vec::new();
        for row in rows {
            if out.last().is_none_or(|last| last.seq != row[0].int()) {
                out.push(run_row(&row, Default::default()));
            }
            let key = row[9].text();
            if !key.is_empty() {
                let last = out.last_mut().expect("pushed above");
                last.tags.insert(key, row[10].text());
            }
        }
        Ok(out)
    }

    /// The saved run whose id is `id` or starts with it.
    pub fn run(&mut self, id: &str) -> Result<Run, StoreError> {
        let pattern = format!("{}%", id.replace(['%', '_'], ""));
        let rows = self
            .db
            .query("SELECT id, run_json FROM runs WHERE id LIKE $1 ORDER BY seq DESC LIMIT 2", &[pattern.into()])
            .map_err(|e| self.error(e))?;
        let location = self.location.describe();
        match rows.as_slice() {
            [] => Err(StoreError::NoRun { location, id: id.to_string() }),
            [row] => Run::from_json(&row[1].text()).map_err(|message| StoreError::BadRun {
                location,
                id: row[0].text(),
                message,
            }),
            _ => Err(StoreError::Ambiguous { location, id: id.to_string(), count: rows.len() }),
        }
    }

    /// The newest run on `branch` other than `except` (for `--baseline branch:main`: on main
    /// itself, the run being compared is not its own baseline).
    pub fn latest_on_branch(&mut self, branch: &str, except: &str) -> Result<Option<String>, StoreError> {
        let sql = "SELECT id FROM runs WHERE git_branch = $1 AND id <> $2 ORDER BY seq DESC LIMIT 1";
        let rows = self.db.query(sql, &[branch.into(), except.into()]).map_err(|e| self.error(e))?;
        Ok(rows.first().map(|r| r[0].text()))
    }

    /// One metric of one target across the runs matching `filter`, oldest first.
    pub fn series(&mut self, target: &str, metric: Metric, filter: &Filter) -> Result<Vec<Point>, StoreError> {
        let (clause, mut params) = where_clause(filter);
        let t = params.len() + 1;
        params.push(target.into());
        params.push(metric.as_str().into());
        let sql = format!(
            "SELECT r.seq, r.id, r.started_at, r.git_commit, p.value FROM runs r
             JOIN points p ON p.run_id = r.id AND p.target = ${t} AND p.metric = ${}
             WHERE {clause} ORDER BY r.seq DESC{}",
            t + 1,
            limit(filter)
        );
        let rows = self.db.query(&sql, &params).map_err(|e| self.error(e))?;
        Ok(rows
            .into_iter()
            .rev()
            .map(|r| Point {
                seq: r[0].int(),
                run_id: r[1].text(),
                started_at: r[2].text(),
                git_commit: r[3].text(),
                value: r[4].real(),
            })
            .collect())
    }

    /// The target names with a series of `metric` in matching runs, most frequent first.
    pub fn series_targets(&mut self, metric: Metric, filter: &Filter) -> Result<Vec<String>, StoreError> {
        let (clause, mut params) = where_clause(filter);
        params.push(metric.as_str().into());
        let sql = format!(
            "SELECT p.target, COUNT(*) AS n FROM points p JOIN runs r ON r.id = p.run_id
             WHERE p.metric = ${} AND {clause} GROUP BY p.target ORDER BY n DESC, p.target",
            params.len()
        );
        let rows = self.db.query(&sql, &params).map_err(|e| self.error(e))?;
        Ok(rows.into_iter().map(|r| r[0].text()).collect())
    }
}

fn connect(location: &Location) -> Result<Box<dyn Db>, StoreError> {
    let fail = |e: DbError, hint| StoreError::Db { location: location.describe(), message: e.0, hint };
    match location {
        Location::Sqlite(path) => {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                create_dir(dir).map_err(|e| fail(DbError(e), "pass --store with a writable path, or --no-store"))?;
            }
            let db = crate::sqlite::SqliteDb::open(path)
                .map_err(|e| fail(e, "check the file is a perfhound store and writable, or pass --no-store"))?;
            Ok(Box::new(db))
        }
        Location::Postgres(url) => {
            let db = crate::postgres::PgDb::connect(url)
                .map_err(|e| fail(e, "check the URL and that the server accepts connections, or pass --no-store"))?;
            Ok(Box::new(db))
        }
    }
}

/// Creates the store's directory; a new `.perfhound/` gets a `.gitignore` so the
/// database is not committed by accident.
fn create_dir(dir: &std::path::Path) -> Result<(), String> {
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    if dir.file_name().is_some_and(|n| n == ".perfhound") {
        let _ = std::fs::write(dir.join(".gitignore"), "*\n");
    }
    Ok(())
}

fn insert(db: &mut dyn Db, run: &Run, meta: &Meta, json: &str) -> Result<(), DbError> {
    db.execute("DELETE FROM runs WHERE id = $1", &[run.id.as_str().into()])?;
    let failed = run.budget_results.iter().filter(|b| !b.passed).count() as i64;
    let values: Vec<Value> = vec![
        run.id.as_str().into(),
        meta.command.as_str().into(),
        run.started_at.as_str().into(),
        run.ended_at.as_str().into(),
        perfhound_model::rfc3339_now().into(),
        meta.git_commit.as_str().into(),
        meta.git_branch.as_str().into(),
        run.host.hostname.as_str().into(),
        (run.findings.len() as i64).into(),
        failed.into(),
        json.into(),
    ];
    db.execute(
        "INSERT INTO runs (id, command, started_at, ended_at, saved_at, git_commit, git_branch, host,
                           findings, budgets_failed, run_json)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &values,
    )?;
    for (k, v) in &meta.tags {
        db.execute(
            "INSERT INTO run_tags (run_id, key, value) VALUES ($1, $2, $3)",
            &[run.id.as_str().into(), k.as_str().into(), v.as_str().into()],
        )?;
    }
    for (target, kind, metric, value) in record::points(run) {
        db.execute(
            "INSERT INTO points (run_id, target, kind, metric, value) VALUES ($1, $2, $3, $4, $5)
             ON CONFLICT (run_id, target, metric) DO NOTHING",
            &[run.id.as_str().into(), target.into(), kind.into(), metric.as_str().into(), value.into()],
        )?;
    }
    Ok(())
}

/// `filter` as SQL over `runs r`, with its parameters `$1…`.
fn where_clause(filter: &Filter) -> (String, Vec<Value>) {
    let mut parts = vec!["1 = 1".to_string()];
    let mut params: Vec<Value> = Vec::new();
    let push = |params: &mut Vec<Value>, v: String| {
        params.push(v.into());
        params.len()
    };
    if let Some(t) = &filter.target {
        let n = push(&mut params, format!("%{t}%"));
        parts.push(format!("EXISTS (SELECT 1 FROM points p2 WHERE p2.run_id = r.id AND p2.target LIKE ${n})"));
    }
    if let Some(b) = &filter.branch {
        let n = push(&mut params, b.clone());
        parts.push(format!("r.git_branch = ${n}"));
    }
    if let Some(c) = &filter.command {
        let n = push(&mut params, c.clone());
        parts.push(format!("r.command = ${n}"));
    }
    for (k, v) in &filter.tags {
        let nk = push(&mut params, k.clone());
        let nv = push(&mut params, v.clone());
        parts.push(format!(
            "EXISTS (SELECT 1 FROM run_tags t WHERE t.run_id = r.id AND t.key = ${nk} AND t.value = ${nv})"
        ));
    }
    (parts.join(" AND "), params)
}

fn limit(filter: &Filter) -> String {
    if filter.limit == 0 {
        String::new()
    } else {
        format!(" LIMIT {}", filter.limit)
    }
}

fn run_row(row: &Row, tags: std::collections::BTreeMap<String, String>) -> RunRow {
    RunRow {
        seq: row[0].int(),
        id: row[1].text(),
        command: row[2].text(),
        started_at: row[3].text(),
        git_commit: row[4].text(),
        git_branch: row[5].text(),
        host: row[6].text(),
        findings: row[7].int(),
        budgets_failed: row[8].int(),
        tags,
    }
}
