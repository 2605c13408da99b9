//! CircleCI: `.circleci/config.yml`; a job runs only from the workflows that list it, on
//! their triggers (push, cron or scheduled pipelines).

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, push_block, ranges, str_at, trig};
use crate::model::{Command, FileFacts, Job, Trigger, TriggerKind};
use crate::read::Document;
use crate::read::structured::{Node, Value};
use crate::shell::vars::Vars;

/// A job's variables: `<< pipeline.parameters.x >>`, `$X` of its `environment:`, `<<
/// parameters.x >>` (its parameters' defaults).
fn job_vars(job: &Node, pipeline: &Vars) -> Vars {
    let mut vars = pipeline.clone();
    crate::ci::vars::read_map(job.get("environment"), "", &mut vars);
    crate::ci::vars::read_defaults(job.get("parameters"), "parameters.", &mut vars);
    vars
}

/// What starts a job: the triggers of the workflows that list it. A configuration without
/// `workflows:` (CircleCI 2.0) runs its `build` job on every push; a job in no workflow never
/// runs (only a caller could start it).
fn job_runs_on(
    root: &Node,
    job_triggers: &[(String, Trigger)],
    name: &str,
    line: u32,
) -> Vec<Trigger> {
    let mut t = triggers_of(job_triggers, name);
    if root.get("workflows").is_none() && name == "build" {
        t.push(trig(TriggerKind::Push, None, line));
    }
    if t.is_empty() {
        t.push(trig(TriggerKind::Called, None, line));
    }
    t
}

pub(crate) fn circleci(root: &Node, end: u32) -> FileFacts {
    let mut pipeline_vars = crate::ci::vars::with_workspace_roots();
    crate::ci::vars::read_defaults(
        root.get("parameters"),
        "pipeline.parameters.",
        &mut pipeline_vars,
    );
    let job_defs = root.get("jobs").map(Node::entries).unwrap_or(&[]);
    let mut job_triggers: Vec<(String, Trigger)> = Vec::new(); // which workflows run each job
    // Workflow entries that call an orb's job (`aws-sagemaker/deploy_endpoint:` with its
    // parameters): the entry is the job, so what rules find in its lines runs on the workflow's
    // triggers.
    let mut orb_jobs: Vec<(String, u32, u32)> = Vec::new();
    // What each workflow entry passes its job (`- train: {model: xgb}`, a `matrix:`).
    let mut job_args: Vec<(String, Vars)> = Vec::new();
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
        // `when:` naming the scheduled trigger source runs the workflow on a schedule, unless
        // the name is under `not:` (`when: {not: {equal: [scheduled_pipeline, ...]}}`: every
        // run but the scheduled ones).
        let mut when = Vec::new();
        if let Some(w) = wf.get("when") {
            scalars_outside_not(w, &mut when, 0);
        }
        let scheduled_pipeline = when
            .iter()
            .any(|s| s.contains("scheduled_pipeline") || s.contains("schedule.name"));
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
        let entries = wf.get("jobs").map(Node::as_seq).unwrap_or(&[]);
        for (i, j) in entries.iter().enumerate() {
            let name = match &j.value {
                Value::Scalar(s) => s.clone(),
                Value::Map(e) => e.first().map(|(k, _, _)| k.clone()).unwrap_or_default(),
                _ => continue,
            };
            let defined = job_defs.iter().any(|(n, _, _)| *n == name);
            if job_args.len() < MAX_INVOCATIONS {
                job_args.push((name.clone(), invocation_args(j)));
            }
            if !defined && name.contains('/') {
                let last = entries
                    .get(i + 1)
                    .map_or(j.line, |n| n.line.saturating_sub(1).max(j.line));
                orb_jobs.push((name.clone(), j.line, last));
            }
            for x in &t {
                job_triggers.push((name.clone(), x.clone()));
            }
        }
    }
    let mut jobs: Vec<Job> = job_defs
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
            let own = job_vars(job, &pipeline_vars);
            let commands = per_invocation(&commands, &own, &job_args, name);
            let t = job_runs_on(root, &job_triggers, name, *line);
            Job::new(name.clone(), (*line, job_end), t, commands)
        })
        .collect();
    for (name, line, last) in orb_jobs {
        jobs.push(Job {
            triggers: triggers_of(&job_triggers, &name),
            name,
            line,
            end: last,
            commands: Vec::new(),
            may_fail: Vec::new(),
            trial: Vec::new(),
            never: Vec::new(),
            after: Vec::new(),
        });
    }
    entry("circleci", vec![trig(TriggerKind::Push, None, 1)], jobs)
}

