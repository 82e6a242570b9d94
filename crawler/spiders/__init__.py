"""Spiders: ``base`` holds the shared title/link rules and report assembly, ``trs`` and ``hanweb``
the thin per-CMS bases (static listing pages; Hanweb jpage), and ``portal`` the one generic
discovery spider, built on both, that ``nianbao crawl`` runs for every portal."""
