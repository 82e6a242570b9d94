"""What the command line shows while it works: a progress line on a terminal, one-line log messages.

:class:`ProgressLine` is the one progress display (``nianbao crawl`` and ``nianbao build``): a
``tqdm`` line redrawn on stderr when stderr is a terminal, nothing at all when it is not (cron,
a pipe), so a cron mail holds the messages and the summary only. Messages written while it is
shown go above it.

:func:`quiet_logging` is the log of a command run without ``--verbose``: WARNING and above of
nianbao's and Scrapy's loggers, one line each (``warning: …``, an exception as its one-line
message, never a traceback). Third-party libraries' warnings (Python ``warnings`` such as a
setuptools deprecation, a PDF library's complaints) are for developers: they are dropped here and
shown with ``--verbose``.
"""
from __future__ import annotations

import logging
import sys
from contextlib import contextmanager

from tqdm import tqdm

#: Loggers whose warnings are the user's business; any other's (``py.warnings`` included) are not.
OWN_LOGGERS = ("crawler", "archive", "extract", "nianbao", "scrapy", "twisted")


class ProgressLine:
    """``with ProgressLine("crawl", "portals") as line: line.show("412 pages", done, total)``."""

    def __init__(self, label: str, unit: str, stream=None):
        self.stream = stream or sys.stderr
        self.shown = self.stream.isatty()
        self.bar = None
        if self.shown:
            # Drawn at once, "starting": a crawl's first page can take seconds to come.
            self.bar = tqdm(total=None, desc="starting", file=self.stream, smoothing=0, mininterval=0,
                            dynamic_ncols=True, bar_format=f"{label}: {{n_fmt}}/{{total_fmt}} {unit} | {{desc}} | "
                                                           "{elapsed}, ETA {remaining}")

    def __enter__(self) -> ProgressLine:
        return self

    def __exit__(self, error_type, *exc) -> None:
        if self.bar is not None and error_type is not None:
            self.bar.leave = False  # erased: the error's message says what happened, not a line stuck at "starting"
        self.close()

    def show(self, text: str, done: int | None = None, total: int | None = None) -> None:
        """Redraw the line (on a terminal): ``done`` of ``total`` (if given; else as they were), ``text``."""
        if self.bar is None:
            return
        self.bar.set_description_str(text, refresh=False)  # before update(), which may draw the line
        if total is not None:
            self.bar.total = total
        if done is not None:
            self.bar.update(done - self.bar.n)
        self.bar.refresh()

    def write(self, message: str) -> None:
        """A message for the user: above the line on a terminal, else a line of its own."""
        if self.bar is not None:
            self.bar.write(message, file=self.stream)
        else:
            print(message, file=self.stream, flush=True)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None


class OneLineHandler(logging.Handler):
    """Log records as ``level: message`` through a :class:`ProgressLine`, an exception as one line."""

    def __init__(self, line: ProgressLine, level=logging.WARNING):
        super().__init__(level)
        self.line = line
        self.addFilter(self.own_records)

    @staticmethod
    def own_records(record: logging.LogRecord) -> bool:
        return record.name.split(".")[0] in OWN_LOGGERS

    def emit(self, record: logging.LogRecord) -> None:
        try:
            message = record.getMessage()
            if record.exc_info and record.exc_info[1] is not None:
                message += f" ({type(record.exc_info[1]).__name__}: {record.exc_info[1]})"
            self.line.write(f"{record.levelname.lower()}: " + " ".join(message.splitlines()))
        except Exception:  # noqa: BLE001 - logging's own contract: a handler never raises
            self.handleError(record)


@contextmanager
def quiet_logging(line: ProgressLine):
    """While the block runs, the root logger writes through ``line`` only (:class:`OneLineHandler`)."""
    root = logging.getLogger()
    handler, saved = OneLineHandler(line), root.handlers[:]
    root.handlers = [handler]
    logging.captureWarnings(True)  # Python warnings become py.warnings records, which the handler drops
    try:
        yield
    finally:
        root.handlers = saved
        logging.captureWarnings(False)
