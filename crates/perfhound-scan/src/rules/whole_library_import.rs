//! PH-SCAN009 `whole-library-import`: importing all of `lodash` or `moment` into a
//! bundle.
//!
//! **What it detects.** `import _ from 'lodash'`, `import * as _ from 'lodash'`,
//! `require('lodash')`, and any default, namespace or `require` import of `moment`.
//! Per-method imports (`lodash/debounce`, `import { debounce } from 'lodash-es'`) are fine.
//!
//! **Why it matters.** The whole library ships to every user: lodash is ~70 kB minified,
//! moment ~70 kB plus ~300 kB of locales, downloaded and parsed before the page is
//! interactive (the seeds' bundle-size findings).
//!
//! **Example.**
//! ```javascript
//! import _ from 'lodash';
//! import moment from 'moment';
//! ```
//!
//! **Fix.** Import single functions (`import debounce from 'lodash/debounce'`,
//! `lodash-es` with tree shaking) and replace moment with `date-fns`, `dayjs` or `Intl`.
//!
//! **Thresholds.** None: structural.

use super::call::{call, string_value};
use super::{ScanRule, JS};
use crate::ctx::Ctx;
use crate::syntax::Node;
use perfhound_model::{Confidence, Rule, Severity};

pub static RULE: ScanRule = ScanRule {
    rule: Rule {
        code: "PH-SCAN009",
        name: "whole-library-import",
        severity: Severity::Info,
        summary: "The whole of lodash or moment is imported (bundle size).",
        why: "The entire library ships to every client: lodash ≈70 kB and moment ≈70 kB plus locales, downloaded and parsed before the page is usable.",
        fix: "Import single functions (lodash/debounce, lodash-es with tree shaking); replace moment with date-fns, dayjs or Intl.",
    },
    families: JS,
    kinds: &["import_statement", "call_expression"],
    confidence: Confidence::High,
    check,
};

fn check(ctx: &mut Ctx, node: Node) {
    let module = if node.kind() == "import_statement" {
        let Some(source) = node.child_by_field_name("source").and_then(|s| string_value(ctx, s)) else { return };
        if !whole_import(ctx, node) {
            return;
        }
        source
    } else {
        let Some(c) = call(ctx, node) else { return };
        if c.name != "require" || c.receiver.is_some() {
            return;
        }
        let Some(s) = c.first_string(ctx) else { return };
        s
    };
    if module != "lodash" && module != "moment" && module != "underscore" {
        return;
    }
    let stmt = super::call::statement_of(ctx, node);
    let title = format!("the whole `{module}` library is imported: import single functions or a smaller library");
    ctx.report(&RULE, node, stmt, title, &module);
}

/// A default or namespace import (not `import { debounce } from …`, not type-only).
fn whole_import(ctx: &Ctx, node: Node) -> bool {
    if ctx.src(node).starts_with("import type") {
        return false;
    }
    let mut c = node.walk();
    let Some(clause) = node.named_children(&mut c).find(|n| n.kind() == "import_clause") else { return false };
    let mut c2 = clause.walk();
    let whole = clause.named_children(&mut c2).any(|n| matches!(n.kind(), "identifier" | "namespace_import"));
    whole
}
