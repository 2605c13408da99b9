//! Jenkins: `Jenkinsfile` (and `*.jenkinsfile`, `Jenkinsfile.*`, `Jenkinsfile-*`), and any
//! Groovy file shaped like a pipeline (`pipeline { ... stages`, `node { stage(...)`), since a
//! Jenkins job is pointed at its script by path (`jenkins/deploy.groovy`): `sh`/`bat` steps and
//! `triggers` (cron, pollSCM, upstream); builds are otherwise started by hooks configured in
//! Jenkins. Steps of a shared library (`vars/NAME.groovy`, called as `NAME(...)`) run where the
//! pipeline calls them.

use crate::ci::CiSystem;
use crate::facts::yaml::trig;
use crate::model::{Command, FileFacts, Job, TriggerKind};
use crate::paths::file_name;
use crate::read::Document;
use regex::Regex;
use std::sync::LazyLock;

/// The repositories a pipeline checks out into its workspace by URL (`git url: '...'`, `git
/// '...'`, `checkout([$class: 'GitSCM', ... userRemoteConfigs: [[url: '...']]])`), as
/// [`crate::ci::CHECKOUT`] references at their lines. A checkout inside a `dir(...)` block
/// goes to a folder of the workspace, beside the repository: not counted.
fn checkouts(text: &str) -> Vec<Command> {
    static URL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^[^/\n]*\b(?:git\b|checkout\b|userRemoteConfigs\b)[^\n]*?(?:\burl\s*:\s*|\bgit\s*\(?\s*)['"]((?:https?://|git@|ssh://)[^'"\s]+)['"]"#)
            .expect("jenkins checkout")
    });
    // The `url:` of a checkout written over several lines (`checkout scmGit(` ...
    // `userRemoteConfigs: [[` ... `url: '...'`): on its own line, at most four lines below the
    // call that opens it.
    static URL_LINE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^\s*url\s*:\s*['"]((?:https?://|git@|ssh://)[^'"\s]+)['"]"#)
            .expect("jenkins checkout url line")
    });
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        let opened = || {
            lines[i.saturating_sub(4)..i]
                .iter()
                .any(|p| p.contains("checkout") || p.contains("userRemoteConfigs"))
        };
        let Some(c) = URL
            .captures(l)
            .or_else(|| URL_LINE.captures(l).filter(|_| opened()))
        else {
            continue;
        };
        // A checkout into a folder of its own (`dir('scripts') { checkout(...) }`, the call
        // perhaps spread over the lines before its `url:`) brings helpers beside this
        // repository, not another repository in its place.
        let in_dir = |p: &&str| p.contains("dir(") || p.contains("dir (");
        let mut before = lines[..i].iter().rev().filter(|p| !p.trim().is_empty());
        if in_dir(l) || before.by_ref().take(5).any(in_dir) {
            continue;
        }
        out.push(Command::reference(
            i as u32 + 1,
            format!("{}{}", crate::ci::CHECKOUT, &c[1]),
        ));
    }
    out.truncate(8);
    out
}

pub(crate) fn jenkins(doc: &Document) -> FileFacts {
    static CRON: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\b(cron|pollSCM|upstream)\s*\(\s*(?:spec:\s*)?['"]?([^'")]*)"#)
            .expect("jenkins triggers")
    });
    let mut triggers = Vec::new();
    for (i, l) in doc.text.lines().enumerate() {
        if let Some(c) = CRON.captures(l) {
            let kind = match &c[1] {
                "cron" => TriggerKind::Schedule,
                "pollSCM" => TriggerKind::Push,
                _ => TriggerKind::PipelineCompletion,
            };
            triggers.push(trig(kind, Some(c[2].to_string()), i as u32 + 1));
        }
    }
    // Jobs are started by SCM hooks configured in Jenkins itself.
    triggers.push(trig(TriggerKind::External, None, 1));
    // A script whose braces do not balance (a stage closed twice) does not compile: Jenkins
    // runs none of it, whatever starts it.
    if crate::facts::braces::scan(&doc.text).unbalanced().is_some() {
        triggers.clear();
    }
    let mut commands = steps(doc, false);
    // `environment { TRAIN_SCRIPT = 'train.py' }`: `${TRAIN_SCRIPT}`, `$TRAIN_SCRIPT` and
    // `${env.TRAIN_SCRIPT}` in the steps are that value; the block's lines run nothing.
    let (vars, block) = environment(&doc.text);
    commands.retain(|c| !block.contains(&c.line));
    crate::ci::vars::expand(&mut commands, 0, &vars);
    // A stage whose `when` cannot hold runs none of its steps.
    let never = dead_stages(&doc.text);
    commands.retain(|c| !never.iter().any(|(a, b, _)| (*a..=*b).contains(&c.line)));
    commands.extend(checkouts(&doc.text));
    let mut job = Job::new(
        String::new(),
        (1, doc.text.lines().count() as u32),
        Vec::new(),
        commands,
    );
    job.never = never;
    FileFacts::Entry {
        system: "jenkins",
        includes: Vec::new(),
        name: None,
        triggers,
        jobs: vec![job],
    }
}

