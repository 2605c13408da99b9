//! Orchestrators and schedulers whose definitions live in the repository, read like the CI
//! systems (the same trait, their own registry): their schedules and events start walks, as
//! CI triggers do, but they are not CI.

pub(crate) mod azureml;
pub(crate) mod cfn_pipeline;
pub(crate) mod cloudformation;
pub(crate) mod databricks;
pub(crate) mod gitops;
pub(crate) mod kubernetes;
pub(crate) mod mage;
pub(crate) mod prefect;
pub(crate) mod render;
pub(crate) mod terraform;
pub(crate) mod tf_pipelines;

use crate::ci::CiSystem;

/// The system id of infrastructure code that declares pipelines, projects and event wiring
/// (CloudFormation/SAM and Terraform: EventBridge rules, CodePipelines, CodeBuild projects,
/// Databricks jobs), as the report names it.
pub(crate) const IAC: &str = "eventbridge";

/// Every orchestrator, in the order a YAML document is matched against their shapes.
pub(crate) static REGISTRY: &[&dyn CiSystem] = &[
    &databricks::Databricks,
    &prefect::Prefect,
    &mage::Mage,
    &render::Render,
    &azureml::AzureMlSchedule,
    &cloudformation::CloudFormation,
    &kubernetes::Kubernetes,
    &gitops::ArgoCd,
    &gitops::Flux,
    &terraform::Terraform,
];

/// The orchestrator whose location `rel` is.
pub(crate) fn at(rel: &str) -> Option<&'static dyn CiSystem> {
    REGISTRY.iter().copied().find(|s| s.at(rel))
}
