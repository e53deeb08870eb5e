"""Serve the replay in the foreground: ``python -m crawler.replay --theme table``.

``--faults 0.1 --latency 0.1`` makes it a hostile network (see ``crawler.replay.faults``).
"""

from __future__ import annotations

import argparse
import contextlib
import threading

from crawler.replay.faults import PERMANENT, Faults, OffsiteServer
from crawler.replay.server import ReplayServer
from crawler.replay.site import ReplaySite
from crawler.replay.themes import THEMES


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m crawler.replay", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8000, help="0 picks a free port")
    parser.add_argument("--theme", choices=sorted(THEMES), default="classic")
    parser.add_argument("--encoding", default=None, help="force an encoding, e.g. gbk (default: the theme's)")
    parser.add_argument("--pages", type=int, default=35)
    parser.add_argument("--per-page", type=int, default=10)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--faults", type=float, default=0.0, metavar="RATE",
                        help="fraction of responses hit by a transient fault, e.g. 0.1")
    parser.add_argument("--latency", type=float, default=0.0, metavar="SECONDS", help="delay before every response")
    parser.add_argument("--stall-seconds", type=float, default=3.0, help="how long a stalled response waits")
    parser.add_argument("--permanent", action="append", default=[], metavar="KIND=PATH",
                        help=f"a path that always fails (repeatable); KIND is one of {', '.join(PERMANENT)}")
    args = parser.parse_args(argv)
    permanent: dict[str, list[str]] = {}
    for pair in args.permanent:
        kind, _, path = pair.partition("=")
        permanent.setdefault(kind, []).append(path)
    site = ReplaySite(seed=args.seed, pages=args.pages, per_page=args.per_page, theme=args.theme,
                      encoding=args.encoding)
    offsite = OffsiteServer() if "offsite_redirect" in permanent else None
    faults = None
    if args.faults or permanent:
        try:
            faults = Faults(rate=args.faults, seed=args.seed, stall_seconds=args.stall_seconds, permanent=permanent,
                            offsite_url=offsite.base_url if offsite else None)
        except ValueError as error:
            parser.error(str(error))
    with contextlib.ExitStack() as stack:
        if offsite:
            stack.enter_context(offsite)
        server = stack.enter_context(ReplayServer(site, host=args.host, port=args.port, faults=faults,
                                                  latency=args.latency))
        print(server.start_url, flush=True)
        try:
            threading.Event().wait()  # until Ctrl-C
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
