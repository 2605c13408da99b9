//! GitHub Actions: workflows under `.github/workflows/` (triggers from `on:`, one job per
//! `jobs.<id>`, `run:` steps, local actions and reusable workflows) and local actions
//! (`action.yml` with `runs:`).

use crate::ci::gha_expr::Scope;
pub(crate) use crate::ci::gha_on::gha_triggers;
use crate::ci::trial::never;
use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, push_block, ranges, scalar_commands, str_at, trig};
use crate::model::{Command, FileFacts, Job, Trigger, TriggerKind};
use crate::paths::is_yaml;
use crate::read::Document;
use crate::read::structured::Node;

/// A step's `run:` as the shell reader reads it: run by cmd or PowerShell (`shell: pwsh`), its
/// backslashes separate a path's parts.
fn run_text<'a>(step: &Node, run: &'a str) -> std::borrow::Cow<'a, str> {
    match step.get("shell").and_then(Node::as_str).map(str::trim) {
        Some("cmd" | "pwsh" | "powershell") => crate::shell::windows_paths(run).into(),
        _ => run.into(),
    }
}

pub(crate) fn github_steps(
    steps: &[Node],
    wd: Option<&str>,
    here: &str,
    commands: &mut Vec<Command>,
) {
    for step in steps {
        let wd = step
            .get("working-directory")
            .and_then(Node::as_str)
            .map(|w| format!("/{}", w.trim_start_matches("./")))
            .or_else(|| wd.map(str::to_string));
        for (k, kl, v) in step.entries() {
            match (k.as_str(), v.as_str()) {
                ("run", Some(s)) => {
                    push_block(commands, &run_text(step, s), *kl, true, wd.as_deref())
                }
                (
                    "name" | "id" | "if" | "working-directory" | "shell" | "env"
                    | "continue-on-error" | "timeout-minutes",
                    _,
                ) => {}
                // Docker's build action is read as the build it runs (below): its `file` and
                // `context` name what it builds, not files it runs.
                ("with", _)
                    if step
                        .get("uses")
                        .and_then(Node::as_str)
                        .is_some_and(|u| u.starts_with("docker/build-push-action@")) => {}
                // `actions/github-script`'s `script:` is JavaScript and a PowerShell action's
                // `inlineScript:` PowerShell: neither is read as shell.
                ("with", _) if runs_inputs_elsewhere(step) => {
                    for (ik, _, iv) in v.entries() {
                        if !matches!(ik.as_str(), "script" | "inlineScript") {
                            commands.extend(scalar_commands(iv, false, here));
                        }
                    }
                }
                ("uses", Some(u)) => {
                    commands.extend(called_file(u, v.line, false));
                    // pre-commit's action runs `pre-commit run --all-files`.
                    if u.starts_with("pre-commit/action@") {
                        commands.push(Command::run(v.line, "pre-commit run --all-files"));
                    }
                    // Azure ML's `aml-run` action submits the run its default files describe
                    // (a run configuration in Python or YAML, or a pipeline), from the root.
                    if u.to_ascii_lowercase().starts_with("azure/aml-run@") {
                        for f in AML_RUN_DEFAULTS {
                            commands.push(Command::reference(
                                v.line,
                                format!("{}{f}", crate::ci::FROM_ROOT),
                            ));
                        }
                    }
                    // Databricks' `run-notebook` action runs a workspace notebook by its
                    // workspace path, which the graph matches by its trailing path.
                    if u.to_ascii_lowercase()
                        .starts_with("databricks/run-notebook@")
                    {
                        if let Some(path) = str_at(step, &["with", "workspace-notebook-path"]) {
                            commands.extend(
                                crate::ci::orchestrators::databricks::workspace_reference(
                                    v.line, path,
                                ),
                            );
                        }
                        // Or a notebook of the checkout, uploaded and run as it is.
                        if let Some(path) = str_at(step, &["with", "local-notebook-path"]) {
                            commands.push(Command::reference(v.line, crate::ci::from_root(path)));
                        }
                    }
                    // Docker's build action builds `file` (else the context's `Dockerfile`)
                    // in `context` (else the checkout's root), as `docker build` does.
                    if u.starts_with("docker/build-push-action@") {
                        // One word, but for the spaces of its expressions (`${{ env.DIR }}`).
                        let with = |k: &str| {
                            str_at(step, &["with", k]).filter(|s| {
                                !s.split("${{")
                                    .map(|p| p.split_once("}}").map_or(p, |(_, rest)| rest))
                                    .any(|p| p.contains(char::is_whitespace))
                            })
                        };
                        let file = with("file").map_or(String::new(), |f| format!("-f {f} "));
                        let context = with("context").unwrap_or(".");
                        // Its `tags` (a list, or one per line or comma) name the image, for
                        // what later runs it by name (`docker run IMAGE`, a manifest's image).
                        let mut tags = String::new();
                        if let Some(t) = step.get("with").and_then(|w| w.get("tags")) {
                            let mut scal = Vec::new();
                            t.scalars(&mut scal);
                            for (s, _) in scal.iter().take(20) {
                                for tag in s.split(['\n', ',']).map(str::trim) {
                                    let bare = tag
                                        .split("${{")
                                        .map(|p| p.split_once("}}").map_or(p, |(_, rest)| rest));
                                    if !tag.is_empty()
                                        && !bare.clone().any(|p| p.contains(char::is_whitespace))
                                    {
                                        tags.push_str(&format!("-t {tag} "));
                                    }
                                }
                            }
                        }
                        commands.push(Command::run(
                            v.line,
                            format!("docker build {file}{tags}{context}"),
                        ));
                    }
                }
                _ => commands.extend(scalar_commands(v, false, here)),
            }
        }
    }
}

