//! Stage 4: turn rule hits into evidence records with an honest tier (docs/levels.md).
//!
//! A rule says what tier its signal proves at best; the context can only lower it: prose and
//! comments only mention, and a framework's own repository is not evidence of adopting it.
//! Also here: the facts about the project as a whole (is it an ML project, which packages does
//! it define) that decide those caps.

mod project;
pub(crate) mod redact;

pub(crate) use project::{ProjectFacts, is_model_artifact};
pub(crate) use redact::clean_snippet;

use crate::catalogue::{Catalogue, normalise_package};
use crate::matcher::Hit;
use crate::model::{Evidence, Tier};
use crate::read::Origin;

/// Example, tutorial, sample and demo trees: in a repository that defines a package they
/// document the library rather than operate an ML system.
/// Also a folder whose name starts with such a word (`sample_pipelines`, `example-flows`).
pub(crate) fn is_example_path(rel: &str) -> bool {
    let word = |w: &str| {
        matches!(
            w,
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
    };
    rel.split('/').rev().skip(1).any(|dir| {
        // The first word only: a package named `kedro_mlflow_tutorial` is the project's own.
        let dir = dir.to_ascii_lowercase();
        word(dir.split(['_', '-']).next().unwrap_or(""))
    })
}

/// When this repository *is* one of the ML tools ripen's rules detect (it defines the package
/// a rule names as `framework`), any evidence inside that package's own source describes the
/// tool's internals (evidently fits classifiers to measure drift), not an ML system in use.
pub(crate) fn own_tool_package<'a>(
    cat: &Catalogue,
    project: &'a ProjectFacts,
    rel: &str,
) -> Option<&'a str> {
    project.package_dirs.iter().find_map(|(pkg, dirs)| {
        let inside = dirs.iter().any(|dir| {
            rel.strip_prefix(dir.as_str())
                .is_some_and(|r| r.starts_with('/'))
        });
        (inside && cat.is_framework(pkg) && project.defines(pkg)).then_some(pkg.as_str())
    })
}

/// Whether every hit in `rel`, whatever its rule, tier or line, gives only a mention under
/// these project facts: the file is in the source of an ML tool this repository defines, or
/// an example of a library.
pub(crate) fn lowers_every_hit(cat: &Catalogue, project: &ProjectFacts, rel: &str) -> bool {
    HitReader::new(cat, project, rel, crate::read::origin_of(rel)).lowers_every_hit()
}

/// Whether no hit of these rules (`candidates`, indices into the catalogue) in `rel` can give
/// more than a mention, whatever the project: the file is prose and each rule is of the
/// `mentioned` tier or of a capability where prose does not count.
pub(crate) fn no_hit_can_count(cat: &Catalogue, rel: &str, candidates: &[usize]) -> bool {
    crate::read::origin_of(rel) == Origin::Prose
        && candidates
            .iter()
            .all(|&r| cat.rules[r].tier <= Tier::Mentioned || !prose_counts(cat, &cat.rules[r]))
}

/// Whether the rule's capability counts what prose says (model cards, decision records).
pub(crate) fn prose_counts(cat: &Catalogue, rule: &crate::catalogue::Rule) -> bool {
    cat.capability(&rule.capability)
        .is_some_and(|c| c.prose_counts)
}

/// Cleans the hits' snippets ([`clean_snippet`]) where the file is scanned: once per file, in
/// parallel, not at every assembly of a tree that holds it. [`from_hits`] expects clean hits.
pub(crate) fn clean_hits(hits: &mut [crate::matcher::Hit]) {
    for h in hits {
        if let Some(s) = &mut h.snippet {
            *s = clean_snippet(s);
        }
        for f in h.facets.iter_mut() {
            if let std::borrow::Cow::Owned(r) = redact::redact(f) {
                *f = r;
            }
        }
    }
}

