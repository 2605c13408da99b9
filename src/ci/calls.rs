//! Arguments and variables across CI files: what a caller passes a template or reusable unit,
//! and the variables an included file defines. Each file is read alone (`extract`), so a
//! template's `${{ parameters.script }}` takes only its default there; here, once every file's
//! facts are in, the arguments its callers write fill it:
//!
//! - Azure Pipelines `- template: x.yml` with `parameters:` (steps, jobs, stages, `extends:`),
//!   and variable templates (`variables: - template: vars.yml`) whose variables fill the
//!   including file's `$(x)` / `${{ variables.x }}`;
//! - GitHub Actions reusable workflows (`jobs.x.uses: ./.github/workflows/y.yml` with `with:`)
//!   and local actions (`uses: ./.github/actions/x` with `with:`): their `${{ inputs.x }}`;
//! - GitLab `include: - local: x.yml` with `inputs:` (the file's `spec: inputs:` header and
//!   `$[[ inputs.x ]]`), and the top-level `variables:` included files share with their
//!   includer (both ways: GitLab merges them into one configuration).
//!
//! (CircleCI's job parameters are passed in the same file: `ci::circleci`.)
//!
//! A called file is read again with each set of arguments its callers pass (arguments over its
//! defaults), and the commands that reading gives join its facts, so a template called from two
//! places with two scripts reaches both. Arguments that name the caller's own parameters are
//! filled from what the caller itself received (nested templates, a few levels deep). Bounded:
//! sets per file, rounds of propagation, text kept, commands added; a value that cannot be
//! resolved stays as written and names nothing.

use crate::ci::Yaml;
use crate::model::{Command, Facts, FileFacts, TriggerKind};
use crate::paths::{is_yaml, join, parent};
use crate::read::Document;
use crate::read::structured::{Node, Value};
use crate::shell::vars::Vars;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::Arc;

/// At most this many argument sets per called file (each is one more reading of it).
const MAX_SETS: usize = 8;
/// Rounds of propagation through nested calls.
const MAX_ROUNDS: usize = 6;
/// A called file longer than this is not read again.
const MAX_TEXT: usize = 64 * 1024;
/// At most this many calls and arguments per file.
const MAX_CALLS: usize = 64;
/// At most this many commands a file's callers add to it (over its own).
const MAX_ADDED: usize = 256;
/// How deep a document is searched for calls.
const MAX_DEPTH: usize = 24;

/// How a call shares values with its target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A template or reusable unit: the arguments fill its parameters or inputs.
    Template,
    /// An Azure variable template: its variables fill the caller's commands.
    Variables,
    /// A GitLab include: arguments fill its inputs, and both files share top-level variables.
    Include,
}

/// One call of another file of the repository, as written.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Call {
    pub(crate) target: String,
    pub(crate) kind: Kind,
    /// Named as the target reads them: `parameters.x`, `inputs.x`.
    pub(crate) args: Vec<(String, String)>,
}

/// What one CI file passes to others and offers them.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Calls {
    pub(crate) calls: Vec<Call>,
    /// The variables defined at the file's top (`variables:`).
    pub(crate) exports: Vec<(String, String)>,
    /// Its parameters' and inputs' defaults (for arguments it passes on).
    pub(crate) defaults: Vec<(String, String)>,
    /// The text of a file that takes arguments, read again with each set its callers pass.
    pub(crate) text: Option<String>,
}

thread_local! {
    /// The arguments of the reading under way ([`with_args`]).
    static ARGS: RefCell<Option<Vars>> = const { RefCell::new(None) };
}

/// Sets the arguments of the reading under way over `vars` (its defaults): readers call it
/// after reading a file's declared parameters or inputs.
pub(crate) fn overlay_args(vars: &mut Vars) {
    ARGS.with(|a| {
        if let Some(a) = &*a.borrow() {
            vars.overlay(a);
        }
    });
}

/// The arguments of the reading under way, as (name, value).
pub(crate) fn args() -> Vec<(String, String)> {
    ARGS.with(|a| {
        a.borrow()
            .as_ref()
            .map(|v| {
                v.pairs()
                    .map(|(k, v)| (k.to_string(), v.to_string()))
                    .collect()
            })
            .unwrap_or_default()
    })
}

