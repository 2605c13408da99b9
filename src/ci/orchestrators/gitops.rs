//! GitOps controllers: an Argo CD `Application` or `ApplicationSet`, a Flux `Kustomization` or
//! `HelmRelease` read from a `GitRepository`. A controller in the cluster watches the
//! repository and applies what is committed under the application's path (a folder of
//! manifests, a Kustomize overlay, a Helm chart): a commit there deploys it.
//!
//! Each application is a job that applies its path (`@apply:PATH`, every manifest below it).
//! Its trigger is a push filtered to that path when the controller syncs by itself (Argo CD
//! `syncPolicy.automated`, Flux reconciling on its `interval`), a manual one when a person
//! syncs (no `automated`, a suspended Flux object); Argo CD Image Updater adds an event (a new
//! image in the registry). The path filter also decides whether the application deploys this
//! tree at all: a path that does not exist here (an application of another repository, a chart
//! from a Helm repository) fires nothing (docs/levels.md, "Deployment").

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{collect_key, entry, str_at, trig};
use crate::model::{Command, FileFacts, Job, Trigger, TriggerKind};
use crate::read::structured::Node;

/// The reference a job of this file gives to the tree it applies (resolved by the graph).
pub(crate) const APPLY: &str = "@apply:";

/// Argo CD `Application` and `ApplicationSet` (argoproj.io).
pub(crate) struct ArgoCd;

/// Flux `Kustomization` (kustomize.toolkit.fluxcd.io) and `HelmRelease` (helm.toolkit.fluxcd.io).
pub(crate) struct Flux;

/// One application: its name, where it is written, the paths it applies (each with the line
/// naming it) and how its syncs start.
struct App {
    name: String,
    paths: Vec<(String, u32)>,
    kind: TriggerKind,
    detail: String,
    image_event: Option<(String, u32)>,
}

/// A path of the tree as the controller names it (`./k8s/`, `k8s`): "" is the root.
fn clean(p: &str) -> String {
    let c = p
        .trim()
        .trim_start_matches("./")
        .trim_start_matches('/')
        .trim_end_matches('/');
    if c == "." {
        String::new()
    } else {
        c.to_string()
    }
}

/// The folder a glob or a templated path stays inside (`apps/*` -> `apps`, `{{path}}` -> none).
fn fixed_prefix(p: &str) -> Option<String> {
    let parts: Vec<&str> = p
        .split('/')
        .take_while(|c| !c.contains(['*', '{', '$', '?', '[']))
        .collect();
    let fixed = clean(&parts.join("/"));
    (!fixed.is_empty() || !p.contains(['*', '{', '$', '?', '['])).then_some(fixed)
}

fn api(d: &Node) -> &str {
    d.get("apiVersion").and_then(Node::as_str).unwrap_or("")
}

fn kind(d: &Node) -> &str {
    d.get("kind").and_then(Node::as_str).unwrap_or("")
}

fn name_of(d: &Node, default: &str) -> String {
    str_at(d, &["metadata", "name"])
        .unwrap_or(default)
        .to_string()
}

/// Argo CD: the sources of an `Application` (or of an `ApplicationSet`'s template) that lie in
/// a repository folder (`path`; a `chart` comes from a Helm repository).
fn argo_app(d: &Node) -> Option<App> {
    let set = match kind(d) {
        "Application" => false,
        "ApplicationSet" => true,
        _ => return None,
    };
    if !api(d).starts_with("argoproj.io/") {
        return None;
    }
    let spec = if set {
        d.get("spec")?.get("template")?.get("spec")?
    } else {
        d.get("spec")?
    };
    let mut sources: Vec<&Node> = spec
        .get("sources")
        .map(|s| s.as_seq().iter().collect())
        .unwrap_or_default();
    if let Some(s) = spec.get("source") {
        sources.push(s);
    }
    let mut paths = Vec::new();
    for s in sources {
        let Some(p) = s.get("path") else { continue };
        let Some(text) = p.as_str() else { continue };
        match fixed_prefix(text) {
            Some(f) => paths.push((f, p.line)),
            // `{{path}}` of an ApplicationSet: the folders its generators list.
            None if set => {
                let mut gen_paths = Vec::new();
                if let Some(g) = d.get("spec").and_then(|s| s.get("generators")) {
                    collect_key(g, "path", &mut gen_paths, 0);
                }
                paths.extend(
                    gen_paths
                        .iter()
                        .filter_map(|(g, l)| fixed_prefix(g).map(|f| (f, *l))),
                );
            }
            None => {}
        }
    }
    if paths.is_empty() {
        return None;
    }
    let automated = spec
        .get("syncPolicy")
        .and_then(|p| p.get("automated"))
        .is_some_and(|a| a.get("enabled").and_then(Node::as_str) != Some("false"));
    let images = str_at(
        d,
        &[
            "metadata",
            "annotations",
            "argocd-image-updater.argoproj.io/image-list",
        ],
    )
    .map(|l| {
        let line = d
            .get("metadata")
            .and_then(|m| m.get("annotations"))
            .map_or(d.line, |a| a.line);
        (l.to_string(), line)
    });
    Some(App {
        name: name_of(d, if set { "applicationset" } else { "application" }),
        paths,
        kind: if automated {
            TriggerKind::Push
        } else {
            TriggerKind::Manual
        },
        detail: if automated {
            "argocd automated sync".into()
        } else {
            "argocd sync".into()
        },
        image_event: images.filter(|_| automated),
    })
}

