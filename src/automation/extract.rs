//! What each file contributes to the automation graph, read during the single read pass:
//! CI entry points (their triggers and jobs), Makefile targets, DVC stages, shell scripts,
//! Python imports and path-like string literals, and YAML job specs.

use super::{Trigger, TriggerKind};
use crate::read::Document;
use crate::structured::{Node, Value};
use regex::Regex;
use std::sync::LazyLock;

/// A command or a string that may name repository files, with where it was written.
#[derive(Debug, Clone, PartialEq)]
pub struct Command {
    pub line: u32,
    pub text: String,
    /// Shell commands are parsed for what they run; plain references (YAML `code:`, Python
    /// string literals) are only resolved as paths.
    pub shell: bool,
    pub cwd: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub name: String,
    pub line: u32,
    pub end: u32,
    /// Empty: the file's triggers apply.
    pub triggers: Vec<Trigger>,
    pub commands: Vec<Command>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub name: String,
    pub line: u32,
    pub end: u32,
    pub deps: Vec<String>,
    pub commands: Vec<Command>,
}

/// Each file's facts by path. Shared, not copied: `ripen history` assembles hundreds of trees
/// from the same cached scans.
#[derive(Debug, Default, Clone)]
pub struct Facts(std::collections::HashMap<String, std::sync::Arc<FileFacts>>);

impl Facts {
    pub fn get(&self, path: &str) -> Option<&FileFacts> {
        self.0.get(path).map(|f| &**f)
    }

    pub fn insert(&mut self, path: String, facts: std::sync::Arc<FileFacts>) {
        self.0.insert(path, facts);
    }

    pub fn keys(&self) -> impl Iterator<Item = &String> {
        self.0.keys()
    }

    pub fn iter(&self) -> impl Iterator<Item = (&String, &FileFacts)> {
        self.0.iter().map(|(p, f)| (p, &**f))
    }
}

impl std::ops::Index<&str> for Facts {
    type Output = FileFacts;

    fn index(&self, path: &str) -> &FileFacts {
        &self.0[path]
    }
}