/// `f` run with `args` as the arguments its readers see.
fn with_args<R>(args: Vars, f: impl FnOnce() -> R) -> R {
    struct Reset;
    impl Drop for Reset {
        fn drop(&mut self) {
            ARGS.with(|a| *a.borrow_mut() = None);
        }
    }
    ARGS.with(|a| *a.borrow_mut() = Some(args));
    let _reset = Reset;
    f()
}

/// Words one of which a file passing or taking arguments contains.
const MARKERS: &[&str] = &[
    "template",
    "uses",
    "include",
    "parameters",
    "inputs",
    "variables",
];

/// What a YAML file passes to other files and offers them; None for other files. Only CI
/// files and job specs (`facts`, already parsed) and files defining top-level `variables:`
/// (variable templates) are read: other YAML is not parsed for this.
pub(crate) fn read(doc: &Document, facts: Option<&FileFacts>) -> Option<Calls> {
    let t = &doc.text;
    let ci = matches!(
        facts,
        Some(FileFacts::Entry { .. } | FileFacts::Commands(_))
    );
    if !is_yaml(&doc.rel)
        || !(ci || t.starts_with("variables:") || t.contains("\nvariables:"))
        || !MARKERS.iter().any(|m| t.contains(m))
    {
        return None;
    }
    let y = Yaml::of(doc)?;
    let (root, spec) = body(y.docs);
    let mut c = Calls::default();
    walk(root, &mut c, 0);
    let mut vars = Vars::default();
    crate::ci::vars::read_azure_variables(root.get("variables"), &mut vars);
    // A workflow's `env:` fills the `with:` values it passes (`${{ env.X }}`).
    crate::ci::vars::read_map(root.get("env"), "", &mut vars);
    c.exports = pairs(&vars);
    let mut defaults = Vars::default();
    let params = root.get("parameters");
    crate::ci::vars::read_defaults(params, "parameters.", &mut defaults);
    let inputs = spec
        .or_else(|| str_path(root, &["on", "workflow_call", "inputs"]))
        .or_else(|| root.get("runs").and(root.get("inputs")));
    crate::ci::vars::read_defaults(inputs, "inputs.", &mut defaults);
    c.defaults = pairs(&defaults);
    if (params.is_some() || inputs.is_some()) && doc.text.len() <= MAX_TEXT {
        c.text = Some(doc.text.clone());
    }
    (!c.calls.is_empty() || !c.exports.is_empty() || c.text.is_some()).then_some(c)
}

fn pairs(vars: &Vars) -> Vec<(String, String)> {
    vars.pairs()
        .take(MAX_CALLS * 4)
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

fn str_path<'a>(n: &'a Node, path: &[&str]) -> Option<&'a Node> {
    path.iter().try_fold(n, |n, k| n.get(k))
}

/// The document holding a file's pipeline, and a GitLab `spec: inputs:` header's inputs (the
/// header is a document of its own, before the pipeline's).
pub(crate) fn body(docs: &[Node]) -> (&Node, Option<&Node>) {
    match docs {
        [spec, rest, ..] if spec.get("spec").is_some() => {
            (rest, str_path(spec, &["spec", "inputs"]))
        }
        [root, ..] => (root, None),
        [] => (&EMPTY, None),
    }
}

/// The root of a file without documents (`Yaml::of` refuses those).
static EMPTY: Node = Node {
    line: 0,
    value: Value::Null,
};

/// The scalar entries of a mapping as arguments named `prefix` + key.
fn args_of(node: Option<&Node>, prefix: &str) -> Vec<(String, String)> {
    node.map(Node::entries)
        .unwrap_or(&[])
        .iter()
        .filter_map(|(k, _, v)| Some((format!("{prefix}{k}"), v.as_str()?.to_string())))
        .take(MAX_CALLS)
        .collect()
}

/// `args` with the matrix values they name: one set per value of the first argument that
/// names an axis with several (the others take their first value).
fn per_value(args: Vec<(String, String)>, matrix: &Vars) -> Vec<Vec<(String, String)>> {
    if matrix.is_empty() {
        return vec![args];
    }
    let mut sets = vec![Vec::new()];
    for (k, v) in args {
        let values = matrix.expand(&v);
        if sets.len() == 1 && values.len() > 1 {
            sets = values
                .iter()
                .map(|x| {
                    let mut s = sets[0].clone();
                    s.push((k.clone(), x.clone()));
                    s
                })
                .collect();
        } else {
            let first = values.into_iter().next().unwrap_or_default();
            sets.iter_mut()
                .for_each(|s| s.push((k.clone(), first.clone())));
        }
    }
    sets
}