/// A job's commands read once per workflow entry that passes it parameters (over `own`, its
/// variables and defaults), and once with the defaults when an entry passes none.
fn per_invocation(
    commands: &[Command],
    own: &Vars,
    job_args: &[(String, Vars)],
    name: &str,
) -> Vec<Command> {
    let mut all: Vec<Command> = Vec::new();
    let entries: Vec<&Vars> = job_args
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, a)| a)
        .collect();
    let calls: Vec<&Vars> = entries.iter().copied().filter(|a| !a.is_empty()).collect();
    let mut readings: Vec<Vars> = calls
        .iter()
        .map(|args| {
            let mut vars = own.clone();
            vars.overlay(args);
            vars
        })
        .collect();
    if calls.len() < entries.len() || calls.is_empty() {
        readings.insert(0, own.clone());
    }
    for vars in readings {
        let mut c = commands.to_vec();
        crate::ci::vars::expand(&mut c, 0, &vars);
        for x in c {
            if !all.contains(&x) {
                all.push(x);
            }
        }
    }
    all
}

/// At most this many workflow entries passing parameters are read (each is one reading of its
/// job's commands).
const MAX_INVOCATIONS: usize = 32;

/// The parameters a workflow entry (`- train: {...}`) passes its job, as `parameters.x` (`- train: {model: xgb}`;
/// a `matrix: parameters: {model: [a, b]}` stands for each value). Entry options (`requires`,
/// `context`, `filters`...) are no parameters.
fn invocation_args(entry: &Node) -> Vars {
    let mut args = Vars::default();
    let params = match &entry.value {
        Value::Map(e) => e.first().map(|(_, _, p)| p.entries()).unwrap_or(&[]),
        _ => &[],
    };
    for (k, _, v) in params {
        match k.as_str() {
            "requires" | "context" | "filters" | "name" | "type" | "pre-steps" | "post-steps"
            | "serial-group" | "override-with" => {}
            "matrix" => crate::ci::vars::read_matrix(v.get("parameters"), "parameters.", &mut args),
            _ => {
                if let Some(s) = v.as_str() {
                    args.set(&format!("parameters.{k}"), s);
                }
            }
        }
    }
    args
}

/// The triggers of the workflows that list job `name`, each once.
fn triggers_of(job_triggers: &[(String, Trigger)], name: &str) -> Vec<Trigger> {
    let mut t: Vec<Trigger> = job_triggers
        .iter()
        .filter(|(n, _)| n == name)
        .map(|(_, t)| t.clone())
        .collect();
    t.sort();
    t.dedup();
    t
}

/// A setup workflow (`setup: true`) continues into a second configuration (the path-filtering
/// orb's `config-path`, by default `.circleci/continue_config.yml`, or the continuation orb's
/// `configuration_path`) on the same push: one job that reaches it.
fn continuation(root: &Node) -> Option<Job> {
    if root.get("setup").and_then(Node::as_str) != Some("true") {
        return None;
    }
    let mut paths = Vec::new();
    for k in ["config-path", "configuration_path"] {
        crate::facts::yaml::collect_key(root, k, &mut paths, 0);
    }
    let orbs = root.get("orbs").map(Node::entries).unwrap_or(&[]);
    let line = orbs.first().map_or(1, |(_, l, _)| *l);
    if paths.is_empty() {
        paths.push((".circleci/continue_config.yml".to_string(), line));
    }
    let commands = paths
        .into_iter()
        .filter(|(p, _)| !p.contains("<<") && !p.contains("://"))
        .map(|(p, l)| Command::reference(l, format!("/{}", p.trim_start_matches("./"))))
        .collect::<Vec<_>>();
    (!commands.is_empty()).then(|| {
        Job::new(
            "continuation",
            (line, line),
            vec![trig(TriggerKind::Push, None, line)],
            commands,
        )
    })
}

/// The folder whose `.circleci/config.yml` `rel` is ("" at the root).
fn circleci_root(rel: &str) -> Option<&str> {
    ["/.circleci/config.yml", "/.circleci/config.yaml"]
        .iter()
        .find_map(|s| format!("/{rel}").strip_suffix(s).map(str::len))
        .map(|n| &rel[..n.saturating_sub(1)])
}

/// CircleCI.
pub(crate) struct CircleCi;

