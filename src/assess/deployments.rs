//! What deploys, and what gates it, beyond a single rule's reading: a training run's manifest
//! applied to a cluster starts training; a deployment into a cluster its own job creates is an
//! end-to-end test; a model approval read before deploying gates it, and so does a release
//! tool's configuration that holds its releases for approval; and the deployments no
//! single file shows, where a serving process picks up what other code hands it (a registry
//! promotion, a model written into a polled directory).

use crate::catalogue::builtin::{capability, facet};
use crate::model::{Evidence, Facts, FileFacts, Tier};

/// Every reading of this module, in order: training launches ([`training_job_launches`]),
/// throwaway clusters ([`deployments_into_throwaway_clusters`]), approvals ([`approvals_gate`],
/// [`release_tool_approvals`]), then hand-overs to a serving process ([`add_served_deployments`]).
pub(crate) fn deployment_facets(facts: &Facts, evs: &mut Vec<Evidence>) {
    training_job_launches(evs);
    deployments_into_throwaway_clusters(facts, evs);
    approvals_gate(evs);
    release_tool_approvals(evs);
    add_served_deployments(evs);
    promotions_in_runner_stores(facts, evs);
    databricks_publications(facts, evs);
}

/// Publishing Databricks jobs (`dbx deploy`, `databricks bundle deploy`).
static DATABRICKS_PUBLISH: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"\bdbx\s+deploy\b|\bdatabricks\s+bundle\s+deploy\b").expect("publish")
});

/// The line that binds a job to a deployment environment (`environment: prod`, an Azure
/// Pipelines `- deployment:` job): it names the job a deployment, it deploys nothing itself.
static JOB_MARKER: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"^\s*-?\s*(environment|deployment)\s*:").expect("job marker")
});

/// What a Databricks job that serves predictions is named or runs: batch inference or
/// scoring, a model-serving endpoint.
static SERVES: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(?i)inferenc|scor(e|ing)|predict|serv(e|ing)").expect("serves")
});

/// A deployment whose job only publishes Databricks jobs, in a repository none of whose
/// Databricks jobs serves predictions (no batch inference or scoring, no serving endpoint),
/// publishes pipelines that train: Google 2's pipeline publication, already evidence of its
/// own (`pipeline_cicd`), not a model deployment (a deploy job bound to an environment whose
/// one deploying step is `dbx deploy`). It stays `implemented`, with a note.
pub(crate) fn databricks_publications(facts: &Facts, evs: &mut [Evidence]) {
    let serving = facts.iter().any(|(_, f)| {
        matches!(f, FileFacts::Entry { system: "databricks", jobs, .. }
            if jobs.iter().any(|j| SERVES.is_match(&j.name)
                || j.commands.iter().any(|c| SERVES.is_match(&c.text))))
    });
    if serving {
        return;
    }
    // The jobs that deploy, each with whether a deployment rule found something there other
    // than a Databricks publication (the rules' own reading of deploy commands).
    let cd =
        |e: &Evidence| e.capability == capability::CONTINUOUS_DELIVERY && e.tier == Tier::Automated;
    let job_of = |e: &Evidence| -> Option<(String, u32)> {
        let (Some(FileFacts::Entry { jobs, .. }), Some(line)) = (facts.get(&e.path), e.line) else {
            return None;
        };
        let j = jobs.iter().find(|j| j.line <= line && line <= j.end)?;
        Some((e.path.clone(), j.line))
    };
    let mut others: Vec<(String, u32)> = evs
        .iter()
        .filter(|e| cd(e))
        .filter(|e| {
            let s = e.snippet.as_deref().unwrap_or("");
            !DATABRICKS_PUBLISH.is_match(s) && !JOB_MARKER.is_match(s)
        })
        .filter_map(job_of)
        .collect();
    others.sort();
    others.dedup();
    for e in evs.iter_mut().filter(|e| cd(e)) {
        let Some(key) = job_of(e) else {
            continue;
        };
        let Some(FileFacts::Entry { jobs, .. }) = facts.get(&e.path) else {
            continue;
        };
        let publishes = jobs.iter().filter(|j| j.line == key.1).any(|j| {
            j.commands
                .iter()
                .any(|c| c.shell && DATABRICKS_PUBLISH.is_match(&c.text))
        });
        if publishes && others.binary_search(&key).is_err() {
            e.tier = Tier::Implemented;
            e.chain.clear();
            e.triggers.clear();
            e.note = Some(
                "publishes Databricks jobs that train, none that serves predictions: a pipeline's publication, not a model's deployment".into(),
            );
        }
    }
}