impl FromIterator<(String, FileFacts)> for Facts {
    fn from_iter<I: IntoIterator<Item = (String, FileFacts)>>(it: I) -> Self {
        Facts(
            it.into_iter()
                .map(|(p, f)| (p, std::sync::Arc::new(f)))
                .collect(),
        )
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum FileFacts {
    Entry {
        system: &'static str,
        triggers: Vec<Trigger>,
        jobs: Vec<Job>,
        /// Files whose jobs run as part of this one: GitLab local `include:`, Azure Pipelines
        /// `template:`. An included file is not an entry point of its own.
        includes: Vec<Command>,
    },
    /// Makefile targets or DVC stages: reached one by one.
    Targets {
        kind: TargetKind,
        targets: Vec<Target>,
    },
    /// A file whose commands all run when it runs (shell script, YAML job spec).
    Commands(Vec<Command>),
    Python {
        imports: Vec<(u32, String)>,
        literals: Vec<Command>,
        /// Directories named by `source_dir=` / `code=`: where relative entry points live.
        code_dirs: Vec<String>,
        /// Schedules written in the code (`schedule="@daily"`, `cron="0 3 * * *"`,
        /// `cron_schedule=`, `schedule_interval=`), with their lines.
        schedules: Vec<(u32, String)>,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    Make,
    Dvc,
}

pub fn file_name(rel: &str) -> &str {
    rel.rsplit('/').next().unwrap_or(rel)
}

fn is_yaml(rel: &str) -> bool {
    rel.ends_with(".yml") || rel.ends_with(".yaml")
}

/// Whether an entry point's system is a CI service (as opposed to a scheduler/orchestrator).
pub fn is_ci_system(system: &str) -> bool {
    !matches!(
        system,
        "scheduler"
            | "orchestrator"
            | "databricks"
            | "prefect"
            | "azureml-schedule"
            | "eventbridge"
    )
}

/// Which CI system a path belongs to, by location alone.
pub fn ci_system(rel: &str) -> Option<&'static str> {
    let name = file_name(rel);
    if rel.starts_with(".github/workflows/") && is_yaml(rel) && !rel[18..].contains('/') {
        return Some("github-actions");
    }
    if name == ".gitlab-ci.yml" || (rel.starts_with(".gitlab/ci/") && is_yaml(rel)) {
        return Some("gitlab-ci");
    }
    if name == "Jenkinsfile" || name.ends_with(".jenkinsfile") || name.starts_with("Jenkinsfile.") {
        return Some("jenkins");
    }
    if rel == ".circleci/config.yml" || rel == ".circleci/config.yaml" {
        return Some("circleci");
    }
    if name == "bitbucket-pipelines.yml" {
        return Some("bitbucket");
    }
    if name.starts_with("cloudbuild") && is_yaml(rel) {
        return Some("cloud-build");
    }
    if name.starts_with("buildspec") && is_yaml(rel) {
        return Some("codebuild");
    }
    if name == ".travis.yml" {
        return Some("travis");
    }
    if rel.starts_with(".buildkite/") && is_yaml(rel) {
        return Some("buildkite");
    }
    if name.starts_with("azure-pipelines") && is_yaml(rel) {
        return Some("azure-pipelines");
    }
    None
}

/// Files the automation graph reads even when no rule asks for them.
pub fn wanted(rel: &str) -> bool {
    let name = file_name(rel);
    rel.ends_with(".py")
        || is_yaml(rel)
        || rel.ends_with(".sh")
        || rel.ends_with(".bash")
        || rel.ends_with(".mk")
        || rel.ends_with(".tf")
        || is_dockerfile(name)
        || matches!(
            name,
            "Makefile" | "makefile" | "GNUmakefile" | "Jenkinsfile" | "cdk.json"
        )
        || name.ends_with(".jenkinsfile")
        || name.starts_with("Jenkinsfile.")
}

pub fn is_dockerfile(name: &str) -> bool {
    name == "Dockerfile"
        || name == "Containerfile"
        || (name.starts_with("Dockerfile.") && !name.ends_with(".md"))
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
}

pub fn extract(doc: &Document) -> Option<FileFacts> {
    let rel = doc.rel.as_str();
    let name = file_name(rel);
    if let Some(system) = ci_system(rel) {
        return Some(match system {
            "jenkins" => jenkins(doc),
            _ => yaml_entry(doc, system)?,
        });
    }
    if name == "Makefile" || name == "makefile" || name == "GNUmakefile" || name.ends_with(".mk") {
        return Some(makefile(doc));
    }
    if name == "dvc.yaml" {
        return dvc(doc);
    }
    if is_dockerfile(name) {
        return Some(dockerfile(doc));
    }
    if name == "cdk.json" {
        let root = doc.structured().ok()?.first()?.clone();
        let app = root.get("app")?;
        return Some(FileFacts::Commands(vec![Command {
            line: app.line,
            text: app.as_str()?.to_string(),
            shell: true,
            cwd: Some(format!("/{}", super::parent(rel))),
        }]));
    }
    if name.ends_with(".tf") {
        return terraform(doc);
    }
    if name.ends_with(".sh") || name.ends_with(".bash") || has_shell_shebang(&doc.text) {
        return Some(FileFacts::Commands(
            doc.text
                .lines()
                .enumerate()
                .map(|(i, l)| Command {
                    line: i as u32 + 1,
                    text: l.to_string(),
                    shell: true,
                    cwd: None,
                })
                .collect(),
        ));
    }
    if name.ends_with(".py") {
        return Some(python(doc));
    }
    if is_yaml(rel) {
        return yaml_other(doc);
    }
    None
}

fn has_shell_shebang(text: &str) -> bool {
    text.starts_with("#!")
        && text
            .lines()
            .next()
            .is_some_and(|l| l.contains("sh") && !l.contains("python"))
}

// ---------------------------------------------------------------------------------------------
// YAML CI systems

/// Keys whose values are shell commands in the CI systems and job specs ripen reads; every
/// other scalar is only a reference (a template, an include, a `code:` directory).
const SHELL_KEYS: &[&str] = &[
    "run",
    "script",
    "scripts",
    "before_script",
    "after_script",
    "bash",
    "sh",
    "pwsh",
    "powershell",
    "inlineScript",
    "commands",
    "command",
    "cmd",
    "args",
    "entrypoint",
    "entryPoint",
    "install",
    "before_install",
    "build",
];

/// Every scalar below `node` as a command; `shell` says whether scalars outside any known
/// key (e.g. a list at the top) are shell commands. `here` is the file's directory, for
/// `code:` directories.
fn scalar_commands(node: &Node, shell: bool, here: &str) -> Vec<Command> {
    let mut out = Vec::new();
    collect_commands(node, shell, &mut out, 0, None, here);
    out
}

/// Keys naming the directory where a job spec's command runs (Azure ML `code:`, SageMaker
/// `source_dir`, ...), relative to the spec's own file.
const CODE_KEYS: &[&str] = &[
    "code",
    "source_dir",
    "source_directory",
    "code_dir",
    "working_dir",
    "workingDir",
];

/// Keys whose list value is one command line (container specs), not a list of lines.
const ARGV_KEYS: &[&str] = &["command", "args", "entrypoint", "entryPoint", "cmd"];

/// Joins argv tokens into a command line the shell reader splits back the same way.
pub fn shell_join<'a>(tokens: impl IntoIterator<Item = &'a str>) -> String {
    tokens
        .into_iter()
        .map(|t| {
            if t.is_empty() {
                "''".to_string()
            } else if t.chars().any(char::is_whitespace) || t.contains(';') || t.contains('&') {
                if t.contains('\'') {
                    format!("\"{t}\"")
                } else {
                    format!("'{t}'")
                }
            } else {
                t.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

fn seq_scalars(n: &Node) -> Option<Vec<&str>> {
    match &n.value {
        Value::Seq(items) => items.iter().map(Node::as_str).collect(),
        _ => None,
    }
}

/// A local directory path (not `azureml:`, a URL or a template expression).
fn local_dir(s: &str) -> bool {
    !s.is_empty()
        && !s.contains(':')
        && !s.contains('$')
        && !s.contains("{{")
        && !s.contains('\n')
        && s.len() < 300
}

fn collect_commands(
    node: &Node,
    shell: bool,
    out: &mut Vec<Command>,
    depth: usize,
    cwd: Option<&str>,
    here: &str,
) {
    if depth > 64 {
        return;
    }
    match &node.value {
        Value::Scalar(s) => push_block(out, s, node.line, shell, cwd),
        Value::Seq(items) => {
            for i in items {
                collect_commands(i, shell, out, depth + 1, cwd, here);
            }
        }
        Value::Map(entries) => {
            let code = entries
                .iter()
                .find(|(k, _, v)| {
                    CODE_KEYS.contains(&k.as_str()) && v.as_str().is_some_and(local_dir)
                })
                .and_then(|(_, _, v)| v.as_str())
                .and_then(|c| super::join(here, c.trim_start_matches("./")))
                .map(|p| format!("/{p}"));
            let cwd = code.as_deref().or(cwd);
            // `command: [python, train.py]` + `args: [--epochs, "3"]`: one command line.
            let argv: Vec<&Node> = ["command", "args"]
                .iter()
                .filter_map(|k| node.get(k))
                .collect();
            let joined = !argv.is_empty()
                && argv.iter().any(|n| seq_scalars(n).is_some())
                && argv
                    .iter()
                    .all(|n| seq_scalars(n).is_some() || n.as_str().is_some());
            if joined {
                let mut toks: Vec<&str> = Vec::new();
                for n in &argv {
                    match seq_scalars(n) {
                        Some(v) => toks.extend(v),
                        None => toks.extend(n.as_str()),
                    }
                }
                out.push(Command {
                    line: argv[0].line,
                    text: shell_join(toks),
                    shell: true,
                    cwd: cwd.map(str::to_string),
                });
            }
            for (k, _, v) in entries {
                if joined && (k == "command" || k == "args") {
                    continue;
                }
                if ARGV_KEYS.contains(&k.as_str())
                    && let Some(toks) = seq_scalars(v)
                {
                    out.push(Command {
                        line: v.line,
                        text: shell_join(toks),
                        shell: true,
                        cwd: cwd.map(str::to_string),
                    });
                    continue;
                }
                let is_shell = SHELL_KEYS.contains(&k.as_str());
                collect_commands(v, is_shell, out, depth + 1, cwd, here);
            }
        }
        Value::Null => {}
    }
}

/// A multi-line scalar (`run: |`) starts on the line after its key.
fn push_block(out: &mut Vec<Command>, s: &str, line: u32, shell: bool, cwd: Option<&str>) {
    if s.contains('\n') {
        // One `run: |` block is one shell: a `cd` on its own line moves the lines after it.
        let mut cwd = cwd.map(str::to_string);
        for (i, l) in s.lines().enumerate() {
            if l.trim().is_empty() {
                continue;
            }
            out.push(Command {
                line: line + 1 + i as u32,
                text: l.to_string(),
                shell,
                cwd: cwd.clone(),
            });
            if shell && let Some(dir) = standalone_cd(l) {
                cwd = match (cwd.as_deref(), dir) {
                    (_, "" | "." | "~" | "-" | "$GITHUB_WORKSPACE") => None,
                    (Some(c), d) if !d.starts_with('/') && !d.starts_with('$') => {
                        Some(format!("{}/{}", c.trim_end_matches('/'), d))
                    }
                    (_, d) if d.starts_with('$') => cwd.clone(),
                    (_, d) => Some(d.to_string()),
                };
            }
        }
    } else if !s.trim().is_empty() {
        out.push(Command {
            line,
            text: s.to_string(),
            shell,
            cwd: cwd.map(str::to_string),
        });
    }
}

/// `cd DIR` alone on a line (not `cd DIR && cmd`, which the command reader handles itself).
fn standalone_cd(line: &str) -> Option<&str> {
    let t = line.trim();
    let rest = t.strip_prefix("cd ")?.trim();
    if rest.is_empty() || rest.contains(['&', ';', '|', ' ']) {
        return None;
    }
    Some(
        rest.trim_matches(|c| c == '"' || c == '\'')
            .trim_start_matches("./")
            .trim_end_matches('/'),
    )
}

fn gha_triggers(on: &Node) -> Vec<Trigger> {
    let mut out = Vec::new();
    let mut add = |name: &str, v: Option<&Node>, line: u32| {
        let kind = match name {
            "push" => TriggerKind::Push,
            "pull_request" | "pull_request_target" | "merge_group" => TriggerKind::PullRequest,
            "schedule" => {
                let mut crons = Vec::new();
                if let Some(v) = v {
                    v.find_path(&["cron".to_string()], &mut crons);
                }
                for (c, l) in crons {
                    out.push(trig(
                        TriggerKind::Schedule,
                        c.as_str().map(str::to_string),
                        l,
                    ));
                }
                if out.iter().any(|t| t.kind == TriggerKind::Schedule) {
                    return;
                }
                TriggerKind::Schedule
            }
            "workflow_dispatch" => TriggerKind::Manual,
            "workflow_call" => TriggerKind::Called,
            "workflow_run" => TriggerKind::PipelineCompletion,
            "release" => TriggerKind::Release,
            _ => {
                out.push(trig(TriggerKind::Event, Some(name.to_string()), line));
                return;
            }
        };
        out.push(trig(kind, None, line));
    };
    match &on.value {
        Value::Scalar(s) => add(s, None, on.line),
        Value::Seq(items) => {
            for i in items {
                if let Some(s) = i.as_str() {
                    add(s, None, i.line);
                }
            }
        }
        Value::Map(entries) => {
            for (k, l, v) in entries {
                add(k, Some(v), *l);
            }
        }
        Value::Null => {}
    }
    out
}

/// Line ranges of a mapping's entries: each runs to the line before the next key.
fn ranges(entries: &[(String, u32, Node)], end: u32) -> Vec<(u32, u32)> {
    entries
        .iter()
        .enumerate()
        .map(|(i, (_, l, _))| {
            let next = entries
                .get(i + 1)
                .map(|(_, nl, _)| nl.saturating_sub(1))
                .unwrap_or(end);
            (*l, next.max(*l))
        })
        .collect()
}

fn entry(system: &'static str, triggers: Vec<Trigger>, jobs: Vec<Job>) -> FileFacts {
    FileFacts::Entry {
        system,
        triggers,
        jobs,
        includes: Vec::new(),
    }
}

fn whole_job(end: u32, commands: Vec<Command>) -> Vec<Job> {
    vec![Job {
        name: String::new(),
        line: 1,
        end,
        triggers: Vec::new(),
        commands,
    }]
}

fn str_at<'a>(n: &'a Node, path: &[&str]) -> Option<&'a str> {
    let mut cur = n;
    for k in path {
        cur = cur.get(k)?;
    }
    cur.as_str()
}

fn yaml_entry(doc: &Document, system: &'static str) -> Option<FileFacts> {
    let root = doc.structured().ok()?.first()?.clone();
    let end = doc.text.lines().count() as u32;
    let here = super::parent(&doc.rel).to_string();
    let whole = |triggers: Vec<Trigger>| {
        entry(
            system,
            triggers,
            whole_job(end, scalar_commands(&root, true, &here)),
        )
    };
    Some(match system {
        "github-actions" => github(&root, end, &here),
        "gitlab-ci" => {
            // Only a pipeline's root file has triggers of its own; other GitLab files run
            // when included (their jobs get the including file's triggers).
            let own = if file_name(&doc.rel) == ".gitlab-ci.yml" {
                vec![
                    trig(TriggerKind::Push, None, 1),
                    trig(TriggerKind::PullRequest, None, 1),
                ]
            } else {
                vec![trig(TriggerKind::Called, None, 1)]
            };
            gitlab(&root, end, own, &here)
        }
        "azure-pipelines" => azure(&root, end, &here),
        "circleci" => circleci(&root, end),
        "bitbucket" => bitbucket(&root, end, &here),
        "cloud-build" => cloud_build(&root, end),
        "travis" => whole(vec![
            trig(TriggerKind::Push, None, 1),
            trig(TriggerKind::PullRequest, None, 1),
        ]),
        // Triggers configured in the cloud console: spec §3.2 counts them as code changes.
        _ => whole(vec![trig(TriggerKind::External, None, 1)]),
    })
}

fn github_steps(steps: &[Node], wd: Option<&str>, here: &str, commands: &mut Vec<Command>) {
    for step in steps {
        let wd = step
            .get("working-directory")
            .and_then(Node::as_str)
            .map(|w| format!("/{}", w.trim_start_matches("./")))
            .or_else(|| wd.map(str::to_string));
        for (k, kl, v) in step.entries() {
            match (k.as_str(), v.as_str()) {
                ("run", Some(s)) => push_block(commands, s, *kl, true, wd.as_deref()),
                ("name" | "id" | "if" | "working-directory" | "shell" | "env", _) => {}
                ("uses", Some(u)) => {
                    // Local actions (`./.github/actions/x`) are repository paths; marketplace
                    // actions (`owner/repo@v1`) and `docker://` images are not.
                    if u.starts_with("./") || u.starts_with("../") {
                        commands.push(Command {
                            line: v.line,
                            text: u.to_string(),
                            shell: false,
                            cwd: None,
                        });
                    }
                }
                _ => commands.extend(scalar_commands(v, false, here)),
            }
        }
    }
}

fn github(root: &Node, end: u32, here: &str) -> FileFacts {
    let triggers = root.get("on").map(gha_triggers).unwrap_or_default();
    let wd_of = |n: &Node| {
        str_at(n, &["defaults", "run", "working-directory"])
            .map(|w| format!("/{}", w.trim_start_matches("./")))
    };
    let default_wd = wd_of(root);
    let entries = root.get("jobs").map(Node::entries).unwrap_or(&[]);
    let jobs = entries
        .iter()
        .zip(ranges(entries, end))
        .map(|((name, line, job), (_, job_end))| {
            let job_wd = wd_of(job).or_else(|| default_wd.clone());
            let mut commands = Vec::new();
            github_steps(
                job.get("steps").map(Node::as_seq).unwrap_or(&[]),
                job_wd.as_deref(),
                here,
                &mut commands,
            );
            // Reusable workflow calls: `jobs.x.uses: ./.github/workflows/y.yml`.
            if let Some(u) = job.get("uses").and_then(Node::as_str)
                && (u.starts_with("./") || u.starts_with(".github/"))
            {
                commands.push(Command {
                    line: job.get("uses").map(|n| n.line).unwrap_or(*line),
                    text: u.split('@').next().unwrap_or(u).to_string(),
                    shell: false,
                    cwd: None,
                });
            }
            Job {
                name: name.clone(),
                line: *line,
                end: job_end,
                triggers: Vec::new(),
                commands,
            }
        })
        .collect();
    entry("github-actions", triggers, jobs)
}

/// A local GitHub action (`action.yml` with `runs:`): its composite steps, or the Dockerfile
/// of a container action.
fn github_action(root: &Node, here: &str) -> Option<FileFacts> {
    let runs = root.get("runs")?;
    let mut commands = Vec::new();
    github_steps(
        runs.get("steps").map(Node::as_seq).unwrap_or(&[]),
        None,
        here,
        &mut commands,
    );
    if let Some(img) = runs.get("image")
        && let Some(s) = img.as_str()
        && !s.starts_with("docker://")
    {
        commands.push(Command {
            line: img.line,
            text: format!("/{}", super::join(here, s).unwrap_or_default()),
            shell: false,
            cwd: None,
        });
    }
    for k in ["entrypoint", "args"] {
        if let Some(n) = runs.get(k) {
            commands.extend(scalar_commands(n, true, here).into_iter().map(|mut c| {
                c.cwd = Some(format!("/{here}"));
                c
            }));
        }
    }
    Some(FileFacts::Commands(commands))
}

fn azure_triggers(root: &Node) -> Vec<Trigger> {
    let mut t = Vec::new();
    match root.get("trigger") {
        None => t.push(trig(TriggerKind::Default, None, 1)),
        Some(n) if n.as_str() == Some("none") => {}
        Some(n) => t.push(trig(TriggerKind::Push, None, n.line.max(1))),
    }
    if let Some(pr) = root.get("pr")
        && pr.as_str() != Some("none")
    {
        t.push(trig(TriggerKind::PullRequest, None, pr.line.max(1)));
    }
    let mut crons = Vec::new();
    root.find_path(&["schedules".into(), "cron".into()], &mut crons);
    for (c, l) in crons {
        t.push(trig(
            TriggerKind::Schedule,
            c.as_str().map(str::to_string),
            l,
        ));
    }
    let mut res = Vec::new();
    root.find_path(
        &["resources".into(), "pipelines".into(), "trigger".into()],
        &mut res,
    );
    if let Some((_, l)) = res.first() {
        t.push(trig(TriggerKind::PipelineCompletion, None, *l));
    }
    t
}

/// Whether a YAML document has the shape of an Azure Pipelines file (or template).
fn azure_shape(root: &Node) -> bool {
    if ["on", "apiVersion", "kind", "$schema", "Resources"]
        .iter()
        .any(|k| root.get(k).is_some())
    {
        return false;
    }
    let items_have = |key: &str, marks: &[&str]| {
        root.get(key).is_some_and(|n| {
            let seq = n.as_seq();
            !seq.is_empty() && seq.iter().all(|i| marks.iter().any(|m| i.get(m).is_some()))
        })
    };
    items_have("stages", &["stage", "template"])
        || items_have("jobs", &["job", "deployment", "template"])
        || items_have(
            "steps",
            &[
                "script",
                "task",
                "bash",
                "pwsh",
                "powershell",
                "template",
                "checkout",
                "download",
                "publish",
            ],
        )
        || str_at(root, &["extends", "template"]).is_some()
}

fn azure(root: &Node, end: u32, here: &str) -> FileFacts {
    let mut includes = Vec::new();
    collect_key(root, "template", &mut includes, 0);
    FileFacts::Entry {
        system: "azure-pipelines",
        triggers: azure_triggers(root),
        jobs: whole_job(end, scalar_commands(root, true, here)),
        includes: includes
            .into_iter()
            .filter(|(s, _)| !s.contains('@') && !s.contains("${{"))
            .map(|(s, l)| Command {
                line: l,
                text: s,
                shell: false,
                cwd: None,
            })
            .collect(),
    }
}

/// Every scalar value of `key` anywhere below `node`.
fn collect_key(node: &Node, key: &str, out: &mut Vec<(String, u32)>, depth: usize) {
    if depth > 64 {
        return;
    }
    match &node.value {
        Value::Map(entries) => {
            for (k, _, v) in entries {
                if k == key
                    && let Some(s) = v.as_str()
                {
                    out.push((s.to_string(), v.line));
                }
                collect_key(v, key, out, depth + 1);
            }
        }
        Value::Seq(items) => items
            .iter()
            .for_each(|i| collect_key(i, key, out, depth + 1)),
        _ => {}
    }
}

fn circleci(root: &Node, end: u32) -> FileFacts {
    let job_defs = root.get("jobs").map(Node::entries).unwrap_or(&[]);
    // Which workflows run each job, and on what.
    let mut job_triggers: Vec<(String, Trigger)> = Vec::new();
    for (_, wl, wf) in root.get("workflows").map(Node::entries).unwrap_or(&[]) {
        if !matches!(wf.value, Value::Map(_)) {
            continue;
        }
        let mut crons = Vec::new();
        wf.find_path(
            &[
                "triggers".into(),
                "*".into(),
                "schedule".into(),
                "cron".into(),
            ],
            &mut crons,
        );
        let mut when = Vec::new();
        if let Some(w) = wf.get("when") {
            w.scalars(&mut when);
        }
        let scheduled_pipeline = when
            .iter()
            .any(|(s, _)| s.contains("scheduled_pipeline") || s.contains("schedule.name"));
        let t: Vec<Trigger> = if !crons.is_empty() {
            crons
                .iter()
                .map(|(c, l)| trig(TriggerKind::Schedule, c.as_str().map(str::to_string), *l))
                .collect()
        } else if scheduled_pipeline {
            vec![trig(TriggerKind::Schedule, None, *wl)]
        } else {
            vec![trig(TriggerKind::Push, None, *wl)]
        };
        for j in wf.get("jobs").map(Node::as_seq).unwrap_or(&[]) {
            let name = match &j.value {
                Value::Scalar(s) => s.clone(),
                Value::Map(e) => e.first().map(|(k, _, _)| k.clone()).unwrap_or_default(),
                _ => continue,
            };
            for x in &t {
                job_triggers.push((name.clone(), x.clone()));
            }
        }
    }
    let jobs = job_defs
        .iter()
        .zip(ranges(job_defs, end))
        .map(|((name, line, job), (_, job_end))| {
            let wd = job
                .get("working_directory")
                .and_then(Node::as_str)
                .filter(|w| !w.starts_with('~') && !w.starts_with('/'))
                .map(|w| format!("/{w}"));
            let mut commands = Vec::new();
            for step in job.get("steps").map(Node::as_seq).unwrap_or(&[]) {
                if let Some(r) = step.get("run") {
                    let (text, l) = match (r.as_str(), r.get("command")) {
                        (Some(s), _) => (Some(s), r.line),
                        (None, Some(c)) => (c.as_str(), c.line),
                        _ => (None, r.line),
                    };
                    let swd = str_at(r, &["working_directory"])
                        .map(|w| format!("/{w}"))
                        .or_else(|| wd.clone());
                    if let Some(t) = text {
                        push_block(&mut commands, t, l, true, swd.as_deref());
                    }
                }
            }
            let mut t: Vec<Trigger> = job_triggers
                .iter()
                .filter(|(n, _)| n == name)
                .map(|(_, t)| t.clone())
                .collect();
            t.sort();
            t.dedup();
            if t.is_empty() {
                // Defined but in no workflow: it never runs.
                t.push(trig(TriggerKind::Called, None, *line));
            }
            Job {
                name: name.clone(),
                line: *line,
                end: job_end,
                triggers: t,
                commands,
            }
        })
        .collect();
    entry("circleci", vec![trig(TriggerKind::Push, None, 1)], jobs)
}

fn bitbucket(root: &Node, end: u32, here: &str) -> FileFacts {
    let mut jobs = Vec::new();
    let Some(p) = root.get("pipelines") else {
        return entry("bitbucket", Vec::new(), Vec::new());
    };
    let sections = p.entries();
    for ((k, l, v), (_, sec_end)) in sections.iter().zip(ranges(sections, end)) {
        let kind = match k.as_str() {
            "default" | "branches" => TriggerKind::Push,
            "pull-requests" => TriggerKind::PullRequest,
            "custom" => TriggerKind::Manual,
            "tags" => TriggerKind::Release,
            _ => TriggerKind::Event,
        };
        let named: Vec<(String, u32, &Node)> = if k == "default" {
            vec![(k.clone(), *l, v)]
        } else {
            v.entries()
                .iter()
                .map(|(n, nl, nv)| (format!("{k}/{n}"), *nl, nv))
                .collect()
        };
        for (name, nl, nv) in named {
            jobs.push(Job {
                name,
                line: nl,
                end: sec_end,
                triggers: vec![trig(kind, None, nl)],
                commands: scalar_commands(nv, false, here),
            });
        }
    }
    // Jobs of one section share its range; narrow each to the next job's start.
    for i in 0..jobs.len().saturating_sub(1) {
        let next = jobs[i + 1].line;
        if next > jobs[i].line {
            jobs[i].end = jobs[i].end.min(next - 1);
        }
    }
    entry("bitbucket", Vec::new(), jobs)
}

fn cloud_build(root: &Node, end: u32) -> FileFacts {
    let mut commands = Vec::new();
    for step in root.get("steps").map(Node::as_seq).unwrap_or(&[]) {
        let dir = step
            .get("dir")
            .and_then(Node::as_str)
            .map(|d| format!("/{}", d.trim_start_matches("./")));
        if let Some(sc) = step.get("script").and_then(Node::as_str) {
            push_block(
                &mut commands,
                sc,
                step.get("script").map(|n| n.line).unwrap_or(step.line),
                true,
                dir.as_deref(),
            );
            continue;
        }
        let builder = step.get("name").and_then(Node::as_str).unwrap_or("");
        let program = step
            .get("entrypoint")
            .and_then(Node::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| {
                let last = builder.rsplit('/').next().unwrap_or(builder);
                let last = last.split(':').next().unwrap_or(last);
                match last {
                    "cloud-sdk" | "gcloud-slim" | "gcloud" => "gcloud".to_string(),
                    s if s.starts_with("python") => "python".to_string(),
                    s => s.to_string(),
                }
            });
        let args: Vec<&str> = step.get("args").and_then(seq_scalars).unwrap_or_default();
        let line = step.get("args").map(|n| n.line).unwrap_or(step.line);
        let mut toks = vec![program.as_str()];
        toks.extend(args);
        commands.push(Command {
            line,
            text: shell_join(toks),
            shell: true,
            cwd: dir,
        });
    }
    entry(
        "cloud-build",
        vec![trig(TriggerKind::External, None, 1)],
        whole_job(end, commands),
    )
}

fn trig(kind: TriggerKind, detail: Option<String>, line: u32) -> Trigger {
    Trigger { kind, detail, line }
}

const GITLAB_RESERVED: &[&str] = &[
    "stages",
    "variables",
    "default",
    "include",
    "workflow",
    "image",
    "services",
    "before_script",
    "after_script",
    "cache",
    "spec",
];

/// What starts a GitLab job, from its `rules:` / `only:` / `when:`. Empty: the file's.
fn gitlab_job_triggers(job: &Node, line: u32) -> Vec<Trigger> {
    static SOURCE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"CI_PIPELINE_SOURCE\s*==\s*["']?(\w+)"#).expect("gitlab source")
    });
    let from_source = |s: &str| match s {
        "push" => Some(TriggerKind::Push),
        "merge_request_event" | "external_pull_request_event" => Some(TriggerKind::PullRequest),
        "schedule" | "schedules" => Some(TriggerKind::Schedule),
        "web" | "chat" => Some(TriggerKind::Manual),
        "api" | "trigger" | "triggers" => Some(TriggerKind::Event),
        "pipeline" | "pipelines" | "parent_pipeline" => Some(TriggerKind::PipelineCompletion),
        "merge_requests" => Some(TriggerKind::PullRequest),
        "tags" => Some(TriggerKind::Release),
        _ => None,
    };
    let mut kinds: Vec<(TriggerKind, u32)> = Vec::new();
    if let Some(rules) = job.get("rules") {
        for r in rules.as_seq() {
            if r.get("when").and_then(Node::as_str) == Some("never") {
                continue;
            }
            let manual = r.get("when").and_then(Node::as_str) == Some("manual");
            let cond = r.get("if").and_then(Node::as_str).unwrap_or("");
            let mut any = false;
            for c in SOURCE.captures_iter(cond) {
                if let Some(k) = from_source(&c[1]) {
                    kinds.push((k, r.line));
                    any = true;
                }
            }
            if !any {
                let k = if cond.contains("CI_MERGE_REQUEST") {
                    TriggerKind::PullRequest
                } else if cond.contains("CI_COMMIT_TAG") {
                    TriggerKind::Release
                } else {
                    TriggerKind::Push
                };
                kinds.push((k, r.line));
            }
            if manual {
                kinds.push((TriggerKind::Manual, r.line));
            }
        }
    } else if let Some(only) = job.get("only") {
        let mut s = Vec::new();
        match only.get("refs") {
            Some(refs) => refs.scalars(&mut s),
            None if matches!(only.value, Value::Map(_)) => {}
            None => only.scalars(&mut s),
        }
        if s.is_empty() {
            kinds.push((TriggerKind::Push, only.line));
        }
        for (x, l) in s {
            kinds.push((from_source(x).unwrap_or(TriggerKind::Push), l));
        }
    }
    if kinds.is_empty() && job.get("when").and_then(Node::as_str) == Some("manual") {
        kinds.push((TriggerKind::Manual, line));
    }
    let mut out: Vec<Trigger> = kinds.into_iter().map(|(k, l)| trig(k, None, l)).collect();
    out.sort_by_key(|t| t.kind);
    out.dedup_by_key(|t| t.kind);
    out
}

fn gitlab(root: &Node, end: u32, triggers: Vec<Trigger>, here: &str) -> FileFacts {
    let entries = root.entries();
    let mut jobs = Vec::new();
    let mut includes = Vec::new();
    // Hidden jobs (`.name`) are templates for `extends:`.
    let templates: Vec<(&str, &Node)> = entries
        .iter()
        .filter(|(k, _, v)| k.starts_with('.') && matches!(v.value, Value::Map(_)))
        .map(|(k, _, v)| (k.as_str(), v))
        .collect();
    for ((name, line, job), (_, job_end)) in entries.iter().zip(ranges(entries, end)) {
        if name == "include" {
            let mut items: Vec<&Node> = job.as_seq().iter().collect();
            if items.is_empty() {
                items.push(job);
            }
            for it in items {
                let (path, l) = match (it.as_str(), it.get("local")) {
                    (Some(s), _) if !s.contains("://") => (s, it.line),
                    (None, Some(loc)) => match loc.as_str() {
                        Some(s) => (s, loc.line),
                        None => continue,
                    },
                    _ => continue,
                };
                includes.push(Command {
                    line: l,
                    text: format!("/{}", path.trim_start_matches('/')),
                    shell: false,
                    cwd: None,
                });
            }
            continue;
        }
        if GITLAB_RESERVED.contains(&name.as_str())
            || name.starts_with('.')
            || !matches!(job.value, Value::Map(_))
        {
            continue;
        }
        let mut commands = Vec::new();
        let mut ext = Vec::new();
        if let Some(e) = job.get("extends") {
            e.scalars(&mut ext);
        }
        for (t, _) in ext {
            if let Some((_, tn)) = templates.iter().find(|(n, _)| *n == t) {
                commands.extend(scalar_commands(tn, true, here));
            }
        }
        commands.extend(scalar_commands(job, true, here));
        // `trigger: include: child.yml` / `trigger: project`: a child pipeline.
        jobs.push(Job {
            name: name.clone(),
            line: *line,
            end: job_end,
            triggers: gitlab_job_triggers(job, *line),
            commands,
        });
    }
    FileFacts::Entry {
        system: "gitlab-ci",
        triggers,
        jobs,
        includes,
    }
}

/// Whether a YAML file outside `.gitlab/` holds GitLab jobs (an `include:`d fragment).
fn gitlab_shape(root: &Node) -> bool {
    let e = root.entries();
    root.get("apiVersion").is_none()
        && root.get("$schema").is_none()
        && e.iter().any(|(k, _, v)| {
            !k.starts_with('.')
                && v.get("script").is_some()
                && (v.get("stage").is_some()
                    || v.get("image").is_some()
                    || v.get("rules").is_some()
                    || v.get("only").is_some()
                    || v.get("extends").is_some())
        })
}

/// A YAML file outside the known CI locations: an Azure Pipelines file of pipeline shape
/// (wherever it lives), an orchestrator's scheduled object (Kubernetes `CronJob`, Argo
/// `CronWorkflow`, Databricks bundle jobs, Prefect deployments, Azure ML schedules,
/// CloudFormation event rules), a GitHub local action, or a job spec whose scalars may name
/// files.
fn yaml_other(doc: &Document) -> Option<FileFacts> {
    if !yaml_may_yield(doc) {
        return None;
    }
    let docs = doc.structured().ok()?;
    let root = docs.first()?;
    let end = doc.text.lines().count() as u32;
    let here = super::parent(&doc.rel).to_string();
    let name = file_name(&doc.rel);
    if (name == "action.yml" || name == "action.yaml")
        && let Some(f) = github_action(root, &here)
    {
        return Some(f);
    }
    if azure_shape(root) {
        let mut f = azure(root, end, &here);
        // Outside `azure-pipelines*.yml`, a file with no trigger, schedule, pool or resources
        // is a template (often `parameters:` + `steps:`): it runs only when a pipeline includes
        // it, here or in another repository.
        let own_pipeline = ["trigger", "pr", "schedules", "pool", "resources"]
            .iter()
            .any(|k| root.get(k).is_some());
        if !own_pipeline && let FileFacts::Entry { triggers, .. } = &mut f {
            *triggers = vec![trig(TriggerKind::Called, None, 1)];
        }
        return Some(f);
    }
    if gitlab_shape(root) {
        return Some(gitlab(
            root,
            end,
            vec![trig(TriggerKind::Called, None, 1)],
            &here,
        ));
    }
    if name.starts_with("kustomization.") || name == "Kustomization" {
        let mut commands = Vec::new();
        for k in [
            "resources",
            "bases",
            "components",
            "patches",
            "patchesStrategicMerge",
        ] {
            for item in root.get(k).map(Node::as_seq).unwrap_or(&[]) {
                let (s, l) = match (item.as_str(), item.get("path")) {
                    (Some(s), _) => (s, item.line),
                    (None, Some(p)) => (p.as_str().unwrap_or(""), p.line),
                    _ => continue,
                };
                if !s.is_empty() && !s.contains("://") {
                    commands.push(Command {
                        line: l,
                        text: format!("/{}", super::join(&here, s).unwrap_or_default()),
                        shell: false,
                        cwd: None,
                    });
                }
            }
        }
        return Some(FileFacts::Commands(commands));
    }
    if let Some(f) = databricks(root, end, &here) {
        return Some(f);
    }
    if let Some(f) = prefect(root, end, &here) {
        return Some(f);
    }
    if let Some(f) = azureml_schedule(root, end, &here) {
        return Some(f);
    }
    if let Some(f) = cloudformation(root, end, &here) {
        return Some(f);
    }
    let mut triggers = Vec::new();
    let mut commands = Vec::new();
    for d in docs {
        let kind = d.get("kind").and_then(Node::as_str).unwrap_or("");
        if matches!(
            kind,
            "CronJob" | "CronWorkflow" | "ScheduledSparkApplication"
        ) {
            let mut s = Vec::new();
            d.find_path(&["spec".into(), "schedule".into()], &mut s);
            d.find_path(&["spec".into(), "schedules".into()], &mut s);
            let (detail, line) = s
                .first()
                .map(|(n, l)| {
                    let mut v = Vec::new();
                    n.scalars(&mut v);
                    (v.first().map(|(x, _)| x.to_string()), *l)
                })
                .unwrap_or((None, d.line));
            triggers.push(trig(TriggerKind::Schedule, detail, line));
        }
        // Argo Events: a Sensor's triggers start workflows when an event arrives.
        if kind == "Sensor"
            && d.get("apiVersion")
                .and_then(Node::as_str)
                .is_some_and(|a| a.starts_with("argoproj.io"))
        {
            triggers.push(trig(
                TriggerKind::Event,
                Some("argo-events sensor".into()),
                d.line.max(1),
            ));
        }
        commands.extend(scalar_commands(d, true, &here));
    }
    if !triggers.is_empty() {
        return Some(entry("scheduler", triggers, whole_job(end, commands)));
    }
    // An ordinary YAML file (config, data, a manifest) is kept only for the values that could
    // run something or name a file: keeping every scalar of every YAML file until the graph is
    // built is what made memory grow with the tree (BENCHMARKS.md).
    commands.retain(could_run_or_name_a_file);
    commands.truncate(MAX_COMMANDS_PER_FILE);
    (!commands.is_empty()).then_some(FileFacts::Commands(commands))
}

/// Whether [`yaml_other`] could find anything in this file, decided from its name and text
/// without parsing it: parsing every configuration file of a large tree was a third of a scan.
/// Sound, not a guess: each kind of fact needs one of these words in the text (a shape's key, a
/// scheduled kind, a mark or runner of [`could_run_or_name_a_file`]), unless an escape sequence
/// spells it.
fn yaml_may_yield(doc: &Document) -> bool {
    const WORDS: &[&str] = &[
        // azure_shape, gitlab_shape, databricks, prefect, azureml_schedule, cloudformation
        "stages",
        "jobs",
        "steps",
        "extends",
        "script",
        "resources",
        "deployments",
        "$schema",
        "Resources",
        // scheduled and event-driven kinds
        "CronJob",
        "CronWorkflow",
        "ScheduledSparkApplication",
        "Sensor",
    ];
    static KEYS: LazyLock<aho_corasick::AhoCorasick> =
        LazyLock::new(|| aho_corasick::AhoCorasick::new(WORDS).expect("fixed word list builds"));
    static MARKS: LazyLock<aho_corasick::AhoCorasick> = LazyLock::new(|| {
        aho_corasick::AhoCorasick::new(COMMAND_MARKS).expect("fixed mark list builds")
    });
    static RUNNER: LazyLock<Regex> = LazyLock::new(|| {
        let words: Vec<String> = COMMAND_RUNNERS.iter().map(|w| regex::escape(w)).collect();
        Regex::new(&format!(r"(?-u:\b)(?:{})(?-u:\b)", words.join("|")))
            .expect("fixed runner list builds")
    });
    // Keys and kinds are whole words (`script:`, not `description:`).
    let bytes = doc.text.as_bytes();
    let word = |i: Option<usize>| {
        i.and_then(|i| bytes.get(i))
            .is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'_')
    };
    let key = KEYS
        .find_overlapping_iter(&doc.text)
        .any(|m| !word(m.start().checked_sub(1)) && !word(Some(m.end())));
    let name = file_name(&doc.rel);
    name == "action.yml"
        || name == "action.yaml"
        || name.starts_with("kustomization.")
        || name == "Kustomization"
        || key
        || MARKS.is_match(&doc.text)
        || RUNNER.is_match(&doc.text)
        || crate::structured::has_escape(&doc.text)
}

