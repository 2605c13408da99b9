//! Facets that need the automation graph: a pipeline that reaches training code contains a
//! training step; a deployment run by the same automation as tests or a validation gate is
//! gated. And the deployments no single file shows: a registry promotion that a serving
//! process picks up, a model version written into the directory a model server polls.

use crate::catalogue::builtin::{capability, facet};
use crate::graph::{Automation, Graph};
use crate::model::{Evidence, Facts, FileFacts, Tier, TriggerKind};
use std::collections::{BTreeSet, HashMap};

/// A test gate needs tests that exist: a Python test runner (`pytest`, `python -m unittest`,
/// `tox`, `nox`, `behave`) in a repository with no file it would collect (`test*.py`,
/// `*_test.py`, `*.feature`, a module under `tests/`) runs no tests, whatever runs it. Its `test-command` evidence stays
/// `implemented`, with a note, unless the command collects tests of another kind (doctests,
/// notebooks with nbval, a `-p` pattern of its own).
pub(crate) fn tests_that_run_nothing(files: &[String], evs: &mut [Evidence]) {
    let has_tests = files.iter().any(|f| {
        (crate::graph::collected_test(f) || crate::graph::is_test_file(f))
            && !matches!(crate::paths::file_name(f), "conftest.py" | "__init__.py")
    });
    if has_tests {
        return;
    }
    for e in evs.iter_mut().filter(|e| {
        e.rule == "test-command"
            && e.tier == Tier::Automated
            && !e.snippet.as_deref().is_some_and(|s| {
                ["doctest", "nbval", " -p ", "--pattern"]
                    .iter()
                    .any(|w| s.contains(w))
            })
    }) {
        e.tier = Tier::Implemented;
        e.chain.clear();
        e.triggers.clear();
        e.note = Some(
            "runs a test runner, but the repository has no test file for it to collect: no tests run"
                .into(),
        );
    }
}

/// A pipeline whose steps' code lives in folders the repository does not have (an Azure ML
/// `PythonScriptStep(source_directory="data-science/src/")` of a template library whose
/// consumers hold that folder) trains in another repository: its `training` facet, read from
/// the definition's text, is dropped, with a note. Only when every such folder is absent.
pub(crate) fn steps_in_another_repository(files: &[String], facts: &Facts, evs: &mut [Evidence]) {
    let exists = |dir: &str| {
        let prefix = format!("{}/", dir.trim_end_matches('/'));
        files.iter().any(|f| f.starts_with(&prefix))
    };
    for e in evs.iter_mut().filter(|e| {
        e.capability == capability::ML_PIPELINE_ORCHESTRATION
            && e.facets.iter().any(|f| f == facet::TRAINING)
    }) {
        let Some(FileFacts::Python { code_dirs, .. }) = facts.get(&e.path) else {
            continue;
        };
        let here = crate::paths::parent(&e.path);
        let named: Vec<&String> = code_dirs
            .iter()
            .filter(|d| !d.is_empty() && *d != "." && !d.contains(['$', '{']))
            .collect();
        let absent =
            |d: &str| !exists(d) && crate::paths::join(here, d).is_none_or(|j| !exists(&j));
        if named.is_empty() || !named.iter().all(|d| absent(d)) {
            continue;
        }
        e.facets.retain(|f| f != facet::TRAINING);
        e.note = Some(format!(
            "its steps' code ({}) is not in this repository: a pipeline for another repository",
            named[0]
        ));
    }
}

/// Facets reached through scripts (issue 16, class g): a CI job that runs a Makefile target, a
/// shell or Python script, a DVC stage or any other hop that builds the image or package is a
/// CI job that builds. Automated evidence with the `builds` facet outside the CI file whose job
/// reaches it gives that job a `ci` record with the facet, at the line that starts the chain,
/// with the same chain and triggers. (Deployment needs no such record: `continuous_delivery`
/// evidence in a script is promoted through the same chain.)
pub(crate) fn ci_builds_through_scripts(facts: &Facts, evs: &mut Vec<Evidence>) {
    let mut seen: BTreeSet<(String, Option<u32>)> = evs
        .iter()
        .filter(|e| e.capability == capability::CI && e.facets.iter().any(|f| f == facet::BUILDS))
        .map(|e| (e.path.clone(), e.line))
        .collect();
    let mut add = Vec::new();
    for e in evs.iter().filter(|e| {
        e.tier == Tier::Automated
            && e.capability != capability::CI
            && e.facets.iter().any(|f| f == facet::BUILDS)
    }) {
        let Some(first) = e.chain.first() else {
            continue;
        };
        let ci_entry = matches!(
            facts.get(&first.path),
            Some(FileFacts::Entry { system, .. }) if crate::ci::is_ci_system(system)
        );
        if !ci_entry || first.path == e.path || !seen.insert((first.path.clone(), first.line)) {
            continue;
        }
        let via = e.chain.get(1).map(|h| h.via.as_str()).unwrap_or("");
        add.push(Evidence {
            rule: "graph-ci-builds-through-script".into(),
            capability: capability::CI.into(),
            path: first.path.clone(),
            line: first.line,
            tier: Tier::Automated,
            chain: e.chain.clone(),
            triggers: e.triggers.clone(),
            origin: None,
            snippet: Some(crate::shell::shorten(&format!(
                "{via} → builds in {}",
                e.path
            ))),
            facets: vec![facet::BUILDS.into()],
            note: None,
            repository_rule: e.repository_rule,
        });
    }
    evs.extend(add);
}