/// The files Azure ML's `aml-run` action reads by default, from the repository's root.
const AML_RUN_DEFAULTS: &[&str] = &[
    "code/train/run_config.py",
    "code/train/run_config.yml",
    "code/train/pipeline.py",
    "code/train/pipeline.yml",
];

/// The keys GitHub accepts at the top of a workflow; any other makes the workflow invalid
/// ("Unexpected value"), and GitHub runs none of its jobs.
const WORKFLOW_KEYS: &[&str] = &[
    "name",
    "run-name",
    "on",
    "permissions",
    "env",
    "defaults",
    "concurrency",
    "jobs",
];

pub(crate) fn github(root: &Node, end: u32, here: &str) -> FileFacts {
    if root
        .entries()
        .iter()
        .any(|(k, _, _)| !WORKFLOW_KEYS.contains(&k.as_str()))
    {
        return entry("github-actions", Vec::new(), Vec::new());
    }
    let triggers = root.get("on").map(gha_triggers).unwrap_or_default();
    let succeeded = after_success(root.get("jobs"));
    let wd_of = |n: &Node| {
        str_at(n, &["defaults", "run", "working-directory"])
            .map(|w| format!("/{}", w.trim_start_matches("./")))
    };
    let default_wd = wd_of(root);
    let entries = root.get("jobs").map(Node::entries).unwrap_or(&[]);
    let unreachable = crate::ci::trial::unreachable_jobs(entries, &triggers);
    // What the workflow's expressions can take: its env and inputs, then what each job's
    // steps write and its outputs (for `needs.J.outputs.K`).
    let mut scope = Scope::default();
    scope.add_workspace_root();
    scope.add_inputs(root.get("on"));
    scope.add_args();
    scope.add_env(root.get("env"));
    let mut with_needs = scope.clone();
    let job_scopes: Vec<Scope> = entries
        .iter()
        .map(|(name, _, job)| {
            let mut js = scope.clone();
            js.add_env(job.get("env"));
            js.add_matrix(job);
            for step in job.get("steps").map(Node::as_seq).unwrap_or(&[]) {
                js.add_step_writes(step);
            }
            js.job_outputs(name, job, &mut with_needs);
            js
        })
        .collect();
    let jobs = entries
        .iter()
        .zip(ranges(entries, end))
        .zip(job_scopes)
        .flat_map(|(((name, line, job), (_, job_end)), js)| {
            // A job nothing starts (`if: false`, needs no event runs together) never runs.
            if unreachable.contains(name.as_str()) {
                let none = Job::new(
                    name.clone(),
                    (*line, job_end),
                    vec![trig(TriggerKind::Called, None, *line)],
                    Vec::new(),
                );
                return Vec::new().into_iter().chain(std::iter::once(none));
            }
            let job_wd = wd_of(job).or_else(|| default_wd.clone());
            let all_steps = job.get("steps").map(Node::as_seq).unwrap_or(&[]);
            let steps: Vec<Node> = all_steps
                .iter()
                .filter(|s| !s.get("if").and_then(Node::as_str).is_some_and(never))
                .cloned()
                .collect();
            let mut js = js;
            js.merge(&with_needs);
            let mut commands = step_commands(&steps, &js, job_wd.as_deref(), here);
            // Nothing runs from a script that cannot parse to the end of the job.
            let broken = broken_script(&steps, job_end);
            if let Some((a, b, _)) = broken {
                commands.retain(|c| !(a..=b).contains(&c.line));
            }
            let may_fail = may_fail(job, all_steps, *line, job_end);
            if let Some(u) = job.get("uses").and_then(Node::as_str) {
                let at = job.get("uses").map(|n| n.line).unwrap_or(*line);
                commands.extend(called_file(u, at, true));
            }
            // `if: github.event_name == 'pull_request'`: only those triggers start it.
            let env = crate::ci::gha_cond::env_of(&[root.get("env"), job.get("env")], all_steps);
            let own = own_triggers(job, &triggers, &env);
            let starts = own.as_deref().unwrap_or(&triggers);
            let trial = trial_ranges(root, (job, &steps), starts, &commands, (*line, job_end));
            // A step switched off on every unattended start runs only when a person starts the
            // workflow (its own job), or never.
            let switched = switched_off(&steps, starts, &env, job_end);
            let (commands, subs, switched) =
                split_switched(name, commands, switched, (&may_fail, &trial));
            let own = job_triggers(job, own, succeeded.contains(name.as_str()), &triggers);
            // A job whose steps only print messages (and move artefacts) does nothing.
            let printing = job.get("uses").is_none() && only_prints(&steps);
            let mut never: Vec<Never> = printing
                .then_some((*line, job_end, ONLY_PRINTS))
                .into_iter()
                .collect();
            never.extend(switched);
            never.extend(broken);
            let (runs, uses) = step_texts(&steps);
            never.extend(crate::ci::deploy_jobs::naming_lines(
                job, None, &runs, &uses,
            ));
            subs.into_iter().chain(std::iter::once(Job {
                name: name.clone(),
                line: *line,
                end: job_end,
                triggers: own,
                commands,
                may_fail,
                trial,
                never,
                after: runs_after(job),
            }))
        })
        .collect();
    named(
        entry("github-actions", triggers, jobs),
        root.get("name").and_then(Node::as_str),
    )
}

