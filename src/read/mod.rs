//! Stage 2: read a file once into a `Document` every later stage shares.
//!
//! Binary files are refused here (a NUL in the first 8 KiB, as git and ripgrep decide), text is
//! decoded lossily (invalid UTF-8 must not stop a scan), BOMs and CRLF are normalised, and
//! notebooks are reduced to their code cells with a map back to lines of the `.ipynb` file.

pub(crate) mod aliases;
mod notebook;
pub(crate) mod structured;

pub(crate) use notebook::is_literate;
use notebook::notebook_code;
use std::sync::OnceLock;
use structured::Node;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    Code,
    Notebook,
    /// Markdown, reStructuredText, plain text and anything under `docs/`: it only mentions.
    Prose,
}

pub struct Document {
    pub rel: String,
    /// The text rules see: the file, or a notebook's code cells joined.
    pub text: String,
    pub origin: Origin,
    /// For notebooks: line `i` (0-based) of `text` is line `line_map[i]` of the `.ipynb` file.
    pub(crate) line_map: Option<Vec<u32>>,
    pub(crate) line_starts: OnceLock<Vec<usize>>,
    pub(crate) structured: OnceLock<Result<Vec<Node>, structured::ParseError>>,
    /// Python: the text with imported aliases written in full ([`aliases`]), made on demand.
    pub(crate) resolved: OnceLock<Option<Box<aliases::Resolved>>>,
    /// Why a `.ipynb` could not be read as a notebook (it is then scanned as plain text).
    pub(crate) notebook_error: Option<structured::ParseError>,
    /// Python: the 0-based line ranges of bare triple-quoted strings, made on demand.
    pub(crate) string_blocks: OnceLock<Vec<(usize, usize)>>,
}

pub(crate) enum ReadOutcome {
    Doc(Box<Document>),
    Binary,
}

pub(crate) const BINARY_PROBE: usize = 8 * 1024;

/// Files other tools write for other ecosystems: package-manager lock files and minified web
/// assets. They are large (a `pnpm-lock.yaml` runs to hundreds of KiB and changes with every
/// front-end dependency bump), no rule looks for them by name, and the wildcard rules that
/// would read them (`**/*.yaml`) look for what people write. So they are listed, never read.
/// Python lock files are evidence (`python-lock-file`) and are not among them.
pub(crate) fn is_generated(rel: &str) -> bool {
    let name = rel.rsplit('/').next().unwrap_or(rel);
    matches!(
        name,
        "pnpm-lock.yaml"
            | "package-lock.json"
            | "npm-shrinkwrap.json"
            | "yarn.lock"
            | "bun.lock"
            | "composer.lock"
            | "Gemfile.lock"
            | "Cargo.lock"
            | "go.sum"
            | "Podfile.lock"
            | "pubspec.lock"
            | "packages.lock.json"
    ) || [".min.js", ".min.css", ".js.map", ".css.map"]
        .iter()
        .any(|x| name.ends_with(x))
}