/// A generated YAML of thousands of entries adds nothing past this many candidate commands.
const MAX_COMMANDS_PER_FILE: usize = 2_000;

/// Text in a value that names a file or a path.
const COMMAND_MARKS: &[&str] = &[
    "/",
    ".py",
    ".sh",
    ".yml",
    ".yaml",
    ".ipynb",
    ".R",
    ".jar",
    ".ps1",
    "Makefile",
    "Dockerfile",
];
/// First words of a value that runs something.
const COMMAND_RUNNERS: &[&str] = &[
    "python",
    "python3",
    "bash",
    "sh",
    "make",
    "dvc",
    "kedro",
    "az",
    "kubectl",
    "helm",
    "docker",
    "gcloud",
    "aws",
    "pytest",
    "Rscript",
    "papermill",
    "mlflow",
    "uvicorn",
    "gunicorn",
    "streamlit",
    "torchrun",
    "accelerate",
    "deepspeed",
    "spark-submit",
    "databricks",
    "java",
    "node",
    "uv",
    "poetry",
    "tox",
    "nox",
];

fn could_run_or_name_a_file(c: &Command) -> bool {
    let t = c.text.trim();
    COMMAND_MARKS.iter().any(|m| t.contains(m))
        || t.split_whitespace()
            .next()
            .is_some_and(|w| COMMAND_RUNNERS.contains(&w))
}

