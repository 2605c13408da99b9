//! Docker Compose files: each service is a target whose commands are its `command:` and
//! `entrypoint:` (a list is one argv), and whose image is built from its `build:` context's
//! Dockerfile (the `CMD` a service without a command runs). `docker compose up` starts every
//! service (or those named), `docker compose run SERVICE` one (see `shell::classify`).

use crate::facts::yaml::shell_join;
use crate::model::{BuildTarget, Command, FileFacts, TargetKind};
use crate::paths::{file_name, is_yaml, join, parent};
use crate::read::Document;
use crate::read::structured::{Node, Value};

/// The names `docker compose` looks for in a directory, the one it reads first.
pub(crate) const COMPOSE_FILES: &[&str] = &[
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];

/// Whether `rel` is named as a Compose file (the default names, and variants such as
/// `docker-compose.prod.yml` that `-f` points at).
pub(crate) fn is_compose(rel: &str) -> bool {
    let name = file_name(rel);
    is_yaml(rel) && (name.starts_with("docker-compose") || name.starts_with("compose."))
}

pub(crate) fn compose(doc: &Document) -> Option<FileFacts> {
    let root = doc.structured().ok()?.first()?.clone();
    let services = root.get("services")?;
    let here = parent(&doc.rel);
    let mut targets = Vec::new();
    for (name, line, svc) in services.entries() {
        let mut t = BuildTarget::empty(name, *line);
        let wd = svc
            .get("working_dir")
            .and_then(Node::as_str)
            .filter(|w| !w.starts_with('/'))
            .map(|w| format!("/{}", join(here, w).unwrap_or_default()));
        let entrypoint = svc.get("entrypoint").map(argv);
        let command = svc.get("command").map(argv);
        let line_of = |k: &str| svc.get(k).map_or(*line, |n| n.line);
        match (entrypoint, command) {
            (Some(Some(e)), Some(Some(c))) => t.commands.push(Command {
                cwd: wd.clone(),
                ..Command::run(line_of("entrypoint"), format!("{e} {c}"))
            }),
            (Some(Some(x)), _) | (_, Some(Some(x))) => {
                let k = if svc.get("entrypoint").is_some() {
                    "entrypoint"
                } else {
                    "command"
                };
                t.commands.push(Command {
                    cwd: wd.clone(),
                    ..Command::run(line_of(k), x)
                });
            }
            _ => {}
        }
        if let Some((df, root)) = dockerfile_of(svc.get("build"), here) {
            // Built from the root as context, elsewhere than the Dockerfile's folder: its
            // copies are paths from the root.
            let text = if root && df.contains('/') {
                format!("{}{df}", crate::facts::dockerfile::ROOT_BUILD_REF)
            } else {
                format!("/{df}")
            };
            t.commands.push(Command::reference(line_of("build"), text));
        }
        t.end = t.commands.iter().map(|c| c.line).max().unwrap_or(*line);
        targets.push(t);
    }
    Some(FileFacts::Targets {
        kind: TargetKind::Services,
        targets,
    })
}

/// A `command:` / `entrypoint:` value as one command line (a list is an argv).
fn argv(n: &Node) -> Option<String> {
    match &n.value {
        Value::Scalar(s) => Some(s.clone()),
        Value::Seq(items) => {
            let words: Vec<&str> = items.iter().filter_map(Node::as_str).collect();
            (!words.is_empty()).then(|| shell_join(words))
        }
        _ => None,
    }
}

/// The Dockerfile a service's `build:` names (`build: ./dir` or `{context, dockerfile}`), and
/// whether its context is the repository's root.
fn dockerfile_of(build: Option<&Node>, here: &str) -> Option<(String, bool)> {
    let b = build?;
    let (context, file) = match (&b.value, b.get("context"), b.get("dockerfile")) {
        (Value::Scalar(s), _, _) => (s.as_str(), "Dockerfile"),
        (_, c, f) => (
            c.and_then(Node::as_str).unwrap_or("."),
            f.and_then(Node::as_str).unwrap_or("Dockerfile"),
        ),
    };
    if context.contains("://") || context.starts_with('/') {
        return None;
    }
    let dir = join(here, context)?;
    Some((join(&dir, file)?, dir.is_empty()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_are_targets_with_their_commands_and_dockerfiles() {
        let text = "services:\n  train:\n    build: ./trainer\n    command: [\"python\", \"train.py\"]\n    working_dir: trainer\n  api:\n    build:\n      context: .\n      dockerfile: docker/api.Dockerfile\n  db:\n    image: postgres\n";
        let Some(FileFacts::Targets { kind, targets }) = compose(&Document::new(
            "deploy/docker-compose.yml",
            text.to_string(),
        )) else {
            panic!("not read");
        };
        assert_eq!(kind, TargetKind::Services);
        let got: Vec<(&str, Vec<&str>)> = targets
            .iter()
            .map(|t| {
                (
                    t.name.as_str(),
                    t.commands.iter().map(|c| c.text.as_str()).collect(),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    "train",
                    vec!["python train.py", "/deploy/trainer/Dockerfile"]
                ),
                ("api", vec!["/deploy/docker/api.Dockerfile"]),
                ("db", vec![]),
            ]
        );
        assert_eq!(
            targets[0].commands[0].cwd.as_deref(),
            Some("/deploy/trainer")
        );
        // At the root, `context: .` with a Dockerfile in a folder builds from the root.
        let Some(FileFacts::Targets { targets, .. }) = compose(&Document::new(
            "docker-compose.yml",
            "services:\n  trainer:\n    build:\n      context: .\n      dockerfile: src/training/training.Dockerfile\n".to_string(),
        )) else {
            panic!("not read");
        };
        assert_eq!(
            targets[0].commands[0].text,
            "@root-build:src/training/training.Dockerfile"
        );
        assert!(is_compose("docker-compose.prod.yml") && is_compose("compose.yaml"));
        assert!(!is_compose("composer.json") && !is_compose("docker/compose.sh"));
    }
}
