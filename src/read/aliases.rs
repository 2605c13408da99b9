//! Python names bound by imports, written out in full: the text rules see a second time.
//!
//! `import mlflow as mf` then `mf.log_metric(...)`, `from google.cloud import aiplatform as
//! vertex_ai` then `vertex_ai.log_metrics(...)`, `from mlflow import log_metric` then
//! `log_metric(...)`: the call is the library's whatever the module calls it. Rather than every
//! rule spelling every alias, a Python file whose imports bind such names gets a second text in
//! which each use of a bound name (followed by `.` or `(`, or after `@`) is replaced by the
//! module path it stands for. Only names change, never lines, so a match in the resolved text
//! is on the same line of the file; a regex condition that fails on the file is tried on it.

use std::collections::HashMap;

/// The alias-resolved text of a Python file and its line starts.
pub(crate) struct Resolved {
    pub(crate) text: String,
    starts: Vec<usize>,
}

impl Resolved {
    /// 0-based line holding byte `offset` of the resolved text.
    pub(crate) fn line_index(&self, offset: usize) -> usize {
        match self.starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }
}

/// Names bound by the imports of `text` that stand for a longer dotted path.
pub(crate) fn bindings(text: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut lines = text.lines();
    while let Some(line) = lines.next() {
        let t = line.trim_start();
        if let Some(rest) = t.strip_prefix("import ") {
            for item in rest.split('#').next().unwrap_or("").split(',') {
                let mut w = item.split_whitespace();
                if let (Some(module), Some("as"), Some(name)) = (w.next(), w.next(), w.next()) {
                    bind(&mut out, name, module.to_string());
                }
            }
        } else if let Some(rest) = t.strip_prefix("from ") {
            let Some((module, names)) = rest.split_once(" import ") else {
                continue;
            };
            let module = module.trim();
            // Relative imports name the project's own modules: nothing for rules to see.
            if module.starts_with('.') || !is_dotted(module) {
                continue;
            }
            let mut names = names.split('#').next().unwrap_or("").trim().to_string();
            if let Some(open) = names.strip_prefix('(') {
                names = open.to_string();
                // A parenthesised list may run over several lines (bounded: untrusted input).
                let mut more = 0;
                while !names.contains(')') && more < 200 {
                    match lines.next() {
                        Some(l) => {
                            names.push(',');
                            names.push_str(l.split('#').next().unwrap_or(""));
                        }
                        None => break,
                    }
                    more += 1;
                }
                names = names.split(')').next().unwrap_or("").to_string();
            }
            for item in names.trim_end_matches('\\').split(',') {
                let mut w = item.split_whitespace();
                let Some(name) = w.next() else { continue };
                if name == "*" || !is_ident(name) {
                    continue;
                }
                let bound = match (w.next(), w.next()) {
                    (Some("as"), Some(alias)) => alias,
                    _ => name,
                };
                bind(&mut out, bound, format!("{module}.{name}"));
            }
        }
    }
    out
}

fn bind(out: &mut HashMap<String, String>, name: &str, path: String) {
    if is_ident(name) && is_dotted(&path) && name != path {
        out.insert(name.to_string(), path);
    }
}

fn is_ident(s: &str) -> bool {
    let mut c = s.chars();
    c.next()
        .is_some_and(|f| f.is_ascii_alphabetic() || f == '_')
        && c.all(|x| x.is_ascii_alphanumeric() || x == '_')
}

fn is_dotted(s: &str) -> bool {
    !s.is_empty() && s.split('.').all(is_ident)
}

/// The text with every use of a bound name whose path `keep` accepts written as that path and
/// every subprocess argument list also written as the command line it runs ([`argv_lines`]),
/// or `None` when neither changes anything. Lines that neither changed are left empty
/// ([`changed_lines_only`]).
pub(crate) fn resolve(text: &str, keep: &dyn Fn(&str) -> bool) -> Option<Resolved> {
    let aliased = aliases(text, keep);
    let argv = argv_lines(aliased.as_deref().unwrap_or(text));
    let out = argv.or(aliased)?;
    let out = changed_lines_only(text, &out);
    let starts = std::iter::once(0)
        .chain(out.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    Some(Resolved { text: out, starts })
}

/// The mark [`argv_lines`] writes before the command line of an argument list.
pub(crate) const ARGV_MARK: &str = "__argv__";

/// Argument lists (`["gcloud", "run", "deploy", name, ...]`, over one or several lines) with
/// the command line their leading string literals spell written right after the `[`, on the
/// list's first line, after [`ARGV_MARK`]: `[__argv__ gcloud run deploy __ "gcloud", ...`. Rules
/// that read commands run from Python (`subprocess.run([...])`) match it there; lines stay.
fn argv_lines(text: &str) -> Option<String> {
    let b = text.as_bytes();
    let programs = cli_constants(text);
    let mut inserts: Vec<(usize, String)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'[' {
            let (words, end) = string_items(b, i + 1, &programs);
            let program = words.first().is_some_and(|w| CLIS.contains(&w.as_str()));
            if words.len() >= 2 && program {
                inserts.push((i + 1, format!("{ARGV_MARK} {} __ ", words.join(" "))));
                i = end;
                continue;
            }
        }
        i += 1;
    }
    if inserts.is_empty() {
        return None;
    }
    let mut out = String::with_capacity(text.len() + inserts.len() * 40);
    let mut last = 0;
    for (at, s) in inserts {
        out.push_str(&text[last..at]);
        out.push_str(&s);
        last = at;
    }
    out.push_str(&text[last..]);
    Some(out)
}