/// Why a stage whose `when` cannot hold is not automated.
const NEVER_HOLDS: &str =
    "in a stage whose `when` cannot hold: the file never sets its variable to that value";

/// The line ranges of declarative stages whose `when { environment name: 'X', value: 'V' }`
/// cannot hold: the file sets `X` only to literal values (in `environment { X = '...' }` or
/// with `env.X = '...'`), none of them `V`. A variable the file never sets may come from the
/// job's parameters or the agent, so its stages may run.
fn dead_stages(text: &str) -> Vec<(u32, u32, &'static str)> {
    static WHEN_ENV: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\benvironment\s+name\s*:\s*['"](\w+)['"]\s*,\s*value\s*:\s*['"]([^'"]*)['"]"#)
            .expect("jenkins when environment")
    });
    static STAGE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"^\s*stage\s*\(\s*['"]"#).expect("jenkins stage"));
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::new();
    for (i, l) in lines.iter().enumerate() {
        if !STAGE.is_match(l) {
            continue;
        }
        // The stage's lines: to the brace that closes the one it opens.
        let mut depth = 0usize;
        let mut opened = false;
        let mut end = i;
        for (j, m) in lines.iter().enumerate().skip(i) {
            for c in m.chars() {
                match c {
                    '{' => {
                        depth += 1;
                        opened = true;
                    }
                    '}' => depth = depth.saturating_sub(1),
                    _ => {}
                }
            }
            end = j;
            if opened && depth == 0 {
                break;
            }
        }
        let body = lines[i..=end].join("\n");
        // Only a stage's own `when` (not a nested stage's) and not one of several conditions.
        let Some(c) = WHEN_ENV.captures(&body) else {
            continue;
        };
        if body.matches("when").count() != 1
            || body.contains("anyOf")
            || body.contains("not {")
            || STAGE.find_iter(&body).count() > 1
        {
            continue;
        }
        let set = assigned(text, &c[1]);
        if set
            .as_ref()
            .is_some_and(|vs| !vs.iter().any(|v| *v == &c[2]))
        {
            out.push((i as u32 + 1, end as u32 + 1, NEVER_HOLDS));
        }
    }
    out
}

/// The values a pipeline sets variable `name` to, when every one is a literal (None when
/// it sets none, or one that is not a literal).
fn assigned<'t>(text: &'t str, name: &str) -> Option<Vec<&'t str>> {
    static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^\s*(?:env\.)?(\w+)\s*=\s*(?:'([^'$]*)'|"([^"$]*)"|(.+?))\s*$"#)
            .expect("jenkins assignment")
    });
    let mut values = Vec::new();
    for c in ASSIGN.captures_iter(text) {
        if &c[1] != name {
            continue;
        }
        values.push(c.get(2).or_else(|| c.get(3)).map(|m| m.as_str())?);
    }
    (!values.is_empty()).then_some(values)
}

