//! Scans every synthetic repository in `fixtures/` and checks it against `fixtures/expected.yml`:
//! exact Google and Azure levels, the key evidence a correct scanner must report (with a
//! minimum tier), and ceilings that pin down the false positives each fixture exists to catch.

use ripen::model::Tier;
use ripen::{Catalogue, Report, ScanOptions};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;
use std::sync::OnceLock;

#[derive(Deserialize)]
struct Expected {
    fixtures: BTreeMap<String, Fixture>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Fixture {
    google: u32,
    azure: u32,
    why: String,
    #[serde(default)]
    key_evidence: Vec<KeyEvidence>,
    #[serde(default)]
    ceilings: Vec<Ceiling>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct KeyEvidence {
    capability: String,
    path: String,
    tier: Tier,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Ceiling {
    capability: String,
    max_tier: Tier,
}

fn expected() -> &'static Expected {
    static E: OnceLock<Expected> = OnceLock::new();
    E.get_or_init(|| {
        let text = std::fs::read_to_string("fixtures/expected.yml").expect("fixtures/expected.yml");
        serde_saphyr::from_str(&text).expect("expected.yml parses")
    })
}

fn catalogue() -> &'static Catalogue {
    static C: OnceLock<Catalogue> = OnceLock::new();
    C.get_or_init(|| Catalogue::load(&[]).expect("built-in rules load"))
}

fn glob_match(pattern: &str, path: &str) -> bool {
    globset::Glob::new(pattern)
        .map(|g| g.compile_matcher().is_match(path))
        .unwrap_or(false)
}

fn scan(name: &str) -> Report {
    ripen::scan(
        Path::new("fixtures").join(name).as_path(),
        catalogue(),
        &ScanOptions::default(),
    )
    .expect("fixture scans")
}

fn check(name: &str) {
    let fx = expected()
        .fixtures
        .get(name)
        .unwrap_or_else(|| panic!("no expectation for fixture {name}"));
    let r = scan(name);
    let mut problems = Vec::new();
    let google = r.level("google");
    let azure = r.level("azure");
    if google != Some(fx.google) {
        problems.push(format!("google level {google:?}, expected {}", fx.google));
    }
    if azure != Some(fx.azure) {
        problems.push(format!("azure level {azure:?}, expected {}", fx.azure));
    }
    for k in &fx.key_evidence {
        let cap = r.capability(&k.capability);
        let ok = cap.is_some_and(|c| {
            c.evidence
                .iter()
                .any(|e| e.tier >= k.tier && (e.path == k.path || glob_match(&k.path, &e.path)))
        });
        if !ok {
            let found: Vec<String> = cap
                .map(|c| {
                    c.evidence
                        .iter()
                        .map(|e| format!("{} {}", e.path, e.tier.label()))
                        .collect()
                })
                .unwrap_or_default();
            problems.push(format!(
                "missing {} evidence at {} (>= {}); found: {found:?}",
                k.capability,
                k.path,
                k.tier.label()
            ));
        }
    }
    for c in &fx.ceilings {
        let tier = r
            .capability(&c.capability)
            .map(|x| x.tier)
            .unwrap_or(Tier::None);
        if tier > c.max_tier {
            let ev = r
                .capability(&c.capability)
                .and_then(|x| x.evidence.first())
                .map(|e| format!("{}:{:?} ({})", e.path, e.line, e.rule))
                .unwrap_or_default();
            problems.push(format!(
                "{} is {} but must be at most {} (first evidence {ev})",
                c.capability,
                tier.label(),
                c.max_tier.label()
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "fixture {name} ({}):\n  {}",
        fx.why,
        problems.join("\n  ")
    );
}

macro_rules! fixture_tests {
    ($($test:ident => $name:literal),* $(,)?) => {
        $(#[test] fn $test() { check($name); })*

        #[test]
        fn every_fixture_has_a_test_and_an_expectation() {
            let tested = [$($name),*];
            for name in expected().fixtures.keys() {
                assert!(tested.contains(&name.as_str()), "fixture {name} has no test");
            }
            for entry in std::fs::read_dir("fixtures").unwrap().flatten() {
                let n = entry.file_name().to_string_lossy().into_owned();
                if entry.path().is_dir() && n != "automation" && n != "rules" {
                    assert!(expected().fixtures.contains_key(&n), "fixtures/{n} has no expectation");
                }
            }
        }
    };
}

fixture_tests! {
    notebook_only => "notebook-only",
    ci_only => "ci-only",
    named_not_run => "named-not-run",
    gha_invalid_workflow => "gha-invalid-workflow",
    ci_path_filters => "ci-path-filters",
    quoted_out_tracking => "quoted-out-tracking",
    gate_script_no_errexit => "gate-script-no-errexit",
    dvc_mlflow => "dvc-mlflow",
    azureml_v2 => "azureml-v2",
    kubeflow_vertex => "kubeflow-vertex",
    sagemaker_pipeline => "sagemaker-pipeline",
    full_level4 => "full-level4",
    tooling_library => "tooling-library",
    readme_claims => "readme-claims",
    airflow_training => "airflow-training",
    data_pipeline_only => "data-pipeline-only",
    stepfunctions_terraform => "stepfunctions-terraform",
    databricks_job_json => "databricks-job-json",
    cfn_codepipeline => "cfn-codepipeline",
    terraform_codebuild => "terraform-codebuild",
    cdk_pipelines => "cdk-pipelines",
    retrain_deploy_src => "retrain-deploy-src",
    ci_lint_docs_only => "ci-lint-docs-only",
    scheduler_image_paths => "scheduler-image-paths",
    sagemaker_model_monitor => "sagemaker-model-monitor",
    script_build => "script-build",
    docker_stages => "docker-stages",
    gha_expressions => "gha-expressions",
    airflow_dag_publish => "airflow-dag-publish",
    tfx_lineage => "tfx-lineage",
    inline_python_entry => "inline-python-entry",
    airflow_trigger_dag => "airflow-trigger-dag",
    validation_flag_gate => "validation-flag-gate",
    sys_path_imports => "sys-path-imports",
    deploy_hf_space => "deploy-hf-space",
    deploy_manual_only => "deploy-manual-only",
    deploy_environment_job => "deploy-environment-job",
    deploy_registry_best_of_run => "deploy-registry-best-of-run",
    deploy_registry_reload => "deploy-registry-reload",
    env_install_import_check => "env-install-import-check",
    env_install_failing_job => "env-install-failing-job",
    mlflow_run_redirected => "mlflow-run-redirected",
    airflow_bash_unknown_dir => "airflow-bash-unknown-dir",
    package_build_no_entry_points => "package-build-no-entry-points",
    nox_spread_test_args => "nox-spread-test-args",
    kfp_image_beside_spec => "kfp-image-beside-spec",
    python_indentation_error => "python-indentation-error",
    notebook_pipeline_code_dir => "notebook-pipeline-code-dir",
    truefoundry_job_deploys_service => "truefoundry-job-deploys-service",
    webapp_zip_package_build => "webapp-zip-package-build",
    tag_only_image_build => "tag-only-image-build",
    mlflow_multistep_joined_steps => "mlflow-multistep-joined-steps",
    sdk_distributions_own_source => "sdk-distributions-own-source",
    gha_own_repository_calls => "gha-own-repository-calls",
    samples_own_cloudbuild => "samples-own-cloudbuild",
    kfp_container_step_trains => "kfp-container-step-trains",
    kfp_container_step_stub => "kfp-container-step-stub",
    gitlab_extends_lint_install => "gitlab-extends-lint-install",
    app_services_own_cloudbuild => "app-services-own-cloudbuild",
    gitlab_deploy_stage_reports => "gitlab-deploy-stage-reports",
    jenkins_groovy_compose_redeploy => "jenkins-groovy-compose-redeploy",
    docker_mounted_serving_check => "docker-mounted-serving-check",
    jenkins_input_after_deploy => "jenkins-input-after-deploy",
    gitlab_before_script_cd => "gitlab-before-script-cd",
    jenkins_windows_bat => "jenkins-windows-bat",
    deploy_polled_model_dir => "deploy-polled-model-dir",
    jenkins_named_docker_exec => "jenkins-named-docker-exec",
    deploy_registry_loader_module => "deploy-registry-loader-module",
    azureml_automl_image_config => "azureml-automl-image-config",
    databricks_jobs_api_python => "databricks-jobs-api-python",
    ci_llm_eval_gate => "ci-llm-eval-gate",
    pipeline_steps_elsewhere => "pipeline-steps-elsewhere",
    flyte_register_action => "flyte-register-action",
    truefoundry_scheduled_workflow => "truefoundry-scheduled-workflow",
    azure_pipelines_manual_release => "azure-pipelines-manual-release",
    ci_kind_e2e_deploy => "ci-kind-e2e-deploy",
    azureml_pipeline_spec_in_code => "azureml-pipeline-spec-in-code",
    sagemaker_project_codebuild => "sagemaker-project-codebuild",
    gocd_pipeline => "gocd-pipeline",
    azureml_v1_cli_source_dir => "azureml-v1-cli-source-dir",
    cloudbuild_compiled_spec_copy => "cloudbuild-compiled-spec-copy",
    jenkins_auto_approve_no_gate => "jenkins-auto-approve-no-gate",
    sagemaker_pipeline_definition_dict => "sagemaker-pipeline-definition-dict",
    jenkins_katib_launch => "jenkins-katib-launch",
    gitlab_include_elsewhere => "gitlab-include-elsewhere",
    deploy_registry_stage_constant => "deploy-registry-stage-constant",
    python_subprocess_cli_constant => "python-subprocess-cli-constant",
    airflow_drift_branch_retrain => "airflow-drift-branch-retrain",
    kfp_drift_condition_retrain => "kfp-drift-condition-retrain",
    kfp_evaluation_verdict_gate => "kfp-evaluation-verdict-gate",
    cloud_deploy_approval_release => "cloud-deploy-approval-release",
    gha_workflow_run_after_ci => "gha-workflow-run-after-ci",
    airflow_package_dags_syspath => "airflow-package-dags-syspath",
    airflow_path_constant_script => "airflow-path-constant-script",
    airflow_wrapper_env_schedule => "airflow-wrapper-env-schedule",
    airflow_dag_factory_console_script => "airflow-dag-factory-console-script",
    vertex_sdk_pipeline_components => "vertex-sdk-pipeline-components",
    served_registry_stage_lookup => "served-registry-stage-lookup",
    jenkins_dir_and_script_cd => "jenkins-dir-and-script-cd",
    jenkins_script_on_step_line => "jenkins-script-on-step-line",
    jenkins_shared_library_steps => "jenkins-shared-library-steps",
    cdk_pipeline_synth_only => "cdk-pipeline-synth-only",
    jenkins_unbalanced_braces => "jenkins-unbalanced-braces",
    workflow_engines_more => "workflow-engines-more",
    deploy_sdk_watson_release => "deploy-sdk-watson-release",
    registry_batch_scorer_own_method => "registry-batch-scorer-own-method",
    sagemaker_project_missing_module => "sagemaker-project-missing-module",
    ci_build_script_by_name => "ci-build-script-by-name",
    jenkins_docker_build_no_parens => "jenkins-docker-build-no-parens",
    pipeline_code_from_storage => "pipeline-code-from-storage",
    deploy_endpoint_only => "deploy-endpoint-only",
    aicoe_ci_checks => "aicoe-ci-checks",
    pr_checks_gate_external_deploy => "pr-checks-gate-external-deploy",
    azure_pipelines_databricks_notebook => "azure-pipelines-databricks-notebook",
    gha_databricks_run_notebook => "gha-databricks-run-notebook",
    ci_spec_file_absent => "ci-spec-file-absent",
    ci_tests_in_own_folder => "ci-tests-in-own-folder",
    bentoml_model_store => "bentoml-model-store",
    cloudbuild_shape_bare_image => "cloudbuild-shape-bare-image",
    promotion_gate_multiline_condition => "promotion-gate-multiline-condition",
    cdk_pipeline_new_codecommit_repo => "cdk-pipeline-new-codecommit-repo",
    azureml_github_actions_v1 => "azureml-github-actions-v1",
    ci_smoke_test_script => "ci-smoke-test-script",
    script_runs_from_caller_folder => "script-runs-from-caller-folder",
    ci_job_stops_at_absent_script => "ci-job-stops-at-absent-script",
    ci_native_image_builds => "ci-native-image-builds",
    container_command_script_by_name => "container-command-script-by-name",
    azure_pipeline_completion_gate => "azure-pipeline-completion-gate",
    dvc_repro_without_pipeline => "dvc-repro-without-pipeline",
    registry_loader_function => "registry-loader-function",
    pre_commit_local_tests => "pre-commit-local-tests",
    promotion_without_comparison => "promotion-without-comparison",
    k8s_job_piped_manifest => "k8s-job-piped-manifest",
    gitlab_cloud_function_notebook => "gitlab-cloud-function-notebook",
    served_handover_one_system => "served-handover-one-system",
    k8s_cronjob_image_workdir => "k8s-cronjob-image-workdir",
    airflow_module_command_subproject => "airflow-module-command-subproject",
    gha_cd_workspace_var => "gha-cd-workspace-var",
    cloudbuild_pipeline_spec_bucket => "cloudbuild-pipeline-spec-bucket",
    airflow_databricks_notebooks => "airflow-databricks-notebooks",
    gha_cd_expression => "gha-cd-expression",
    ci_cloned_reference_training => "ci-cloned-reference-training",
    gha_needs_exclusive_events => "gha-needs-exclusive-events",
    codebuild_seed_folder_cd => "codebuild-seed-folder-cd",
    gitlab_maven_wrapper => "gitlab-maven-wrapper",
    mlflow_multistep_driver => "mlflow-multistep-driver",
    kedro_fit_model_node => "kedro-fit-model-node",
    cloudbuild_clone_renamed_self => "cloudbuild-clone-renamed-self",
    vertex_custom_container_subfolder => "vertex-custom-container-subfolder",
    azure_pipelines_unparsable_template => "azure-pipelines-unparsable-template",
    gha_lowercase_dockerfile_run => "gha-lowercase-dockerfile-run",
    gha_docs_generator_script => "gha-docs-generator-script",
    azure_pipelines_databricks_job_json => "azure-pipelines-databricks-job-json",
    gha_dispatch_switched_deploy => "gha-dispatch-switched-deploy",
    gha_workflow_run_any_outcome => "gha-workflow-run-any-outcome",
    sagemaker_pipeline_ancestor_import => "sagemaker-pipeline-ancestor-import",
    space_automation_train => "space-automation-train",
    ci_pytest_collects_nothing => "ci-pytest-collects-nothing",
    library_setup_name_constant => "library-setup-name-constant",
    make_test_target_runs_examples => "make-test-target-runs-examples",
    gha_missing_requirements_file => "gha-missing-requirements-file",
    own_package_named_demo => "own-package-named-demo",
    terraform_databricks_job_train => "terraform-databricks-job-train",
    codebuild_project_started_by_hand => "codebuild-project-started-by-hand",
    gha_needs_disjoint_events => "gha-needs-disjoint-events",
    gha_unclosed_if_stops_job => "gha-unclosed-if-stops-job",
    gha_job_after_failing_job => "gha-job-after-failing-job",
    gitlab_stage_after_failing_job => "gitlab-stage-after-failing-job",
    cfn_codepipeline_approval_deploy => "cfn-codepipeline-approval-deploy",
    databricks_bundle_deploy_task => "databricks-bundle-deploy-task",
    gha_pytest_absent_path => "gha-pytest-absent-path",
    airflow_dag_named_for_training => "airflow-dag-named-for-training",
    dvc_train_stage_missing_script => "dvc-train-stage-missing-script",
    travis_extensionless_script => "travis-extensionless-script",
    azureml_sdk_v1_estimator_ci => "azureml-sdk-v1-estimator-ci",
    terraform_codepipeline_approval_deploy => "terraform-codepipeline-approval-deploy",
    gitlab_unclosed_if_stops_job => "gitlab-unclosed-if-stops-job",
    mlproject_entry_missing_script => "mlproject-entry-missing-script",
    quarto_render_scheduled_training => "quarto-render-scheduled-training",
    gha_environment_terraform_bootstrap => "gha-environment-terraform-bootstrap",
    gitlab_deploy_stage_terraform_bootstrap => "gitlab-deploy-stage-terraform-bootstrap",
    gha_pr_label_trigger => "gha-pr-label-trigger",
    gha_image_named_for_repository => "gha-image-named-for-repository",
    gha_pip_install_package_list => "gha-pip-install-package-list",
    gha_yarn_projen_build => "gha-yarn-projen-build",
    gha_environment_script_deploy => "gha-environment-script-deploy",
    gha_workflow_run_absent_upstream => "gha-workflow-run-absent-upstream",
    airflow_dag_calls_service_routes => "airflow-dag-calls-service-routes",
    gha_databricks_local_notebook => "gha-databricks-local-notebook",
    kfp_container_image_trains => "kfp-container-image-trains",
    airflow_sagemaker_operators => "airflow-sagemaker-operators",
    jenkins_boto3_training => "jenkins-boto3-training",
    deploy_registry_alias_iac => "deploy-registry-alias-iac",
    travis_default_script => "travis-default-script",
    gitlab_fragment_unincluded => "gitlab-fragment-unincluded",
    argo_events_git_sensor => "argo-events-git-sensor",
    ci_copies => "ci-copies",
    gate_cannot_fail => "gate-cannot-fail",
    drift_retrain_script => "drift-retrain-script",
    terraform_apply_deploy => "terraform-apply-deploy",
    mlproject_run => "mlproject-run",
    python_cross_module => "python-cross-module",
    kedro_mlflow => "kedro-mlflow",
    jenkins_groovy => "jenkins-groovy",
    ci_runs_no_tests => "ci-runs-no-tests",
    ci_smoke_training => "ci-smoke-training",
    mage_pipeline => "mage-pipeline",
    render_blueprint => "render-blueprint",
    monorepo_subproject_packages => "monorepo-subproject-packages",
    workflow_dispatch_api => "workflow-dispatch-api",
    jenkins_dead_stages => "jenkins-dead-stages",
    gha_build_action_context => "gha-build-action-context",
    azure_working_directory => "azure-working-directory",
    registry_image_runs => "registry-image-runs",
    gitops_training_job => "gitops-training-job",
    jenkins_foreign_checkout => "jenkins-foreign-checkout",
    cloud_run_training_job => "cloud-run-training-job",
    script_stage_argument => "script-stage-argument",
    cloudbuild_clone_foreign_dir => "cloudbuild-clone-foreign-dir",
    ci_build_without_dockerfile => "ci-build-without-dockerfile",
    course_chapters_ci => "course-chapters-ci",
    mlserver_registry_promotion => "mlserver-registry-promotion",
    ci_framework_train_command => "ci-framework-train-command",
    confidence_drop_retrain => "confidence-drop-retrain",
    sagemaker_pipeline_cdk => "sagemaker-pipeline-cdk",
    databricks_validation_dry_run => "databricks-validation-dry-run",
    airflow_rest_trigger_from_code => "airflow-rest-trigger-from-code",
    azureml_jobtools_command => "azureml-jobtools-command",
    ci_replaces_running_container => "ci-replaces-running-container",
    ci_upload_absent_file => "ci-upload-absent-file",
    databricks_publish_not_deploy => "databricks-publish-not-deploy",
    ci_writes_its_helper_script => "ci-writes-its-helper-script",
    databricks_git_source_task => "databricks-git-source-task",
    vertex_component_endpoint_deploy => "vertex-component-endpoint-deploy",
    codepipeline_approval_stage => "codepipeline-approval-stage",
    mlflow_recipe_batch_scoring => "mlflow-recipe-batch-scoring",
    pipeline_stub_training_step => "pipeline-stub-training-step",
    azure_classic_export_pipeline => "azure-classic-export-pipeline",
    ci_poetry_without_project => "ci-poetry-without-project",
    vertex_custom_job_image => "vertex-custom-job-image",
    ci_absent_paths => "ci-absent-paths",
    airflow_drift_retrain => "airflow-drift-retrain",
    task_runner_deploy => "task-runner-deploy",
    python_runners_pyproject => "python-runners-pyproject",
    python_runners_tox_nox => "python-runners-tox-nox",
    python_scheduler => "python-scheduler",
    python_scheduler_unstarted => "python-scheduler-unstarted",
    python_loop_k8s => "python-loop-k8s",
    tf_scheduler_image => "tf-scheduler-image",
    databricks_workspace_jobs => "databricks-workspace-jobs",
    circleci_orb_deploy => "circleci-orb-deploy",
    ci_variables => "ci-variables",
    compose_console_script => "compose-console-script",
    zenml_snapshot_ci => "zenml-snapshot-ci",
    python_subprocess_deploy => "python-subprocess-deploy",
    azure_template_args => "azure-template-args",
    gha_reusable_args => "gha-reusable-args",
    gitlab_include_inputs => "gitlab-include-inputs",
    circleci_job_params => "circleci-job-params",
    dagster_assets => "dagster-assets",
    cloudbuild_deploy_step => "cloudbuild-deploy-step",
    scheduler_image_root_context => "scheduler-image-root-context",
    airflow_rest_trigger => "airflow-rest-trigger",
    tekton_openshift_minio => "tekton-openshift-minio",
    drift_retrain_unwired => "drift-retrain-unwired",
    ci_checkout_root => "ci-checkout-root",
    azureml_cli_v1 => "azureml-cli-v1",
    release_run_not_gate => "release-run-not-gate",
    ci_docker_run => "ci-docker-run",
    deploy_ansible => "deploy-ansible",
    cloud_function_launcher => "cloud-function-launcher",
    training_other_languages => "training-other-languages",
    deploy_needs_not_gate => "deploy-needs-not-gate",
    ci_actions_named_deploy => "ci-actions-named-deploy",
    gitops_argocd => "gitops-argocd",
    gitops_argocd_manual => "gitops-argocd-manual",
    gitops_flux => "gitops-flux",
    gitops_presync_gate => "gitops-presync-gate",
    ci_other_systems => "ci-other-systems",
}

/// CI that its system never runs from where it lies is reported as CI for another
/// repository, with why, in the report and on its evidence; nothing it names is automated.
#[test]
fn ci_copies_are_reported_as_ci_for_another_repository() {
    let r = scan("ci-copies");
    let copies: Vec<&str> = r
        .automation
        .ci_for_another_repository
        .iter()
        .map(|c| c.path.as_str())
        .collect();
    assert_eq!(
        copies,
        vec![
            "archive/pipelines/train-pipeline.yml",
            "examples/bitbucket/bitbucket-pipelines.yml",
            "gitlab-ci.yml",
            "seedcode/.github/workflows/train.yml",
            "starter/.circleci/config.yml",
            "templates/gitlab/.gitlab-ci.yml",
        ]
    );
    let note = &r.automation.ci_for_another_repository[3].note;
    assert!(
        note.starts_with("CI for another repository") && note.contains("`seedcode`"),
        "{note}"
    );
    let ci = r.capability("ci").unwrap();
    let e = ci
        .evidence
        .iter()
        .find(|e| e.path == "templates/gitlab/.gitlab-ci.yml")
        .expect("evidence of the copy");
    assert_eq!(e.tier, Tier::Mentioned);
    assert!(
        e.note
            .as_deref()
            .unwrap_or("")
            .contains("another repository")
    );
    assert!(
        r.automation
            .entry_points
            .iter()
            .all(|p| p.path == ".github/workflows/ci.yml")
    );
    let json = serde_json::to_string(&r).unwrap();
    assert!(json.contains("\"ci_for_another_repository\""));
}

/// A pipeline that includes a file that does not parse is listed with the CI that runs
/// nothing here, with why, and the text report's heading does not call it another
/// repository's.
#[test]
fn pipelines_that_cannot_load_are_reported_with_why() {
    let r = scan("azure-pipelines-unparsable-template");
    let listed: Vec<(&str, &str)> = r
        .automation
        .ci_for_another_repository
        .iter()
        .map(|c| (c.path.as_str(), c.note.as_str()))
        .collect();
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0].0, ".pipelines/train-ci.yml");
    assert!(
        listed[0].1.starts_with("cannot load")
            && listed[0].1.contains("train-variables-template.yml"),
        "{}",
        listed[0].1
    );
    let text = ripen::render::render(&r, ripen::render::Format::Text);
    let text = anstream::adapter::strip_str(&text).to_string();
    assert!(
        text.contains(
            "CI that runs nothing here (another repository's, retired, or unable to load):"
        ),
        "{text}"
    );
}

#[test]
fn automated_evidence_carries_a_chain_from_its_trigger() {
    let r = scan("dvc-mlflow");
    let tracking = r.capability("experiment_tracking").unwrap();
    let e = tracking
        .evidence
        .iter()
        .find(|e| e.tier == Tier::Automated && e.path == "src/train.py")
        .expect("automated tracking in src/train.py");
    assert_eq!(e.chain.first().unwrap().path, ".github/workflows/ci.yml");
    assert_eq!(e.chain.last().unwrap().path, e.path);
    assert_eq!(e.chain.last().unwrap().line, e.line);
    assert!(
        e.chain.iter().any(|h| h.path == "dvc.yaml"),
        "{:?}",
        e.chain
    );
    assert!(!e.triggers.is_empty());
}

#[test]
fn readme_claims_are_only_mentions() {
    let r = scan("readme-claims");
    for c in &r.capabilities {
        for e in &c.evidence {
            if e.path.ends_with(".md") || e.path.starts_with("docs/") {
                assert_eq!(e.tier, Tier::Mentioned, "{} {}", c.id, e.path);
            }
        }
    }
}

/// The release's own `dvc repro` tells its owner why it is no gate there.
#[test]
fn the_release_run_says_it_is_no_gate() {
    let r = scan("release-run-not-gate");
    let e = r
        .capability("integration_tests")
        .unwrap()
        .evidence
        .iter()
        .find(|e| e.path == "Jenkinsfile")
        .expect("the pipeline's own run");
    assert!(
        e.note.as_deref().is_some_and(|n| n.contains("not a gate")),
        "{:?}",
        e.note
    );
}

/// A Jenkinsfile that does not compile says so, rather than silently counting for nothing.
#[test]
fn the_unbalanced_jenkinsfile_says_why() {
    let r = scan("jenkins-unbalanced-braces");
    assert!(
        r.warnings
            .iter()
            .any(|w| w.starts_with("Jenkinsfile: ") && w.contains("do not balance")),
        "{:?}",
        r.warnings
    );
}