/// Facets that need the graph: a pipeline that reaches training code contains a training
/// step; a deployment run by the same automation as tests or a validation gate is gated.
pub(crate) fn add_graph_facets(auto: &Automation, graph: &Graph, evs: &mut [Evidence]) {
    let mut index: HashMap<String, Vec<(Option<u32>, String)>> = HashMap::new();
    // A gate whose failure CI ignores gates nothing (docs/levels.md, "Release gates").
    let masked = |e: &Evidence| e.facets.iter().any(|f| f == facet::MASKED);
    for e in evs
        .iter()
        .filter(|e| e.tier >= Tier::Implemented && !masked(e))
    {
        index
            .entry(e.path.clone())
            .or_default()
            .push((e.line, e.capability.clone()));
    }
    // Checks run on pull requests gate what is deployed on push: the code reaching the
    // deploying branch passed them (made-with-ml: PR CI trains, evaluates and tests; a push to
    // main deploys). Whether branch protection requires them is not observable.
    // A check whose failure fails nothing (`continue-on-error`, `allow_failure`) gates nothing.
    let pr_checked = evs.iter().any(|e| {
        e.tier == Tier::Automated
            && !masked(e)
            && !auto.cannot_fail(&e.chain)
            && capability::RELEASE_GATES.contains(&e.capability.as_str())
            && e.triggers
                .iter()
                .any(|t| t.kind == TriggerKind::PullRequest)
    });
    // Release gates the deploying automation itself runs: automated checks that can fail
    // (a check in a job that never runs, or whose failure fails nothing, gates nothing), and
    // that check something: the pipeline's own run (`dvc repro`) is the release, not a gate.
    let mut gates: HashMap<String, Vec<(Option<u32>, String)>> = HashMap::new();
    for e in evs.iter().filter(|e| {
        e.tier == Tier::Automated
            && capability::RELEASE_GATES.contains(&e.capability.as_str())
            && !masked(e)
            && !e.facets.iter().any(|f| f == facet::RUNS_PIPELINE)
            && !auto.cannot_fail(&e.chain)
    }) {
        gates
            .entry(e.path.clone())
            .or_default()
            .push((e.line, e.capability.clone()));
    }
    for e in evs.iter_mut() {
        // Say so where the owner reads it: run outside pull requests, the pipeline's own run
        // checks nothing before the release it is part of.
        if e.facets.iter().any(|f| f == facet::RUNS_PIPELINE)
            && e.tier == Tier::Automated
            && e.note.is_none()
            && !e
                .triggers
                .iter()
                .any(|t| t.kind == TriggerKind::PullRequest)
        {
            e.note = Some(
                "the pipeline's own run: part of the release it precedes, not a gate before it"
                    .into(),
            );
        }
        if e.capability == capability::ML_PIPELINE_ORCHESTRATION
            && e.tier >= Tier::Implemented
            && !e.facets.iter().any(|f| f == facet::TRAINING)
            && Automation::reaches(graph, &e.path, &index, &[capability::MODEL_TRAINING])
        {
            e.facets.push(facet::TRAINING.into());
        }
        if e.capability == capability::CONTINUOUS_DELIVERY
            && e.tier == Tier::Automated
            && !e.facets.iter().any(|f| f == facet::GATED)
            && let Some(entry) = e.chain.first().map(|h| h.path.clone())
        {
            let on_push = e.triggers.iter().any(|t| t.kind == TriggerKind::Push);
            let gated = (on_push && pr_checked)
                || auto
                    .entry_reach(graph, &entry)
                    .iter()
                    .any(|p| gates.contains_key(p.as_str()));
            if gated {
                e.facets.push(facet::GATED.into());
            }
        }
    }
}