/// Databricks asset bundle (`databricks.yml` or an included `resources/*.yml`): each job with
/// its schedule, trigger or none (run on demand), and its tasks' files.
fn databricks(root: &Node, end: u32, here: &str) -> Option<FileFacts> {
    let jobs_node = root.get("resources")?.get("jobs")?;
    let entries = jobs_node.entries();
    if entries.is_empty() {
        return None;
    }
    let jobs = entries
        .iter()
        .zip(ranges(entries, end))
        .map(|((name, line, job), (_, job_end))| {
            let mut t = Vec::new();
            if let Some(s) = job.get("schedule") {
                let paused = str_at(s, &["pause_status"]) == Some("PAUSED");
                if !paused {
                    t.push(trig(
                        TriggerKind::Schedule,
                        str_at(s, &["quartz_cron_expression"]).map(str::to_string),
                        s.line.max(*line),
                    ));
                }
            }
            if let Some(tr) = job.get("trigger") {
                for (k, kl, _) in tr.entries() {
                    match k.as_str() {
                        "periodic" => {
                            t.push(trig(TriggerKind::Schedule, Some("periodic".into()), *kl))
                        }
                        "file_arrival" | "table_update" | "table" => {
                            t.push(trig(TriggerKind::Event, Some(k.clone()), *kl))
                        }
                        _ => {}
                    }
                }
            }
            if job.get("continuous").is_some() {
                t.push(trig(TriggerKind::Event, Some("continuous".into()), *line));
            }
            if t.is_empty() {
                t.push(trig(TriggerKind::Manual, None, *line));
            }
            let mut commands = Vec::new();
            for task in job.get("tasks").map(Node::as_seq).unwrap_or(&[]) {
                for p in [
                    &["spark_python_task", "python_file"][..],
                    &["notebook_task", "notebook_path"],
                    &["sql_task", "file", "path"],
                ] {
                    let mut cur = Some(task);
                    for k in p {
                        cur = cur.and_then(|n| n.get(k));
                    }
                    if let Some(n) = cur
                        && let Some(s) = n.as_str()
                        && !s.starts_with('/')
                        && !s.contains("${")
                    {
                        commands.push(Command {
                            line: n.line,
                            text: format!("/{}", super::join(here, s).unwrap_or_default()),
                            shell: false,
                            cwd: None,
                        });
                    }
                }
                if let Some(n) = task.get("python_wheel_task")
                    && let Some(ep) = str_at(n, &["entry_point"])
                {
                    commands.push(Command {
                        line: n.line,
                        text: ep.to_string(),
                        shell: false,
                        cwd: None,
                    });
                }
            }
            Job {
                name: name.clone(),
                line: *line,
                end: job_end,
                triggers: t,
                commands,
            }
        })
        .collect();
    Some(entry("databricks", Vec::new(), jobs))
}

