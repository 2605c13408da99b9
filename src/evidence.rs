//! Stage 4: turn rule hits into evidence records with an honest tier (spec §3.2).
//!
//! A rule says what tier its signal proves at best; the context can only lower it: prose and
//! comments only mention, and a framework's own repository is not evidence of adopting it.
//! Also here: the facts about the project as a whole (is it an ML project, which packages does
//! it define) that decide those caps.

use crate::automation::Trigger;
use crate::matcher::Hit;
use crate::read::{Document, Origin};
use crate::rules::{Catalogue, Tier};
use regex::Regex;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// One step of the way from an automation entry point to a piece of evidence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Hop {
    pub path: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub line: Option<u32>,
    /// How this hop was reached: the trigger for the first hop, the command or import after.
    pub via: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct Evidence {
    pub rule: String,
    #[serde(skip)]
    pub capability: String,
    pub path: String,
    pub line: Option<u32>,
    pub tier: Tier,
    /// For automated evidence: entry point first, this evidence last.
    pub chain: Vec<Hop>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<Trigger>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub origin: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub snippet: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub facets: Vec<String>,
    /// Why the tier is lower than the rule's (prose, comment, framework's own source).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

const SNIPPET_MAX: usize = 160;

/// Caps a snippet's length and hides values that look like secrets: reports (SARIF, job
/// summaries, chains) are shared. Applied to evidence snippets and, in `scan`, to the command
/// text of automation chains.
pub fn clean_snippet(s: &str) -> String {
    static SECRET: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"(?ix)
            # A private key's header: whatever follows on the line is key material.
            (?P<pem>-----BEGIN\ [A-Z0-9\ ]*PRIVATE\ KEY(?:\ BLOCK)?-----).*
            # Authorization headers and bare bearer/basic credentials.
            | (?P<auth>\b(?:authorization|proxy-authorization)["']?\s*[:=]\s*["']?(?:bearer|basic|token|bot|digest)?\s*)[^\s"',;]{4,}
            | (?P<bearer>\b(?:bearer|basic)\s+)[A-Za-z0-9._~+/=-]{8,}
            # Command-line flags that take a secret as the next word.
            | (?P<flag>--(?:password|passwd|token|api-key|apikey|secret|client-secret|access-key|secret-key|account-key|sas-token|auth-token)[\ =])\s*["']?[^\s"',;]{4,}
            # `key: value` / `key=value` pairs whose key names a secret, including Azure
            # connection strings (AccountKey=, SharedAccessKey=, SharedAccessSignature=) and SAS
            # query strings (&sig=).
            | (?P<k>(?:password|passwd|\bpwd|secret|token|api[_-]?key|apikey|access[_-]?key|private[_-]?key|client[_-]?secret|connection[_-]?string|accountkey|account[_-]key|sharedaccesskey|sharedaccesssignature|\bsas|\bsig|aws_secret_access_key|aws_session_token|credentials?|webhook[_-]?url)["']?\s*[:=]\s*["']?)(?P<v>[^\s"',;]{4,})
            # Tokens recognisable by their shape alone.
            | (?P<tok>
                \b(?:ghp|gho|ghs|ghu|ghr|github_pat|glpat)_[A-Za-z0-9_]{16,}
              | \bxox[abposr]-[A-Za-z0-9-]{10,}
              | \bxapp-[A-Za-z0-9-]{10,}
              | \b(?:sk|rk)_(?:live|test)_[A-Za-z0-9]{16,}
              | \bwhsec_[A-Za-z0-9]{16,}
              | \bAIza[0-9A-Za-z_-]{35}
              | \b(?:AKIA|ASIA)[0-9A-Z]{16}\b
              | \bsk-(?:proj-|ant-)?[A-Za-z0-9_-]{20,}
              | \bhf_[A-Za-z0-9]{30,}
              | \bnpm_[A-Za-z0-9]{36}
              | \bpypi-[A-Za-z0-9_-]{50,}
              | \beyJ[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}\.[A-Za-z0-9_-]{10,}
              | hooks\.slack\.com/services/[A-Za-z0-9/_-]+
              )
            # user:password@ in URLs.
            | (?P<url>://[^/\s:@]+:)[^@\s/]+@
            "#,
        )
        .expect("secret pattern")
    });
    let red = SECRET.replace_all(s, |c: &regex::Captures| {
        if let Some(p) = c.name("pem") {
            format!("{} ***", p.as_str())
        } else if let Some(k) = c
            .name("k")
            .or_else(|| c.name("auth"))
            .or_else(|| c.name("bearer"))
            .or_else(|| c.name("flag"))
        {
            format!("{}***", k.as_str())
        } else if c.name("tok").is_some() {
            "***".to_string()
        } else {
            format!("{}***@", &c["url"])
        }
    });
    let mut out: String = red.chars().take(SNIPPET_MAX).collect();
    if red.chars().count() > SNIPPET_MAX {
        out.push('…');
    }
    out
}

/// Facts about the repository as a whole, gathered file by file during the read pass.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct ProjectFacts {
    /// Python packages this repository defines (its own name in pyproject/setup, or top-level
    /// package directories), normalised to `snake_case`.
    pub own_packages: BTreeSet<String>,
    /// Package name → its directory (`mlflow` → `mlflow`, `evidently` → `src/evidently`).
    pub package_dirs: BTreeMap<String, String>,
    /// The repository declares a Python distribution (pyproject, setup.py, setup.cfg name).
    pub declares_distribution: bool,
    /// Files showing this is an ML project (framework imports, notebooks, model artefacts).
    pub ml_signals: Vec<String>,
}