/// The jobs a job `needs:` to succeed before it starts: none when its `if:` lets it run
/// whatever they do (`always()`, `failure()`, `cancelled()`).
fn runs_after(job: &Node) -> Vec<String> {
    let cond = job.get("if").and_then(Node::as_str).unwrap_or("");
    if ["always()", "failure()", "cancelled()"]
        .iter()
        .any(|f| cond.contains(f))
    {
        return Vec::new();
    }
    crate::ci::trial::needs_of(job)
        .into_iter()
        .map(str::to_string)
        .collect()
}

/// From the first step whose `run:` script cannot parse ([`crate::shell::syntax::broken_at`]):
/// from its broken line to the end of the job, nothing runs.
fn broken_script(steps: &[Node], job_end: u32) -> Option<Never> {
    steps.iter().find_map(|step| {
        let run = step.get("run")?;
        let text = run.as_str()?;
        let at = crate::shell::syntax::broken_at(text)?;
        // A block scalar's lines start on the line after `run: |`.
        let first = if text.contains('\n') {
            run.line + 1
        } else {
            run.line
        };
        Some((
            first + at as u32,
            job_end,
            crate::shell::syntax::BROKEN_SCRIPT,
        ))
    })
}

/// The commands of a job's steps, each step's expressions expanded in its own scope (the
/// job's, with the step's `env:`).
fn step_commands(steps: &[Node], js: &Scope, wd: Option<&str>, here: &str) -> Vec<Command> {
    let mut commands = Vec::new();
    for step in steps {
        let mut step_scope = js.clone();
        step_scope.add_env(step.get("env"));
        let mut cmds = Vec::new();
        github_steps(std::slice::from_ref(step), wd, here, &mut cmds);
        commands.extend(step_scope.expand_commands(cmds));
    }
    commands
}

/// The triggers a job's `if:` lets start it, when fewer than all: those of the events it
/// tests (`github.event_name == 'pull_request'`), or those it may hold on ([`narrowed`]).
fn own_triggers(
    job: &Node,
    triggers: &[Trigger],
    env: &std::collections::BTreeMap<String, String>,
) -> Option<Vec<Trigger>> {
    let cond = job.get("if").and_then(Node::as_str)?;
    let picked =
        crate::ci::trial::event_filter(cond, triggers).or_else(|| narrowed(cond, triggers, env));
    if !tag_only(cond) {
        return picked;
    }
    // A job run only for a tag (`if: startsWith(github.ref, 'refs/tags/')`) runs on a release
    // a person tags, not on a code change: its pushes are releases, and no pull request has a
    // tag.
    let tagged = picked
        .unwrap_or_else(|| triggers.to_vec())
        .into_iter()
        .filter(|t| t.kind != TriggerKind::PullRequest)
        .map(|mut t| {
            if t.kind == TriggerKind::Push {
                t.kind = TriggerKind::Release;
                t.detail = Some("tag push".into());
            }
            t
        })
        .collect();
    Some(tagged)
}

/// Whether a job's `if:` holds only for a tag ref: it requires `github.ref` to be under
/// `refs/tags` (or `github.ref_type` to be `tag`), with no `||` that could let it through
/// otherwise.
fn tag_only(cond: &str) -> bool {
    let c: String = cond.chars().filter(|c| !c.is_whitespace()).collect();
    let c = c.replace('"', "'");
    !c.contains("||")
        && (c.contains("startsWith(github.ref,'refs/tags")
            || c.contains("contains(github.ref,'refs/tags")
            || c.contains("github.ref_type=='tag'"))
}

/// The triggers a job's `if:` may hold on, when that is fewer than all of them but some
/// (`if: env.DEPLOY == 'true'` with `DEPLOY: ${{ github.event_name == 'release' }}`).
fn narrowed(
    cond: &str,
    triggers: &[Trigger],
    env: &std::collections::BTreeMap<String, String>,
) -> Option<Vec<Trigger>> {
    let kept: Vec<Trigger> = triggers
        .iter()
        .filter(|t| crate::ci::gha_cond::may_hold_on(cond, t, env))
        .cloned()
        .collect();
    (!kept.is_empty() && kept.len() < triggers.len()).then_some(kept)
}

