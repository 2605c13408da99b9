//! Command lines written as Python lists of strings: a container step's `command=["python",
//! "-m", "src.component.train"]` (KFP's `ContainerSpec`, a Kubernetes container built in code)
//! or `subprocess.run(["python", "-m", "pkg.job"])`. The words are the command line the step
//! runs; a list with anything but plain strings in it (a variable, an f-string) is not read.

use crate::model::Command;
use crate::read::Document;
use regex::Regex;
use std::sync::LazyLock;

/// At most this many lists are read from one file.
const MAX_LISTS: usize = 64;

/// The command lines of `doc`'s command lists, at the line where each list starts.
pub(crate) fn list_commands(doc: &Document) -> Vec<Command> {
    static LIST: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^[^#\n]*?(?:\b(?:command|cmd)\s*=\s*|\bsubprocess\.(?:run|call|check_call|check_output|Popen)\(\s*)\[([^\[\]]{1,600})\]")
            .expect("command list")
    });
    LIST.captures_iter(&doc.text)
        .take(MAX_LISTS)
        .filter_map(|c| {
            let m = c.get(1)?;
            let words = plain_strings(m.as_str())?;
            let first = words.first()?;
            let runs = first.starts_with("python")
                || matches!(first.as_str(), "uv" | "poetry" | "bash" | "sh" | "Rscript")
                || first.ends_with(".py")
                || first.ends_with(".sh");
            (runs && words.len() > 1)
                .then(|| Command::run(doc.file_line(doc.line_index(m.start())), words.join(" ")))
        })
        .collect()
}

/// The items of a list body when every one is a plain string literal without spaces.
fn plain_strings(body: &str) -> Option<Vec<String>> {
    body.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            crate::facts::pytasks::plain_literal(s)
                .filter(|w| !w.is_empty() && !w.contains([' ', '{', '$']))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A container step's command list and a subprocess call are command lines; a list with a
    /// variable in it, or of non-commands, is not.
    #[test]
    fn lists_of_words_are_command_lines() {
        let text = r#"spec = ContainerSpec(
    image=image,
    command=["uv", "run", "python", "-m", "src.component.train"],
    args=[f"--out={out.path}"],
)
subprocess.run(["python", "scripts/evaluate.py", "--strict"], check=True)
subprocess.run(["python", script, "--x"])
cmd = ["ls", "-la"]
# command=["python", "-m", "commented.out"]
"#;
        let doc = Document::new("pipeline.py", text.to_string());
        let got: Vec<(u32, String)> = list_commands(&doc)
            .into_iter()
            .map(|c| (c.line, c.text))
            .collect();
        assert_eq!(
            got,
            [
                (3, "uv run python -m src.component.train".to_string()),
                (6, "python scripts/evaluate.py --strict".to_string()),
            ]
        );
    }
}
