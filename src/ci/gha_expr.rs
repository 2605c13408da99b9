//! GitHub Actions expressions a workflow can resolve by reading it: `${{ env.X }}` (workflow,
//! job and step `env:`, and `echo "X=v" >> $GITHUB_ENV` of the job's steps), `${{
//! steps.ID.outputs.K }}` (`echo "K=v" >> $GITHUB_OUTPUT` in step ID), `${{ needs.J.outputs.K
//! }}` (job J's `outputs:`), `${{ inputs.X }}` / `${{ github.event.inputs.X }}` (an input's
//! default) and `${{ matrix.X }}` (the matrix's values). A command that names a file through
//! one of them (`docker build -f "${{ steps.cfg.outputs.dockerfile }}"`) is read once per value
//! it can take (a value set in both branches of an `if` gives two). An expression whose value
//! is not written in the workflow (secrets, `github.sha`, another action's outputs) stays as it
//! is, and what it names stays unresolved. In a `run:` line, `$NAME` / `${NAME}` of a known
//! `env:` variable is read as `${{ env.NAME }}`.

use crate::model::Command;
use crate::read::structured::{Node, Value};
use std::collections::BTreeMap;

/// Whether every expression left in a value is one the run fixes whatever the workflow says:
/// the repository's name, the commit, the run (`ghcr.io/${{ github.repository }}:${{
/// github.sha }}`). Such a value still names one thing (an image of this repository); one
/// with a secret or another action's output in it does not.
fn unknown_but_fixed(value: &str) -> bool {
    value.split("${{").skip(1).all(|p| {
        p.split_once("}}").is_some_and(|(e, _)| {
            matches!(
                e.trim(),
                "github.repository"
                    | "github.event.repository.name"
                    | "github.repository_owner"
                    | "github.sha"
                    | "github.run_id"
                    | "github.run_number"
                    | "github.ref_name"
            )
        })
    })
}

/// At most this many readings of one command (the product of its expressions' values).
const MAX_VARIANTS: usize = 8;

/// Known values by expression (`env.X`, `steps.ID.outputs.K`, `needs.J.outputs.K`,
/// `inputs.X`, `matrix.X`).
#[derive(Debug, Clone, Default)]
pub(crate) struct Scope {
    values: BTreeMap<String, Vec<String>>,
}

impl Scope {
    fn add(&mut self, key: String, value: String) {
        let v = self.values.entry(key).or_default();
        if !v.contains(&value) && v.len() < MAX_VARIANTS {
            v.push(value);
        }
    }

    /// Adds what `other` knows.
    pub(crate) fn merge(&mut self, other: &Scope) {
        for (k, vs) in &other.values {
            for v in vs {
                self.add(k.clone(), v.clone());
            }
        }
    }

    /// The entries of an `env:` mapping whose values are plain scalars (expressions in them
    /// resolved through what is known so far).
    pub(crate) fn add_env(&mut self, env: Option<&Node>) {
        for (k, _, v) in env.map(Node::entries).unwrap_or(&[]) {
            if let Some(s) = v.as_str() {
                for x in self.expand(s) {
                    if unknown_but_fixed(&x) {
                        self.add(format!("env.{k}"), x);
                    }
                }
            }
        }
    }

    /// `${{ github.workspace }}` and `$GITHUB_WORKSPACE`: the checkout's root.
    pub(crate) fn add_workspace_root(&mut self) {
        self.add("github.workspace".into(), ".".into());
        self.add("env.GITHUB_WORKSPACE".into(), ".".into());
    }

    /// Defaults of `on.workflow_dispatch.inputs` and `on.workflow_call.inputs`.
    pub(crate) fn add_inputs(&mut self, on: Option<&Node>) {
        for ev in ["workflow_dispatch", "workflow_call"] {
            self.add_input_defaults(on.and_then(|o| o.get(ev)).and_then(|e| e.get("inputs")));
        }
    }

    /// The inputs a caller passes (`with:`), when the file is read for one (`ci::calls`): over
    /// the defaults.
    pub(crate) fn add_args(&mut self) {
        for (k, v) in crate::ci::calls::args() {
            if let Some(name) = k.strip_prefix("inputs.") {
                self.values.insert(k.clone(), vec![v.clone()]);
                self.values
                    .insert(format!("github.event.inputs.{name}"), vec![v]);
            }
        }
    }

    /// Declared inputs with a default (a workflow's, or a local action's `inputs:`): the value a
    /// run gets when its caller passes none.
    pub(crate) fn add_input_defaults(&mut self, inputs: Option<&Node>) {
        for (k, _, spec) in inputs.map(Node::entries).unwrap_or(&[]) {
            if let Some(d) = spec.get("default").and_then(Node::as_str) {
                self.add(format!("inputs.{k}"), d.to_string());
                self.add(format!("github.event.inputs.{k}"), d.to_string());
            }
        }
    }

