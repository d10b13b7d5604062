"""ROUGE-1, ROUGE-2, ROUGE-L and ROUGE-Lsum F1, following the conventions of Google's `rouge-score`.

Tokens: the text is lower-cased, PTB bracket tokens (-lrb- ...) become brackets, every run of characters
outside [a-z0-9] becomes a separator, and tokens longer than 3 characters are Porter-stemmed with NLTK's
PorterStemmer (Debian package python3-nltk). Scores are F1 per document; callers average them per document.

ROUGE-Lsum is the summary-level LCS: for every reference sentence, the union of its tokens that lie on an
LCS with any system sentence, counted against clipped token budgets of both sides.

    from rouge import Scorer
    s = Scorer()
    s.score("the cat sat . it purred", "a cat sat", ["the cat sat .", "it purred"], ["a cat sat"])
    # -> {"R1": ..., "R2": ..., "RL": ..., "RLsum": ...}

Pure Python and the stdlib, plus nltk's stemmer. Not thread-safe (the stem cache is shared); use one Scorer
per thread.
"""
import collections
import re

_PTB_BRACKETS = (("-lrb-", "("), ("-rrb-", ")"), ("-lsb-", "["), ("-rsb-", "]"), ("-lcb-", "{"), ("-rcb-", "}"))
_NON_ALNUM = re.compile(r"[^a-z0-9]+")


class StemmerMissing(RuntimeError):
    pass


def _porter():
    try:
        from nltk.stem.porter import PorterStemmer  # Debian: python3-nltk
    except ImportError as e:
        raise StemmerMissing("ROUGE needs NLTK's Porter stemmer: apt-get install python3-nltk "
                             "(and run with /usr/bin/python3)") from e
    return PorterStemmer()


def _f1(overlap, system_total, reference_total):
    if overlap <= 0 or system_total <= 0 or reference_total <= 0:
        return 0.0
    precision = overlap / system_total
    recall = overlap / reference_total
    return 2.0 * precision * recall / (precision + recall)


def _ngrams(tokens, n):
    return collections.Counter(zip(*(tokens[k:] for k in range(n))))


def _lcs_rows(a, b):
    """Dynamic-programming table of LCS lengths, rows over a (len(a)+1 rows of len(b)+1)."""
    rows = [[0] * (len(b) + 1)]
    for x in a:
        above = rows[-1]
        row = [0] * (len(b) + 1)
        for j, y in enumerate(b, 1):
            if x == y:
                row[j] = above[j - 1] + 1
            else:
                row[j] = row[j - 1] if row[j - 1] > above[j] else above[j]
        rows.append(row)
    return rows


def lcs_length(a, b):
    if not a or not b:
        return 0
    return _lcs_rows(a, b)[-1][-1]


def lcs_positions_in_reference(system, reference):
    """Positions of `reference` that one LCS of (system, reference) passes through. On ties the walk back
    steps along the system sentence first, as the acceptance scorer does."""
    rows = _lcs_rows(system, reference)
    i, j = len(system), len(reference)
    picked = set()
    while i and j:
        if system[i - 1] == reference[j - 1]:
            picked.add(j - 1)
            i -= 1
            j -= 1
        elif rows[i - 1][j] >= rows[i][j - 1]:
            i -= 1
        else:
            j -= 1
    return picked


class Scorer:
    def __init__(self, stemming=True):
        self._stemmer = _porter() if stemming else None
        self._cache = {}

    def _stem(self, word):
        out = self._cache.get(word)
        if out is None:
            out = self._stemmer.stem(word) if len(word) > 3 else word
            self._cache[word] = out
        return out

    def tokens(self, text):
        lowered = text.lower()
        for ptb, bracket in _PTB_BRACKETS:
            lowered = lowered.replace(ptb, bracket)
        words = _NON_ALNUM.sub(" ", lowered).split()
        if self._stemmer is None:
            return words
        return [self._stem(w) for w in words]

    @staticmethod
    def rouge_n(system, reference, n):
        sys_grams, ref_grams = _ngrams(system, n), _ngrams(reference, n)
        overlap = sum((sys_grams & ref_grams).values())
        return _f1(overlap, sum(sys_grams.values()), sum(ref_grams.values()))

    @staticmethod
    def rouge_lsum(system_sentences, reference_sentences):
        system_sentences = [s for s in system_sentences if s]
        reference_sentences = [r for r in reference_sentences if r]
        system_total = sum(len(s) for s in system_sentences)
        reference_total = sum(len(r) for r in reference_sentences)
        if not system_total or not reference_total:
            return 0.0
        sys_budget = collections.Counter(t for s in system_sentences for t in s)
        ref_budget = collections.Counter(t for r in reference_sentences for t in r)
        overlap = 0
        for ref in reference_sentences:
            union = set()
            for sent in system_sentences:
                union.update(lcs_positions_in_reference(sent, ref))
            for pos in sorted(union):
                token = ref[pos]
                if sys_budget[token] > 0 and ref_budget[token] > 0:
                    sys_budget[token] -= 1
                    ref_budget[token] -= 1
                    overlap += 1
        return _f1(overlap, system_total, reference_total)

    def score(self, system, reference, system_sentences=None, reference_sentences=None):
        """F1 scores in [0, 1]. RLsum only when both sentence lists are given."""
        sys_tokens, ref_tokens = self.tokens(system), self.tokens(reference)
        out = {
            "R1": self.rouge_n(sys_tokens, ref_tokens, 1),
            "R2": self.rouge_n(sys_tokens, ref_tokens, 2),
            "RL": _f1(lcs_length(sys_tokens, ref_tokens), len(sys_tokens), len(ref_tokens)),
        }
        if system_sentences is not None and reference_sentences is not None:
            out["RLsum"] = self.rouge_lsum([self.tokens(s) for s in system_sentences],
                                           [self.tokens(r) for r in reference_sentences])
        return out


_REFERENCE_SENTENCE_END = re.compile(r"(?<= [.!?]) (?=\S)")


def split_reference(reference):
    """CNN/DM highlights are tokenised text with ' . ' between highlights: one sentence per highlight."""
    return [s for s in _REFERENCE_SENTENCE_END.split(reference.strip()) if s.strip()]
