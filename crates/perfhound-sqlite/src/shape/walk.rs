//! The sqlparser AST walk behind [`super::QueryShape`]: scopes for FROM lists, CTE names
//! shadowing tables, predicates classified conjunct by conjunct, bind slots tied to the
//! column they are compared with.

use super::{Bound, ColumnRef, ParamUse, QueryShape, Role, TableRef};
use perfhound_sql::exprs::Node;
use sqlparser::ast::{
    BinaryOperator, Delete, Expr, FromTable, GroupByExpr, Ident, InTarget, LimitClause, ObjectName, OrderByKind, Query,
    Select, SelectItem, SetExpr, Statement, TableFactor, TableWithJoins, UnaryOperator, Update, Value,
};
use std::collections::HashMap;

/// One level of name visibility: aliases → table index (`None` for CTEs and derived tables).
#[derive(Default, Clone)]
struct Scope {
    names: HashMap<String, Option<usize>>,
    tables: Vec<usize>,
}

#[derive(Default)]
pub(super) struct Walker {
    shape: QueryShape,
    scopes: Vec<Scope>,
    ctes: Vec<Vec<String>>,
    depth: usize,
}

/// SQLite compares identifiers case-insensitively, quoted or not.
pub(super) fn ident(i: &Ident) -> String {
    i.value.to_ascii_lowercase()
}

fn object_parts(name: &ObjectName) -> Vec<String> {
    name.0.iter().filter_map(|p| p.as_ident()).map(ident).collect()
}

/// The bind slot of a numbered placeholder `?N` (looking through parentheses and casts).
fn slot(e: &Expr) -> Option<usize> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Placeholder(p) => p.strip_prefix('?')?.parse().ok(),
            _ => None,
        },
        Expr::Nested(inner) | Expr::Cast { expr: inner, .. } => slot(inner),
        _ => None,
    }
}

impl Walker {
    pub(super) fn finish(self) -> QueryShape {
        self.shape
    }

    pub(super) fn statement(&mut self, s: &Statement) {
        match s {
            Statement::Query(q) => self.query(q),
            Statement::Update(u) => {
                self.shape.is_write = true;
                self.shape.measure_sql = update_search(u);
                self.update(u);
            }
            Statement::Delete(d) => {
                self.shape.is_write = true;
                self.shape.measure_sql = delete_search(d);
                self.delete(d);
            }
            Statement::Insert(i) => {
                self.shape.is_write = true;
                if let Some(src) = &i.source {
                    if !matches!(*src.body, SetExpr::Values(_)) {
                        self.shape.measure_sql = Some(src.to_string());
                    }
                    self.query(src);
                }
            }
            _ => {}
        }
    }

    fn update(&mut self, u: &Update) {
        self.scopes.push(Scope::default());
        self.walk_from_item(&u.table);
        if let Some(sel) = &u.selection {
            self.predicate(sel);
        }
        for a in &u.assignments {
            self.expr(&a.value, Role::Other);
        }
        if let Some(ret) = &u.returning {
            self.projection(ret);
        }
        self.scopes.pop();
    }

    fn delete(&mut self, d: &Delete) {
        self.scopes.push(Scope::default());
        let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = &d.from;
        for t in from {
            self.walk_from_item(t);
        }
        if let Some(sel) = &d.selection {
            self.predicate(sel);
        }
        if let Some(ret) = &d.returning {
            self.projection(ret);
        }
        self.scopes.pop();
    }