/// Why a step whose condition holds on none of the job's events is not automated.
const NO_EVENT: &str =
    "in a step whose condition holds on none of the events that start the job: it is skipped";

/// The steps of a job started by `starts` whose `if:` holds on none of the triggers that
/// start it unattended (a push, a schedule, a call), each from its line to the next step's,
/// with the triggers a person fires that it holds on (a dispatch whose input switches it on).
fn switched_off(
    steps: &[Node],
    starts: &[Trigger],
    env: &std::collections::BTreeMap<String, String>,
    end: u32,
) -> Vec<(u32, u32, Vec<Trigger>)> {
    let unattended: Vec<&Trigger> = starts
        .iter()
        .filter(|t| t.kind != TriggerKind::Manual)
        .collect();
    if unattended.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::new();
    for (i, step) in steps.iter().enumerate() {
        let Some(cond) = step.get("if").and_then(Node::as_str) else {
            continue;
        };
        let mut env = env.clone();
        for (k, _, v) in step.get("env").map(Node::entries).unwrap_or(&[]) {
            if let Some(v) = v.as_str() {
                env.insert(k.clone(), v.to_string());
            }
        }
        let hold = |t: &Trigger| crate::ci::gha_cond::may_hold_on(cond, t, &env);
        if unattended.iter().any(|t| hold(t)) {
            continue;
        }
        let manual: Vec<Trigger> = starts
            .iter()
            .filter(|t| t.kind == TriggerKind::Manual && hold(t))
            .cloned()
            .collect();
        let last = steps.get(i + 1).map_or(end, |n| n.line.saturating_sub(1));
        out.push((step.line, last.max(step.line), manual));
    }
    out
}

/// A range of a job's lines (first, last).
type Lines = (u32, u32);
/// A range of a job's lines that runs nothing, with why ([`Job::never`]).
type Never = (u32, u32, &'static str);

/// The job's commands without those of its switched-off steps ([`switched_off`]); a job of
/// its own for each such step a person's dispatch switches on (its lines nested in the job's,
/// started by that dispatch alone); and the lines of the steps nothing switches on.
fn split_switched(
    job: &str,
    mut commands: Vec<Command>,
    switched: Vec<(u32, u32, Vec<Trigger>)>,
    (may_fail, trial): (&[Lines], &[Lines]),
) -> (Vec<Command>, Vec<Job>, Vec<Never>) {
    let clip = |ranges: &[(u32, u32)], a: u32, b: u32| -> Vec<(u32, u32)> {
        ranges
            .iter()
            .filter(|(x, y)| *x <= b && a <= *y)
            .map(|(x, y)| ((*x).max(a), (*y).min(b)))
            .collect()
    };
    let (mut subs, mut never) = (Vec::new(), Vec::new());
    for (a, b, manual) in switched {
        let (inside, rest): (Vec<Command>, Vec<Command>) = commands
            .into_iter()
            .partition(|c| (a..=b).contains(&c.line));
        commands = rest;
        if manual.is_empty() {
            never.push((a, b, NO_EVENT));
            continue;
        }
        let mut sub = Job::new(
            format!("{job} (step at line {a}, on dispatch)"),
            (a, b),
            manual,
            inside,
        );
        sub.may_fail = clip(may_fail, a, b);
        sub.trial = clip(trial, a, b);
        subs.push(sub);
    }
    (commands, subs, never)
}

/// Why a job whose steps only print messages is not automated.
const ONLY_PRINTS: &str =
    "in a job whose steps only print messages: it deploys, builds or runs nothing";

/// The file a `uses:` calls: a local action (`./.github/actions/x`, a step's) or reusable
/// workflow (`./.github/workflows/y.yml`, a job's), or one named by the repository's own name
/// (`owner/repo/.github/workflows/y.yml@main`, `intel/ai-containers/.github@sha` in
/// intel/ai-containers). Marketplace actions (`owner/repo@v1`) and `docker://` images are no
/// file of the repository.
fn called_file(uses: &str, line: u32, workflow: bool) -> Option<Command> {
    if uses.starts_with("./")
        || uses.starts_with("../")
        || (workflow && uses.starts_with(".github/"))
    {
        let file = if workflow {
            uses.split('@').next().unwrap_or(uses)
        } else {
            uses
        };
        return Some(Command::reference(line, file));
    }
    own_repository_ref(uses)
        .filter(|r| !workflow || r.contains("/workflows/"))
        .map(|r| Command::reference(line, r))
}

/// A reusable workflow or an action named by its repository and its folder there
/// (`owner/repo/PATH@ref`), as a reference that resolves only when that repository is
/// the one scanned ([`crate::ci::IN_REPOSITORY`]).
fn own_repository_ref(uses: &str) -> Option<String> {
    let (name, _) = uses.split_once('@')?;
    let (owner, rest) = name.split_once('/')?;
    let (repo, path) = rest.split_once('/').unwrap_or((rest, ""));
    let plain = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || "-_.".contains(c))
    };
    let path = path.trim_end_matches('/');
    // An action at a repository's root (`docker/build-push-action@v6`) is a marketplace
    // action's; one in a folder of it may be this repository's own.
    (plain(owner) && plain(repo) && !path.is_empty() && !path.contains("${{"))
        .then(|| crate::ci::in_repository(repo, path))
}

