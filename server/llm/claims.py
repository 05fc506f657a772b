"""What a model's message claims, read before a finding is kept.

A small model asked targeted questions ("did the change drop a check?") sometimes answers
a question as a finding: "The new version does not skip any check", or praises the change
("which is a performance optimization"). Neither is a review comment; a reviewer would
not write it. :func:`states_no_defect` recognises such a message when every sentence of it
is of that kind (a message that goes on to name a problem is kept).

``review.v2`` asks the model to open each message with the question it answers ("Inverted
condition: ..."). On Qwen2.5-Coder-1.5B every message that did so described its defect,
and none of those that did not (bench/review_quality.py --llm): :func:`names_question`
is that contract, checked.
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
    # "The code is well-structured and follows PEP 8 conventions."
    re.compile(
        r"\b(?:is|looks) (?:well[- ](?:structured|written|organi[sz]ed)|clean and|clear and)",
        re.IGNORECASE,
    ),
)


def states_no_defect(message: str) -> bool:
    """Every sentence of ``message`` says there is no problem, or praises the change."""
    sentences = [s for s in _SENTENCE.split(message.strip()) if s.strip()]
    return bool(sentences) and all(
        any(p.search(sentence) for p in _NO_DEFECT) for sentence in sentences
    )


_QUESTION = re.compile(
    r"^\W*(?:(?:dropped|removed|missing) (?:check|call|branch|guard|error path|behaviou?r)"
    r"|inverted condition|changed boundary|off[- ]by[- ]one|wrong (?:variable|field|argument)"
    r"|unused (?:parameter|value)|callers?)\b",
    re.IGNORECASE,
)


def names_question(message: str, category: str = "correctness") -> bool:
    """``message`` opens with one of ``review.v2``'s defect questions (or a plain synonym).

    A security finding need not: the prompt allows one outside the six questions.
    """
    return category == "security" or bool(_QUESTION.match(message))
