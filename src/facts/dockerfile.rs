//! Dockerfiles: `RUN`, and `CMD`/`ENTRYPOINT` with image paths mapped back to the repository
//! through `COPY`/`ADD` and `WORKDIR` (the build context is taken to be the Dockerfile's
//! directory), and `COPY --from=stage` takes what that stage copied.

use crate::facts::yaml::shell_join;
use crate::model::{Command, FileFacts};
use crate::paths::file_name;
use crate::read::Document;
pub(crate) use crate::shell::{VARIABLE_IMAGE, image_key, image_name};

pub(crate) fn is_dockerfile(name: &str) -> bool {
    // Docker reads `dockerfile` as well as `Dockerfile`, and `-f` takes any name: the
    // lower-case spellings (`dockerfile.train`) are as common as the documented ones.
    // A source or text file named for Docker (`dockerfile.py`, `Dockerfile.md`) is not one.
    const NOT: &[&str] = &[
        "md", "txt", "rst", "py", "sh", "json", "yml", "yaml", "toml", "js", "ts", "go", "rs",
    ];
    let lower = name.to_ascii_lowercase();
    // `Dockerfile.gpu`, and as often `Dockerfile-gpu` or `Dockerfile_gpu`.
    let stem_ext = [
        "dockerfile.",
        "containerfile.",
        "dockerfile-",
        "dockerfile_",
        "containerfile-",
        "containerfile_",
    ]
    .iter()
    .find_map(|p| lower.strip_prefix(p));
    lower == "dockerfile"
        || lower == "containerfile"
        || stem_ext.is_some_and(|ext| !NOT.contains(&ext.rsplit('.').next().unwrap_or(ext)))
        || lower.ends_with(".dockerfile")
        || lower.ends_with(".containerfile")
}

/// What a reference to a container image by name starts with (`@image:retrain-job`): the
/// graph resolves it to the Dockerfile the repository builds that image with.
pub(crate) const IMAGE_REF: &str = "@image:";

/// What a reference to a Dockerfile built with the repository's root as its context starts
/// with (a Compose service's `build: {context: ., dockerfile: src/training/Dockerfile}`): the
/// graph reads its copies from the root ([`ROOT_CONTEXT`]).
pub(crate) const ROOT_BUILD_REF: &str = "@root-build:";

/// A reference, at `line`, to the image whose repository name is `name` ([`IMAGE_REF`]).
pub(crate) fn image_reference(line: u32, name: &str) -> Command {
    Command::reference(line, format!("{IMAGE_REF}{name}"))
}

/// Containers Python code runs by image name: a Kubeflow step (`dsl.ContainerOp(image=...)`,
/// `dsl.ContainerSpec(image=...)`), a Vertex custom job (`"image_uri": ...`,
/// `container_uri=...`), a SageMaker estimator or processor (`image_uri=...`). Each is a
/// reference to the image's repository name (`@image:NAME`), which the graph resolves to the
/// Dockerfile the repository builds it with; an f-string's fields before the name do not
/// matter (`f"{REGION}-docker.pkg.dev/{PROJECT}/repo/trainer"` is `trainer`).
pub(crate) fn python_image_refs(doc: &Document) -> Vec<Command> {
    static IMAGE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(?:\b(?:image|image_uri|container_uri|imageUri)\s*=|["'](?:image|image_uri|imageUri|container_uri)["']\s*:)\s*f?["']([^"'\n]{1,300})["']"#,
        )
        .expect("python image pattern")
    });
    IMAGE
        .captures_iter(&doc.text)
        .filter_map(|c| c.get(1))
        .filter(|m| !doc.is_comment_line(doc.line_index(m.start())) && names_an_image(m.as_str()))
        .filter_map(|m| {
            let name = image_name(m.as_str())?;
            let line = doc.file_line(doc.line_index(m.start()));
            Some(image_reference(line, &name))
        })
        .take(32)
        .collect()
}

