//! Finds references to other cases and meetings in Norwegian committee text, so that the
//! import can link a case to the cases it follows up, refers to, or is postponed to.
//!
//! The scan works on words, not on a grammar: committee documents are PDF extractions with
//! broken lines and inconsistent punctuation, and a few well-chosen word patterns find the
//! references people actually write ("vedtak i sak 31/23", "(jfr. ASU-sak 53/22)",
//! "Saken utsettes til ASU-møte 19.06.24") while ignoring numbers that only look like case
//! numbers ("kapittel 1-5", "2022 - 2024", dates).
//!
//! It needs only domain types, so both the store (which proposes links whenever a text is
//! written) and the import use it.
//!
//! # Heuristics
//!
//! * **Case references** need a keyword right before the number: `sak`, `saken`, `saker`,
//!   `sakene`, `saksnr.`, `saksnummer`, `vedtak`, `vedtaket`, `vedtakene` (any case), optionally
//!   followed by `nr.`; the keyword may carry a committee (`ASU-sak`, or `ASU sak` with a
//!   separate upper-case code). After one number, more may follow joined by `,`/`og`/`samt`/
//!   `eller` ("saker 31/23 og 32/23"). Numbers are `NN/YY` or `NN-YY`, with 2-digit years as in
//!   the documents (4-digit years only with a slash, so "2022-2024" is never a case).
//! * **Kind**: a case in a title starting with "Oppfølging" is followed up. Elsewhere a case is
//!   followed up when a word starting with "vedtak" (vedtak, vedtaket, vedtakene,
//!   vedtakspunkt…) occurs in the same sentence before the number, or at most
//!   six words after it ("(sak 24/23), der ASU fattet følgende vedtak");
//!   otherwise it is referred to.
//! * **Text**: the words matched, from the phrase before the number ("vedtak i ASU sak") to the
//!   number, taking in the numbers before it in a list ("saker 31/23 og 32/23"). In a list of
//!   more than `MAX_LISTED` (10) numbers, a later number's text starts at the number
//!   `MAX_LISTED - 1` places before it, so that no text holds more than `MAX_LISTED` numbers.
//! * **Sentences** end at a word ending in `.`, `!` or `?` (unless it is a known abbreviation
//!   such as "jfr." or "ca.", a single letter, or the next word starts in lower case, as in
//!   "14. juni"), and at a paragraph break (a blank line).
//! * **Postponement**: `utsettes`/`utsatt` `til` [meeting words] `dd.mm.yy(yy)` is a
//!   postponement to the meeting on that date. The meeting words must name a meeting (`møte`,
//!   `møtet`, `ASU-møte`, or a committee code such as `ASU`), unless the subject is the case
//!   itself ("Saken utsettes til 19.06.24"): "Høringsfristen er utsatt til 27.06.24" is about a
//!   deadline, not a meeting.
//! * **Another case postponed**: "Sak 22/24 utsettes" says that case 22/24 is postponed (it is
//!   usually written in the agenda approval of another case); it is no link from this case, so
//!   neither the case number nor any meeting date after it is returned.
//!
//! # Cost
//!
//! Linear in the length of the texts, whatever their shape (one sentence of 400 KB without a
//! full stop, thousands of numbers in one list): the text is split into words once, each word
//! is lower-cased once and knows whether a "vedtak" word stands earlier in its sentence, every
//! other look is a bounded number of words before or after a word, each word starts at most
//! one list or meeting phrase, and the references found so far are looked up by number or date
//! in a hash map.

use std::borrow::Cow;
use std::collections::HashMap;
use std::ops::Range;

use chrono::NaiveDate;

use crate::domain::{CaseNumber, CommitteeCode, LinkKind};

/// What a reference points at.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReferenceTarget {
    /// A case by number, with the committee when the text names one ("ASU-sak 53/22").
    Case {
        committee: Option<CommitteeCode>,
        number: CaseNumber,
    },
    /// A meeting by date ("Saken utsettes til ASU-møte 19.06.24"), with the committee when named.
    Meeting {
        committee: Option<CommitteeCode>,
        date: NaiveDate,
    },
}

/// A reference from a case's text to another case or to a meeting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reference {
    /// How this case relates to the target.
    pub kind: LinkKind,
    /// What the reference points at.
    pub target: ReferenceTarget,
    /// The words matched, as written, e.g. "vedtak i sak 31/23".
    pub text: String,
}

/// How many words after a case number may still hold the "vedtak" that makes it a follow-up:
/// enough for "(sak 24/23), der ASU fattet følgende vedtak", short enough not to reach into an
/// unrelated clause of a long sentence.
const DECISION_WINDOW_AFTER: usize = 6;

/// The most numbers of a list that one reference's text holds (see the module documentation):
/// "saker 1/24, 2/24 og 3/24" shows the list as written, while the texts of a list of thousands
/// of numbers do not grow with the square of its length.
const MAX_LISTED: usize = 10;

/// Finds the references in a case's title (`title`) and its other texts (`texts`: narrative,
/// decision points).
///
/// One reference per target (the strongest kind wins: postponed_to > follows_up > refers_to),
/// in order of first appearance; the text is that of the occurrence that gave the kind. A case
/// named without a committee and the same number with one ("sak 53/22", "ASU-sak 53/22") are
/// one target, which keeps the committee. A reference to the case itself is returned like any
/// other: the caller knows the case's own number and drops it.
pub fn find_references(title: &str, texts: &[&str]) -> Vec<Reference> {
    let mut found = Found::default();
    let title_kind = starts_with_follow_up(title).then_some(LinkKind::FollowsUp);
    for (text, forced_kind) in
        std::iter::once((title, title_kind)).chain(texts.iter().map(|t| (*t, None)))
    {
        let words = words(text);
        let cases = case_references(&words, forced_kind);
        let meetings = postponements(&words);
        // Both passes find their candidates in text order: merge them into text order.
        let mut cases = cases.into_iter().peekable();
        let mut meetings = meetings.into_iter().peekable();
        loop {
            let take_case = match (cases.peek(), meetings.peek()) {
                (Some(c), Some(m)) => c.position <= m.position,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (None, None) => break,
            };
            let next = if take_case {
                cases.next()
            } else {
                meetings.next()
            };
            found.add(text, next.expect("peeked"));
        }
    }
    found.references
}

