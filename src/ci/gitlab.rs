//! GitLab CI: `.gitlab-ci.yml` and `.gitlab/ci/*.yml`, local `include:`s, job triggers from
//! `rules:`/`only:`/`when:`, hidden template jobs for `extends:`.

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{ranges, scalar_commands, trig};
use crate::model::{Command, FileFacts, Job, Trigger, TriggerKind};
use crate::paths::file_name;
use crate::paths::is_yaml;
use crate::read::Document;
use crate::read::structured::{Node, Value};
use regex::Regex;
use std::sync::LazyLock;

pub(crate) const GITLAB_RESERVED: &[&str] = &[
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
pub(crate) fn gitlab_job_triggers(job: &Node, line: u32) -> Vec<Trigger> {
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

pub(crate) fn gitlab(docs: &[Node], end: u32, triggers: Vec<Trigger>, here: &str) -> FileFacts {
    // A `spec: inputs:` header is a document of its own before the pipeline's.
    let (root, spec) = crate::ci::calls::body(docs);
    let entries = root.entries();
    let mut jobs = Vec::new();
    let mut includes = Vec::new();
    let mut global_vars = crate::ci::vars::with_workspace_roots();
    crate::ci::vars::read_map(root.get("variables"), "", &mut global_vars);
    // `$[[ inputs.x ]]`: the header's defaults, or what the including file passes.
    crate::ci::vars::read_defaults(spec, "inputs.", &mut global_vars);
    crate::ci::calls::overlay_args(&mut global_vars);
    // Hidden jobs (`.name`) are templates for `extends:`.
    let templates: Vec<(&str, &Node)> = entries
        .iter()
        .filter(|(k, _, v)| k.starts_with('.') && matches!(v.value, Value::Map(_)))
        .map(|(k, _, v)| (k.as_str(), v))
        .collect();
    let mut order: Vec<Order> = Vec::new();
    for ((name, line, job), (_, job_end)) in entries.iter().zip(ranges(entries, end)) {
        // `include:`, and a job's `trigger: include:` (a child pipeline): their jobs run
        // as part of this pipeline.
        let child = job.get("trigger").and_then(|t| t.get("include"));
        if name == "include" || child.is_some() {
            let inc = child.unwrap_or(job);
            let mut items: Vec<&Node> = inc.as_seq().iter().collect();
            if items.is_empty() {
                items.push(inc);
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
                includes.push(Command::reference(
                    l,
                    format!("/{}", path.trim_start_matches('/')),
                ));
            }
            if name == "include" {
                continue;
            }
        }
        if GITLAB_RESERVED.contains(&name.as_str())
            || name.starts_with('.')
            || !matches!(job.value, Value::Map(_))
        {
            continue;
        }
        let mut commands = Vec::new();
        // A job's variables: the file's, then its templates', its own and its parallel
        // matrix's, each over the one before.
        let mut vars = global_vars.clone();
        let chain = template_chain(&templates, job);
        for tn in &chain {
            commands.extend(scalar_commands(tn, true, here));
            crate::ci::vars::read_map(tn.get("variables"), "", &mut vars);
        }
        commands.extend(scalar_commands(job, true, here));
        script_moved(job, &chain, &mut commands);
        crate::ci::vars::read_map(job.get("variables"), "", &mut vars);
        crate::ci::vars::read_matrix(
            job.get("parallel").and_then(|p| p.get("matrix")),
            "",
            &mut vars,
        );
        crate::ci::vars::expand(&mut commands, 0, &vars);
        // Nothing runs from a script that cannot parse to the end of the job.
        let broken = broken_script(job, &chain, job_end);
        if let Some((a, b, _)) = broken {
            commands.retain(|c| !(a..=b).contains(&c.line));
        }
        let mut never: Vec<_> = broken.into_iter().collect();
        let runs: Vec<&str> = commands
            .iter()
            .filter(|c| c.shell)
            .map(|c| c.text.as_str())
            .collect();
        never.extend(crate::ci::deploy_jobs::naming_lines(
            job,
            job.key_line("stage"),
            &runs,
            &[],
        ));
        // `trigger: include: child.yml` / `trigger: project`: a child pipeline.
        jobs.push(Job {
            name: name.clone(),
            line: *line,
            end: job_end,
            // Its own `rules:`/`only:`/`when:`, else the nearest template's.
            triggers: std::iter::once(job)
                .chain(chain.iter().rev().copied())
                .map(|n| gitlab_job_triggers(n, *line))
                .find(|t| !t.is_empty())
                .unwrap_or_default(),
            commands,
            // `allow_failure: true`: a failing job does not fail the pipeline.
            may_fail: if job.get("allow_failure").and_then(Node::as_str) == Some("true") {
                vec![(*line, job_end)]
            } else {
                Vec::new()
            },
            trial: Vec::new(),
            never,
            after: Vec::new(),
        });
        order.push(Order::of(job, &chain));
    }
    runs_after(root, &mut jobs, &order);
    FileFacts::Entry {
        system: "gitlab-ci",
        triggers,
        jobs,
        includes,
        name: None,
    }
}

/// GitLab runs `before_script` and `script` in one shell: a `cd svc` in `before_script` (the
/// job's own, else its nearest template's) moves the `script` lines that do not move themselves.
fn script_moved(job: &Node, chain: &[&Node], commands: &mut [crate::model::Command]) {
    let nearest = |key: &str| {
        std::iter::once(job)
            .chain(chain.iter().rev().copied())
            .find_map(|n| n.get(key))
    };
    let (Some(before), Some(script)) = (nearest("before_script"), nearest("script")) else {
        return;
    };
    let mut items = Vec::new();
    before.scalars(&mut items);
    let cwd = items.iter().fold(None, |cwd, (s, _)| {
        crate::shell::cd::after_block(cwd.as_deref(), s)
    });
    let Some(dir) = cwd else {
        return;
    };
    let mut lines = Vec::new();
    script.scalars(&mut lines);
    let Some(first) = lines.iter().map(|(_, l)| *l).min() else {
        return;
    };
    let last = lines
        .iter()
        .map(|(s, l)| *l + s.lines().count() as u32)
        .max()
        .unwrap_or(first);
    for c in commands
        .iter_mut()
        .filter(|c| c.shell && c.cwd.is_none() && (first..=last).contains(&c.line))
    {
        c.cwd = Some(dir.clone());
    }
}

/// From the line where a job's script cannot parse (an `if` never closed, a `done` with no
/// loop: [`crate::shell::syntax::broken_at`]) to the end of the job, nothing runs. GitLab runs
/// `before_script` and `script` (its own, else its nearest template's) as one shell script.
fn broken_script(job: &Node, chain: &[&Node], job_end: u32) -> Option<(u32, u32, &'static str)> {
    let mut text = String::new();
    let mut lines: Vec<u32> = Vec::new();
    for key in ["before_script", "script"] {
        let Some(node) = std::iter::once(job)
            .chain(chain.iter().rev().copied())
            .find_map(|n| n.get(key))
        else {
            continue;
        };
        let items: Vec<&Node> = match node.as_str() {
            Some(_) => vec![node],
            None => node.as_seq().iter().collect(),
        };
        for item in items {
            let Some(t) = item.as_str() else { continue };
            // A block scalar's lines start on the line after `- |`.
            let first = item.line + u32::from(t.contains('\n'));
            for (i, l) in t.lines().enumerate() {
                text.push_str(l);
                text.push('\n');
                lines.push(first + i as u32);
            }
        }
    }
    let at = crate::shell::syntax::broken_at(&text)?;
    let line = *lines.get(at)?;
    (line >= job.line.saturating_sub(1) && line <= job_end).then_some((
        line,
        job_end,
        crate::shell::syntax::BROKEN_SCRIPT,
    ))
}

/// Where a job sits in the pipeline's order: its stage, its `needs:` (None without the key)
/// and whether it runs whatever came before (`when: always` / `on_failure`).
struct Order {
    stage: String,
    needs: Option<Vec<String>>,
    regardless: bool,
}

impl Order {
    /// A job's order, its own keys over its templates'.
    fn of(job: &Node, chain: &[&Node]) -> Order {
        let own = |k: &str| {
            std::iter::once(job)
                .chain(chain.iter().rev().copied())
                .find_map(|n| n.get(k))
        };
        let needs = own("needs").map(|n| {
            let one = |x: &Node| {
                x.as_str()
                    .or_else(|| x.get("job").and_then(Node::as_str))
                    .map(str::to_string)
            };
            match n.as_str() {
                Some(s) => vec![s.to_string()],
                None => n.as_seq().iter().filter_map(one).collect(),
            }
        });
        let when = |n: &Node| matches!(n.as_str(), Some("always" | "on_failure"));
        let regardless = own("when").is_some_and(when)
            || own("rules")
                .is_some_and(|r| r.as_seq().iter().any(|x| x.get("when").is_some_and(when)));
        Order {
            stage: own("stage")
                .and_then(Node::as_str)
                .unwrap_or("test")
                .to_string(),
            needs,
            regardless,
        }
    }
}

/// Fills each job's [`Job::after`]: the jobs it `needs:`, or without that key every job of an
/// earlier stage (`stages:`, by default `build`, `test`, `deploy`). A stage nobody lists
/// keeps its jobs unordered.
fn runs_after(root: &Node, jobs: &mut [Job], order: &[Order]) {
    let mut stages: Vec<String> = vec![".pre".to_string()];
    match root.get("stages") {
        Some(list) => stages.extend(
            list.as_seq()
                .iter()
                .filter_map(Node::as_str)
                .map(str::to_string),
        ),
        None => stages.extend(["build", "test", "deploy"].map(str::to_string)),
    }
    stages.push(".post".to_string());
    let rank = |s: &str| stages.iter().position(|x| x == s);
    let names: Vec<(String, Option<usize>)> = jobs
        .iter()
        .zip(order)
        .map(|(j, o)| (j.name.clone(), rank(&o.stage)))
        .collect();
    for (job, o) in jobs.iter_mut().zip(order) {
        if o.regardless {
            continue;
        }
        job.after = match (&o.needs, rank(&o.stage)) {
            (Some(needs), _) => needs.clone(),
            (None, Some(r)) => names
                .iter()
                .filter(|(_, x)| x.is_some_and(|x| x < r))
                .map(|(n, _)| n.clone())
                .collect(),
            (None, None) => Vec::new(),
        };
    }
}

/// The hidden templates a job `extends:`, with the templates they extend in turn, in the order
/// GitLab merges them (the farthest first; a later one overrides an earlier). Cycles and
/// chains deeper than GitLab's 11 levels stop.
fn template_chain<'a>(templates: &[(&str, &'a Node)], job: &'a Node) -> Vec<&'a Node> {
    fn visit<'a>(
        templates: &[(&str, &'a Node)],
        node: &'a Node,
        depth: usize,
        seen: &mut Vec<String>,
        out: &mut Vec<&'a Node>,
    ) {
        let mut ext = Vec::new();
        if let Some(e) = node.get("extends") {
            e.scalars(&mut ext);
        }
        for (t, _) in ext {
            if depth > 10 || seen.iter().any(|s| s == t) {
                continue;
            }
            seen.push(t.to_string());
            if let Some((_, tn)) = templates.iter().find(|(n, _)| *n == t) {
                visit(templates, tn, depth + 1, seen, out);
                out.push(tn);
            }
        }
    }
    let mut out = Vec::new();
    visit(templates, job, 0, &mut Vec::new(), &mut out);
    out
}

/// Whether a YAML file outside `.gitlab/` holds GitLab jobs (an `include:`d fragment).
pub(crate) fn gitlab_shape(root: &Node) -> bool {
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

/// GitLab CI.
pub(crate) struct Gitlab;

impl CiSystem for Gitlab {
    fn id(&self) -> &'static str {
        "gitlab-ci"
    }
    /// `.gitlab-ci.yml` (anywhere, and misnamed `gitlab-ci.yml`: read, then reported as a
    /// copy unless included, [`CiSystem::copy`]) and `.gitlab/ci/*.yml` fragments.
    fn at(&self, rel: &str) -> bool {
        matches!(file_name(rel), ".gitlab-ci.yml" | "gitlab-ci.yml")
            || (rel.starts_with(".gitlab/ci/") && is_yaml(rel))
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        let y = Yaml::of(doc)?;
        // Only a pipeline's root file has triggers of its own; other GitLab files run when
        // included (their jobs get the including file's triggers).
        let own = if y.name() == ".gitlab-ci.yml" {
            vec![
                trig(TriggerKind::Push, None, 1),
                trig(TriggerKind::PullRequest, None, 1),
            ]
        } else {
            vec![trig(TriggerKind::Called, None, 1)]
        };
        Some(gitlab(y.docs, y.end, own, &y.here))
    }
    fn words(&self) -> &'static [&'static str] {
        &["script"]
    }
    /// A YAML file outside `.gitlab/` holding GitLab jobs: an `include:`d fragment.
    fn shaped(&self, y: &Yaml) -> Option<FileFacts> {
        gitlab_shape(crate::ci::calls::body(y.docs).0).then(|| {
            gitlab(
                y.docs,
                y.end,
                vec![trig(TriggerKind::Called, None, 1)],
                &y.here,
            )
        })
    }
    fn fixed_location(&self, rel: &str) -> bool {
        matches!(file_name(rel), ".gitlab-ci.yml" | "gitlab-ci.yml")
    }
    /// GitLab starts a pipeline from the root `.gitlab-ci.yml` only; other files run when it
    /// includes them (`include:`, a child pipeline's `trigger: include:`).
    fn copy(&self, rel: &str) -> Option<String> {
        let name = file_name(rel);
        if rel == ".gitlab-ci.yml" || !matches!(name, ".gitlab-ci.yml" | "gitlab-ci.yml") {
            return None;
        }
        let why = if name == "gitlab-ci.yml" {
            "GitLab CI reads `.gitlab-ci.yml` (with its dot), and nothing includes this file"
        } else {
            "GitLab CI starts pipelines only from the root `.gitlab-ci.yml`, and nothing includes this file"
        };
        let root = crate::paths::parent(rel);
        Some(crate::ci::copy_note(
            if name == ".gitlab-ci.yml" { root } else { "" },
            why,
        ))
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[
            (".gitlab-ci.yml", "test:\n  script:\n    - pytest\n"),
            (
                "ci/train.yml",
                "train:\n  stage: train\n  script:\n    - python train.py\n",
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A job extends a template that extends another: it runs both templates' commands and,
    /// having no `rules:` of its own, starts as the nearest template that has them says.
    #[test]
    fn templates_extend_templates_and_lend_their_rules() {
        let text = "stages: [train]\n.base:\n  before_script:\n    - pip install -r requirements.txt\n.scheduled:\n  extends: .base\n  rules:\n    - if: '$CI_PIPELINE_SOURCE == \"schedule\"'\n  script:\n    - python train.py\nretrain:\n  extends: .scheduled\n  stage: train\n";
        let (_, jobs) = crate::ci::read_entry(&Gitlab, ".gitlab-ci.yml", text);
        let job = jobs.iter().find(|j| j.name == "retrain").expect("job");
        let texts: Vec<&str> = job.commands.iter().map(|c| c.text.as_str()).collect();
        assert!(
            texts.contains(&"pip install -r requirements.txt"),
            "{texts:?}"
        );
        assert!(texts.contains(&"python train.py"), "{texts:?}");
        assert_eq!(
            job.triggers.iter().map(|t| t.kind).collect::<Vec<_>>(),
            vec![TriggerKind::Schedule]
        );
    }
}
