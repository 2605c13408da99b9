//! CI systems and orchestrators: one file each, found through one registry.
//!
//! A system says where its files live ([`CiSystem::at`]), or what shape a YAML document of it
//! has anywhere in the tree ([`CiSystem::shaped`], with the [`CiSystem::words`] one of which
//! such a document must contain, so that the textual precheck of `facts::job_spec` can refuse
//! other files unparsed), and reads a file into entry points and jobs. Adding a system is one
//! file here and one line in [`REGISTRY`]; its [`CiSystem::samples`] are run by the tests,
//! through the same dispatch as a scan, so a system whose words or location miss its own files
//! fails them.
//!
//! Systems read the line-aware YAML tree of `read::structured` (serde-saphyr, with its budgets
//! against bombs and deep nesting), not typed models such as `github-actions-models`: those
//! types hold no positions, while every job, step, trigger and command ripen reports needs its
//! line, and the crate brings a second YAML parser (`yaml_serde`, without serde-saphyr's
//! budgets) for files that are untrusted input. Reading each file twice (types for shape,
//! the tree for lines) would double the parse of every CI file for no new fact.

pub(crate) mod aicoe;
pub(crate) mod appveyor;
pub(crate) mod azure_pipelines;
pub(crate) mod bitbucket;
pub(crate) mod buildkite;
pub(crate) mod calls;
pub(crate) mod cdk_pipelines;
pub(crate) mod circleci;
pub(crate) mod cloud_build;
pub(crate) mod codebuild;
pub(crate) mod deploy_jobs;
pub(crate) mod drone;
pub(crate) mod gha_cond;
pub(crate) mod gha_expr;
pub(crate) mod gha_on;
pub(crate) mod github_actions;
pub(crate) mod gitlab;
pub(crate) mod gocd;
pub(crate) mod jenkins;
pub(crate) mod orchestrators;
pub(crate) mod semaphore;
pub(crate) mod space;
pub(crate) mod tekton;
pub(crate) mod travis;
pub(crate) mod trial;
pub(crate) mod vars;
pub(crate) mod woodpecker;

pub(crate) use crate::facts::yaml::Yaml;
use crate::model::FileFacts;
use crate::read::Document;

/// A CI system or orchestrator ripen reads.
pub trait CiSystem: Sync {
    /// The id of its entry points (`system` in reports).
    fn id(&self) -> &'static str;
    /// Whether `rel` is this system's configuration by its location alone.
    fn at(&self, _rel: &str) -> bool {
        false
    }
    /// Reads a file found by location ([`CiSystem::at`]).
    fn read(&self, _doc: &Document) -> Option<FileFacts> {
        None
    }
    /// Words one of which any YAML document [`CiSystem::shaped`] accepts contains (as a whole
    /// word, not spelt with escapes).
    fn words(&self) -> &'static [&'static str] {
        &[]
    }
    /// Reads a YAML file found elsewhere when it has this system's shape.
    fn shaped(&self, _y: &Yaml) -> Option<FileFacts> {
        None
    }
    /// Whether the service runs a configuration only from one fixed place, so that a copy
    /// elsewhere (a template, seed code) is not this repository's CI. Systems pointed at a
    /// file from outside (Azure Pipelines, Jenkins, Cloud Build, CodeBuild) run it anywhere.
    fn fixed_location(&self, _rel: &str) -> bool {
        false
    }
    /// When `rel` is this system's configuration by name ([`CiSystem::at`]) in a place the
    /// service never reads it from (seed code, a template, a sub-folder, a misnamed file): why,
    /// for the evidence note. Such a copy is CI for another repository: it starts no job here
    /// (unless a configuration that runs includes it) and counts only when its folder is
    /// scanned as its own root.
    fn copy(&self, _rel: &str) -> Option<String> {
        None
    }
    /// Whether the service runs the commands of a file it is pointed at from outside at the
    /// root of the repository's checkout, wherever the file lies (CodeBuild's source
    /// directory, Buildkite's checkout): their relative paths are then paths from the root (or
    /// from the step's own working directory), never from the file's folder, and a file whose
    /// paths exist only beside it is a copy for the repository made from that folder. Not so
    /// for Cloud Build (`gcloud builds submit DIR` makes DIR the workspace) or Azure Pipelines
    /// (templates are found beside the file that includes them).
    fn runs_at_checkout_root(&self) -> bool {
        false
    }
    /// Whether other files reach this system's jobs by name (`databricks bundle run JOB`, a
    /// Tekton `pipelineRef`), so that a change to its files can change what others reach.
    fn jobs_named_from_elsewhere(&self) -> bool {
        false
    }
    /// Why the service cannot load `doc`, a file of this system that parses as text (a
    /// Jenkinsfile whose braces do not balance does not compile): its reader then gives it no
    /// trigger, and the report says why.
    fn load_error(&self, _doc: &Document) -> Option<String> {
        None
    }
    /// Files this system must recognise as entry points of its own: `(path, content)`. The
    /// first is at the system's default location ([`CiSystem::home`]).
    fn samples(&self) -> &'static [(&'static str, &'static str)];
    /// The default location of this system's configuration (its first sample's path): rules
    /// written for the system's files select them by it, so a file the system reads under
    /// another name or in another folder (an included GitLab fragment, an Azure Pipelines
    /// template, a buildspec named by its project) is matched by those rules too.
    fn home(&self) -> &'static str {
        self.samples()[0].0
    }
}

