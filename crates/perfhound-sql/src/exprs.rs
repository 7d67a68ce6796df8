//! A small sqlparser expression visitor shared by the database engines (sqlparser's `visitor` feature pulls a proc-macro crate):
//! calls back on every sub-expression, stopping at subqueries, which are reported to the
//! caller to walk as queries with their own scope.

use sqlparser::ast::{Expr, FunctionArg, FunctionArgExpr, FunctionArguments, InTarget, Query};

/// What the visitor found.
pub enum Node<'a> {
    Expr(&'a Expr),
    Subquery(&'a Query),
}

/// Visits `e` and its sub-expressions (depth-limited, never panics on deep input).
pub fn visit<'a>(e: &'a Expr, f: &mut impl FnMut(Node<'a>)) {
    visit_depth(e, f, 0);
}

fn visit_depth<'a>(e: &'a Expr, f: &mut impl FnMut(Node<'a>), depth: usize) {
    if depth > 128 {
        return;
    }
    f(Node::Expr(e));
    let mut kids: Vec<&'a Expr> = Vec::new();
    let mut subqueries: Vec<&'a Query> = Vec::new();
    let mut go = |x: &'a Expr| kids.push(x);
    match e {
        Expr::BinaryOp { left, right, .. } => {
            go(left);
            go(right);
        }
        Expr::UnaryOp { expr, .. }
        | Expr::Nested(expr)
        | Expr::IsNull(expr)
        | Expr::IsNotNull(expr)
        | Expr::IsTrue(expr)
        | Expr::IsFalse(expr)
        | Expr::IsNotTrue(expr)
        | Expr::IsNotFalse(expr)
        | Expr::IsUnknown(expr)
        | Expr::IsNotUnknown(expr)
        | Expr::Cast { expr, .. }
        | Expr::Collate { expr, .. }
        | Expr::Extract { expr, .. } => go(expr),
        Expr::AtTimeZone { timestamp, time_zone } => {
            go(timestamp);
            go(time_zone);
        }
        Expr::IsDistinctFrom(a, b) | Expr::IsNotDistinctFrom(a, b) => {
            go(a);
            go(b);
        }
        Expr::Between { expr, low, high, .. } => {
            go(expr);
            go(low);
            go(high);
        }
        Expr::Like { expr, pattern, .. }
        | Expr::ILike { expr, pattern, .. }
        | Expr::SimilarTo { expr, pattern, .. } => {
            go(expr);
            go(pattern);
        }
        Expr::AnyOp { left, right, .. } | Expr::AllOp { left, right, .. } => {
            go(left);
            go(right);
        }
        Expr::In { expr, target, .. } => {
            go(expr);
            match target {
                InTarget::List(list) => list.iter().for_each(go),
                InTarget::Subquery(q) => subqueries.push(q),
                InTarget::Unnest(x) => go(x),
                _ => {}
            }
        }
        Expr::Tuple(items) => items.iter().for_each(go),
        Expr::Array(a) => a.elem.iter().for_each(go),
        Expr::Case { operand, conditions, else_result, .. } => {
            operand.iter().for_each(|x| go(x));
            for c in conditions {
                go(&c.condition);
                go(&c.result);
            }
            else_result.iter().for_each(|x| go(x));
        }
        Expr::Function(func) => match &func.args {
            FunctionArguments::List(list) => {
                for a in &list.args {
                    let (FunctionArg::Named { arg, .. }
                    | FunctionArg::ExprNamed { arg, .. }
                    | FunctionArg::Unnamed(arg)) = a;
                    if let FunctionArgExpr::Expr(x) = arg {
                        go(x);
                    }
                }
            }
            FunctionArguments::Subquery(q) => subqueries.push(q),
            FunctionArguments::None => {}
        },
        Expr::Subquery(q) | Expr::Exists { subquery: q, .. } => subqueries.push(q),
        _ => {}
    }
    for k in kids {
        visit_depth(k, f, depth + 1);
    }
    for q in subqueries {
        f(Node::Subquery(q));
    }
}
