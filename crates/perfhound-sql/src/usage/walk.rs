//! The sqlparser AST walk behind [`super::QueryShape`]: statements, queries and FROM
//! lists — scopes for FROM lists, CTE names shadowing tables, joins of every kind. The
//! expressions inside are classified in [`super::predicate`].

use super::{search, Bound, ColumnRef, ParamUse, QueryShape, Role, TableRef};
use crate::Dialect;
use sqlparser::ast::{
    Delete, Distinct, Expr, FromTable, GroupByExpr, Insert, JoinConstraint, JoinOperator as J, LimitClause, ObjectName,
    OrderByKind, Query, Select, SelectItem, SelectItemQualifiedWildcardKind, SetExpr, Statement, TableFactor,
    TableWithJoins, Update, UpdateTableFromKind,
};
use std::collections::HashMap;

/// Queries nested deeper than this are not walked (hostile input cannot exhaust the stack).
const MAX_DEPTH: usize = 64;

/// One level of name visibility: aliases → table index (`None` for CTEs and derived tables).
#[derive(Default, Clone)]
pub(super) struct Scope {
    pub(super) names: HashMap<String, Option<usize>>,
    pub(super) tables: Vec<usize>,
}

pub(super) struct Walker {
    pub(super) dialect: Dialect,
    pub(super) shape: QueryShape,
    pub(super) scopes: Vec<Scope>,
    ctes: Vec<Vec<String>>,
    depth: usize,
}

impl Walker {
    pub(super) fn new(dialect: Dialect) -> Walker {
        Walker { dialect, shape: QueryShape::default(), scopes: Vec::new(), ctes: Vec::new(), depth: 0 }
    }

    pub(super) fn finish(self) -> QueryShape {
        self.shape
    }

    fn object_parts(&self, name: &ObjectName) -> Vec<String> {
        name.0.iter().filter_map(|p| p.as_ident()).map(|i| self.dialect.fold(i)).collect()
    }

    /// The statement itself: a write also gets the search that measures it.
    pub(super) fn top_statement(&mut self, s: &Statement) {
        match s {
            Statement::Update(u) => {
                self.shape.is_write = true;
                self.shape.measure_sql = search::for_update(u);
            }
            Statement::Delete(d) => {
                self.shape.is_write = true;
                self.shape.measure_sql = search::for_delete(d);
            }
            Statement::Insert(i) => {
                self.shape.is_write = true;
                self.shape.measure_sql = search::for_insert(i);
            }
            _ => {}
        }
        self.statement(s);
    }

    /// A statement anywhere (top level or a data-modifying CTE).
    fn statement(&mut self, s: &Statement) {
        match s {
            Statement::Query(q) => self.query(q),
            Statement::Update(u) => self.update(u),
            Statement::Delete(d) => self.delete(d),
            Statement::Insert(i) => self.insert(i),
            _ => {}
        }
    }

    fn insert(&mut self, i: &Insert) {
        if let Some(src) = &i.source {
            self.query(src);
        }
    }

