//! Facts about the repository as a whole, gathered file by file during the read pass: is it an
//! ML project, which packages does it define. They decide the caps on hits' tiers.

use crate::catalogue::normalise_package;
use crate::read::{Document, Origin};
use regex::Regex;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::LazyLock;

/// Facts about the repository as a whole, gathered file by file during the read pass.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct ProjectFacts {
    /// Python distributions this repository declares (its own name in pyproject/setup),
    /// normalised to `snake_case`.
    pub own_packages: BTreeSet<String>,
    /// Package name → its directories (`mlflow` → `mlflow`, `evidently` → `src/evidently`): top-level
    /// package directories, and those of a distribution kept in its own folder
    /// (`sagemaker-core/src/sagemaker`, where several distributions share one package).
    pub package_dirs: BTreeMap<String, BTreeSet<String>>,
    /// Top-level packages with a module of their own beside `__init__.py` (`mlflow/tracking.py`):
    /// a folder of DAGs or configs that happens to hold an `__init__.py` (`airflow/dags/`) is
    /// not the source of a tool of its name.
    pub module_packages: BTreeSet<String>,
    /// The repository declares a Python distribution (pyproject, setup.py, setup.cfg name).
    pub declares_distribution: bool,
    /// Files showing this is an ML project (framework imports, notebooks, model artefacts).
    pub ml_signals: Vec<String>,
}

pub(crate) static ML_IMPORT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*(?:import|from)\s+(?:sklearn|torch|tensorflow|keras|xgboost|lightgbm|catboost|transformers|jax|flax|mxnet|pyspark\.ml|statsmodels|prophet|pytorch_lightning|lightning|fastai|sentence_transformers|spacy)\b")
        .expect("ml import pattern")
});

pub(crate) static PKG_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?m)^\s*name\s*=\s*["']([A-Za-z0-9_.\-]+)["']"#).expect("pyproject name")
});

/// `setup(name="pkg")`, or the module constant a `setup.py` template names it by (`NAME =
/// 'pkg'` ... `setup(name=NAME)`).
pub(crate) static SETUP_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\b(?:name|NAME)\s*=\s*["']([A-Za-z0-9_.\-]+)["']"#).expect("setup name")
});

pub(crate) static SETUP_CFG_NAME: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^\s*name\s*=\s*([A-Za-z0-9_.\-]+)\s*$").expect("setup.cfg name")
});

pub(crate) const MODEL_EXTENSIONS: &[&str] = &[
    ".pkl",
    ".pickle",
    ".joblib",
    ".h5",
    ".hdf5",
    ".pt",
    ".pth",
    ".onnx",
    ".ckpt",
    ".safetensors",
    ".pb",
    ".tflite",
    ".keras",
    ".mar",
];

pub(crate) fn is_model_artifact(rel: &str) -> bool {
    let l = rel.to_ascii_lowercase();
    MODEL_EXTENSIONS.iter().any(|e| l.ends_with(e))
}

impl ProjectFacts {
    /// Training code a rule found (a SageMaker or Vertex estimator, a hand-written loop) makes an
    /// ML project too, whatever framework it imports: a report never says "no ML project" beside
    /// training evidence.
    pub(crate) fn add_training_signals(&mut self, evs: &[crate::model::Evidence]) {
        if self.ml_signals.is_empty() {
            self.ml_signals.extend(
                evs.iter()
                    .filter(|e| {
                        e.capability == crate::catalogue::builtin::capability::MODEL_TRAINING
                            && e.tier >= crate::model::Tier::Implemented
                    })
                    .map(|e| e.path.clone()),
            );
        }
    }

