"""Errors that are the user's to fix: printed as one line, exit status 2."""


class UsageError(Exception):
    """A problem with what the user asked for (arguments, revision, missing repository)."""