/// `prefect.yaml`: deployments with schedules or event triggers, and their flow entrypoints.
fn prefect(root: &Node, end: u32, here: &str) -> Option<FileFacts> {
    let deps = root.get("deployments")?.as_seq();
    if deps.is_empty() || !deps.iter().any(|d| d.get("entrypoint").is_some()) {
        return None;
    }
    let mut jobs = Vec::new();
    for (i, d) in deps.iter().enumerate() {
        let name = str_at(d, &["name"]).unwrap_or("deployment").to_string();
        let line = d.line;
        let job_end = deps
            .get(i + 1)
            .map(|n| n.line.saturating_sub(1))
            .unwrap_or(end);
        let mut t = Vec::new();
        let mut sched: Vec<&Node> = d
            .get("schedules")
            .map(|s| s.as_seq().iter().collect())
            .unwrap_or_default();
        if let Some(s) = d.get("schedule") {
            sched.push(s);
        }
        for s in sched {
            let detail = str_at(s, &["cron"])
                .map(str::to_string)
                .or_else(|| str_at(s, &["interval"]).map(|x| format!("every {x}s")))
                .or_else(|| str_at(s, &["rrule"]).map(str::to_string));
            if s.get("active").and_then(Node::as_str) != Some("false") {
                t.push(trig(TriggerKind::Schedule, detail, s.line));
            }
        }
        for tr in d.get("triggers").map(Node::as_seq).unwrap_or(&[]) {
            let ev = tr
                .get("expect")
                .and_then(|e| e.as_seq().first().and_then(Node::as_str).or(e.as_str()))
                .map(str::to_string);
            t.push(trig(TriggerKind::Event, ev, tr.line));
        }
        if t.is_empty() {
            t.push(trig(TriggerKind::Manual, None, line));
        }
        let mut commands = Vec::new();
        if let Some(ep) = d.get("entrypoint")
            && let Some(s) = ep.as_str()
        {
            let file = s.split(':').next().unwrap_or(s);
            commands.push(Command {
                line: ep.line,
                text: format!("/{}", super::join(here, file).unwrap_or_default()),
                shell: false,
                cwd: None,
            });
        }
        jobs.push(Job {
            name,
            line,
            end: job_end,
            triggers: t,
            commands,
        });
    }
    Some(entry("prefect", Vec::new(), jobs))
}