/// Whether a title announces a follow-up ("Oppfølging sak 3/24 – …"), ignoring leading
/// markup such as "**".
fn starts_with_follow_up(title: &str) -> bool {
    title
        .trim_start_matches(|c: char| !c.is_alphanumeric())
        .to_lowercase()
        .starts_with("oppfølging")
}

/// A reference found in one text, before it is merged with the others: its text is cut out of
/// the text (`span`) only if it is kept.
struct Candidate {
    /// Byte offset of the number or of "utsettes", for the order of the text.
    position: usize,
    kind: LinkKind,
    target: ReferenceTarget,
    /// Byte range of the words matched.
    span: Range<usize>,
}

/// What a target points at, without the committee.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Place {
    Case(CaseNumber),
    Meeting(NaiveDate),
}

fn place_of(target: &ReferenceTarget) -> Place {
    match target {
        ReferenceTarget::Case { number, .. } => Place::Case(*number),
        ReferenceTarget::Meeting { date, .. } => Place::Meeting(*date),
    }
}

/// The references found so far, one per target, with indexes to find a target's reference
/// without going through them all.
///
/// A new reference belongs to the first one of the same place (number or date) whose
/// committee does not contradict its own (an unnamed committee is taken to be the one named
/// elsewhere). Of one place there is then either a single reference without a committee (the
/// first, which takes the committee of the first named one that joins it), or references
/// with different committees; so the first reference of the place, or else the one with the
/// same committee, is the one.
#[derive(Default)]
struct Found {
    references: Vec<Reference>,
    /// The index of the first reference to each place.
    first: HashMap<Place, usize>,
    /// The index of the reference to each place with each committee named.
    named: HashMap<(Place, CommitteeCode), usize>,
}

impl Found {
    fn add(&mut self, text: &str, new: Candidate) {
        let place = place_of(&new.target);
        let committee = committee_of(&new.target).clone();
        let existing = self.first.get(&place).copied().and_then(|first| {
            match (committee_of(&self.references[first].target), &committee) {
                (None, _) | (_, None) => Some(first),
                (Some(_), Some(code)) => self.named.get(&(place, code.clone())).copied(),
            }
        });
        let Some(index) = existing else {
            let index = self.references.len();
            self.first.entry(place).or_insert(index);
            if let Some(code) = committee {
                self.named.insert((place, code), index);
            }
            self.references.push(Reference {
                kind: new.kind,
                target: new.target,
                text: text[new.span].to_string(),
            });
            return;
        };
        let old = &mut self.references[index];
        if strength(new.kind) > strength(old.kind) {
            old.kind = new.kind;
            old.text = text[new.span].to_string();
        }
        let slot = committee_slot(&mut old.target);
        if slot.is_none()
            && let Some(code) = committee
        {
            *slot = Some(code.clone());
            self.named.insert((place, code), index);
        }
    }
}

/// Ranks the kinds so that the most specific one wins when a target is referenced twice.
fn strength(kind: LinkKind) -> u8 {
    match kind {
        LinkKind::PostponedTo => 2,
        LinkKind::FollowsUp => 1,
        LinkKind::RefersTo => 0,
    }
}

fn committee_of(target: &ReferenceTarget) -> &Option<CommitteeCode> {
    match target {
        ReferenceTarget::Case { committee, .. } | ReferenceTarget::Meeting { committee, .. } => {
            committee
        }
    }
}

fn committee_slot(target: &mut ReferenceTarget) -> &mut Option<CommitteeCode> {
    match target {
        ReferenceTarget::Case { committee, .. } | ReferenceTarget::Meeting { committee, .. } => {
            committee
        }
    }
}

/// A word of the text: a run of non-whitespace with its surrounding punctuation split off, so
/// that "(sak", "27/23)" and "sak" compare alike while the punctuation still tells where
/// sentences and lists end.
#[derive(Debug)]
struct Word<'a> {
    /// The word without leading and trailing punctuation: "sak" in "(sak", "nr" in "nr.".
    core: &'a str,
    /// `core` in lower case, made once.
    lower: Cow<'a, str>,
    /// Byte offset of `core` in the text.
    start: usize,
    /// Byte offset just after `core` in the text.
    end: usize,
    /// The punctuation after `core`: ")." in "(komplett).".
    trail: &'a str,
    /// The index of the sentence the word stands in.
    sentence: usize,
    /// Whether a word starting with "vedtak" stands before this one in its sentence.
    decision_before: bool,
}

impl Word<'_> {
    fn is(&self, candidates: &[&str]) -> bool {
        candidates.contains(&&*self.lower)
    }
}

/// `word` in lower case, borrowed when it already is.
fn lower_case(word: &str) -> Cow<'_, str> {
    let unchanged = |c: char| {
        let mut lower = c.to_lowercase();
        lower.next() == Some(c) && lower.next().is_none()
    };
    if word.chars().all(unchanged) {
        Cow::Borrowed(word)
    } else {
        Cow::Owned(word.to_lowercase())
    }
}

const LEADING_PUNCTUATION: &[char] = &['(', '[', '«', '"', '\'', '“', '‘', '*'];
const TRAILING_PUNCTUATION: &[char] = &[
    ')', ']', '»', '"', '\'', '”', '’', ',', ';', ':', '.', '!', '?', '*',
];

/// Abbreviations whose dot does not end a sentence ("jfr. ASU-sak 53/22", "St. Olavs").
const ABBREVIATIONS: &[&str] = &[
    "jf",
    "jfr",
    "nr",
    "pkt",
    "ca",
    "mv",
    "m.v",
    "iht",
    "ift",
    "evt",
    "bl.a",
    "f.eks",
    "dvs",
    "kl",
    "ref",
    "mnd",
    "vedr",
    "ang",
    "hhv",
    "inkl",
    "ekskl",
    "mht",
    "pga",
    "st",
    "ekstraord",
    "tlf",
    "saksnr",
];