    fn update(&mut self, u: &Update) {
        self.scopes.push(Scope::default());
        self.walk_from_item(&u.table);
        if let Some(UpdateTableFromKind::AfterSet(f) | UpdateTableFromKind::BeforeSet(f)) = &u.from {
            for t in f {
                self.walk_from_item(t);
            }
        }
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
        for t in from.iter().chain(d.using.iter().flatten()) {
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

    pub(super) fn query(&mut self, q: &Query) {
        if self.depth >= MAX_DEPTH {
            return;
        }
        self.depth += 1;
        let mut names = Vec::new();
        if let Some(with) = &q.with {
            for cte in &with.cte_tables {
                let name = self.dialect.fold(&cte.alias.name);
                if with.recursive {
                    names.push(name);
                    self.ctes.push(names.clone());
                    self.query(&cte.query);
                    self.ctes.pop();
                } else {
                    self.ctes.push(names.clone());
                    self.query(&cte.query);
                    self.ctes.pop();
                    names.push(name);
                }
            }
        }
        self.ctes.push(names);
        self.limit(q);
        self.set_expr(&q.body, q);
        self.ctes.pop();
        self.depth -= 1;
    }

    /// LIMIT / FETCH, and the bind slots of LIMIT and OFFSET.
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
            if let Some(slot) = e.and_then(super::predicate::slot) {
                self.shape.params.push(ParamUse { slot, bound, column: None });
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
            SetExpr::Update(s) | SetExpr::Delete(s) | SetExpr::Insert(s) => self.statement(s),
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
        self.distinct(s);
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

    /// `SELECT DISTINCT a, b` groups by its projection; `DISTINCT ON (a)` by its list.
    fn distinct(&mut self, s: &Select) {
        let exprs: Vec<&Expr> = match &s.distinct {
            Some(Distinct::Distinct) => s
                .projection
                .iter()
                .filter_map(|item| match item {
                    SelectItem::UnnamedExpr(e) | SelectItem::ExprWithAlias { expr: e, .. } => Some(e),
                    _ => None,
                })
                .collect(),
            Some(Distinct::On(list)) => list.iter().collect(),
            Some(Distinct::All) | None => Vec::new(),
        };
        for e in exprs {
            self.expr(e, Role::Group);
        }
    }

    pub(super) fn projection(&mut self, items: &[SelectItem]) {
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
                SelectItem::QualifiedWildcard(SelectItemQualifiedWildcardKind::ObjectName(name), _) => {
                    let parts = self.object_parts(name);
                    if let Some(Some(t)) = parts.last().and_then(|n| self.lookup(n)) {
                        self.shape.tables[t].all_columns = true;
                    }
                }
                SelectItem::QualifiedWildcard(..) => {}
            }
        }
    }

    fn walk_from_item(&mut self, t: &TableWithJoins) {
        self.table_factor(&t.relation);
        for j in &t.joins {
            self.table_factor(&j.relation);
            match join_constraint(&j.join_operator) {
                Some(JoinConstraint::On(e)) => self.predicate(e),
                Some(JoinConstraint::Using(cols)) => {
                    for c in cols {
                        if let Some(last) = self.object_parts(c).last() {
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
                let parts = self.object_parts(name);
                let Some(table) = parts.last().cloned() else { return };
                let schema = (parts.len() >= 2).then(|| parts[parts.len() - 2].clone());
                let visible = alias.as_ref().map(|a| self.dialect.fold(&a.name)).unwrap_or_else(|| table.clone());
                let is_cte = schema.is_none() && self.ctes.iter().any(|level| level.contains(&table));
                let index = if is_cte {
                    None
                } else {
                    let t = TableRef { schema, name: table, visible: visible.clone(), all_columns: false };
                    self.shape.tables.push(t);
                    Some(self.shape.tables.len() - 1)
                };
                if let Some(scope) = self.scopes.last_mut() {
                    scope.names.insert(visible, index);
                    scope.tables.extend(index);
                }
            }
            TableFactor::Derived { subquery, alias, .. } => {
                self.query(subquery);
                let name = alias.as_ref().map(|a| self.dialect.fold(&a.name));
                if let (Some(name), Some(scope)) = (name, self.scopes.last_mut()) {
                    scope.names.insert(name, None);
                }
            }
            TableFactor::NestedJoin { table_with_joins, .. } => self.walk_from_item(table_with_joins),
            _ => {}
        }
    }

    /// Looks up a visible name through the scopes, innermost first.
    pub(super) fn lookup(&self, name: &str) -> Option<Option<usize>> {
        self.scopes.iter().rev().find_map(|s| s.names.get(name).copied())
    }

    /// Records a column reference; returns its index in `shape.columns`.
    pub(super) fn column(&mut self, qualifier: Option<&str>, column: &str, role: Role) -> Option<usize> {
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
}

/// The constraint of a join that has one (inner, outer, semi, anti, SQLite's `CROSS JOIN … ON`).
fn join_constraint(op: &J) -> Option<&JoinConstraint> {
    match op {
        J::Join(c)
        | J::Inner(c)
        | J::Left(c)
        | J::LeftOuter(c)
        | J::Right(c)
        | J::RightOuter(c)
        | J::FullOuter(c)
        | J::CrossJoin(c)
        | J::Semi(c)
        | J::LeftSemi(c)
        | J::RightSemi(c)
        | J::Anti(c)
        | J::LeftAnti(c)
        | J::RightAnti(c) => Some(c),
        _ => None,
    }
}
