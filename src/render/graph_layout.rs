//! A layered drawing of a graph, top to bottom: the inputs and parameters above, the loss at the
//! bottom, each box one row below its lowest operand, and every arrow flowing down.
//!
//! The classic method in small: rows from longest paths (a value the file gives sits just above
//! its first use), a waypoint in each row an arrow crosses, the order within rows by barycenters
//! (an operation's first operand kept left of its second), and positions pulled toward the
//! boxes each box is joined to, never overlapping.

/// A box to place, of this width and height.
#[derive(Clone, Copy, Debug)]
pub struct Size {
    pub width: f64,
    pub height: f64,
}

/// An arrow from box `from` into operand slot `position` of `operands` of box `to`.
#[derive(Clone, Copy, Debug)]
pub struct Arrow {
    pub from: usize,
    pub to: usize,
    pub position: usize,
    pub operands: usize,
}

/// Where everything went.
#[derive(Clone, Debug)]
pub struct Layout {
    /// The centre of each box's top edge.
    pub boxes: Vec<(f64, f64)>,
    /// Each arrow's points, from the bottom of its source to the top of its target.
    pub arrows: Vec<Vec<(f64, f64)>>,
    pub width: f64,
    pub height: f64,
}

const MARGIN: f64 = 16.0;
const GAP_X: f64 = 24.0;
const GAP_Y: f64 = 44.0;
/// A waypoint's width: arrows through one row keep this far apart.
const WAYPOINT: f64 = 10.0;
const SWEEPS: usize = 12;

/// One thing in a row, by its width: a box, or a waypoint of an arrow that crosses the row.
#[derive(Clone, Copy, Debug)]
struct Item {
    width: f64,
}

