"""The durable feedback log: events about suggestions, context snapshots, and exports."""

from tactful.server.feedback.events import (
    KINDS,
    NEGATIVE_KINDS,
    POSITIVE_KINDS,
    FeedbackEvent,
    fix_to_json,
    hash_id,
)
from tactful.server.feedback.sink import FeedbackSink, feedback_path, open_sink
from tactful.server.feedback.store import FeedbackStore, FeedbackStoreError, snapshot_id

__all__ = [
    "KINDS",
    "NEGATIVE_KINDS",
    "POSITIVE_KINDS",
    "FeedbackEvent",
    "FeedbackSink",
    "FeedbackStore",
    "FeedbackStoreError",
    "feedback_path",
    "open_sink",
    "fix_to_json",
    "hash_id",
    "snapshot_id",
]