    /// `strategy.matrix`: each key's listed values, and the keys of its `include:` entries.
    pub(crate) fn add_matrix(&mut self, job: &Node) {
        let Some(m) = job.get("strategy").and_then(|s| s.get("matrix")) else {
            return;
        };
        for (k, _, v) in m.entries() {
            let items: Vec<&Node> = match (&v.value, k.as_str()) {
                (Value::Seq(items), "include") => {
                    for item in items {
                        for (ik, _, iv) in item.entries() {
                            if let Some(s) = iv.as_str() {
                                self.add(format!("matrix.{ik}"), s.to_string());
                            }
                        }
                    }
                    continue;
                }
                (Value::Seq(items), _) => items.iter().collect(),
                _ => continue,
            };
            for s in items.iter().filter_map(|n| n.as_str()) {
                self.add(format!("matrix.{k}"), s.to_string());
            }
        }
    }

    /// What one step's `run:` writes to `$GITHUB_OUTPUT` (as `steps.ID.outputs.K`) and to
    /// `$GITHUB_ENV` (as `env.K`, for the steps after it).
    pub(crate) fn add_step_writes(&mut self, step: &Node) {
        let Some(run) = step.get("run").and_then(Node::as_str) else {
            return;
        };
        let id = step.get("id").and_then(Node::as_str);
        for line in run.lines() {
            let Some((k, v, file)) = written(line) else {
                continue;
            };
            let key = match (file, id) {
                (Sink::Output, Some(id)) => format!("steps.{id}.outputs.{k}"),
                (Sink::Output, None) => continue,
                (Sink::Env, _) => format!("env.{k}"),
            };
            for x in self.expand(&v) {
                if !x.contains('$') {
                    self.add(key.clone(), x);
                }
            }
        }
    }

    /// A job's `outputs:` as `needs.JOB.outputs.K`, through what its steps wrote.
    pub(crate) fn job_outputs(&self, job_name: &str, job: &Node, into: &mut Scope) {
        for (k, _, v) in job.get("outputs").map(Node::entries).unwrap_or(&[]) {
            if let Some(s) = v.as_str() {
                for x in self.expand(s) {
                    if !x.contains("${{") {
                        into.add(format!("needs.{job_name}.outputs.{k}"), x);
                    }
                }
            }
        }
    }

    /// The readings of `text` with every known expression replaced by its values (the text
    /// itself when none is known); at most [`MAX_VARIANTS`].
    pub(crate) fn expand(&self, text: &str) -> Vec<String> {
        let mut out = vec![String::new()];
        let mut rest = text;
        while let Some(open) = rest.find("${{") {
            let Some(close) = rest[open..].find("}}") else {
                break;
            };
            let expr = &rest[open + 3..open + close];
            let before = &rest[..open];
            let values = self.eval(expr);
            let whole = &rest[open..open + close + 2];
            let mut next = Vec::new();
            for prefix in &out {
                match &values {
                    Some(vs) => {
                        for v in vs {
                            if next.len() < MAX_VARIANTS {
                                next.push(format!("{prefix}{before}{v}"));
                            }
                        }
                    }
                    None => next.push(format!("{prefix}{before}{whole}")),
                }
            }
            out = next;
            rest = &rest[open + close + 2..];
        }
        for o in &mut out {
            o.push_str(rest);
        }
        out
    }

    /// An expression's values: a known key, a quoted literal, or the first of `a || b` that
    /// has any.
    fn eval(&self, expr: &str) -> Option<Vec<String>> {
        expr.split("||").map(str::trim).find_map(|alt| {
            if let Some(lit) = alt
                .strip_prefix('\'')
                .and_then(|a| a.strip_suffix('\''))
                .filter(|l| !l.is_empty())
            {
                return Some(vec![lit.to_string()]);
            }
            self.values.get(alt).cloned()
        })
    }

