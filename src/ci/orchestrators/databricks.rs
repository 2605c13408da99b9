//! Databricks jobs: asset bundles (`resources.jobs`), Jobs API JSON (`{"name", "schedule",
//! "tasks": [...]}`, a single-task `notebook_task`, or wrapped in `settings`) and dbx
//! deployment files (`environments.<env>.workflows` / `jobs`): each job with its schedule,
//! trigger or none (run on demand), and its tasks' files. A task names its file relative to
//! the definition, or by a workspace path (`/Shared/proj/notebooks/train`, `/Repos/u/proj/...`,
//! `dbfs:/...`), which the graph maps to the repository file with the same trailing path.

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, ranges, str_at, trig};
use crate::model::{Command, FileFacts, Job, TriggerKind};
use crate::read::Document;
use crate::read::structured::Node;

/// Keys of a task that names the file it runs: `(path of keys, whether the file is Python
/// or a notebook)`.
const TASK_FILES: &[&[&str]] = &[
    &["spark_python_task", "python_file"],
    &["notebook_task", "notebook_path"],
    &["sql_task", "file", "path"],
];

/// Keys of a job's tasks, one of which a job definition has.
const TASK_KINDS: &[&str] = &[
    "notebook_task",
    "spark_python_task",
    "python_wheel_task",
    "spark_jar_task",
    "spark_submit_task",
    "sql_task",
    "pipeline_task",
    "run_job_task",
];

/// The most job definitions read from one file.
const MAX_JOBS: usize = 500;

/// One job: its triggers (schedule unless paused, `trigger`, `continuous`, else manual) and
/// the files its tasks run.
fn job(name: &str, line: u32, end: u32, job: &Node, here: &str) -> Job {
    let mut t = Vec::new();
    if let Some(s) = job.get("schedule") {
        let paused = str_at(s, &["pause_status"]) == Some("PAUSED");
        if !paused {
            t.push(trig(
                TriggerKind::Schedule,
                str_at(s, &["quartz_cron_expression"]).map(str::to_string),
                s.line.max(line),
            ));
        }
    }
    if let Some(tr) = job.get("trigger") {
        let paused = str_at(tr, &["pause_status"]) == Some("PAUSED");
        for (k, kl, _) in tr.entries().iter().filter(|_| !paused) {
            match k.as_str() {
                "periodic" => t.push(trig(TriggerKind::Schedule, Some("periodic".into()), *kl)),
                "file_arrival" | "table_update" | "table" => {
                    t.push(trig(TriggerKind::Event, Some(k.clone()), *kl))
                }
                _ => {}
            }
        }
    }
    if job.get("continuous").is_some() {
        t.push(trig(TriggerKind::Event, Some("continuous".into()), line));
    }
    if t.is_empty() {
        t.push(trig(TriggerKind::Manual, None, line));
    }
    // Jobs API 2.0 and dbx: a single task written on the job itself.
    let tasks: Vec<&Node> = match job.get("tasks") {
        Some(ts) => ts.as_seq().iter().collect(),
        None => vec![job],
    };
    let mut commands = Vec::new();
    let job_git = job.get("git_source").is_some();
    for task in tasks {
        let from = commands.len();
        for p in TASK_FILES {
            let mut cur = Some(task);
            for k in *p {
                cur = cur.and_then(|n| n.get(k));
            }
            if let Some(n) = cur
                && let Some(s) = n.as_str()
            {
                // A task whose source is the job's git checkout names its file from the root
                // of that repository, not from the definition's folder.
                let base = if from_git(task.get(p[0]), job_git) {
                    ""
                } else {
                    here
                };
                commands.extend(task_file(n.line, s, base));
            }
        }
        // A wheel task runs its package's entry point: the console script of that name
        // (`setup.py`/`pyproject.toml`), as a command named after it runs it.
        if let Some(n) = task.get("python_wheel_task")
            && let Some(ep) = str_at(n, &["entry_point"])
        {
            commands.push(Command::reference(n.line, ep));
            if !ep.contains(['$', '{', ' ', '/']) {
                commands.push(Command::run(n.line, ep));
            }
        }
        // A validation task run in `dry_run` (or `disabled`) mode logs what fails and goes on:
        // MLOps Stacks' `run_mode` parameter. Its checks gate nothing.
        if cannot_fail(task) {
            for c in commands[from..].iter_mut().filter(|c| !c.shell) {
                c.text = format!("{}{}", crate::ci::CANNOT_FAIL, c.text);
            }
        }
    }
    Job::new(name, (line, end), t, commands)
}

