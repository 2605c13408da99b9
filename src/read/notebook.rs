//! Notebooks reduced to their code cells, with a map back to lines of the `.ipynb` file.

use crate::read::structured;

/// Joins the code cells of a notebook and maps each line back to the `.ipynb` line that holds
/// it. nbformat writes one source line per JSON string, so the escaped line is found by a
/// forward search; where that fails the cell's first line is used.
pub(crate) fn notebook_code(raw: &str) -> Result<(String, Vec<u32>), structured::ParseError> {
    #[derive(serde::Deserialize)]
    struct Nb {
        cells: Vec<Cell>,
    }
    #[derive(serde::Deserialize)]
    struct Cell {
        cell_type: String,
        #[serde(default)]
        source: Source,
    }
    #[derive(serde::Deserialize, Default)]
    #[serde(untagged)]
    enum Source {
        Lines(Vec<String>),
        Text(String),
        #[default]
        None,
    }
    // serde_json stops at 128 levels of nesting (its recursion limit), so a `[[[[...` notebook
    // is an error here, not a stack overflow.
    let nb: Nb = serde_json::from_str(raw).map_err(|e| structured::ParseError {
        line: u32::try_from(e.line()).unwrap_or(0),
        column: u32::try_from(e.column()).unwrap_or(0),
        message: format!("not a notebook: {e}"),
    })?;
    let raw_starts: Vec<usize> = std::iter::once(0)
        .chain(raw.match_indices('\n').map(|(i, _)| i + 1))
        .collect();
    let raw_line = |off: usize| match raw_starts.binary_search(&off) {
        Ok(i) => i as u32 + 1,
        Err(i) => i as u32,
    };
    let mut code = String::new();
    let mut map = Vec::new();
    let mut cursor = 0usize;
    // Bytes the line search may still look at. A line that is not found costs a search to the
    // end of the file, so a notebook whose lines can't be found (one big `source` string, or
    // escapes other than serde_json's) made this quadratic: a 1 MiB notebook of 90,000 such
    // lines hung a scan for minutes. Past the budget, lines map to their cell's line.
    let mut budget = raw.len().saturating_mul(8).max(1 << 20);
    for cell in nb.cells {
        if cell.cell_type != "code" {
            continue;
        }
        let lines: Vec<String> = match cell.source {
            Source::Lines(l) => l.concat().split('\n').map(str::to_string).collect(),
            Source::Text(t) => t.split('\n').map(str::to_string).collect(),
            Source::None => continue,
        };
        let mut cell_line = raw_line(cursor);
        for line in lines {
            let needle = serde_json::to_string(&line).unwrap_or_default();
            let needle = needle.trim_end_matches('"');
            let found = if line.trim().is_empty() || budget == 0 {
                None
            } else {
                let found = raw[cursor..].find(needle).map(|i| cursor + i);
                let cost = found.map_or(raw.len() - cursor, |off| off + needle.len() - cursor);
                budget = budget.saturating_sub(cost.max(1));
                found
            };
            let l = match found {
                Some(off) => {
                    cursor = off + needle.len();
                    cell_line = raw_line(off);
                    cell_line
                }
                None => cell_line,
            };
            code.push_str(&line);
            code.push('\n');
            map.push(l);
        }
        // A blank line between cells keeps one cell's statement from running into the next.
        code.push('\n');
        map.push(cell_line);
    }
    Ok((code, map))
}

/// Whether a path is a literate document whose fenced code chunks run when it is rendered:
/// Quarto (`.qmd`) and R Markdown (`.Rmd`).
pub(crate) fn is_literate(rel: &str) -> bool {
    let lower = rel.to_ascii_lowercase();
    lower.ends_with(".qmd") || lower.ends_with(".rmd")
}

/// The code chunks of a Quarto or R Markdown document (```` ```{python} ````,
/// ```` ```{r label} ```` up to the closing fence), joined, each line mapped to its 1-based
/// line in the file. Prose and display blocks (```` ```python ````, ```` ```{.python} ````, raw
/// ```` ```{=html} ````) are not code, nor are chunks that rendering does not run
/// (`{r eval=FALSE}`, `#| eval: false`).
pub(crate) fn chunk_code(raw: &str) -> (String, Vec<u32>) {
    let mut code = String::new();
    let mut map = Vec::new();
    let mut lines = raw.split('\n').enumerate();
    while let Some((i, line)) = lines.next() {
        let t = line.trim_start();
        let ticks = t.len() - t.trim_start_matches('`').len();
        // An engine's name after the brace (`{python}`, `{r label}`); raw blocks (`{=html}`)
        // and pandoc attributes (`{.python}`) display text and run nothing.
        let after = t[ticks..].trim_start();
        if ticks < 3
            || !after.starts_with('{')
            || !after[1..].starts_with(|c: char| c.is_ascii_alphabetic())
        {
            continue;
        }
        let header = t[ticks..].to_ascii_lowercase().replace(' ', "");
        let mut run = !header.contains("eval=false");
        let mut body = Vec::new();
        for (j, l) in lines.by_ref() {
            let lt = l.trim();
            if lt.len() >= ticks && lt.chars().all(|c| c == '`') {
                break;
            }
            let option = lt
                .strip_prefix("#|")
                .map(|o| o.to_ascii_lowercase().replace(' ', ""));
            if option.as_deref() == Some("eval:false") {
                run = false;
            }
            body.push((j, l));
        }
        if run && !body.is_empty() {
            for (j, l) in body {
                code.push_str(l);
                code.push('\n');
                map.push(j as u32 + 1);
            }
            code.push('\n');
            map.push(i as u32 + 1);
        }
    }
    (code, map)
}
