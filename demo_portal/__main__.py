"""Command line: ``python -m demo_portal build|serve --dir DIR``.

``serve`` builds the sites if DIR has none, serves them on 127.0.0.1, writes
the portal file (YAML) once every server listens — so a caller may wait for
that file to appear — prints it, and runs until SIGTERM or SIGINT.
"""
from __future__ import annotations

import argparse
import os
import signal
import sys
import threading
from pathlib import Path

import yaml

from .server import Servers
from .sites import build_sites


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m demo_portal", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    build = commands.add_parser("build", help="write the demo sites and expected.json into DIR")
    build.add_argument("--dir", required=True, type=Path)
    serve = commands.add_parser("serve", help="serve the demo sites (building them if missing)")
    serve.add_argument("--dir", required=True, type=Path)
    serve.add_argument("--portals-out", type=Path, help="portal file to write (default: DIR/portals.yaml)")
    serve.add_argument("--pidfile", type=Path, help="write this process's PID here")
    serve.add_argument("--ports", help="comma-separated ports, one per site (default: ephemeral)")
    serve.add_argument("--verbose", action="store_true", help="log every request to stderr")
    args = parser.parse_args(argv)

    if args.command == "build":
        build_sites(args.dir)
        print(f"built demo sites in {args.dir}")
        return 0
    return serve_forever(args)


def serve_forever(args) -> int:
    if not (args.dir / "expected.json").exists():
        build_sites(args.dir)
    ports = [int(p) for p in args.ports.split(",")] if args.ports else None
    servers = Servers(args.dir, ports, verbose=args.verbose).start()
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    if args.pidfile:
        args.pidfile.write_text(f"{os.getpid()}\n")
    text = yaml.safe_dump({"portals": servers.portals}, allow_unicode=True, sort_keys=False)
    out = args.portals_out or args.dir / "portals.yaml"
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(text, encoding="utf-8")
    partial.replace(out)  # appears whole: callers wait for the file
    print(text, end="", flush=True)
    while not stop.wait(0.5):
        pass
    servers.stop()
    if args.pidfile:
        args.pidfile.unlink(missing_ok=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
