//! Runs of a job by its name: an orchestrator's command that starts one (`tkn pipeline start`,
//! `airflow dags trigger`, `prefect deployment run`, `mage run`) and a POST to a REST API that
//! starts one (Airflow's `dagRuns`, GitHub's workflow `dispatches`).

use super::Action;
use super::classify::positional;

/// A job an orchestrator's command starts by name, if it is one.
pub(super) fn job_by_name(program: &str, args: &[String]) -> Option<Action> {
    let sub = |i: usize| args.get(i).map(String::as_str);
    match (program, sub(0)) {
        ("tkn", Some(kind @ ("pipeline" | "task"))) if sub(1) == Some("start") => {
            let name = positional(&args[2..]).into_iter().next()?;
            let kind = if kind == "pipeline" {
                "Pipeline"
            } else {
                "Task"
            };
            Some(Action::Job {
                system: "tekton",
                job: format!("{kind}/{name}"),
            })
        }
        // `airflow dags trigger DAG_ID`: the file that defines that DAG.
        ("airflow", Some("dags")) if sub(1) == Some("trigger") => {
            let job = positional(&args[2..]).into_iter().next()?;
            Some(Action::Job {
                system: "airflow",
                job,
            })
        }
        // `prefect deployment run FLOW/DEPLOYMENT`: that deployment of a `prefect.yaml`.
        ("prefect", Some("deployment")) if sub(1) == Some("run") => {
            let name = positional(&args[2..]).into_iter().next()?;
            let job = name.rsplit('/').next().unwrap_or(&name).to_string();
            Some(Action::Job {
                system: "prefect",
                job,
            })
        }
        // `mage run PROJECT PIPELINE`: that pipeline of a Mage project (`pipelines/PIPELINE/`).
        ("mage", Some("run")) => {
            let job = positional(&args[1..]).into_iter().nth(1)?;
            Some(Action::Job {
                system: "mage",
                job,
            })
        }
        _ => None,
    }
}

/// A run started through a REST API by an HTTP client that posts (a request that only reads,
/// with no `POST` and no data, lists runs and starts nothing):
/// - Airflow's `.../api/v1/dags/DAG_ID/dagRuns` (also `v2`) starts that DAG, as `airflow dags
///   trigger DAG_ID` does;
/// - GitHub's `.../actions/workflows/WORKFLOW/dispatches` dispatches that workflow, as `gh
///   workflow run WORKFLOW` does.
pub(super) fn rest_api_run(program: &str, args: &[String]) -> Option<Action> {
    if !matches!(program, "curl" | "wget" | "http" | "https" | "xh") {
        return None;
    }
    let posts = args.iter().any(|a| {
        a.eq_ignore_ascii_case("post")
            || a.eq_ignore_ascii_case("-XPOST")
            || a.starts_with("--data")
            || a.starts_with("--post-")
            || a == "--json"
            || a.starts_with("-d")
    });
    if !posts {
        return None;
    }
    args.iter().find_map(|a| {
        if let Some(w) = github_dispatched_workflow(a) {
            return Some(Action::GhWorkflow(w));
        }
        let dag = airflow_dag_run(a).filter(|d| !d.starts_with('{'))?;
        Some(Action::Job {
            system: "airflow",
            job: dag,
        })
    })
}

/// The DAG an Airflow REST API URL starts (`.../api/v1/dags/retrain/dagRuns`, also `v2`); a
/// placeholder is kept whole (`{dag_id}`), for code that knows its value.
pub(crate) fn airflow_dag_run(url: &str) -> Option<String> {
    let (api, rest) = url.split_once("/dags/")?;
    if !(api.ends_with("/api/v1") || api.ends_with("/api/v2")) {
        return None;
    }
    let (dag, tail) = rest.split_once('/')?;
    let name = dag
        .strip_prefix('{')
        .and_then(|d| d.strip_suffix('}'))
        .unwrap_or(dag);
    let ok = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.'));
    (ok && tail.starts_with("dagRuns")).then(|| dag.to_string())
}

/// The workflow file a GitHub REST API URL dispatches (`.../actions/workflows/deploy.yml/dispatches`),
/// placeholders kept (`deploy-model-{env}.yml`).
pub(crate) fn github_dispatched_workflow(url: &str) -> Option<String> {
    let (_, rest) = url.split_once("/actions/workflows/")?;
    let (w, tail) = rest.split_once('/')?;
    (tail.starts_with("dispatches")
        && (w.ends_with(".yml") || w.ends_with(".yaml"))
        && !w.contains(['"', '\'', ' ']))
    .then(|| w.to_string())
}
