//! The ids of the catalogue that ripen's code relies on, declared once. Everything else about
//! capabilities and models is data under `rules/`; these are the few the pipeline itself acts
//! on (built-in evidence, rule entry points, graph facets). [`check`] runs when the catalogue
//! loads, so a renamed or removed id is a load error that names it, not silently missing
//! evidence.

use crate::catalogue::{Catalogue, DataError};

/// Capabilities the pipeline writes evidence of or reads evidence from.
pub mod capability {
    /// Built-in evidence: the scanned directory is a git repository.
    pub(crate) const VERSION_CONTROL: &str = "version_control";
    /// Built-in evidence: every CI configuration the graph reads; a `ci` rule's file is an
    /// entry point of a CI system configured elsewhere.
    pub(crate) const CI: &str = "ci";
    /// A rule hit of this capability is an orchestrator's schedule: an entry point.
    pub(crate) const CONTINUOUS_TRAINING_TRIGGER: &str = "continuous_training_trigger";
    /// Training code: a pipeline that reaches it contains a training step.
    pub(crate) const MODEL_TRAINING: &str = "model_training";
    /// Pipelines, which get the `training` facet; with training, the training-pipeline files
    /// of the history facts.
    pub(crate) const ML_PIPELINE_ORCHESTRATION: &str = "ml_pipeline_orchestration";
    /// Monitoring: a monitor created with its schedule in the same file is an entry point.
    pub(crate) const DRIFT_DETECTION: &str = "drift_detection";
    pub(crate) const MODEL_PERFORMANCE_MONITORING: &str = "model_performance_monitoring";
    /// Deployments, which get the `gated` facet.
    pub(crate) const CONTINUOUS_DELIVERY: &str = "continuous_delivery";
    /// End-to-end tests: a deployment into a cluster its own job creates is one.
    pub(crate) const INTEGRATION_TESTS: &str = "integration_tests";
    /// A check of the model before its release; one that cannot fail (run in `dry_run` mode,
    /// `|| true`) is no gate at all.
    pub(crate) const MODEL_VALIDATION_GATE: &str = "model_validation_gate";
    /// Release gates: evidence of one of these in the same automation as a deployment (or a
    /// pull-request check before a push-triggered one) gates it.
    pub(crate) const RELEASE_GATES: &[&str] = &[
        MODEL_VALIDATION_GATE,
        "unit_tests",
        "ml_code_tests",
        INTEGRATION_TESTS,
    ];
    /// What a test run automates: evidence reached only through a test runner (or a smoke run
    /// of a training script) is automated only for these; training, tracking, registries and
    /// deployments exercised by tests are not run by them (docs/levels.md, "Known
    /// over-detection").
    pub(crate) const EXERCISED_BY_TESTS: &[&str] = &[
        "model_validation_gate",
        "unit_tests",
        "ml_code_tests",
        "integration_tests",
        "data_validation",
        "code_quality",
        "reproducible_environment",
        "responsible_ai",
    ];
    /// Experiment tracking: not automated where every run that reaches it switches it off.
    pub(crate) const TRACKING: &[&str] = &["experiment_tracking"];
}

/// Facets the automation graph sets (rules set the others).
pub(crate) mod facet {
    /// On `ml_pipeline_orchestration` evidence whose pipeline reaches training code.
    pub(crate) const TRAINING: &str = "training";
    /// On `continuous_delivery` evidence behind a release gate.
    pub(crate) const GATED: &str = "gated";
    /// On `ci` evidence of a job that builds the package, image or environment, itself
    /// (rule `ci-build-step`) or through a script it runs (`ci_builds_through_scripts`).
    pub(crate) const BUILDS: &str = "builds";
    /// On automated release-gate evidence every CI run of which ignores its failure (`|| true`,
    /// `set +e`): it runs, but gates nothing.
    pub(crate) const MASKED: &str = "masked";
    /// Set by rules on a registry alias or stage move (an MLflow `@champion`, `Production`).
    pub(crate) const PROMOTES: &str = "promotes";
    /// Set by rules on a promotion made in an MLflow store its code pins to a local folder or
    /// file (`set_tracking_uri("mlruns")`, `sqlite:///mlflow.db`): run by CI, the store lives
    /// and dies with the runner, and no serving process reads the move.
    pub(crate) const LOCAL_STORE: &str = "local_store";
    /// Set by rules on a serving process that loads the registry's promoted version: with one,
    /// a promotion is a deployment.
    pub(crate) const LOADS_PROMOTED: &str = "loads_promoted";
    /// Set by rules on code that writes a model version into a directory a model server polls
    /// (TF Serving's base path, Triton in poll mode): with such a server, the write deploys.
    pub(crate) const WRITES_SERVED_MODEL: &str = "writes_served_model";
    /// Set by rules on a model server that loads each new version appearing in a directory it
    /// polls (a mounted or remote TF Serving base path, Triton's poll mode).
    pub(crate) const POLLS_MODEL_DIR: &str = "polls_model_dir";
    /// Set by rules on a deployment that reads a model approval first: it is `gated` unless the
    /// same code registers the model as approved at once (`AUTO_APPROVED`).
    pub(crate) const APPROVAL_GATE: &str = "approval_gate";
    pub(crate) const AUTO_APPROVED: &str = "auto_approved";
    /// Set by rules on a deployment made through a release tool whose own configuration may
    /// hold releases for approval (a Google Cloud Deploy release); paired with the facet the
    /// tool's configuration rule sets when it does ([`RELEASE_APPROVAL`]).
    pub(crate) const CLOUD_DEPLOY_RELEASE: &str = "cloud_deploy_release";
    /// Set by rules on a release tool's configuration that holds releases for a person's
    /// approval (a Cloud Deploy target with `requireApproval: true`).
    pub(crate) const RELEASE_APPROVAL: &str = "release_approval";
    /// Set by rules on integration-test evidence that is the pipeline's own run in CI (`dvc
    /// repro`): on pull requests it checks the change, but run by the automation that deploys,
    /// it is the release itself, not a check before it (no release gate there).
    pub(crate) const RUNS_PIPELINE: &str = "runs_pipeline";
    /// Set by rules on a CI job or script that creates a cluster living as long as the job
    /// (kind, minikube, k3d): a deployment in the same job or script deploys into it.
    pub(crate) const THROWAWAY_CLUSTER: &str = "throwaway_cluster";
}

/// Every capability id above.
fn capabilities() -> impl Iterator<Item = &'static str> {
    use capability::*;
    [
        VERSION_CONTROL,
        CI,
        CONTINUOUS_TRAINING_TRIGGER,
        MODEL_TRAINING,
        ML_PIPELINE_ORCHESTRATION,
        DRIFT_DETECTION,
        MODEL_PERFORMANCE_MONITORING,
        CONTINUOUS_DELIVERY,
    ]
    .into_iter()
    .chain(RELEASE_GATES.iter().copied())
    .chain(EXERCISED_BY_TESTS.iter().copied())
    .chain(TRACKING.iter().copied())
}

/// Every capability the code relies on is in the catalogue.
pub(crate) fn check(cat: &Catalogue) -> Result<(), DataError> {
    match capabilities().find(|id| cat.capability(id).is_none()) {
        None => Ok(()),
        Some(id) => Err(DataError {
            file: "rules/capabilities.yml".into(),
            line: 0,
            column: 0,
            message: format!(
                "capability `{id}` is missing: ripen's code relies on it (src/catalogue/builtin.rs)"
            ),
        }),
    }
}