static ML_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*(?:import|from)\s+(?:sklearn|torch|tensorflow|keras|xgboost|lightgbm|catboost|transformers|jax|flax|mxnet|pyspark\.ml|statsmodels|prophet|pytorch_lightning|lightning|fastai|sentence_transformers|spacy)\b")
        .expect("ml import pattern")
});

static PKG_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^\s*name\s*=\s*["']([A-Za-z0-9_.\-]+)["']"#).expect("pyproject name")
});
static SETUP_NAME: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\bname\s*=\s*["']([A-Za-z0-9_.\-]+)["']"#).expect("setup name"));
static SETUP_CFG_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*name\s*=\s*([A-Za-z0-9_.\-]+)\s*$").expect("setup.cfg name")
});

pub fn normalise_package(name: &str) -> String {
    name.to_ascii_lowercase().replace(['-', '.'], "_")
}

const MODEL_EXTENSIONS: &[&str] = &[
    ".pkl",
    ".pickle",
    ".joblib",
    ".h5",
    ".hdf5",
    ".pt",
    ".pth",
    ".onnx",
    ".ckpt",
    ".safetensors",
    ".pb",
    ".tflite",
    ".keras",
    ".mar",
];

pub fn is_model_artifact(rel: &str) -> bool {
    let l = rel.to_ascii_lowercase();
    MODEL_EXTENSIONS.iter().any(|e| l.ends_with(e))
}

impl ProjectFacts {
    /// What one file says about the project; merged with `absorb`.
    pub fn from_path(rel: &str) -> ProjectFacts {
        let mut f = ProjectFacts::default();
        let parts: Vec<&str> = rel.split('/').collect();
        // `pkg/__init__.py` or `src/pkg/__init__.py`: a package this repository defines.
        match parts.as_slice() {
            [pkg, "__init__.py"] | ["src" | "python" | "lib", pkg, "__init__.py"] => {
                f.own_packages.insert(normalise_package(pkg));
                f.package_dirs.insert(
                    normalise_package(pkg),
                    rel.trim_end_matches("/__init__.py").to_string(),
                );
            }
            _ => {}
        }
        if is_model_artifact(rel) {
            f.ml_signals.push(rel.to_string());
        }
        f
    }

    pub fn from_doc(doc: &Document) -> ProjectFacts {
        let mut f = ProjectFacts::from_path(&doc.rel);
        // The root, or one level down (`python/pyproject.toml` in a multi-language library).
        let depth = doc.rel.matches('/').count();
        let name = doc.rel.rsplit('/').next().unwrap_or(&doc.rel);
        let re = match name {
            _ if depth > 1 => None,
            "pyproject.toml" => Some(&*PKG_NAME),
            "setup.py" => Some(&*SETUP_NAME),
            "setup.cfg" => Some(&*SETUP_CFG_NAME),
            _ => None,
        };
        if let Some(c) = re.and_then(|re| re.captures(&doc.text)) {
            f.own_packages.insert(normalise_package(&c[1]));
            f.declares_distribution = true;
        }
        if (doc.origin == Origin::Notebook || doc.rel.ends_with(".py"))
            && f.ml_signals.is_empty()
            && ML_IMPORT.is_match(&doc.text)
        {
            f.ml_signals.push(doc.rel.clone());
        }
        f
    }

