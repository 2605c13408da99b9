//! Stages read → match → extract for one file, kept as a `FileScan` after its text is dropped
//! (bounded memory). A scan depends only on the file's path and bytes, so callers scanning many
//! trees (git history) cache it by content id.

use crate::catalogue::Catalogue;
use crate::evidence::{self, ProjectFacts};
use crate::matcher::{CrossModule, Hit, Matcher};
use crate::model::FileFacts;
use crate::read::{self, Origin, ReadOutcome};
use std::borrow::Borrow;
use std::sync::Arc;

/// What one file contributed, kept after its text is dropped (bounded memory). It depends only
/// on the file's path and bytes (and [`Rules`]), so callers scanning many trees (git history)
/// can cache it by content id.
#[derive(Clone)]
pub struct FileScan {
    pub rel: String,
    pub(crate) origin: Origin,
    pub(crate) hits: Vec<Hit>,
    /// The rules were not run ([`Rules::UnlessMentionsOnly`]): `hits` is empty because every
    /// hit would have been a mention under the project facts of the time.
    pub(crate) unmatched: bool,
    pub(crate) facts: Option<Arc<FileFacts>>,
    /// CI files: what the file passes other CI files and offers them ([`crate::ci::calls`]).
    pub(crate) calls: Option<Arc<crate::ci::calls::Calls>>,
    /// Python: the training rules this module provides to, or needs from, the modules it
    /// imports ([`CrossModule`]).
    pub(crate) cross: Option<Box<CrossModule>>,
    pub(crate) project: ProjectFacts,
    pub(crate) bytes: u64,
    pub(crate) warning: Option<String>,
    pub(crate) binary: bool,
    /// A YAML or JSON file that was parsed and does not parse: a CI file that includes it (an
    /// Azure Pipelines template) cannot load.
    pub(crate) unparsed: bool,
}

impl FileScan {
    /// Whether the rules were not run on this file ([`Rules::UnlessMentionsOnly`]).
    pub(crate) fn unmatched(&self) -> bool {
        self.unmatched
    }

    /// A file read that gave assembly nothing: no hits, no facts, no project facts, no warning.
    pub(crate) fn found_nothing(&self) -> bool {
        self.hits.is_empty()
            && self.facts.is_none()
            && self.calls.is_none()
            && self.cross.is_none()
            && self.warning.is_none()
            && !self.binary
            && self.project.is_empty()
    }

    /// Whether assembly uses this file whether or not anything reaches it: rule hits (those
    /// a model can count, when read `for_levels`), project facts, CI jobs or Make/DVC targets.
    /// Other facts (imports, commands) count only where a walk of the automation graph arrives.
    pub(crate) fn read_wherever_it_is(&self, for_levels: Option<ForLevels>) -> bool {
        self.hits.iter().any(self.counted(for_levels))
            || self.cross_counted(for_levels).is_some()
            || match for_levels {
                Some(_) => !self.project.is_empty_for_levels(),
                None => !self.project.is_empty(),
            }
            || self.has_jobs_or_targets()
    }

    /// What this module provides to and needs from its imports that can move a level (under
    /// [`ForLevels`], what a hit of the rule here would give more than a mention), if anything.
    pub(crate) fn cross_counted(&self, for_levels: Option<ForLevels>) -> Option<CrossModule> {
        let c = self.cross.as_deref()?;
        let counted = self.counted(for_levels);
        let provides: Vec<usize> = c
            .provides
            .iter()
            .copied()
            .filter(|&rule| {
                counted(&Hit {
                    rule,
                    line: None,
                    comment_only: false,
                    facets: Vec::new(),
                    snippet: None,
                })
            })
            .collect();
        let needs: Vec<Hit> = c.needs.iter().filter(|h| counted(h)).cloned().collect();
        (!provides.is_empty() || !needs.is_empty()).then_some(CrossModule { provides, needs })
    }