/// Every CI system, in the order a path is matched against their locations (the first wins)
/// and a YAML document elsewhere against their shapes.
pub(crate) static REGISTRY: &[&dyn CiSystem] = &[
    &github_actions::GithubActions,
    &gitlab::Gitlab,
    &jenkins::Jenkins,
    &circleci::CircleCi,
    &bitbucket::Bitbucket,
    &cloud_build::CloudBuild,
    &codebuild::CodeBuild,
    &travis::Travis,
    &buildkite::Buildkite,
    &azure_pipelines::AzurePipelines,
    &tekton::Tekton,
    &cdk_pipelines::CdkPipelines,
    &drone::Drone,
    &woodpecker::Woodpecker,
    &appveyor::AppVeyor,
    &semaphore::Semaphore,
    &gocd::GoCd,
    &aicoe::AicoeCi,
    &space::Space,
];

/// The CI system whose location `rel` is.
pub(crate) fn at(rel: &str) -> Option<&'static dyn CiSystem> {
    REGISTRY.iter().copied().find(|s| s.at(rel))
}

/// Why a CI configuration at `rel` runs nothing in this repository ([`CiSystem::copy`]), or
/// for any system: a file under a template's placeholder folder (`__APP_NAME__/`,
/// `{{cookiecutter.project_slug}}/`) is rendered into another repository by a scaffolder.
pub(crate) fn copy_of(rel: &str) -> Option<String> {
    REGISTRY.iter().find_map(|s| s.copy(rel)).or_else(|| {
        let parts: Vec<&str> = rel.split('/').collect();
        let i = parts[..parts.len().saturating_sub(1)]
            .iter()
            .position(|p| is_placeholder(p))?;
        Some(copy_note(
            &parts[..=i].join("/"),
            "it lies in a template folder whose name is a placeholder a scaffolder fills",
        ))
    })
}

/// A path component a template engine fills: `__APP_NAME__`, `{{cookiecutter.name}}`,
/// `{% ... %}` (not Python's `__init__`, `__pycache__`: lower case).
fn is_placeholder(part: &str) -> bool {
    if part.contains("{{") || part.contains("{%") {
        return true;
    }
    let b = part.as_bytes();
    part.match_indices("__").any(|(i, _)| {
        let rest = &b[i + 2..];
        let n = rest
            .iter()
            .take_while(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || **c == b'_')
            .count();
        n > 2 && rest[0].is_ascii_uppercase() && part[i + 2..i + 2 + n].ends_with("__")
    })
}

/// The note of a copy: the folder it would run in as its own root, and why.
pub(crate) fn copy_note(root: &str, why: &str) -> String {
    let scan = if root.is_empty() {
        "it counts only under the name its system reads".to_string()
    } else {
        format!("credited only when `{root}` is scanned as its own root")
    };
    format!("CI for another repository: {why}; {scan}")
}

/// [`CiSystem::copy`] for a system that reads its configuration from one place at the root:
/// a file of its name (`named`) whose root would be `root` is a copy when that root is not the
/// repository's own.
pub(crate) fn copy_below(named: bool, root: &str, why: &str) -> Option<String> {
    (named && !root.is_empty()).then(|| copy_note(root, why))
}

/// Whether an entry point's system is a CI service (as opposed to a scheduler/orchestrator).
pub(crate) fn is_ci_system(system: &str) -> bool {
    REGISTRY.iter().any(|s| s.id() == system)
}

/// The default location of the CI system `system` ([`CiSystem::home`]).
pub(crate) fn home_of(system: &str) -> Option<&'static str> {
    REGISTRY.iter().find(|s| s.id() == system).map(|s| s.home())
}

