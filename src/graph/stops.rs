//! Which jobs of a CI file stop, and where: a job fails at a step that needs a file the
//! repository does not hold, or at a script that cannot parse; a job that runs only after a
//! job that fails ([`crate::model::Job::after`]) never starts, nor does what runs after it.

use crate::graph::Graph;
use crate::graph::edges::Failure;
use crate::graph::memo::Probes;
use crate::model::{FileFacts, Job};
use std::collections::HashMap;
use std::rc::Rc;

/// Per CI file, its jobs that never start, with the probes that finding them made.
pub(crate) type Unstarted = HashMap<String, (Rc<Vec<String>>, Option<Rc<Probes>>)>;

/// The stopped parts of one CI file's jobs.
#[derive(Default)]
pub(crate) struct Stops {
    /// Line ranges that never run, each with why (as the report says it).
    pub ranges: Vec<(u32, u32, String)>,
    /// The jobs that never start: they run only after a job that fails.
    pub unstarted: Vec<String>,
    /// The lines where jobs fail for good (a step that needs what the repository lacks, a
    /// script that cannot parse), the last step of a job too.
    pub fails: Vec<u32>,
}

/// Where a job fails: the failing line, with the lines that never run from there.
type Failing = (u32, Option<(u32, u32, String)>);

impl Graph<'_> {
    /// The jobs of a CI file that never start ([`Stops::unstarted`]), found once per file;
    /// what finding them read of the file list is added to the edge being computed each time.
    pub(crate) fn unstarted_jobs(&self, path: &str) -> Rc<Vec<String>> {
        if let Some((r, probes)) = self.unstarted.borrow().get(path) {
            self.replay(probes.as_deref());
            return Rc::clone(r);
        }
        let (r, probes) = self.recorded(|| Rc::new(self.job_stops(path).unstarted));
        self.unstarted
            .borrow_mut()
            .insert(path.to_string(), (Rc::clone(&r), probes));
        r
    }

    /// The lines of a CI file's jobs that never run, each range with why: after a step that
    /// runs a script the repository lacks or uploads a file it cannot hold (the job fails at
    /// that step), a stage whose `when` cannot hold ([`Job::never`]), and every job that runs
    /// only after one that always fails.
    pub(crate) fn job_stops(&self, path: &str) -> Stops {
        let Some(FileFacts::Entry { jobs, triggers, .. }) = self.facts.get(path) else {
            return Stops::default();
        };
        // A failing job holds back only the runs it is part of: every start of the job after
        // it must start it too (a schedule-only job's failure stops no push pipeline).
        let kinds = |j: &Job| -> std::collections::BTreeSet<crate::model::TriggerKind> {
            let t = if j.triggers.is_empty() {
                triggers
            } else {
                &j.triggers
            };
            t.iter().map(|t| t.kind).collect()
        };
        let by_name: HashMap<&str, &Job> = jobs.iter().map(|j| (j.name.as_str(), j)).collect();
        let holds_back = |dep: &str, j: &Job| {
            by_name
                .get(dep)
                .is_some_and(|d| kinds(j).is_subset(&kinds(d)))
        };
        let mut stops = Stops::default();
        // Per failing job, the job that fails first down its chain and the line where it does.
        let mut failing: HashMap<&str, (&str, u32)> = HashMap::new();
        for j in jobs {
            for &(a, b, why) in &j.never {
                stops.ranges.push((a, b, why.to_string()));
                if why == crate::shell::syntax::BROKEN_SCRIPT {
                    failing.insert(&j.name, (&j.name, a));
                    stops.fails.push(a);
                }
            }
            if let Some((line, stop)) = self.job_failure(path, j) {
                failing.entry(&j.name).or_insert((&j.name, line));
                stops.ranges.extend(stop);
                stops.fails.push(line);
            }
        }
        // What runs after a failing job never starts, and so on down the chain.
        loop {
            let next = jobs.iter().find_map(|j| {
                let (dep, line) = j
                    .after
                    .iter()
                    .filter(|d| holds_back(d, j))
                    .find_map(|d| failing.get_key_value(d.as_str()))?;
                (!failing.contains_key(j.name.as_str())).then_some((j, *dep, *line))
            });
            let Some((j, dep, (root, line))) = next else {
                return stops;
            };
            failing.insert(&j.name, (root, line));
            stops.unstarted.push(j.name.clone());
            let why = match dep == root {
                true => format!("after job `{dep}`, which fails at line {line}: it never starts"),
                false => format!(
                    "after job `{dep}`, which never starts (job `{root}` fails at line {line}): it never starts either"
                ),
            };
            stops.ranges.push((j.line, j.end, why));
        }
    }

    /// Where a job fails for good, if it does: at a step that needs a file the repository
    /// does not hold (or runs a script that does), with the lines that never run from there.
    fn job_failure(&self, path: &str, j: &Job) -> Option<Failing> {
        let mut state = crate::shell::ShellState::default();
        let (mut edges, mut unresolved) = (Vec::new(), Vec::new());
        for c in &j.commands {
            if let Some(script) =
                self.command_edges(path, c, &[], &mut edges, &mut unresolved, &mut state)
                && !j.may_fail_at(c.line)
            {
                let stop = match script {
                    Failure::Itself(file) => Some((
                        c.line,
                        j.end,
                        format!("from a step that needs `{file}`, which the repository does not hold: the job fails there"),
                    )),
                    Failure::After(script) => (c.line < j.end).then(|| (
                        c.line + 1,
                        j.end,
                        format!("after a step that needs `{script}`, which the repository does not hold: the job stops there"),
                    )),
                };
                return Some((c.line, stop));
            }
        }
        None
    }
}
