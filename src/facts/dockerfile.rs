//! Dockerfiles: `RUN`, and `CMD`/`ENTRYPOINT` with image paths mapped back to the repository
//! through `COPY`/`ADD` and `WORKDIR` (the build context is the Dockerfile's directory).

use crate::facts::yaml::shell_join;
use crate::model::{Command, FileFacts};
use crate::paths::file_name;
use crate::read::Document;

pub fn is_dockerfile(name: &str) -> bool {
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
    let here = crate::paths::parent(&doc.rel).to_string();
    let mut copies: Vec<(String, String)> = Vec::new(); // (image path, repository path)
    let mut workdir = String::from("/");
    let mut commands = Vec::new();
    let mut entrypoint: Option<(u32, Vec<String>)> = None;
    let mut cmd: Option<(u32, Vec<String>)> = None;
    let mut logical = String::new();
    let mut start = 0u32;
    let map_path = |tok: &str, workdir: &str, copies: &[(String, String)]| -> Option<String> {
        if tok.starts_with('-') || tok.contains('$') || tok.contains("://") {
            return None;
        }
        let abs = if tok.starts_with('/') {
            tok.to_string()
        } else {
            format!(
                "{}/{}",
                workdir.trim_end_matches('/'),
                tok.trim_start_matches("./")
            )
        };
        let (dest, src) = copies
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
    };
    let rewrite = |toks: &[String], workdir: &str, copies: &[(String, String)]| -> String {
        let mapped: Vec<String> = toks
            .iter()
            .map(|t| {
                if t.contains('/') || t.ends_with(".py") || t.ends_with(".sh") {
                    map_path(t, workdir, copies).unwrap_or_else(|| t.clone())
                } else {
                    t.clone()
                }
            })
            .collect();
        shell_join(mapped.iter().map(String::as_str))
    };
    let argv = |rest: &str| -> Vec<String> {
        let r = rest.trim();
        if r.starts_with('[')
            && let Ok(v) = serde_json::from_str::<Vec<String>>(r)
        {
            return v;
        }
        r.split_whitespace().map(str::to_string).collect()
    };
    for (i, raw) in doc.text.lines().enumerate() {
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
        let line = std::mem::take(&mut logical);
        let (instr, rest) = line
            .trim()
            .split_once(char::is_whitespace)
            .unwrap_or((line.trim(), ""));
        match instr.to_ascii_uppercase().as_str() {
            "WORKDIR" => {
                let w = rest.trim();
                workdir = if w.starts_with('/') {
                    w.to_string()
                } else {
                    format!("{}/{}", workdir.trim_end_matches('/'), w)
                };
            }
            "COPY" | "ADD" => {
                let toks: Vec<String> = argv(rest)
                    .into_iter()
                    .filter(|t| !t.starts_with("--"))
                    .collect();
                if toks.len() >= 2 {
                    let dest = &toks[toks.len() - 1];
                    let dest_abs = if dest.starts_with('/') {
                        dest.clone()
                    } else {
                        format!(
                            "{}/{}",
                            workdir.trim_end_matches('/'),
                            dest.trim_start_matches("./")
                        )
                    };
                    let srcs = &toks[..toks.len() - 1];
                    for s in srcs {
                        if s.contains("://") || s.contains('*') {
                            continue;
                        }
                        let Some(src) = crate::paths::join(&here, s) else {
                            continue;
                        };
                        // `COPY serve.py /app/` puts the file inside the directory.
                        let is_file = file_name(s).contains('.') && s != "." && !s.ends_with('/');
                        let d = if is_file && (dest.ends_with('/') || srcs.len() > 1) {
                            format!("{}/{}", dest_abs.trim_end_matches('/'), file_name(s))
                        } else {
                            dest_abs.clone()
                        };
                        copies.push((d, src));
                    }
                }
            }
            "RUN" => {
                let toks = argv(rest);
                commands.push(Command {
                    line: start,
                    text: if rest.trim().starts_with('[') {
                        rewrite(&toks, &workdir, &copies)
                    } else {
                        // Shell form: rewrite path-like words only.
                        rest.split_whitespace()
                            .map(|w| {
                                if w.contains('/') || w.ends_with(".py") || w.ends_with(".sh") {
                                    map_path(w, &workdir, &copies).unwrap_or_else(|| w.to_string())
                                } else {
                                    w.to_string()
                                }
                            })
                            .collect::<Vec<_>>()
                            .join(" ")
                    },
                    shell: true,
                    cwd: None,
                });
            }
            "CMD" | "ENTRYPOINT" => {
                // Image paths in the argv mapped back to repository paths through COPY/WORKDIR.
                let mapped: Vec<String> = argv(rest)
                    .into_iter()
                    .map(|t| {
                        if t.contains('/') || t.ends_with(".py") || t.ends_with(".sh") {
                            map_path(&t, &workdir, &copies).unwrap_or(t)
                        } else {
                            t
                        }
                    })
                    .collect();
                if instr.eq_ignore_ascii_case("CMD") {
                    cmd = Some((start, mapped));
                } else {
                    entrypoint = Some((start, mapped));
                }
            }
            _ => {}
        }
    }
    // ENTRYPOINT + CMD form one command; either alone runs as is.
    match (entrypoint, cmd) {
        (Some((l, mut e)), Some((_, c))) => {
            e.extend(c);
            commands.push(Command {
                line: l,
                text: shell_join(e.iter().map(String::as_str)),
                shell: true,
                cwd: None,
            });
        }
        (Some((l, v)), None) | (None, Some((l, v))) => {
            commands.push(Command {
                line: l,
                text: shell_join(v.iter().map(String::as_str)),
                shell: true,
                cwd: None,
            });
        }
        (None, None) => {}
    }
    FileFacts::Commands(commands)
}
