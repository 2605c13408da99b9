//! The edges out of a Python file: its imports and the commands its string literals hold, and,
//! run as one of its stages (`python run.py --stage drift`), without the other stages' code.

use crate::graph::Graph;
use crate::graph::edges::STAGE;
use crate::graph::memo::Edge;
use crate::model::FileFacts;
use crate::paths::{join, parent};
use crate::shell::ShellState;

impl Graph<'_> {
    /// The edges of a Python file: its imports and the commands its string literals hold; run
    /// as one of its stages (`sub` is `@stage:NAME`), without the other stages' code.
    pub(crate) fn python_edges(
        &self,
        path: &str,
        sub: Option<&str>,
        facts: &FileFacts,
        out: &mut Vec<Edge>,
    ) {
        let FileFacts::Python {
            imports,
            literals,
            code_dirs,
            sys_paths,
            selectors,
            broken,
            ..
        } = facts
        else {
            return;
        };
        // Python cannot compile it: it imports and runs nothing.
        if broken.is_some() {
            return;
        }
        let skipped = sub
            .and_then(|s| s.strip_prefix(STAGE))
            .map(|k| crate::facts::py_dispatch::excluded(selectors, k))
            .unwrap_or_default();
        let skip = |line: u32| skipped.iter().any(|&(a, b)| a <= line && line <= b);
        let here = parent(path).to_string();
        let mut bases = vec![String::new(), here.clone()];
        bases.extend(sys_paths.iter().filter_map(|p| self.sys_path_dir(p, &here)));
        for (line, m) in imports.iter().filter(|(l, _)| !skip(*l)) {
            if let Some(p) = self.resolve_module(m, path, &bases) {
                out.push(Edge {
                    to: (p, None),
                    via: format!("import {m}"),
                    line: *line,
                    tests: false,
                    tracking_off: false,
                    masked: false,
                });
            }
        }
        let extra: Vec<String> = code_dirs
            .iter()
            .flat_map(|d| [join(&here, d), join("", d)])
            .flatten()
            .collect();
        let mut sink = Vec::new();
        for c in literals.iter().filter(|c| !skip(c.line)) {
            let mut e = Vec::new();
            let mut state = ShellState::default();
            self.command_edges(path, c, &extra, &mut e, &mut sink, &mut state);
            // A literal naming a directory is data, not a program: keep files only
            // (a notebook a job runs, `@workspace:` paths of Databricks tasks).
            out.extend(e.into_iter().filter(|e| {
                c.shell
                    || e.to.0.ends_with(".py")
                    || e.to.0.ends_with(".ipynb")
                    || e.to.0.ends_with(".sh")
                    || e.to.0.ends_with(".yml")
                    || e.to.0.ends_with(".yaml")
                    // The Dockerfile of an image the code runs by name (`@image:trainer`).
                    || c.text.starts_with(crate::facts::dockerfile::IMAGE_REF)
            }));
        }
    }
}