/// The commands of a pipeline or shared-library step: `sh 'cmd'` anywhere on a line, other
/// lines (inside `sh '''...'''` blocks) as they are, and a reference to the shared-library
/// step file of every call `name(...)` (resolved only when such a file exists: `vars/NAME.groovy`
/// of a loaded library, or, from a library step, a sibling step) and to every `load 'x.groovy'`.
fn steps(doc: &Document, in_library: bool) -> Vec<Command> {
    static LOAD: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\bload\s*\(?\s*['"]([^'"$]+\.groovy)['"]"#).expect("jenkins load")
    });
    static STEP: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(
            r#"\b(sh|bat|powershell|pwsh)\s*\(?\s*(?:(?:label|returnStdout|returnStatus|encoding)\s*:\s*(?:'[^']*'|"[^"]*"|\w+)\s*,\s*)*(?:script:\s*)?(?:'''(.*?)(?:'''|$)|"""(.*?)(?:"""|$)|'([^']*)'|"([^"]*)")"#,
        )
        .expect("jenkins step")
    });
    let libraries = libraries(&doc.text);
    let mut out = Vec::new();
    let mut dirs = Dirs::default();
    let mut continued: Option<Command> = None;
    for (i, l) in doc.text.lines().enumerate() {
        let line = i as u32 + 1;
        let was_open = dirs.script.is_some();
        let text = match STEP.captures(l) {
            // `sh '''python3 train.py \`: the script starts on the step's own line.
            Some(c) if !was_open => {
                let text = (2..=5)
                    .find_map(|i| c.get(i))
                    .map(|m| m.as_str().trim().to_string())
                    .unwrap_or_default();
                // `bat 'C:\\venv\\Scripts\\python.exe lab2\\train.py'`: Groovy's `\\` is one
                // backslash, and cmd's and PowerShell's backslashes separate a path's parts.
                match &c[1] {
                    "sh" => text,
                    _ => crate::shell::windows_paths(&text.replace("\\\\", "\\")),
                }
            }
            _ => l.trim().to_string(),
        };
        let cwd = dirs.line(l);
        let closed = was_open && dirs.script.is_none();
        // The script's last line ends in its closing quotes (`--flag x'''`, or `'''` alone).
        let text = match closed {
            true => ["'''", "\"\"\""]
                .iter()
                .filter_map(|q| l.find(q))
                .min()
                .map_or(text, |at| l[..at].trim().to_string()),
            false => text,
        };
        let opens = !was_open && dirs.script.is_some();
        // A script line ending in `\` goes on on the next: one command, at its first line.
        let body = was_open && (dirs.script.is_some() || closed);
        match continued.take() {
            Some(mut first) if body => {
                first.text = format!("{} {}", first.text.trim_end_matches('\\').trim_end(), text);
                if first.text.ends_with('\\') {
                    continued = Some(first);
                } else {
                    out.push(first);
                }
            }
            pending => {
                out.extend(pending);
                let mut cmd = Command::run(line, text);
                cmd.cwd = cwd;
                if (body || opens) && cmd.text.ends_with('\\') {
                    continued = Some(cmd);
                } else {
                    out.push(cmd);
                }
            }
        }
        if let Some(c) = LOAD.captures(l) {
            out.push(Command::reference(line, c[1].to_string()));
        }
        if let Some(step) = library_call(l) {
            let mut refs = vec![format!("vars/{step}.groovy")];
            if in_library {
                refs.push(format!("{step}.groovy"));
            }
            refs.extend(
                libraries
                    .iter()
                    .map(|lib| format!("{lib}/vars/{step}.groovy")),
            );
            out.push(Command::reference(line, refs.join(" ")));
        }
    }
    out.extend(continued);
    out
}

/// The literal values of a pipeline's `environment { NAME = 'value' }` blocks, also as
/// `env.NAME` (Groovy's name for them in `"${env.NAME}"`), and the blocks' lines.
fn environment(text: &str) -> (crate::shell::vars::Vars, Vec<u32>) {
    static ASSIGN: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"^\s*([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(?:'([^'$]*)'|"([^"$]*)")\s*$"#)
            .expect("jenkins environment")
    });
    let mut vars = crate::shell::vars::Vars::default();
    let mut depth = None;
    let mut block = Vec::new();
    for (i, l) in text.lines().enumerate() {
        let t = l.trim();
        match depth {
            None if t.starts_with("environment") && t.ends_with('{') => depth = Some(1usize),
            None => {}
            Some(d) => {
                block.push(i as u32 + 1);
                if let Some(c) = ASSIGN.captures(l) {
                    let v = c.get(2).or_else(|| c.get(3)).map_or("", |m| m.as_str());
                    vars.set(&c[1], v);
                    vars.set(&format!("env.{}", &c[1]), v);
                }
                let d = d + t.matches('{').count();
                let closes = t.matches('}').count();
                depth = (d > closes).then(|| d - closes);
            }
        }
    }
    (vars, block)
}

