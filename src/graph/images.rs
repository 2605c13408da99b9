//! Container images named in infrastructure code (`image = ".../retrain-job:latest"` of a
//! scheduled Cloud Run job, ECS task or Kubernetes CronJob) back to the Dockerfile of the
//! repository that builds them: the one a build command of the repository tags with that
//! name (`docker build -f jobs/Dockerfile -t $IMG`, with `IMG=.../retrain-job:$SHA` in the same
//! script), else a Dockerfile in a folder of that name (`retrain-job/Dockerfile`) or named for
//! it (`Dockerfile.retrain-job`, `retrain-job.Dockerfile`).

use crate::facts::dockerfile::{VARIABLE_IMAGE, image_key, image_name, is_dockerfile};
use crate::graph::Graph;
use crate::model::FileFacts;
use crate::paths::{file_name, parent};
use regex::Regex;
use std::collections::HashMap;
use std::sync::LazyLock;

/// The image names the repository's build commands tag, each with the Dockerfiles built so and
/// whether the build's context was the repository's root while the Dockerfile lies deeper
/// (`docker build -f jobs/Dockerfile .`: its `COPY` sources are then paths from the root).
pub(crate) type ImageIndex = HashMap<String, Vec<(String, bool)>>;

/// The most build commands read for the index (a generated monorepo has no more).
const MAX_BUILDS: usize = 5_000;

/// Whether a file's facts hold a command that builds and tags an image: other files' image
/// references resolve through it ([`Graph::image_dockerfiles`]).
pub(crate) fn tags_images(facts: &FileFacts) -> bool {
    let mut any = false;
    facts.each_command(&mut |_, c| any |= c.shell && build_line(&c.text).is_some());
    any
}

/// The first `docker build` / `podman build` / `docker buildx build` line of a command.
fn build_line(text: &str) -> Option<&str> {
    static BUILD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r"(?m)^.*(?:\b(?:docker|podman|nerdctl)\s+(?:buildx\s+)?build\b|\bbuildah\s+(?:bud|build)\b|/kaniko/executor\b|\baz\s+acr\s+build\b|\bgcloud\s+builds\s+submit\b).*$",
        )
        .expect("build")
    });
    BUILD.find(text).map(|m| m.as_str())
}

static EXPR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$\{\{[^}]*\}\}|\$\{[^}]*\}|\$\([^)]*\)").expect("expr"));

/// `${{ expr }}` and `${VAR}`-style pieces of a value removed, so that the image's own name
/// stands out (`${{ env.REGION }}-docker.pkg.dev/x/retrain-job:${{ github.sha }}`).
fn without_expressions(s: &str) -> String {
    EXPR.replace_all(s, "x").into_owned()
}

/// The same pieces kept, without their spaces: one word each, as [`without_expressions`]'s.
fn compact_expressions(s: &str) -> String {
    EXPR.replace_all(s, |c: &regex::Captures| {
        c[0].split_whitespace().collect::<String>()
    })
    .into_owned()
}

/// One image a build command tags: its name, the Dockerfile as written (or the context's), and
/// the build context as written.
#[derive(Debug, PartialEq)]
struct Build {
    name: String,
    dockerfile: String,
    context: Option<String>,
}

/// `NAME=value` (or `export NAME=value`) lines of a script.
static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^\s*(?:export\s+)?([A-Za-z_]\w*)=["']?(.+?)["']?\s*$"#).expect("assign")
});

/// The variables a command assigns, added to `vars` (a later assignment wins).
fn assignments(text: &str, vars: &mut HashMap<String, String>) {
    for c in ASSIGN.captures_iter(text).take(200) {
        vars.insert(c[1].to_string(), c[2].to_string());
    }
}