/// Flux: a `Kustomization` of a `GitRepository`'s `path`, or a `HelmRelease` of a chart in one.
fn flux_app(d: &Node) -> Option<App> {
    let a = api(d);
    let spec = d.get("spec")?;
    let (path, line, source) = match kind(d) {
        "Kustomization" if a.starts_with("kustomize.toolkit.fluxcd.io/") => {
            let p = spec.get("path");
            (
                p.and_then(Node::as_str).unwrap_or("./").to_string(),
                p.map_or(d.line, |p| p.line),
                spec.get("sourceRef"),
            )
        }
        "HelmRelease" if a.starts_with("helm.toolkit.fluxcd.io/") => {
            let chart = spec.get("chart")?.get("spec")?;
            let p = chart.get("chart")?;
            (p.as_str()?.to_string(), p.line, chart.get("sourceRef"))
        }
        _ => return None,
    };
    // A chart of a HelmRepository, an OCI artefact or a bucket is nothing of this tree.
    if str_at(source?, &["kind"]) != Some("GitRepository") {
        return None;
    }
    let path = fixed_prefix(&path)?;
    let suspended = spec.get("suspend").and_then(Node::as_str) == Some("true");
    let every = spec
        .get("interval")
        .and_then(Node::as_str)
        .map(|i| format!(" every {i}"))
        .unwrap_or_default();
    Some(App {
        name: name_of(d, kind(d)),
        paths: vec![(path, line)],
        kind: if suspended {
            TriggerKind::Manual
        } else {
            TriggerKind::Push
        },
        detail: if suspended {
            "flux reconcile (suspended)".into()
        } else {
            format!("flux reconcile{every}")
        },
        image_event: None,
    })
}

/// One job per application of the file, spanning its document.
fn jobs(y: &Yaml, read: fn(&Node) -> Option<App>) -> Option<Vec<Job>> {
    let mut jobs = Vec::new();
    for (i, d) in y.docs.iter().enumerate() {
        let Some(app) = read(d) else { continue };
        let end = y
            .docs
            .get(i + 1)
            .map(|n| n.line.saturating_sub(1).max(d.line))
            .unwrap_or(y.end);
        // The path filter: changes under the applied paths (none when one is the root).
        let filter: Vec<String> = if app.paths.iter().any(|(p, _)| p.is_empty()) {
            Vec::new()
        } else {
            app.paths.iter().map(|(p, _)| p.clone()).collect()
        };
        let line = app.paths.first().map_or(d.line, |p| p.1);
        let mut triggers = vec![Trigger {
            paths: filter.clone(),
            ..trig(app.kind, Some(app.detail.clone()), line)
        }];
        if let Some((images, l)) = &app.image_event {
            triggers.push(Trigger {
                paths: filter.clone(),
                ..trig(
                    TriggerKind::Event,
                    Some(format!("argocd-image-updater: {images}")),
                    *l,
                )
            });
        }
        let commands = app
            .paths
            .iter()
            .filter(|(p, _)| !p.is_empty())
            .map(|(p, l)| Command::reference(*l, format!("{APPLY}{p}")))
            .collect();
        jobs.push(Job::new(app.name, (d.line.max(1), end), triggers, commands));
    }
    (!jobs.is_empty()).then_some(jobs)
}

impl CiSystem for ArgoCd {
    fn id(&self) -> &'static str {
        "argocd"
    }
    fn words(&self) -> &'static [&'static str] {
        &["argoproj.io"]
    }
    fn shaped(&self, y: &Yaml) -> Option<FileFacts> {
        Some(entry(self.id(), Vec::new(), jobs(y, argo_app)?))
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            "argocd/churn-api.yaml",
            "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: churn-api\nspec:\n  source:\n    repoURL: https://github.com/acme/churn.git\n    path: k8s\n  syncPolicy:\n    automated: {prune: true}\n",
        )]
    }
}

