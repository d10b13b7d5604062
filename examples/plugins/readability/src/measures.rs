//! Readability measures of English text: Flesch reading ease and Flesch-Kincaid grade level,
//! from sentence, word and syllable counts.
//!
//!   FRE  = 206.835 - 1.015 * words/sentences - 84.6 * syllables/words
//!   FKGL = 0.39 * words/sentences + 11.8 * syllables/words - 15.59

/// Counts the syllables of one English word with the usual vowel-group heuristic: each run of
/// vowels (a e i o u y) is one syllable; a final silent "e" (but not "-le" after a consonant) and
/// the "-es"/"-ed" endings that add no syllable are taken off; every word has at least one.
pub fn syllables(word: &str) -> u32 {
    let w: Vec<char> = word.chars().filter(|c| c.is_alphabetic()).flat_map(|c| c.to_lowercase()).collect();
    if w.is_empty() {
        return 0;
    }
    if !w.iter().all(|c| c.is_ascii_lowercase()) {
        // Not English letters: one syllable per vowel-like group is meaningless; count letters / 3.
        return ((w.len() as u32) + 2) / 3;
    }
    let vowel = |c: char| matches!(c, 'a' | 'e' | 'i' | 'o' | 'u' | 'y');
    let mut count = 0u32;
    let mut prev = false;
    for (i, &c) in w.iter().enumerate() {
        let v = vowel(c) && !(c == 'y' && i == 0);
        if v && !prev {
            count += 1;
        }
        prev = v;
    }
    let n = w.len();
    if n > 2 && w[n - 1] == 'e' && !vowel(w[n - 2]) && !(w[n - 2] == 'l' && !vowel(w[n - 3])) && count > 1 {
        count -= 1; // silent final e: "make", but not "table"
    } else if n > 3 && w[n - 1] == 'd' && w[n - 2] == 'e' && !matches!(w[n - 3], 't' | 'd') && !vowel(w[n - 3]) && count > 1 {
        count -= 1; // "jumped", but not "wanted"
    } else if n > 3 && w[n - 1] == 's' && w[n - 2] == 'e' && !matches!(w[n - 3], 's' | 'x' | 'z' | 'c' | 'g' | 'h') && !vowel(w[n - 3]) && count > 1 {
        count -= 1; // "makes", but not "boxes"
    }
    count.max(1)
}

#[derive(Debug, Default, Clone, Copy, PartialEq)]
pub struct Counts {
    pub sentences: u32,
    pub words: u32,
    pub syllables: u32,
}

impl Counts {
    pub fn reading_ease(&self) -> Option<f64> {
        self.rates().map(|(wps, spw)| 206.835 - 1.015 * wps - 84.6 * spw)
    }
    pub fn grade(&self) -> Option<f64> {
        self.rates().map(|(wps, spw)| 0.39 * wps + 11.8 * spw - 15.59)
    }
    fn rates(&self) -> Option<(f64, f64)> {
        if self.sentences == 0 || self.words == 0 {
            return None;
        }
        Some((self.words as f64 / self.sentences as f64, self.syllables as f64 / self.words as f64))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables_of_common_words() {
        for (w, n) in [("the", 1), ("cat", 1), ("table", 2), ("make", 1), ("makes", 1), ("boxes", 2), ("jumped", 1),
                       ("wanted", 2), ("readability", 5), ("beautiful", 3), ("yes", 1), ("rhythm", 1), ("I", 1),
                       ("Washington", 3), ("government", 3), ("a", 1)] {
            assert_eq!(syllables(w), n, "{w}");
        }
        assert_eq!(syllables(""), 0);
        assert_eq!(syllables("123"), 0);
    }

    #[test]
    fn formulas_match_the_definitions() {
        let c = Counts { sentences: 2, words: 20, syllables: 30 };
        assert!((c.reading_ease().unwrap() - (206.835 - 1.015 * 10.0 - 84.6 * 1.5)).abs() < 1e-9);
        assert!((c.grade().unwrap() - (0.39 * 10.0 + 11.8 * 1.5 - 15.59)).abs() < 1e-9);
        assert_eq!(Counts::default().reading_ease(), None);
    }

    #[test]
    fn simple_text_reads_easier_than_dense_text() {
        let easy = Counts { sentences: 4, words: 24, syllables: 28 };
        let hard = Counts { sentences: 1, words: 40, syllables: 75 };
        assert!(easy.reading_ease().unwrap() > 90.0);
        assert!(hard.reading_ease().unwrap() < 30.0);
        assert!(easy.grade().unwrap() < hard.grade().unwrap());
    }
}