/// Azure ML schedule (`schedule.schema.json` with `create_job` / `create_monitor`).
fn azureml_schedule(root: &Node, end: u32, here: &str) -> Option<FileFacts> {
    let schema = root.get("$schema")?.as_str()?;
    if !schema.to_ascii_lowercase().contains("schedule") {
        return None;
    }
    if root.get("create_job").is_none() && root.get("create_monitor").is_none() {
        return None;
    }
    let tr = root.get("trigger");
    let detail = tr.and_then(|t| {
        str_at(t, &["expression"]).map(str::to_string).or_else(|| {
            let f = str_at(t, &["frequency"])?;
            let i = str_at(t, &["interval"]).unwrap_or("1");
            Some(format!("every {i} {f}"))
        })
    });
    let line = tr.map(|t| t.line).unwrap_or(1);
    Some(entry(
        "azureml-schedule",
        vec![trig(TriggerKind::Schedule, detail, line)],
        whole_job(end, scalar_commands(root, true, here)),
    ))
}

/// A CloudFormation/SAM template: EventBridge rules (schedule or event pattern) are entry
/// points whose targets' files run; a serverless function's handler is its code.
fn cloudformation(root: &Node, end: u32, here: &str) -> Option<FileFacts> {
    let res = root.get("Resources")?;
    let entries = res.entries();
    let handler_ref = |props: &Node| -> Option<Command> {
        let code = str_at(props, &["CodeUri"]).unwrap_or(".");
        let h = props.get("Handler")?;
        let module = h.as_str()?.rsplit_once('.')?.0;
        if code.contains(':') {
            return None;
        }
        let rel = super::join(here, code)?;
        Some(Command {
            line: h.line,
            text: format!("/{}", super::join(&rel, &format!("{module}.py"))?),
            shell: false,
            cwd: None,
        })
    };
    let resource_cmds = |n: &Node| -> Vec<Command> {
        let mut c = scalar_commands(n, false, here);
        if let Some(p) = n.get("Properties") {
            c.extend(handler_ref(p));
            if let Some(b) = str_at(p, &["Source", "BuildSpec"])
                && !b.contains('\n')
            {
                c.push(Command {
                    line: p.line,
                    text: b.to_string(),
                    shell: false,
                    cwd: None,
                });
            }
        }
        c
    };
    let mut jobs = Vec::new();
    for ((name, line, r), (_, r_end)) in entries.iter().zip(ranges(entries, end)) {
        let ty = str_at(r, &["Type"]).unwrap_or("");
        if !matches!(ty, "AWS::Events::Rule" | "AWS::Scheduler::Schedule") {
            continue;
        }
        let props = r.get("Properties");
        let mut t = Vec::new();
        if let Some(p) = props {
            if let Some(se) = p.get("ScheduleExpression") {
                t.push(trig(
                    TriggerKind::Schedule,
                    se.as_str().map(str::to_string),
                    se.line,
                ));
            }
            if let Some(ep) = p.get("EventPattern") {
                let mut dt = Vec::new();
                ep.find_path(&["detail-type".into()], &mut dt);
                let detail = dt.first().and_then(|(n, _)| {
                    n.as_str()
                        .or_else(|| n.as_seq().first().and_then(Node::as_str))
                        .map(str::to_string)
                });
                t.push(trig(TriggerKind::Event, detail, ep.line));
            }
        }
        if t.is_empty() {
            continue;
        }
        // Targets name other resources by logical id (`!GetAtt Pipeline.Arn`, `!Ref X`).
        let mut scal = Vec::new();
        if let Some(p) = props {
            for k in ["Targets", "Target"] {
                if let Some(n) = p.get(k) {
                    n.scalars(&mut scal);
                }
            }
        }
        let mut commands = Vec::new();
        for (other, _, on) in entries {
            if other != name
                && scal
                    .iter()
                    .any(|(s, _)| s.split(['.', ' ', ',']).any(|w| w == other))
            {
                commands.extend(resource_cmds(on));
            }
        }
        jobs.push(Job {
            name: name.clone(),
            line: *line,
            end: r_end,
            triggers: t,
            commands,
        });
    }
    if !jobs.is_empty() {
        return Some(entry("eventbridge", Vec::new(), jobs));
    }
    let mut commands = scalar_commands(root, true, here);
    for (_, _, r) in entries {
        if let Some(p) = r.get("Properties") {
            commands.extend(handler_ref(p));
        }
    }
    Some(FileFacts::Commands(commands))
}

// ---------------------------------------------------------------------------------------------
// Jenkins, Make, DVC, Python

fn jenkins(doc: &Document) -> FileFacts {
    static CRON: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\b(cron|pollSCM|upstream)\s*\(\s*(?:spec:\s*)?['"]?([^'")]*)"#)
            .expect("jenkins triggers")
    });
    let mut triggers = Vec::new();
    for (i, l) in doc.text.lines().enumerate() {
        if let Some(c) = CRON.captures(l) {
            let kind = match &c[1] {
                "cron" => TriggerKind::Schedule,
                "pollSCM" => TriggerKind::Push,
                _ => TriggerKind::PipelineCompletion,
            };
            triggers.push(trig(kind, Some(c[2].to_string()), i as u32 + 1));
        }
    }
    // Jobs are started by SCM hooks configured in Jenkins itself.
    triggers.push(trig(TriggerKind::External, None, 1));
    static STEP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\b(?:sh|bat|powershell|pwsh)\s*\(?\s*(?:script:\s*)?(?:'([^']*)'|"([^"]*)")"#)
            .expect("jenkins step")
    });
    let commands = doc
        .text
        .lines()
        .enumerate()
        .map(|(i, l)| {
            // `sh 'cmd'` anywhere on the line; other lines (inside `sh '''...'''` blocks) as is.
            let text = STEP
                .captures(l)
                .and_then(|c| c.get(1).or_else(|| c.get(2)))
                .map(|m| m.as_str().to_string())
                .unwrap_or_else(|| l.trim().to_string());
            Command {
                line: i as u32 + 1,
                text,
                shell: true,
                cwd: None,
            }
        })
        .collect();
    FileFacts::Entry {
        system: "jenkins",
        includes: Vec::new(),
        triggers,
        jobs: vec![Job {
            name: String::new(),
            line: 1,
            end: doc.text.lines().count() as u32,
            triggers: Vec::new(),
            commands,
        }],
    }
}

