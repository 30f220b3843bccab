//! The words of a search found in context, as SQLite's full-text index marks them: a word
//! matches a search term when it starts with it, letters and digits make words, and case does
//! not matter. Made here from the page's own texts, because asking the index for a snippet
//! runs the whole search again for every point of the page.

/// How many words a snippet shows, as the index's `snippet()` is asked for.
const SNIPPET_WORDS: usize = 14;

/// The part of `text` with the most words that start with one of `terms` (lower case), the
/// found words in `[` `]`, and `…` where text is left out. `None` when no word matches.
pub fn snippet(text: &str, terms: &[String]) -> Option<String> {
    let words = words_of(text, terms);
    let first_hit = words.iter().position(|w| w.hit)?;
    // The window of words with the most hits; the earliest of equals.
    let width = SNIPPET_WORDS.min(words.len());
    let hits_in = |start: usize| words[start..start + width].iter().filter(|w| w.hit).count();
    let mut best = first_hit.min(words.len() - width);
    let mut best_hits = hits_in(best);
    for start in best + 1..=words.len() - width {
        let hits = hits_in(start);
        if hits > best_hits {
            (best, best_hits) = (start, hits);
        }
    }
    let chosen = &words[best..best + width];
    let mut out = String::new();
    if best > 0 {
        out.push('…');
    }
    let mut at = chosen[0].start;
    for word in chosen {
        out.push_str(&text[at..word.start]);
        if word.hit {
            out.push('[');
            out.push_str(&text[word.start..word.end]);
            out.push(']');
        } else {
            out.push_str(&text[word.start..word.end]);
        }
        at = word.end;
    }
    if best + width < words.len() {
        out.push('…');
    } else {
        out.push_str(&text[at..]);
    }
    Some(out)
}

/// Whether every one of `terms` (lower case) starts a word of `text`: the index's own test of
/// a search, for a point read in another order than the index's.
pub fn has_every_term(text: &str, terms: &[String]) -> bool {
    let mut found = vec![false; terms.len()];
    for word in words(text) {
        for (term, seen) in terms.iter().zip(found.iter_mut()) {
            *seen |= starts_with_term(word, term);
        }
    }
    found.iter().all(|seen| *seen)
}

/// How well `text` matches `terms`, higher is better: each term's words weighed as the index's
/// bm25 weighs them (saturating with their count, less in a long text), every term alike.
pub fn term_score(text: &str, terms: &[String]) -> f64 {
    // bm25's constants, and the length of a point's text in words as the log's points have it.
    const K1: f64 = 1.2;
    const B: f64 = 0.75;
    const TYPICAL_WORDS: f64 = 40.0;
    let mut counts = vec![0u32; terms.len()];
    let mut length = 0u32;
    for word in words(text) {
        length += 1;
        for (term, count) in terms.iter().zip(counts.iter_mut()) {
            if starts_with_term(word, term) {
                *count += 1;
            }
        }
    }
    let norm = K1 * (1.0 - B + B * f64::from(length) / TYPICAL_WORDS);
    counts
        .iter()
        .map(|&count| {
            let tf = f64::from(count);
            tf * (K1 + 1.0) / (tf + norm)
        })
        .sum()
}

/// Whether `word` starts with `term` (lower case) whatever the case of `word`, read letter by
/// letter: a ranked search scores 2,000 texts, and a lower-case copy of each of their words
/// cost more than the rest of the search.
fn starts_with_term(word: &str, term: &str) -> bool {
    let mut lower = word.chars().flat_map(char::to_lowercase);
    term.chars().all(|letter| lower.next() == Some(letter))
}

/// The words of `text`: runs of letters and digits.
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|word| !word.is_empty())
}

struct Word {
    start: usize,
    end: usize,
    hit: bool,
}

