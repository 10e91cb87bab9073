//! Scalars numbered in a row — the parameters `w1` … `w2000` of a wide network of scalars, the
//! values `h1` … `h500` of a deep chain, the temporaries `t1` … `t1999` between them — kept in
//! one array each (`p.w[0]` … `p.w[1999]`), so that the statements that compute them one after
//! the other can be written as one loop (see `emit::rolled`).
//!
//! Only in a network whose passes are long (more than
//! [`MAX_STATEMENTS`](super::emit::passes::MAX_STATEMENTS) statements in one): there a
//! statement and a field per scalar made a program the compiler took minutes to build. A smaller
//! network keeps a field per scalar, named as the file names it.
//!
//! Invariant: a family's members are every stored scalar of one kind (parameters, inputs, or
//! the values of one struct with or without a row per example) whose name is the family's stem followed by
//! a number, the numbers `first`, `first + 1` … without a gap; member `first + i` is element `i`.

use std::collections::BTreeMap;

use super::emit::passes::MAX_STATEMENTS;
use super::names::Namer;
use super::plan::{Plan, Storage};
use crate::shape::Shape;

/// The fewest members a family has: fewer scalars in a row stay fields of their own.
pub const MIN_MEMBERS: usize = 8;

/// Scalars kept in one array.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Family {
    /// The struct holding it, as the passes name it: `p` (the parameters, and so their
    /// gradients `g`), `e` (the inputs of `Batch`), `f` (`Forward`) or `b` (`Backward`).
    pub root: String,
    /// The array's field: the members' common stem, `w`.
    pub field: String,
    /// The number of the first member (`1` for `w1`): element `i` is member `first + i`.
    pub first: u64,
    /// How many members.
    pub len: usize,
    /// Whether each member has a row per example (then the array holds a buffer of rows per
    /// member).
    pub varying: bool,
}

impl Family {
    /// Which parameter each element is, for the array's documentation: "`w[i − 1]` is `wi`".
    pub fn layout(&self) -> String {
        let stem = &self.field;
        let index = match self.first {
            0 => "i".to_string(),
            first => format!("i − {first}"),
        };
        format!("`{stem}[{index}]` is `{stem}i`")
    }

    /// The number of the last member.
    pub fn last(&self) -> u64 {
        self.first + self.len as u64 - 1
    }

    /// The path of element `index`: `p.w[3]`.
    pub fn element(&self, index: usize) -> String {
        format!("{}.{}[{index}]", self.root, self.field)
    }
}

/// What a family's member was before the family: a parameter (its index), or a buffer (its
/// node's index).
#[derive(Clone, Copy, Debug)]
enum Member {
    Param(usize),
    Input(usize),
    Buffer(usize),
}

/// `name` cut into its stem and its number (`delta_h12` → `delta_h`, 12), when it ends in a
/// number written without leading zeros after a letter.
fn numbered(name: &str) -> Option<(&str, u64)> {
    let digits = name.len() - name.trim_end_matches(|c: char| c.is_ascii_digit()).len();
    let (stem, number) = name.split_at(name.len() - digits);
    let ends_in_letter = stem.chars().last().is_some_and(|c| c.is_ascii_alphabetic());
    let plain = !number.is_empty() && (number == "0" || !number.starts_with('0'));
    match (ends_in_letter && plain, number.parse()) {
        (true, Ok(n)) => Some((stem, n)),
        _ => None,
    }
}

