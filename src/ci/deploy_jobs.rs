//! Deployment jobs: what binding a job to an environment gates, and jobs that only apply
//! infrastructure code.
//!
//! A job bound to a deployment environment deploys whatever its commands are (docs/levels.md),
//! except when every command is an infrastructure tool (Terraform, OpenTofu, Terragrunt,
//! Pulumi, the CDK) with its shell plumbing: such a job deploys what the configuration it
//! applies declares, and that is read from the configuration (a serving resource there is a
//! deployment), not from the environment's name. A job that bootstraps a state bucket, an
//! identity pool or a network under `environment: prod` deploys no model.

use crate::read::structured::Node;

/// Why the environment of such a job is not a deployment, as the report says it.
pub(crate) const INFRA_ONLY: &str = "a deployment job that only runs infrastructure tools: what it deploys is read from the configuration it applies";

/// Why a job named a deployment whose every command sets up, reads, builds documentation,
/// reports or tests is not one, as the report says it.
pub(crate) const SHIPS_NOTHING: &str =
    "a deployment job that only sets up, builds documentation, reports or tests: it ships nothing";

/// The lines that name a job a deployment when the job only runs infrastructure tools
/// ([`runs_only_infrastructure`]) over `runs` and `uses`, or ships nothing
/// ([`crate::shell::reading::ships_nothing`]: a documentation build or a coverage report in a
/// deploy stage): its `environment:` (GitHub Actions, GitLab CI) and, given, another line that
/// names it so (a GitLab job's `stage: deploy`). Such naming deploys nothing of its own.
pub(crate) fn naming_lines(
    job: &Node,
    name_line: Option<u32>,
    runs: &[&str],
    uses: &[&str],
) -> Vec<(u32, u32, &'static str)> {
    let why = if runs_only_infrastructure(runs, uses) {
        INFRA_ONLY
    } else if !runs.is_empty()
        && uses.iter().all(|u| plumbing_action(u))
        && runs.iter().all(|r| crate::shell::reading::ships_nothing(r))
    {
        SHIPS_NOTHING
    } else {
        return Vec::new();
    };
    let environment = job.key_line("environment").map(|first| {
        let last = job
            .get("environment")
            .map(Node::entries)
            .and_then(|e| e.iter().map(|(_, l, _)| *l).max())
            .unwrap_or(first);
        (first, last.max(first), why)
    });
    let name = name_line.map(|l| (l, l, why));
    environment.into_iter().chain(name).collect()
}

/// Environments of package indexes and documentation sites: publication, no release gate.
const PUBLICATION: &[&str] = &[
    "pypi",
    "testpypi",
    "test-pypi",
    "github-pages",
    "pages",
    "docs",
    "documentation",
];

/// A job bound to an environment (GitHub Actions `environment:`, a name or `name:`) waits
/// for what the environment's protection rules ask (reviewers, a wait timer, branch rules),
/// which live in the platform: the binding holds what the job deploys for approval, like a
/// pipeline's approval step ([`crate::ci::approval_trigger`]). The job keeps the triggers
/// that start it (its own, else the workflow's) and gains that approval, when something other
/// than a person starts it. Environments of
/// package indexes and documentation sites publish, and gate no release.
pub(crate) fn environment_approval(
    job: &Node,
    own: Vec<crate::model::Trigger>,
    workflow: &[crate::model::Trigger],
) -> Vec<crate::model::Trigger> {
    let Some(line) = job.key_line("environment") else {
        return own;
    };
    let env = job.get("environment");
    let name = env
        .and_then(Node::as_str)
        .or_else(|| env.and_then(|e| e.get("name")).and_then(Node::as_str))
        .unwrap_or_default()
        .trim();
    if name.is_empty() || PUBLICATION.contains(&name.to_ascii_lowercase().as_str()) {
        return own;
    }
    let mut t = if own.is_empty() {
        workflow.to_vec()
    } else {
        own
    };
    // Only a start without a person needs the approval to gate it: a job a person dispatches
    // is that person's release already, and its approval must not gate what another,
    // unattended pipeline deploys of the same code.
    if !t.iter().any(|t| !t.kind.is_manual()) {
        return t;
    }
    t.push(crate::ci::approval_trigger(
        &format!("environment {}", crate::shell::shorten(name)),
        line,
    ));
    t
}

/// The infrastructure tools.
const TOOLS: &[&str] = &["terraform", "tofu", "terragrunt", "pulumi", "cdk", "cdktf"];

/// Commands that only prepare, check or print around the tools.
const PLUMBING: &[&str] = &[
    "set",
    "cd",
    "pushd",
    "popd",
    "mkdir",
    "envsubst",
    "export",
    "echo",
    "printf",
    "cat",
    "ls",
    "pwd",
    "if",
    "then",
    "else",
    "elif",
    "fi",
    "for",
    "do",
    "done",
    "while",
    "exit",
    "true",
    "[",
    "[[",
    "test",
    "tflint",
    "tfsec",
    "checkov",
    "trivy",
    "infracost",
    "terraform-docs",
    "jq",
    "grep",
    "sed",
    "awk",
    "tee",
    "rm",
    "cp",
    "mv",
    "touch",
    "chmod",
    "sleep",
    "{",
    "}",
];

