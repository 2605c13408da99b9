//! What files other than CI configurations contribute to the automation graph: Makefiles, DVC
//! stages, Dockerfiles, Python, shell scripts, Kustomize and other YAML job specs, and the YAML
//! helpers the CI systems share.

pub mod dockerfile;
pub mod dvc;
pub mod job_spec;
pub mod make;
pub mod python;
pub mod yaml;