/// Gathers the families of `plan`'s scalars into arrays, when one of its passes is long: each
/// member's path (and a parameter's identifier) becomes its element of the array.
pub fn gather(plan: &mut Plan, namer: &mut Namer) {
    let longest = [plan.predict.len(), plan.forward.len(), plan.backward.len()]
        .into_iter()
        .max()
        .unwrap_or(0);
    if longest <= MAX_STATEMENTS {
        return;
    }
    // Candidates by (root, stem, varying): each with its number.
    let mut candidates: BTreeMap<(String, String, bool), Vec<(u64, Member)>> = BTreeMap::new();
    for (index, param) in plan.params.iter().enumerate() {
        let d = &param.declared;
        if d.shape == Shape::Scalar
            && let Some((stem, number)) = numbered(&d.ident)
        {
            let key = ("p".to_string(), stem.to_string(), false);
            candidates
                .entry(key)
                .or_default()
                .push((number, Member::Param(index)));
        }
    }
    // Inputs the network reads, each a column of a data row.
    for (index, input) in plan.inputs.iter().enumerate() {
        if input.shape == Shape::Scalar
            && input.used
            && let Some((stem, number)) = numbered(&input.ident)
        {
            let key = ("e".to_string(), stem.to_string(), true);
            candidates
                .entry(key)
                .or_default()
                .push((number, Member::Input(index)));
        }
    }
    for id in plan.graph().ids() {
        let Storage::Buffer(path) = &plan.storage[id.index()] else {
            continue;
        };
        let Some((root, name)) = path.split_once('.') else {
            continue;
        };
        if plan.graph()[id].shape == Shape::Scalar
            && let Some((stem, number)) = numbered(name)
        {
            let key = (root.to_string(), stem.to_string(), plan.is_varying(id));
            candidates
                .entry(key)
                .or_default()
                .push((number, Member::Buffer(id.index())));
        }
    }
    for ((root, stem, varying), mut members) in candidates {
        members.sort_by_key(|(number, _)| *number);
        let first = members[0].0;
        let contiguous = members
            .iter()
            .enumerate()
            .all(|(i, (number, _))| *number == first + i as u64);
        // Parameters declared in order, one every so many (`w1`, `b1`, `w2`, `b2` …), so that
        // `values` finds each one's place in `PARAMS` from its number; inputs declared one after
        // the other, so that their columns are too.
        let places: Vec<usize> = members
            .iter()
            .filter_map(|(_, member)| match member {
                Member::Param(index) | Member::Input(index) => Some(*index),
                Member::Buffer(_) => None,
            })
            .collect();
        let input = matches!(members[0].1, Member::Input(_));
        let in_order = places.len() < 2
            || places.windows(2).all(|pair| {
                let stride = places[1] - places[0];
                pair[1] > pair[0] && pair[1] - pair[0] == stride && (!input || stride == 1)
            });
        if members.len() < MIN_MEMBERS || !contiguous || !in_order || !namer.reserve(&stem) {
            continue;
        }
        let family = Family {
            root,
            field: stem,
            first,
            len: members.len(),
            varying,
        };
        for (i, (_, member)) in members.into_iter().enumerate() {
            match member {
                Member::Param(index) => {
                    let d = &mut plan.params[index].declared;
                    let old = Storage::Declared(format!("p.{}", d.ident));
                    d.ident = format!("{}[{i}]", family.field);
                    let new = Storage::Declared(format!("p.{}", d.ident));
                    for storage in plan.storage.iter_mut().filter(|s| **s == old) {
                        *storage = new.clone();
                    }
                }
                Member::Input(index) => {
                    let d = &mut plan.inputs[index];
                    let old = Storage::Declared(format!("e.{}", d.ident));
                    d.ident = format!("{}[{i}]", family.field);
                    let new = Storage::Declared(format!("e.{}", d.ident));
                    for storage in plan.storage.iter_mut().filter(|s| **s == old) {
                        *storage = new.clone();
                    }
                }
                Member::Buffer(node) => plan.storage[node] = Storage::Buffer(family.element(i)),
            }
        }
        plan.families.push(family);
    }
}

/// The family (and the element) of a field's path (`p.w[3]`, `g.w[3]`, `f.h[0]`), when it is
/// an element of one.
pub fn element_of<'a>(families: &'a [Family], path: &str) -> Option<(&'a Family, usize)> {
    let (root, rest) = path.split_once('.')?;
    let (field, index) = rest.strip_suffix(']')?.split_once('[')?;
    let index: usize = index.parse().ok()?;
    families
        .iter()
        .find(|f| {
            f.field == field && (f.root == root || (f.root == "p" && matches!(root, "g" | "self")))
        })
        .filter(|f| index < f.len)
        .map(|f| (f, index))
}

#[cfg(test)]
mod tests {
    use super::numbered;

    #[test]
    fn a_name_is_a_stem_and_a_number_only_when_it_ends_in_one_after_a_letter() {
        assert_eq!(numbered("w12"), Some(("w", 12)));
        assert_eq!(numbered("delta_h500"), Some(("delta_h", 500)));
        assert_eq!(numbered("h0"), Some(("h", 0)));
        assert_eq!(numbered("w"), None);
        assert_eq!(numbered("w07"), None);
        assert_eq!(numbered("x_2"), None);
        assert_eq!(numbered("w1_x"), None);
    }
}