fn push(c: &mut Calls, target: &str, kind: Kind, args: Vec<(String, String)>) {
    if c.calls.len() < MAX_CALLS {
        c.calls.push(Call {
            target: target.to_string(),
            kind,
            args,
        });
    }
}

fn walk(node: &Node, c: &mut Calls, depth: usize) {
    if depth > MAX_DEPTH || c.calls.len() >= MAX_CALLS {
        return;
    }
    match &node.value {
        Value::Seq(items) => items.iter().for_each(|i| walk(i, c, depth + 1)),
        Value::Map(entries) => {
            if let Some(t) = node.get("template").and_then(Node::as_str) {
                push(
                    c,
                    t,
                    Kind::Template,
                    args_of(node.get("parameters"), "parameters."),
                );
            }
            if let Some(u) = node.get("uses").and_then(Node::as_str)
                && u.starts_with("./")
            {
                // A job calling a reusable workflow over a matrix: one call per value.
                let mut matrix = Vars::default();
                crate::ci::vars::read_matrix(
                    node.get("strategy").and_then(|s| s.get("matrix")),
                    "matrix.",
                    &mut matrix,
                );
                for args in per_value(args_of(node.get("with"), "inputs."), &matrix) {
                    push(c, u, Kind::Template, args);
                }
            }
            for (k, _, v) in entries {
                match k.as_str() {
                    // Azure: `variables: [- template: vars.yml, - name: x ...]`.
                    "variables" => {
                        for t in v.as_seq().iter().filter_map(|i| i.get("template")) {
                            if let Some(t) = t.as_str() {
                                push(c, t, Kind::Variables, Vec::new());
                            }
                        }
                    }
                    // GitLab: `include: x.yml`, `- local: x.yml` with `inputs:`.
                    "include" => {
                        let items: Vec<&Node> = match &v.value {
                            Value::Seq(items) => items.iter().collect(),
                            _ => vec![v],
                        };
                        for it in items {
                            let (path, args) = match (it.as_str(), it.get("local")) {
                                (Some(s), _) => (s, Vec::new()),
                                (None, Some(l)) => match l.as_str() {
                                    Some(s) => (s, args_of(it.get("inputs"), "inputs.")),
                                    None => continue,
                                },
                                _ => continue,
                            };
                            if !path.contains("://") && is_yaml(path) {
                                push(c, path, Kind::Include, args);
                            }
                        }
                    }
                    _ => walk(v, c, depth + 1),
                }
            }
        }
        _ => {}
    }
}

/// The files `target` (written in `from`) may be: beside `from`, else from the root; a local
/// action's folder is its `action.yml`. None for another repository's file or a name built
/// from expressions.
fn candidates(from: &str, target: &str) -> Vec<String> {
    let t = match target.split_once('@') {
        Some((p, "self")) => p,
        Some((p, _)) if target.starts_with("./") => p,
        Some(_) => return Vec::new(),
        None => target,
    };
    if t.contains("${{") || t.contains("$[[") || t.contains("$(") || t.contains("<<") {
        return Vec::new();
    }
    let mut out = Vec::new();
    let bases: &[&str] = if t.starts_with('/') {
        &[""]
    } else {
        &[parent(from), ""]
    };
    for b in bases {
        if let Some(p) = join(b, t.trim_start_matches('/')) {
            out.push(format!("{p}/action.yml"));
            out.push(format!("{p}/action.yaml"));
            out.push(p);
        }
    }
    out
}

/// How a file is read into facts (`extract::extract`, passed in: `extract` depends on `ci`).
pub(crate) type Reader = fn(&Document) -> Option<FileFacts>;

/// Fills what callers pass and included files define into `facts` ([`Calls`]); `read` reads a
/// called file again.
pub(crate) fn apply(facts: &mut Facts, calls: &BTreeMap<&str, &Calls>, read: Reader) {
    if calls.values().all(|c| c.calls.is_empty()) {
        return;
    }
    let resolve = |from: &str, t: &str| {
        candidates(from, t)
            .into_iter()
            .find(|c| c != from && (calls.contains_key(c.as_str()) || facts.get(c).is_some()))
    };
    // Every call resolved once: (caller, call, target).
    let edges: Vec<(&str, &Call, String)> = calls
        .iter()
        .flat_map(|(f, c)| c.calls.iter().map(move |call| (*f, call)))
        .filter_map(|(f, call)| Some((f, call, resolve(f, &call.target)?)))
        .collect();
    let received = propagate(calls, &edges);
    for (target, sets) in &received {
        reread(facts, calls, target, sets, read);
    }
    share_variables(facts, calls, &edges);
}