/// A promotion made in an MLflow store pinned to a local folder or file ([`facet::LOCAL_STORE`])
/// that only CI runs moves an alias in the runner's own copy of the registry, which goes with
/// the runner: the deployment derived from it ([`add_served_deployments`]) stays
/// `implemented`, with a note. Run by an orchestrator on a host, the folder may be the one the
/// server mounts, and it stays a deployment.
pub(crate) fn promotions_in_runner_stores(facts: &Facts, evs: &mut [Evidence]) {
    let by_ci = |e: &Evidence| {
        e.chain.first().is_some_and(|h| {
            matches!(facts.get(&h.path), Some(crate::model::FileFacts::Entry { system, .. })
                if crate::ci::is_ci_system(system))
        })
    };
    for e in evs.iter_mut().filter(|e| {
        e.capability == capability::CONTINUOUS_DELIVERY
            && e.tier == Tier::Automated
            && e.facets.iter().any(|f| f == facet::LOCAL_STORE)
    }) {
        if by_ci(e) {
            e.tier = Tier::Implemented;
            e.chain.clear();
            e.triggers.clear();
            e.note = Some(
                "promoted in an MLflow store the code keeps in a local folder or file, which CI's runner throws away: no serving process reads this move".into(),
            );
        }
    }
}

/// A manifest named for a training run: a Katib experiment, a training operator's job, a
/// workflow or pipeline run.
static TRAINING_MANIFEST: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(
        r"(?i)\bkubectl\b[^\n|;&]*\b(apply|create)\b[^\n|;&]*\s(-f|--filename)[ =]\S*(train|katib|experiment|tfjob|pytorchjob|mpijob|workflow|pipelinerun)[^/\s]*\.ya?ml\b|(train|katib|experiment|tfjob|pytorchjob|mpijob|workflow|pipelinerun)[^/\s]*\.ya?ml\b[^\n;&]*\|[^\n;&]*\bkubectl\b[^\n|;&]*\b(apply|create)\b[^\n|;&]*\s(-f|--filename)[ =]-(\s|$)",
    )
    .expect("training manifest")
});

/// `kubectl apply -f` of a manifest named for a training run (`katib-experiment.yaml`,
/// `train-job.yaml`, an Argo workflow; also piped in, `cat retrain-job.yaml | envsubst |
/// kubectl apply -f -`) starts training on the cluster: it deploys no model or
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

/// Release tools whose configuration, a file of its own, can hold each release for a
/// person's approval: (the facet on a deployment made through the tool, the facet on its
/// configuration when it holds releases).
const RELEASE_TOOLS: &[(&str, &str)] = &[(facet::CLOUD_DEPLOY_RELEASE, facet::RELEASE_APPROVAL)];