/// Why the CI system `system` cannot load `doc` ([`CiSystem::load_error`]), as a warning.
pub(crate) fn load_error(system: &str, doc: &Document) -> Option<String> {
    REGISTRY
        .iter()
        .find(|s| s.id() == system)
        .and_then(|s| s.load_error(doc))
        .map(|why| format!("{}: {why}", doc.rel))
}

/// Whether a CI configuration at `path` may run wherever it lies ([`CiSystem::fixed_location`]).
pub(crate) fn runs_anywhere(path: &str) -> bool {
    !REGISTRY.iter().any(|s| s.fixed_location(path))
}

/// GitHub actions that only check out, set up a tool, cache or move artefacts: a step of
/// them runs nothing of the repository (a job of such steps and `echo`s is a placeholder).
pub(crate) const INERT_ACTIONS: &[&str] = &[
    "actions/checkout@",
    "actions/download-artifact@",
    "actions/upload-artifact@",
    "actions/setup-",
    "actions/cache@",
];

/// What a reference to a checkout of a repository by URL starts with (`@checkout:URL`, a
/// Jenkins `git url: ...` or `checkout` step): a pipeline that checks out a repository other
/// than the scanned one builds that repository (`graph::walk`).
pub(crate) const CHECKOUT: &str = "@checkout:";

/// What a reference to a file a job runs in a mode that cannot fail starts with
/// (`@cannot-fail:/validation/ModelValidation.py`, a Databricks task given `run_mode: dry_run`):
/// the file runs, but the checks it makes gate nothing (the graph marks the edge masked).
pub(crate) const CANNOT_FAIL: &str = "@cannot-fail:";

pub(crate) use crate::model::APPROVAL;

/// The trigger a pipeline's approval adds to the work after it ([`APPROVAL`]).
pub(crate) fn approval_trigger(what: &str, line: u32) -> crate::model::Trigger {
    crate::facts::yaml::trig(
        crate::model::TriggerKind::Manual,
        Some(format!("{APPROVAL}{what}")),
        line,
    )
}

/// Whether a trigger is a pipeline's approval ([`approval_trigger`]).
pub(crate) fn is_approval(t: &crate::model::Trigger) -> bool {
    t.is_approval()
}

/// What the detail of a trigger on another pipeline's completion ends with when the job runs
/// whatever that pipeline's outcome (a GitHub `workflow_run` job that does not check the
/// conclusion): it is still started by what starts that pipeline, but the pipeline's checks
/// gate nothing of it (`graph::upstream`).
pub(crate) const ANY_OUTCOME: &str = " (any outcome)";

/// What a reference to a file by its path from the repository's root starts with
/// (`@root:ci/buildspec.yml`, a buildspec CodeBuild reads from its source's root): that file
/// or nothing, never one beside the file that names it nor one found by its name elsewhere.
pub(crate) const FROM_ROOT: &str = "@root:";

/// A reference to `path` from the repository's root ([`FROM_ROOT`]): a buildspec file named
/// by CloudFormation, Terraform or CDK, which CodeBuild reads from its source's root wherever
/// the file that names it lies.
pub(crate) fn from_root(path: &str) -> String {
    format!(
        "{FROM_ROOT}{}",
        path.trim_start_matches("./").trim_start_matches('/')
    )
}

/// What a reference to a file of a named repository starts with (`@repository:ai-containers
/// .github/workflows/container-ci.yaml`, a reusable workflow called as
/// `intel/ai-containers/.github/workflows/container-ci.yaml@main`): that file from the root
/// when the repository is the one scanned ([`crate::source::identity`]), else nothing.
pub(crate) const IN_REPOSITORY: &str = "@repository:";

/// A reference to `path` from the root of the repository named `repo` ([`IN_REPOSITORY`]).
pub(crate) fn in_repository(repo: &str, path: &str) -> String {
    format!("{IN_REPOSITORY}{} {path}", repo.to_ascii_lowercase())
}

/// Whether `system` runs its files' commands at the checkout's root ([`CiSystem::runs_at_checkout_root`]).
pub(crate) fn runs_at_checkout_root(system: &str) -> bool {
    REGISTRY
        .iter()
        .any(|s| s.id() == system && s.runs_at_checkout_root())
}

/// Whether other files reach the jobs of `system` by name ([`CiSystem::jobs_named_from_elsewhere`]).
pub(crate) fn jobs_named_from_elsewhere(system: &str) -> bool {
    REGISTRY
        .iter()
        .chain(orchestrators::REGISTRY)
        .any(|s| s.id() == system && s.jobs_named_from_elsewhere())
}

