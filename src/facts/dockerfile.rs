//! Dockerfiles: `RUN`, and `CMD`/`ENTRYPOINT` with image paths mapped back to the repository
//! through `COPY`/`ADD` and `WORKDIR` (the build context is the Dockerfile's directory).

use crate::facts::yaml::shell_join;
use crate::model::{Command, FileFacts};
use crate::paths::file_name;
use crate::read::Document;

pub(crate) fn is_dockerfile(name: &str) -> bool {
    name == "Dockerfile"
        || name == "Containerfile"
        || (name.starts_with("Dockerfile.") && !name.ends_with(".md"))
        || name.ends_with(".Dockerfile")
        || name.ends_with(".dockerfile")
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
    /// (image path, repository path) of every `COPY`/`ADD`.
    copies: Vec<(String, String)>,
    workdir: String,
    commands: Vec<Command>,
    entrypoint: Option<(u32, Vec<String>)>,
    cmd: Option<(u32, Vec<String>)>,
}

impl Image {
    /// A path in the image as a path of the repository (`/`-rooted), through the copies.
    fn map_path(&self, tok: &str) -> Option<String> {
        if tok.starts_with('-') || tok.contains('$') || tok.contains("://") {
            return None;
        }
        let abs = self.absolute(tok);
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
        Some(format!("/{p}"))
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
        let toks: Vec<String> = argv(rest)
            .into_iter()
            .filter(|t| !t.starts_with("--"))
            .collect();
        if toks.len() < 2 {
            return;
        }
        let dest = &toks[toks.len() - 1];
        let dest_abs = self.absolute(dest);
        let srcs = &toks[..toks.len() - 1];
        for s in srcs {
            if s.contains("://") || s.contains('*') {
                continue;
            }
            let Some(src) = crate::paths::join(&self.here, s) else {
                continue;
            };
            // `COPY serve.py /app/` puts the file inside the directory.
            let is_file = file_name(s).contains('.') && s != "." && !s.ends_with('/');
            let d = if is_file && (dest.ends_with('/') || srcs.len() > 1) {
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
            self.commands
                .push(Command::run(line, shell_join(v.iter().map(String::as_str))));
        }
        FileFacts::Commands(self.commands)
    }
}
