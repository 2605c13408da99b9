//! Google Cloud Build: `*cloudbuild*.yaml`, or any YAML of its shape (a trigger names its
//! `filename`, e.g. `build/pipeline-deployment.yaml`); each step's builder image and args as a
//! command.

use crate::ci::{CiSystem, Yaml};
use crate::facts::yaml::{entry, push_block, seq_scalars, shell_join, trig, whole_job};
use crate::model::{Command, FileFacts, TriggerKind};
use crate::paths::file_name;
use crate::paths::is_yaml;
use crate::read::Document;
use crate::read::structured::Node;

pub(crate) fn cloud_build(root: &Node, end: u32) -> FileFacts {
    let mut commands = Vec::new();
    for step in root.get("steps").map(Node::as_seq).unwrap_or(&[]) {
        let dir = step
            .get("dir")
            .and_then(Node::as_str)
            .map(|d| format!("/{}", d.trim_start_matches("./")));
        if let Some(sc) = step.get("script").and_then(Node::as_str) {
            push_block(
                &mut commands,
                sc,
                step.get("script").map(|n| n.line).unwrap_or(step.line),
                true,
                dir.as_deref(),
            );
            continue;
        }
        let builder = step.get("name").and_then(Node::as_str).unwrap_or("");
        let program = step
            .get("entrypoint")
            .and_then(Node::as_str)
            .map(str::to_string)
            .unwrap_or_else(|| {
                let last = builder.rsplit('/').next().unwrap_or(builder);
                let last = last.split(':').next().unwrap_or(last);
                match last {
                    "cloud-sdk" | "gcloud-slim" | "gcloud" => "gcloud".to_string(),
                    s if s.starts_with("python") => "python".to_string(),
                    s => s.to_string(),
                }
            });
        let mut args: Vec<&str> = step.get("args").and_then(seq_scalars).unwrap_or_default();
        // An image with no entrypoint of its own (the Cloud SDK's `cloud-sdk`, which runs its
        // arguments), or arguments that name the entrypoint again (`args: [gcloud, ai, ...]`):
        // the first argument is the program.
        let sdk = builder.contains("cloudsdktool/") || builder.contains("google/cloud-sdk");
        let program = match args.first() {
            Some(first)
                if step.get("entrypoint").is_none()
                    && (sdk || *first == program)
                    && !first.starts_with('-') =>
            {
                let p = first.to_string();
                args.remove(0);
                p
            }
            _ => program,
        };
        let line = step.get("args").map(|n| n.line).unwrap_or(step.line);
        // `entrypoint: bash` with `args: ['-c', '<script>']`: the script's lines, as `script:`.
        let shell = program.rsplit('/').next().unwrap_or(&program);
        if matches!(shell, "bash" | "sh") && args.len() == 2 && args[0] == "-c" {
            let at = step
                .get("args")
                .and_then(|a| a.as_seq().get(1))
                .map_or(line, |n| n.line);
            // A block scalar's node is on its first content line; `push_block` counts from
            // the line before it (the `- |`).
            let at = if args[1].contains('\n') {
                at.saturating_sub(1)
            } else {
                at
            };
            push_block(&mut commands, args[1], at, true, dir.as_deref());
            continue;
        }
        let mut toks = vec![program.as_str()];
        toks.extend(args);
        commands.push(Command {
            line,
            text: shell_join(toks),
            shell: true,
            cwd: dir,
        });
    }
    // `$_NAME` / `${_NAME}`: the file's `substitutions:` defaults (a trigger may override
    // them; the committed default is what a run gets otherwise).
    let mut vars = crate::ci::vars::with_workspace_roots();
    crate::ci::vars::read_map(root.get("substitutions"), "", &mut vars);
    crate::ci::vars::expand(&mut commands, 0, &vars);
    entry(
        "cloud-build",
        vec![trig(TriggerKind::External, None, 1)],
        whole_job(end, commands),
    )
}

/// Google Cloud Build.
pub(crate) struct CloudBuild;