    /// Which hits can move a level: all, or under [`ForLevels`] those whose evidence is more
    /// than a mention. Not in CI or Make/DVC files, where a CI mention at an entry file stands
    /// in for the built-in CI evidence.
    pub(crate) fn counted<'s>(
        &'s self,
        for_levels: Option<ForLevels<'s>>,
    ) -> impl Fn(&Hit) -> bool + 's {
        let reader = for_levels
            .filter(|_| !self.has_jobs_or_targets())
            .map(|l| evidence::HitReader::new(l.cat, l.project, &self.rel, self.origin));
        move |h| reader.as_ref().is_none_or(|r| !r.only_mentions(h))
    }

    /// Whether other files' graph edges resolve into this file's facts: Make/DVC targets
    /// (`make train`, `dvc repro stage`) and Databricks bundle jobs. A CI workflow's jobs are
    /// reached only from the workflow itself. A CI file that passes others arguments or
    /// defines variables they include ([`crate::ci::calls`]) changes their commands.
    pub(crate) fn others_resolve_into(&self) -> bool {
        if self.calls.as_deref().is_some_and(|c| {
            c.calls
                .iter()
                .any(|x| !x.args.is_empty() || x.kind != crate::ci::calls::Kind::Template)
                || (!c.exports.is_empty() && self.facts.is_none())
        }) {
            return true;
        }
        match self.facts.as_deref() {
            Some(FileFacts::Targets { .. }) => true,
            Some(f @ FileFacts::Entry { system, .. }) => {
                crate::ci::jobs_named_from_elsewhere(system) || crate::graph::tags_images(f)
            }
            // A script or job spec that builds and tags an image: image references resolve
            // into it.
            Some(f @ FileFacts::Commands(_)) => crate::graph::tags_images(f),
            _ => false,
        }
    }

    /// Whether this file holds CI jobs or Make/DVC targets: entry points, or targets other
    /// files' commands resolve into.
    pub(crate) fn has_jobs_or_targets(&self) -> bool {
        matches!(
            self.facts.as_deref(),
            Some(FileFacts::Entry { .. } | FileFacts::Targets { .. })
        )
    }

    /// The CI jobs or Make/DVC targets holding `line`, where assembly places evidence there.
    pub fn jobs_at(&self, line: Option<u32>) -> Vec<&str> {
        self.facts
            .as_deref()
            .map(|f| crate::graph::jobs_at(f, line))
            .unwrap_or_default()
    }

    /// Nothing but the file's own graph edges is left for assembly to read. (A Python file's
    /// schedules name the cron of a rule entry, which only an implemented hit in the same file
    /// makes, so they need no check of their own.)
    pub(crate) fn only_edges(&self, for_levels: Option<ForLevels>) -> bool {
        !self.read_wherever_it_is(for_levels)
    }
}

/// The project facts of a tree: every file's, merged.
pub(crate) fn project_of<S: Borrow<FileScan>>(scans: &[S]) -> ProjectFacts {
    let mut project = ProjectFacts::default();
    for s in scans.iter().map(Borrow::borrow) {
        if !s.project.is_empty() {
            project.absorb(s.project.clone());
        }
    }
    project
}

/// Files the automation graph or the project facts read even when no rule asks for them.
pub(crate) fn wanted_without_rules(rel: &str) -> bool {
    let name = crate::paths::file_name(rel);
    rel.ends_with(".py")
        || rel.ends_with(".ipynb")
        || read::is_literate(rel)
        || rel.ends_with(".yml")
        || rel.ends_with(".yaml")
        || rel.ends_with(".sh")
        || rel.ends_with(".mk")
        || matches!(
            name,
            "Makefile"
                | "makefile"
                | "GNUmakefile"
                | "Jenkinsfile"
                | "pyproject.toml"
                | "setup.cfg"
        )
        || crate::extract::wanted(rel)
}

/// `candidates` and the rules that select `home`, the default location of the file's CI system.
fn with_home_rules(
    matcher: &Matcher,
    mut candidates: Vec<usize>,
    home: Option<&str>,
) -> Vec<usize> {
    if let Some(home) = home {
        candidates.extend(matcher.candidates(home));
        candidates.sort_unstable();
        candidates.dedup();
    }
    candidates
}

/// Whether `scan_file` would read this path at all: the glob stage decides before any I/O.
pub fn needs_content(matcher: &Matcher, rel: &str) -> bool {
    needs_content_with(matcher, rel, Rules::Run)
}

/// [`needs_content`] when the rules are run as `rules` says.
pub(crate) fn needs_content_with(matcher: &Matcher, rel: &str, rules: Rules) -> bool {
    reads_content(rel, || !matcher.candidates(rel).is_empty(), rules)
}

/// [`needs_content_with`], given whether some rule selects the path.
pub(crate) fn reads_content(rel: &str, selected: impl FnOnce() -> bool, rules: Rules) -> bool {
    !read::is_generated(rel) && (wanted_without_rules(rel) || (rules != Rules::None && selected()))
}

/// Whether [`scan_file_with`] runs the rules.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum Rules {
    Run,
    /// Every hit in this file would be lowered to a mention (it is in the source of an ML tool
    /// the repository defines, or a library's example: [`evidence::lowers_every_hit`]) and no
    /// model counts mentions, so matching is skipped: `ripen history` spends most of its time
    /// matching, and in a library's history most changed files are its own source. A file
    /// with CI jobs or Make/DVC targets is matched anyway: mentions count there.
    UnlessMentionsOnly,
    /// No rule that selects this path can give more than a mention, whatever the project
    /// ([`evidence::no_hit_can_count`]). Read for levels, such a file is not even read unless
    /// the automation graph or the project facts want it, and then, like
    /// [`Rules::UnlessMentionsOnly`], matched only if it holds jobs or targets.
    None,
}