pub fn layout(sizes: &[Size], arrows: &[Arrow]) -> Layout {
    let n = sizes.len();
    // Rows: one below the lowest operand; a box with no operands just above its first user.
    let mut row = vec![0usize; n];
    let mut has_operands = vec![false; n];
    for arrow in arrows {
        has_operands[arrow.to] = true;
    }
    for v in 0..n {
        row[v] = arrows
            .iter()
            .filter(|a| a.to == v && a.from < v)
            .map(|a| row[a.from] + 1)
            .max()
            .unwrap_or(0);
    }
    for v in 0..n {
        if !has_operands[v]
            && let Some(first_use) = arrows
                .iter()
                .filter(|a| a.from == v)
                .map(|a| row[a.to])
                .min()
        {
            row[v] = first_use.saturating_sub(1);
        }
    }
    let rows = row.iter().copied().max().map_or(0, |r| r + 1);

    // Items per row, and each arrow's chain of items (source, waypoints, target).
    let mut items: Vec<Vec<Item>> = vec![Vec::new(); rows];
    let mut where_is: Vec<(usize, usize)> = Vec::with_capacity(n);
    for v in 0..n {
        where_is.push((row[v], items[row[v]].len()));
        items[row[v]].push(Item {
            width: sizes[v].width,
        });
    }
    // Item identities: (row, id within row) stays fixed; the order is kept separately.
    let mut chains: Vec<Vec<(usize, usize)>> = Vec::new();
    for arrow in arrows {
        let (from_row, to_row) = (row[arrow.from], row[arrow.to]);
        let mut chain = vec![where_is[arrow.from]];
        for (r, crossed) in items.iter_mut().enumerate().take(to_row).skip(from_row + 1) {
            chain.push((r, crossed.len()));
            crossed.push(Item { width: WAYPOINT });
        }
        chain.push(where_is[arrow.to]);
        chains.push(chain);
    }

    // Neighbours of each item in the rows above and below, with a bias that keeps an
    // operation's first operand to the left of its second.
    let mut above: Vec<Vec<Vec<(usize, f64)>>> =
        items.iter().map(|r| vec![Vec::new(); r.len()]).collect();
    let mut below = above.clone();
    for (chain, arrow) in chains.iter().zip(arrows) {
        let bias = if arrow.operands > 1 {
            (arrow.position as f64 / (arrow.operands - 1) as f64 - 0.5) * 0.6
        } else {
            0.0
        };
        let hops = chain.len() - 1;
        for (k, pair) in chain.windows(2).enumerate() {
            let ((r0, i0), (r1, i1)) = (pair[0], pair[1]);
            // Only the hop into the operation knows which operand it is.
            let bias = if k + 1 == hops { bias } else { 0.0 };
            below[r0][i0].push((i1, bias));
            above[r1][i1].push((i0, bias));
        }
    }

    // Order within rows: barycenters, sweeping down and up.
    let mut order: Vec<Vec<usize>> = items.iter().map(|r| (0..r.len()).collect()).collect();
    for sweep in 0..SWEEPS {
        let (down, range) = sweep_rows(sweep, rows);
        for r in range {
            let (neighbours, other) = if down {
                (&above[r], r - 1)
            } else {
                (&below[r], r + 1)
            };
            let place: Vec<f64> = position_of(&order[other]);
            let current = position_of(&order[r]);
            let key = |i: usize| {
                let list = &neighbours[i];
                if list.is_empty() {
                    current[i]
                } else {
                    list.iter().map(|(j, bias)| place[*j] + bias).sum::<f64>() / list.len() as f64
                }
            };
            let keys: Vec<f64> = (0..items[r].len()).map(key).collect();
            order[r].sort_by(|a, b| keys[*a].total_cmp(&keys[*b]));
        }
    }

    // Positions: packed, then pulled toward the centres of the neighbours, alternately above
    // and below, keeping the order and the gaps.
    let mut x: Vec<Vec<f64>> = items.iter().map(|r| vec![0.0; r.len()]).collect();
    for r in 0..rows {
        let mut left = 0.0;
        for &i in &order[r] {
            x[r][i] = left + items[r][i].width / 2.0;
            left += items[r][i].width + GAP_X;
        }
    }
    for sweep in 0..2 * SWEEPS {
        let (down, range) = sweep_rows(sweep, rows);
        for r in range {
            let (neighbours, other) = if down {
                (&above[r], r - 1)
            } else {
                (&below[r], r + 1)
            };
            let desired: Vec<f64> = (0..items[r].len())
                .map(|i| {
                    let list = &neighbours[i];
                    if list.is_empty() {
                        x[r][i]
                    } else {
                        list.iter().map(|(j, _)| x[other][*j]).sum::<f64>() / list.len() as f64
                    }
                })
                .collect();
            x[r] = place_in_order(&items[r], &order[r], &desired);
        }
    }

    // Shift everything right of the margin; rows top to bottom.
    let leftmost = (0..rows)
        .flat_map(|r| order[r].iter().map(move |&i| (r, i)))
        .map(|(r, i)| x[r][i] - items[r][i].width / 2.0)
        .fold(f64::INFINITY, f64::min);
    let shift = MARGIN - if leftmost.is_finite() { leftmost } else { 0.0 };
    let mut top = vec![0.0; rows];
    let mut row_height = vec![0.0f64; rows];
    for v in 0..n {
        row_height[row[v]] = row_height[row[v]].max(sizes[v].height);
    }
    let mut y = MARGIN;
    for r in 0..rows {
        top[r] = y;
        y += row_height[r] + GAP_Y;
    }
    let height = y - GAP_Y + MARGIN;
    // A box sits in the middle of its row's height.
    let box_top = |v: usize| top[row[v]] + (row_height[row[v]] - sizes[v].height) / 2.0;
    let boxes: Vec<(f64, f64)> = (0..n)
        .map(|v| {
            let (r, i) = where_is[v];
            (x[r][i] + shift, box_top(v))
        })
        .collect();
    let arrows_out = chains
        .iter()
        .zip(arrows)
        .map(|(chain, arrow)| {
            let mut points = Vec::with_capacity(chain.len());
            let (fx, fy) = boxes[arrow.from];
            points.push((fx, fy + sizes[arrow.from].height));
            for &(r, i) in &chain[1..chain.len() - 1] {
                points.push((x[r][i] + shift, top[r] + row_height[r] / 2.0));
            }
            // Operands enter side by side, the first on the left.
            let (tx, ty) = boxes[arrow.to];
            let w = sizes[arrow.to].width;
            let port = if arrow.operands > 1 {
                tx - w / 2.0 + w * (arrow.position as f64 + 1.0) / (arrow.operands as f64 + 1.0)
            } else {
                tx
            };
            points.push((port, ty));
            points
        })
        .collect();
    let width = (0..rows)
        .flat_map(|r| order[r].iter().map(move |&i| (r, i)))
        .map(|(r, i)| x[r][i] + shift + items[r][i].width / 2.0)
        .fold(0.0, f64::max)
        + MARGIN;
    Layout {
        boxes,
        arrows: arrows_out,
        width,
        height,
    }
}

