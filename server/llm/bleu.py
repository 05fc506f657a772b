"""Smoothed sentence BLEU-4, as CodeReviewer and LLaMA-Reviewer report for review comments.

Add-one smoothing of the 2- to 4-gram precisions (Lin and Och, 2004, the "smooth BLEU" of
the CodeReviewer evaluation scripts), the usual brevity penalty, and a simple lower-cased
word-and-punctuation tokenizer. Scores are on a 0-100 scale.
"""

from __future__ import annotations

import math
import re
from collections import Counter

_TOKEN = re.compile(r"[A-Za-z0-9_]+|[^\sA-Za-z0-9_]")


def tokenize(text: str) -> list[str]:
    return _TOKEN.findall(text.lower())


def _ngrams(tokens: list[str], n: int) -> Counter[tuple[str, ...]]:
    return Counter(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def sentence_bleu(hypothesis: str, reference: str, max_n: int = 4) -> float:
    """Smoothed BLEU-``max_n`` of one hypothesis against one reference, 0-100."""
    hyp, ref = tokenize(hypothesis), tokenize(reference)
    if not hyp or not ref:
        return 0.0
    log_sum = 0.0
    for n in range(1, max_n + 1):
        hyp_grams, ref_grams = _ngrams(hyp, n), _ngrams(ref, n)
        matches = sum(min(count, ref_grams[gram]) for gram, count in hyp_grams.items())
        total = max(len(hyp) - n + 1, 0)
        if n == 1:
            if matches == 0:
                return 0.0
            precision = matches / total
        else:
            precision = (matches + 1) / (total + 1)
        log_sum += math.log(precision) / max_n
    penalty = 1.0 if len(hyp) > len(ref) else math.exp(1 - len(ref) / len(hyp))
    return 100.0 * penalty * math.exp(log_sum)