/// Every word a shaped system or orchestrator needs ([`CiSystem::words`]).
pub(crate) fn words() -> impl Iterator<Item = &'static str> {
    REGISTRY
        .iter()
        .chain(orchestrators::REGISTRY)
        .flat_map(|s| s.words().iter().copied())
}

/// Test support: what `system` reads of `text` at `path` (its location's reader, else its
/// shape's), as the file's triggers and jobs; panics when it reads no entry.
#[cfg(test)]
pub(crate) fn read_entry(
    system: &dyn CiSystem,
    path: &str,
    text: &str,
) -> (Vec<crate::model::Trigger>, Vec<crate::model::Job>) {
    let doc = Document::new(path, text.to_string());
    let facts = system
        .read(&doc)
        .or_else(|| Yaml::of(&doc).and_then(|y| system.shaped(&y)));
    match facts {
        Some(FileFacts::Entry { triggers, jobs, .. }) => (triggers, jobs),
        _ => panic!("{path}: not read as {}", system.id()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every system and orchestrator recognises its own samples through the scan's dispatch
    /// (location, textual precheck, shape): a word missing from [`CiSystem::words`] or a
    /// location that misses its files fails here.
    #[test]
    fn every_system_reads_its_samples() {
        for s in REGISTRY.iter().chain(orchestrators::REGISTRY) {
            assert!(!s.samples().is_empty(), "{} has no samples", s.id());
            for (path, text) in s.samples() {
                let doc = Document::new(path, text.to_string());
                match crate::extract::extract(&doc) {
                    Some(FileFacts::Entry { system, jobs, .. }) => {
                        assert_eq!(system, s.id(), "{path}");
                        assert!(!jobs.is_empty(), "{}: {path} has no jobs", s.id());
                    }
                    other => panic!(
                        "{}: {path} is not read as an entry point: {other:?}",
                        s.id()
                    ),
                }
            }
        }
    }

    /// Systems that read one fixed place report copies elsewhere as CI for another
    /// repository; systems pointed at a file from outside have no copies.
    #[test]
    fn copies_are_decided_by_how_each_system_finds_its_config() {
        for rel in [
            "seedcode/.github/workflows/ci.yml",
            "templates/x/.github/workflows/train.yaml",
            "sub/.gitlab-ci.yml",
            "gitlab-ci.yml",
            "app/bitbucket-pipelines.yml",
            "starter/.circleci/config.yml",
            "old/.travis.yml",
            "mlops_manager/templates/cicd/simple/__APP_NAME__/cloudbuild.yaml",
            "{{cookiecutter.project_slug}}/azure-pipelines.yml",
            "sub/.drone.yml",
            "app/.woodpecker.yml",
            "app/.woodpecker/ci.yaml",
            "legacy/appveyor.yml",
            "svc/.semaphore/semaphore.yml",
            "app/.space.kts",
        ] {
            let why = copy_of(rel).unwrap_or_else(|| panic!("{rel} is not a copy"));
            assert!(why.starts_with("CI for another repository"), "{why}");
            assert!(at(rel).is_some(), "{rel} is not read");
        }
        for rel in [
            ".github/workflows/ci.yml",
            ".gitlab-ci.yml",
            ".gitlab/ci/train.yml",
            "bitbucket-pipelines.yml",
            ".circleci/config.yml",
            ".travis.yml",
            "ops/azure-pipelines.yml",
            "ci/Jenkinsfile",
            "build/cloudbuild.yaml",
            "infra/buildspec.yml",
            "seedcode/.github/actions/x/action.yml",
            "src/__init__/cloudbuild.yaml",
            "__pycache__/buildspec.yml",
            ".drone.yml",
            ".woodpecker.yaml",
            ".woodpecker/train.yml",
            "appveyor.yml",
            ".appveyor.yml",
            ".semaphore/deploy.yml",
            ".space.kts",
            ".space/ci.kts",
        ] {
            assert_eq!(copy_of(rel), None, "{rel}");
        }
    }

    /// CI ids are unique, and a system found by location claims no other system's samples.
    #[test]
    fn ids_and_locations_do_not_collide() {
        let mut ids: Vec<&str> = REGISTRY.iter().map(|s| s.id()).collect();
        ids.sort_unstable();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate ids");
        for s in REGISTRY {
            for (path, _) in s.samples() {
                let claim: Vec<&str> = REGISTRY
                    .iter()
                    .filter(|o| o.at(path))
                    .map(|o| o.id())
                    .collect();
                assert!(claim.len() <= 1, "{path} is claimed by {claim:?}");
            }
        }
    }
}