/// Where a pipeline's lines run: the workspace (the checkout's root) moved by the `dir('x') {`
/// blocks around them and, inside one multi-line `sh \'\'\'...\'\'\'` script, by a `cd DIR` line
/// before them (one shell runs the whole script). Directories are from the root (`/x`).
#[derive(Default)]
struct Dirs {
    /// The open `dir(...)` blocks: the brace depth each closes at, and its directory.
    scopes: Vec<(usize, String)>,
    depth: usize,
    /// Inside a multi-line script: its quote and the directory its `cd` lines set.
    script: Option<(&'static str, Option<String>)>,
}

impl Dirs {
    /// The directory `l` runs in, and what it changes for the lines after it.
    fn line(&mut self, l: &str) -> Option<String> {
        static DIR: LazyLock<Regex> = LazyLock::new(|| {
            Regex::new(r#"\bdir\s*\(\s*(?:path:\s*)?['"]([^'"$]+)['"]\s*\)\s*\{"#)
                .expect("jenkins dir")
        });
        let scope = self.scopes.last().map(|(_, d)| d.clone());
        if let Some((quote, cwd)) = &mut self.script {
            if l.contains(*quote) {
                self.script = None;
                return scope;
            }
            let here = cwd.clone().or(scope);
            *cwd = crate::shell::cd::block_line(here.as_deref(), l);
            return here;
        }
        for quote in ["\'\'\'", "\"\"\""] {
            if let Some(at) = l.find(quote)
                && !l[at + 3..].contains(quote)
            {
                self.script = Some((quote, None));
                return scope;
            }
        }
        for c in l.chars() {
            match c {
                '{' => self.depth += 1,
                '}' => {
                    self.depth = self.depth.saturating_sub(1);
                    if self.scopes.last().is_some_and(|(d, _)| *d > self.depth) {
                        self.scopes.pop();
                    }
                }
                _ => {}
            }
        }
        if let Some(c) = DIR.captures(l)
            && let Some(d) = crate::shell::cd::within_line(scope.as_deref(), &c[1])
        {
            self.scopes
                .push((self.depth, format!("/{}", d.trim_start_matches('/'))));
        }
        scope
    }
}

/// The shared libraries a pipeline loads (`library 'x'`, `@Library('x@v') _`,
/// `library identifier: 'x@v'`), without their versions.
fn libraries(text: &str) -> Vec<String> {
    static LIB: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"(?m)^\s*(?:@Library\s*\(\s*\[?|library\s*\(?\s*(?:identifier\s*:\s*)?)['"]([\w./-]+)"#)
            .expect("jenkins library")
    });
    LIB.captures_iter(text)
        .map(|c| c[1].split('@').next().unwrap_or_default().to_string())
        .filter(|l| !l.is_empty() && !l.contains(".."))
        .collect()
}

/// The step a line calls as a statement (`name(...)`, `x = name(...)`): a candidate
/// shared-library step. Groovy keywords and Jenkins' own steps name no file, so they resolve
/// to nothing.
fn library_call(line: &str) -> Option<&str> {
    static CALL: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"^\s*(?:(?:def\s+)?[\w.]+\s*=\s*)?([a-z][A-Za-z0-9_]*)\s*\(")
            .expect("jenkins call")
    });
    let name = CALL.captures(line)?.get(1)?.as_str();
    (!matches!(
        name,
        "if" | "for" | "while" | "switch" | "catch" | "stage" | "sh" | "bat"
    ))
    .then_some(name)
}

/// Whether a Groovy text is a Jenkins pipeline: declarative (`pipeline {` with `stages` or
/// `agent`) or scripted (`node {` / `node('label') {` with a `stage`).
pub(crate) fn is_pipeline(text: &str) -> bool {
    static SHAPE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^\s*(?:pipeline\s*\{|node\s*(?:\([^)\n]*\))?\s*\{)")
            .expect("jenkins shape")
    });
    static STAGE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"\b(?:stages\s*\{|stage\s*\(|agent\s)").expect("jenkins stage")
    });
    SHAPE.is_match(text) && STAGE.is_match(text)
}

