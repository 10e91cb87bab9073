//! The pest parser generated from grammar/nabla.pest. pest's types stay inside `syntax`.

#[derive(pest_derive::Parser)]
#[grammar = "../grammar/nabla.pest"]
pub struct NablaParser;
