//! Closed sets of names in a run file, as enums serialized as the strings they replace:
//! [`SourceKind`], [`ExecutorKind`], [`EndReason`].

use serde::{Deserialize, Serialize};
use std::fmt;

macro_rules! named {
    ($(#[$doc:meta])* $name:ident { $( $(#[$vdoc:meta])* $variant:ident = $text:literal, )* }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $( $(#[$vdoc])* #[serde(rename = $text)] $variant, )*
        }

        impl $name {
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)*
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

named! {
    /// Which engine a run's source came from.
    SourceKind {
        Load = "load",
        Traces = "traces",
        Db = "db",
        Logs = "logs",
        Scan = "scan",
        Profile = "profile",
        /// A cache server (`perfhound redis`, `audit.redis`).
        Cache = "cache",
    }
}

named! {
    /// The load executor of a scenario (k6's names).
    ExecutorKind {
        ConstantArrivalRate = "constant-arrival-rate",
        RampingArrivalRate = "ramping-arrival-rate",
        ConstantVus = "constant-vus",
        RampingVus = "ramping-vus",
        PerVuIterations = "per-vu-iterations",
        SharedIterations = "shared-iterations",
    }
}

named! {
    /// Why a load run ended.
    EndReason {
        /// Its duration or iterations were done.
        Completed = "completed",
        /// Ctrl-C (in-flight requests are counted as interrupted failures).
        Interrupted = "interrupted",
        /// The hard cap on a run's length was reached.
        HardCap = "hard-cap",
        /// Stopped by an error.
        Aborted = "aborted",
    }
}

// The macro derives for several enums; only this one has a default.
#[allow(clippy::derivable_impls)]
impl Default for EndReason {
    fn default() -> Self {
        EndReason::Completed
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialized_as_the_strings_run_files_carry() {
        assert_eq!(serde_json::to_string(&EndReason::HardCap).unwrap(), "\"hard-cap\"");
        assert_eq!(serde_json::from_str::<ExecutorKind>("\"constant-vus\"").unwrap(), ExecutorKind::ConstantVus);
        assert_eq!(serde_json::from_str::<SourceKind>("\"db\"").unwrap(), SourceKind::Db);
        assert!(serde_json::from_str::<SourceKind>("\"dbx\"").is_err());
    }
}