/// A file named for Jenkins but not `Jenkinsfile` (`Jenkins`, `jenkinsfile`, `jenkins.txt`,
/// `deploy.jenkins`): a job's script path may be any file, so such a file is a pipeline when
/// it is shaped like one ([`groovy`] checks the shape).
pub(crate) fn script_named_for_jenkins(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let stem = lower.split('.').next().unwrap_or("");
    let ext = lower.rsplit_once('.').map(|(_, e)| e);
    (stem == "jenkins" || stem == "jenkinsfile" || lower.ends_with(".jenkins"))
        && matches!(ext, None | Some("txt" | "jenkins" | "groovy"))
}

/// A Groovy file outside the Jenkinsfile names: a pipeline by its shape (an entry point), or
/// a shared-library step (`vars/NAME.groovy`, or any file defining `def call(`) whose commands
/// run where a pipeline calls it.
pub(crate) fn groovy(doc: &Document) -> Option<FileFacts> {
    if is_pipeline(&doc.text) {
        return Some(jenkins(doc));
    }
    let in_vars = doc.rel.starts_with("vars/") || doc.rel.contains("/vars/");
    (in_vars || doc.text.contains("def call(")).then(|| FileFacts::Commands(steps(doc, true)))
}

/// Jenkins.
pub(crate) struct Jenkins;