    /// Whether the two say the same for levels: all but `ml_signals`, which only the report's
    /// `ml_project` shows (no model reads it).
    pub fn same_for_levels(&self, other: &ProjectFacts) -> bool {
        self.own_packages == other.own_packages
            && self.package_dirs == other.package_dirs
            && self.declares_distribution == other.declares_distribution
    }

    /// Whether nothing here can move a level ([`ProjectFacts::same_for_levels`]).
    pub fn is_empty_for_levels(&self) -> bool {
        self.own_packages.is_empty() && self.package_dirs.is_empty() && !self.declares_distribution
    }

    pub fn is_empty(&self) -> bool {
        self.own_packages.is_empty()
            && self.package_dirs.is_empty()
            && !self.declares_distribution
            && self.ml_signals.is_empty()
    }

    pub fn absorb(&mut self, other: ProjectFacts) {
        self.own_packages.extend(other.own_packages);
        self.declares_distribution |= other.declares_distribution;
        self.package_dirs.extend(other.package_dirs);
        self.ml_signals.extend(other.ml_signals);
    }
}

/// Example, tutorial, sample and demo trees: in a repository that defines a package they
/// document the library rather than operate an ML system.
pub fn is_example_path(rel: &str) -> bool {
    rel.split('/').rev().skip(1).any(|dir| {
        matches!(
            dir.to_ascii_lowercase().as_str(),
            "examples"
                | "example"
                | "tutorials"
                | "tutorial"
                | "samples"
                | "sample"
                | "demos"
                | "demo"
                | "recipes"
                | "cookbook"
                | "showcase"
        )
    })
}

/// When this repository *is* one of the ML tools ripen's rules detect (it defines the package
/// a rule names as `framework`), any evidence inside that package's own source describes the
/// tool's internals (evidently fits classifiers to measure drift), not an ML system in use.
fn own_tool_package<'a>(cat: &Catalogue, project: &'a ProjectFacts, rel: &str) -> Option<&'a str> {
    project.package_dirs.iter().find_map(|(pkg, dir)| {
        let inside = rel
            .strip_prefix(dir.as_str())
            .is_some_and(|r| r.starts_with('/'));
        (inside && cat.is_framework(pkg)).then_some(pkg.as_str())
    })
}

/// Whether every hit in `rel`, whatever its rule, tier or line, gives only a mention under
/// these project facts: the file is in the source of an ML tool this repository defines, or
/// an example of a library.
pub fn lowers_every_hit(cat: &Catalogue, project: &ProjectFacts, rel: &str) -> bool {
    HitReader::new(cat, project, rel, crate::read::origin_of(rel)).lowers_every_hit()
}

/// Whether no hit of these rules (`candidates`, indices into the catalogue) in `rel` can give
/// more than a mention, whatever the project: the file is prose and each rule is of the
/// `mentioned` tier or of a capability where prose does not count.
pub fn no_hit_can_count(cat: &Catalogue, rel: &str, candidates: &[usize]) -> bool {
    crate::read::origin_of(rel) == Origin::Prose
        && candidates
            .iter()
            .all(|&r| cat.rules[r].tier <= Tier::Mentioned || !prose_counts(cat, &cat.rules[r]))
}

/// Whether the rule's capability counts what prose says (model cards, decision records).
fn prose_counts(cat: &Catalogue, rule: &crate::rules::Rule) -> bool {
    cat.capability(&rule.capability)
        .is_some_and(|c| c.prose_counts)
}

/// Cleans the hits' snippets ([`clean_snippet`]) where the file is scanned: once per file, in
/// parallel, not at every assembly of a tree that holds it. [`from_hits`] expects clean hits.
pub fn clean_hits(hits: &mut [crate::matcher::Hit]) {
    for h in hits {
        if let Some(s) = &mut h.snippet {
            *s = clean_snippet(s);
        }
    }
}

/// Why a hit gives only `mentioned` evidence although its rule is of a higher tier.
enum Mention<'a> {
    Prose,
    Comment,
    OwnFramework(&'a str),
    OwnTool(&'a str),
    LibraryExample,
}

impl Mention<'_> {
    fn note(&self) -> String {
        match self {
            Mention::Prose => "prose only mentions".into(),
            Mention::Comment => "only in a comment".into(),
            Mention::OwnFramework(fw) => {
                format!("this repository defines `{fw}`: its own source is not adoption evidence")
            }
            Mention::OwnTool(tool) => format!(
                "`{tool}` is an ML tool this repository defines: its own source is not adoption evidence"
            ),
            Mention::LibraryExample => {
                "examples and tutorials of a library show how to use it, not that it is used".into()
            }
        }
    }
}