/// The images one build command's text tags; a tag held in a variable is looked up in the
/// command's own assignments, then in `earlier` (those of the commands before it in the same
/// script or job: a CI `run:` block is read line by line).
fn builds(text: &str, earlier: &HashMap<String, String>) -> Vec<Build> {
    let mut out = Vec::new();
    for line in text.lines().filter(|l| build_line(l).is_some()).take(20) {
        let line = &*crate::shell::this_repository(line);
        let words: Vec<String> = without_expressions(line)
            .split_whitespace()
            .map(|w| w.trim_matches(|c| c == '"' || c == '\'').to_string())
            .collect();
        // The words as written, for a tag that is a variable and nothing else (`$IMAGE_URI`).
        let raw: Vec<String> = compact_expressions(line)
            .split_whitespace()
            .map(|w| w.trim_matches(|c| c == '"' || c == '\'').to_string())
            .collect();
        let mut file = None;
        let mut tags = Vec::new();
        let mut context = None;
        // After the builder's verb (`build`, `bud`, `submit`), or the Kaniko executor's path.
        let mut i = words
            .iter()
            .position(|w| {
                matches!(w.as_str(), "build" | "bud" | "submit") || w.ends_with("/kaniko/executor")
            })
            .map_or(words.len(), |p| p + 1);
        while i < words.len() {
            let w = &words[i];
            let value = words.get(i + 1).cloned();
            // `--dockerfile`/`--destination`/`--context`: Kaniko's; `--image`: `az acr build`'s.
            let flag = |names: &[&str]| {
                names.iter().find_map(|n| {
                    w.strip_prefix(n)
                        .and_then(|r| r.strip_prefix('='))
                        .map(str::to_string)
                })
            };
            match w.as_str() {
                "-f" | "--file" | "--dockerfile" => {
                    file = value;
                    i += 1;
                }
                "-t" | "--tag" | "--destination" | "--image" => {
                    tags.extend(value.map(|v| (v, raw.get(i + 1).cloned())));
                    i += 1;
                }
                "--context" => {
                    context = value;
                    i += 1;
                }
                // Flags of the builders that take a value (not a context).
                "-r" | "--registry" | "--config" | "--project" | "--region" | "--build-arg"
                | "--platform" | "--target" => i += 1,
                _ if flag(&["--file", "--dockerfile"]).is_some() => {
                    file = flag(&["--file", "--dockerfile"]);
                }
                _ if flag(&["--tag", "--destination", "--image"]).is_some() => {
                    let raw_value = raw
                        .get(i)
                        .and_then(|r| r.split_once('='))
                        .map(|(_, v)| v.to_string());
                    tags.extend(
                        flag(&["--tag", "--destination", "--image"]).map(|v| (v, raw_value)),
                    );
                }
                _ if flag(&["--context"]).is_some() => context = flag(&["--context"]),
                _ if w.starts_with('-') => {}
                _ if w == "&&" || w == ";" || w == "|" => break,
                _ => context = Some(w.clone()),
            }
            i += 1;
        }
        let dockerfile = match (file, &context) {
            (Some(f), _) => f,
            (None, Some(c)) => format!("{}/Dockerfile", c.trim_end_matches('/')),
            (None, None) => continue,
        };
        for (tag, raw_tag) in tags {
            // A variable set in the same script: its value.
            let var = tag.trim_start_matches('$').trim_matches(['{', '}']);
            let value = if tag.starts_with('$') || tag == "x" {
                ASSIGN
                    .captures_iter(text)
                    .find(|c| &c[1] == var)
                    .map(|c| c[2].to_string())
                    .or_else(|| earlier.get(var).cloned())
                    .map(|v| without_expressions(&v))
            } else {
                Some(tag.clone())
            };
            // Else the variable that holds the whole name (`-t "${{ env.IMAGE_URI }}"`).
            let name = value.as_deref().and_then(image_name).or_else(|| {
                raw_tag
                    .as_deref()
                    .and_then(image_key)
                    .filter(|k| k.starts_with(VARIABLE_IMAGE))
            });
            if let Some(name) = name {
                out.push(Build {
                    name,
                    dockerfile: dockerfile.clone(),
                    context: context.clone(),
                });
            }
        }
    }
    out
}

