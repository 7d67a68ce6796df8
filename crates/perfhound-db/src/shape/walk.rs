//! The sqlparser AST walk behind [`super::QueryShape`]: scopes for FROM lists, CTE names
//! shadowing tables, predicates classified conjunct by conjunct.

use super::{ColumnRef, QueryShape, Role, TableRef};
use perfhound_sql::exprs::Node;
use sqlparser::ast::{
    BinaryOperator, Delete, Expr, FromTable, GroupByExpr, Ident, InTarget, ObjectName, OrderByKind, Query, Select,
    SelectItem, SetExpr, Statement, TableFactor, TableWithJoins, UnaryOperator, Update, UpdateTableFromKind, Value,
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

/// PostgreSQL folds unquoted identifiers to lower case.
pub(super) fn ident(i: &Ident) -> String {
    if i.quote_style.is_some() {
        i.value.clone()
    } else {
        i.value.to_lowercase()
    }
}

fn object_parts(name: &ObjectName) -> Vec<String> {
    name.0.iter().filter_map(|p| p.as_ident()).map(ident).collect()
}

impl Walker {
    pub(super) fn finish(self) -> QueryShape {
        self.shape
    }

    pub(super) fn statement(&mut self, s: &Statement) {
        match s {
            Statement::Query(q) => self.query(q),
            Statement::Update(u) => self.update(u),
            Statement::Delete(d) => self.delete(d),
            Statement::Insert(i) => {
                if let Some(src) = &i.source {
                    self.query(src);
                }
            }
            _ => {}
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
        if q.limit_clause.is_some() || q.fetch.is_some() {
            self.shape.has_limit = true;
        }
        self.set_expr(&q.body, q);
        self.ctes.pop();
        self.depth -= 1;
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
                | SelectItem::ExprWithAliases { expr: e, .. } => self.expr(e, Role::Select),
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
                | J::Semi(c)
                | J::LeftSemi(c)
                | J::RightSemi(c)
                | J::Anti(c)
                | J::LeftAnti(c)
                | J::RightAnti(c) => Some(c),
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
                let schema = (parts.len() >= 2).then(|| parts[parts.len() - 2].clone());
                let visible_name = alias.as_ref().map(|a| ident(&a.name)).unwrap_or_else(|| table.clone());
                let is_cte = schema.is_none() && self.ctes.iter().any(|level| level.contains(&table));
                let index = if is_cte {
                    None
                } else {
                    self.shape.tables.push(TableRef { schema, name: table, all_columns: false });
                    Some(self.shape.tables.len() - 1)
                };
                if let Some(scope) = self.scopes.last_mut() {
                    scope.names.insert(visible_name, index);
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

    fn column(&mut self, qualifier: Option<&str>, column: &str, role: Role) {
        let candidates = match qualifier {
            Some(q) => match self.lookup(q) {
                Some(Some(t)) => vec![vec![t]],
                _ => return,
            },
            None => self.scopes.iter().rev().map(|s| s.tables.clone()).filter(|l| !l.is_empty()).collect(),
        };
        if !candidates.is_empty() {
            self.shape.columns.push(ColumnRef { column: column.to_string(), role, candidates });
        }
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
    /// parameter, `now() - $1::interval`, an outer reference…).
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
            Expr::Between { expr, low, high, negated: false } => {
                self.operand(expr, Role::Range, low);
                self.expr(low, Role::Other);
                self.expr(high, Role::Other);
            }
            Expr::In { expr, target, negated: false, .. } => match target {
                InTarget::List(list) => {
                    let role = if list.iter().all(|v| self.is_value(v)) { Role::Eq } else { Role::Other };
                    self.expr(expr, role);
                    for v in list {
                        self.expr(v, Role::Other);
                    }
                }
                InTarget::Subquery(q) => {
                    self.expr(expr, Role::Eq);
                    self.query(q);
                }
                _ => self.expr(expr, Role::Other),
            },
            Expr::AnyOp { left, compare_op: BinaryOperator::Eq, right, .. } => {
                self.operand(left, Role::Eq, right);
                self.expr(right, Role::Other);
            }
            Expr::IsNull(inner) => self.expr(inner, Role::IsNull),
            Expr::IsNotNull(inner) => self.expr(inner, Role::IsNotNull),
            Expr::IsTrue(inner) => self.expr(inner, Role::IsTrue),
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => self.expr(e, Role::IsTrue),
            Expr::UnaryOp { op: UnaryOperator::Not, expr } => self.expr(expr, Role::Other),
            _ => self.expr(e, Role::Other),
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
        if role == Role::Eq && is_true_literal(right) {
            self.expr(left, Role::IsTrue);
            return;
        }
        self.operand(left, role, right);
        self.operand(right, role, left);
    }

    /// `side` gets `role` when it is a column compared with a value; otherwise its columns are `Other`.
    fn operand(&mut self, side: &Expr, role: Role, other: &Expr) {
        match Self::as_column(side) {
            Some((q, c)) if role != Role::Other && self.is_value(other) => self.column(q.as_deref(), &c, role),
            Some((q, c)) if role != Role::Other => self.column(q.as_deref(), &c, Role::Join),
            _ => self.expr(side, Role::Other),
        }
    }

    /// Every column in `e` gets `role` (subqueries are walked as queries).
    fn expr(&mut self, e: &Expr, role: Role) {
        if let Some((q, c)) = Self::as_column(e) {
            self.column(q.as_deref(), &c, role);
            return;
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
    }
}

/// Inside a larger expression, a column keeps a projection/order/group role but loses
/// predicate roles (`lower(email) = $1` cannot use an index on `email`).
fn role_for_nested(role: Role) -> Role {
    match role {
        Role::Select | Role::Order | Role::Group => role,
        _ => Role::Other,
    }
}

fn is_true_literal(e: &Expr) -> bool {
    matches!(e, Expr::Value(v) if matches!(v.value, Value::Boolean(true)))
}
