//! Generated trainer projects: written, built, run, and compared with the evaluator.
