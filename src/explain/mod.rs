//! Derivations as data: what `nabla derive` and `nabla explain` show, computed once, for the
//! renderers to lay out in any format and language.
//!
//! Architecture invariant: everything a reader sees that involves mathematics — which formula,
//! which value, which rounding — is decided here; renderers and templates only arrange it.

pub mod explanation;
pub mod gradcheck;
pub mod gradients;
pub mod graph_view;
pub mod number;
pub mod scalar;
pub mod training;
pub mod values;

pub use gradients::{GradientDerivation, Line, LineKind};
