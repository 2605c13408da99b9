//! GitHub Actions `if:` conditions, evaluated for one event the workflow runs on.
//!
//! A condition is an expression over contexts. For an event other than a person's dispatch,
//! some of them are known by reading the workflow: `github.event_name` is that event,
//! `inputs.*` and `github.event.inputs.*` are empty (GitHub fills inputs only for
//! `workflow_dispatch` and `workflow_call`), and `env.X` is the value the workflow's or the
//! job's `env:` gives X, itself evaluated for that event. Everything else (secrets, `vars`,
//! branch names, status functions, outputs of steps) is unknown. Values combine as GitHub's
//! do: `&&` and `||` give one of their operands, `==` compares loosely (types that differ are
//! compared as numbers, strings without case) and `!` negates truthiness; an unknown operand
//! leaves the result unknown unless the other decides it (`unknown && false` is false).
//!
//! The workflow reader asks [`holds`] whether a step's or a job's condition can hold on each
//! event that starts it: a deployment switched on only by a dispatch input
//! (`if: env.ENABLE_DEPLOY == 'true'` with `ENABLE_DEPLOY: ${{ (github.event_name ==
//! 'workflow_dispatch' && inputs.enable_deploy) || 'false' }}`) never runs on a push.

use crate::model::{Trigger, TriggerKind};
use crate::read::structured::Node;
use std::collections::BTreeMap;

/// A known value.
#[derive(Debug, Clone, PartialEq)]
enum Val {
    Null,
    Bool(bool),
    Num(f64),
    Str(String),
}

impl Val {
    fn truthy(&self) -> bool {
        match self {
            Val::Null => false,
            Val::Bool(b) => *b,
            Val::Num(n) => *n != 0.0 && !n.is_nan(),
            Val::Str(s) => !s.is_empty(),
        }
    }

    fn number(&self) -> f64 {
        match self {
            Val::Null => 0.0,
            Val::Bool(b) => f64::from(u8::from(*b)),
            Val::Num(n) => *n,
            Val::Str(s) if s.trim().is_empty() => 0.0,
            Val::Str(s) => s.trim().parse().unwrap_or(f64::NAN),
        }
    }

    /// The string an `env:` value holds.
    fn text(&self) -> String {
        match self {
            Val::Null => String::new(),
            Val::Bool(b) => b.to_string(),
            Val::Num(n) => n.to_string(),
            Val::Str(s) => s.clone(),
        }
    }

    fn equals(&self, other: &Val) -> bool {
        match (self, other) {
            (Val::Str(a), Val::Str(b)) => a.eq_ignore_ascii_case(b),
            (Val::Null, Val::Null) => true,
            (Val::Bool(a), Val::Bool(b)) => a == b,
            (a, b) => a.number() == b.number(),
        }
    }
}

/// What is known of a result: its value, or only its truthiness, or nothing.
#[derive(Debug, Clone, PartialEq)]
struct R {
    val: Option<Val>,
    truth: Option<bool>,
}

impl R {
    fn known(v: Val) -> R {
        R {
            truth: Some(v.truthy()),
            val: Some(v),
        }
    }

    fn unknown() -> R {
        R {
            val: None,
            truth: None,
        }
    }
}

/// What a condition is evaluated against: the event's name and the `env:` values in force.
pub(crate) struct Context<'a> {
    pub(crate) event: &'a str,
    pub(crate) env: &'a BTreeMap<String, String>,
}

/// Whether `cond` (an `if:`, with or without `${{ }}`) may hold on `ctx.event`: false only
/// when it is known to be false.
pub(crate) fn holds(cond: &str, ctx: &Context) -> bool {
    eval_text(cond, ctx, 0).truth != Some(false)
}

/// The `env:` values a job's conditions read: the workflow's, then the job's (and a step's,
/// for its own condition) over them, without those a step of the job writes to `$GITHUB_ENV`
/// (their value changes as the job runs).
pub(crate) fn env_of(levels: &[Option<&Node>], steps: &[Node]) -> BTreeMap<String, String> {
    let mut env = BTreeMap::new();
    for level in levels.iter().flatten() {
        for (k, _, v) in level.entries() {
            if let Some(s) = v.as_str() {
                env.insert(k.clone(), s.to_string());
            }
        }
    }
    let written: Vec<&str> = steps
        .iter()
        .filter_map(|s| s.get("run").and_then(Node::as_str))
        .filter(|r| r.contains("GITHUB_ENV"))
        .collect();
    env.retain(|k, _| !written.iter().any(|r| r.contains(k.as_str())));
    env
}