/// Whether a task's file comes from the job's git checkout: `source: git` on the task, or a
/// job with a `git_source` whose task does not say `source: workspace`.
fn from_git(task: Option<&Node>, job_git: bool) -> bool {
    match task.and_then(|t| t.get("source")).and_then(Node::as_str) {
        Some(s) => s.eq_ignore_ascii_case("git"),
        None => job_git,
    }
}

/// Whether a task runs in a mode whose failures are ignored: `run_mode: dry_run` or
/// `disabled` among its `base_parameters` (or `--run_mode=dry_run` in its `parameters`).
fn cannot_fail(task: &Node) -> bool {
    let soft = |v: &str| matches!(v.trim(), "dry_run" | "disabled");
    let in_base = ["notebook_task", "spark_python_task", "python_wheel_task"]
        .iter()
        .filter_map(|k| task.get(k))
        .filter_map(|t| {
            t.get("base_parameters")
                .or_else(|| t.get("named_parameters"))
        })
        .filter_map(|b| b.get("run_mode").and_then(Node::as_str))
        .any(soft);
    let in_args = ["spark_python_task", "python_wheel_task"]
        .iter()
        .filter_map(|k| task.get(k).and_then(|t| t.get("parameters")))
        .flat_map(|p| p.as_seq().iter().filter_map(Node::as_str))
        .any(|a| a.strip_prefix("--run_mode=").is_some_and(soft));
    in_base || in_args
}

/// The reference a task's file makes: a path relative to the definition, a dbx `file://`
/// path (relative to the project, the folder holding `conf/`), a bundle's synced files
/// (`${workspace.file_path}/src/train.py`) or a workspace path, by its trailing path.
fn task_file(line: u32, s: &str, here: &str) -> Option<Command> {
    let synced = ["${workspace.file_path}/", "${workspace.root_path}/files/"]
        .iter()
        .find_map(|p| s.strip_prefix(p));
    if let Some(rest) = synced {
        return (!rest.contains(['$', '{']))
            .then(|| Command::reference(line, format!("@workspace:{rest}")));
    }
    if s.contains("${") || s.contains("{{") {
        return None;
    }
    if let Some(rest) = s.strip_prefix("file://") {
        let project = here
            .strip_suffix("conf")
            .map(|p| p.trim_end_matches('/'))
            .unwrap_or(here);
        let p = crate::paths::join(project, rest.trim_start_matches('/'))?;
        return Some(Command::reference(line, format!("/{p}")));
    }
    if let Some(c) = workspace_reference(line, s) {
        return Some(c);
    }
    if s.contains("://") {
        return None;
    }
    Some(Command::reference(
        line,
        format!("/{}", crate::paths::join(here, s)?),
    ))
}

/// The reference a workspace path makes (`/Shared/proj/train` → `@workspace:proj/train`), which
/// the graph matches to the repository's file with that trailing path; `None` when the path
/// holds a variable or names no file.
pub(crate) fn workspace_reference(line: u32, s: &str) -> Option<Command> {
    workspace_path(s).map(|w| Command::reference(line, format!("@workspace:{w}")))
}