/// Stages read → match → extract for one file. `load` is called at most once, and only when a
/// rule or the automation graph wants the content.
pub fn scan_file(
    matcher: &Matcher,
    rel: &str,
    size: u64,
    load: impl FnOnce() -> Result<Vec<u8>, String>,
) -> Option<FileScan> {
    scan_file_with(matcher, rel, size, Rules::Run, load)
}

/// [`scan_file`], choosing whether the rules run.
pub(crate) fn scan_file_with(
    matcher: &Matcher,
    rel: &str,
    size: u64,
    rules: Rules,
    load: impl FnOnce() -> Result<Vec<u8>, String>,
) -> Option<FileScan> {
    let candidates = matcher.candidates(rel);
    let path_facts = ProjectFacts::from_path(rel);
    let empty = |project, warning, binary| FileScan {
        rel: rel.to_string(),
        origin: Origin::Code,
        hits: Vec::new(),
        unmatched: false,
        facts: None,
        calls: None,
        cross: None,
        project,
        bytes: 0,
        warning,
        binary,
        unparsed: false,
    };
    if !reads_content(rel, || !candidates.is_empty(), rules) {
        let interesting = !path_facts.is_empty();
        return interesting.then(|| empty(path_facts, None, false));
    }
    let bytes = match load() {
        Ok(b) => b,
        Err(w) => return Some(empty(path_facts, Some(w), false)),
    };
    Some(match read::from_bytes(rel, &bytes) {
        ReadOutcome::Doc(doc) => {
            let facts = crate::extract::extract(&doc);
            let calls = crate::ci::calls::read(&doc, facts.as_ref()).map(Arc::new);
            // Mentions count in CI and Make/DVC files: those are matched whatever `rules` says.
            let skip = rules != Rules::Run
                && !matches!(
                    facts,
                    Some(FileFacts::Entry { .. } | FileFacts::Targets { .. })
                );
            // A CI file wherever it lies is matched by the rules written for its system's files.
            let candidates = match &facts {
                Some(FileFacts::Entry { system, .. }) if !skip => {
                    with_home_rules(matcher, candidates, crate::ci::home_of(system))
                }
                // An extension-less shell script (`script/test`) is matched as a `.sh` file.
                Some(FileFacts::Commands(_))
                    if !skip && crate::extract::extensionless_script(rel) =>
                {
                    with_home_rules(matcher, candidates, Some(&format!("{rel}.sh")))
                }
                // A Quarto or R Markdown document's chunks are matched as a notebook's cells
                // and as R code.
                _ if !skip && read::is_literate(rel) => {
                    let stem = rel.rsplit_once('.').map_or(rel, |(s, _)| s);
                    let nb = with_home_rules(matcher, candidates, Some(&format!("{stem}.ipynb")));
                    with_home_rules(matcher, nb, Some(&format!("{stem}.R")))
                }
                _ => candidates,
            };
            let mut hits = if skip {
                Vec::new()
            } else {
                matcher.match_doc(&doc, &candidates)
            };
            let cross = if skip {
                None
            } else {
                matcher.cross_module(&doc, &candidates, &hits).map(Box::new)
            };
            let unmatched = skip && rules == Rules::UnlessMentionsOnly;
            evidence::clean_hits(&mut hits);
            // Parse errors are reported for every YAML/JSON file that a rule or the graph had
            // to parse (all CI files, any file holding a structural rule's key): those are the
            // files whose evidence a broken document hides. Files nothing reads are not parsed.
            let unparsed = doc.parse_error().is_some();
            let warning = doc
                .parse_error()
                .map(|e| e.at(rel))
                .or_else(|| match &facts {
                    Some(FileFacts::Entry { system, .. }) => crate::ci::load_error(system, &doc),
                    _ => None,
                });
            FileScan {
                rel: rel.to_string(),
                origin: doc.origin,
                hits,
                unmatched,
                facts: facts.map(Arc::new),
                calls,
                cross,
                project: ProjectFacts::from_doc(&doc),
                bytes: size,
                warning,
                binary: false,
                unparsed,
            }
        }
        ReadOutcome::Binary => empty(path_facts, None, true),
    })
}

/// How `ripen history` reads scans: for levels only, against the project facts of the tree.
/// Given only when no model counts mentions ([`Catalogue::counts_mentions`]): evidence that is
/// only mentioned (a rule of that tier, prose, comments, a tool's own source, a library's
/// examples) then never moves a level, so a file whose edits change only such hits leaves the
/// levels as they were.
#[derive(Clone, Copy)]
pub(crate) struct ForLevels<'a> {
    pub cat: &'a Catalogue,
    /// The tree's merged project facts, which decide what is lowered to a mention. They are
    /// the same for both versions of an edited file unless some file's project facts changed,
    /// and that file makes the commit matter by itself.
    pub project: &'a ProjectFacts,
}
