//! What each file contributes to the automation graph, read during the single read pass:
//! CI entry points (their triggers and jobs), Makefile targets, DVC stages, shell scripts,
//! Python imports and path-like string literals, and YAML job specs.

use super::{Trigger, TriggerKind};
use crate::read::Document;
use crate::structured::{Node, Value};
use regex::Regex;
use std::sync::LazyLock;

/// A command or a string that may name repository files, with where it was written.
#[derive(Debug, Clone)]
pub struct Command {
    pub line: u32,
    pub text: String,
    /// Shell commands are parsed for what they run; plain references (YAML `code:`, Python
    /// string literals) are only resolved as paths.
    pub shell: bool,
    pub cwd: Option<String>,
}

#[derive(Debug, Clone)]
pub struct Job {
    pub name: String,
    pub line: u32,
    pub end: u32,
    /// Empty: the file's triggers apply.
    pub triggers: Vec<Trigger>,
    pub commands: Vec<Command>,
}

#[derive(Debug, Clone)]
pub struct Target {
    pub name: String,
    pub line: u32,
    pub end: u32,
    pub deps: Vec<String>,
    pub commands: Vec<Command>,
}

#[derive(Debug, Clone)]
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
    Targets { kind: TargetKind, targets: Vec<Target> },
    /// A file whose commands all run when it runs (shell script, YAML job spec).
    Commands(Vec<Command>),
    Python {
        imports: Vec<(u32, String)>,
        literals: Vec<Command>,
        /// Directories named by `source_dir=` / `code=`: where relative entry points live.
        code_dirs: Vec<String>,
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

/// Which CI system a path belongs to, by location alone.
pub fn ci_system(rel: &str) -> Option<&'static str> {
    let name = file_name(rel);
    if rel.starts_with(".github/workflows/") && is_yaml(rel) && !rel[18..].contains('/') {
        return Some("github-actions");
    }
    if name == ".gitlab-ci.yml" || (rel.starts_with(".gitlab/ci/") && is_yaml(rel)) {
        return Some("gitlab-ci");
    }
    if name == "Jenkinsfile" || name.ends_with(".jenkinsfile") || name.starts_with("Jenkinsfile.")
    {
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

pub fn extract(doc: &Document) -> Option<FileFacts> {
    let rel = doc.rel.as_str();
    let name = file_name(rel);
    if let Some(system) = ci_system(rel) {
        return Some(match system {
            "jenkins" => jenkins(doc),
            _ => yaml_entry(doc, system)?,
        });
    }
    if name == "Makefile" || name == "makefile" || name == "GNUmakefile" || name.ends_with(".mk")
    {
        return Some(makefile(doc));
    }
    if name == "dvc.yaml" {
        return dvc(doc);
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
                .find(|(k, _, v)| CODE_KEYS.contains(&k.as_str()) && v.as_str().is_some_and(local_dir))
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
                && argv.iter().all(|n| seq_scalars(n).is_some() || n.as_str().is_some());
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
        for (i, l) in s.lines().enumerate() {
            if !l.trim().is_empty() {
                out.push(Command {
                    line: line + 1 + i as u32,
                    text: l.to_string(),
                    shell,
                    cwd: cwd.map(str::to_string),
                });
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

fn trig(kind: TriggerKind, detail: Option<String>, line: u32) -> Trigger {
    Trigger { kind, detail, line }
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

fn yaml_entry(doc: &Document, system: &'static str) -> Option<FileFacts> {
    let root = doc.structured().ok()?.first()?.clone();
    let end = doc.text.lines().count() as u32;
    let whole = |triggers: Vec<Trigger>| FileFacts::Entry {
        system,
        triggers,
        jobs: vec![Job {
            name: String::new(),
            line: 1,
            end,
            triggers: Vec::new(),
            commands: scalar_commands(&root, true),
        }],
    };
    Some(match system {
        "github-actions" => {
            let triggers = root.get("on").map(gha_triggers).unwrap_or_default();
            let default_wd = root
                .get("defaults")
                .and_then(|d| d.get("run"))
                .and_then(|r| r.get("working-directory"))
                .and_then(Node::as_str)
                .map(str::to_string);
            let jobs_node = root.get("jobs");
            let entries = jobs_node.map(Node::entries).unwrap_or(&[]);
            let jobs = entries
                .iter()
                .zip(ranges(entries, end))
                .map(|((name, line, job), (_, job_end))| {
                    let job_wd = job
                        .get("defaults")
                        .and_then(|d| d.get("run"))
                        .and_then(|r| r.get("working-directory"))
                        .and_then(Node::as_str)
                        .map(str::to_string)
                        .or_else(|| default_wd.clone());
                    let mut commands = Vec::new();
                    for step in job.get("steps").map(Node::as_seq).unwrap_or(&[]) {
                        let wd = step
                            .get("working-directory")
                            .and_then(Node::as_str)
                            .map(str::to_string)
                            .or_else(|| job_wd.clone());
                        for (k, kl, v) in step.entries() {
                            match (k.as_str(), v.as_str()) {
                                ("run", Some(s)) => {
                                    push_block(&mut commands, s, *kl, true, wd.as_deref())
                                }
                                ("name" | "id" | "if" | "working-directory" | "shell", _) => {}
                                _ => commands.extend(scalar_commands(v, false)),
                            }
                        }
                    }
                    // Reusable workflow calls: `jobs.x.uses: ./.github/workflows/y.yml`.
                    if let Some(u) = job.get("uses") {
                        commands.extend(scalar_commands(u, false));
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
            FileFacts::Entry {
                system,
                triggers,
                jobs,
            }
        }
        "gitlab-ci" => gitlab(&root, end),
        "azure-pipelines" => whole(azure_triggers(&root)),
        "circleci" => {
            let mut crons = Vec::new();
            root.find_path(
                &[
                    "workflows".into(),
                    "*".into(),
                    "triggers".into(),
                    "*".into(),
                    "schedule".into(),
                    "cron".into(),
                ],
                &mut crons,
            );
            let mut t: Vec<Trigger> = crons
                .into_iter()
                .map(|(c, l)| {
                    trig(
                        TriggerKind::Schedule,
                        c.as_str().map(str::to_string),
                        l,
                    )
                })
                .collect();
            t.push(trig(TriggerKind::Push, None, 1));
            whole(t)
        }
        "bitbucket" => {
            let mut t = Vec::new();
            if let Some(p) = root.get("pipelines") {
                for (k, l, _) in p.entries() {
                    let kind = match k.as_str() {
                        "default" | "branches" => TriggerKind::Push,
                        "pull-requests" => TriggerKind::PullRequest,
                        "custom" => TriggerKind::Manual,
                        "tags" => TriggerKind::Release,
                        _ => TriggerKind::Event,
                    };
                    t.push(trig(kind, None, *l));
                }
            }
            whole(t)
        }
        "travis" => whole(vec![
            trig(TriggerKind::Push, None, 1),
            trig(TriggerKind::PullRequest, None, 1),
        ]),
        // Triggers configured in the cloud console: spec §3.2 counts them as code changes.
        _ => whole(vec![trig(TriggerKind::External, None, 1)]),
    })
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
        t.push(trig(TriggerKind::Schedule, c.as_str().map(str::to_string), l));
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
    "pages:deploy",
];

fn gitlab(root: &Node, end: u32) -> FileFacts {
    let entries = root.entries();
    let mut jobs = Vec::new();
    let mut include_cmds = Vec::new();
    for ((name, line, job), (_, job_end)) in entries.iter().zip(ranges(entries, end)) {
        if name == "include" {
            include_cmds.extend(scalar_commands(job, false));
            continue;
        }
        if GITLAB_RESERVED.contains(&name.as_str()) || !matches!(job.value, Value::Map(_)) {
            continue;
        }
        let text = {
            let mut s = Vec::new();
            for key in ["only", "rules", "when", "except"] {
                if let Some(n) = job.get(key) {
                    n.scalars(&mut s);
                }
            }
            s.into_iter().map(|(x, _)| x).collect::<Vec<_>>().join(" ")
        };
        let mut triggers = Vec::new();
        if text.contains("schedule") && !text.contains("push") && !text.contains("merge_request")
        {
            triggers.push(trig(TriggerKind::Schedule, None, *line));
        } else if job.get("when").and_then(Node::as_str) == Some("manual") {
            triggers.push(trig(TriggerKind::Manual, None, *line));
        }
        jobs.push(Job {
            name: name.clone(),
            line: *line,
            end: job_end,
            triggers,
            commands: scalar_commands(job, true),
        });
    }
    if !include_cmds.is_empty() {
        jobs.push(Job {
            name: "include".into(),
            line: 1,
            end: 1,
            triggers: Vec::new(),
            commands: include_cmds,
        });
    }
    FileFacts::Entry {
        system: "gitlab-ci",
        triggers: vec![
            trig(TriggerKind::Push, None, 1),
            trig(TriggerKind::PullRequest, None, 1),
        ],
        jobs,
    }
}

/// A YAML file outside the known CI locations: an Azure Pipelines file of pipeline shape
/// (wherever it lives), a Kubernetes `CronJob` / Argo `CronWorkflow`, a Databricks bundle with
/// a schedule, or a job spec whose scalars may name files.
fn yaml_other(doc: &Document) -> Option<FileFacts> {
    let docs = doc.structured().ok()?;
    let root = docs.first()?;
    let end = doc.text.lines().count() as u32;
    let has = |k: &str| root.get(k).is_some();
    let pipeline_shape = has("stages") || has("jobs") || has("steps");
    if pipeline_shape && (has("trigger") || has("pr") || has("schedules")) && !has("on") {
        return Some(FileFacts::Entry {
            system: "azure-pipelines",
            triggers: azure_triggers(root),
            jobs: vec![Job {
                name: String::new(),
                line: 1,
                end,
                triggers: Vec::new(),
                commands: scalar_commands(root, true),
            }],
        });
    }
    let mut triggers = Vec::new();
    let mut commands = Vec::new();
    for d in docs {
        let kind = d.get("kind").and_then(Node::as_str).unwrap_or("");
        if matches!(kind, "CronJob" | "CronWorkflow" | "ScheduledSparkApplication") {
            let mut s = Vec::new();
            d.find_path(&["spec".into(), "schedule".into()], &mut s);
            d.find_path(&["spec".into(), "schedules".into()], &mut s);
            let (detail, line) = s
                .first()
                .map(|(n, l)| (n.as_str().map(str::to_string), *l))
                .unwrap_or((None, d.line));
            triggers.push(trig(TriggerKind::Schedule, detail, line));
        }
        let mut sched = Vec::new();
        d.find_path(
            &[
                "resources".into(),
                "jobs".into(),
                "*".into(),
                "schedule".into(),
                "quartz_cron_expression".into(),
            ],
            &mut sched,
        );
        for (n, l) in sched {
            triggers.push(trig(
                TriggerKind::Schedule,
                n.as_str().map(str::to_string),
                l,
            ));
        }
        commands.extend(scalar_commands(d, true));
    }
    if !triggers.is_empty() {
        return Some(FileFacts::Entry {
            system: "scheduler",
            triggers,
            jobs: vec![Job {
                name: String::new(),
                line: 1,
                end,
                triggers: Vec::new(),
                commands,
            }],
        });
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
    for c in LITERAL.captures_iter(&doc.text) {
        let m = c.get(1).or_else(|| c.get(2)).expect("one alternative");
        let s = m.as_str();
        // Only strings that could name a file: a path separator or a script extension.
        if s.contains('/') || s.ends_with(".py") || s.ends_with(".sh") || s.contains(".py ") {
            let line = doc.file_line(doc.line_index(m.start()));
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
        .map(|c| c[1].trim_start_matches("./").trim_end_matches('/').to_string())
        .collect();
    FileFacts::Python {
        imports,
        literals,
        code_dirs,
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
        assert_eq!(make.cwd.as_deref(), Some("ml"));
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
}