/// Whether a sweep goes down (even sweeps), and the rows it visits: each row after the first,
/// going down, judged by the row above; each row before the last, going up, by the row below.
fn sweep_rows(sweep: usize, rows: usize) -> (bool, Vec<usize>) {
    if sweep.is_multiple_of(2) {
        (true, (1..rows).collect())
    } else {
        (false, (0..rows.saturating_sub(1)).rev().collect())
    }
}

/// The position of each item (by id) in `order`.
fn position_of(order: &[usize]) -> Vec<f64> {
    let mut place = vec![0.0; order.len()];
    for (k, &i) in order.iter().enumerate() {
        place[i] = k as f64;
    }
    place
}

/// Centres as near `desired` as the order and the gaps allow: the mean of packing from the left
/// and packing from the right, which keeps both.
fn place_in_order(items: &[Item], order: &[usize], desired: &[f64]) -> Vec<f64> {
    let gap = |a: usize, b: usize| items[a].width / 2.0 + GAP_X + items[b].width / 2.0;
    let mut from_left = vec![0.0; items.len()];
    let mut previous: Option<usize> = None;
    for &i in order {
        from_left[i] = match previous {
            Some(p) => desired[i].max(from_left[p] + gap(p, i)),
            None => desired[i],
        };
        previous = Some(i);
    }
    let mut from_right = vec![0.0; items.len()];
    let mut next: Option<usize> = None;
    for &i in order.iter().rev() {
        from_right[i] = match next {
            Some(q) => desired[i].min(from_right[q] - gap(i, q)),
            None => desired[i],
        };
        next = Some(i);
    }
    (0..items.len())
        .map(|i| (from_left[i] + from_right[i]) / 2.0)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_arrow_flows_down_and_no_boxes_overlap() {
        // a, b → c = a + b; c, d → e; b → e too (an arrow across a row).
        let sizes = vec![
            Size {
                width: 60.0,
                height: 30.0
            };
            5
        ];
        let arrows = [
            Arrow {
                from: 0,
                to: 2,
                position: 0,
                operands: 2,
            },
            Arrow {
                from: 1,
                to: 2,
                position: 1,
                operands: 2,
            },
            Arrow {
                from: 2,
                to: 4,
                position: 0,
                operands: 3,
            },
            Arrow {
                from: 3,
                to: 4,
                position: 1,
                operands: 3,
            },
            Arrow {
                from: 1,
                to: 4,
                position: 2,
                operands: 3,
            },
        ];
        let layout = layout(&sizes, &arrows);
        for points in &layout.arrows {
            for pair in points.windows(2) {
                assert!(pair[1].1 > pair[0].1, "{points:?} flows down");
            }
        }
        for a in 0..5 {
            for b in a + 1..5 {
                let (pa, pb) = (layout.boxes[a], layout.boxes[b]);
                let apart_x = (pa.0 - pb.0).abs() >= 60.0;
                let apart_y = (pa.1 - pb.1).abs() >= 30.0;
                assert!(apart_x || apart_y, "boxes {a} and {b} overlap");
            }
        }
        // The first operand of c is left of its second.
        assert!(layout.boxes[0].0 < layout.boxes[1].0, "{layout:?}");
        assert!(layout.width > 0.0 && layout.height > 0.0);
    }
}
