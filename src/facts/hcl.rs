//! Terraform (HCL) files cut into their top-level `resource "TYPE" "NAME" { ... }` blocks, with
//! their lines, so that each resource's attributes and nested blocks can be read on their own.
//! Not a parser: braces are matched outside strings, comments and heredocs, which is all the
//! readers of `ci::orchestrators::terraform` need.

use regex::Regex;
use std::sync::LazyLock;

/// One top-level resource block.
#[derive(Debug)]
pub(crate) struct Block<'a> {
    pub(crate) kind: &'a str,
    pub(crate) name: &'a str,
    /// Byte offsets of the header's start and of the body (inside the braces).
    pub(crate) start: usize,
    pub(crate) body_start: usize,
    pub(crate) body: &'a str,
}

/// Every `resource` block of the file, in order. A block whose braces do not close runs to the
/// end of the file.
pub(crate) fn resources(text: &str) -> Vec<Block<'_>> {
    static HEAD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^[ \t]*resource[ \t]+"([\w-]+)"[ \t]+"([\w-]+)"[ \t]*\{"#)
            .expect("hcl resource header")
    });
    let mut out = Vec::new();
    let mut from = 0;
    while let Some(c) = HEAD.captures_at(text, from) {
        let all = c.get(0).expect("match");
        let body_start = all.end();
        let body_end = close(text, body_start);
        out.push(Block {
            kind: c.get(1).expect("type").as_str(),
            name: c.get(2).expect("name").as_str(),
            start: all.start(),
            body_start,
            body: &text[body_start..body_end],
        });
        from = (body_end + 1).min(text.len()).max(body_start);
        if from >= text.len() {
            break;
        }
    }
    out
}

/// The offset of the `}` closing a block whose body starts at `i` (or the end of the text).
fn close(text: &str, mut i: usize) -> usize {
    let b = text.as_bytes();
    let mut depth = 1usize;
    while i < b.len() {
        match b[i] {
            b'"' => i = skip_string(b, i + 1),
            b'#' => i = skip_line(b, i),
            b'/' if b.get(i + 1) == Some(&b'/') => i = skip_line(b, i),
            b'/' if b.get(i + 1) == Some(&b'*') => {
                i = text[i + 2..]
                    .find("*/")
                    .map(|p| i + 2 + p + 2)
                    .unwrap_or(b.len());
            }
            b'<' if b.get(i + 1) == Some(&b'<') => i = skip_heredoc(text, i),
            b'{' => {
                depth += 1;
                i += 1;
            }
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    b.len()
}

fn skip_line(b: &[u8], i: usize) -> usize {
    memchr::memchr(b'\n', &b[i..])
        .map(|p| i + p + 1)
        .unwrap_or(b.len())
}

/// Past the closing quote of a string opened before `i`; `${ ... }` interpolations may hold
/// quotes of their own.
fn skip_string(b: &[u8], mut i: usize) -> usize {
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            b'\n' => return i + 1,
            b'$' if b.get(i + 1) == Some(&b'{') => {
                let mut depth = 0usize;
                while i < b.len() {
                    match b[i] {
                        b'{' => depth += 1,
                        b'}' => {
                            depth -= 1;
                            if depth == 0 {
                                break;
                            }
                        }
                        b'\n' => break,
                        _ => {}
                    }
                    i += 1;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    b.len()
}

/// Past a heredoc (`<<EOF` / `<<-EOF` up to the line holding only the marker).
fn skip_heredoc(text: &str, i: usize) -> usize {
    static HEREDOC: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"^<<-?([A-Za-z_]\w*)[ \t]*\r?\n").expect("heredoc"));
    let Some(c) = HEREDOC.captures(&text[i..]) else {
        return i + 2;
    };
    let marker = c.get(1).expect("marker").as_str();
    let mut pos = i + c.get(0).expect("match").end();
    while pos < text.len() {
        let end = text[pos..]
            .find('\n')
            .map(|p| pos + p)
            .unwrap_or(text.len());
        if text[pos..end].trim() == marker {
            return end;
        }
        pos = end + 1;
    }
    text.len()
}

/// The heredocs of an attribute `key = <<EOF ... EOF` in `body`: (offset of the first line of
/// the text in `body`, the text).
pub(crate) fn heredoc<'a>(body: &'a str, key: &str) -> Option<(usize, &'a str)> {
    let re = Regex::new(&format!(
        r"(?m)^[ \t]*{}[ \t]*=[ \t]*<<-?([A-Za-z_]\w*)[ \t]*\r?\n",
        regex::escape(key)
    ))
    .ok()?;
    let c = re.captures(body)?;
    let marker = c.get(1)?.as_str();
    let start = c.get(0)?.end();
    let mut pos = start;
    while pos < body.len() {
        let end = body[pos..]
            .find('\n')
            .map(|p| pos + p)
            .unwrap_or(body.len());
        if body[pos..end].trim() == marker {
            return Some((start, &body[start..pos]));
        }
        pos = end + 1;
    }
    Some((start, &body[start..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_close_outside_strings_heredocs_and_comments() {
        let text = "resource \"a\" \"x\" {\n  s = \"}${var.y}\"\n  # }\n  h = <<EOF\n}\nEOF\n  n { k = 1 }\n}\nresource \"b\" \"y\" {\n}\n";
        let r = resources(text);
        assert_eq!(r.len(), 2);
        assert_eq!((r[0].kind, r[0].name), ("a", "x"));
        assert!(r[0].body.contains("n { k = 1 }"));
        assert_eq!((r[1].kind, r[1].name), ("b", "y"));
        let (_, h) = heredoc(r[0].body, "h").expect("heredoc");
        assert_eq!(h, "}\n");
    }
}
