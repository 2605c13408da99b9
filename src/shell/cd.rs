//! `cd`: where the commands after it run. Every `cd` ripen follows is read here.
//!
//! Two places hold a working directory, in two conventions:
//! - inside one command line (`cd ml && python train.py`), the directory of the commands after
//!   it, relative to where the line runs ([`within_line`]);
//! - across the lines of one CI shell block (`run: |`), a `cd DIR` alone on its line moves the
//!   lines after it: there the directory is a command's `cwd`, where `/x` is relative to the
//!   repository root and a `$VARIABLE` is kept for the CI file's reader to resolve from its
//!   variables; one nothing resolves is known only up to the variable ([`block_line`],
//!   [`known`]).

/// The directory after `cd dir` within a command line that runs in `cwd` (None: where the line
/// runs).
pub(crate) fn within_line(cwd: Option<&str>, dir: &str) -> Option<String> {
    let d = dir.trim_start_matches("./").trim_end_matches('/');
    match (cwd, d) {
        (_, "" | "." | "~" | "-") => None,
        (Some(c), d) if !d.starts_with('/') => Some(format!("{c}/{d}")),
        (_, d) => Some(d.trim_start_matches('/').to_string()),
    }
}

/// The working directory of the lines after `line` in a shell block whose lines so far run in
/// `cwd`: changed only by a `cd DIR` alone on the line (`cd DIR && cmd` is read within its line).
pub(crate) fn block_line(cwd: Option<&str>, line: &str) -> Option<String> {
    let Some(dir) = standalone(line) else {
        return cwd.map(str::to_string);
    };
    let dir = dir.as_str();
    // The checkout's root named by its CI variable (`cd $GITHUB_WORKSPACE/ml`): from the root.
    let dir = match WORKSPACE.iter().find_map(|w| dir.strip_prefix(w)) {
        Some("") => "",
        Some(rest) if rest.starts_with('/') => rest,
        _ => dir,
    };
    match (cwd, dir) {
        (_, "" | "." | "~" | "-" | "/") => None,
        // A variable (`cd ${PROJECT_NAME}/`, `cd ${{ env.ML_DIR }}`) is kept for the reader
        // that knows its value (a CI file's variables, a workflow's expressions) to resolve; a
        // shell variable stands for a whole directory (`$HOME`, a project folder), not one
        // below the current.
        (Some(c), d) if !d.starts_with('/') && (!d.starts_with('$') || d.starts_with("${{")) => {
            Some(format!("{}/{}", c.trim_end_matches('/'), d))
        }
        (_, d) => Some(d.to_string()),
    }
}

/// The working directory after a whole shell block (the items of a GitLab `script:`, a
/// Travis phase) that started in `cwd`: each `cd DIR` alone on its line moves it.
pub(crate) fn after_block(cwd: Option<&str>, block: &str) -> Option<String> {
    let mut now = cwd.map(str::to_string);
    for (_, l) in crate::shell::logical_lines(block) {
        now = block_line(now.as_deref(), &l);
    }
    now
}

/// CI variables holding the checkout's root, as a `cd` writes them.
const WORKSPACE: &[&str] = &[
    "$GITHUB_WORKSPACE",
    "${GITHUB_WORKSPACE}",
    "${{ github.workspace }}",
    "$CI_PROJECT_DIR",
    "${CI_PROJECT_DIR}",
    "$BITBUCKET_CLONE_DIR",
    "${BITBUCKET_CLONE_DIR}",
    "$CIRCLE_WORKING_DIRECTORY",
    "$(Build.SourcesDirectory)",
    "$(System.DefaultWorkingDirectory)",
];

/// The part of a block's directory that is known: a `cd ${{ ... }}` kept for a reader that
/// resolves expressions (GitHub Actions) is, where nothing resolved it (an expression with no
/// value, another system's template parameter), the directory as it was before that `cd`.
pub(crate) fn known(cwd: &str) -> Option<String> {
    match cwd.find('$') {
        Some(at) => Some(cwd[..at].trim_end_matches('/').to_string()).filter(|p| !p.is_empty()),
        None => Some(cwd.to_string()),
    }
}

/// `cd DIR` alone on a line (not `cd DIR && cmd`).
fn standalone(line: &str) -> Option<String> {
    let t = line.trim();
    let rest = t.strip_prefix("cd ")?.trim();
    // The spaces inside `${{ ... }}` do not split the word.
    let outside: String = rest
        .split("${{")
        .enumerate()
        .map(|(i, part)| {
            if i == 0 {
                part
            } else {
                part.split_once("}}").map_or(part, |(_, after)| after)
            }
        })
        .collect();
    if rest.is_empty() || outside.contains(['&', ';', '|', ' ']) {
        return None;
    }
    // One word: its quotes are removed, wherever they stand (`cd ./"ML Demo"` has a space and
    // is left; `cd ./"ml-demo"` is `ml-demo`).
    Some(
        rest.replace(['"', '\''], "")
            .trim_start_matches("./")
            .trim_end_matches('/')
            .to_string(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A quoted part of the directory's word is the same directory (`cd ./"ml-demo"`).
    #[test]
    fn quotes_inside_the_word_are_removed() {
        assert_eq!(
            block_line(None, "cd ./\"Github-ML-Demo\""),
            Some("Github-ML-Demo".into())
        );
        assert_eq!(block_line(Some("a"), "cd 'b'/c/"), Some("a/b/c".into()));
    }

    #[test]
    fn within_a_line_and_across_a_block() {
        assert_eq!(within_line(None, "./ml/"), Some("ml".into()));
        assert_eq!(within_line(Some("ml"), "src"), Some("ml/src".into()));
        assert_eq!(within_line(Some("ml"), "/abs"), Some("abs".into()));
        assert_eq!(within_line(Some("ml"), "~"), None);
        assert_eq!(block_line(None, "cd ml"), Some("ml".into()));
        assert_eq!(block_line(Some("/ml"), "cd src"), Some("/ml/src".into()));
        assert_eq!(block_line(Some("/ml"), "cd $HOME"), Some("$HOME".into()));
        assert_eq!(known("$HOME"), None);
        assert_eq!(
            block_line(None, "cd ${PROJECT}/"),
            Some("${PROJECT}".into())
        );
        assert_eq!(block_line(Some("/ml"), "cd $GITHUB_WORKSPACE"), None);
        assert_eq!(
            block_line(Some("/ml"), "cd $GITHUB_WORKSPACE/training"),
            Some("/training".into())
        );
        assert_eq!(
            block_line(None, "cd $CI_PROJECT_DIR/ml"),
            Some("/ml".into())
        );
        assert_eq!(block_line(Some("/ml"), "cd x && make"), Some("/ml".into()));
        assert_eq!(block_line(None, "python train.py"), None);
        assert_eq!(
            block_line(None, "cd ${{ env.ML_DIR }}"),
            Some("${{ env.ML_DIR }}".into())
        );
        assert_eq!(block_line(None, "cd ${{ env.ML_DIR }} && make"), None);
        assert_eq!(known("ml/${{ parameters.dir }}"), Some("ml".into()));
        assert_eq!(known("${{ parameters.dir }}"), None);
        assert_eq!(known("ml/src"), Some("ml/src".into()));
    }
}
