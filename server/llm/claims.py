"""What a model's message claims, read before a finding is kept.

A small model asked targeted questions ("did the change drop a check?") sometimes answers
a question as a finding: "The new version does not skip any check", or praises the change
("which is a performance optimization"). Neither is a review comment; a reviewer would
not write it. :func:`states_no_defect` recognises such a message when every sentence of it
is of that kind (a message that goes on to name a problem is kept).
"""

from __future__ import annotations

import re

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z`])")
_NO_DEFECT = (
    # "does not skip any check", "did not change any limit", "does not introduce any bug"
    re.compile(
        r"\b(?:does|did|do)(?: not|n't) (?:\w+ ){0,2}?(?:skip|drop|remove|change|invert|introduce|"
        r"break|alter|affect|modify)\b[^.;]*?\b(?:any|anything)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\bno (?:defects?|issues?|problems?|bugs?|errors?|changes?)\b(?: \w+){0,2}"
        r" (?:found|detected|introduced|made|identified)\b",
        re.IGNORECASE,
    ),
    re.compile(
        r"\b(?:there (?:is|are) no|without any) (?:\w+ )?(?:defects?|issues?|problems?|bugs?)\b",
        re.IGNORECASE,
    ),
    # praise of the change: "which is a performance optimization", "is an improvement"
    re.compile(
        r"\b(?:is|as) an? (?:\w+ ){0,2}(?:optimi[sz]ation|improvement|enhancement)\b", re.IGNORECASE
    ),
)


def states_no_defect(message: str) -> bool:
    """Every sentence of ``message`` says there is no problem, or praises the change."""
    sentences = [s for s in _SENTENCE.split(message.strip()) if s.strip()]
    return bool(sentences) and all(
        any(p.search(sentence) for p in _NO_DEFECT) for sentence in sentences
    )
