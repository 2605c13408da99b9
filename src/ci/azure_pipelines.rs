//! Azure Pipelines: `azure-pipelines*.yml` anywhere, and any YAML file of pipeline shape
//! (templates included by `template:`).

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{collect_key, scalar_commands, str_at, trig, whole_job};
use crate::model::{Command, FileFacts, Trigger, TriggerKind};
use crate::paths::file_name;
use crate::paths::is_yaml;
use crate::read::Document;
use crate::read::structured::Node;
use crate::shell::vars::Vars;

/// A trigger with its `paths: include:` filters.
fn filtered(mut t: Trigger, node: &Node) -> Trigger {
    if let Some(inc) = node.get("paths").and_then(|p| p.get("include")) {
        t.paths = inc
            .as_seq()
            .iter()
            .filter_map(Node::as_str)
            .map(str::to_string)
            .collect();
    }
    t
}

/// `none`, or a list of the one branch filter `none` (`trigger:\n- none`, as Microsoft's samples
/// write it: no branch of that name, so nothing fires).
fn is_none(n: &Node) -> bool {
    n.as_str() == Some("none") || matches!(n.as_seq(), [only] if only.as_str() == Some("none"))
}

pub(crate) fn azure_triggers(root: &Node, here: &str) -> Vec<Trigger> {
    let mut t = Vec::new();
    match root.get("trigger") {
        None => t.push(trig(TriggerKind::Default, None, 1)),
        // `trigger: none` with runtime `parameters:` (the form of the "Run pipeline" panel), or
        // with the agent it runs on (`pool:`, its own or its jobs'): a person queues it.
        // Without either it may be another pipeline's template or a copy's.
        Some(n) if is_none(n) => {
            if root.get("parameters").is_some()
                || ((root.get("pool").is_some() || jobs_pick_agents(root)) && !in_course_unit(here))
            {
                t.push(trig(TriggerKind::Manual, None, n.line.max(1)))
            }
        }
        Some(n) => t.push(filtered(trig(TriggerKind::Push, None, n.line.max(1)), n)),
    }
    if let Some(pr) = root.get("pr")
        && !is_none(pr)
    {
        t.push(filtered(
            trig(TriggerKind::PullRequest, None, pr.line.max(1)),
            pr,
        ));
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
    // `resources: pipelines:` with a `trigger:`: this pipeline runs when that one (named by
    // its `source:`) completes successfully.
    let mut line = None;
    let mut sources = Vec::new();
    let items = root
        .get("resources")
        .and_then(|r| r.get("pipelines"))
        .map(Node::as_seq)
        .unwrap_or_default();
    for item in items {
        let Some(tr) = item.get("trigger") else {
            continue;
        };
        if matches!(tr.as_str(), Some("none" | "false")) {
            continue;
        }
        line.get_or_insert(tr.line.max(1));
        if let Some(src) = item.get("source").and_then(Node::as_str) {
            sources.push(src.to_string());
        }
    }
    if let Some(l) = line {
        let detail = (!sources.is_empty()).then(|| sources.join(", "));
        t.push(trig(TriggerKind::PipelineCompletion, detail, l));
    }
    t
}

/// Whether a YAML document has the shape of an Azure Pipelines file (or template).
pub(crate) fn azure_shape(root: &Node) -> bool {
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

pub(crate) fn azure(root: &Node, end: u32, here: &str) -> FileFacts {
    let mut includes = Vec::new();
    collect_key(root, "template", &mut includes, 0);
    // `x.yml@self` is this repository's file; `x.yml@other` another repository's.
    let mut commands = scalar_commands(root, true, here);
    for c in commands.iter_mut().filter(|c| !c.shell) {
        if let Some(t) = c.text.strip_suffix("@self") {
            c.text = t.to_string();
        }
    }
    // `$(name)`, `${{ variables.name }}`, `${{ parameters.name }}`: the file's variables (of
    // every stage and job: the file is read as one job) and its parameters' defaults, or what a
    // caller passes.
    let mut vars = crate::ci::vars::with_workspace_roots();
    variables_below(root, &mut vars, 0);
    crate::ci::vars::read_defaults(root.get("parameters"), "parameters.", &mut vars);
    // What a caller passes, when read for one (`ci::calls`).
    crate::ci::calls::overlay_args(&mut vars);
    crate::ci::vars::expand(&mut commands, 0, &vars);
    notebook_tasks(root, &mut commands, 0);
    let mut jobs = whole_job(end, commands);
    // `continueOnError: true` on a step, job or stage: its failures fail nothing.
    may_fail_below(root, end, &mut jobs[0].may_fail, 0);
    // A key written twice in one mapping (`steps:` pasted three times beside `jobs:`) is an
    // error Azure Pipelines reports when it loads the file ("'steps' is already defined"):
    // such a file runs nothing, whatever its triggers say.
    let loads = !repeats_a_key(root, 0);
    let triggers = if loads {
        azure_triggers(root, here)
    } else {
        Vec::new()
    };
    // A `deployment:` job bound to an `environment:` waits for the environment's approvals
    // and checks; the file is read as one job, which then waits for them.
    if let Some(d) = deployment_job(root, 0) {
        jobs[0].triggers = crate::ci::deploy_jobs::environment_approval(d, Vec::new(), &triggers);
    }
    FileFacts::Entry {
        system: "azure-pipelines",
        triggers,
        jobs,
        includes: includes
            .into_iter()
            .map(|(s, l)| (s.strip_suffix("@self").map(str::to_string).unwrap_or(s), l))
            .filter(|(s, _)| !s.contains('@') && !s.contains("${{"))
            .map(|(s, l)| Command::reference(l, s))
            .collect(),
        name: None,
    }
}

/// The Databricks notebooks the pipeline's `executenotebook@0` tasks run (the Databricks
/// extension's task: `inputs: notebookPath: /Shared/proj/train`), as workspace paths the graph
/// matches to the repository's notebooks by their trailing path.
fn notebook_tasks(node: &Node, out: &mut Vec<Command>, depth: usize) {
    if depth > 8 {
        return;
    }
    for key in ["stages", "jobs", "steps"] {
        for item in node.get(key).map(Node::as_seq).unwrap_or(&[]) {
            let runs_notebook = item
                .get("task")
                .and_then(Node::as_str)
                .is_some_and(|t| t.to_ascii_lowercase().starts_with("executenotebook@"));
            let path = item.get("inputs").and_then(|i| i.get("notebookPath"));
            if let (true, Some(p)) = (runs_notebook, path)
                && let Some(s) = p.as_str()
            {
                out.extend(crate::ci::orchestrators::databricks::workspace_reference(
                    p.line, s,
                ));
            }
            // Deployment jobs keep their steps under `strategy: runOnce: deploy:`.
            let deploy = item
                .get("strategy")
                .and_then(|s| s.get("runOnce"))
                .and_then(|r| r.get("deploy"));
            notebook_tasks(item, out, depth + 1);
            if let Some(d) = deploy {
                notebook_tasks(d, out, depth + 1);
            }
        }
    }
}

/// Whether a mapping of the pipeline (the root, a stage, a job, a step) has a key twice.
fn repeats_a_key(node: &Node, depth: usize) -> bool {
    if depth > 8 {
        return false;
    }
    let entries = node.entries();
    let mut seen = std::collections::BTreeSet::new();
    if entries.iter().any(|(k, _, _)| !seen.insert(k.as_str())) {
        return true;
    }
    ["stages", "jobs", "steps"].iter().any(|key| {
        node.get(key)
            .map(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .any(|item| repeats_a_key(item, depth + 1))
    })
}

/// The first `deployment:` job below `node` bound to an `environment:`.
fn deployment_job(node: &Node, depth: usize) -> Option<&Node> {
    if depth > 8 {
        return None;
    }
    if node.get("deployment").is_some() && node.get("environment").is_some() {
        return Some(node);
    }
    ["stages", "jobs"].iter().find_map(|key| {
        node.get(key)
            .map(Node::as_seq)
            .unwrap_or(&[])
            .iter()
            .find_map(|item| deployment_job(item, depth + 1))
    })
}

/// The line ranges of the steps, jobs and stages below `node` marked `continueOnError: true`
/// (each to the line before the next item of its list, the last to `end`).
fn may_fail_below(node: &Node, end: u32, out: &mut Vec<(u32, u32)>, depth: usize) {
    if depth > 8 {
        return;
    }
    for key in ["stages", "jobs", "steps"] {
        let items = node.get(key).map(Node::as_seq).unwrap_or(&[]);
        for (i, item) in items.iter().enumerate() {
            let last = items
                .get(i + 1)
                .map_or(end, |n| n.line.saturating_sub(1))
                .max(item.line);
            let on = crate::ci::github_actions::always(item.get("continueOnError"));
            if on {
                out.push((item.line, last));
            } else {
                may_fail_below(item, last, out, depth + 1);
            }
        }
    }
}

/// Every `variables:` block of the pipeline's stages and jobs, outer ones first.
fn variables_below(node: &Node, vars: &mut Vars, depth: usize) {
    if depth > 6 {
        return;
    }
    crate::ci::vars::read_azure_variables(node.get("variables"), vars);
    for key in ["stages", "jobs"] {
        for item in node.get(key).map(Node::as_seq).unwrap_or(&[]) {
            variables_below(item, vars, depth + 1);
        }
    }
}

/// Whether a folder lies in a numbered unit of a course (`Lab401/pipelines`, `week3`,
/// `module-02`): a pipeline there is an exercise to import into the learner's own project.
fn in_course_unit(here: &str) -> bool {
    here.split('/').any(|d| {
        let d = d.to_ascii_lowercase();
        [
            "lab", "module", "week", "chapter", "lesson", "unit", "exercise", "day",
        ]
        .iter()
        .any(|w| {
            d.strip_prefix(w).is_some_and(|rest| {
                let rest = rest.trim_start_matches(['-', '_', ' ']);
                rest.starts_with(|c: char| c.is_ascii_digit())
            })
        })
    })
}

/// Whether a file's jobs pick their agents (`pool:` on a job of `jobs:` or of a stage): with no
/// `parameters:` to be given, such a file is a pipeline of its own (a classic pipeline exported
/// to YAML, `ci-pipeline.yml`), which Azure Pipelines runs on every push when it says no
/// trigger, not a template another pipeline includes.
fn jobs_pick_agents(root: &Node) -> bool {
    let stages = root.get("stages").map(Node::as_seq).unwrap_or(&[]);
    std::iter::once(root)
        .chain(stages.iter())
        .filter_map(|n| n.get("jobs"))
        .flat_map(Node::as_seq)
        .any(|j| j.get("pool").is_some())
}

/// Azure Pipelines.
pub(crate) struct AzurePipelines;

impl CiSystem for AzurePipelines {
    fn id(&self) -> &'static str {
        "azure-pipelines"
    }
    fn at(&self, rel: &str) -> bool {
        file_name(rel).starts_with("azure-pipelines") && is_yaml(rel)
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        let y = Yaml::of(doc)?;
        Some(azure(y.root, y.end, &y.here))
    }
    fn words(&self) -> &'static [&'static str] {
        &["stages", "jobs", "steps", "extends"]
    }
    /// A YAML file of pipeline shape anywhere. Outside `azure-pipelines*.yml`, one with no
    /// trigger, schedule, pool or resources is a template (often `parameters:` + `steps:`): it
    /// runs only when a pipeline includes it, here or in another repository.
    fn shaped(&self, y: &Yaml) -> Option<FileFacts> {
        if !azure_shape(y.root) {
            return None;
        }
        let mut f = azure(y.root, y.end, &y.here);
        let own_pipeline = ["trigger", "pr", "schedules", "pool", "resources"]
            .iter()
            .any(|k| y.root.get(k).is_some())
            || (y.root.get("parameters").is_none() && jobs_pick_agents(y.root));
        if !own_pipeline && let FileFacts::Entry { triggers, .. } = &mut f {
            *triggers = vec![trig(TriggerKind::Called, None, 1)];
        }
        Some(f)
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[
            (
                "azure-pipelines.yml",
                "trigger: [main]\nsteps:\n  - script: pytest\n",
            ),
            ("ops/train.yml", "steps:\n  - script: python train.py\n"),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `continueOnError: true` on a step or a job: its lines may fail without failing the
    /// pipeline, so the tests there gate nothing; other steps are not marked.
    #[test]
    fn continue_on_error_marks_what_may_fail() {
        let text = "trigger: [main]\nstages:\n- stage: Test\n  jobs:\n  - job: t\n    steps:\n    - script: pytest tests\n      continueOnError: true\n    - script: python -m build\n- stage: Lint\n  jobs:\n  - job: l\n    continueOnError: true\n    steps:\n    - script: ruff check .\n";
        let (_, jobs) = crate::ci::read_entry(&AzurePipelines, "azure-pipelines.yml", text);
        assert_eq!(jobs[0].may_fail, vec![(7, 8), (12, 15)]);
    }

    /// `powershell:` and `pwsh:` steps name paths with backslashes.
    #[test]
    fn powershell_steps_name_paths_with_backslashes() {
        let text = "trigger: [main]\nsteps:\n- powershell: python src\\train.py\n- pwsh: |\n    python -m pytest tests\\unit\n";
        let (_, jobs) = crate::ci::read_entry(&AzurePipelines, "azure-pipelines.yml", text);
        let texts: Vec<&str> = jobs[0]
            .commands
            .iter()
            .filter(|c| c.shell)
            .map(|c| c.text.as_str())
            .collect();
        assert_eq!(
            texts,
            vec!["python src/train.py", "python -m pytest tests/unit"]
        );
    }

    /// A file with a key written twice in one mapping does not load: nothing triggers it.
    #[test]
    fn repeated_keys_load_nothing() {
        let text = "jobs:\n- job: Job\n  pool:\n    vmImage: ubuntu-20.04\nsteps:\n- script: echo a\nsteps:\n- script: az ml model deploy -n churn\n";
        let (triggers, _) = crate::ci::read_entry(&AzurePipelines, "azure-pipelines.yml", text);
        assert!(triggers.is_empty(), "{triggers:?}");
        let once = "steps:\n- script: echo a\n- script: az ml model deploy -n churn\n";
        let (triggers, _) = crate::ci::read_entry(&AzurePipelines, "azure-pipelines.yml", once);
        assert_eq!(triggers.len(), 1);
    }

    /// A file whose jobs pick their agents and that takes no parameters is a pipeline of its
    /// own, run on push; one that takes parameters, or whose jobs do not, is a template.
    #[test]
    fn jobs_with_agents_make_a_pipeline() {
        let agents = |text: &str| {
            let y = crate::read::structured::parse_yaml(text).unwrap();
            jobs_pick_agents(&y[0])
        };
        assert!(agents(
            "jobs:\n- job: Job_1\n  pool:\n    vmImage: ubuntu-20.04\n  steps:\n  - script: python train.py\n"
        ));
        assert!(agents(
            "stages:\n- stage: s\n  jobs:\n  - job: j\n    pool: {vmImage: ubuntu-latest}\n    steps:\n    - script: pytest\n"
        ));
        assert!(!agents("steps:\n- script: pytest\n"));
        let triggers = |text: &str| match crate::extract::extract(&Document::new(
            "ops/ci-pipeline.yml",
            text.to_string(),
        )) {
            Some(FileFacts::Entry { triggers, .. }) => {
                triggers.iter().map(|t| t.kind).collect::<Vec<_>>()
            }
            _ => Vec::new(),
        };
        let job = "jobs:\n- job: Job_1\n  pool:\n    vmImage: ubuntu-20.04\n  steps:\n  - script: python train.py\n";
        assert!(!triggers(job).is_empty());
        assert!(
            !triggers(job).contains(&TriggerKind::Called),
            "{:?}",
            triggers(job)
        );
        let template = format!("parameters:\n- name: env\n{job}");
        assert_eq!(triggers(&template), vec![TriggerKind::Called]);
    }

    /// A `deployment:` job bound to an environment makes the pipeline wait for that
    /// environment's approvals after its trigger; a pipeline of plain jobs does not.
    #[test]
    fn deployment_jobs_wait_for_their_environment() {
        let job_triggers = |text: &str| match crate::extract::extract(&Document::new(
            "azure-pipelines.yml",
            text.to_string(),
        )) {
            Some(FileFacts::Entry { jobs, .. }) => jobs[0]
                .triggers
                .iter()
                .map(crate::model::Trigger::label)
                .collect::<Vec<_>>(),
            _ => vec!["not read".to_string()],
        };
        let deploy = "trigger: [main]\nstages:\n- stage: Deploy\n  jobs:\n  - deployment: Release\n    pool: {vmImage: ubuntu-latest}\n    environment: churn-prod\n    strategy:\n      runOnce:\n        deploy:\n          steps:\n          - script: python deploy/deploy.py\n";
        assert_eq!(
            job_triggers(deploy),
            vec![
                "push".to_string(),
                "approval \"environment churn-prod\"".into()
            ]
        );
        let plain = "trigger: [main]\njobs:\n- job: Test\n  pool: {vmImage: ubuntu-latest}\n  steps:\n  - script: pytest\n";
        assert!(job_triggers(plain).is_empty());
    }

    /// `trigger: none` with runtime parameters is a pipeline a person queues (a manual release),
    /// not one that never runs; without them nothing is known to start it. A pipeline-completion
    /// resource still starts it unattended.
    #[test]
    fn trigger_none_is_manual() {
        let kinds = |text: &str| {
            let (triggers, _) = crate::ci::read_entry(&AzurePipelines, "deploy.yml", text);
            triggers.iter().map(|t| t.kind).collect::<Vec<_>>()
        };
        let steps = "steps:\n  - script: az ml model deploy -n m\n";
        let form = "parameters:\n- name: model\n  type: string\n";
        assert_eq!(
            kinds(&format!("{form}trigger: none\npr: none\n{steps}")),
            vec![TriggerKind::Manual]
        );
        assert_eq!(kinds(&format!("trigger: none\npr: none\n{steps}")), vec![]);
        // With the agent it runs on, a pipeline of its own that a person queues.
        assert_eq!(
            kinds(&format!(
                "trigger:\n- none\npool:\n  vmImage: ubuntu-20.04\n{steps}"
            )),
            vec![TriggerKind::Manual]
        );
        // In a course's lab folder, an exercise to import elsewhere.
        let (lab, _) = crate::ci::read_entry(
            &AzurePipelines,
            "Lab401/pipelines/deploy.yml",
            &format!("trigger:\n- none\npool:\n  vmImage: ubuntu-20.04\n{steps}"),
        );
        assert!(lab.is_empty());
        // The list form Microsoft's samples write disables the trigger too.
        assert_eq!(
            kinds(&format!("trigger:\n- none\npr:\n- none\n{steps}")),
            vec![]
        );
        assert_eq!(
            kinds(&format!("trigger:\n- main\n{steps}")),
            vec![TriggerKind::Push]
        );
        let chained = "parameters:\n- name: model\n  type: string\ntrigger: none\nresources:\n  pipelines:\n  - pipeline: train\n    source: Train\n    trigger: true\n";
        assert_eq!(
            kinds(&format!("{chained}{steps}")),
            vec![TriggerKind::Manual, TriggerKind::PipelineCompletion]
        );
    }
}
