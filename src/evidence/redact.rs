//! Secrets never leave a scan: snippets, the command text of chains and unresolved commands
//! are capped and have anything that looks like a credential replaced by `***`, before any
//! renderer sees them.
//!
//! What looks like a credential is data, in `rules/secrets/`: the token formats of gitleaks'
//! default rule set (`gitleaks.toml`, MIT, attributed there) and ripen's keyword-value forms
//! (`ripen.toml`). A rule's first capture group that matched is replaced (the whole match when
//! none did), so `password: ***` keeps its key and `https://user:***@host` its user.

use aho_corasick::AhoCorasick;
use regex::{Captures, Regex, RegexBuilder, RegexSet, RegexSetBuilder};
use serde::Deserialize;
use std::borrow::Cow;
use std::sync::{LazyLock, OnceLock};

pub(crate) const SNIPPET_MAX: usize = 160;

/// The secret rule files, as built into the binary: `(path, TOML text)`.
pub(crate) const SOURCES: &[(&str, &str)] = &[
    (
        "rules/secrets/gitleaks.toml",
        include_str!("../../rules/secrets/gitleaks.toml"),
    ),
    (
        "rules/secrets/ripen.toml",
        include_str!("../../rules/secrets/ripen.toml"),
    ),
];

#[derive(Deserialize)]
struct SecretsFile {
    rules: Vec<SecretDef>,
}

/// One secret shape, in gitleaks' layout. As in gitleaks, a rule with `keywords` applies only
/// to text that contains one of them (any case): some patterns (a bare 40-digit hex of
/// `sourcegraph-access-token`) are secrets only beside their keyword.
#[derive(Deserialize)]
#[allow(dead_code)]
struct SecretDef {
    id: String,
    #[serde(default)]
    description: String,
    regex: String,
    #[serde(default)]
    keywords: Vec<String>,
}

pub(crate) struct Secrets {
    pub(crate) rules: Vec<SecretRule>,
    /// The rules without keywords (ripen's), matched together.
    always: RegexSet,
    /// Which rule each entry of `always` is.
    always_rules: Vec<usize>,
    /// Every keyword, ASCII case-insensitive, and the rule it belongs to: a rule with keywords
    /// is compiled and run only on text that holds one.
    keywords: AhoCorasick,
    keyword_rules: Vec<usize>,
}

pub(crate) struct SecretRule {
    /// Named in test failures.
    #[allow(dead_code)]
    pub(crate) id: String,
    pattern: String,
    /// Compiled on first use: most of gitleaks' rules never meet their keyword.
    re: OnceLock<Regex>,
}

impl SecretRule {
    pub(crate) fn regex(&self) -> Result<Regex, regex::Error> {
        RegexBuilder::new(&self.pattern)
            .size_limit(SIZE_LIMIT)
            .build()
    }
    fn compiled(&self) -> &Regex {
        self.re
            .get_or_init(|| self.regex().expect("secret rules are checked by a test"))
    }
}

const SIZE_LIMIT: usize = 64 << 20;

/// Parses `sources`, compiling the keyword-less rules; the others compile on first use (a
/// test compiles every one).
pub(crate) fn compile(sources: &[(&str, &str)]) -> Result<Secrets, String> {
    let mut rules = Vec::new();
    let (mut always, mut always_rules) = (Vec::new(), Vec::new());
    let (mut keywords, mut keyword_rules) = (Vec::new(), Vec::new());
    for (path, text) in sources {
        let file: SecretsFile = toml::from_str(text).map_err(|e| format!("{path}: {e}"))?;
        for d in file.rules {
            let i = rules.len();
            if d.keywords.is_empty() {
                always.push(d.regex.clone());
                always_rules.push(i);
            }
            for k in &d.keywords {
                keywords.push(k.to_lowercase());
                keyword_rules.push(i);
            }
            rules.push(SecretRule {
                id: d.id,
                pattern: d.regex,
                re: OnceLock::new(),
            });
        }
    }
    let always = RegexSetBuilder::new(&always)
        .size_limit(SIZE_LIMIT)
        .build()
        .map_err(|e| format!("secret rules: {e}"))?;
    let keywords = AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(&keywords)
        .map_err(|e| format!("secret keywords: {e}"))?;
    Ok(Secrets {
        rules,
        always,
        always_rules,
        keywords,
        keyword_rules,
    })
}

pub(crate) static SECRETS: LazyLock<Secrets> =
    LazyLock::new(|| compile(SOURCES).expect("the built-in secret rules compile"));