impl CiSystem for CloudBuild {
    fn id(&self) -> &'static str {
        "cloud-build"
    }
    fn at(&self, rel: &str) -> bool {
        // `cloudbuild.yaml`, `cloudbuild-train.yaml`, `run_pipelines_cloudbuild.yaml`.
        file_name(rel).contains("cloudbuild") && is_yaml(rel)
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        let y = Yaml::of(doc)?;
        Some(cloud_build(y.root, y.end))
    }
    fn words(&self) -> &'static [&'static str] {
        &["steps"]
    }
    /// A YAML file elsewhere whose root is only Cloud Build's: `steps` whose every step names
    /// a builder image (`gcr.io/cloud-builders/docker`, `python:3.11`, `$_IMAGE`) and runs
    /// `args`, an `entrypoint` or a `script`, beside Cloud Build's own keys.
    fn shaped(&self, y: &Yaml) -> Option<FileFacts> {
        const KEYS: &[&str] = &[
            "steps",
            "images",
            "artifacts",
            "options",
            "substitutions",
            "timeout",
            "tags",
            "availableSecrets",
            "secrets",
            "logsBucket",
            "serviceAccount",
            "queueTtl",
        ];
        let root = y.root;
        let steps = root.get("steps")?.as_seq();
        let only_ours = root
            .entries()
            .iter()
            .all(|(k, _, _)| KEYS.contains(&k.as_str()));
        // A registry's image (`gcr.io/cloud-builders/gcloud`, `python:3.11`, `$_IMAGE`), or a
        // Docker Hub one by its bare name (`alpine`, `bash`) beside at least one of those.
        let registry_image = |n: &str| {
            n.contains('/') || n.contains(':') || n.starts_with("$_") || n.starts_with("${_")
        };
        let bare_image = |n: &str| {
            n.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
                && n.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "._-".contains(c))
        };
        let image_of = |s: &Node| s.get("name").and_then(Node::as_str).map(str::to_string);
        let builder_steps = !steps.is_empty()
            && steps.iter().all(|s| {
                let image = image_of(s).is_some_and(|n| registry_image(&n) || bare_image(&n));
                image
                    && ["args", "entrypoint", "script"]
                        .iter()
                        .any(|k| s.get(k).is_some())
            })
            && steps
                .iter()
                .any(|s| image_of(s).is_some_and(|n| registry_image(&n)));
        (only_ours && builder_steps).then(|| cloud_build(root, y.end))
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[
            (
                "cloudbuild.yaml",
                "steps:\n  - name: python:3.11\n    entrypoint: pytest\n",
            ),
            (
                ".cloud-build/run_pipelines_cloudbuild.yaml",
                "steps:\n  - name: python\n    entrypoint: /bin/sh\n    args: ['-c', 'python3 workspace/run_pipeline.py']\n",
            ),
            (
                "build/pipeline-deployment.yaml",
                "steps:\n- name: 'gcr.io/cloud-builders/docker'\n  args: ['build', '-t', '$_IMAGE', '.']\nimages: ['$_IMAGE']\n",
            ),
        ]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `entrypoint: bash` with `args: ['-c', '<script>']` runs the script's lines; a line
    /// continued with `\` is one command with the next.
    #[test]
    fn shell_entrypoint_scripts_are_read_line_by_line() {
        let doc = Document::new(
            "cloudbuild/pr-checks.yaml",
            "steps:\n  - name: python:3.7\n    entrypoint: /bin/sh\n    args:\n      - -c\n      - |\n        make setup && \\\n        make test-all-components\n".to_string(),
        );
        let Some(FileFacts::Entry { jobs, .. }) = CloudBuild.read(&doc) else {
            panic!("not read")
        };
        let cmds: Vec<(u32, &str)> = jobs[0]
            .commands
            .iter()
            .map(|c| (c.line, c.text.trim()))
            .collect();
        assert_eq!(cmds, vec![(7, "make setup && make test-all-components")]);
    }
}
