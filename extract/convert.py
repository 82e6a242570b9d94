"""Word 97–2003 (.doc), WPS and RTF documents, converted to DOCX by LibreOffice headless.

The DOCX reader then reads them like any DOCX, tables included. LibreOffice runs as a
subprocess in a temporary directory with a time limit and its own profile (one per
process: a first start builds the profile, later conversions reuse it), so a hostile or
endless document costs at most the time limit and never touches the user's profile.
"""
from __future__ import annotations

import atexit
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

from .grid import ReadError

TIMEOUT = 120  # seconds for one conversion, LibreOffice's start-up included
PACKAGE = "libreoffice-writer-nogui"  # the Debian package that provides soffice for Writer documents
_SUFFIX = {"doc": ".doc", "wps": ".wps", "rtf": ".rtf"}


def to_docx(data: bytes, kind: str, timeout: float = TIMEOUT) -> bytes:
    """The document as DOCX bytes; ReadError (stage "convert") when it cannot be converted."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ReadError("convert", f"{kind.upper()} documents are converted by LibreOffice, which is not installed "
                                   f"(Debian package {PACKAGE})")
    with tempfile.TemporaryDirectory(prefix="nianbao-convert-") as tmp:
        source = Path(tmp) / f"report{_SUFFIX[kind]}"
        source.write_bytes(data)
        command = [soffice, "--headless", "--norestore", "--nolockcheck", "--nodefault",
                   f"-env:UserInstallation={_profile().as_uri()}",
                   "--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp, str(source)]
        stderr = _run(command, timeout, kind)
        target = Path(tmp) / "report.docx"
        if not target.exists() or target.stat().st_size == 0:
            detail = stderr.strip().splitlines()[-1] if stderr.strip() else "no output"
            raise ReadError("convert", f"LibreOffice could not convert the {kind.upper()} document ({detail})")
        return target.read_bytes()


def _run(command: list[str], timeout: float, kind: str) -> str:
    """Run LibreOffice in its own process group, so a timeout ends every process it started."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                               env={**os.environ, "HOME": str(_profile().parent)})
    try:
        _out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ReadError("convert", f"LibreOffice did not convert the {kind.upper()} document "
                                   f"within {timeout:g} s") from None
    return err.decode("utf-8", errors="replace")


def _profile() -> Path:
    """This process's LibreOffice profile directory (two processes must not share one),
    removed when the process exits."""
    home = Path(tempfile.gettempdir()) / f"nianbao-soffice-{os.getuid()}-{os.getpid()}"
    if not home.exists():
        home.mkdir(mode=0o700)
        atexit.register(shutil.rmtree, home, True)
    return home / "profile"