/// Command-line tools whose argument lists [`argv_lines`] writes out: those rules read
/// commands of (deployment, pipelines, containers, data versioning). Lists of other words
/// (column names, labels) are left alone.
const CLIS: &[&str] = &[
    "gcloud",
    "kubectl",
    "helm",
    "az",
    "aws",
    "flyctl",
    "fly",
    "heroku",
    "bentoml",
    "modal",
    "serverless",
    "sam",
    "cdk",
    "databricks",
    "mlflow",
    "docker",
    "podman",
    "dvc",
    "zenml",
    "prefect",
    "kfp",
    "huggingface-cli",
    "hf",
    "oc",
    "terraform",
    "pulumi",
    "ssh",
    "scp",
    "rsync",
    "systemctl",
    "kustomize",
    "seldon",
    "railway",
    "render",
    "vercel",
    "dagster-cloud",
];

/// A Python module's top-level assignments of one plain name (`NAME = value`, not `a.b = x`,
/// `x == y` or an indented line), as (name, the text after `=`).
pub(crate) fn top_level_assignments(text: &str) -> impl Iterator<Item = (&str, &str)> {
    text.lines()
        .filter(|l| !l.starts_with([' ', '\t', '#']))
        .filter_map(|l| l.split_once('='))
        .map(|(name, value)| (name.trim(), value))
        .filter(|(name, value)| {
            !name.is_empty()
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                && !value.starts_with('=')
        })
}

/// Module-level names bound to one of [`CLIS`] (`KUBECTL = "kubectl"`, or a conditional
/// `KUBECTL = "kubectl.exe" if sys.platform == "win32" else "kubectl"`): a list that starts with
/// the name runs that program. At most 32 names, from top-level assignments only.
fn cli_constants(text: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (name, value) in top_level_assignments(text) {
        let program = value
            .split(['"', '\''])
            .skip(1)
            .step_by(2)
            .map(|w| w.trim_end_matches(".exe"))
            .find(|w| CLIS.contains(w));
        if let Some(p) = program {
            out.push((name.to_string(), p.to_string()));
            if out.len() >= 32 {
                break;
            }
        }
    }
    out
}

/// The string literals that open a list from byte `i` (up to the first other item), and where
/// they end; a first item that is a name of `programs` counts as the program it is bound to.
/// Bounded: untrusted input.
fn string_items(b: &[u8], mut i: usize, programs: &[(String, String)]) -> (Vec<String>, usize) {
    let mut words = Vec::new();
    let ws = |i: &mut usize| {
        while *i < b.len() && b[*i].is_ascii_whitespace() {
            *i += 1;
        }
    };
    ws(&mut i);
    if let Some((name, program)) = programs.iter().find(|(n, _)| {
        b[i.min(b.len())..].starts_with(n.as_bytes())
            && b.get(i + n.len())
                .is_some_and(|c| !c.is_ascii_alphanumeric() && *c != b'_')
    }) {
        words.push(program.clone());
        i += name.len();
        ws(&mut i);
        if b.get(i) != Some(&b',') {
            return (words, i);
        }
        i += 1;
    }
    while words.len() < 32 {
        ws(&mut i);
        if i < b.len() && b[i] == b'f' {
            i += 1;
        }
        let Some(&q) = b.get(i).filter(|&&q| q == b'"' || q == b'\'') else {
            break;
        };
        let start = i + 1;
        let mut j = start;
        while j < b.len() && b[j] != q && b[j] != b'\n' && b[j] != b'\\' && j - start < 200 {
            j += 1;
        }
        if b.get(j) != Some(&q) {
            break;
        }
        let w = String::from_utf8_lossy(&b[start..j]).into_owned();
        if w.is_empty() || w.contains(char::is_whitespace) {
            break;
        }
        words.push(w);
        i = j + 1;
        ws(&mut i);
        if b.get(i) != Some(&b',') {
            break;
        }
        i += 1;
    }
    (words, i)
}

/// `resolved` with every line that resolution left as it was emptied (its newline kept, so line
/// numbers stay those of the file). Rules see the file's own text first; what the second pass
/// can add is only on the lines that changed, and a large module often has few.
fn changed_lines_only(original: &str, resolved: &str) -> String {
    let mut out = String::with_capacity(resolved.len() / 4);
    for (i, (o, r)) in original.split('\n').zip(resolved.split('\n')).enumerate() {
        if i > 0 {
            out.push('\n');
        }
        if o != r {
            out.push_str(r);
        }
    }
    out
}

