//! "Did you mean …?": the known name nearest to a misspelt one.

/// The candidate closest to `name` by edit distance (a swap of two neighbours counts as one
/// edit), if it is close enough to be a plausible typo: at most a third of the name's length,
/// and at least one edit allowed, except for one-letter names, where any other letter is as near
/// as every other and only a different capital is suggested. Ties go to the candidate listed
/// first.
pub fn nearest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    ranked(name, candidates).into_iter().next()
}

/// Every plausible typo's intended name, the nearest first (see [`nearest`]).
pub fn ranked<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    let length = name.chars().count();
    let allowed = if length <= 1 { 0 } else { (length / 3).max(1) };
    let candidates: Vec<&str> = candidates.into_iter().filter(|c| *c != name).collect();
    // `batchsize` for `batch`, `lr_rate` for `lr`: a known word with something added, the
    // longest first.
    let lower = name.to_lowercase();
    let mut prefixes: Vec<&str> = candidates
        .iter()
        .copied()
        .filter(|c| c.len() >= 2 && lower.starts_with(&c.to_lowercase()))
        .collect();
    prefixes.sort_by_key(|c| std::cmp::Reverse(c.len()));
    let mut near: Vec<(usize, &str)> = candidates
        .into_iter()
        .filter(|c| !prefixes.contains(c))
        .map(|c| (distance(name, c), c))
        .filter(|(d, _)| *d <= allowed)
        .collect();
    near.sort_by_key(|(d, _)| *d);
    prefixes.extend(near.into_iter().map(|(_, c)| c));
    prefixes
}

/// Optimal string alignment distance, case-insensitive for the letters (a wrong capital is one
/// slip, not a different word).
fn distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().flat_map(char::to_lowercase).collect();
    let b: Vec<char> = b.chars().flat_map(char::to_lowercase).collect();
    let mut rows = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in rows.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in rows[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (rows[i - 1][j] + 1)
                .min(rows[i][j - 1] + 1)
                .min(rows[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(rows[i - 2][j - 2] + 1);
            }
            rows[i][j] = best;
        }
    }
    rows[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_plausible_typos() {
        let functions = ["sigmoid", "softmax", "sum", "tanh", "relu"];
        assert_eq!(nearest("sigmod", functions), Some("sigmoid"));
        assert_eq!(nearest("sofmtax", functions), Some("softmax"));
        assert_eq!(nearest("Relu", functions), Some("relu"));
        assert_eq!(nearest("banana", functions), None);
        assert_eq!(nearest("W3", ["W1", "W2", "x"]), Some("W1"));
        assert_eq!(nearest("h", ["E", "x"]), None);
        assert_eq!(nearest("e", ["E", "x"]), Some("E"));
        assert_eq!(
            nearest("batchsize", ["epochs", "batch", "seed"]),
            Some("batch")
        );
        assert_eq!(ranked("x3", ["x1", "W", "x2", "x"]), ["x1", "x2", "x"]);
    }
}
