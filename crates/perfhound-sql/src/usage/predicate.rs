//! Expressions in [`super::QueryShape`]'s walk: predicates classified conjunct by
//! conjunct (equality, range, join, `IS NULL`, boolean tests), bind slots tied to the
//! column they are compared with, every other column reference kept with a weaker role.

use super::walk::Walker;
use super::{Bound, ParamUse, Role};
use crate::exprs::{self, Node};
use sqlparser::ast::{BinaryOperator, Expr, InTarget, Query, UnaryOperator, Value};

/// The bind slot of a numbered placeholder `?N` or `$N` (looking through parentheses and casts).
pub(super) fn slot(e: &Expr) -> Option<usize> {
    match e {
        Expr::Value(v) => match &v.value {
            Value::Placeholder(p) => p.strip_prefix('?').or_else(|| p.strip_prefix('$'))?.parse().ok(),
            _ => None,
        },
        Expr::Nested(inner) | Expr::Cast { expr: inner, .. } => slot(inner),
        _ => None,
    }
}

impl Walker {
    /// A column reference expression: `(qualifier, column)`.
    fn as_column(&self, e: &Expr) -> Option<(Option<String>, String)> {
        match e {
            Expr::Identifier(i) => Some((None, self.dialect.fold(i))),
            Expr::CompoundIdentifier(parts) if parts.len() >= 2 => {
                Some((Some(self.dialect.fold(&parts[parts.len() - 2])), self.dialect.fold(&parts[parts.len() - 1])))
            }
            Expr::Nested(inner) => self.as_column(inner),
            _ => None,
        }
    }

    /// True when the expression mentions no column of the current scope (a constant, a
    /// parameter, `now() - $1::interval`, `datetime('now', '-7 days')`, an outer reference…).
    fn is_value(&self, e: &Expr) -> bool {
        let scope = self.scopes.last();
        let mut mentions_local = false;
        exprs::visit(e, &mut |n| match n {
            Node::Expr(Expr::Identifier(_)) | Node::Subquery(_) => mentions_local = true,
            Node::Expr(Expr::CompoundIdentifier(parts)) if parts.len() >= 2 => {
                let q = self.dialect.fold(&parts[parts.len() - 2]);
                if scope.is_some_and(|s| s.names.contains_key(&q)) {
                    mentions_local = true;
                }
            }
            Node::Expr(_) => {}
        });
        !mentions_local
    }

    /// A WHERE / ON / HAVING condition, conjunct by conjunct.
    pub(super) fn predicate(&mut self, e: &Expr) {
        match e {
            Expr::BinaryOp { left, op: BinaryOperator::And, right } => {
                self.predicate(left);
                self.predicate(right);
            }
            Expr::Nested(inner) => self.predicate(inner),
            Expr::BinaryOp { left, op, right } => self.comparison(left, op, right),
            Expr::IsNotDistinctFrom(left, right) if self.dialect.is_not_distinct_from_is_indexable() => {
                self.comparison(left, &BinaryOperator::Eq, right)
            }
            Expr::Between { expr, low, high, negated: false } => {
                let col = self.operand(expr, Role::Range, low);
                self.bind(low, Bound::Lower, col);
                self.bind(high, Bound::Upper, col);
                self.expr(low, Role::Other);
                self.expr(high, Role::Other);
            }
            Expr::In { expr, target, negated: false, .. } => self.in_list(expr, target),
            Expr::AnyOp { left, compare_op: BinaryOperator::Eq, right, .. } => {
                let col = self.operand(left, Role::Eq, right);
                self.bind(right, Bound::Eq, col);
                self.expr(right, Role::Other);
            }
            Expr::Like { expr, pattern, .. } | Expr::ILike { expr, pattern, .. } => {
                let col = self.expr(expr, Role::Other);
                self.bind(pattern, Bound::Eq, col);
                self.expr(pattern, Role::Other);
            }
            Expr::IsNull(inner) => _ = self.expr(inner, Role::IsNull),
            Expr::IsNotNull(inner) => _ = self.expr(inner, Role::IsNotNull),
            Expr::IsTrue(inner) => _ = self.expr(inner, Role::IsTrue),
            Expr::Identifier(_) | Expr::CompoundIdentifier(_) => _ = self.expr(e, Role::IsTrue),
            Expr::UnaryOp { op: UnaryOperator::Not, expr } => _ = self.expr(expr, Role::Other),
            _ => _ = self.expr(e, Role::Other),
        }
    }

    /// `col IN (values…)` is an equality; `col IN (SELECT …)` too, with the subquery walked.
    fn in_list(&mut self, expr: &Expr, target: &InTarget) {
        match target {
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
            _ => _ = self.expr(expr, Role::Other),
        }
    }

    /// Ties the bind slot in `value` (if it is one) to the column reference `col`.
    fn bind(&mut self, value: &Expr, bound: Bound, col: Option<usize>) {
        if let (Some(slot), Some(c)) = (slot(value), col) {
            self.shape.params.push(ParamUse { slot, bound, column: Some(c) });
        }
    }

    fn comparison(&mut self, left: &Expr, op: &BinaryOperator, right: &Expr) {
        let role = match op {
            BinaryOperator::Eq => Role::Eq,
            BinaryOperator::Is if self.dialect.is_not_distinct_from_is_indexable() => Role::Eq,
            BinaryOperator::Lt | BinaryOperator::LtEq | BinaryOperator::Gt | BinaryOperator::GtEq => Role::Range,
            BinaryOperator::Or => {
                self.expr(left, Role::Other);
                self.expr(right, Role::Other);
                return;
            }
            _ => Role::Other,
        };
        if role == Role::Eq && self.as_column(left).is_some() && self.as_column(right).is_some() {
            self.expr(left, Role::Join);
            self.expr(right, Role::Join);
            return;
        }
        if role == Role::Eq && is_true_literal(right) && !self.dialect.booleans_are_integers() {
            self.expr(left, Role::IsTrue);
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

    /// `side` gets `role` when it is a column compared with a value, `Join` when compared
    /// with another column; otherwise its columns are `Other`. Returns the column
    /// reference when `side` is a column.
    fn operand(&mut self, side: &Expr, role: Role, other: &Expr) -> Option<usize> {
        match self.as_column(side) {
            Some((q, c)) if role != Role::Other && self.is_value(other) => self.column(q.as_deref(), &c, role),
            Some((q, c)) if role != Role::Other => self.column(q.as_deref(), &c, Role::Join),
            Some((q, c)) => self.column(q.as_deref(), &c, Role::Other),
            None => self.expr(side, Role::Other),
        }
    }

    /// Every column in `e` gets `role` (subqueries are walked as queries). Returns the
    /// column reference when `e` is a plain column.
    pub(super) fn expr(&mut self, e: &Expr, role: Role) -> Option<usize> {
        if let Some((q, c)) = self.as_column(e) {
            return self.column(q.as_deref(), &c, role);
        }
        let mut found: Vec<(Option<String>, String)> = Vec::new();
        let mut subqueries: Vec<&Query> = Vec::new();
        exprs::visit(e, &mut |n| match n {
            Node::Subquery(q) => subqueries.push(q),
            Node::Expr(x) => found.extend(self.as_column(x)),
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

fn is_true_literal(e: &Expr) -> bool {
    matches!(e, Expr::Value(v) if matches!(v.value, Value::Boolean(true)))
}
