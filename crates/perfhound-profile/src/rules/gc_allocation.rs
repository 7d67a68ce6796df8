//! `PH-PROF005 allocation-gc-hot`
//!
//! **What it detects**: a large share of the profile allocating memory or collecting
//! garbage — stacks through the allocator's or the collector's frames.
//!
//! **Why it matters**: allocation is work the program did not ask for: every temporary
//! object, copied string or growing vector costs allocator time now and collector time
//! later, and GC pauses land on whichever request is running.
//!
//! **Example**: `runtime.mallocgc` and `runtime.gcBgMarkWorker` hold 28 % of a Go profile;
//! `main.handle` builds a new map per item.
//!
//! **Fix**: allocate less on the hot path — reuse buffers (`sync.Pool`,
//! `Vec::with_capacity`, `StringBuilder`), avoid per-item temporaries and copies, stream
//! instead of materialising; for a GC runtime, tune the heap (`GOGC`/`GOMEMLIMIT`,
//! `--max-semi-space-size`, the JVM heap and collector).
//!
//! **Thresholds**: reported from `min_share` = 15 % (Go's collector aims at a quarter of
//! the CPU only while it runs; steady-state services spend 5–10 % in allocation and GC),
//! critical from 35 %. Frames recognised: V8's `(garbage collector)`, Go's `mallocgc`,
//! `newobject`, slice growth and GC workers, glibc/jemalloc/mimalloc `malloc`/`free` and
//! Rust's `__rust_alloc`/`RawVec` growth, CPython's object allocator and `gc_collect_main`,
//! HotSpot G1/Parallel/Shenandoah GC threads and the allocation slow path.

use super::stacks::{Category, Context, Frames};
use super::ProfileRule;
use perfhound_model::{Effort, Finding, Rule, Severity};

pub const RULE: Rule = Rule {
    code: "PH-PROF005",
    name: "allocation-gc-hot",
    severity: Severity::Warning,
    summary: "Memory allocation or garbage collection holds a large share of the CPU profile.",
    why: "Every temporary object costs allocator time now and collector time later, and GC pauses land on whichever request is running.",
    fix: "Allocate less on the hot path: reuse buffers, avoid per-item temporaries and copies, stream instead of materialising; tune the heap of a GC runtime.",
};

pub struct GcAllocation;

pub(super) const CATEGORY: Category = Category {
    rule: &RULE,
    frames: Frames {
        names: &[
            "(garbage collector)",
            "runtime.mallocgc*",
            "runtime.newobject",
            "runtime.makeslice",
            "runtime.growslice",
            "runtime.gcBgMarkWorker",
            "runtime.gcDrain*",
            "runtime.scanobject",
            "runtime.markroot*",
            "runtime.gcAssistAlloc*",
            "runtime.sweepone",
            "runtime.bgsweep",
            "malloc",
            "free",
            "realloc",
            "calloc",
            "cfree",
            "_int_malloc",
            "_int_free",
            "_int_realloc",
            "malloc_consolidate",
            "__libc_malloc",
            "__libc_free",
            "__libc_calloc",
            "__libc_realloc",
            "je_*",
            "mi_malloc*",
            "mi_free*",
            "__rust_alloc",
            "__rust_dealloc",
            "__rust_realloc",
            "*alloc::raw_vec::*grow*",
            "PyObject_Malloc",
            "_PyObject_Malloc",
            "PyObject_Free",
            "_PyObject_Free",
            "_PyObject_GC_Alloc",
            "gc_collect_main",
            "GCTaskThread::run",
            "G1*",
            "ParallelScavengeHeap::*",
            "ShenandoahHeap*",
            "MemAllocator::allocate",
            "OptoRuntime::new_instance_C",
            "OptoRuntime::new_array_C",
        ],
        files: &[],
        in_files: &[],
        via: &[],
    },
    what: "Allocation and garbage collection",
    min_share: 0.15,
    critical_share: 0.35,
    effort: Effort::MediumTerm,
};

impl ProfileRule for GcAllocation {
    fn rule(&self) -> &'static Rule {
        &RULE
    }

    fn check(&self, cx: &Context<'_>) -> Vec<Finding> {
        CATEGORY.check(cx)
    }
}
