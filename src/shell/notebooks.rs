//! Commands that run notebooks and literate documents: Jupyter, Jupytext, Quarto and R
//! Markdown.

use super::classify::{files, positional};
use crate::shell::Action;
use regex::Regex;
use std::sync::LazyLock;

/// `jupytext --execute NB` runs the notebook; `jupytext --to py NB` only converts it (the
/// script it writes is read as the notebook where it runs: `graph::resolve`).
pub(super) fn jupytext(args: &[String]) -> Option<Action> {
    if !args.iter().any(|a| a == "--execute") {
        return None;
    }
    let paths: Vec<String> = args
        .iter()
        .filter(|a| a.ends_with(".ipynb") || a.ends_with(".md") || a.ends_with(".py"))
        .cloned()
        .collect();
    files(paths)
}

/// `quarto render DOC`: rendering a Quarto or R Markdown document (or a notebook) runs its
/// code chunks (as does `Rscript -e "rmarkdown::render(...)"`: [`r_expression`]).
pub(super) fn literate(args: &[String]) -> Option<Action> {
    let paths: Vec<String> = positional(args)
        .into_iter()
        .filter(|a| crate::read::is_literate(a) || a.ends_with(".ipynb"))
        .collect();
    files(paths)
}

/// `Rscript -e "rmarkdown::render('report.Rmd')"`: the documents an R expression renders and
/// the scripts it sources.
pub(super) fn r_expression(args: &[String]) -> Option<Action> {
    static CALL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\b(?:rmarkdown::render|quarto::quarto_render|quarto_render|render|source)\(\s*["']([^"']+)["']"#)
            .expect("R render call")
    });
    let paths = args
        .iter()
        .flat_map(|a| CALL.captures_iter(a).map(|c| c[1].to_string()))
        .collect();
    files(paths)
}

/// `jupyter nbconvert --execute NB`, `jupyter execute NB`.
pub(super) fn jupyter(args: &[String]) -> Option<Action> {
    if args[0] == "nbconvert" && !args.iter().any(|a| a == "--execute") {
        return None;
    }
    let paths: Vec<String> = positional(&args[1..])
        .into_iter()
        .filter(|a| a.ends_with(".ipynb"))
        .collect();
    files(paths)
}