pub(crate) fn from_bytes(rel: &str, bytes: &[u8]) -> ReadOutcome {
    if bytes[..bytes.len().min(BINARY_PROBE)].contains(&0) {
        return ReadOutcome::Binary;
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut text = String::from_utf8_lossy(bytes).into_owned();
    if text.contains('\r') {
        text = text.replace("\r\n", "\n").replace('\r', "\n");
    }
    ReadOutcome::Doc(Box::new(Document::new(rel, text)))
}

/// What kind of text a path holds, by its path alone: a notebook anywhere (under `docs/` too),
/// else prose ([`is_prose`]), else code.
pub(crate) fn origin_of(rel: &str) -> Origin {
    if rel.ends_with(".ipynb") || notebook::is_literate(rel) {
        Origin::Notebook
    } else if is_prose(rel) {
        Origin::Prose
    } else {
        Origin::Code
    }
}

pub(crate) fn is_prose(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    let name = lower.rsplit('/').next().unwrap_or(&lower);
    if lower.starts_with("docs/") || lower.starts_with("doc/") || lower.contains("/docs/") {
        return true;
    }
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    match ext {
        "md" | "markdown" | "rst" | "adoc" | "asciidoc" | "textile" | "org" => true,
        // requirements.txt and friends declare dependencies; other .txt files are prose.
        "txt" => !(name.starts_with("requirements") || name.starts_with("constraints")),
        _ => false,
    }
}

impl Document {
    pub fn new(rel: &str, text: String) -> Document {
        let mut notebook_error = None;
        let origin = origin_of(rel);
        let (text, line_map) = if notebook::is_literate(rel) {
            let (code, map) = notebook::chunk_code(&text);
            (code, Some(map))
        } else if origin == Origin::Notebook {
            match notebook_code(&text) {
                Ok((code, map)) => (code, Some(map)),
                // A broken notebook is still scanned as text, so it is not silently lost, and
                // reported as a warning, so it is not silently half-read either.
                Err(e) => {
                    notebook_error = Some(e);
                    (text, None)
                }
            }
        } else {
            (text, None)
        };
        Document {
            rel: rel.to_string(),
            text,
            origin,
            line_map,
            line_starts: OnceLock::new(),
            structured: OnceLock::new(),
            resolved: OnceLock::new(),
            notebook_error,
            string_blocks: OnceLock::new(),
        }
    }

    pub(crate) fn starts(&self) -> &[usize] {
        self.line_starts.get_or_init(|| {
            std::iter::once(0)
                .chain(self.text.match_indices('\n').map(|(i, _)| i + 1))
                .collect()
        })
    }

    /// 0-based index of the line holding byte `offset` of `text`.
    pub(crate) fn line_index(&self, offset: usize) -> usize {
        match self.starts().binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        }
    }

    /// The 1-based line in the original file for a 0-based line of `text`.
    pub(crate) fn file_line(&self, index: usize) -> u32 {
        match &self.line_map {
            Some(map) => map.get(index).copied().unwrap_or(1),
            None => u32::try_from(index + 1).unwrap_or(u32::MAX),
        }
    }

    pub(crate) fn line_text(&self, index: usize) -> &str {
        let starts = self.starts();
        let Some(&s) = starts.get(index) else {
            return "";
        };
        let e = starts
            .get(index + 1)
            .map(|e| e - 1)
            .unwrap_or(self.text.len());
        &self.text[s..e.max(s)]
    }

    /// The text of a 1-based line of the original file (notebooks: searched via the map).
    pub(crate) fn text_at_file_line(&self, line: u32) -> &str {
        match &self.line_map {
            Some(map) => map
                .iter()
                .position(|&l| l == line)
                .map(|i| self.line_text(i))
                .unwrap_or(""),
            None => self.line_text(line.saturating_sub(1) as usize),
        }
    }

    /// A Python file's or notebook's text with the names its imports bind written as the module
    /// paths they stand for, when that changes anything. Only bindings whose path `keep` accepts
    /// are written out (the matcher keeps those that name something a rule looks for); the first
    /// call decides, and later calls return the same text.
    pub(crate) fn resolved(&self, keep: &dyn Fn(&str) -> bool) -> Option<&aliases::Resolved> {
        self.resolved
            .get_or_init(|| {
                let python = self.origin == Origin::Notebook
                    || (self.origin == Origin::Code && self.rel.ends_with(".py"));
                if python {
                    aliases::resolve(&self.text, keep).map(Box::new)
                } else {
                    None
                }
            })
            .as_deref()
    }

    pub(crate) fn is_structured_kind(&self) -> bool {
        let l = self.rel.to_ascii_lowercase();
        let name = l.rsplit('/').next().unwrap_or(&l);
        (l.ends_with(".yml")
            || l.ends_with(".yaml")
            || l.ends_with(".json")
            || name == "dvc.lock"
            || name == "mlproject"
            || (name.ends_with(".dvc") && name.len() > 4))
            && self.origin != Origin::Notebook
    }

    /// Whether [`Document::structured`] was asked for (tests of what is parsed).
    #[cfg(test)]
    pub(crate) fn was_parsed(&self) -> bool {
        self.structured.get().is_some()
    }

    /// The parsed YAML/JSON documents, parsed at most once and only when someone asks.
    pub(crate) fn structured(&self) -> Result<&[Node], &structured::ParseError> {
        self.structured
            .get_or_init(|| {
                if self.rel.to_ascii_lowercase().ends_with(".json") {
                    structured::parse_json(&self.text)
                } else {
                    structured::parse_yaml(&self.text)
                }
            })
            .as_ref()
            .map(|v| v.as_slice())
    }

    /// The parse error, if the structure was asked for and could not be parsed.
    pub(crate) fn parse_error(&self) -> Option<&structured::ParseError> {
        self.notebook_error
            .as_ref()
            .or_else(|| self.structured.get().and_then(|r| r.as_ref().err()))
    }

    /// Whether a 0-based line lies in a bare triple-quoted string of a Python file: a string
    /// that is a statement of its own (a docstring, or code "commented out" by quoting it), not
    /// one assigned or passed on. Its text runs nothing, like a comment.
    fn in_string_block(&self, index: usize) -> bool {
        let blocks = self
            .string_blocks
            .get_or_init(|| string_blocks(&self.text, self.starts()));
        let i = blocks.partition_point(|&(_, end)| end < index);
        blocks.get(i).is_some_and(|&(start, _)| start <= index)
    }

    /// Whether a 0-based line only lists what a command continued onto it installs: a
    /// package named on a line of a `pip install \` (apt, conda, npm...) continued over
    /// several lines (`pytest \`) is no command that runs it. A line that also runs
    /// something after it (`&&`, `;`, a pipe) is code.
    fn installs(&self, index: usize) -> bool {
        static INSTALL: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
            regex::Regex::new(r"\b(?:pip3?|uv\s+pip|conda|mamba|micromamba|apt-get|apt|yum|dnf|apk|brew|npm|yarn|pnpm|gem|choco)\s+(?:(?:-\S+|--\S+)\s+)*(?:install|add)\b")
                .expect("install command")
        });
        let t = self.line_text(index);
        if index == 0 || ["&&", "||", ";", "|", "$("].iter().any(|op| t.contains(op)) {
            return false;
        }
        let mut i = index;
        while i > 0 && index - i < 50 {
            i -= 1;
            let prev = self.line_text(i).trim_end();
            let Some(head) = prev.strip_suffix('\\') else {
                return false;
            };
            if INSTALL.is_match(head) {
                return true;
            }
            if ["&&", "||", ";", "|"].iter().any(|op| head.contains(op)) {
                return false;
            }
        }
        false
    }

    /// Whether a 0-based line is a comment in this file's language: a match there only
    /// mentions.
    pub(crate) fn is_comment_line(&self, index: usize) -> bool {
        if self.origin == Origin::Prose {
            // A Markdown heading starts with `#` too; prose is capped anyway.
            return false;
        }
        let t = self.line_text(index).trim_start();
        let name = self.rel.rsplit('/').next().unwrap_or(&self.rel);
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or(name);
        // A notebook's text is its code cells: Python's docstrings are comments there too.
        if matches!(ext, "py" | "ipynb") && self.in_string_block(index) {
            return true;
        }
        if matches!(
            ext,
            "sh" | "bash"
                | "yml"
                | "yaml"
                | "Makefile"
                | "mk"
                | "Dockerfile"
                | "dockerfile"
                | "groovy"
                | "Jenkinsfile"
        ) && (printed_message(t) || self.installs(index))
        {
            return true;
        }
        match ext {
            "py" | "ipynb" | "sh" | "bash" | "yml" | "yaml" | "toml" | "cfg" | "ini" | "r"
            | "R" | "tf" | "txt" | "Makefile" | "mk" | "Dockerfile" | "dockerfile" | "conf"
            | "properties" => t.starts_with('#'),
            "js" | "ts" | "groovy" | "Jenkinsfile" | "java" | "scala" | "go" | "rs" | "kt"
            | "bicep" | "jsonnet" | "cs" => t.starts_with("//") || t.starts_with("/*"),
            "sql" => t.starts_with("--"),
            _ => t.starts_with('#') || t.starts_with("//"),
        }
    }
}