/// Whether `cond` may hold when `t` starts the workflow: for each event the trigger stands
/// for (a pull request trigger is any of GitHub's three), unless it is known false on all.
pub(crate) fn may_hold_on(cond: &str, t: &Trigger, env: &BTreeMap<String, String>) -> bool {
    let names: &[&str] = match t.kind {
        TriggerKind::Push => &["push"],
        TriggerKind::PullRequest => &["pull_request", "pull_request_target", "merge_group"],
        TriggerKind::Schedule => &["schedule"],
        TriggerKind::Manual if t.detail.is_none() => &["workflow_dispatch"],
        TriggerKind::Called => &["workflow_call"],
        TriggerKind::PipelineCompletion => &["workflow_run"],
        TriggerKind::Release => &["release"],
        _ => match t.detail.as_deref() {
            Some(name) => return holds(cond, &Context { event: name, env }),
            None => return true,
        },
    };
    names
        .iter()
        .any(|event| holds(cond, &Context { event, env }))
}

/// The value of a whole condition or `env:` value: one expression (`${{ x }}` or bare, for a
/// condition), or text with expressions inside (a string).
fn eval_text(text: &str, ctx: &Context, depth: usize) -> R {
    let t = text.trim();
    if let Some(inner) = t.strip_prefix("${{").and_then(|x| x.strip_suffix("}}"))
        && !inner.contains("${{")
    {
        return eval_expr(inner, ctx, depth);
    }
    if !t.contains("${{") {
        return eval_expr(t, ctx, depth);
    }
    R::unknown()
}

/// The value of an `env:` entry: plain text, or text with expressions that are all known.
fn env_value(raw: &str, ctx: &Context, depth: usize) -> R {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(i) = rest.find("${{") {
        out.push_str(&rest[..i]);
        let Some(j) = rest[i..].find("}}") else {
            return R::unknown();
        };
        match eval_expr(&rest[i + 3..i + j], ctx, depth).val {
            Some(v) => out.push_str(&v.text()),
            None => return R::unknown(),
        }
        rest = &rest[i + j + 2..];
    }
    out.push_str(rest);
    R::known(Val::Str(out))
}

fn eval_expr(expr: &str, ctx: &Context, depth: usize) -> R {
    if depth > 8 {
        return R::unknown();
    }
    let tokens = match tokens(expr) {
        Some(t) if !t.is_empty() => t,
        _ => return R::unknown(),
    };
    let mut p = Parser {
        t: &tokens,
        i: 0,
        ctx,
        depth,
    };
    let r = p.or();
    if p.i == tokens.len() { r } else { R::unknown() }
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Lit(Val),
    Name(String),
    Op(&'static str),
}

fn tokens(s: &str) -> Option<Vec<Tok>> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        let c = b[i] as char;
        if c.is_whitespace() {
            i += 1;
        } else if c == '\'' {
            let mut v = String::new();
            i += 1;
            loop {
                match b.get(i) {
                    None => return None,
                    Some(b'\'') if b.get(i + 1) == Some(&b'\'') => {
                        v.push('\'');
                        i += 2;
                    }
                    Some(b'\'') => {
                        i += 1;
                        break;
                    }
                    Some(_) => {
                        let ch = s[i..].chars().next()?;
                        v.push(ch);
                        i += ch.len_utf8();
                    }
                }
            }
            out.push(Tok::Lit(Val::Str(v)));
        } else if let Some(op) = [
            "==", "!=", "&&", "||", "<=", ">=", "!", "(", ")", "<", ">", ",",
        ]
        .into_iter()
        .find(|op| s[i..].starts_with(op))
        {
            out.push(Tok::Op(op));
            i += op.len();
        } else if c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '*' | '[' | ']') {
            let start = i;
            while i < b.len()
                && ((b[i] as char).is_ascii_alphanumeric()
                    || matches!(b[i], b'_' | b'-' | b'.' | b'*' | b'[' | b']'))
            {
                i += 1;
            }
            let w = &s[start..i];
            out.push(match w {
                "true" => Tok::Lit(Val::Bool(true)),
                "false" => Tok::Lit(Val::Bool(false)),
                "null" => Tok::Lit(Val::Null),
                _ => match w.parse::<f64>() {
                    Ok(n)
                        if w.trim_start_matches('-')
                            .starts_with(|c: char| c.is_ascii_digit()) =>
                    {
                        Tok::Lit(Val::Num(n))
                    }
                    _ => Tok::Name(w.to_string()),
                },
            });
        } else {
            return None;
        }
    }
    Some(out)
}

struct Parser<'a> {
    t: &'a [Tok],
    i: usize,
    ctx: &'a Context<'a>,
    depth: usize,
}