/// How [`from_hits`] reads the hits of one document: the same for every hit of the file.
pub struct HitReader<'a> {
    cat: &'a Catalogue,
    project: &'a ProjectFacts,
    rel: &'a str,
    origin: Origin,
    tool: Option<&'a str>,
}

impl<'a> HitReader<'a> {
    pub fn new(
        cat: &'a Catalogue,
        project: &'a ProjectFacts,
        rel: &'a str,
        origin: Origin,
    ) -> Self {
        HitReader {
            cat,
            project,
            rel,
            origin,
            tool: own_tool_package(cat, project, rel),
        }
    }

    /// The first reason the hit is lowered to `mentioned`, if its rule's tier is higher.
    fn mention(&self, h: &Hit) -> Option<Mention<'a>> {
        let rule = &self.cat.rules[h.rule];
        if rule.tier <= Tier::Mentioned {
            return None;
        }
        if self.origin == Origin::Prose && !prose_counts(self.cat, rule) {
            return Some(Mention::Prose);
        }
        if h.comment_only {
            return Some(Mention::Comment);
        }
        if let Some(fw) = &rule.framework
            && self.project.own_packages.contains(&normalise_package(fw))
        {
            return Some(Mention::OwnFramework(fw));
        }
        if let Some(tool) = self.tool {
            return Some(Mention::OwnTool(tool));
        }
        if self.library_example() {
            return Some(Mention::LibraryExample);
        }
        None
    }

    fn library_example(&self) -> bool {
        self.project.declares_distribution && is_example_path(self.rel)
    }

    /// Whether every hit of the file is lowered, whatever its rule or line ([`Mention::OwnTool`],
    /// [`Mention::LibraryExample`]).
    pub fn lowers_every_hit(&self) -> bool {
        self.tool.is_some() || self.library_example()
    }

    /// Whether the hit's evidence is only `mentioned`, by its rule's tier or lowered.
    pub fn only_mentions(&self, h: &Hit) -> bool {
        self.cat.rules[h.rule].tier <= Tier::Mentioned || self.mention(h).is_some()
    }

    /// The evidence record of a hit (its snippet cleaned by [`clean_hits`]).
    pub fn evidence(&self, h: &Hit) -> Evidence {
        let rule = &self.cat.rules[h.rule];
        let note = self.mention(h).map(|m| m.note());
        Evidence {
            rule: rule.id.clone(),
            capability: rule.capability.clone(),
            path: self.rel.to_string(),
            line: h.line,
            tier: if note.is_some() {
                Tier::Mentioned
            } else {
                rule.tier
            },
            chain: Vec::new(),
            triggers: Vec::new(),
            origin: (self.origin == Origin::Notebook).then_some("notebook"),
            snippet: h.snippet.clone(),
            facets: h.facets.clone(),
            note,
        }
    }
}

