"""Errors that reach a user as one clear line, never as a traceback."""


class GtTuiError(Exception):
    """A failure a user can act on; its message is the one line they see."""


class TownNotFound(GtTuiError):
    """No Gas Town could be found where we looked."""


class MalformedFile(GtTuiError):
    """A town file exists but cannot be read; the message names path and reason."""

    def __init__(self, path: object, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class SourceUnavailable(GtTuiError):
    """A source (database server, tmux, a file) does not answer."""


class ReadOnlyRefused(GtTuiError):
    """A mutating action was refused because the engine is read-only."""

    def __init__(self, action: str) -> None:
        super().__init__(f"read-only: '{action}' refused (read-only mode: --read-only or --wall)")
        self.action = action


class SettingError(GtTuiError):
    """A setting key or value was refused; the message names key, value and what is allowed."""
