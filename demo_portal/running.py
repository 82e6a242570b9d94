"""The demo portal as a subprocess: started, waited for, and stopped by its own PID.

Used by ``nianbao demo`` and by the test suite's ``demo_portal`` fixture.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml


class DemoServer:
    """``with DemoServer(site_dir, portals_file) as server: server.portals``.

    The portal file appears once every site listens (``python -m demo_portal
    serve`` writes it last); each home page must then answer before the block runs.
    """

    def __init__(self, site_dir: Path, portals_file: Path, ports=(), log=subprocess.DEVNULL,
                 timeout: float = 30):
        self.site_dir, self.portals_file, self.ports = Path(site_dir), Path(portals_file), ports
        self.log, self.timeout = log, timeout
        self.process = None
        self.portals = []

    def __enter__(self):
        self.portals_file.unlink(missing_ok=True)
        ports = ["--ports", ",".join(map(str, self.ports))] if self.ports else []
        self.process = subprocess.Popen(
            [sys.executable, "-m", "demo_portal", "serve", "--dir", str(self.site_dir),
             "--portals-out", str(self.portals_file), *ports],
            stdout=self.log, stderr=subprocess.STDOUT)
        try:
            self.portals = self._wait_until_served()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc):
        if self.process and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            self.process.wait(timeout=10)

    def _wait_until_served(self):
        deadline = time.monotonic() + self.timeout
        while not self.portals_file.exists():
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the demo portal did not start (exit code {self.process.poll()}); "
                                   f"are ports {self.ports or 'ephemeral'} free?")
            time.sleep(0.05)
        portals = yaml.safe_load(self.portals_file.read_text(encoding="utf-8"))["portals"]
        for portal in portals:
            with urllib.request.urlopen(portal["url"], timeout=5) as response:
                if response.status != 200:
                    raise RuntimeError(f"{portal['url']} answered {response.status}")
        return portals
