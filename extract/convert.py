"""Word 97–2003 (.doc), WPS and RTF documents, converted to DOCX by LibreOffice headless.

The DOCX reader then reads them like any DOCX, tables included. Each conversion runs
LibreOffice as a subprocess with a time limit, inside its own temporary directory that
holds everything it writes: the document, a fresh profile, HOME and TMPDIR. So a hostile
or endless document costs at most the time limit, never touches the user's profile, and
leaves nothing behind, even when it has to be killed.
"""
from __future__ import annotations

import hashlib
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
# LibreOffice's single-instance pipe ignores TMPDIR: it is a socket in /tmp (/var/tmp when
# /tmp is not writable), named after the profile (sal/osl/unx/pipe.cxx, desktop's
# officeipcthread.cxx). A killed LibreOffice leaves it there.
_PIPE_DIRS = ("/tmp", "/var/tmp")


def to_docx(data: bytes, kind: str, timeout: float = TIMEOUT) -> bytes:
    """The document as DOCX bytes; ReadError (stage "convert") when it cannot be converted."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        raise ReadError("convert", f"{kind.upper()} documents are converted by LibreOffice, which is not installed "
                                   f"(Debian package {PACKAGE})")
    with tempfile.TemporaryDirectory(prefix="nianbao-convert-") as tmp:
        work = Path(tmp)
        (work / "tmp").mkdir()
        source = work / f"report{_SUFFIX[kind]}"
        source.write_bytes(data)
        profile = (work / "profile").as_uri()
        command = [soffice, "--headless", "--norestore", "--nolockcheck", "--nodefault",
                   f"-env:UserInstallation={profile}",
                   "--convert-to", "docx:MS Word 2007 XML", "--outdir", tmp, str(source)]
        env = {**os.environ, "HOME": tmp, "TMPDIR": str(work / "tmp")}
        try:
            stderr = _run(command, env, timeout, kind)
        finally:
            for pipe in pipe_paths(profile):
                pipe.unlink(missing_ok=True)
        target = work / "report.docx"
        if not target.exists() or target.stat().st_size == 0:
            detail = stderr.strip().splitlines()[-1] if stderr.strip() else "no output"
            raise ReadError("convert", f"LibreOffice could not convert the {kind.upper()} document ({detail})")
        return target.read_bytes()


def _run(command: list[str], env: dict, timeout: float, kind: str) -> str:
    """Run LibreOffice in its own process group, so a timeout ends every process it started."""
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                               env=env)
    try:
        _out, err = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise ReadError("convert", f"LibreOffice did not convert the {kind.upper()} document "
                                   f"within {timeout:g} s") from None
    return err.decode("utf-8", errors="replace")


def pipe_paths(profile: str) -> list[Path]:
    """Where LibreOffice running with profile URL ``profile`` puts its pipe: the MD5 of the
    URL's UTF-16 code units, each byte in hex without a leading zero."""
    digest = hashlib.md5(profile.encode("utf-16-le")).digest()
    name = f"OSL_PIPE_{os.getuid()}_SingleOfficeIPC_{''.join(format(b, 'x') for b in digest)}"
    return [Path(directory) / name for directory in _PIPE_DIRS]