/// A workspace or DBFS path (`/Shared/p/train`, `/Repos/u/p/src/train.py`,
/// `/Workspace/Users/u/p/nb`, `dbfs:/jobs/train.py`, `file:/...` of a checkout), as the
/// trailing path the repository may hold: the part after the workspace's own folders.
pub(crate) fn workspace_path(s: &str) -> Option<String> {
    let s = s.trim();
    // A root the job is handed (`${var.repo_path}/src/train`, `${workspace.root}/nb`): what
    // follows it is the path inside the checkout, as under `/Repos/<user>/<repo>/`.
    if let Some(rest) = s
        .strip_prefix("${")
        .and_then(|r| r.split_once("}/"))
        .map(|(_, r)| r)
    {
        return workspace_path(&format!("/{rest}"));
    }
    let rest = s
        .strip_prefix("dbfs:/")
        .or_else(|| s.strip_prefix("/dbfs/"))
        .or_else(|| s.strip_prefix("/Workspace/"))
        .or_else(|| s.strip_prefix('/'))?;
    let mut parts: Vec<&str> = rest.split('/').filter(|p| !p.is_empty()).collect();
    // The workspace's own folders: `Shared`, `Repos/<user>`, `Users/<user>`.
    match parts.first().copied() {
        Some("Shared") => {
            parts.remove(0);
        }
        Some("Repos") | Some("Users") if parts.len() > 2 => {
            parts.drain(..2);
        }
        _ => {}
    }
    if parts.is_empty()
        || parts
            .iter()
            .any(|p| p.contains(['$', '{', '*']) || *p == "..")
    {
        return None;
    }
    Some(parts.join("/"))
}

/// A Databricks job defined in Python (a Jobs API payload dict sent with `requests`, the SDK's
/// `NotebookTask(notebook_path=...)`): the workspace file each task runs, as a reference of the
/// file's literals, so a schedule the same code gives the job reaches it.
pub(crate) fn python_task_files(doc: &Document, facts: &mut FileFacts) {
    static TASK: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(?:["'](?:notebook_path|python_file)["']\s*:|\b(?:notebook_path|python_file)\s*=)\s*f?["']([^"'\n]{1,300})["']"#,
        )
        .expect("databricks task pattern")
    });
    // In code that drives Databricks (an Airflow Databricks operator, the SDK), any string that
    // is a workspace path (`DRIFT_NOTEBOOK = "/Shared/proj/drift_detector"`) names a notebook.
    static WORKSPACE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r#"["'](/(?:Shared|Repos|Workspace|Users)/[^"'\s$\{]{1,300})["']"#)
            .expect("databricks workspace literal")
    });
    let FileFacts::Python { literals, .. } = facts else {
        return;
    };
    // The workspace path of each first capture group, as a reference at its line.
    // A relative task path (`"notebook_path": "01_Train"`) is beside the notebook that
    // creates the job (a solution accelerator's `RUNME`).
    let here = crate::paths::parent(&doc.rel).to_string();
    let mut refer = |re: &regex::Regex| {
        for m in re.captures_iter(&doc.text).filter_map(|c| c.get(1)) {
            let line = doc.file_line(doc.line_index(m.start()));
            let s = m.as_str().trim();
            let relative = !s.is_empty()
                && !s.starts_with(['/', '.'])
                && !s.contains("://")
                && !s.contains(['$', '{', ':', ' ']);
            match workspace_reference(line, s) {
                Some(c) => literals.push(c),
                None if relative => literals.extend(
                    crate::paths::join(&here, s)
                        .map(|p| Command::reference(line, format!("@workspace:{p}"))),
                ),
                None => {}
            }
        }
    };
    let drives_databricks = doc.text.contains("providers.databricks")
        || doc.text.contains("databricks.sdk")
        || doc.text.contains("databricks_cli");
    if drives_databricks {
        refer(&WORKSPACE);
    }
    if doc.text.contains("notebook_path") || doc.text.contains("python_file") {
        refer(&TASK);
        // `"notebook_path": notebook` with `notebook = "/3_TrainNotebook"` earlier: the
        // variable's literal is the task's workspace path.
        static TASK_VAR: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(
                r#"(?:["'](?:notebook_path|python_file)["']\s*:|\b(?:notebook_path|python_file)\s*=)\s*([A-Za-z_]\w{0,60})\b"#,
            )
            .expect("databricks task variable")
        });
        let names: Vec<String> = TASK_VAR
            .captures_iter(&doc.text)
            .filter_map(|c| c.get(1).map(|m| m.as_str().to_string()))
            .filter(|n| !matches!(n.as_str(), "None" | "f"))
            .take(8)
            .collect();
        for name in names {
            if let Ok(re) = regex::Regex::new(&format!(
                r#"(?m)^[ \t]*{}[ \t]*=[ \t]*["']([^"'\n]{{1,300}})["']"#,
                regex::escape(&name)
            )) {
                refer(&re);
            }
        }
    }
}