/// The argument sets each called file receives, through nested calls.
fn propagate(
    calls: &BTreeMap<&str, &Calls>,
    edges: &[(&str, &Call, String)],
) -> BTreeMap<String, Vec<Vec<(String, String)>>> {
    let mut received: BTreeMap<String, Vec<Vec<(String, String)>>> = BTreeMap::new();
    // A file some file here calls passes on only what it receives; the others (pipelines)
    // pass what they write, over their defaults.
    let called: std::collections::HashSet<&str> = edges
        .iter()
        .filter(|(_, c, _)| c.kind != Kind::Variables)
        .map(|(_, _, t)| t.as_str())
        .collect();
    for _ in 0..MAX_ROUNDS {
        let mut changed = false;
        for (from, call, target) in edges {
            if call.kind == Kind::Variables {
                continue;
            }
            let own = calls.get(from);
            let contexts = match received.get(*from) {
                Some(r) => r.clone(),
                None if called.contains(from) => continue,
                None => vec![Vec::new()],
            };
            for ctx in contexts {
                let mut vars = Vars::default();
                for (k, v) in own
                    .into_iter()
                    .flat_map(|c| c.exports.iter().chain(&c.defaults))
                {
                    vars.set(k, v);
                }
                for (k, v) in &ctx {
                    vars.set(k, v);
                }
                let args: Vec<(String, String)> = call
                    .args
                    .iter()
                    .map(|(k, v)| (k.clone(), vars.expand_one(v)))
                    .collect();
                let r = received.entry(target.clone()).or_default();
                if !r.contains(&args) && r.len() < MAX_SETS {
                    r.push(args);
                    changed = true;
                }
            }
        }
        if !changed {
            break;
        }
    }
    received
}

/// Reads `target` again with each argument set and adds the commands that gives to its facts.
fn reread(
    facts: &mut Facts,
    calls: &BTreeMap<&str, &Calls>,
    target: &str,
    sets: &[Vec<(String, String)>],
    read: Reader,
) {
    let (Some(text), Some(base)) = (
        calls.get(target).and_then(|c| c.text.as_ref()),
        facts.get(target),
    ) else {
        return;
    };
    // A file that runs only when called (an Azure template, a local action, a GitLab include)
    // runs with what its callers pass: its commands are those readings. One with triggers of
    // its own (a reusable workflow also started by hand) keeps its defaults' reading too.
    let only_called = match base {
        FileFacts::Entry { triggers, .. } => triggers.iter().all(|t| t.kind == TriggerKind::Called),
        _ => true,
    };
    let mut merged = base.clone();
    if only_called {
        match &mut merged {
            FileFacts::Entry { jobs, .. } => jobs.iter_mut().for_each(|j| j.commands.clear()),
            FileFacts::Commands(c) => c.clear(),
            FileFacts::Targets { .. } | FileFacts::Python { .. } => return,
        }
    }
    let count = |f: &FileFacts| match f {
        FileFacts::Entry { jobs, .. } => jobs.iter().map(|j| j.commands.len()).sum(),
        FileFacts::Commands(c) => c.len(),
        _ => 0,
    };
    let limit = count(base) + MAX_ADDED;
    let mut added = count(&merged);
    let mut read_any = false;
    for set in sets {
        let mut args = Vars::default();
        for (k, v) in set {
            args.set(k, v);
        }
        let doc = Document::new(target, text.clone());
        if let Some(f) = with_args(args, || read(&doc)) {
            merge(&mut merged, f, &mut added, limit);
            read_any = true;
        }
    }
    if read_any && merged != *base {
        facts.insert(target.to_string(), Arc::new(merged));
    }
}

/// The commands of `from` that `into` lacks, job by job.
fn merge(into: &mut FileFacts, from: FileFacts, added: &mut usize, limit: usize) {
    let mut add = |to: &mut Vec<Command>, new: Vec<Command>| {
        for c in new {
            if *added < limit && !to.contains(&c) {
                to.push(c);
                *added += 1;
            }
        }
    };
    match (into, from) {
        (FileFacts::Entry { jobs, .. }, FileFacts::Entry { jobs: new, .. }) => {
            for nj in new {
                if let Some(j) = jobs
                    .iter_mut()
                    .find(|j| j.name == nj.name && j.line == nj.line)
                {
                    add(&mut j.commands, nj.commands);
                }
            }
        }
        (FileFacts::Commands(to), FileFacts::Commands(new)) => add(to, new),
        _ => {}
    }
}

