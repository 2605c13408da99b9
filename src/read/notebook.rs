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