/// Whether a value written for an `image` names a container image, not a file or a folder
/// (`image = "data/train_images"`, `image="cat.jpg"`): a registry host (with a dot, a port or
/// an f-string field: `gcr.io/p/trainer`, `{REGION}-docker.pkg.dev/...`) before its path, or a
/// tag (`acme/trainer:latest`).
fn names_an_image(v: &str) -> bool {
    if v.contains("://") || v.contains(char::is_whitespace) {
        return false;
    }
    let last = v.rsplit('/').next().unwrap_or(v);
    let tagged = last.contains(':') || last.contains('@');
    let hosted = v
        .split_once('/')
        .is_some_and(|(host, _)| host.contains(['.', ':', '{']));
    tagged || hosted
}

/// A Dockerfile: `RUN` commands, and `CMD` / `ENTRYPOINT` (exec or shell form), with image
/// paths mapped back to the repository through `COPY`/`ADD` and `WORKDIR` (the build context
/// is taken to be the Dockerfile's directory).
pub(crate) fn dockerfile(doc: &Document) -> FileFacts {
    let mut image = Image {
        here: crate::paths::parent(&doc.rel).to_string(),
        copies: Vec::new(),
        workdir: String::from("/"),
        commands: Vec::new(),
        entrypoint: None,
        cmd: None,
    };
    for (start, line) in instructions(&doc.text) {
        let (instr, rest) = line
            .trim()
            .split_once(char::is_whitespace)
            .unwrap_or((line.trim(), ""));
        match instr.to_ascii_uppercase().as_str() {
            // A new stage starts from a base image: its working directory is the root again
            // (what earlier stages copied stays known, for `COPY --from`).
            "FROM" => image.workdir = String::from("/"),
            "WORKDIR" => image.workdir(rest.trim()),
            "COPY" | "ADD" => image.copy(rest),
            "RUN" => image.run(start, rest),
            "CMD" => image.cmd = Some((start, image.map_argv(rest))),
            "ENTRYPOINT" => image.entrypoint = Some((start, image.map_argv(rest))),
            _ => {}
        }
    }
    image.finish()
}

/// The target of a Dockerfile's graph node when its image is only built (`docker build`, Docker's
/// build action): the build runs its `RUN` lines, not its `CMD` or `ENTRYPOINT`, which run
/// only where the image is run.
pub(crate) const BUILD_ONLY: &str = "@build";

/// The reference a Dockerfile's commands hold just before its `CMD`/`ENTRYPOINT` (the command
/// a container of the image starts): a build stops there. It names nothing.
pub(crate) const IMAGE_START: &str = "@start";

/// The build context a Dockerfile's image is run from when it was built with the repository's
/// root as context (`docker build -f jobs/Dockerfile .`): the target of its graph node.
pub(crate) const ROOT_CONTEXT: &str = ".";