impl Graph<'_> {
    /// The Dockerfiles that build the image named `name` (see the module's note), each with
    /// whether it was built from the repository's root as context ([`ImageIndex`]).
    pub(crate) fn image_dockerfiles(&self, name: &str) -> Vec<(String, bool)> {
        // What this reads depends on the whole file list.
        self.note_under("", false);
        let index = self.images.get_or_init(|| {
            let mut index = ImageIndex::new();
            let mut n = 0usize;
            let mut paths: Vec<&String> = self.facts.keys().collect();
            paths.sort();
            for p in paths {
                let mut vars: HashMap<String, String> = HashMap::new();
                let mut group = usize::MAX;
                self.facts[p].each_command(&mut |g, c| {
                    if g != group {
                        group = g;
                        vars.clear();
                    }
                    if !c.shell || n >= MAX_BUILDS {
                        return;
                    }
                    if build_line(&c.text).is_none() {
                        if vars.len() < 1_000 {
                            assignments(&c.text, &mut vars);
                        }
                        return;
                    }
                    n += 1;
                    for b in builds(&c.text, &vars) {
                        let base = c.cwd.as_deref().unwrap_or("").trim_start_matches('/');
                        let f = b.dockerfile.trim_start_matches("./");
                        let cands = [
                            crate::paths::join(base, f),
                            crate::paths::join(parent(p), f),
                        ];
                        // Found beside the file and not from where the build runs: the file
                        // is submitted from its own folder (a sub-folder's Cloud Build config),
                        // so its context is that folder, not the root.
                        let from_base = cands[0]
                            .as_deref()
                            .is_some_and(|c| self.file_set.contains(c));
                        if let Some(hit) = cands
                            .into_iter()
                            .flatten()
                            .find(|c| self.file_set.contains(c.as_str()))
                        {
                            let root = from_base
                                && !parent(&hit).is_empty()
                                && b.context.as_deref().is_some_and(|ctx| {
                                    crate::paths::join(base, ctx.trim_start_matches("./"))
                                        .is_some_and(|c| c.is_empty() || c == ".")
                                });
                            let v = index.entry(b.name).or_default();
                            if !v.iter().any(|(d, _)| *d == hit) {
                                v.push((hit, root));
                            }
                        }
                    }
                });
            }
            index
        });
        if let Some(v) = index.get(name) {
            // A variable names one image only where one Dockerfile is built under it.
            if name.starts_with(VARIABLE_IMAGE) && v.len() > 1 {
                return Vec::new();
            }
            return v.clone();
        }
        if name.starts_with(VARIABLE_IMAGE) {
            return Vec::new();
        }
        let mut out: Vec<(String, bool)> = self
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
            .map(|f| (f.clone(), false))
            .collect();
        if out.is_empty() {
            out = self.suffix_dockerfile(name).into_iter().collect();
        }
        out.truncate(8);
        out
    }

    /// The Dockerfile of an image no build command of the repository tags and no Dockerfile
    /// is named for: the `Dockerfile` in a folder where the reference is looked up (the
    /// specification's own), when that folder is named for the image (`mnist:artifact` run
    /// from `MNIST-artifact/pipeline.py`, beside `MNIST-artifact/Dockerfile`): an exercise
    /// kept with its image.
    pub(crate) fn dockerfile_beside(&self, name: &str, bases: &[String]) -> Option<String> {
        let name = name.to_ascii_lowercase();
        if name.len() < 3 {
            return None;
        }
        bases.iter().filter(|b| !b.is_empty()).find_map(|b| {
            let folder = crate::paths::file_name(b).to_ascii_lowercase();
            let named = folder
                .split(|c: char| !c.is_ascii_alphanumeric())
                .any(|w| w == name)
                || folder == name;
            let df = format!("{b}/Dockerfile");
            (named && self.is_file(&df)).then_some(df)
        })
    }

    /// The one Dockerfile named for the last words of an image's name (`csr-training` →
    /// `training.dockerfile`, `Dockerfile.training`, `training/Dockerfile`), else for its first
    /// words (`training-cpu` → `training/Dockerfile`): a project prefix or a variant suffix on
    /// its images is common, on its Dockerfiles not. Only a single candidate counts.
    fn suffix_dockerfile(&self, name: &str) -> Option<(String, bool)> {
        let cuts: Vec<usize> = name
            .char_indices()
            .filter(|(_, c)| *c == '-' || *c == '_')
            .map(|(i, _)| i)
            .collect();
        let suffixes: Vec<&str> = cuts.iter().map(|&i| &name[i + 1..]).collect();
        let prefixes: Vec<&str> = cuts.iter().map(|&i| &name[..i]).collect();
        self.stem_dockerfile(&suffixes)
            .or_else(|| self.stem_dockerfile(&prefixes))
    }

    /// The one Dockerfile named for one of `stems` (of at least three characters).
    fn stem_dockerfile(&self, stems: &[&str]) -> Option<(String, bool)> {
        let stems: Vec<&str> = stems.iter().copied().filter(|s| s.len() >= 3).collect();
        let mut hits = self.files.iter().filter(|f| {
            let n = file_name(f);
            is_dockerfile(n)
                && stems.iter().any(|stem| {
                    n == format!("Dockerfile.{stem}")
                        || n == format!("{stem}.Dockerfile")
                        || n == format!("{stem}.dockerfile")
                        || (n == "Dockerfile" && file_name(parent(f)) == *stem)
                })
        });
        match (hits.next(), hits.next()) {
            (Some(one), None) => Some((one.clone(), false)),
            _ => None,
        }
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
        let build = |name: &str, dockerfile: &str, context: &str| Build {
            name: name.to_string(),
            dockerfile: dockerfile.to_string(),
            context: Some(context.to_string()),
        };
        assert_eq!(
            builds(script, &HashMap::new()),
            vec![build("retrain-job", "jobs/Dockerfile", ".")]
        );
        assert_eq!(
            builds("docker build --tag=acme/serve:1 serve/", &HashMap::new()),
            vec![build("serve", "serve/Dockerfile", "serve/")]
        );
        assert!(builds("docker build .", &HashMap::new()).is_empty());
        // Kaniko, `az acr build`, `gcloud builds submit`, Buildah.
        assert_eq!(
            builds(
                "/kaniko/executor --context \"api/\" --dockerfile \"api/dockerfiles/train.dockerfile\" --destination \"reg.io/g/csr-train:latest\"",
                &HashMap::new()
            ),
            vec![build(
                "csr-train",
                "api/dockerfiles/train.dockerfile",
                "api/"
            )]
        );
        assert_eq!(
            builds(
                "az acr build -r myreg -t churn-api:v1 -f serve/Dockerfile serve",
                &HashMap::new()
            ),
            vec![build("churn-api", "serve/Dockerfile", "serve")]
        );
        assert_eq!(
            builds(
                "gcloud builds submit --tag gcr.io/p/scorer:1 scorer/",
                &HashMap::new()
            ),
            vec![build("scorer", "scorer/Dockerfile", "scorer/")]
        );
        assert_eq!(
            builds(
                "buildah bud --file=Containerfile -t quay.io/a/trainer .",
                &HashMap::new()
            ),
            vec![build("trainer", "Containerfile", ".")]
        );
        // A tag that is a variable and nothing else is known by the variable's name.
        assert_eq!(
            builds(
                "docker build --build-arg SHA=\"${{ env.SHA }}\" -t \"${{ env.IMAGE_URI }}\" .",
                &HashMap::new()
            ),
            vec![build("$var:IMAGE_URI", "./Dockerfile", ".")]
        );
        // A `run:` block read line by line: the tag's variable was set by an earlier line.
        let mut earlier = HashMap::new();
        assignments(
            "IMG=europe-docker.pkg.dev/p/r/retrain-job:${{ github.sha }}",
            &mut earlier,
        );
        assert_eq!(
            builds("docker build -f jobs/Dockerfile -t $IMG .", &earlier),
            vec![build("retrain-job", "jobs/Dockerfile", ".")]
        );
    }
}