/// Why a hit gives only `mentioned` evidence although its rule is of a higher tier.
pub(crate) enum Mention<'a> {
    Prose,
    Comment,
    OwnFramework(&'a str),
    OwnTool(&'a str),
    LibraryExample,
}

impl Mention<'_> {
    pub(crate) fn note(&self) -> String {
        match self {
            Mention::Prose => "prose only mentions".into(),
            Mention::Comment => "only in a comment or a printed message".into(),
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
pub(crate) struct HitReader<'a> {
    pub(crate) cat: &'a Catalogue,
    pub(crate) project: &'a ProjectFacts,
    pub(crate) rel: &'a str,
    pub(crate) origin: Origin,
    pub(crate) tool: Option<&'a str>,
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
    pub(crate) fn mention(&self, h: &Hit) -> Option<Mention<'a>> {
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
            && self.project.defines(&normalise_package(fw))
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

    /// An example of a library: in a repository that declares a distribution, under a folder
    /// named for examples, unless that folder is a package the repository declares itself
    /// (`src/demo_sentiment_analysis/`, a Kedro project named `demo-sentiment-analysis`).
    pub(crate) fn library_example(&self) -> bool {
        self.project.declares_distribution
            && is_example_path(self.rel)
            && !self
                .rel
                .split('/')
                .any(|dir| self.project.own_packages.contains(&normalise_package(dir)))
    }

    /// Whether every hit of the file is lowered, whatever its rule or line ([`Mention::OwnTool`],
    /// [`Mention::LibraryExample`]).
    pub(crate) fn lowers_every_hit(&self) -> bool {
        self.tool.is_some() || self.library_example()
    }

    /// Whether the hit's evidence is only `mentioned`, by its rule's tier or lowered.
    pub(crate) fn only_mentions(&self, h: &Hit) -> bool {
        self.cat.rules[h.rule].tier <= Tier::Mentioned || self.mention(h).is_some()
    }

    /// The evidence record of a hit (its snippet cleaned by [`clean_hits`]).
    pub(crate) fn evidence(&self, h: &Hit) -> Evidence {
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
            repository_rule: rule.repository,
        }
    }
}

/// Evidence records for the hits of one document (snippets cleaned by [`clean_hits`]).
pub(crate) fn from_hits(
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
    use crate::evidence::redact::SNIPPET_MAX;

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
        // Folders named for samples with a qualifier, before or after.
        assert!(is_example_path("sample_pipelines/lightgbm/flow.py"));
        assert!(is_example_path("docs/example-flows/run.py"));
        assert!(!is_example_path(
            "src/kedro_mlflow_tutorial/pipelines/nodes.py"
        ));
        assert!(!is_example_path("src/resampled_data/load.py"));
        assert!(!is_example_path("src/demographics/features.py"));
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
        let mut f = ProjectFacts::from_path("src/my-pkg/__init__.py");
        assert!(f.package_dirs.contains_key("my_pkg"));
        assert!(!f.defines("my_pkg"));
        f.absorb(ProjectFacts::from_path("src/my-pkg/core.py"));
        assert!(f.defines("my_pkg"));
        assert!(
            ProjectFacts::from_path("a/b/c/__init__.py")
                .package_dirs
                .is_empty()
        );
        // Distributions in folders of their own may share a package: each folder is its source.
        let mut sdk = ProjectFacts::from_path("sagemaker-core/src/sagemaker/__init__.py");
        sdk.absorb(ProjectFacts::from_path(
            "sagemaker-train/src/sagemaker/__init__.py",
        ));
        assert_eq!(sdk.package_dirs["sagemaker"].len(), 2);
        // A folder of DAGs with an `__init__.py` is no source of the tool it is named after.
        let mut dags = ProjectFacts::from_path("airflow/__init__.py");
        dags.absorb(ProjectFacts::from_path("airflow/dags/__init__.py"));
        dags.absorb(ProjectFacts::from_path("airflow/dags/retrain.py"));
        assert!(!dags.defines("airflow"));
    }
}