/// A command of the Dockerfile at `rel`, its image paths mapped from the repository's root as
/// the build context instead of the Dockerfile's directory ([`dockerfile`] maps `COPY
/// jobs/run_job.py .` of `jobs/Dockerfile` to `/jobs/jobs/run_job.py`; from the root it is
/// `/jobs/run_job.py`).
pub(crate) fn at_root_context(rel: &str, text: &str) -> String {
    let here = crate::paths::parent(rel);
    if here.is_empty() {
        return text.to_string();
    }
    let prefix = format!("/{here}/");
    text.split(' ')
        .map(|w| match w.strip_prefix(&prefix) {
            Some(rest) => format!("/{rest}"),
            None => w.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Instructions with their first line: comments and blank lines left out, `\`-continued
/// lines joined.
fn instructions(text: &str) -> Vec<(u32, String)> {
    let mut out = Vec::new();
    let mut logical = String::new();
    let mut start = 0u32;
    for (i, raw) in text.lines().enumerate() {
        let n = i as u32 + 1;
        let t = raw.trim();
        if logical.is_empty() {
            if t.starts_with('#') || t.is_empty() {
                continue;
            }
            start = n;
        }
        logical.push_str(t.trim_end_matches('\\'));
        logical.push(' ');
        if t.ends_with('\\') {
            continue;
        }
        out.push((start, std::mem::take(&mut logical)));
    }
    out
}

/// An instruction's arguments: the exec form's JSON array, else its words.
fn argv(rest: &str) -> Vec<String> {
    let r = rest.trim();
    if r.starts_with('[')
        && let Ok(v) = serde_json::from_str::<Vec<String>>(r)
    {
        return v;
    }
    r.split_whitespace().map(str::to_string).collect()
}

fn path_like(t: &str) -> bool {
    t.contains('/') || t.ends_with(".py") || t.ends_with(".sh")
}

/// The image as the instructions build it, so far.
struct Image {
    /// The Dockerfile's directory: the build context.
    here: String,
    /// (image path, build-context path) of every `COPY`/`ADD`.
    copies: Vec<(String, String)>,
    workdir: String,
    commands: Vec<Command>,
    entrypoint: Option<(u32, Vec<String>)>,
    cmd: Option<(u32, Vec<String>)>,
}

impl Image {
    /// A path in the image as a path of the repository (`/`-rooted), through the copies.
    // Only the Dockerfile's directory is taken as the context: a root context (`docker build
    // -f jobs/Dockerfile .`) would make the CMD of images CI only builds (for tests) resolve,
    // and building an image is read as reaching its CMD (docs/levels.md).
    fn map_path(&self, tok: &str) -> Option<String> {
        if tok.starts_with('-') || tok.contains('$') || tok.contains("://") {
            return None;
        }
        let p = self.context_path(&self.absolute(tok))?;
        Some(format!("/{}", crate::paths::join(&self.here, &p)?))
    }

    /// An absolute image path as a build-context path, through the copies.
    fn context_path(&self, abs: &str) -> Option<String> {
        let (dest, src) = self
            .copies
            .iter()
            .filter(|(d, _)| {
                let d = d.trim_end_matches('/');
                abs == d || abs.starts_with(&format!("{d}/")) || d.is_empty()
            })
            .max_by_key(|(d, _)| d.len())?;
        let rest = abs[dest.trim_end_matches('/').len()..].trim_start_matches('/');
        let p = if rest.is_empty() {
            src.clone()
        } else {
            crate::paths::join(src, rest)?
        };
        (!p.is_empty()).then_some(p)
    }

    /// A path of the image, relative ones taken from the working directory.
    fn absolute(&self, p: &str) -> String {
        if p.starts_with('/') {
            p.to_string()
        } else {
            format!(
                "{}/{}",
                self.workdir.trim_end_matches('/'),
                p.trim_start_matches("./")
            )
        }
    }

    /// Words with their image paths mapped back to the repository where they can be.
    fn map_argv(&self, rest: &str) -> Vec<String> {
        argv(rest)
            .into_iter()
            .map(|t| {
                if path_like(&t) {
                    self.map_path(&t).unwrap_or(t)
                } else {
                    t
                }
            })
            .collect()
    }

    fn workdir(&mut self, w: &str) {
        self.workdir = if w.starts_with('/') {
            w.to_string()
        } else {
            format!("{}/{}", self.workdir.trim_end_matches('/'), w)
        };
    }

    fn copy(&mut self, rest: &str) {
        let all = argv(rest);
        // `COPY --from=builder /app/src /app/src`: another stage's (or image's) path, known
        // only through what that stage copied.
        let from_stage = all.iter().any(|t| t.starts_with("--from="));
        let toks: Vec<&String> = all.iter().filter(|t| !t.starts_with("--")).collect();
        if toks.len() < 2 {
            return;
        }
        let dest = toks[toks.len() - 1].as_str();
        // `.`, `./`, `dir/.`: the directory itself.
        let into_dir = dest.ends_with('/') || dest == "." || dest.ends_with("/.");
        let dest_abs = self.absolute(dest.trim_end_matches('.'));
        let srcs = &toks[..toks.len() - 1];
        for s in srcs {
            if s.contains("://") || s.contains('*') {
                continue;
            }
            let src = if from_stage {
                if !s.starts_with('/') {
                    continue;
                }
                self.context_path(s.trim_end_matches('/'))
            } else {
                // A build-context path (the context's root is `.`).
                let c = s.trim_start_matches("./").trim_end_matches('/');
                Some(if c == "." {
                    String::new()
                } else {
                    c.to_string()
                })
            };
            let Some(src) = src else {
                continue;
            };
            // `COPY serve.py /app/` puts the file inside the directory.
            let is_file = file_name(s).contains('.') && *s != "." && !s.ends_with('/');
            let d = if is_file && (into_dir || srcs.len() > 1) {
                format!("{}/{}", dest_abs.trim_end_matches('/'), file_name(s))
            } else {
                dest_abs.clone()
            };
            self.copies.push((d, src));
        }
    }

    fn run(&mut self, start: u32, rest: &str) {
        let text = if rest.trim().starts_with('[') {
            shell_join(self.map_argv(rest).iter().map(String::as_str))
        } else {
            // Shell form: rewrite path-like words only.
            rest.split_whitespace()
                .map(|w| {
                    if path_like(w) {
                        self.map_path(w).unwrap_or_else(|| w.to_string())
                    } else {
                        w.to_string()
                    }
                })
                .collect::<Vec<_>>()
                .join(" ")
        };
        self.commands.push(Command::run(start, text));
    }

    /// The commands, with ENTRYPOINT + CMD as one command (either alone runs as is).
    fn finish(mut self) -> FileFacts {
        let last = match (self.entrypoint, self.cmd) {
            (Some((l, mut e)), Some((_, c))) => {
                e.extend(c);
                Some((l, e))
            }
            (Some(x), None) | (None, Some(x)) => Some(x),
            (None, None) => None,
        };
        if let Some((line, v)) = last {
            self.commands.push(Command::reference(line, IMAGE_START));
            self.commands
                .push(Command::run(line, shell_join(v.iter().map(String::as_str))));
        }
        FileFacts::Commands(self.commands)
    }
}

#[cfg(test)]
mod tests {

    /// A Dockerfile named for its variant with a dash or an underscore is one.
    #[test]
    fn variant_dockerfiles_with_dashes() {
        for n in [
            "Dockerfile-cpu",
            "dockerfile_gpu",
            "Containerfile-jetson",
            "Dockerfile.train",
        ] {
            assert!(is_dockerfile(n), "{n}");
        }
        for n in ["Dockerfile-notes.md", "dockerfile_build.py", "Dockerfiles"] {
            assert!(!is_dockerfile(n), "{n}");
        }
    }
    use super::*;

    /// Python code runs an image by its name; a file or folder written for an `image` is none.
    #[test]
    fn images_python_runs_by_name() {
        let refs = |text: &str| {
            python_image_refs(&Document::new("pipeline.py", text.to_string()))
                .into_iter()
                .map(|c| c.text)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            refs(
                "op = dsl.ContainerSpec(\n    image=f'us-west1-docker.pkg.dev/{P}/repo/vertex_train:v1'\n)\n"
            ),
            vec!["@image:vertex_train"]
        );
        assert_eq!(
            refs("spec = {\"image_uri\": f\"{REGION}-docker.pkg.dev/{P}/repo/trainer\"}\n"),
            vec!["@image:trainer"]
        );
        assert_eq!(
            refs("est = Estimator(image_uri=\"acme/trainer:latest\")\n"),
            vec!["@image:trainer"]
        );
        assert!(
            refs("image = \"data/train_images\"\nimage=\"cat.jpg\"\n# image='gcr.io/p/x'\n")
                .is_empty()
        );
    }

    /// Docker's and Podman's names for the file, with a variant's suffix or prefix.
    #[test]
    fn dockerfile_names() {
        for n in [
            "Dockerfile",
            "Dockerfile.gpu",
            "train.Dockerfile",
            "Containerfile",
            "Containerfile.metaflow",
            "serve.containerfile",
            "dockerfile",
            "dockerfile.train",
        ] {
            assert!(is_dockerfile(n), "{n}");
        }
        for n in [
            "Dockerfile.md",
            "Containerfile.md",
            "dockerfile.py",
            "Dockerfile.txt",
            "docker-compose.yml",
        ] {
            assert!(!is_dockerfile(n), "{n}");
        }
    }

    fn commands(rel: &str, text: &str) -> Vec<String> {
        match dockerfile(&Document::new(rel, text.to_string())) {
            FileFacts::Commands(c) => c.into_iter().filter(|c| c.shell).map(|c| c.text).collect(),
            _ => Vec::new(),
        }
    }

    /// The command a container of the image starts comes last, after the mark a build stops at.
    #[test]
    fn the_image_start_is_marked() {
        let FileFacts::Commands(c) = dockerfile(&Document::new(
            "Dockerfile",
            "FROM python\nCOPY . .\nRUN pip install -r requirements.txt\nCMD python train.py\n"
                .to_string(),
        )) else {
            panic!("commands");
        };
        let texts: Vec<&str> = c.iter().map(|c| c.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "pip install -r requirements.txt",
                IMAGE_START,
                "python /train.py"
            ]
        );
        assert!(!c[1].shell);
    }

    /// `COPY x .` copies into the working directory; `COPY --from` takes what the other stage
    /// copied, and a new stage starts at `/`; paths are the repository's, from the Dockerfile's
    /// directory.
    #[test]
    fn copies_map_through_dot_and_stages() {
        let c = commands(
            "Dockerfile",
            "FROM python AS b\nWORKDIR /build\nCOPY src/ ./src/\nFROM python\nWORKDIR /app\nCOPY --from=b /build/src/ ./\nCOPY jobs/run_job.py .\nCMD [\"python\", \"run_job.py\"]\n",
        );
        assert_eq!(c, vec!["python /jobs/run_job.py".to_string()]);
        let c = commands(
            "svc/Dockerfile",
            "FROM python\nWORKDIR /app\nCOPY . .\nRUN python -m pip install -r requirements.txt\nCMD python /app/serve/app.py\n",
        );
        assert_eq!(c[1], "python /svc/serve/app.py");
        let c = commands(
            "Dockerfile",
            "FROM python AS b\nCOPY lib/ /opt/lib/\nFROM python\nWORKDIR /srv\nCOPY --from=b /opt/lib/train.py ./\nCMD python train.py\n",
        );
        assert_eq!(c[0], "python /lib/train.py");
        // A stage's working directory does not leak into the next one.
        let c = commands(
            "Dockerfile",
            "FROM python AS a\nWORKDIR /opt\nFROM python\nCOPY train.py /\nCMD python train.py\n",
        );
        assert_eq!(c[0], "python /train.py");
    }

    /// From the root as build context, the copies' sources are the repository's paths.
    #[test]
    fn root_context_maps_from_the_root() {
        let c = commands(
            "jobs/Dockerfile",
            "FROM python\nWORKDIR /app\nCOPY src/ ./\nCOPY jobs/run_job.py .\nCMD [\"python\", \"run_job.py\"]\n",
        );
        assert_eq!(c, vec!["python /jobs/jobs/run_job.py".to_string()]);
        assert_eq!(
            at_root_context("jobs/Dockerfile", &c[0]),
            "python /jobs/run_job.py"
        );
        assert_eq!(
            at_root_context("Dockerfile", "python /app/x.py"),
            "python /app/x.py"
        );
    }
}