    fn query(&mut self, q: &Query) {
        self.depth += 1;
        if self.depth > 64 {
            self.depth -= 1;
            return;
        }
        let mut names = Vec::new();
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                if with.recursive {
                    names.push(ident(&cte.alias.name));
                    self.ctes.push(names.clone());
                    self.query(&cte.query);
                    self.ctes.pop();
                } else {
                    self.ctes.push(names.clone());
                    self.query(&cte.query);
                    self.ctes.pop();
                    names.push(ident(&cte.alias.name));
                }
            }
        }
        self.ctes.push(names);
        self.limit(q);
        self.set_expr(&q.body, q);
        self.ctes.pop();
        self.depth -= 1;
    }

    fn limit(&mut self, q: &Query) {
        let (limit, offset) = match &q.limit_clause {
            Some(LimitClause::LimitOffset { limit, offset, .. }) => (limit.as_ref(), offset.as_ref().map(|o| &o.value)),
            Some(LimitClause::OffsetCommaLimit { offset, limit }) => (Some(limit), Some(offset)),
            None => (None, None),
        };
        if limit.is_some() || q.fetch.is_some() {
            self.shape.has_limit = true;
        }
        for (e, bound) in [(limit, Bound::Limit), (offset, Bound::Offset)] {
            if let Some(s) = e.and_then(slot) {
                self.shape.params.push(ParamUse { slot: s, bound, column: None });
            }
        }
    }

    fn set_expr(&mut self, body: &SetExpr, q: &Query) {
        match body {
            SetExpr::Select(s) => self.select(s, q),
            SetExpr::Query(inner) => self.query(inner),
            SetExpr::SetOperation { left, right, .. } => {
                self.set_expr(left, q);
                self.set_expr(right, q);
            }
            _ => {}
        }
    }

    fn select(&mut self, s: &Select, q: &Query) {
        self.scopes.push(Scope::default());
        for t in &s.from {
            self.walk_from_item(t);
        }
        self.projection(&s.projection);
        if let Some(sel) = &s.selection {
            self.predicate(sel);
        }
        if let GroupByExpr::Expressions(exprs, _) = &s.group_by {
            for e in exprs {
                self.expr(e, Role::Group);
            }
        }
        if s.distinct.is_some() {
            for item in &s.projection {
                if let SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } = item {
                    self.expr(e, Role::Group);
                }
            }
        }
        if let Some(h) = &s.having {
            self.expr(h, Role::Other);
        }
        if let Some(ob) = &q.order_by {
            if let OrderByKind::Expressions(exprs) = &ob.kind {
                for e in exprs {
                    self.expr(&e.expr, Role::Order);
                }
            }
        }
        self.scopes.pop();
    }

    fn projection(&mut self, items: &[SelectItem]) {
        for item in items {
            match item {
                SelectItem::UnnamedExpr(e)
                | SelectItem::ExprWithAlias { expr: e, .. }
                | SelectItem::ExprWithAliases { expr: e, .. } => {
                    self.expr(e, Role::Select);
                }
                SelectItem::Wildcard(_) => {
                    let tables = self.scopes.last().map(|s| s.tables.clone()).unwrap_or_default();
                    for t in tables {
                        self.shape.tables[t].all_columns = true;
                    }
                }
                SelectItem::QualifiedWildcard(kind, _) => {
                    if let sqlparser::ast::SelectItemQualifiedWildcardKind::ObjectName(name) = kind {
                        let parts = object_parts(name);
                        if let Some(Some(t)) = parts.last().and_then(|n| self.lookup(n)) {
                            self.shape.tables[t].all_columns = true;
                        }
                    }
                }
            }
        }
    }

    fn walk_from_item(&mut self, t: &TableWithJoins) {
        self.table_factor(&t.relation);
        for j in &t.joins {
            self.table_factor(&j.relation);
            use sqlparser::ast::{JoinConstraint, JoinOperator as J};
            let constraint = match &j.join_operator {
                J::Join(c)
                | J::Inner(c)
                | J::Left(c)
                | J::LeftOuter(c)
                | J::Right(c)
                | J::RightOuter(c)
                | J::FullOuter(c)
                | J::CrossJoin(c) => Some(c),
                _ => None,
            };
            match constraint {
                Some(JoinConstraint::On(e)) => self.predicate(e),
                Some(JoinConstraint::Using(cols)) => {
                    for c in cols {
                        if let Some(last) = object_parts(c).last() {
                            self.column(None, last, Role::Join);
                        }
                    }
                }
                _ => {}
            }
        }
    }

    fn table_factor(&mut self, f: &TableFactor) {
        match f {
            TableFactor::Table { name, alias, args: None, .. } => {
                let parts = object_parts(name);
                let Some(table) = parts.last().cloned() else { return };
                let visible = alias.as_ref().map(|a| ident(&a.name)).unwrap_or_else(|| table.clone());
                let is_cte = parts.len() == 1 && self.ctes.iter().any(|level| level.contains(&table));
                let index = if is_cte {
                    None
                } else {
                    self.shape.tables.push(TableRef { name: table, visible: visible.clone(), all_columns: false });
                    Some(self.shape.tables.len() - 1)
                };
                if let Some(scope) = self.scopes.last_mut() {
                    scope.names.insert(visible, index);
                    scope.tables.extend(index);
                }
            }
            TableFactor::Derived { subquery, alias, .. } => {
                self.query(subquery);
                if let (Some(a), Some(scope)) = (alias, self.scopes.last_mut()) {
                    scope.names.insert(ident(&a.name), None);
                }
            }
            TableFactor::NestedJoin { table_with_joins, .. } => self.walk_from_item(table_with_joins),
            _ => {}
        }
    }

    /// Looks up a visible name through the scopes, innermost first.
    fn lookup(&self, name: &str) -> Option<Option<usize>> {
        self.scopes.iter().rev().find_map(|s| s.names.get(name).copied())
    }

    /// Records a column reference; returns its index in `shape.columns`.
    fn column(&mut self, qualifier: Option<&str>, column: &str, role: Role) -> Option<usize> {
        let candidates = match qualifier {
            Some(q) => match self.lookup(q) {
                Some(Some(t)) => vec![vec![t]],
                _ => return None,
            },
            None => self.scopes.iter().rev().map(|s| s.tables.clone()).filter(|l| !l.is_empty()).collect(),
        };
        if candidates.is_empty() {
            return None;
        }
        self.shape.columns.push(ColumnRef { column: column.to_string(), role, candidates });
        Some(self.shape.columns.len() - 1)
    }

    /// A column reference expression: `(qualifier, column)`.
    fn as_column(e: &Expr) -> Option<(Option<String>, String)> {
        match e {
            Expr::Identifier(i) => Some((None, ident(i))),
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                Some((Some(ident(&parts[parts.len() - 2])), ident(&parts[parts.len() - 1])))
            }
            Expr::Nested(inner) => Self::as_column(inner),
            _ => None,
        }
    }

    /// True when the expression mentions no column of the current scope (a constant, a
    /// parameter, `datetime('now', '-7 days')`, an outer reference…).
    fn is_value(&self, e: &Expr) -> bool {
        let scope = self.scopes.last();
        let mut mentions_local = false;
        perfhound_sql::exprs::visit(e, &mut |n| match n {
            Node::Expr(Expr::Identifier(_)) | Node::Subquery(_) => mentions_local = true,
            Node::Expr(Expr::CompoundIdentifier(parts)) if parts.len() >= 2 => {
                let q = ident(&parts[parts.len() - 2]);
                if scope.is_some_and(|s| s.names.contains_key(&q)) {
                    mentions_local = true;
                }
            }
            Node::Expr(_) => {}
        });
        !mentions_local
    }

    fn predicate(&mut self, e: &Expr) {
        match e {
            Expr::BinaryOp { left, op: BinaryOperator::And, right } => {
                self.predicate(left);
                self.predicate(right);
            }
            Expr::Nested(inner) => self.predicate(inner),
            Expr::BinaryOp { left, op, right } => self.comparison(left, op, right),
            Expr::IsNotDistinctFrom(left, right) => self.comparison(left, &BinaryOperator::Eq, right),
            Expr::Between { expr, low, high, negated: false } => {
                let col = self.operand(expr, Role::Range, low);
                self.bind(low, Bound::Lower, col);
                self.bind(high, Bound::Upper, col);
                self.expr(low, Role::Other);
                self.expr(high, Role::Other);
            }
            Expr::In { expr, target, negated: false, .. } => match target {
                InTarget::List(list) => {
                    let role = if list.iter().all(|v| self.is_value(v)) { Role::Eq } else { Role::Other };
                    let col = self.expr(expr, role);
                    for v in list {
                        self.bind(v, Bound::Eq, col);
                        self.expr(v, Role::Other);
                    }
                }
                InTarget::Subquery(q) => {
                    self.expr(expr, Role::Eq);
                    self.query(q);
                }
                _ => {
                    self.expr(expr, Role::Other);
                }
            },
            Expr::Like { expr, pattern, .. } | Expr::ILike { expr, pattern, .. } => {
                let col = self.expr(expr, Role::Other);
                self.bind(pattern, Bound::Eq, col);
            }
            Expr::IsNull(inner) => {
                self.expr(inner, Role::Eq);
            }
            Expr::UnaryOp { op: UnaryOperator::Not, expr } => {
                self.expr(expr, Role::Other);
            }
            _ => {
                self.expr(e, Role::Other);
            }
        }
    }

    /// Ties the bind slot in `value` (if it is one) to the column reference `col`.
    fn bind(&mut self, value: &Expr, bound: Bound, col: Option<usize>) {
        if let (Some(s), Some(c)) = (slot(value), col) {
            self.shape.params.push(ParamUse { slot: s, bound, column: Some(c) });
        }
    }

    fn comparison(&mut self, left: &Expr, op: &BinaryOperator, right: &Expr) {
        let role = match op {
            BinaryOperator::Eq => Role::Eq,
            BinaryOperator::Lt | BinaryOperator::LtEq | BinaryOperator::Gt | BinaryOperator::GtEq => Role::Range,
            BinaryOperator::Or => {
                self.expr(left, Role::Other);
                self.expr(right, Role::Other);
                return;
            }
            _ => Role::Other,
        };
        let (lc, rc) = (Self::as_column(left), Self::as_column(right));
        if role == Role::Eq && lc.is_some() && rc.is_some() {
            self.expr(left, Role::Join);
            self.expr(right, Role::Join);
            return;
        }
        // The bound a slot on the right puts on a column on the left (`col > ?` is a lower bound).
        let right_bound = match op {
            BinaryOperator::Gt | BinaryOperator::GtEq => Bound::Lower,
            BinaryOperator::Lt | BinaryOperator::LtEq => Bound::Upper,
            _ => Bound::Eq,
        };
        let left_bound = match right_bound {
            Bound::Lower => Bound::Upper,
            Bound::Upper => Bound::Lower,
            b => b,
        };
        let lcol = self.operand(left, role, right);
        self.bind(right, right_bound, lcol);
        let rcol = self.operand(right, role, left);
        self.bind(left, left_bound, rcol);
    }

    /// `side` gets `role` when it is a column compared with a value; otherwise its columns
    /// are `Other`. Returns the column reference when `side` is a column.
    fn operand(&mut self, side: &Expr, role: Role, other: &Expr) -> Option<usize> {
        match Self::as_column(side) {
            Some((q, c)) if role != Role::Other && self.is_value(other) => self.column(q.as_deref(), &c, role),
            Some((q, c)) if role != Role::Other => self.column(q.as_deref(), &c, Role::Join),
            Some((q, c)) => self.column(q.as_deref(), &c, Role::Other),
            None => self.expr(side, Role::Other),
        }
    }

    /// Every column in `e` gets `role` (subqueries are walked as queries). Returns the
    /// column reference when `e` is a plain column.
    fn expr(&mut self, e: &Expr, role: Role) -> Option<usize> {
        if let Some((q, c)) = Self::as_column(e) {
            return self.column(q.as_deref(), &c, role);
        }
        let mut found: Vec<(Option<String>, String)> = Vec::new();
        let mut subqueries: Vec<&Query> = Vec::new();
        perfhound_sql::exprs::visit(e, &mut |n| match n {
            Node::Subquery(q) => subqueries.push(q),
            Node::Expr(x) => found.extend(Self::as_column(x)),
        });
        for (q, c) in found {
            if q.as_deref().is_none_or(|q| self.lookup(q).is_some()) {
                self.column(q.as_deref(), &c, role_for_nested(role));
            }
        }
        for q in subqueries {
            self.query(q);
        }
        None
    }
}

