//! Ctrl-C between steps: the load engine watches Ctrl-C while a step runs; this flag
//! catches one that lands between steps (judging, draining, waiting for spans), so the
//! search stops before starting another step and keeps the finished ones.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

static FLAG: OnceLock<&'static AtomicBool> = OnceLock::new();

/// Starts listening (once per process) on a thread of its own.
pub fn install() {
    FLAG.get_or_init(|| {
        let flag: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
        let _ = std::thread::Builder::new().name("perfhound-ctrl-c".into()).spawn(move || {
            let Ok(rt) = tokio::runtime::Builder::new_current_thread().enable_all().build() else { return };
            rt.block_on(async {
                while tokio::signal::ctrl_c().await.is_ok() {
                    flag.store(true, Ordering::SeqCst);
                }
            });
        });
        flag
    });
}

/// True once Ctrl-C was pressed.
pub fn pressed() -> bool {
    FLAG.get().is_some_and(|f| f.load(Ordering::SeqCst))
}
