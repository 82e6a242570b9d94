"""The bundled demo portal: simulated government sites publishing annual reports.

    build_sites(dest)                    write the sites and expected.json (demo_portal.sites)
    figures.make_report(...)             one report's data: figures, printed cells, prose figure
    render.render_html / render_html_body / render_pdf / render_docx / render_text
                                         a report as the documents portals publish
    python -m demo_portal build|serve --dir DIR   the command line (see __main__)
"""
from .sites import build_sites

__all__ = ["build_sites"]