/// A Dockerfile: `RUN` commands, and `CMD` / `ENTRYPOINT` (exec or shell form), with image
/// paths mapped back to the repository through `COPY`/`ADD` and `WORKDIR` (the build context
/// is taken to be the Dockerfile's directory).
fn dockerfile(doc: &Document) -> FileFacts {
    let here = super::parent(&doc.rel).to_string();
    let mut copies: Vec<(String, String)> = Vec::new(); // (image path, repository path)
    let mut workdir = String::from("/");
    let mut commands = Vec::new();
    let mut entrypoint: Option<(u32, Vec<String>)> = None;
    let mut cmd: Option<(u32, Vec<String>)> = None;
    let mut logical = String::new();
    let mut start = 0u32;
    let map_path = |tok: &str, workdir: &str, copies: &[(String, String)]| -> Option<String> {
        if tok.starts_with('-') || tok.contains('$') || tok.contains("://") {
            return None;
        }
        let abs = if tok.starts_with('/') {
            tok.to_string()
        } else {
            format!(
                "{}/{}",
                workdir.trim_end_matches('/'),
                tok.trim_start_matches("./")
            )
        };
        let (dest, src) = copies
            .iter()
            .filter(|(d, _)| {
                let d = d.trim_end_matches('/');
                abs == d || abs.starts_with(&format!("{d}/")) || d.is_empty()
            })
            .max_by_key(|(d, _)| d.len())?;
        let rest = abs[dest.trim_end_matches('/').len()..].trim_start_matches('/');
        let p = if rest.is_empty() {
            src.clone()
        } else {
            super::join(src, rest)?
        };
        Some(format!("/{p}"))
    };
    let rewrite = |toks: &[String], workdir: &str, copies: &[(String, String)]| -> String {
        let mapped: Vec<String> = toks
            .iter()
            .map(|t| {
                if t.contains('/') || t.ends_with(".py") || t.ends_with(".sh") {
                    map_path(t, workdir, copies).unwrap_or_else(|| t.clone())
                } else {
                    t.clone()
                }
            })
            .collect();
        shell_join(mapped.iter().map(String::as_str))
    };
    let argv = |rest: &str| -> Vec<String> {
        let r = rest.trim();
        if r.starts_with('[')
            && let Ok(v) = serde_json::from_str::<Vec<String>>(r)
        {
            return v;
        }
        r.split_whitespace().map(str::to_string).collect()
    };
    for (i, raw) in doc.text.lines().enumerate() {
        let n = i as u32 + 1;
        let t = raw.trim();
        if logical.is_empty() {
            if t.starts_with('#') || t.is_empty() {
                continue;
            }
            start = n;
        }
        logical.push_str(t.trim_end_matches('\\'));
        logical.push(' ');
        if t.ends_with('\\') {
            continue;
        }
        let line = std::mem::take(&mut logical);
        let (instr, rest) = line
            .trim()
            .split_once(char::is_whitespace)
            .unwrap_or((line.trim(), ""));
        match instr.to_ascii_uppercase().as_str() {
            "WORKDIR" => {
                let w = rest.trim();
                workdir = if w.starts_with('/') {
                    w.to_string()
                } else {
                    format!("{}/{}", workdir.trim_end_matches('/'), w)
                };
            }
            "COPY" | "ADD" => {
                let toks: Vec<String> = argv(rest)
                    .into_iter()
                    .filter(|t| !t.starts_with("--"))
                    .collect();
                if toks.len() >= 2 {
                    let dest = &toks[toks.len() - 1];
                    let dest_abs = if dest.starts_with('/') {
                        dest.clone()
                    } else {
                        format!(
                            "{}/{}",
                            workdir.trim_end_matches('/'),
                            dest.trim_start_matches("./")
                        )
                    };
                    let srcs = &toks[..toks.len() - 1];
                    for s in srcs {
                        if s.contains("://") || s.contains('*') {
                            continue;
                        }
                        let Some(src) = super::join(&here, s) else {
                            continue;
                        };
                        // `COPY serve.py /app/` puts the file inside the directory.
                        let is_file = file_name(s).contains('.') && s != "." && !s.ends_with('/');
                        let d = if is_file && (dest.ends_with('/') || srcs.len() > 1) {
                            format!("{}/{}", dest_abs.trim_end_matches('/'), file_name(s))
                        } else {
                            dest_abs.clone()
                        };
                        copies.push((d, src));
                    }
                }
            }
            "RUN" => {
                let toks = argv(rest);
                commands.push(Command {
                    line: start,
                    text: if rest.trim().starts_with('[') {
                        rewrite(&toks, &workdir, &copies)
                    } else {
                        // Shell form: rewrite path-like words only.
                        rest.split_whitespace()
                            .map(|w| {
                                if w.contains('/') || w.ends_with(".py") || w.ends_with(".sh") {
                                    map_path(w, &workdir, &copies).unwrap_or_else(|| w.to_string())
                                } else {
                                    w.to_string()
                                }
                            })
                            .collect::<Vec<_>>()
                            .join(" ")
                    },
                    shell: true,
                    cwd: None,
                });
            }
            "CMD" | "ENTRYPOINT" => {
                // Image paths in the argv mapped back to repository paths through COPY/WORKDIR.
                let mapped: Vec<String> = argv(rest)
                    .into_iter()
                    .map(|t| {
                        if t.contains('/') || t.ends_with(".py") || t.ends_with(".sh") {
                            map_path(&t, &workdir, &copies).unwrap_or(t)
                        } else {
                            t
                        }
                    })
                    .collect();
                if instr.eq_ignore_ascii_case("CMD") {
                    cmd = Some((start, mapped));
                } else {
                    entrypoint = Some((start, mapped));
                }
            }
            _ => {}
        }
    }
    // ENTRYPOINT + CMD form one command; either alone runs as is.
    match (entrypoint, cmd) {
        (Some((l, mut e)), Some((_, c))) => {
            e.extend(c);
            commands.push(Command {
                line: l,
                text: shell_join(e.iter().map(String::as_str)),
                shell: true,
                cwd: None,
            });
        }
        (Some((l, v)), None) | (None, Some((l, v))) => {
            commands.push(Command {
                line: l,
                text: shell_join(v.iter().map(String::as_str)),
                shell: true,
                cwd: None,
            });
        }
        (None, None) => {}
    }
    FileFacts::Commands(commands)
}

/// Terraform: an EventBridge rule / Cloud Scheduler job with a schedule or event pattern is
/// an entry point; the file's path-like strings are what it targets.
fn terraform(doc: &Document) -> Option<FileFacts> {
    static RULE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^\s*resource\s+"(aws_cloudwatch_event_rule|aws_scheduler_schedule|google_cloud_scheduler_job)"\s+"([\w-]+)""#)
            .expect("tf rule")
    });
    static SCHED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?m)^\s*(schedule_expression|schedule|event_pattern)\s*=\s*(?:"([^"\n]*)"|(.*))"#,
        )
        .expect("tf schedule")
    });
    static STR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#""([^"\n]{1,300})""#).expect("tf string"));
    let first = RULE.captures(&doc.text)?;
    let here = super::parent(&doc.rel).to_string();
    let mut triggers = Vec::new();
    for c in SCHED.captures_iter(&doc.text) {
        let line = doc.file_line(doc.line_index(c.get(0).map(|m| m.start()).unwrap_or(0)));
        if &c[1] == "event_pattern" {
            triggers.push(trig(TriggerKind::Event, None, line));
        } else {
            triggers.push(trig(
                TriggerKind::Schedule,
                c.get(2).map(|m| m.as_str().to_string()),
                line,
            ));
        }
    }
    if triggers.is_empty() {
        return None;
    }
    let mut commands = Vec::new();
    for c in STR.captures_iter(&doc.text) {
        let m = c.get(1).expect("group");
        let s = m
            .as_str()
            .trim_start_matches("${path.module}/")
            .trim_start_matches("${path.root}/");
        if (s.contains('/') || s.contains('.')) && !s.contains('$') && !s.contains(' ') {
            let line = doc.file_line(doc.line_index(m.start()));
            if let Some(p) = super::join(&here, s) {
                commands.push(Command {
                    line,
                    text: format!("/{p}"),
                    shell: false,
                    cwd: None,
                });
            }
        }
    }
    let line = doc.file_line(doc.line_index(first.get(0).map(|m| m.start()).unwrap_or(0)));
    Some(entry(
        "eventbridge",
        Vec::new(),
        vec![Job {
            name: first[2].to_string(),
            line,
            end: doc.text.lines().count() as u32,
            triggers,
            commands,
        }],
    ))
}

fn makefile(doc: &Document) -> FileFacts {
    let mut targets: Vec<Target> = Vec::new();
    let mut continued = String::new();
    let mut cont_line = 0u32;
    for (i, raw) in doc.text.lines().enumerate() {
        let n = i as u32 + 1;
        let is_recipe = raw.starts_with('\t') || (raw.starts_with("    ") && !targets.is_empty());
        if is_recipe {
            if let Some(t) = targets.last_mut() {
                let body = raw.trim();
                if body.starts_with('#') {
                    continue;
                }
                // Backslash continuations form one command.
                if continued.is_empty() {
                    cont_line = n;
                }
                continued.push_str(body.trim_end_matches('\\'));
                continued.push(' ');
                if !body.ends_with('\\') {
                    let text = std::mem::take(&mut continued)
                        .trim()
                        .trim_start_matches(['@', '-', '+'])
                        .replace("$(MAKE)", "make")
                        .replace("${MAKE}", "make");
                    t.commands.push(Command {
                        line: cont_line,
                        text,
                        shell: true,
                        cwd: None,
                    });
                }
                t.end = n;
            }
            continue;
        }
        let line = raw.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some(colon) = line.find(':') else {
            continue;
        };
        let (head, tail) = line.split_at(colon);
        let tail = &tail[1..];
        // `X := y`, `X ?= y`, `X = a:b` are assignments, not rules.
        if tail.starts_with('=') || head.contains('=') || head.contains('?') {
            continue;
        }
        let (deps, inline) = match tail.split_once(';') {
            Some((d, c)) => (d, Some(c)),
            None => (tail, None),
        };
        for name in head.split_whitespace() {
            if name.starts_with('.') {
                continue;
            }
            let mut t = Target {
                name: name.to_string(),
                line: n,
                end: n,
                deps: deps.split_whitespace().map(str::to_string).collect(),
                commands: Vec::new(),
            };
            if let Some(c) = inline {
                t.commands.push(Command {
                    line: n,
                    text: c.trim().to_string(),
                    shell: true,
                    cwd: None,
                });
            }
            targets.push(t);
        }
    }
    FileFacts::Targets {
        kind: TargetKind::Make,
        targets,
    }
}

fn dvc(doc: &Document) -> Option<FileFacts> {
    let root = doc.structured().ok()?.first()?.clone();
    let end = doc.text.lines().count() as u32;
    let stages = root.get("stages")?;
    let entries = stages.entries();
    let targets = entries
        .iter()
        .zip(ranges(entries, end))
        .map(|((name, line, stage), (_, stage_end))| {
            let mut commands = Vec::new();
            let wdir = stage
                .get("wdir")
                .and_then(Node::as_str)
                .map(|s| s.trim_start_matches("./").to_string());
            if let Some(cmd) = stage.get("cmd") {
                let mut s = Vec::new();
                cmd.scalars(&mut s);
                for (text, l) in s {
                    push_block(&mut commands, text, l, true, wdir.as_deref());
                }
            }
            Target {
                name: name.clone(),
                line: *line,
                end: stage_end,
                deps: Vec::new(),
                commands,
            }
        })
        .collect();
    Some(FileFacts::Targets {
        kind: TargetKind::Dvc,
        targets,
    })
}