/// Variables that included files define fill the commands that name them: a variable
/// template's the including file's, and in GitLab an include's and its includer's each other's.
fn share_variables(
    facts: &mut Facts,
    calls: &BTreeMap<&str, &Calls>,
    edges: &[(&str, &Call, String)],
) {
    let mut imports: BTreeMap<String, Vars> = BTreeMap::new();
    let exports = |f: &str| calls.get(f).map(|c| c.exports.as_slice()).unwrap_or(&[]);
    let mut import = |into: &str, from: &str| {
        let vars = imports.entry(into.to_string()).or_default();
        for (k, v) in exports(from) {
            vars.set(k, v);
        }
    };
    for (from, call, target) in edges {
        match call.kind {
            Kind::Variables => import(from, target),
            Kind::Include => {
                import(from, target);
                import(target, from);
            }
            Kind::Template => {}
        }
    }
    for (path, vars) in imports {
        if vars.is_empty() {
            continue;
        }
        let Some(f) = facts.get(&path) else { continue };
        let mut f = f.clone();
        match &mut f {
            FileFacts::Entry { jobs, .. } => {
                for j in jobs {
                    crate::ci::vars::expand(&mut j.commands, 0, &vars);
                }
            }
            FileFacts::Commands(cmds) => crate::ci::vars::expand(cmds, 0, &vars),
            _ => continue,
        }
        if facts.get(&path) != Some(&f) {
            facts.insert(path, Arc::new(f));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every command of `path` once the calls between `files` are applied.
    fn commands(files: &[(&str, &str)], path: &str) -> Vec<String> {
        let docs: Vec<Document> = files
            .iter()
            .map(|(p, t)| Document::new(p, t.to_string()))
            .collect();
        let mut facts: Facts = docs
            .iter()
            .filter_map(|d| Some((d.rel.clone(), crate::extract::extract(d)?)))
            .collect();
        let read: Vec<(String, Calls)> = docs
            .iter()
            .filter_map(|d| Some((d.rel.clone(), read(d, facts.get(&d.rel))?)))
            .collect();
        let calls: BTreeMap<&str, &Calls> = read.iter().map(|(p, c)| (p.as_str(), c)).collect();
        apply(&mut facts, &calls, crate::extract::extract);
        match facts.get(path) {
            Some(FileFacts::Entry { jobs, .. }) => jobs
                .iter()
                .flat_map(|j| j.commands.iter().map(|c| c.text.clone()))
                .collect(),
            Some(FileFacts::Commands(c)) => c.iter().map(|c| c.text.clone()).collect(),
            other => panic!("{path}: {other:?}"),
        }
    }

    #[test]
    fn an_azure_template_takes_each_callers_parameters() {
        let files = [
            (
                "azure-pipelines.yml",
                "trigger: [main]\nstages:\n  - template: templates/train.yml\n    parameters:\n      script: src/train.py\n  - template: templates/train.yml\n    parameters:\n      script: src/score.py\n",
            ),
            (
                "templates/train.yml",
                "parameters:\n  - name: script\n    default: ''\nstages:\n  - stage: s\n    jobs:\n      - template: job.yml\n        parameters:\n          entry: ${{ parameters.script }}\n",
            ),
            (
                "templates/job.yml",
                "parameters:\n  - name: entry\n    type: string\njobs:\n  - job: j\n    steps:\n      - script: python ${{ parameters.entry }}\n",
            ),
        ];
        let got = commands(&files, "templates/job.yml");
        let runs: Vec<&String> = got.iter().filter(|c| c.starts_with("python")).collect();
        // Not the stage template's default: only what its callers pass reaches the job.
        assert_eq!(runs, ["python src/train.py", "python src/score.py"]);
    }

    #[test]
    fn azure_variable_templates_fill_the_including_file() {
        let files = [
            (
                "azure-pipelines.yml",
                "trigger: [main]\nvariables:\n  - template: vars/common.yml\n  - group: secrets\n  - name: local\n    value: x\nsteps:\n  - script: az ml job create -f $(pipelineFile)\n  - script: python ${{ variables.trainScript }}\n",
            ),
            (
                "vars/common.yml",
                "variables:\n  pipelineFile: ml/pipeline.yml\n  trainScript: ml/train.py\n",
            ),
        ];
        let got = commands(&files, "azure-pipelines.yml");
        assert!(
            got.contains(&"az ml job create -f ml/pipeline.yml".to_string()),
            "{got:?}"
        );
        assert!(got.contains(&"python ml/train.py".to_string()), "{got:?}");
    }

    #[test]
    fn github_reusable_workflows_and_local_actions_take_with() {
        let files = [
            (
                ".github/workflows/ci.yml",
                "on: [push]\njobs:\n  train:\n    uses: ./.github/workflows/train.yml\n    with:\n      script: src/train.py\n  deploy:\n    runs-on: x\n    steps:\n      - uses: ./.github/actions/deploy\n        with:\n          entry: src/deploy.py\n",
            ),
            (
                ".github/workflows/train.yml",
                "on:\n  workflow_call:\n    inputs:\n      script:\n        type: string\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: python ${{ inputs.script }}\n",
            ),
            (
                ".github/actions/deploy/action.yml",
                "inputs:\n  entry:\n    required: true\nruns:\n  using: composite\n  steps:\n    - run: python ${{ inputs.entry }}\n      shell: bash\n",
            ),
        ];
        let got = commands(&files, ".github/workflows/train.yml");
        assert!(got.contains(&"python src/train.py".to_string()), "{got:?}");
        let got = commands(&files, ".github/actions/deploy/action.yml");
        assert!(got.contains(&"python src/deploy.py".to_string()), "{got:?}");
    }

    /// A job calling a reusable workflow over a matrix passes each value; `env:` fills `with:`.
    #[test]
    fn a_matrix_call_passes_each_value() {
        let files = [
            (
                ".github/workflows/ci.yml",
                "on: [push]\nenv:\n  SRC: src\njobs:\n  train:\n    strategy:\n      matrix:\n        model: [a, b]\n    uses: ./.github/workflows/train.yml\n    with:\n      script: ${{ env.SRC }}/train_${{ matrix.model }}.py\n",
            ),
            (
                ".github/workflows/train.yml",
                "on:\n  workflow_call:\n    inputs:\n      script:\n        type: string\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: python ${{ inputs.script }}\n",
            ),
        ];
        let got = commands(&files, ".github/workflows/train.yml");
        assert!(
            got.contains(&"python src/train_a.py".to_string()),
            "{got:?}"
        );
        assert!(
            got.contains(&"python src/train_b.py".to_string()),
            "{got:?}"
        );
    }

    #[test]
    fn gitlab_inputs_and_included_variables() {
        let files = [
            (
                ".gitlab-ci.yml",
                "variables:\n  SRC: src\ninclude:\n  - local: ci/train.yml\n    inputs:\n      script: train.py\n  - ci/vars.yml\nlint:\n  script:\n    - python $DEPLOY\n",
            ),
            (
                "ci/train.yml",
                "spec:\n  inputs:\n    script:\n      default: none.py\n---\ntrain:\n  stage: train\n  script:\n    - python $SRC/$[[ inputs.script ]]\n",
            ),
            ("ci/vars.yml", "variables:\n  DEPLOY: src/deploy.py\n"),
        ];
        let got = commands(&files, "ci/train.yml");
        assert!(got.contains(&"python src/train.py".to_string()), "{got:?}");
        let got = commands(&files, ".gitlab-ci.yml");
        assert!(got.contains(&"python src/deploy.py".to_string()), "{got:?}");
    }

    /// Hostile calls: a template calling itself, unresolvable names, long chains.
    #[test]
    fn bounded_and_never_panics() {
        let files = [
            (
                "azure-pipelines.yml",
                "trigger: [main]\nsteps:\n  - template: t.yml\n    parameters:\n      x: a\n  - template: ${{ parameters.nope }}\n  - template: x.yml@other\n",
            ),
            (
                "t.yml",
                "parameters:\n  - name: x\nsteps:\n  - template: t.yml\n    parameters:\n      x: ${{ parameters.x }}${{ parameters.x }}\n  - script: python ${{ parameters.x }}.py\n",
            ),
        ];
        let got = commands(&files, "t.yml");
        assert!(got.contains(&"python a.py".to_string()), "{got:?}");
        assert!(got.len() <= MAX_ADDED + 4, "{got:?}");
    }
}