fn words_of(text: &str, terms: &[String]) -> Vec<Word> {
    let mut words = Vec::new();
    let mut start = None;
    let close = |words: &mut Vec<Word>, start: usize, end: usize| {
        let word = &text[start..end];
        let hit = terms.iter().any(|term| starts_with_term(word, term));
        words.push(Word { start, end, hit });
    };
    for (at, c) in text.char_indices() {
        match (c.is_alphanumeric(), start) {
            (true, None) => start = Some(at),
            (false, Some(from)) => {
                close(&mut words, from, at);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(from) = start {
        close(&mut words, from, text.len());
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| (*w).to_owned()).collect()
    }

    #[test]
    fn marks_words_that_start_with_a_term_whatever_their_case() {
        assert_eq!(
            snippet("Kommunene melder inn behov", &terms(&["kommune"])).as_deref(),
            Some("[Kommunene] melder inn behov")
        );
        assert_eq!(
            snippet("ASU ber om e-læringskurs", &terms(&["læring"])).as_deref(),
            Some("ASU ber om e-[læringskurs]")
        );
    }

    #[test]
    fn a_word_starts_with_a_term_in_any_case_and_only_from_its_start() {
        assert!(starts_with_term("ØKONOMIPLAN", "økonomi"));
        assert!(starts_with_term("Årsmøtet", "årsmøte"));
        assert!(starts_with_term("kommune", "kommune"));
        assert!(!starts_with_term("kommunal", "kommune"));
        assert!(
            !starts_with_term("kommun", "kommune"),
            "a term longer than the word"
        );
        assert!(!starts_with_term("interkommunal", "kommun"));
        assert!(has_every_term(
            "St. Olavs HOSPITAL ber Kommunene",
            &terms(&["olav", "kommune"])
        ));
        assert!(!has_every_term(
            "St. Olavs hospital",
            &terms(&["olav", "kommune"])
        ));
    }

    #[test]
    fn no_snippet_without_a_match() {
        assert_eq!(snippet("Ingen treff her", &terms(&["kommune"])), None);
        assert_eq!(snippet("", &terms(&["kommune"])), None);
    }

    #[test]
    fn a_long_text_is_cut_around_the_most_matches_with_ellipses() {
        let text = "en to tre fire fem seks sju åtte ni ti elleve tolv tretten fjorten femten \
                    seksten sytten atten nitten tjue kommune og kommunene tjueen tjueto";
        let found = snippet(text, &terms(&["kommune"])).unwrap();
        assert!(found.starts_with('…'), "{found}");
        assert!(found.contains("[kommune] og [kommunene]"), "{found}");
        assert_eq!(found.split_whitespace().count(), SNIPPET_WORDS, "{found}");
        let early = snippet(
            "Kommune en to tre fire fem seks sju åtte ni ti elleve tolv tretten fjorten femten",
            &terms(&["kommune"]),
        )
        .unwrap();
        assert!(early.starts_with("[Kommune] en"), "{early}");
        assert!(early.ends_with('…'), "{early}");
    }

    #[test]
    fn keeps_the_text_between_words_as_it_is() {
        assert_eq!(
            snippet("Tiltak · Helse Fonna HF", &terms(&["fonna"])).as_deref(),
            Some("Tiltak · Helse [Fonna] HF")
        );
    }

    #[test]
    fn every_term_must_start_a_word() {
        let text = "Kommunene melder inn behov for e-læringskurs";
        assert!(has_every_term(text, &terms(&["kommune", "læring"])));
        assert!(has_every_term(text, &terms(&["e", "behov"])));
        assert!(!has_every_term(text, &terms(&["kommune", "fonna"])));
        assert!(
            !has_every_term(text, &terms(&["ommune"])),
            "a term starts a word"
        );
        assert!(!has_every_term("", &terms(&["kommune"])));
    }

    #[test]
    fn more_of_the_words_and_a_shorter_text_score_higher() {
        let once = term_score("kommune og helse", &terms(&["kommune"]));
        let twice = term_score("kommune og kommunene", &terms(&["kommune"]));
        let long = term_score(
            &format!("kommune {}", "ord ".repeat(80)),
            &terms(&["kommune"]),
        );
        assert!(
            twice > once && once > long && long > 0.0,
            "{twice} {once} {long}"
        );
        assert_eq!(term_score("helse", &terms(&["kommune"])), 0.0);
    }
}
