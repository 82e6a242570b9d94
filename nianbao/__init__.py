"""nianbao (年报): crawl, archive, extract and search government open-information annual reports."""

__version__ = "0.1.0"