impl CiSystem for Flux {
    fn id(&self) -> &'static str {
        "flux"
    }
    fn words(&self) -> &'static [&'static str] {
        &["kustomize.toolkit.fluxcd.io", "helm.toolkit.fluxcd.io"]
    }
    fn shaped(&self, y: &Yaml) -> Option<FileFacts> {
        Some(entry(self.id(), Vec::new(), jobs(y, flux_app)?))
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            "clusters/prod/churn-api.yaml",
            "apiVersion: kustomize.toolkit.fluxcd.io/v1\nkind: Kustomization\nmetadata:\n  name: churn-api\nspec:\n  interval: 5m\n  path: ./deploy/overlays/prod\n  sourceRef:\n    kind: GitRepository\n    name: churn\n",
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::read::Document;

    /// A job as (name, trigger kinds, path filters, applied references).
    type Read = (String, Vec<TriggerKind>, Vec<String>, Vec<String>);

    /// The jobs of a file.
    fn read(path: &str, text: &str) -> Vec<Read> {
        let doc = Document::new(path, text.to_string());
        match crate::extract::extract(&doc) {
            Some(FileFacts::Entry { jobs, .. }) => jobs
                .into_iter()
                .map(|j| {
                    (
                        j.name,
                        j.triggers.iter().map(|t| t.kind).collect(),
                        j.triggers
                            .first()
                            .map(|t| t.paths.clone())
                            .unwrap_or_default(),
                        j.commands.into_iter().map(|c| c.text).collect(),
                    )
                })
                .collect(),
            _ => Vec::new(),
        }
    }

    #[test]
    fn argo_sync_policy_decides_the_trigger() {
        let app = |policy: &str| {
            format!(
                "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: api\n  annotations:\n    argocd-image-updater.argoproj.io/image-list: ghcr.io/acme/api\nspec:\n  source:\n    repoURL: https://github.com/acme/api\n    path: ./deploy/prod/\n{policy}"
            )
        };
        let auto = read("apps/api.yaml", &app("  syncPolicy:\n    automated: {}\n"));
        assert_eq!(auto[0].0, "api");
        assert_eq!(auto[0].1, vec![TriggerKind::Push, TriggerKind::Event]);
        assert_eq!(auto[0].2, vec!["deploy/prod".to_string()]);
        assert_eq!(auto[0].3, vec!["@apply:deploy/prod".to_string()]);
        let manual = read("apps/api.yaml", &app(""));
        assert_eq!(manual[0].1, vec![TriggerKind::Manual]);
        let off = read(
            "apps/api.yaml",
            &app("  syncPolicy:\n    automated:\n      enabled: false\n"),
        );
        assert_eq!(off[0].1, vec![TriggerKind::Manual]);
    }

    #[test]
    fn helm_repository_charts_apply_nothing_of_the_tree() {
        let text = "apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: redis\nspec:\n  source:\n    repoURL: https://charts.bitnami.com/bitnami\n    chart: redis\n  syncPolicy:\n    automated: {}\n---\napiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: redis\nspec:\n  chart:\n    spec:\n      chart: redis\n      sourceRef:\n        kind: HelmRepository\n        name: bitnami\n";
        assert!(read("apps/redis.yaml", text).is_empty());
        let git = "apiVersion: helm.toolkit.fluxcd.io/v2\nkind: HelmRelease\nmetadata:\n  name: api\nspec:\n  interval: 5m\n  suspend: true\n  chart:\n    spec:\n      chart: ./charts/api\n      sourceRef:\n        kind: GitRepository\n        name: api\n";
        let jobs = read("clusters/prod/api.yaml", git);
        assert_eq!(jobs[0].1, vec![TriggerKind::Manual]);
        assert_eq!(jobs[0].3, vec!["@apply:charts/api".to_string()]);
    }

    /// An ApplicationSet's templated `{{path}}` stands for the folders its git generator lists;
    /// several applications in one file are one job each.
    #[test]
    fn application_sets_apply_their_generator_folders() {
        let text = "apiVersion: argoproj.io/v1alpha1\nkind: ApplicationSet\nmetadata:\n  name: models\nspec:\n  generators:\n    - git:\n        repoURL: https://github.com/acme/ml\n        directories:\n          - path: serving/*\n  template:\n    metadata:\n      name: '{{path.basename}}'\n    spec:\n      source:\n        repoURL: https://github.com/acme/ml\n        path: '{{path}}'\n      syncPolicy:\n        automated: {}\n---\napiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata:\n  name: root\nspec:\n  sources:\n    - repoURL: https://github.com/acme/ml\n      path: .\n";
        let jobs = read("argocd/apps.yaml", text);
        assert_eq!(jobs.len(), 2);
        assert_eq!(jobs[0].3, vec!["@apply:serving".to_string()]);
        assert_eq!(jobs[0].1, vec![TriggerKind::Push]);
        // The root: any change, nothing to list.
        assert_eq!(jobs[1].2, Vec::<String>::new());
        assert!(jobs[1].3.is_empty());
    }
}