/// Evidence records for the hits of one document (snippets cleaned by [`clean_hits`]).
pub fn from_hits(
    cat: &Catalogue,
    rel: &str,
    origin: Origin,
    hits: &[Hit],
    project: &ProjectFacts,
) -> Vec<Evidence> {
    let reader = HitReader::new(cat, project, rel, origin);
    hits.iter().map(|h| reader.evidence(h)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_secrets() {
        let s = clean_snippet("export MLFLOW_TRACKING_PASSWORD=hunter2hunter2 && run");
        assert!(!s.contains("hunter2"), "{s}");
        let s = clean_snippet("token: ghp_abcdefghijklmnopqrstuvwxyz0123");
        assert!(!s.contains("ghp_abc"), "{s}");
        let s = clean_snippet("uri = 'postgresql://user:pa55word@db:5432/mlflow'");
        assert!(!s.contains("pa55word"), "{s}");
        assert!(s.contains("user"), "{s}");
        let long = "x".repeat(500);
        assert_eq!(clean_snippet(&long).chars().count(), SNIPPET_MAX + 1);
    }

    #[test]
    fn example_paths() {
        assert!(is_example_path("examples/sklearn/train.py"));
        assert!(is_example_path("docs/Tutorials/x.ipynb"));
        assert!(!is_example_path("src/examples.py"));
        assert!(!is_example_path("src/train.py"));
    }

    #[test]
    #[rustfmt::skip]
    fn redacts_every_kind_of_secret() {
        // (line, the secret that must not survive)
        let cases = [
            ("DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=c2VjcmV0a2V5c2VjcmV0a2V5==;EndpointSuffix=core.windows.net", "c2VjcmV0a2V5"),
            ("Endpoint=sb://ns.servicebus.windows.net/;SharedAccessKeyName=root;SharedAccessKey=Zm9vYmFyYmF6cXV4MTIz=", "Zm9vYmFyYmF6"),
            ("conn = 'BlobEndpoint=https://a.blob.core.windows.net/;SharedAccessSignature=sv=2021-08-06&ss=b&sig=AbCdEf%2BGhIj'", "AbCdEf"),
            ("url: https://a.blob.core.windows.net/c?sv=2021-08-06&se=2030-01-01&sp=r&sig=Q2hhbmdlTWVQbGVhc2U%3D", "Q2hhbmdlTWVQ"),
            ("aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI"),
            ("export AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "wJalrXUtnFEMI"),
            ("AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE", "AKIAIOSFODNN7EXAMPLE"),
            ("client = WebClient('xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx')", "AbCdEfGhIjKl"),
            ("curl -X POST https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXXXXXX", "XXXXXXXXXXXX"),
            ("stripe.api_key = \"sk_live_4eC39HqLyjWDarjtT1zdp7dc\"", "4eC39HqLyjWD"),
            ("s = Stripe('rk_test_4eC39HqLyjWDarjtT1zdp7dc')", "4eC39HqLyjWD"),
            ("maps = Client(key='AIzaSyA1234567890abcdefghijklmnopqrstuv')", "AIzaSyA1234567890"),
            ("-----BEGIN RSA PRIVATE KEY-----MIIEpAIBAAKCAQEA75", "MIIEpAIB"),
            ("-----BEGIN OPENSSH PRIVATE KEY----- b3BlbnNzaC1rZXk", "b3BlbnNzaC1"),
            ("engine = create_engine('postgresql://mlflow:s3cr3tPa55@db:5432/mlflow')", "s3cr3tPa55"),
            ("git clone https://x-access-token:ghs_16C7e42F292c6912E7710c838347Ae178B4a@github.com/o/r", "16C7e42F292c"),
            ("run: curl -H \"Authorization: Bearer abcdef1234567890abcdef\" https://api", "abcdef1234567890"),
            ("headers = {'Authorization': 'token ghp_abcdefghijklmnopqrstuvwxyz0123'}", "abcdefghijklmnop"),
            ("requests.get(u, headers={'Authorization': 'Basic dXNlcjpwYXNzd29yZA=='})", "dXNlcjpwYXNz"),
            ("mlflow server --password hunter2hunter2", "hunter2"),
            ("az login --service-principal -u x --password=P4ssw0rd!xyz", "P4ssw0rd"),
            ("HF_TOKEN=hf_abcdefghijklmnopqrstuvwxyzABCDEF12", "abcdefghijklmnop"),
            ("openai.api_key = 'sk-proj-abcdefghijklmnopqrstuvwxyz012345'", "abcdefghijklmnop"),
            ("WANDB_API_KEY: 0123456789abcdef0123456789abcdef01234567", "0123456789abcdef"),
            ("jwt = 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N'", "dozjgNryP4J3"),
        ];
        for (line, secret) in cases {
            let out = clean_snippet(line);
            assert!(!out.contains(secret), "leaked `{secret}`: {out}");
            assert!(out.contains("***"), "{out}");
        }
    }

    #[test]
    fn redaction_keeps_what_is_not_secret() {
        for line in [
            "mlflow.log_metric(\"accuracy\", acc)",
            "python -m src.train --config params.yaml",
            "token: ${{ secrets.GITHUB_TOKEN }}",
            "design = build(model)",
            "tokenizer = AutoTokenizer.from_pretrained(name)",
        ] {
            let out = clean_snippet(line);
            assert!(!out.contains("***"), "over-redacted: {out}");
        }
        assert!(clean_snippet("token: ${{ secrets.HF_TOKEN }}").contains("secrets.HF_TOKEN"));
    }

    #[test]
    fn own_package_from_layout() {
        let f = ProjectFacts::from_path("src/my-pkg/__init__.py");
        assert!(f.own_packages.contains("my_pkg"));
        assert!(
            ProjectFacts::from_path("a/b/c/__init__.py")
                .own_packages
                .is_empty()
        );
    }
}