    /// A shell line's `$NAME` / `${NAME}` of a known `env:` variable as `${{ env.NAME }}`.
    fn env_refs(&self, text: &str) -> String {
        let b = text.as_bytes();
        let mut out = String::with_capacity(text.len());
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'$' {
                let braced = b.get(i + 1) == Some(&b'{') && b.get(i + 2) != Some(&b'{');
                let start = if braced { i + 2 } else { i + 1 };
                let mut end = start;
                while end < b.len() && (b[end].is_ascii_alphanumeric() || b[end] == b'_') {
                    end += 1;
                }
                let closed = !braced || b.get(end) == Some(&b'}');
                let name = &text[start..end];
                if end > start
                    && closed
                    && !b[start].is_ascii_digit()
                    && self.values.contains_key(&format!("env.{name}"))
                {
                    out.push_str(&format!("${{{{ env.{name} }}}}"));
                    i = if braced { end + 1 } else { end };
                    continue;
                }
            }
            let ch = text[i..].chars().next().unwrap_or(' ');
            out.push(ch);
            i += ch.len_utf8();
        }
        out
    }

    /// The readings of commands: each command once per reading of its text (a shell
    /// command's `$NAME` of a known `env:` variable read as `${{ env.NAME }}`).
    pub(crate) fn expand_commands(&self, cmds: Vec<Command>) -> Vec<Command> {
        let mut out = Vec::new();
        for mut c in cmds {
            if c.shell && c.text.contains('$') {
                c.text = self.env_refs(&c.text);
            }
            // The directory an earlier `cd ${{ env.DIR }}` of the block moved to, read the
            // same way as the text.
            // An expression the workflow holds no value for leaves the directory as it was
            // before that `cd` (as an unknown `$VARIABLE` does).
            let cwds: Vec<Option<String>> = match c.cwd.as_deref() {
                Some(d) if d.contains('$') => self
                    .expand(&self.env_refs(d))
                    .into_iter()
                    .map(|x| crate::shell::cd::known(&x))
                    .collect(),
                d => vec![d.map(str::to_string)],
            };
            let texts = if c.text.contains("${{") {
                self.expand(&c.text)
            } else {
                vec![c.text.clone()]
            };
            for cwd in &cwds {
                for text in &texts {
                    if out.len() < MAX_VARIANTS * 64 {
                        out.push(Command {
                            text: text.clone(),
                            cwd: cwd.clone(),
                            ..c.clone()
                        });
                    }
                }
            }
        }
        out
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Sink {
    Output,
    Env,
}

/// `echo "K=V" >> $GITHUB_OUTPUT` (or `$GITHUB_ENV`, quoted or `${...}`): the key, the value
/// and where it goes; also the older `echo "::set-output name=K::V"`.
fn written(line: &str) -> Option<(String, String, Sink)> {
    let l = line.trim();
    if let Some(i) = l.find("::set-output name=") {
        let rest = &l[i + "::set-output name=".len()..];
        let (k, v) = rest.split_once("::")?;
        let v = v.trim_end_matches(['"', '\'']);
        return Some((k.to_string(), v.to_string(), Sink::Output));
    }
    let (cmd, target) = l.split_once(">>")?;
    let target = target.trim().trim_matches(['"', '\'']);
    let sink = match target.trim_start_matches("${").trim_start_matches('$') {
        t if t.starts_with("GITHUB_OUTPUT") => Sink::Output,
        t if t.starts_with("GITHUB_ENV") => Sink::Env,
        _ => return None,
    };
    let body = cmd.trim().strip_prefix("echo")?.trim();
    let body = body.trim_matches(['"', '\'']);
    let (k, v) = body.split_once('=')?;
    let k = k.trim();
    if k.is_empty()
        || !k
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        return None;
    }
    Some((k.to_string(), v.trim().to_string(), sink))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_are_read_from_echo_lines() {
        assert_eq!(
            written(r#"echo "dockerfile=docker/train.Dockerfile" >> $GITHUB_OUTPUT"#)
                .map(|(k, v, _)| (k, v)),
            Some(("dockerfile".into(), "docker/train.Dockerfile".into()))
        );
        assert!(written("echo IMAGE=x >> \"$GITHUB_ENV\"").is_some_and(|(_, _, s)| s == Sink::Env));
        assert_eq!(
            written("echo \"::set-output name=script::train.py\"").map(|(k, v, _)| (k, v)),
            Some(("script".into(), "train.py".into()))
        );
        assert!(written("echo done >> log.txt").is_none());
    }

    #[test]
    fn expressions_expand_to_every_known_value() {
        let mut s = Scope::default();
        s.add("steps.cfg.outputs.f".into(), "a.Dockerfile".into());
        s.add("steps.cfg.outputs.f".into(), "Dockerfile".into());
        assert_eq!(
            s.expand("docker build -f \"${{ steps.cfg.outputs.f }}\" ."),
            vec![
                "docker build -f \"a.Dockerfile\" .",
                "docker build -f \"Dockerfile\" ."
            ]
        );
        // A shell variable of a known env key is read through it; others stay.
        s.add("env.SCRIPT".into(), "src/train.py".into());
        assert_eq!(
            s.env_refs("python $SCRIPT ${SCRIPT} $OTHER ${SCRIPT:-x} $(date) $1"),
            "python ${{ env.SCRIPT }} ${{ env.SCRIPT }} $OTHER ${SCRIPT:-x} $(date) $1"
        );
        // Unknown expressions stay; `||` falls back to a literal.
        assert_eq!(
            s.expand("x ${{ secrets.K }} ${{ inputs.m || 'cnn' }}"),
            vec!["x ${{ secrets.K }} cnn"]
        );
    }
}
