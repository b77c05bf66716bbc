use std::collections::BTreeMap;

fn main() {
    let text = "the quick brown fox jumps over the lazy dog the end";
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for w in text.split_whitespace() {
        *counts.entry(w).or_insert(0) += 1;
    }
    let top = counts.iter().max_by_key(|(w, c)| (**c, std::cmp::Reverse(**w))).unwrap();
    println!("hello-rust: {} words, most frequent: {} ({})", counts.len(), top.0, top.1);
}