impl CiSystem for Jenkins {
    fn id(&self) -> &'static str {
        "jenkins"
    }
    fn at(&self, rel: &str) -> bool {
        let name = file_name(rel);
        name.starts_with("Jenkinsfile") || name.to_ascii_lowercase().ends_with(".jenkinsfile")
    }
    fn read(&self, doc: &Document) -> Option<FileFacts> {
        Some(jenkins(doc))
    }
    fn load_error(&self, doc: &Document) -> Option<String> {
        crate::facts::braces::scan(&doc.text).unbalanced().map(|at| {
            format!("its braces do not balance ({at}), so the script does not compile: Jenkins runs none of it")
        })
    }
    fn samples(&self) -> &'static [(&'static str, &'static str)] {
        &[(
            "Jenkinsfile",
            "pipeline {\n  stages {\n    stage('t') { steps { sh 'pytest' } }\n  }\n}\n",
        )]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The commands of a Jenkinsfile's one job.
    fn pipeline_commands(text: &str) -> Vec<Command> {
        match jenkins(&Document::new("Jenkinsfile", text.to_string())) {
            FileFacts::Entry { mut jobs, .. } => jobs.remove(0).commands,
            _ => panic!("not a pipeline"),
        }
    }

    /// A step's named arguments before its script (`sh label: '', script: 'python3 x.py'`)
    /// are no script.
    #[test]
    fn named_arguments_before_the_script() {
        let doc = Document::new(
            "Jenkinsfile",
            "pipeline {\n  stages {\n    stage('m') {\n      steps {\n        sh label: '', script: 'python3 modelSelection.py'\n        sh returnStatus: true, script: \"pytest tests\"\n      }\n    }\n  }\n}\n".into(),
        );
        let texts: Vec<String> = steps(&doc, false).into_iter().map(|c| c.text).collect();
        assert!(
            texts.iter().any(|t| t == "python3 modelSelection.py"),
            "{texts:?}"
        );
        assert!(texts.iter().any(|t| t == "pytest tests"), "{texts:?}");
    }

    /// A checkout's URL on a line of its own inside `checkout scmGit(... userRemoteConfigs:
    /// [[...]])` is a checkout, as one written on one line is; a `url:` elsewhere is not.
    #[test]
    fn multi_line_checkouts_name_their_repository() {
        let text = "stage('Clone') {\n  steps {\n    checkout scmGit(\n      branches: [[name: '*/main']],\n      userRemoteConfigs: [[\n        credentialsId: 'tok',\n        url: 'https://github.com/acme/other.git'\n      ]]\n    )\n  }\n}\nenvironment {\n  url: 'https://example.com/api.git'\n}\n";
        let refs: Vec<(u32, String)> = checkouts(text)
            .into_iter()
            .map(|c| (c.line, c.text))
            .collect();
        assert_eq!(
            refs,
            vec![(
                7,
                format!("{}https://github.com/acme/other.git", crate::ci::CHECKOUT)
            )]
        );
    }

    /// A checkout into a folder of its own brings helpers beside this repository, also when
    /// the call spreads over the lines before its `url:`.
    #[test]
    fn checkouts_into_a_folder_are_helpers() {
        let text = "stage('Bench') {\n  steps {\n    checkout scm\n    dir('scripts_repo') {\n      checkout([$class: 'GitSCM', branches: [[name: '*/master']],\n          userRemoteConfigs: [[credentialsId: 'github', url: 'https://github.com/acme/scripts.git']]])\n    }\n  }\n}\n";
        assert!(checkouts(text).is_empty());
    }

    /// A stage whose `when` tests a variable the file never sets to that value never runs.
    #[test]
    fn stages_whose_when_cannot_hold_never_run() {
        let text = "pipeline {\n  environment {\n    PUSH = 'no'\n  }\n  stages {\n    stage('Status') {\n      steps {\n        script {\n          env.SHOULD_REBUILD = 'false'\n        }\n      }\n    }\n    stage('Build') {\n      when {\n        environment name: 'SHOULD_REBUILD', value: 'true'\n      }\n      steps {\n        sh 'docker build -t app .'\n      }\n    }\n    stage('Deploy') {\n      when { environment name: 'TARGET', value: 'prod' }\n      steps { sh 'kubectl apply -f k8s/' }\n    }\n    stage('Push') {\n      when { environment name: 'PUSH', value: 'yes' }\n      steps { sh 'docker push app' }\n    }\n  }\n}\n";
        let FileFacts::Entry { jobs, .. } = jenkins(&Document::new("Jenkinsfile", text.into()))
        else {
            panic!("an entry");
        };
        // `TARGET` is never set here (a job parameter): its stage may run.
        assert_eq!(
            jobs[0].never,
            vec![(13, 20, NEVER_HOLDS), (25, 28, NEVER_HOLDS)]
        );
        let run: Vec<&str> = jobs[0].commands.iter().map(|c| c.text.as_str()).collect();
        assert!(run.contains(&"kubectl apply -f k8s/"), "{run:?}");
        assert!(!run.iter().any(|c| c.starts_with("docker")), "{run:?}");
    }

    /// `environment { }` values expand in the steps, as `$X`, `${X}` and `${env.X}`.
    #[test]
    fn environment_values_expand() {
        let text = "pipeline {\n  environment {\n    TRAIN_SCRIPT = 'src/train.py'\n    TAG = \"v1\"\n    DYN = \"${BUILD_ID}\"\n  }\n  stages {\n    stage('t') { steps { sh \"python ${TRAIN_SCRIPT}\" } }\n    stage('u') { steps { sh \"echo ${env.TAG} $DYN\" } }\n  }\n}\n";
        let commands = pipeline_commands(text);
        let texts: Vec<&str> = commands.iter().map(|c| c.text.as_str()).collect();
        assert!(texts.contains(&"python src/train.py"), "{texts:?}");
        assert!(texts.contains(&"echo v1 $DYN"), "{texts:?}");
        assert!(
            !texts.iter().any(|t| t.contains("TRAIN_SCRIPT =")),
            "{texts:?}"
        );
    }

    /// A stage closed twice leaves the script's braces unbalanced: it does not compile, and
    /// nothing starts it; braces inside strings and comments do not count.
    #[test]
    fn unbalanced_braces_run_nothing() {
        let ok = "pipeline {\n  stages {\n    stage('B') {\n      steps { sh \"echo ${env.X} }\" } // }\n    }\n  }\n}\n";
        assert_eq!(crate::facts::braces::scan(ok).unbalanced(), None);
        let broken = "pipeline {\n  stages {\n    stage('B') { steps { sh 'make' } }\n    }\n    stage('D') { steps { sh 'deploy' } }\n  }\n}\n";
        assert_eq!(
            crate::facts::braces::scan(broken).unbalanced().as_deref(),
            Some("line 7 closes a brace no block opened")
        );
        assert_eq!(
            crate::facts::braces::scan("pipeline {\n  stages {\n")
                .unbalanced()
                .as_deref(),
            Some("2 brace(s) opened and never closed")
        );
        match jenkins(&Document::new("Jenkinsfile", broken.to_string())) {
            FileFacts::Entry { triggers, .. } => assert!(triggers.is_empty()),
            _ => panic!("not a pipeline"),
        }
    }

    /// A triple-quoted script may start on the step's own line (`sh \'\'\'pytest \\`), be
    /// written on one line, or end on a line that also holds its closing quotes.
    #[test]
    fn scripts_starting_on_the_step_line() {
        let text = "pipeline {\n  stages {\n    stage('T') {\n      steps {\n        sh \'\'\'python3 -m pytest tests \\\n            -q\'\'\'\n        sh \"\"\"make lint\"\"\"\n        sh \'\'\'python3 train.py \\\n          --epochs 3\n        \'\'\'\n      }\n    }\n  }\n}\n";
        let commands: Vec<String> = pipeline_commands(text)
            .into_iter()
            .map(|c| c.text.trim().to_string())
            .filter(|t| !t.is_empty())
            .collect();
        for want in [
            "python3 -m pytest tests -q",
            "make lint",
            "python3 train.py --epochs 3",
        ] {
            assert!(commands.iter().any(|c| c == want), "{want}: {commands:?}");
        }
    }

    /// `dir('x') {` moves the steps inside it; a `cd` line moves the later lines of its
    /// multi-line script only; a script line ending in `\` goes on on the next.
    #[test]
    fn dir_blocks_and_script_cd_lines() {
        let text = "pipeline {\n  stages {\n    stage('T') {\n      steps {\n        dir('ml') {\n          sh 'make test'\n          sh \"\"\"\n            cd src\n            pytest \\\n              -q tests\n          \"\"\"\n        }\n        sh 'make lint'\n      }\n    }\n  }\n}\n";
        let commands = pipeline_commands(text);
        let at = |t: &str| {
            commands
                .iter()
                .find(|c| c.text.trim() == t)
                .map(|c| c.cwd.clone())
                .unwrap_or_else(|| panic!("{t}"))
        };
        assert_eq!(at("make test"), Some("/ml".to_string()));
        assert_eq!(at("pytest -q tests"), Some("/ml/src".to_string()));
        assert_eq!(at("make lint"), None);
    }

    #[test]
    fn pipelines_are_known_by_name_or_by_shape() {
        for rel in [
            "Jenkinsfile",
            "ci/Jenkinsfile.deploy",
            "Jenkinsfile-prod",
            "ci/train.jenkinsfile",
            "ci/Train.Jenkinsfile",
        ] {
            assert!(Jenkins.at(rel), "{rel}");
        }
        assert!(!Jenkins.at("jenkins/deploy.groovy"));
        for name in ["Jenkins", "jenkinsfile", "jenkins.txt", "deploy.jenkins"] {
            assert!(script_named_for_jenkins(name), "{name}");
        }
        for name in ["jenkins.yml", "jenkins.py", "README.md", "jenkins.sh"] {
            assert!(!script_named_for_jenkins(name), "{name}");
        }
        assert!(is_pipeline("pipeline {\n  agent any\n  stages {\n  }\n}\n"));
        assert!(is_pipeline(
            "node('gpu') {\n  stage('train') { sh 'make' }\n}\n"
        ));
        assert!(!is_pipeline("class Helper {\n  def run() { }\n}\n"));
        assert!(!is_pipeline("// pipeline {\nprintln 'x'\n"));
    }

    #[test]
    fn groovy_files_are_pipelines_or_library_steps() {
        let doc = |rel: &str, text: &str| Document::new(rel, text.to_string());
        let p = doc(
            "jenkins/deploy.groovy",
            "@Library('ml-lib@v2') _\npipeline {\n  agent any\n  stages {\n    stage('x') {\n      steps { script {\n        shipIt('a')\n      } }\n    }\n  }\n}\n",
        );
        let Some(FileFacts::Entry { jobs, .. }) = groovy(&p) else {
            panic!("not a pipeline")
        };
        let refs: Vec<&str> = jobs[0]
            .commands
            .iter()
            .filter(|c| !c.shell)
            .map(|c| c.text.as_str())
            .collect();
        assert_eq!(refs, vec!["vars/shipIt.groovy ml-lib/vars/shipIt.groovy"]);
        let step = doc(
            "lib/vars/shipIt.groovy",
            "def call(String x) {\n  sh \"kubectl apply -f k8s/\"\n}\n",
        );
        let Some(FileFacts::Commands(cmds)) = groovy(&step) else {
            panic!("not a step")
        };
        assert!(cmds.iter().any(|c| c.text == "kubectl apply -f k8s/"));
        assert!(groovy(&doc("src/Helper.groovy", "class Helper {}\n")).is_none());
    }
}