/// Databricks asset bundle (`databricks.yml` or an included `resources/*.yml`): each job with
/// its schedule, trigger or none (run on demand), and its tasks' files.
pub(crate) fn databricks(root: &Node, end: u32, here: &str) -> Option<FileFacts> {
    let jobs_node = root.get("resources")?.get("jobs")?;
    let entries = jobs_node.entries();
    if entries.is_empty() {
        return None;
    }
    let jobs = entries
        .iter()
        .zip(ranges(entries, end))
        .map(|((name, line, j), (_, job_end))| job(name, *line, job_end, j, here))
        .collect();
    Some(entry("databricks", Vec::new(), jobs))
}

/// Whether a node is a job definition: a job's keys with tasks, or one task written on it.
fn is_job(n: &Node) -> bool {
    let has_task = |t: &Node| TASK_KINDS.iter().any(|k| t.get(k).is_some());
    match n.get("tasks") {
        Some(ts) => ts.as_seq().iter().any(has_task),
        None => has_task(n) && (n.get("name").is_some() || n.get("schedule").is_some()),
    }
}

/// Job definitions outside a bundle: Jobs API JSON (the job, or `{"settings": job}`, or a list
/// of them), and dbx deployment files (`{env: {"jobs"|"workflows": [job...]}}`, under
/// `environments:` in YAML).
fn job_definitions(root: &Node, end: u32, here: &str) -> Option<FileFacts> {
    let mut cands: Vec<&Node> = vec![root];
    cands.extend(root.as_seq());
    // dbx: environments and their workflows.
    let envs = root.get("environments").unwrap_or(root);
    for (_, _, env) in envs.entries() {
        for key in ["workflows", "jobs"] {
            cands.extend(env.get(key).map(Node::as_seq).unwrap_or(&[]));
        }
    }
    let mut found: Vec<(String, u32, &Node)> = Vec::new();
    for n in cands {
        let n = n.get("settings").filter(|s| is_job(s)).unwrap_or(n);
        if is_job(n) && found.len() < MAX_JOBS {
            let name = str_at(n, &["name"]).unwrap_or("job").to_string();
            found.push((name, n.line.max(1), n));
        }
    }
    if found.is_empty() {
        return None;
    }
    found.sort_by_key(|(_, l, _)| *l);
    let lines: Vec<u32> = found.iter().map(|(_, l, _)| *l).collect();
    let jobs = found
        .iter()
        .enumerate()
        .map(|(i, (name, line, n))| {
            let job_end = lines
                .get(i + 1)
                .map(|l| l.saturating_sub(1).max(*line))
                .unwrap_or(end);
            job(name, *line, job_end, n, here)
        })
        .collect();
    Some(entry("databricks", Vec::new(), jobs))
}

/// Whether a JSON file's text may define a Databricks job (checked before parsing it).
pub(crate) fn may_define_jobs(text: &str) -> bool {
    TASK_KINDS
        .iter()
        .any(|k| text.contains(&format!("\"{k}\"")))
}

/// A JSON file: a Databricks job definition (Jobs API or dbx), read when its text names a task.
pub(crate) fn json(doc: &Document) -> Option<FileFacts> {
    if !may_define_jobs(&doc.text) {
        return None;
    }
    let y = Yaml::of(doc)?;
    job_definitions(y.root, y.end, &y.here)
}

/// The orchestrator's entry points, from a YAML document of its shape anywhere.
pub(crate) struct Databricks;

