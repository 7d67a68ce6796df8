//! What perfhound watches during every step besides the load itself: PostgreSQL
//! connections and waits ([`crate::db`]) and the service's span groups ([`crate::spans`]).
//! The watched process's CPU and RSS come from the load engine (`--watch-pid`).

use crate::db::DbWatch;
use crate::error::CapacityError;
use crate::spans::SpanWatch;
use perfhound_model::CapacityStep;

/// Every optional watcher of a search.
#[derive(Default)]
pub struct Watchers {
    pub db: Option<DbWatch>,
    pub spans: Option<SpanWatch>,
}

impl Watchers {
    /// Starts the watchers the config asks for (a wrong database URL fails here, before any load).
    pub fn start(db: Option<&str>, traces_listen: Option<&str>) -> Result<Watchers, CapacityError> {
        Ok(Watchers {
            db: db.map(DbWatch::start).transpose()?,
            spans: traces_listen.map(SpanWatch::start).transpose()?,
        })
    }

    pub fn begin_step(&mut self) {
        if let Some(d) = &self.db {
            d.begin_step();
        }
        if let Some(s) = &mut self.spans {
            s.begin_step();
        }
    }

    pub fn end_step(&mut self, step: &mut CapacityStep) {
        if let Some(d) = &self.db {
            step.db = Some(d.end_step());
        }
        if let Some(s) = &mut self.spans {
            (step.spans, step.db_busy) = s.end_step(step.duration_s);
        }
    }
}