/// Whether every step only prints a message (`echo "Deploying to production..."`), checks
/// out, moves artefacts or sets up a tool: a job of such steps (a placeholder deployment) does
/// nothing, whatever its name or environment.
fn only_prints(steps: &[Node]) -> bool {
    !steps.is_empty()
        && steps.iter().all(|step| {
            match (
                step.get("run").and_then(Node::as_str),
                step.get("uses").and_then(Node::as_str),
            ) {
                (Some(run), None) => crate::shell::logical_lines(run).iter().all(|(_, l)| {
                    let t = l.trim();
                    t.is_empty() || t.starts_with('#') || crate::read::printed_message(t)
                }),
                (None, Some(u)) => crate::ci::INERT_ACTIONS.iter().any(|i| u.starts_with(i)),
                _ => false,
            }
        })
}

/// The `run:` texts and `uses:` actions of steps.
fn step_texts(steps: &[Node]) -> (Vec<&str>, Vec<&str>) {
    let text = |k: &'static str| {
        steps
            .iter()
            .filter_map(move |s| s.get(k).and_then(Node::as_str))
    };
    (text("run").collect(), text("uses").collect())
}

/// What starts a job: its own triggers (those its `if:` lets through), followed workflows
/// marked when it runs whatever their outcome (unless it `succeeded`-checks them), and the
/// approval of the environment it is bound to.
fn job_triggers(
    job: &Node,
    own: Option<Vec<Trigger>>,
    succeeded: bool,
    triggers: &[Trigger],
) -> Vec<Trigger> {
    let own = match succeeded {
        true => own.unwrap_or_default(),
        false => after_any_outcome(own.unwrap_or_default(), triggers),
    };
    crate::ci::deploy_jobs::environment_approval(job, own, triggers)
}

/// The facts with the pipeline's own name (a workflow's `name:`).
fn named(mut facts: FileFacts, workflow: Option<&str>) -> FileFacts {
    if let FileFacts::Entry { name, .. } = &mut facts {
        *name = workflow.map(str::to_string);
    }
    facts
}

/// A job that does not check the finished run succeeded runs after its failure too: it follows
/// that workflow, started by what starts it, but not its success (the trigger's upstream is
/// marked [`crate::ci::ANY_OUTCOME`]: the upstream's checks gate nothing of it).
fn after_any_outcome(own: Vec<Trigger>, triggers: &[Trigger]) -> Vec<Trigger> {
    let named = |t: &Trigger| t.kind == TriggerKind::PipelineCompletion && t.detail.is_some();
    if !triggers.iter().any(named) {
        return own;
    }
    let mut own = if own.is_empty() {
        triggers.to_vec()
    } else {
        own
    };
    for t in own
        .iter_mut()
        .filter(|t| t.kind == TriggerKind::PipelineCompletion)
    {
        t.detail = t.detail.take().map(|d| {
            d.split(", ")
                .map(|n| format!("{n}{}", crate::ci::ANY_OUTCOME))
                .collect::<Vec<_>>()
                .join(", ")
        });
    }
    own
}

/// The jobs that run only when the workflow run that started them succeeded: their `if:`
/// checks `github.event.workflow_run.conclusion == 'success'`, or they need such a job (a
/// skipped job skips the jobs that need it).
fn after_success(jobs: Option<&Node>) -> std::collections::HashSet<&str> {
    let entries = jobs.map(Node::entries).unwrap_or(&[]);
    let checks = |cond: &str| {
        let c: String = cond.chars().filter(|c| !c.is_whitespace()).collect();
        c.contains("workflow_run.conclusion=='success'")
            || c.contains("workflow_run.conclusion==\"success\"")
    };
    let mut ok: std::collections::HashSet<&str> = entries
        .iter()
        .filter(|(_, _, j)| j.get("if").and_then(Node::as_str).is_some_and(checks))
        .map(|(n, _, _)| n.as_str())
        .collect();
    loop {
        let before = ok.len();
        for (n, _, j) in entries {
            let needs = crate::ci::trial::needs_of(j);
            if needs.iter().any(|d| ok.contains(d)) {
                ok.insert(n.as_str());
            }
        }
        if ok.len() == before {
            return ok;
        }
    }
}

/// Whether a step's action takes a `script:` that is not shell (`actions/github-script`:
/// JavaScript; PowerShell actions).
fn runs_inputs_elsewhere(step: &Node) -> bool {
    step.get("uses").and_then(Node::as_str).is_some_and(|u| {
        u.contains("github-script") || u.to_ascii_lowercase().contains("powershell")
    })
}