/// What deploys and what gates it beyond a single rule's reading: approvals
/// ([`approvals_gate`]), then hand-overs to a serving process ([`add_served_deployments`]).
pub(crate) fn deployment_facets(facts: &Facts, evs: &mut Vec<Evidence>) {
    training_job_launches(evs);
    deployments_into_throwaway_clusters(facts, evs);
    approvals_gate(evs);
    add_served_deployments(evs);
}

/// A manifest named for a training run: a Katib experiment, a training operator's job, a
/// workflow or pipeline run.
static TRAINING_MANIFEST: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)\bkubectl\b[^\n|;&]*\b(apply|create)\b[^\n|;&]*\s(-f|--filename)[ =]\S*(train|katib|experiment|tfjob|pytorchjob|mpijob|workflow|pipelinerun)[^/\s]*\.ya?ml\b",
    )
    .expect("training manifest")
});

/// `kubectl apply -f` of a manifest named for a training run (`katib-experiment.yaml`,
/// `train-job.yaml`, an Argo workflow) starts training on the cluster: it deploys no model or
/// service. Its `deploy-command` evidence stays `implemented`, with a note.
pub(crate) fn training_job_launches(evs: &mut [Evidence]) {
    for e in evs.iter_mut().filter(|e| {
        e.capability == capability::CONTINUOUS_DELIVERY
            && e.rule == "deploy-command"
            && e.snippet
                .as_deref()
                .is_some_and(|s| TRAINING_MANIFEST.is_match(s))
    }) {
        e.tier = e.tier.min(Tier::Implemented);
        e.chain.clear();
        e.triggers.clear();
        e.facets.retain(|f| f != facet::GATED);
        e.note = Some(
            "applies a training run's manifest: it starts training, it deploys no model".into(),
        );
    }
}

/// The lines of `path` that run together with `line`: its CI job or Makefile target, else
/// the whole file.
fn run_scope(facts: &Facts, path: &str, line: u32) -> (u32, u32) {
    let ranges: Vec<(u32, u32)> = match facts.get(path) {
        Some(FileFacts::Entry { jobs, .. }) => jobs.iter().map(|j| (j.line, j.end)).collect(),
        Some(FileFacts::Targets { targets, .. }) => {
            targets.iter().map(|t| (t.line, t.end)).collect()
        }
        _ => Vec::new(),
    };
    ranges
        .into_iter()
        .find(|&(a, b)| a <= line && line <= b)
        .unwrap_or((0, u32::MAX))
}

/// A deployment into a cluster its own job or script creates (`kind create cluster`,
/// `helm/kind-action`, `minikube start`, `k3d cluster create`) deploys nowhere that outlives
/// the job: it is an end-to-end test of the deployment. Its evidence becomes
/// `integration_tests`, with a note naming the cluster.
pub(crate) fn deployments_into_throwaway_clusters(facts: &Facts, evs: &mut [Evidence]) {
    let clusters: Vec<(String, u32)> = evs
        .iter()
        .filter(|e| e.facets.iter().any(|f| f == facet::THROWAWAY_CLUSTER))
        .filter_map(|e| Some((e.path.clone(), e.line?)))
        .collect();
    if clusters.is_empty() {
        return;
    }
    let cluster_in = |path: &str, line: u32| {
        let (a, b) = run_scope(facts, path, line);
        clusters
            .iter()
            .find(|(p, l)| p == path && a <= *l && *l <= b)
    };
    for e in evs
        .iter_mut()
        .filter(|e| e.capability == capability::CONTINUOUS_DELIVERY)
    {
        // Where the deploy command runs, and where the CI job that reaches it starts.
        let places = e.line.map(|l| (e.path.clone(), l)).into_iter().chain(
            e.chain
                .first()
                .and_then(|h| Some((h.path.clone(), h.line?))),
        );
        let Some((p, l)) = places
            .filter_map(|(p, l)| cluster_in(&p, l).cloned())
            .next()
        else {
            continue;
        };
        e.capability = capability::INTEGRATION_TESTS.into();
        e.facets.retain(|f| f != facet::GATED);
        e.note = Some(format!(
            "deploys into the cluster created at {p}:{l}, which lasts as long as the job: an end-to-end test of the deployment"
        ));
    }
}