impl Parser<'_> {
    fn eat(&mut self, op: &str) -> bool {
        if matches!(self.t.get(self.i), Some(Tok::Op(o)) if *o == op) {
            self.i += 1;
            true
        } else {
            false
        }
    }

    fn or(&mut self) -> R {
        let mut a = self.and();
        while self.eat("||") {
            let b = self.and();
            a = match a.truth {
                Some(true) => a,
                Some(false) => b,
                None => R {
                    val: None,
                    truth: (b.truth == Some(true)).then_some(true),
                },
            };
        }
        a
    }

    fn and(&mut self) -> R {
        let mut a = self.cmp();
        while self.eat("&&") {
            let b = self.cmp();
            a = match a.truth {
                Some(false) => a,
                Some(true) => b,
                None => R {
                    val: None,
                    truth: (b.truth == Some(false)).then_some(false),
                },
            };
        }
        a
    }

    fn cmp(&mut self) -> R {
        let a = self.unary();
        for op in ["==", "!=", "<=", ">=", "<", ">"] {
            if self.eat(op) {
                let b = self.unary();
                let (Some(x), Some(y)) = (a.val, b.val) else {
                    return R::unknown();
                };
                let v = match op {
                    "==" => x.equals(&y),
                    "!=" => !x.equals(&y),
                    "<" => x.number() < y.number(),
                    ">" => x.number() > y.number(),
                    "<=" => x.number() <= y.number(),
                    _ => x.number() >= y.number(),
                };
                return R::known(Val::Bool(v));
            }
        }
        a
    }

    fn unary(&mut self) -> R {
        if self.eat("!") {
            let a = self.unary();
            return match a.truth {
                Some(t) => R::known(Val::Bool(!t)),
                None => R::unknown(),
            };
        }
        self.atom()
    }

    fn atom(&mut self) -> R {
        let Some(tok) = self.t.get(self.i).cloned() else {
            return R::unknown();
        };
        self.i += 1;
        match tok {
            Tok::Lit(v) => R::known(v),
            Tok::Op("(") => {
                let r = self.or();
                if self.eat(")") { r } else { R::unknown() }
            }
            Tok::Op(_) => R::unknown(),
            Tok::Name(name) => {
                // A function call: its arguments are read, its value is unknown.
                if self.eat("(") {
                    let mut open = 1;
                    while open > 0 && self.i < self.t.len() {
                        match self.t[self.i] {
                            Tok::Op("(") => open += 1,
                            Tok::Op(")") => open -= 1,
                            _ => {}
                        }
                        self.i += 1;
                    }
                    return R::unknown();
                }
                self.name(&name)
            }
        }
    }

    fn name(&self, name: &str) -> R {
        if name == "github.event_name" {
            return R::known(Val::Str(self.ctx.event.to_string()));
        }
        let dispatched = matches!(self.ctx.event, "workflow_dispatch" | "workflow_call");
        if !dispatched
            && (name.starts_with("inputs.") || name.starts_with("github.event.inputs."))
            && !name.contains(['[', '*'])
        {
            return R::known(Val::Null);
        }
        if let Some(var) = name.strip_prefix("env.")
            && let Some(raw) = self.ctx.env.get(var)
        {
            return env_value(raw, self.ctx, self.depth + 1);
        }
        R::unknown()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn on(event: &str, cond: &str, env: &[(&str, &str)]) -> bool {
        let env: BTreeMap<String, String> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        holds(cond, &Context { event, env: &env })
    }

    #[test]
    fn dispatch_switches_do_not_hold_on_other_events() {
        let env = [(
            "ENABLE_DEPLOY",
            "${{ (github.event_name == 'workflow_dispatch' && inputs.enable_deploy) || 'false' }}",
        )];
        assert!(!on("push", "env.ENABLE_DEPLOY == 'true'", &env));
        assert!(on("push", "env.ENABLE_DEPLOY != 'true'", &env));
        assert!(on("workflow_dispatch", "env.ENABLE_DEPLOY == 'true'", &env));
        assert!(!on("push", "${{ inputs.deploy }}", &[]));
        assert!(!on("schedule", "github.event.inputs.deploy == 'true'", &[]));
        assert!(on("push", "inputs.deploy != 'false'", &[]));
        assert!(on("workflow_call", "inputs.deploy", &[]));
        assert!(!on("push", "success() && inputs.deploy == true", &[]));
        assert!(on("push", "always() || inputs.deploy", &[]));
    }

    #[test]
    fn events_and_unknowns() {
        assert!(!on("push", "github.event_name == 'Schedule'", &[]));
        assert!(on("schedule", "github.event_name == 'Schedule'", &[]));
        assert!(on("push", "github.ref == 'refs/heads/main'", &[]));
        assert!(on("push", "contains(github.ref, 'main')", &[]));
        assert!(!on("push", "false", &[]));
        assert!(on("push", "!(github.event_name == 'pull_request')", &[]));
        assert!(!on("push", "!(github.event_name != 'pull_request')", &[]));
        assert!(on("push", "env.X == 'yes'", &[("X", "${{ vars.X }}")]));
        assert!(!on("push", "env.X == 'yes'", &[("X", "no")]));
        assert!(on("push", "${{ env.A }}-x", &[]));
        assert!(on("push", "'unterminated", &[]));
    }
}