impl CiSystem for Databricks {
    fn id(&self) -> &'static str {
        "databricks"
    }
    fn jobs_named_from_elsewhere(&self) -> bool {
        true
    }
    fn words(&self) -> &'static [&'static str] {
        &["resources", "environments"]
    }
    fn shaped(&self, y: &Yaml) -> Option<FileFacts> {
        databricks(y.root, y.end, &y.here).or_else(|| {
            y.root
                .get("environments")
                .and_then(|_| job_definitions(y.root, y.end, &y.here))
        })
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[
            (
                "databricks.yml",
                "resources:\n  jobs:\n    retrain:\n      schedule:\n        quartz_cron_expression: 0 0 3 * * ?\n      tasks:\n        - spark_python_task:\n            python_file: train.py\n",
            ),
            (
                "conf/deployment.yml",
                "environments:\n  default:\n    workflows:\n      - name: retrain\n        schedule:\n          quartz_cron_expression: 0 0 3 * * ?\n        tasks:\n          - task_key: train\n            spark_python_task:\n              python_file: file://jobs/train.py\n",
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Python that defines Databricks tasks names their notebooks by workspace path: in a Jobs
    /// API payload or SDK call, and in any string of code that drives Databricks.
    #[test]
    fn python_names_task_notebooks_by_workspace_path() {
        let refs = |text: &str| {
            let doc = Document::new("jobs.py", text.to_string());
            let mut f = crate::facts::python::python(&doc);
            python_task_files(&doc, &mut f);
            let FileFacts::Python { literals, .. } = f else {
                panic!("python facts")
            };
            literals
                .into_iter()
                .map(|c| c.text)
                .filter(|t| t.starts_with("@workspace:"))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            refs("p = {\"notebook_task\": {\"notebook_path\": \"/Repos/me/proj/nb/train\"}}\n"),
            vec!["@workspace:proj/nb/train"]
        );
        // A relative path is beside the notebook that creates the job.
        assert_eq!(
            refs("job = {\"notebook_task\": {\"notebook_path\": f\"01_ML_Model_Trainer\"}}\n"),
            vec!["@workspace:01_ML_Model_Trainer"]
        );
        assert_eq!(
            refs(
                "from airflow.providers.databricks.operators.databricks import DatabricksRunNowOperator\nNB = \"/Shared/proj/drift_detector\"\n"
            ),
            vec!["@workspace:proj/drift_detector"]
        );
        // Without Databricks in the code, a path-like string names nothing.
        assert!(refs("NB = \"/Shared/proj/drift_detector\"\n").is_empty());
        // A Jobs API payload naming its notebook by a variable: the variable's literal.
        assert_eq!(
            refs(
                "notebookRemote = \"/3_IncomeNotebookDevops\"\njob = {\"notebook_task\": {\"notebook_path\": notebookRemote}}\n"
            ),
            vec!["@workspace:3_IncomeNotebookDevops"]
        );
    }

    fn jobs_of(rel: &str, text: &str) -> Vec<Job> {
        let doc = Document::new(rel, text.to_string());
        let f = if rel.ends_with(".json") {
            json(&doc)
        } else {
            Yaml::of(&doc).and_then(|y| Databricks.shaped(&y))
        };
        match f {
            Some(FileFacts::Entry { jobs, .. }) => jobs,
            _ => Vec::new(),
        }
    }

    #[test]
    fn workspace_paths_keep_their_trailing_path() {
        assert_eq!(
            workspace_path("/Shared/proj/notebooks/train").as_deref(),
            Some("proj/notebooks/train")
        );
        assert_eq!(
            workspace_path("/Repos/me@x.com/proj/src/train").as_deref(),
            Some("proj/src/train")
        );
        assert_eq!(
            workspace_path("/Workspace/Users/me/proj/nb").as_deref(),
            Some("proj/nb")
        );
        assert_eq!(
            workspace_path("dbfs:/jobs/train.py").as_deref(),
            Some("jobs/train.py")
        );
        assert_eq!(workspace_path("/Shared/${var.env}/train"), None);
        // A root the job is handed, then the path inside the checkout.
        assert_eq!(
            workspace_path("${var.repo_path}/src/ml/train").as_deref(),
            Some("src/ml/train")
        );
        assert_eq!(workspace_path("${var.root}/${var.nb}"), None);
        assert_eq!(workspace_path("train.py"), None);
    }

    /// A task from the job's git checkout (`source: git`, or a job with `git_source`) names
    /// its file from the repository's root; one from the workspace, from the definition.
    #[test]
    fn git_sourced_tasks_name_files_from_the_root() {
        let doc = "resources:\n  jobs:\n    train:\n      tasks:\n        - task_key: a\n          notebook_task:\n            notebook_path: proj/training/Train\n            source: git\n        - task_key: b\n          notebook_task:\n            notebook_path: nb/b\n";
        let j = jobs_of("proj/resources/train.yml", doc);
        let texts: Vec<&str> = j[0].commands.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, vec!["/proj/training/Train", "/proj/resources/nb/b"]);
        let with_git = doc.replace(
            "      tasks:",
            "      git_source:\n        git_url: u\n      tasks:",
        );
        let j = jobs_of("proj/resources/train.yml", &with_git);
        let texts: Vec<&str> = j[0].commands.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(texts, vec!["/proj/training/Train", "/nb/b"]);
        let pinned = with_git.replace("nb/b\n", "nb/b\n            source: WORKSPACE\n");
        let j = jobs_of("proj/resources/train.yml", &pinned);
        assert_eq!(j[0].commands[1].text, "/proj/resources/nb/b");
    }

    /// Jobs API JSON (tasks, a single task, `settings`) and dbx files are jobs, scheduled
    /// when they have an unpaused schedule; a workspace path is a workspace reference.
    #[test]
    fn jobs_api_json_and_dbx_files_are_jobs() {
        let j = jobs_of(
            "jobs/train.json",
            "{\"name\": \"train\", \"schedule\": {\"quartz_cron_expression\": \"0 0 3 * * ?\"},\n \"tasks\": [{\"task_key\": \"t\", \"notebook_task\": {\"notebook_path\": \"/Shared/proj/train\"}}]}\n",
        );
        assert_eq!(j.len(), 1);
        assert_eq!(j[0].triggers[0].kind, TriggerKind::Schedule);
        assert_eq!(j[0].commands[0].text, "@workspace:proj/train");
        let j = jobs_of(
            "jobs/train.json",
            "{\"settings\": {\"name\": \"t\", \"notebook_task\": {\"notebook_path\": \"/Repos/u/proj/nb\"}, \"schedule\": {\"quartz_cron_expression\": \"x\", \"pause_status\": \"PAUSED\"}}}\n",
        );
        assert_eq!(j[0].triggers[0].kind, TriggerKind::Manual);
        let j = jobs_of(
            "conf/deployment.json",
            "{\"default\": {\"jobs\": [{\"name\": \"a\", \"spark_python_task\": {\"python_file\": \"jobs/a.py\"}}]}}\n",
        );
        assert_eq!(j[0].commands[0].text, "/conf/jobs/a.py");
        let j = jobs_of("conf/deployment.yml", Databricks.samples()[1].1);
        assert_eq!(j[0].triggers[0].kind, TriggerKind::Schedule);
        assert_eq!(j[0].commands[0].text, "/jobs/train.py");
        // A JSON file that is no job: nothing.
        assert!(jobs_of("data/x.json", "{\"notebook_task\": 1}").is_empty());
        // A wheel task runs its package's console script, as a command of that name.
        let j = jobs_of(
            "conf/deployment.json",
            "{\"default\": {\"workflows\": [{\"name\": \"w\", \"tasks\": [{\"task_key\": \"main\", \"python_wheel_task\": {\"package_name\": \"churn\", \"entry_point\": \"train\"}}]}]}}\n",
        );
        let runs: Vec<(&str, bool)> = j[0]
            .commands
            .iter()
            .map(|c| (c.text.as_str(), c.shell))
            .collect();
        assert_eq!(runs, vec![("train", false), ("train", true)]);
    }
}
