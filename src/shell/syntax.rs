//! Shell scripts that cannot parse: a compound command opened and never closed (`if` without
//! `fi`, a loop's `do` without `done`, `case` without `esac`) or closed without being opened.
//! Bash reads a script command by command, so what comes before runs; at the broken compound
//! it stops with a syntax error, and nothing from there on runs.

/// Why a job stops at a script that cannot parse: the shell fails the step there.
pub const BROKEN_SCRIPT: &str = "from a script that cannot parse (an `if`, `case` or loop never closed, or closed without being opened): bash stops there with a syntax error";

/// The index (from 0) of the line where the script stops parsing, if it does: the opener that
/// is never closed, or a closer with nothing open.
pub(crate) fn broken_at(script: &str) -> Option<usize> {
    let mut open: Vec<(&'static str, usize)> = Vec::new();
    let mut heredoc: Option<String> = None;
    for (i, line) in super::logical_lines(script) {
        if let Some(end) = &heredoc {
            if line.trim() == end {
                heredoc = None;
            }
            continue;
        }
        heredoc = heredoc_delimiter(&line);
        for part in super::lex::split(&line) {
            // The command word, after keywords that lead into it (`then if ...`, `do for ...`).
            let Some(first) = part
                .words
                .iter()
                .find(|w| !matches!(w.as_str(), "then" | "else" | "do" | "!" | "{" | "time"))
            else {
                continue;
            };
            let closes = match first.as_str() {
                "if" => {
                    open.push(("fi", i));
                    None
                }
                "case" => {
                    open.push(("esac", i));
                    None
                }
                "for" | "while" | "until" | "select" => {
                    open.push(("done", i));
                    None
                }
                w @ ("fi" | "esac" | "done") => Some(w),
                _ => None,
            };
            if let Some(w) = closes {
                match open.pop() {
                    Some((want, _)) if want == w => {}
                    _ => return Some(i),
                }
            }
        }
    }
    open.first().map(|(_, i)| *i)
}

/// The delimiter of a here-document the line opens (`cat <<EOF`, `<<-'END'`), if any.
fn heredoc_delimiter(line: &str) -> Option<String> {
    let at = line.find("<<")?;
    let rest = line[at + 2..].trim_start_matches('-').trim_start();
    if rest.starts_with('<') {
        return None; // a here-string (`<<<`)
    }
    let word: String = rest
        .trim_start_matches(['\'', '"'])
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    // A delimiter is a word (`EOF`, `END_OF_JOB`); `$((1<<4))` shifts bits.
    word.starts_with(|c: char| c.is_alphabetic() || c == '_')
        .then_some(word)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compounds_that_never_close() {
        let missing_fi =
            "pytest tests\nif [[ \"$REF\" == main ]]; then\n  echo prod\nelse\n  echo staging\n";
        assert_eq!(broken_at(missing_fi), Some(1));
        assert_eq!(broken_at("for f in *.py; do\n  python $f\n"), Some(0));
        assert_eq!(broken_at("echo a\nfi\n"), Some(1));
    }

    #[test]
    fn closed_compounds_parse() {
        for ok in [
            "if [ -f x ]; then echo y; fi",
            "if true\nthen\n  echo a\nelif false; then\n  echo b\nfi\n",
            "for f in *; do echo $f; done\nwhile read l; do\n  echo $l\ndone < list.txt\n",
            "case $ENV in\n  prod) make deploy ;;\n  *) echo skip ;;\nesac\n",
            "cat <<EOF > notes.txt\nif you read this\nEOF\necho done\n",
            "echo 'if' \"fi\"\n",
            "if [ -n \"$X\" ]; then\n  MASK=$((1<<4))\nfi\n",
            "if a; then if b; then c; fi; fi\n",
            "for d in x y; do for f in $d/*; do echo $f; done; done\n",
        ] {
            assert_eq!(broken_at(ok), None, "{ok}");
        }
    }
}
