//! `ripen history` and `ripen diff`.

use crate::catalogue::Catalogue;
use crate::cli::args::{DiffArgs, HistoryArgs, TreeArgs};
use crate::cli::options::{Flags, options, unfollowed_git_dir};
use crate::cli::scan::{Chosen, choose_root};
use crate::cli::{error, note, out};
use crate::pipeline::history::{self, HistoryOptions};
use crate::pipeline::{ScanOptions, diff};
use crate::render;
use crate::render::diff::DiffFormat;
use crate::render::history::HistoryFormat;
use std::path::Path;

/// The root to read (`path`, or with `--enclosing-repo` the repository it lies in), and the
/// catalogue and scan options for it, from its config and the command line, as `scan` makes
/// them ([`options`]: the same trust, the same waiver limit, the same scope). A `.git` file or
/// link that leads outside the root is refused unless `--follow-git-file`: history and diff
/// read nothing but the git directory.
pub(crate) fn prepare(path: &Path, t: &TreeArgs) -> Result<(Chosen, Catalogue, ScanOptions), i32> {
    let chosen = choose_root(path, t.enclosing_repo, t.config.as_deref());
    let root = chosen.root.as_path();
    if let Some(why) = unfollowed_git_dir(root, t.trust.follow_git_file) {
        return Err(error(format!("{}: {why}", root.display())));
    }
    let flags = Flags {
        config: t.config.as_deref(),
        rules: &t.rules,
        exclude: &t.exclude,
        max_file_size: t.max_file_size,
        no_attestations: false,
        per_project: false,
        trust: &t.trust,
    };
    let (_, cat, mut opts) = options(root, &flags).map_err(error)?;
    opts.scope = chosen.scope.clone();
    Ok((chosen, cat, opts))
}

pub(crate) fn history_cmd(a: HistoryArgs) -> i32 {
    if !a.path.is_dir() {
        return error(format!("{}: not a directory", a.path.display()));
    }
    if a.max_commits == 0 {
        return error("--max-commits must be at least 1");
    }
    let (chosen, cat, opts) = match prepare(&a.path, &a.tree) {
        Ok(x) => x,
        Err(code) => return code,
    };
    let hopts = HistoryOptions {
        max_commits: a.max_commits,
        since: a.since,
        first_parent: !a.all_commits,
        rev: a.rev.clone(),
    };
    match history::history(&chosen.root, &cat, &opts, &hopts) {
        Ok(mut h) => {
            h.warnings.extend(chosen.said);
            if a.format != HistoryFormat::Text {
                for w in &h.warnings {
                    note(w);
                }
            }
            if a.format == HistoryFormat::Json {
                // Streamed: thousands of commits never sit in memory as one string.
                let stdout = std::io::stdout();
                let mut w = std::io::BufWriter::new(stdout.lock());
                if let Err(e) = render::history::write_json(&h, &mut w)
                    .and_then(|()| std::io::Write::flush(&mut w))
                {
                    return error(format!("cannot write the history: {e}"));
                }
            } else {
                out(&render::history::render(&h, a.format));
            }
            0
        }
        Err(e) => error(e),
    }
}

pub(crate) fn diff_cmd(a: DiffArgs) -> i32 {
    if !a.path.is_dir() {
        return error(format!("{}: not a directory", a.path.display()));
    }
    let (chosen, cat, opts) = match prepare(&a.path, &a.tree) {
        Ok(x) => x,
        Err(code) => return code,
    };
    match diff::diff(&chosen.root, &cat, &opts, &a.base, a.head.as_deref()) {
        Ok(mut d) => {
            d.warnings.extend(chosen.said);
            if a.format != DiffFormat::Text {
                for w in &d.warnings {
                    note(w);
                }
            }
            out(&render::diff::render(&d, a.format));
            if a.fail_on_regression && d.regression {
                1
            } else {
                0
            }
        }
        Err(e) => error(e),
    }
}