fn python(doc: &Document) -> FileFacts {
    static IMPORT: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^[ \t]*(?:from[ \t]+(\.*[\w.]*)[ \t]+import[ \t]+\(?([\w, \t]+)|import[ \t]+([\w.]+(?:[ \t]*,[ \t]*[\w.]+)*))")
            .expect("import pattern")
    });
    static LITERAL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#""([^"\n]{1,300})"|'([^'\n]{1,300})'"#).expect("literal pattern")
    });
    static CODE_DIR: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\b(?:source_dir|source_directory|code|code_dir|code_directory)\s*=\s*["']([^"'\n]+)["']"#)
            .expect("code dir pattern")
    });
    let mut imports = Vec::new();
    for c in IMPORT.captures_iter(&doc.text) {
        let line = doc.file_line(doc.line_index(c.get(0).map(|m| m.start()).unwrap_or(0)));
        if let Some(from) = c.get(1) {
            let base = from.as_str();
            imports.push((line, base.to_string()));
            for name in c[2].split(',') {
                let name = name.split_whitespace().next().unwrap_or("");
                if !name.is_empty() {
                    let sep = if base.ends_with('.') { "" } else { "." };
                    imports.push((line, format!("{base}{sep}{name}")));
                }
            }
        } else if let Some(m) = c.get(3) {
            for name in m.as_str().split(',') {
                imports.push((line, name.trim().to_string()));
            }
        }
    }
    let mut literals = Vec::new();
    // Matches without capture groups: the quotes are one byte each side. (Every string
    // literal of every Python file is matched: captures made this a tenth of history's time.)
    for m in LITERAL.find_iter(&doc.text) {
        let s = &m.as_str()[1..m.len() - 1];
        // Only strings that could name a file: a path separator or a script extension.
        if s.contains('/') || s.ends_with(".py") || s.ends_with(".sh") || s.contains(".py ") {
            let line = doc.file_line(doc.line_index(m.start() + 1));
            literals.push(Command {
                line,
                text: s.to_string(),
                shell: s.starts_with("python") || s.contains(".sh") || s.starts_with("bash "),
                cwd: None,
            });
        }
    }
    let code_dirs = CODE_DIR
        .captures_iter(&doc.text)
        .map(|c| {
            c[1].trim_start_matches("./")
                .trim_end_matches('/')
                .to_string()
        })
        .collect();
    static SCHEDULE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\b(?:schedule|schedule_interval|cron|cron_schedule|hourly|daily)\s*=\s*["']([^"'\n]{1,80})["']|\bCronSchedule\(\s*(?:schedule\s*=\s*|cron_expression\s*=\s*)?["']([^"'\n]{1,80})["']"#)
            .expect("schedule pattern")
    });
    let schedules = SCHEDULE
        .captures_iter(&doc.text)
        .filter_map(|c| {
            let m = c.get(1).or_else(|| c.get(2))?;
            Some((
                doc.file_line(doc.line_index(m.start())),
                m.as_str().to_string(),
            ))
        })
        .collect();
    FileFacts::Python {
        imports,
        literals,
        code_dirs,
        schedules,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(rel: &str, text: &str) -> FileFacts {
        extract(&Document::new(rel, text.to_string())).expect("facts")
    }

    #[test]
    fn gha_triggers_and_steps() {
        let f = facts(
            ".github/workflows/train.yml",
            "on:\n  schedule:\n    - cron: '0 3 * * 1'\n  workflow_dispatch:\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: |\n          pip install -r requirements.txt\n          make train\n        working-directory: ml\n",
        );
        let FileFacts::Entry { triggers, jobs, .. } = f else {
            panic!()
        };
        assert_eq!(triggers[0].kind, TriggerKind::Schedule);
        assert_eq!(triggers[0].detail.as_deref(), Some("0 3 * * 1"));
        assert_eq!(triggers[0].line, 3);
        assert_eq!(triggers[1].kind, TriggerKind::Manual);
        let make = jobs[0]
            .commands
            .iter()
            .find(|c| c.text.contains("make"))
            .unwrap();
        assert_eq!(make.line, 12);
        assert_eq!(make.cwd.as_deref(), Some("/ml"));
    }

    /// The textual precheck never hides a fact that parsing would find, and it does skip the
    /// configuration files that hold none.
    #[test]
    fn yaml_precheck_is_sound_and_skips_plain_config() {
        let parsed = |rel: &str, text: &str| {
            let doc = Document::new(rel, text.to_string());
            (
                yaml_may_yield(&doc),
                doc.was_parsed(),
                extract(&doc).is_some(),
            )
        };
        let yielding = [
            (
                "k8s/cron.yaml",
                "kind: CronJob\nspec:\n  schedule: '0 3 * * *'\n",
            ),
            ("jobs/train.yml", "command: [python, train.py]\n"),
            ("jobs/spec.yml", "entry: make train\n"),
            ("conf/paths.yml", "data: data/raw\n"),
            ("pipe/azure.yml", "steps:\n  - script: echo hi\n"),
            (
                "bundle.yml",
                "resources:\n  jobs:\n    j:\n      tasks: []\n",
            ),
            // `c` spelt as an escape: the text holds no runner word, the value does.
            ("conf/escaped.yml", "cmd: \"\\x6dake train\"\n"),
        ];
        for (rel, text) in yielding {
            let (may, _, yields) = parsed(rel, text);
            assert!(may, "{rel}: precheck refused a file with facts");
            assert!(yields, "{rel}: no facts");
        }
        // `description` and `scripts` hold `script`, `makes` holds `make`: no key, no runner.
        let (may, was_parsed, yields) = parsed(
            "svc/settings.yaml",
            "handler:\n  retry:\n    enabled: true\n    description: makes scripts wait\n",
        );
        assert!(!may && !was_parsed && !yields);
    }

    #[test]
    fn makefile_targets() {
        let FileFacts::Targets { targets, .. } = facts(
            "Makefile",
            "PY := python\n.PHONY: train\ntrain: data\n\t$(PY) src/train.py \\\n\t  --epochs 3\n\ndata:\n\t@bash scripts/get.sh\n",
        ) else {
            panic!()
        };
        assert_eq!(targets.len(), 2);
        assert_eq!(targets[0].name, "train");
        assert_eq!(targets[0].deps, vec!["data"]);
        assert_eq!(targets[0].commands[0].line, 4);
        assert!(targets[0].commands[0].text.contains("--epochs 3"));
        assert_eq!(targets[1].commands[0].text, "bash scripts/get.sh");
    }

    #[test]
    fn gitlab_schedule_jobs() {
        let FileFacts::Entry { jobs, .. } = facts(
            ".gitlab-ci.yml",
            "stages: [test]\ntest:\n  script:\n    - pytest\nretrain:\n  rules:\n    - if: '$CI_PIPELINE_SOURCE == \"schedule\"'\n  script:\n    - python train.py\n",
        ) else {
            panic!()
        };
        assert_eq!(jobs.len(), 2);
        assert!(jobs[0].triggers.is_empty());
        assert_eq!(jobs[1].triggers[0].kind, TriggerKind::Schedule);
    }

    #[test]
    fn python_imports_and_literals() {
        let FileFacts::Python {
            imports,
            literals,
            code_dirs,
            ..
        } = facts(
            "pipeline.py",
            "from src.model import train, evaluate\nimport utils.io as io\nest = Estimator(entry_point='train.py', source_dir='./src')\n",
        )
        else {
            panic!()
        };
        assert!(imports.iter().any(|(_, m)| m == "src.model.train"));
        assert!(imports.iter().any(|(_, m)| m == "utils.io"));
        assert!(literals.iter().any(|c| c.text == "train.py"));
        assert_eq!(code_dirs, vec!["src"]);
    }

    #[test]
    fn gitlab_rules_and_only() {
        let FileFacts::Entry { jobs, .. } = facts(
            ".gitlab-ci.yml",
            "a:\n  rules:\n    - if: '$CI_PIPELINE_SOURCE == \"schedule\"'\n      when: never\n    - if: '$CI_MERGE_REQUEST_IID'\n  script: [pytest]\nb:\n  only: [schedules, web]\n  script: [python t.py]\nc:\n  when: manual\n  script: [make deploy]\n",
        ) else {
            panic!()
        };
        let kinds = |i: usize| jobs[i].triggers.iter().map(|t| t.kind).collect::<Vec<_>>();
        assert_eq!(kinds(0), vec![TriggerKind::PullRequest]);
        assert_eq!(kinds(1), vec![TriggerKind::Schedule, TriggerKind::Manual]);
        assert_eq!(kinds(2), vec![TriggerKind::Manual]);
    }

    #[test]
    fn dockerfile_maps_image_paths_to_the_repository() {
        let FileFacts::Commands(c) = facts(
            "svc/Dockerfile",
            "FROM python:3.11\nWORKDIR /srv\nCOPY src/ ./src/\nCOPY entry.sh /usr/local/bin/\nRUN pip install .\nENTRYPOINT [\"/usr/local/bin/entry.sh\"]\nCMD [\"python\", \"src/serve.py\"]\n",
        ) else {
            panic!()
        };
        let last = c.last().expect("cmd");
        assert_eq!(last.text, "/svc/entry.sh python /svc/src/serve.py");
        assert_eq!(last.line, 6);
    }

    #[test]
    fn azure_shape_anywhere_and_not_other_yaml() {
        assert!(matches!(
            facts("ops/train.yml", "steps:\n  - script: python train.py\n"),
            FileFacts::Entry {
                system: "azure-pipelines",
                ..
            }
        ));
        // A data YAML keeps no facts at all: nothing in it runs or names a file.
        assert!(
            extract(&Document::new(
                "conf/params.yml",
                "steps: 3\nlr: 0.1\n".to_string()
            ))
            .is_none()
        );
        assert!(matches!(
            facts("conf/job.yml", "command: python train.py\nlr: 0.1\n"),
            FileFacts::Commands(c) if c.len() == 1
        ));
    }
}
