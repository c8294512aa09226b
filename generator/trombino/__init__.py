"""trombino: a static-site generator for a company's people directory."""

__version__ = "0.1.0"