/// A deployment made through a release tool whose configuration in the repository holds
/// releases for approval (a Cloud Deploy target with `requireApproval: true`) is gated: the
/// release waits for a person before it reaches that target. The tool's facet is consumed.
pub(crate) fn release_tool_approvals(evs: &mut [Evidence]) {
    for &(release, approval) in RELEASE_TOOLS {
        let held = evs
            .iter()
            .any(|e| e.tier >= Tier::Implemented && e.facets.iter().any(|f| f == approval));
        for e in evs.iter_mut() {
            let through = e.facets.iter().any(|f| f == release);
            e.facets.retain(|f| f != release);
            if through
                && held
                && e.capability == capability::CONTINUOUS_DELIVERY
                && !e.facets.iter().any(|f| f == facet::GATED)
            {
                e.facets.push(facet::GATED.into());
            }
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

/// Whether code outside `inside` hands a model over to a serving process inside it (a pair of
/// [`SERVED_HANDOVERS`]: the server inside, the promotion or write outside).
pub(crate) fn hands_over(evs: &[Evidence], inside: &dyn Fn(&str) -> bool) -> bool {
    SERVED_HANDOVERS.iter().any(|&(serves, hands, _, _)| {
        let has =
            |e: &Evidence, f: &str| e.tier >= Tier::Implemented && e.facets.iter().any(|x| x == f);
        evs.iter().any(|e| has(e, serves) && inside(&e.path))
            && evs.iter().any(|e| has(e, hands) && !inside(&e.path))
    })
}

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
                    .filter(|f| *f == facet::GATED || *f == facet::LOCAL_STORE)
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
    use crate::assess::test_support::ev;

    fn deployments(evs: &[Evidence]) -> Vec<&Evidence> {
        evs.iter()
            .filter(|e| e.capability == capability::CONTINUOUS_DELIVERY)
            .collect()
    }

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

    /// A promotion in a store pinned to a local folder, run by CI, deploys nothing (the
    /// runner's copy of the registry goes with it); run by an orchestrator it still deploys.
    #[test]
    fn promotions_in_a_runner_store_deploy_nothing() {
        let mut facts = Facts::default();
        let doc = |p: &str, t: &str| crate::read::Document::new(p, t.to_string());
        for (p, t) in [
            (
                ".github/workflows/retrain.yml",
                "on: [push]\njobs:\n  r:\n    runs-on: x\n    steps:\n      - run: python src/promote.py\n",
            ),
            ("dags/retrain.py", "from airflow import DAG\n"),
        ] {
            if let Some(f) = crate::extract::extract(&doc(p, t)) {
                facts.insert(p.to_string(), std::sync::Arc::new(f));
            }
        }
        let promoted = |entry: &str| {
            let mut p = ev(
                "environment_promotion",
                "src/promote.py",
                Tier::Automated,
                &[facet::PROMOTES, facet::LOCAL_STORE],
            );
            p.chain = vec![crate::model::Hop {
                path: entry.into(),
                line: Some(1),
                via: "push".into(),
            }];
            let server = ev(
                "model_serving",
                "serving/app.py",
                Tier::Implemented,
                &[facet::LOADS_PROMOTED],
            );
            let mut evs = vec![p, server];
            deployment_facets(&facts, &mut evs);
            deployments(&evs)[0].tier
        };
        assert_eq!(promoted(".github/workflows/retrain.yml"), Tier::Implemented);
        assert_eq!(promoted("dags/retrain.py"), Tier::Automated);
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

    /// A deploy job whose one deploying step publishes Databricks jobs that only train deploys
    /// no model; with another deployment in the job (a deploy rule's command) it still does.
    #[test]
    fn databricks_publications_are_no_model_deployments() {
        let wf = |extra: &str| {
            format!(
                "on: [push]\njobs:\n  publish:\n    runs-on: x\n    environment: prod\n    steps:\n      - run: python -m dbx deploy --deployment-file conf/deployment.yml\n{extra}"
            )
        };
        let tier = |extra: &str, snippets: &[(u32, &str)]| {
            let text = wf(extra);
            let mut facts = Facts::default();
            let doc = crate::read::Document::new(".github/workflows/cd.yml", text);
            facts.insert(
                ".github/workflows/cd.yml".to_string(),
                std::sync::Arc::new(crate::extract::extract(&doc).expect("workflow")),
            );
            let mut evs: Vec<Evidence> = snippets
                .iter()
                .map(|&(line, snippet)| Evidence {
                    line: Some(line),
                    snippet: Some(snippet.into()),
                    ..ev(
                        capability::CONTINUOUS_DELIVERY,
                        ".github/workflows/cd.yml",
                        Tier::Automated,
                        &[],
                    )
                })
                .collect();
            databricks_publications(&facts, &mut evs);
            evs[0].tier
        };
        assert_eq!(tier("", &[(5, "environment: prod")]), Tier::Implemented);
        assert_eq!(
            tier(
                "      - run: kubectl apply -f k8s/serving.yaml\n",
                &[
                    (5, "environment: prod"),
                    (8, "kubectl apply -f k8s/serving.yaml")
                ]
            ),
            Tier::Automated
        );
    }

    /// A Cloud Deploy release is gated when the repository's delivery pipeline holds releases
    /// for approval, and only then.
    #[test]
    fn release_tool_approval_gates_its_releases() {
        let release = || {
            ev(
                "continuous_delivery",
                "cloudbuild.yaml",
                Tier::Automated,
                &[facet::CLOUD_DEPLOY_RELEASE],
            )
        };
        let config = |facets: &[&str]| {
            ev(
                "environment_promotion",
                "clouddeploy.yaml",
                Tier::Implemented,
                facets,
            )
        };
        let mut held = vec![release(), config(&[facet::RELEASE_APPROVAL])];
        release_tool_approvals(&mut held);
        assert_eq!(held[0].facets, vec![facet::GATED.to_string()]);
        let mut free = vec![release(), config(&[])];
        release_tool_approvals(&mut free);
        assert!(free[0].facets.is_empty());
        let mut other = vec![
            ev("continuous_delivery", "deploy.yml", Tier::Automated, &[]),
            config(&[facet::RELEASE_APPROVAL]),
        ];
        release_tool_approvals(&mut other);
        assert!(other[0].facets.is_empty());
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
