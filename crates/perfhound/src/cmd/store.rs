//! The run-store flags every run-writing command shares (`--store`, `--no-store`,
//! `--tag k=v`) and the one call that saves a run after the command wrote it.

use clap::Args;
use perfhound_model::Run;
use perfhound_store::{Location, Meta, Store};

/// Where runs are remembered (see docs/history.md).
#[derive(Args, Debug, Clone, Default)]
pub struct StoreArgs {
    /// Run store: a SQLite file or a postgres://… URL [default: $PERFHOUND_STORE, else
    /// .perfhound/history.db in the project].
    #[arg(long, value_name = "PATH|URL")]
    pub store: Option<String>,
    /// Do not save this run in the run store.
    #[arg(long, conflicts_with = "store")]
    pub no_store: bool,
    /// Tag the saved run, e.g. --tag env=ci --tag rev=2 (repeatable).
    #[arg(long = "tag", value_name = "KEY=VALUE")]
    pub tags: Vec<String>,
}

impl StoreArgs {
    /// Checks the flags before the command does any work (a bad `--tag` is a usage error).
    pub fn validate(&self) -> anyhow::Result<()> {
        perfhound_store::meta::parse_tags(&self.tags).map_err(anyhow::Error::msg)?;
        Ok(())
    }

    /// Saves `run` unless `--no-store`. A store that cannot be written does not fail the
    /// command (its run file and exit code stand): the reason is printed on stderr.
    pub fn save(&self, command: &str, run: &Run) {
        if self.no_store {
            return;
        }
        let location = location(self.store.as_deref());
        let cwd = std::env::current_dir().unwrap_or_default();
        let tags = perfhound_store::meta::parse_tags(&self.tags).unwrap_or_default();
        let meta = Meta::detect(command, &cwd, tags);
        if let Err(e) = perfhound_store::save(&location, run, &meta) {
            perfhound_term::eprint(&format!("warning: the run was not saved in the history: {e}\n"));
        }
    }

    /// Cites recorded fixes of the same rule in `run`'s findings (before the run is written).
    /// Nothing happens with `--no-store`, without a store yet, or when it cannot be read.
    pub fn cite(&self, run: &mut Run) {
        if self.no_store {
            return;
        }
        let location = location(self.store.as_deref());
        if matches!(&location, Location::Sqlite(path) if !path.exists()) {
            return;
        }
        if let Ok(learned) = Store::open(&location).and_then(|mut s| s.learned(None)) {
            perfhound_store::learned::cite(run, &learned);
        }
    }

    /// Records the fixes `current` proves against `baseline` (findings gone, endpoint
    /// measurably faster) and returns one line per fix for the user.
    pub fn learn(&self, baseline: &Run, current: &Run) -> Vec<String> {
        if self.no_store {
            return Vec::new();
        }
        let comparison = perfhound_store::compare::compare(baseline, current, &Default::default());
        let fixes = perfhound_store::learned::fixes(baseline, current, &comparison);
        let saved = Store::open(&location(self.store.as_deref())).and_then(|mut s| s.record_learned(&fixes));
        if let Err(e) = saved {
            perfhound_term::eprint(&format!("warning: the learned fixes were not saved: {e}\n"));
            return Vec::new();
        }
        fixes.iter().map(|l| format!("learned {}: {}", l.rule, perfhound_store::learned::citation(l))).collect()
    }
}

/// `--store`, else `PERFHOUND_STORE`, else the project's `.perfhound/history.db`.
pub fn location(flag: Option<&str>) -> Location {
    let cwd = std::env::current_dir().unwrap_or_default();
    Location::resolve(flag, std::env::var(perfhound_store::location::ENV).ok(), &cwd)
}

/// Opens the store for reading commands (`history`, `compare`, `serve`, `learned`).
pub fn open(flag: Option<&str>) -> anyhow::Result<Store> {
    Ok(Store::open(&location(flag))?)
}