/// Inside a larger expression, a column keeps a projection/order/group role but loses
/// predicate roles (`lower(email) = ?` cannot use an index on `email`).
fn role_for_nested(role: Role) -> Role {
    match role {
        Role::Select | Role::Order | Role::Group => role,
        _ => Role::Other,
    }
}

/// `SELECT * FROM t WHERE …` finding the rows an UPDATE would change.
fn update_search(u: &Update) -> Option<String> {
    if u.from.is_some() || !u.table.joins.is_empty() {
        return None;
    }
    Some(search_sql(&u.table.relation.to_string(), u.selection.as_ref(), &u.order_by, u.limit.as_ref()))
}

/// `SELECT * FROM t WHERE …` finding the rows a DELETE would remove.
fn delete_search(d: &Delete) -> Option<String> {
    let (FromTable::WithFromKeyword(from) | FromTable::WithoutKeyword(from)) = &d.from;
    let [t] = from.as_slice() else { return None };
    if d.using.is_some() || !t.joins.is_empty() {
        return None;
    }
    Some(search_sql(&t.relation.to_string(), d.selection.as_ref(), &d.order_by, d.limit.as_ref()))
}

fn search_sql(
    table: &str,
    selection: Option<&Expr>,
    order_by: &[sqlparser::ast::OrderByExpr],
    limit: Option<&Expr>,
) -> String {
    let mut s = format!("SELECT * FROM {table}");
    if let Some(w) = selection {
        s.push_str(&format!(" WHERE {w}"));
    }
    if !order_by.is_empty() {
        let items: Vec<String> = order_by.iter().map(ToString::to_string).collect();
        s.push_str(&format!(" ORDER BY {}", items.join(", ")));
    }
    if let Some(l) = limit {
        s.push_str(&format!(" LIMIT {l}"));
    }
    s
}