/// Splits a text into words, numbers their sentences (see the module documentation) and
/// notes which words follow a "vedtak" word in their sentence.
fn words(text: &str) -> Vec<Word<'_>> {
    let mut words: Vec<Word<'_>> = Vec::new();
    let mut sentence = 0;
    let mut decision_in_sentence = false;
    let mut newlines = 0;
    let mut run_start = None;
    // A trailing space flushes the last word.
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        if !c.is_whitespace() {
            run_start.get_or_insert(i);
            continue;
        }
        if let Some(start) = run_start.take() {
            let mut word = split_word(text, start, i);
            if let Some(previous) = words.last()
                && (newlines >= 2 || ends_sentence(previous, &word))
            {
                sentence += 1;
                decision_in_sentence = false;
            }
            word.sentence = sentence;
            word.decision_before = decision_in_sentence;
            decision_in_sentence |= is_decision_word(&word);
            words.push(word);
            newlines = 0;
        }
        if c == '\n' {
            newlines += 1;
        }
    }
    words
}

fn split_word(text: &str, start: usize, end: usize) -> Word<'_> {
    let raw = &text[start..end];
    let rest = raw.trim_start_matches(LEADING_PUNCTUATION);
    let core = rest.trim_end_matches(TRAILING_PUNCTUATION);
    let core_start = start + (raw.len() - rest.len());
    Word {
        core,
        lower: lower_case(core),
        start: core_start,
        end: core_start + core.len(),
        trail: &rest[core.len()..],
        sentence: 0,
        decision_before: false,
    }
}

fn ends_sentence(previous: &Word<'_>, next: &Word<'_>) -> bool {
    let has_stop = previous.trail.contains(['.', '!', '?']);
    let mut letters = previous.core.chars();
    let single_letter = letters.next().is_some_and(char::is_alphabetic) && letters.next().is_none();
    let abbreviation = single_letter || previous.is(ABBREVIATIONS);
    // "14. juni": a sentence does not go on in lower case.
    let continues = next.core.chars().next().is_some_and(char::is_lowercase);
    has_stop && !abbreviation && !continues
}

/// A committee code written on its own or as a prefix ("ASU", "AU-sak"): 2 to 5 upper-case
/// letters, so that ordinary capitalised words ("Saken") are never taken for one.
fn committee_code(text: &str) -> Option<CommitteeCode> {
    // Counting stops after 6: enough to tell, however long the word.
    let letters = text.chars().take(6).count();
    let upper = text.chars().all(|c| c.is_alphabetic() && c.is_uppercase());
    ((2..=5).contains(&letters) && upper)
        .then(|| text.parse().ok())
        .flatten()
}

/// A case number as written in the documents: "31/23", "09/24", "23-24", or "31/2023".
fn case_number(core: &str) -> Option<CaseNumber> {
    let (at, separator) = core.char_indices().find(|(_, c)| matches!(c, '/' | '-'))?;
    let (serial, year) = (&core[..at], &core[at + 1..]);
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(serial) || serial.len() > 4 || !digits(year) {
        return None;
    }
    let year: i32 = match (year.len(), separator) {
        (2, _) => 2000 + year.parse::<i32>().ok()?,
        // "2022-2024" is a period, never a case; a four-digit year needs the slash.
        (4, '/') => year.parse().ok()?,
        _ => return None,
    };
    CaseNumber::new(serial.parse().ok()?, year).ok()
}

/// A date "dd.mm.yy" or "dd.mm.yyyy"; two-digit years are 20yy. Impossible dates are none.
fn date(core: &str) -> Option<NaiveDate> {
    let mut parts = core.split('.');
    let (day, month, year) = (parts.next()?, parts.next()?, parts.next()?);
    let digits = |s: &str, lengths: &[usize]| {
        (lengths.contains(&s.len()) && s.bytes().all(|b| b.is_ascii_digit()))
            .then(|| s.parse::<u32>().ok())
            .flatten()
    };
    if parts.next().is_some() {
        return None;
    }
    let year = match year.len() {
        2 => 2000 + digits(year, &[2])?,
        _ => digits(year, &[4])?,
    };
    NaiveDate::from_ymd_opt(
        i32::try_from(year).ok()?,
        digits(month, &[1, 2])?,
        digits(day, &[1, 2])?,
    )
}

/// A word that may stand right before a case number.
struct Keyword {
    committee: Option<CommitteeCode>,
    /// "vedtak"/"vedtaket"/"vedtakene": the reference is to a decision, hence a follow-up.
    decision: bool,
}

fn keyword(word: &Word<'_>) -> Option<Keyword> {
    let (committee, lower) = match word.core.rsplit_once('-') {
        Some((prefix, bare)) => (Some(committee_code(prefix)?), lower_case(bare)),
        None => (None, Cow::Borrowed(&*word.lower)),
    };
    // "sak." ends a sentence and "sak," a clause: neither introduces the number after it.
    let trail_ok =
        matches!(word.trail, "" | ":") || lower == "saksnr" && matches!(word.trail, "." | ".:");
    if !trail_ok {
        return None;
    }
    let decision = match &*lower {
        "sak" | "saken" | "saker" | "sakene" | "saksnr" | "saksnummer" => false,
        "vedtak" | "vedtaket" | "vedtakene" => true,
        _ => return None,
    };
    Some(Keyword {
        committee,
        decision,
    })
}

fn is_decision_word(word: &Word<'_>) -> bool {
    word.lower.starts_with("vedtak")
}