/// `s` with every secret the rules find replaced by `***`.
pub(crate) fn redact(s: &str) -> Cow<'_, str> {
    let sec = &*SECRETS;
    let mut candidates: Vec<usize> = sec
        .always
        .matches(s)
        .iter()
        .map(|i| sec.always_rules[i])
        .collect();
    candidates.extend(
        sec.keywords
            .find_overlapping_iter(s)
            .map(|m| sec.keyword_rules[m.pattern().as_usize()]),
    );
    if candidates.is_empty() {
        return Cow::Borrowed(s);
    }
    candidates.sort_unstable();
    candidates.dedup();
    let mut out = s.to_string();
    for i in candidates {
        if let Cow::Owned(o) = sec.rules[i]
            .compiled()
            .replace_all(&out, |c: &Captures| hide(c))
        {
            out = o;
        }
    }
    Cow::Owned(out)
}

/// The match with its first participating group (else all of it) replaced by `***`.
fn hide(c: &Captures) -> String {
    let whole = c.get(0).expect("group 0");
    match (1..c.len()).find_map(|i| c.get(i)) {
        Some(g) => {
            let text = whole.as_str();
            let (a, b) = (g.start() - whole.start(), g.end() - whole.start());
            format!("{}***{}", &text[..a], &text[b..])
        }
        None => "***".to_string(),
    }
}

/// Caps a snippet's length and hides values that look like secrets: reports (SARIF, job
/// summaries, chains) are shared. Applied to evidence snippets, the command text of automation
/// chains and unresolved commands. Redaction comes first: a cut could split a secret so that
/// no rule recognises its remains.
pub(crate) fn clean_snippet(s: &str) -> String {
    let red = redact(s);
    let mut out: String = red.chars().take(SNIPPET_MAX).collect();
    if red.chars().count() > SNIPPET_MAX {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_compiles_and_ids_are_unique() {
        let s = compile(SOURCES).unwrap();
        assert!(s.rules.len() > 100, "{}", s.rules.len());
        for r in &s.rules {
            r.regex().unwrap_or_else(|e| panic!("{}: {e}", r.id));
        }
        let mut ids: Vec<&str> = s.rules.iter().map(|r| r.id.as_str()).collect();
        ids.sort();
        let n = ids.len();
        ids.dedup();
        assert_eq!(ids.len(), n, "duplicate secret rule ids");
    }

    #[test]
    fn the_issue_s_shapes_are_hidden() {
        let cases = [
            (
                "aws configure set aws_secret_access_key wJalrXUtnFEMIK7MDENGbPxRfiCY",
                "wJalrX",
            ),
            (
                "dvc remote modify store secret_access_key Zq9sT4kLmN2pQ8rX",
                "Zq9sT4",
            ),
            ("docker login -u me -p S3cr3tPassw0rd registry.io", "S3cr3t"),
            (
                "az login --service-principal -u id -p Zx81_pass --tenant t",
                "Zx81_",
            ),
            ("sshpass -p hunter22 ssh host", "hunter22"),
            ("python train.py --api_key q1w2e3r4t5y6", "q1w2e3"),
            ("python train.py --wandb-api-key q1w2e3r4t5y6", "q1w2e3"),
            ("curl -u admin:pa55w0rdX https://x", "pa55w0rd"),
            ("KAGGLE_KEY=0123abcd0123abcd0123", "0123abcd"),
            (
                "git push https://oauth2:glpat-AbCdEfGhIjKlMnOpQrSt@gitlab.com/x",
                "glpat-AbCd",
            ),
            ("os.environ[\"WANDB_API_KEY\"] = \"4f2a9c0d1e7b\"", "4f2a9c"),
            ("wandb.login(key=\"4f2a9c0d1e7b\")", "4f2a9c"),
            (
                "git clone https://ghtoken1234567@github.com/o/r",
                "ghtoken1234567",
            ),
            ("DB_PASSWORD=abc;secretpart", "secretpart"),
            (
                "export DATABRICKS_HOST=x dapi0123456789abcdef0123456789abcdef",
                "dapi0123",
            ),
            ("run --password \"a b c\"", "b c"),
        ];
        for (input, secret) in cases {
            let out = clean_snippet(input);
            assert!(!out.contains(secret), "{input} -> {out}");
            assert!(out.contains("***"), "{input} -> {out}");
        }
    }

    #[test]
    fn ordinary_text_stays_readable() {
        for s in [
            "python -m pip install -r requirements.txt",
            "docker run -p 8080:80 image:latest",
            "mkdir -p out && python train.py --epochs 3",
            "password: ${{ secrets.DB_PASSWORD }}",
            "token: ${{ secrets.GITHUB_TOKEN }}",
            "docker login --password-stdin registry.io",
            "image: python@sha256:4f53d1b3a8bb0e1bba0f1b6f3e4d4a9c0a2e8b4e9c1f0d7b2a6e5c3d9f8a7b6c",
            "run_id = 123e4567-e89b-12d3-a456-426614174000",
            "git checkout 9fceb02d0ae598e95dc970b74767f19372d61af8",
            "commit 9fceb02d0ae598e95dc970b74767f19372d61af8",
            "md5: d41d8cd98f00b204e9800998ecf8427e",
        ] {
            assert_eq!(clean_snippet(s), s);
        }
    }
}
