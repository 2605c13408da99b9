//! References: what a file names rather than runs (a template, a component spec, a job by
//! name, an image, an HTTP route, a tree a GitOps controller applies, a file of this repository
//! named by the repository's own name), resolved to the nodes they stand for.

use crate::facts::dockerfile;
use crate::graph::{Graph, NodeId};
use crate::paths::join;

impl<'a> Graph<'a> {
    /// A reference names a file (a template, a component spec), or a job by name; a directory
    /// named this way is where something else runs (`code:`), not something that runs.
    pub(crate) fn reference_nodes(&self, text: &str, bases: &[String]) -> Vec<(NodeId, String)> {
        if let Some(tail) = text.strip_prefix("@workspace:") {
            return self
                .workspace_file(tail)
                .into_iter()
                .map(|f| ((f, None), format!("references {tail}")))
                .collect();
        }
        if let Some(route) = text.strip_prefix(crate::facts::http_routes::ROUTE_REF) {
            return self.route_nodes(route);
        }
        if let Some(name) = text.strip_prefix(dockerfile::IMAGE_REF) {
            // Built from the repository's root as context: its copies are paths from the root
            // (the node's target, read by `compute_edges`).
            let mut nodes = self.image_nodes(name);
            if nodes.is_empty() {
                nodes.extend(self.dockerfile_beside(name, bases).map(|d| (d, None)));
            }
            return nodes
                .into_iter()
                .map(|n| (n, format!("runs image {name}")))
                .collect();
        }
        if let Some(df) = text.strip_prefix(dockerfile::ROOT_BUILD_REF) {
            return self
                .is_file(df)
                .then(|| {
                    let node = (df.to_string(), Some(dockerfile::ROOT_CONTEXT.to_string()));
                    (node, format!("references {df}"))
                })
                .into_iter()
                .collect();
        }
        if let Some(p) = text.strip_prefix(crate::ci::FROM_ROOT) {
            return self
                .is_file(p)
                .then(|| ((p.to_string(), None), format!("references {p}")))
                .into_iter()
                .collect();
        }
        if let Some((repo, p)) = text
            .strip_prefix(crate::ci::IN_REPOSITORY)
            .and_then(|t| t.split_once(' '))
        {
            let ours = self.this_repository.iter().any(|n| n == repo);
            // A workflow file, or an action's folder (its `action.yml`).
            let found = [
                p.to_string(),
                join(p, "action.yml").unwrap_or_default(),
                join(p, "action.yaml").unwrap_or_default(),
            ]
            .into_iter()
            .find(|f| !f.is_empty() && self.is_file(f));
            return found
                .filter(|_| ours)
                .map(|f| ((f.clone(), None), format!("references {f}")))
                .into_iter()
                .collect();
        }
        if let Some(tree) = text.strip_prefix(crate::ci::orchestrators::gitops::APPLY) {
            return self.applied_manifests(tree);
        }
        if let Some((system, job)) = text.strip_prefix('@').and_then(|r| r.split_once(':')) {
            return self
                .named_jobs(system, job)
                .into_iter()
                .map(|n| (n, format!("runs {job}")))
                .collect();
        }
        let mut out = Vec::new();
        for tok in text.split_whitespace() {
            for p in self.resolve_ref(tok, bases) {
                out.push((
                    (p, None),
                    format!("references {}", tok.trim_start_matches('/')),
                ));
            }
        }
        out
    }

    /// What a GitOps controller applies from `tree` (a path from the root): the file itself, or
    /// every manifest below the folder (YAML and JSON: a folder of manifests, a Kustomize
    /// overlay, a Helm chart's templates and values). Code in the folder is not run by a sync.
    fn applied_manifests(&self, tree: &str) -> Vec<(NodeId, String)> {
        let manifest = |f: &String| {
            crate::paths::is_yaml(f)
                || f.ends_with(".json")
                || crate::paths::file_name(f) == "Kustomization"
        };
        self.resolve_path(tree, &[String::new()], true)
            .into_iter()
            .filter(manifest)
            .map(|f| ((f, None), format!("applies {tree}")))
            .collect()
    }
}