/// The case number at `index`, if it stands in `sentence`.
fn case_at(words: &[Word<'_>], index: usize, sentence: usize) -> Option<CaseNumber> {
    words
        .get(index)
        .filter(|w| w.sentence == sentence)
        .and_then(|w| case_number(w.core))
}

/// Whether the word at `index` (after an optional "er"/"ble"/"blir") says "is postponed".
fn postponed_at(words: &[Word<'_>], index: usize, sentence: usize) -> bool {
    let words = |index: usize| words.get(index).filter(|w| w.sentence == sentence);
    let mut index = index;
    if words(index).is_some_and(|w| w.trail.is_empty() && w.is(&["er", "ble", "blir"])) {
        index += 1;
    }
    words(index).is_some_and(|w| w.is(&["utsettes", "utsatt"]))
}

/// The index of the word before `index` that is the subject of a verb at `index`, skipping an
/// auxiliary ("Saken blir utsatt").
fn subject_before(words: &[Word<'_>], index: usize) -> Option<usize> {
    let before = index.checked_sub(1)?;
    match words.get(before) {
        Some(w) if w.is(&["er", "ble", "blir"]) => before.checked_sub(1),
        Some(_) => Some(before),
        None => None,
    }
}

/// Case references with their byte positions (see the module documentation). Every word is
/// looked at as a keyword once, and a list is read once: the scan goes on after its last
/// number.
fn case_references(words: &[Word<'_>], forced_kind: Option<LinkKind>) -> Vec<Candidate> {
    let mut found = Vec::new();
    let mut i = 0;
    while i < words.len() {
        let Some(key) = keyword(&words[i]) else {
            i += 1;
            continue;
        };
        let sentence = words[i].sentence;
        let mut first = i + 1;
        if words
            .get(first)
            .is_some_and(|w| w.is(&["nr", "nummer"]) && matches!(w.trail, "" | "." | ":"))
        {
            first += 1;
        }
        let Some(number) = case_at(words, first, sentence) else {
            i += 1;
            continue;
        };
        let mut numbers = vec![(first, number)];
        let mut last = first;
        while matches!(words[last].trail, "" | ",") {
            let mut next = last + 1;
            let mut joined = words[last].trail == ",";
            if words
                .get(next)
                .is_some_and(|w| w.trail.is_empty() && w.is(&["og", "samt", "eller"]))
            {
                joined = true;
                next += 1;
            }
            match case_at(words, next, sentence) {
                Some(number) if joined => {
                    numbers.push((next, number));
                    last = next;
                }
                _ => break,
            }
        }
        if postponed_at(words, last + 1, sentence) {
            // "Sak 22/24 utsettes": that case is postponed; it is no link from this one.
            i = last + 1;
            continue;
        }
        let (start, committee) = phrase_start(words, i, key.committee);
        for (listed, &(index, number)) in numbers.iter().enumerate() {
            let kind = forced_kind.unwrap_or(if key.decision || decision_nearby(words, index) {
                LinkKind::FollowsUp
            } else {
                LinkKind::RefersTo
            });
            let from = if listed < MAX_LISTED {
                start
            } else {
                numbers[listed + 1 - MAX_LISTED].0
            };
            found.push(Candidate {
                position: words[index].start,
                kind,
                target: ReferenceTarget::Case {
                    committee: committee.clone(),
                    number,
                },
                span: words[from].start..words[index].end,
            });
        }
        i = last + 1;
    }
    found
}

/// Widens a match backwards over a separate committee code ("ASU sak 53/22") and over
/// "vedtak i" ("vedtak i sak 31/23"), so the text shows what the writer wrote.
fn phrase_start(
    words: &[Word<'_>],
    keyword: usize,
    committee: Option<CommitteeCode>,
) -> (usize, Option<CommitteeCode>) {
    let sentence = words[keyword].sentence;
    let usable = |index: usize| {
        words
            .get(index)
            .filter(|w| w.sentence == sentence && w.trail.is_empty())
    };
    let mut start = keyword;
    let mut committee = committee;
    if committee.is_none()
        && let Some(code) = start
            .checked_sub(1)
            .and_then(usable)
            .and_then(|w| committee_code(w.core))
    {
        committee = Some(code);
        start -= 1;
    }
    let decision_i = start
        .checked_sub(2)
        .and_then(usable)
        .is_some_and(is_decision_word)
        && start
            .checked_sub(1)
            .and_then(usable)
            .is_some_and(|w| w.is(&["i"]));
    if decision_i {
        start -= 2;
    }
    (start, committee)
}

/// Whether a word starting with "vedtak" stands in the same sentence as the number at `index`,
/// before it (noted once per word by [`words`]) or within [`DECISION_WINDOW_AFTER`] words
/// after it.
fn decision_nearby(words: &[Word<'_>], index: usize) -> bool {
    let sentence = words[index].sentence;
    words[index].decision_before
        || words[index + 1..]
            .iter()
            .take(DECISION_WINDOW_AFTER)
            .take_while(|w| w.sentence == sentence)
            .any(is_decision_word)
}

/// Postponements to a meeting, with their byte positions (see the module documentation). The
/// meeting words after one "utsettes til" end at the next "utsettes", so each word is read by
/// at most one postponement.
fn postponements(words: &[Word<'_>]) -> Vec<Candidate> {
    let mut found = Vec::new();
    for (i, word) in words.iter().enumerate() {
        if !word.trail.is_empty() || !word.is(&["utsettes", "utsatt"]) {
            continue;
        }
        let subject = subject_before(words, i).map(|s| &words[s]);
        if subject.is_some_and(|s| case_number(s.core).is_some()) {
            // "Sak 22/24 utsettes til …" postpones that case, not this one.
            continue;
        }
        let sentence = word.sentence;
        let usable = |index: usize| words.get(index).filter(|w| w.sentence == sentence);
        if !usable(i + 1).is_some_and(|w| w.trail.is_empty() && w.is(&["til"])) {
            continue;
        }
        let mut at = i + 2;
        let mut committee = None;
        let mut names_meeting = false;
        while let Some(w) = usable(at).filter(|w| w.trail.is_empty()) {
            let is_meeting = |lower: &str| matches!(lower, "møte" | "møtet");
            let (code, meeting) = match w.core.rsplit_once('-') {
                // "ASU-møte": both halves must fit, or it is some other compound.
                Some((prefix, bare)) => match committee_code(prefix) {
                    Some(code) if is_meeting(&lower_case(bare)) => (Some(code), true),
                    _ => break,
                },
                None => (committee_code(w.core), is_meeting(&w.lower)),
            };
            if meeting || code.is_some() {
                names_meeting = true;
                committee = committee.or(code);
            } else if !w.is(&[
                "neste",
                "ekstraordinært",
                "ekstraordinære",
                "ordinært",
                "ordinære",
                "i",
                "den",
            ]) {
                break;
            }
            at += 1;
        }
        let Some(date) = usable(at).and_then(|w| date(w.core)) else {
            continue;
        };
        let the_case_itself = subject.is_some_and(|s| s.is(&["sak", "saken"]));
        if !names_meeting && !the_case_itself {
            continue;
        }
        found.push(Candidate {
            position: word.start,
            kind: LinkKind::PostponedTo,
            target: ReferenceTarget::Meeting { committee, date },
            span: word.start..words[at].end,
        });
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn case(committee: Option<&str>, number: &str) -> ReferenceTarget {
        ReferenceTarget::Case {
            committee: committee.map(|c| c.parse().unwrap()),
            number: number.parse().unwrap(),
        }
    }

    fn meeting(committee: Option<&str>, date: &str) -> ReferenceTarget {
        ReferenceTarget::Meeting {
            committee: committee.map(|c| c.parse().unwrap()),
            date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
        }
    }

    fn reference(kind: LinkKind, target: ReferenceTarget, text: &str) -> Reference {
        Reference {
            kind,
            target,
            text: text.to_string(),
        }
    }

    /// The references in one narrative text, under an ordinary title.
    fn refs(text: &str) -> Vec<Reference> {
        find_references("Sak uten oppfølging", &[text])
    }

    /// (kind, number) pairs, for tests that do not care about the text.
    fn cases(found: &[Reference]) -> Vec<(LinkKind, String)> {
        found
            .iter()
            .filter_map(|r| match &r.target {
                ReferenceTarget::Case { number, .. } => Some((r.kind, number.to_string())),
                ReferenceTarget::Meeting { .. } => None,
            })
            .collect()
    }

    #[test]
    fn sak_and_saken_before_a_number_are_references() {
        assert_eq!(
            refs("Det vises til sak 31/23 om rapporten."),
            [reference(
                LinkKind::RefersTo,
                case(None, "31/23"),
                "sak 31/23"
            )]
        );
        assert_eq!(
            refs("Se saken 31/23 for bakgrunn."),
            [reference(
                LinkKind::RefersTo,
                case(None, "31/23"),
                "saken 31/23"
            )]
        );
    }

    #[test]
    fn saker_lists_every_number() {
        assert_eq!(
            refs("Se saker 31/23 og 32/23 om rapportene."),
            [
                reference(LinkKind::RefersTo, case(None, "31/23"), "saker 31/23"),
                reference(
                    LinkKind::RefersTo,
                    case(None, "32/23"),
                    "saker 31/23 og 32/23"
                ),
            ]
        );
        assert_eq!(
            cases(&refs("Se sakene 1/24, 2/24 og 3/24.")),
            [
                (LinkKind::RefersTo, "1/24".to_string()),
                (LinkKind::RefersTo, "2/24".to_string()),
                (LinkKind::RefersTo, "3/24".to_string()),
            ]
        );
    }

    #[test]
    fn vedtak_before_a_number_follows_it_up() {
        assert_eq!(
            refs("Tiltakene beskrevet i vedtak 31/23 (06.09.23) iverksettes."),
            [reference(
                LinkKind::FollowsUp,
                case(None, "31/23"),
                "vedtak 31/23"
            )]
        );
        assert_eq!(
            cases(&refs("Vedtaket 5/24 gjelder.")),
            [(LinkKind::FollowsUp, "5/24".to_string())]
        );
    }

    #[test]
    fn vedtak_i_sak_keeps_the_whole_phrase() {
        assert_eq!(
            refs("Tiltak som skal operasjonaliseres, jfr. vedtak i sak 31/23."),
            [reference(
                LinkKind::FollowsUp,
                case(None, "31/23"),
                "vedtak i sak 31/23"
            )]
        );
        assert_eq!(
            refs("Som følge av vedtaket i sak 31/23 er gruppen etablert."),
            [reference(
                LinkKind::FollowsUp,
                case(None, "31/23"),
                "vedtaket i sak 31/23"
            )]
        );
    }

    #[test]
    fn parenthesised_reference_drops_the_brackets() {
        assert_eq!(
            refs("Det ble presentert i ASU 14.06.23 (sak 27/23)."),
            [reference(
                LinkKind::RefersTo,
                case(None, "27/23"),
                "sak 27/23"
            )]
        );
    }

    #[test]
    fn committee_before_the_keyword_names_the_committee() {
        assert_eq!(
            refs("Prosjektgruppen (jfr. ASU-sak 53/22) kom i gang."),
            [reference(
                LinkKind::RefersTo,
                case(Some("ASU"), "53/22"),
                "ASU-sak 53/22"
            )]
        );
        assert_eq!(
            refs("Se AU-sak 5/24."),
            [reference(
                LinkKind::RefersTo,
                case(Some("AU"), "5/24"),
                "AU-sak 5/24"
            )]
        );
        assert_eq!(
            refs("Se ASU sak 53/22."),
            [reference(
                LinkKind::RefersTo,
                case(Some("ASU"), "53/22"),
                "ASU sak 53/22"
            )]
        );
    }

    #[test]
    fn dash_form_is_a_case_number() {
        assert_eq!(
            refs("Det vises for øvrig til sak 23-24 i ASU den 19.06.24, for bakgrunn."),
            [reference(
                LinkKind::RefersTo,
                case(None, "23/24"),
                "sak 23-24"
            )]
        );
    }

    #[test]
    fn sak_nr_is_a_reference() {
        assert_eq!(
            refs("Se sak nr. 3/24 om dette."),
            [reference(
                LinkKind::RefersTo,
                case(None, "3/24"),
                "sak nr. 3/24"
            )]
        );
    }

    #[test]
    fn keywords_are_case_insensitive_and_leading_zeros_allowed() {
        assert_eq!(
            cases(&refs("SAK 09/24 og Vedtak 31/23 nevnes.")),
            [
                (LinkKind::FollowsUp, "9/24".to_string()),
                (LinkKind::FollowsUp, "31/23".to_string()),
            ]
        );
        assert_eq!(refs("Se Sak 09/24.")[0].text, "Sak 09/24");
    }

    #[test]
    fn oppfolging_title_follows_up_its_case() {
        let title =
            "Oppfølging sak 3/24 – arbeid med læringspunkter identifisert av Forbedringsgruppen";
        assert_eq!(
            find_references(title, &["ASU tar saken til orientering."]),
            [reference(
                LinkKind::FollowsUp,
                case(None, "3/24"),
                "sak 3/24"
            )]
        );
        // The referat writes titles in bold.
        assert_eq!(
            cases(&find_references("**Oppfølging sak 3/24 – status**", &[])),
            [(LinkKind::FollowsUp, "3/24".to_string())]
        );
    }

    #[test]
    fn a_title_without_oppfolging_uses_the_sentence_rule() {
        assert_eq!(
            cases(&find_references("Rapport (jfr. ASU-sak 53/22)", &[])),
            [(LinkKind::RefersTo, "53/22".to_string())]
        );
    }

    #[test]
    fn numbers_without_a_keyword_are_no_references() {
        for text in [
            "Tallet 31/23 står alene.",
            "Se kapittel 1-5 i rapporten.",
            "Måles med KPI 1-3.",
            "Revidert Strategi 2022 - 2024",
            "Strategi 2022-2024 for Helsefellesskapet.",
            "Måloppnåelse etter henholdsvis 1 og 2 år.",
            "Møtet 14.06.23 behandlet rapporten.",
            "Innspill presentert 06.09.23.",
            "jfr. 50% og 100% måloppnåelse",
            "Se punkt 5 – 8 i vedtaket.",
            "ASU gjennomføres fredag 30.08.24 kl. 09-12 med følgende saker:",
        ] {
            assert_eq!(refs(text), [], "{text:?}");
        }
    }

    #[test]
    fn meeting_date_after_sak_is_not_a_case_number() {
        assert_eq!(
            refs("Utskrivningsklare pasienter – Rapport (jf. ASU sak 14.06.23 og 06.09.23)"),
            []
        );
        assert_eq!(refs("ASU gjorde følgende vedtak i saken 06.09.23:"), []);
    }

    #[test]
    fn keyword_ending_a_sentence_or_clause_does_not_take_the_next_number() {
        assert_eq!(refs("Dette er en viktig sak. 31/23 var forrige."), []);
        assert_eq!(refs("I denne sak, 31/23 og 32/23, ..."), []);
    }

    #[test]
    fn decision_in_the_same_sentence_makes_a_follow_up() {
        for (text, number) in [
            (
                "2023. Gjennom vedtaket i ASU 14.06.23 (sak 27/23) fikk analysegruppen følgende mandat:",
                "27/23",
            ),
            (
                "ASU gjorde følgende vedtak i saken 06.09.23 (sak 32/23):",
                "32/23",
            ),
            (
                "Viser til ASU-møte 14.06.23 (sak 24/23), der ASU fattet følgende vedtak:",
                "24/23",
            ),
            (
                "Tiltak som skal operasjonaliseres fremgår av vedtakspunktene i sak 31/23.",
                "31/23",
            ),
        ] {
            assert_eq!(
                cases(&refs(text)),
                [(LinkKind::FollowsUp, number.to_string())],
                "{text:?}"
            );
        }
    }

    #[test]
    fn decision_outside_the_sentence_or_window_refers_only() {
        // The next sentence speaks of a decision, this one does not.
        let text = "Det vises til ASU møte 14.06.23 (sak 21/23) der UKP-rapporten ble presentert av \
                    Elizabeth Kimbell. ASU fattet i sitt vedtak at det ble gjennomført en gjennomgang.";
        assert_eq!(
            refs(text),
            [reference(
                LinkKind::RefersTo,
                case(None, "21/23"),
                "sak 21/23"
            )]
        );
        // A paragraph break ends the sentence even without a full stop.
        assert_eq!(
            cases(&refs(
                "Presentasjon gitt i ASU møte 06.09.23 (sak 32/23)\n \nForslag til vedtak"
            )),
            [(LinkKind::RefersTo, "32/23".to_string())]
        );
        // Too far after the number to speak of it.
        let far = "Det vises til sak 21/23 om rapporten som ble lagt fram i juni, og senere ble et vedtak fattet.";
        assert_eq!(
            cases(&refs(far)),
            [(LinkKind::RefersTo, "21/23".to_string())]
        );
    }

    #[test]
    fn abbreviations_and_lower_case_do_not_end_sentences() {
        let text = "Vedtaket følges opp av St. Olavs hospital og kommunene, jf. ASU-sak 53/22.";
        assert_eq!(
            cases(&refs(text)),
            [(LinkKind::FollowsUp, "53/22".to_string())]
        );
        let text = "Vedtaket ble fattet 14. juni og omtales i sak 27/23.";
        assert_eq!(
            cases(&refs(text)),
            [(LinkKind::FollowsUp, "27/23".to_string())]
        );
    }

    #[test]
    fn postponement_to_a_meeting() {
        assert_eq!(
            refs("Saken utsettes til ASU-møte 19.06.24."),
            [reference(
                LinkKind::PostponedTo,
                meeting(Some("ASU"), "2024-06-19"),
                "utsettes til ASU-møte 19.06.24"
            )]
        );
        assert_eq!(
            refs("Saken utsettes til møtet 19.06.2024."),
            [reference(
                LinkKind::PostponedTo,
                meeting(None, "2024-06-19"),
                "utsettes til møtet 19.06.2024"
            )]
        );
        assert_eq!(
            refs("Sak utsatt til ASU 30.08.24"),
            [reference(
                LinkKind::PostponedTo,
                meeting(Some("ASU"), "2024-08-30"),
                "utsatt til ASU 30.08.24"
            )]
        );
        assert_eq!(
            refs("Saken utsettes til 19.06.24.")[0].target,
            meeting(None, "2024-06-19")
        );
    }

    #[test]
    fn impossible_or_partial_dates_are_no_postponement() {
        assert_eq!(refs("Saken utsettes til ASU-møte 31.02.24."), []);
        assert_eq!(refs("Saken utsettes til ASU-møte 19.13.24."), []);
        assert_eq!(
            refs("Høringsfrist er utsatt til 27.06, med plan om sak i ASU 30.08."),
            []
        );
    }

    #[test]
    fn postponed_deadline_is_no_meeting() {
        assert_eq!(
            refs("Høringsfristen er utsatt til 27.06.24 etter innspill."),
            []
        );
    }

    #[test]
    fn another_case_postponed_is_no_link() {
        assert_eq!(
            refs("- Sak 22/24 utsettes. Innkomne saker håndteres fortløpende."),
            []
        );
        assert_eq!(refs("Sak 22/24 utsettes til ASU 30.08.24."), []);
        assert_eq!(refs("Sak 22/24 er utsatt."), []);
    }

    #[test]
    fn one_reference_per_target_strongest_kind_wins_in_order_of_first_appearance() {
        let found = find_references(
            "Status",
            &[
                "Se sak 5/24 og sak 6/24.",
                "Vedtak 6/24 følges opp. Vedtak 5/24 likeså. Saken utsettes til ASU-møte 19.06.24.",
                "Saken utsettes til møtet 19.06.24, jf. sak 7/24.",
            ],
        );
        assert_eq!(
            found,
            [
                reference(LinkKind::FollowsUp, case(None, "5/24"), "Vedtak 5/24"),
                reference(LinkKind::FollowsUp, case(None, "6/24"), "Vedtak 6/24"),
                reference(
                    LinkKind::PostponedTo,
                    meeting(Some("ASU"), "2024-06-19"),
                    "utsettes til ASU-møte 19.06.24"
                ),
                reference(LinkKind::RefersTo, case(None, "7/24"), "sak 7/24"),
            ]
        );
    }

    #[test]
    fn unnamed_and_named_committee_are_one_target() {
        let found = refs("Se sak 53/22. Vedtaket i ASU-sak 53/22 gjelder. Se AU-sak 53/22.");
        assert_eq!(
            found,
            [
                reference(
                    LinkKind::FollowsUp,
                    case(Some("ASU"), "53/22"),
                    "Vedtaket i ASU-sak 53/22"
                ),
                reference(
                    LinkKind::RefersTo,
                    case(Some("AU"), "53/22"),
                    "AU-sak 53/22"
                ),
            ]
        );
    }

    /// The saksfremlegg of a meeting document: (number, title, body) for each "Sak: NN/YY" line.
    fn sections(document: &str) -> Vec<(CaseNumber, &str, String)> {
        let mut sections: Vec<(CaseNumber, &str, String)> = Vec::new();
        for line in document.lines() {
            let header = line.strip_prefix("Sak:").and_then(|rest| {
                let rest = rest.trim_start();
                let (number, title) = rest.split_once(char::is_whitespace).unwrap_or((rest, ""));
                Some((number.parse().ok()?, title.trim()))
            });
            match (header, sections.last_mut()) {
                (Some((number, title)), _) => sections.push((number, title, String::new())),
                (None, Some((_, _, body))) => {
                    body.push_str(line);
                    body.push('\n');
                }
                (None, None) => {}
            }
        }
        sections
    }

    /// The references of case `number` in `document`, other than to the case itself.
    fn references_of(document: &str, number: &str) -> Vec<(LinkKind, String)> {
        let number: CaseNumber = number.parse().unwrap();
        let (_, title, body) = sections(document)
            .into_iter()
            .find(|(n, _, _)| *n == number)
            .unwrap();
        let mut found = cases(&find_references(title, &[&body]));
        found.retain(|(_, n)| *n != number.to_string());
        found
    }

    fn expect(pairs: &[(LinkKind, &str)]) -> Vec<(LinkKind, String)> {
        pairs.iter().map(|(k, n)| (*k, n.to_string())).collect()
    }

    #[test]
    fn real_document_asu_2023_10_04() {
        let document = include_str!("../../tests/fixtures/asu-2023-10-04-innkalling.txt");
        assert_eq!(
            references_of(document, "37/23"),
            expect(&[
                (LinkKind::FollowsUp, "31/23"),
                (LinkKind::RefersTo, "21/23")
            ])
        );
        assert_eq!(
            references_of(document, "36/23"),
            expect(&[(LinkKind::FollowsUp, "27/23")])
        );
        assert_eq!(
            references_of(document, "38/23"),
            expect(&[
                (LinkKind::FollowsUp, "32/23"),
                (LinkKind::RefersTo, "53/22")
            ])
        );
        assert_eq!(
            references_of(document, "41/23"),
            expect(&[(LinkKind::FollowsUp, "24/23")])
        );
    }

    #[test]
    fn real_documents_2024_oppfolging_dash_number_and_postponed_case() {
        let referat = include_str!("../../tests/fixtures/asu-2024-06-19-referat.txt");
        assert_eq!(
            references_of(referat, "20/24"),
            expect(&[(LinkKind::FollowsUp, "3/24")])
        );
        // "Sak 22/24 utsettes" in the agenda approval is no link from 18/24.
        assert_eq!(references_of(referat, "18/24"), []);
        let innkalling = include_str!("../../tests/fixtures/asu-2024-08-30-innkalling.txt");
        assert_eq!(
            references_of(innkalling, "30/24"),
            expect(&[(LinkKind::RefersTo, "23/24")])
        );
    }

    /// A paragraph as the documents write them, with four case numbers of its own
    /// (4j+1/23 to 4j+3/23, 4j+4/22), a case number and a period that are no references, and
    /// the same postponement as every other paragraph.
    fn paragraph(j: usize) -> String {
        let n = 4 * j;
        format!(
            "Det vises til ASU møte 14.06.23 (sak {}/23) der UKP-rapporten ble presentert. \
             ASU fattet i sitt vedtak at tiltakene i saker {}/23 og {}/23 skal følges opp, \
             jfr. ASU-sak {}/22. Se kapittel 1-5 i strategi 2022-2024 for bakgrunn. \
             Saken utsettes til ASU-møte 19.06.24.\n\n",
            n + 1,
            n + 2,
            n + 3,
            n + 4
        )
    }

    /// At least `bytes` of paragraphs, and how many.
    fn paragraphs(bytes: usize) -> (String, usize) {
        let mut text = String::new();
        let mut count = 0;
        while text.len() < bytes {
            text.push_str(&paragraph(count));
            count += 1;
        }
        (text, count)
    }

    /// At least `bytes` of one sentence without punctuation: chunks naming j/24 and j/25 (j from
    /// 1), with a single "vedtak" halfway. Returns the text, the chunks before the "vedtak",
    /// and all chunks.
    fn run_on_sentence(bytes: usize) -> (String, usize, usize) {
        let mut text = String::new();
        let mut chunks = 0;
        let mut before = None;
        while text.len() < bytes {
            if before.is_none() && text.len() >= bytes / 2 {
                before = Some(chunks);
                text.push_str("ASU fattet vedtak ");
            }
            chunks += 1;
            text.push_str(&format!(
                "det vises til sak {chunks}/24 og {chunks}/25 om rapporten fra gruppen og \
                 kapittel 1-5 i strategi 2022-2024 "
            ));
        }
        (text, before.unwrap_or(chunks), chunks)
    }

    /// At least `bytes` of one list "Se sakene 1/10, 2/10, … og N/YY.", and how many numbers.
    fn long_list(bytes: usize) -> (String, usize) {
        let number = |i: usize| format!("{}/{}", i % 9999 + 1, 10 + i / 9999);
        let mut text = String::from("Se sakene ");
        let mut count = 0;
        while text.len() < bytes {
            text.push_str(&number(count));
            text.push_str(", ");
            count += 1;
        }
        text.truncate(text.len() - 2);
        text.push_str(" og ");
        text.push_str(&number(count));
        text.push('.');
        (text, count + 1)
    }

    /// How long detection takes, for the record (not a check): the best of three runs.
    ///
    ///     cargo test --release --lib references::tests::timing -- --ignored --nocapture
    #[test]
    #[ignore = "prints timings; run with --release"]
    fn timing() {
        for bytes in [25_000, 100_000, 400_000, 1_600_000] {
            for (shape, text) in [
                ("paragraphs", paragraphs(bytes).0),
                ("one sentence", run_on_sentence(bytes).0),
                ("one list", long_list(bytes).0),
            ] {
                let mut best = std::time::Duration::MAX;
                let mut found = 0;
                for _ in 0..3 {
                    let start = std::time::Instant::now();
                    found = refs(&text).len();
                    best = best.min(start.elapsed());
                }
                println!(
                    "{shape:>12} {:>5} KB: {found:>6} references in {best:?}",
                    text.len() / 1000,
                );
            }
        }
    }

    /// How many references of each kind: (refers to, follows up, postponed to).
    fn kinds(found: &[Reference]) -> (usize, usize, usize) {
        let count = |kind| found.iter().filter(|r| r.kind == kind).count();
        (
            count(LinkKind::RefersTo),
            count(LinkKind::FollowsUp),
            count(LinkKind::PostponedTo),
        )
    }

    #[test]
    fn text_of_400_kb_in_realistic_sentences() {
        let (text, count) = paragraphs(400_000);
        assert_eq!(count, 1449);
        let found = refs(&text);
        // Four cases of each paragraph's own, and the one meeting they are all postponed to.
        assert_eq!(found.len(), 4 * count + 1);
        assert_eq!(found.len(), 5797);
        assert_eq!(kinds(&found), (count, 3 * count, 1));
        assert_eq!(
            found[..5],
            [
                reference(LinkKind::RefersTo, case(None, "1/23"), "sak 1/23"),
                reference(LinkKind::FollowsUp, case(None, "2/23"), "saker 2/23"),
                reference(
                    LinkKind::FollowsUp,
                    case(None, "3/23"),
                    "saker 2/23 og 3/23"
                ),
                reference(
                    LinkKind::FollowsUp,
                    case(Some("ASU"), "4/22"),
                    "ASU-sak 4/22"
                ),
                reference(
                    LinkKind::PostponedTo,
                    meeting(Some("ASU"), "2024-06-19"),
                    "utsettes til ASU-møte 19.06.24"
                ),
            ]
        );
        let last = format!("{}/22", 4 * count);
        assert_eq!(
            found.last(),
            Some(&reference(
                LinkKind::FollowsUp,
                case(Some("ASU"), &last),
                &format!("ASU-sak {last}")
            ))
        );
    }

    #[test]
    fn one_sentence_of_400_kb_without_punctuation() {
        let (text, before, chunks) = run_on_sentence(400_000);
        assert!(!text.contains(['.', ',', '!', '?', '\n']));
        assert_eq!((before, chunks), (2043, 4063));
        let found = refs(&text);
        assert_eq!(found.len(), 2 * chunks);
        assert_eq!(found.len(), 8126);
        // Only the numbers after the one "vedtak" follow a decision up.
        assert_eq!(kinds(&found), (2 * before, 2 * (chunks - before), 0));
        assert_eq!(
            found[..2],
            [
                reference(LinkKind::RefersTo, case(None, "1/24"), "sak 1/24"),
                reference(LinkKind::RefersTo, case(None, "1/25"), "sak 1/24 og 1/25"),
            ]
        );
        let after = before + 1;
        assert_eq!(
            found[2 * before],
            reference(
                LinkKind::FollowsUp,
                case(None, &format!("{after}/24")),
                &format!("sak {after}/24")
            )
        );
        assert_eq!(found[2 * before - 1].kind, LinkKind::RefersTo);
    }

    #[test]
    fn text_of_a_long_list_holds_at_most_max_listed_numbers() {
        let (text, count) = long_list(400_000);
        let found = refs(&text);
        assert_eq!(found.len(), count);
        assert_eq!(kinds(&found), (count, 0, 0));
        let list = |numbers: std::ops::RangeInclusive<usize>| {
            numbers
                .map(|n| format!("{n}/10"))
                .collect::<Vec<_>>()
                .join(", ")
        };
        assert_eq!(found[0].text, "sakene 1/10");
        // The first MAX_LISTED numbers show the list from its keyword, as written.
        assert_eq!(found[9].text, format!("sakene {}", list(1..=10)));
        // Later ones the MAX_LISTED - 1 numbers before them.
        assert_eq!(found[10].text, list(2..=11));
        assert_eq!(found[11].text, list(3..=12));
        assert_eq!(count, 45060);
        assert_eq!(
            found[count - 1],
            reference(
                LinkKind::RefersTo,
                case(None, "5064/14"),
                "5055/14, 5056/14, 5057/14, 5058/14, 5059/14, 5060/14, 5061/14, 5062/14, \
                 5063/14 og 5064/14"
            )
        );
        assert!(
            found
                .iter()
                .all(|r| r.text.matches('/').count() <= MAX_LISTED)
        );
    }
}
