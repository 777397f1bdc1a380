//! The subcommands, one module each.

pub(crate) mod compare;
pub(crate) mod compare_areas;
pub(crate) mod demo;
pub(crate) mod diff;
pub(crate) mod explain;
pub(crate) mod golden_test;
pub(crate) mod import;
pub(crate) mod score;
pub(crate) mod sensitivity;
pub(crate) mod serve;
pub(crate) mod sets;
pub(crate) mod show;
pub(crate) mod targets;
pub(crate) mod template;
pub(crate) mod validate;
pub(crate) mod verify;
