//! The automation graph on small fixture repositories (`fixtures/automation/<case>/`): entry
//! points and their triggers for every CI system and orchestrator ripen reads, every kind of
//! edge, and the exact chain from trigger to evidence. The graph is checked directly (exact
//! chains, independent of the rule packs), then through a full scan (tiers and triggers of
//! rule evidence).

use ripen::extract;
use ripen::graph::{self as automation, Automation};
use ripen::model::{Facts, TriggerKind};
use ripen::read::Document;
use std::path::{Path, PathBuf};

fn fixture(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures/automation")
        .join(case)
}

fn walk(dir: &Path, root: &Path, out: &mut Vec<String>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            walk(&p, root, out);
        } else if let Ok(rel) = p.strip_prefix(root) {
            out.push(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

struct Graph {
    facts: Facts,
    auto: Automation,
}

fn graph(case: &str) -> Graph {
    let root = fixture(case);
    let mut files = Vec::new();
    walk(&root, &root, &mut files);
    files.sort();
    assert!(!files.is_empty(), "fixture {case} is missing");
    let mut facts = Facts::default();
    for f in &files {
        let text = std::fs::read_to_string(root.join(f)).expect("fixture file");
        if let Some(x) = extract::extract(&Document::new(f, text)) {
            facts.insert(f.clone(), std::sync::Arc::new(x));
        }
    }
    let memo = automation::EdgeMemo::default();
    let auto = automation::build(&automation::Graph::new(&files, &facts, &memo), &[]);
    Graph { facts, auto }
}

impl Graph {
    /// The chain to `path:line` as the text report prints it, or "-" when nothing reaches it.
    fn chain(&self, path: &str, line: u32) -> String {
        match self.auto.reach(&self.facts, path, Some(line)) {
            Some((chain, _)) => ripen::render::common::chain_text(&chain),
            None => "-".into(),
        }
    }

    fn triggers(&self, path: &str, line: u32) -> Vec<TriggerKind> {
        self.auto
            .reach(&self.facts, path, Some(line))
            .map(|(_, t)| t.iter().map(|t| t.kind).collect())
            .unwrap_or_default()
    }

    #[allow(dead_code)]
    fn dump(&self) -> String {
        let mut s = String::new();
        for e in &self.auto.entry_points {
            s.push_str(&format!(
                "entry {} {} {:?} {:?}\n",
                e.path,
                e.system,
                e.job,
                e.triggers.iter().map(|t| t.label()).collect::<Vec<_>>()
            ));
        }
        let mut paths: Vec<&String> = self.facts.keys().collect();
        paths.sort();
        for p in paths {
            s.push_str(&format!("{p}: {}\n", self.chain(p, 1)));
        }
        for u in &self.auto.unresolved {
            s.push_str(&format!("unresolved {}:{} {}\n", u.path, u.line, u.command));
        }
        s
    }
}

/// Asserts the chain to `path:line` of fixture `case`, printing the whole graph on failure.
macro_rules! chain {
    ($g:expr, $path:expr, $line:expr, $want:expr) => {{
        let got = $g.chain($path, $line);
        assert_eq!(got, $want, "chain to {}:{}\n{}", $path, $line, $g.dump());
    }};
}

fn entry_triggers(g: &Graph, path: &str, job: Option<&str>) -> Vec<String> {
    g.auto
        .entry_points
        .iter()
        .find(|e| e.path == path && e.job.as_deref() == job)
        .map(|e| e.triggers.iter().map(|t| t.label()).collect())
        .unwrap_or_else(|| panic!("no entry point {path} {job:?}\n{}", g.dump()))
}

// ---- CI systems ------------------------------------------------------------------------------

#[test]
fn github_schedule_make_python_import() {
    let g = graph("gha-schedule-make");
    assert_eq!(
        entry_triggers(&g, ".github/workflows/train.yml", Some("train")),
        vec!["schedule \"0 3 * * 1\"", "manual"]
    );
    chain!(
        g,
        "src/trainer/model.py",
        6,
        ".github/workflows/train.yml:12 (schedule \"0 3 * * 1\", manual) → Makefile:5 [make train] → src/trainer/train.py:1 [python src/trainer/train.py --n 200] → src/trainer/model.py:6 [import trainer.model]"
    );
    assert_eq!(
        g.triggers("src/trainer/model.py", 6),
        vec![TriggerKind::Schedule, TriggerKind::Manual]
    );
    // `make train` does not run the lint target.
    assert_eq!(g.chain("Makefile", 3), "-");
}

#[test]
fn github_reusable_workflow_and_composite_actions() {
    let g = graph("gha-reusable-composite");
    assert_eq!(
        entry_triggers(&g, ".github/workflows/train.yml", Some("fit")),
        vec!["called"]
    );
    chain!(
        g,
        "churn/train.py",
        14,
        ".github/workflows/ci.yml:14 (push, pull_request) → .github/workflows/train.yml:11 [references ./.github/workflows/train.yml] → .github/actions/train/action.yml:9 [references ./.github/actions/train] → scripts/train.sh:3 [bash scripts/train.sh] → churn/train.py:14 [python -m churn.train]"
    );
    chain!(
        g,
        ".github/actions/setup-python/action.yml",
        6,
        ".github/workflows/ci.yml:10 (push, pull_request) → .github/actions/setup-python/action.yml:6 [references ./.github/actions/setup-python]"
    );
}

#[test]
fn lint_only_workflow_does_not_automate_training() {
    let g = graph("gha-lint-only");
    assert_eq!(g.chain("src/train.py", 14), "-");
    assert!(g.auto.unresolved.is_empty(), "{}", g.dump());
}

#[test]
fn tests_importing_training_do_not_automate_it() {
    let g = graph("gha-pytest-imports-training");
    chain!(
        g,
        "tests/test_train.py",
        1,
        ".github/workflows/ci.yml:7 (push) → tests/test_train.py:1 [python -m pytest tests]"
    );
    assert_eq!(g.chain("src/train.py", 14), "-");
}

#[test]
fn gitlab_local_include_inherits_triggers_and_keeps_schedule_rules() {
    let g = graph("gitlab-include");
    assert_eq!(
        entry_triggers(&g, "ci/train.gitlab-ci.yml", Some("retrain")),
        vec!["schedule"]
    );
    assert_eq!(
        entry_triggers(&g, "ci/train.gitlab-ci.yml", Some("evaluate")),
        vec!["push", "pull_request"]
    );
    chain!(
        g,
        "src/train.py",
        14,
        ".gitlab-ci.yml:3 (schedule) → ci/train.gitlab-ci.yml:11 [include ci/train.gitlab-ci.yml] → src/train.py:14 [python src/train.py]"
    );
    assert_eq!(g.triggers("src/train.py", 14), vec![TriggerKind::Schedule]);
    chain!(
        g,
        "src/evaluate.py",
        2,
        ".gitlab-ci.yml:3 (push, pull_request) → ci/train.gitlab-ci.yml:15 [include ci/train.gitlab-ci.yml] → src/evaluate.py:2 [python src/evaluate.py]"
    );
}

#[test]
fn azure_pipeline_anywhere_with_template_and_az_ml_job() {
    let g = graph("azure-pipelines-template");
    // The template is part of the pipeline that uses it, not a pipeline of its own.
    assert!(
        !g.auto
            .entry_points
            .iter()
            .any(|e| e.path == "templates/aml-steps.yml"),
        "{}",
        g.dump()
    );
    assert_eq!(
        entry_triggers(&g, "pipelines/train-pipeline.yml", None),
        vec!["push"]
    );
    chain!(
        g,
        "src/train.py",
        14,
        "pipelines/train-pipeline.yml:11 (push) → templates/aml-steps.yml:11 [references ../templates/aml-steps.yml] → aml/train-job.yml:3 [az ml job create -f aml/train-job.yml --stream] → src/train.py:14 [python train.py --n 50]"
    ); // `template: /x.yml@self` is this repository's file; a `script: |` block is one command
    // per line.
    assert_eq!(
        entry_triggers(&g, "pipelines/lint-pipeline.yml", None),
        vec!["push"]
    );
    chain!(
        g,
        "templates/lint-steps.yml",
        4,
        "pipelines/lint-pipeline.yml:5 (push) → templates/lint-steps.yml:4 [references templates/lint-steps.yml]"
    );
}

#[test]
fn jenkins_cron_dvc_repro_reaches_every_stage() {
    let g = graph("jenkins-dvc");
    assert_eq!(
        entry_triggers(&g, "Jenkinsfile", None),
        vec!["schedule \"H 3 * * *\"", "external"]
    );
    chain!(
        g,
        "src/train.py",
        14,
        "Jenkinsfile:9 (schedule \"H 3 * * *\", external) → dvc.yaml:6 [dvc repro] → src/train.py:14 [python src/train.py]"
    );
    chain!(
        g,
        "src/prepare.py",
        2,
        "Jenkinsfile:9 (schedule \"H 3 * * *\", external) → dvc.yaml:3 [dvc repro] → src/prepare.py:2 [python src/prepare.py]"
    );
}

#[test]
fn circleci_scheduled_workflow_runs_only_its_jobs() {
    let g = graph("circleci-scheduled");
    assert_eq!(
        entry_triggers(&g, ".circleci/config.yml", Some("train")),
        vec!["schedule \"0 2 * * *\""]
    );
    assert_eq!(
        entry_triggers(&g, ".circleci/config.yml", Some("test")),
        vec!["push"]
    );
    chain!(
        g,
        "train.py",
        14,
        ".circleci/config.yml:16 (schedule \"0 2 * * *\") → train.py:14 [python train.py]"
    );
    assert_eq!(g.triggers("train.py", 14), vec![TriggerKind::Schedule]);
}

/// A setup workflow continues into a second configuration on the same push: its jobs are
/// reached from the setup, not started on their own.
#[test]
fn circleci_setup_workflow_continues_into_its_second_config() {
    let g = graph("circleci-setup");
    assert_eq!(
        entry_triggers(&g, ".circleci/continue_config.yml", Some("train")),
        vec!["called"]
    );
    chain!(
        g,
        "src/train.py",
        6,
        ".circleci/config.yml:10 (push) → .circleci/continue_config.yml:12 [references .circleci/continue_config.yml] → src/train.py:6 [python src/train.py]"
    );
}

#[test]
fn bitbucket_custom_pipeline_is_manual() {
    let g = graph("bitbucket-custom");
    chain!(
        g,
        "train.py",
        14,
        "bitbucket-pipelines.yml:13 (manual) → train.py:14 [python train.py]"
    );
    chain!(
        g,
        "test_train.py",
        2,
        "bitbucket-pipelines.yml:7 (push) → test_train.py:2 [pytest]"
    );
    // File-level lines (no job) carry every job's triggers, and a code-change chain.
    let (chain, trig) = g
        .auto
        .reach(&g.facts, "bitbucket-pipelines.yml", None)
        .expect("reached");
    assert_eq!(chain[0].via, "push");
    assert!(trig.iter().any(|t| t.kind == TriggerKind::Manual));
}

/// Building an image runs its Dockerfile's `RUN` lines, not the command its containers start:
/// the image Cloud Build only builds and pushes serves nothing here.
#[test]
fn cloud_build_docker_build_runs_the_dockerfile_not_its_cmd() {
    let g = graph("cloudbuild-docker");
    chain!(
        g,
        "docker/serve.Dockerfile",
        4,
        "cloudbuild.yaml:3 (external) → docker/serve.Dockerfile:4 [docker build -t gcr.io/$PROJECT_ID/model -f docker/serve.Dockerfile .]"
    );
    chain!(g, "docker/app/main.py", 4, "-");
    // `bash -c "... && python pipeline/train.py"` is read inside.
    chain!(
        g,
        "pipeline/train.py",
        14,
        "cloudbuild.yaml:6 (external) → pipeline/train.py:14 [python pipeline/train.py]"
    );
}

#[test]
fn codebuild_runs_sagemaker_pipeline_entry_point() {
    let g = graph("codebuild-sagemaker");
    chain!(
        g,
        "src/train.py",
        14,
        "buildspec.yml:8 (external) → pipelines/run_pipeline.py:1 [python pipelines/run_pipeline.py --role $ROLE] → pipelines/pipeline.py:7 [import pipelines.pipeline] → src/train.py:14 [references train.py]"
    );
}

#[test]
fn databricks_bundle_jobs_with_schedule_and_tasks() {
    let g = graph("databricks-bundle");
    assert_eq!(
        entry_triggers(&g, "databricks.yml", Some("retrain")),
        vec!["schedule \"0 0 4 ? * MON\""]
    );
    assert_eq!(
        entry_triggers(&g, "databricks.yml", Some("adhoc")),
        vec!["manual"]
    );
    chain!(
        g,
        "src/train.py",
        14,
        "databricks.yml:13 (schedule \"0 0 4 ? * MON\") → src/train.py:14 [references src/train.py]"
    );
    chain!(
        g,
        "notebooks/evaluate.py",
        2,
        "databricks.yml:16 (schedule \"0 0 4 ? * MON\") → notebooks/evaluate.py:2 [references notebooks/evaluate]"
    );
}

// ---- orchestrators ---------------------------------------------------------------------------

#[test]
fn orchestrator_schedules_reach_their_code() {
    let g = graph("orchestrators");
    chain!(
        g,
        "jobs/train_job.py",
        14,
        "k8s/retrain-cronjob.yaml:14 (schedule \"0 5 * * *\") → jobs/train_job.py:14 [python jobs/train_job.py --n 10]"
    );
    chain!(
        g,
        "jobs/argo_train.py",
        14,
        "argo/cron.yaml:13 (schedule \"30 1 * * *\") → jobs/argo_train.py:14 [python jobs/argo_train.py]"
    );
    chain!(
        g,
        "flows/train_flow.py",
        8,
        "prefect.yaml:4 (schedule \"0 6 * * *\") → flows/train_flow.py:8 [references flows/train_flow.py]"
    );
    assert_eq!(
        entry_triggers(&g, "prefect.yaml", Some("on-demand")),
        vec!["manual"]
    );
    chain!(
        g,
        "src/aml_train.py",
        14,
        "aml/schedule.yml:6 (schedule \"0 7 * * 1\") → aml/pipeline.yml:6 [references ./pipeline.yml] → aml/components/train.yml:4 [references ./components/train.yml] → src/aml_train.py:14 [python aml_train.py]"
    );
}

#[test]
fn eventbridge_rules_in_cloudformation_and_terraform() {
    let g = graph("eventbridge");
    chain!(
        g,
        "lambdas/retrain.py",
        5,
        "infra/template.yaml:26 (schedule \"cron(0 8 ? * MON *)\") → lambdas/retrain.py:5 [references lambdas/retrain.py]"
    );
    chain!(
        g,
        "lambdas/deploy.py",
        5,
        "infra/template.yaml:32 (event \"SageMaker Model Package State Change\") → lambdas/deploy.py:5 [references lambdas/deploy.py]"
    );
    assert_eq!(g.triggers("lambdas/deploy.py", 5), vec![TriggerKind::Event]);
    chain!(
        g,
        "train.py",
        14,
        "terraform/schedule.tf:15 (schedule \"rate(7 days)\") → ci/retrain-spec.yml:5 [references ci/retrain-spec.yml] → train.py:14 [python train.py]"
    );
}

// ---- edges -----------------------------------------------------------------------------------

#[test]
fn deployment_edges_kustomize_helm_cdk_sam_kedro_python_m() {
    let g = graph("deploy-edges");
    chain!(
        g,
        "k8s/base/inferenceservice.yaml",
        2,
        ".github/workflows/deploy.yml:10 (push, approval \"environment production\") → k8s/overlays/prod/kustomization.yaml:2 [kubectl apply -k k8s/overlays/prod] → k8s/base/kustomization.yaml:2 [references k8s/base] → k8s/base/inferenceservice.yaml:2 [references k8s/base/inferenceservice.yaml]"
    );
    chain!(
        g,
        "charts/churn/templates/deployment.yaml",
        2,
        ".github/workflows/deploy.yml:11 (push, approval \"environment production\") → charts/churn/templates/deployment.yaml:2 [helm upgrade --install churn ./charts/churn -f charts/churn/values-prod.yaml]"
    );
    chain!(
        g,
        "infra/stacks/endpoint.py",
        6,
        ".github/workflows/deploy.yml:12 (push, approval \"environment production\") → infra/cdk.json:2 [npx cdk deploy --require-approval never] → infra/app.py:2 [python3 app.py] → infra/stacks/endpoint.py:6 [import stacks.endpoint]"
    );
    chain!(
        g,
        "serverless/src/predict.py",
        7,
        ".github/workflows/deploy.yml:14 (push, approval \"environment production\") → serverless/template.yaml:7 [sam build] → serverless/src/predict.py:7 [references serverless/src/predict.py]"
    );
    chain!(
        g,
        "src/churn/pipelines/training/nodes.py",
        6,
        ".github/workflows/deploy.yml:16 (push, approval \"environment production\") → src/churn/pipelines/training/nodes.py:6 [kedro run --pipeline training]"
    );
    // `python -m` in a src/ layout, then a relative import.
    chain!(
        g,
        "src/churn_pkg/retrain.py",
        14,
        ".github/workflows/deploy.yml:17 (push, approval \"environment production\") → src/churn_pkg/cli.py:1 [python -m churn_pkg.cli retrain] → src/churn_pkg/retrain.py:14 [import .retrain]"
    );
}

#[test]
fn kfp_container_component_command() {
    let g = graph("kfp-components");
    chain!(
        g,
        "components/train/task.py",
        14,
        ".github/workflows/pipeline.yml:8 (push) → pipeline/submit.py:6 [python pipeline/submit.py] → components/train/task.py:14 [references components/train/task.py]"
    );
}

#[test]
fn cycles_terminate_and_missing_targets_stay_visible() {
    let g = graph("cycles-missing");
    // a.sh and b.sh source each other; the Makefile target calls itself.
    chain!(
        g,
        "train.py",
        14,
        ".gitlab-ci.yml:3 (push, pull_request) → Makefile:3 [make all] → scripts/a.sh:2 [bash scripts/a.sh] → scripts/b.sh:3 [. scripts/b.sh] → train.py:14 [python train.py]"
    );
    let un: Vec<String> = g
        .auto
        .unresolved
        .iter()
        .map(|u| format!("{}:{} {}", u.path, u.line, u.command))
        .collect();
    // echo and pip install are not worth reporting.
    assert_eq!(
        un,
        vec![
            ".gitlab-ci.yml:4 make nope",
            ".gitlab-ci.yml:5 python scripts/missing.py"
        ]
    );
    let u = &g.auto.unresolved[1];
    let hops: Vec<String> = u
        .chain
        .iter()
        .map(|h| format!("{}:{} {}", h.path, h.line.unwrap_or(0), h.via))
        .collect();
    assert_eq!(
        hops,
        vec![
            ".gitlab-ci.yml:5 push, pull_request",
            "(unresolved):0 python scripts/missing.py"
        ]
    );
}

// ---- through a full scan: tiers and triggers of rule evidence --------------------------------

fn scan(case: &str) -> serde_json::Value {
    static CAT: std::sync::OnceLock<ripen::Catalogue> = std::sync::OnceLock::new();
    let cat = CAT.get_or_init(|| ripen::Catalogue::load(&[]).expect("built-in rules"));
    let report = ripen::scan(&fixture(case), cat, &ripen::ScanOptions::default()).expect("scan");
    serde_json::to_value(&report).expect("json")
}

/// (tier, chain path list, trigger kinds) of the best evidence of `cap` in `path`.
fn evidence(
    r: &serde_json::Value,
    cap: &str,
    path: &str,
) -> Option<(String, Vec<String>, Vec<String>)> {
    let caps = r["capabilities"].as_array()?;
    let c = caps.iter().find(|c| c["id"] == cap)?;
    let evs = c["evidence"].as_array()?;
    let mut best: Option<(String, Vec<String>, Vec<String>)> = None;
    for e in evs.iter().filter(|e| e["path"] == path) {
        let tier = e["tier"].as_str().unwrap_or("").to_string();
        let chain = e["chain"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|h| h["path"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default();
        let trig = e["triggers"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|t| t["kind"].as_str().unwrap_or("").to_string())
                    .collect()
            })
            .unwrap_or_default();
        if best.as_ref().is_none_or(|b| b.0 != "automated") {
            best = Some((tier, chain, trig));
        }
    }
    best
}

#[test]
fn scan_promotes_scheduled_training_with_its_chain() {
    let r = scan("gha-schedule-make");
    let (tier, chain, trig) =
        evidence(&r, "model_training", "src/trainer/model.py").expect("training evidence");
    assert_eq!(tier, "automated");
    assert_eq!(
        chain,
        vec![
            ".github/workflows/train.yml",
            "Makefile",
            "src/trainer/train.py",
            "src/trainer/model.py"
        ]
    );
    assert_eq!(trig, vec!["schedule", "manual"]);
}

#[test]
fn scan_lint_only_leaves_training_implemented() {
    let r = scan("gha-lint-only");
    let (tier, chain, _) = evidence(&r, "model_training", "src/train.py").expect("training");
    assert_eq!(tier, "implemented");
    assert!(chain.is_empty());
    let ci = r["capabilities"]
        .as_array()
        .and_then(|a| a.iter().find(|c| c["id"] == "ci"))
        .expect("ci");
    assert_eq!(ci["tier"], "automated");
}

#[test]
fn scan_pytest_does_not_automate_imported_training() {
    let r = scan("gha-pytest-imports-training");
    let (tier, _, _) = evidence(&r, "model_training", "src/train.py").expect("training");
    assert_eq!(tier, "implemented");
}

#[test]
fn scan_airflow_schedule_is_an_entry_point() {
    let r = scan("orchestrators");
    let (tier, chain, trig) =
        evidence(&r, "model_training", "dags/tasks.py").expect("training in the DAG's task");
    assert_eq!(tier, "automated");
    assert_eq!(chain, vec!["dags/retrain_dag.py", "dags/tasks.py"]);
    assert_eq!(trig, vec!["schedule"]);
    let dag = r["automation"]["entry_points"]
        .as_array()
        .and_then(|a| a.iter().find(|e| e["path"] == "dags/retrain_dag.py"))
        .expect("airflow entry point");
    assert_eq!(dag["triggers"][0]["detail"], "@daily");
}

#[test]
fn scan_reports_unresolved_with_chain() {
    let r = scan("cycles-missing");
    let un = r["automation"]["unresolved"]
        .as_array()
        .expect("unresolved");
    assert_eq!(un.len(), 2, "{un:?}");
    let last = un[1]["chain"]
        .as_array()
        .and_then(|c| c.last())
        .expect("chain");
    assert_eq!(last["path"], "(unresolved)");
    assert_eq!(last["via"], "python scripts/missing.py");
}

#[test]
fn scan_deploy_workflow_makes_delivery_automated_on_push() {
    let r = scan("deploy-edges");
    let (tier, chain, trig) =
        evidence(&r, "deployment_manifests", "k8s/base/inferenceservice.yaml")
            .expect("kserve manifest");
    assert_eq!(tier, "automated");
    assert_eq!(
        chain.first().map(String::as_str),
        Some(".github/workflows/deploy.yml")
    );
    // Started by pushes, and held for the `production` environment's approval.
    assert_eq!(trig, vec!["push", "manual"]);
}

#[test]
fn buildkite_steps_and_uploaded_pipeline() {
    let g = graph("buildkite-upload");
    // Buildkite's webhooks are configured in Buildkite: every step is external.
    assert_eq!(
        entry_triggers(&g, ".buildkite/pipeline.yml", Some("test")),
        vec!["external"]
    );
    chain!(
        g,
        "tests/test_train.py",
        1,
        ".buildkite/pipeline.yml:10 (external) → tests/test_train.py:1 [pytest tests/]"
    );
    // A step in a group runs a script that trains.
    chain!(
        g,
        "train.py",
        1,
        ".buildkite/train.yml:6 (external) → scripts/train.sh:3 [bash scripts/train.sh] → train.py:1 [python train.py --epochs 3]"
    );
    // `buildkite-agent pipeline upload FILE` reaches the uploaded pipeline.
    chain!(
        g,
        ".buildkite/train.yml",
        1,
        ".buildkite/pipeline.yml:4 (external) → .buildkite/train.yml:1 [buildkite-agent pipeline upload .buildkite/train.yml]"
    );
    chain!(
        g,
        "k8s/serving.yaml",
        1,
        ".buildkite/train.yml:9 (external) → Makefile:2 [make deploy] → k8s/serving.yaml:1 [kubectl apply -f k8s/]"
    );
}

#[test]
fn travis_jobs_inherit_phases_and_deploy_script() {
    let g = graph("travis-stages");
    for job in ["unit tests", "nightly training", "deploy 3"] {
        assert_eq!(
            entry_triggers(&g, ".travis.yml", Some(job)),
            vec!["push", "pull_request"],
            "{job}"
        );
    }
    // The file's `script:` runs in the jobs that set none of their own.
    chain!(
        g,
        "tests/test_pipeline.py",
        1,
        ".travis.yml:6 (push, pull_request) → tests/test_pipeline.py:1 [pytest tests/]"
    );
    // A job's own script replaces it, `cd` included.
    chain!(
        g,
        "pipeline/train.py",
        1,
        ".travis.yml:14 (push, pull_request) → pipeline/train.py:1 [python train.py]"
    );
    chain!(
        g,
        "deploy.sh",
        1,
        ".travis.yml:18 (push, pull_request) → deploy.sh:1 [bash deploy.sh]"
    );
}

#[test]
fn tekton_listener_run_pipeline_and_tasks() {
    let g = graph("tekton-listener");
    assert_eq!(
        entry_triggers(
            &g,
            "tekton/triggers.yaml",
            Some("EventListener/github-listener")
        ),
        vec!["push"]
    );
    // Pipelines as Code: the run's annotation says which events start it.
    assert_eq!(
        entry_triggers(&g, "tekton/nightly-run.yaml", Some("PipelineRun/nightly")),
        vec!["push", "pull_request"]
    );
    // A run with only a generated name is created anew by each `kubectl create -f`: by hand.
    assert_eq!(
        entry_triggers(&g, "tekton/once-run.yaml", Some("PipelineRun/train-once-")),
        vec!["manual"]
    );
    // So is a run Kubeflow Pipelines compiled for Tekton: a package a person uploads.
    assert_eq!(
        entry_triggers(
            &g,
            "tekton/kfp-compiled-run.yaml",
            Some("PipelineRun/confidence-check")
        ),
        vec!["manual"]
    );
    // The KFP-Tekton compiler marks its runs with `tekton.dev/input_artifacts` (here under
    // a misspelt `annotation:`): a package too, not a run a service starts.
    assert_eq!(
        entry_triggers(
            &g,
            "tekton/kfp-tekton-artifacts-run.yaml",
            Some("PipelineRun/flip-coin-example-pipeline-run")
        ),
        vec!["manual"]
    );
    // A pipeline or task runs only when something references it.
    assert_eq!(
        entry_triggers(&g, "tekton/pipeline.yaml", Some("Task/train-task")),
        vec!["called"]
    );
    // Run → pipeline (by name, in another file) → task (by name) → the step's command.
    chain!(
        g,
        "src/train.py",
        1,
        "tekton/nightly-run.yaml:9 (push, pull_request) → tekton/pipeline.yaml:18 [runs Pipeline/train-pipeline] → tekton/pipeline.yaml:28 [runs Task/train-task] → src/train.py:1 [python src/train.py --epochs 3]"
    );
    // An inline task's script.
    chain!(
        g,
        "test_train.py",
        1,
        "tekton/nightly-run.yaml:9 (push, pull_request) → tekton/pipeline.yaml:15 [runs Pipeline/train-pipeline] → test_train.py:1 [pytest]"
    );
    // The listener reaches the same code through its trigger template.
    let listener = g
        .auto
        .reach(&g.facts, "tekton/triggers.yaml", Some(24))
        .expect("the template is reached");
    assert_eq!(
        ripen::render::common::chain_text(&listener.0),
        "tekton/triggers.yaml:15 (push) → tekton/triggers.yaml:24 [runs TriggerTemplate/train-template]"
    );
    let mut kinds = g.triggers("src/train.py", 1);
    kinds.dedup();
    assert_eq!(
        kinds,
        vec![
            TriggerKind::Push,
            TriggerKind::PullRequest,
            TriggerKind::Manual
        ]
    );
}

#[test]
fn prefect_run_deployment_starts_the_named_deployment() {
    let g = graph("prefect-run-deployment");
    // A scheduled flow that starts another deployment by name (`flow/deployment`) runs that
    // deployment's entrypoint, as `prefect deployment run` would: the manual deployment's
    // flow is reached by the schedule too.
    let kinds = g.triggers("flows/train.py", 6);
    assert!(
        kinds.contains(&TriggerKind::Schedule),
        "{kinds:?}\n{}",
        g.dump()
    );
}

#[test]
fn drone_woodpecker_appveyor_semaphore() {
    let g = graph("../ci-other-systems");
    assert_eq!(
        entry_triggers(&g, ".drone.yml", Some("test/test")),
        vec!["push", "pull_request"]
    );
    // A plugin step (no commands) keeps the events its `when:` names.
    assert_eq!(
        entry_triggers(&g, ".drone.yml", Some("test/image")),
        vec!["push"]
    );
    // The cron pipeline of the same file runs on its own trigger only.
    assert_eq!(
        entry_triggers(&g, ".drone.yml", Some("nightly/train")),
        vec!["schedule"]
    );
    chain!(
        g,
        "src/churn/train.py",
        11,
        ".drone.yml:37 (schedule) → src/churn/train.py:11 [PYTHONPATH=src python -m churn.train]"
    );
    assert_eq!(
        entry_triggers(&g, ".woodpecker/deploy.yml", Some("deploy")),
        vec!["push"]
    );
    assert_eq!(
        entry_triggers(&g, "appveyor.yml", None),
        vec!["push", "pull_request"]
    );
    // An automatic promotion runs the promoted pipeline with the promoting one's triggers; a
    // promotion without `auto_promote` is a click.
    assert_eq!(
        entry_triggers(&g, ".semaphore/staging.yml", Some("Deploy/deploy")),
        vec!["push", "pull_request"]
    );
    assert_eq!(
        entry_triggers(&g, ".semaphore/production.yml", Some("Deploy/deploy")),
        vec!["manual \"promotion\""]
    );
    let mut t = g.triggers("tests/test_features.py", 6);
    t.dedup();
    assert_eq!(t, vec![TriggerKind::Push, TriggerKind::PullRequest]);
}