/// Whether a switch's value is always true (`continue-on-error:`, Azure Pipelines'
/// `continueOnError:`).
pub(crate) fn always(v: Option<&Node>) -> bool {
    v.and_then(Node::as_str)
        .is_some_and(|s| matches!(s.trim(), "true" | "True" | "${{ true }}"))
}

/// The lines of a job whose failures do not fail it: the whole job with `continue-on-error:
/// true`, else each step that has it (to the line before the next step).
/// The lines of a job that only try the code out ([`Job::trial`]): all of a trial run
/// ([`crate::ci::trial::is_trial`]), else its steps named as a smoke or test run
/// ([`crate::ci::trial::names_a_check`]).
fn trial_ranges(
    root: &Node,
    (job, steps): (&Node, &[Node]),
    triggers: &[Trigger],
    commands: &[Command],
    (line, end): (u32, u32),
) -> Vec<(u32, u32)> {
    if crate::ci::trial::is_trial(root, job, triggers, commands) {
        return vec![(line, end)];
    }
    let mut out = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        if s.get("name")
            .and_then(Node::as_str)
            .is_some_and(crate::ci::trial::names_a_check)
        {
            let last = steps.get(i + 1).map_or(end, |n| n.line.saturating_sub(1));
            out.push((s.line, last.max(s.line)));
        }
    }
    out
}

fn may_fail(job: &Node, steps: &[Node], line: u32, end: u32) -> Vec<(u32, u32)> {
    if always(job.get("continue-on-error")) {
        return vec![(line, end)];
    }
    let mut out = Vec::new();
    for (i, s) in steps.iter().enumerate() {
        if always(s.get("continue-on-error")) {
            let last = steps.get(i + 1).map_or(end, |n| n.line.saturating_sub(1));
            out.push((s.line, last.max(s.line)));
        }
    }
    out
}

