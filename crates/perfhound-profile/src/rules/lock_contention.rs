//! `PH-PROF006 lock-contention`
//!
//! **What it detects**: time in the contended path of locks — the slow path a thread takes
//! when a mutex is already held (spinning, parking, waiting on a futex), where the
//! profiler records it.
//!
//! **Why it matters**: threads waiting for one lock run one at a time, so adding workers
//! or cores adds no throughput and latency grows with load (seed 003: "connection pool
//! contention"). The uncontended fast path never shows; these frames mean waiting.
//!
//! **Example**: `sync.(*Mutex).lockSlow` holds 9 % of a Go profile, entered from
//! `main.(*cache).Get`, a global cache behind one mutex.
//!
//! **Fix**: hold locks for less (no I/O or heavy work inside), shard the data (one lock
//! per shard), use read-write locks or lock-free structures for read-mostly data, or give
//! each worker its own copy.
//!
//! **Thresholds**: reported from `min_share` = 5 %, critical from 20 %. CPU profilers see
//! a waiting thread only while it spins or while the profiler samples wall-clock time
//! (py-spy `--idle`, async-profiler `wall`), so absence proves nothing. Frames recognised:
//! Go's `sync.(*Mutex).lockSlow`, `sync.(*RWMutex)` semaphores and `runtime.semacquire1`,
//! `runtime.lock2`; Rust std's `lock_contended` and parking_lot's `lock_slow`/parking;
//! glibc `__lll_lock_wait`; CPython's `take_gil` and `threading.py` waits; JVM
//! `AbstractQueuedSynchronizer` acquisition, `Unsafe.park`, `ObjectMonitor::enter`.

use super::stacks::{Category, Context, Frames};
use super::ProfileRule;
use perfhound_model::{Effort, Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-PROF006",
    name: "lock-contention",
    severity: Severity::Warning,
    summary: "Threads spend a large share of the profile waiting for locks held by others.",
    why: "Threads that wait for one lock run one at a time: more workers add no throughput and latency grows with load.",
    fix: "Hold locks for less (no I/O inside), shard the data with one lock per shard, use read-write or lock-free structures for read-mostly data.",
};

pub struct LockContention;

pub(super) const CATEGORY: Category = Category {
    rule: &RULE,
    frames: Frames {
        names: &[
            "sync.(*Mutex).lockSlow",
            "sync.runtime_SemacquireMutex",
            "sync.runtime_SemacquireRWMutex*",
            "runtime.semacquire1",
            "runtime.lock2",
            "*lock_contended*",
            "*parking_lot::raw_mutex::RawMutex::lock_slow*",
            "*parking_lot::raw_rwlock::RawRwLock::lock_*_slow*",
            "*parking_lot_core::parking_lot::park*",
            "__lll_lock_wait",
            "__lll_lock_wait_private",
            "take_gil",
            "PyThread_acquire_lock_timed",
            "java.util.concurrent.locks.AbstractQueuedSynchronizer.acquire*",
            "jdk.internal.misc.Unsafe.park",
            "sun.misc.Unsafe.park",
            "ObjectMonitor::enter*",
            "ObjectMonitor::EnterI",
        ],
        files: &[],
        // Only threading.py's waits: its `_bootstrap`/`_bootstrap_inner`/`run` are every
        // thread's entry frames (calibration: 80–99 % of the corpus apps' py-spy profiles).
        in_files: &[("/threading.py", &["wait", "wait_for", "acquire", "_wait_for_tstate_lock", "join"])],
        via: &[
            "java.util.concurrent.locks.*",
            "sync.(*Mutex).Lock",
            "sync.(*RWMutex).*Lock",
            "*std::sync::*Mutex*::lock*",
            "*parking_lot::*lock*",
        ],
    },
    what: "Lock contention",
    min_share: 0.05,
    critical_share: 0.20,
    effort: Effort::MediumTerm,
};

impl ProfileRule for LockContention {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        CATEGORY.check(cx)
    }
}