impl CiSystem for CircleCi {
    fn id(&self) -> &'static str {
        "circleci"
    }
    /// `.circleci/config.yml` anywhere (elsewhere than the root: read, then reported as a
    /// copy, [`CiSystem::copy`]).
    fn at(&self, rel: &str) -> bool {
        circleci_root(rel).is_some()
            || rel
                .strip_prefix(".circleci/")
                .is_some_and(|f| !f.contains('/') && crate::paths::is_yaml(rel))
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        let y = Yaml::of(doc)?;
        let mut f = circleci(y.root, y.end);
        if let FileFacts::Entry { jobs, .. } = &mut f {
            if circleci_root(&doc.rel).is_none() {
                // A continuation configuration runs only when a setup workflow continues
                // into it: its jobs are reached from there.
                for j in jobs.iter_mut() {
                    j.triggers = vec![trig(TriggerKind::Called, None, j.line)];
                }
            } else if let Some(job) = continuation(y.root) {
                jobs.push(job);
            }
        }
        Some(f)
    }
    fn fixed_location(&self, rel: &str) -> bool {
        rel.contains(".circleci/")
    }
    /// CircleCI reads only the root `.circleci/config.yml`.
    fn copy(&self, rel: &str) -> Option<String> {
        circleci_root(rel)
            .filter(|r| !r.is_empty())
            .map(|r| crate::ci::copy_note(r, "CircleCI reads only the root `.circleci/config.yml`"))
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            ".circleci/config.yml",
            "jobs:\n  test:\n    steps:\n      - run: pytest\nworkflows:\n  ci:\n    jobs: [test]\n",
        )]
    }
}

/// The scalars of a CircleCI logic statement, leaving out what a `not:` negates.
fn scalars_outside_not(n: &Node, out: &mut Vec<String>, depth: usize) {
    if depth > 8 {
        return;
    }
    match &n.value {
        Value::Scalar(s) => out.push(s.clone()),
        Value::Seq(items) => items
            .iter()
            .for_each(|i| scalars_outside_not(i, out, depth + 1)),
        Value::Map(entries) => entries
            .iter()
            .filter(|(k, _, _)| k != "not")
            .for_each(|(_, _, v)| scalars_outside_not(v, out, depth + 1)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::model::{FileFacts, TriggerKind};
    use crate::read::Document;

    /// CircleCI 2.0 without `workflows:` runs the job named `build` on every push, and no other.
    #[test]
    fn without_workflows_the_build_job_runs_on_push() {
        let text = "version: 2\njobs:\n  build:\n    docker: [{image: python}]\n    steps:\n      - run: pytest\n  deploy:\n    steps:\n      - run: ./deploy.sh\n";
        let doc = Document::new(".circleci/config.yml", text.to_string());
        let Some(FileFacts::Entry { jobs, .. }) = crate::extract::extract(&doc) else {
            panic!("not read");
        };
        let kinds = |name: &str| -> Vec<TriggerKind> {
            let j = jobs.iter().find(|j| j.name == name).expect("job");
            j.triggers.iter().map(|t| t.kind).collect()
        };
        assert_eq!(kinds("build"), vec![TriggerKind::Push]);
        assert_eq!(kinds("deploy"), vec![TriggerKind::Called]);
    }

    /// A workflow whose `when:` names the scheduled trigger source runs on the schedule; one
    /// that negates it (`not:`) runs on every other trigger: pushes.
    #[test]
    fn when_not_scheduled_runs_on_push() {
        let kinds = |when: &str| -> Vec<TriggerKind> {
            let text = format!(
                "version: 2.1\njobs:\n  test:\n    docker: [{{image: python}}]\n    steps:\n      - run: pytest\nworkflows:\n  main:\n    when:\n{when}    jobs:\n      - test\n"
            );
            let doc = Document::new(".circleci/config.yml", text);
            let Some(FileFacts::Entry { jobs, .. }) = crate::extract::extract(&doc) else {
                panic!("not read");
            };
            jobs[0].triggers.iter().map(|t| t.kind).collect()
        };
        let eq = "equal: [scheduled_pipeline, << pipeline.trigger_source >>]\n";
        assert_eq!(kinds(&format!("      {eq}")), vec![TriggerKind::Schedule]);
        assert_eq!(
            kinds(&format!("      not:\n        {eq}")),
            vec![TriggerKind::Push]
        );
    }

    /// A workflow's job entry passes the job's parameters (`- train: {model: xgb}`, the
    /// block form, a matrix); entries passing none keep the defaults.
    #[test]
    fn workflow_entries_pass_job_parameters() {
        let text = "version: 2.1\njobs:\n  train:\n    parameters:\n      script:\n        type: string\n        default: src/default.py\n    docker: [{image: python}]\n    steps:\n      - run: python << parameters.script >>\nworkflows:\n  main:\n    jobs:\n      - train: {script: src/a.py}\n      - train:\n          name: b\n          script: src/b.py\n          requires: [train]\n      - train:\n          matrix:\n            parameters:\n              script: [src/c.py, src/d.py]\n";
        let doc = Document::new(".circleci/config.yml", text.to_string());
        let Some(FileFacts::Entry { jobs, .. }) = crate::extract::extract(&doc) else {
            panic!("not read");
        };
        let got: Vec<&str> = jobs[0].commands.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            got,
            [
                "python src/a.py",
                "python src/b.py",
                "python src/c.py",
                "python src/d.py"
            ]
        );
    }
}