/// A model approval read before deploying (`approval_gate`) gates the deployment, unless the
/// same code registers the model as approved at once (`auto_approved`).
pub(crate) fn approvals_gate(evs: &mut [Evidence]) {
    for e in evs.iter_mut() {
        let has = |f: &str| e.facets.iter().any(|x| x == f);
        let gate = has(facet::APPROVAL_GATE) && !has(facet::AUTO_APPROVED) && !has(facet::GATED);
        e.facets
            .retain(|f| f != facet::APPROVAL_GATE && f != facet::AUTO_APPROVED);
        if gate {
            e.facets.push(facet::GATED.into());
        }
    }
}

/// Deployments no single file shows: a serving process picks up what other code hands it.
/// Each pair is (the server's facet, the hand-over's facet, the derived evidence's rule, the
/// note naming the server).
const SERVED_HANDOVERS: &[(&str, &str, &str, &str)] = &[
    // A serving process that loads the registry's promoted version (`models:/churn@champion`,
    // `models:/churn/Production`) at start or on a reload serves whatever the registry
    // promotes: each promotion (an alias or stage move) is a deployment.
    (
        facet::LOADS_PROMOTED,
        facet::PROMOTES,
        "registry-promotion-serves",
        "the promoted version is what the serving process at {server} loads",
    ),
    // A model server that polls a directory (TF Serving's base path, Triton in poll mode)
    // loads each new version written there: the write is a deployment.
    (
        facet::POLLS_MODEL_DIR,
        facet::WRITES_SERVED_MODEL,
        "served-directory-write",
        "the model server at {server} loads each new version written to the directory it polls",
    ),
];

