//! Runtime findings → source code. Given the project's source directories, finds the
//! route handler of a finding's endpoint (Flask/FastAPI decorators, Django `urls.py`,
//! Express/Fastify routers — with their mounts' prefixes: `include()`, `include_router`,
//! `register_blueprint`, `app.use`) and follows calls to project functions (up to
//! [`MAX_DEPTH`] deep) to the call site that issues the query, HTTP request or cache
//! command the finding names — matched by table, URL path or command — and, for
//! repetition rules, the loop that repeats it (a loop in a caller counts: `[f(o) for o in
//! orders]` where `f` queries). No match → [`NotFound`] with the reason; never a guess.
//!
//! This module knows nothing of the trace engine: it reads a model [`Finding`]'s rule
//! code, target and evidence. The join (which findings, where notes go, merging static
//! findings) is done above the engines, in perfhound-audit.

mod imports;
mod index;
mod matching;
mod mounts;
mod resolve;
mod routes;
mod want;

pub use index::SourceIndex;
pub use matching::{Located, NotFound};

/// How many project-internal calls deep the search follows from a handler.
pub const MAX_DEPTH: usize = 4;