    /// What one file says about the project; merged with `absorb`.
    pub(crate) fn from_path(rel: &str) -> ProjectFacts {
        let mut f = ProjectFacts::default();
        let parts: Vec<&str> = rel.split('/').collect();
        // `pkg/__init__.py` or `src/pkg/__init__.py`: a package this repository defines.
        match parts.as_slice() {
            [pkg, "__init__.py"]
            | ["src" | "python" | "lib", pkg, "__init__.py"]
            | [_, "src", pkg, "__init__.py"] => {
                f.package_dirs
                    .entry(normalise_package(pkg))
                    .or_default()
                    .insert(rel.trim_end_matches("/__init__.py").to_string());
            }
            [pkg, module] | ["src" | "python" | "lib", pkg, module]
                if module.ends_with(".py") && *module != "__init__.py" =>
            {
                f.module_packages.insert(normalise_package(pkg));
            }
            _ => {}
        }
        if is_model_artifact(rel) {
            f.ml_signals.push(rel.to_string());
        }
        f
    }

    pub(crate) fn from_doc(doc: &Document) -> ProjectFacts {
        let mut f = ProjectFacts::from_path(&doc.rel);
        // The root, or one level down (`python/pyproject.toml` in a multi-language library).
        let depth = doc.rel.matches('/').count();
        let name = doc.rel.rsplit('/').next().unwrap_or(&doc.rel);
        let re = match name {
            _ if depth > 1 => None,
            "pyproject.toml" => Some(&*PKG_NAME),
            "setup.py" => Some(&*SETUP_NAME),
            "setup.cfg" => Some(&*SETUP_CFG_NAME),
            _ => None,
        };
        if let Some(c) = re.and_then(|re| re.captures(&doc.text)) {
            f.own_packages.insert(normalise_package(&c[1]));
            f.declares_distribution = true;
        }
        if (doc.origin == Origin::Notebook || doc.rel.ends_with(".py"))
            && f.ml_signals.is_empty()
            && ML_IMPORT.is_match(&doc.text)
        {
            f.ml_signals.push(doc.rel.clone());
        }
        f
    }

    /// Whether this repository defines the Python package `pkg` (normalised): it declares the
    /// distribution, or holds its top-level package with modules of its own.
    pub(crate) fn defines(&self, pkg: &str) -> bool {
        self.own_packages.contains(pkg)
            || (self.package_dirs.contains_key(pkg) && self.module_packages.contains(pkg))
    }

    /// Whether the two say the same for levels: all but `ml_signals`, which only the report's
    /// `ml_project` shows (no model reads it). Destructured whole: a new field must be placed.
    pub(crate) fn same_for_levels(&self, other: &ProjectFacts) -> bool {
        let ProjectFacts {
            own_packages,
            package_dirs,
            module_packages,
            declares_distribution,
            ml_signals: _,
        } = self;
        // Modules count only in a package directory ([`ProjectFacts::defines`]): a script
        // added in a plain folder changes no level.
        let defined = |f: &ProjectFacts, m: &BTreeSet<String>| -> Vec<String> {
            m.iter()
                .filter(|p| f.package_dirs.contains_key(*p))
                .cloned()
                .collect()
        };
        *own_packages == other.own_packages
            && *package_dirs == other.package_dirs
            && defined(self, module_packages) == defined(other, &other.module_packages)
            && *declares_distribution == other.declares_distribution
    }

    /// Whether nothing here can move a level ([`ProjectFacts::same_for_levels`]).
    pub fn is_empty_for_levels(&self) -> bool {
        self.same_for_levels(&ProjectFacts::default())
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.own_packages.is_empty()
            && self.package_dirs.is_empty()
            && self.module_packages.is_empty()
            && !self.declares_distribution
            && self.ml_signals.is_empty()
    }

    pub(crate) fn absorb(&mut self, other: ProjectFacts) {
        self.own_packages.extend(other.own_packages);
        self.declares_distribution |= other.declares_distribution;
        for (pkg, dirs) in other.package_dirs {
            self.package_dirs.entry(pkg).or_default().extend(dirs);
        }
        self.module_packages.extend(other.module_packages);
        self.ml_signals.extend(other.ml_signals);
    }
}
