//! Secrets never leave a scan: snippets and the command text of chains are capped and have
//! anything that looks like a credential replaced by `***`.

use regex::Regex;
use std::sync::LazyLock;

pub(crate) const SNIPPET_MAX: usize = 160;

/// Caps a snippet's length and hides values that look like secrets: reports (SARIF, job
/// summaries, chains) are shared. Applied to evidence snippets and, in `scan`, to the command
/// text of automation chains.
pub(crate) fn clean_snippet(s: &str) -> String {
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