/// The hand-overs of [`SERVED_HANDOVERS`] as deployments: automated when the hand-over is,
/// gated when it is. The derived evidence points at the hand-over and names the server in its
/// note.
pub(crate) fn add_served_deployments(evs: &mut Vec<Evidence>) {
    for &(serves, hands_over, rule, note) in SERVED_HANDOVERS {
        let Some(server) = evs
            .iter()
            .filter(|e| e.tier >= Tier::Implemented && e.facets.iter().any(|f| f == serves))
            .min_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)))
            .map(|e| match e.line {
                Some(l) => format!("{}:{l}", e.path),
                None => e.path.clone(),
            })
        else {
            continue;
        };
        let derived: Vec<Evidence> = evs
            .iter()
            .filter(|e| e.tier >= Tier::Implemented && e.facets.iter().any(|f| f == hands_over))
            .map(|e| Evidence {
                rule: rule.into(),
                capability: capability::CONTINUOUS_DELIVERY.into(),
                facets: e
                    .facets
                    .iter()
                    .filter(|f| *f == facet::GATED)
                    .cloned()
                    .collect(),
                note: Some(note.replace("{server}", &server)),
                ..e.clone()
            })
            .collect();
        evs.extend(derived);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Applying a training run's manifest is no deployment; applying a service's is.
    #[test]
    fn training_manifests_are_not_deployments() {
        for (line, deploys) in [
            (
                "kubectl apply -f ./k8s_manifest/generated-xg-boost-katib-${ID}.yaml",
                false,
            ),
            (
                "kubectl -n kubeflow create -f jobs/pytorchjob-train.yaml",
                false,
            ),
            ("kubectl apply -f k8s/deployment.yaml", true),
            ("kubectl apply -f k8s/", true),
        ] {
            let mut evs = vec![Evidence {
                rule: "deploy-command".into(),
                snippet: Some(line.into()),
                ..ev(
                    capability::CONTINUOUS_DELIVERY,
                    "Jenkinsfile",
                    Tier::Automated,
                    &[],
                )
            }];
            training_job_launches(&mut evs);
            assert_eq!(evs[0].tier == Tier::Automated, deploys, "{line}");
        }
    }
    use crate::model::{Trigger, TriggerKind};

    fn ev(capability: &str, path: &str, tier: Tier, facets: &[&str]) -> Evidence {
        Evidence {
            rule: "r".into(),
            capability: capability.into(),
            path: path.into(),
            line: Some(3),
            tier,
            chain: Vec::new(),
            triggers: vec![Trigger {
                kind: TriggerKind::Schedule,
                detail: None,
                line: 1,
                paths: Vec::new(),
            }],
            origin: None,
            snippet: None,
            facets: facets.iter().map(|f| f.to_string()).collect(),
            note: None,
            repository_rule: false,
        }
    }

    fn deployments(evs: &[Evidence]) -> Vec<&Evidence> {
        evs.iter()
            .filter(|e| e.capability == capability::CONTINUOUS_DELIVERY)
            .collect()
    }

    /// A scheduled alias move is an automated, gated deployment when a server loads the alias;
    /// without such a server it deploys nothing.
    #[test]
    fn promotion_served_by_a_registry_loader_is_a_deployment() {
        let promotion = ev(
            "environment_promotion",
            "src/promote.py",
            Tier::Automated,
            &[facet::PROMOTES, facet::GATED],
        );
        let mut alone = vec![promotion.clone()];
        add_served_deployments(&mut alone);
        assert_eq!(alone.len(), 1);

        let server = ev(
            "model_serving",
            "serving/app.py",
            Tier::Implemented,
            &[facet::LOADS_PROMOTED],
        );
        let mut evs = vec![promotion, server];
        add_served_deployments(&mut evs);
        let cd = deployments(&evs);
        assert_eq!(cd.len(), 1);
        assert_eq!(cd[0].tier, Tier::Automated);
        assert_eq!(cd[0].path, "src/promote.py");
        assert_eq!(cd[0].facets, vec![facet::GATED.to_string()]);
        assert!(cd[0].note.as_deref().unwrap().contains("serving/app.py:3"));
    }

    /// A model approval read before deploying gates it, unless the same code registers the
    /// model as approved at once.
    #[test]
    fn approvals_gate_unless_granted_at_once() {
        let deploy = |facets: &[&str]| {
            let mut evs = vec![ev(
                "continuous_delivery",
                "deploy.py",
                Tier::Automated,
                facets,
            )];
            approvals_gate(&mut evs);
            evs.remove(0).facets
        };
        assert_eq!(
            deploy(&[facet::APPROVAL_GATE]),
            vec![facet::GATED.to_string()]
        );
        assert!(deploy(&[facet::APPROVAL_GATE, facet::AUTO_APPROVED]).is_empty());
        assert_eq!(
            deploy(&[facet::GATED, facet::APPROVAL_GATE, facet::AUTO_APPROVED]),
            vec![facet::GATED.to_string()]
        );
    }

    /// A pipeline whose every step folder is absent loses its training facet; one whose folder
    /// exists keeps it.
    #[test]
    fn steps_in_absent_folders_train_in_another_repository() {
        let facts_with = |dir: &str| -> Facts {
            [(
                "sdk/pipeline.py".to_string(),
                FileFacts::Python {
                    imports: Vec::new(),
                    literals: Vec::new(),
                    code_dirs: vec![dir.to_string()],
                    schedules: Vec::new(),
                    dags: Vec::new(),
                    sys_paths: Vec::new(),
                },
            )]
            .into_iter()
            .collect()
        };
        let files = vec!["sdk/pipeline.py".to_string(), "src/train.py".to_string()];
        let pipeline = || {
            vec![ev(
                "ml_pipeline_orchestration",
                "sdk/pipeline.py",
                Tier::Implemented,
                &[facet::TRAINING],
            )]
        };
        let mut elsewhere = pipeline();
        steps_in_another_repository(&files, &facts_with("data-science/src"), &mut elsewhere);
        assert!(elsewhere[0].facets.is_empty());
        assert!(
            elsewhere[0]
                .note
                .as_deref()
                .unwrap()
                .contains("data-science/src")
        );
        let mut here = pipeline();
        steps_in_another_repository(&files, &facts_with("src"), &mut here);
        assert_eq!(here[0].facets, vec![facet::TRAINING.to_string()]);
    }

    /// A version written into a polled model directory is a deployment only beside a server
    /// that polls one; a registry promotion is not made one by such a server.
    #[test]
    fn write_into_a_polled_directory_is_a_deployment() {
        let write = ev(
            "environment_promotion",
            "pipelines/promote.py",
            Tier::Automated,
            &[facet::WRITES_SERVED_MODEL],
        );
        let alias = ev(
            "environment_promotion",
            "src/alias.py",
            Tier::Automated,
            &[facet::PROMOTES],
        );
        let mut alone = vec![write.clone(), alias.clone()];
        add_served_deployments(&mut alone);
        assert_eq!(alone.len(), 2);

        let server = ev(
            "model_serving",
            "docker-compose.yml",
            Tier::Implemented,
            &[facet::POLLS_MODEL_DIR],
        );
        let mut evs = vec![write, alias, server];
        add_served_deployments(&mut evs);
        let cd = deployments(&evs);
        assert_eq!(cd.len(), 1);
        assert_eq!(cd[0].rule, "served-directory-write");
        assert_eq!(cd[0].path, "pipelines/promote.py");
        assert_eq!(cd[0].tier, Tier::Automated);
        assert!(cd[0].facets.is_empty());
        assert!(
            cd[0]
                .note
                .as_deref()
                .unwrap()
                .contains("docker-compose.yml:3")
        );
    }
}