/// The text with every use of a bound name whose path `keep` accepts written as that path, or
/// `None` when the imports bind no such name (or none is used).
fn aliases(text: &str, keep: &dyn Fn(&str) -> bool) -> Option<String> {
    let mut names = bindings(text);
    names.retain(|_, path| keep(path));
    if names.is_empty() {
        return None;
    }
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    let mut last = 0;
    let mut i = 0;
    let mut changed = false;
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_alphabetic() || c == b'_' {
            let start = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            let before = start.checked_sub(1).map(|p| b[p]);
            let after = b.get(i).copied();
            let used = match before {
                Some(b'.') => false,
                Some(p) if p.is_ascii_alphanumeric() || p == b'_' || p >= 0x80 => false,
                Some(b'@') => true,
                _ => matches!(after, Some(b'.') | Some(b'(')),
            };
            if used && let Some(path) = names.get(&text[start..i]) {
                out.push_str(&text[last..start]);
                out.push_str(path);
                last = i;
                changed = true;
            }
        } else if c >= 0x80 {
            // Skip the rest of a multi-byte character: identifiers here are ASCII.
            i += 1;
            while i < b.len() && (b[i] & 0xC0) == 0x80 {
                i += 1;
            }
        } else {
            i += 1;
        }
    }
    if !changed {
        return None;
    }
    out.push_str(&text[last..]);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(s: &str) -> String {
        resolve(s, &|_| true).map(|r| r.text).unwrap_or_default()
    }

    #[test]
    fn aliases_become_module_paths() {
        let t = r("import mlflow as mf\nwith mf.start_run():\n    mf.log_metric('auc', 1)\n");
        assert!(t.contains("with mlflow.start_run():"));
        assert!(t.contains("    mlflow.log_metric('auc', 1)"));
        assert_eq!(t.lines().count(), 3);
        // Lines that no name changed are left empty: the file's own text already covers them.
        assert_eq!(t.lines().next(), Some(""));
        let t = r("from google.cloud import aiplatform as vertex_ai\nvertex_ai.log_metrics({})\n");
        assert!(t.contains("google.cloud.aiplatform.log_metrics({})"));
        let t = r(
            "from mlflow import (\n    log_metric,\n    start_run as sr,\n)\nsr()\nlog_metric('a', 1)\n",
        );
        assert!(t.contains("mlflow.start_run()"));
        assert!(t.contains("mlflow.log_metric('a', 1)"));
        let t = r("from zenml import step\n@step\ndef train(): ...\n");
        assert!(t.contains("@zenml.step\n"));
    }

    #[test]
    fn argument_lists_are_written_as_command_lines() {
        let t = r(
            "import subprocess\ncommand = [\n    \"gcloud\",\n    \"run\",\n    \"deploy\",\n    name,\n]\nsubprocess.run(command)\n",
        );
        assert!(
            t.contains("command = [__argv__ gcloud run deploy __ "),
            "{t}"
        );
        assert_eq!(t.lines().count(), 8);
        let t = r("subprocess.check_call(['kubectl', 'apply', '-f', 'k8s/'])\n");
        assert!(t.contains("__argv__ kubectl apply -f k8s/ __"), "{t}");
        // Lists of values, a single string, or a first item that is no program stay as they are.
        assert!(
            resolve(
                "x = [1, 2]\ny = ['kubectl']\nz = ['age', 'income']\n",
                &|_| true
            )
            .is_none()
        );
        assert!(resolve("x = ['\\n', 'a'\n", &|_| true).is_none());
        // A program named by a module constant (also a platform conditional) is that program.
        let t = r(
            "import subprocess, sys\nKUBECTL = \"kubectl.exe\" if sys.platform == \"win32\" else \"kubectl\"\n\ndef apply(p):\n    subprocess.run([KUBECTL, \"apply\", \"-n\", ns, \"-f\", p])\n",
        );
        assert!(t.contains("__argv__ kubectl apply -n __"), "{t}");
        // A name bound to anything else, or a constant not at the list's head, changes nothing.
        assert!(resolve("NAME = 'churn'\nx = [NAME, 'apply']\n", &|_| true).is_none());
        assert!(resolve("K = 'kubectl'\nx = ['echo', K]\n", &|_| true).is_none());
    }

    #[test]
    fn only_uses_of_bound_names_change() {
        // Attribute names, other identifiers, relative imports and plain imports stay.
        assert!(resolve("import mlflow\nmlflow.log_metric('a', 1)\n", &|_| true).is_none());
        assert!(resolve("from .tracking import log\nlog(1)\n", &|_| true).is_none());
        let t = r("import numpy as np\nx.np.y = np.zeros(3)\nnpx(1)\n");
        assert!(t.contains("x.np.y = numpy.zeros(3)"));
        // `npx(1)` is not a use of `np`: its line is unchanged, so left empty.
        assert_eq!(t.lines().nth(2), Some(""));
        // Untrusted text: no panic on odd bytes or unclosed lists.
        assert!(resolve("from a import (b as c\né c.d(", &|_| true).is_some());
        assert!(resolve("from x import \nimport  as\n", &|_| true).is_none());
    }
}
