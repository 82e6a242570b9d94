"""Datasette plugins for the archive, loaded with ``datasette --plugins-dir archive/plugins``.

(This file only makes the folder part of the installed package; Datasette loads it
too, as a plugin with no hooks.)
"""