/// Whether a line of shell (a script's, a CI step's, a Makefile recipe's, a Dockerfile `RUN`,
/// a Jenkins `sh`/`echo` step) only prints a message: `echo "Run locally: make test"`,
/// `- run: echo "kubectl apply -f k8s/ (manual)"`. Its text runs nothing, like a comment. A
/// line that also runs something (`&&`, `;`, a pipe, `$(...)`) or writes a file (`>`) is code.
pub(crate) fn printed_message(line: &str) -> bool {
    let mut t = line.trim_start();
    for prefix in ["- ", "run:", "script:", "RUN ", "@", "sh ", "bat "] {
        if let Some(rest) = t.strip_prefix(prefix) {
            t = rest.trim_start();
        }
    }
    let t = t.trim_start_matches(['\'', '"', '(']).trim_start();
    let word = t
        .split(|c: char| c.is_whitespace() || c == '(')
        .next()
        .unwrap_or("");
    matches!(word, "echo" | "printf" | "Write-Host" | "Write-Output")
        && t.len() > word.len()
        && !["&&", "||", ";", "|", "$(", "`", ">"]
            .iter()
            .any(|op| t.contains(op))
}

/// The 0-based line ranges of the bare triple-quoted strings of Python `text` (see
/// [`Document::in_string_block`]): at bracket depth 0, first on their line, and not the value
/// of an assignment or an operand (`x = """...`, `+ """...`).
fn string_blocks(text: &str, starts: &[usize]) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let line_of = |pos: usize| starts.partition_point(|&s| s <= pos).saturating_sub(1);
    let mut out = Vec::new();
    let mut depth: i32 = 0;
    let mut prev: u8 = b'\n';
    let mut line_start = true;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        match c {
            b'\n' => {
                line_start = true;
                i += 1;
                continue;
            }
            b' ' | b'\t' | b'\r' => {
                i += 1;
                continue;
            }
            b'#' => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
                continue;
            }
            b'"' | b'\'' => {
                let triple = b.get(i + 1) == Some(&c) && b.get(i + 2) == Some(&c);
                let end = if triple {
                    let close: &[u8] = if c == b'"' { b"\"\"\"" } else { b"\'\'\'" };
                    let mut j = i + 3;
                    while j + 3 <= b.len() && &b[j..j + 3] != close {
                        j += if b[j] == b'\\' { 2 } else { 1 };
                    }
                    (j + 3).min(b.len())
                } else {
                    let mut j = i + 1;
                    while j < b.len() && b[j] != c && b[j] != b'\n' {
                        j += if b[j] == b'\\' { 2 } else { 1 };
                    }
                    (j + 1).min(b.len())
                };
                let bare = triple
                    && line_start
                    && depth == 0
                    && !matches!(prev, b'=' | b'+' | b'%' | b',' | b'\\' | b'(' | b'[' | b'{');
                if bare {
                    out.push((line_of(i), line_of(end.saturating_sub(1))));
                }
                prev = b'"';
                line_start = false;
                i = end;
                continue;
            }
            b'(' | b'[' | b'{' => depth += 1,
            b')' | b']' | b'}' => depth = (depth - 1).max(0),
            _ => {}
        }
        // String prefixes (`r"""`, `f"""`) keep the line's start for the string after them.
        let prefix = matches!(c | 0x20, b'r' | b'b' | b'f' | b'u')
            && line_start
            && matches!(b.get(i + 1), Some(b'"' | b'\''))
            || (matches!(c | 0x20, b'r' | b'b' | b'f' | b'u')
                && line_start
                && matches!(b.get(i + 1).map(|x| x | 0x20), Some(b'r' | b'b' | b'f'))
                && matches!(b.get(i + 2), Some(b'"' | b'\'')));
        if !prefix {
            line_start = false;
            prev = c;
        }
        i += 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A Quarto or R Markdown document is its code chunks, each line at its own line; prose,
    /// display blocks and chunks that rendering skips are not code.
    #[test]
    fn literate_chunks_are_code() {
        let qmd = "---\ntitle: x\n---\nmodel.fit(X) in prose\n```python\nshown.fit(X)\n```\n```{python}\n#| label: train\nmodel.fit(X, y)\n```\n```{python}\n#| eval: false\ndeploy()\n```\n```{r eval=FALSE}\nserve()\n```\n```{=html}\n<b>shown.fit(x)</b>\n```\n```{.python}\nattr.fit(x)\n```\n";
        let d = Document::new("pipeline/refresh.qmd", qmd.to_string());
        assert_eq!(d.origin, Origin::Notebook);
        assert!(d.text.contains("model.fit(X, y)"));
        for absent in ["in prose", "shown.fit", "deploy()", "serve()", "attr.fit"] {
            assert!(!d.text.contains(absent), "{absent}");
        }
        let at = d.text.find("model.fit").unwrap();
        assert_eq!(d.line_map.as_ref().unwrap()[d.line_index(at)], 10);
        assert_eq!(origin_of("reports/model.Rmd"), Origin::Notebook);
    }

    #[test]
    fn notebook_lines_map_to_the_ipynb() {
        let nb = r##"{
 "cells": [
  {
   "cell_type": "markdown",
   "source": ["# mlflow.log_metric in prose\n"]
  },
  {
   "cell_type": "code",
   "source": [
    "import mlflow\n",
    "mlflow.log_metric(\"a\", 1)"
   ]
  }
 ],
 "nbformat": 4
}"##;
        let ReadOutcome::Doc(doc) = from_bytes("nb.ipynb", nb.as_bytes()) else {
            panic!()
        };
        assert_eq!(doc.origin, Origin::Notebook);
        assert!(!doc.text.contains("prose"));
        let off = doc.text.find("mlflow.log_metric").unwrap();
        assert_eq!(doc.file_line(doc.line_index(off)), 11);
    }

    /// Code quoted out by a bare `\'\'\'` string, and docstrings, are comments; a string
    /// assigned or passed on is not.
    #[test]
    fn bare_triple_quoted_strings_are_comments() {
        let src = "\'\'\'\nimport mlflow\nmlflow.log_metric(\"a\", 1)\n\'\'\'\nimport joblib\ndef f():\n    \"\"\"Logs with mlflow.\"\"\"\n    q = \"\"\"\n    mlflow.log_metric\n    \"\"\"\n    run(\n        \"\"\"\n        python train.py\n        \"\"\"\n    )\n";
        let d = Document::new("src/train.py", src.to_string());
        let comments: Vec<usize> = (0..d.starts().len())
            .filter(|&i| d.is_comment_line(i))
            .collect();
        assert_eq!(comments, vec![0, 1, 2, 3, 6]);
        // The same in a notebook's code cells.
        let nb = r#"{"cells": [{"cell_type": "code", "source": ["def job():\n", "    \"\"\"Custom training job sample.\"\"\"\n", "    return aiplatform.CustomJob(display_name=\"probe\")\n"]}], "metadata": {}}"#;
        let ReadOutcome::Doc(doc) = from_bytes("nb.ipynb", nb.as_bytes()) else {
            panic!()
        };
        let off = doc.text.find("Custom training").unwrap();
        assert!(doc.is_comment_line(doc.line_index(off)));
        let off = doc.text.find("aiplatform").unwrap();
        assert!(!doc.is_comment_line(doc.line_index(off)));
    }

    /// A line of shell that only prints a message runs nothing, like a comment; one that also
    /// runs or writes something is code.
    #[test]
    fn printed_messages_are_comments() {
        let src = "jobs:\n  t:\n    steps:\n      - run: |\n          echo \"Run locally: make test-unit\"\n          make test\n      - run: echo 'kubectl apply -f k8s/'\n      - run: echo ok && kubectl apply -f k8s/\n      - run: echo \"python train.py\" > run.sh\n      - run: printf '%s' \"$(python train.py)\"\n";
        let d = Document::new(".github/workflows/ci.yml", src.to_string());
        let comments: Vec<usize> = (0..d.starts().len())
            .filter(|&i| d.is_comment_line(i))
            .collect();
        assert_eq!(comments, vec![4, 6]);
        // The packages a continued install command lists are not commands; what runs after
        // it is.
        let src = "jobs:\n  t:\n    steps:\n      - run: |\n          pip install \\\n            ruff \\\n            pytest \\\n            pytest-cov\n          pytest -q\n          apt-get install -y \\\n            curl && pytest\n";
        let d = Document::new(".github/workflows/ci.yml", src.to_string());
        let comments: Vec<usize> = (0..d.starts().len())
            .filter(|&i| d.is_comment_line(i))
            .collect();
        assert_eq!(comments, vec![5, 6, 7]);
        for (path, text) in [
            ("Jenkinsfile", "        sh 'echo \"docker push x\"'\n"),
            (
                "Jenkinsfile",
                "        echo \"Deploying with kubectl apply\"\n",
            ),
            ("Makefile", "\t@echo \"make test runs the tests\"\n"),
            ("Dockerfile", "RUN echo \"pytest is run in CI\"\n"),
            ("deploy.sh", "Write-Host \"kubectl apply -f k8s\"\n"),
        ] {
            assert!(
                Document::new(path, text.to_string()).is_comment_line(0),
                "{path}: {text}"
            );
        }
        for (path, text) in [
            ("deploy.sh", "kubectl apply -f k8s/\n"),
            ("Makefile", "\techo-server --port 80\n"),
            ("src/x.py", "echo \"kubectl apply\"\n"),
        ] {
            assert!(
                !Document::new(path, text.to_string()).is_comment_line(0),
                "{path}: {text}"
            );
        }
    }

    #[test]
    fn binary_and_bom_and_crlf() {
        assert!(matches!(from_bytes("a.py", b"x\0y"), ReadOutcome::Binary));
        let ReadOutcome::Doc(d) = from_bytes("a.py", b"\xEF\xBB\xBFa\r\nb\xFF\r\n") else {
            panic!()
        };
        assert_eq!(d.line_text(1), "b\u{FFFD}");
        assert!(d.text.starts_with('a'));
    }

    #[test]
    fn prose_detection() {
        assert!(is_prose("README.md"));
        assert!(is_prose("docs/conf.py"));
        assert!(!is_prose("requirements-dev.txt"));
        assert!(!is_prose("src/train.py"));
    }
}
