//! `ripen diff`: what a change (a pull request, a branch) does to the maturity levels. The base
//! is read from git's object database; the head is a revision too, or by default the working
//! tree, scanned by the normal walk. `--fail-on-regression` turns a lowered level into exit 1.

use crate::catalogue::Catalogue;
use crate::model::{
    CapabilityResult, Change, ChangeKind, CommitInfo, Diff, Direction, Outcome, Report, Side, Tier,
    Tool,
};
use crate::pipeline::ScanOptions;
use crate::pipeline::tree_scanner::TreeScanner;
use crate::source::git::{self, GitError};
use std::collections::BTreeMap;
use std::path::Path;

pub(crate) fn direction<T: PartialOrd>(from: Option<T>, to: Option<T>) -> Option<Direction> {
    match (from, to) {
        (None, Some(_)) => Some(Direction::Gained),
        (Some(_), None) => Some(Direction::Lost),
        (Some(a), Some(b)) if b > a => Some(Direction::Raised),
        (Some(a), Some(b)) if b < a => Some(Direction::Lowered),
        _ => None,
    }
}

pub(crate) fn best(c: Option<&CapabilityResult>) -> Option<String> {
    c.and_then(|c| c.evidence.first()).map(|e| match e.line {
        Some(l) => format!("{}:{l}", e.path),
        None => e.path.clone(),
    })
}

/// The changes from `base` to `head`.
pub(crate) fn compare(base: &Report, head: &Report) -> Vec<Change> {
    let mut out = Vec::new();
    for (id, hm) in &head.models {
        let Some(bm) = base.models.get(id) else {
            continue;
        };
        // Category models have no level: `direction(None, None)` is no change.
        if let Some(d) = direction(bm.level(), hm.level()) {
            out.push(Change {
                kind: ChangeKind::Level,
                id: id.clone(),
                category: None,
                title: hm.title.clone(),
                from: bm.level().into(),
                to: hm.level().into(),
                direction: d,
                regression: matches!(d, Direction::Lowered | Direction::Lost),
                evidence: None,
            });
        }
        if let (Outcome::Categories(bc), Outcome::Categories(hc)) = (&bm.outcome, &hm.outcome) {
            for (cid, h) in &hc.by_id {
                let b = bc.by_id.get(cid).and_then(|c| c.band);
                if let Some(d) = direction(b, h.band) {
                    out.push(Change {
                        kind: ChangeKind::Band,
                        id: id.clone(),
                        category: Some(cid.clone()),
                        title: h.title.clone(),
                        from: b.into(),
                        to: h.band.into(),
                        direction: d,
                        regression: false,
                        evidence: None,
                    });
                }
            }
        }
    }
    for hc in &head.capabilities {
        let bc = base.capability(&hc.id);
        let from = bc.map(|c| c.tier).unwrap_or(Tier::None);
        let to = hc.tier;
        let some = |t: Tier| (t != Tier::None).then_some(t);
        let Some(d) = direction(some(from), some(to)) else {
            continue;
        };
        let evidence = match d {
            Direction::Gained | Direction::Raised => best(Some(hc)),
            Direction::Lost | Direction::Lowered => best(bc),
        };
        out.push(Change {
            kind: ChangeKind::Capability,
            id: hc.id.clone(),
            category: None,
            title: hc.title.clone(),
            from: from.label().into(),
            to: to.label().into(),
            direction: d,
            regression: false,
            evidence,
        });
    }
    out
}

/// The level of each staged model a gate counts ([`Report::gated_level`], with the caller's
/// trust): what `--fail-on-regression` compares, as `scan --fail-under` judges.
fn gated(r: &Report, opts: &ScanOptions) -> BTreeMap<String, Option<u32>> {
    r.models
        .iter()
        .filter(|(_, m)| m.staged().is_some())
        .map(|(id, _)| (id.clone(), r.gated_level(id, opts.trust)))
        .collect()
}

/// Marks the level changes a gate counts as regressions (a gated level lower at head), notes
/// where the gate's levels differ from the detected ones, and says whether any level the gate
/// counts went down. The repository cannot hide a regression behind evidence of its own
/// rules or its attestations, nor make one by taking that evidence away.
fn gate_regressions(
    changes: &mut [Change],
    base: &BTreeMap<String, Option<u32>>,
    head: &BTreeMap<String, Option<u32>>,
    warnings: &mut Vec<String>,
) -> bool {
    let mut any = false;
    for (id, &h) in head {
        let b = base.get(id).copied().flatten();
        let dropped = matches!(direction(b, h), Some(Direction::Lowered | Direction::Lost));
        any |= dropped;
        // The detected change, when there is one, and whether it shows what the gate counts.
        let mut shown = None;
        for c in changes
            .iter_mut()
            .filter(|c| c.kind == ChangeKind::Level && c.id == *id)
        {
            c.regression = dropped;
            shown =
                Some(c.from == serde_json::Value::from(b) && c.to == serde_json::Value::from(h));
        }
        if shown.map_or(b != h, |same| !same) {
            let l = |x: Option<u32>| x.map_or("-".to_string(), |x| x.to_string());
            warnings.push(format!(
                "{id}: the gate compares {} → {} (what the caller trusts: evidence from the \
                 repository's own rules, its attestations and waivers count only with \
                 --trust-repo-rules, --trust-attestations, --trust-waivers)",
                l(b),
                l(h)
            ));
        }
    }
    any
}

/// Scans `rev`'s tree (of the directory `root`, in its repository) from the object database.
pub fn scan_rev(
    repo: &git::Repo,
    cat: &Catalogue,
    opts: &ScanOptions,
    rev: &str,
    root_name: &str,
) -> Result<(Report, CommitInfo), GitError> {
    let c = repo.commit(rev)?;
    let mut scanner = TreeScanner::new(repo, cat, &opts.walk)?;
    let report = scanner.report(cat, opts, &c, root_name)?;
    Ok((report, CommitInfo::of(&c)))
}

pub fn diff(
    root: &Path,
    cat: &Catalogue,
    opts: &ScanOptions,
    base_rev: &str,
    head_rev: Option<&str>,
) -> Result<Diff, GitError> {
    let repo = git::open(root)?;
    let root_name = root.display().to_string();
    let (base, base_commit) = scan_rev(&repo, cat, opts, base_rev, &root_name)?;
    let (head, head_commit) = match head_rev {
        Some(rev) => {
            let (r, c) = scan_rev(&repo, cat, opts, rev, &root_name)?;
            (r, Some(c))
        }
        None => (
            crate::pipeline::scan(root, cat, opts).map_err(|e| GitError(e.to_string()))?,
            None,
        ),
    };
    let mut changes = compare(&base, &head);
    let mut warnings = Vec::new();
    let (base_gated, head_gated) = (gated(&base, opts), gated(&head, opts));
    let regression = gate_regressions(&mut changes, &base_gated, &head_gated, &mut warnings);
    if repo.is_shallow() {
        warnings.push(format!(
            "shallow clone: `{base_rev}` was found, but other history is missing; if a revision cannot be resolved, {}",
            git::SHALLOW_FIX
        ));
    }
    Ok(Diff {
        schema_version: crate::model::SCHEMA_VERSION,
        tool: Tool::default(),
        root: root_name,
        base: Side {
            rev: Some(base_rev.to_string()),
            commit: Some(base_commit),
            models: base.models.clone(),
            gated: base_gated,
            report: base,
        },
        head: Side {
            rev: head_rev.map(str::to_string),
            commit: head_commit,
            models: head.models.clone(),
            gated: head_gated,
            report: head,
        },
        changes,
        regression,
        warnings,
    })
}