/// Actions a job may use around the tools: the inert ones ([`crate::ci::INERT_ACTIONS`]),
/// `actions/github-script`, credentials, and the tools' own actions (`hashicorp/setup-terraform`,
/// `pulumi/actions`, `terraform-linters/setup-tflint`), also as the repository's own composite
/// actions named so.
fn plumbing_action(uses: &str) -> bool {
    const CREDENTIALS: &[&str] = &[
        "actions/github-script@",
        "google-github-actions/auth@",
        "google-github-actions/setup-gcloud@",
        "aws-actions/configure-aws-credentials@",
        "azure/login@",
    ];
    const TOOL_WORDS: &[&str] = &[
        "terraform",
        "tofu",
        "terragrunt",
        "pulumi",
        "tflint",
        "trivy",
    ];
    let u = uses.to_ascii_lowercase();
    crate::ci::INERT_ACTIONS
        .iter()
        .chain(CREDENTIALS)
        .any(|g| u.starts_with(g))
        || TOOL_WORDS.iter().any(|t| u.contains(t))
}

/// The program a simple command runs, as the shell lexer splits it
/// ([`crate::shell::lex::split`]): past variable assignments and the wrappers `sudo`, `npx`,
/// `time`, `env`, without its path (`./bin/terraform`). An empty word (an image's
/// `entrypoint: [""]`) runs nothing.
fn program(words: &[String]) -> Option<&str> {
    let assignment = |w: &str| w.contains('=') && !w.starts_with(['=', '-']);
    let wrapper = |w: &str| matches!(w, "sudo" | "npx" | "time" | "env" | "!");
    let w = words.iter().find(|w| !assignment(w) && !wrapper(w))?;
    (!w.is_empty()).then(|| crate::shell::base_name(w))
}

/// Whether a job of these `run`/`script` texts and these `uses` actions only runs
/// infrastructure tools (at least one) and their plumbing.
pub(crate) fn runs_only_infrastructure(runs: &[&str], uses: &[&str]) -> bool {
    if !uses.iter().all(|u| plumbing_action(u)) {
        return false;
    }
    let mut tool = uses
        .iter()
        .any(|u| u.to_ascii_lowercase().starts_with("pulumi/actions@"));
    for run in runs {
        for (_, line) in crate::shell::logical_lines(run) {
            if crate::read::printed_message(line.trim()) {
                continue;
            }
            for part in crate::shell::lex::split(&line) {
                match program(&part.words) {
                    Some(p) if TOOLS.contains(&p) => tool = true,
                    Some(p) if !PLUMBING.contains(&p) => return false,
                    _ => {}
                }
            }
        }
    }
    tool
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn infrastructure_only_jobs() {
        let apply = "set -euo pipefail\nterraform init -input=false \\\n  -backend-config=envs/prod.conf\nterraform apply -auto-approve || exit 1\n";
        assert!(runs_only_infrastructure(
            &[apply, "envsubst < a.tmpl > a.tfvars"],
            &[
                "actions/checkout@v4",
                "hashicorp/setup-terraform@v3",
                "./.github/actions/terraform-quality"
            ]
        ));
        assert!(runs_only_infrastructure(&[], &["pulumi/actions@v5"]));
        // A model pushed as well, an unknown action, or no tool at all: not only infrastructure.
        assert!(!runs_only_infrastructure(
            &[apply, "gcloud run deploy api --image x"],
            &[]
        ));
        assert!(!runs_only_infrastructure(
            &[apply],
            &["acme/deploy-model@v1"]
        ));
        assert!(!runs_only_infrastructure(
            &["echo hi"],
            &["actions/checkout@v4"]
        ));
        assert!(!runs_only_infrastructure(
            &["TF_VAR_x=1 python deploy.py"],
            &[]
        ));
        assert!(runs_only_infrastructure(
            &["TF_VAR_x=1 ./bin/terraform plan"],
            &[]
        ));
        // Commands split as the shell splits them: a `;` inside quotes separates nothing.
        assert!(runs_only_infrastructure(
            &["printf 'plan; kubectl apply' > note.txt && terraform plan"],
            &[]
        ));
        assert!(!runs_only_infrastructure(
            &["terraform apply -auto-approve && kubectl apply -f k8s/"],
            &[]
        ));
    }
}

#[cfg(test)]
mod environment_tests {
    use super::*;
    use crate::model::{Trigger, TriggerKind};

    fn approval(job: &str, own: Vec<Trigger>) -> Vec<String> {
        let root = crate::read::structured::parse_yaml(job).unwrap().remove(0);
        let push = crate::facts::yaml::trig(TriggerKind::Push, None, 1);
        environment_approval(&root, own, &[push])
            .iter()
            .map(Trigger::label)
            .collect()
    }

    /// A job bound to an environment, by name or by `name:`, keeps what starts it and waits
    /// for the environment's approval; a package index's or a documentation site's
    /// environment gates nothing, and a job with no environment is left as it is.
    #[test]
    fn an_environment_binding_is_an_approval() {
        let held = vec!["push".to_string(), "approval \"environment cloud\"".into()];
        assert_eq!(
            approval("environment: cloud\nruns-on: x\n", Vec::new()),
            held
        );
        assert_eq!(
            approval(
                "environment:\n  name: cloud\n  url: https://x\n",
                Vec::new()
            ),
            held
        );
        let dispatch = crate::facts::yaml::trig(TriggerKind::Manual, None, 1);
        assert_eq!(
            approval("environment: prod\n", vec![dispatch]),
            vec!["manual".to_string()]
        );
        assert_eq!(
            approval("environment: pypi\n", Vec::new()),
            Vec::<String>::new()
        );
        assert_eq!(approval("runs-on: x\n", Vec::new()), Vec::<String>::new());
    }
}