/// A local GitHub action (`action.yml` with `runs:`): its composite steps, or the Dockerfile
/// of a container action.
pub(crate) fn github_action(root: &Node, here: &str) -> Option<FileFacts> {
    let runs = root.get("runs")?;
    let mut commands = Vec::new();
    // `${{ inputs.x }}`: the action's input defaults; each step's `env:` over them.
    let mut scope = Scope::default();
    scope.add_workspace_root();
    scope.add_input_defaults(root.get("inputs"));
    scope.add_args();
    for step in runs.get("steps").map(Node::as_seq).unwrap_or(&[]) {
        let mut step_scope = scope.clone();
        step_scope.add_env(step.get("env"));
        let mut cmds = Vec::new();
        github_steps(std::slice::from_ref(step), None, here, &mut cmds);
        commands.extend(step_scope.expand_commands(cmds));
    }
    if let Some(img) = runs.get("image")
        && let Some(s) = img.as_str()
        && !s.starts_with("docker://")
    {
        commands.push(Command::reference(
            img.line,
            format!("/{}", crate::paths::join(here, s).unwrap_or_default()),
        ));
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

/// Whether `rel` is a workflow GitHub runs: YAML directly in the root's `.github/workflows/`.
pub(crate) fn is_root_workflow(rel: &str) -> bool {
    workflow_root(rel) == Some("")
}

/// The folder whose `.github/workflows/` holds `rel` ("" at the root), when `rel` is a
/// workflow file (YAML directly in that folder).
fn workflow_root(rel: &str) -> Option<&str> {
    let (root, file) = if let Some(f) = rel.strip_prefix(".github/workflows/") {
        ("", f)
    } else {
        let i = rel.find("/.github/workflows/")?;
        (&rel[..i], &rel[i + 19..])
    };
    (is_yaml(rel) && !file.contains('/') && !root.contains("/.github/")).then_some(root)
}

/// GitHub Actions.
pub(crate) struct GithubActions;

impl CiSystem for GithubActions {
    fn id(&self) -> &'static str {
        "github-actions"
    }
    /// Workflows anywhere (`seedcode/.github/workflows/x.yml` too: read, then reported as a
    /// copy, [`CiSystem::copy`]).
    fn at(&self, rel: &str) -> bool {
        workflow_root(rel).is_some()
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        let y = Yaml::of(doc)?;
        Some(github(y.root, y.end, &y.here))
    }
    /// A local action (`action.yml` with `runs:`) anywhere: what its steps run.
    fn shaped(&self, y: &Yaml) -> Option<FileFacts> {
        matches!(y.name(), "action.yml" | "action.yaml")
            .then(|| github_action(y.root, &y.here))
            .flatten()
    }
    fn fixed_location(&self, rel: &str) -> bool {
        rel.starts_with(".github/") || rel.contains("/.github/")
    }
    /// GitHub runs only the workflows of `.github/workflows/` at the repository's root.
    fn copy(&self, rel: &str) -> Option<String> {
        workflow_root(rel).filter(|r| !r.is_empty()).map(|r| {
            crate::ci::copy_note(
                r,
                "GitHub Actions runs only `.github/workflows/` at the repository root",
            )
        })
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            ".github/workflows/ci.yml",
            "on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: pytest\n",
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A job whose steps only print messages and move artefacts (a placeholder deployment)
    /// does nothing; one that runs anything else, or a marketplace action, may.
    /// A step only a dispatch input switches on is a job of its own started by the dispatch;
    /// one no event switches on runs nothing; the job's other steps keep its triggers.
    #[test]
    fn steps_switched_on_at_dispatch_are_manual() {
        let text = "on:\n  push:\n  workflow_dispatch:\n    inputs:\n      deploy:\n        default: 'false'\nenv:\n  DEPLOY: ${{ (github.event_name == 'workflow_dispatch' && inputs.deploy) || 'false' }}\njobs:\n  release:\n    runs-on: x\n    steps:\n      - run: python train.py\n      - if: env.DEPLOY == 'true'\n        run: ./deploy.sh\n      - if: github.event_name == 'schedule'\n        run: ./nightly.sh\n";
        let (_, jobs) = crate::ci::read_entry(&GithubActions, ".github/workflows/r.yml", text);
        assert_eq!(jobs.len(), 2, "{jobs:?}");
        let (sub, main) = (&jobs[0], &jobs[1]);
        assert_eq!((sub.line, sub.end), (14, 15));
        assert!(sub.triggers.iter().all(|t| t.kind == TriggerKind::Manual));
        assert_eq!(sub.commands.len(), 1);
        assert!(sub.commands[0].text.contains("deploy.sh"));
        assert_eq!(main.name, "release");
        assert!(main.commands.iter().all(|c| !c.text.contains(".sh")));
        assert_eq!(main.never, vec![(16, 17, NO_EVENT)]);
    }

    /// A job run only for a tag ref runs on a release, not on a code change: its push is a
    /// release and pull requests never start it; a job without the condition keeps both.
    #[test]
    fn tag_only_jobs_run_on_releases() {
        let text = "on:\n  push:\n    branches: [master]\n    tags: [v*]\n  pull_request:\njobs:\n  lint:\n    runs-on: x\n    steps:\n      - run: make lint\n  deploy:\n    runs-on: x\n    if: github.event_name == 'push' && contains(github.ref, 'refs/tags/')\n    steps:\n      - run: docker build -t app .\n";
        let (_, jobs) = crate::ci::read_entry(&GithubActions, ".github/workflows/ci.yml", text);
        let deploy = jobs.iter().find(|j| j.name == "deploy").expect("deploy");
        let kinds: Vec<TriggerKind> = deploy.triggers.iter().map(|t| t.kind).collect();
        assert_eq!(kinds, vec![TriggerKind::Release]);
        assert!(tag_only("${{ startsWith(github.ref, \"refs/tags/v\") }}"));
        assert!(tag_only("github.ref_type == 'tag'"));
        assert!(!tag_only(
            "startsWith(github.ref, 'refs/tags/') || github.event_name == 'push'"
        ));
        assert!(!tag_only("github.ref == 'refs/heads/main'"));
        // A push filtered by tags alone is a release; with branches too, a push.
        for (on, kind) in [
            ("push:\n    tags: ['train-*']", TriggerKind::Release),
            ("push:\n    tags-ignore: ['v*']", TriggerKind::Release),
            (
                "push:\n    tags: ['v*']\n    paths: ['src/**']",
                TriggerKind::Release,
            ),
            (
                "push:\n    branches: [main]\n    tags: ['v*']",
                TriggerKind::Push,
            ),
            ("push:\n    paths: ['src/**']", TriggerKind::Push),
        ] {
            let text = format!(
                "on:\n  {on}\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: pytest\n"
            );
            let (triggers, _) =
                crate::ci::read_entry(&GithubActions, ".github/workflows/t.yml", &text);
            assert_eq!(triggers[0].kind, kind, "{on}");
        }
    }

    /// A step run by PowerShell or cmd names paths with backslashes; `shell: bash` keeps its
    /// backslashes as the escapes they are there.
    #[test]
    fn windows_shell_steps_name_paths_with_backslashes() {
        let text = "on: push\njobs:\n  t:\n    runs-on: windows-latest\n    steps:\n      - run: python src\\train.py\n        shell: pwsh\n      - run: echo a\\ b\n        shell: bash\n";
        let (_, jobs) = crate::ci::read_entry(&GithubActions, ".github/workflows/t.yml", text);
        let texts: Vec<&str> = jobs[0].commands.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, vec!["python src/train.py", "echo a\\ b"]);
    }

    #[test]
    fn jobs_that_only_print_do_nothing() {
        let text = "on: push\njobs:\n  deploy:\n    runs-on: x\n    environment: production\n    steps:\n      - uses: actions/download-artifact@v4\n      - run: |\n          echo \"Deploying to production...\"\n          # a placeholder\n          echo \"- AWS Lambda\"\n  real:\n    runs-on: x\n    environment: production\n    steps:\n      - run: echo deploying\n      - uses: azure/webapps-deploy@v3\n";
        let (_, jobs) = crate::ci::read_entry(&GithubActions, ".github/workflows/cd.yml", text);
        assert_eq!(jobs[0].never, vec![(3, 11, ONLY_PRINTS)]);
        assert!(jobs[1].never.is_empty());
    }

    /// Docker's build action is read as the build it runs, with its tags: its `file` is not a
    /// file the step runs (the image's `CMD` runs only where the image does).
    #[test]
    fn build_action_is_its_build() {
        let text = "on: push\njobs:\n  b:\n    runs-on: x\n    steps:\n      - uses: docker/build-push-action@v6\n        with:\n          context: .\n          file: ./Dockerfile\n          tags: |\n            ghcr.io/acme/churn:${{ github.sha }}\n            acme/churn:latest\n";
        let (_, jobs) =
            crate::ci::read_entry(&GithubActions, ".github/workflows/release.yml", text);
        let texts: Vec<(&str, bool)> = jobs[0]
            .commands
            .iter()
            .map(|c| (c.text.as_str(), c.shell))
            .collect();
        assert_eq!(
            texts,
            vec![(
                "docker build -f ./Dockerfile -t ghcr.io/acme/churn:${{ github.sha }} -t acme/churn:latest .",
                true
            )]
        );
    }

    /// A step named as a smoke or test run only tries the code out: its lines are the job's
    /// trial ranges; a step that trains or deploys by name is not.
    #[test]
    fn steps_named_as_checks_are_trials() {
        let text = "on: [push]\njobs:\n  ci:\n    runs-on: x\n    steps:\n      - name: 🧪 Train Dummy Model for Testing\n        run: |\n          python -m src.train\n      - name: Train model\n        run: python -m src.train\n      - name: Test detection\n        run: python train.py\n      - name: Test and deploy\n        run: ./deploy.sh\n";
        let (_, jobs) = crate::ci::read_entry(&GithubActions, ".github/workflows/ci.yml", text);
        let lines: Vec<(u32, bool)> = jobs[0]
            .commands
            .iter()
            .map(|c| (c.line, jobs[0].trial_at(c.line)))
            .collect();
        assert_eq!(lines, vec![(8, true), (10, false), (12, true), (14, false)]);
    }

    /// A comment a person writes (`/deploy-prod` on a pull request) starts the workflow by
    /// hand, as a dispatch does; an event such as `registry_package` starts it unattended.
    #[test]
    fn comments_are_a_persons_command() {
        let kinds = |on: &str| {
            let text = format!(
                "on:\n  {on}:\n    types: [created]\njobs:\n  d:\n    runs-on: x\n    steps: [{{run: make deploy}}]\n"
            );
            let (triggers, _) =
                crate::ci::read_entry(&GithubActions, ".github/workflows/deploy.yml", &text);
            triggers.iter().map(|t| t.kind).collect::<Vec<_>>()
        };
        assert_eq!(kinds("issue_comment"), vec![TriggerKind::Manual]);
        assert_eq!(kinds("registry_package"), vec![TriggerKind::Event]);
    }

    /// A `workflow_run` job follows the named workflow's success only when it (or a job it
    /// needs) checks the run's conclusion; the workflow keeps its own name.
    #[test]
    fn workflow_run_jobs_after_success() {
        let text = "name: Deploy\non:\n  workflow_run:\n    workflows: [CI]\n    types: [completed]\njobs:\n  build:\n    if: ${{ github.event.workflow_run.conclusion == 'success' }}\n    runs-on: ubuntu-latest\n    steps: [{run: make image}]\n  ship:\n    needs: build\n    runs-on: ubuntu-latest\n    steps: [{run: make deploy}]\n  notify:\n    runs-on: ubuntu-latest\n    steps: [{run: make notify}]\n";
        let doc = Document::new(".github/workflows/deploy.yml", text.to_string());
        let Some(FileFacts::Entry {
            triggers,
            jobs,
            name,
            ..
        }) = GithubActions.read(&doc)
        else {
            panic!("not read");
        };
        assert_eq!(name.as_deref(), Some("Deploy"));
        assert_eq!(triggers[0].detail.as_deref(), Some("CI"));
        let upstream = |j: &Job| {
            let ts = if j.triggers.is_empty() {
                &triggers
            } else {
                &j.triggers
            };
            ts.iter().find_map(|t| t.detail.clone())
        };
        assert_eq!(upstream(&jobs[0]).as_deref(), Some("CI"));
        assert_eq!(upstream(&jobs[1]).as_deref(), Some("CI"));
        // Run whatever the outcome: started through CI, gated by nothing of it.
        assert_eq!(upstream(&jobs[2]).as_deref(), Some("CI (any outcome)"));
        // Started when the run is requested, not when it completes: no success to follow.
        let requested = text.replace("[completed]", "[requested]");
        let doc = Document::new(".github/workflows/deploy.yml", requested);
        let Some(FileFacts::Entry { triggers, .. }) = GithubActions.read(&doc) else {
            panic!("not read");
        };
        assert_eq!(triggers[0].detail, None);
    }
}
