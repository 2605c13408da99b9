//! Container images named in infrastructure code (`image = ".../retrain-job:latest"` of a
//! scheduled Cloud Run job, ECS task or Kubernetes CronJob) back to the Dockerfile of the
//! repository that builds them: the one a build command of the repository tags with that
//! name (`docker build -f jobs/Dockerfile -t $IMG`, with `IMG=.../retrain-job:$SHA` in the same
//! script), else a Dockerfile in a folder of that name (`retrain-job/Dockerfile`) or named for
//! it (`Dockerfile.retrain-job`, `retrain-job.Dockerfile`).

use crate::facts::dockerfile::{image_name, is_dockerfile};
use crate::graph::Graph;
use crate::model::{Command, FileFacts};
use crate::paths::{file_name, parent};
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The image names the repository's build commands tag, each with the Dockerfiles built so.
pub(crate) type ImageIndex = HashMap<String, Vec<String>>;

/// The most build commands read for the index (a generated monorepo has no more).
const MAX_BUILDS: usize = 5_000;

/// Whether a file's facts hold a command that builds and tags an image: other files' image
/// references resolve through it ([`Graph::image_dockerfiles`]).
pub(crate) fn tags_images(facts: &FileFacts) -> bool {
    let mut any = false;
    each_command(facts, &mut |c| {
        any |= c.shell && build_line(&c.text).is_some()
    });
    any
}

fn each_command(facts: &FileFacts, f: &mut dyn FnMut(&Command)) {
    match facts {
        FileFacts::Entry { jobs, .. } => jobs.iter().flat_map(|j| &j.commands).for_each(f),
        FileFacts::Targets { targets, .. } => targets.iter().flat_map(|t| &t.commands).for_each(f),
        FileFacts::Commands(cs) => cs.iter().for_each(f),
        FileFacts::Python { .. } => {}
    }
}

/// The first `docker build` / `podman build` / `docker buildx build` line of a command.
fn build_line(text: &str) -> Option<&str> {
    static BUILD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^.*\b(?:docker|podman)\s+(?:buildx\s+)?build\b.*$").expect("build")
    });
    BUILD.find(text).map(|m| m.as_str())
}

/// `${{ expr }}` and `${VAR}`-style pieces of a value removed, so that the image's own name
/// stands out (`${{ env.REGION }}-docker.pkg.dev/x/retrain-job:${{ github.sha }}`).
fn without_expressions(s: &str) -> String {
    static EXPR: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"\$\{\{[^}]*\}\}|\$\{[^}]*\}|\$\([^)]*\)").expect("expr"));
    EXPR.replace_all(s, "x").into_owned()
}

/// The (image name, Dockerfile path as written or context) pairs of one build command's text.
fn builds(text: &str) -> Vec<(String, String)> {
    static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^\s*(?:export\s+)?([A-Za-z_]\w*)=["']?(.+?)["']?\s*$"#).expect("assign")
    });
    let mut out = Vec::new();
    for line in text.lines().filter(|l| build_line(l).is_some()).take(20) {
        let words: Vec<String> = without_expressions(line)
            .split_whitespace()
            .map(|w| w.trim_matches(|c| c == '"' || c == '\'').to_string())
            .collect();
        let mut file = None;
        let mut tags = Vec::new();
        let mut context = None;
        let mut i = words
            .iter()
            .position(|w| w == "build")
            .map_or(words.len(), |p| p + 1);
        while i < words.len() {
            let w = &words[i];
            let value = words.get(i + 1).cloned();
            match w.as_str() {
                "-f" | "--file" => {
                    file = value;
                    i += 1;
                }
                "-t" | "--tag" => {
                    tags.extend(value);
                    i += 1;
                }
                _ if w.starts_with("--file=") => file = Some(w["--file=".len()..].to_string()),
                _ if w.starts_with("--tag=") => tags.push(w["--tag=".len()..].to_string()),
                _ if w.starts_with('-') => {}
                _ if w == "&&" || w == ";" || w == "|" => break,
                _ => context = Some(w.clone()),
            }
            i += 1;
        }
        let dockerfile = match (file, context) {
            (Some(f), _) => f,
            (None, Some(c)) => format!("{}/Dockerfile", c.trim_end_matches('/')),
            (None, None) => continue,
        };
        for tag in tags {
            // A variable set in the same script: its value.
            let var = tag.trim_start_matches('$').trim_matches(['{', '}']);
            let value = if tag.starts_with('$') || tag == "x" {
                ASSIGN
                    .captures_iter(text)
                    .find(|c| &c[1] == var)
                    .map(|c| without_expressions(&c[2]))
            } else {
                Some(tag.clone())
            };
            if let Some(name) = value.as_deref().and_then(image_name) {
                out.push((name, dockerfile.clone()));
            }
        }
    }
    out
}

impl Graph<'_> {
    /// The Dockerfiles that build the image named `name` (see the module's note).
    pub(crate) fn image_dockerfiles(&self, name: &str) -> Vec<String> {
        // What this reads depends on the whole file list.
        self.note_under("", false);
        let index = self.images.get_or_init(|| {
            let mut index = ImageIndex::new();
            let mut n = 0usize;
            let mut paths: Vec<&String> = self.facts.keys().collect();
            paths.sort();
            for p in paths {
                each_command(&self.facts[p], &mut |c| {
                    if !c.shell || n >= MAX_BUILDS || build_line(&c.text).is_none() {
                        return;
                    }
                    n += 1;
                    for (image, file) in builds(&c.text) {
                        let base = c.cwd.as_deref().unwrap_or("").trim_start_matches('/');
                        let f = file.trim_start_matches("./");
                        let cands = [
                            crate::paths::join(base, f),
                            crate::paths::join(parent(p), f),
                        ];
                        if let Some(hit) = cands
                            .into_iter()
                            .flatten()
                            .find(|c| self.file_set.contains(c.as_str()))
                        {
                            let v = index.entry(image).or_default();
                            if !v.contains(&hit) {
                                v.push(hit);
                            }
                        }
                    }
                });
            }
            index
        });
        if let Some(v) = index.get(name) {
            return v.clone();
        }
        let mut out: Vec<String> = self
            .files
            .iter()
            .filter(|f| {
                let n = file_name(f);
                is_dockerfile(n)
                    && (file_name(parent(f)) == name
                        || n == format!("Dockerfile.{name}")
                        || n == format!("{name}.Dockerfile")
                        || n == format!("{name}.dockerfile"))
            })
            .cloned()
            .collect();
        out.truncate(8);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_names_and_build_tags() {
        assert_eq!(
            image_name("europe-docker.pkg.dev/p/r/retrain-job:latest").as_deref(),
            Some("retrain-job")
        );
        assert_eq!(image_name("x/${var.name}:1"), None);
        let script = "IMG=${{ env.REGION }}-docker.pkg.dev/${{ vars.P }}/retrain-job:${{ github.sha }}\ndocker build -f jobs/Dockerfile -t $IMG .\ndocker push $IMG\n";
        assert_eq!(
            builds(script),
            vec![("retrain-job".to_string(), "jobs/Dockerfile".to_string())]
        );
        assert_eq!(
            builds("docker build --tag=acme/serve:1 serve/"),
            vec![("serve".to_string(), "serve/Dockerfile".to_string())]
        );
        assert!(builds("docker build .").is_empty());
    }
}
